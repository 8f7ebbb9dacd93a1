//! Where a .NET app's host finds its runtime: the .NET root it looks in
//! (by how it is started), the shared framework its roll-forward rules pick
//! (DOTNET_ROLL_FORWARD first), and so the OpenSSL shim the app runs on.

use super::*;

/// What the app runs on, or why that cannot be told.
pub(super) enum Runs {
    /// The shim at this path, with how it was chosen.
    Shim(String, Vec<Evidence>),
    /// Unknown: a code and a reason.
    Unknown(Code, String, Vec<Evidence>),
}

/// How an app's host is started, which decides where it looks for the
/// shared frameworks.
pub(super) enum Launch {
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

pub(super) struct Resolver<'a> {
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
    pub(super) fn new(
        view: &'a FsView,
        config: &'a ImageConfig,
        entry: Option<&str>,
    ) -> Resolver<'a> {
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
    pub(super) fn launch_of(&self, rc_path: &str) -> Launch {
        if let Some((rc, _, root)) = &self.muxer
            && rc == rc_path
        {
            return Launch::Muxer(root.clone());
        }
        let apphost = rc_path.trim_end_matches(".runtimeconfig.json");
        match self.view.resolve(apphost) {
            Some((_, vn)) if single_file::is_apphost(vn) => Launch::Apphost(
                apphost.to_string(),
                crate::judge::link::elf_facts(vn)
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

    pub(super) fn runs(
        &self,
        rc_path: &str,
        opts: &RuntimeOptions,
        layer: &str,
        launch: Launch,
    ) -> Runs {
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
