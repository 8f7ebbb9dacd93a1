//! Rust executables: which crypto crate is linked and whether it can be FIPS
//! (../shared/SIGNATURES.md 3.1 and 3.3).
//!
//! Pure library: the caller hands over one ELF file (goblin's parse and the
//! bytes); nothing here touches the file system. Evidence comes from
//!
//! * the `.dep-v0` section that `cargo auditable build` embeds: the exact
//!   crate list as zlib-compressed JSON (cargo-auditable schema);
//! * symbol prefixes the `-sys` crates put on their C code: `ring_core_X_Y_Z_`
//!   (ring), `aws_lc_X_Y_Z_` (aws-lc-sys), `aws_lc_fips_X_Y_Z_`
//!   (aws-lc-fips-sys). `.symtab`/`.dynsym` and `DT_NEEDED` are searched when
//!   the file has symbols, the raw bytes otherwise;
//! * the AWS-LC version string (`AWS-LC FIPS 3.0.0`), which names the module
//!   version a certificate would have to cover;
//! * for Cloudflare's `boring` (BoringSSL, whose symbols boring-sys leaves
//!   unprefixed): BoringSSL's FIPS module marks, the local symbol
//!   `BORINGSSL_bcm_power_on_self_test` or, in a file without symbols, the
//!   FIPS-only entropy message ([`BORING_FIPS_ENTROPY_TEXT`]).
//!
//! Every read is bounded and every failure on input becomes a `problems`
//! string; nothing here panics on a hostile file.

use std::io::Read;

use flate2::read::ZlibDecoder;
use goblin::elf::Elf;
use memchr::memmem;
use serde::Deserialize;

use crate::score::Status;

/// Signature marker ids (signatures/rust.toml) this module reads.
pub const MARKER_IDS: [&str; 8] = [
    "rust.section.dep-v0",
    "rust.prefix.ring",
    "rust.prefix.aws-lc",
    "rust.prefix.aws-lc-fips",
    "rust.boring.fips-symbol",
    "rust.boring.fips-entropy-text",
    "rust.comment.rustc",
    "rust.source-path.registry",
];

/// The section cargo-auditable writes.
pub const DEP_V0_SECTION: &str = ".dep-v0";
pub const RING_PREFIX: &str = "ring_core_";
pub const AWS_LC_PREFIX: &str = "aws_lc_";
pub const AWS_LC_FIPS_PREFIX: &str = "aws_lc_fips_";
/// AWSLC_MODE_STRING of FIPS builds, followed by the module version.
const AWS_LC_FIPS_VERSION_TEXT: &[u8] = b"AWS-LC FIPS ";
/// BoringSSL's FIPS module entry (bcm.c, only under `BORINGSSL_FIPS`). A
/// static AWS-LC FIPS build has it too, unprefixed, so it tells FIPS from
/// non-FIPS only once `boring` is known to be the library.
pub const BORING_FIPS_SYMBOL: &str = "BORINGSSL_bcm_power_on_self_test";
/// fips-20210429 `crypto/fipsmodule/rand/urandom.c`, compiled only under
/// `BORINGSSL_FIPS`: the FIPS mark left in a stripped file.
pub const BORING_FIPS_ENTROPY_TEXT: &[u8] =
    b"RNDGETENTCNT on /dev/urandom failed. We cannot continue in this case when in FIPS mode.";

/// Largest compressed `.dep-v0` read (real ones are a few KiB).
pub const MAX_DEP_V0_COMPRESSED: u64 = 8 << 20;
/// Largest decompressed JSON accepted (zlib bombs stop here).
pub const MAX_DEP_V0_JSON: u64 = 8 << 20;
/// Most packages kept from one `.dep-v0`.
pub const MAX_DEPS: usize = 20_000;
/// Longest symbol or string kept as evidence.
const MAX_EVIDENCE: usize = 160;
/// Most raw-byte hits examined per prefix.
const MAX_RAW_HITS: usize = 100_000;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RustFacts {
    /// (name, version) of every linked package in `.dep-v0` (build-only
    /// packages left out), in file order.
    pub deps: Vec<(String, String)>,
    /// Evidence of ring: a symbol (or string) with the `ring_core_X_Y_Z_` prefix.
    pub ring: Option<String>,
    /// Evidence of aws-lc-sys: `aws_lc_X_Y_Z_...`.
    pub aws_lc: Option<String>,
    /// Evidence of aws-lc-fips-sys: `aws_lc_fips_X_Y_Z_...`.
    pub aws_lc_fips: Option<String>,
    /// The AWS-LC FIPS module version string, e.g. `AWS-LC FIPS 3.0.0`.
    pub aws_lc_fips_version: Option<String>,
    /// BoringSSL's FIPS module mark (the symbol, or the entropy message in a
    /// file without symbols); looked for only when `boring` is linked.
    pub boring_fips: Option<String>,
    /// rustls is linked (a `.dep-v0` package or a `rustls` symbol).
    pub rustls: bool,
    /// Crypto crates named by panic-location source paths (a stripped
    /// binary without `.dep-v0`; [`src_paths`]), in first-seen order.
    pub src_crates: Vec<(String, String)>,
    pub problems: Vec<String>,
}

