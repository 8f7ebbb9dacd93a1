//! Facts about one ELF file: what kind of program it is, what it links,
//! and which crypto it carries (Go build info and function table, OpenSSL
//! version text).

use goblin::elf::{Elf, header};
use serde::Serialize;

use super::gofacts::{self, GoFacts};
use super::openssl::{self, OpensslText};
use crate::finding::{Code, Finding};
use crate::signatures::Signatures;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElfKind {
    /// Something a workload can run: ET_EXEC, or a PIE (ET_DYN with an
    /// interpreter and no SONAME).
    Executable,
    SharedObject,
    #[default]
    Other,
}

/// `Default` is an empty 0-bit ELF of kind `Other`: code that builds facts
/// (a dlopen probe, tests) names the fields it means and takes the rest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ElfFacts {
    pub bits: u8,
    pub big_endian: bool,
    pub machine: String,
    pub kind: ElfKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soname: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runpath: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rpath: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go: Option<GoFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openssl: Option<OpensslText>,
    /// A native crypto library other than OpenSSL (libgcrypt, GnuTLS, NSS,
    /// wolfSSL, BoringSSL, AWS-LC), read from the library itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub native: Option<super::native::NativeCrypto>,
    /// Node.js: its embedded process.config (how it uses OpenSSL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<super::node::NodeFacts>,
    /// Rust crypto: cargo-auditable dependency list, ring / aws-lc symbols.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rust: Option<crate::rustbin::RustFacts>,
    /// A .NET apphost, or a single-file .NET app and what its bundle holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dotnet: Option<crate::judge::dotnet::host::DotnetHost>,
    /// SHA-256 (hex) of the file, for SBOMs and audit evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// For libcrypto/libssl files: the HMAC-SHA256 Red Hat's FIPS self-test
    /// compares with the library's `.hmac` file (judge::openssl).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rh_hmac: Option<String>,
}

fn split_paths(list: &[&str]) -> Vec<String> {
    list.iter()
        .flat_map(|l| l.split(':'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn in_bin_dir(path: &str) -> bool {
    path.split('/')
        .any(|p| p == "bin" || p == "sbin" || p == "libexec")
}

/// Parses one ELF file. `None` facts with an `unscannable` finding when the
/// file is truncated or malformed; Go-specific parse failures keep the ELF
/// facts and add a finding.
pub fn analyze(path: &str, data: &[u8]) -> (Option<ElfFacts>, Vec<Finding>) {
    let mut findings = Vec::new();
    let elf = match Elf::parse(data) {
        Ok(e) => e,
        Err(e) => {
            findings.push(
                Finding::new(
                    Code::Unscannable,
                    format!("truncated or malformed ELF: {e}"),
                )
                .at(path),
            );
            return (None, findings);
        }
    };
    let kind = match elf.header.e_type {
        header::ET_EXEC => ElfKind::Executable,
        header::ET_DYN
            if elf.soname.is_none() && (elf.interpreter.is_some() || in_bin_dir(path)) =>
        {
            ElfKind::Executable
        }
        header::ET_DYN => ElfKind::SharedObject,
        _ => ElfKind::Other,
    };
    let sigs = Signatures::active();
    let go = gofacts::analyze(&elf, data, sigs, path, &mut findings);
    // Go binaries do not embed OpenSSL's version text (OpenSSL-backed Go
    // loads it at run time); searching them would only cost time.
    let openssl = if go.is_none() {
        openssl::find(data, sigs)
    } else {
        None
    };
    let native = match (&go, kind) {
        (None, ElfKind::SharedObject) => {
            super::native::find(elf.soname.unwrap_or_else(|| file_name(path)), data, sigs)
        }
        _ => None,
    };
    let node = if go.is_none() && super::node::is_candidate(path) {
        super::node::analyze(data, sigs)
    } else {
        None
    };
    let rust = if go.is_none() {
        crate::rustbin::analyze(&elf, data)
    } else {
        None
    };
    // Searches the writable data sections only: cheap for every ELF.
    let dotnet = if go.is_none() {
        crate::judge::dotnet::host::detect(&elf, data)
    } else {
        None
    };
    if let Some(host) = &dotnet {
        findings.extend(crate::judge::dotnet::host::findings(path, host));
    }
    let facts = ElfFacts {
        bits: if elf.is_64 { 64 } else { 32 },
        big_endian: !elf.little_endian,
        machine: header::machine_to_str(elf.header.e_machine)
            .trim_start_matches("EM_")
            .to_lowercase(),
        kind,
        interp: elf.interpreter.map(str::to_string),
        soname: elf.soname.map(str::to_string),
        needed: elf.libraries.iter().map(|s| (*s).to_string()).collect(),
        runpath: split_paths(&elf.runpaths),
        rpath: split_paths(&elf.rpaths),
        go,
        openssl,
        native,
        node,
        rust,
        dotnet,
        sha256: None,
        rh_hmac: None,
    };
    (Some(facts), findings)
}
