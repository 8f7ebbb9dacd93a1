//! `docker save` archives: the classic layout (manifest.json +
//! `<id>/layer.tar`) and the current one (an OCI layout inside the tar, with
//! a manifest.json beside it). The tar is indexed once, reading headers only;
//! each blob is then opened as a seekable window into the file, so layers
//! can be read in parallel without extracting anything.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::oci::{Index, Pick, RawConfig, resolve_index};
use super::{Selection, SourceError, parse_json, read_small};
use crate::image::{BlobLocator, BlobStore, Content, Digest, ImagePlan, LayerDesc};

/// Hostile archives can declare millions of tiny members; real ones hold a
/// few hundred at most.
const MAX_MEMBERS: usize = 1_000_000;

pub struct ArchiveStore {
    path: PathBuf,
    /// member name (normalised, no leading `./`) -> (data offset, size)
    members: HashMap<String, (u64, u64)>,
}

fn normalise(name: &str) -> String {
    name.trim_start_matches("./")
        .trim_start_matches('/')
        .to_string()
}

impl ArchiveStore {
    fn index(path: &Path) -> Result<ArchiveStore, SourceError> {
        let io_err = |source| SourceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        for entry in archive.entries().map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            members.insert(normalise(&name), (entry.raw_file_position(), entry.size()));
            if members.len() > MAX_MEMBERS {
                return Err(SourceError::Invalid {
                    place: path.display().to_string(),
                    reason: format!("more than {MAX_MEMBERS} members"),
                });
            }
        }
        Ok(ArchiveStore {
            path: path.to_path_buf(),
            members,
        })
    }

    fn member(&self, name: &str) -> Result<Box<dyn Read + Send>, SourceError> {
        let &(offset, size) =
            self.members
                .get(&normalise(name))
                .ok_or_else(|| SourceError::MissingBlob {
                    digest: name.to_string(),
                    place: self.describe(),
                })?;
        let io_err = |source| SourceError::Io {
            path: self.path.clone(),
            source,
        };
        let mut file = File::open(&self.path).map_err(io_err)?;
        file.seek(SeekFrom::Start(offset)).map_err(io_err)?;
        Ok(Box::new(file.take(size)))
    }

    fn has(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }
}

impl BlobStore for ArchiveStore {
    fn open(&self, locator: &BlobLocator) -> Result<Box<dyn Read + Send>, SourceError> {
        match locator {
            BlobLocator::Digest(d) => self.member(&format!("blobs/sha256/{}", d.hex())),
            BlobLocator::Member(name) => self.member(name),
        }
    }

    fn describe(&self) -> String {
        format!("docker archive {}", self.path.display())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

pub fn resolve(
    path: &Path,
    tag: Option<&str>,
    selection: &Selection,
    reference: &str,
) -> Result<Vec<ImagePlan>, SourceError> {
    let store = Arc::new(ArchiveStore::index(path)?);
    let place = store.describe();
    if !store.has("manifest.json") {
        if store.has("index.json") {
            let bytes = read_small(store.member("index.json")?, "index.json", &place, None)?;
            let top: Index = parse_json(&bytes, "index.json", &place)?;
            return resolve_index(
                store,
                &top,
                Pick { tag, digest: None },
                selection,
                reference,
                "docker-archive",
            );
        }
        return Err(SourceError::Invalid {
            place,
            reason: "neither manifest.json nor index.json found".into(),
        });
    }
    let bytes = read_small(
        store.member("manifest.json")?,
        "manifest.json",
        &place,
        None,
    )?;
    let entries: Vec<ManifestEntry> = parse_json(&bytes, "manifest.json", &place)?;
    let entry = pick_entry(&entries, tag, &place)?;
    Ok(vec![plan_for_entry(store, entry, reference)?])
}

fn tag_matches(repo_tag: &str, wanted: &str) -> bool {
    // Docker records `name:tag`; users may leave out `:latest` or a docker.io prefix.
    let full = if wanted
        .rsplit_once(':')
        .is_some_and(|(_, t)| !t.contains('/'))
    {
        wanted.to_string()
    } else {
        format!("{wanted}:latest")
    };
    repo_tag == full
        || repo_tag.strip_prefix("docker.io/") == Some(full.as_str())
        || repo_tag.strip_prefix("docker.io/library/") == Some(full.as_str())
}

fn pick_entry<'a>(
    entries: &'a [ManifestEntry],
    tag: Option<&str>,
    place: &str,
) -> Result<&'a ManifestEntry, SourceError> {
    let all_tags = || {
        let tags: Vec<&str> = entries
            .iter()
            .flat_map(|e| e.repo_tags.iter().flatten())
            .map(String::as_str)
            .collect();
        if tags.is_empty() {
            "none".to_string()
        } else {
            tags.join(", ")
        }
    };
    match (tag, entries) {
        (_, []) => Err(SourceError::Invalid {
            place: place.into(),
            reason: "manifest.json lists no images".into(),
        }),
        (None, [only]) => Ok(only),
        (None, _) => Err(SourceError::Ambiguous {
            place: place.into(),
            available: all_tags(),
        }),
        (Some(t), _) => entries
            .iter()
            .find(|e| e.repo_tags.iter().flatten().any(|rt| tag_matches(rt, t)))
            .ok_or_else(|| SourceError::TagNotFound {
                place: place.into(),
                tag: t.into(),
                available: all_tags(),
            }),
    }
}

