//! OS package databases: which installed package owns a file, and that
//! package's purl, so a finding can name what to upgrade or replace.
//!
//! A pure library over bytes: the layer walk hands over the files that
//! [`db_kind_for_path`] selects, and the parsers turn them into [`Package`]s
//! with file lists; [`PackageIndex`] answers "who owns this path". Supported:
//! dpkg (`status`, `info/*.list`, distroless `status.d/`), apk
//! (`lib/apk/db/installed`), and rpm's three databases (sqlite, Berkeley DB
//! hash `Packages`, ndb `Packages.db`), all of which store the same header
//! blobs. Every parser bounds its work and memory by the input's size.

pub mod apk;
pub mod dpkg;
pub mod error;
pub mod purl;
pub mod rpm;

use std::collections::HashMap;

use serde::Serialize;

pub use apk::parse_apk_installed;
pub use dpkg::{
    attach_files, dpkg_info_file_package, parse_dpkg_list, parse_dpkg_md5sums, parse_dpkg_status,
};
pub use error::PackagesError;
pub use purl::{Distro, OsRelease, parse_os_release};
pub use rpm::{parse_rpm_bdb, parse_rpm_header, parse_rpm_ndb, parse_rpm_sqlite};

/// The package manager a package belongs to (the purl type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    Deb,
    Rpm,
    Apk,
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub kind: PackageType,
    pub name: String,
    /// As the package manager prints it: dpkg's Version (epoch included),
    /// rpm's `[epoch:]version-release`, apk's `version-rN`.
    pub version: String,
    /// rpm's EPOCH tag when the header has one (dpkg keeps it in `version`).
    pub epoch: Option<u32>,
    /// `None` when the database records none (an apk entry without `A:`, an
    /// rpm header without ARCH such as gpg-pubkey).
    pub arch: Option<String>,
    /// dpkg Source, rpm SOURCERPM's name, apk origin (`o:`).
    pub source_name: Option<String>,
    pub purl: String,
    /// Absolute paths as the database records them, directories included.
    pub files: Vec<String>,
}

impl Package {
    /// Rebuilds the purl for a distro learned after parsing (os-release may
    /// come later in the layer walk than the database).
    pub fn set_distro(&mut self, distro: &Distro) {
        self.purl = purl::package_purl(self, distro);
    }
}

/// What an image file is, for the package layer of the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbKind {
    /// `var/lib/dpkg/status`: [`parse_dpkg_status`].
    Dpkg,
    /// `var/lib/dpkg/info/NAME[:ARCH].list`: [`parse_dpkg_list`].
    DpkgList,
    /// Distroless `var/lib/dpkg/status.d/NAME`: one stanza, [`parse_dpkg_status`].
    DpkgStatusD,
    /// Distroless `var/lib/dpkg/status.d/NAME.md5sums`: [`parse_dpkg_md5sums`].
    DpkgStatusDMd5sums,
    /// `lib/apk/db/installed`: [`parse_apk_installed`].
    Apk,
    /// `rpmdb.sqlite`: [`parse_rpm_sqlite`].
    RpmSqlite,
    /// Berkeley DB `Packages`: [`parse_rpm_bdb`].
    RpmBdb,
    /// ndb `Packages.db`: [`parse_rpm_ndb`].
    RpmNdb,
    /// `etc/os-release`, `usr/lib/os-release`: [`parse_os_release`].
    OsRelease,
}

/// Which image paths hold package databases, so the layer walk knows what to
/// read. Takes an image path without its leading `/` (a leading `/` or `./`
/// is tolerated).
pub fn db_kind_for_path(path: &str) -> Option<DbKind> {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    let base = |dir: &str| {
        path.strip_prefix(dir)
            .filter(|n| !n.is_empty() && !n.contains('/'))
    };
    match path {
        "var/lib/dpkg/status" => return Some(DbKind::Dpkg),
        "lib/apk/db/installed" | "usr/lib/apk/db/installed" => return Some(DbKind::Apk),
        "etc/os-release" | "usr/lib/os-release" => return Some(DbKind::OsRelease),
        _ => {}
    }
    if let Some(name) = base("var/lib/dpkg/status.d/") {
        return Some(if name.ends_with(".md5sums") {
            DbKind::DpkgStatusDMd5sums
        } else {
            DbKind::DpkgStatusD
        });
    }
    if base("var/lib/dpkg/info/").is_some_and(|n| n.ends_with(".list")) {
        return Some(DbKind::DpkgList);
    }
    // Red Hat family: var/lib/rpm; SUSE and newer Fedora: usr/lib/sysimage/rpm;
    // old SUSE: usr/share/rpm.
    let name = ["var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/"]
        .iter()
        .find_map(|dir| base(dir))?;
    match name {
        "rpmdb.sqlite" => Some(DbKind::RpmSqlite),
        "Packages" => Some(DbKind::RpmBdb),
        "Packages.db" => Some(DbKind::RpmNdb),
        _ => None,
    }
}

/// Path → owning package, over the packages of one image.
#[derive(Debug, Clone, Default)]
pub struct PackageIndex {
    packages: Vec<Package>,
    by_path: HashMap<String, usize>,
}

