//! Node.js: the configure result Node embeds as `process.config` (JSON text
//! in `node`, or in `libnode.so` when a distro builds Node as a library).
//! It says whether Node links the image's OpenSSL or carries its own, and
//! which openssl.cnf section Node reads at start-up. Node 18 writes it on
//! one line starting with `target_defaults`; Node 24 pretty-prints it
//! starting with `variables`.

use memchr::memmem;
use serde::{Deserialize, Serialize};

use crate::signatures::Signatures;

pub const CONFIG_START: &str = "node.config-start";
pub const CONFIG_START_PRETTY: &str = "node.config-start-pretty";
pub const CONF_NAME_DEFINE: &str = "node.conf-name-define";
pub const SHARED_CONFIG_FLAG: &str = "node.shared-config-flag";
pub const RELEASE_URL: &str = "node.release-url";
pub const ENABLE_FIPS_FLAG: &str = "node.enable-fips-flag";
pub const FORCE_FIPS_FLAG: &str = "node.force-fips-flag";
pub const OPENSSL_CONFIG_FLAG: &str = "node.openssl-config-flag";
pub const FIPS_ERROR_PROVIDER: &str = "node.fips-error-provider";
pub const FIPS_ERROR_OPENSSL: &str = "node.fips-error-openssl";
pub const MARKER_IDS: [&str; 10] = [
    CONFIG_START,
    CONFIG_START_PRETTY,
    CONF_NAME_DEFINE,
    SHARED_CONFIG_FLAG,
    RELEASE_URL,
    ENABLE_FIPS_FLAG,
    FORCE_FIPS_FLAG,
    OPENSSL_CONFIG_FLAG,
    FIPS_ERROR_PROVIDER,
    FIPS_ERROR_OPENSSL,
];

/// How many occurrences of each start marker are tried: the config is
/// the first in every real build; a few more guard against a stray copy.
const MAX_STARTS: usize = 4;
/// A version is a few characters; `v24.21.0/` ends it.
const MAX_VERSION_BYTES: usize = 32;

/// The embedded config is about 27 KiB; anything much larger is not it.
const MAX_CONFIG_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeFacts {
    /// `node_shared_openssl`: Node uses the image's libcrypto/libssl.
    pub shared_openssl: bool,
    /// `openssl_is_fips`: the bundled OpenSSL was built with its FIPS provider.
    pub openssl_is_fips: bool,
    /// The openssl.cnf section Node reads (`NODE_OPENSSL_CONF_NAME`);
    /// `openssl_conf` when the build predates the define.
    pub conf_section: String,
    /// `node_module_version` (the ABI), as evidence of the Node line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_version: Option<u64>,
    /// The Node release (`24.21.0`), from `process.release.sourceUrl`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What this Node prints when `--enable-fips` finds no FIPS provider
    /// (the marker's text): Node 24's own check, or, before it, OpenSSL's
    /// error for the provider load Node tries itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fips_start_error: Option<String>,
}

#[derive(Deserialize)]
struct Config {
    #[serde(default)]
    target_defaults: TargetDefaults,
    #[serde(default)]
    variables: serde_json::Map<String, serde_json::Value>,
}

#[derive(Default, Deserialize)]
struct TargetDefaults {
    #[serde(default)]
    defines: Vec<serde_json::Value>,
}

/// Only files named like Node are searched: the config marker is looked
/// for in the whole file, and other programs do not carry it.
pub fn is_candidate(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "node" || name == "nodejs" || name.starts_with("libnode.so")
}

/// Reads the embedded config; `None` when there is none or it does not
/// describe an OpenSSL-using Node.
pub fn analyze(data: &[u8], sigs: &Signatures) -> Option<NodeFacts> {
    let mut starts: Vec<usize> = [CONFIG_START, CONFIG_START_PRETTY]
        .iter()
        .flat_map(|id| memmem::find_iter(data, sigs.pattern(id).as_bytes()).take(MAX_STARTS))
        .collect();
    starts.sort_unstable();
    let config = starts.iter().find_map(|&start| parse_config(data, start))?;
    let flag = |k: &str| match config.variables.get(k) {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s == "true",
        Some(serde_json::Value::Number(n)) => n.as_u64() == Some(1),
        _ => false,
    };
    if !flag("node_use_openssl") {
        return None;
    }
    let define = sigs.pattern(CONF_NAME_DEFINE);
    let conf_section = config
        .target_defaults
        .defines
        .iter()
        .filter_map(|d| d.as_str())
        .find_map(|d| d.strip_prefix(define))
        .filter(|s| !s.is_empty())
        .unwrap_or("openssl_conf")
        .to_string();
    Some(NodeFacts {
        shared_openssl: flag("node_shared_openssl"),
        openssl_is_fips: flag("openssl_is_fips"),
        conf_section,
        module_version: config
            .variables
            .get("node_module_version")
            .and_then(serde_json::Value::as_u64),
        version: release_version(data, sigs),
        fips_start_error: [FIPS_ERROR_PROVIDER, FIPS_ERROR_OPENSSL]
            .iter()
            .map(|id| sigs.pattern(id))
            .find(|p| !p.is_empty() && memmem::find(data, p.as_bytes()).is_some())
            .map(str::to_string),
    })
}

