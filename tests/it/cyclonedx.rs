//! `--format cyclonedx`: every BOM is validated against the official
//! CycloneDX 1.6 JSON schema (with the SPDX and JSF schemas it references),
//! installed by `scripts/setup/cyclonedx.sh`; then its content is checked
//! value by value against the fixture images and their root filesystems.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{
    debian_base_purl, debian_base_version, debian_openssl_upstream, fipscan, fixtures, oci,
    regex_escape, repo,
};

const SCHEMA_BASE: &str = "http://cyclonedx.org/schema/";

fn schema_dir() -> PathBuf {
    repo().join("target/tools/cyclonedx/schema")
}

/// The official schema. Missing files fail the test: they are installed
/// by `scripts/setup/cyclonedx.sh` (which `scripts/test.sh` runs).
fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let read = |name: &str| -> Value {
            let path = schema_dir().join(name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "CycloneDX schema {} is missing ({e}): run `bash scripts/setup/cyclonedx.sh`",
                    path.display()
                )
            });
            serde_json::from_str(&text).expect("schema is JSON")
        };
        let bom = read("bom-1.6.SNAPSHOT.schema.json");
        assert_eq!(
            bom["$id"],
            "http://cyclonedx.org/schema/bom-1.6.schema.json"
        );
        let mut options = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true);
        // The bom schema's $refs name these files relative to its $id.
        for name in ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"] {
            let resource =
                jsonschema::Resource::from_contents(read(name)).expect("schema resource");
            options = options.with_resource(format!("{SCHEMA_BASE}{name}"), resource);
        }
        options.build(&bom).expect("CycloneDX 1.6 schema compiles")
    })
}

/// Every error of the document against the schema.
fn schema_errors(doc: &Value) -> Vec<String> {
    validator()
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// Checks what the schema cannot: unique bom-refs, and every dependency,
/// annotation subject and `provides` naming a component of the BOM.
fn check_refs(doc: &Value) {
    let mut refs = Vec::new();
    fn walk<'a>(c: &'a Value, refs: &mut Vec<&'a str>) {
        if let Some(r) = c["bom-ref"].as_str() {
            refs.push(r);
        }
        for n in c["components"].as_array().into_iter().flatten() {
            walk(n, refs);
        }
    }
    walk(&doc["metadata"]["component"], &mut refs);
    for c in doc["components"].as_array().unwrap() {
        walk(c, &mut refs);
    }
    let set: HashSet<&str> = refs.iter().copied().collect();
    assert_eq!(set.len(), refs.len(), "bom-refs are not unique");
    let deps = doc["dependencies"].as_array().unwrap();
    let dep_refs: HashSet<&str> = deps.iter().map(|d| d["ref"].as_str().unwrap()).collect();
    assert_eq!(dep_refs, set, "every component has one dependency entry");
    for d in deps {
        for key in ["dependsOn", "provides"] {
            for r in d[key].as_array().into_iter().flatten() {
                assert!(set.contains(r.as_str().unwrap()), "{key} names unknown {r}");
            }
        }
    }
    for a in doc["annotations"].as_array().into_iter().flatten() {
        for s in a["subjects"].as_array().unwrap() {
            assert!(
                set.contains(s.as_str().unwrap()),
                "annotation of unknown {s}"
            );
        }
    }
}

/// Scans with `--format cyclonedx`, validates, and returns the exit code,
/// the document and its text.
fn scan_cdx(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["scan", "--quiet", "--format", "cyclonedx"];
    all.extend_from_slice(args);
    let run = fipscan(&all);
    let doc: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", run.stdout, run.stderr));
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "not valid CycloneDX 1.6: {errors:#?}");
    check_refs(&doc);
    (run.code, doc, run.stdout)
}

fn component<'a>(list: &'a Value, bom_ref: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == bom_ref)
        .unwrap_or_else(|| panic!("no component {bom_ref}"))
}

fn property<'a>(c: &'a Value, name: &str) -> Vec<&'a str> {
    c["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .map(|p| p["value"].as_str().unwrap())
        .collect()
}

fn depends_on<'a>(doc: &'a Value, r: &str) -> (Vec<&'a str>, Vec<&'a str>) {
    let d = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == r)
        .unwrap_or_else(|| panic!("no dependency entry {r}"));
    let list = |k: &str| -> Vec<&str> {
        d[k].as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap())
            .collect()
    };
    (list("dependsOn"), list("provides"))
}

