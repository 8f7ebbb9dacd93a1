//! Native crypto libraries other than OpenSSL, on the native-crypto image
//! (fixtures/parts/native.sh): real Debian 12 programs over libgcrypt,
//! GnuTLS, NSS and BoringSSL, and programs built here over Debian's wolfSSL
//! and over AWS-LC shared libraries (FIPS and not).

use serde_json::{Value, json};

use crate::common::*;

const LIB: &str = "/usr/lib/x86_64-linux-gnu";

/// The version dpkg installed, as fixtures/parts/native.sh recorded it.
fn deb_version(package: &str) -> String {
    listed_version("work/native/versions.txt", package)
}

fn purl(package: &str) -> String {
    debian_purl(package, &deb_version(package))
}

fn scan() -> Value {
    let (code, doc) = scan_json(&oci("native-crypto"), &[]);
    assert_eq!(code, 1);
    image(&doc).clone()
}

#[test]
fn each_program_is_judged_by_its_library() {
    let img = scan();
    assert_eq!(verdict(&img), ("not-ready", 0));
    assert_eq!(
        programs(&img),
        vec![
            p(
                "/usr/bin/gpgv",
                "fips-capable",
                "libgcrypt-fips-unvalidated",
                true
            ),
            p(
                "/opt/awslc-fips/bin/awslc-app",
                "fips-capable",
                "aws-lc-fips",
                false
            ),
            p(
                "/opt/awslc/bin/awslc-app",
                "non-fips",
                "aws-lc-non-fips",
                false
            ),
            p(
                "/usr/bin/bssl-tool",
                "non-fips",
                "boringssl-non-fips",
                false
            ),
            p(
                "/usr/bin/certutil",
                "fips-capable",
                "nss-fips-unvalidated",
                false
            ),
            p("/usr/bin/gnutls-cli", "non-fips", "gnutls-non-fips", false),
            p(
                "/usr/local/bin/wolfssl-app",
                "non-fips",
                "wolfssl-non-fips",
                false
            ),
        ]
    );
    assert_eq!(
        img["reasons"],
        json!([
            "-15: /usr/bin/gpgv (entrypoint) is fips-capable: FIPS mode on, module not validated",
            "-5: /opt/awslc-fips/bin/awslc-app is fips-capable: FIPS mode on, module not validated",
            "-25: /opt/awslc/bin/awslc-app is non-fips: no FIPS path",
            "-25: /usr/bin/bssl-tool is non-fips: no FIPS path",
            "-5: /usr/bin/certutil is fips-capable: FIPS mode on, module not validated",
            "-25: /usr/bin/gnutls-cli is non-fips: no FIPS path",
            "-25: /usr/local/bin/wolfssl-app is non-fips: no FIPS path"
        ])
    );
    assert_eq!(findings(&img), vec![]);
    assert_eq!(img["os"]["packages"], 25);
    assert_eq!(img["entrypoint"]["crypto"], json!(["libgcrypt 1.10.1"]));
    // Libraries are information, counted through the programs that load them.
    let libs: Vec<(String, String, String, Value)> = img["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["counts"] == false)
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("path"), s("status"), s("code"), c["used_by"].clone())
        })
        .collect();
    let lib = |p: &str, s: &str, c: &str, by: &str| (p.into(), s.into(), c.into(), json!([by]));
    assert_eq!(
        libs,
        vec![
            lib(
                "/opt/awslc-fips/lib/libcrypto.so",
                "fips-capable",
                "native-crypto-library",
                "/opt/awslc-fips/bin/awslc-app"
            ),
            lib(
                "/opt/awslc/lib/libcrypto.so",
                "non-fips",
                "native-crypto-library",
                "/opt/awslc/bin/awslc-app"
            ),
            lib(
                &format!("{LIB}/android/libcrypto.so.0"),
                "non-fips",
                "native-crypto-library",
                "/usr/bin/bssl-tool"
            ),
            lib(
                &format!("{LIB}/android/libssl.so.0"),
                "non-fips",
                "boringssl-non-fips",
                "/usr/bin/bssl-tool"
            ),
            lib(
                &format!("{LIB}/libfreeblpriv3.so"),
                "fips-capable",
                "native-crypto-library",
                "/usr/bin/certutil"
            ),
            lib(
                &format!("{LIB}/libgcrypt.so.20.4.1"),
                "fips-capable",
                "native-crypto-library",
                "/usr/bin/gpgv"
            ),
            lib(
                &format!("{LIB}/libgnutls.so.30.34.3"),
                "non-fips",
                "native-crypto-library",
                "/usr/bin/gnutls-cli"
            ),
            lib(
                &format!("{LIB}/libnss3.so"),
                "fips-capable",
                "native-crypto-library",
                "/usr/bin/certutil"
            ),
            lib(
                &format!("{LIB}/libsmime3.so"),
                "fips-capable",
                "nss-fips-unvalidated",
                "/usr/bin/certutil"
            ),
            lib(
                &format!("{LIB}/libsoftokn3.so"),
                "fips-capable",
                "native-crypto-library",
                "/usr/bin/certutil"
            ),
            lib(
                &format!("{LIB}/libssl3.so"),
                "fips-capable",
                "nss-fips-unvalidated",
                "/usr/bin/certutil"
            ),
            lib(
                &format!("{LIB}/libwolfssl.so.35.3.0"),
                "non-fips",
                "native-crypto-library",
                "/usr/local/bin/wolfssl-app"
            ),
        ]
    );
}

