//! Whose OpenSSL build an image carries, read from the image itself: the
//! FIPS provider's own name, the owning packages (their purl namespace and
//! version) and os-release. A distro build that switches FIPS mode on from
//! the kernel flag is only in its vendor's validated environment on that
//! vendor's FIPS host, so the judgement names the vendor and the condition.
//!
//! Sources (signatures/README.md "Distro OpenSSL vendors"): Red Hat's and
//! SUSE's provider names are set by their patches (Red Hat: the EL9
//! provider; SUSE: openSUSE openssl-3 `openssl-FIPS-SUSE-FIPS-module-version.patch`,
//! "SUSE Linux Enterprise - OpenSSL FIPS Provider"); Ubuntu Pro FIPS
//! packages carry `+Fips` in their version (`3.0.5-0ubuntu0.1+Fips2.1`,
//! Canonical's module list) and its containers "run in FIPS mode as long as
//! the host has FIPS enabled", with the FIPS kernel "running in the host"
//! (Ubuntu discourse, FIPS in containers); SUSE's base-fips image is labelled
//! "should only be used on a FIPS enabled host (fips=1 on kernel cmdline)"
//! (SUSE/BCI-dockerfile-generator base-fips-image/Dockerfile).

use crate::judge::packages::ImagePackages;
use crate::report::PackageRef;
use crate::target::HostNeed;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// RHEL and its rebuilds (CentOS, AlmaLinux, Rocky): the same patches.
    RedHat,
    Suse,
    Ubuntu,
    AzureLinux,
    /// Wolfi and Chainguard's images: upstream OpenSSL with a pinned provider.
    Wolfi,
}

/// What the image says about who built its OpenSSL.
#[derive(Debug, Clone, Default)]
pub struct VendorFacts {
    /// os-release `ID`.
    pub os_id: Option<String>,
    /// The package that owns libcrypto.
    pub library: Option<PackageRef>,
    /// The package that owns the FIPS provider module.
    pub provider: Option<PackageRef>,
}

impl VendorFacts {
    /// Looks up the owners of `lib_path` and `provider_path` (image paths).
    pub fn read(pkgs: &ImagePackages, lib_path: &str, provider_path: Option<&str>) -> VendorFacts {
        VendorFacts {
            os_id: pkgs.os.as_ref().and_then(|o| o.id.clone()),
            library: pkgs.owner(lib_path),
            provider: provider_path.and_then(|p| pkgs.owner(p)),
        }
    }
}

pub fn package_text(p: &PackageRef) -> String {
    format!("{} {} ({})", p.name, p.version, p.purl)
}

/// A vendor, and what in the image named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorBuild {
    pub vendor: Vendor,
    pub named_by: String,
    /// os-release ID of a RHEL rebuild (almalinux, rocky, centos).
    pub rebuild: Option<String>,
}

/// RHEL and the rebuilds of its source; Fedora and Oracle Linux are left out:
/// Fedora's OpenSSL is not validated, Oracle validates on its own kernel.
const RED_HAT_IDS: [&str; 4] = ["rhel", "centos", "almalinux", "rocky"];

fn from_os_id(id: &str) -> Option<Vendor> {
    match id {
        _ if RED_HAT_IDS.contains(&id) => Some(Vendor::RedHat),
        "ubuntu" => Some(Vendor::Ubuntu),
        "sles" | "sles_sap" | "sled" | "sle-micro" | "sl-micro" => Some(Vendor::Suse),
        _ if id.starts_with("opensuse") => Some(Vendor::Suse),
        "azurelinux" | "mariner" => Some(Vendor::AzureLinux),
        "wolfi" | "chainguard" => Some(Vendor::Wolfi),
        _ => None,
    }
}

/// The purl namespace (`pkg:deb/ubuntu/...`), mapped as os-release IDs are.
fn from_purl(purl: &str) -> Option<Vendor> {
    let rest = purl.strip_prefix("pkg:")?;
    let mut parts = rest.split('/');
    let (_ty, ns) = (parts.next()?, parts.next()?);
    match ns {
        "redhat" => Some(Vendor::RedHat),
        "suse" | "opensuse" => Some(Vendor::Suse),
        other => from_os_id(other),
    }
}

fn from_provider_name(name: &str) -> Option<Vendor> {
    if name.contains("Red Hat") {
        Some(Vendor::RedHat)
    } else if name.contains("SUSE") {
        Some(Vendor::Suse)
    } else if name.starts_with("Ubuntu") {
        Some(Vendor::Ubuntu)
    } else {
        None
    }
}

