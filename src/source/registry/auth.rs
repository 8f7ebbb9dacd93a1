//! Where registry credentials come from, in this order: the command line
//! (`--username` + `--password-stdin`); the file `REGISTRY_AUTH_FILE` names;
//! the Docker config (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`: `credHelpers`, inline `auths`, `credsStore`);
//! podman's `$XDG_RUNTIME_DIR/containers/auth.json` and
//! `$XDG_CONFIG_HOME/containers/auth.json`; else anonymous.
//!
//! Secrets live in `Secret`, whose `Debug` prints `***` and which has no
//! `Display`, so no error, log line or report can carry one by accident.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::helper::run_helper;

/// A password or token. Only `expose` reveals it, at the point of use.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone)]
pub enum Creds {
    Anonymous,
    Basic {
        username: String,
        password: Secret,
    },
    /// A registry token used as is (`registrytoken` in a Docker config).
    Bearer(Secret),
    /// An OAuth2 refresh token (`identitytoken` in a Docker config, as
    /// `az acr login` and `docker login` to ACR leave it), exchanged at the
    /// registry's token service for an access token per repository.
    IdentityToken(Secret),
}

/// Credentials and where they were found, for error messages.
#[derive(Debug, Clone)]
pub struct Found {
    pub creds: Creds,
    /// `--username`, `/root/.docker/config.json`, `docker-credential-pass`…
    /// or, when anonymous, the places that were searched.
    pub source: String,
}

/// The environment lookups read; a struct so tests need not touch the
/// process environment.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub docker_config: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub registry_auth_file: Option<PathBuf>,
    pub xdg_runtime_dir: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Env {
            docker_config: var("DOCKER_CONFIG"),
            home: var("HOME"),
            registry_auth_file: var("REGISTRY_AUTH_FILE"),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
        }
    }

    fn docker_config_file(&self) -> Option<PathBuf> {
        match (&self.docker_config, &self.home) {
            (Some(dir), _) => Some(dir.join("config.json")),
            (None, Some(home)) => Some(home.join(".docker").join("config.json")),
            (None, None) => None,
        }
    }

    fn podman_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(dir) = &self.xdg_runtime_dir {
            out.push(dir.join("containers").join("auth.json"));
        }
        match (&self.xdg_config_home, &self.home) {
            (Some(dir), _) => out.push(dir.join("containers").join("auth.json")),
            (None, Some(home)) => {
                out.push(home.join(".config").join("containers").join("auth.json"))
            }
            (None, None) => {}
        }
        out
    }
}

/// The parts of Docker's config.json and podman's auth.json that hold
/// credentials (the two formats share them).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
    #[serde(default)]
    registrytoken: Option<String>,
}

impl fmt::Debug for AuthEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthEntry(***)")
    }
}

