//! Ubuntu 24.04's ordinary OpenSSL (libssl3t64 3.0.13-0ubuntu3.5, real bytes
//! from a PyPI wheel built on ubuntu:24.04; fixtures/parts/ubuntu.sh). Run
//! there, it enters FIPS mode from the kernel flag and, with no provider,
//! can fetch no algorithm; OPENSSL_FORCE_FIPS_MODE=0 keeps it out of FIPS
//! mode; OPENSSL_FIPS_MODE_SWITCH_PATH replaces the kernel flag.

use crate::common::*;

const PROGRAM: &str = "/usr/bin/ubssl";
const LIB: &str = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3";
const PACKAGE: &str = "libssl3t64 3.0.13-0ubuntu3.5 (pkg:deb/ubuntu/libssl3t64@3.0.13-0ubuntu3.5?arch=amd64&distro=ubuntu-24.04)";
const BUILD: &str = "Ubuntu's build (libssl3t64 3.0.13-0ubuntu3.5 (pkg:deb/ubuntu/libssl3t64@3.0.13-0ubuntu3.5?arch=amd64&distro=ubuntu-24.04))";
const MARKER: &str = "/proc/sys/crypto/fips_enabled (switches FIPS mode on from the kernel flag)";

/// Scans `name` on both targets: the judgement of a build without a
/// provider does not depend on the node, so both must say the same.
fn scan_both(name: &str) -> serde_json::Value {
    let (code, generic) = scan_json(&oci(name), &["--target", "generic"]);
    let (code_aks, aks) = scan_json(&oci(name), &["--target", "aks-ubuntu"]);
    let (g, a) = (image(&generic), image(&aks));
    assert_eq!(
        (code, verdict(g)),
        (1, ("not-ready", 40)),
        "{name} on generic"
    );
    assert_eq!(
        (code_aks, verdict(a)),
        (1, ("not-ready", 40)),
        "{name} on aks-ubuntu"
    );
    assert_eq!(generic["target"]["name"], "generic");
    assert_eq!(aks["target"]["name"], "aks-ubuntu");
    for field in [
        "summary",
        "status",
        "code",
        "needs",
        "remediation",
        "evidence",
    ] {
        assert_eq!(
            component(g, PROGRAM)[field],
            component(a, PROGRAM)[field],
            "{name}: {field}"
        );
    }
    g.clone()
}

fn common_facts(img: &serde_json::Value) {
    assert_eq!(
        programs(img),
        vec![p(PROGRAM, "non-fips", "openssl-no-fips-provider", true)]
    );
    assert_eq!(img["os"]["id"], "ubuntu");
    assert_eq!(img["os"]["version_id"], "24.04");
    assert_eq!(
        findings(img),
        [(
            "openssl-config-problem".to_string(),
            "/usr/lib/ssl/openssl.cnf".to_string()
        )]
    );
    let c = component(img, PROGRAM);
    assert_eq!(c["fips_mode_on"], false);
    // No host need is listed: nothing about the node makes it FIPS-ready.
    assert_eq!(c["needs"], serde_json::Value::Null);
    assert_eq!(
        evidence_of(c, "version-text"),
        ["OpenSSL 3.0.13 30 Jan 2024"]
    );
    assert_eq!(
        evidence_of(c, "modules-dir"),
        ["/usr/lib/x86_64-linux-gnu/ossl-modules (compiled-in MODULESDIR)"]
    );
    assert_eq!(evidence_of(c, "marker"), [MARKER]);
    assert_eq!(evidence_of(c, "package"), [PACKAGE]);
    // The library's own component says the same of it.
    let lib = component(img, LIB);
    assert_eq!(
        (lib["status"].as_str(), lib["code"].as_str()),
        (Some("non-fips"), Some("openssl-library"))
    );
}

#[test]
fn ubuntu_libcrypto_switches_on_from_the_kernel_flag_without_a_provider() {
    let img = scan_both("ubuntu-openssl");
    common_facts(&img);
    let c = component(&img, PROGRAM);
    assert_eq!(
        c["summary"],
        format!(
            "uses OpenSSL 3.0.13 ({LIB}), {BUILD} that switches to FIPS mode from the node's kernel flag, but it has no FIPS provider (no fips.so in /usr/lib/x86_64-linux-gnu/ossl-modules): FIPS mode cannot work"
        )
    );
    assert_eq!(
        c["remediation"],
        "install the distro's FIPS provider package with the library (Ubuntu Pro: openssl-fips-module-3 from fips-updates), or use the vendor's base image unmodified"
    );
    assert!(evidence_of(c, "image-env").is_empty());
}

#[test]
fn ubuntu_force_fips_mode_0_keeps_the_switch_off() {
    let img = scan_both("ubuntu-openssl-force-off");
    common_facts(&img);
    let c = component(&img, PROGRAM);
    // Not "switches to FIPS mode from the node's kernel flag": with
    // OPENSSL_FORCE_FIPS_MODE=0 the real library stays out of FIPS mode
    // on a FIPS host, so it is judged as any OpenSSL without a provider.
    assert_eq!(
        c["summary"],
        format!(
            "uses OpenSSL 3.0.13 ({LIB}), which has no FIPS provider (no fips.so in /usr/lib/x86_64-linux-gnu/ossl-modules); its kernel-flag switch is off: OPENSSL_FORCE_FIPS_MODE=0 in the image Env keeps it out of FIPS mode even on a FIPS node"
        )
    );
    assert_eq!(
        c["remediation"],
        "install a validated OpenSSL FIPS provider (3.0.8/3.0.9 or 3.1.2) in the image, or use a FIPS base image (UBI, Azure Linux, Chainguard FIPS)"
    );
    assert_eq!(
        evidence_of(c, "image-env"),
        ["OPENSSL_FORCE_FIPS_MODE=0: keeps the kernel-flag switch off"]
    );
}

