//! `fipscan gate`: Kubernetes manifests in, the images of workloads on FIPS
//! nodes scanned (from a real registry and from OCI layouts), exact output
//! lines and exit codes out.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{fipscan, oci, repo};
use crate::registry::harness::{Config, Home, Registry};

const SAMPLE: &str = "tests/it/gate/kubectl-get-deploy-cronjob.yaml";

/// A temp dir to write manifests into.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(name);
        fs::write(&path, text).unwrap();
        path
    }
}

fn read_schema(name: &str) -> Value {
    let text = fs::read_to_string(repo().join("schema").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// schema/gate.schema.json, with the report schema its `scan` refers to.
fn gate_schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let report = read_schema("report.schema.json");
        let id = report["$id"].as_str().unwrap().to_string();
        let resource = jsonschema::Resource::from_contents(report).expect("report schema");
        jsonschema::options()
            .with_resource(id, resource)
            .build(&read_schema("gate.schema.json"))
            .expect("gate schema compiles")
    })
}

/// `gate --format json` output, checked against schema/gate.schema.json.
fn gate_json(stdout: &str) -> Value {
    let doc: Value = serde_json::from_str(stdout).unwrap();
    let errors: Vec<String> = gate_schema()
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "output does not match schema/gate.schema.json: {errors:#?}"
    );
    doc
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A Deployment of one container (and an optional init container), with
/// the given pod spec lines (already indented for `spec.template.spec`).
fn deployment(name: &str, spec: &str, init: Option<&str>, image: &str) -> String {
    let init = init.map_or(String::new(), |i| {
        format!("      initContainers:\n      - name: migrate\n        image: {i}\n")
    });
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n{spec}{init}      containers:\n      - name: {name}\n        image: {image}\n"
    )
}

const FIPS_SELECTOR: &str =
    "      nodeSelector:\n        kubernetes.azure.com/fips_enabled: \"true\"\n";

