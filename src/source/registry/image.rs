//! One image reference in a registry: manifests and indexes from the
//! manifest endpoint, configs and layers from the blob endpoint. It is both
//! the `Fetcher` that `source::oci` resolves through and the `BlobStore`
//! the layer workers open blobs from.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};

use reqwest::header::CONTENT_TYPE;
use sha2::{Digest as _, Sha256};
use tokio::runtime::Handle;

use super::blob::{self, BlobFetch};
use super::http::{Access, BodyError, read_bounded};
use super::progress::Progress;
use super::retry::RetryState;
use crate::image::{BlobLocator, BlobStore, Content, Digest, ImagePlan};
use crate::source::oci::{Descriptor, Fetcher};
use crate::source::{MAX_JSON_BYTES, SourceError};

/// Every manifest type fipscan reads, plus schema 1 so that such a
/// manifest comes back and is refused with a clear error.
const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json, \
application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.5, \
application/vnd.docker.distribution.manifest.v1+json;q=0.5";

const SCHEMA1_TYPES: [&str; 2] = [
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.docker.distribution.manifest.v1+json",
];

pub struct RegistryImage {
    access: Arc<Access>,
    /// The normalised reference, named by every error.
    reference: String,
    handle: Handle,
    progress: Progress,
    /// Manifests already fetched, by digest (the root is fetched by tag).
    manifests: Mutex<HashMap<Digest, Vec<u8>>>,
    /// Blob sizes the manifests declare: a body that ends short is resumed.
    sizes: Mutex<HashMap<Digest, u64>>,
}

/// A small body and what the registry said about it.
struct Small {
    bytes: Vec<u8>,
    content_type: String,
}

impl RegistryImage {
    pub fn new(access: Arc<Access>, reference: String, handle: Handle, progress: Progress) -> Self {
        RegistryImage {
            access,
            reference,
            handle,
            progress,
            manifests: Mutex::new(HashMap::new()),
            sizes: Mutex::new(HashMap::new()),
        }
    }

    fn fetch_small(
        &self,
        path: &str,
        accept: Option<&str>,
        what: &str,
    ) -> Result<Small, SourceError> {
        let access = Arc::clone(&self.access);
        let fetched: Result<Option<Small>, super::http::Fail> = self.handle.block_on(async move {
            let mut state = RetryState::new(access.session.policy);
            loop {
                let mut resp = access.get(path, accept, 0, &mut state).await?;
                let content_type = resp
                    .headers()
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                match read_bounded(&mut resp, MAX_JSON_BYTES).await {
                    Ok(bytes) => {
                        return Ok(Some(Small {
                            bytes,
                            content_type,
                        }));
                    }
                    Err(BodyError::TooLarge) => return Ok(None),
                    Err(BodyError::Io(e)) => {
                        let fail = super::http::Fail::Network(format!("reading {path}: {e}"));
                        super::http::retry_wait(&mut state, fail, None).await?;
                    }
                }
            }
        });
        match fetched {
            Ok(Some(small)) => Ok(small),
            Ok(None) => Err(SourceError::TooLarge {
                what: what.into(),
                place: self.reference.clone(),
                limit_bytes: MAX_JSON_BYTES,
            }),
            Err(f) => Err(f.into_source(&self.reference)),
        }
    }

    fn verify(&self, bytes: &[u8], expected: &Digest, what: &str) -> Result<(), SourceError> {
        let actual = Digest::from_sha256(&Sha256::digest(bytes));
        if &actual != expected {
            return Err(SourceError::DigestMismatch {
                expected: expected.to_string(),
                actual: actual.to_string(),
                place: format!("{} ({what})", self.reference),
            });
        }
        Ok(())
    }

