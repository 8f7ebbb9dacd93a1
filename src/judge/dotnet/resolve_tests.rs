//! Where an app's host looks for .NET and which framework it picks, on a
//! small image built in memory: DOTNET_ROOT_<ARCH>, DOTNET_ROOT, the
//! install_location files and the default, and DOTNET_ROLL_FORWARD.

use std::sync::Arc;

use super::host::DotnetHost;
use super::*;
use crate::detect::ElfFacts;
use crate::detect::elf::ElfKind;
use crate::layer::Node;
use crate::layer::squash::ViewNode;

fn vn(kind: NodeKind, facts: Option<FileFacts>) -> ViewNode {
    ViewNode {
        node: Node {
            kind,
            size: 1,
            mode: 0o755,
            facts: facts.map(Arc::new),
        },
        layer: 0,
    }
}

fn apphost(machine: &str) -> ViewNode {
    let facts = ElfFacts {
        bits: 64,
        machine: machine.into(),
        kind: ElfKind::Executable,
        dotnet: Some(DotnetHost::Apphost),
        ..Default::default()
    };
    vn(NodeKind::File, Some(FileFacts::Elf(Box::new(facts))))
}

fn text(t: &str) -> ViewNode {
    vn(NodeKind::File, Some(FileFacts::Text { text: t.into() }))
}

const FX: &str = "shared/Microsoft.NETCore.App";
const RC: &str =
    r#"{"runtimeOptions":{"framework":{"name":"Microsoft.NETCore.App","version":"3.1.0"}}}"#;

/// /opt/dotnet has 3.1.23 and 8.0.11, /usr/lib/dotnet 6.0.36; /app/t/t is
/// an apphost of `machine` (none: no apphost); `extra` adds nodes.
fn image(machine: Option<&str>, extra: Vec<(&str, ViewNode)>) -> FsView {
    let mut nodes: Vec<(String, ViewNode)> = Vec::new();
    for (root, v, shim) in [
        (
            "opt/dotnet",
            "3.1.23",
            "System.Security.Cryptography.Native.OpenSsl.so",
        ),
        ("opt/dotnet", "8.0.11", SHIM_NAMES[0]),
        ("usr/lib/dotnet", "6.0.36", SHIM_NAMES[0]),
    ] {
        nodes.push((root.into(), vn(NodeKind::Dir, None)));
        nodes.push((format!("{root}/{FX}/{v}"), vn(NodeKind::Dir, None)));
        nodes.push((format!("{root}/{FX}/{v}/{shim}"), vn(NodeKind::File, None)));
    }
    nodes.push(("app/t/t.runtimeconfig.json".into(), text(RC)));
    if let Some(m) = machine {
        nodes.push(("app/t/t".into(), apphost(m)));
    }
    nodes.extend(extra.into_iter().map(|(p, n)| (p.to_string(), n)));
    FsView {
        nodes: nodes.into_iter().collect(),
        layer_ids: vec!["sha256:l0".into()],
    }
}

/// The shim the app runs on, or the code and reason it cannot be told;
/// with the host and framework evidence.
fn resolve(view: &FsView, env: &[&str]) -> (Result<String, (Code, String)>, Vec<String>) {
    let config = ImageConfig {
        env: env.iter().map(|e| e.to_string()).collect(),
        ..ImageConfig::default()
    };
    let r = Resolver::new(view, &config, None);
    let rc = "app/t/t.runtimeconfig.json";
    let opts = config::parse_runtimeconfig(RC).unwrap();
    let (out, ev) = match r.runs(rc, &opts, "sha256:l0", r.launch_of(rc)) {
        Runs::Shim(s, ev) => (Ok(s), ev),
        Runs::Unknown(code, why, ev) => (Err((code, why)), ev),
    };
    let ev = ev
        .into_iter()
        .filter(|e| ["image-env", "dotnet-host", "dotnet-framework"].contains(&e.kind))
        .map(|e| e.detail)
        .collect();
    (out, ev)
}

fn shim(root: &str, v: &str) -> Result<String, (Code, String)> {
    let name = if v.starts_with('3') {
        "System.Security.Cryptography.Native.OpenSsl.so"
    } else {
        SHIM_NAMES[0]
    };
    Ok(format!("{root}/{FX}/{v}/{name}"))
}

