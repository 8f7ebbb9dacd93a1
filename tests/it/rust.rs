//! Rust programs built here with cargo-auditable: ring, aws-lc-rs, and
//! aws-lc-rs with its `fips` feature (AWS-LC FIPS 4.2.0).

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
