//! Which OS package owns each component: the package databases found in
//! the final filesystem (dpkg, apk, rpm), with purls qualified by the
//! distro that os-release names.

use serde::Serialize;

use crate::detect::FileFacts;
use crate::layer::squash::FsView;
use crate::packages::{self as pk, Distro, OsRelease, PackageIndex};
use crate::report::{Component, PackageRef};

#[derive(Debug, Clone, Serialize)]
pub struct OsInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// Installed packages found in the image's package databases.
    pub packages: usize,
    /// `/etc/crypto-policies/config` (RHEL family), e.g. `FIPS` or `DEFAULT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crypto_policy: Option<String>,
}

/// The image's package databases and os-release, read once: the OpenSSL
/// judgement names the package (and so the vendor) of a library, and
/// [`attach`] ties every component to its package.
pub struct ImagePackages {
    pub os: Option<OsRelease>,
    /// Every installed package (name order), for SBOM outputs.
    pub installed: Vec<PackageRef>,
    count: usize,
    index: PackageIndex,
}

impl ImagePackages {
    pub fn read(view: &FsView) -> ImagePackages {
        let os: Option<OsRelease> = ["etc/os-release", "usr/lib/os-release"]
            .iter()
            .find_map(|p| view.text(p))
            .map(pk::parse_os_release);
        let distro = os
            .as_ref()
            .map_or_else(Distro::unknown, Distro::from_os_release);
        let mut packages = Vec::new();
        let mut lists = Vec::new();
        for vn in view.nodes.values() {
            match vn.node.facts.as_deref() {
                Some(FileFacts::Packages { packages: found }) => {
                    packages.extend(found.iter().cloned())
                }
                Some(FileFacts::PackageFiles {
                    package,
                    arch,
                    files,
                }) => lists.push((package, arch, files)),
                _ => {}
            }
        }
        for (name, arch, files) in lists {
            pk::attach_files(&mut packages, name, arch.as_deref(), files.clone());
        }
        for p in &mut packages {
            p.set_distro(&distro);
        }
        let count = packages.len();
        let mut installed: Vec<PackageRef> = packages.iter().map(package_ref).collect();
        installed
            .sort_by(|a, b| (&a.name, &a.version, &a.purl).cmp(&(&b.name, &b.version, &b.purl)));
        installed.dedup();
        ImagePackages {
            os,
            installed,
            count,
            index: PackageIndex::new(packages),
        }
    }

    /// The package that owns an image path (`usr/lib/x` or `/usr/lib/x`).
    pub fn owner(&self, image_path: &str) -> Option<PackageRef> {
        let abs = format!("/{}", image_path.trim_start_matches('/'));
        self.index.owner(&abs).map(package_ref)
    }
}

fn package_ref(p: &pk::Package) -> PackageRef {
    PackageRef {
        name: p.name.clone(),
        version: p.version.clone(),
        purl: p.purl.clone(),
    }
}

/// Ties each component to its owning package and describes the OS.
pub fn attach(pkgs: &ImagePackages, view: &FsView, components: &mut [Component]) -> Option<OsInfo> {
    for c in components.iter_mut() {
        // A nested jar belongs to the package of the file that holds it.
        let file = c.path.split("!/").next().unwrap_or(&c.path);
        if let Some(owner) = pkgs.owner(file) {
            c.package = Some(owner);
        }
    }
    let (os, count) = (&pkgs.os, pkgs.count);
    let crypto_policy = view
        .text("etc/crypto-policies/config")
        .and_then(|t| {
            t.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
        })
        .map(str::to_string);
    (os.is_some() || count > 0 || crypto_policy.is_some()).then(|| OsInfo {
        id: os.as_ref().and_then(|o| o.id.clone()),
        version_id: os.as_ref().and_then(|o| o.version_id.clone()),
        pretty_name: os.as_ref().and_then(|o| o.pretty_name.clone()),
        packages: count,
        crypto_policy,
    })
}
