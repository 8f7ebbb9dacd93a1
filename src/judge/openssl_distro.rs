//! Distro-patched OpenSSL: Red Hat-family and Ubuntu builds that switch FIPS mode on by
//! themselves from the kernel flag (or `OPENSSL_FORCE_FIPS_MODE`) instead of
//! from openssl.cnf, and whose 1.x FIPS self-test checks `.hmac` integrity
//! files. What each check expects was established by running the real
//! libraries (fixtures/parts/rhel.sh, signatures/openssl.toml).

use super::Judgement;
use super::link::{Lib, elf_facts};
use crate::finding::Code;
use crate::image::ImageConfig;
use crate::layer::NodeKind;
use crate::layer::path;
use crate::layer::squash::FsView;
use crate::report::Evidence;
use crate::score::Status;
use crate::target::HostNeed;

use super::openssl_vendor::VendorBuild;

/// The file whose presence RHEL 7's 1.0.2 wants before it switches FIPS
/// mode on at load (signatures: openssl.system-fips-file).
const SYSTEM_FIPS: &str = "etc/system-fips";
/// Where CRI-O and podman on a FIPS RHEL host mount the host's marker; UBI
/// images link /etc/system-fips to it.
pub const RUNTIME_SYSTEM_FIPS: &str = "run/secrets/system-fips";
const FORCE_ENV: &str = "OPENSSL_FORCE_FIPS_MODE";
/// Ubuntu's switch reads the file this names instead of the kernel flag.
const SWITCH_PATH_ENV: &str = "OPENSSL_FIPS_MODE_SWITCH_PATH";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HmacState {
    Matches,
    Missing,
    /// The file's content, trimmed, when it is not the library's HMAC.
    Mismatch(String),
    /// The library itself is not in the directory under that name.
    LibraryMissing,
}

/// One integrity file Red Hat's FIPS self-test reads.
#[derive(Debug, Clone)]
pub struct HmacCheck {
    /// Image path of `.<name>.hmac`.
    pub hmac_path: String,
    /// Image path of the library it covers, as the loader names it.
    pub lib_path: String,
    pub state: HmacState,
}

/// How the image provides `/etc/system-fips`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemFips {
    /// A file in the image: FIPS mode follows the kernel flag alone.
    File,
    /// A link to the secret CRI-O/podman mount from a FIPS RHEL host.
    RuntimeLink(String),
    Absent,
}

/// The distro-specific facts of one OpenSSL installation.
#[derive(Debug, Clone, Default)]
pub struct DistroState {
    pub integrity: Vec<HmacCheck>,
    /// Only for libraries that need the file (RHEL 7's 1.0.2).
    pub system_fips: Option<SystemFips>,
    /// `OPENSSL_FORCE_FIPS_MODE=<value>` from the image Env, when the
    /// library honours it, or Ubuntu's switch file when it holds 1: FIPS
    /// mode is on whatever the node.
    pub forced_by: Option<String>,
    /// What in the image Env keeps the kernel-flag switch off whatever the
    /// node (Ubuntu's switch: `OPENSSL_FORCE_FIPS_MODE=0`, or a switch file
    /// that does not hold 1).
    pub switched_off: Option<String>,
}

