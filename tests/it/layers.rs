//! Layer semantics: whiteouts, opaque directories, compressions.

use crate::common::*;

#[test]
fn whiteout_removes_the_non_fips_binary() {
    let (code, doc) = scan_json(&oci("whiteout"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)]
    );
}

#[test]
fn opaque_directory_hides_lower_content() {
    let (code, doc) = scan_json(&oci("opaque"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        programs(img),
        vec![p("/opt/tools/new", "validated", "go-fips-validated", true)]
    );
}

#[test]
fn zstd_and_uncompressed_layers() {
    let (_, doc) = scan_json(&oci("zstd"), &[]);
    let img = image(&doc);
    assert_eq!(img["layers"][0]["compression"], "zstd");
    assert_eq!(
        programs(img),
        vec![p("/app/server", "validated", "go-fips-validated", true)]
    );
    let (_, doc) = scan_json(&oci("uncompressed"), &[]);
    let img = image(&doc);
    assert_eq!(img["layers"][0]["compression"], "none");
    assert_eq!(
        programs(img),
        vec![p("/app/server", "non-fips", "go-standard-crypto", true)]
    );
}
