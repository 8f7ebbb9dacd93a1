//! Judging single-file .NET apps. A self-contained one (the usual kind)
//! carries its runtime: since .NET 6 the single-file host has the OpenSSL
//! shim linked in, and it dlopens libssl from the image like any shim, so
//! the app is judged by the image's OpenSSL. A framework-dependent one is
//! an apphost: its runtime is resolved like any such app's (`super::app_components`).

use super::host::{BundleFacts, DotnetHost};
use super::{NETCORE_APP, SHIM_NAMES, config};
use crate::detect::FileFacts;
use crate::finding::Code;
use crate::judge::Judgement;
use crate::layer::path;
use crate::layer::squash::{FsView, ViewNode};
use crate::report::{Component, Evidence};
use crate::score::Status;

/// The bundle facts of an ELF, if it is a single-file app.
pub fn bundle_of(vn: &ViewNode) -> Option<&BundleFacts> {
    match vn.node.facts.as_deref() {
        Some(FileFacts::Elf(e)) => match e.dotnet.as_ref()? {
            DotnetHost::Bundle(b) => Some(b),
            DotnetHost::Apphost | DotnetHost::NativeAot(_) => None,
        },
        _ => None,
    }
}

/// Whether the ELF at this image path is a .NET apphost (bundled or not).
pub fn is_apphost(vn: &ViewNode) -> bool {
    matches!(vn.node.facts.as_deref(), Some(FileFacts::Elf(e))
        if matches!(e.dotnet, Some(DotnetHost::Apphost | DotnetHost::Bundle(_))))
}

/// A path inside the bundle, as evidence names it: `app/tool!/tool.deps.json`.
pub fn inner(p: &str, entry: &str) -> String {
    format!("{p}!/{entry}")
}

fn unknown(code: Code, summary: String, evidence: Vec<Evidence>, fix: &str) -> Judgement {
    let mut j = Judgement::new(Status::Unknown, code, summary);
    j.evidence = evidence;
    j.remediation = Some(fix.to_string());
    j
}

/// The bundle's own evidence: its format and size.
pub fn bundle_evidence(p: &str, layer: &str, b: &BundleFacts) -> Evidence {
    Evidence::new(
        "dotnet-bundle",
        format!(
            "single-file bundle {}: {} files, manifest at offset {}",
            b.version, b.files, b.header_offset
        ),
    )
    .at(p, layer)
}

/// The runtimeconfig of a readable bundle, or the judgement that says why
/// it cannot be had.
pub fn runtime_options(
    p: &str,
    layer: &str,
    b: &BundleFacts,
) -> Result<config::RuntimeOptions, Box<Judgement>> {
    const FIX: &str = "publish the app again (dotnet publish -p:PublishSingleFile=true) and ship the file it writes, unedited";
    if let Some(err) = &b.error {
        return Err(Box::new(unknown(
            Code::DotnetBundleInvalid,
            format!(
                ".NET single-file app whose bundle cannot be read ({err}): what it runs on cannot be told"
            ),
            vec![
                Evidence::new(
                    "dotnet-bundle",
                    format!("bundle marker: manifest at offset {}", b.header_offset),
                )
                .at(p, layer),
            ],
            "rebuild the image from the published app: this single-file executable is truncated or corrupt",
        )));
    }
    let ev = bundle_evidence(p, layer, b);
    let Some(rc) = &b.runtimeconfig else {
        return Err(Box::new(unknown(
            Code::DotnetConfigInvalid,
            ".NET single-file app whose bundle holds no runtimeconfig.json: what it runs on cannot be told".into(),
            vec![ev],
            FIX,
        )));
    };
    let at = inner(p, &rc.path);
    let parsed = match (&rc.text, &rc.error) {
        (Some(text), _) => config::parse_runtimeconfig(text),
        (None, e) => Err(e.clone().unwrap_or_default()),
    };
    parsed.map_err(|why| {
        Box::new(unknown(
            Code::DotnetConfigInvalid,
            format!(".NET single-file app whose bundled {} cannot be read ({why}): what it runs on cannot be told", rc.path),
            vec![ev, Evidence::new("dotnet-runtimeconfig", format!("unreadable: {why}")).at(&at, layer)],
            FIX,
        ))
    })
}

/// The deps.json evidence of a bundle, and the managed crypto it carries
/// (packages in deps.json, BouncyCastle*.dll files in the bundle).
pub fn deps_evidence(p: &str, layer: &str, b: &BundleFacts) -> (Vec<Evidence>, Vec<String>) {
    let mut ev = Vec::new();
    let mut crypto = Vec::new();
    if let Some(d) = &b.deps {
        let at = inner(p, &d.path);
        if let Some(e) = &d.error {
            ev.push(Evidence::new("dotnet-deps", format!("unreadable: {e}")).at(&at, layer));
        }
        if let Some(t) = &d.runtime_target {
            ev.push(Evidence::new("dotnet-deps", format!("runtimeTarget {t}")).at(&at, layer));
        }
        for pack in &d.runtime_packs {
            ev.push(Evidence::new("dotnet-deps", format!("runtime pack {pack}")).at(&at, layer));
        }
        for m in &d.managed_crypto {
            ev.push(Evidence::new("dotnet-deps", format!("package {m}")).at(&at, layer));
            crypto.push(m.clone());
        }
    }
    for a in &b.crypto_assemblies {
        ev.push(Evidence::new("file", format!("bundled {a}")).at(&inner(p, a), layer));
        crypto.push(path::file_name(a).to_string());
    }
    (ev, crypto)
}

