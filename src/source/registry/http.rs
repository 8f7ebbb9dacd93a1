//! Requests to one repository: authorising through oci-client's token
//! flow, and GETs of manifests and blobs with retries.
//!
//! oci-client does the reference normalisation and the auth handshake
//! (`WWW-Authenticate` challenge, bearer token for `repository:NAME:pull`,
//! basic fallback). Manifest and blob GETs use reqwest directly, with the
//! token oci-client obtained, because oci-client's pull methods read
//! manifests whole without a bound and drop the response headers on errors
//! (`Retry-After`, `Content-Range`), which retries and resumable streams need.

use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oci_client::RegistryOperation;
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, RANGE, RETRY_AFTER};
use tokio::sync::Mutex;

use super::auth::{Creds, Found, Secret};
use super::oauth;
use super::retry::{RetryState, parse_retry_after};
use super::session::{Session, chain, is_cert_error, tls_detail};
use crate::source::SourceError;

/// Why a request failed, before it is given the reference to name.
#[derive(Debug)]
pub enum Fail {
    Unauthorized(String),
    Denied(String),
    NotFound(String),
    ManifestUnknown(String),
    Status { status: u16, detail: String },
    Network(String),
    Invalid(String),
}

impl Fail {
    pub fn into_source(self, reference: &str) -> SourceError {
        let reference = reference.to_string();
        match self {
            Fail::Unauthorized(detail) => SourceError::Unauthorized { reference, detail },
            Fail::Denied(detail) => SourceError::Denied { reference, detail },
            Fail::NotFound(detail) => SourceError::NotFound { reference, detail },
            Fail::ManifestUnknown(detail) => SourceError::ManifestUnknown { reference, detail },
            Fail::Status { status, detail } => SourceError::Registry {
                reference,
                status,
                detail,
            },
            Fail::Network(detail) => SourceError::Network { reference, detail },
            Fail::Invalid(reason) => SourceError::Invalid {
                place: reference,
                reason,
            },
        }
    }

    pub(super) fn gave_up(self, why: String) -> Fail {
        let add = |d: String| format!("{d}; {why}");
        match self {
            Fail::Status { status, detail } => Fail::Status {
                status,
                detail: add(detail),
            },
            Fail::Network(d) => Fail::Network(add(d)),
            other => other,
        }
    }
}

/// Access to one repository: credentials and the token they bought.
pub struct Access {
    pub session: Arc<Session>,
    pub repository: String,
    oci_ref: oci_client::Reference,
    found: Found,
    token: Mutex<Option<Option<Secret>>>,
}

enum Authz {
    None,
    Bearer(Secret),
    Basic(String, Secret),
}

impl Access {
    pub fn new(session: Arc<Session>, repository: &str, found: Found) -> Result<Access, Fail> {
        let text = format!("{}/{repository}", session.host);
        let oci_ref = oci_client::Reference::try_from(text.as_str())
            .map_err(|e| Fail::Invalid(format!("{text}: {e}")))?;
        Ok(Access {
            session,
            repository: repository.to_string(),
            oci_ref,
            found,
            token: Mutex::new(None),
        })
    }

    fn oci_auth(&self) -> RegistryAuth {
        match &self.found.creds {
            Creds::Anonymous => RegistryAuth::Anonymous,
            Creds::Basic { username, password } => {
                RegistryAuth::Basic(username.clone(), password.expose().to_string())
            }
            Creds::Bearer(t) => RegistryAuth::Bearer(t.expose().to_string()),
            // Exchanged by `exchange_identity_token`; never sent as is.
            Creds::IdentityToken(_) => RegistryAuth::Anonymous,
        }
    }

    fn creds_note(&self) -> String {
        match self.found.creds {
            Creds::Anonymous => self.found.source.clone(),
            _ => format!("credentials from {} were rejected", self.found.source),
        }
    }