impl PackageIndex {
    /// Indexes every recorded path. A path listed by several packages (a
    /// shared directory, a dpkg diversion) goes to the first one listed.
    pub fn new(packages: Vec<Package>) -> Self {
        let mut by_path = HashMap::new();
        for (i, p) in packages.iter().enumerate() {
            for f in &p.files {
                by_path.entry(normalize(f)).or_insert(i);
            }
        }
        PackageIndex { packages, by_path }
    }

    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// The package that owns `abs_path`. Merged-/usr images store
    /// `/usr/lib/x` while packages built before the merge list `/lib/x`
    /// (Debian 12's libc6), and the reverse happens too, so the other
    /// spelling is tried when the recorded one is missing.
    pub fn owner(&self, abs_path: &str) -> Option<&Package> {
        let path = normalize(abs_path);
        let alias = || {
            const MERGED: [&str; 6] = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];
            if let Some(rest) = path.strip_prefix("/usr/") {
                let top = rest.split('/').next().unwrap_or_default();
                MERGED.contains(&top).then(|| format!("/{rest}"))
            } else {
                let top = path
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or_default();
                MERGED.contains(&top).then(|| format!("/usr{path}"))
            }
        };
        let i = self
            .by_path
            .get(&path)
            .or_else(|| alias().and_then(|a| self.by_path.get(&a)))?;
        self.packages.get(*i)
    }
}

/// One spelling per path: a leading `/`, no `./`, no doubled or trailing `/`.
fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
        out.push('/');
        out.push_str(part);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::path::PathBuf;

    /// `$FIPSCAN_FIXTURES/work/packages/REL` (default `<repo>/target/fixtures`).
    /// Missing fixtures fail the test: they are built, not optional.
    pub fn fixture(rel: &str) -> PathBuf {
        let root = std::env::var_os("FIPSCAN_FIXTURES")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"));
        let path = root.join("work/packages").join(rel);
        assert!(
            path.exists(),
            "missing fixture {}: run `bash fixtures/build.sh` first",
            path.display()
        );
        path
    }

    pub fn fixture_bytes(rel: &str) -> Vec<u8> {
        std::fs::read(fixture(rel)).unwrap()
    }

    pub fn fixture_text(rel: &str) -> String {
        String::from_utf8(fixture_bytes(rel)).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_paths_are_recognised() {
        use DbKind::*;
        for (path, kind) in [
            ("var/lib/dpkg/status", Some(Dpkg)),
            ("/var/lib/dpkg/status", Some(Dpkg)),
            ("var/lib/dpkg/status-old", None),
            ("var/lib/dpkg/status.d/libc6", Some(DpkgStatusD)),
            (
                "var/lib/dpkg/status.d/libc6.md5sums",
                Some(DpkgStatusDMd5sums),
            ),
            ("var/lib/dpkg/status.d/", None),
            ("var/lib/dpkg/info/libc6:amd64.list", Some(DpkgList)),
            ("var/lib/dpkg/info/libc6:amd64.md5sums", None),
            ("var/lib/dpkg/info/x/y.list", None),
            ("lib/apk/db/installed", Some(Apk)),
            ("./usr/lib/apk/db/installed", Some(Apk)),
            ("var/lib/rpm/rpmdb.sqlite", Some(RpmSqlite)),
            ("var/lib/rpm/rpmdb.sqlite-wal", None),
            ("var/lib/rpm/Packages", Some(RpmBdb)),
            ("usr/lib/sysimage/rpm/Packages.db", Some(RpmNdb)),
            ("usr/lib/sysimage/rpm/rpmdb.sqlite", Some(RpmSqlite)),
            ("usr/share/rpm/Packages", Some(RpmBdb)),
            ("var/lib/rpm/Name", None),
            ("etc/os-release", Some(OsRelease)),
            ("usr/lib/os-release", Some(OsRelease)),
            ("opt/var/lib/dpkg/status", None),
        ] {
            assert_eq!(db_kind_for_path(path), kind, "{path}");
        }
    }

    fn pkg(name: &str, files: &[&str]) -> Package {
        Package {
            kind: PackageType::Deb,
            name: name.into(),
            version: "1".into(),
            epoch: None,
            arch: None,
            source_name: None,
            purl: String::new(),
            files: files.iter().map(|f| f.to_string()).collect(),
        }
    }

    #[test]
    fn set_distro_rebuilds_the_purl() {
        let mut p = pkg("libssl3", &[]);
        p.purl = purl::package_purl(&p, &Distro::unknown());
        assert_eq!(p.purl, "pkg:deb/debian/libssl3@1");
        p.set_distro(&Distro::from_os_release(&parse_os_release(
            "ID=ubuntu\nVERSION_ID=\"24.04\"\n",
        )));
        assert_eq!(p.purl, "pkg:deb/ubuntu/libssl3@1?distro=ubuntu-24.04");
    }

    #[test]
    fn index_owner_normalises_and_aliases_merged_usr() {
        let idx = PackageIndex::new(vec![
            pkg(
                "libc6",
                &["/lib", "/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/ldd"],
            ),
            pkg("other", &["/lib", "/usr/lib64/fips.so", "/opt/x"]),
        ]);
        let owner = |p: &str| idx.owner(p).map(|p| p.name.as_str());
        assert_eq!(owner("/lib/x86_64-linux-gnu/libc.so.6"), Some("libc6"));
        assert_eq!(owner("/usr/lib/x86_64-linux-gnu/libc.so.6"), Some("libc6"));
        assert_eq!(
            owner("usr//lib/./x86_64-linux-gnu/libc.so.6"),
            Some("libc6")
        );
        assert_eq!(owner("/bin/ldd"), Some("libc6"));
        assert_eq!(owner("/lib64/fips.so"), Some("other"));
        assert_eq!(owner("/lib"), Some("libc6"), "first lister wins");
        assert_eq!(
            owner("/usr/opt/x"),
            None,
            "only merged top-level dirs alias"
        );
        assert_eq!(owner("/nope"), None);
        assert_eq!(owner("/"), None);
        assert_eq!(idx.packages().len(), 2);
    }
}
