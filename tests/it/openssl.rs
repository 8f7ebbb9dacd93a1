//! Native programs over OpenSSL, with Debian 12's real libssl3 and openssl.

use crate::common::*;

#[test]
fn debian_openssl_without_provider_is_not_fips() {
    let (code, doc) = scan_json(&oci("debian-openssl"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![p(
            "/usr/bin/openssl",
            "non-fips",
            "openssl-no-fips-provider",
            true
        )]
    );
    let prog = component(img, "/usr/bin/openssl");
    assert_eq!(prog["kind"], "native-program");
    assert_eq!(
        prog["uses"],
        serde_json::json!([
            "/usr/lib/x86_64-linux-gnu/libssl.so.3",
            "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"
        ])
    );
    let module = prog["module"].as_str().unwrap();
    assert!(
        module.starts_with("OpenSSL 3.0.")
            && module.ends_with("(/usr/lib/x86_64-linux-gnu/libcrypto.so.3)"),
        "{module}"
    );
    let kinds: Vec<(&str, &str)> = prog["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        &kinds[..2],
        &[
            ("elf-needed", "libssl.so.3"),
            ("elf-needed", "libcrypto.so.3")
        ]
    );
    assert!(kinds.contains(&(
        "modules-dir",
        "/usr/lib/x86_64-linux-gnu/ossl-modules (compiled-in MODULESDIR)"
    )));

    // Libraries are information, counted through the programs that load them.
    let libs: Vec<(&str, &str, &str)> = img["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["counts"] == false)
        .map(|c| {
            (
                c["path"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        libs,
        [
            (
                "/usr/lib/x86_64-linux-gnu/engines-3/afalg.so",
                "non-fips",
                "openssl-no-fips-provider"
            ),
            (
                "/usr/lib/x86_64-linux-gnu/engines-3/loader_attic.so",
                "non-fips",
                "openssl-no-fips-provider"
            ),
            (
                "/usr/lib/x86_64-linux-gnu/engines-3/padlock.so",
                "non-fips",
                "openssl-no-fips-provider"
            ),
            (
                "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
                "non-fips",
                "openssl-library"
            ),
            (
                "/usr/lib/x86_64-linux-gnu/libssl.so.3",
                "non-fips",
                "openssl-no-fips-provider"
            ),
            (
                "/usr/lib/x86_64-linux-gnu/ossl-modules/legacy.so",
                "non-fips",
                "openssl-no-fips-provider"
            ),
        ]
    );
    assert_eq!(
        component(img, "/usr/lib/x86_64-linux-gnu/libssl.so.3")["used_by"],
        serde_json::json!(["/usr/bin/openssl"])
    );
    assert_eq!(img["entrypoint"]["path"], "/usr/bin/openssl");
}

#[test]
fn runpath_static_openssl_and_modules_env() {
    let (code, doc) = scan_json(&oci("native-openssl"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    // 100 - 60 (entrypoint) - 25 - 25, floored at 0.
    assert_eq!(verdict(img), ("not-ready", 0));
    assert_eq!(
        programs(img),
        vec![
            p(
                "/opt/app/bin/app",
                "non-fips",
                "openssl-no-fips-provider",
                true
            ),
            p(
                "/usr/bin/openssl",
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(
                "/usr/local/bin/static-ssl",
                "non-fips",
                "openssl-static",
                false
            ),
        ]
    );
    // RUNPATH $ORIGIN/../lib wins over the system libcrypto.
    let app = component(img, "/opt/app/bin/app");
    assert_eq!(
        app["uses"],
        serde_json::json!(["/opt/app/lib/libcrypto.so.3"])
    );
    assert!(
        app["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "modules-dir"
                && e["detail"] == "/opt/app/lib/ossl-modules (OPENSSL_MODULES in the image Env)")
    );
    assert_eq!(
        img["env"],
        serde_json::json!(["OPENSSL_MODULES=/opt/app/lib/ossl-modules"])
    );
    // The static tool embeds the libcrypto.a it was linked with (libssl-dev on the build machine).
    let tool = component(img, "/usr/local/bin/static-ssl");
    assert!(
        tool["module"].as_str().unwrap().starts_with("OpenSSL 3.0."),
        "{tool}"
    );
    assert!(tool["module"].as_str().unwrap().ends_with(" (static)"));
    assert!(tool.get("uses").is_none());
    assert_eq!(
        component(img, "/opt/app/lib/libcrypto.so.3")["used_by"],
        serde_json::json!(["/opt/app/bin/app"])
    );
}
