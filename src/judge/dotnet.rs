//! .NET apps and runtimes. .NET has no crypto of its own on Linux: every
//! System.Security.Cryptography call goes through the runtime's OpenSSL
//! shim, which dlopens libssl. So an app is judged by the shim its runtime
//! loads: the shared framework's (`<root>/shared/Microsoft.NETCore.App/<v>/`,
//! the version the host picks by the app's roll-forward rules from those in
//! the image) for a framework-dependent app, the one beside the app for a
//! self-contained one. A managed crypto package in its deps.json
//! (BouncyCastle) makes it non-FIPS whatever the runtime.
//!
//! Where the host looks for shared frameworks follows how the app starts:
//! `dotnet app.dll` uses the muxer's own directory; an apphost (and a
//! framework-dependent single-file app) DOTNET_ROOT_<ARCH>, DOTNET_ROOT,
//! /etc/dotnet/install_location, then /usr/share/dotnet. DOTNET_ROLL_FORWARD
//! overrides every runtimeconfig's rollForward. Single-file apps are read
//! from their bundle (`bundle`, `host`) and judged in `single_file`.

pub mod aot;
pub mod bundle;
pub mod config;
pub mod host;
mod resolve;
pub mod shim;
pub mod single_file;

use std::collections::BTreeMap;

use crate::detect::FileFacts;
use crate::finding::{Code, Finding};
use crate::image::ImageConfig;
use crate::layer::squash::FsView;
use crate::layer::{NodeKind, path};
use crate::report::{Component, ComponentKind, Evidence};
use crate::score::Status;
use config::{FrameworkRef, RollForward, RuntimeOptions, Version};
use resolve::{Launch, Resolver, Runs};

/// The framework that holds the OpenSSL shim.
pub const NETCORE_APP: &str = "Microsoft.NETCore.App";
/// The shim's file name since .NET 5, and before it (.NET Core 2.x/3.x,
/// as in the real 3.1.23 runtime).
pub const SHIM_NAMES: &[&str] = &[
    "libSystem.Security.Cryptography.Native.OpenSsl.so",
    "System.Security.Cryptography.Native.OpenSsl.so",
];
/// libssl SONAMEs the shim tries, in its order (opensslshim.c); OpenSSL 3
/// support came with .NET 6.
const LIBSSL_ORDER: &[&str] = &[
    "libssl.so.3",
    "libssl.so.1.1",
    "libssl.so.1.0.2",
    "libssl.so.1.0.0",
    "libssl.so.10",
];
/// Before .NET 6 (strings of the real 3.1.23 shim): no libssl.so.3.
const LIBSSL_ORDER_PRE6: &[&str] = &[
    "libssl.so.1.1",
    "libssl.so.1.0.2",
    "libssl.so.1.0.0",
    "libssl.so.10",
];
/// NuGet packages of managed crypto that bypass OpenSSL (SIGNATURES.md §5).
const MANAGED_CRYPTO_PACKAGES: &[&str] = &[
    "BouncyCastle.Cryptography",
    "Portable.BouncyCastle",
    "BouncyCastle.NetCore",
    "BouncyCastle",
];
/// How deep framework references may chain (ASP.NET Core → NETCore.App is 1).
const MAX_FRAMEWORK_DEPTH: usize = 4;

pub fn is_shim(p: &str) -> bool {
    SHIM_NAMES.contains(&path::file_name(p))
}

fn text_at<'v>(view: &'v FsView, p: &str) -> Option<&'v str> {
    match view.nodes.get(p)?.node.facts.as_deref() {
        Some(FileFacts::Text { text }) => Some(text),
        _ => None,
    }
}

/// `shared/<framework>/<version>` of a path below it, as (root, name, version).
fn shared_framework_of(dir: &str) -> Option<(&str, &str, Version)> {
    let version_s = path::file_name(dir);
    let fw_dir = path::parent(dir);
    let shared = path::parent(fw_dir);
    (path::file_name(shared) == "shared")
        .then(|| Version::parse(version_s))
        .flatten()
        .map(|v| (path::parent(shared), path::file_name(fw_dir), v))
}

