//! Docker credential helpers: `docker-credential-NAME get` reads the server
//! URL on stdin and answers `{"ServerURL","Username","Secret"}` on stdout.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::auth::{Creds, Found, HUB_KEYS, Secret};

/// What a credential helper is asked for: Docker Hub keeps its legacy URL.
fn helper_server_url(registry: &str) -> String {
    if HUB_KEYS.contains(&registry) {
        "https://index.docker.io/v1/".into()
    } else {
        registry.to_string()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperReply {
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
}

const HELPER_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `docker-credential-NAME get` with the server URL on stdin, as the
/// Docker credential-helper protocol says. "Not found" is not an error.
pub(super) fn run_helper(name: &str, registry: &str) -> Result<Option<Found>, String> {
    let program = format!("docker-credential-{name}");
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        return Err(format!(
            "credential helper name {name:?} is not a plain name"
        ));
    }
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading gives EPIPE: its status decides.
        let _ = stdin.write_all(helper_server_url(registry).as_bytes());
    }
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.take(1 << 20).read_to_end(&mut out);
        }
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > HELPER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} did not answer within {HELPER_TIMEOUT:?}"
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        // The protocol's "not found" answer is this message on stdout.
        if String::from_utf8_lossy(&out).contains("credentials not found") {
            return Ok(None);
        }
        return Err(format!("{program} get failed ({status})"));
    }
    let reply: HelperReply = serde_json::from_slice(&out)
        .map_err(|_| format!("{program} get did not answer with credentials JSON"))?;
    if reply.username == "<token>" {
        return Err(format!(
            "{program} returned an identity token (OAuth2 refresh token), which fipscan cannot use; pass --username and --password-stdin"
        ));
    }
    Ok(Some(Found {
        creds: Creds::Basic {
            username: reply.username,
            password: Secret::new(reply.secret),
        },
        source: program,
    }))
}