pub(super) const HUB_KEYS: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// Docker's `convertToHostname`: a key may be a URL; only its host counts.
fn key_host(key: &str) -> &str {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

fn same_registry(key_host: &str, registry: &str) -> bool {
    key_host == registry || (HUB_KEYS.contains(&registry) && HUB_KEYS.contains(&key_host))
}

/// Looks up credentials for `registry` (as written in the reference, e.g.
/// `docker.io`, `127.0.0.1:5000`) and `repository`.
pub fn lookup(
    registry: &str,
    repository: &str,
    flags: Option<(&str, &Secret)>,
    env: &Env,
) -> Result<Found, String> {
    if let Some((username, password)) = flags {
        return Ok(Found {
            creds: Creds::Basic {
                username: username.to_string(),
                password: password.clone(),
            },
            source: "--username/--password-stdin".into(),
        });
    }
    let mut searched = Vec::new();
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    if let Some(f) = &env.registry_auth_file {
        files.push((f.clone(), true));
    }
    if let Some(f) = env.docker_config_file() {
        files.push((f, false));
    }
    files.extend(env.podman_files().into_iter().map(|f| (f, true)));
    for (file, podman) in files {
        searched.push(file.display().to_string());
        let Some(parsed) = read_auth_file(&file)? else {
            continue;
        };
        if let Some(found) = from_file(&parsed, &file, registry, repository, podman)? {
            return Ok(found);
        }
    }
    Ok(Found {
        creds: Creds::Anonymous,
        source: format!(
            "no credentials for {registry} (looked at --username, {})",
            searched.join(", ")
        ),
    })
}

fn read_auth_file(file: &Path) -> Result<Option<AuthFile>, String> {
    let text = match std::fs::read(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    // The error names line and column only: serde_json never echoes values.
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| format!("{} is not valid JSON: {e}", file.display()))
}

fn from_file(
    parsed: &AuthFile,
    file: &Path,
    registry: &str,
    repository: &str,
    podman: bool,
) -> Result<Option<Found>, String> {
    if let Some((_, helper)) = parsed
        .cred_helpers
        .iter()
        .find(|(k, _)| same_registry(key_host(k), registry))
    {
        return run_helper(helper, registry);
    }
    // podman keys may name a namespace or a repository: most specific first.
    let mut wanted: Vec<String> = Vec::new();
    if podman {
        let parts: Vec<&str> = repository.split('/').collect();
        for n in (1..=parts.len()).rev() {
            wanted.push(format!(
                "{registry}/{}",
                parts.get(..n).unwrap_or(&[]).join("/")
            ));
        }
    }
    // A podman key with a path (`reg.io/team`) is for that namespace only,
    // while a URL key (`https://reg.io/v1/`) names the whole registry.
    let host_level = |k: &str| !podman || !k.contains('/') || k.contains("://");
    let entry = wanted
        .iter()
        .find_map(|w| parsed.auths.get(w.as_str()))
        .or_else(|| {
            parsed
                .auths
                .iter()
                .find(|(k, _)| host_level(k) && same_registry(key_host(k), registry))
                .map(|(_, e)| e)
        });
    if let Some(entry) = entry
        && let Some(creds) = entry_creds(entry, file)?
    {
        return Ok(Some(Found {
            creds,
            source: file.display().to_string(),
        }));
    }
    match &parsed.creds_store {
        Some(store) if !store.is_empty() => run_helper(store, registry),
        _ => Ok(None),
    }
}

fn entry_creds(entry: &AuthEntry, file: &Path) -> Result<Option<Creds>, String> {
    if let Some(token) = entry.registrytoken.as_deref().filter(|t| !t.is_empty()) {
        return Ok(Some(Creds::Bearer(Secret::new(token))));
    }
    // The user/password next to an identity token are placeholders
    // (ACR writes 00000000-0000-0000-0000-000000000000 and nothing).
    if let Some(token) = entry.identitytoken.as_deref().filter(|t| !t.is_empty()) {
        return Ok(Some(Creds::IdentityToken(Secret::new(token))));
    }
    let (username, password) = match (&entry.username, &entry.password, &entry.auth) {
        (Some(u), Some(p), _) if !u.is_empty() => (u.clone(), p.clone()),
        (_, _, Some(auth)) if !auth.is_empty() => {
            let decoded = base64_decode(auth.trim()).ok_or_else(|| {
                format!("{}: an \"auth\" entry is not valid base64", file.display())
            })?;
            let text = String::from_utf8(decoded)
                .map_err(|_| format!("{}: an \"auth\" entry is not UTF-8", file.display()))?;
            let (u, p) = text.split_once(':').ok_or_else(|| {
                format!("{}: an \"auth\" entry is not USER:PASSWORD", file.display())
            })?;
            (u.to_string(), p.to_string())
        }
        _ => return Ok(None),
    };
    Ok(Some(Creds::Basic {
        username,
        password: Secret::new(password),
    }))
}

/// Standard base64 (padding optional), as Docker writes `auth` entries.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in text.bytes().filter(|&b| b != b'=') {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(dir: &Path, config: &str) -> Env {
        std::fs::write(dir.join("config.json"), config).unwrap();
        Env {
            docker_config: Some(dir.to_path_buf()),
            ..Env::default()
        }
    }

    fn basic(found: &Found) -> (String, String) {
        match &found.creds {
            Creds::Basic { username, password } => {
                (username.clone(), password.expose().to_string())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn secrets_never_debug_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "***");
        let c = Creds::Basic {
            username: "u".into(),
            password: s,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        let e: AuthEntry = serde_json::from_str(r#"{"auth":"dTpodW50ZXIy"}"#).unwrap();
        assert!(!format!("{e:?}").contains("dTpo"));
    }

    #[test]
    fn docker_config_auths_by_host_and_hub_aliases() {
        let dir = tempfile::tempdir().unwrap();
        // "u:hunter2" and "hub:pw"
        let env = env_with(
            dir.path(),
            r#"{"auths":{"127.0.0.1:5000":{"auth":"dTpodW50ZXIy"},
                         "https://index.docker.io/v1/":{"auth":"aHViOnB3"}}}"#,
        );
        let found = lookup("127.0.0.1:5000", "x/y", None, &env).unwrap();
        assert_eq!(basic(&found), ("u".into(), "hunter2".into()));
        assert!(found.source.ends_with("config.json"));
        let hub = lookup("docker.io", "library/alpine", None, &env).unwrap();
        assert_eq!(basic(&hub), ("hub".into(), "pw".into()));
        let none = lookup("ghcr.io", "a/b", None, &env).unwrap();
        assert!(matches!(none.creds, Creds::Anonymous));
        assert!(none.source.contains("no credentials for ghcr.io"));
    }

    #[test]
    fn flags_win_and_podman_keys_match_most_specific_first() {
        let dir = tempfile::tempdir().unwrap();
        let auth = dir.path().join("auth.json");
        std::fs::write(
            &auth,
            r#"{"auths":{"reg.io":{"auth":"YTph"},"reg.io/team":{"auth":"Yjpi"}}}"#,
        )
        .unwrap();
        let env = Env {
            registry_auth_file: Some(auth),
            ..Env::default()
        };
        let team = lookup("reg.io", "team/app", None, &env).unwrap();
        assert_eq!(basic(&team), ("b".into(), "b".into()));
        let other = lookup("reg.io", "other/app", None, &env).unwrap();
        assert_eq!(basic(&other), ("a".into(), "a".into()));
        let pw = Secret::new("flag");
        let flags = lookup("reg.io", "team/app", Some(("me", &pw)), &env).unwrap();
        assert_eq!(basic(&flags), ("me".into(), "flag".into()));
    }

    #[test]
    fn broken_files_are_clear_errors_and_identity_tokens_are_kept_secret() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with(dir.path(), "{not json");
        let e = lookup("r.io", "a", None, &env).unwrap_err();
        assert!(e.contains("is not valid JSON"), "{e}");
        let env = env_with(
            dir.path(),
            r#"{"auths":{"r.io":{"auth":"MDAwOg==","identitytoken":"refresh-secret"}}}"#,
        );
        let found = lookup("r.io", "a", None, &env).unwrap();
        assert!(matches!(&found.creds, Creds::IdentityToken(t) if t.expose() == "refresh-secret"));
        assert!(!format!("{found:?}").contains("refresh-secret"));
        let env = env_with(dir.path(), r#"{"credHelpers":{"r.io":"../evil"}}"#);
        assert!(lookup("r.io", "a", None, &env).is_err());
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("dTpodW50ZXIy").unwrap(), b"u:hunter2");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("a*b").is_none());
    }
}
