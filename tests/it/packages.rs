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

/// Every component of the image as (path, status, code, owning package's
/// name, version, purl), so a test states the whole table at once.
fn owners(img: &serde_json::Value) -> Vec<(String, String, String, Option<[String; 3]>)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    img["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let package = c
                .get("package")
                .map(|p| [s(&p["name"]), s(&p["version"]), s(&p["purl"])]);
            (s(&c["path"]), s(&c["status"]), s(&c["code"]), package)
        })
        .collect()
}

fn row(
    path: &str,
    status: &str,
    code: &str,
    package: Option<[&str; 3]>,
) -> (String, String, String, Option<[String; 3]>) {
    (
        path.into(),
        status.into(),
        code.into(),
        package.map(|p| p.map(String::from)),
    )
}

/// The verdict every OpenSSL image here gets: Debian's OpenSSL 3.0 without
/// fips.so as the entrypoint.
fn assert_not_ready_openssl(code: i32, img: &serde_json::Value) {
    assert_eq!(code, 1);
    assert_eq!(img["verdict"], "not-ready");
    assert_eq!(img["score"], 40);
    assert_eq!(
        img["reasons"],
        serde_json::json!(["-60: /usr/bin/openssl (entrypoint) is non-fips: no FIPS path"])
    );
}

const RHEL_OPENSSL: [&str; 3] = [
    "openssl",
    "1:3.0.7-27.el9",
    "pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1",
];
const RHEL_OPENSSL_LIBS: [&str; 3] = [
    "openssl-libs",
    "1:3.0.7-27.el9",
    "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1",
];

#[test]
fn apk_database_owns_alpine_libraries_not_a_copied_binary() {
    let (code, doc) = scan_json(&oci("apk-openssl"), &[]);
    let img = image(&doc);
    assert_not_ready_openssl(code, img);
    // os-release is read through /etc/os-release -> ../usr/lib/os-release;
    // Alpine has no crypto-policies.
    assert_eq!(
        img["os"],
        serde_json::json!({
            "id": "alpine", "version_id": "3.23.6", "pretty_name": "Alpine Linux v3.23",
            "packages": 59
        })
    );
    assert_eq!(img["packages"].as_array().unwrap().len(), 59);
    let apk = |name: &str, version: &str| {
        [
            name.to_owned(),
            version.to_owned(),
            format!("pkg:apk/alpine/{name}@{version}?arch=x86_64&distro=alpine-3.23.6"),
        ]
    };
    let [n, v, p] = apk("libcrypto3", "3.5.8-r0");
    let [sn, sv, sp] = apk("libssl3", "3.5.8-r0");
    assert_eq!(
        owners(img),
        vec![
            // No apk package lists /usr/bin/openssl: no owner, no purl.
            row(
                "/usr/bin/openssl",
                "non-fips",
                "openssl-no-fips-provider",
                None
            ),
            row(
                "/usr/lib/libcrypto.so.3",
                "non-fips",
                "openssl-library",
                Some([&n, &v, &p])
            ),
            row(
                "/usr/lib/libssl.so.3",
                "non-fips",
                "openssl-no-fips-provider",
                Some([&sn, &sv, &sp])
            ),
        ]
    );
    // Packages the image has but no component uses are still listed.
    let client = img["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "ssl_client")
        .unwrap();
    assert_eq!(
        client["purl"],
        "pkg:apk/alpine/ssl_client@1.37.0-r30?arch=x86_64&distro=alpine-3.23.6"
    );
    assert_eq!(
        component(img, "/usr/bin/openssl")["uses"],
        serde_json::json!(["/usr/lib/libssl.so.3", "/usr/lib/libcrypto.so.3"])
    );
}

#[test]
fn rpm_berkeley_db_owns_libraries_behind_symlinks() {
    let (code, doc) = scan_json(&oci("rpm-bdb-openssl"), &[]);
    let img = image(&doc);
    assert_not_ready_openssl(code, img);
    assert_eq!(
        img["os"],
        serde_json::json!({
            "id": "rhel", "version_id": "9.4", "pretty_name": "Red Hat Enterprise Linux 9.4 (Plow)",
            "packages": 4, "crypto_policy": "DEFAULT"
        })
    );
    // libcrypto.so.3 is the rpm's symlink; the component is the file it
    // names, which the rpm lists too.
    assert_eq!(
        owners(img),
        vec![
            row(
                "/usr/bin/openssl",
                "non-fips",
                "openssl-no-fips-provider",
                Some(RHEL_OPENSSL)
            ),
            row(
                "/usr/lib64/libcrypto.so.3.0.7",
                "non-fips",
                "openssl-library",
                Some(RHEL_OPENSSL_LIBS)
            ),
            row(
                "/usr/lib64/libssl.so.3.0.7",
                "non-fips",
                "openssl-no-fips-provider",
                Some(RHEL_OPENSSL_LIBS)
            ),
        ]
    );
    assert_eq!(
        component(img, "/usr/bin/openssl")["uses"],
        serde_json::json!([
            "/usr/lib64/libssl.so.3.0.7",
            "/usr/lib64/libcrypto.so.3.0.7"
        ])
    );
}

#[test]
fn rpm_ndb_database_at_the_sysimage_path() {
    let (code, doc) = scan_json(&oci("rpm-ndb-openssl"), &[]);
    let img = image(&doc);
    assert_not_ready_openssl(code, img);
    // /usr/lib/os-release alone is enough; no crypto-policies config.
    assert_eq!(
        img["os"],
        serde_json::json!({
            "id": "rhel", "version_id": "9.4", "pretty_name": "Red Hat Enterprise Linux 9.4 (Plow)",
            "packages": 4
        })
    );
    // The var/lib/rpm -> usr/lib/sysimage/rpm symlink does not count the
    // database twice.
    let purls: Vec<&str> = img["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["purl"].as_str().unwrap())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:rpm/redhat/crypto-policies@20240202-1.git283706d.el9?arch=noarch&distro=rhel-9.4",
            RHEL_OPENSSL[2],
            "pkg:rpm/redhat/openssl-fips-provider@3.0.7-6.el9_5?arch=x86_64&distro=rhel-9.4",
            RHEL_OPENSSL_LIBS[2],
        ]
    );
    assert_eq!(
        owners(img),
        vec![
            row(
                "/usr/bin/openssl",
                "non-fips",
                "openssl-no-fips-provider",
                Some(RHEL_OPENSSL)
            ),
            row(
                "/usr/lib64/libcrypto.so.3",
                "non-fips",
                "openssl-library",
                Some(RHEL_OPENSSL_LIBS)
            ),
            row(
                "/usr/lib64/libssl.so.3",
                "non-fips",
                "openssl-no-fips-provider",
                Some(RHEL_OPENSSL_LIBS)
            ),
        ]
    );
}
