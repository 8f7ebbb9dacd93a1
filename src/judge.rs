//! Image-wide judgement: after squashing, each program is judged with the
//! facts of the whole image (which libcrypto it loads, image Env), libraries
//! are tied to the programs that use them, and the entrypoint is marked.

pub mod certificates;
pub mod dotnet;
pub mod go;
pub mod java;
pub mod link;
pub mod native;
pub mod node;
pub mod openssl;
pub mod openssl_config;
pub mod openssl_distro;
pub mod openssl_fom;
pub mod openssl_static;
pub mod openssl_vendor;
pub mod packages;
pub mod runtimes;
pub mod rust;
#[cfg(test)]
pub mod testkit;

use std::collections::BTreeMap;

use crate::detect::elf::ElfKind;
use crate::detect::openssl::OpensslText;
use crate::finding::{Code, Finding};
use crate::image::ImageConfig;
use crate::layer::squash::FsView;
use crate::layer::{NodeKind, path};
use crate::report::{Component, ComponentKind, Entrypoint, Evidence};
use crate::score::Status;
use crate::signatures::{self as sig, Signatures};
use link::{Lib, Linker, elf_facts};
use openssl::OpensslInstall;

/// The judgement of one component before it gets its place in the report.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub status: Status,
    pub fips_mode_on: bool,
    pub code: Code,
    pub summary: String,
    pub module: Option<String>,
    pub certificate: Option<String>,
    pub evidence: Vec<Evidence>,
    pub remediation: Option<String>,
    pub uses: Vec<String>,
    /// What a host-dependent judgement needs from the node.
    pub needs: Vec<crate::target::HostNeed>,
}

impl Judgement {
    pub fn new(status: Status, code: Code, summary: String) -> Judgement {
        Judgement {
            status,
            fips_mode_on: false,
            code,
            summary,
            module: None,
            certificate: None,
            evidence: Vec::new(),
            remediation: None,
            uses: Vec::new(),
            needs: Vec::new(),
        }
    }
}

pub struct Judged {
    pub os: Option<packages::OsInfo>,
    /// Every installed OS package, from the image's package databases.
    pub packages: Vec<crate::report::PackageRef>,
    pub components: Vec<Component>,
    pub findings: Vec<Finding>,
    pub entrypoint: Option<Entrypoint>,
}

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn is_crypto_lib(name: &str, sigs: &Signatures) -> bool {
    sigs.matches(sig::OPENSSL_LIBCRYPTO_SONAME, name)
        || sigs.matches(sig::OPENSSL_LIBSSL_SONAME, name)
}

pub(crate) fn is_libcrypto(lib: &Lib<'_>, sigs: &Signatures) -> bool {
    let name = lib
        .facts
        .soname
        .as_deref()
        .unwrap_or_else(|| path::file_name(lib.path));
    sigs.matches(sig::OPENSSL_LIBCRYPTO_SONAME, name) && !native::is_native_libcrypto(lib)
}

/// Resolves the config's main program to an image path.
pub(crate) fn resolve_entrypoint(
    view: &FsView,
    config: &ImageConfig,
) -> Option<(String, Option<String>)> {
    let program = config.main_program()?;
    let candidates: Vec<String> = if program.contains('/') {
        let base = config.working_dir.as_deref().unwrap_or("/");
        vec![if program.starts_with('/') {
            program.to_string()
        } else {
            format!("{base}/{program}")
        }]
    } else {
        let search = config.env_var("PATH").unwrap_or(DEFAULT_PATH);
        search
            .split(':')
            .filter(|d| !d.is_empty())
            .map(|d| format!("{d}/{program}"))
            .collect()
    };
    let found = candidates
        .iter()
        .find_map(|c| view.resolve(c).map(|(p, _)| p));
    Some((program.to_string(), found))
}

