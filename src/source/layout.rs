//! OCI image layout folders (`oci-layout`, `index.json`, `blobs/sha256/…`).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::oci::{Index, Pick, resolve_index};
use super::{Selection, SourceError, parse_json, read_small};
use crate::image::{BlobLocator, BlobStore, Digest, ImagePlan};

pub struct LayoutStore {
    root: PathBuf,
}

impl BlobStore for LayoutStore {
    fn open(&self, locator: &BlobLocator) -> Result<Box<dyn Read + Send>, SourceError> {
        let BlobLocator::Digest(digest) = locator else {
            return Err(SourceError::Invalid {
                place: self.describe(),
                reason: "blobs are addressed by digest".into(),
            });
        };
        // `Digest` only holds 64 hex digits, so this join cannot leave blobs/.
        let path = self.root.join("blobs").join("sha256").join(digest.hex());
        match File::open(&path) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SourceError::MissingBlob {
                digest: digest.to_string(),
                place: self.describe(),
            }),
            Err(source) => Err(SourceError::Io { path, source }),
        }
    }

    fn describe(&self) -> String {
        format!("OCI layout {}", self.root.display())
    }
}

pub fn resolve(
    root: &Path,
    tag: Option<&str>,
    digest: Option<&Digest>,
    selection: &Selection,
    reference: &str,
) -> Result<Vec<ImagePlan>, SourceError> {
    let store = LayoutStore {
        root: root.to_path_buf(),
    };
    let place = store.describe();
    let index_path = root.join("index.json");
    let file = File::open(&index_path).map_err(|source| SourceError::Io {
        path: index_path.clone(),
        source,
    })?;
    let bytes = read_small(file, "index.json", &place, None)?;
    let top: Index = parse_json(&bytes, "index.json", &place)?;
    resolve_index(
        Arc::new(store),
        &top,
        Pick { tag, digest },
        selection,
        reference,
        "oci",
    )
}
