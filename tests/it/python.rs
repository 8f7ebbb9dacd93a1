//! Python: Debian 12's interpreter and stdlib (real debs) and PyPI's real
//! pyca/cryptography 44.0.2 wheel.

use crate::common::*;

#[test]
fn extension_modules_count_through_the_interpreter() {
    let (code, doc) = scan_json(&oci("python-crypto"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 25));
    let dynload = "/usr/lib/python3.11/lib-dynload";
    assert_eq!(
        programs(img),
        vec![
            p(
                &format!("{dynload}/_hashlib.cpython-311-x86_64-linux-gnu.so"),
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(
                &format!("{dynload}/_ssl.cpython-311-x86_64-linux-gnu.so"),
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(
                "/usr/lib/python3/dist-packages/cryptography/hazmat/bindings/_rust.abi3.so",
                "non-fips",
                "openssl-static",
                false
            ),
        ]
    );
    for c in img["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["counts"] == true)
    {
        assert_eq!(
            c["used_by"],
            serde_json::json!(["/usr/bin/python3.11"]),
            "{}",
            c["path"]
        );
    }
    // The wheel carries its own OpenSSL, whatever the image ships.
    let wheel = component(
        img,
        "/usr/lib/python3/dist-packages/cryptography/hazmat/bindings/_rust.abi3.so",
    );
    assert_eq!(wheel["module"], "OpenSSL 3.4.1 (static)");
    assert_eq!(img["entrypoint"]["path"], "/usr/bin/python3.11");
    // The system libraries count through the extension modules that load them.
    assert_eq!(
        component(img, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3")["used_by"],
        serde_json::json!([
            format!("{dynload}/_hashlib.cpython-311-x86_64-linux-gnu.so"),
            format!("{dynload}/_ssl.cpython-311-x86_64-linux-gnu.so")
        ])
    );
    assert_eq!(
        component(img, "/usr/lib/x86_64-linux-gnu/libssl.so.3")["used_by"],
        serde_json::json!([format!("{dynload}/_ssl.cpython-311-x86_64-linux-gnu.so")])
    );
}

/// PyPI's real pdf-oxide-fips 0.3.78 wheel: a stripped Rust extension
/// (no symbols, no `.dep-v0`) whose panic paths still name its crates. It
/// links AWS-LC FIPS 4.2.0 and also ring and pure-Rust crypto, which it
/// uses by default (fixtures/parts/python.sh ran it: `rust-crypto` until
/// the application calls `crypto_use_fips()`).
#[test]
fn stripped_rust_extension_is_judged_by_every_crate_it_links() {
    let (code, doc) = scan_json(&oci("python-pdf-oxide"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 25));
    let dynload = "/usr/lib/python3.11/lib-dynload";
    let ext = "/usr/lib/python3/dist-packages/pdf_oxide/pdf_oxide.abi3.so";
    assert_eq!(
        programs(img),
        vec![
            p(
                &format!("{dynload}/_hashlib.cpython-311-x86_64-linux-gnu.so"),
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(
                &format!("{dynload}/_ssl.cpython-311-x86_64-linux-gnu.so"),
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(ext, "non-fips", "rust-non-fips", false),
        ]
    );
    let c = component(img, ext);
    assert_eq!(c["module"], "ring");
    assert_eq!(c["used_by"], serde_json::json!(["/usr/bin/python3.11"]));
    assert_eq!(c["fips_mode_on"], false);
    assert_eq!(
        c["summary"],
        "ring 0.17.14: never FIPS validated; also aws-lc-rs FIPS (AWS-LC FIPS 4.2.0): AWS-LC FIPS compiled from source by aws-lc-fips-sys; the v4.0 line is only in process at CMVP (no certificate); also pure-Rust crypto crates, not validated: aes, rsa, ecdsa"
    );
    assert_eq!(
        c["remediation"],
        "it already links AWS-LC FIPS 4.2.0: drop the other crypto crates from the build, or make every crypto call go through the aws-lc-rs FIPS provider (select it as the process default before any crypto)"
    );
    assert_eq!(
        evidence_of(c, "rust-dependency"),
        [
            "source paths: ring 0.17.14, rustls 0.23.44, aws-lc-rs 1.18.1, aes 0.9.2, rsa 0.10.0-rc.18, ecdsa 0.17.0"
        ]
    );
    assert_eq!(evidence_of(c, "string"), ["AWS-LC FIPS 4.2.0"]);
    // Nothing else in the image claims the wheel's crypto.
    assert!(
        img["components"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["path"].as_str().unwrap().contains("cryptography"))
    );
}