pub fn judge_image(view: &FsView, config: &ImageConfig, sigs: &Signatures) -> Judged {
    let linker = Linker::new(view, config);
    // Read before judging: a distro OpenSSL is named by its package.
    let image_packages = packages::ImagePackages::read(view);
    let nctx = native::NativeCtx {
        view,
        config,
        sigs,
        packages: &image_packages,
    };
    let mut findings = Vec::new();
    let mut components: Vec<Component> = Vec::new();
    let mut installs: BTreeMap<String, OpensslInstall> = BTreeMap::new();
    let install_of = |lib: Lib<'_>, installs: &mut BTreeMap<String, OpensslInstall>| {
        installs
            .entry(lib.path.to_string())
            .or_insert_with(|| {
                OpensslInstall::inspect(lib, view, config, sigs).with_vendor(&image_packages)
            })
            .clone()
    };

    for (p, vn) in &view.nodes {
        if let NodeKind::Hardlink(target) = &vn.node.kind
            && view.resolve(p).is_none()
        {
            findings.push(
                Finding::new(
                    Code::HardlinkMissingTarget,
                    format!("hardlink to /{target}, which is not in the image"),
                )
                .at(p)
                .in_layer(view.layer_id(vn.layer)),
            );
        }
    }

    for (p, vn) in &view.nodes {
        let Some(facts) = elf_facts(vn) else { continue };
        let layer = view.layer_id(vn.layer).to_string();
        let (kind, judgement) = if let Some(go) = &facts.go {
            // OpenSSL-backed Go dlopens libcrypto by SONAME, newest first.
            let lib = ["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so.10"]
                .iter()
                .find_map(|n| linker.dlopen(n, facts.bits, &facts.machine));
            let install = lib.map(|l| install_of(l, &mut installs));
            let ctx = go::GoContext {
                config,
                openssl: install.as_ref(),
                sigs,
            };
            (ComponentKind::GoProgram, go::classify(go, &ctx))
        } else {
            let kind = if facts.kind == ElfKind::Executable {
                ComponentKind::NativeProgram
            } else {
                ComponentKind::SharedLibrary
            };
            let own = Lib {
                path: p.as_str(),
                node: vn,
                facts,
            };
            (
                kind,
                judge_native(own, &linker, &nctx, &layer, |l| {
                    install_of(l, &mut installs)
                }),
            )
        };
        let Some(j) = judgement else { continue };
        components.push(Component {
            path: format!("/{p}"),
            layer,
            kind,
            status: j.status,
            fips_mode_on: j.fips_mode_on,
            code: j.code,
            summary: j.summary,
            module: j.module,
            certificate: j.certificate,
            entrypoint: false,
            counts: kind != ComponentKind::SharedLibrary,
            evidence: j.evidence,
            remediation: j.remediation,
            uses: j.uses.iter().map(|u| format!("/{u}")).collect(),
            used_by: Vec::new(),
            package: None,
            sha256: facts.sha256.clone(),
            needs: j.needs,
            waiver: None,
        });
    }

    // Components that are not ELF files: .NET apps, managed assemblies, jars, JVMs.
    let entry = resolve_entrypoint(view, config).and_then(|(_, found)| found);
    let (apps, app_findings) = dotnet::app_components(view, config, entry.as_deref(), &components);
    components.extend(apps);
    findings.extend(app_findings);
    components.extend(managed_crypto_components(view));
    components.extend(dotnet::single_file::crypto_components(view));
    components.extend(java::components(view, config, sigs));

    // Extension modules a runtime imports count like programs (and so the
    // libraries they load count through them): before the tie below.
    runtimes::attach_runtime_users(&mut components, &runtimes::python_interpreters(view));
    // Tie libraries to the programs that load them.
    let users: Vec<(String, Vec<String>)> = components
        .iter()
        .filter(|c| c.counts)
        .map(|c| (c.path.clone(), c.uses.clone()))
        .collect();
    for c in components
        .iter_mut()
        .filter(|c| c.kind == ComponentKind::SharedLibrary)
    {
        for (p, _) in users.iter().filter(|(_, uses)| uses.contains(&c.path)) {
            if !c.used_by.contains(p) {
                c.used_by.push(p.clone());
            }
        }
    }

    let entrypoint = resolve_entrypoint(view, config).map(|(program, found)| {
        let mut crypto = Vec::new();
        match &found {
            Some(p) => {
                let image_path = format!("/{p}");
                for c in components.iter_mut().filter(|c| c.path == image_path) {
                    c.entrypoint = true;
                    crypto.push(c.module.clone().unwrap_or_else(|| c.summary.clone()));
                }
                // `dotnet app.dll`, or an apphost: the host runs the app
                // whose runtimeconfig is beside the dll or the apphost.
                let app = dotnet::entrypoint_app(config).or_else(|| dotnet::apphost_app(view, p));
                for c in components
                    .iter_mut()
                    .filter(|c| Some(&c.path) == app.as_ref())
                {
                    c.entrypoint = true;
                    crypto.push(c.module.clone().unwrap_or_else(|| c.summary.clone()));
                }
            }
            None => findings.push(Finding::new(
                Code::EntrypointMissing,
                format!("the entrypoint {program:?} does not resolve to a file in the image"),
            )),
        }
        Entrypoint {
            command: if config.entrypoint.is_empty() {
                config.cmd.clone()
            } else {
                config.entrypoint.clone()
            },
            path: found.map(|p| format!("/{p}")),
            crypto,
        }
    });
    findings.extend(config_findings(&installs));
    // Entrypoint first, then programs, then libraries; by path within each.
    components.sort_by(|a, b| {
        (
            !a.entrypoint,
            a.kind == ComponentKind::SharedLibrary,
            &a.path,
        )
            .cmp(&(
                !b.entrypoint,
                b.kind == ComponentKind::SharedLibrary,
                &b.path,
            ))
    });
    let os = packages::attach(&image_packages, view, &mut components);
    Judged {
        os,
        packages: image_packages.installed,
        components,
        findings,
        entrypoint,
    }
}

