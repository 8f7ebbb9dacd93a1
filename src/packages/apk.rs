//! apk's database, `lib/apk/db/installed` (Alpine, Wolfi, Chainguard): one
//! block of `K:value` lines per package, blocks separated by a blank line
//! (https://wiki.alpinelinux.org/wiki/Apk_spec). `F:` names a directory
//! (relative to /) and the `R:` lines after it the files in it.

use super::error::PathBudget;
use super::purl::{Distro, package_purl};
use super::{Package, PackageType, PackagesError};

const FORMAT: &str = "apk installed";

#[derive(Default)]
struct Block {
    start: usize,
    name: Option<String>,
    version: Option<String>,
    arch: Option<String>,
    origin: Option<String>,
    dir: Option<String>,
    files: Vec<String>,
}

/// Parses the installed database. Directories (`F:`) are listed as well as
/// files (`R:`), as dpkg and rpm list theirs.
pub fn parse_apk_installed(text: &str, distro: &Distro) -> Result<Vec<Package>, PackagesError> {
    let mut budget = PathBudget::for_input(FORMAT, text.len());
    let mut out = Vec::new();
    let mut cur: Option<Block> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            if let Some(b) = cur.take() {
                out.push(finish(b, distro)?);
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':').filter(|(k, _)| k.len() == 1) else {
            return Err(PackagesError::syntax(FORMAT, line_no, "expected `K:value`"));
        };
        let b = cur.get_or_insert_with(|| Block {
            start: line_no,
            ..Block::default()
        });
        match key {
            "P" => b.name = Some(value.to_owned()),
            "V" => b.version = Some(value.to_owned()),
            "A" => b.arch = Some(value.to_owned()),
            "o" => b.origin = Some(value.to_owned()),
            "F" => {
                let dir = value.trim_matches('/');
                budget.take(dir.len() + 1)?;
                b.files.push(format!("/{dir}"));
                b.dir = Some(dir.to_owned());
            }
            "R" => {
                if value.is_empty() || value.contains('/') {
                    return Err(PackagesError::syntax(
                        FORMAT,
                        line_no,
                        "R: is not a file name",
                    ));
                }
                let path = match b.dir.as_deref() {
                    Some(d) if !d.is_empty() => format!("/{d}/{value}"),
                    _ => format!("/{value}"),
                };
                budget.take(path.len())?;
                b.files.push(path);
            }
            _ => {}
        }
    }
    if let Some(b) = cur {
        out.push(finish(b, distro)?);
    }
    Ok(out)
}

