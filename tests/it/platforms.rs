//! Multi-platform indexes (nested) and platform selection.

use crate::common::*;

#[test]
fn default_platform_is_linux_amd64() {
    let (code, doc) = scan_json(&oci("multi"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(img["platform"]["architecture"], "amd64");
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)]
    );
}

#[test]
fn pick_arm64_and_all_platforms() {
    let (_, doc) = scan_json(&oci("multi"), &["--platform", "linux/arm64"]);
    let img = image(&doc);
    assert_eq!(img["platform"]["architecture"], "arm64");
    assert_eq!(img["platform"]["variant"], "v8");
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)]
    );

    let (code, doc) = scan_json(&oci("multi"), &["--all-platforms"]);
    assert_eq!(code, 0);
    let archs: Vec<&str> = doc["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["platform"]["architecture"].as_str().unwrap())
        .collect();
    assert_eq!(archs, ["amd64", "arm64"]);
}

#[test]
fn missing_platform_is_a_clear_error() {
    let run = fipscan(&["scan", &oci("multi"), "--platform", "linux/s390x"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "no image for platform linux/s390x (platforms present: linux/amd64, linux/arm64/v8)"
        ),
        "{}",
        run.stderr
    );
}
