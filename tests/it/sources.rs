//! The same image must give the same result from every source.

use serde_json::Value;

use crate::common::*;

/// What must not depend on the source: verdict and the judged components.
fn essence(img: &Value, with_config: bool) -> Value {
    let mut comps: Vec<Value> = img["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            serde_json::json!({
                "path": c["path"], "status": c["status"], "code": c["code"], "module": c["module"],
                "entrypoint": if with_config { c["entrypoint"].clone() } else { Value::Null },
            })
        })
        .collect();
    if !with_config {
        // Without a config nothing is the entrypoint, which changes the order.
        comps.sort_by_key(|c| c["path"].as_str().unwrap_or("").to_string());
    }
    serde_json::json!({
        "verdict": img["verdict"],
        "score": if with_config { img["score"].clone() } else { Value::Null },
        "components": comps,
    })
}

const IMAGES: &[&str] = &[
    "go-boring",
    "go-boring-stripped",
    "go-fips-on",
    "go-fips-off",
    "go-fips-latest",
    "go-std",
    "go-nocrypto",
    "whiteout",
    "opaque",
    "debian-openssl",
    "native-openssl",
    "hostile",
];

#[test]
fn every_source_agrees() {
    let f = fixtures();
    for name in IMAGES {
        let (_, from_oci) = scan_json(&oci(name), &[]);
        let reference = essence(image(&from_oci), true);
        for (label, r) in [
            (
                "docker-archive classic",
                format!(
                    "docker-archive:{}",
                    f.join("docker").join(format!("{name}.tar")).display()
                ),
            ),
            (
                "docker-archive oci",
                format!(
                    "docker-archive:{}",
                    f.join("docker-oci").join(format!("{name}.tar")).display()
                ),
            ),
            (
                "docker-archive by tag",
                format!(
                    "docker-archive:{}:fixtures/{name}:latest",
                    f.join("docker").join(format!("{name}.tar")).display()
                ),
            ),
            ("oci by tag", format!("{}:latest", oci(name))),
        ] {
            let (_, doc) = scan_json(&r, &[]);
            assert_eq!(essence(image(&doc), true), reference, "{name} from {label}");
        }
        // A rootfs folder has no config (no entrypoint, no Env), so only
        // what does not depend on the config is compared.
        let (_, doc) = scan_json(
            &format!("dir:{}", f.join("rootfs").join(name).display()),
            &[],
        );
        let img = image(&doc);
        assert_eq!(
            essence(img, false),
            essence(image(&from_oci), false),
            "{name} from rootfs"
        );
        assert_eq!(img["source"], "dir");
    }
}

#[test]
fn selection_by_digest_and_unknown_tag() {
    let (_, doc) = scan_json(&oci("go-fips-on"), &[]);
    let digest = image(&doc)["manifest_digest"].as_str().unwrap().to_string();
    let (code, doc) = scan_json(&format!("{}@{digest}", oci("go-fips-on")), &[]);
    assert_eq!(code, 0);
    assert_eq!(image(&doc)["manifest_digest"], digest.as_str());

    let run = fipscan(&["scan", &format!("{}:nope", oci("go-fips-on"))]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no image tagged \"nope\" (tags present: latest)"),
        "{}",
        run.stderr
    );
    let run = fipscan(&["scan", "oci:/nonexistent/layout"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("/nonexistent/layout/index.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn text_report_reads_well() {
    let run = fipscan(&["scan", &oci("go-fips-off")]);
    assert_eq!(run.code, 1);
    assert!(
        !run.stdout.contains('\x1b'),
        "no colour when NO_COLOR is set / not a TTY"
    );
    for needle in [
        "Verdict  NOT-READY  score 40/100",
        "fips-capable   /app/server [entrypoint]",
        "fix: set GODEBUG=fips140=on in the image Env",
        "go-build-setting: GOFIPS140=v1.0.0-c2097c7c",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stdout
        );
    }
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("r.json");
    let run = fipscan(&[
        "scan",
        &oci("go-fips-on"),
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.is_empty());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(doc["images"][0]["verdict"], "ready");
}