/// `sha256sum` of a file in the fixture's root filesystem copy.
fn sha256_of(image: &str, path: &str) -> String {
    let file = fixtures()
        .join("rootfs")
        .join(image)
        .join(path.trim_start_matches('/'));
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    hex::encode(Sha256::digest(&bytes))
}

fn sha256_hash(c: &Value) -> &str {
    let hashes = c["hashes"].as_array().expect("hashes");
    assert_eq!(hashes.len(), 1);
    assert_eq!(hashes[0]["alg"], "SHA-256");
    hashes[0]["content"].as_str().unwrap()
}

fn level(asset: &Value) -> &Value {
    &asset["cryptoProperties"]["algorithmProperties"]["certificationLevel"]
}

fn manifest_digest(name: &str) -> String {
    let run = fipscan(&["scan", "--quiet", "--format", "json", &oci(name)]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    doc["images"][0]["manifest_digest"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_schema_catches_what_is_not_cyclonedx() {
    // The validator must not accept anything: a wrong enum, a missing field.
    let mut bad = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [{"type": "cryptographic-asset", "name": "m",
            "cryptoProperties": {"assetType": "module"}}]});
    assert!(!schema_errors(&bad).is_empty());
    bad["components"][0]["cryptoProperties"]["assetType"] = json!("algorithm");
    assert!(schema_errors(&bad).is_empty());
    bad["components"][0]["cryptoProperties"]["algorithmProperties"] =
        json!({"certificationLevel": ["fips140-3"]});
    assert!(!schema_errors(&bad).is_empty());
    // The referenced SPDX schema is in force too.
    let licence = json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
        "components": [{"type": "library", "name": "x",
            "licenses": [{"license": {"id": "Not-An-SPDX-Id"}}]}]});
    assert!(!schema_errors(&licence).is_empty());
}

