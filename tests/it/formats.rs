//! Snapshots of the text and JSON reports (SARIF, CycloneDX and HTML have
//! theirs in their own test files). Versions and the fixture folder are
//! filtered so the snapshots hold on any machine and across releases; the
//! images are the Go ones, built from a pinned toolchain and so byte-stable
//! (images on the Debian base change with Debian's point releases).

use serde_json::Value;

use crate::common::{fipscan, fixtures, fixtures_regex, oci, regex_escape, scan_json};

fn filters() -> Vec<(String, &'static str)> {
    vec![
        (fixtures_regex(), "[FIPSCAN_FIXTURES]"),
        (r"fipscan \d+\.\d+\.\d+".into(), "fipscan [VERSION]"),
        (
            r"signatures \d{4}\.\d{2}\.\d{2}-\d+".into(),
            "signatures [SIGNATURES]",
        ),
    ]
}

fn text_snapshot(name: &str, image: &str, extra: &[&str]) {
    let mut args = vec!["scan".to_string(), oci(image)];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = fipscan(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let f = filters();
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    insta::with_settings!({ filters => f }, {
        insta::assert_snapshot!(name, run.stdout);
    });
}

#[test]
fn text_go_fips_off() {
    text_snapshot("text_go_fips_off", "go-fips-off", &[]);
}

#[test]
fn text_go_std_with_a_waiver_on_aks_ubuntu() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[[waiver]]\ncode = \"go-standard-crypto\"\npath = \"/app/*\"\nreason = \"hashes cache keys only (SEC-42)\"\nexpires = \"2999-12-31\"\n",
    )
    .expect("write policy");
    let policy = policy.display().to_string();
    let run = fipscan(&[
        "scan",
        &oci("go-std"),
        "--policy",
        &policy,
        "--target",
        "aks-ubuntu",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut f = filters();
    f.push((regex_escape(&policy), "[POLICY]"));
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    insta::with_settings!({ filters => f }, {
        insta::assert_snapshot!("text_go_std_waived_aks_ubuntu", run.stdout);
    });
}

#[test]
fn text_two_images_and_a_failed_reference() {
    let missing = format!("oci:{}", fixtures().join("oci/no-such-image").display());
    let run = fipscan(&["scan", &oci("go-fips-on"), &oci("go-fips-latest"), &missing]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let f = filters();
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    insta::with_settings!({ filters => f }, {
        insta::assert_snapshot!("text_batch_with_failure", run.stdout);
    });
}

#[test]
fn json_go_fips_latest() {
    let (code, mut doc) = scan_json(&oci("go-fips-latest"), &[]);
    assert_eq!(code, 0);
    doc["tool"]["version"] = Value::from("[VERSION]");
    doc["tool"]["signatures_version"] = Value::from("[SIGNATURES]");
    let dir = fixtures_regex();
    insta::with_settings!({ filters => vec![(dir.as_str(), "[FIPSCAN_FIXTURES]")] }, {
        insta::assert_json_snapshot!("json_go_fips_latest", doc);
    });
}
