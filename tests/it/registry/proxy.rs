//! A small HTTP/1.1 proxy in front of the test registry that logs every
//! request and injects faults: a blob body cut in the middle, 503, 429 with
//! Retry-After, 403. One request per connection (`Connection: close`), so
//! each fault hits exactly the request it is meant for. Listens on
//! 127.0.0.1 only; Drop stops the accept loop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Bodies at least this long can be cut (layers; not configs).
const CUT_MIN: u64 = 100_000;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Faults {
    /// Pass everything through (to count requests).
    None,
    /// 503 on the first manifest GET, 429 (Retry-After: 1) on the first
    /// blob GET, and the first large blob body cut in the middle.
    Once,
    /// Every large blob body cut in the middle, resumed ranges too.
    CutAlways,
    /// This status for every manifest GET.
    ManifestStatus(u16),
    /// A token service in front of the registry, as Docker Hub or GHCR
    /// have: `/v2/…` wants `Authorization: Bearer`, and `/token` hands one
    /// out for `repository:NAME:pull` to a client with these basic
    /// credentials (`Basic …` header value).
    Bearer(&'static str),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    pub range: Option<String>,
    /// `ok`, `cut`, or the status injected.
    pub answer: String,
    pub at: Instant,
}

struct State {
    faults: Faults,
    upstream: u16,
    log: Mutex<Vec<Entry>>,
    manifest_fault_used: AtomicBool,
    blob_fault_used: AtomicBool,
    cut_used: AtomicBool,
}

pub struct Proxy {
    pub port: u16,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    pub fn start(upstream: u16, faults: Faults) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let state = Arc::new(State {
            faults,
            upstream,
            log: Mutex::new(Vec::new()),
            manifest_fault_used: AtomicBool::new(false),
            blob_fault_used: AtomicBool::new(false),
            cut_used: AtomicBool::new(false),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (Arc::clone(&state), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let state = Arc::clone(&state);
                            std::thread::spawn(move || {
                                let _ = handle(client, &state);
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Proxy {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> Vec<Entry> {
        self.state.log.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_head(r: &mut impl BufRead) -> std::io::Result<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(lines);
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            return Ok(lines);
        }
        lines.push(line);
    }
}

fn header<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines.iter().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn status_response(status: u16, extra: &str) -> String {
    let reason = match status {
        401 => "Unauthorized",
        403 => "Forbidden",
        429 => "Too Many Requests",
        _ => "Service Unavailable",
    };
    let body = match status {
        401 => r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
        403 => {
            r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#
        }
        429 => r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#,
        _ => "",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    )
}

/// The token service and the checks in front of the registry.
fn bearer(path: &str, head: &[String], basic: &str, port: u16) -> Option<String> {
    if let Some(query) = path.strip_prefix("/token?") {
        if header(head, "Authorization") != Some(basic) {
            return Some(status_response(401, ""));
        }
        let scope = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("scope="))
            .unwrap_or_default()
            .replace("%3A", ":")
            .replace("%2F", "/");
        let body = format!(r#"{{"token":"tok-{scope}"}}"#);
        return Some(format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ));
    }
    // /v2/NAME/(manifests|blobs)/…: the token must be for NAME.
    let name = path
        .strip_prefix("/v2/")
        .and_then(|p| {
            p.split_once("/manifests/")
                .or_else(|| p.split_once("/blobs/"))
        })
        .map(|(n, _)| n.to_string());
    let wanted = name
        .as_ref()
        .map(|n| format!("Bearer tok-repository:{n}:pull"));
    if wanted.is_some() && header(head, "Authorization") == wanted.as_deref() {
        return None;
    }
    let scope = name
        .map(|n| format!(",scope=\"repository:{n}:pull\""))
        .unwrap_or_default();
    Some(status_response(
        401,
        &format!(
            "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"fipscan-test\"{scope}\r\n"
        ),
    ))
}

fn handle(client: TcpStream, state: &State) -> std::io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    // A TLS ClientHello (fipscan tries HTTPS first on localhost): hang up.
    let mut first = [0u8; 1];
    if client.peek(&mut first)? == 0 || !first[0].is_ascii_uppercase() {
        return client.shutdown(Shutdown::Both);
    }
    let mut reader = BufReader::new(client.try_clone()?);
    let head = read_head(&mut reader)?;
    let Some(request_line) = head.first() else {
        return Ok(());
    };
    let path = request_line
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let range = header(&head, "Range").map(str::to_string);
    let is_manifest = path.contains("/manifests/");
    let is_blob = path.contains("/blobs/");
    let log = |answer: &str| {
        state.log.lock().unwrap().push(Entry {
            path: path.clone(),
            range: range.clone(),
            answer: answer.to_string(),
            at: Instant::now(),
        })
    };
    let mut client = client;
    if let Faults::Bearer(basic) = state.faults {
        let port = client.local_addr()?.port();
        if let Some(answer) = bearer(&path, &head, basic, port) {
            log(if answer.starts_with("HTTP/1.1 200") {
                "token"
            } else {
                "401"
            });
            client.write_all(answer.as_bytes())?;
            return client.shutdown(Shutdown::Both);
        }
    }
    let injected = match state.faults {
        Faults::Once if is_manifest && !state.manifest_fault_used.swap(true, Ordering::SeqCst) => {
            Some((503, ""))
        }
        Faults::Once if is_blob && !state.blob_fault_used.swap(true, Ordering::SeqCst) => {
            Some((429, "Retry-After: 1\r\n"))
        }
        Faults::ManifestStatus(s) if is_manifest => Some((s, "")),
        _ => None,
    };
    if let Some((status, extra)) = injected {
        log(&status.to_string());
        client.write_all(status_response(status, extra).as_bytes())?;
        return client.shutdown(Shutdown::Both);
    }
    // Forward with one request per connection.
    let mut up = TcpStream::connect(("127.0.0.1", state.upstream))?;
    let mut req = String::new();
    for (i, l) in head.iter().enumerate() {
        if i > 0 && l.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        req.push_str(l);
        req.push_str("\r\n");
    }
    req.push_str("Connection: close\r\n\r\n");
    up.write_all(req.as_bytes())?;
    let mut up = BufReader::new(up);
    let resp_head = read_head(&mut up)?;
    let length: Option<u64> = header(&resp_head, "Content-Length").and_then(|v| v.parse().ok());
    let mut out = String::new();
    for l in &resp_head {
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    client.write_all(out.as_bytes())?;
    let large = length.is_some_and(|n| n >= CUT_MIN);
    let cut = is_blob
        && length.is_some_and(|n| n > 1)
        && match state.faults {
            // A layer, and then every range that resumes it.
            Faults::CutAlways => large || range.is_some(),
            Faults::Once => large && !state.cut_used.swap(true, Ordering::SeqCst),
            _ => false,
        };
    if cut {
        let half = length.unwrap_or(0) / 2;
        std::io::copy(&mut (&mut up).take(half), &mut client)?;
        log("cut");
        client.flush()?;
        return client.shutdown(Shutdown::Both);
    }
    log("ok");
    std::io::copy(&mut up, &mut client)?;
    client.shutdown(Shutdown::Write)
}