#[test]
fn go_fips_on_image_and_its_validated_go_module() {
    let (code, doc, _) = scan_cdx(&[&oci("go-fips-on")]);
    assert_eq!(code, 0);
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["version"], 1);
    let digest = manifest_digest("go-fips-on");
    let hex = digest.strip_prefix("sha256:").unwrap();
    let image = &doc["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "go-fips-on");
    assert_eq!(image["version"], digest.as_str());
    assert_eq!(
        image["purl"],
        format!("pkg:oci/go-fips-on@sha256%3A{hex}?arch=amd64")
    );
    assert_eq!(image["hashes"], json!([{"alg": "SHA-256", "content": hex}]));
    let tool = &doc["metadata"]["tools"]["components"][0];
    assert_eq!(tool["name"], "fipscan");
    assert_eq!(tool["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        property(tool, "fipscan:signatures_version"),
        [::fipscan::signatures::Signatures::embedded()
            .version
            .as_str()]
    );
    let meta = &doc["metadata"];
    assert_eq!(property(meta, "fipscan:verdict"), ["ready"]);
    assert_eq!(property(meta, "fipscan:score"), ["100"]);
    assert_eq!(property(meta, "fipscan:target"), ["generic"]);

    let comps = &doc["components"];
    assert_eq!(comps.as_array().unwrap().len(), 2);
    let server = component(comps, "file:/app/server");
    assert_eq!(server["type"], "application");
    assert_eq!(server["name"], "server");
    assert_eq!(sha256_hash(server), sha256_of("go-fips-on", "/app/server"));
    assert_eq!(property(server, "fipscan:status"), ["validated"]);
    assert_eq!(property(server, "fipscan:code"), ["go-fips-validated"]);
    assert_eq!(property(server, "fipscan:path"), ["/app/server"]);
    assert_eq!(property(server, "fipscan:fips_mode_on"), ["true"]);
    assert_eq!(property(server, "fipscan:certificate"), ["CMVP #5247"]);
    let occurrences = server["evidence"]["occurrences"].as_array().unwrap();
    assert_eq!(occurrences[0]["location"], "/app/server");
    assert!(
        occurrences
            .iter()
            .any(|o| o["additionalContext"] == "go-build-setting: GOFIPS140=v1.0.0-c2097c7c")
    );

    let asset_ref = "crypto:Go Cryptographic Module v1.0.0-c2097c7c";
    let asset = component(comps, asset_ref);
    assert_eq!(asset["type"], "cryptographic-asset");
    assert_eq!(asset["cryptoProperties"]["assetType"], "algorithm");
    assert_eq!(level(asset), &json!(["fips140-3-l1"]));
    assert_eq!(
        asset["cryptoProperties"]["algorithmProperties"]["implementationPlatform"],
        "x86_64"
    );
    assert_eq!(property(asset, "fipscan:certificate"), ["CMVP #5247"]);
    // The module is compiled into the program: it provides it.
    assert_eq!(
        depends_on(&doc, "file:/app/server"),
        (vec![], vec![asset_ref])
    );
    assert_eq!(depends_on(&doc, "image").0, ["file:/app/server"]);
    assert!(doc.get("annotations").is_none());

    // Same image, same tool: the same serial number.
    let (_, again, _) = scan_cdx(&[&oci("go-fips-on")]);
    assert_eq!(again["serialNumber"], doc["serialNumber"]);
    let serial = doc["serialNumber"].as_str().unwrap();
    assert!(serial.starts_with("urn:uuid:"), "{serial}");
    assert_eq!(&serial[23..24], "5", "a name-based (v5) UUID: {serial}");
}

#[test]
fn go_std_program_has_an_uncertified_module() {
    let (code, doc, _) = scan_cdx(&[&oci("go-std")]);
    assert_eq!(code, 1);
    let meta = &doc["metadata"];
    assert_eq!(property(meta, "fipscan:verdict"), ["not-ready"]);
    assert_eq!(property(meta, "fipscan:score"), ["40"]);
    let comps = &doc["components"];
    let server = component(comps, "file:/app/server");
    assert_eq!(property(server, "fipscan:status"), ["non-fips"]);
    assert_eq!(property(server, "fipscan:code"), ["go-standard-crypto"]);
    assert_eq!(property(server, "fipscan:fips_mode_on"), ["false"]);
    assert_eq!(sha256_hash(server), sha256_of("go-std", "/app/server"));
    let asset = component(comps, "crypto:Go standard library crypto");
    assert_eq!(level(asset), &json!(["none"]));
    assert!(asset.get("externalReferences").is_none());
    let serial_on = scan_cdx(&[&oci("go-fips-on")]).1["serialNumber"].clone();
    assert_ne!(doc["serialNumber"], serial_on);
}

#[test]
fn openssl_fips_provider_is_a_fips_140_3_asset_with_its_certificate() {
    let (code, doc, _) = scan_cdx(&[&oci("openssl-fips-active")]);
    assert_eq!(code, 0);
    let comps = &doc["components"];
    let assets: Vec<&Value> = comps
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "cryptographic-asset")
        .collect();
    let names: Vec<&str> = assets.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "OpenSSL FIPS Provider 3.1.2".to_string(),
            format!(
                "OpenSSL {} (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)",
                debian_openssl_upstream()
            )
        ]
    );
    let fips = assets[0];
    assert_eq!(fips["bom-ref"], "crypto:OpenSSL FIPS Provider 3.1.2");
    assert_eq!(level(fips), &json!(["fips140-3-l1"]));
    assert_eq!(property(fips, "fipscan:certificate"), ["CMVP #4985"]);
    assert_eq!(
        property(fips, "fipscan:signature_id"),
        ["openssl-fips-3.1.2"]
    );
    assert_eq!(
        fips["externalReferences"],
        json!([{"type": "certification-report",
            "url": "https://csrc.nist.gov/projects/cryptographic-module-validation-program/certificate/4985",
            "comment": "CMVP #4985"}])
    );
    assert_eq!(level(assets[1]), &json!(["none"]));

    // The program loads libssl and libcrypto, and uses the FIPS provider.
    assert_eq!(
        depends_on(&doc, "file:/opt/openssl/bin/openssl"),
        (
            vec![
                "file:/opt/openssl/lib/libssl.so.3",
                "file:/opt/openssl/lib/libcrypto.so.3",
                "file:/opt/openssl/lib/ossl-modules/fips.so",
                "crypto:OpenSSL FIPS Provider 3.1.2"
            ],
            vec![]
        )
    );
    // fips.so is the module.
    assert_eq!(
        depends_on(&doc, "file:/opt/openssl/lib/ossl-modules/fips.so"),
        (vec![], vec!["crypto:OpenSSL FIPS Provider 3.1.2"])
    );
    // A libcrypto without a provider is its own (uncertified) module.
    assert_eq!(
        depends_on(&doc, "file:/usr/lib/x86_64-linux-gnu/libcrypto.so.3"),
        (
            vec![],
            vec![
                format!(
                    "crypto:OpenSSL {} (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)",
                    debian_openssl_upstream()
                )
                .as_str()
            ]
        )
    );
    for path in [
        "/opt/openssl/bin/openssl",
        "/opt/openssl/lib/libcrypto.so.3",
        "/opt/openssl/lib/ossl-modules/fips.so",
    ] {
        let c = component(comps, &format!("file:{path}"));
        assert_eq!(
            sha256_hash(c),
            sha256_of("openssl-fips-active", path),
            "{path}"
        );
    }
    let provider = component(comps, "file:/opt/openssl/lib/ossl-modules/fips.so");
    assert_eq!(provider["version"], "3.1.2");
    assert_eq!(provider["purl"], "pkg:generic/fips.so@3.1.2");
    assert_eq!(
        provider["evidence"]["identity"],
        json!([{"field": "version", "confidence": 1.0, "concludedValue": "3.1.2",
            "methods": [{"technique": "binary-analysis", "confidence": 1.0,
                "value": "OpenSSL FIPS Provider 3.1.2"}]}])
    );
    let libcrypto = component(comps, "file:/opt/openssl/lib/libcrypto.so.3");
    assert_eq!(libcrypto["version"], "3.1.2");
    assert_eq!(libcrypto["type"], "library");
    let openssl = component(comps, "file:/opt/openssl/bin/openssl");
    assert!(openssl.get("version").is_none());
    assert_eq!(property(openssl, "fipscan:entrypoint"), ["true"]);
}

