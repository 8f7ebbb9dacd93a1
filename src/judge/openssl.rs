//! One OpenSSL installation as a program in the image sees it: the
//! libcrypto it loads, that library's version, and whether a FIPS provider
//! sits in the modules directory it would load providers from.
//! Provider activation (openssl.cnf) is judged by a later stage; here a
//! present provider is "fips-capable", never more.

use super::Judgement;
use super::link::Lib;
use crate::finding::Code;
use crate::image::ImageConfig;
use crate::layer::path;
use crate::layer::squash::FsView;
use crate::report::Evidence;
use crate::score::Status;
use crate::signatures::{self as sig, Signatures};

#[derive(Debug, Clone)]
pub struct OpensslInstall {
    pub lib_path: String,
    pub layer: String,
    pub text: Option<String>,
    pub version: Option<String>,
    pub fips_build: bool,
    /// Where providers are loaded from, and why.
    pub modulesdir: Option<(String, &'static str)>,
    pub fips_provider: Option<(String, String)>,
}

impl OpensslInstall {
    pub fn inspect(
        lib: Lib<'_>,
        view: &FsView,
        config: &ImageConfig,
        sigs: &Signatures,
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
        let provider_name = sigs.pattern(sig::OPENSSL_FIPS_PROVIDER_FILE);
        let fips_provider = modulesdir.as_ref().and_then(|(dir, _)| {
            let (p, node) = view.resolve(&path::join(dir, provider_name))?;
            Some((p, view.layer_id(node.layer).to_string()))
        });
        OpensslInstall {
            lib_path: lib.path.to_string(),
            layer: view.layer_id(lib.node.layer).to_string(),
            text: text.map(|t| t.text.clone()),
            version: text.map(|t| t.version.clone()),
            fips_build: text.is_some_and(|t| t.fips_build),
            modulesdir,
            fips_provider,
        }
    }

    pub fn label(&self) -> String {
        match &self.version {
            Some(v) => format!("OpenSSL {v} (/{})", self.lib_path),
            None => format!("OpenSSL of unknown version (/{})", self.lib_path),
        }
    }

    pub fn evidence(&self) -> Vec<Evidence> {
        let mut ev = Vec::new();
        if let Some(t) = &self.text {
            ev.push(Evidence::new("version-text", t.clone()).at(&self.lib_path, &self.layer));
        }
        if let Some((dir, why)) = &self.modulesdir {
            ev.push(Evidence::new("modules-dir", format!("{dir} ({why})")));
        }
        if let Some((p, layer)) = &self.fips_provider {
            ev.push(Evidence::new("file", "FIPS provider present").at(p, layer));
        }
        ev
    }

    /// How a program that uses this OpenSSL is judged.
    pub fn judge(&self) -> Judgement {
        let label = self.label();
        let mut j = Judgement::new(Status::Unknown, Code::OpensslNoFipsProvider, String::new());
        j.evidence = self.evidence();
        j.module = Some(label.clone());
        let major = self
            .version
            .as_deref()
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        match major {
            None => {
                j.code = Code::OpensslNoFipsProvider;
                j.summary = format!("uses {label}; its version could not be read");
                j.remediation = Some("use an OpenSSL 3 with a validated FIPS provider".into());
            }
            Some(0 | 1) if self.fips_build => {
                j.status = Status::HostDependent;
                j.fips_mode_on = true;
                j.code = Code::OpensslLegacy;
                j.summary = format!(
                    "uses {label}, a vendor FIPS build that enters FIPS mode on a FIPS host"
                );
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
            Some(_) => match &self.fips_provider {
                Some((p, _)) => {
                    j.status = Status::FipsCapable;
                    j.code = Code::OpensslFipsProvider;
                    j.summary = format!(
                        "uses {label} with a FIPS provider at /{p}; activation in openssl.cnf is not proven"
                    );
                    j.remediation = Some(
                        "activate the provider: `.include` fipsmodule.cnf, `fips = fips_sect` under [provider_sect], `default_properties = fips=yes`"
                            .into(),
                    );
                }
                None => {
                    j.status = Status::NonFips;
                    j.code = Code::OpensslNoFipsProvider;
                    let dir = self
                        .modulesdir
                        .as_ref()
                        .map_or_else(|| "its modules directory".into(), |(d, _)| d.clone());
                    j.summary =
                        format!("uses {label}, which has no FIPS provider (no fips.so in {dir})");
                    j.remediation = Some(
                        "install a validated OpenSSL FIPS provider (3.0.8/3.0.9 or 3.1.2) in the image, or use a FIPS base image (UBI, Azure Linux, Chainguard FIPS)"
                            .into(),
                    );
                }
            },
        }
        j
    }
}
