//! Node.js on Debian 12's real nodejs + libnode108 (shared OpenSSL) with the
//! real OpenSSL 3.1.2 FIPS provider activated under `openssl_conf`: Node
//! reads its own `nodejs_conf` section (NODE_OPENSSL_CONF_NAME) and so runs
//! without FIPS while the openssl CLI runs with it, until NODE_OPTIONS asks
//! for the shared section.

use crate::common::*;

const NODE: &str = "/usr/bin/node";
const LIBNODE: &str = "/usr/lib/x86_64-linux-gnu/libnode.so.108";

#[test]
fn node_reads_nodejs_conf_and_misses_the_fips_provider() {
    let (code, doc) = scan_json(&oci("node-fips-conf"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![
            p(NODE, "fips-capable", "node-openssl-conf-section", true),
            p(
                "/usr/bin/openssl",
                "validated",
                "openssl-fips-validated",
                false
            ),
        ]
    );
    let node = component(img, NODE);
    assert_eq!(node["fips_mode_on"], false);
    assert_eq!(
        node["summary"],
        "Node reads the `nodejs_conf` section of /etc/ssl/openssl.cnf, which does not activate the FIPS provider that `openssl_conf` activates for other programs"
    );
    assert_eq!(
        node["remediation"],
        "add `nodejs_conf = openssl_init` to the default section of /etc/ssl/openssl.cnf, or set NODE_OPTIONS=--openssl-shared-config in the image"
    );
    assert_eq!(
        evidence_of(node, "node-config"),
        [
            "process.config: node_shared_openssl=true; Node reads the `nodejs_conf` section of openssl.cnf (NODE_OPENSSL_CONF_NAME=nodejs_conf)"
        ]
    );
    assert_eq!(
        node["uses"],
        serde_json::json!([
            LIBNODE,
            "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            "/usr/lib/x86_64-linux-gnu/libssl.so.3"
        ])
    );
    let lib = component(img, LIBNODE);
    assert_eq!(lib["used_by"], serde_json::json!([NODE]));
}

#[test]
fn node_options_shared_config_makes_node_validated() {
    let (code, doc) = scan_json(&oci("node-fips-shared-config"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        programs(img),
        vec![
            p(NODE, "validated", "openssl-fips-validated", true),
            p(
                "/usr/bin/openssl",
                "validated",
                "openssl-fips-validated",
                false
            ),
        ]
    );
    let node = component(img, NODE);
    assert_eq!(node["certificate"], "CMVP #4985");
    assert_eq!(
        evidence_of(node, "node-config"),
        [
            "process.config: node_shared_openssl=true; Node reads the `openssl_conf` section of openssl.cnf (NODE_OPTIONS --openssl-shared-config)"
        ]
    );
    assert_eq!(
        img["env"],
        serde_json::json!(["NODE_OPTIONS=--openssl-shared-config"])
    );
}
