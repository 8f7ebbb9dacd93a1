//! Owning packages and purls from the image's own package databases.

use crate::common::*;

#[test]
fn dpkg_database_names_the_owner_of_each_component() {
    let (_, doc) = scan_json(&oci("debian-openssl"), &[]);
    let img = image(&doc);
    assert_eq!(img["os"]["id"], "debian");
    assert_eq!(img["os"]["version_id"], "12");
    assert_eq!(img["os"]["packages"], 3);
    let openssl = &component(img, "/usr/bin/openssl")["package"];
    assert_eq!(openssl["name"], "openssl");
    let version = openssl["version"].as_str().unwrap();
    assert!(
        version.starts_with("3.0.") && version.contains("deb12u"),
        "{version}"
    );
    assert_eq!(
        openssl["purl"],
        format!("pkg:deb/debian/openssl@{version}?arch=amd64&distro=debian-12")
    );
    let lib = &component(img, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3")["package"];
    assert_eq!(lib["name"], "libssl3");
}

#[test]
fn rpm_sqlite_database_and_crypto_policy() {
    let (code, doc) = scan_json(&oci("rpm-openssl"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(
        img["os"],
        serde_json::json!({
            "id": "rhel", "version_id": "9.4", "pretty_name": "Red Hat Enterprise Linux 9.4 (Plow)",
            "packages": 4, "crypto_policy": "FIPS"
        })
    );
    assert_eq!(
        component(img, "/usr/bin/openssl")["package"]["purl"],
        "pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1"
    );
    assert_eq!(
        component(img, "/usr/lib64/libcrypto.so.3")["package"]["name"],
        "openssl-libs"
    );
    // The libraries resolve from /usr/lib64, the RHEL default directory.
    assert_eq!(
        component(img, "/usr/bin/openssl")["uses"],
        serde_json::json!(["/usr/lib64/libssl.so.3", "/usr/lib64/libcrypto.so.3"])
    );
}
