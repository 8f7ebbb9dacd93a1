//! Image sources: turn what the user typed (`oci:…`, `docker-archive:…`,
//! `dir:…`, a registry reference) into one `ImagePlan` per selected platform.

mod archive;
mod dir;
mod layout;
mod oci;
mod reference;
pub mod registry;

use std::io::{self, Read};
use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

use crate::image::{Digest, ImagePlan, Platform};

pub use reference::{RegistryRef, SourceRef, parse_reference};
pub use registry::{Registries, RegistryOptions};

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
    /// 401: no credentials, or the registry (or its token service) refused them.
    #[error("{reference}: unauthorized (401): {detail}")]
    Unauthorized { reference: String, detail: String },
    /// 403: the credentials are valid but may not pull this repository.
    #[error("{reference}: access denied (403): {detail}")]
    Denied { reference: String, detail: String },
    /// 404 without a more precise registry error code, or NAME_UNKNOWN.
    #[error("{reference}: not found (404): {detail}")]
    NotFound { reference: String, detail: String },
    /// MANIFEST_UNKNOWN: the repository has no such tag or digest.
    #[error("{reference}: manifest unknown: {detail}")]
    ManifestUnknown { reference: String, detail: String },
    #[error(
        "{reference}: manifest {digest} is a Docker image manifest schema 1, which is unsupported (deprecated since 2017; push the image again with a current client to get schema 2 or OCI)"
    )]
    UnsupportedSchema1 { reference: String, digest: String },
    /// Connecting, TLS, timeouts, resets: after the retries ran out.
    #[error("{reference}: {detail}")]
    Network { reference: String, detail: String },
    /// Any other answer the registry should not have given (after retries
    /// for 429 and 5xx).
    #[error("{reference}: registry answered HTTP {status}: {detail}")]
    Registry {
        reference: String,
        status: u16,
        detail: String,
    },
    /// Credentials could not be read (a broken config file, a failing
    /// credential helper). Never carries the secret itself.
    #[error("{reference}: credentials: {detail}")]
    Credentials { reference: String, detail: String },
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

/// Resolves a parsed reference into the plans to scan. Registry references
/// go through `registries`, which holds the connections, credentials and
/// the async runtime for the whole run.
pub fn resolve(
    source: &SourceRef,
    selection: &Selection,
    registries: &Registries,
) -> Result<Vec<ImagePlan>, SourceError> {
    match source {
        SourceRef::Registry { reference, text } => registries.resolve(reference, text, selection),
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