/// Managed crypto never reaches OpenSSL, whatever the runtime.
pub fn managed_crypto_judgement(j: &mut Judgement, what: &[String]) {
    j.status = Status::NonFips;
    j.code = Code::DotnetManagedCrypto;
    j.fips_mode_on = false;
    j.certificate = None;
    j.needs.clear();
    j.module = Some(format!("{} (managed)", what.join(", ")));
    j.summary = format!(
        ".NET single-file app whose bundle carries {}: managed crypto that bypasses OpenSSL and has no FIPS validation",
        what.join(", ")
    );
    j.remediation = Some(
        "use System.Security.Cryptography (backed by the image's OpenSSL) instead of BouncyCastle"
            .into(),
    );
}

/// Judges a self-contained single-file app at image path `p`. `openssl`
/// judges a shim that dlopens the given SONAMEs, in order, from the image.
/// None for a framework-dependent one, which `app_components` resolves.
pub fn judge(
    p: &str,
    layer: &str,
    b: &BundleFacts,
    view: &FsView,
    openssl: impl FnOnce(&str, &[&str], Vec<Evidence>) -> Judgement,
) -> Option<Judgement> {
    let opts = match runtime_options(p, layer, b) {
        Ok(o) => o,
        Err(j) => return Some(*j),
    };
    if !opts.framework_refs().is_empty() {
        return None;
    }
    let rc_at = b
        .runtimeconfig
        .as_ref()
        .map(|rc| inner(p, &rc.path))
        .unwrap_or_default();
    let included: Vec<String> = opts
        .included_frameworks
        .iter()
        .map(|f| format!("{} {}", f.name, f.version))
        .collect();
    let mut evidence = vec![
        bundle_evidence(p, layer, b),
        Evidence::new(
            "dotnet-runtimeconfig",
            if included.is_empty() {
                "self-contained: names no framework".to_string()
            } else {
                format!("self-contained: includedFrameworks {}", included.join(", "))
            },
        )
        .at(&rc_at, layer),
    ];
    let (deps_ev, crypto) = deps_evidence(p, layer, b);
    evidence.extend(deps_ev);
    let runtime = opts
        .included_frameworks
        .iter()
        .find(|f| f.name == NETCORE_APP)
        .and_then(|f| config::Version::parse(&f.version));
    if let Some(v) = &runtime {
        evidence.push(
            Evidence::new(
                "dotnet-runtime",
                format!("{NETCORE_APP} {v} (includedFrameworks of the bundled runtimeconfig.json)"),
            )
            .at(&rc_at, layer),
        );
    }
    let by_version = super::libssl_order_of(runtime.as_ref());
    let dir = path::parent(p);
    let beside = SHIM_NAMES.iter().find_map(|n| {
        let s = if dir.is_empty() {
            n.to_string()
        } else {
            format!("{dir}/{n}")
        };
        view.resolve(&s).map(|(r, _)| r)
    });
    let host_order: Vec<&str> = b.host_libssl.iter().map(String::as_str).collect();
    let (order, shim): (&[&str], Evidence) = if !host_order.is_empty() {
        (
            &host_order,
            Evidence::new(
                "file",
                format!(
                    "the .NET OpenSSL shim, linked into the single-file host, which dlopens {} (no DT_NEEDED)",
                    host_order.join(", ")
                ),
            )
            .at(p, layer),
        )
    } else if let Some(e) = &b.shim_entry {
        (
            by_version,
            Evidence::new(
                "file",
                "the .NET OpenSSL shim, bundled and extracted at run time, which dlopens libssl (no DT_NEEDED)",
            )
            .at(&inner(p, e), layer),
        )
    } else if let Some(s) = &beside {
        (
            by_version,
            Evidence::new(
                "file",
                "the .NET OpenSSL shim beside the single-file app, which dlopens libssl (no DT_NEEDED)",
            )
            .at(s, layer),
        )
    } else {
        let mut j = unknown(
            Code::DotnetShimMissing,
            ".NET single-file app with no OpenSSL shim in its host, its bundle or beside it: what crypto it runs cannot be told".into(),
            evidence,
            "publish with .NET 6 or later (its single-file host links the shim in), on an OpenSSL 3 with a validated FIPS provider",
        );
        if !crypto.is_empty() {
            managed_crypto_judgement(&mut j, &crypto);
        }
        return Some(j);
    };
    evidence.push(shim);
    let name = runtime
        .as_ref()
        .map(|v| format!(".NET runtime {v}"))
        .unwrap_or_else(|| ".NET runtime".into());
    let mut j = openssl(&name, order, evidence);
    j.summary = format!(".NET single-file app, self-contained: {}", j.summary);
    if !crypto.is_empty() {
        managed_crypto_judgement(&mut j, &crypto);
    }
    Some(j)
}

/// Bundled managed crypto assemblies, as components of their own (as the
/// same files on disk are): `/app/tool!/BouncyCastle.Cryptography.dll`.
pub fn crypto_components(view: &FsView) -> Vec<Component> {
    let mut out = Vec::new();
    for (p, vn) in &view.nodes {
        let Some(b) = bundle_of(vn) else { continue };
        let layer = view.layer_id(vn.layer);
        for a in &b.crypto_assemblies {
            let name = path::file_name(a);
            let at = inner(p, a);
            out.push(super::managed_crypto_component(
                &at,
                layer,
                name,
                ", bundled in a single-file app",
                Evidence::new("file", format!("bundled {a}")).at(&at, layer),
            ));
        }
    }
    out
}
