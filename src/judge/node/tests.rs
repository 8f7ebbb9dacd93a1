//! Static Node judgements the fixture images cannot show. No real artefact
//! of a Node built with --openssl-is-fips is at hand, so its process.config
//! facts here are SYNTHETIC, shaped like those `detect::node` reads from the
//! real official 24.21.0 binary (tests/it/node.rs covers that one), as are
//! the provider and config files around it.

use std::sync::Arc;

use crate::detect::elf::ElfKind;
use crate::detect::node::NodeFacts;
use crate::detect::openssl::OpensslText;
use crate::detect::{ElfFacts, FileFacts};
use crate::image::ImageConfig;
use crate::judge::judge_image;
use crate::layer::squash::{FsView, ViewNode};
use crate::layer::{Node, NodeKind};
use crate::report::Component;
use crate::signatures::Signatures;

const NODE: &str = "usr/local/bin/node";
const BUILD_MODULESDIR: &str =
    "/home/iojs/build/ws/out/$(BUILDTYPE)/obj.target/deps/openssl/lib/openssl-modules";

fn elf(openssl: OpensslText, node: Option<NodeFacts>) -> FileFacts {
    FileFacts::Elf(Box::new(ElfFacts {
        bits: 64,
        machine: "x86_64".into(),
        kind: ElfKind::Executable,
        interp: Some("/lib64/ld-linux-x86-64.so.2".into()),
        needed: vec!["libc.so.6".into()],
        openssl: Some(openssl),
        node,
        ..Default::default()
    }))
}

/// A static Node built with --openssl-is-fips: process.config says so, the
/// rest is as in the official build.
fn fips_built_node() -> FileFacts {
    elf(
        OpensslText {
            text: "OpenSSL 3.5.8 25 Aug 2026".into(),
            version: "3.5.8".into(),
            fips_build: false,
            openssldir: Some("/etc/ssl".into()),
            modulesdir: Some(BUILD_MODULESDIR.into()),
            provider_name: None,
            provider_version: None,
            distro: Default::default(),
        },
        Some(NodeFacts {
            shared_openssl: false,
            openssl_is_fips: true,
            conf_section: "nodejs_conf".into(),
            module_version: Some(137),
            version: Some("24.21.0".into()),
            fips_start_error: Some("requires an active OpenSSL provider named \"fips\"".into()),
        }),
    )
}

fn provider() -> FileFacts {
    elf(
        OpensslText {
            text: "OpenSSL FIPS Provider 3.1.2".into(),
            version: "3.1.2".into(),
            fips_build: false,
            openssldir: None,
            modulesdir: None,
            provider_name: Some("OpenSSL FIPS Provider".into()),
            provider_version: Some("3.1.2".into()),
            distro: Default::default(),
        },
        None,
    )
}

fn text(t: &str) -> FileFacts {
    FileFacts::Text { text: t.into() }
}

/// fips_module(7) activation under `section`; `fips=yes` only when `enforce`.
fn cnf(section: &str, enforce: bool) -> FileFacts {
    let alg = if enforce {
        "alg_section = algs\n[algs]\ndefault_properties = fips=yes\n"
    } else {
        ""
    };
    text(&format!(
        "{section} = init\n[init]\nproviders = provs\n{alg}[provs]\nfips = fips_sect\nbase = base_sect\n[base_sect]\nactivate = 1\n[fips_sect]\nactivate = 1\nmodule-mac = 23:78\n"
    ))
}

fn judge(files: Vec<(&str, FileFacts)>, env: &[&str]) -> Component {
    let view = FsView {
        nodes: files
            .into_iter()
            .map(|(p, f)| {
                let vn = ViewNode {
                    node: Node {
                        kind: NodeKind::File,
                        size: 1,
                        mode: 0o755,
                        facts: Some(Arc::new(f)),
                    },
                    layer: 0,
                };
                (p.to_string(), vn)
            })
            .collect(),
        layer_ids: vec!["sha256:layer0".into()],
    };
    let config = ImageConfig {
        env: env.iter().map(|e| (*e).to_string()).collect(),
        entrypoint: vec![format!("/{NODE}")],
        ..Default::default()
    };
    let judged = judge_image(&view, &config, Signatures::embedded());
    judged
        .components
        .into_iter()
        .find(|c| c.path == format!("/{NODE}"))
        .unwrap_or_else(|| panic!("no component for {NODE}"))
}