/// Shared frameworks in the image: name → (version, directory), sorted.
fn shared_frameworks(view: &FsView) -> BTreeMap<String, Vec<(Version, String)>> {
    let mut out: BTreeMap<String, Vec<(Version, String)>> = BTreeMap::new();
    for (p, vn) in &view.nodes {
        if vn.node.kind != NodeKind::Dir {
            continue;
        }
        if let Some((_, name, v)) = shared_framework_of(p) {
            out.entry(name.to_string())
                .or_default()
                .push((v, p.clone()));
        }
    }
    for list in out.values_mut() {
        list.sort();
    }
    out
}

/// The runtime a shim belongs to: its version and how it is known.
pub struct ShimRuntime {
    pub version: Version,
    pub evidence: Evidence,
}

/// The version of a shared framework directory: from its
/// `Microsoft.NETCore.App.deps.json` when that names it, else the
/// directory name.
fn framework_version(view: &FsView, dir: &str, from_dir: Version) -> ShimRuntime {
    let deps_path = format!("{dir}/{NETCORE_APP}.deps.json");
    let from_deps = text_at(view, &deps_path)
        .and_then(|t| config::parse_deps(t).ok())
        .and_then(|d| {
            d.libraries()
                .filter(|(n, _, _)| {
                    *n == NETCORE_APP || n.starts_with("Microsoft.NETCore.App.Runtime.")
                })
                .find_map(|(n, v, _)| Some((n.to_string(), Version::parse(v)?)))
        });
    match from_deps {
        Some((lib, version)) => {
            let layer = view
                .nodes
                .get(&deps_path)
                .map(|n| view.layer_id(n.layer))
                .unwrap_or("");
            ShimRuntime {
                evidence: Evidence::new(
                    "dotnet-runtime",
                    format!("{NETCORE_APP} {version} ({lib} in {NETCORE_APP}.deps.json)"),
                )
                .at(&deps_path, layer),
                version,
            }
        }
        None => ShimRuntime {
            evidence: Evidence::new(
                "dotnet-runtime",
                format!("{NETCORE_APP} {from_dir} (directory name)"),
            )
            .at(
                dir,
                view.nodes
                    .get(dir)
                    .map(|n| view.layer_id(n.layer))
                    .unwrap_or(""),
            ),
            version: from_dir,
        },
    }
}

/// The runtime of a shim: the shared framework it sits in, or the
/// self-contained app beside it (its runtimeconfig's includedFrameworks).
pub fn shim_runtime(view: &FsView, shim: &str) -> Option<ShimRuntime> {
    let dir = path::parent(shim);
    if let Some((_, name, v)) = shared_framework_of(dir) {
        return (name == NETCORE_APP).then(|| framework_version(view, dir, v));
    }
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    view.nodes
        .range(prefix.clone()..)
        .take_while(|(p, _)| p.starts_with(&prefix))
        .filter(|(p, _)| path::parent(p) == dir && is_runtimeconfig(p))
        .find_map(|(p, vn)| {
            let opts = config::parse_runtimeconfig(text_at(view, p)?).ok()?;
            let fw = opts
                .included_frameworks
                .iter()
                .find(|f| f.name == NETCORE_APP)?;
            let version = Version::parse(&fw.version)?;
            Some(ShimRuntime {
                evidence: Evidence::new(
                    "dotnet-runtime",
                    format!("{NETCORE_APP} {version} (includedFrameworks of a self-contained app)"),
                )
                .at(p, view.layer_id(vn.layer)),
                version,
            })
        })
}

/// The SONAMEs a shim of this runtime tries.
pub fn libssl_order(runtime: Option<&ShimRuntime>) -> &'static [&'static str] {
    libssl_order_of(runtime.map(|r| &r.version))
}

/// The SONAMEs the shim of a runtime version tries.
pub fn libssl_order_of(version: Option<&Version>) -> &'static [&'static str] {
    match version {
        Some(v) if v.major < 6 => LIBSSL_ORDER_PRE6,
        _ => LIBSSL_ORDER,
    }
}

fn is_runtimeconfig(p: &str) -> bool {
    p.ends_with(".runtimeconfig.json") && !p.ends_with(".runtimeconfig.dev.json")
}

fn app_component(
    path: &str,
    layer: &str,
    status: Status,
    code: Code,
    summary: String,
) -> Component {
    Component::new(
        format!("/{path}"),
        layer.to_string(),
        ComponentKind::ManagedAssembly,
        status,
        code,
        summary,
    )
}

