//! Parsing of the image references fipscan accepts on the command line.

use std::fmt;
use std::path::{Path, PathBuf};

use super::SourceError;
use crate::image::Digest;

/// An image in a registry, normalised as docker does: `alpine` is
/// `docker.io/library/alpine:latest`; a first component with a `.` or a `:`,
/// or `localhost`, is a registry host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRef {
    /// As written (`docker.io`, `ghcr.io`, `127.0.0.1:5000`).
    pub registry: String,
    pub repository: String,
    /// `latest` when neither a tag nor a digest was given.
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl RegistryRef {
    /// Parses a docker-style reference (no transport prefix).
    pub fn parse(text: &str) -> Result<RegistryRef, String> {
        let parsed = oci_client::Reference::try_from(text).map_err(|e| e.to_string())?;
        let digest =
            match parsed.digest() {
                Some(d) => Some(Digest::parse(d).ok_or_else(|| {
                    format!("digest {d:?} is not sha256:<64 lowercase hex digits>")
                })?),
                None => None,
            };
        Ok(RegistryRef {
            registry: parsed.registry().to_string(),
            repository: parsed.repository().to_string(),
            tag: parsed.tag().map(str::to_string),
            digest,
        })
    }

    /// The host requests go to: Docker Hub's API lives at index.docker.io.
    pub fn api_host(&self) -> &str {
        if self.registry == "docker.io" {
            "index.docker.io"
        } else {
            &self.registry
        }
    }

    /// What a manifest request names: the digest when there is one.
    pub fn target(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }
}

impl fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

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
    Registry {
        reference: RegistryRef,
        text: String,
    },
}

impl SourceRef {
    pub fn text(&self) -> &str {
        match self {
            SourceRef::OciLayout { text, .. }
            | SourceRef::DockerArchive { text, .. }
            | SourceRef::Dir { text, .. }
            | SourceRef::Registry { text, .. } => text,
        }
    }
}

/// `oci:PATH[:TAG|@sha256:…]`, `docker-archive:PATH[:REPO:TAG]`, `dir:PATH`,
/// `registry:REF` / `docker://REF`. Without a transport prefix, an existing
/// path is taken for what it is (a layout folder, a rootfs folder, or an
/// archive file), and anything else is a registry reference.
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
    if let Some(rest) = registry_transport(text) {
        return parse_registry(rest, owned, true);
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
    parse_registry(text, owned, false)
}

/// The text after a `docker://` or `registry:` transport. Docker reads
/// `registry:2` as the image `registry` with tag `2`, and `registry:5000/x`
/// as a host named `registry` with a port: those keep docker's reading. The
/// prefix is the transport when what follows is more than a tag
/// (`registry:ghcr.io/org/app`, `registry:alpine:3.20`).
fn registry_transport(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_prefix("docker://") {
        return Some(rest);
    }
    let rest = text.strip_prefix("registry:")?;
    let first = rest.split('/').next().unwrap_or_default();
    let is_port = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
    let host_with_port = is_port && rest.contains('/');
    let only_a_tag = !rest.contains(['/', ':', '@']);
    (!host_with_port && !only_a_tag).then_some(rest)
}

fn parse_registry(rest: &str, text: String, explicit: bool) -> Result<SourceRef, SourceError> {
    match RegistryRef::parse(rest) {
        Ok(reference) => Ok(SourceRef::Registry { reference, text }),
        Err(why) => Err(SourceError::Unsupported {
            reason: if explicit {
                format!("not a valid image reference ({why})")
            } else {
                format!(
                    "not an existing path, nor a valid image reference ({why}); use oci:DIR, docker-archive:FILE, dir:DIR or [REGISTRY/]REPOSITORY[:TAG|@sha256:…]"
                )
            },
            reference: text,
        }),
    }
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

    fn registry(text: &str) -> String {
        match parse_reference(text).unwrap() {
            SourceRef::Registry { reference, .. } => reference.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bare_names_are_registry_references_normalised_as_docker_does() {
        assert_eq!(registry("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(registry("alpine:3.20"), "docker.io/library/alpine:3.20");
        assert_eq!(registry("team/app"), "docker.io/team/app:latest");
        assert_eq!(
            registry("registry.example.com/team/app:1.4.2"),
            "registry.example.com/team/app:1.4.2"
        );
        assert_eq!(registry("host:5000/x"), "host:5000/x:latest");
        assert_eq!(registry("localhost/x"), "localhost/x:latest");
        assert_eq!(
            registry("index.docker.io/library/a"),
            "docker.io/library/a:latest"
        );
        let d = format!("sha256:{}", "ab".repeat(32));
        let r = match parse_reference(&format!("ghcr.io/org/app@{d}")).unwrap() {
            SourceRef::Registry { reference, .. } => reference,
            other => panic!("{other:?}"),
        };
        assert_eq!(r.digest.as_ref().map(Digest::as_str), Some(d.as_str()));
        assert_eq!(r.tag, None);
        assert_eq!(r.target(), d);
        assert_eq!(r.api_host(), "ghcr.io");
        assert_eq!(
            match parse_reference("alpine").unwrap() {
                SourceRef::Registry { reference, .. } => reference.api_host().to_string(),
                other => panic!("{other:?}"),
            },
            "index.docker.io"
        );
    }

    #[test]
    fn transports_and_bad_references() {
        assert_eq!(
            registry("docker://alpine"),
            "docker.io/library/alpine:latest"
        );
        assert_eq!(registry("registry:alpine:1"), "docker.io/library/alpine:1");
        assert_eq!(registry("registry:ghcr.io/o/a"), "ghcr.io/o/a:latest");
        // Docker's readings win: the `registry` image, a host with a port.
        assert_eq!(registry("registry:2"), "docker.io/library/registry:2");
        assert_eq!(
            registry("registry:latest"),
            "docker.io/library/registry:latest"
        );
        assert_eq!(registry("registry:5000/app"), "registry:5000/app:latest");
        for bad in ["Upper/Case", "./not/there", "x@sha256:zz", "docker://", ""] {
            assert!(
                matches!(parse_reference(bad), Err(SourceError::Unsupported { .. })),
                "{bad}"
            );
        }
        let sha512 = format!("a@sha512:{}", "0".repeat(128));
        assert!(parse_reference(&sha512).is_err());
    }

    #[test]
    fn an_existing_path_wins_over_a_reference() {
        let dir = tempfile::tempdir().unwrap();
        let cwd_relative = dir.path().join("alpine");
        std::fs::create_dir(&cwd_relative).unwrap();
        assert!(matches!(
            parse_reference(cwd_relative.to_str().unwrap()).unwrap(),
            SourceRef::Dir { .. }
        ));
    }
}