#[test]
fn ubuntu_switch_path_file_forces_fips_mode_on_any_node() {
    let img = scan_both("ubuntu-openssl-switch-path");
    common_facts(&img);
    let c = component(&img, PROGRAM);
    assert_eq!(
        c["summary"],
        format!(
            "uses OpenSSL 3.0.13 ({LIB}), {BUILD} that switches to FIPS mode from the node's kernel flag (OPENSSL_FIPS_MODE_SWITCH_PATH=/etc/ssl/fips-switch.conf (holds 1) in the image Env forces it on any node), but it has no FIPS provider (no fips.so in /usr/lib/x86_64-linux-gnu/ossl-modules): FIPS mode cannot work"
        )
    );
    assert_eq!(
        evidence_of(c, "image-env"),
        ["OPENSSL_FIPS_MODE_SWITCH_PATH=/etc/ssl/fips-switch.conf (holds 1)"]
    );
}

/// What the part established by running the library (behaviour.txt): the
/// tests above rest on these runs, so they are checked here too.
#[test]
fn ubuntu_libcrypto_behaviour_as_run() {
    let text = std::fs::read_to_string(fixtures().join("work/ubuntu/behaviour.txt"))
        .expect("work/ubuntu/behaviour.txt (fixtures/parts/ubuntu.sh)");
    let run = |name: &str| -> Vec<&str> {
        let start = text
            .lines()
            .position(|l| l.starts_with(&format!("## {name}")))
            .unwrap_or_else(|| panic!("no run '{name}'"));
        text.lines().skip(start + 2).take(3).collect()
    };
    let broken = [
        "init=1 fips=1",
        "providers fips=0 base=0 default=0",
        "md5=0 sha256=0",
    ];
    let off = [
        "init=1 fips=0",
        "providers fips=0 base=0 default=1",
        "md5=1 sha256=1",
    ];
    assert_eq!(run("kernel flag 0"), off);
    assert_eq!(run("kernel flag 1, no provider"), broken);
    assert_eq!(
        run("kernel flag 1, no provider, OPENSSL_FORCE_FIPS_MODE=0"),
        off
    );
    assert_eq!(run("kernel flag 0, OPENSSL_FORCE_FIPS_MODE=1"), broken);
    assert_eq!(run("kernel flag 0, switch file 1"), broken);
    assert_eq!(run("kernel flag 1, switch file 0"), off);
    assert_eq!(run("kernel flag 1, switch file missing"), off);
    assert_eq!(run("switch file 1, OPENSSL_FORCE_FIPS_MODE=0"), off);
    assert_eq!(
        run("kernel flag 1, OpenSSL 3.1.2 fips.so, no config"),
        broken
    );
    assert_eq!(
        run("kernel flag 1, OpenSSL 3.1.2 fips.so, fipsmodule.cnf"),
        [
            "init=1 fips=1",
            "providers fips=1 base=0 default=0",
            "md5=0 sha256=1"
        ]
    );
}

/// The real upstream 3.1.2 fips.so copied into Ubuntu's modules directory,
/// with no fipsmodule.cnf: on a FIPS node the switch loads it and its
/// self-test fails (fixtures/parts/ubuntu.sh ran it: "self test post
/// failure", nothing can be fetched), so it is no FIPS path, not a
/// host-dependent one.
#[test]
fn upstream_provider_without_its_mac_fails_under_the_switch() {
    let img = scan_both("ubuntu-openssl-upstream-provider");
    assert_eq!(
        programs(&img),
        vec![p(PROGRAM, "non-fips", "openssl-fips-inactive", true)]
    );
    let c = component(&img, PROGRAM);
    assert_eq!(c["fips_mode_on"], false);
    assert_eq!(c["needs"], serde_json::Value::Null);
    assert_eq!(
        c["summary"],
        format!(
            "uses OpenSSL 3.0.13 ({LIB}), {BUILD} that switches to FIPS mode from the node's kernel flag and then loads OpenSSL FIPS Provider 3.1.2 (/usr/lib/x86_64-linux-gnu/ossl-modules/fips.so); that provider needs the module-mac of its fipsmodule.cnf, which /usr/lib/ssl/openssl.cnf does not give, so it fails its self-test and on a FIPS node no algorithm can be fetched"
        )
    );
    assert_eq!(
        c["remediation"],
        "run `openssl fipsinstall` for /usr/lib/x86_64-linux-gnu/ossl-modules/fips.so and `.include` the fipsmodule.cnf it writes in /usr/lib/ssl/openssl.cnf with `fips = fips_sect` under [provider_sect], or install the vendor's own FIPS provider package"
    );
    assert_eq!(evidence_of(c, "marker"), [MARKER]);
    assert_eq!(evidence_of(c, "file"), ["OpenSSL FIPS Provider 3.1.2"]);
    // The switch does load it (and it fails): the provider lists the program.
    assert_eq!(
        component(&img, "/usr/lib/x86_64-linux-gnu/ossl-modules/fips.so")["used_by"],
        serde_json::json!([PROGRAM])
    );
}
