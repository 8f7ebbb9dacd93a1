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

pub mod bundle;
pub mod config;
pub mod host;
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

/// What the app runs on, or why that cannot be told.
enum Runs {
    /// The shim at this path, with how it was chosen.
    Shim(String, Vec<Evidence>),
    /// Unknown: a code and a reason.
    Unknown(Code, String, Vec<Evidence>),
}

/// How an app's host is started, which decides where it looks for the
/// shared frameworks.
enum Launch {
    /// `dotnet app.dll` (the image entrypoint): the muxer's own directory
    /// is the .NET root; DOTNET_ROOT plays no part.
    Muxer(String),
    /// An apphost (a single-file one too) at this path, of this ELF machine:
    /// DOTNET_ROOT_<ARCH>, DOTNET_ROOT, /etc/dotnet/install_location, the default.
    Apphost(String, String),
    /// Nothing tells how it is started: any .NET root in the image.
    Unknown,
}

/// The .NET root a host looks in, and why there.
struct Root {
    dir: String,
    evidence: Vec<Evidence>,
}

/// Where an apphost's .NET lives on Linux when nothing says otherwise.
const DEFAULT_ROOT: &str = "usr/share/dotnet";

/// The `DOTNET_ROOT_<ARCH>` suffix of an ELF machine.
fn dotnet_arch(machine: &str) -> Option<&'static str> {
    Some(match machine {
        "x86_64" => "X64",
        "aarch64" => "ARM64",
        "386" => "X86",
        "arm" => "ARM",
        _ => return None,
    })
}

struct Resolver<'a> {
    view: &'a FsView,
    config: &'a ImageConfig,
    frameworks: BTreeMap<String, Vec<(Version, String)>>,
    /// DOTNET_ROLL_FORWARD from the image Env: (raw value, parsed).
    env_policy: Option<(String, Result<RollForward, String>)>,
    /// The runtimeconfig (image path) of the `dotnet app.dll` entrypoint,
    /// and the muxer's .NET root.
    muxer: Option<(String, String, String)>,
}

