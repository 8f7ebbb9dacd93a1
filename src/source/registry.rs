//! Images in registries. `Registries` lives for a whole run: it owns the
//! tokio runtime (async stops here: everything above is synchronous), one
//! session per registry host and one authorised access per repository, so
//! several references share connections, tokens and credential lookups.

mod auth;
mod blob;
mod helper;
mod http;
mod image;
mod oauth;
mod progress;
mod retry;
mod session;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::runtime::{Handle, Runtime};

pub use auth::Secret;
use auth::{Env, Found};
use http::Access;
use image::RegistryImage;
use progress::Progress;
use retry::RetryPolicy;
use session::{CaCerts, Session};

use super::{Selection, SourceError, oci};
use crate::image::{BlobStore, ImagePlan};
use crate::source::RegistryRef;

/// How to reach registries; from the command line.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// `--username`; with `password`, used for every registry of the run.
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Extra trusted roots (PEM) besides the system ones.
    pub ca_file: Option<PathBuf>,
    /// Allow plain HTTP for every registry (always allowed for localhost).
    pub insecure: bool,
    pub connect_timeout: Duration,
    /// Longest silence while reading a response.
    pub read_timeout: Duration,
    pub retries: u32,
    /// First retry delay; doubles each time.
    pub retry_delay: Duration,
    /// Draw per-layer progress bars (when stderr is a terminal).
    pub progress: bool,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        let policy = RetryPolicy::default();
        RegistryOptions {
            username: None,
            password: None,
            ca_file: None,
            insecure: false,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            retries: policy.retries,
            retry_delay: policy.base_delay,
            progress: false,
        }
    }
}

impl RegistryOptions {
    fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            retries: self.retries,
            base_delay: self.retry_delay,
            ..RetryPolicy::default()
        }
    }
}

pub struct Registries {
    opts: RegistryOptions,
    env: Env,
    /// Started at the first registry reference; local scans never pay for it.
    runtime: Mutex<Option<Runtime>>,
    ca: Mutex<Option<Arc<CaCerts>>>,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    accesses: Mutex<HashMap<(String, String), Arc<Access>>>,
    progress: Progress,
}

impl Registries {
    pub fn new(opts: RegistryOptions) -> Registries {
        let progress = Progress::new(opts.progress);
        Registries {
            opts,
            env: Env::from_process(),
            runtime: Mutex::new(None),
            ca: Mutex::new(None),
            sessions: Mutex::new(HashMap::new()),
            accesses: Mutex::new(HashMap::new()),
            progress,
        }
    }

    fn handle(&self, reference: &str) -> Result<Handle, SourceError> {
        let mut rt = self.runtime.lock().map_err(|_| poisoned(reference))?;
        if rt.is_none() {
            // Network threads only move bytes (and decrypt TLS): the cores
            // belong to the layer workers that decompress and scan.
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let built = tokio::runtime::Builder::new_multi_thread()
                .worker_threads((cores / 4).clamp(1, 4))
                .thread_name("fipscan-net")
                .enable_all()
                .build()
                .map_err(|e| SourceError::Network {
                    reference: reference.to_string(),
                    detail: format!("cannot start the network runtime: {e}"),
                })?;
            *rt = Some(built);
        }
        rt.as_ref()
            .map(|r| r.handle().clone())
            .ok_or_else(|| poisoned(reference))
    }

    fn ca(&self, reference: &str) -> Result<Option<Arc<CaCerts>>, SourceError> {
        let Some(path) = &self.opts.ca_file else {
            return Ok(None);
        };
        let mut slot = self.ca.lock().map_err(|_| poisoned(reference))?;
        if slot.is_none() {
            let certs = CaCerts::load(path).map_err(|reason| SourceError::Invalid {
                place: reference.to_string(),
                reason,
            })?;
            *slot = Some(Arc::new(certs));
        }
        Ok(slot.clone())
    }

    fn session(
        &self,
        r: &RegistryRef,
        reference: &str,
        handle: &Handle,
    ) -> Result<Arc<Session>, SourceError> {
        let host = r.api_host().to_string();
        if let Some(s) = self
            .sessions
            .lock()
            .map_err(|_| poisoned(reference))?
            .get(&host)
        {
            return Ok(Arc::clone(s));
        }
        let ca = self.ca(reference)?;
        let session = handle
            .block_on(Session::connect(&host, &self.opts, ca.as_deref()))
            .map_err(|f| f.into_source(reference))?;
        let session = Arc::new(session);
        self.sessions
            .lock()
            .map_err(|_| poisoned(reference))?
            .insert(host, Arc::clone(&session));
        Ok(session)
    }

    fn access(
        &self,
        r: &RegistryRef,
        reference: &str,
        handle: &Handle,
    ) -> Result<Arc<Access>, SourceError> {
        let key = (r.registry.clone(), r.repository.clone());
        if let Some(a) = self
            .accesses
            .lock()
            .map_err(|_| poisoned(reference))?
            .get(&key)
        {
            return Ok(Arc::clone(a));
        }
        let session = self.session(r, reference, handle)?;
        let flags = match (&self.opts.username, &self.opts.password) {
            (Some(u), Some(p)) => Some((u.as_str(), p)),
            _ => None,
        };
        let found: Found =
            auth::lookup(&r.registry, &r.repository, flags, &self.env).map_err(|detail| {
                SourceError::Credentials {
                    reference: reference.to_string(),
                    detail,
                }
            })?;
        let access =
            Access::new(session, &r.repository, found).map_err(|f| f.into_source(reference))?;
        let access = Arc::new(access);
        self.accesses
            .lock()
            .map_err(|_| poisoned(reference))?
            .insert(key, Arc::clone(&access));
        Ok(access)
    }

    /// Resolves a registry reference into plans whose layers stream from
    /// the registry when opened.
    pub fn resolve(
        &self,
        r: &RegistryRef,
        text: &str,
        selection: &Selection,
    ) -> Result<Vec<ImagePlan>, SourceError> {
        let reference = r.to_string();
        let handle = self.handle(&reference)?;
        let access = self.access(r, &reference, &handle)?;
        let image = Arc::new(RegistryImage::new(
            access,
            reference,
            handle,
            self.progress.clone(),
        ));
        let root = image.fetch_root(&r.target(), r.digest.as_ref())?;
        let store: Arc<dyn BlobStore> = Arc::clone(&image) as Arc<dyn BlobStore>;
        let plans = oci::resolve_root(image.as_ref(), store, &root, selection, text, "registry")?;
        image.learn_sizes(&plans);
        Ok(plans)
    }
}

impl Drop for Registries {
    fn drop(&mut self) {
        // Pumps of blobs nobody reads any more must not hold the exit.
        if let Ok(rt) = self.runtime.get_mut()
            && let Some(rt) = rt.take()
        {
            rt.shutdown_background();
        }
    }
}

fn poisoned(reference: &str) -> SourceError {
    SourceError::Invalid {
        place: reference.to_string(),
        reason: "internal lock poisoned by an earlier failure".into(),
    }
}
