//! Parsing of the image references fipscan accepts on the command line.

use std::path::{Path, PathBuf};

use super::SourceError;
use crate::image::Digest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    OciLayout {
        path: PathBuf,
        tag: Option<String>,
        digest: Option<Digest>,
        text: String,
    },
    DockerArchive {
        path: PathBuf,
        tag: Option<String>,
        text: String,
    },
    Dir {
        path: PathBuf,
        text: String,
    },
}

impl SourceRef {
    pub fn text(&self) -> &str {
        match self {
            SourceRef::OciLayout { text, .. }
            | SourceRef::DockerArchive { text, .. }
            | SourceRef::Dir { text, .. } => text,
        }
    }
}

/// `oci:PATH[:TAG|@sha256:…]`, `docker-archive:PATH[:REPO:TAG]`, `dir:PATH`.
/// Without a transport prefix, an existing path is taken for what it is
/// (a layout folder, a rootfs folder, or an archive file).
pub fn parse_reference(text: &str) -> Result<SourceRef, SourceError> {
    let owned = text.to_string();
    if let Some(rest) = text.strip_prefix("oci:") {
        return parse_oci(rest, owned);
    }
    if let Some(rest) = text.strip_prefix("docker-archive:") {
        return parse_archive(rest, owned);
    }
    if let Some(rest) = text.strip_prefix("dir:") {
        if rest.is_empty() {
            return Err(SourceError::Unsupported {
                reference: owned,
                reason: "dir: needs a path".into(),
            });
        }
        return Ok(SourceRef::Dir {
            path: PathBuf::from(rest),
            text: owned,
        });
    }
    let path = Path::new(text);
    if path.is_dir() {
        if path.join("index.json").is_file() && path.join("oci-layout").is_file() {
            return Ok(SourceRef::OciLayout {
                path: path.into(),
                tag: None,
                digest: None,
                text: owned,
            });
        }
        return Ok(SourceRef::Dir {
            path: path.into(),
            text: owned,
        });
    }
    if path.is_file() {
        return Ok(SourceRef::DockerArchive {
            path: path.into(),
            tag: None,
            text: owned,
        });
    }
    Err(SourceError::Unsupported {
        reference: owned,
        reason: "not an existing path; use oci:DIR, docker-archive:FILE or dir:DIR (registry references are not supported by this build)".into(),
    })
}

fn parse_oci(rest: &str, text: String) -> Result<SourceRef, SourceError> {
    if let Some((path, digest)) = rest.rsplit_once('@') {
        let digest = Digest::parse(digest).ok_or_else(|| SourceError::Unsupported {
            reference: text.clone(),
            reason: "the digest after @ must be sha256:<64 lowercase hex digits>".into(),
        })?;
        return Ok(SourceRef::OciLayout {
            path: path.into(),
            tag: None,
            digest: Some(digest),
            text,
        });
    }
    if Path::new(rest).is_dir() {
        return Ok(SourceRef::OciLayout {
            path: rest.into(),
            tag: None,
            digest: None,
            text,
        });
    }
    match rest.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') && !tag.is_empty() => Ok(SourceRef::OciLayout {
            path: path.into(),
            tag: Some(tag.into()),
            digest: None,
            text,
        }),
        _ => Ok(SourceRef::OciLayout {
            path: rest.into(),
            tag: None,
            digest: None,
            text,
        }),
    }
}

fn parse_archive(rest: &str, text: String) -> Result<SourceRef, SourceError> {
    if Path::new(rest).is_file() || !rest.contains(':') {
        return Ok(SourceRef::DockerArchive {
            path: rest.into(),
            tag: None,
            text,
        });
    }
    // The path itself may contain ':'; take the first split whose left side
    // is an existing file, as skopeo does.
    for (i, _) in rest.match_indices(':') {
        let (path, tag) = (&rest[..i], &rest[i + 1..]);
        if Path::new(path).is_file() {
            return Ok(SourceRef::DockerArchive {
                path: path.into(),
                tag: Some(tag.into()),
                text,
            });
        }
    }
    Ok(SourceRef::DockerArchive {
        path: rest.into(),
        tag: None,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oci_forms() {
        let d = format!("sha256:{}", "0f".repeat(32));
        match parse_reference(&format!("oci:/nowhere/x@{d}")).unwrap() {
            SourceRef::OciLayout {
                path, digest, tag, ..
            } => {
                assert_eq!(path, PathBuf::from("/nowhere/x"));
                assert_eq!(digest.unwrap().as_str(), d);
                assert!(tag.is_none());
            }
            other => panic!("{other:?}"),
        }
        match parse_reference("oci:/nowhere/x:v1").unwrap() {
            SourceRef::OciLayout { path, tag, .. } => {
                assert_eq!(path, PathBuf::from("/nowhere/x"));
                assert_eq!(tag.as_deref(), Some("v1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_reference("oci:/x@sha256:zz").is_err());
    }

    #[test]
    fn archive_with_colon_in_tag() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("img.tar");
        std::fs::write(&file, b"").unwrap();
        let r =
            parse_reference(&format!("docker-archive:{}:repo/app:1.2", file.display())).unwrap();
        assert_eq!(
            r,
            SourceRef::DockerArchive {
                path: file.clone(),
                tag: Some("repo/app:1.2".into()),
                text: format!("docker-archive:{}:repo/app:1.2", file.display()),
            }
        );
        assert!(matches!(
            parse_reference(file.to_str().unwrap()).unwrap(),
            SourceRef::DockerArchive { tag: None, .. }
        ));
    }

    #[test]
    fn bare_names_are_not_guessed() {
        assert!(matches!(
            parse_reference("alpine:3.20"),
            Err(SourceError::Unsupported { .. })
        ));
    }
}
