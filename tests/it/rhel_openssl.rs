//! Red Hat-family OpenSSL builds (real libraries from PyPI wheels built in
//! CentOS 7, AlmaLinux 8 and EL9 containers; fixtures/parts/rhel.sh): FIPS
//! mode from the kernel flag, `.hmac` integrity files, /etc/system-fips.

use crate::common::*;

const PROGRAM: &str = "/usr/bin/rhssl";

fn needs(c: &serde_json::Value) -> Vec<&str> {
    c["needs"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n.as_str()).collect())
        .unwrap_or_default()
}

fn library_statuses(img: &serde_json::Value) -> Vec<(String, String)> {
    img["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "shared-library")
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn centos7_fips_build_follows_the_kernel_flag_with_runtime_system_fips() {
    let (code, doc) = scan_json(&oci("el7-openssl"), &[]);
    let img = image(&doc);
    // The generic node has the kernel flag but no runtime that mounts
    // /run/secrets/system-fips, so FIPS mode never switches on there.
    assert_eq!((code, verdict(img)), (1, ("not-ready", 40)));
    assert_eq!(
        programs(img),
        vec![p(PROGRAM, "host-dependent", "openssl-legacy-version", true)]
    );
    let c = component(img, PROGRAM);
    assert_eq!(c["fips_mode_on"], true);
    assert_eq!(
        needs(c),
        ["kernel-fips-mode", "runtime-fips-secrets", "rhel-fips-host"]
    );
    assert_eq!(
        c["summary"],
        "uses OpenSSL 1.0.2k-fips (/usr/lib64/libcrypto.so.1.0.2k), a vendor FIPS build: it enters FIPS mode on a FIPS host (with /etc/system-fips from the container runtime); its .hmac integrity files match"
    );
    assert_eq!(
        evidence_of(c, "version-text"),
        ["OpenSSL 1.0.2k-fips  26 Jan 2017"]
    );
    assert_eq!(
        evidence_of(c, "fips-integrity"),
        [
            "/usr/lib64/.libcrypto.so.10.hmac: matches /usr/lib64/libcrypto.so.10",
            "/usr/lib64/.libssl.so.10.hmac: matches /usr/lib64/libssl.so.10"
        ]
    );
    assert_eq!(
        evidence_of(c, "file"),
        ["/etc/system-fips -> /run/secrets/system-fips (mounted by the container runtime)"]
    );
    assert_eq!(
        evidence_of(c, "marker"),
        ["/proc/sys/crypto/fips_enabled (switches FIPS mode on from the kernel flag)"]
    );
    assert_eq!(img["os"]["id"], "centos");

    // On OpenShift (CRI-O on RHEL CoreOS in FIPS mode) every need is met.
    let (code, doc) = scan_json(&oci("el7-openssl"), &["--target", "openshift-rhel"]);
    assert_eq!((code, verdict(image(&doc))), (0, ("ready", 100)));
}

#[test]
fn centos7_without_system_fips_never_enters_fips_mode() {
    let (code, doc) = scan_json(
        &oci("el7-openssl-no-system-fips"),
        &["--target", "openshift-rhel"],
    );
    let img = image(&doc);
    assert_eq!((code, verdict(img)), (1, ("not-ready", 40)));
    assert_eq!(
        programs(img),
        vec![p(
            PROGRAM,
            "fips-capable",
            "openssl-system-fips-missing",
            true
        )]
    );
    let c = component(img, PROGRAM);
    assert_eq!(c["fips_mode_on"], false);
    assert_eq!(
        evidence_of(c, "file"),
        ["/etc/system-fips is not in the image"]
    );
    assert_eq!(
        c["remediation"],
        "link /etc/system-fips to /run/secrets/system-fips (as UBI does: the FIPS host's runtime mounts it), or create the file"
    );
}

#[test]
fn almalinux8_fips_build_is_host_dependent_and_ready_on_openshift() {
    let (code, doc) = scan_json(&oci("el8-openssl"), &[]);
    let img = image(&doc);
    // Generic nodes give the kernel flag; the RHEL operating environment is
    // only a warning.
    assert_eq!((code, verdict(img)), (0, ("ready-with-warnings", 85)));
    assert_eq!(
        programs(img),
        vec![p(PROGRAM, "host-dependent", "openssl-legacy-version", true)]
    );
    let c = component(img, PROGRAM);
    assert_eq!(needs(c), ["kernel-fips-mode", "rhel-fips-host"]);
    assert_eq!(
        evidence_of(c, "version-text"),
        ["OpenSSL 1.1.1k  FIPS 25 Mar 2021"]
    );
    assert_eq!(
        evidence_of(c, "fips-integrity"),
        [
            "/usr/lib64/.libcrypto.so.1.1.hmac: matches /usr/lib64/libcrypto.so.1.1",
            "/usr/lib64/.libssl.so.1.1.hmac: matches /usr/lib64/libssl.so.1.1"
        ]
    );
    assert_eq!(
        c["uses"],
        serde_json::json!([
            "/usr/lib64/libcrypto.so.1.1.1k",
            "/usr/lib64/libssl.so.1.1.1k"
        ])
    );
    assert_eq!(
        library_statuses(img),
        [
            (
                "/usr/lib64/libcrypto.so.1.1.1k".into(),
                "host-dependent".into()
            ),
            (
                "/usr/lib64/libssl.so.1.1.1k".into(),
                "host-dependent".into()
            )
        ]
    );
    let (code, doc) = scan_json(&oci("el8-openssl"), &["--target", "openshift-rhel"]);
    assert_eq!((code, verdict(image(&doc))), (0, ("ready", 100)));
}

#[test]
fn almalinux8_stale_integrity_file_aborts_on_a_fips_node() {
    let (code, doc) = scan_json(
        &oci("el8-openssl-stale-hmac"),
        &["--target", "openshift-rhel"],
    );
    let img = image(&doc);
    assert_eq!((code, verdict(img)), (1, ("not-ready", 40)));
    assert_eq!(
        programs(img),
        vec![p(PROGRAM, "non-fips", "openssl-fips-integrity", true)]
    );
    let c = component(img, PROGRAM);
    assert_eq!(
        c["summary"],
        "uses OpenSSL 1.1.1k (/usr/lib64/libcrypto.so.1.1.1k), a Red Hat FIPS build whose integrity file /usr/lib64/.libssl.so.1.1.hmac does not match the library: on a FIPS node it aborts at load (FATAL FIPS SELFTEST FAILURE)"
    );
    // The stale value is the HMAC of libssl before its SONAME was restored
    // (fixtures/parts/rhel.sh); the libcrypto one still matches.
    assert_eq!(
        evidence_of(c, "fips-integrity"),
        [
            "/usr/lib64/.libcrypto.so.1.1.hmac: matches /usr/lib64/libcrypto.so.1.1",
            "/usr/lib64/.libssl.so.1.1.hmac: holds 633416c0c31fb2dee19ba6122ddfdce42cb547bda55be1d5ac8cd3ae0b109469, not the HMAC of /usr/lib64/libssl.so.1.1"
        ]
    );
    assert_eq!(
        library_statuses(img),
        [
            ("/usr/lib64/libcrypto.so.1.1.1k".into(), "non-fips".into()),
            ("/usr/lib64/libssl.so.1.1.1k".into(), "non-fips".into())
        ]
    );
}

#[test]
fn el9_kernel_switch_without_a_provider_cannot_run_fips() {
    let (code, doc) = scan_json(&oci("el9-openssl"), &["--target", "openshift-rhel"]);
    let img = image(&doc);
    assert_eq!((code, verdict(img)), (1, ("not-ready", 40)));
    assert_eq!(
        programs(img),
        vec![p(PROGRAM, "non-fips", "openssl-no-fips-provider", true)]
    );
    let c = component(img, PROGRAM);
    assert_eq!(
        c["summary"],
        "uses OpenSSL 3.5.5 (/usr/lib64/libcrypto.so.3), a Red Hat-family build (os-release ID=almalinux; almalinux rebuilds RHEL's OpenSSL and is judged as Red Hat's: its own certificate, if any, is not checked) that switches to FIPS mode from the node's kernel flag, but it has no FIPS provider (no fips.so in /usr/lib64/ossl-modules): FIPS mode cannot work"
    );
    // The vendor, named from the image's os-release, says what to install.
    assert_eq!(
        c["remediation"],
        "install the distro's FIPS provider package with the library (RHEL 9: the fips.so of openssl-libs / openssl-fips-provider), or use the vendor's base image unmodified"
    );
    assert_eq!(
        evidence_of(c, "modules-dir"),
        ["/usr/lib64/ossl-modules (compiled-in MODULESDIR)"]
    );
    assert_eq!(
        evidence_of(c, "marker"),
        ["/proc/sys/crypto/fips_enabled (switches FIPS mode on from the kernel flag)"]
    );
    // No .hmac files in OpenSSL 3: the provider carries its own MAC.
    assert!(evidence_of(c, "fips-integrity").is_empty());
}