impl RustFacts {
    /// The version of a package from `.dep-v0` (first one of that name).
    pub fn dep_version(&self, name: &str) -> Option<&str> {
        self.deps
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The version of a crate from `.dep-v0`, else from the source paths.
    pub fn crate_version(&self, name: &str) -> Option<&str> {
        self.dep_version(name).or_else(|| {
            self.src_crates
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        })
    }

    /// Crate version encoded in the ring prefix (`0.17.14`).
    pub fn ring_version(&self) -> Option<String> {
        self.ring
            .as_deref()
            .and_then(|s| prefix_version(s, RING_PREFIX))
    }

    /// aws-lc-sys crate version encoded in the prefix (`0.47.0`).
    pub fn aws_lc_version(&self) -> Option<String> {
        self.aws_lc
            .as_deref()
            .and_then(|s| prefix_version(s, AWS_LC_PREFIX))
    }

    /// aws-lc-fips-sys crate version encoded in the prefix.
    pub fn aws_lc_fips_version_prefix(&self) -> Option<String> {
        self.aws_lc_fips
            .as_deref()
            .and_then(|s| prefix_version(s, AWS_LC_FIPS_PREFIX))
    }
}

/// Crates that are crypto and tell nothing about FIPS beyond "not validated".
const PURE_RUST_CRYPTO: &[&str] = &[
    "sha1",
    "sha2",
    "sha3",
    "md-5",
    "aes",
    "aes-gcm",
    "chacha20poly1305",
    "p256",
    "p384",
    "ed25519-dalek",
    "x25519-dalek",
    "curve25519-dalek",
    "rsa",
    "ecdsa",
];

/// Examines one ELF file. None when it shows no Rust crypto evidence at all
/// (no prefixed symbol, no crypto crate in `.dep-v0`, no readable trouble with
/// a `.dep-v0`).
pub fn analyze(elf: &Elf, data: &[u8]) -> Option<RustFacts> {
    let mut f = RustFacts::default();
    let mut has_dep_v0 = false;
    if let Some(section) = dep_v0_section(elf, data, &mut f.problems) {
        has_dep_v0 = true;
        match parse_dep_v0(section) {
            Ok(deps) => {
                if deps.len() > MAX_DEPS {
                    f.problems.push(format!(
                        ".dep-v0 lists {} packages; kept the first {MAX_DEPS}",
                        deps.len()
                    ));
                }
                f.deps = deps.into_iter().take(MAX_DEPS).collect();
            }
            Err(e) => f.problems.push(e.to_string()),
        }
    }
    let sym_count = elf.syms.len() + elf.dynsyms.len();
    if sym_count > 0 {
        scan_symbols(elf, &mut f);
    }
    for lib in &elf.libraries {
        offer(&mut f, lib);
    }
    if sym_count == 0 {
        scan_raw(data, &mut f);
    }
    let prefixed = f.ring.is_some() || f.aws_lc.is_some() || f.aws_lc_fips.is_some();
    if !prefixed && !has_dep_v0 && src_paths::built_by_rustc(elf, data) {
        f.src_crates = src_paths::crates_in(data)
            .into_iter()
            .filter(|(n, _)| is_crypto_crate(n))
            .collect();
    }
    // A FIPS build of AWS-LC always names itself (AWSLC_MODE_STRING); the
    // source paths show only aws-lc-rs (aws-lc-fips-sys is C, no panics).
    if f.aws_lc_fips.is_some()
        || f.dep_version("aws-lc-fips-sys").is_some()
        || f.crate_version("aws-lc-rs").is_some()
    {
        f.aws_lc_fips_version = aws_lc_fips_version_string(data);
    }
    if f.crate_version("boring-sys").is_some() || f.crate_version("boring").is_some() {
        f.boring_fips = boring_fips_mark(elf, data);
    }
    f.rustls |= f
        .deps
        .iter()
        .chain(&f.src_crates)
        .any(|(n, _)| n == "rustls");

    let crypto_dep = f.deps.iter().any(|(n, _)| is_crypto_crate(n)) || !f.src_crates.is_empty();
    let evidence = prefixed || f.rustls || crypto_dep;
    let broken_dep_v0 = has_dep_v0 && !f.problems.is_empty();
    (evidence || broken_dep_v0).then_some(f)
}

fn is_crypto_crate(name: &str) -> bool {
    matches!(
        name,
        "ring"
            | "aws-lc-rs"
            | "aws-lc-sys"
            | "aws-lc-fips-sys"
            | "rustls"
            | "boring"
            | "boring-sys"
    ) || PURE_RUST_CRYPTO.contains(&name)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DepV0Error {
    #[error(".dep-v0: zlib data is damaged: {0}")]
    Zlib(String),
    #[error(".dep-v0: decompressed JSON exceeds {MAX_DEP_V0_JSON} bytes (zlib bomb?)")]
    TooLarge,
    #[error(".dep-v0: not cargo-auditable JSON: {0}")]
    Json(String),
}

#[derive(Deserialize)]
struct DepV0 {
    packages: Vec<DepV0Package>,
}

#[derive(Deserialize)]
struct DepV0Package {
    name: String,
    version: String,
    #[serde(default)]
    kind: Option<String>,
}

/// Decompresses (bounded) and parses a `.dep-v0` payload into
/// (name, version) pairs in file order. Build-only packages (`"kind":
/// "build"`: build scripts' dependencies such as `cc`) are left out: they
/// are not linked into the binary.
pub fn parse_dep_v0(compressed: &[u8]) -> Result<Vec<(String, String)>, DepV0Error> {
    let mut json = Vec::new();
    ZlibDecoder::new(compressed)
        .take(MAX_DEP_V0_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| DepV0Error::Zlib(e.to_string()))?;
    if json.len() as u64 > MAX_DEP_V0_JSON {
        return Err(DepV0Error::TooLarge);
    }
    let parsed: DepV0 =
        serde_json::from_slice(&json).map_err(|e| DepV0Error::Json(e.to_string()))?;
    Ok(parsed
        .packages
        .into_iter()
        .filter(|p| p.kind.as_deref() != Some("build"))
        .map(|p| (p.name, p.version))
        .collect())
}

/// The bytes of `.dep-v0`, or None (with a problem when it exists but
/// cannot be read).
fn dep_v0_section<'a>(elf: &Elf, data: &'a [u8], problems: &mut Vec<String>) -> Option<&'a [u8]> {
    let sh = elf
        .section_headers
        .iter()
        .find(|sh| elf.shdr_strtab.get_at(sh.sh_name) == Some(DEP_V0_SECTION))?;
    if sh.sh_type == goblin::elf::section_header::SHT_NOBITS {
        problems.push(".dep-v0: section has no file data (SHT_NOBITS)".into());
        return None;
    }
    if sh.sh_size > MAX_DEP_V0_COMPRESSED {
        problems.push(format!(
            ".dep-v0: section is {} bytes, more than {MAX_DEP_V0_COMPRESSED}",
            sh.sh_size
        ));
        return None;
    }
    let bytes = usize::try_from(sh.sh_offset).ok().and_then(|start| {
        let end = start.checked_add(usize::try_from(sh.sh_size).ok()?)?;
        data.get(start..end)
    });
    if bytes.is_none() {
        problems.push(format!(
            ".dep-v0: section (offset {}, size {}) lies outside the file",
            sh.sh_offset, sh.sh_size
        ));
    }
    bytes
}