/// The NUL-terminated JSON at `start`, if it is a config.
fn parse_config(data: &[u8], start: usize) -> Option<Config> {
    let rest = data.get(start..)?;
    let end = memchr::memchr(0, rest).unwrap_or(rest.len());
    if end > MAX_CONFIG_BYTES {
        return None;
    }
    serde_json::from_slice(rest.get(..end)?).ok()
}

/// `24.21.0` from `https://nodejs.org/download/release/v24.21.0/node-v24.21.0.tar.gz`.
fn release_version(data: &[u8], sigs: &Signatures) -> Option<String> {
    let url = sigs.pattern(RELEASE_URL).as_bytes();
    let at = memmem::find(data, url)? + url.len();
    let tail = data.get(at..)?;
    let tail = tail.get(..MAX_VERSION_BYTES.min(tail.len()))?;
    let end = memchr::memchr(b'/', tail)?;
    let v = std::str::from_utf8(tail.get(..end)?).ok()?;
    let ok = v.starts_with(|c: char| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    ok.then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigs() -> &'static Signatures {
        Signatures::active()
    }

    fn blob(json: &str) -> Vec<u8> {
        let mut v = b"\x7fELF....\0\0".to_vec();
        v.extend_from_slice(json.as_bytes());
        v.push(0);
        v.extend_from_slice(b"more data");
        v
    }

    #[test]
    fn debian_shaped_config_is_read() {
        let data = blob(
            r#"{ "target_defaults": {"cflags": [], "default_configuration": "Release", "defines": ["NODE_OPENSSL_CONF_NAME=nodejs_conf", "NODE_OPENSSL_CERT_STORE"]}, "variables": {"node_module_version": 108, "node_shared_openssl": true, "node_use_openssl": true, "openssl_is_fips": false}}
"#,
        );
        assert_eq!(
            analyze(&data, sigs()),
            Some(NodeFacts {
                shared_openssl: true,
                openssl_is_fips: false,
                conf_section: "nodejs_conf".into(),
                module_version: Some(108),
                version: None,
                fips_start_error: None,
            })
        );
    }

    #[test]
    fn older_builds_read_openssl_conf_and_no_openssl_means_no_facts() {
        let old = blob(
            r#"{ "target_defaults": {"defines": []}, "variables": {"node_shared_openssl": "false", "node_use_openssl": "true", "openssl_is_fips": "true"}}"#,
        );
        let f = analyze(&old, sigs()).unwrap_or_else(|| panic!("facts"));
        assert_eq!(
            (f.shared_openssl, f.openssl_is_fips, f.conf_section.as_str()),
            (false, true, "openssl_conf")
        );
        assert_eq!(f.fips_start_error, None);
        // Node 18-22 report the failed provider load OpenSSL gives them.
        let mut with_error = old.clone();
        with_error.extend_from_slice(b"\0OpenSSL error when trying to enable FIPS:\0");
        assert_eq!(
            analyze(&with_error, sigs())
                .and_then(|f| f.fips_start_error)
                .as_deref(),
            Some("OpenSSL error when trying to enable FIPS:")
        );
        let none = blob(r#"{ "target_defaults": {}, "variables": {"node_use_openssl": false}}"#);
        assert_eq!(analyze(&none, sigs()), None);
        assert_eq!(analyze(b"no config here", sigs()), None);
        // Damaged JSON is no facts, never a panic.
        assert_eq!(
            analyze(&blob(r#"{ "target_defaults": {"defines": [1, 2"#), sigs()),
            None
        );
    }

    #[test]
    fn only_files_named_like_node_are_searched() {
        assert!(is_candidate("usr/lib/x86_64-linux-gnu/libnode.so.108"));
        assert!(is_candidate("usr/local/bin/node"));
        assert!(!is_candidate("usr/bin/nodemon"));
    }

    #[test]
    fn node24_pretty_config_and_release_version_are_read() {
        // Shaped like the official 24.21.0 binary: the pretty-printed
        // config after a NUL, the release URL elsewhere in .rodata.
        // Node 24 carries both start-up errors for --enable-fips; its own
        // check is the one it prints.
        let mut data = b"\x7fELF\0https://nodejs.org/download/release/v24.21.0/node-v24.21.0.tar.gz\0OpenSSL error when trying to enable FIPS:\0%s requires an active OpenSSL provider named \"fips\". FIPS mode is configured through OpenSSL\0".to_vec();
        data.extend_from_slice(
            br#"{
  "variables": {
    "node_use_openssl": true,
    "node_shared_openssl": false,
    "openssl_is_fips": false,
    "node_module_version": 137
  },
  "target_defaults": {
    "defines": [
      "NODE_OPENSSL_CONF_NAME=nodejs_conf",
      "ICU_NO_USER_DATA_OVERRIDE"
    ]
  }
}"#,
        );
        data.push(0);
        assert_eq!(
            analyze(&data, sigs()),
            Some(NodeFacts {
                shared_openssl: false,
                openssl_is_fips: false,
                conf_section: "nodejs_conf".into(),
                module_version: Some(137),
                version: Some("24.21.0".into()),
                fips_start_error: Some("requires an active OpenSSL provider named \"fips\"".into()),
            })
        );
        // A URL without a version-shaped segment gives no version.
        assert_eq!(
            release_version(b"https://nodejs.org/download/release/v/x", sigs()),
            None
        );
        assert_eq!(
            release_version(b"https://nodejs.org/download/release/v24.21.0", sigs()),
            None
        );
    }
}