impl<'a> Resolver<'a> {
    fn new(view: &'a FsView, config: &'a ImageConfig, entry: Option<&str>) -> Resolver<'a> {
        let muxer = entry
            .filter(|e| path::file_name(e) == "dotnet")
            .zip(entrypoint_app(config))
            .map(|(e, rc)| {
                (
                    rc.trim_start_matches('/').to_string(),
                    e.trim_start_matches('/').to_string(),
                    path::parent(e.trim_start_matches('/')).to_string(),
                )
            });
        Resolver {
            view,
            config,
            frameworks: shared_frameworks(view),
            env_policy: config
                .env_var("DOTNET_ROLL_FORWARD")
                .map(|v| (v.to_string(), RollForward::parse(v))),
            muxer,
        }
    }

    /// How the app whose runtimeconfig is at `rc_path` is started: by the
    /// entrypoint muxer, by the apphost beside it (named like the app), or
    /// unknown.
    fn launch_of(&self, rc_path: &str) -> Launch {
        if let Some((rc, _, root)) = &self.muxer
            && rc == rc_path
        {
            return Launch::Muxer(root.clone());
        }
        let apphost = rc_path.trim_end_matches(".runtimeconfig.json");
        match self.view.resolve(apphost) {
            Some((_, vn)) if single_file::is_apphost(vn) => Launch::Apphost(
                apphost.to_string(),
                super::link::elf_facts(vn)
                    .map(|f| f.machine.clone())
                    .unwrap_or_default(),
            ),
            _ => Launch::Unknown,
        }
    }

    fn layer_of(&self, p: &str) -> &str {
        self.view
            .nodes
            .get(p)
            .map(|n| self.view.layer_id(n.layer))
            .unwrap_or("")
    }

    /// Where the host of `launch` looks for frameworks: Ok(None) for
    /// anywhere, Err when that place is not in the image.
    fn root(&self, launch: &Launch) -> Result<Option<Root>, (String, Vec<Evidence>)> {
        let (apphost, machine) = match launch {
            Launch::Unknown => return Ok(None),
            Launch::Muxer(root) => {
                let muxer = self.muxer.as_ref().map(|m| m.1.as_str()).unwrap_or("");
                return Ok(Some(Root {
                    dir: root.clone(),
                    evidence: vec![
                        Evidence::new(
                            "dotnet-host",
                            format!(
                                "started by the muxer /{muxer} (the image entrypoint): frameworks from /{root}"
                            ),
                        )
                        .at(muxer, self.layer_of(muxer)),
                    ],
                }));
            }
            Launch::Apphost(p, machine) => (p, machine),
        };
        let from_env = |name: String| {
            self.config
                .env_var(&name)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    (
                        v.to_string(),
                        Some(format!("{name}={v}")),
                        format!("{name} in the image Env"),
                    )
                })
        };
        let arch = dotnet_arch(machine);
        let from_file = |f: String| {
            let line = text_at(self.view, &f)?.lines().next()?.trim().to_string();
            (!line.is_empty()).then(|| (line, None, format!("/{f}")))
        };
        let (dir, env, why) = arch
            .and_then(|a| from_env(format!("DOTNET_ROOT_{a}")))
            .or_else(|| from_env("DOTNET_ROOT".into()))
            .or_else(|| {
                arch.and_then(|a| {
                    from_file(format!(
                        "etc/dotnet/install_location_{}",
                        a.to_ascii_lowercase()
                    ))
                })
            })
            .or_else(|| from_file("etc/dotnet/install_location".into()))
            .unwrap_or_else(|| {
                (
                    DEFAULT_ROOT.to_string(),
                    None,
                    "the default location; DOTNET_ROOT is not set".into(),
                )
            });
        let named = dir.trim_matches('/').to_string();
        // A symlinked root is the directory it points at.
        let dir = match self.view.resolve(&named) {
            Some((resolved, vn)) if vn.node.kind == NodeKind::Dir => resolved,
            _ => named.clone(),
        };
        let mut evidence: Vec<Evidence> = env
            .into_iter()
            .map(|e| Evidence::new("image-env", e))
            .collect();
        evidence.push(
            Evidence::new(
                "dotnet-host",
                format!("apphost /{apphost} looks for .NET in /{named} ({why})"),
            )
            .at(apphost, self.layer_of(apphost)),
        );
        let in_image = self.view.nodes.contains_key(&dir)
            || self
                .frameworks
                .values()
                .flatten()
                .any(|(_, d)| d.starts_with(&format!("{dir}/")));
        if !in_image {
            return Err((
                format!(
                    "the apphost /{apphost} looks for .NET in /{named} ({why}), which is not in the image"
                ),
                evidence,
            ));
        }
        Ok(Some(Root { dir, evidence }))
    }

    /// Resolves framework references the way the host does, following
    /// the references of each framework found (ASP.NET Core names
    /// NETCore.App in its own runtimeconfig), to NETCore.App's directory.
    /// `env` is DOTNET_ROLL_FORWARD, which overrides every runtimeconfig.
    fn netcore_dir(
        &self,
        refs: Vec<(FrameworkRef, RollForward)>,
        root: Option<&Root>,
        env: Option<RollForward>,
        evidence: &mut Vec<Evidence>,
    ) -> Result<Option<String>, String> {
        let mut todo = refs;
        let mut netcore = None;
        let from = if env.is_some() {
            " from DOTNET_ROLL_FORWARD"
        } else {
            ""
        };
        for _ in 0..MAX_FRAMEWORK_DEPTH {
            let mut next = Vec::new();
            for (r, policy) in std::mem::take(&mut todo) {
                let want = Version::parse(&r.version).ok_or_else(|| {
                    format!(
                        "framework {} version {:?} is not a version",
                        r.name, r.version
                    )
                })?;
                let have: Vec<&(Version, String)> = self
                    .frameworks
                    .get(&r.name)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                    .iter()
                    .filter(|(_, d)| {
                        root.is_none_or(|root| {
                            shared_framework_of(d).is_some_and(|(r, _, _)| r == root.dir)
                        })
                    })
                    .collect();
                let versions: Vec<Version> = have.iter().map(|(v, _)| v.clone()).collect();
                let Some(found) = policy.resolve(&want, &versions) else {
                    let listed: Vec<String> = versions.iter().map(Version::to_string).collect();
                    return Err(format!(
                        "{} {want} (rollForward {policy}{from}) is not in {}{}",
                        r.name,
                        root.map_or_else(|| "the image".to_string(), |r| format!("/{}", r.dir)),
                        if listed.is_empty() {
                            String::new()
                        } else {
                            format!(", which has {}", listed.join(", "))
                        }
                    ));
                };
                let dir = have
                    .iter()
                    .find(|(v, _)| v == found)
                    .map(|(_, d)| d.clone())
                    .unwrap_or_default();
                evidence.push(
                    Evidence::new(
                        "dotnet-framework",
                        format!(
                            "{} {want} resolves to {found} (rollForward {policy}{from})",
                            r.name
                        ),
                    )
                    .at(&dir, self.layer_of(&dir)),
                );
                if r.name == NETCORE_APP {
                    netcore = Some(dir);
                    continue;
                }
                // The framework's own references, e.g. shared/Microsoft.AspNetCore.App/8.0.11/Microsoft.AspNetCore.App.runtimeconfig.json.
                let own = format!("{dir}/{}.runtimeconfig.json", r.name);
                if let Some(opts) =
                    text_at(self.view, &own).and_then(|t| config::parse_runtimeconfig(t).ok())
                {
                    let p =
                        env.unwrap_or_else(|| opts.roll_forward().unwrap_or(RollForward::Minor));
                    next.extend(opts.framework_refs().into_iter().map(|f| (f.clone(), p)));
                }
            }
            if next.is_empty() {
                break;
            }
            todo = next;
        }
        Ok(netcore)
    }

    fn runs(&self, rc_path: &str, opts: &RuntimeOptions, layer: &str, launch: Launch) -> Runs {
        let dir = path::parent(rc_path);
        let beside = |name: &&str| {
            let p = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            self.view.resolve(&p).map(|(resolved, _)| resolved)
        };
        let refs = opts.framework_refs();
        if refs.is_empty() {
            let included: Vec<String> = opts
                .included_frameworks
                .iter()
                .map(|f| format!("{} {}", f.name, f.version))
                .collect();
            let ev = vec![
                Evidence::new(
                    "dotnet-runtimeconfig",
                    if included.is_empty() {
                        "self-contained: names no framework".to_string()
                    } else {
                        format!("self-contained: includedFrameworks {}", included.join(", "))
                    },
                )
                .at(rc_path, layer),
            ];
            return match SHIM_NAMES.iter().find_map(beside) {
                Some(shim) => Runs::Shim(shim, ev),
                None => Runs::Unknown(
                    Code::DotnetShimMissing,
                    "self-contained .NET app without the OpenSSL shim beside it: what crypto it runs cannot be told".into(),
                    ev,
                ),
            };
        }
        let app_policy = match opts.roll_forward() {
            Ok(p) => p,
            Err(e) => {
                return invalid_policy(rc_path, layer, e);
            }
        };
        let mut resolved_refs = Vec::new();
        for r in &refs {
            match r
                .roll_forward
                .as_deref()
                .map(RollForward::parse)
                .transpose()
            {
                Ok(p) => resolved_refs.push(((*r).clone(), p.unwrap_or(app_policy))),
                Err(e) => {
                    return invalid_policy(rc_path, layer, e);
                }
            }
        }
        let mut ev = vec![
            Evidence::new(
                "dotnet-runtimeconfig",
                format!(
                    "framework-dependent: {} (rollForward {app_policy}){}",
                    refs.iter()
                        .map(|r| format!("{} {}", r.name, r.version))
                        .collect::<Vec<_>>()
                        .join(", "),
                    opts.tfm
                        .as_deref()
                        .map(|t| format!(", tfm {t}"))
                        .unwrap_or_default()
                ),
            )
            .at(rc_path, layer),
        ];
        // DOTNET_ROLL_FORWARD wins over the app-wide and per-framework
        // settings (framework-version-resolution.md: env over runtimeconfig).
        let env = match &self.env_policy {
            None => None,
            Some((raw, Ok(p))) => {
                ev.push(Evidence::new(
                    "image-env",
                    format!("DOTNET_ROLL_FORWARD={raw}: overrides the runtimeconfig's rollForward"),
                ));
                Some(*p)
            }
            Some((raw, Err(e))) => {
                ev.push(Evidence::new(
                    "image-env",
                    format!("DOTNET_ROLL_FORWARD={raw}"),
                ));
                return Runs::Unknown(
                    Code::DotnetConfigInvalid,
                    format!("DOTNET_ROLL_FORWARD in the image Env: {e}"),
                    ev,
                );
            }
        };
        if let Some(p) = env {
            for r in &mut resolved_refs {
                r.1 = p;
            }
        }
        let root = match self.root(&launch) {
            Ok(root) => root,
            Err((why, more)) => {
                ev.extend(more);
                return Runs::Unknown(Code::DotnetFrameworkMissing, why, ev);
            }
        };
        if let Some(r) = &root {
            ev.extend(r.evidence.iter().cloned());
        }
        match self.netcore_dir(resolved_refs, root.as_ref(), env, &mut ev) {
            Err(why) => Runs::Unknown(Code::DotnetFrameworkMissing, why, ev),
            Ok(None) => Runs::Unknown(
                Code::DotnetFrameworkMissing,
                format!("no reference leads to {NETCORE_APP}, whose shim does the crypto"),
                ev,
            ),
            Ok(Some(fw)) => match SHIM_NAMES
                .iter()
                .map(|n| format!("{fw}/{n}"))
                .find(|p| self.view.nodes.contains_key(p))
            {
                Some(shim) => Runs::Shim(shim, ev),
                None => Runs::Unknown(
                    Code::DotnetShimMissing,
                    format!("/{fw} has no OpenSSL shim: what crypto the app runs cannot be told"),
                    ev,
                ),
            },
        }
    }
}