/// A native (non-Go) ELF: OpenSSL through its dependency closure, OpenSSL
/// itself, or OpenSSL linked in statically; the other native crypto
/// libraries (`native`) the same ways.
fn judge_native<'a>(
    own: Lib<'a>,
    linker: &Linker<'a>,
    nctx: &native::NativeCtx<'a>,
    layer: &str,
    mut install_of: impl FnMut(Lib<'a>) -> OpensslInstall,
) -> Option<Judgement> {
    let (p, facts, sigs) = (own.path, own.facts, nctx.sigs);
    if let Some(n) = &facts.native {
        return Some(native::judge_library(own, n, nctx));
    }
    let own_name = facts
        .soname
        .as_deref()
        .unwrap_or_else(|| path::file_name(p));
    if sigs.matches(sig::OPENSSL_LIBCRYPTO_SONAME, own_name) && facts.openssl.is_some() {
        // libcrypto itself: information about the library, judged by its provider.
        let mut j = install_of(own).judge(sigs);
        j.code = Code::OpensslLibrary;
        j.summary = format!("OpenSSL library: {}", j.summary.trim_start_matches("uses "));
        return Some(j);
    }
    if runtimes::is_dotnet_shim(p) {
        return Some(dotnet::shim::judge(own, linker, nctx, layer, install_of));
    }
    if let Some(b) = dotnet::single_file::bundle_of(own.node) {
        // A single-file .NET app: its shim dlopens libssl like any other.
        return dotnet::single_file::judge(p, layer, b, nctx.view, |name, order, evidence| {
            dotnet::shim::openssl(own, name, order, evidence, linker, sigs, install_of)
        });
    }
    if let Some(aot) = dotnet::aot::of(facts).filter(|a| a.has_shim()) {
        // NativeAOT with the shim linked in: the same dlopen of libssl.
        let config = nctx.config;
        return Some(dotnet::aot::judge(
            p,
            layer,
            facts.kind,
            aot,
            config,
            |name, order, evidence| {
                dotnet::shim::openssl(own, name, order, evidence, linker, sigs, install_of)
            },
        ));
    }
    if path::file_name(p) == sigs.pattern(sig::OPENSSL_FIPS_PROVIDER_FILE)
        && let Some(text) = &facts.openssl
    {
        return Some(judge_provider_module(p, layer, text, sigs));
    }
    let wants_crypto = facts.needed.iter().any(|n| is_crypto_lib(n, sigs));
    let closure = linker.closure(p, facts);
    let libcrypto = closure.iter().find(|l| is_libcrypto(l, sigs)).copied();
    let other = native::judge_user(own, layer, &closure, nctx);
    if libcrypto.is_none()
        && let Some(j) = other
    {
        return Some(j);
    }
    // Node with its own OpenSSL (the official builds): judged by the
    // provider and configuration that OpenSSL would load here.
    if libcrypto.is_none()
        && facts.openssl.is_some()
        && let Some(n) = facts.node.as_ref().filter(|n| !n.shared_openssl)
    {
        return Some(node::judge_bundled(own, n, nctx, install_of));
    }
    if libcrypto.is_none()
        && let Some(rust) = &facts.rust
        && let Some(j) = rust::judge(p, layer, rust)
    {
        return Some(j);
    }
    match libcrypto {
        Some(lib) => {
            let node = facts
                .node
                .as_ref()
                .or_else(|| closure.iter().find_map(|l| l.facts.node.as_ref()))
                .filter(|n| n.shared_openssl);
            let (install, mut j) = match node {
                Some(n) => node::judge_shared(n, own.path, lib, nctx, install_of),
                None => {
                    let install = install_of(lib);
                    let j = install.judge(sigs);
                    (install, j)
                }
            };
            let chain: Vec<String> = closure
                .iter()
                .filter(|l| {
                    is_crypto_lib(path::file_name(l.path), sigs)
                        || is_libcrypto(l, sigs)
                        // libnode carries Node's crypto set-up.
                        || l.facts.node.is_some()
                })
                .map(|l| format!("/{}", l.path))
                .collect();
            // DT_NEEDED evidence first, in the order the ELF lists it.
            let mut needed: Vec<Evidence> = facts
                .needed
                .iter()
                .filter(|n| is_crypto_lib(n, sigs))
                .map(|n| Evidence::new("elf-needed", n.clone()).at(p, layer))
                .collect();
            if !wants_crypto {
                needed.push(Evidence::new(
                    "elf-needed",
                    format!("loads /{} through its dependencies", install.lib_path),
                ));
            }
            j.evidence.splice(0..0, needed);
            let provider = std::mem::take(&mut j.uses);
            j.uses = chain
                .iter()
                .map(|c| c.trim_start_matches('/').to_string())
                .chain(provider)
                .collect();
            Some(native::with_openssl(j, other))
        }
        None if wants_crypto => {
            let missing: Vec<&str> = facts
                .needed
                .iter()
                .filter(|n| is_crypto_lib(n, sigs))
                .map(String::as_str)
                .collect();
            let mut j = Judgement::new(
                Status::Unknown,
                Code::OpensslLibraryMissing,
                format!(
                    "links {} but the image has no such library",
                    missing.join(", ")
                ),
            );
            j.evidence = missing
                .iter()
                .map(|n| Evidence::new("elf-needed", *n).at(p, layer))
                .collect();
            j.remediation = Some(
                "ship the OpenSSL the program was built against, with a validated FIPS provider"
                    .into(),
            );
            Some(j)
        }
        None => {
            let text = facts.openssl.as_ref()?;
            // OpenSSL's own libssl carries the version text too; it is not an embedder.
            if is_crypto_lib(own_name, sigs) {
                return None;
            }
            Some(openssl_static::judge(own, text, layer, sigs, install_of))
        }
    }
}