#[test]
fn dotnet_root_of_the_apphost_arch_wins_over_dotnet_root() {
    let view = image(Some("x86_64"), vec![]);
    let env = ["DOTNET_ROOT=/opt/dotnet", "DOTNET_ROOT_X64=/usr/lib/dotnet"];
    assert_eq!(
        resolve(&view, &env),
        (
            Err((
                Code::DotnetFrameworkMissing,
                "Microsoft.NETCore.App 3.1.0 (rollForward Minor) is not in /usr/lib/dotnet, which has 6.0.36".into()
            )),
            vec![
                "DOTNET_ROOT_X64=/usr/lib/dotnet".to_string(),
                "apphost /app/t/t looks for .NET in /usr/lib/dotnet (DOTNET_ROOT_X64 in the image Env)".into(),
            ]
        )
    );
    // Another architecture's variable is not this apphost's.
    let arm = image(Some("aarch64"), vec![]);
    assert_eq!(resolve(&arm, &env).0, shim("opt/dotnet", "3.1.23"));
    // DOTNET_ROLL_FORWARD=Major takes 3.1.0 to the root's 6.0.36.
    let mut rolled = env.to_vec();
    rolled.push("DOTNET_ROLL_FORWARD=major");
    let (out, ev) = resolve(&view, &rolled);
    assert_eq!(out, shim("usr/lib/dotnet", "6.0.36"));
    assert_eq!(
        ev,
        [
            "DOTNET_ROLL_FORWARD=major: overrides the runtimeconfig's rollForward",
            "DOTNET_ROOT_X64=/usr/lib/dotnet",
            "apphost /app/t/t looks for .NET in /usr/lib/dotnet (DOTNET_ROOT_X64 in the image Env)",
            "Microsoft.NETCore.App 3.1.0 resolves to 6.0.36 (rollForward Major from DOTNET_ROLL_FORWARD)",
        ]
    );
}

#[test]
fn install_location_files_then_the_default() {
    let loc = |p: &'static str, t: &'static str| (p, text(t));
    let both = image(
        Some("x86_64"),
        vec![
            loc("etc/dotnet/install_location", "/usr/lib/dotnet\n"),
            loc("etc/dotnet/install_location_x64", "/opt/dotnet\n"),
        ],
    );
    let (out, ev) = resolve(&both, &[]);
    assert_eq!(out, shim("opt/dotnet", "3.1.23"));
    assert_eq!(
        ev[0],
        "apphost /app/t/t looks for .NET in /opt/dotnet (/etc/dotnet/install_location_x64)"
    );
    let one = image(
        Some("x86_64"),
        vec![loc("etc/dotnet/install_location", "/usr/lib/dotnet\n")],
    );
    assert_eq!(
        resolve(&one, &[]).1[0],
        "apphost /app/t/t looks for .NET in /usr/lib/dotnet (/etc/dotnet/install_location)"
    );
    // The default, through a symlink to the real root.
    let linked = image(
        Some("x86_64"),
        vec![(
            "usr/share/dotnet",
            vn(NodeKind::Symlink("/opt/dotnet".into()), None),
        )],
    );
    let (out, ev) = resolve(&linked, &[]);
    assert_eq!(out, shim("opt/dotnet", "3.1.23"));
    assert_eq!(
        ev,
        [
            "apphost /app/t/t looks for .NET in /usr/share/dotnet (the default location; DOTNET_ROOT is not set)",
            "Microsoft.NETCore.App 3.1.0 resolves to 3.1.23 (rollForward Minor)",
        ]
    );
}

#[test]
fn without_an_apphost_any_root_and_dotnet_root_plays_no_part() {
    let view = image(None, vec![]);
    assert_eq!(
        resolve(&view, &["DOTNET_ROOT=/usr/lib/dotnet"]),
        (
            shim("opt/dotnet", "3.1.23"),
            vec!["Microsoft.NETCore.App 3.1.0 resolves to 3.1.23 (rollForward Minor)".to_string()]
        )
    );
}

#[test]
fn an_unknown_dotnet_roll_forward_is_refused() {
    let view = image(Some("x86_64"), vec![]);
    assert_eq!(
        resolve(&view, &["DOTNET_ROOT=/opt/dotnet", "DOTNET_ROLL_FORWARD=Newest"]),
        (
            Err((
                Code::DotnetConfigInvalid,
                "DOTNET_ROLL_FORWARD in the image Env: rollForward \"Newest\" is not a value the .NET host knows".into()
            )),
            vec!["DOTNET_ROLL_FORWARD=Newest".to_string()]
        )
    );
}
