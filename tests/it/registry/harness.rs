//! A real registry server for the tests: Debian's `docker-registry`
//! (distribution 2.8) on 127.0.0.1 at a free port with its storage in a
//! temp dir, plain HTTP or TLS (a CA made here with openssl) with htpasswd
//! basic auth. Fixture images are pushed with skopeo. Each test starts its
//! own server; Drop stops it by PID.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::fixtures;

pub const USER: &str = "fipscan-user";
pub const PASSWORD: &str = "s3cret-Pa55word";

#[derive(Default, Clone, Copy)]
pub struct Config {
    /// TLS with a CA generated for this server, plus htpasswd basic auth.
    pub tls_basic: bool,
    /// Accept schema 1 manifests (off by default in distribution 2.8).
    pub schema1: bool,
    /// Plain HTTP with token auth: a token service (token_server.py) on
    /// another port signs the JWTs the registry checks.
    pub token: bool,
}

pub const REFRESH_TOKEN: &str = "identity-refresh-token-7f3a";

/// The token service in front of a `Config { token: true }` registry.
struct TokenServer {
    child: Child,
    port: u16,
}

pub struct Registry {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
    pub tls_basic: bool,
    token: Option<TokenServer>,
}

fn wait_for_port(child: &mut Child, port: u16) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn start_token_server(dir: &Path) -> TokenServer {
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-nodes",
            "-days",
            "2",
            "-newkey",
            "rsa:2048",
            "-subj",
            "/CN=fipscan test token issuer",
            "-keyout",
            "token.key",
            "-out",
            "token.crt",
        ])
        .current_dir(dir));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/registry/token_server.py");
    for _ in 0..5 {
        let port = free_port();
        let mut child = Command::new("python3")
            .arg(&script)
            .args([
                port.to_string(),
                dir.join("token.key").display().to_string(),
                dir.join("token.crt").display().to_string(),
                USER.to_string(),
                PASSWORD.to_string(),
                REFRESH_TOKEN.to_string(),
                dir.join("token.log").display().to_string(),
                "fipscan-test-registry".to_string(),
                "fipscan-test-issuer".to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("token-server.err")).unwrap())
            .spawn()
            .expect("python3 token_server.py");
        if wait_for_port(&mut child, port) {
            return TokenServer { child, port };
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!(
        "token server did not start: {}",
        fs::read_to_string(dir.join("token-server.err")).unwrap_or_default()
    );
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A CA and a server certificate for 127.0.0.1 / localhost.
fn make_certs(dir: &Path) {
    let ossl = |args: &[&str]| run(Command::new("openssl").args(args).current_dir(dir));
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    ossl(
        &[
            &[
                "req",
                "-x509",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=fipscan test CA",
            ][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.crt"],
        ]
        .concat(),
    );
    ossl(
        &[
            &["req", "-nodes", "-subj", "/CN=127.0.0.1"][..],
            &ec,
            &["-keyout", "server.key", "-out", "server.csr"],
        ]
        .concat(),
    );
    fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    ossl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.crt",
    ]);
    // skopeo reads CA roots from a directory of *.crt files.
    fs::create_dir_all(dir.join("certs.d")).unwrap();
    fs::copy(dir.join("ca.crt"), dir.join("certs.d").join("ca.crt")).unwrap();
}

impl Registry {
    pub fn start(config: Config) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let mut extra = String::new();
        if config.tls_basic {
            make_certs(dir.path());
            let out = run(Command::new("htpasswd").args(["-Bbn", USER, PASSWORD]));
            fs::write(dir.path().join("htpasswd"), &out.stdout).unwrap();
            extra.push_str(&format!(
                "  tls:\n    certificate: {d}/server.crt\n    key: {d}/server.key\nauth:\n  htpasswd:\n    realm: fipscan-test\n    path: {d}/htpasswd\n",
                d = dir.path().display()
            ));
        }
        let token = config.token.then(|| start_token_server(dir.path()));
        if let Some(t) = &token {
            extra.push_str(&format!(
                "auth:\n  token:\n    realm: http://127.0.0.1:{}/token\n    service: fipscan-test-registry\n    issuer: fipscan-test-issuer\n    rootcertbundle: {}/token.crt\n",
                t.port,
                dir.path().display()
            ));
        }
        if config.schema1 {
            extra.push_str("compatibility:\n  schema1:\n    enabled: true\n");
        }
        // The port can be taken between probing and binding: try again.
        for _ in 0..5 {
            let port = free_port();
            let yml = format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {d}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{extra}",
                d = dir.path().display()
            );
            let cfg = dir.path().join("config.yml");
            fs::write(&cfg, yml).unwrap();
            let log = fs::File::create(dir.path().join("registry.log")).unwrap();
            let mut child = Command::new("docker-registry")
                .arg("serve")
                .arg(&cfg)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("docker-registry (apt-get install docker-registry; scripts/test.sh does)");
            if wait_for_port(&mut child, port) {
                return Registry {
                    child,
                    port,
                    dir,
                    tls_basic: config.tls_basic,
                    token,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "docker-registry did not start: {}",
            fs::read_to_string(dir.path().join("registry.log")).unwrap_or_default()
        );
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn reference(&self, repo_tag: &str) -> String {
        format!("{}/{repo_tag}", self.host())
    }

    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// `skopeo copy --all oci:FIXTURE:latest docker://HOST/REPO:TAG`, with
    /// an optional manifest `--format` (v2s2 converts to Docker types).
    pub fn push_as(&self, fixture: &str, repo_tag: &str, format: Option<&str>) {
        let src = format!(
            "oci:{}:latest",
            fixtures().join("oci").join(fixture).display()
        );
        let mut cmd = Command::new("skopeo");
        cmd.args(["copy", "--quiet", "--all"]);
        match format {
            Some(f) => cmd.args(["--format", f]),
            // As is: no recompression of uncompressed layers.
            None => cmd.arg("--preserve-digests"),
        };
        if self.tls_basic {
            cmd.arg(format!(
                "--dest-cert-dir={}",
                self.dir.path().join("certs.d").display()
            ))
            .arg(format!("--dest-creds={USER}:{PASSWORD}"));
        } else if self.token.is_some() {
            cmd.arg("--dest-tls-verify=false")
                .arg(format!("--dest-creds={USER}:{PASSWORD}"));
        } else {
            cmd.arg("--dest-tls-verify=false");
        }
        // skopeo must not read the tester's own registry logins.
        cmd.env(
            "REGISTRY_AUTH_FILE",
            self.dir.path().join("skopeo-auth.json"),
        );
        cmd.arg(src)
            .arg(format!("docker://{}", self.reference(repo_tag)));
        run(&mut cmd);
    }

    pub fn push(&self, fixture: &str, repo_tag: &str) {
        self.push_as(fixture, repo_tag, None);
    }

    /// Where the registry keeps a blob's bytes.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

impl Registry {
    /// What the token service was asked, one line per request.
    pub fn token_log(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("token.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(t) = &mut self.token {
            let _ = t.child.kill();
            let _ = t.child.wait();
        }
    }
}

/// Runs fipscan with a clean credential environment (no login of the
/// machine's user can leak in), extra env vars and optional stdin.
pub struct Scan {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("docker")).unwrap();
        fs::create_dir_all(dir.path().join("run")).unwrap();
        Home { dir }
    }
    pub fn docker_config(&self) -> PathBuf {
        self.dir.path().join("docker")
    }
    pub fn bin(&self) -> PathBuf {
        let b = self.dir.path().join("bin");
        fs::create_dir_all(&b).unwrap();
        b
    }

    pub fn fipscan(&self, args: &[&str], env: &[(&str, String)], stdin: Option<&str>) -> Scan {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fipscan"));
        cmd.args(args)
            .env("NO_COLOR", "1")
            .env("HOME", self.dir.path())
            .env("DOCKER_CONFIG", self.docker_config())
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env_remove("REGISTRY_AUTH_FILE")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("run fipscan");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        let mut stdout = String::new();
        let mut stderr = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let code = child.wait().unwrap().code().unwrap_or(-1);
        assert!(!stderr.contains("panicked"), "fipscan panicked: {stderr}");
        Scan {
            code,
            stdout,
            stderr,
        }
    }

    /// `--format json`; the document must parse.
    pub fn json(
        &self,
        args: &[&str],
        env: &[(&str, String)],
        stdin: Option<&str>,
    ) -> (Scan, Value) {
        let mut all = vec!["scan", "--format", "json"];
        all.extend_from_slice(args);
        let run = self.fipscan(&all, env, stdin);
        let doc = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): stdout={} stderr={}",
                run.stdout, run.stderr
            )
        });
        (run, doc)
    }
}

/// What must not depend on where the image came from. Digests are left
/// out when the image was converted on push (`--format v2s2`).
pub fn essence(img: &Value) -> Value {
    let mut e = essence_without_digests(img);
    e["manifest_digest"] = img["manifest_digest"].clone();
    e["config_digest"] = img["config_digest"].clone();
    e
}

pub fn essence_without_digests(img: &Value) -> Value {
    let comps: Vec<Value> = img["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            serde_json::json!({
                "path": c["path"], "status": c["status"], "code": c["code"],
                "module": c["module"], "entrypoint": c["entrypoint"], "counts": c["counts"],
            })
        })
        .collect();
    serde_json::json!({
        "verdict": img["verdict"], "score": img["score"], "reasons": img["reasons"],
        "components": comps, "platform": img["platform"],
    })
}

/// The same image scanned from its OCI layout.
pub fn oci_essence(fixture: &str, extra: &[&str]) -> Value {
    let (_, doc) = crate::common::scan_json(&crate::common::oci(fixture), extra);
    essence(crate::common::image(&doc))
}
