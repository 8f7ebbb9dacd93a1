//! `--format sarif`: every output passes Microsoft's SARIF Multitool (SARIF
//! and GitHub Advanced Security rules) and the official schema, and the
//! rules, results, levels and fingerprints are exactly what the module docs
//! of src/report/sarif.rs promise.

mod multitool;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{fipscan, fixtures_regex, oci};

/// `fipscan scan --format sarif ARGS`: exit code, document, raw text.
fn sarif(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["scan", "--quiet", "--format", "sarif"];
    all.extend_from_slice(args);
    let run = fipscan(&all);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            run.stdout, run.stderr
        )
    });
    assert_eq!(doc["version"], "2.1.0");
    (run.code, doc, run.stdout)
}

fn runs(doc: &Value) -> &Vec<Value> {
    doc["runs"].as_array().expect("runs")
}

fn only_run(doc: &Value) -> &Value {
    let runs = runs(doc);
    assert_eq!(runs.len(), 1, "expected one run");
    &runs[0]
}

/// The documented fingerprint: SHA-256 of code, repository and path.
fn fp(code: &str, repository: &str, path: &str) -> String {
    hex::encode(Sha256::digest(format!("{code}\n{repository}\n{path}")))
}

/// (ruleId, ruleIndex, level, uri, fingerprint) of every result.
fn results(run: &Value) -> Vec<(String, u64, String, String, String)> {
    run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["ruleIndex"].as_u64().unwrap(),
                r["level"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["partialFingerprints"]["fipscanProblem/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

fn r(
    rule: &str,
    index: u64,
    level: &str,
    uri: &str,
    fp: String,
) -> (String, u64, String, String, String) {
    (rule.into(), index, level.into(), uri.into(), fp)
}

/// (id, default level, tags) of every rule.
fn rules(run: &Value) -> Vec<(String, String, Vec<String>)> {
    run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["defaultConfiguration"]["level"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["properties"]["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn rule(id: &str, level: &str, area: &str) -> (String, String, Vec<String>) {
    (id.into(), level.into(), vec!["fips".into(), area.into()])
}

fn policy_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("policy.toml");
    std::fs::write(
        &path,
        r#"min_score = 90

[[waiver]]
code = "java-bcprov"
path = "/usr/share/java/*"
reason = "the Debian bcprov is on disk for a tool that never runs (SEC-7)"
expires = "2099-12-31"

[[waiver]]
code = "go-standard-crypto"
reason = "no Go program in this image"
expires = "2099-12-31"
"#,
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn ready_not_ready_incomplete_waived_and_failed_outputs_pass_the_multitool() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy_file(&dir);
    let cases: Vec<(&str, Vec<String>, i32, usize)> = vec![
        ("ready", vec![oci("go-fips-on")], 0, 0),
        ("not-ready-go", vec![oci("go-std")], 1, 1),
        (
            "not-ready-openssl",
            vec![oci("openssl-fips-inactive")],
            1,
            1,
        ),
        ("incomplete", vec![oci("damaged-truncated")], 2, 1),
        (
            "waived",
            vec![oci("java-bcprov"), "--policy".into(), policy],
            1,
            5,
        ),
        (
            "all-platforms",
            vec![oci("multi"), "--all-platforms".into()],
            0,
            0,
        ),
        ("batch", vec![oci("go-std"), oci("rust-ring")], 1, 1),
        ("nothing-read", vec!["/nonexistent/image".into()], 2, 0),
    ];
    let mut docs = Vec::new();
    for (name, args, code, first_run_results) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (exit, doc, text) = sarif(&args);
        assert_eq!(exit, *code, "{name}");
        assert_eq!(
            runs(&doc)[0]["results"].as_array().map(Vec::len),
            Some(*first_run_results),
            "{name}"
        );
        docs.push((*name, text));
    }
    let docs: Vec<(&str, &str)> = docs.iter().map(|(n, t)| (*n, t.as_str())).collect();
    multitool::validate(&docs);
}

#[test]
fn go_std_has_one_error_at_the_entrypoint() {
    let (_, doc, _) = sarif(&[&oci("go-std")]);
    let run = only_run(&doc);
    assert_eq!(rules(run), [rule("go-standard-crypto", "error", "go")]);
    assert_eq!(
        results(run),
        [r(
            "go-standard-crypto",
            0,
            "error",
            "app/server",
            fp("go-standard-crypto", "go-std", "/app/server")
        )]
    );
    let result = &run["results"][0];
    assert_eq!(
        result["message"]["text"],
        "go1.27.3 with Go's standard crypto (no FIPS module selected). Fix: rebuild with Go >= 1.24 and GOFIPS140=v1.0.0 (CMVP #5247)."
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "IMAGE_ROOT"
    );
    let logical: Vec<&str> = result["locations"][0]["logicalLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        logical,
        [
            oci("go-std").as_str(),
            "sha256:39ab7b58c77ecb8441a2401f43ff3a770a4320f41c74fc36a359593b0521f732"
        ]
    );
    assert_eq!(
        run["automationDetails"]["id"],
        "fipscan/go-std/linux/amd64/"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(run["properties"]["verdict"], "not-ready");
    assert_eq!(run["tool"]["driver"]["name"], "fipscan");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn java_bcprov_results_cover_jars_nested_jars_and_the_jvm() {
    let (_, doc, _) = sarif(&[&oci("java-bcprov")]);
    let run = only_run(&doc);
    assert_eq!(
        rules(run),
        [
            rule("java-bcprov", "error", "java"),
            rule("java-jvm-non-fips", "error", "java")
        ]
    );
    let jvm = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
    let nested = "/app/app-boot.jar!/BOOT-INF/lib/bcprov.jar";
    assert_eq!(
        results(run),
        [
            r(
                "java-jvm-non-fips",
                1,
                "error",
                &jvm[1..],
                fp("java-jvm-non-fips", "java-bcprov", jvm)
            ),
            r(
                "java-bcprov",
                0,
                "error",
                "app/app-boot.jar",
                fp("java-bcprov", "java-bcprov", nested)
            ),
            r(
                "java-bcprov",
                0,
                "error",
                "usr/share/java/bcprov-1.72.jar",
                fp(
                    "java-bcprov",
                    "java-bcprov",
                    "/usr/share/java/bcprov-1.72.jar"
                )
            ),
        ]
    );
    // The nested jar is named by a logical location below its layer.
    let nested_names: Vec<&str> = run["results"][1]["locations"][0]["logicalLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["fullyQualifiedName"].as_str().unwrap())
        .collect();
    assert_eq!(nested_names[2], nested);
    assert_eq!(run["results"][1]["properties"]["path"], nested);
}

#[test]
fn only_components_that_cost_the_image_are_results() {
    // 15 components: one program that counts and fourteen libraries and
    // modules that count only through it.
    let (_, doc, _) = sarif(&[&oci("openssl-fips-inactive")]);
    let run = only_run(&doc);
    assert_eq!(
        results(run),
        [r(
            "openssl-fips-inactive",
            0,
            "error",
            "opt/openssl/bin/openssl",
            fp(
                "openssl-fips-inactive",
                "openssl-fips-inactive",
                "/opt/openssl/bin/openssl"
            )
        )]
    );
    let (_, doc, _) = sarif(&[&oci("go-fips-on")]);
    assert_eq!(results(only_run(&doc)), []);
    assert_eq!(rules(only_run(&doc)), []);
}

#[test]
fn an_incomplete_scan_is_a_failed_invocation_with_the_layer_named() {
    let (code, doc, _) = sarif(&[&oci("damaged-truncated")]);
    assert_eq!(code, 2);
    let run = only_run(&doc);
    assert_eq!(
        results(run),
        [r(
            "layer-unreadable",
            0,
            "error",
            ".",
            fp("layer-unreadable", "damaged-truncated", "")
        )]
    );
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["descriptor"]["id"], "layer-unreadable");
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("layer sha256:5c2438193ac814bfcbc83fb1a4a23e2574715e1cb16685667cfc47ecb4bec45f is corrupt or truncated")
    );
}

#[test]
fn a_reference_that_fails_marks_every_run_and_nothing_read_is_one_empty_run() {
    let (code, doc, _) = sarif(&[&oci("go-std"), "/nonexistent/image"]);
    assert_eq!(code, 2);
    let run = only_run(&doc);
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["descriptor"]["id"],
        "reference-failed"
    );
    assert_eq!(results(run).len(), 1);

    let (code, doc, _) = sarif(&["/nonexistent/image"]);
    assert_eq!(code, 2);
    let run = only_run(&doc);
    assert_eq!(run["results"], Value::Array(Vec::new()));
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    let text = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(
        text.starts_with("unsupported reference \"/nonexistent/image\": not an existing path"),
        "{text}"
    );
}

#[test]
fn fingerprints_are_the_same_across_runs_and_tags() {
    let (_, a, _) = sarif(&[&oci("java-bcprov")]);
    let (_, b, _) = sarif(&[&oci("java-bcprov")]);
    assert_eq!(only_run(&a)["results"], only_run(&b)["results"]);
    // The same image named by digest: another reference, the same problems.
    let by_path = oci("go-std");
    let (_, doc, _) = sarif(&[&by_path]);
    let digest = only_run(&doc)["properties"]["manifestDigest"]
        .as_str()
        .unwrap()
        .to_string();
    let by_digest = format!("{by_path}@{digest}");
    let (_, pinned, _) = sarif(&[&by_digest]);
    assert_eq!(only_run(&pinned)["properties"]["image"], by_digest.as_str());
    assert_eq!(results(only_run(&doc)), results(only_run(&pinned)));
    assert_eq!(
        only_run(&doc)["automationDetails"]["id"],
        only_run(&pinned)["automationDetails"]["id"]
    );
}

#[test]
fn waived_items_stay_in_the_results_with_an_accepted_suppression() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy_file(&dir);
    let (code, doc, _) = sarif(&[&oci("java-bcprov"), "--policy", &policy]);
    assert_eq!(code, 1);
    let run = only_run(&doc);
    let got: Vec<(String, String, String, Option<Value>)> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r.get("suppressions").cloned(),
            )
        })
        .collect();
    let accepted = serde_json::json!([{
        "kind": "external",
        "status": "accepted",
        "justification": "the Debian bcprov is on disk for a tool that never runs (SEC-7) (policy waiver, expires 2099-12-31)",
    }]);
    let row = |rule: &str, level: &str, uri: &str, s: Option<Value>| {
        (rule.to_string(), level.to_string(), uri.to_string(), s)
    };
    assert_eq!(
        got,
        [
            row(
                "java-jvm-non-fips",
                "error",
                "usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                None
            ),
            row("java-bcprov", "error", "app/app-boot.jar", None),
            row(
                "java-bcprov",
                "error",
                "usr/share/java/bcprov-1.72.jar",
                Some(accepted)
            ),
            row("policy-waiver-unused", "note", ".", None),
            row("policy-min-score", "error", ".", None),
        ]
    );
    assert_eq!(
        results(run)[3].4,
        fp("policy-waiver-unused", "java-bcprov", "")
    );
}