    /// The bearer token for this repository (asked for once, again after a
    /// 401), or basic credentials when the registry has no token service.
    async fn authz(&self, refresh: bool) -> Result<Authz, Fail> {
        let mut slot = self.token.lock().await;
        if (refresh || slot.is_none())
            && let Creds::IdentityToken(refresh_token) = &self.found.creds
        {
            *slot = Some(Some(self.exchange_identity_token(refresh_token).await?));
        } else if refresh || slot.is_none() {
            let token = match self
                .session
                .oci
                .auth(&self.oci_ref, &self.oci_auth(), RegistryOperation::Pull)
                .await
            {
                Ok(t) => t.map(Secret::new),
                Err(OciDistributionError::AuthenticationFailure(body)) => {
                    return Err(Fail::Unauthorized(format!(
                        "the token service refused: {}; {}",
                        short(&body),
                        self.creds_note()
                    )));
                }
                Err(OciDistributionError::RequestError(e)) => {
                    return Err(Fail::Network(format!(
                        "authorising with {}: {}",
                        self.session.host,
                        chain(&e)
                    )));
                }
                Err(e) => {
                    return Err(Fail::Network(format!(
                        "authorising with {}: {e}",
                        self.session.host
                    )));
                }
            };
            *slot = Some(token);
        }
        Ok(
            match (slot.as_ref().and_then(Option::as_ref), &self.found.creds) {
                (Some(t), _) => Authz::Bearer(t.clone()),
                (None, Creds::Basic { username, password }) => {
                    Authz::Basic(username.clone(), password.clone())
                }
                (None, Creds::Bearer(t)) => Authz::Bearer(t.clone()),
                (None, Creds::Anonymous | Creds::IdentityToken(_)) => Authz::None,
            },
        )
    }

    /// Trades the identity token for an access token to this repository:
    /// the realm comes from the registry's own challenge, so the token is
    /// only ever sent where the registry points.
    async fn exchange_identity_token(&self, refresh_token: &Secret) -> Result<Secret, Fail> {
        let host = &self.session.host;
        let net = |what: &str, e: reqwest::Error| {
            Fail::Network(format!("{what} at {host}: {}", chain(&e)))
        };
        let probe = self
            .session
            .http
            .get(format!("{}/v2/", self.session.base))
            .send()
            .await
            .map_err(|e| net("asking for the token service", e))?;
        let challenge = probe
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .and_then(oauth::parse_challenge)
            .ok_or_else(|| {
                Fail::Unauthorized(format!(
                    "{host} has no Bearer token service (status {}), so the identity token from {} cannot be used",
                    probe.status().as_u16(),
                    self.found.source
                ))
            })?;
        let resp = self
            .session
            .http
            .post(&challenge.realm)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(oauth::refresh_form(
                &challenge,
                &self.repository,
                refresh_token.expose(),
            ))
            .send()
            .await
            .map_err(|e| net("exchanging the identity token", e))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| net("reading the token answer", e))?;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(Fail::Network(format!(
                "the token service {} answered {}",
                challenge.realm,
                status.as_u16()
            )));
        }
        match (status.is_success(), oauth::access_token(&body)) {
            (true, Some(token)) => Ok(Secret::new(&token)),
            (true, None) => Err(Fail::Unauthorized(format!(
                "the token service {} answered without an access token",
                challenge.realm
            ))),
            (false, _) => Err(Fail::Unauthorized(format!(
                "the token service refused the identity token ({}: {}); credentials from {} were rejected",
                status.as_u16(),
                short(&String::from_utf8_lossy(&body)),
                self.found.source
            ))),
        }
    }

    /// GET `/v2/REPO/{path}` from byte `offset`, retrying connection
    /// failures, 429 and 5xx; other failures are final.
    pub async fn get(
        &self,
        path: &str,
        accept: Option<&str>,
        offset: u64,
        state: &mut RetryState,
    ) -> Result<reqwest::Response, Fail> {
        let url = format!("{}/v2/{}/{path}", self.session.base, self.repository);
        let mut refreshed = false;
        loop {
            let mut req = self.session.http.get(&url);
            if let Some(a) = accept {
                req = req.header(ACCEPT, a);
            }
            if offset > 0 {
                req = req.header(RANGE, format!("bytes={offset}-"));
            }
            req = match self.authz(refreshed).await {
                Ok(Authz::None) => req,
                Ok(Authz::Bearer(t)) => req.bearer_auth(t.expose()),
                Ok(Authz::Basic(u, p)) => req.basic_auth(u, Some(p.expose())),
                Err(Fail::Network(d)) => {
                    retry_wait(state, Fail::Network(d), None).await?;
                    continue;
                }
                Err(f) => return Err(f),
            };
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if is_cert_error(&e) => {
                    return Err(Fail::Network(tls_detail(&self.session.host, &e)));
                }
                Err(e) => {
                    let fail = Fail::Network(chain(&e));
                    retry_wait(state, fail, None).await?;
                    continue;
                }
            };
            let status = resp.status();
            if status == StatusCode::OK || status == StatusCode::PARTIAL_CONTENT {
                return Ok(resp);
            }
            let retry_after = retry_after(resp.headers());
            let body = small_body(resp).await;
            match status.as_u16() {
                401 if !refreshed => refreshed = true,
                401 => {
                    return Err(Fail::Unauthorized(format!(
                        "{}; {}",
                        body.unwrap_or_else(|| "authentication required".into()),
                        self.creds_note()
                    )));
                }
                403 => {
                    return Err(Fail::Denied(format!(
                        "{}; the credentials ({}) may not pull {}",
                        body.unwrap_or_else(|| "denied".into()),
                        self.found.source,
                        self.repository
                    )));
                }
                404 => return Err(not_found(path, &self.repository, body)),
                429 | 500 | 502 | 503 | 504 => {
                    let detail = body.unwrap_or_else(|| {
                        status.canonical_reason().unwrap_or_default().to_string()
                    });
                    let fail = Fail::Status {
                        status: status.as_u16(),
                        detail,
                    };
                    retry_wait(state, fail, retry_after).await?;
                }
                s => {
                    return Err(Fail::Status {
                        status: s,
                        detail: body.unwrap_or_else(|| {
                            status.canonical_reason().unwrap_or_default().to_string()
                        }),
                    });
                }
            }
        }
    }
}

