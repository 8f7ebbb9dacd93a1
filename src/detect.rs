//! Detectors: given one file's path and bytes, record the facts that matter
//! for crypto. They run inside the layer walk, so a detector only sees its
//! own file; everything that needs the whole image (which libcrypto a
//! program loads, image Env) is judged later in `judge`.

pub mod elf;
pub mod go;
pub mod gofacts;
pub mod native;
pub mod node;
pub mod openssl;

use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};

use serde::Serialize;

use crate::finding::{Code, Finding};
use crate::layer::Limits;
pub use elf::ElfFacts;

/// What a detector learnt about one file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FileFacts {
    Elf(Box<ElfFacts>),
    /// A small config file kept for image-wide judgement (ld.so.conf, os-release).
    Text {
        text: String,
    },
    /// A jar, war or ear, with the archives nested in it.
    Jar(Box<crate::java::JarFacts>),
    /// A package database (dpkg status, apk installed, rpmdb), parsed
    /// before the distro is known: purls are rebuilt once os-release is.
    Packages {
        packages: Vec<crate::packages::Package>,
    },
    /// A dpkg file list (`info/NAME.list`, distroless `status.d/NAME.md5sums`).
    PackageFiles {
        package: String,
        arch: Option<String>,
        files: Vec<String>,
    },
}

pub struct Inspection {
    pub facts: Option<FileFacts>,
    pub findings: Vec<Finding>,
    pub read_bytes: u64,
}

const ELF_MAGIC: [u8; 4] = [0x7f, b'E', b'L', b'F'];
/// Config files are small; a "config" larger than this is not one.
const MAX_TEXT_BYTES: u64 = 1 << 20;

/// .NET's deps.json lists every assembly of an app: large apps reach a few
/// MiB, so it gets more room than a config file; past this it is refused
/// (and said so) rather than held in memory.
const MAX_DOTNET_JSON_BYTES: u64 = 16 << 20;

/// The .NET host's JSON files (judge::dotnet).
fn is_dotnet_json(path: &str) -> bool {
    path.ends_with(".runtimeconfig.json") || path.ends_with(".deps.json")
}

/// Text files whose content later judgement needs.
fn wants_text(path: &str) -> bool {
    let in_crypto_dir = || {
        path.split('/')
            .any(|d| matches!(d, "ssl" | "pki" | "crypto-policies" | "openssl" | "tls"))
    };
    path == "etc/ld.so.conf"
        || (path.starts_with("etc/ld.so.conf.d/") && path.ends_with(".conf"))
        || path == "etc/os-release"
        || path == "usr/lib/os-release"
        || path == "etc/crypto-policies/config"
        // OpenSSL configuration: openssl.cnf, fipsmodule.cnf, OPENSSL_CONF
        // targets and what they include; crypto-policies back-ends.
        || path.ends_with(".cnf")
        || ((path.ends_with(".conf") || path.ends_with(".config")) && in_crypto_dir())
        // Java: the provider list, JDK identity, Red Hat's NSS FIPS config.
        || path.ends_with("/java.security")
        || path.ends_with("/nss.fips.cfg")
        || (path.ends_with("/release") && path.contains("/jvm/"))
        || is_dotnet_json(path)
        // Red Hat's FIPS integrity files beside libcrypto/libssl (`.libcrypto.so.10.hmac`).
        || is_fips_hmac_file(path)
        // Where an apphost looks for .NET when DOTNET_ROOT is not set.
        || path.starts_with("etc/dotnet/install_location")
}

fn is_fips_hmac_file(path: &str) -> bool {
    let name = crate::layer::path::file_name(path);
    name.starts_with(".lib") && name.ends_with(".hmac")
}

fn is_java_archive(path: &str) -> bool {
    path.ends_with(".jar") || path.ends_with(".war") || path.ends_with(".ear")
}

