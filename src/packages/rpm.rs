//! rpm's package databases. All three store the same thing, one header blob
//! per installed package, keyed by a package number; they differ only in the
//! container: SQLite (`rpmdb.sqlite`: RHEL/UBI 9+, Fedora 33+, Azure Linux
//! 3), Berkeley DB hash (`Packages`: RHEL/UBI 8 and older, CentOS 7,
//! Amazon Linux 2) and ndb (`Packages.db`: SUSE).

pub mod bdb;
pub mod header;
pub mod ndb;
pub mod sqlite;

pub use bdb::parse_rpm_bdb;
pub use header::parse_rpm_header;
pub use ndb::parse_rpm_ndb;
pub use sqlite::parse_rpm_sqlite;

use super::purl::Distro;
use super::{Package, PackagesError};

/// Parses one database record and keeps it unless it is a `gpg-pubkey`
/// pseudo-package (an imported signing key: no ARCH, no files, nothing a
/// finding could be about).
fn push_header(
    out: &mut Vec<(u64, Package)>,
    format: &'static str,
    record: u64,
    blob: &[u8],
    distro: &Distro,
) -> Result<(), PackagesError> {
    let p = parse_rpm_header(blob, distro).map_err(|e| e.in_record(format, record))?;
    if p.name != "gpg-pubkey" {
        out.push((record, p));
    }
    Ok(())
}

/// Packages in package-number order (install order), whatever order the
/// container kept them in.
fn in_record_order(mut records: Vec<(u64, Package)>) -> Vec<Package> {
    records.sort_by_key(|(n, _)| *n);
    records.into_iter().map(|(_, p)| p).collect()
}

