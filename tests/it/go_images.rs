//! One Go binary per image, in every build mode the toolchain offers.

use crate::common::*;

#[test]
fn native_module_v1_with_fips_on_is_validated() {
    let (code, doc) = scan_json(&oci("go-fips-on"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)]
    );
    let c = component(img, "/app/server");
    assert_eq!(c["module"], "Go Cryptographic Module v1.0.0-c2097c7c");
    assert_eq!(c["certificate"], "CMVP #5247");
    assert_eq!(c["kind"], "go-program");
    assert_eq!(img["entrypoint"]["path"], "/app/server");
    assert_eq!(
        img["entrypoint"]["crypto"][0],
        "Go Cryptographic Module v1.0.0-c2097c7c"
    );
    let details = evidence_details(c);
    assert!(
        details.contains(&"GOFIPS140=v1.0.0-c2097c7c"),
        "{details:?}"
    );
    assert!(
        details.contains(&"DefaultGODEBUG …fips140=on"),
        "{details:?}"
    );
    assert!(img["findings"].as_array().unwrap().is_empty());
}

#[test]
fn native_module_with_fips_off_needs_godebug() {
    let (code, doc) = scan_json(&oci("go-fips-off"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![p("/app/server", "fips-capable", "go-fips-off", true)]
    );
    assert_eq!(
        component(img, "/app/server")["remediation"],
        "set GODEBUG=fips140=on in the image Env"
    );
}

#[test]
fn godebug_in_image_env_switches_the_module_on() {
    let (code, doc) = scan_json(&oci("go-fips-off-env"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)]
    );
    let c = component(img, "/app/server");
    assert!(
        c["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "image-env" && e["detail"] == "GODEBUG=…fips140=on")
    );
}

#[test]
fn gofips140_latest_is_capable_but_not_validated() {
    let (code, doc) = scan_json(&oci("go-fips-latest"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready-with-warnings", 85));
    assert_eq!(
        programs(img),
        vec![p(
            "/app/server",
            "fips-capable",
            "go-fips-unvalidated",
            true
        )]
    );
    assert_eq!(
        component(img, "/app/server")["module"],
        "Go Cryptographic Module latest"
    );
    // The stricter gate fails it.
    let (code, _) = scan_json(&oci("go-fips-latest"), &["--fail-on", "warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn standard_go_crypto_is_not_fips() {
    let (code, doc) = scan_json(&oci("go-std"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![p("/app/server", "non-fips", "go-standard-crypto", true)]
    );
    let (code, _) = scan_json(&oci("go-std"), &["--fail-on", "never"]);
    assert_eq!(code, 0);
}

#[test]
fn program_without_crypto_is_not_a_component() {
    let (code, doc) = scan_json(&oci("go-nocrypto"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("no-crypto", 100));
    assert!(img["components"].as_array().unwrap().is_empty());
    assert_eq!(img["entrypoint"]["path"], "/app/server");
}

/// tsgo, a real Microsoft Go 1.26.4 binary: its build info says
/// `microsoft_systemcrypto=1` (the toolchain's default mode), its function
/// table holds no crypto package, so it uses neither crypto nor OpenSSL.
#[test]
fn microsoft_go_systemcrypto_without_crypto_is_no_crypto() {
    let (code, doc) = scan_json(&oci("go-microsoft-nocrypto"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("no-crypto", 100));
    assert_eq!(
        img["reasons"],
        serde_json::json!(["no program in the image uses cryptography"])
    );
    assert_eq!(img["incomplete"], false);
    assert!(img["components"].as_array().unwrap().is_empty());
    assert_eq!(findings(img), Vec::<(String, String)>::new());
    // The entrypoint symlink resolves to the real binary, which uses no crypto.
    assert_eq!(img["entrypoint"]["command"][0], "/usr/local/bin/tsgo");
    assert_eq!(img["entrypoint"]["path"], "/usr/local/lib/tsgo/tsgo");
    assert_eq!(img["entrypoint"]["crypto"], serde_json::json!([]));
    // Nothing in the report claims OpenSSL, a module or a certificate.
    let text = serde_json::to_string(img).unwrap().to_lowercase();
    for word in ["openssl", "systemcrypto", "certificate", "cmvp"] {
        assert!(!text.contains(word), "{word} in {text}");
    }
}

#[test]
fn boringcrypto_is_validated_legacy_even_stripped() {
    // Judged the day before FIPS 140-2 certificates went historical: the
    // BoringCrypto module (#4407) was validated.
    for name in ["go-boring", "go-boring-stripped"] {
        let (code, doc) = scan_json(&oci(name), &["--as-of", "2026-09-20"]);
        let img = image(&doc);
        assert_eq!(code, 0, "{name}");
        assert_eq!(verdict(img), ("ready", 100), "{name}");
        assert_eq!(
            programs(img),
            vec![p("/app/server", "validated", "go-boringcrypto", true)],
            "{name}"
        );
        let c = component(img, "/app/server");
        assert_eq!(c["certificate"], "CMVP #4407");
        assert!(c["summary"].as_str().unwrap().contains("legacy"));
        let has_cfunc = c["evidence"].as_array().unwrap().iter().any(|e| {
            e["kind"] == "go-function"
                && e["detail"]
                    .as_str()
                    .unwrap()
                    .contains("_Cfunc__goboringcrypto_")
        });
        assert!(has_cfunc, "{name}: {c}");
    }
}

/// From 2026-09-21 every FIPS 140-2 certificate is on CMVP's Historical
/// list, BoringCrypto's #4407 too: FIPS mode stays on, the image is ready
/// with warnings, and the remedy names Go's FIPS 140-3 module.
#[test]
fn boringcrypto_certificate_is_historical_after_the_fips_140_2_sunset() {
    for as_of in [&["--as-of", "2026-09-21"][..], &[]] {
        let (code, doc) = scan_json(&oci("go-boring"), as_of);
        let img = image(&doc);
        assert_eq!(
            (code, verdict(img)),
            (0, ("ready-with-warnings", 85)),
            "{as_of:?}"
        );
        assert_eq!(
            programs(img),
            vec![p(
                "/app/server",
                "fips-capable",
                "cmvp-certificate-historical",
                true
            )]
        );
        let c = component(img, "/app/server");
        assert_eq!(
            (&c["certificate"], &c["fips_mode_on"]),
            (&serde_json::json!("CMVP #4407"), &serde_json::json!(true))
        );
        let summary = c["summary"].as_str().unwrap();
        assert!(
            summary.ends_with("; but CMVP #4407 (FIPS 140-2) is on the CMVP Historical list since 2026-09-21: not for new procurements, and existing systems keep it only by the agency's own risk determination"),
            "{summary}"
        );
        assert_eq!(
            c["remediation"],
            "move to a module with an active certificate: Go's native FIPS 140-3 module: Go >= 1.24 with GOFIPS140=v1.0.0 (CMVP #5247)"
        );
        assert_eq!(
            evidence_of(c, "certificate"),
            ["CMVP #4407: FIPS 140-2, Historical since 2026-09-21"]
        );
    }
    // A FIPS 140-3 certificate is not touched.
    let (code, doc) = scan_json(&oci("go-fips-on"), &[]);
    assert_eq!((code, verdict(image(&doc))), (0, ("ready", 100)));
}

#[test]
fn thirty_two_bit_and_arm64_binaries_are_parsed() {
    let (_, doc) = scan_json(&oci("go-386"), &[]);
    let img = image(&doc);
    assert_eq!(img["platform"]["architecture"], "386");
    assert_eq!(
        programs(img),
        vec![p("/app/server", "non-fips", "go-standard-crypto", true)]
    );
    let (code, doc) = scan_json(&oci("go-arm64"), &["--platform", "linux/arm64"]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(img["platform"]["architecture"], "arm64");
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)]
    );
}