fn scan_symbols(elf: &Elf, f: &mut RustFacts) {
    for sym in elf.syms.iter() {
        if let Some(name) = elf.strtab.get_at(sym.st_name) {
            offer(f, name);
        }
    }
    for sym in elf.dynsyms.iter() {
        if let Some(name) = elf.dynstrtab.get_at(sym.st_name) {
            offer(f, name);
        }
    }
}

/// Records `name` as evidence when it carries one of the prefixes; keeps the
/// smallest such name so the result does not depend on symbol order.
fn offer(f: &mut RustFacts, name: &str) {
    if !f.rustls && name.contains("6rustls") {
        // Rust mangling (legacy and v0) length-prefixes path segments.
        f.rustls = true;
    }
    let slot = if let Some(at) = name.find(AWS_LC_FIPS_PREFIX) {
        prefix_version(&name[at..], AWS_LC_FIPS_PREFIX).map(|_| (&mut f.aws_lc_fips, at))
    } else if let Some(at) = name.find(AWS_LC_PREFIX) {
        prefix_version(&name[at..], AWS_LC_PREFIX).map(|_| (&mut f.aws_lc, at))
    } else if let Some(at) = name.find(RING_PREFIX) {
        prefix_version(&name[at..], RING_PREFIX).map(|_| (&mut f.ring, at))
    } else {
        None
    };
    if let Some((slot, at)) = slot {
        let candidate = truncate(&name[at..]);
        if slot.as_deref().is_none_or(|cur| candidate < cur) {
            *slot = Some(candidate.to_owned());
        }
    }
}

