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
pub mod openssl_vendor;
pub mod packages;
pub mod runtimes;

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
use openssl_fom::FOM_MARKER;

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

fn is_libcrypto(lib: &Lib<'_>, sigs: &Signatures) -> bool {
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
        return Some(judge_dotnet_shim(own, linker, nctx, layer, install_of));
    }
    if let Some(b) = dotnet::single_file::bundle_of(own.node) {
        // A single-file .NET app: its shim dlopens libssl like any other.
        return dotnet::single_file::judge(p, layer, b, nctx.view, |name, order, evidence| {
            dotnet_openssl(own, name, order, evidence, linker, sigs, install_of)
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
                dotnet_openssl(own, name, order, evidence, linker, sigs, install_of)
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
        && let Some(j) = judge_rust(p, layer, rust)
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
            Some(judge_static_openssl(own, text, layer, sigs, install_of))
        }
    }
}

/// A program with OpenSSL linked in. OpenSSL 3 keeps its FIPS provider a
/// separate module even then, so a dynamically linked program loads it
/// like any other (from its compiled-in MODULESDIR, or OPENSSL_MODULES, as
/// its configuration says) and is judged by that provider: Node's official
/// static builds and `static-ssl-libc` (fixtures/parts/openssl-static.sh)
/// run in FIPS mode that way. A fully static executable cannot: glibc's
/// static dlopen of fips.so crashes it (sslapp-static, same fixture part).
fn judge_static_openssl<'a>(
    own: Lib<'a>,
    text: &OpensslText,
    layer: &str,
    sigs: &Signatures,
    mut install_of: impl FnMut(Lib<'a>) -> OpensslInstall,
) -> Judgement {
    let p = own.path;
    let three = text
        .version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| m >= 3);
    let dynamic = own.facts.interp.is_some() || !own.facts.needed.is_empty();
    if text.distro.fips_object_module {
        // fipsld-linked: the FOM canister sits inside the program itself.
        let mut j = Judgement::new(Status::Unknown, Code::OpensslStatic, String::new());
        openssl_fom::judge(
            &format!("embeds OpenSSL {} statically", text.version),
            &mut j,
        );
        j.module = Some(format!(
            "OpenSSL {} with the FIPS Object Module (static)",
            text.version
        ));
        j.evidence = vec![
            Evidence::new("version-text", text.text.clone()).at(p, layer),
            Evidence::new("marker", FOM_MARKER).at(p, layer),
        ];
        return j;
    }
    let mut install = None;
    if three && dynamic {
        let i = install_of(own);
        if i.provider.is_some() {
            let mut j = i.judge(sigs);
            j.module = j
                .module
                .map(|m| format!("{m} (static OpenSSL {})", text.version));
            return j;
        }
        install = Some(i);
    }
    let version_text = Evidence::new("version-text", text.text.clone()).at(p, layer);
    let (summary, remediation) = match &install {
        Some(i) => {
            let dir = i
                .modulesdir
                .as_ref()
                .map_or_else(|| "its modules directory".into(), |(d, why)| format!("{d} ({why})"));
            (
                format!(
                    "embeds OpenSSL {} statically; it would load a FIPS provider from {dir}, where the image has no fips.so",
                    text.version
                ),
                "put a validated FIPS provider where it looks (OPENSSL_MODULES) and activate it in the configuration it reads (OPENSSL_CONF), or link OpenSSL dynamically against an OpenSSL 3 with a validated FIPS provider".to_string(),
            )
        }
        None if three => (
            format!(
                "embeds OpenSSL {} in a fully static executable, which cannot load the FIPS provider module (a static program's dlopen of fips.so crashes)",
                text.version
            ),
            "link the program dynamically (at least against libc), then give its OpenSSL a validated FIPS provider".to_string(),
        ),
        None => (
            format!(
                "embeds OpenSSL {} statically; it cannot use a FIPS provider from the image",
                text.version
            ),
            "link OpenSSL dynamically against an OpenSSL 3 with a validated FIPS provider".to_string(),
        ),
    };
    let mut j = Judgement::new(Status::NonFips, Code::OpensslStatic, summary);
    j.module = Some(format!("OpenSSL {} (static)", text.version));
    j.evidence = vec![version_text];
    if let Some(i) = install {
        j.evidence.extend(
            i.evidence()
                .into_iter()
                .filter(|e| e.kind == "modules-dir" || e.kind == "openssl-config"),
        );
    }
    j.remediation = Some(remediation);
    j
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