#[test]
fn debian_packages_own_the_openssl_files() {
    let (code, doc, _) = scan_cdx(&[&oci("debian-openssl")]);
    assert_eq!(code, 1);
    let comps = doc["components"].as_array().unwrap();
    let packages: Vec<(&str, &str, &str, &str)> = comps
        .iter()
        .filter(|c| {
            c["type"] == "library"
                && c.get("purl")
                    .is_some_and(|p| p.as_str().unwrap().starts_with("pkg:deb/"))
        })
        .map(|c| {
            (
                c["bom-ref"].as_str().unwrap(),
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap(),
                c["purl"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, &str, String, String)> = ["libc6", "libssl3", "openssl"]
        .iter()
        .map(|p| {
            (
                debian_base_purl(p),
                *p,
                debian_base_version(p),
                debian_base_purl(p),
            )
        })
        .collect();
    let expected: Vec<(&str, &str, &str, &str)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), *b, c.as_str(), d.as_str()))
        .collect();
    assert_eq!(packages, expected);
    let os = component(&doc["components"], "os:debian@12");
    assert_eq!(os["type"], "operating-system");
    assert_eq!(os["name"], "debian");
    assert_eq!(os["version"], "12");
    assert_eq!(os["description"], "Debian GNU/Linux 12 (bookworm)");
    assert_eq!(depends_on(&doc, "os:debian@12").0.len(), 3);

    let openssl_pkg = debian_base_purl("openssl");
    let openssl_pkg = openssl_pkg.as_str();
    let libssl3 = debian_base_purl("libssl3");
    let libssl3 = libssl3.as_str();
    let module = format!(
        "crypto:OpenSSL {} (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)",
        debian_openssl_upstream()
    );
    let module = module.as_str();
    assert_eq!(
        depends_on(&doc, "file:/usr/bin/openssl"),
        (
            vec![
                "file:/usr/lib/x86_64-linux-gnu/libssl.so.3",
                "file:/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
                module,
                openssl_pkg
            ],
            vec![]
        )
    );
    assert_eq!(
        depends_on(&doc, "file:/usr/lib/x86_64-linux-gnu/libcrypto.so.3"),
        (vec![libssl3], vec![module])
    );
    // Files a package owns are identified by the package's purl, not their own.
    let bin = component(&doc["components"], "file:/usr/bin/openssl");
    assert!(bin.get("purl").is_none());
    assert_eq!(
        sha256_hash(bin),
        sha256_of("debian-openssl", "/usr/bin/openssl")
    );
    let lib = component(
        &doc["components"],
        "file:/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
    );
    assert_eq!(lib["version"], debian_openssl_upstream().as_str());
    assert!(lib.get("purl").is_none());
    assert_eq!(
        sha256_hash(lib),
        sha256_of("debian-openssl", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3")
    );
    assert_eq!(
        level(component(&doc["components"], module)),
        &json!(["none"])
    );
}

#[test]
fn bcprov_jars_are_maven_components() {
    let (_, doc, _) = scan_cdx(&[&oci("java-bcprov")]);
    let comps = &doc["components"];
    let nested = component(comps, "file:/app/app-boot.jar!/BOOT-INF/lib/bcprov.jar");
    assert_eq!(nested["name"], "bcprov.jar");
    assert_eq!(nested["type"], "library");
    assert_eq!(nested["version"], "1.72.0");
    assert_eq!(
        nested["purl"],
        "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.72"
    );
    let jar = component(comps, "file:/usr/share/java/bcprov-1.72.jar");
    assert_eq!(
        jar["purl"],
        "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.72"
    );
    assert_eq!(
        sha256_hash(jar),
        sha256_of("java-bcprov", "/usr/share/java/bcprov-1.72.jar")
    );
    assert_eq!(property(jar, "fipscan:code"), ["java-bcprov"]);
    let jvm = component(comps, "file:/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
    assert_eq!(jvm["type"], "platform");
    assert_eq!(property(jvm, "fipscan:status"), ["non-fips"]);
    let asset = component(comps, "crypto:Bouncy Castle (bcprov) 1.72.0");
    assert_eq!(level(asset), &json!(["none"]));
    assert_eq!(
        depends_on(&doc, "file:/usr/share/java/bcprov-1.72.jar"),
        (vec![], vec!["crypto:Bouncy Castle (bcprov) 1.72.0"])
    );
}

#[test]
fn bc_fips_jar_is_a_certified_asset() {
    let (_, doc, _) = scan_cdx(&[&oci("java-bcfips")]);
    let comps = &doc["components"];
    let jar = component(comps, "file:/app/lib/bc-fips-2.1.0.jar");
    assert_eq!(jar["purl"], "pkg:maven/org.bouncycastle/bc-fips@2.1.0");
    let asset = component(comps, "crypto:Bouncy Castle FIPS (bc-fips) 2.1.0");
    assert_eq!(level(asset), &json!(["fips140-3-l1"]));
    assert_eq!(property(asset, "fipscan:certificate"), ["CMVP #4943"]);
}

#[test]
fn rust_ring_program_provides_its_own_crypto() {
    let (code, doc, _) = scan_cdx(&[&oci("rust-ring")]);
    assert_eq!(code, 1);
    let comps = &doc["components"];
    let server = component(comps, "file:/app/server");
    assert_eq!(server["type"], "application");
    assert_eq!(property(server, "fipscan:code"), ["rust-non-fips"]);
    assert_eq!(sha256_hash(server), sha256_of("rust-ring", "/app/server"));
    assert_eq!(level(component(comps, "crypto:ring")), &json!(["none"]));
    assert_eq!(
        depends_on(&doc, "file:/app/server"),
        (vec![], vec!["crypto:ring"])
    );
}

#[test]
fn several_images_are_one_bom_of_nested_containers() {
    let (code, doc, _) = scan_cdx(&[&oci("go-fips-on"), &oci("go-std")]);
    assert_eq!(code, 1);
    let set = &doc["metadata"]["component"];
    assert_eq!(set["type"], "application");
    assert_eq!(set["bom-ref"], "images");
    assert_eq!(property(&doc["metadata"], "fipscan:images"), ["2"]);
    assert!(property(&doc["metadata"], "fipscan:verdict").is_empty());
    let top = doc["components"].as_array().unwrap();
    let names: Vec<(&str, &str)> = top
        .iter()
        .map(|c| (c["bom-ref"].as_str().unwrap(), c["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("image-1/image", "go-fips-on"), ("image-2/image", "go-std")]
    );
    assert_eq!(property(&top[0], "fipscan:verdict"), ["ready"]);
    assert_eq!(property(&top[1], "fipscan:verdict"), ["not-ready"]);
    assert_eq!(property(&top[1], "fipscan:score"), ["40"]);
    let digest = manifest_digest("go-std");
    assert_eq!(top[1]["version"], digest.as_str());
    let inner = component(&top[1]["components"], "image-2/file:/app/server");
    assert_eq!(sha256_hash(inner), sha256_of("go-std", "/app/server"));
    assert_eq!(
        depends_on(&doc, "images").0,
        ["image-1/image", "image-2/image"]
    );
    assert_eq!(
        depends_on(&doc, "image-2/file:/app/server").1,
        ["image-2/crypto:Go standard library crypto"]
    );

    // One multi-platform index, every platform: two images, told apart by arch.
    let (_, doc, _) = scan_cdx(&["--all-platforms", &oci("multi")]);
    let purls: Vec<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    assert_eq!(purls.len(), 2);
    assert!(purls[0].starts_with("pkg:oci/multi@sha256%3A") && purls[0].ends_with("?arch=amd64"));
    assert!(purls[1].ends_with("?arch=arm64"), "{}", purls[1]);
    let arm_asset = component(
        &doc["components"][1]["components"],
        "image-2/crypto:Go Cryptographic Module v1.0.0-c2097c7c",
    );
    assert_eq!(
        arm_asset["cryptoProperties"]["algorithmProperties"]["implementationPlatform"],
        "armv8-a"
    );
}

#[test]
fn waivers_show_on_the_component_and_findings_become_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        r#"
[[waiver]]
code = "go-standard-crypto"
path = "/app/server"
reason = "hashes cache keys only (SEC-1)"
expires = "2099-12-31"

[[waiver]]
code = "openssl-static"
reason = "not in this image"
expires = "2099-12-31"
"#,
    )
    .unwrap();
    let (code, doc, _) = scan_cdx(&["--policy", policy.to_str().unwrap(), &oci("go-std")]);
    assert_eq!(code, 0);
    let server = component(&doc["components"], "file:/app/server");
    assert_eq!(
        property(server, "fipscan:waiver"),
        ["hashes cache keys only (SEC-1) (expires 2099-12-31)"]
    );
    assert_eq!(property(server, "fipscan:waiver_expires"), ["2099-12-31"]);
    let meta = &doc["metadata"];
    assert_eq!(property(meta, "fipscan:policy"), [policy.to_str().unwrap()]);
    let annotations = doc["annotations"].as_array().unwrap();
    assert_eq!(annotations.len(), 1);
    assert_eq!(annotations[0]["subjects"], json!(["image"]));
    assert_eq!(annotations[0]["annotator"]["component"]["name"], "fipscan");
    assert_eq!(annotations[0]["timestamp"], meta["timestamp"]);
    let text = annotations[0]["text"].as_str().unwrap();
    assert!(text.starts_with("info policy-waiver-unused: "), "{text}");
}

#[test]
fn snapshot_go_fips_on() {
    let (_, _, text) = scan_cdx(&[&oci("go-fips-on")]);
    snapshot("cyclonedx_go_fips_on", &text);
}

/// Debian's security updates change the base packages' versions, the
/// files' hashes and so every digest: those are filtered here (the exact
/// values are checked against work/debs.txt in the tests above).
#[test]
fn snapshot_debian_openssl() {
    let (_, _, text) = scan_cdx(&[&oci("debian-openssl")]);
    let mut text = text;
    for p in ["libc6", "libssl3", "openssl"] {
        let v = debian_base_version(p);
        text = text
            .replace(&v.replace('+', "%2B"), &format!("[{p}-version]"))
            .replace(&v, &format!("[{p}-version]"));
    }
    let upstream = debian_openssl_upstream();
    text = text.replace(&format!("OpenSSL {upstream}"), "OpenSSL [openssl-upstream]");
    text = text.replace(&format!("\"{upstream}\""), "\"[openssl-upstream]\"");
    let hex = regex_lite_hex(&text);
    snapshot("cyclonedx_debian_openssl", &hex);
}

/// Every 64-hex-digit run (SHA-256 of Debian files, blobs, manifests) as
/// `[sha256]`.
fn regex_lite_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() == 64 { "[sha256]" } else { &run });
        run.clear();
        out.push(c);
    }
    out.push_str(if run.len() == 64 { "[sha256]" } else { &run });
    out
}

