//! Running the binary and reading its JSON, validated against the schema
//! on every call so that no output shape escapes the documented one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the fixtures once per test run (the script is idempotent and
/// returns at once when its outputs are current).
pub fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::var_os("FIPSCAN_FIXTURES")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo().join("target").join("fixtures"));
        let status = Command::new("bash")
            .arg(repo().join("fixtures/build.sh"))
            .env("FIPSCAN_FIXTURES", &dir)
            .status()
            .expect("run fixtures/build.sh");
        assert!(status.success(), "fixtures/build.sh failed");
        dir
    })
}

pub fn oci(name: &str) -> String {
    format!("oci:{}", fixtures().join("oci").join(name).display())
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn fipscan(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_fipscan"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run fipscan");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "fipscan panicked: {}",
        run.stderr
    );
    run
}

fn schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(repo().join("schema/report.schema.json")).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::validator_for(&schema).expect("schema compiles")
    })
}

/// Scans with `--format json`, checks the output against the schema and
/// returns the exit code and the document.
pub fn scan_json(reference: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["scan", "--format", "json", reference];
    args.extend_from_slice(extra);
    let run = fipscan(&args);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            run.stdout, run.stderr
        )
    });
    let errors: Vec<String> = schema()
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "output does not match schema/report.schema.json: {errors:#?}"
    );
    (run.code, doc)
}

pub fn image(doc: &Value) -> &Value {
    let images = doc["images"].as_array().expect("images");
    assert_eq!(images.len(), 1, "expected one image");
    &images[0]
}

/// (path, status, code, entrypoint) of every component that counts.
pub fn programs(img: &Value) -> Vec<(String, String, String, bool)> {
    img["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["counts"] == true)
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["code"].as_str().unwrap().to_string(),
                c["entrypoint"].as_bool().unwrap(),
            )
        })
        .collect()
}

pub fn p(path: &str, status: &str, code: &str, entrypoint: bool) -> (String, String, String, bool) {
    (path.into(), status.into(), code.into(), entrypoint)
}

pub fn verdict(img: &Value) -> (&str, u64) {
    (
        img["verdict"].as_str().unwrap(),
        img["score"].as_u64().unwrap(),
    )
}

/// Codes of findings, with their paths, sorted.
pub fn findings(img: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = img["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

pub fn component<'a>(img: &'a Value, path: &str) -> &'a Value {
    img["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == path)
        .unwrap_or_else(|| panic!("no component {path}"))
}

/// The `detail` of every evidence entry of a component, in order.
pub fn evidence_details(c: &Value) -> Vec<&str> {
    c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect()
}

/// The `detail` of a component's evidence entries of one kind.
pub fn evidence_of(c: &Value, kind: &str) -> Vec<String> {
    c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .map(|e| e["detail"].as_str().unwrap().to_string())
        .collect()
}

/// The version of `package` in a fixtures list of `NAME VERSION …` lines
/// (`work/debs.txt`, `work/native/versions.txt`): Debian's security updates
/// change it, so tests read it instead of hard-coding it.
pub fn listed_version(list: &str, package: &str) -> String {
    let text =
        std::fs::read_to_string(fixtures().join(list)).unwrap_or_else(|e| panic!("{list}: {e}"));
    text.lines()
        .find_map(|l| {
            let mut f = l.split_whitespace();
            (f.next() == Some(package)).then(|| f.next().unwrap_or_default().to_string())
        })
        .unwrap_or_else(|| panic!("{package} not in {list}"))
}

/// `pkg:deb/debian/NAME@VERSION?arch=amd64&distro=debian-12`.
pub fn debian_purl(package: &str, version: &str) -> String {
    format!(
        "pkg:deb/debian/{package}@{}?arch=amd64&distro=debian-12",
        version.replace('+', "%2B")
    )
}

/// The version of a Debian base package the fixtures downloaded.
pub fn debian_base_version(package: &str) -> String {
    listed_version("work/debs.txt", package)
}

pub fn debian_base_purl(package: &str) -> String {
    debian_purl(package, &debian_base_version(package))
}

/// OpenSSL's upstream version in the Debian base (`3.0.22` of `3.0.22-1~deb12u2`).
pub fn debian_openssl_upstream() -> String {
    let v = debian_base_version("libssl3");
    v.split('-').next().unwrap_or(&v).to_string()
}

/// `s` as a regex matching itself (insta filters take regexes).
pub fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if "\\.+*?()|[]{}^$".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The fixture folder as a regex, for insta filters.
pub fn fixtures_regex() -> String {
    regex_escape(&fixtures().display().to_string())
}

/// (kind, detail, path) of every evidence entry of a component.
pub fn evidence(c: &Value) -> Vec<(String, String, String)> {
    c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap().to_string(),
                e["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// One expected entry of [`evidence`].
pub fn ev(kind: &str, detail: &str, path: &str) -> (String, String, String) {
    (kind.into(), detail.into(), path.into())
}