/// A BouncyCastle assembly (`name`, found at image path `at`, `where_`
/// it sits, e.g. ", bundled in a single-file app"): managed crypto brings
/// its own algorithms, never touches the image's OpenSSL, and nothing in it
/// is FIPS validated.
pub fn managed_crypto_component(
    at: &str,
    layer: &str,
    name: &str,
    where_: &str,
    evidence: Evidence,
) -> Component {
    let mut c = Component::new(
        format!("/{at}"),
        layer.to_string(),
        ComponentKind::ManagedAssembly,
        Status::NonFips,
        Code::DotnetManagedCrypto,
        format!(
            "{name}{where_} is managed BouncyCastle crypto for .NET, which bypasses OpenSSL and has no FIPS validation"
        ),
    );
    c.module = Some(format!("{} (managed)", name.trim_end_matches(".dll")));
    c.evidence = vec![evidence];
    c.remediation = Some(
        "use System.Security.Cryptography (backed by the image's OpenSSL) instead of BouncyCastle"
            .into(),
    );
    c
}

/// Managed crypto packages an app's deps.json pulls, as "Name Version".
fn managed_crypto(deps: &config::DepsFile) -> Vec<String> {
    deps.libraries()
        .filter(|(n, _, kind)| {
            *kind == "package"
                && MANAGED_CRYPTO_PACKAGES
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(n))
        })
        .map(|(n, v, _)| format!("{n} {v}"))
        .collect()
}

/// One framework-dependent app to judge: where it is, what it is called,
/// and what its deps.json says.
struct App<'p> {
    /// The component's image path (the runtimeconfig, or a single-file app).
    path: &'p str,
    /// The runtimeconfig, as evidence names it.
    rc_path: &'p str,
    layer: &'p str,
    /// ".NET app", ".NET single-file app".
    what: &'static str,
    dep_evidence: Vec<Evidence>,
    /// Managed crypto it carries, and where that was read ("deps.json pulls").
    managed: Vec<String>,
    carrier: &'static str,
}

/// The component of an app, from what its runtime resolves to and the
/// shim components already judged.
fn judge_app(
    app: App<'_>,
    runs: Runs,
    judged: &[Component],
    findings: &mut Vec<Finding>,
) -> Component {
    let App {
        path: p,
        rc_path,
        layer,
        what,
        dep_evidence,
        managed,
        carrier,
    } = app;
    let mut c = match runs {
        Runs::Shim(shim, ev) => {
            let image_path = format!("/{shim}");
            match judged.iter().find(|c| c.path == image_path) {
                Some(s) => {
                    let mut c = app_component(
                        p,
                        layer,
                        s.status,
                        s.code,
                        format!(
                            "{what} on the runtime at /{}: {}",
                            path::parent(&shim),
                            s.summary
                        ),
                    );
                    c.fips_mode_on = s.fips_mode_on;
                    c.module = s.module.clone();
                    c.certificate = s.certificate.clone();
                    c.remediation = s.remediation.clone();
                    c.needs = s.needs.clone();
                    c.evidence = ev
                        .into_iter()
                        .chain(dep_evidence)
                        .chain(s.evidence.iter().cloned())
                        .collect();
                    c.uses = std::iter::once(image_path)
                        .chain(s.uses.iter().cloned())
                        .collect();
                    c
                }
                // A shim that is no ELF we could read.
                None => {
                    let mut c = app_component(
                        p,
                        layer,
                        Status::Unknown,
                        Code::DotnetShimMissing,
                        format!("{what} whose runtime shim /{shim} is not a readable ELF library"),
                    );
                    c.evidence = ev.into_iter().chain(dep_evidence).collect();
                    c
                }
            }
        }
        Runs::Unknown(code, why, ev) => {
            if code != Code::DotnetShimMissing {
                findings.push(Finding::new(code, why.clone()).at(rc_path).in_layer(layer));
            }
            let mut c = app_component(p, layer, Status::Unknown, code, format!("{what}: {why}"));
            c.evidence = ev.into_iter().chain(dep_evidence).collect();
            c.remediation = Some(match code {
                Code::DotnetFrameworkMissing => "install the shared framework the app targets where its host looks (DOTNET_ROOT for an apphost), or publish it self-contained, on an OpenSSL 3 with a validated FIPS provider".into(),
                Code::DotnetConfigInvalid => "use a rollForward the .NET host knows (LatestPatch, Minor, LatestMinor, Major, LatestMajor, Disable), in the runtimeconfig.json and in DOTNET_ROLL_FORWARD".into(),
                _ => "ship the .NET runtime's OpenSSL shim with the app, on an OpenSSL 3 with a validated FIPS provider".into(),
            });
            c
        }
    };
    if !managed.is_empty() {
        // Managed crypto never reaches OpenSSL, whatever the runtime.
        c.status = Status::NonFips;
        c.code = Code::DotnetManagedCrypto;
        c.fips_mode_on = false;
        c.certificate = None;
        c.needs.clear();
        c.module = Some(format!("{} (managed)", managed.join(", ")));
        c.summary = format!(
            "{what} whose {carrier} {}: managed crypto that bypasses OpenSSL and has no FIPS validation",
            managed.join(", ")
        );
        c.remediation = Some("use System.Security.Cryptography (backed by the image's OpenSSL) instead of BouncyCastle".into());
    }
    c
}

