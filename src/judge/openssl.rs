//! One OpenSSL installation as a program in the image sees it: the
//! libcrypto it loads, that library's version, the FIPS provider in the
//! modules directory it loads providers from (with the provider's own
//! version, read from fips.so), and the configuration that decides whether
//! the provider is activated and enforced.

use super::Judgement;
use super::link::{Lib, elf_facts};
use super::openssl_config::{self, Conf, ConfFs};
use super::openssl_distro::{self, DistroState};
use super::openssl_vendor::{self, Vendor, VendorBuild, VendorFacts};
use crate::detect::FileFacts;
use crate::finding::Code;
use crate::image::ImageConfig;
use crate::layer::path;
use crate::layer::squash::FsView;
use crate::report::Evidence;
use crate::score::Status;
use crate::signatures::{self as sig, Signatures};

/// The FIPS provider module a libcrypto would load.
#[derive(Debug, Clone)]
pub struct Provider {
    pub path: String,
    pub layer: String,
    /// As the provider names itself, e.g. `OpenSSL FIPS Provider`.
    pub name: Option<String>,
    /// The provider's own version (not libcrypto's): a 3.0.9 provider can run under a 3.3 libcrypto.
    pub version: Option<String>,
}

/// What the effective configuration does with the FIPS provider.
#[derive(Debug, Clone, Default)]
pub struct FipsConfig {
    /// The openssl.cnf in effect (image path), and why it is the one.
    pub path: String,
    pub source: &'static str,
    pub exists: bool,
    /// Files read, the main one first, then its includes.
    pub files: Vec<String>,
    /// A provider section loads fips.so with `activate` set.
    pub activated: bool,
    pub fips_section: Option<String>,
    /// The init section the application key (`openssl_conf`…) names.
    pub init_section: Option<String>,
    /// The section carries the `module-mac` written by `openssl fipsinstall`;
    /// without it the provider fails its self-test and does not load.
    pub module_mac: bool,
    /// `install-status` baked into fipsmodule.cnf (README-FIPS: must not be copied between machines).
    pub install_status: bool,
    pub default_properties: Option<String>,
    /// `default_properties` contains `fips=yes` (not just the `?fips=yes` preference).
    pub enforced: bool,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct OpensslInstall {
    pub lib_path: String,
    pub layer: String,
    pub text: Option<String>,
    pub version: Option<String>,
    pub fips_build: bool,
    /// Where providers are loaded from, and why.
    pub modulesdir: Option<(String, &'static str)>,
    pub provider: Option<Provider>,
    /// Azure Linux 3's libcrypto loads this one first on a FIPS host.
    pub symcrypt: Option<Provider>,
    pub config: Option<FipsConfig>,
    /// Distro patches: the kernel-flag switch, `.hmac` integrity files.
    pub distro_facts: crate::detect::openssl::DistroFips,
    pub distro: DistroState,
    /// Who built it, as the image's packages and os-release say.
    pub vendor_facts: VendorFacts,
}

/// The name OpenSSL's own FIPS provider reports (3.0 to 3.3; a default
/// FIPS_VENDOR later); vendors' builds name themselves.
const UPSTREAM_PROVIDER_NAME: &str = "OpenSSL FIPS Provider";

/// The image as OpenSSL's config reader sees it.
struct ViewFs<'a>(&'a FsView);

impl ConfFs for ViewFs<'_> {
    fn read(&self, p: &str) -> Option<(String, String)> {
        let (resolved, node) = self.0.resolve(p)?;
        match node.node.facts.as_deref() {
            Some(FileFacts::Text { text }) => Some((resolved, text.clone())),
            _ => None,
        }
    }
    fn list_dir(&self, dir: &str) -> Vec<String> {
        let Some((resolved, _)) = self.0.resolve(dir) else {
            return Vec::new();
        };
        self.0
            .nodes
            .range(format!("{resolved}/")..format!("{resolved}0"))
            .map(|(k, _)| k)
            .filter(|k| path::parent(k) == resolved)
            .cloned()
            .collect()
    }
}

fn truthy(v: &str) -> bool {
    // OpenSSL 3.0/3.1 activate on any value; 3.2+ parse a boolean. Only an
    // explicit false value is taken as "not activated".
    !matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "0" | "no" | "false" | "off" | "n"
    )
}

