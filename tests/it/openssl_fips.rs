//! A real OpenSSL 3.1.2 FIPS provider (built from the openssl-src crate
//! with enable-fips) judged by the configuration each image ships.

use crate::common::*;

fn entry(img: &serde_json::Value) -> &serde_json::Value {
    component(img, "/opt/openssl/bin/openssl")
}

#[test]
fn activated_and_enforced_provider_is_validated() {
    let (code, doc) = scan_json(&oci("openssl-fips-active"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        programs(img),
        vec![p(
            "/opt/openssl/bin/openssl",
            "validated",
            "openssl-fips-validated",
            true
        )]
    );
    let c = entry(img);
    assert_eq!(c["certificate"], "CMVP #4985");
    assert_eq!(c["module"], "OpenSSL FIPS Provider 3.1.2");
    assert_eq!(
        c["uses"],
        serde_json::json!([
            "/opt/openssl/lib/libssl.so.3",
            "/opt/openssl/lib/libcrypto.so.3",
            "/opt/openssl/lib/ossl-modules/fips.so"
        ])
    );
    // The provider the config activates is loaded by that program.
    assert_eq!(
        component(img, "/opt/openssl/lib/ossl-modules/fips.so")["used_by"],
        serde_json::json!(["/opt/openssl/bin/openssl"])
    );
    assert_eq!(
        evidence_of(c, "openssl-config"),
        [
            "/opt/openssl/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider activated ([fips_sect]), default_properties = fips=yes"
        ]
    );
    assert_eq!(evidence_of(c, "version-text"), ["OpenSSL 3.1.2 1 Aug 2023"]);
    // The provider's own version, read from fips.so (it has no libcrypto-style version text).
    let provider = component(img, "/opt/openssl/lib/ossl-modules/fips.so");
    assert_eq!(
        (provider["status"].as_str(), provider["code"].as_str()),
        (Some("validated"), Some("openssl-fips-provider"))
    );
    assert_eq!(provider["module"], "OpenSSL FIPS Provider 3.1.2");
    assert!(
        img["findings"].as_array().unwrap().is_empty(),
        "{}",
        img["findings"]
    );
}

#[test]
fn provider_present_but_not_activated() {
    let (code, doc) = scan_json(&oci("openssl-fips-inactive"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![p(
            "/opt/openssl/bin/openssl",
            "fips-capable",
            "openssl-fips-inactive",
            true
        )]
    );
    let c = entry(img);
    assert_eq!(c["fips_mode_on"], false);
    assert!(
        c["remediation"]
            .as_str()
            .unwrap()
            .starts_with("in /opt/openssl/ssl/openssl.cnf: `.include` the fipsmodule.cnf")
    );
    assert_eq!(
        evidence_of(c, "openssl-config"),
        ["/opt/openssl/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider not activated"]
    );
    // Nothing activates the provider: no program loads it (the report
    // leaves an empty used_by out).
    let provider = component(img, "/opt/openssl/lib/ossl-modules/fips.so");
    assert_eq!(provider["status"], "validated");
    assert_eq!(provider["used_by"], serde_json::Value::Null);
}

#[test]
fn openssl_conf_in_the_image_env_selects_the_fips_config() {
    let (code, doc) = scan_json(&oci("openssl-fips-env"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        img["env"],
        serde_json::json!(["OPENSSL_CONF=/etc/fips/openssl.cnf"])
    );
    assert_eq!(
        programs(img),
        vec![p(
            "/opt/openssl/bin/openssl",
            "validated",
            "openssl-fips-validated",
            true
        )]
    );
    assert_eq!(
        evidence_of(entry(img), "openssl-config"),
        [
            "/etc/fips/openssl.cnf (OPENSSL_CONF in the image Env): FIPS provider activated ([fips_sect]), default_properties = fips=yes"
        ]
    );
}

/// OpenSSL linked into a program still loads fips.so as a module: with a
/// dynamic libc the program is judged by the provider it would load (the
/// fixture part ran it in FIPS mode); a fully static one cannot load it (the
/// part saw it crash).
#[test]
fn static_openssl_is_judged_by_the_provider_it_loads() {
    let (code, doc) = scan_json(&oci("openssl-static-fips-env"), &[]);
    let img = image(&doc);
    assert_eq!((code, verdict(img)), (1, ("not-ready", 75)));
    assert_eq!(
        programs(img),
        vec![
            p(
                "/usr/local/bin/static-ssl-libc",
                "validated",
                "openssl-fips-validated",
                true
            ),
            p(
                "/usr/local/bin/static-ssl",
                "non-fips",
                "openssl-static",
                false
            ),
        ]
    );
    let libc = component(img, "/usr/local/bin/static-ssl-libc");
    assert_eq!(libc["certificate"], "CMVP #4985");
    // The libcrypto.a of the build machine's libssl-dev: 3.0.x, Debian 12.
    let module = libc["module"].as_str().unwrap();
    assert!(
        module.starts_with("OpenSSL FIPS Provider 3.1.2 (static OpenSSL 3.0."),
        "{module}"
    );
    assert_eq!(
        evidence_of(libc, "modules-dir"),
        ["/opt/openssl/lib/ossl-modules (OPENSSL_MODULES in the image Env)"]
    );
    assert_eq!(
        evidence_of(libc, "openssl-config"),
        [
            "/etc/fips/openssl.cnf (OPENSSL_CONF in the image Env): FIPS provider activated ([fips_sect]), default_properties = fips=yes"
        ]
    );
    // The provider is loaded by the program with OpenSSL linked in, not
    // by the fully static one.
    assert_eq!(
        libc["uses"],
        serde_json::json!(["/opt/openssl/lib/ossl-modules/fips.so"])
    );
    assert_eq!(
        component(img, "/opt/openssl/lib/ossl-modules/fips.so")["used_by"],
        serde_json::json!(["/usr/local/bin/static-ssl-libc"])
    );
    let full = component(img, "/usr/local/bin/static-ssl");
    let summary = full["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("embeds OpenSSL 3.0.")
            && summary.ends_with(
                " in a fully static executable, which cannot load the FIPS provider module (a static program's dlopen of fips.so crashes)"
            ),
        "{summary}"
    );
    assert_eq!(
        full["remediation"],
        "link the program dynamically (at least against libc), then give its OpenSSL a validated FIPS provider"
    );
}