/// 404 says what is missing: a tag or digest (MANIFEST_UNKNOWN), the
/// repository (NAME_UNKNOWN), or a blob.
fn not_found(path: &str, repository: &str, body: Option<String>) -> Fail {
    let said = body
        .map(|b| format!(" (the registry said {b})"))
        .unwrap_or_default();
    if let Some(target) = path.strip_prefix("manifests/") {
        if said.contains("MANIFEST_UNKNOWN") {
            return Fail::ManifestUnknown(format!(
                "repository {repository} has no manifest {target:?}{said}"
            ));
        }
        if said.contains("NAME_UNKNOWN") {
            return Fail::NotFound(format!("no repository {repository}{said}"));
        }
        return Fail::NotFound(format!("no manifest {target:?} in {repository}{said}"));
    }
    Fail::NotFound(format!("repository {repository} has no such blob{said}"))
}

pub async fn retry_wait(
    state: &mut RetryState,
    fail: Fail,
    retry_after: Option<Duration>,
) -> Result<(), Fail> {
    match state.next_delay(retry_after) {
        Ok(d) => {
            tokio::time::sleep(d).await;
            Ok(())
        }
        Err(why) => Err(fail.gave_up(why)),
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(v, SystemTime::now())
}

fn short(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

/// The registry's error envelope (`{"errors":[{"code","message"}]}`) as
/// `CODE: message`, else the first bytes of the body; bounded.
async fn small_body(mut resp: reqwest::Response) -> Option<String> {
    let mut buf = Vec::new();
    while buf.len() < 16 << 10 {
        match resp.chunk().await {
            Ok(Some(c)) => buf.extend_from_slice(&c),
            _ => break,
        }
    }
    #[derive(serde::Deserialize)]
    struct Envelope {
        errors: Vec<ErrorEntry>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorEntry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(env) = serde_json::from_slice::<Envelope>(&buf)
        && !env.errors.is_empty()
    {
        let parts: Vec<String> = env
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.code, e.message))
            .collect();
        return Some(parts.join("; "));
    }
    let text = String::from_utf8_lossy(&buf);
    let text = text.trim();
    (!text.is_empty()).then(|| short(text))
}

/// Reads a small body (manifest, config) whole, failing past `limit`.
pub async fn read_bounded(resp: &mut reqwest::Response, limit: u64) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge);
    }
    let mut buf = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                buf.extend_from_slice(&c);
                if buf.len() as u64 > limit {
                    return Err(BodyError::TooLarge);
                }
            }
            Ok(None) => return Ok(buf),
            Err(e) => return Err(BodyError::Io(io::Error::other(chain(&e)))),
        }
    }
}

#[derive(Debug)]
pub enum BodyError {
    TooLarge,
    Io(io::Error),
}