fn details(c: &Component) -> Vec<&str> {
    c.evidence.iter().map(|e| e.detail.as_str()).collect()
}

#[test]
fn fips_built_static_node_without_a_provider_in_the_image_is_non_fips() {
    let c = judge(vec![(NODE, fips_built_node())], &[]);
    assert_eq!(
        (c.status.as_str(), c.code.as_str(), c.fips_mode_on),
        ("non-fips", "node-bundled-openssl-no-provider", false)
    );
    assert_eq!(
        c.summary,
        "Node 24.21.0 carries its own OpenSSL 3.5.8 (node_shared_openssl=false) and the image has no FIPS provider for it: crypto.setFips(true) leaves no algorithm to use"
    );
    assert_eq!(
        details(&c),
        vec![
            "process.config: node_shared_openssl=false, openssl_is_fips=true; Node 24.21.0 carries OpenSSL 3.5.8 and reads the `nodejs_conf` section of openssl.cnf (NODE_OPENSSL_CONF_NAME=nodejs_conf)",
            "OpenSSL 3.5.8 25 Aug 2026",
            &format!("{BUILD_MODULESDIR} (compiled-in MODULESDIR)"),
            "/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): missing",
        ]
    );
}

#[test]
fn fips_built_static_node_is_judged_by_the_provider_and_config_it_loads() {
    let files = || {
        vec![
            (NODE, fips_built_node()),
            ("opt/fips/fips.so", provider()),
            ("etc/ssl/openssl.cnf", cnf("nodejs_conf", true)),
        ]
    };
    let c = judge(files(), &["OPENSSL_MODULES=/opt/fips"]);
    assert_eq!(
        (c.status.as_str(), c.code.as_str(), c.fips_mode_on),
        ("validated", "openssl-fips-validated", true)
    );
    assert_eq!(c.certificate.as_deref(), Some("CMVP #4985"));
    // Without OPENSSL_MODULES the build machine's MODULESDIR is searched:
    // the activation is right, only the directory is missing.
    let c = judge(files(), &[]);
    assert_eq!(
        (c.status.as_str(), c.code.as_str(), c.fips_mode_on),
        ("fips-capable", "node-bundled-provider-unreached", false)
    );
    assert_eq!(
        c.summary,
        format!(
            "Node 24.21.0 carries its own OpenSSL 3.5.8 (node_shared_openssl=false), which does not load the image's OpenSSL FIPS Provider 3.1.2 at /opt/fips/fips.so: it loads providers from {BUILD_MODULESDIR} (compiled-in MODULESDIR)"
        )
    );
    assert_eq!(
        c.remediation.as_deref(),
        Some("set OPENSSL_MODULES=/opt/fips in the image Env")
    );
}

#[test]
fn node_options_enable_fips_enforces_an_activated_provider() {
    let files = || {
        vec![
            (NODE, fips_built_node()),
            ("opt/fips/fips.so", provider()),
            ("etc/ssl/openssl.cnf", cnf("nodejs_conf", false)),
        ]
    };
    let c = judge(files(), &["OPENSSL_MODULES=/opt/fips"]);
    assert_eq!(
        (c.status.as_str(), c.code.as_str(), c.fips_mode_on),
        ("fips-capable", "openssl-fips-not-enforced", false)
    );
    let c = judge(
        files(),
        &["OPENSSL_MODULES=/opt/fips", "NODE_OPTIONS=--enable-fips"],
    );
    assert_eq!(
        (c.status.as_str(), c.code.as_str(), c.fips_mode_on),
        ("validated", "openssl-fips-validated", true)
    );
    assert_eq!(
        c.summary,
        "uses OpenSSL 3.5.8 (/usr/local/bin/node) with OpenSSL FIPS Provider 3.1.2, activated and enforced (CMVP #4985) (fips=yes from NODE_OPTIONS --enable-fips)"
    );
    // The config evidence says what the file says; the flag is its own line.
    assert_eq!(
        details(&c)[4..],
        [
            "/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider activated ([fips_sect]) but not enforced",
            "NODE_OPTIONS --enable-fips: Node sets fips=yes in OpenSSL's default properties at start-up and exits when it gets no FIPS provider",
        ]
    );
}