#[test]
fn rule_help_is_what_explain_prints() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy_file(&dir);
    let (_, doc, _) = sarif(&[&oci("java-bcprov"), "--policy", &policy]);
    let rules = only_run(&doc)["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "java-bcprov",
            "java-jvm-non-fips",
            "policy-waiver-unused",
            "policy-min-score"
        ]
    );
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let explained = fipscan(&["explain", id]);
        assert_eq!(explained.code, 0);
        assert_eq!(rule["help"]["text"], explained.stdout.as_str(), "{id}");
        let md = rule["help"]["markdown"].as_str().unwrap();
        assert!(md.starts_with(&format!("**`{id}`** (")), "{md}");
        for heading in [
            "Meaning",
            "Why it matters on a FIPS node",
            "How to fix",
            "Example",
        ] {
            assert!(
                md.contains(&format!("\n#### {heading}\n")),
                "{id}: {heading}"
            );
        }
    }
    assert_eq!(
        rules[0]["shortDescription"]["text"],
        "Regular Bouncy Castle (bcprov), which has no FIPS validation."
    );
    assert_eq!(rules[0]["name"], "JavaBcprov");
}

/// The SARIF of a fixture image with what varies between machines and
/// releases replaced: the fixture folder, the tool and signature versions.
fn snapshot_of(args: &[&str]) -> Value {
    let (_, mut doc, _) = sarif(args);
    if let Some(runs) = doc["runs"].as_array_mut() {
        for run in runs {
            let driver = &mut run["tool"]["driver"];
            driver["version"] = "[VERSION]".into();
            driver["semanticVersion"] = "[VERSION]".into();
            driver["properties"]["signaturesVersion"] = "[SIGNATURES]".into();
        }
    }
    doc
}

#[test]
fn snapshot_go_fips_off() {
    let doc = snapshot_of(&[&oci("go-fips-off")]);
    let fixtures = fixtures_regex();
    insta::with_settings!({ filters => vec![(fixtures.as_str(), "[FIPSCAN_FIXTURES]")] }, {
        insta::assert_json_snapshot!("sarif_go_fips_off", doc);
    });
}

#[test]
fn snapshot_damaged_truncated() {
    let doc = snapshot_of(&[&oci("damaged-truncated")]);
    let fixtures = fixtures_regex();
    insta::with_settings!({ filters => vec![(fixtures.as_str(), "[FIPSCAN_FIXTURES]")] }, {
        insta::assert_json_snapshot!("sarif_damaged_truncated", doc);
    });
}
