//! dpkg's database: `var/lib/dpkg/status` (deb822 stanzas, one per package)
//! with file lists in `var/lib/dpkg/info/NAME[:ARCH].list`, and the
//! distroless layout (`var/lib/dpkg/status.d/NAME` holding one stanza, and
//! `NAME.md5sums` as the only file list).

use super::purl::{Distro, package_purl};
use super::{Package, PackageType, PackagesError};

const FORMAT: &str = "dpkg status";

#[derive(Default)]
struct Stanza<'a> {
    start: usize,
    package: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    source: Option<&'a str>,
    status: Option<&'a str>,
}

/// Parses a status file (or one distroless `status.d` file). Packages whose
/// files are not on disk (`not-installed`, `config-files`) are left out;
/// every other state, `unpacked` included, is kept. A stanza without
/// `Status` (distroless) counts as installed. Files are attached later from
/// the `.list` or `.md5sums` files ([`attach_files`]).
pub fn parse_dpkg_status(text: &str, distro: &Distro) -> Result<Vec<Package>, PackagesError> {
    let bad = |line, reason: &str| Err(PackagesError::syntax(FORMAT, line, reason));
    let mut out = Vec::new();
    let mut cur = Stanza::default();
    let mut in_stanza = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if in_stanza {
                finish(std::mem::take(&mut cur), distro, &mut out)?;
                in_stanza = false;
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // Continuation of a multi-line field (Description, Conffiles).
            if !in_stanza {
                return bad(line_no, "continuation line outside a stanza");
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return bad(line_no, "expected `Field: value`");
        };
        if key.is_empty() || key.contains(char::is_whitespace) {
            return bad(line_no, "bad field name");
        }
        if !in_stanza {
            in_stanza = true;
            cur.start = line_no;
        }
        let value = value.trim();
        let slot = match key.to_ascii_lowercase().as_str() {
            "package" => &mut cur.package,
            "version" => &mut cur.version,
            "architecture" => &mut cur.arch,
            "source" => &mut cur.source,
            "status" => &mut cur.status,
            _ => continue,
        };
        *slot = Some(value);
    }
    if in_stanza {
        finish(cur, distro, &mut out)?;
    }
    Ok(out)
}

fn finish<'a>(s: Stanza<'a>, distro: &Distro, out: &mut Vec<Package>) -> Result<(), PackagesError> {
    let err = |reason: &str| PackagesError::syntax(FORMAT, s.start, reason);
    let required = |v: Option<&'a str>, what| v.filter(|v| !v.is_empty()).ok_or_else(|| err(what));
    let name = required(s.package, "stanza without Package")?;
    if let Some(status) = s.status {
        // "want flag state", e.g. "install ok installed".
        let words: Vec<&str> = status.split_whitespace().collect();
        let [_, _, state] = words[..] else {
            return Err(err("Status is not `want flag state`"));
        };
        if matches!(state, "not-installed" | "config-files") {
            return Ok(());
        }
    }
    let version = required(s.version, "installed package without Version")?;
    let mut p = Package {
        kind: PackageType::Deb,
        name: name.to_owned(),
        version: version.to_owned(),
        epoch: None,
        arch: s.arch.filter(|a| !a.is_empty()).map(str::to_owned),
        // "Source: openssl (3.0.11-1)" names the source and, when it
        // differs, its version.
        source_name: s
            .source
            .and_then(|v| v.split_whitespace().next())
            .map(str::to_owned),
        purl: String::new(),
        files: Vec::new(),
    };
    p.purl = package_purl(&p, distro);
    out.push(p);
    Ok(())
}

/// The paths of a `.list` file: one absolute path per line, directories
/// included; dpkg's `/.` (the root) is dropped.
pub fn parse_dpkg_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty() && *l != "/.")
        .map(absolute)
        .collect()
}