fn truncate(s: &str) -> &str {
    if s.len() <= MAX_EVIDENCE {
        return s;
    }
    let mut end = MAX_EVIDENCE;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `ring_core_0_17_14_sha256_block_data_order` → `0.17.14`: two or three
/// numeric groups right after `prefix`, each followed by `_`.
pub fn prefix_version(s: &str, prefix: &str) -> Option<String> {
    let rest = s.strip_prefix(prefix)?;
    let mut groups: Vec<&str> = Vec::with_capacity(3);
    let mut tail = rest;
    while groups.len() < 3 {
        let n = tail.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 || tail.as_bytes().get(n) != Some(&b'_') {
            break;
        }
        groups.push(&tail[..n]);
        tail = &tail[n + 1..];
    }
    (groups.len() >= 2).then(|| groups.join("."))
}

/// Fallback for files without symbols: the prefixes in the raw bytes
/// (strings, stripped-but-exported names, DT_NEEDED).
fn scan_raw(data: &[u8], f: &mut RustFacts) {
    for prefix in [AWS_LC_FIPS_PREFIX, AWS_LC_PREFIX, RING_PREFIX] {
        for at in memmem::find_iter(data, prefix.as_bytes()).take(MAX_RAW_HITS) {
            let Some(rest) = data.get(at..) else { break };
            let len = rest
                .iter()
                .take(MAX_EVIDENCE)
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'.')
                .count();
            if let Some(word) = rest.get(..len).and_then(|w| std::str::from_utf8(w).ok()) {
                offer(f, word);
            }
        }
    }
    if !f.rustls && memmem::find(data, b"6rustls").is_some() {
        f.rustls = true;
    }
}

/// `AWS-LC FIPS 3.0.0`: the version string of a FIPS build. The bare
/// `AWS-LC FIPS failure caused by:` is in non-FIPS builds too, so a digit
/// must follow.
pub fn aws_lc_fips_version_string(data: &[u8]) -> Option<String> {
    for at in memmem::find_iter(data, AWS_LC_FIPS_VERSION_TEXT).take(MAX_RAW_HITS) {
        let rest = data.get(at + AWS_LC_FIPS_VERSION_TEXT.len()..)?;
        let n = rest
            .iter()
            .take(32)
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
        if rest.first().is_some_and(u8::is_ascii_digit) {
            let v = std::str::from_utf8(rest.get(..n)?).ok()?;
            return Some(format!("AWS-LC FIPS {}", v.trim_end_matches('.')));
        }
    }
    None
}

/// BoringSSL's FIPS module in this file: the symbol (exact name: Go's
/// `_goboringcrypto_` copy does not count), else the entropy message.
fn boring_fips_mark(elf: &Elf, data: &[u8]) -> Option<String> {
    let in_symtab = elf
        .syms
        .iter()
        .any(|s| elf.strtab.get_at(s.st_name) == Some(BORING_FIPS_SYMBOL));
    let in_dynsym = elf
        .dynsyms
        .iter()
        .any(|s| elf.dynstrtab.get_at(s.st_name) == Some(BORING_FIPS_SYMBOL));
    if in_symtab || in_dynsym {
        return Some(BORING_FIPS_SYMBOL.to_owned());
    }
    // A stripped executable keeps `.dynsym`, but not this local symbol.
    memmem::find(data, BORING_FIPS_ENTROPY_TEXT)
        .map(|_| String::from_utf8_lossy(BORING_FIPS_ENTROPY_TEXT).into_owned())
}