#[test]
fn debian_libgcrypt_switches_on_from_the_kernel_flag_but_is_not_validated() {
    let img = scan();
    let gpgv = component(&img, "/usr/bin/gpgv");
    assert_eq!(gpgv["kind"], "native-program");
    assert_eq!(gpgv["entrypoint"], true);
    assert_eq!(gpgv["fips_mode_on"], true);
    assert_eq!(gpgv["needs"], json!(["kernel-fips-mode"]));
    assert_eq!(gpgv["module"], "libgcrypt 1.10.1");
    assert!(gpgv.get("certificate").is_none());
    assert_eq!(
        gpgv["summary"],
        format!(
            "uses libgcrypt 1.10.1 ({LIB}/libgcrypt.so.20.4.1), whose FIPS mode switches on from the node's kernel flag (needs kernel-fips-mode), but no CMVP certificate covers this build (a distribution's libgcrypt is not a vendor's validated module)"
        )
    );
    assert_eq!(gpgv["uses"], json!([format!("{LIB}/libgcrypt.so.20.4.1")]));
    let lib = format!("{LIB}/libgcrypt.so.20.4.1");
    assert_eq!(
        evidence(gpgv),
        vec![
            ev("elf-needed", "libgcrypt.so.20", "/usr/bin/gpgv"),
            ev(
                "version-text",
                "This is Libgcrypt 1.10.1 - The GNU Crypto Library",
                &lib
            ),
            ev("marker", "/proc/sys/crypto/fips_enabled", &lib),
        ]
    );
    assert_eq!(gpgv["package"]["name"], "gpgv");
    assert_eq!(gpgv["package"]["purl"], purl("gpgv"));
    let library = component(&img, &lib);
    assert_eq!(library["package"]["purl"], purl("libgcrypt20"));
    assert_eq!(library["needs"], json!(["kernel-fips-mode"]));
    assert!(library.get("uses").is_none());
    // Every target profile runs the kernel in FIPS mode, so the verdict holds on each.
    for target in ["generic", "aks-azurelinux", "aks-ubuntu", "openshift-rhel"] {
        let (_, doc) = scan_json(&oci("native-crypto"), &["--target", target]);
        assert_eq!(verdict(image(&doc)), ("not-ready", 0), "{target}");
    }
}

#[test]
fn debian_gnutls_has_no_fips140_mode() {
    let img = scan();
    let cli = component(&img, "/usr/bin/gnutls-cli");
    let lib = format!("{LIB}/libgnutls.so.30.34.3");
    assert_eq!(cli["module"], "GnuTLS 3.7.9");
    assert_eq!(cli["fips_mode_on"], false);
    assert!(cli.get("needs").is_none());
    assert_eq!(cli["uses"], json!([lib]));
    assert_eq!(
        evidence(cli),
        vec![
            ev("elf-needed", "libgnutls.so.30", "/usr/bin/gnutls-cli"),
            ev("version-text", "Enabled GnuTLS 3.7.9 logging...", &lib),
        ]
    );
    assert_eq!(
        cli["remediation"],
        "link a GnuTLS built with FIPS 140 mode from a vendor that validated it (e.g. RHEL/UBI), or use OpenSSL with a validated FIPS provider"
    );
    assert_eq!(cli["package"]["purl"], purl("gnutls-bin"));
    assert_eq!(
        component(&img, &lib)["package"]["purl"],
        purl("libgnutls30")
    );
}