/// The paths of a `.md5sums` file: `HEX  relative/path` per line (regular
/// files only; no directories or symlinks). Malformed lines are skipped.
pub fn parse_dpkg_md5sums(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let (sum, path) = l.split_once(char::is_whitespace)?;
            let path = path.trim_start_matches([' ', '*']).trim_end_matches('\r');
            (!sum.is_empty() && sum.bytes().all(|b| b.is_ascii_hexdigit()) && !path.is_empty())
                .then(|| absolute(path))
        })
        .collect()
}

fn absolute(path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

/// Which package an info file is about: `libc6:amd64.list` → (`libc6`,
/// `Some("amd64")`), `openssl.md5sums` → (`openssl`, `None`). Takes a file
/// name or a path.
pub fn dpkg_info_file_package(file_name: &str) -> Option<(String, Option<String>)> {
    let base = file_name.rsplit('/').next()?;
    let stem = base
        .strip_suffix(".list")
        .or_else(|| base.strip_suffix(".md5sums"))?;
    let (name, arch) = match stem.split_once(':') {
        Some((n, a)) => (n, Some(a.to_owned())),
        None => (stem, None),
    };
    (!name.is_empty()).then(|| (name.to_owned(), arch))
}

/// Adds `files` to the package called `name` (and of `arch`, when the file
/// name gave one). Returns false when no such package was parsed.
pub fn attach_files(
    pkgs: &mut [Package],
    name: &str,
    arch: Option<&str>,
    files: Vec<String>,
) -> bool {
    let found = pkgs
        .iter_mut()
        .find(|p| p.name == name && arch.is_none_or(|a| p.arch.as_deref() == Some(a)));
    found.map(|p| p.files.extend(files)).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::testutil::{fixture, fixture_text};
    use crate::packages::{PackageIndex, parse_os_release};
    use std::collections::BTreeSet;

    fn debian12() -> Distro {
        Distro::from_os_release(&parse_os_release(&fixture_text("dpkg-host/os-release")))
    }

    fn status(rel: &str, distro: &Distro) -> Vec<Package> {
        parse_dpkg_status(&fixture_text(rel), distro).unwrap()
    }

    /// "name version arch source" lines, as `dpkg-query -W` printed them.
    fn expected(rel: &str) -> BTreeSet<String> {
        let first4 = |l: &str| l.split(' ').take(4).collect::<Vec<_>>().join(" ");
        fixture_text(rel).lines().map(first4).collect()
    }

    fn got(pkgs: &[Package]) -> BTreeSet<String> {
        let src = |p: &Package| p.source_name.clone().unwrap_or_else(|| p.name.clone());
        let arch = |p: &Package| p.arch.clone().unwrap();
        pkgs.iter()
            .map(|p| format!("{} {} {} {}", p.name, p.version, arch(p), src(p)))
            .collect()
    }

    /// Attaches every `*.SUFFIX` file of a real directory to the packages.
    fn attach_dir(pkgs: &mut [Package], rel: &str, suffix: &str) {
        for entry in std::fs::read_dir(fixture(rel)).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_str().unwrap().to_owned();
            if file.ends_with(suffix) {
                let (name, arch) = dpkg_info_file_package(&file).unwrap();
                let text = std::fs::read_to_string(&path).unwrap();
                let files = match suffix {
                    ".list" => parse_dpkg_list(&text),
                    _ => parse_dpkg_md5sums(&text),
                };
                assert!(attach_files(pkgs, &name, arch.as_deref(), files), "{file}");
            }
        }
    }

    #[test]
    fn real_status_written_by_dpkg() {
        let pkgs = status("dpkg/var/lib/dpkg/status", &debian12());
        assert_eq!(got(&pkgs), expected("dpkg/expected.txt"));
        // The versions build.sh downloaded (work/debs.txt: "name version arch").
        for line in fixture_text("../debs.txt").lines() {
            let [name, version, arch] = line.split(' ').collect::<Vec<_>>()[..] else {
                panic!("{line}")
            };
            let p = pkgs.iter().find(|p| p.name == name).unwrap();
            assert_eq!(
                (p.version.as_str(), p.arch.as_deref()),
                (version, Some(arch))
            );
            let v = version.replace('+', "%2B");
            assert_eq!(
                p.purl,
                format!("pkg:deb/debian/{name}@{v}?arch=amd64&distro=debian-12")
            );
        }
        let get = |n: &str| pkgs.iter().find(|p| p.name == n).unwrap();
        assert_eq!(get("libssl3").source_name.as_deref(), Some("openssl"));
        assert_eq!(get("libc6").source_name.as_deref(), Some("glibc"));
    }

    #[test]
    fn real_list_files_give_ownership() {
        let mut pkgs = status("dpkg/var/lib/dpkg/status", &debian12());
        attach_dir(&mut pkgs, "dpkg/var/lib/dpkg/info", ".list");
        let want = fixture_text("dpkg/expected-files.txt");
        let want: BTreeSet<&str> = want.lines().filter(|l| !l.ends_with(" /.")).collect();
        let have: BTreeSet<String> = pkgs
            .iter()
            .flat_map(|p| p.files.iter().map(move |f| format!("{} {f}", p.name)))
            .collect();
        assert_eq!(
            have.iter().map(String::as_str).collect::<BTreeSet<_>>(),
            want
        );
        let idx = PackageIndex::new(pkgs);
        let owner = |f: &str| idx.owner(f).map(|p| p.name.as_str());
        let lib = "/usr/lib/x86_64-linux-gnu";
        assert_eq!(owner(&format!("{lib}/libcrypto.so.3")), Some("libssl3"));
        assert_eq!(
            owner(&format!("{lib}/ossl-modules/legacy.so")),
            Some("libssl3")
        );
        assert_eq!(owner(&format!("{lib}/ossl-modules/fips.so")), None);
        assert_eq!(owner("/usr/bin/openssl"), Some("openssl"));
        assert_eq!(owner("/etc/ssl/openssl.cnf"), Some("openssl"));
        assert_eq!(owner("/lib/x86_64-linux-gnu/libc.so.6"), Some("libc6"));
        // A merged-/usr image stores libc under /usr/lib.
        assert_eq!(owner(&format!("{lib}/libc.so.6")), Some("libc6"));
    }

    #[test]
    fn distroless_status_d_and_md5sums() {
        let dir = fixture("dpkg-distroless/var/lib/dpkg/status.d");
        let mut pkgs = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none() {
                let one =
                    parse_dpkg_status(&std::fs::read_to_string(&path).unwrap(), &Distro::unknown());
                assert_eq!(
                    one.as_ref().map(Vec::len).ok(),
                    Some(1),
                    "{}",
                    path.display()
                );
                pkgs.extend(one.unwrap());
            }
        }
        assert_eq!(got(&pkgs), expected("dpkg/expected.txt"));
        attach_dir(
            &mut pkgs,
            "dpkg-distroless/var/lib/dpkg/status.d",
            ".md5sums",
        );
        let idx = PackageIndex::new(pkgs);
        let libssl3 = idx.owner("/usr/lib/x86_64-linux-gnu/libssl.so.3").unwrap();
        assert_eq!(libssl3.name, "libssl3");
        assert!(
            libssl3.purl.starts_with("pkg:deb/debian/libssl3@3.0."),
            "{}",
            libssl3.purl
        );
        assert!(!libssl3.purl.contains("distro="), "no os-release given");
        assert!(
            idx.owner("/usr/lib/x86_64-linux-gnu").is_none(),
            "md5sums list no dirs"
        );
    }

    #[test]
    fn real_host_status_matches_dpkg_query() {
        let pkgs = status("dpkg-host/status", &debian12());
        // Status-Abbrev's second letter n/c: not installed, config files only.
        let want: BTreeSet<(String, String, String)> = fixture_text("dpkg-host/expected.txt")
            .lines()
            .map(|l| l.split(' ').collect::<Vec<_>>())
            .filter(|r| !matches!(r[3].as_bytes().get(1), Some(b'n' | b'c')))
            .map(|r| (r[0].to_owned(), r[1].to_owned(), r[2].to_owned()))
            .collect();
        let have: BTreeSet<_> = pkgs
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.arch.clone().unwrap()))
            .collect();
        assert!(want.len() > 100, "{}", want.len());
        assert_eq!(have, want);
        assert_eq!(pkgs.len(), want.len(), "no duplicates");
    }

    #[test]
    fn states_continuations_and_sources() {
        let text = "Package: a\nStatus: deinstall ok config-files\nVersion: 1\n\n\
                    Package: b\r\nStatus: install ok unpacked\r\nVersion: 1:2.0-1\r\n\
                    Description: x\r\n more\r\n .\r\nSource: bsrc (1.9)\r\n \t \n\
                    Package: c\nStatus: purge ok not-installed\n\n\n\
                    Package: d\nversion: 3\nArchitecture: all";
        let pkgs = parse_dpkg_status(text, &Distro::unknown()).unwrap();
        let names: Vec<_> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["b", "d"]);
        assert_eq!(pkgs[0].version, "1:2.0-1");
        assert_eq!(pkgs[0].source_name.as_deref(), Some("bsrc"));
        assert_eq!(pkgs[0].purl, "pkg:deb/debian/b@1:2.0-1");
        assert_eq!(pkgs[1].purl, "pkg:deb/debian/d@3?arch=all");
        assert_eq!(parse_dpkg_status("", &Distro::unknown()).unwrap(), []);
    }

    #[test]
    fn malformed_status_is_an_error_with_a_line() {
        for (text, line, what) in [
            (" lead\n", 1, "continuation"),
            ("Package: a\nno colon here\n", 2, "Field: value"),
            ("Package: a\nbad key: v\n", 2, "field name"),
            ("Version: 1\n", 1, "without Package"),
            ("Package: a\nStatus: ok\n", 1, "want flag state"),
            (
                "\n\nPackage: a\nStatus: i o installed",
                3,
                "without Version",
            ),
        ] {
            let err = parse_dpkg_status(text, &Distro::unknown()).unwrap_err();
            let at = matches!(err, PackagesError::Syntax { line: l, .. } if l == line);
            assert!(at && err.to_string().contains(what), "{text:?}: {err}");
        }
        // Arbitrary characters never panic.
        let junk: String = (0..4096u32)
            .filter_map(|i| char::from_u32(i * 7919 % 0x2FF))
            .collect();
        let _ = parse_dpkg_status(&junk, &Distro::unknown());
    }

    #[test]
    fn list_md5sums_and_info_names() {
        let list = parse_dpkg_list("/.\n/usr\n/usr/bin/x y\r\n\nrel\n");
        assert_eq!(list, ["/usr", "/usr/bin/x y", "/rel"]);
        let sums = parse_dpkg_md5sums("0123abcd  usr/lib/a.so\nzz  bad\n0a *b\nnope\n");
        assert_eq!(sums, ["/usr/lib/a.so", "/b"]);
        let info = |f| dpkg_info_file_package(f);
        assert_eq!(
            info("info/libc6:amd64.list"),
            Some(("libc6".into(), Some("amd64".into())))
        );
        assert_eq!(info("openssl.md5sums"), Some(("openssl".into(), None)));
        assert_eq!(info("openssl.conffiles"), None);
        assert_eq!(info(":amd64.list"), None);
        let text = "Package: a\nVersion: 1\nArchitecture: i386\n";
        let mut pkgs = parse_dpkg_status(text, &Distro::unknown()).unwrap();
        assert!(!attach_files(&mut pkgs, "a", Some("amd64"), vec![]));
        assert!(attach_files(
            &mut pkgs,
            "a",
            Some("i386"),
            vec!["/x".into()]
        ));
        assert_eq!(pkgs[0].files, ["/x"]);
    }
}
