//! Image sources: turn what the user typed (`oci:…`, `docker-archive:…`,
//! `dir:…`) into one `ImagePlan` per selected platform.

mod archive;
mod dir;
mod layout;
mod oci;
mod reference;

use std::io::{self, Read};
use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

use crate::image::{Digest, ImagePlan, Platform};

pub use reference::{SourceRef, parse_reference};

/// Which image(s) of a source to scan.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `None`: linux/amd64 when an index offers it, else its only platform.
    pub platform: Option<Platform>,
    pub all_platforms: bool,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{what} in {place} is not valid JSON: {source}")]
    Json {
        what: String,
        place: String,
        source: serde_json::Error,
    },
    #[error("{what} in {place} is larger than {limit_bytes} bytes")]
    TooLarge {
        what: String,
        place: String,
        limit_bytes: u64,
    },
    #[error("blob {digest} in {place} is missing")]
    MissingBlob { digest: String, place: String },
    #[error("blob {expected} in {place} does not match its digest (content hashes to {actual})")]
    DigestMismatch {
        expected: String,
        actual: String,
        place: String,
    },
    #[error("{place}: {reason}")]
    Invalid { place: String, reason: String },
    #[error("{place}: no image tagged {tag:?} (tags present: {available})")]
    TagNotFound {
        place: String,
        tag: String,
        available: String,
    },
    #[error("{place}: no manifest with digest {digest}")]
    DigestNotFound { place: String, digest: String },
    #[error("{place}: no image for platform {wanted} (platforms present: {available})")]
    PlatformNotFound {
        place: String,
        wanted: String,
        available: String,
    },
    #[error(
        "{place}: holds several images; choose one with :TAG or @DIGEST (present: {available})"
    )]
    Ambiguous { place: String, available: String },
    #[error("unsupported reference {reference:?}: {reason}")]
    Unsupported { reference: String, reason: String },
}

/// Upper bound for manifests, indexes and configs: real ones are a few KiB;
/// a huge one is hostile and must not be read into memory.
pub const MAX_JSON_BYTES: u64 = 16 << 20;

/// Reads a small blob whole, failing clearly past `MAX_JSON_BYTES`, and
/// checks it against `expected` when the source knows its digest.
pub(crate) fn read_small(
    mut reader: impl Read,
    what: &str,
    place: &str,
    expected: Option<&Digest>,
) -> Result<Vec<u8>, SourceError> {
    let mut buf = Vec::new();
    (&mut reader)
        .take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|source| SourceError::Io {
            path: PathBuf::from(format!("{place} ({what})")),
            source,
        })?;
    if buf.len() as u64 > MAX_JSON_BYTES {
        return Err(SourceError::TooLarge {
            what: what.into(),
            place: place.into(),
            limit_bytes: MAX_JSON_BYTES,
        });
    }
    if let Some(expected) = expected {
        let actual = Digest::from_sha256(&Sha256::digest(&buf));
        if &actual != expected {
            return Err(SourceError::DigestMismatch {
                expected: expected.to_string(),
                actual: actual.to_string(),
                place: place.into(),
            });
        }
    }
    Ok(buf)
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
    place: &str,
) -> Result<T, SourceError> {
    serde_json::from_slice(bytes).map_err(|source| SourceError::Json {
        what: what.into(),
        place: place.into(),
        source,
    })
}

/// Resolves a parsed reference into the plans to scan.
pub fn resolve(source: &SourceRef, selection: &Selection) -> Result<Vec<ImagePlan>, SourceError> {
    match source {
        SourceRef::OciLayout {
            path,
            tag,
            digest,
            text,
        } => layout::resolve(path, tag.as_deref(), digest.as_ref(), selection, text),
        SourceRef::DockerArchive { path, tag, text } => {
            archive::resolve(path, tag.as_deref(), selection, text)
        }
        SourceRef::Dir { path, text } => dir::resolve(path, text),
    }
}