/// Reads what the detectors want of one regular file. An `Err` is a broken
/// stream (the layer cannot go on); a file that cannot be parsed is a
/// finding, and the walk continues.
pub fn inspect(
    path: &str,
    size: u64,
    reader: &mut dyn Read,
    limits: &Limits,
) -> io::Result<Inspection> {
    let mut out = Inspection {
        facts: None,
        findings: Vec::new(),
        read_bytes: 0,
    };
    if wants_text(path) {
        let limit = if is_dotnet_json(path) {
            MAX_DOTNET_JSON_BYTES
        } else {
            MAX_TEXT_BYTES
        };
        if size <= limit {
            let mut buf = Vec::new();
            reader.take(limit).read_to_end(&mut buf)?;
            out.read_bytes = buf.len() as u64;
            out.facts = Some(FileFacts::Text {
                text: String::from_utf8_lossy(&buf).into_owned(),
            });
        } else if is_dotnet_json(path) {
            out.findings.push(
                Finding::new(
                    Code::DotnetConfigInvalid,
                    format!("{size} bytes, more than the {limit} read of a .NET JSON file"),
                )
                .at(path),
            );
        }
        return Ok(out);
    }
    if is_java_archive(path) {
        return inspect_jar(path, size, reader, limits, out);
    }
    if let Some(kind) = crate::packages::db_kind_for_path(path)
        && kind != crate::packages::DbKind::OsRelease
    {
        return inspect_package_db(path, kind, size, reader, limits, out);
    }
    if size < ELF_MAGIC.len() as u64 {
        return Ok(out);
    }
    let mut head = [0u8; 4];
    reader.read_exact(&mut head)?;
    out.read_bytes = 4;
    if head != ELF_MAGIC {
        return Ok(out);
    }
    let Some(data) = read_whole(path, "ELF file", &head, size, reader, limits, &mut out)? else {
        return Ok(out);
    };
    // Parsers are written not to panic; this guard keeps one file's parser
    // bug from taking down the scan of a whole image.
    match guarded(|| elf::analyze(path, &data)) {
        Ok((facts, findings)) => {
            out.facts = facts.map(|mut f| {
                f.sha256 = Some(sha256_hex(&data));
                if is_openssl_lib_name(path) {
                    f.rh_hmac = Some(rh_hmac_hex(&data));
                }
                FileFacts::Elf(Box::new(f))
            });
            out.findings.extend(findings);
        }
        Err(msg) => out.findings.push(
            Finding::new(
                Code::Unscannable,
                format!("parser failed on this file ({msg}); please report it"),
            )
            .at(path),
        ),
    }
    Ok(out)
}

/// Hex SHA-256 of a file read whole (SHA-NI makes this cheap next to parsing).
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest as _, Sha256};
    hex::encode(Sha256::digest(data))
}

/// libcrypto and libssl under any name a packager gave them (`libcrypto.so.10`,
/// auditwheel's `libcrypto-d3570994.so.1.0.2k`): the files Red Hat's FIPS
/// self-test checks against `.hmac` files. A few per image, so cheap.
fn is_openssl_lib_name(path: &str) -> bool {
    let name = crate::layer::path::file_name(path);
    (name.starts_with("libcrypto") || name.starts_with("libssl")) && name.contains(".so")
}