fn finish(b: Block, distro: &Distro) -> Result<Package, PackagesError> {
    let err = |what: &str| PackagesError::syntax(FORMAT, b.start, what);
    let name = b
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| err("package without P:"))?;
    let version = b
        .version
        .clone()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| err("package without V:"))?;
    let mut p = Package {
        kind: PackageType::Apk,
        name,
        version,
        epoch: None,
        arch: b.arch.filter(|a| !a.is_empty()),
        source_name: b.origin.filter(|o| !o.is_empty()),
        purl: String::new(),
        files: b.files,
    };
    p.purl = package_purl(&p, distro);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::testutil::fixture_text;
    use crate::packages::{PackageIndex, parse_os_release};

    fn alpine() -> Vec<Package> {
        let distro =
            Distro::from_os_release(&parse_os_release(&fixture_text("apk/etc/os-release")));
        parse_apk_installed(&fixture_text("apk/lib/apk/db/installed"), &distro).unwrap()
    }

    #[test]
    fn real_alpine_3_23_database() {
        let pkgs = alpine();
        assert_eq!(pkgs.len(), 59);
        let get = |n: &str| pkgs.iter().find(|p| p.name == n).unwrap();
        let crypto = get("libcrypto3");
        assert_eq!(crypto.version, "3.5.8-r0");
        assert_eq!(crypto.arch.as_deref(), Some("x86_64"));
        assert_eq!(crypto.source_name.as_deref(), Some("openssl"));
        assert_eq!(
            crypto.purl,
            "pkg:apk/alpine/libcrypto3@3.5.8-r0?arch=x86_64&distro=alpine-3.23.6"
        );
        assert!(
            crypto
                .files
                .contains(&"/usr/lib/ossl-modules/legacy.so".to_owned())
        );
        assert!(crypto.files.contains(&"/etc/ssl".to_owned()));
        let musl = get("musl");
        assert_eq!(
            (musl.version.as_str(), musl.source_name.as_deref()),
            ("1.2.5-r23", Some("musl"))
        );
        assert_eq!(get("alpine-baselayout").version, "3.7.2-r0");
        assert_eq!(get("libssl3").version, "3.5.8-r0");
        // The exact package list, in database order.
        let names: Vec<&str> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names[..5],
            [
                "alpine-baselayout",
                "alpine-baselayout-data",
                "alpine-keys",
                "alpine-release",
                "apk-tools"
            ]
        );
        assert_eq!(names.last(), Some(&"zstd-libs"));
        // Every F:/R: line became a path.
        let text = fixture_text("apk/lib/apk/db/installed");
        let lines = text
            .lines()
            .filter(|l| l.starts_with("F:") || l.starts_with("R:"))
            .count();
        assert_eq!(pkgs.iter().map(|p| p.files.len()).sum::<usize>(), lines);
    }

    #[test]
    fn real_alpine_ownership() {
        let idx = PackageIndex::new(alpine());
        let owner = |f: &str| idx.owner(f).map(|p| p.name.as_str());
        assert_eq!(owner("/usr/lib/libcrypto.so.3"), Some("libcrypto3"));
        assert_eq!(owner("/usr/lib/libssl.so.3"), Some("libssl3"));
        assert_eq!(owner("/lib/ld-musl-x86_64.so.1"), Some("musl"));
        assert_eq!(owner("/usr/lib/ossl-modules/legacy.so"), Some("libcrypto3"));
        assert_eq!(owner("/usr/lib/ossl-modules/fips.so"), None);
    }

    #[test]
    fn synthetic_blocks_and_root_files() {
        let text = "C:Q1x=\nP:Foo\nV:1.0-r0\nA:aarch64\nR:top\nF:usr/lib/\nR:a.so\nZ:Q1y=\n\n\n\
                    P:bar\nV:2-r1\nF:\nR:rootfile\n";
        let pkgs = parse_apk_installed(text, &Distro::unknown()).unwrap();
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[0].files, ["/top", "/usr/lib", "/usr/lib/a.so"]);
        assert_eq!(pkgs[0].purl, "pkg:apk/alpine/foo@1.0-r0?arch=aarch64");
        assert_eq!(pkgs[1].files, ["/", "/rootfile"]);
        assert_eq!(pkgs[1].arch, None);
    }

    #[test]
    fn malformed_databases_are_errors() {
        for (text, line, what) in [
            ("P:a\nV:1\nnot a field\n", 3, "K:value"),
            ("P:a\nVV:1\n", 2, "K:value"),
            ("V:1\nA:x\n", 1, "without P:"),
            ("\nP:a\nA:x\n", 2, "without V:"),
            ("P:a\nV:1\nR:../../etc/passwd\n", 3, "not a file name"),
        ] {
            let err = parse_apk_installed(text, &Distro::unknown()).unwrap_err();
            assert!(
                matches!(err, PackagesError::Syntax { line: l, .. } if l == line),
                "{text:?}: {err}"
            );
            assert!(err.to_string().contains(what), "{err}");
        }
    }

    #[test]
    fn shared_directory_amplification_is_bounded() {
        // One 64 KiB directory name shared by 200k one-letter files would
        // expand ~1 MB of input into 13 GB of paths.
        let mut text = format!("P:a\nV:1\nF:{}\n", "d".repeat(64 << 10));
        text.push_str(&"R:x\n".repeat(200_000));
        let err = parse_apk_installed(&text, &Distro::unknown()).unwrap_err();
        assert!(matches!(err, PackagesError::TooLarge { .. }), "{err}");
    }
}
