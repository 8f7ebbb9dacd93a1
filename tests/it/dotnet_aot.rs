//! .NET NativeAOT: real NativeAOT libraries from PyPI (excelreader-native
//! 7.3.0 with the OpenSSL shim linked in, fixedwidthparser 2.0.0 without),
//! loaded by Debian 12's python3.11, over Debian's libssl3 with and without
//! the real OpenSSL 3.1.2 FIPS provider (fixtures/parts/dotnet-aot.sh).

use crate::common::*;

const EXCEL: &str = "/usr/lib/python3/dist-packages/excelreader/_lib/ExcelReader.Native.so";
const FIXED: &str = "/usr/lib/python3/dist-packages/fixedwidth/_lib/FixedWidthParser.Native.so";
const HASHLIB: &str = "/usr/lib/python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so";
const SSL: &str = "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so";
const LIBSSL: &str = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
const LIBCRYPTO: &str = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3";
const FIPS_SO: &str = "/usr/lib/x86_64-linux-gnu/ossl-modules/fips.so";
const SHIM: &str = "the .NET OpenSSL shim, linked in by NativeAOT, which dlopens libssl.so.3, libssl.so.1.1, libssl.so.1.0.2, libssl.so.1.0.0, libssl.so.10 (no DT_NEEDED)";
const ILC: &str = ".NET: ilc 10.0.13-servicing.26504.104+4099f83977f4d29604a9aeb971fb0a7bc1d5f699";

/// The evidence of the NativeAOT library itself, before the OpenSSL install's.
fn aot_evidence() -> Vec<(String, String, String)> {
    vec![
        ev(
            "marker",
            "NativeAOT sections .dotnet_eh_table, __modules",
            EXCEL,
        ),
        ev("version-text", ILC, EXCEL),
        ev("file", SHIM, EXCEL),
    ]
}

fn paths(img: &serde_json::Value) -> Vec<String> {
    img["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_nativeaot_library_is_judged_by_the_libssl_its_linked_in_shim_loads() {
    let (code, doc) = scan_json(&oci("dotnet-aot"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 25));
    assert_eq!(findings(img), vec![]);
    // Python loads all three; the library counts like any extension module.
    assert_eq!(
        programs(img),
        vec![
            p(HASHLIB, "non-fips", "openssl-no-fips-provider", false),
            p(SSL, "non-fips", "openssl-no-fips-provider", false),
            p(EXCEL, "non-fips", "openssl-no-fips-provider", false),
        ]
    );
    // NativeAOT without the shim has no .NET crypto: no component at all.
    assert!(!paths(img).contains(&FIXED.to_string()));
    let c = component(img, EXCEL);
    assert_eq!(c["kind"], "shared-library");
    assert_eq!(c["used_by"], serde_json::json!(["/usr/bin/python3.11"]));
    assert_eq!(
        c["sha256"],
        "46bf136e36fd420a2fb72d1a7d8e27968a41f830f57ad4f00f9520ddaee90369"
    );
    let openssl = debian_openssl_upstream();
    assert_eq!(
        c["summary"],
        format!(
            ".NET NativeAOT library, OpenSSL shim linked in: .NET 10.0.13 uses OpenSSL {openssl} ({LIBCRYPTO}), which has no FIPS provider (no fips.so in /usr/lib/x86_64-linux-gnu/ossl-modules)"
        )
    );
    assert_eq!(c["module"], format!("OpenSSL {openssl} ({LIBCRYPTO})"));
    assert_eq!(c["fips_mode_on"], false);
    assert_eq!(c["uses"], serde_json::json!([LIBSSL, LIBCRYPTO]));
    // The override is in the Env: libssl.so.1.1 first (not in the image),
    // then the shim's own list, which finds Debian's libssl.so.3.
    let mut want = aot_evidence();
    want.push(ev(
        "image-env",
        "DOTNET_OPENSSL_VERSION_OVERRIDE=1.1: the shim tries libssl.so.1.1 first, then its own list",
        "",
    ));
    let got = evidence(c);
    assert_eq!(got[..4], want[..]);
    assert_eq!(
        got[4..],
        [
            ev(
                "version-text",
                &evidence_of(c, "version-text")[1],
                LIBCRYPTO
            ),
            ev(
                "modules-dir",
                "/usr/lib/x86_64-linux-gnu/ossl-modules (compiled-in MODULESDIR)",
                ""
            ),
            ev(
                "openssl-config",
                "/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider not activated",
                ""
            ),
        ]
    );
    assert!(evidence_of(c, "version-text")[1].starts_with(&format!("OpenSSL {openssl} ")));
    assert_eq!(
        c["remediation"],
        "install a validated OpenSSL FIPS provider (3.0.8/3.0.9 or 3.1.2) in the image, or use a FIPS base image (UBI, Azure Linux, Chainguard FIPS)"
    );
}

#[test]
fn with_the_fips_provider_active_the_nativeaot_library_is_validated() {
    let (code, doc) = scan_json(&oci("dotnet-aot-fips"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(findings(img), vec![]);
    assert_eq!(
        programs(img),
        vec![
            p(HASHLIB, "validated", "openssl-fips-validated", false),
            p(SSL, "validated", "openssl-fips-validated", false),
            p(EXCEL, "validated", "openssl-fips-validated", false),
        ]
    );
    assert!(!paths(img).contains(&FIXED.to_string()));
    let c = component(img, EXCEL);
    let openssl = debian_openssl_upstream();
    assert_eq!(
        c["summary"],
        format!(
            ".NET NativeAOT library, OpenSSL shim linked in: .NET 10.0.13 uses OpenSSL {openssl} ({LIBCRYPTO}) with OpenSSL FIPS Provider 3.1.2, activated and enforced (CMVP #4985)"
        )
    );
    assert_eq!(c["module"], "OpenSSL FIPS Provider 3.1.2");
    assert_eq!(c["certificate"], "CMVP #4985");
    assert_eq!(c["fips_mode_on"], true);
    assert_eq!(c["remediation"], serde_json::Value::Null);
    assert_eq!(c["uses"], serde_json::json!([LIBSSL, LIBCRYPTO, FIPS_SO]));
    // No override in this Env: no image-env evidence.
    let got = evidence(c);
    assert_eq!(got[..3], aot_evidence()[..]);
    assert_eq!(
        got[3..]
            .iter()
            .map(|(k, d, p)| (k.as_str(), d.as_str(), p.as_str()))
            .filter(|(k, _, _)| *k != "version-text")
            .collect::<Vec<_>>(),
        [
            (
                "modules-dir",
                "/usr/lib/x86_64-linux-gnu/ossl-modules (compiled-in MODULESDIR)",
                ""
            ),
            ("file", "OpenSSL FIPS Provider 3.1.2", FIPS_SO),
            (
                "openssl-config",
                "/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider activated ([fips_sect]), default_properties = fips=yes",
                ""
            ),
        ]
    );
}