/// A member named `blobs/sha256/<hex>` is content-addressed; its name is its digest.
fn digest_from_member(name: &str) -> Option<Digest> {
    normalise(name)
        .strip_prefix("blobs/sha256/")
        .and_then(|hex| Digest::parse(&format!("sha256:{hex}")))
}

fn plan_for_entry(
    store: Arc<ArchiveStore>,
    entry: &ManifestEntry,
    reference: &str,
) -> Result<ImagePlan, SourceError> {
    let place = store.describe();
    // Classic archives name the config `<sha256>.json`; current ones `blobs/sha256/<hex>`.
    let config_digest = digest_from_member(&entry.config).or_else(|| {
        let stem = normalise(&entry.config);
        Digest::parse(&format!("sha256:{}", stem.strip_suffix(".json")?))
    });
    let config_bytes = read_small(
        store.member(&entry.config)?,
        "image config",
        &place,
        config_digest.as_ref(),
    )?;
    let raw: RawConfig = parse_json(&config_bytes, "image config", &entry.config)?;
    let config = raw.into_config(&format!("{place} config {}", entry.config))?;
    if config.diff_ids.len() != entry.layers.len() {
        return Err(SourceError::Invalid {
            place,
            reason: format!(
                "config lists {} diff_ids but manifest.json lists {} layers",
                config.diff_ids.len(),
                entry.layers.len()
            ),
        });
    }
    let layers = entry
        .layers
        .iter()
        .enumerate()
        .map(|(index, name)| LayerDesc {
            index,
            digest: digest_from_member(name),
            diff_id: config.diff_ids.get(index).cloned(),
            // `docker save` writes uncompressed tars; the magic check still
            // catches compressed ones.
            media_type: "application/vnd.docker.image.rootfs.diff.tar".to_string(),
            size: store.members.get(&normalise(name)).map(|&(_, s)| s),
            locator: BlobLocator::Member(name.clone()),
        })
        .collect();
    Ok(ImagePlan {
        reference: reference.to_string(),
        source_kind: "docker-archive",
        manifest_digest: None,
        config_digest,
        config,
        content: Content::Layers { layers, store },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_tag_matching() {
        assert!(tag_matches("fixtures/app:latest", "fixtures/app"));
        assert!(tag_matches("fixtures/app:latest", "fixtures/app:latest"));
        assert!(tag_matches("docker.io/library/alpine:3", "alpine:3"));
        assert!(!tag_matches("fixtures/app:v2", "fixtures/app"));
    }

    #[test]
    fn member_digests() {
        let hex = "ab".repeat(32);
        assert_eq!(
            digest_from_member(&format!("./blobs/sha256/{hex}"))
                .unwrap()
                .hex(),
            hex
        );
        assert!(digest_from_member("abc/layer.tar").is_none());
    }
}