/// What boring-sys's `fips` feature builds, by its major version: boring
/// 4.x documents "BoringCrypto module version
/// 853ca1ea1168dff08011e5d42d94609cc0ca2e27, as certified with FIPS 140-2
/// certificate 4407" (fips-20210429, SIGNATURES.md 3.2); 5.x builds
/// BoringSSL's current FIPS update stream, no certified version by itself.
/// Never a verdict: the binary does not show which source was built, nor
/// that the Security Policy's toolchain built it.
fn boring_module_note(sys_version: Option<&str>) -> (&'static str, &'static str) {
    match sys_version.and_then(|v| v.split('.').next()) {
        Some("4") => (
            "BoringCrypto fips-20210429",
            "boring-sys 4.x builds BoringCrypto 853ca1ea (fips-20210429), the module of CMVP #4407 (FIPS 140-2, on the Historical list since 2026-09-21), but this build is not shown to be that module (boring-sys compiles it from source, or links a prebuilt one from BORING_BSSL_FIPS_PATH)",
        ),
        Some("5") => (
            "BoringSSL FIPS update stream",
            "boring-sys 5.x builds BoringSSL's FIPS update stream, which no certificate covers by itself",
        ),
        _ => (
            "BoringCrypto",
            "module version unknown: not tied to any CMVP certificate",
        ),
    }
}

/// What SIGNATURES.md 3.1 says about the certificate line of an AWS-LC FIPS
/// module version string (`AWS-LC FIPS 4.2.0`). Never a verdict: a
/// certificate covers one module build run as its Security Policy says.
fn certificate_note(module: Option<&str>) -> &'static str {
    let v = module.and_then(|m| m.strip_prefix("AWS-LC FIPS "));
    match v.and_then(|v| v.split('.').next()) {
        Some("1") => {
            "the v1.0 line has certificate #4631, but this build is not shown to be that module"
        }
        Some("2") => {
            "the v2.0 line has certificates #4816 (static) and #5429 (dynamic), but this build is not shown to be that module"
        }
        Some("3") => {
            "the v3 line has certificates #5298 and #5314 (v3.1), but this build is not shown to be that module"
        }
        Some("4") => "the v4.0 line is only in process at CMVP (no certificate)",
        _ => "module version unknown: not tied to any CMVP certificate",
    }
}

/// A Rust crypto module found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustCrypto {
    /// aws-lc-fips-sys; `version` is the module version string when found
    /// (`AWS-LC FIPS 3.0.0`), else the crate version from the prefix.
    AwsLcFips { version: String },
    /// aws-lc-sys: AWS-LC without the FIPS module.
    AwsLc,
    /// ring: never FIPS validated.
    Ring,
    /// boring (boring-sys) with BoringSSL's FIPS module; `version` names the
    /// module line the crate version builds (`BoringCrypto fips-20210429`).
    BoringFips { version: String },
    /// boring without the FIPS module.
    Boring,
    /// Pure-Rust crypto crates (RustCrypto and similar): not validated.
    Other,
}

/// One judged module with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustJudgement {
    pub crypto: RustCrypto,
    pub status: Status,
    pub reason: String,
}

