//! Rust programs built here with cargo-auditable: ring, aws-lc-rs, and
//! aws-lc-rs with its `fips` feature (AWS-LC FIPS 4.2.0); Cloudflare's
//! boring 4.22.0 plain and with its `fips` feature (BoringSSL
//! fips-20210429, fixtures/parts/rust-boring.sh).

use crate::common::*;

#[test]
fn ring_and_aws_lc_are_not_fips() {
    for (name, module) in [("rust-ring", "ring"), ("rust-awslc", "aws-lc (non-FIPS)")] {
        let (code, doc) = scan_json(&oci(name), &[]);
        let img = image(&doc);
        assert_eq!(code, 1, "{name}");
        assert_eq!(verdict(img), ("not-ready", 40), "{name}");
        assert_eq!(
            programs(img),
            vec![p("/app/server", "non-fips", "rust-non-fips", true)],
            "{name}"
        );
        assert_eq!(component(img, "/app/server")["module"], module);
    }
}

#[test]
fn aws_lc_fips_runs_in_fips_mode_but_is_not_a_certified_version() {
    let (code, doc) = scan_json(&oci("rust-awslc-fips"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready-with-warnings", 85));
    assert_eq!(
        programs(img),
        vec![p("/app/server", "fips-capable", "rust-aws-lc-fips", true)]
    );
    let c = component(img, "/app/server");
    assert_eq!(c["module"], "AWS-LC FIPS 4.2.0");
    assert_eq!(c["fips_mode_on"], true);
    let details = evidence_details(c);
    assert!(
        details
            .iter()
            .any(|d| d.starts_with(".dep-v0: aws-lc-fips-sys 0.14.4")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.starts_with("aws_lc_fips_0_14_4_")),
        "{details:?}"
    );
}

#[test]
fn boring_without_fips_is_not_ready() {
    let (code, doc) = scan_json(&oci("rust-boring"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![p("/app/server", "non-fips", "rust-non-fips", true)]
    );
    let c = component(img, "/app/server");
    assert_eq!(c["module"], "BoringSSL (non-FIPS)");
    assert_eq!(c["fips_mode_on"], false);
    assert_eq!(
        c["summary"],
        "boring-sys 4.22.0: BoringSSL without its FIPS module (no BORINGSSL_bcm_power_on_self_test)"
    );
    assert_eq!(
        evidence_details(c),
        [".dep-v0: boring 4.22.0, boring-sys 4.22.0"]
    );
    assert_eq!(
        c["remediation"],
        "build boring with its `fips` feature (BoringSSL's FIPS module), or use aws-lc-rs with its `fips` feature"
    );
}

#[test]
fn boring_fips_runs_the_fips_module_but_is_only_fips_capable() {
    let (code, doc) = scan_json(&oci("rust-boring-fips"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready-with-warnings", 85));
    assert_eq!(
        programs(img),
        vec![p("/app/server", "fips-capable", "rust-boring-fips", true)]
    );
    let c = component(img, "/app/server");
    assert_eq!(c["module"], "BoringCrypto fips-20210429");
    assert_eq!(c["fips_mode_on"], true);
    assert_eq!(
        c["summary"],
        "boring FIPS (boring-sys 4.22.0): BoringSSL's FIPS module in FIPS mode; boring-sys 4.x builds BoringCrypto 853ca1ea (fips-20210429), the module of CMVP #4407 (FIPS 140-2, on the Historical list since 2026-09-21), but this build is not shown to be that module (boring-sys compiles it from source, or links a prebuilt one from BORING_BSSL_FIPS_PATH)"
    );
    assert_eq!(
        evidence_details(c),
        [
            ".dep-v0: boring 4.22.0, boring-sys 4.22.0",
            "BORINGSSL_bcm_power_on_self_test"
        ]
    );
    assert_eq!(c["evidence"][1]["kind"], "symbol");
    assert_eq!(c["evidence"][1]["path"], "/app/server");
    assert_eq!(
        c["remediation"],
        "link a BoringSSL FIPS module whose version holds a certificate, built as its Security Policy says (boring-sys's `fips` feature with the policy's toolchain), or use aws-lc-rs with an aws-lc-fips-sys release that holds one"
    );
    assert_eq!(doc["images"][0]["findings"].as_array().unwrap().len(), 0);
}