/// Reads the FIPS-relevant part of an NCONF configuration (fips_module(7)),
/// as a program that loads the `appname` section sees it (`openssl_conf`
/// for OpenSSL's own default; Node reads `nodejs_conf`).
fn analyse_config(conf: &Conf, provider_file: &str, appname: &str) -> FipsConfig {
    let mut out = FipsConfig {
        files: conf.files.clone(),
        problems: conf.problems.clone(),
        ..Default::default()
    };
    let Some(init) = conf.get("default", appname) else {
        out.problems.push(format!(
            "no `{appname}` in the default section: no providers are configured"
        ));
        return out;
    };
    out.init_section = Some(init.to_string());
    let providers = conf.get(init, "providers");
    for (name, section) in providers
        .and_then(|p| conf.section(p))
        .into_iter()
        .flatten()
    {
        let Some(s) = conf.section(section) else {
            continue;
        };
        // A provider is found by `module = …/fips.so`, else by its name (`fips` -> fips.so).
        let module_is_fips = s
            .get("module")
            .map_or(format!("{name}.so") == provider_file, |m| {
                path::file_name(m) == provider_file
            });
        if !module_is_fips {
            continue;
        }
        out.fips_section = Some(section.clone());
        out.activated = s.get("activate").is_some_and(|v| truthy(v));
        out.module_mac = s.contains_key("module-mac");
        out.install_status = s.contains_key("install-status");
    }
    out.default_properties = conf
        .get(init, "alg_section")
        .and_then(|a| conf.get(a, "default_properties"))
        .map(str::to_string);
    out.enforced = out
        .default_properties
        .as_deref()
        .is_some_and(|p| p.split(',').any(|prop| prop.trim() == "fips=yes"));
    out
}

impl OpensslInstall {
    pub fn inspect(
        lib: Lib<'_>,
        view: &FsView,
        config: &ImageConfig,
        sigs: &Signatures,
    ) -> OpensslInstall {
        OpensslInstall::inspect_app(lib, view, config, sigs, "openssl_conf")
    }

    /// As `inspect`, for a program that reads the `appname` section of the
    /// configuration instead of `openssl_conf`.
    pub fn inspect_app(
        lib: Lib<'_>,
        view: &FsView,
        config: &ImageConfig,
        sigs: &Signatures,
        appname: &str,
    ) -> OpensslInstall {
        OpensslInstall::inspect_conf(lib, view, config, sigs, appname, None)
    }