/// Checks the `.hmac` files the library's self-test reads in FIPS mode:
/// `.<name>.hmac` beside libcrypto and beside the libssl of the same
/// suffix, where `<name>` is the name the program loads (its SONAME). Both
/// must hold the lowercase hex HMAC-SHA256 of the file (verified on CentOS
/// 7's 1.0.2k and AlmaLinux 8's 1.1.1k: any other name, a missing libssl
/// one or a stale value aborts the load with FATAL FIPS SELFTEST FAILURE).
fn integrity(lib: Lib<'_>, view: &FsView) -> Vec<HmacCheck> {
    let dir = path::parent(lib.path);
    let name = lib
        .facts
        .soname
        .clone()
        .unwrap_or_else(|| path::file_name(lib.path).to_string());
    // The pair shares its suffix (libcrypto.so.10 / libssl.so.10); libssl's
    // own version text leads here too.
    let (crypto, ssl) = if let Some(rest) = name.strip_prefix("libcrypto") {
        (name.clone(), format!("libssl{rest}"))
    } else if let Some(rest) = name.strip_prefix("libssl") {
        (format!("libcrypto{rest}"), name.clone())
    } else {
        return Vec::new();
    };
    [crypto, ssl]
        .into_iter()
        .map(|name| {
            let lib_path = path::join(dir, &name);
            let hmac_path = path::join(dir, &format!(".{name}.hmac"));
            let expected = view
                .resolve(&lib_path)
                .and_then(|(_, n)| elf_facts(n))
                .and_then(|f| f.rh_hmac.clone());
            let state = match (expected, view.text(&hmac_path)) {
                (None, _) => HmacState::LibraryMissing,
                (Some(_), None) => HmacState::Missing,
                (Some(want), Some(have)) => {
                    let have = have.trim();
                    if have.eq_ignore_ascii_case(&want) {
                        HmacState::Matches
                    } else {
                        HmacState::Mismatch(have.chars().take(80).collect())
                    }
                }
            };
            HmacCheck {
                hmac_path,
                lib_path,
                state,
            }
        })
        .collect()
}

/// How the image provides the host-FIPS marker file `at` (an image path,
/// `etc/system-fips`): RHEL 7's OpenSSL and older GnuTLS FIPS builds switch
/// FIPS mode on only when it exists.
pub fn system_fips_at(view: &FsView, at: &str) -> SystemFips {
    let at = at.trim_start_matches('/');
    match view.nodes.get(at).map(|n| &n.node.kind) {
        Some(NodeKind::Symlink(target)) => {
            let to = path::resolve_link_target(at, target);
            match view.resolve(at) {
                Some((_, n)) if matches!(n.node.kind, NodeKind::File) => SystemFips::File,
                _ if to == RUNTIME_SYSTEM_FIPS => SystemFips::RuntimeLink(target.clone()),
                _ => SystemFips::Absent,
            }
        }
        Some(NodeKind::File | NodeKind::Hardlink(_)) => SystemFips::File,
        _ => SystemFips::Absent,
    }
}

/// What the image Env decides for Ubuntu's switch (its `fips_mode.c`, run in
/// fixtures/parts/ubuntu.sh): `OPENSSL_FORCE_FIPS_MODE` first ("0" off, any
/// other value on), else the file `OPENSSL_FIPS_MODE_SWITCH_PATH` names
/// replaces the kernel flag (on only when its first byte is `1`; a missing
/// file is off). `(forced_by, switched_off)`; both `None` leave it to the node.
fn ubuntu_switch(view: &FsView, config: &ImageConfig) -> (Option<String>, Option<String>) {
    if let Some(v) = config.env_var(FORCE_ENV) {
        let set = format!("{FORCE_ENV}={v}");
        return if v == "0" {
            (None, Some(set))
        } else {
            (Some(set), None)
        };
    }
    let Some(file) = config.env_var(SWITCH_PATH_ENV) else {
        return (None, None);
    };
    let set = format!("{SWITCH_PATH_ENV}={file}");
    let at = file.trim_start_matches('/');
    match view.text(at) {
        Some(t) if t.starts_with('1') => (Some(format!("{set} (holds 1)")), None),
        Some(_) => (None, Some(format!("{set} (does not hold 1)"))),
        // A file fipscan keeps no text of (only crypto configuration is
        // read): its content decides, which the scan cannot tell.
        None if view.resolve(at).is_some() => (None, None),
        None => (None, Some(format!("{set} (not in the image)"))),
    }
}