/// Names the vendor: the provider's own name first, then an Ubuntu Pro FIPS
/// version (`+Fips`), then the owning packages' purls, then os-release, and
/// Red Hat's HMAC key in a 1.x library last.
pub fn identify(
    facts: &VendorFacts,
    provider_name: Option<&str>,
    red_hat_hmac_key: bool,
) -> Option<VendorBuild> {
    let packages = [&facts.provider, &facts.library];
    let (vendor, named_by) = provider_name
        .and_then(|n| from_provider_name(n).map(|v| (v, format!("provider name \"{n}\""))))
        .or_else(|| {
            packages.iter().copied().flatten().find_map(|p| {
                p.version.contains("+Fips").then(|| {
                    (
                        Vendor::Ubuntu,
                        format!("{} {} (an Ubuntu Pro FIPS version)", p.name, p.version),
                    )
                })
            })
        })
        .or_else(|| {
            packages.iter().copied().flatten().find_map(|p| {
                from_purl(&p.purl).map(|v| (v, format!("{} {} ({})", p.name, p.version, p.purl)))
            })
        })
        .or_else(|| {
            let id = facts.os_id.as_deref()?;
            from_os_id(id).map(|v| (v, format!("os-release ID={id}")))
        })
        .or_else(|| {
            red_hat_hmac_key.then(|| (Vendor::RedHat, "Red Hat's FIPS HMAC key".to_string()))
        })?;
    let rebuild = facts.os_id.clone().filter(|id| {
        vendor == Vendor::RedHat && id != "rhel" && RED_HAT_IDS.contains(&id.as_str())
    });
    Some(VendorBuild {
        vendor,
        named_by,
        rebuild,
    })
}

impl Vendor {
    pub fn name(self) -> &'static str {
        match self {
            Vendor::RedHat => "Red Hat",
            Vendor::Suse => "SUSE",
            Vendor::Ubuntu => "Ubuntu",
            Vendor::AzureLinux => "Azure Linux",
            Vendor::Wolfi => "Wolfi",
        }
    }

    /// The node the vendor's validation names, beyond the kernel flag.
    /// SUSE has no target of its own (no SLES node profile exists), so its
    /// condition is stated in words only.
    pub fn host(self) -> Option<HostNeed> {
        match self {
            Vendor::RedHat => Some(HostNeed::RhelFipsHost),
            Vendor::Ubuntu => Some(HostNeed::UbuntuFipsHost),
            Vendor::AzureLinux => Some(HostNeed::AzureLinuxFipsHost),
            Vendor::Suse | Vendor::Wolfi => None,
        }
    }

    /// The vendor's own condition, in words.
    pub fn condition(self) -> &'static str {
        match self {
            Vendor::RedHat => "Red Hat's validations name RHEL hosts as the operating environment",
            Vendor::Ubuntu => {
                "Ubuntu Pro FIPS modules in a container are in FIPS mode only with Ubuntu's FIPS kernel running on the host"
            }
            Vendor::Suse => {
                "SUSE labels its FIPS base image for FIPS-enabled hosts only (fips=1 on the kernel command line); its validation covers SUSE Linux Enterprise hosts, which no fipscan target describes"
            }
            Vendor::AzureLinux => "SymCrypt-OpenSSL's validation covers Azure Linux hosts",
            Vendor::Wolfi => "the provider is judged by its own version and configuration",
        }
    }

    /// What to install when the vendor's library has no provider.
    pub fn provider_package(self) -> &'static str {
        match self {
            Vendor::RedHat => "RHEL 9: the fips.so of openssl-libs / openssl-fips-provider",
            Vendor::Suse => "SUSE: libopenssl-3-fips-provider (/usr/lib64/ossl-modules/fips.so)",
            Vendor::Ubuntu => "Ubuntu Pro: openssl-fips-module-3 from fips-updates",
            Vendor::AzureLinux => "Azure Linux 3: SymCrypt-OpenSSL",
            Vendor::Wolfi => "Wolfi: openssl-provider-fips-3.1.2",
        }
    }
}

impl VendorBuild {
    /// `Ubuntu's build (libssl3 3.0.2-0ubuntu1.10+Fips1 (an Ubuntu Pro FIPS version))`.
    pub fn label(&self) -> String {
        match &self.rebuild {
            Some(id) => format!(
                "a Red Hat-family build ({}; {id} rebuilds RHEL's OpenSSL and is judged as Red Hat's: its own certificate, if any, is not checked)",
                self.named_by
            ),
            None => format!("{}'s build ({})", self.vendor.name(), self.named_by),
        }
    }
}

#[cfg(test)]
mod tests;
