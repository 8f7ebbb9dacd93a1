//! Bad input: each problem is reported with what and where, the rest of the
//! image is still judged, and nothing panics or hangs.

use crate::common::*;

fn layer_ids(img: &serde_json::Value) -> Vec<(String, String)> {
    img["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Layer 2 (the std tool) is damaged; layer 1 (the FIPS server) must still be judged.
fn assert_second_layer_lost(name: &str, code_expected: &str, message_part: &str) {
    let (code, doc) = scan_json(&oci(name), &[]);
    let img = image(&doc);
    assert_eq!(code, 2, "{name}: an incomplete scan is an error");
    assert_eq!(img["incomplete"], true);
    assert_eq!(verdict(img), ("ready-with-warnings", 70), "{name}");
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)],
        "{name}"
    );
    let layers = layer_ids(img);
    assert_eq!(layers[0].1, "ok");
    assert_eq!(layers[1].1, "failed");
    let f = &img["findings"][0];
    assert_eq!(f["code"], code_expected, "{name}: {f}");
    assert_eq!(
        f["layer"],
        layers[1].0.as_str(),
        "{name}: the finding names the layer"
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains(message_part) && msg.contains(&layers[1].0),
        "{name}: {msg}"
    );
    assert_eq!(img["findings"].as_array().unwrap().len(), 1, "{name}");
}

#[test]
fn truncated_layer() {
    assert_second_layer_lost(
        "damaged-truncated",
        "layer-unreadable",
        "corrupt or truncated",
    );
}

#[test]
fn altered_layer_blob() {
    assert_second_layer_lost(
        "damaged-digest",
        "layer-digest-mismatch",
        "hashes to sha256:",
    );
}

#[test]
fn wrong_diff_id() {
    assert_second_layer_lost(
        "damaged-diffid",
        "layer-diffid-mismatch",
        "but the config's diff_id is",
    );
}

#[test]
fn decompression_bomb_stops_at_the_bound() {
    let (code, doc) = scan_json(&oci("bomb"), &["--max-layer-bytes", "64M"]);
    let img = image(&doc);
    assert_eq!(code, 2);
    assert_eq!(
        findings(img),
        vec![("layer-size-limit".to_string(), String::new())]
    );
    assert!(
        img["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("decompressed past 67108864 bytes")
    );
    // Files before the bound were read from a blob whose digest was verified.
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)]
    );
    // One byte past the bound is decompressed to learn that the stream goes on.
    assert_eq!(
        img["layers"][0]["stats"]["uncompressed_bytes"],
        (64 << 20) + 1
    );
    assert_eq!(img["layers"][0]["status"], "ok");
}

#[test]
fn hostile_tar_members_are_reported_and_contained() {
    let (code, doc) = scan_json(&oci("hostile"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    // 100 - 25 - 25 (two non-FIPS tools) - 15 (three unparseable files).
    assert_eq!(verdict(img), ("not-ready", 35));
    assert_eq!(
        programs(img),
        vec![
            p("/app/server", "validated", "go-fips-validated", true),
            p(
                "/app/bad-buildinfo",
                "non-fips",
                "go-standard-crypto",
                false
            ),
            p("/usr/bin/std-tool", "non-fips", "go-standard-crypto", false),
        ]
    );
    let expected: Vec<(String, String)> = [
        ("hardlink-missing-target", "/app/hl"),
        ("symlink-escapes-root", "/app/out"),
        ("tar-absolute-path", "/abs/evil"),
        ("tar-path-escape", ""),
        ("unscannable", "/app/bad-buildinfo"),
        ("unscannable", "/app/garbage-go"),
        ("unscannable", "/app/truncated"),
    ]
    .iter()
    .map(|(c, p)| (c.to_string(), p.to_string()))
    .collect();
    assert_eq!(findings(img), expected);
    let msg_of = |path: &str| {
        img["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(msg_of("/app/bad-buildinfo").starts_with("Go build info is malformed: "));
    assert!(msg_of("/app/truncated").starts_with("truncated or malformed ELF: "));
    // Every finding from a layer names that layer.
    assert!(img["findings"].as_array().unwrap().iter().all(|f| {
        f["layer"]
            .as_str()
            .is_some_and(|l| l.starts_with("sha256:"))
    }));
}

#[test]
fn every_hostile_form_is_safe() {
    let f = fixtures();
    for r in [
        format!("docker-archive:{}", f.join("docker/hostile.tar").display()),
        format!(
            "docker-archive:{}",
            f.join("docker-oci/hostile.tar").display()
        ),
        format!("dir:{}", f.join("rootfs/hostile").display()),
    ] {
        let (code, doc) = scan_json(&r, &[]);
        assert_eq!(code, 1, "{r}");
        let img = image(&doc);
        assert_eq!(img["verdict"], "not-ready", "{r}");
    }
}