    /// Fetches what the reference names (a tag or a digest) and returns
    /// the descriptor to resolve from.
    pub fn fetch_root(
        &self,
        target: &str,
        digest: Option<&Digest>,
    ) -> Result<Descriptor, SourceError> {
        let small = self.fetch_small(&format!("manifests/{target}"), Some(ACCEPT), "manifest")?;
        let digest = match digest {
            Some(d) => {
                self.verify(&small.bytes, d, "manifest")?;
                d.clone()
            }
            None => Digest::from_sha256(&Sha256::digest(&small.bytes)),
        };
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Versioned {
            #[serde(default)]
            schema_version: Option<u32>,
        }
        let versioned: Option<Versioned> = serde_json::from_slice(&small.bytes).ok();
        let schema1 = SCHEMA1_TYPES
            .iter()
            .any(|t| small.content_type.starts_with(t))
            || versioned.is_some_and(|v| v.schema_version == Some(1));
        if schema1 {
            return Err(SourceError::UnsupportedSchema1 {
                reference: self.reference.clone(),
                digest: digest.to_string(),
            });
        }
        if let Ok(mut m) = self.manifests.lock() {
            m.insert(digest.clone(), small.bytes);
        }
        // An empty media type makes `oci` look inside: index or manifest.
        Ok(Descriptor {
            media_type: String::new(),
            digest: digest.to_string(),
            size: None,
            annotations: Default::default(),
            platform: None,
        })
    }

    /// Remembers the layer sizes the plans declare.
    pub fn learn_sizes(&self, plans: &[ImagePlan]) {
        let Ok(mut sizes) = self.sizes.lock() else {
            return;
        };
        for plan in plans {
            if let Content::Layers { layers, .. } = &plan.content {
                for l in layers {
                    if let (Some(d), Some(n)) = (&l.digest, l.size) {
                        sizes.insert(d.clone(), n);
                    }
                }
            }
        }
    }

    fn descriptor_digest(&self, d: &Descriptor) -> Result<Digest, SourceError> {
        Digest::parse(&d.digest).ok_or_else(|| SourceError::Invalid {
            place: self.reference.clone(),
            reason: format!("descriptor digest {:?} is not sha256:<64 hex>", d.digest),
        })
    }
}

impl Fetcher for RegistryImage {
    fn manifest(&self, d: &Descriptor, what: &str) -> Result<(Digest, Vec<u8>), SourceError> {
        let digest = self.descriptor_digest(d)?;
        if let Some(bytes) = self
            .manifests
            .lock()
            .ok()
            .and_then(|m| m.get(&digest).cloned())
        {
            return Ok((digest, bytes));
        }
        let small = self.fetch_small(&format!("manifests/{digest}"), Some(ACCEPT), what)?;
        self.verify(&small.bytes, &digest, what)?;
        if let Ok(mut m) = self.manifests.lock() {
            m.insert(digest.clone(), small.bytes.clone());
        }
        Ok((digest, small.bytes))
    }

    fn config(&self, d: &Descriptor) -> Result<(Digest, Vec<u8>), SourceError> {
        let digest = self.descriptor_digest(d)?;
        let small = self.fetch_small(&format!("blobs/{digest}"), None, "image config")?;
        self.verify(&small.bytes, &digest, "image config")?;
        Ok((digest, small.bytes))
    }

    fn has_manifest(&self, _digest: &Digest) -> bool {
        // Only local layouts look up unreferenced manifests.
        false
    }

    fn describe(&self) -> String {
        self.reference.clone()
    }
}

impl BlobStore for RegistryImage {
    fn open(&self, locator: &BlobLocator) -> Result<Box<dyn Read + Send>, SourceError> {
        let BlobLocator::Digest(digest) = locator else {
            return Err(SourceError::Invalid {
                place: self.reference.clone(),
                reason: "registry blobs are addressed by digest".into(),
            });
        };
        let size = self.sizes.lock().ok().and_then(|s| s.get(digest).copied());
        let place = format!("{} blob {digest}", self.reference);
        let path = format!("blobs/{digest}");
        let access = Arc::clone(&self.access);
        let mut state = RetryState::new(access.session.policy);
        let first = self
            .handle
            .block_on(access.get(&path, None, 0, &mut state))
            .map_err(|f| f.into_source(&place))?;
        let fetch = BlobFetch {
            access,
            path,
            size,
            state,
            place,
        };
        let bar = self.progress.bar(digest, size);
        Ok(Box::new(blob::stream(&self.handle, fetch, first, bar)))
    }

    fn describe(&self) -> String {
        self.reference.clone()
    }
}