/// A FIPS provider module: judged by its own version alone; whether it is
/// activated is part of the judgement of each program whose OpenSSL loads it.
fn judge_provider_module(p: &str, layer: &str, text: &OpensslText, sigs: &Signatures) -> Judgement {
    let name = text.provider_name.as_deref().unwrap_or("FIPS provider");
    let version = text.provider_version.as_deref().unwrap_or(&text.version);
    let mut j = Judgement::new(
        Status::FipsCapable,
        Code::OpensslFipsProvider,
        String::new(),
    );
    // SUSE's provider reports `SUSE Release`, which is no version.
    let named = if version.is_empty() {
        name.to_string()
    } else {
        format!("{name} {version}")
    };
    j.module = Some(named.clone());
    j.evidence = vec![Evidence::new("version-text", named.clone()).at(p, layer)];
    if version.is_empty() {
        j.summary = format!(
            "{named}: it reports no version fipscan can read, so no CMVP certificate can be matched to it"
        );
        j.remediation =
            Some("check the vendor's certificate for this provider package, or use a validated FIPS provider version (3.0.8, 3.0.9 or 3.1.2)".into());
        return j;
    }
    match sigs.validated_module("openssl-fips", version) {
        Some(m) => {
            j.status = Status::Validated;
            j.certificate = Some(m.certificate.clone());
            j.summary = format!(
                "{name} {version}, a validated provider version ({})",
                m.certificate
            );
        }
        None => {
            j.summary =
                format!("{name} {version}: no CMVP certificate covers this provider version");
            j.remediation =
                Some("use a validated FIPS provider version (3.0.8, 3.0.9 or 3.1.2)".into());
        }
    }
    j
}

/// Findings about the OpenSSL configurations in effect: problems reading
/// them, and a fipsmodule.cnf that was copied rather than installed here.
fn config_findings(installs: &BTreeMap<String, OpensslInstall>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in installs.values().filter_map(|i| i.config.as_ref()) {
        if !seen.insert(c.path.clone()) {
            continue;
        }
        if c.install_status {
            out.push(
                Finding::new(
                    Code::OpensslInstallStatus,
                    format!(
                        "[{}] holds install-status: OpenSSL's README-FIPS says such a fipsmodule.cnf must not be copied between machines; run `openssl fipsinstall` where the image is built instead",
                        c.fips_section.as_deref().unwrap_or("fips_sect")
                    ),
                )
                .at(c.files.get(1).unwrap_or(&c.path)),
            );
        }
        for problem in &c.problems {
            out.push(Finding::new(Code::OpensslConfigProblem, problem.clone()).at(&c.path));
        }
    }
    out
}

/// Managed crypto assemblies bring their own algorithms and never touch
/// the image's OpenSSL; nothing in them is FIPS validated.
fn managed_crypto_components(view: &FsView) -> Vec<Component> {
    view.nodes
        .iter()
        .filter(|(p, vn)| {
            matches!(vn.node.kind, NodeKind::File)
                && runtimes::DOTNET_MANAGED_CRYPTO.contains(&path::file_name(p))
        })
        .map(|(p, vn)| {
            let (name, layer) = (path::file_name(p), view.layer_id(vn.layer));
            dotnet::managed_crypto_component(
                p,
                layer,
                name,
                "",
                Evidence::new("file", name).at(p, layer),
            )
        })
        .collect()
}