/// Judges every crypto module in `f`. A binary may link several (rustls
/// with both providers); the caller takes the worst for the component.
///
/// aws-lc-fips-sys is never `validated` here: it compiles AWS-LC FIPS 3.x
/// from source on the build machine, and a CMVP certificate (SIGNATURES.md
/// 3.1: v2.0 #4816/#5429, v3.1 #5298/#5314) covers one module version built
/// and run as its Security Policy says. The binary carries the module
/// version string but nothing that proves the build followed the policy,
/// so the best a static scan can say is `fips-capable`.
pub fn classify(f: &RustFacts) -> Vec<RustJudgement> {
    let mut out = Vec::new();
    let fips_dep = f.dep_version("aws-lc-fips-sys");
    // Seen only through source paths: aws-lc-rs, FIPS or not by the
    // module's own version string.
    let rs_only = f.aws_lc_fips.is_none()
        && f.aws_lc.is_none()
        && f.crate_version("aws-lc-fips-sys").is_none()
        && f.crate_version("aws-lc-sys").is_none()
        && f.crate_version("aws-lc-rs").is_some();
    if f.aws_lc_fips.is_some() || fips_dep.is_some() || (rs_only && f.aws_lc_fips_version.is_some())
    {
        let version = f
            .aws_lc_fips_version
            .clone()
            .or_else(|| {
                f.aws_lc_fips_version_prefix()
                    .map(|v| format!("aws-lc-fips-sys {v}"))
            })
            .or_else(|| fips_dep.map(|v| format!("aws-lc-fips-sys {v}")))
            .unwrap_or_else(|| "unknown".into());
        let reason = format!(
            "aws-lc-rs FIPS ({version}): AWS-LC FIPS compiled from source by aws-lc-fips-sys; {}",
            certificate_note(f.aws_lc_fips_version.as_deref())
        );
        out.push(RustJudgement {
            crypto: RustCrypto::AwsLcFips { version },
            status: Status::FipsCapable,
            reason,
        });
    }
    if f.aws_lc.is_some() || f.dep_version("aws-lc-sys").is_some() {
        let v = f
            .aws_lc_version()
            .or_else(|| f.dep_version("aws-lc-sys").map(str::to_owned))
            .unwrap_or_else(|| "unknown".into());
        out.push(RustJudgement {
            crypto: RustCrypto::AwsLc,
            status: Status::NonFips,
            reason: format!("aws-lc-sys {v}: AWS-LC without its FIPS module"),
        });
    } else if rs_only && f.aws_lc_fips_version.is_none() {
        let v = f.crate_version("aws-lc-rs").unwrap_or("unknown");
        out.push(RustJudgement {
            crypto: RustCrypto::AwsLc,
            status: Status::NonFips,
            reason: format!(
                "aws-lc-rs {v} without an AWS-LC FIPS version string: AWS-LC without its FIPS module"
            ),
        });
    }
    let boring = f
        .crate_version("boring-sys")
        .map(|v| ("boring-sys", v))
        .or_else(|| f.crate_version("boring").map(|v| ("boring", v)));
    if let Some((crate_name, v)) = boring {
        let sys = f.crate_version("boring-sys");
        out.push(match &f.boring_fips {
            // Like aws-lc-fips-sys: a module compiled on the build machine
            // (or linked from a path) is at best fips-capable.
            Some(_) => {
                let (module, note) = boring_module_note(sys);
                RustJudgement {
                    crypto: RustCrypto::BoringFips {
                        version: module.to_owned(),
                    },
                    status: Status::FipsCapable,
                    reason: format!(
                        "boring FIPS ({crate_name} {v}): BoringSSL's FIPS module in FIPS mode; {note}"
                    ),
                }
            }
            None => RustJudgement {
                crypto: RustCrypto::Boring,
                status: Status::NonFips,
                reason: format!(
                    "{crate_name} {v}: BoringSSL without its FIPS module (no {BORING_FIPS_SYMBOL})"
                ),
            },
        });
    }
    if f.ring.is_some() || f.crate_version("ring").is_some() {
        let v = f
            .ring_version()
            .or_else(|| f.crate_version("ring").map(str::to_owned))
            .unwrap_or_else(|| "unknown".into());
        out.push(RustJudgement {
            crypto: RustCrypto::Ring,
            status: Status::NonFips,
            reason: format!("ring {v}: never FIPS validated"),
        });
    }
    let others: Vec<&str> = f
        .deps
        .iter()
        .chain(&f.src_crates)
        .map(|(n, _)| n.as_str())
        .filter(|n| PURE_RUST_CRYPTO.contains(n))
        .fold(Vec::new(), |mut seen, n| {
            if !seen.contains(&n) {
                seen.push(n);
            }
            seen
        });
    if !others.is_empty() {
        out.push(RustJudgement {
            crypto: RustCrypto::Other,
            status: Status::NonFips,
            reason: format!(
                "pure-Rust crypto crates, not validated: {}",
                others.join(", ")
            ),
        });
    }
    out
}

pub mod src_paths;

#[cfg(test)]
mod tests;