pub fn inspect(lib: Lib<'_>, view: &FsView, config: &ImageConfig) -> DistroState {
    let Some(text) = lib.facts.openssl.as_ref() else {
        return DistroState::default();
    };
    let d = &text.distro;
    let legacy = text.version.starts_with("1.");
    if d.kernel_switch && d.switch_path_env && !legacy {
        let (forced_by, switched_off) = ubuntu_switch(view, config);
        return DistroState {
            forced_by,
            switched_off,
            ..DistroState::default()
        };
    }
    DistroState {
        integrity: if d.hmac_integrity && text.fips_build {
            integrity(lib, view)
        } else {
            Vec::new()
        },
        system_fips: (d.system_fips_file && text.fips_build && text.version.starts_with("1.0."))
            .then(|| system_fips_at(view, SYSTEM_FIPS)),
        forced_by: d
            .force_env
            .then(|| config.env_var(FORCE_ENV))
            .flatten()
            .filter(|v| forces(v, legacy))
            .map(|v| format!("{FORCE_ENV}={v}")),
        switched_off: None,
    }
}

/// 1.x forces FIPS mode on for any value; the OpenSSL 3 patches read "0" as off.
fn forces(value: &str, legacy: bool) -> bool {
    legacy || value != "0"
}

impl DistroState {
    pub fn evidence(&self) -> Vec<Evidence> {
        let mut ev: Vec<Evidence> = self
            .integrity
            .iter()
            .map(|c| {
                let what = match &c.state {
                    HmacState::Matches => format!("matches /{}", c.lib_path),
                    HmacState::Missing => format!("missing (covers /{})", c.lib_path),
                    HmacState::Mismatch(v) => {
                        format!("holds {v}, not the HMAC of /{}", c.lib_path)
                    }
                    HmacState::LibraryMissing => format!("/{} is not in the image", c.lib_path),
                };
                Evidence::new("fips-integrity", format!("/{}: {what}", c.hmac_path))
            })
            .collect();
        match &self.system_fips {
            Some(SystemFips::File) => ev.push(Evidence::new("file", format!("/{SYSTEM_FIPS}"))),
            Some(SystemFips::RuntimeLink(t)) => ev.push(Evidence::new(
                "file",
                format!("/{SYSTEM_FIPS} -> {t} (mounted by the container runtime)"),
            )),
            Some(SystemFips::Absent) => ev.push(Evidence::new(
                "file",
                format!("/{SYSTEM_FIPS} is not in the image"),
            )),
            None => {}
        }
        if let Some(f) = &self.forced_by {
            ev.push(Evidence::new("image-env", f.clone()));
        }
        if let Some(f) = &self.switched_off {
            ev.push(Evidence::new(
                "image-env",
                format!("{f}: keeps the kernel-flag switch off"),
            ));
        }
        ev
    }

    fn broken_integrity(&self) -> Option<&HmacCheck> {
        self.integrity
            .iter()
            .find(|c| c.state != HmacState::Matches)
    }