    /// As `inspect_app`, reading `conf` (an image path and why) instead of
    /// OPENSSL_CONF or OPENSSLDIR's openssl.cnf when given: Node's
    /// `--openssl-config`.
    pub fn inspect_conf(
        lib: Lib<'_>,
        view: &FsView,
        config: &ImageConfig,
        sigs: &Signatures,
        appname: &str,
        conf: Option<(&str, &'static str)>,
    ) -> OpensslInstall {
        let text = lib.facts.openssl.as_ref();
        let modulesdir = match config.env_var("OPENSSL_MODULES") {
            Some(dir) if !dir.is_empty() => {
                Some((dir.to_string(), "OPENSSL_MODULES in the image Env"))
            }
            _ => text
                .and_then(|t| t.modulesdir.clone())
                .map(|d| (d, "compiled-in MODULESDIR")),
        };
        let provider_file = sigs.pattern(sig::OPENSSL_FIPS_PROVIDER_FILE);
        let provider = modulesdir.as_ref().and_then(|(dir, _)| {
            let (p, node) = view.resolve(&path::join(dir, provider_file))?;
            let facts = elf_facts(node).and_then(|f| f.openssl.as_ref());
            Some(Provider {
                path: p,
                layer: view.layer_id(node.layer).to_string(),
                name: facts.and_then(|f| f.provider_name.clone()),
                version: facts
                    .and_then(|f| {
                        f.provider_version
                            .clone()
                            .or_else(|| Some(f.version.clone()))
                    })
                    // SUSE's provider reports no version fipscan can read.
                    .filter(|v| !v.is_empty()),
            })
        });
        let symcrypt = modulesdir
            .as_ref()
            .filter(|_| text.is_some_and(|t| t.distro.symcrypt_autoload))
            .and_then(|(dir, _)| {
                let file = sigs.pattern(sig::OPENSSL_SYMCRYPT_PROVIDER_FILE);
                let (p, node) = view.resolve(&path::join(dir, file))?;
                Some(Provider {
                    path: p,
                    layer: view.layer_id(node.layer).to_string(),
                    name: Some("SymCrypt provider".into()),
                    version: None,
                })
            });
        let conf_path = match (conf, config.env_var("OPENSSL_CONF")) {
            (Some((p, why)), _) => Some((p.to_string(), why)),
            (None, Some(p)) if !p.is_empty() => {
                Some((p.to_string(), "OPENSSL_CONF in the image Env"))
            }
            _ => text
                .and_then(|t| t.openssldir.as_ref())
                .map(|d| (path::join(d, "openssl.cnf"), "compiled-in OPENSSLDIR")),
        };
        // Read before `config` names the openssl.cnf below.
        let distro = openssl_distro::inspect(lib, view, config);
        let config = conf_path.map(|(p, source)| {
            let fs = ViewFs(view);
            match openssl_config::load(&fs, &p) {
                Some(conf) => FipsConfig {
                    path: conf.files.first().cloned().unwrap_or_default(),
                    source,
                    exists: true,
                    ..analyse_config(&conf, provider_file, appname)
                },
                None => FipsConfig {
                    path: p.trim_start_matches('/').to_string(),
                    source,
                    problems: vec![format!(
                        "{p} is not in the image: OpenSSL runs with built-in defaults"
                    )],
                    ..Default::default()
                },
            }
        });
        OpensslInstall {
            lib_path: lib.path.to_string(),
            layer: view.layer_id(lib.node.layer).to_string(),
            text: text.map(|t| t.text.clone()),
            version: text.map(|t| t.version.clone()),
            fips_build: text.is_some_and(|t| t.fips_build),
            modulesdir,
            provider,
            symcrypt,
            config,
            distro_facts: text.map(|t| t.distro.clone()).unwrap_or_default(),
            distro,
            vendor_facts: VendorFacts::default(),
        }
    }

    /// Adds the owning packages of the library and its provider, and the
    /// image's os-release ID, from the image's package databases.
    pub fn with_vendor(mut self, pkgs: &super::packages::ImagePackages) -> OpensslInstall {
        self.vendor_facts = VendorFacts::read(
            pkgs,
            &self.lib_path,
            self.provider.as_ref().map(|p| p.path.as_str()),
        );
        self
    }

    /// The vendor of a distro build, as far as the image tells.
    pub fn vendor(&self) -> Option<VendorBuild> {
        if self.symcrypt.is_some() {
            return Some(VendorBuild {
                vendor: Vendor::AzureLinux,
                named_by: "its libcrypto loads SymCrypt-OpenSSL".into(),
                rebuild: None,
            });
        }
        openssl_vendor::identify(
            &self.vendor_facts,
            self.provider.as_ref().and_then(|p| p.name.as_deref()),
            self.distro_facts.hmac_integrity,
        )
    }

    pub fn label(&self) -> String {
        match &self.version {
            Some(v) => format!("OpenSSL {v} (/{})", self.lib_path),
            None => format!("OpenSSL of unknown version (/{})", self.lib_path),
        }
    }

    pub fn provider_label(&self) -> Option<String> {
        let p = self.provider.as_ref()?;
        let label = format!(
            "{} {}",
            p.name.as_deref().unwrap_or("FIPS provider"),
            p.version.as_deref().unwrap_or("of unknown version")
        );
        // The package names the build when the module's own name does not
        // (Wolfi's openssl-provider-fips-3.1.2, Ubuntu's openssl-fips-module-3).
        Some(match &self.vendor_facts.provider {
            Some(pkg) => format!("{label} (package {} {})", pkg.name, pkg.version),
            None => label,
        })
    }

    pub fn evidence(&self) -> Vec<Evidence> {
        let mut ev = Vec::new();
        if let Some(t) = &self.text {
            ev.push(Evidence::new("version-text", t.clone()).at(&self.lib_path, &self.layer));
        }
        if let Some((dir, why)) = &self.modulesdir {
            ev.push(Evidence::new("modules-dir", format!("{dir} ({why})")));
        }
        if let (Some(p), Some(label)) = (&self.provider, self.provider_label()) {
            ev.push(Evidence::new("file", label).at(&p.path, &p.layer));
        }
        if let Some(p) = &self.symcrypt {
            ev.push(
                Evidence::new("file", "SymCrypt provider (SymCrypt-OpenSSL)").at(&p.path, &p.layer),
            );
        }
        if let Some(c) = &self.config {
            let state = match (c.exists, c.activated, c.enforced) {
                (false, _, _) => "missing".to_string(),
                (true, true, true) => format!(
                    "FIPS provider activated ([{}]), default_properties = fips=yes",
                    c.fips_section.as_deref().unwrap_or("?")
                ),
                (true, true, false) => format!(
                    "FIPS provider activated ([{}]) but not enforced",
                    c.fips_section.as_deref().unwrap_or("?")
                ),
                (true, false, _) => "FIPS provider not activated".to_string(),
            };
            ev.push(Evidence::new(
                "openssl-config",
                format!("/{} ({}): {state}", c.path, c.source),
            ));
        }
        if self.distro_facts.kernel_switch {
            ev.push(
                Evidence::new(
                    "marker",
                    "/proc/sys/crypto/fips_enabled (switches FIPS mode on from the kernel flag)",
                )
                .at(&self.lib_path, &self.layer),
            );
        }
        if self.distro_facts.fips_object_module {
            ev.push(
                Evidence::new("marker", super::openssl_fom::FOM_MARKER)
                    .at(&self.lib_path, &self.layer),
            );
        }
        ev.extend(self.distro.evidence());
        let owners = [
            (
                &self.vendor_facts.library,
                Some((&self.lib_path, &self.layer)),
            ),
            (
                &self.vendor_facts.provider,
                self.provider.as_ref().map(|p| (&p.path, &p.layer)),
            ),
        ];
        for (pkg, at) in owners {
            if let (Some(pkg), Some((path, layer))) = (pkg, at) {
                ev.push(
                    Evidence::new("package", openssl_vendor::package_text(pkg)).at(path, layer),
                );
            }
        }
        ev
    }

    /// A Red Hat-family build: its FIPS integrity key, its provider's name,
    /// its package or os-release (RHEL and its rebuilds).
    fn red_hat(&self) -> bool {
        self.vendor().is_some_and(|v| v.vendor == Vendor::RedHat)
    }

    /// The provider module (image path) this OpenSSL loads at start-up:
    /// fips.so when the effective config activates it with its MAC, or when
    /// a distro build switches to FIPS mode by itself (on a FIPS node, or
    /// forced); the SymCrypt provider first on Azure Linux. A provider that
    /// nothing activates is not loaded.
    pub fn loaded_provider(&self) -> Option<&str> {
        let configured = self
            .config
            .as_ref()
            .is_some_and(|c| c.activated && c.module_mac);
        let switch = self.kernel_switch_live();
        match (&self.symcrypt, &self.provider) {
            (Some(sc), _) if switch => Some(sc.path.as_str()),
            (_, Some(p)) if configured || switch => Some(p.path.as_str()),
            _ => None,
        }
    }

    /// How a program that uses this OpenSSL is judged. `uses` holds the
    /// provider it loads ([`Self::loaded_provider`]); callers put the
    /// libraries they reach it through first.
    pub fn judge(&self, sigs: &Signatures) -> Judgement {
        let label = self.label();
        let mut j = Judgement::new(Status::Unknown, Code::OpensslNoFipsProvider, String::new());
        j.evidence = self.evidence();
        j.uses.extend(self.loaded_provider().map(str::to_string));
        j.module = Some(self.provider_label().unwrap_or_else(|| label.clone()));
        let major = self
            .version
            .as_deref()
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        match major {
            None => {
                j.summary = format!("uses {label}; its version could not be read");
                j.remediation = Some("use an OpenSSL 3 with a validated FIPS provider".into());
            }
            Some(0 | 1) if self.distro_facts.fips_object_module => {
                super::openssl_fom::judge(&label, &mut j);
            }
            Some(0 | 1) if self.fips_build => {
                self.distro
                    .judge_legacy_build(&label, self.red_hat(), &mut j);
            }
            Some(0 | 1) => {
                j.status = Status::NonFips;
                j.code = Code::OpensslLegacy;
                j.summary = format!("uses {label}, an OpenSSL 1.x without FIPS support");
                j.remediation = Some(
                    "move to OpenSSL 3 with a validated FIPS provider (3.0.8/3.0.9 or 3.1.2)"
                        .into(),
                );
            }
            Some(_) if self.kernel_switch_live() && self.upstream_provider_without_mac() => {
                self.judge_switch_to_unconfigured_provider(&label, &mut j);
            }
            Some(_) if self.kernel_switch_live() && !self.configured_fips() => {
                let dir = self
                    .modulesdir
                    .as_ref()
                    .map_or_else(|| "its modules directory".into(), |(d, _)| d.clone());
                let loads = match (&self.symcrypt, &self.provider) {
                    (Some(sc), _) => Some(format!("the SymCrypt provider (/{})", sc.path)),
                    (None, Some(_)) => self.provider_label().map(|l| format!("{l} with fips=yes")),
                    (None, None) => None,
                };
                self.distro.judge_kernel_switch(
                    &label,
                    loads.as_deref(),
                    self.vendor().as_ref(),
                    &dir,
                    &mut j,
                );
            }
            Some(_) => {
                self.judge_provider(sigs, &label, &mut j);
                // Only where openssl.cnf does not put it in FIPS mode itself.
                if let Some(off) = self
                    .distro
                    .switched_off
                    .as_ref()
                    .filter(|_| !j.fips_mode_on)
                {
                    j.summary.push_str(&format!(
                        "; its kernel-flag switch is off: {off} in the image Env keeps it out of FIPS mode even on a FIPS node"
                    ));
                }
            }
        }
        j
    }

    /// The kernel switch would load an upstream-built provider (it names
    /// itself `OpenSSL FIPS Provider`) that no configuration gives its
    /// module-mac: it fails its self-test (Ubuntu 24.04's libcrypto with the
    /// real 3.1.2 provider, run in fixtures/parts/ubuntu.sh: "self test post
    /// failure", nothing fetches). Red Hat-family and SUSE builds are left
    /// to the vendor: their providers carry the MAC inside (SUSE's spec
    /// embeds it with objcopy; RHEL 9's is documented so), whatever name a
    /// rebuild gives them.
    fn upstream_provider_without_mac(&self) -> bool {
        use super::openssl_vendor::Vendor;
        let embeds_mac = self
            .vendor()
            .is_some_and(|v| matches!(v.vendor, Vendor::RedHat | Vendor::Suse));
        !embeds_mac
            && self.symcrypt.is_none()
            && self
                .provider
                .as_ref()
                .and_then(|p| p.name.as_deref())
                .is_some_and(|n| n == UPSTREAM_PROVIDER_NAME)
            && !self.config.as_ref().is_some_and(|c| c.module_mac)
    }

    fn judge_switch_to_unconfigured_provider(&self, label: &str, j: &mut Judgement) {
        let provider_label = self.provider_label().unwrap_or_default();
        let path = self.provider.as_ref().map_or("", |p| p.path.as_str());
        let cnf = self
            .config
            .as_ref()
            .filter(|c| !c.path.is_empty())
            .map_or_else(|| "openssl.cnf".to_string(), |c| format!("/{}", c.path));
        let build = self
            .vendor()
            .map_or_else(|| "a distro build".to_string(), |v| v.label());
        j.status = Status::NonFips;
        j.code = Code::OpensslFipsInactive;
        j.fips_mode_on = false;
        j.summary = format!(
            "uses {label}, {build} that switches to FIPS mode from the node's kernel flag and then loads {provider_label} (/{path}); that provider needs the module-mac of its fipsmodule.cnf, which {cnf} does not give, so it fails its self-test and on a FIPS node no algorithm can be fetched"
        );
        j.remediation = Some(format!(
            "run `openssl fipsinstall` for /{path} and `.include` the fipsmodule.cnf it writes in {cnf} with `fips = fips_sect` under [provider_sect], or install the vendor's own FIPS provider package"
        ));
    }

    /// The library has a distro kernel-flag switch and the image Env does not
    /// turn it off (Ubuntu's `OPENSSL_FORCE_FIPS_MODE=0` or switch file).
    fn kernel_switch_live(&self) -> bool {
        self.distro_facts.kernel_switch && self.distro.switched_off.is_none()
    }

    /// openssl.cnf itself activates and enforces the provider (with its MAC),
    /// so the judgement does not rest on a distro's kernel-flag switch.
    fn configured_fips(&self) -> bool {
        self.provider.is_some()
            && self
                .config
                .as_ref()
                .is_some_and(|c| c.activated && c.module_mac && c.enforced)
    }

    fn judge_provider(&self, sigs: &Signatures, label: &str, j: &mut Judgement) {
        let Some(provider) = &self.provider else {
            j.status = Status::NonFips;
            j.code = Code::OpensslNoFipsProvider;
            let dir = self
                .modulesdir
                .as_ref()
                .map_or_else(|| "its modules directory".into(), |(d, _)| d.clone());
            j.summary = format!("uses {label}, which has no FIPS provider (no fips.so in {dir})");
            j.remediation = Some(
                "install a validated OpenSSL FIPS provider (3.0.8/3.0.9 or 3.1.2) in the image, or use a FIPS base image (UBI, Azure Linux, Chainguard FIPS)"
                    .into(),
            );
            return;
        };
        let provider_label = self.provider_label().unwrap_or_default();
        let cfg = self.config.clone().unwrap_or_default();
        let cnf = if cfg.path.is_empty() {
            "openssl.cnf".to_string()
        } else {
            format!("/{}", cfg.path)
        };
        j.status = Status::FipsCapable;
        if !cfg.activated || !cfg.module_mac {
            j.code = Code::OpensslFipsInactive;
            let why = if cfg.activated {
                "its section lacks the module-mac that `openssl fipsinstall` writes"
            } else {
                "the configuration does not activate it"
            };
            j.summary = format!(
                "uses {label} with {provider_label} at /{}, but {why}",
                provider.path
            );
            j.remediation = Some(format!(
                "in {cnf}: `.include` the fipsmodule.cnf written by `openssl fipsinstall`, add `fips = fips_sect` under [provider_sect], and `default_properties = fips=yes` under the alg_section"
            ));
            return;
        }
        if !cfg.enforced {
            j.code = Code::OpensslFipsNotEnforced;
            j.summary = format!(
                "uses {label}; {provider_label} is activated but not enforced, so non-FIPS implementations stay available"
            );
            j.remediation = Some(format!(
                "in {cnf}: set `default_properties = fips=yes` in the section named by alg_section"
            ));
            return;
        }
        j.fips_mode_on = true;
        let version = provider.version.clone().unwrap_or_default();
        match sigs.validated_module("openssl-fips", &version) {
            Some(m) => {
                j.status = Status::Validated;
                j.code = Code::OpensslFipsValidated;
                j.certificate = Some(m.certificate.clone());
                j.summary = format!(
                    "uses {label} with {provider_label}, activated and enforced ({})",
                    m.certificate
                );
            }
            None => {
                j.code = Code::OpensslFipsUnvalidated;
                j.summary = format!(
                    "uses {label} with {provider_label}, activated and enforced, but that provider version has no CMVP certificate"
                );
                j.remediation = Some("use a validated FIPS provider version (3.0.8, 3.0.9 or 3.1.2) with this libcrypto".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> Conf {
        struct One(String);
        impl ConfFs for One {
            fn read(&self, p: &str) -> Option<(String, String)> {
                (p == "c.cnf").then(|| (p.to_string(), self.0.clone()))
            }
            fn list_dir(&self, _: &str) -> Vec<String> {
                Vec::new()
            }
        }
        openssl_config::load(&One(text.into()), "c.cnf").unwrap()
    }

    #[test]
    fn activation_and_enforcement() {
        let full = "openssl_conf = init\n[init]\nproviders = p\nalg_section = a\n[p]\nfips = fips_sect\n[fips_sect]\nactivate = 1\nmodule-mac = 00\n[a]\ndefault_properties = fips=yes\n";
        let c = analyse_config(&conf(full), "fips.so", "openssl_conf");
        assert!(c.activated && c.module_mac && c.enforced && !c.install_status);
        assert_eq!(c.fips_section.as_deref(), Some("fips_sect"));
        let preferred = analyse_config(
            &conf(&full.replace("fips=yes", "?fips=yes")),
            "fips.so",
            "openssl_conf",
        );
        assert!(preferred.activated && !preferred.enforced);
        let off = analyse_config(
            &conf(&full.replace("activate = 1", "activate = 0")),
            "fips.so",
            "openssl_conf",
        );
        assert!(!off.activated);
        let renamed = analyse_config(
            &conf(
                &full
                    .replace("fips = fips_sect", "myfips = fips_sect")
                    .replace("module-mac", "module = /x/fips.so\nmodule-mac"),
            ),
            "fips.so",
            "openssl_conf",
        );
        assert!(renamed.activated);
        let none = analyse_config(&conf("[x]\ny = 1\n"), "fips.so", "openssl_conf");
        assert!(!none.activated && !none.problems.is_empty());
    }
}
