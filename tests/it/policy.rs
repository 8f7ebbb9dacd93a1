//! Policy files on real images: waivers (applied, expired, matching
//! nothing), the minimum score, the default target, and `policy check`.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{fipscan, oci, scan_json};

struct PolicyFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn policy(text: &str) -> PolicyFile {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, text).expect("write policy");
    PolicyFile { _dir: dir, path }
}

fn arg(p: &PolicyFile) -> &str {
    p.path.to_str().expect("utf-8 temp path")
}

fn codes(img: &Value) -> Vec<(String, String)> {
    img["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap_or_default().to_string(),
                        f["message"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

const WAIVE_GO_STD: &str = r#"
[[waiver]]
code = "go-standard-crypto"
path = "/app/*"
reason = "hashes cache keys only; tracked in SEC-42"
expires = "2999-12-31"
"#;

#[test]
fn a_waiver_keeps_the_component_visible_and_lets_the_image_pass() {
    let p = policy(WAIVE_GO_STD);
    let (code, doc) = scan_json(&oci("go-std"), &["--policy", arg(&p)]);
    assert_eq!(code, 0);
    let img = &doc["images"][0];
    assert_eq!(img["verdict"], "ready");
    assert_eq!(img["score"], 100);
    assert_eq!(
        img["reasons"],
        serde_json::json!([
            "waived: /app/server (entrypoint) is non-fips (a policy waiver applies)"
        ])
    );
    let c = &img["components"][0];
    assert_eq!(
        (c["path"].as_str(), c["status"].as_str()),
        (Some("/app/server"), Some("non-fips"))
    );
    assert_eq!(
        c["waiver"],
        serde_json::json!({"reason": "hashes cache keys only; tracked in SEC-42", "expires": "2999-12-31"})
    );
    assert_eq!(doc["policy"]["waivers"], 1);
    assert!(codes(img).is_empty(), "{:?}", codes(img));

    // The text report says so too.
    let run = fipscan(&["scan", &oci("go-std"), "--policy", arg(&p)]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("waived until 2999-12-31: hashes cache keys only; tracked in SEC-42"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(" · policy "), "{}", run.stdout);
}

#[test]
fn an_expired_waiver_counts_again_and_says_so() {
    let p = policy(&WAIVE_GO_STD.replace("2999-12-31", "2001-02-03"));
    let (code, doc) = scan_json(&oci("go-std"), &["--policy", arg(&p)]);
    assert_eq!(code, 1);
    let img = &doc["images"][0];
    assert_eq!(
        (img["verdict"].as_str(), img["score"].as_u64()),
        (Some("not-ready"), Some(40))
    );
    assert!(img["components"][0].get("waiver").is_none());
    assert_eq!(
        codes(img),
        [(
            "policy-waiver-expired".to_string(),
            "waiver 1 (go-standard-crypto at /app/*) expired on 2001-02-03, so go-standard-crypto counts again (reason given: hashes cache keys only; tracked in SEC-42)".to_string()
        )]
    );
    assert_eq!(img["findings"][0]["path"], "/app/server");
    assert_eq!(img["findings"][0]["severity"], "error");

    // `policy check` accepts the file but lists the expired waiver.
    let run = fipscan(&["policy", "check", arg(&p)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            ": valid; 1 waiver(s), 1 expired; target not set (generic); min_score not set"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  waiver 1 (go-standard-crypto) expired on 2001-02-03"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_glob_that_matches_nothing_is_an_info_finding_and_changes_nothing() {
    let p = policy(&WAIVE_GO_STD.replace("/app/*", "/usr/local/bin/*"));
    let (code, doc) = scan_json(&oci("go-std"), &["--policy", arg(&p)]);
    assert_eq!(code, 1);
    let img = &doc["images"][0];
    assert_eq!(img["verdict"], "not-ready");
    assert_eq!(
        codes(img),
        [(
            "policy-waiver-unused".to_string(),
            "waiver 1 (go-standard-crypto at /usr/local/bin/*) matched nothing in this image; remove it or fix its code or glob".to_string()
        )]
    );
    assert_eq!(img["findings"][0]["severity"], "info");
}

#[test]
fn an_image_glob_limits_a_waiver_to_matching_references() {
    let p = policy(&format!("{WAIVE_GO_STD}image = \"*/go-fips-on\"\n"));
    let (code, doc) = scan_json(&oci("go-std"), &["--policy", arg(&p)]);
    assert_eq!(code, 1);
    let img = &doc["images"][0];
    assert_eq!(img["verdict"], "not-ready");
    // Not for this image, so not "unused" here either.
    assert!(codes(img).is_empty(), "{:?}", codes(img));
}

#[test]
fn min_score_fails_an_image_that_passes_its_verdict() {
    let p = policy("min_score = 90\n");
    let (code, doc) = scan_json(&oci("go-fips-latest"), &["--policy", arg(&p)]);
    assert_eq!(code, 1);
    let img = &doc["images"][0];
    assert_eq!(
        (img["verdict"].as_str(), img["score"].as_u64()),
        (Some("ready-with-warnings"), Some(85))
    );
    let found = codes(img);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "policy-min-score");
    assert!(
        found[0]
            .1
            .starts_with("score 85 is below the policy's min_score 90 ("),
        "{}",
        found[0].1
    );
    // At or above the minimum, the verdict alone decides.
    let p = policy("min_score = 85\n");
    let (code, _) = scan_json(&oci("go-fips-latest"), &["--policy", arg(&p)]);
    assert_eq!(code, 0);
}

#[test]
fn the_policy_target_is_the_default_and_the_flag_wins() {
    let p = policy("target = \"openshift-rhel\"\n");
    let (_, doc) = scan_json(&oci("go-fips-on"), &["--policy", arg(&p)]);
    assert_eq!(doc["target"]["name"], "openshift-rhel");
    assert_eq!(
        doc["target"]["provides"],
        serde_json::json!(["kernel-fips-mode", "runtime-fips-secrets", "rhel-fips-host"])
    );
    let (_, doc) = scan_json(
        &oci("go-fips-on"),
        &["--policy", arg(&p), "--target", "aks-ubuntu"],
    );
    assert_eq!(doc["target"]["name"], "aks-ubuntu");
    let (_, doc) = scan_json(&oci("go-fips-on"), &[]);
    assert_eq!(doc["target"]["name"], "generic");
    assert!(doc.get("policy").is_none());
}

#[test]
fn an_invalid_policy_stops_the_run_before_scanning_with_every_problem() {
    let p = policy(
        r#"
[[waiver]]
code = "go-standard-crypt"
path = "/app/[x"
reason = "r"
expires = "2027-13-01"
"#,
    );
    for args in [
        vec!["scan", oci("go-std").leak() as &str, "--policy", arg(&p)],
        vec!["policy", "check", arg(&p)],
    ] {
        let run = fipscan(&args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(run.stderr.contains("has 3 problem(s)"), "{}", run.stderr);
        assert!(
            run.stderr.contains("waiver 1: unknown finding code \"go-standard-crypt\" (did you mean \"go-standard-crypto\"?)"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("waiver 1: path glob \"/app/[x\""),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("waiver 1: expires \"2027-13-01\" is not a date"),
            "{}",
            run.stderr
        );
    }
    let p = policy(
        "[[waiver]]\ncode = \"go-standard-crypto\"\nreason = \"r\"\nexpires = \"2027-01-01\"\nowner = \"me\"\n",
    );
    let run = fipscan(&["policy", "check", arg(&p)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown field `owner`"),
        "{}",
        run.stderr
    );
    let run = fipscan(&["policy", "check", "/nonexistent/policy.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot read policy /nonexistent/policy.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_valid_policy_checks_clean() {
    let p = policy(&format!(
        "target = \"aks-azurelinux\"\nmin_score = 70\n{WAIVE_GO_STD}"
    ));
    let run = fipscan(&["policy", "check", arg(&p)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "{}: valid; 1 waiver(s), 0 expired; target aks-azurelinux; min_score 70\n",
            arg(&p)
        )
    );
}