#[test]
fn node_options_force_fips_without_a_provider_stops_node() {
    let c = judge(
        vec![(NODE, fips_built_node())],
        &["NODE_OPTIONS=--force-fips"],
    );
    assert_eq!(c.code.as_str(), "node-bundled-openssl-no-provider");
    assert_eq!(
        c.summary,
        "Node 24.21.0 carries its own OpenSSL 3.5.8 (node_shared_openssl=false) and the image has no FIPS provider for it: crypto.setFips(true) leaves no algorithm to use; NODE_OPTIONS --force-fips makes Node exit at start-up without an active FIPS provider (it prints: --force-fips requires an active OpenSSL provider named \"fips\")"
    );
}

#[test]
fn a_found_provider_that_no_section_activates_is_inactive() {
    let c = judge(
        vec![
            (NODE, fips_built_node()),
            ("opt/fips/fips.so", provider()),
            ("etc/ssl/openssl.cnf", text("[x]\ny = 1\n")),
        ],
        &["OPENSSL_MODULES=/opt/fips"],
    );
    assert_eq!(
        (c.status.as_str(), c.code.as_str(), c.fips_mode_on),
        ("fips-capable", "openssl-fips-inactive", false)
    );
}

#[test]
fn openssl_config_names_the_file_node_reads_in_its_own_section() {
    // The file activates the provider under openssl_conf only; OPENSSL_CONF
    // (which would activate it under nodejs_conf) is not read by Node.
    let files = || {
        vec![
            (NODE, fips_built_node()),
            ("opt/fips/fips.so", provider()),
            ("etc/node/fips.cnf", cnf("openssl_conf", true)),
            ("etc/ssl/nodejs.cnf", cnf("nodejs_conf", true)),
        ]
    };
    let env = [
        "OPENSSL_MODULES=/opt/fips",
        "OPENSSL_CONF=/etc/ssl/nodejs.cnf",
        "NODE_OPTIONS=--openssl-config=/etc/node/fips.cnf",
    ];
    let c = judge(files(), &env);
    assert_eq!(
        (c.status.as_str(), c.code.as_str(), c.fips_mode_on),
        ("fips-capable", "node-openssl-conf-section", false)
    );
    assert_eq!(
        c.summary,
        "Node reads the `nodejs_conf` section of /etc/node/fips.cnf (--openssl-config in NODE_OPTIONS), which does not activate the FIPS provider that its `openssl_conf` section activates"
    );
    // Run on Node 18-24: the image's NODE_OPTIONS plus --openssl-shared-config gives getFips() 1.
    assert_eq!(
        c.remediation.as_deref(),
        Some(
            "add `nodejs_conf = init` to the default section of /etc/node/fips.cnf, or set NODE_OPTIONS=\"--openssl-config=/etc/node/fips.cnf --openssl-shared-config\" in the image"
        )
    );
    assert_eq!(
        details(&c)[4..],
        ["/etc/node/fips.cnf (--openssl-config in NODE_OPTIONS): FIPS provider not activated"]
    );
    // With the shared section the same file is validated.
    let mut env = env.to_vec();
    env.push("NODE_OPTIONS=--openssl-config=/etc/node/fips.cnf --openssl-shared-config");
    let c = judge(files(), &env);
    assert_eq!(
        (c.status.as_str(), c.code.as_str(), c.fips_mode_on),
        ("validated", "openssl-fips-validated", true)
    );
    // A missing file is ignored by Node: OpenSSL's built-in defaults, no FIPS.
    let c = judge(
        files(),
        &[
            "OPENSSL_MODULES=/opt/fips",
            "NODE_OPTIONS=--openssl-config=/etc/node/none.cnf",
        ],
    );
    assert_eq!(
        (c.status.as_str(), c.code.as_str()),
        ("fips-capable", "openssl-fips-inactive")
    );
    assert_eq!(
        details(&c)[4..],
        ["/etc/node/none.cnf (--openssl-config in NODE_OPTIONS): missing"]
    );
}