#[test]
fn nss_softoken_calls_itself_unvalidated() {
    let img = scan();
    let certutil = component(&img, "/usr/bin/certutil");
    assert_eq!(certutil["module"], "NSS softoken 3.87.1");
    assert_eq!(certutil["fips_mode_on"], true);
    assert_eq!(certutil["needs"], json!(["kernel-fips-mode"]));
    assert_eq!(
        certutil["uses"],
        json!([
            format!("{LIB}/libssl3.so"),
            format!("{LIB}/libsmime3.so"),
            format!("{LIB}/libnss3.so"),
            format!("{LIB}/libsoftokn3.so"),
            format!("{LIB}/libfreeblpriv3.so"),
        ])
    );
    let at = |f: &str| format!("{LIB}/{f}");
    assert_eq!(
        evidence(certutil),
        vec![
            ev("elf-needed", "libnss3.so", "/usr/bin/certutil"),
            ev("version-text", "Version: NSS 3.87.1", &at("libnss3.so")),
            ev(
                "version-text",
                "Version: NSS 3.87.1 Basic ECC",
                &at("libsoftokn3.so")
            ),
            ev(
                "version-text",
                "Version: NSS 3.87.1 Basic ECC",
                &at("libfreeblpriv3.so")
            ),
            ev(
                "module-id",
                "Generic NSS 3.87.1 Basic ECC Unvalidated",
                &at("libsoftokn3.so")
            ),
            ev("marker", "/proc/sys/crypto/fips_enabled", &at("libnss3.so")),
            ev(
                "file",
                "integrity data checked in FIPS mode",
                &at("libsoftokn3.chk")
            ),
            ev(
                "file",
                "integrity data checked in FIPS mode",
                &at("libfreeblpriv3.chk")
            ),
        ]
    );
    assert!(
        certutil["summary"]
            .as_str()
            .unwrap()
            .ends_with("but the softoken calls itself \"Generic NSS 3.87.1 Basic ECC Unvalidated\": not a validated module"),
        "{}",
        certutil["summary"]
    );
    assert_eq!(certutil["package"]["purl"], purl("libnss3-tools"));
    let softokn = component(&img, &at("libsoftokn3.so"));
    assert_eq!(softokn["package"]["purl"], purl("libnss3"));
    assert_eq!(
        softokn["uses"],
        json!([at("libnss3.so"), at("libfreeblpriv3.so")])
    );
}

#[test]
fn boringssl_aws_lc_and_wolfssl_fips_builds_or_not() {
    let img = scan();
    let bssl = component(&img, "/usr/bin/bssl-tool");
    let boring = format!("{LIB}/android/libcrypto.so.0");
    assert_eq!(bssl["module"], "BoringSSL");
    assert_eq!(
        bssl["uses"],
        json!([boring, format!("{LIB}/android/libssl.so.0")])
    );
    assert_eq!(
        evidence(bssl),
        vec![
            ev("elf-needed", "libcrypto.so.0", "/usr/bin/bssl-tool"),
            ev("version-text", "BoringCrypto", &boring),
        ]
    );
    assert_eq!(bssl["package"]["purl"], purl("android-boringssl"));
    assert_eq!(
        component(&img, &boring)["package"]["purl"],
        purl("android-libboringssl")
    );

    // AWS-LC built here: the FIPS build is always in FIPS mode, but no
    // certificate is claimed for it.
    let fips = component(&img, "/opt/awslc-fips/bin/awslc-app");
    assert_eq!(fips["module"], "AWS-LC FIPS 4.2.0");
    assert_eq!(fips["fips_mode_on"], true);
    assert!(fips.get("certificate").is_none() && fips.get("needs").is_none());
    assert!(fips.get("package").is_none());
    assert_eq!(
        evidence(fips),
        vec![
            ev(
                "elf-needed",
                "libcrypto.so",
                "/opt/awslc-fips/bin/awslc-app"
            ),
            ev(
                "version-text",
                "AWS-LC FIPS 4.2.0",
                "/opt/awslc-fips/lib/libcrypto.so"
            ),
            ev(
                "marker",
                "BORINGSSL_integrity_test",
                "/opt/awslc-fips/lib/libcrypto.so"
            ),
        ]
    );
    let plain = component(&img, "/opt/awslc/bin/awslc-app");
    assert_eq!(plain["module"], "AWS-LC 5.12.0");
    assert_eq!(plain["fips_mode_on"], false);
    assert_eq!(
        evidence(plain),
        vec![
            ev("elf-needed", "libcrypto.so", "/opt/awslc/bin/awslc-app"),
            ev(
                "version-text",
                "AWS-LC 5.12.0",
                "/opt/awslc/lib/libcrypto.so"
            ),
        ]
    );
    // RUNPATH $ORIGIN/../lib: each program loads the library beside it.
    assert_eq!(plain["uses"], json!(["/opt/awslc/lib/libcrypto.so"]));

    let wolf = component(&img, "/usr/local/bin/wolfssl-app");
    let lib = format!("{LIB}/libwolfssl.so.35.3.0");
    assert_eq!(wolf["module"], "wolfSSL 5.5.4");
    assert_eq!(
        evidence(wolf),
        vec![
            ev(
                "elf-needed",
                "libwolfssl.so.35",
                "/usr/local/bin/wolfssl-app"
            ),
            ev("version-text", "wolfSSL 5.5.4", &lib),
        ]
    );
    assert!(
        wolf["remediation"]
            .as_str()
            .unwrap()
            .contains("a FIPS Ready build is not validated")
    );
    assert_eq!(
        component(&img, &lib)["package"]["purl"],
        purl("libwolfssl35")
    );

    // What these programs print when run (recorded by the fixture build)
    // agrees with the judgement.
    let run = std::fs::read_to_string(fixtures().join("work/native/run.txt")).unwrap();
    assert_eq!(
        run,
        "bssl-tool isfips: 0\nawslc-app: AWS-LC 5.12.0 FIPS_mode=0\nawslc-fips-app: AWS-LC FIPS 4.2.0 FIPS_mode=1\nwolfssl-app: wolfSSL 5.5.4\n"
    );
}