/// One component per app (`*.runtimeconfig.json` outside the shared
/// frameworks, and framework-dependent single-file apps), judged from the
/// shim components already judged. `entry` is the image entrypoint as
/// resolved in the image.
pub fn app_components(
    view: &FsView,
    image: &ImageConfig,
    entry: Option<&str>,
    judged: &[Component],
) -> (Vec<Component>, Vec<Finding>) {
    let resolver = Resolver::new(view, image, entry);
    let mut out = Vec::new();
    let mut findings = Vec::new();
    for (p, vn) in &view.nodes {
        if vn.node.kind != NodeKind::File
            || !is_runtimeconfig(p)
            || shared_framework_of(path::parent(p)).is_some()
        {
            continue;
        }
        let layer = view.layer_id(vn.layer);
        let name = path::file_name(p).trim_end_matches(".runtimeconfig.json");
        let deps_path = format!(
            "{}{name}.deps.json",
            p.strip_suffix(path::file_name(p)).unwrap_or("")
        );
        let invalid = |file: &str, why: String, findings: &mut Vec<Finding>| {
            findings.push(
                Finding::new(Code::DotnetConfigInvalid, format!("cannot be read: {why}"))
                    .at(file)
                    .in_layer(layer),
            );
            let mut c = app_component(
                p,
                layer,
                Status::Unknown,
                Code::DotnetConfigInvalid,
                format!(
                    ".NET app whose /{file} cannot be read ({why}): what it runs on cannot be told"
                ),
            );
            let kind = if file.ends_with(".deps.json") {
                "dotnet-deps"
            } else {
                "dotnet-runtimeconfig"
            };
            c.evidence = vec![Evidence::new(kind, format!("unreadable: {why}")).at(file, layer)];
            c.remediation = Some(
                "ship the runtimeconfig.json and deps.json that `dotnet publish` writes".into(),
            );
            c
        };
        // No text: the layer walk refused it (too large) and said so.
        let Some(text) = text_at(view, p) else {
            out.push(invalid(
                p,
                "too large to be a runtimeconfig".into(),
                &mut Vec::new(),
            ));
            continue;
        };
        let opts = match config::parse_runtimeconfig(text) {
            Ok(o) => o,
            Err(e) => {
                out.push(invalid(p, e, &mut findings));
                continue;
            }
        };
        let deps = match view.nodes.get(&deps_path) {
            None => None,
            Some(_) => match text_at(view, &deps_path).map(config::parse_deps) {
                Some(Ok(d)) => Some(d),
                Some(Err(e)) => {
                    out.push(invalid(&deps_path, e, &mut findings));
                    continue;
                }
                None => {
                    out.push(invalid(
                        &deps_path,
                        "too large to be a deps.json".into(),
                        &mut Vec::new(),
                    ));
                    continue;
                }
            },
        };
        let deps_layer = view
            .nodes
            .get(&deps_path)
            .map(|n| view.layer_id(n.layer))
            .unwrap_or(layer);
        let mut dep_evidence = Vec::new();
        if let Some(d) = &deps {
            if let Some(t) = &d.runtime_target {
                dep_evidence.push(
                    Evidence::new("dotnet-deps", format!("runtimeTarget {}", t.name))
                        .at(&deps_path, deps_layer),
                );
            }
            for (n, v, _) in d.libraries().filter(|(_, _, k)| *k == "runtimepack") {
                dep_evidence.push(
                    Evidence::new("dotnet-deps", format!("runtime pack {n} {v}"))
                        .at(&deps_path, deps_layer),
                );
            }
        }
        let bc = deps.as_ref().map(managed_crypto).unwrap_or_default();
        for b in &bc {
            dep_evidence.push(
                Evidence::new("dotnet-deps", format!("package {b}")).at(&deps_path, deps_layer),
            );
        }
        let runs = resolver.runs(p, &opts, layer, resolver.launch_of(p));
        let app = App {
            path: p,
            rc_path: p,
            layer,
            what: ".NET app",
            dep_evidence,
            managed: bc,
            carrier: "deps.json pulls",
        };
        out.push(judge_app(app, runs, judged, &mut findings));
    }
    // Framework-dependent single-file apps: an apphost with the app bundled
    // in, resolved like any apphost (self-contained ones were judged with
    // the ELF files).
    for (p, vn) in &view.nodes {
        let Some(b) = single_file::bundle_of(vn) else {
            continue;
        };
        let layer = view.layer_id(vn.layer);
        let Ok(opts) = single_file::runtime_options(p, layer, b) else {
            continue;
        };
        if opts.framework_refs().is_empty() {
            continue;
        }
        let rc_path = b
            .runtimeconfig
            .as_ref()
            .map(|rc| single_file::inner(p, &rc.path))
            .unwrap_or_default();
        let facts = super::link::elf_facts(vn);
        let machine = facts.map(|f| f.machine.clone()).unwrap_or_default();
        let (dep_evidence, managed) = single_file::deps_evidence(p, layer, b);
        let runs = match resolver.runs(&rc_path, &opts, layer, Launch::Apphost(p.clone(), machine))
        {
            Runs::Shim(s, mut ev) => {
                ev.insert(0, single_file::bundle_evidence(p, layer, b));
                Runs::Shim(s, ev)
            }
            Runs::Unknown(code, why, mut ev) => {
                ev.insert(0, single_file::bundle_evidence(p, layer, b));
                Runs::Unknown(code, why, ev)
            }
        };
        let app = App {
            path: p,
            rc_path: &rc_path,
            layer,
            what: ".NET single-file app",
            dep_evidence,
            managed,
            carrier: "bundle carries",
        };
        let mut c = judge_app(app, runs, judged, &mut findings);
        c.kind = ComponentKind::NativeProgram;
        c.sha256 = facts.and_then(|f| f.sha256.clone());
        out.push(c);
    }
    (out, findings)
}