/// A roll-forward setting the host would refuse.
fn invalid_policy(rc_path: &str, layer: &str, e: String) -> Runs {
    let ev =
        vec![Evidence::new("dotnet-runtimeconfig", format!("unreadable: {e}")).at(rc_path, layer)];
    Runs::Unknown(Code::DotnetConfigInvalid, e, ev)
}

fn app_component(
    path: &str,
    layer: &str,
    status: Status,
    code: Code,
    summary: String,
) -> Component {
    Component {
        path: format!("/{path}"),
        layer: layer.to_string(),
        kind: ComponentKind::ManagedAssembly,
        status,
        fips_mode_on: false,
        code,
        summary,
        module: None,
        certificate: None,
        entrypoint: false,
        counts: true,
        evidence: Vec::new(),
        remediation: None,
        uses: Vec::new(),
        used_by: Vec::new(),
        package: None,
        sha256: None,
        needs: Vec::new(),
        waiver: None,
    }
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
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_shim(
            "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.11/libSystem.Security.Cryptography.Native.OpenSsl.so"
        ));
        assert!(is_shim(
            "usr/share/dotnet/shared/Microsoft.NETCore.App/3.1.23/System.Security.Cryptography.Native.OpenSsl.so"
        ));
        assert!(!is_shim(
            "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.11/System.Security.Cryptography.dll"
        ));
        let (root, name, v) =
            shared_framework_of("usr/lib/dotnet/shared/Microsoft.AspNetCore.App/8.0.11").unwrap();
        assert_eq!(
            (root, name, v.to_string().as_str()),
            ("usr/lib/dotnet", "Microsoft.AspNetCore.App", "8.0.11")
        );
        assert!(shared_framework_of("app/shared/x/notaversion").is_none());
        assert!(is_runtimeconfig("app/api.runtimeconfig.json"));
        assert!(!is_runtimeconfig("app/api.runtimeconfig.dev.json"));
    }

    #[test]
    fn entrypoint_of_dotnet_app_dll() {
        let cfg = |e: &[&str], wd: Option<&str>| ImageConfig {
            entrypoint: e.iter().map(|s| s.to_string()).collect(),
            working_dir: wd.map(str::to_string),
            ..ImageConfig::default()
        };
        assert_eq!(
            entrypoint_app(&cfg(&["dotnet", "api.dll"], Some("/app/"))).as_deref(),
            Some("/app/api.runtimeconfig.json")
        );
        assert_eq!(
            entrypoint_app(&cfg(
                &["/usr/share/dotnet/dotnet", "/app/api/api.dll"],
                None
            ))
            .as_deref(),
            Some("/app/api/api.runtimeconfig.json")
        );
        assert_eq!(entrypoint_app(&cfg(&["/app/api"], None)), None);
    }
}
