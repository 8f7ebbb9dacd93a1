use super::*;
use crate::image::Platform;
use crate::report::{ComponentKind, FailedReference};
use crate::score::{Status, Verdict};
use crate::target::{GENERIC, Target};

fn component(status: Status, on: bool, counts: bool, needs: &[HostNeed]) -> Component {
    Component {
        layer: "sha256:aa".into(),
        kind: ComponentKind::NativeProgram,
        fips_mode_on: on,
        summary: "uses OpenSSL 1.1.1w".into(),
        entrypoint: true,
        counts,
        remediation: Some("move to OpenSSL 3".into()),
        needs: needs.to_vec(),
        ..Component::sample("/app/server", status, Code::OpensslLegacy)
    }
}

#[test]
fn components_that_cost_the_image_are_results() {
    let generic = GENERIC.provides;
    let level = |c: &Component| component_level(c, generic);
    // Fine: validated, or host-dependent on a node that gives what it needs.
    assert_eq!(level(&component(Status::Validated, true, true, &[])), None);
    let kernel = [HostNeed::KernelFipsMode];
    assert_eq!(
        level(&component(Status::HostDependent, true, true, &kernel)),
        None
    );
    // Libraries that count only through their programs are never results.
    assert_eq!(level(&component(Status::NonFips, false, false, &[])), None);
    assert_eq!(
        level(&component(Status::NonFips, false, true, &[])),
        Some(Level::Error)
    );
    assert_eq!(
        level(&component(Status::FipsCapable, false, true, &[])),
        Some(Level::Error)
    );
    assert_eq!(
        level(&component(Status::FipsCapable, true, true, &[])),
        Some(Level::Warning)
    );
    assert_eq!(
        level(&component(Status::Unknown, false, true, &[])),
        Some(Level::Warning)
    );
    // A need that switches FIPS on and is missing blocks; a vendor host warns.
    let secrets = [HostNeed::KernelFipsMode, HostNeed::RuntimeFipsSecrets];
    let c = component(Status::HostDependent, true, true, &secrets);
    assert_eq!(level(&c), Some(Level::Error));
    let openshift = Target::by_name("openshift-rhel").unwrap_or_default();
    assert_eq!(component_level(&c, openshift.provides), None);
    let ubuntu = component(
        Status::HostDependent,
        true,
        true,
        &[HostNeed::UbuntuFipsHost],
    );
    assert_eq!(level(&ubuntu), Some(Level::Warning));
}

#[test]
fn repositories_drop_tags_digests_and_local_folders() {
    let d = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    assert_eq!(
        repository("registry.example.com/team/app:1.4.2", "registry"),
        "registry.example.com/team/app"
    );
    assert_eq!(
        repository(&format!("docker://ghcr.io/org/app@{d}"), "registry"),
        "ghcr.io/org/app"
    );
    assert_eq!(repository("alpine", "registry"), "docker.io/library/alpine");
    assert_eq!(repository("oci:/tmp/x/go-std", "oci"), "go-std");
    assert_eq!(repository("oci:/tmp/x/go-std:v2", "oci"), "go-std");
    assert_eq!(
        repository(&format!("oci:/tmp/x/go-std@{d}"), "oci"),
        "go-std"
    );
    assert_eq!(repository("/srv/layouts/app/", "oci"), "app");
    assert_eq!(
        repository("docker-archive:/tmp/app.tar:app:1.0", "docker-archive"),
        "app.tar"
    );
    assert_eq!(repository("dir:/tmp/rootfs", "dir"), "rootfs");
}

#[test]
fn fingerprints_follow_the_documented_formula() {
    let f = fingerprint(Code::GoStandardCrypto, "go-std", "/app/server", 1);
    assert_eq!(
        f,
        hex::encode(Sha256::digest(b"go-standard-crypto\ngo-std\n/app/server"))
    );
    assert_eq!(
        fingerprint(Code::PolicyWaiverUnused, "go-std", "", 2),
        hex::encode(Sha256::digest(b"policy-waiver-unused\ngo-std\n\n#2"))
    );
}

#[test]
fn uris_are_relative_and_escaped() {
    assert_eq!(uri("/app/server"), "app/server");
    assert_eq!(uri("/app/app.jar!/BOOT-INF/lib/bcprov.jar"), "app/app.jar");
    assert_eq!(uri("/opt/my app/a:b%c"), "opt/my%20app/a%3Ab%25c");
    assert_eq!(uri("/usr/lib/é.so"), "usr/lib/%C3%A9.so");
    assert_eq!(uri(""), ".");
}

fn image(reference: &str, platform: Option<&str>) -> ImageReport {
    ImageReport {
        platform: platform.and_then(Platform::parse),
        verdict: Verdict::NotReady,
        score: 40,
        ..ImageReport::sample(reference)
    }
}

fn report(images: Vec<ImageReport>, failed: Vec<FailedReference>) -> Report {
    Report {
        failed,
        ..Report::sample(images)
    }
}

#[test]
fn runs_get_distinct_categories() {
    let r = report(
        vec![
            image("oci:/a/app", Some("linux/amd64")),
            image("oci:/a/app", Some("linux/arm64/v8")),
            image("oci:/b/app:v2", Some("linux/amd64")),
            image("dir:/c/root", None),
        ],
        Vec::new(),
    );
    assert_eq!(
        automation_ids(&r),
        [
            "fipscan/app/linux/amd64/",
            "fipscan/app/linux/arm64/v8/",
            "fipscan/app/linux/amd64/2/",
            "fipscan/root/",
        ]
    );
}

#[test]
fn repeated_problems_get_distinct_fingerprints_and_waivers_suppress() {
    let mut img = image("oci:/a/app", None);
    let mut unused = Finding::new(Code::PolicyWaiverUnused, "waiver 1 matched nothing");
    img.findings.push(unused.clone());
    unused.message = "waiver 2 matched nothing".into();
    unused.waiver = Some(Waiver {
        reason: "known".into(),
        expires: "2099-01-31".into(),
    });
    img.findings.push(unused);
    let sarif = to_value(&report(vec![img], Vec::new())).unwrap_or_default();
    let results = &sarif["runs"][0]["results"];
    assert_eq!(
        results[0]["partialFingerprints"][FINGERPRINT],
        fingerprint(Code::PolicyWaiverUnused, "app", "", 1)
    );
    assert_eq!(
        results[1]["partialFingerprints"][FINGERPRINT],
        fingerprint(Code::PolicyWaiverUnused, "app", "", 2)
    );
    assert_eq!(results[0].get("suppressions"), None);
    assert_eq!(
        results[1]["suppressions"],
        json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "known (policy waiver, expires 2099-01-31)",
        }])
    );
    assert_eq!(results[1]["level"], "note");
    assert_eq!(results[1]["message"]["text"], "waiver 2 matched nothing.");
}

#[test]
fn a_report_without_images_is_one_failed_run() {
    let failed = FailedReference {
        reference: "registry.example.com/x:1".into(),
        error: "connection refused".into(),
    };
    let sarif = to_value(&report(Vec::new(), vec![failed])).unwrap_or_default();
    let runs = sarif["runs"].as_array().cloned().unwrap_or_default();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["results"], json!([]));
    assert_eq!(
        runs[0]["invocations"],
        json!([{
            "executionSuccessful": false,
            "toolExecutionNotifications": [{
                "level": "error",
                "message": { "text": "cannot scan registry.example.com/x:1: connection refused." },
                "descriptor": { "id": "reference-failed" },
            }],
        }])
    );
}