fn snapshot(name: &str, text: &str) {
    let fixtures = fixtures().display().to_string();
    let sig_version = ::fipscan::signatures::Signatures::embedded()
        .version
        .clone();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("tests/it/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(&fixtures), "[fixtures]");
    settings.add_filter(
        r#""timestamp": "[0-9T:-]+Z""#,
        r#""timestamp": "[timestamp]""#,
    );
    settings.add_filter(
        r#""serialNumber": "urn:uuid:[0-9a-f-]+""#,
        r#""serialNumber": "[serial]""#,
    );
    settings.add_filter(&regex_escape(&sig_version), "[signatures-version]");
    settings.add_filter(
        &format!(
            r#""version": "{}""#,
            regex_escape(env!("CARGO_PKG_VERSION"))
        ),
        r#""version": "[version]""#,
    );
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn the_image_is_named_from_how_it_was_referenced() {
    let f = fixtures();
    let digest = manifest_digest("go-fips-on");
    let hex = digest.strip_prefix("sha256:").unwrap();
    let archive = f.join("docker").join("go-fips-on.tar");
    let rootfs = f.join("rootfs").join("go-fips-on");
    let cases = [
        (
            format!("{}:latest", oci("go-fips-on")),
            json!("go-fips-on"),
            json!("latest"),
            json!(format!(
                "pkg:oci/go-fips-on@sha256%3A{hex}?arch=amd64&tag=latest"
            )),
        ),
        (
            format!(
                "docker-archive:{}:fixtures/go-fips-on:latest",
                archive.display()
            ),
            json!("fixtures/go-fips-on"),
            json!("latest"),
            // `docker save` archives carry no manifest, so no digest to name.
            Value::Null,
        ),
        (
            format!("dir:{}", rootfs.display()),
            json!("go-fips-on"),
            Value::Null,
            Value::Null,
        ),
    ];
    for (reference, name, version, purl) in cases {
        let (_, doc, _) = scan_cdx(&[&reference]);
        let image = &doc["metadata"]["component"];
        assert_eq!(image["name"], name, "{reference}");
        assert_eq!(image["version"], version, "{reference}");
        assert_eq!(image["purl"], purl, "{reference}");
        if purl.is_null() {
            assert!(image.get("hashes").is_none(), "{reference}");
        } else {
            assert_eq!(image["hashes"][0]["content"], hex, "{reference}");
        }
        // The same program, whatever the source.
        assert_eq!(
            sha256_hash(component(&doc["components"], "file:/app/server")),
            sha256_of("go-fips-on", "/app/server")
        );
    }
}

/// Every fixture image gives a valid BOM with one component per report
/// component, one asset per distinct module, one per package and the OS.
#[test]
fn every_fixture_image_gives_a_valid_bom_that_matches_its_report() {
    for name in [
        "go-boring",
        "go-fips-off",
        "go-nocrypto",
        "openssl-fips-inactive",
        "python-crypto",
        "rpm-openssl",
        "rust-awslc-fips",
        "native-openssl",
        "hostile",
        "damaged-truncated",
        "native-crypto",
        "node-fips-conf",
        "java-redhat-nss",
        "apk-openssl",
        "rpm-bdb-openssl",
        "rpm-ndb-openssl",
    ] {
        let run = fipscan(&["scan", "--quiet", "--format", "json", &oci(name)]);
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        let img = &report["images"][0];
        let (code, doc, _) = scan_cdx(&[&oci(name)]);
        assert_eq!(code, run.code, "{name}");
        let comps = doc["components"].as_array().unwrap();
        let count = |t: &str| comps.iter().filter(|c| c["type"] == t).count();
        let report_components = img["components"].as_array().unwrap();
        let files = report_components.len();
        let mut modules: Vec<&str> = report_components
            .iter()
            .filter_map(|c| c["module"].as_str())
            .collect();
        modules.sort_unstable();
        modules.dedup();
        let packages = img["packages"].as_array().map_or(0, Vec::len);
        assert_eq!(count("cryptographic-asset"), modules.len(), "{name}");
        assert_eq!(
            comps.len(),
            files + modules.len() + packages + usize::from(img.get("os").is_some()),
            "{name}"
        );
        assert_eq!(
            property(&doc["metadata"], "fipscan:verdict"),
            [img["verdict"].as_str().unwrap()],
            "{name}"
        );
        let findings = img["findings"].as_array().unwrap().len();
        assert_eq!(
            doc["annotations"].as_array().map_or(0, Vec::len),
            findings,
            "{name}"
        );
    }
}