#[test]
fn a_multi_document_file_from_a_registry_with_selector_affinity_and_a_service() {
    let reg = Registry::start(Config::default());
    reg.push("go-fips-on", "shop/api:1.4");
    reg.push("openssl-fips-active", "shop/ledger:3.1");
    let api = reg.reference("shop/api:1.4");
    let ledger = reg.reference("shop/ledger:3.1");
    let dir = Dir::new();
    let text = format!(
        "# the shop, as applied\n{}---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: ledger\n  namespace: shop\nspec:\n  serviceName: ledger\n  selector:\n    matchLabels: {{app: ledger}}\n  template:\n    metadata:\n      labels: {{app: ledger}}\n    spec:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: kubernetes.azure.com/fips_enabled\n                operator: In\n                values: [\"true\"]\n      containers:\n      - name: ledger\n        image: {ledger}\n      - name: api-sidecar\n        image: {api}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  ports:\n  - port: 443\n",
        deployment("api", FIPS_SELECTOR, None, &api)
    );
    let file = dir.write("shop.yaml", &text);
    // The Service's document starts at the `---` two lines above its kind.
    let service_line = text.lines().position(|l| l == "kind: Service").unwrap() - 1;
    let home = Home::new();
    let run = home.fipscan(&["gate", "-f", s(&file), "--verbose"], &[], None);
    let f = s(&file);
    assert_eq!(
        run.stdout,
        format!(
            "Deployment shop/api ({f} document 1): on FIPS nodes by nodeSelector kubernetes.azure.com/fips_enabled=true
  pass  container api  {api}  ready (score 100)
StatefulSet shop/ledger ({f} document 2): on FIPS nodes by nodeAffinity kubernetes.azure.com/fips_enabled In (true)
  pass  container ledger  {ledger}  ready (score 100)
  pass  container api-sidecar  {api}  ready (score 100)
skipped Service shop/api ({f} document 3): not a workload

Result: pass: 2 workloads on FIPS nodes; 2 images: 2 passed, 0 failed, 0 unreadable; 1 object skipped (not workloads)
"
        )
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");

    // JSON: the same, with the skipped object and every image's report.
    let run = home.fipscan(&["gate", "-f", s(&file), "--format", "json"], &[], None);
    assert_eq!(run.code, 0);
    let doc = gate_json(&run.stdout);
    assert_eq!(doc["result"], "pass");
    assert_eq!(
        doc["counts"],
        serde_json::json!({"workloads": 2, "images": 2, "passed": 2, "failed": 0, "errors": 0})
    );
    assert_eq!(
        doc["skipped"],
        serde_json::json!([{"kind": "Service", "namespace": "shop", "name": "api",
            "origin": {"file": f, "document": 3, "line": service_line}, "reason": "not a workload"}])
    );
    assert_eq!(
        doc["workloads"][1]["containers"][0],
        serde_json::json!({"name": "ledger", "role": "container", "image": ledger,
            "outcome": "pass", "verdict": "ready", "score": 100})
    );
    // Each distinct reference scanned once.
    let scanned: Vec<&str> = doc["scan"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert_eq!(scanned, [api.as_str(), ledger.as_str()]);
    assert_eq!(doc["scan"]["images"][0]["source"], "registry");
}

#[test]
fn a_kubectl_get_list_with_a_cronjob_and_suggestions() {
    let reg = Registry::start(Config::default());
    reg.push("go-fips-on", "shop/payments-api:1.4.2");
    reg.push("openssl-fips-active", "shop/storefront:2.3.0");
    reg.push("go-std", "shop/ledger-export:0.9.1");
    let sample = fs::read_to_string(repo().join(SAMPLE)).unwrap();
    let dir = Dir::new();
    let file = dir.write(
        "get.yaml",
        &sample.replace("registry.example.com", &reg.host()),
    );
    let f = s(&file);
    let r = |repo: &str| reg.reference(repo);
    let home = Home::new();
    let run = home.fipscan(&["gate", "-f", f], &[], None);
    assert_eq!(
        run.stdout,
        format!(
            "Deployment shop/payments-api ({f} document 1 items[0]): on FIPS nodes by nodeSelector kubernetes.azure.com/fips_enabled=true
  pass  container api  {}  ready (score 100)
Deployment shop/storefront ({f} document 1 items[1]): not on FIPS nodes, not checked
CronJob shop/ledger-export ({f} document 1 items[2]): on FIPS nodes by nodeAffinity kubernetes.azure.com/fips_enabled In (true)
  FAIL  container export  {}  not-ready (score 40)

FAIL CronJob shop/ledger-export: container export: {} is not-ready (score 40)

Result: FAIL: 2 workloads on FIPS nodes; 2 images: 1 passed, 1 failed, 0 unreadable
",
            r("shop/payments-api:1.4.2"),
            r("shop/ledger-export:0.9.1"),
            r("shop/ledger-export:0.9.1"),
        )
    );
    assert_eq!(run.code, 1, "{}", run.stderr);

    // --suggest scans the storefront too; its image is ready.
    let run = home.fipscan(&["gate", "-f", f, "--suggest"], &[], None);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[2..13],
        [
            format!("Deployment shop/storefront ({f} document 1 items[1]): not on FIPS nodes, not gated").as_str(),
            format!("  -     container web  {}  ready (score 100)", r("shop/storefront:2.3.0")).as_str(),
            "  suggestion: every image is ready for FIPS nodes; schedule it there:",
            "    kubectl patch deployment storefront -n shop --type strategic -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"kubernetes.azure.com/fips_enabled\":\"true\"}}}}}'",
            "    strategic-merge patch:",
            "      spec:",
            "        template:",
            "          spec:",
            "            nodeSelector:",
            "              kubernetes.azure.com/fips_enabled: \"true\"",
            format!("CronJob shop/ledger-export ({f} document 1 items[2]): on FIPS nodes by nodeAffinity kubernetes.azure.com/fips_enabled In (true)").as_str(),
        ]
    );
    // The storefront is not gated: still one failure, and the counts are
    // those of the workloads on FIPS nodes.
    assert_eq!(
        lines.last().copied(),
        Some("Result: FAIL: 2 workloads on FIPS nodes; 2 images: 1 passed, 1 failed, 0 unreadable")
    );
}

#[test]
fn only_the_init_container_is_not_ready() {
    let dir = Dir::new();
    let file = dir.write(
        "app.yaml",
        &deployment(
            "app",
            FIPS_SELECTOR,
            Some(&oci("go-std")),
            &oci("go-fips-on"),
        ),
    );
    let f = s(&file);
    let run = fipscan(&["gate", "-f", f]);
    assert_eq!(
        run.stdout,
        format!(
            "Deployment shop/app ({f} document 1): on FIPS nodes by nodeSelector kubernetes.azure.com/fips_enabled=true
  FAIL  init container migrate  {std}  not-ready (score 40)
  pass  container app  {on}  ready (score 100)

FAIL Deployment shop/app: init container migrate: {std} is not-ready (score 40)

Result: FAIL: 1 workload on FIPS nodes; 2 images: 1 passed, 1 failed, 0 unreadable
",
            std = oci("go-std"),
            on = oci("go-fips-on"),
        )
    );
    assert_eq!(run.code, 1);
    // --fail-on never: reported, not failed.
    let run = fipscan(&["gate", "-f", f, "--fail-on", "never"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains(&format!(
            "  pass  init container migrate  {}  not-ready (score 40)\n",
            oci("go-std")
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn fips_selector_replaces_the_default() {
    let dir = Dir::new();
    let custom = "      nodeSelector:\n        node.example.com/fips: enabled\n";
    let file = dir.write(
        "two.yaml",
        &format!(
            "{}---\n{}",
            deployment("custom", custom, None, &oci("go-fips-on")),
            deployment("azure", FIPS_SELECTOR, None, &oci("go-std")),
        ),
    );
    let f = s(&file);
    let run = fipscan(&[
        "gate",
        "-f",
        f,
        "--fips-selector",
        "node.example.com/fips=enabled",
    ]);
    assert_eq!(
        run.stdout,
        format!(
            "Deployment shop/custom ({f} document 1): on FIPS nodes by nodeSelector node.example.com/fips=enabled
  pass  container custom  {}  ready (score 100)
Deployment shop/azure ({f} document 2): not on FIPS nodes, not checked

Result: pass: 1 workload on FIPS nodes; 1 image: 1 passed, 0 failed, 0 unreadable
",
            oci("go-fips-on")
        )
    );
    assert_eq!(run.code, 0);
    // Repeated: either selector marks FIPS nodes.
    let run = fipscan(&[
        "gate",
        "-f",
        f,
        "--fips-selector",
        "node.example.com/fips=enabled",
        "--fips-selector",
        "kubernetes.azure.com/fips_enabled=true",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.ends_with(
        "Result: FAIL: 2 workloads on FIPS nodes; 2 images: 1 passed, 1 failed, 0 unreadable\n"
    ));
    // A selector that is not label syntax is refused before anything runs.
    let run = fipscan(&["gate", "-f", f, "--fips-selector", "fips"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "invalid value 'fips' for '--fips-selector <KEY=VALUE>': \"fips\" is not KEY=VALUE"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn suggest_only_where_every_image_is_ready() {
    let dir = Dir::new();
    let file = dir.write(
        "web.yaml",
        &format!(
            "{}---\n{}",
            deployment("web", "", None, &oci("openssl-fips-active")),
            deployment("legacy", "", None, &oci("go-std")),
        ),
    );
    let f = s(&file);
    let run = fipscan(&["gate", "-f", f, "--suggest"]);
    assert_eq!(
        run.stdout,
        format!(
            "Deployment shop/web ({f} document 1): not on FIPS nodes, not gated
  -     container web  {web}  ready (score 100)
  suggestion: every image is ready for FIPS nodes; schedule it there:
    kubectl patch deployment web -n shop --type strategic -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"nodeSelector\":{{\"kubernetes.azure.com/fips_enabled\":\"true\"}}}}}}}}}}'
    strategic-merge patch:
      spec:
        template:
          spec:
            nodeSelector:
              kubernetes.azure.com/fips_enabled: \"true\"
Deployment shop/legacy ({f} document 2): not on FIPS nodes, not gated
  -     container legacy  {std}  not-ready (score 40)
  no suggestion: not every image is ready for FIPS nodes

Result: pass: 0 workloads on FIPS nodes; 0 images: 0 passed, 0 failed, 0 unreadable
",
            web = oci("openssl-fips-active"),
            std = oci("go-std"),
        )
    );
    assert_eq!(run.code, 0);
    // Without --suggest nothing is scanned.
    let run = fipscan(&["gate", "-f", f, "--format", "json"]);
    let doc = gate_json(&run.stdout);
    assert_eq!(doc["scan"]["images"], serde_json::json!([]));
    assert_eq!(
        doc["workloads"][0]["containers"][0]["outcome"],
        "not-scanned"
    );
    assert!(doc["workloads"][0].get("suggestion").is_none());
    // With it, the suggestion is in the JSON too.
    let run = fipscan(&["gate", "-f", f, "--format", "json", "--suggest"]);
    let doc = gate_json(&run.stdout);
    assert_eq!(
        doc["workloads"][0]["suggestion"]["patch"],
        "spec:\n  template:\n    spec:\n      nodeSelector:\n        kubernetes.azure.com/fips_enabled: \"true\"\n"
    );
    assert!(doc["workloads"][1].get("suggestion").is_none());
}

#[test]
fn an_unreadable_image_exits_2_and_the_others_are_still_checked() {
    let reg = Registry::start(Config::default());
    reg.push("go-std", "shop/worker:2.0");
    let missing = reg.reference("shop/gone:1.0");
    let worker = reg.reference("shop/worker:2.0");
    let dir = Dir::new();
    let file = dir.write(
        "m.yaml",
        &format!(
            "{}---\n{}---\n{}",
            deployment("gone", FIPS_SELECTOR, None, &missing),
            deployment("worker", FIPS_SELECTOR, None, &worker),
            deployment("api", FIPS_SELECTOR, None, &oci("go-fips-on")),
        ),
    );
    let f = s(&file);
    let home = Home::new();
    let run = home.fipscan(&["gate", "-f", f], &[], None);
    assert_eq!(
        run.stdout,
        format!(
            "Deployment shop/gone ({f} document 1): on FIPS nodes by nodeSelector kubernetes.azure.com/fips_enabled=true
  ERROR container gone  {missing}  could not be read
Deployment shop/worker ({f} document 2): on FIPS nodes by nodeSelector kubernetes.azure.com/fips_enabled=true
  FAIL  container worker  {worker}  not-ready (score 40)
Deployment shop/api ({f} document 3): on FIPS nodes by nodeSelector kubernetes.azure.com/fips_enabled=true
  pass  container api  {api}  ready (score 100)

FAIL Deployment shop/worker: container worker: {worker} is not-ready (score 40)

Result: ERROR: 3 workloads on FIPS nodes; 3 images: 1 passed, 1 failed, 1 unreadable
",
            api = oci("go-fips-on"),
        )
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "fipscan: error: {missing}: manifest unknown: repository shop/gone has no manifest \"1.0\" (the registry said MANIFEST_UNKNOWN: manifest unknown)\n"
        )
    );
}

#[test]
fn an_invalid_document_is_named_and_the_others_are_checked() {
    let dir = Dir::new();
    let file = dir.write(
        "broken.yaml",
        &format!(
            "{}---\nkind: Deployment\nmetadata: {{name: half\n  namespace: shop\n---\n{}",
            deployment("one", FIPS_SELECTOR, None, &oci("go-fips-on")),
            deployment("two", FIPS_SELECTOR, None, &oci("openssl-fips-active")),
        ),
    );
    let f = s(&file);
    let run = fipscan(&["gate", "-f", f]);
    assert_eq!(
        run.stdout,
        format!(
            "Deployment shop/one ({f} document 1): on FIPS nodes by nodeSelector kubernetes.azure.com/fips_enabled=true
  pass  container one  {}  ready (score 100)
Deployment shop/two ({f} document 3): on FIPS nodes by nodeSelector kubernetes.azure.com/fips_enabled=true
  pass  container two  {}  ready (score 100)

Result: ERROR: 2 workloads on FIPS nodes; 2 images: 2 passed, 0 failed, 0 unreadable; 1 manifest error
",
            oci("go-fips-on"),
            oci("openssl-fips-active"),
        )
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "fipscan: error: {f}: document 2 (from line 18): invalid YAML: while parsing a flow mapping, did not find expected ',' or '}}' at line 21, column 12\n"
        )
    );
}

#[test]
fn a_directory_and_standard_input() {
    let dir = Dir::new();
    dir.write(
        "a.yaml",
        &deployment("a", FIPS_SELECTOR, None, &oci("go-fips-on")),
    );
    dir.write(
        "b.yml",
        &deployment("b", FIPS_SELECTOR, None, &oci("go-fips-on")),
    );
    dir.write("notes.txt", "not a manifest: [");
    let stdin = deployment("c", FIPS_SELECTOR, None, &oci("go-std"));
    let home = Home::new();
    let run = home.fipscan(
        &["gate", "-f", s(dir.0.path()), "-f", "-", "--format", "json"],
        &[],
        Some(&stdin),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = gate_json(&run.stdout);
    let got: Vec<(String, String, String)> = doc["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_string(),
                w["origin"]["file"].as_str().unwrap().to_string(),
                w["containers"][0]["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let d = dir.0.path();
    assert_eq!(
        got,
        [
            ("a".into(), s(&d.join("a.yaml")).into(), "pass".into()),
            ("b".into(), s(&d.join("b.yml")).into(), "pass".into()),
            ("c".into(), "<stdin>".into(), "fail".into()),
        ]
    );
    assert_eq!(
        doc["failures"],
        serde_json::json!([{"workload": "Deployment shop/c", "container": "c",
            "role": "container", "image": oci("go-std"), "reason": "not-ready (score 40)"}])
    );
    // The same image in two workloads is scanned once.
    assert_eq!(doc["scan"]["images"].as_array().unwrap().len(), 2);
    // A missing file is an error naming it; the others are still checked.
    let run = fipscan(&[
        "gate",
        "-f",
        "/nonexistent/x.yaml",
        "-f",
        s(&d.join("a.yaml")),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("fipscan: error: /nonexistent/x.yaml: cannot read: No such file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("  pass  container a  "),
        "{}",
        run.stdout
    );
}

#[test]
fn fail_on_and_the_policy_min_score_gate_as_in_scan() {
    let dir = Dir::new();
    let file = dir.write(
        "latest.yaml",
        &deployment("edge", FIPS_SELECTOR, None, &oci("go-fips-latest")),
    );
    let policy = dir.write("policy.toml", "min_score = 90\n");
    let f = s(&file);
    let line = |status: &str| {
        format!(
            "  {status}  container edge  {}  ready-with-warnings (score 85)\n",
            oci("go-fips-latest")
        )
    };
    let run = fipscan(&["gate", "-f", f]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains(&line("pass")), "{}", run.stdout);
    let run = fipscan(&["gate", "-f", f, "--fail-on", "warnings"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains(&format!(
        "FAIL Deployment shop/edge: container edge: {} is ready-with-warnings (score 85)\n",
        oci("go-fips-latest")
    )));
    let run = fipscan(&["gate", "-f", f, "--policy", s(&policy)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains(&line("FAIL")), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "FAIL Deployment shop/edge: container edge: {} is ready-with-warnings (score 85), under the policy's min_score 90\n",
            oci("go-fips-latest")
        )),
        "{}",
        run.stdout
    );
    // `scan` judges the same image the same way.
    let run = fipscan(&["scan", &oci("go-fips-latest"), "--policy", s(&policy)]);
    assert_eq!(run.code, 1);
}