/// An entrypoint that is an apphost runs the app whose runtimeconfig sits
/// beside it: `/app/tool/tool` → `/app/tool/tool.runtimeconfig.json`.
pub fn apphost_app(view: &FsView, entry: &str) -> Option<String> {
    let (_, vn) = view.resolve(entry)?;
    if !single_file::is_apphost(vn) || single_file::bundle_of(vn).is_some() {
        return None;
    }
    let rc = format!("{}.runtimeconfig.json", entry.trim_start_matches('/'));
    view.nodes.contains_key(&rc).then(|| format!("/{rc}"))
}

/// `dotnet app.dll` runs the app whose runtimeconfig sits beside app.dll.
pub fn entrypoint_app(config: &ImageConfig) -> Option<String> {
    let cmd: Vec<&String> = config.entrypoint.iter().chain(&config.cmd).collect();
    let (host, dll) = (cmd.first()?, cmd.get(1)?);
    if path::file_name(host) != "dotnet" || !dll.ends_with(".dll") {
        return None;
    }
    let dll = if dll.starts_with('/') {
        dll.to_string()
    } else {
        format!("{}/{dll}", config.working_dir.as_deref().unwrap_or("/"))
    };
    Some(format!("{}.runtimeconfig.json", dll.trim_end_matches(".dll")).replace("//", "/"))
}

#[cfg(test)]
mod resolve_tests;

#[cfg(test)]
mod tests;
