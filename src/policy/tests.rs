use super::*;
use crate::report::Component;
use crate::score::Status;

fn day(s: &str) -> Date {
    s.parse().unwrap_or_default()
}

fn policy(text: &str) -> Result<Policy, PolicyError> {
    Policy::parse("p.toml", text, day("2026-11-22"))
}

fn problems(text: &str) -> Vec<String> {
    match policy(text) {
        Err(PolicyError::Invalid { problems, .. }) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

fn component(code: Code, path: &str) -> Component {
    Component {
        layer: "sha256:l".into(),
        entrypoint: true,
        ..Component::sample(path, Status::NonFips, code)
    }
}

fn image(reference: &str, components: Vec<Component>, findings: Vec<Finding>) -> ImageReport {
    ImageReport {
        source: "oci-layout",
        components,
        findings,
        ..ImageReport::sample(reference)
    }
}

const ONE: &str = r#"
target = "openshift-rhel"
min_score = 80

[[waiver]]
code = "go-standard-crypto"
path = "/usr/local/bin/*"
image = "registry.example.com/team/**"
reason = "cache keys only (SEC-123)"
expires = "2026-11-22"
"#;

#[test]
fn a_valid_policy_reads_whole() {
    let p = policy(ONE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.target.map(|t| t.name), Some("openshift-rhel"));
    assert_eq!(p.min_score, Some(80));
    assert_eq!(p.rules.len(), 1);
    assert_eq!(
        p.rules.first().map(|r| r.code),
        Some(Code::GoStandardCrypto)
    );
    // Expires today: still in force.
    assert_eq!(p.expired().count(), 0);
}

#[test]
fn every_problem_is_reported_at_once_with_its_waiver_number() {
    let got = problems(
        r#"
target = "gke"
min_score = 120

[[waiver]]
code = "go-standrad-crypto"
path = "/usr/[bin"
reason = " "
expires = "2027-02-30"

[[waiver]]
code = "openssl-static"
image = "{a,b"
reason = "vendored"
expires = "soon"
"#,
    );
    assert_eq!(got.len(), 8, "{got:#?}");
    assert!(got[0].starts_with("target \"gke\" is not one of generic, aks-azurelinux"));
    assert_eq!(got[1], "min_score 120 is not between 0 and 100");
    assert_eq!(
        got[2],
        "waiver 1: unknown finding code \"go-standrad-crypto\" (did you mean \"go-standard-crypto\"?)"
    );
    assert!(
        got[3].starts_with("waiver 1: path glob \"/usr/[bin\": "),
        "{}",
        got[3]
    );
    assert_eq!(
        got[4],
        "waiver 1: reason is empty; say why the finding is accepted"
    );
    assert!(got[5].starts_with("waiver 1: expires \"2027-02-30\" is not a date like 2027-03-31"));
    assert!(
        got[6].starts_with("waiver 2: image glob \"{a,b\": "),
        "{}",
        got[6]
    );
    assert!(
        got[7].starts_with("waiver 2: expires \"soon\" is not a date"),
        "{}",
        got[7]
    );
}

#[test]
fn unknown_keys_and_missing_fields_are_parse_errors_naming_them() {
    let e =
        policy("[[waiver]]\ncode = \"openssl-static\"\nreson = \"x\"\nexpires = \"2027-01-01\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
    assert!(e.contains("unknown field `reson`"), "{e}");
    let e = policy("min_scor = 5\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("unknown field `min_scor`"), "{e}");
    let e = policy("[[waiver]]\ncode = \"openssl-static\"\nexpires = \"2027-01-01\"\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("missing field `reason`"), "{e}");
}

#[test]
fn waivers_mark_components_and_findings_and_keep_them() {
    let p = policy(ONE).unwrap_or_else(|e| panic!("{e}"));
    let mut img = image(
        "registry.example.com/team/app:1",
        vec![
            component(Code::GoStandardCrypto, "/usr/local/bin/hc"),
            // `*` does not cross `/`.
            component(Code::GoStandardCrypto, "/usr/local/bin/sub/x"),
            component(Code::OpensslStatic, "/usr/local/bin/y"),
        ],
        Vec::new(),
    );
    p.apply(&mut img);
    let waived: Vec<bool> = img.components.iter().map(|c| c.waiver.is_some()).collect();
    assert_eq!(waived, [true, false, false]);
    assert_eq!(
        img.components[0].waiver,
        Some(Waiver {
            reason: "cache keys only (SEC-123)".into(),
            expires: "2026-11-22".into()
        })
    );
    assert!(img.findings.is_empty(), "{:?}", img.findings);
}

#[test]
fn a_waiver_for_another_image_does_nothing_and_is_not_unused_here() {
    let p = policy(ONE).unwrap_or_else(|e| panic!("{e}"));
    let mut img = image(
        "docker.io/library/app:1",
        vec![component(Code::GoStandardCrypto, "/usr/local/bin/hc")],
        Vec::new(),
    );
    p.apply(&mut img);
    assert!(img.components[0].waiver.is_none());
    assert!(img.findings.is_empty());
}

#[test]
fn an_expired_waiver_counts_again_with_a_finding_at_the_path() {
    let p = Policy::parse("p.toml", ONE, day("2026-11-23")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.expired().count(), 1);
    let mut img = image(
        "registry.example.com/team/app:1",
        vec![component(Code::GoStandardCrypto, "/usr/local/bin/hc")],
        Vec::new(),
    );
    p.apply(&mut img);
    assert!(img.components[0].waiver.is_none());
    assert_eq!(img.findings.len(), 1);
    let f = &img.findings[0];
    assert_eq!(
        (f.code, f.path.as_deref()),
        (Code::PolicyWaiverExpired, Some("/usr/local/bin/hc"))
    );
    assert_eq!(
        f.message,
        "waiver 1 (go-standard-crypto at /usr/local/bin/* in registry.example.com/team/**) expired on 2026-11-22, so go-standard-crypto counts again (reason given: cache keys only (SEC-123))"
    );
}

#[test]
fn a_waiver_that_matches_nothing_is_reported_and_findings_without_path_match_pathless_waivers() {
    let p = policy(
        r#"
[[waiver]]
code = "go-standard-crypto"
path = "/nowhere/*"
reason = "r"
expires = "2030-01-01"

[[waiver]]
code = "layer-media-type-mismatch"
reason = "our registry rewrites media types"
expires = "2030-01-01"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut img = image(
        "x",
        vec![component(Code::GoStandardCrypto, "/app")],
        vec![Finding::new(Code::LayerMediaTypeMismatch, "m").in_layer("sha256:l")],
    );
    p.apply(&mut img);
    assert!(img.components[0].waiver.is_none());
    assert!(img.findings[0].waiver.is_some());
    let unused: Vec<&str> = img
        .findings
        .iter()
        .filter(|f| f.code == Code::PolicyWaiverUnused)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        unused,
        [
            "waiver 1 (go-standard-crypto at /nowhere/*) matched nothing in this image; remove it or fix its code or glob"
        ]
    );
}

#[test]
fn min_score_adds_a_failing_finding_only_below_it() {
    let p = policy("min_score = 80\n").unwrap_or_else(|e| panic!("{e}"));
    let mut img = image("x", Vec::new(), Vec::new());
    img.score = 80;
    p.check_score(&mut img);
    assert!(img.findings.is_empty());
    img.score = 79;
    p.check_score(&mut img);
    assert_eq!(
        img.findings
            .iter()
            .map(|f| (f.code, f.message.as_str()))
            .collect::<Vec<_>>(),
        [(
            Code::PolicyMinScore,
            "score 79 is below the policy's min_score 80 (p.toml)"
        )]
    );
}