/// .NET has no crypto of its own on Linux: its shim dlopens libssl by
/// SONAME, so it is judged by the OpenSSL that search finds.
fn judge_dotnet_shim<'a>(
    own: Lib<'a>,
    linker: &Linker<'a>,
    nctx: &native::NativeCtx<'a>,
    layer: &str,
    install_of: impl FnOnce(Lib<'a>) -> OpensslInstall,
) -> Judgement {
    let sigs = nctx.sigs;
    let shim = Evidence::new(
        "file",
        "the .NET OpenSSL shim, which dlopens libssl (no DT_NEEDED)",
    )
    .at(own.path, layer);
    // Which SONAMEs it tries depends on the runtime it belongs to.
    let runtime = dotnet::shim_runtime(nctx.view, own.path);
    let name = runtime
        .as_ref()
        .map(|r| format!(".NET runtime {}", r.version))
        .unwrap_or_else(|| ".NET runtime".into());
    // The image Env can put another libssl first (the variable the
    // runtime's version reads).
    let env = runtime
        .as_ref()
        .and_then(|r| dotnet::aot::override_env_of(r.version.major, sigs));
    let list = dotnet::libssl_order(runtime.as_ref())
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (order, set) = dotnet::aot::with_override(list, env, nctx.config);
    let order: Vec<&str> = order.iter().map(String::as_str).collect();
    let mut evidence = vec![shim];
    evidence.extend(runtime.map(|r| r.evidence));
    evidence.extend(set);
    dotnet_openssl(own, &name, &order, evidence, linker, sigs, install_of)
}

