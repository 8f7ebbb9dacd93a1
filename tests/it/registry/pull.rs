//! Plain-HTTP registry: the same verdicts as from the OCI layouts, by tag
//! and by digest, platforms, Docker manifest types, errors, batches.

use std::fs;

use serde_json::Value;

use super::harness::{Config, Home, Registry, essence, essence_without_digests, oci_essence};
use super::proxy::{Faults, Proxy};
use crate::common::{fixtures, image, oci, scan_json};

const IMAGES: &[&str] = &[
    "go-boring",
    "go-fips-on",
    "go-fips-off",
    "go-fips-off-env",
    "go-std",
    "go-nocrypto",
    "whiteout",
    "opaque",
    "zstd",
    "uncompressed",
    "debian-openssl",
    "native-openssl",
    "hostile",
];

fn layer_digest(fixture: &str) -> String {
    let (_, doc) = scan_json(&oci(fixture), &[]);
    image(&doc)["layers"][0]["id"].as_str().unwrap().to_string()
}

#[test]
fn every_image_scans_as_from_its_oci_layout() {
    let reg = Registry::start(Config::default());
    let home = Home::new();
    for name in IMAGES {
        reg.push(name, &format!("fixtures/{name}:v1"));
        let (run, doc) = home.json(&[&reg.reference(&format!("fixtures/{name}:v1"))], &[], None);
        let img = image(&doc);
        assert_eq!(
            essence(img),
            oci_essence(name, &[]),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(img["source"], "registry");
        assert!(
            img["layers"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["status"] == "ok"),
            "{name}"
        );
        // Not a terminal: nothing on stderr but errors.
        assert_eq!(run.stderr, "", "{name}");
    }
}

#[test]
fn by_digest_by_tag_and_with_transport_prefixes() {
    let reg = Registry::start(Config::default());
    let home = Home::new();
    reg.push("go-fips-on", "team/app:1.4.2");
    let expected = oci_essence("go-fips-on", &[]);
    let digest = expected["manifest_digest"].as_str().unwrap().to_string();
    for r in [
        reg.reference("team/app:1.4.2"),
        reg.reference(&format!("team/app@{digest}")),
        reg.reference(&format!("team/app:1.4.2@{digest}")),
        format!("registry:{}", reg.reference("team/app:1.4.2")),
        format!("docker://{}", reg.reference("team/app:1.4.2")),
    ] {
        let (run, doc) = home.json(&[&r], &[], None);
        assert_eq!(run.code, 0, "{r}: {}", run.stderr);
        let img = image(&doc);
        assert_eq!(essence(img), expected, "{r}");
        assert_eq!(img["reference"], r.as_str());
    }
    // A digest that is not there, a tag that is not there, a repository
    // that is not there: each names the reference.
    let zero = format!("sha256:{}", "0".repeat(64));
    for (r, needle) in [
        (
            reg.reference(&format!("team/app@{zero}")),
            "manifest unknown",
        ),
        (reg.reference("team/app:9.9"), "manifest unknown"),
        (reg.reference("team/none"), "manifest unknown"),
    ] {
        let run = home.fipscan(&["scan", &r], &[], None);
        assert_eq!(run.code, 2, "{r}");
        assert!(run.stdout.is_empty());
        assert!(
            run.stderr.contains(needle) && run.stderr.contains(&r),
            "{r}: {}",
            run.stderr
        );
    }
}

/// The nested index of the multi fixture: what its tag points at.
fn multi_index_digest() -> String {
    let text = fs::read_to_string(fixtures().join("oci/multi/index.json")).unwrap();
    let index: Value = serde_json::from_str(&text).unwrap();
    index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn platforms_from_a_multi_arch_index() {
    let reg = Registry::start(Config::default());
    let home = Home::new();
    reg.push("multi", "fixtures/multi:latest");
    let by_tag = reg.reference("fixtures/multi");
    let by_digest = reg.reference(&format!("fixtures/multi@{}", multi_index_digest()));
    for r in [&by_tag, &by_digest] {
        let (_, doc) = home.json(&[r], &[], None);
        assert_eq!(essence(image(&doc)), oci_essence("multi", &[]), "{r}");
        let (_, doc) = home.json(&[r, "--platform", "linux/arm64"], &[], None);
        let img = image(&doc);
        assert_eq!(img["platform"]["variant"], "v8");
        assert_eq!(
            essence(img),
            oci_essence("multi", &["--platform", "linux/arm64"])
        );
    }
    let (run, doc) = home.json(&[&by_tag, "--all-platforms"], &[], None);
    assert_eq!(run.code, 0);
    let archs: Vec<&str> = doc["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["platform"]["architecture"].as_str().unwrap())
        .collect();
    assert_eq!(archs, ["amd64", "arm64"]);
    let run = home.fipscan(&["scan", &by_tag, "--platform", "linux/s390x"], &[], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "{by_tag}:latest: no image for platform linux/s390x (platforms present: linux/amd64, linux/arm64/v8)"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn docker_schema2_manifests_and_manifest_lists() {
    let reg = Registry::start(Config::default());
    let home = Home::new();
    reg.push_as("go-std", "docker/go-std:1", Some("v2s2"));
    reg.push_as("multi", "docker/multi:1", Some("v2s2"));
    let (_, doc) = home.json(&[&reg.reference("docker/go-std:1")], &[], None);
    let img = image(&doc);
    assert_eq!(
        essence_without_digests(img),
        essence_without_digests(&oci_essence_doc("go-std", &[]))
    );
    assert!(
        img["layers"][0]["media_type"]
            .as_str()
            .unwrap()
            .starts_with("application/vnd.docker.image.rootfs.diff.tar")
    );
    let (_, doc) = home.json(
        &[
            &reg.reference("docker/multi:1"),
            "--platform",
            "linux/arm64",
        ],
        &[],
        None,
    );
    assert_eq!(
        essence_without_digests(image(&doc)),
        essence_without_digests(&oci_essence_doc("multi", &["--platform", "linux/arm64"]))
    );
}

fn oci_essence_doc(fixture: &str, extra: &[&str]) -> Value {
    let (_, doc) = scan_json(&oci(fixture), extra);
    image(&doc).clone()
}

#[test]
fn schema1_manifests_are_refused_clearly() {
    let reg = Registry::start(Config {
        schema1: true,
        ..Config::default()
    });
    let home = Home::new();
    reg.push_as("go-std", "old/s1:latest", Some("v2s1"));
    let r = reg.reference("old/s1:latest");
    let run = home.fipscan(&["scan", &r], &[], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{r}: manifest sha256:"))
            && run.stderr.contains("schema 1, which is unsupported"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_batch_shares_layers_reports_each_image_and_survives_a_bad_reference() {
    let reg = Registry::start(Config::default());
    reg.push("go-fips-on", "fixtures/go-fips-on:latest");
    reg.push("multi", "fixtures/multi:latest");
    reg.push("go-std", "fixtures/go-std:latest");
    // Counts the blob requests.
    let proxy = Proxy::start(reg.port, Faults::None);
    let home = Home::new();
    let r = |repo: &str| format!("{}/{repo}", proxy.host());
    // multi's amd64 image is go-fips-on's manifest: the same layer.
    let refs = [
        r("fixtures/go-fips-on"),
        r("fixtures/missing:1"),
        r("fixtures/multi"),
        r("fixtures/go-std"),
    ];
    let (run, doc) = home.json(
        &refs.iter().map(String::as_str).collect::<Vec<_>>(),
        &[],
        None,
    );
    assert_eq!(run.code, 2, "one reference failed: {}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("{}: manifest unknown", refs[1])),
        "{}",
        run.stderr
    );
    // The failed reference is in the report too, not only on stderr.
    let failed = doc["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["reference"], refs[1].as_str());
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}: manifest unknown", refs[1])),
        "{}",
        failed[0]["error"]
    );
    let images = doc["images"].as_array().unwrap();
    let got: Vec<Value> = images.iter().map(essence).collect();
    assert_eq!(
        got,
        vec![
            oci_essence("go-fips-on", &[]),
            oci_essence("multi", &[]),
            oci_essence("go-std", &[])
        ]
    );
    let shared = layer_digest("go-fips-on");
    let fetched = proxy
        .log()
        .iter()
        .filter(|e| e.path.ends_with(&format!("/blobs/{shared}")))
        .count();
    assert_eq!(fetched, 1, "the shared layer is downloaded once per run");

    // Text: a report per image and a summary table; the worst verdict
    // decides the exit code when every reference resolves.
    let run = home.fipscan(&["scan", &refs[0], &refs[3]], &[], None);
    assert_eq!(run.code, 1, "go-std is not-ready: {}", run.stderr);
    assert!(run.stdout.contains("Summary"), "{}", run.stdout);
    assert_eq!(run.stdout.matches("Verdict  ").count(), 2);

    // The summary table lists the reference that failed, with its error.
    let run = home.fipscan(&["scan", &refs[0], &refs[1]], &[], None);
    assert_eq!(run.code, 2);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains(refs[1].as_str()))
        .unwrap_or_else(|| panic!("no summary line for {}: {}", refs[1], run.stdout));
    assert!(line.trim_start().starts_with("ERROR"), "{line}");
    assert!(
        line.contains(": manifest unknown: repository fixtures/missing has no manifest"),
        "{line}"
    );
}

#[test]
fn references_from_a_file() {
    let reg = Registry::start(Config::default());
    reg.push("go-fips-on", "a/one:latest");
    reg.push("go-nocrypto", "a/two:latest");
    let home = Home::new();
    let list = home.dir.path().join("images.txt");
    fs::write(
        &list,
        format!(
            "# images to gate\n{}\n\n   {}   # the second\n",
            reg.reference("a/one"),
            reg.reference("a/two")
        ),
    )
    .unwrap();
    let (run, doc) = home.json(&["--from-file", list.to_str().unwrap()], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let verdicts: Vec<&str> = doc["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["ready", "no-crypto"]);
}

#[test]
fn a_tampered_blob_is_caught_by_digest_verification() {
    let reg = Registry::start(Config::default());
    reg.push("go-std", "t/app:latest");
    let blob = layer_digest("go-std");
    let file = reg.blob_file(&blob);
    let mut bytes = fs::read(&file).unwrap();
    // Byte 4 is in the gzip MTIME field: the blob still decompresses to
    // the right tar, so only the digest can tell.
    bytes[4] ^= 0x01;
    fs::write(&file, bytes).unwrap();
    let home = Home::new();
    let r = reg.reference("t/app");
    let (run, doc) = home.json(&[&r], &[], None);
    assert_eq!(run.code, 2);
    let img = image(&doc);
    assert_eq!(img["incomplete"], true);
    assert_eq!(img["layers"][0]["status"], "failed");
    let codes: Vec<&str> = img["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"layer-digest-mismatch"), "{codes:?}");
    assert!(
        run.stderr.contains(&r) && run.stderr.contains(&blob) && run.stderr.contains("altered"),
        "{}",
        run.stderr
    );
    // The binary the layer holds was not trusted, so not judged.
    assert!(img["components"].as_array().unwrap().is_empty());
}

#[test]
fn a_missing_blob_is_a_not_found_error_naming_blob_and_reference() {
    let reg = Registry::start(Config::default());
    reg.push("go-std", "m/app:latest");
    let blob = layer_digest("go-std");
    fs::remove_dir_all(reg.blob_file(&blob).parent().unwrap()).unwrap();
    let home = Home::new();
    let r = reg.reference("m/app");
    let (run, doc) = home.json(&[&r], &[], None);
    assert_eq!(run.code, 2);
    let img = image(&doc);
    assert_eq!(img["layers"][0]["status"], "failed");
    assert!(
        run.stderr
            .contains(&format!("{r}:latest blob {blob}: not found (404)")),
        "{}",
        run.stderr
    );
}