    /// A Red Hat-family 1.x FIPS build (`-fips` / ` FIPS ` in its version text).
    pub fn judge_legacy_build(&self, label: &str, red_hat: bool, j: &mut Judgement) {
        j.code = Code::OpensslLegacy;
        if let Some(bad) = self.broken_integrity() {
            j.status = Status::NonFips;
            j.code = Code::OpensslFipsIntegrity;
            let what = match bad.state {
                HmacState::Missing => "is missing",
                HmacState::LibraryMissing => "covers a library the directory lacks",
                _ => "does not match the library",
            };
            j.summary = format!(
                "uses {label}, a Red Hat FIPS build whose integrity file /{} {what}: on a FIPS node it aborts at load (FATAL FIPS SELFTEST FAILURE)",
                bad.hmac_path
            );
            j.remediation = Some(format!(
                "ship the distro's openssl-libs unmodified (its .hmac files cover the libraries as packaged), or regenerate /{} with `fipshmac` after changing /{}",
                bad.hmac_path, bad.lib_path
            ));
            return;
        }
        if self.system_fips == Some(SystemFips::Absent) {
            j.status = Status::FipsCapable;
            j.code = Code::OpensslSystemFipsMissing;
            j.summary = format!(
                "uses {label}, a Red Hat FIPS build that switches FIPS mode on only when /{SYSTEM_FIPS} exists; the image has none, so it stays out of FIPS mode even on a FIPS node"
            );
            j.remediation = Some(format!(
                "link /{SYSTEM_FIPS} to /{RUNTIME_SYSTEM_FIPS} (as UBI does: the FIPS host's runtime mounts it), or create the file"
            ));
            return;
        }
        j.status = Status::HostDependent;
        j.fips_mode_on = true;
        let mut on = match &self.forced_by {
            Some(f) => format!("{f} in the image Env forces FIPS mode on"),
            None => {
                j.needs.push(HostNeed::KernelFipsMode);
                "it enters FIPS mode on a FIPS host".to_string()
            }
        };
        if let Some(SystemFips::RuntimeLink(_)) = self.system_fips {
            j.needs.push(HostNeed::RuntimeFipsSecrets);
            on.push_str(&format!(
                " (with /{SYSTEM_FIPS} from the container runtime)"
            ));
        }
        if red_hat {
            // Red Hat's validations name RHEL as the operating environment.
            j.needs.push(HostNeed::RhelFipsHost);
        }
        if !self.integrity.is_empty() {
            on.push_str("; its .hmac integrity files match");
        }
        j.summary = format!("uses {label}, a vendor FIPS build: {on}");
    }

    /// An OpenSSL 3 whose distro patch loads a FIPS provider when the kernel
    /// flag is set: the OpenSSL FIPS provider with fips=yes (Fedora/RHEL 9
    /// and SUSE `Force-fips` patches), or SymCrypt first (Azure Linux 3).
    /// `loads` says what it loads then ("<provider> with fips=yes"),
    /// `vendor` whose build it is (and so the node its validation names).
    pub fn judge_kernel_switch(
        &self,
        label: &str,
        loads: Option<&str>,
        vendor: Option<&VendorBuild>,
        dir: &str,
        j: &mut Judgement,
    ) {
        let build = vendor.map_or_else(|| "a distro build".to_string(), |v| v.label());
        let Some(loads) = loads else {
            j.status = Status::NonFips;
            j.code = Code::OpensslNoFipsProvider;
            let forced = self.forced_by.as_ref().map_or_else(String::new, |f| {
                format!(" ({f} in the image Env forces it on any node)")
            });
            j.summary = format!(
                "uses {label}, {build} that switches to FIPS mode from the node's kernel flag{forced}, but it has no FIPS provider (no fips.so in {dir}): FIPS mode cannot work"
            );
            let install = vendor.map_or(
                "RHEL 9: the fips.so of openssl-libs / openssl-fips-provider",
                |v| v.vendor.provider_package(),
            );
            j.remediation = Some(format!(
                "install the distro's FIPS provider package with the library ({install}), or use the vendor's base image unmodified"
            ));
            return;
        };
        j.status = Status::HostDependent;
        j.code = Code::OpensslKernelSwitch;
        j.fips_mode_on = true;
        let on = match &self.forced_by {
            Some(f) => format!("({f} in the image Env forces it)"),
            None => {
                j.needs.push(HostNeed::KernelFipsMode);
                "when the node's kernel runs in FIPS mode".to_string()
            }
        };
        j.needs.extend(vendor.and_then(|v| v.vendor.host()));
        let condition = vendor.map_or_else(String::new, |v| format!("; {}", v.vendor.condition()));
        j.summary = format!(
            "uses {label}, {build} that loads {loads} {on}{condition}; the provider's certificate is the vendor's, not checked by fipscan"
        );
        j.remediation = None;
    }
}

#[cfg(test)]
mod tests;