/// Hex HMAC-SHA256 of a library under Red Hat's FIPS integrity key, as
/// `fips_standalone_hmac` writes it into `.<lib>.hmac`.
pub fn rh_hmac_hex(data: &[u8]) -> String {
    use hmac::{Hmac, Mac as _};
    let key = crate::signatures::Signatures::active()
        .pattern(crate::signatures::OPENSSL_RH_HMAC_KEY)
        .as_bytes();
    // HMAC accepts a key of any length; the error arm cannot happen.
    match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Reads a whole file a detector asked for (after the `head` bytes
/// already read), or records a `file-too-large` finding past the bound.
fn read_whole(
    path: &str,
    what: &str,
    head: &[u8],
    size: u64,
    reader: &mut dyn Read,
    limits: &Limits,
    out: &mut Inspection,
) -> io::Result<Option<Vec<u8>>> {
    if size > limits.max_file_bytes {
        out.findings.push(
            Finding::new(
                Code::FileTooLarge,
                format!(
                    "{what} of {size} bytes is larger than --max-file-bytes {}; not inspected",
                    limits.max_file_bytes
                ),
            )
            .at(path),
        );
        return Ok(None);
    }
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    data.extend_from_slice(head);
    reader
        .take(size.saturating_sub(head.len() as u64))
        .read_to_end(&mut data)?;
    out.read_bytes = data.len() as u64;
    Ok(Some(data))
}

fn inspect_package_db(
    path: &str,
    kind: crate::packages::DbKind,
    size: u64,
    reader: &mut dyn Read,
    limits: &Limits,
    mut out: Inspection,
) -> io::Result<Inspection> {
    use crate::packages::{self as pk, DbKind};
    let Some(data) = read_whole(
        path,
        "package database",
        &[],
        size,
        reader,
        limits,
        &mut out,
    )?
    else {
        return Ok(out);
    };
    let text = || String::from_utf8_lossy(&data).into_owned();
    let distro = pk::Distro::unknown();
    let name = path.rsplit('/').next().unwrap_or(path);
    let parsed = match kind {
        DbKind::Dpkg | DbKind::DpkgStatusD => pk::parse_dpkg_status(&text(), &distro),
        DbKind::Apk => pk::parse_apk_installed(&text(), &distro),
        // Binary formats go through the panic guard like every other parser.
        DbKind::RpmSqlite | DbKind::RpmBdb | DbKind::RpmNdb => {
            let parsed = guarded(|| match kind {
                DbKind::RpmSqlite => pk::parse_rpm_sqlite(&data, &distro),
                DbKind::RpmBdb => pk::parse_rpm_bdb(&data, &distro),
                _ => pk::parse_rpm_ndb(&data, &distro),
            });
            match parsed {
                Ok(result) => result,
                Err(msg) => {
                    out.findings.push(
                        Finding::new(
                            Code::PackageDbUnreadable,
                            format!("parser failed ({msg}); please report it"),
                        )
                        .at(path),
                    );
                    return Ok(out);
                }
            }
        }
        DbKind::DpkgList | DbKind::DpkgStatusDMd5sums => {
            let stem = name.trim_end_matches(".list").trim_end_matches(".md5sums");
            let (package, arch) = pk::dpkg_info_file_package(&format!("{stem}.list"))
                .unwrap_or((stem.to_string(), None));
            let files = if kind == DbKind::DpkgList {
                pk::parse_dpkg_list(&text())
            } else {
                pk::parse_dpkg_md5sums(&text())
            };
            out.facts = Some(FileFacts::PackageFiles {
                package,
                arch,
                files,
            });
            return Ok(out);
        }
        DbKind::OsRelease => return Ok(out),
    };
    match parsed {
        Ok(packages) => out.facts = Some(FileFacts::Packages { packages }),
        Err(e) => out.findings.push(
            Finding::new(
                Code::PackageDbUnreadable,
                format!("package database cannot be read: {e}"),
            )
            .at(path),
        ),
    }
    Ok(out)
}

fn inspect_jar(
    path: &str,
    size: u64,
    reader: &mut dyn Read,
    limits: &Limits,
    mut out: Inspection,
) -> io::Result<Inspection> {
    let Some(data) = read_whole(path, "archive", &[], size, reader, limits, &mut out)? else {
        return Ok(out);
    };
    let markers =
        match crate::java::JavaMarkers::from_signatures(crate::signatures::Signatures::active()) {
            Ok(m) => m,
            Err(e) => {
                out.findings.push(
                    Finding::new(
                        Code::Unscannable,
                        format!("Java signature data is incomplete: {e}"),
                    )
                    .at(path),
                );
                return Ok(out);
            }
        };
    let name = path.rsplit('/').next().unwrap_or(path);
    match guarded(|| {
        crate::java::analyze_jar(&data, name, &crate::java::JarLimits::default(), &markers)
    }) {
        Ok(Ok(facts)) => {
            for jar in facts.iter() {
                for problem in &jar.problems {
                    out.findings
                        .push(Finding::new(Code::JavaArchiveProblem, problem.clone()).at(path));
                }
            }
            // Archives with no Bouncy Castle anywhere inside need not be kept.
            if facts
                .iter()
                .iter()
                .any(|j| j.kind != crate::java::JarKind::Other)
            {
                out.facts = Some(FileFacts::Jar(Box::new(facts)));
            }
        }
        Ok(Err(e)) => out
            .findings
            .push(Finding::new(Code::Unscannable, format!("not a readable archive: {e}")).at(path)),
        Err(msg) => out.findings.push(
            Finding::new(
                Code::Unscannable,
                format!("parser failed on this file ({msg}); please report it"),
            )
            .at(path),
        ),
    }
    Ok(out)
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs a panic hook that stays quiet for panics caught by `guarded`
/// (they are reported as findings) and prints all others as usual.
pub fn install_panic_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(std::cell::Cell::get) {
            default(info);
        }
    }));
}

fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    GUARDED.with(|g| g.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    result.map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotnet_json_is_kept_up_to_its_bound_and_refused_beyond() {
        let limits = Limits::default();
        let text = br#"{"runtimeOptions":{}}"#;
        let got = inspect(
            "app/a.runtimeconfig.json",
            text.len() as u64,
            &mut &text[..],
            &limits,
        )
        .unwrap();
        assert!(
            matches!(got.facts, Some(FileFacts::Text { ref text }) if text == r#"{"runtimeOptions":{}}"#)
        );
        assert!(got.findings.is_empty());
        let huge = MAX_DOTNET_JSON_BYTES + 1;
        let got = inspect(
            "app/a.deps.json",
            huge,
            &mut io::repeat(b'[').take(huge),
            &limits,
        )
        .unwrap();
        assert!(got.facts.is_none());
        assert_eq!(got.read_bytes, 0);
        assert_eq!(got.findings.len(), 1);
        assert_eq!(got.findings[0].code, Code::DotnetConfigInvalid);
        assert_eq!(
            got.findings[0].message,
            "16777217 bytes, more than the 16777216 read of a .NET JSON file"
        );
    }
}