/// .NET crypto through a shim (of the runtime `name`) that dlopens the
/// first of `order` the image has, from a program of `own`'s class and machine.
fn dotnet_openssl<'a>(
    own: Lib<'a>,
    name: &str,
    order: &[&str],
    evidence: Vec<Evidence>,
    linker: &Linker<'a>,
    sigs: &Signatures,
    install_of: impl FnOnce(Lib<'a>) -> OpensslInstall,
) -> Judgement {
    let libssl = order
        .iter()
        .find_map(|n| linker.dlopen(n, own.facts.bits, &own.facts.machine));
    let libcrypto = libssl.and_then(|ssl| {
        linker
            .closure(ssl.path, ssl.facts)
            .into_iter()
            .find(|l| is_libcrypto(l, sigs))
    });
    match (libssl, libcrypto) {
        (Some(ssl), Some(crypto)) => {
            let mut j = install_of(crypto).judge(sigs);
            j.evidence.splice(0..0, evidence);
            let provider = std::mem::take(&mut j.uses);
            j.uses = [ssl.path.to_string(), crypto.path.to_string()]
                .into_iter()
                .chain(provider)
                .collect();
            j.summary = format!("{name} {}", j.summary);
            j
        }
        _ => {
            let mut j = Judgement::new(
                Status::NonFips,
                Code::DotnetNoLibssl,
                format!(
                    "{name} finds none of {} in the image (\"No usable version of libssl was found\"): its crypto cannot run",
                    order.join(", ")
                ),
            );
            j.evidence = evidence;
            j.remediation = Some(if order.contains(&"libssl.so.3") {
                "install an OpenSSL 3 with a validated FIPS provider in the image".into()
            } else {
                // Before .NET 6 the shim cannot load OpenSSL 3 at all.
                "move the app to .NET 6 or later (the first to load OpenSSL 3), on an OpenSSL 3 with a validated FIPS provider".into()
            });
            j
        }
    }
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

/// A Rust program judged by the crypto crates it links; the worst module wins.
fn judge_rust(p: &str, layer: &str, rust: &crate::rustbin::RustFacts) -> Option<Judgement> {
    let judgements = crate::rustbin::classify(rust);
    let worst = judgements
        .iter()
        .rev()
        .max_by_key(|j| (j.status == Status::NonFips, j.status))?;
    use crate::rustbin::RustCrypto;
    let fips = matches!(
        worst.crypto,
        RustCrypto::AwsLcFips { .. } | RustCrypto::BoringFips { .. }
    );
    // Every module linked, the deciding one first: a FIPS module beside
    // ring or pure-Rust crypto does not make the other paths FIPS.
    let mut summary = worst.reason.clone();
    for other in judgements.iter().filter(|o| o.crypto != worst.crypto) {
        summary.push_str("; also ");
        summary.push_str(&other.reason);
    }
    let code = match worst.crypto {
        RustCrypto::AwsLcFips { .. } => Code::RustAwsLcFips,
        RustCrypto::BoringFips { .. } => Code::RustBoringFips,
        _ => Code::RustNonFips,
    };
    let mut j = Judgement::new(worst.status, code, summary);
    j.fips_mode_on = fips;
    j.module = Some(match &worst.crypto {
        crate::rustbin::RustCrypto::AwsLcFips { version } => version.clone(),
        crate::rustbin::RustCrypto::AwsLc => "aws-lc (non-FIPS)".into(),
        crate::rustbin::RustCrypto::Ring => "ring".into(),
        RustCrypto::BoringFips { version } => version.clone(),
        RustCrypto::Boring => "BoringSSL (non-FIPS)".into(),
        crate::rustbin::RustCrypto::Other => "pure-Rust crypto crates".into(),
    });
    for marker in [&rust.aws_lc_fips, &rust.aws_lc, &rust.ring]
        .into_iter()
        .flatten()
    {
        j.evidence
            .push(Evidence::new("symbol", marker.clone()).at(p, layer));
    }
    let crypto_deps: Vec<String> = rust
        .deps
        .iter()
        .filter(|(n, _)| {
            n.contains("aws-lc")
                || n == "ring"
                || n == "rustls"
                || n == "boring"
                || n == "boring-sys"
        })
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    if !crypto_deps.is_empty() {
        j.evidence.push(Evidence::new(
            "rust-dependency",
            format!(".dep-v0: {}", crypto_deps.join(", ")),
        ));
    }
    if !rust.src_crates.is_empty() {
        let named: Vec<String> = rust
            .src_crates
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        j.evidence.push(
            Evidence::new(
                "rust-dependency",
                format!("source paths: {}", named.join(", ")),
            )
            .at(p, layer),
        );
    }
    if rust.deps.is_empty()
        && rust.aws_lc_fips.is_none()
        && let Some(text) = &rust.aws_lc_fips_version
    {
        j.evidence
            .push(Evidence::new("string", text.clone()).at(p, layer));
    }
    if let Some(mark) = &rust.boring_fips {
        // The symbol, or the entropy message of a file without it.
        let kind = if mark == crate::rustbin::BORING_FIPS_SYMBOL {
            "symbol"
        } else {
            "string"
        };
        j.evidence
            .push(Evidence::new(kind, mark.clone()).at(p, layer));
    }
    let fips_beside = judgements.iter().find_map(|o| match &o.crypto {
        RustCrypto::AwsLcFips { version } | RustCrypto::BoringFips { version } if !fips => {
            Some(version.clone())
        }
        _ => None,
    });
    let boring = judgements
        .iter()
        .any(|o| matches!(o.crypto, RustCrypto::Boring | RustCrypto::BoringFips { .. }));
    j.remediation = Some(match fips_beside {
        _ if matches!(worst.crypto, RustCrypto::BoringFips { .. }) => "link a BoringSSL FIPS module whose version holds a certificate, built as its Security Policy says (boring-sys's `fips` feature with the policy's toolchain), or use aws-lc-rs with an aws-lc-fips-sys release that holds one".into(),
        _ if fips => "build with an aws-lc-fips-sys release whose AWS-LC FIPS version holds a certificate (2.0.x #4816/#5429, 3.x #5298/#5314)".into(),
        Some(module) => format!(
            "it already links {module}: drop the other crypto crates from the build, or make every crypto call go through the aws-lc-rs FIPS provider (select it as the process default before any crypto)"
        ),
        None if boring => "build boring with its `fips` feature (BoringSSL's FIPS module), or use aws-lc-rs with its `fips` feature".into(),
        None => "use aws-lc-rs with its `fips` feature (rustls: the aws-lc-rs provider with `fips`)".into(),
    });
    Some(j)
}
