//! What a Go binary says about its crypto: build settings from the build
//! info, and which crypto packages its function table (pclntab) holds. The
//! function table survives `-s -w` and `strip`, so stripped binaries are
//! judged on the same evidence. Classification against the image (Env,
//! OpenSSL present) happens in `judge::go`.

use std::collections::BTreeMap;

use goblin::elf::Elf;
use serde::Serialize;

use super::go;
use crate::finding::{Code, Finding};
use crate::signatures::{self as sig, Signatures};

#[derive(Debug, Clone, Default, Serialize)]
pub struct GoFacts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_path: Option<String>,
    pub settings: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deps: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funcs: Option<FuncSummary>,
}

/// Crypto evidence from the function table; each field keeps one real
/// function name as evidence.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FuncSummary {
    pub count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crypto: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fips_module: Option<String>,
    /// Snapshot version decoded from the package path (`v1.0.0-c2097c7c`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fips_snapshot: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fips_snapshot_func: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boring_cfunc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boring_sig: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openssl_backend: Option<String>,
}

impl GoFacts {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }
    pub fn crypto_linked(&self) -> bool {
        self.funcs.as_ref().is_some_and(|f| f.crypto.is_some())
    }
}

/// Reads the snapshot version from a name after the fips140 prefix. The
/// linker escapes dots only in a symbol's last path element, so the
/// version is `v1%2e0%2e0-c2097c7c.CAST` or `v1.0.0-c2097c7c/sha256.New`:
/// it ends at `/`, or at a `.` that does not start another number.
fn snapshot_version(rest: &str) -> Option<String> {
    let decoded = rest.replace("%2e", ".");
    let bytes = decoded.as_bytes();
    let mut end = 0;
    while let Some(&b) = bytes.get(end) {
        let next_is_digit = bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if b == b'/' || (b == b'.' && !next_is_digit) {
            break;
        }
        if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
            return None;
        }
        end += 1;
    }
    let v = decoded.get(..end)?;
    (v.len() > 1 && v.starts_with('v') && v.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
        .then(|| v.to_string())
}

fn summarise<'a>(
    names: impl Iterator<Item = &'a str>,
    count: usize,
    sigs: &Signatures,
) -> FuncSummary {
    let mut s = FuncSummary {
        count,
        ..Default::default()
    };
    let snapshot_prefix = sigs.pattern(sig::GO_FUNC_FIPS_SNAPSHOT);
    for name in names {
        if s.crypto.is_none()
            && (sigs.matches(sig::GO_FUNC_CRYPTO, name) || sigs.matches(sig::GO_FUNC_XCRYPTO, name))
        {
            s.crypto = Some(name.to_string());
        }
        if s.fips_module.is_none() && sigs.matches(sig::GO_FUNC_FIPS_MODULE, name) {
            s.fips_module = Some(name.to_string());
        }
        if s.fips_snapshot.is_none()
            && sigs.matches(sig::GO_FUNC_FIPS_SNAPSHOT, name)
            && let Some(v) = name
                .get(snapshot_prefix.len().saturating_sub(1)..)
                .and_then(snapshot_version)
        {
            s.fips_snapshot = Some(v);
            s.fips_snapshot_func = Some(name.to_string());
        }
        if s.boring_cfunc.is_none() && sigs.matches(sig::GO_FUNC_BORING_CFUNC, name) {
            s.boring_cfunc = Some(name.to_string());
        }
        if s.boring_sig.is_none() && sigs.matches(sig::GO_FUNC_BORING_SIG, name) {
            s.boring_sig = Some(name.to_string());
        }
        if s.openssl_backend.is_none()
            && (sigs.matches(sig::GO_FUNC_OPENSSL_BACKEND, name)
                || sigs.matches(sig::GO_FUNC_GOLANG_FIPS_OPENSSL, name))
        {
            s.openssl_backend = Some(name.to_string());
        }
    }
    s
}

/// `None` when the file is not a Go binary at all.
pub fn analyze(
    elf: &Elf<'_>,
    data: &[u8],
    sigs: &Signatures,
    path: &str,
    findings: &mut Vec<Finding>,
) -> Option<GoFacts> {
    let mut facts = GoFacts::default();
    let mut is_go = false;
    match go::read_build_info(elf, data) {
        Ok(Some(bi)) => {
            is_go = true;
            facts.version = Some(bi.go_version.clone());
            facts.main_path = bi.path.clone();
            facts.settings = bi.settings.iter().cloned().collect();
            facts.deps = bi
                .deps
                .iter()
                .map(|m| format!("{}@{}", m.path, m.version))
                .collect();
        }
        Ok(None) => {}
        Err(e) => {
            is_go = true;
            findings.push(
                Finding::new(
                    Code::Unscannable,
                    format!("Go build info is malformed: {e}"),
                )
                .at(path),
            );
        }
    }
    match go::read_func_table(elf, data) {
        Ok(Some(table)) => {
            is_go = true;
            facts.funcs = Some(summarise(table.names(), table.len(), sigs));
        }
        Ok(None) => {}
        Err(e) => {
            if is_go {
                findings.push(
                    Finding::new(
                        Code::Unscannable,
                        format!("Go function table is malformed: {e}"),
                    )
                    .at(path),
                );
            }
        }
    }
    is_go.then_some(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_versions_from_real_names() {
        // Both forms as go1.27.3 writes them (see signatures/go.toml).
        assert_eq!(
            snapshot_version("v1%2e0%2e0-c2097c7c.CAST").as_deref(),
            Some("v1.0.0-c2097c7c")
        );
        assert_eq!(
            snapshot_version("v1.0.0-c2097c7c/sha256.New").as_deref(),
            Some("v1.0.0-c2097c7c")
        );
        assert_eq!(
            snapshot_version("v1%2e26%2e0..inittask").as_deref(),
            Some("v1.26.0")
        );
        assert_eq!(snapshot_version("verify.Foo"), None);
    }

    #[test]
    fn summary_picks_evidence() {
        let names = [
            "main.main",
            "crypto/sha256.Sum256",
            "crypto/internal/fips140/v1%2e0%2e0-c2097c7c.CAST",
            "crypto/internal/boring._Cfunc__goboringcrypto_SHA256_Init",
        ];
        let s = summarise(names.into_iter(), names.len(), Signatures::embedded());
        assert_eq!(s.crypto.as_deref(), Some("crypto/sha256.Sum256"));
        assert_eq!(s.fips_snapshot.as_deref(), Some("v1.0.0-c2097c7c"));
        assert!(s.boring_cfunc.is_some());
        assert!(s.openssl_backend.is_none());
        let none = summarise(
            ["main.main", "fmt.Println"].into_iter(),
            2,
            Signatures::embedded(),
        );
        assert!(none.crypto.is_none());
    }
}