/// `openssl-3.0.7-27.el9.src.rpm` → `openssl`: the name is what is left
/// after dropping the suffix, the release and the version.
pub(crate) fn source_rpm_name(file: &str) -> Option<String> {
    let nvr = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (nv, _release) = nvr.rsplit_once('-')?;
    let (name, _version) = nv.rsplit_once('-')?;
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::packages::testutil::{fixture, fixture_bytes, fixture_text};
    use crate::packages::{PackageIndex, parse_os_release};
    use std::collections::BTreeSet;

    /// (hnum, blob) straight from the real rpmdb.sqlite, read with SQLite
    /// itself rather than the code under test.
    pub fn real_blobs() -> Vec<(u32, Vec<u8>)> {
        // immutable=1: a WAL-mode database would otherwise get -wal and
        // -shm files next to it, even when opened read-only.
        let path = fixture("rpm/sqlite/var/lib/rpm/rpmdb.sqlite");
        let uri = format!("file:{}?immutable=1", path.display());
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let db = rusqlite::Connection::open_with_flags(uri, flags).unwrap();
        let mut stmt = db
            .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.map(Result::unwrap).collect()
    }

    fn rhel() -> Distro {
        Distro::from_os_release(&parse_os_release("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n"))
    }

    /// What `rpm -qa` printed: "NAME EPOCHNUM:VERSION-RELEASE ARCH SOURCERPM".
    fn expected() -> BTreeSet<String> {
        let text = fixture_text("rpm/expected.txt");
        text.lines()
            .filter(|l| !l.starts_with("gpg-pubkey "))
            .map(str::to_owned)
            .collect()
    }

    fn summary(pkgs: &[Package]) -> BTreeSet<String> {
        pkgs.iter()
            .map(|p| {
                let evr = if p.epoch.is_some() {
                    p.version.clone()
                } else {
                    format!("0:{}", p.version)
                };
                let arch = p.arch.as_deref().unwrap_or("(none)");
                let src = p.source_name.as_deref().unwrap_or("(none)");
                let (_, vr) = p.version.split_once(':').unwrap_or(("", &p.version));
                format!("{} {evr} {arch} {src}-{vr}.src.rpm", p.name)
            })
            .collect()
    }

    /// Checks one backend's result against rpm's own answers.
    pub fn check_real(pkgs: &[Package]) {
        assert_eq!(summary(pkgs), expected());
        let names: Vec<&str> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "openssl-libs",
                "openssl-fips-provider",
                "openssl",
                "crypto-policies"
            ],
            "install order"
        );
        let files: BTreeSet<String> = pkgs
            .iter()
            .flat_map(|p| p.files.iter().map(move |f| format!("{} {f}", p.name)))
            .collect();
        let want: BTreeSet<String> = fixture_text("rpm/expected-files.txt")
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(files, want);

        let libs = pkgs.iter().find(|p| p.name == "openssl-libs").unwrap();
        assert_eq!(
            (libs.version.as_str(), libs.epoch),
            ("1:3.0.7-27.el9", Some(1))
        );
        assert_eq!(libs.arch.as_deref(), Some("x86_64"));
        assert_eq!(libs.source_name.as_deref(), Some("openssl"));
        assert_eq!(
            libs.purl,
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1"
        );
        let cp = pkgs.iter().find(|p| p.name == "crypto-policies").unwrap();
        assert_eq!(
            cp.purl,
            "pkg:rpm/redhat/crypto-policies@20240202-1.git283706d.el9?arch=noarch&distro=rhel-9.4"
        );

        let idx = PackageIndex::new(pkgs.to_vec());
        let owner = |f: &str| idx.owner(f).map(|p| p.name.as_str());
        assert_eq!(owner("/usr/lib64/libcrypto.so.3"), Some("openssl-libs"));
        assert_eq!(
            owner("/usr/lib64/.libcrypto.so.3.hmac"),
            Some("openssl-libs")
        );
        assert_eq!(
            owner("/usr/lib64/ossl-modules/fips.so"),
            Some("openssl-fips-provider")
        );
        assert_eq!(
            owner("/lib64/ossl-modules/fips.so"),
            Some("openssl-fips-provider")
        );
        assert_eq!(owner("/usr/bin/openssl"), Some("openssl"));
        assert_eq!(
            owner("/etc/crypto-policies/config"),
            Some("crypto-policies")
        );
        assert_eq!(owner("/usr/lib64/libfoo.so"), None);
    }

    #[test]
    fn real_sqlite_db() {
        check_real(
            &parse_rpm_sqlite(
                &fixture_bytes("rpm/sqlite/var/lib/rpm/rpmdb.sqlite"),
                &rhel(),
            )
            .unwrap(),
        );
    }

    #[test]
    fn real_bdb_little_endian_overflow_pages() {
        check_real(
            &parse_rpm_bdb(&fixture_bytes("rpm/bdb/var/lib/rpm/Packages"), &rhel()).unwrap(),
        );
    }

    #[test]
    fn real_bdb_big_endian_on_page_items() {
        check_real(
            &parse_rpm_bdb(&fixture_bytes("rpm/bdb-be/var/lib/rpm/Packages"), &rhel()).unwrap(),
        );
    }

    #[test]
    fn ndb_db() {
        check_real(
            &parse_rpm_ndb(
                &fixture_bytes("rpm/ndb/usr/lib/sysimage/rpm/Packages.db"),
                &rhel(),
            )
            .unwrap(),
        );
    }

    #[test]
    fn gpg_pubkey_header_is_real_and_skipped() {
        let blobs = real_blobs();
        let keys: Vec<Package> = blobs
            .iter()
            .map(|(_, b)| parse_rpm_header(b, &Distro::unknown()).unwrap())
            .filter(|p| p.name == "gpg-pubkey")
            .collect();
        assert_eq!(keys.len(), 1);
        let line = fixture_text("rpm/expected.txt")
            .lines()
            .find(|l| l.starts_with("gpg-pubkey "))
            .unwrap()
            .to_owned();
        assert_eq!(
            line,
            format!("gpg-pubkey 0:{} (none) (none)", keys[0].version)
        );
        assert_eq!((keys[0].arch.clone(), keys[0].files.len()), (None, 0));
    }

    #[test]
    fn every_truncation_of_real_headers_is_an_error() {
        for (_, blob) in real_blobs() {
            assert!(parse_rpm_header(&blob, &Distro::unknown()).is_ok());
            for cut in 0..blob.len() {
                assert!(
                    parse_rpm_header(&blob[..cut], &Distro::unknown()).is_err(),
                    "cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn mutated_real_headers_never_panic() {
        // xorshift: deterministic, no dependency.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for (_, blob) in real_blobs() {
            for _ in 0..3000 {
                let mut b = blob.clone();
                for _ in 0..1 + next() % 4 {
                    let at = (next() % b.len() as u64) as usize;
                    b[at] = next() as u8;
                }
                let _ = parse_rpm_header(&b, &Distro::unknown());
            }
        }
    }

    #[test]
    fn source_rpm_names() {
        let name = |f| source_rpm_name(f);
        assert_eq!(
            name("openssl-3.0.7-27.el9.src.rpm").as_deref(),
            Some("openssl")
        );
        let cp = "crypto-policies-20240202-1.git283706d.el9.src.rpm";
        assert_eq!(name(cp).as_deref(), Some("crypto-policies"));
        assert_eq!(name("a-1-1.nosrc.rpm").as_deref(), Some("a"));
        assert_eq!(name("(none)"), None);
        assert_eq!(name("-1-2.src.rpm"), None);
    }

    #[test]
    fn a_bad_record_names_itself() {
        let mut out = Vec::new();
        let err = push_header(&mut out, "rpm test", 42, b"\0\0", &Distro::unknown()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("rpm test record 42: rpm header:"),
            "{err}"
        );
    }
}
