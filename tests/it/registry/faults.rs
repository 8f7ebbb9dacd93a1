//! A proxy between fipscan and the registry injects faults: the scan must
//! get through a blob cut in the middle, a 503 and a 429 (waiting as long
//! as Retry-After says), and fail clearly when the faults do not stop.

use std::time::Duration;

use super::harness::{Config, Home, Registry, essence, oci_essence};
use super::proxy::{Faults, Proxy};
use crate::common::{image, oci, scan_json};

fn layer_digest(fixture: &str) -> String {
    let (_, doc) = scan_json(&oci(fixture), &[]);
    image(&doc)["layers"][0]["id"].as_str().unwrap().to_string()
}

#[test]
fn retries_get_through_a_cut_blob_a_503_and_a_429() {
    let reg = Registry::start(Config::default());
    reg.push("go-fips-on", "flaky/app:1");
    let proxy = Proxy::start(reg.port, Faults::Once);
    let home = Home::new();
    let r = format!("{}/flaky/app:1", proxy.host());
    // A short backoff, so a wait of a second can only be Retry-After's.
    let (run, doc) = home.json(&[&r, "--retry-delay", "50ms"], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(essence(image(&doc)), oci_essence("go-fips-on", &[]));
    assert_eq!(run.stderr, "");

    let log = proxy.log();
    let answers: Vec<&str> = log.iter().map(|e| e.answer.as_str()).collect();
    for fault in ["503", "429", "cut"] {
        assert_eq!(
            answers.iter().filter(|a| **a == fault).count(),
            1,
            "{fault} once: {log:#?}"
        );
    }
    // The 429 said Retry-After: 1, and the same request came back no sooner.
    let i429 = log.iter().position(|e| e.answer == "429").unwrap();
    let retry = log
        .iter()
        .skip(i429 + 1)
        .find(|e| e.path == log[i429].path)
        .expect("the 429'd request is retried");
    assert!(
        retry.at.duration_since(log[i429].at) >= Duration::from_millis(950),
        "{log:#?}"
    );
    // The cut layer is resumed where it broke, not fetched again whole.
    let layer = layer_digest("go-fips-on");
    let layer_gets: Vec<_> = log
        .iter()
        .filter(|e| e.path.ends_with(&format!("/blobs/{layer}")))
        .collect();
    assert_eq!(layer_gets.len(), 2, "{log:#?}");
    assert_eq!(layer_gets[0].answer, "cut");
    assert!(layer_gets[0].range.is_none());
    let resumed = layer_gets[1].range.as_deref().unwrap_or_default();
    assert!(
        resumed.starts_with("bytes=") && resumed != "bytes=0-",
        "{resumed}"
    );
}

#[test]
fn persistent_faults_fail_with_a_clear_error() {
    let reg = Registry::start(Config::default());
    reg.push("go-fips-on", "broken/app:1");
    let home = Home::new();
    let fast = ["--retries", "2", "--retry-delay", "20ms"];

    // Every range of the layer is cut: the layer fails, named with the
    // blob and the reference, after the bounded attempts.
    let proxy = Proxy::start(reg.port, Faults::CutAlways);
    let r = format!("{}/broken/app:1", proxy.host());
    let (run, doc) = home.json(&[&[r.as_str()][..], &fast].concat(), &[], None);
    assert_eq!(run.code, 2);
    let img = image(&doc);
    assert_eq!(img["layers"][0]["status"], "failed");
    let layer = layer_digest("go-fips-on");
    assert!(
        run.stderr.contains(&format!("{r} blob {layer}"))
            && run.stderr.contains("connection lost after")
            && run.stderr.contains("gave up after 3 attempts"),
        "{}",
        run.stderr
    );
    drop(proxy);

    // A registry that keeps answering 503.
    let proxy = Proxy::start(reg.port, Faults::ManifestStatus(503));
    let r = format!("{}/broken/app:1", proxy.host());
    let run = home.fipscan(&[&["scan", r.as_str()][..], &fast].concat(), &[], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "{r}: registry answered HTTP 503: Service Unavailable; gave up after 3 attempts"
        )),
        "{}",
        run.stderr
    );
    let manifest_gets = proxy
        .log()
        .iter()
        .filter(|e| e.path.contains("/manifests/"))
        .count();
    assert_eq!(manifest_gets, 3);
}

#[test]
fn an_unreachable_registry_is_a_network_error_naming_the_reference() {
    // A port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = Home::new();
    let r = format!("127.0.0.1:{port}/gone/app:1");
    let run = home.fipscan(
        &["scan", &r, "--retries", "1", "--retry-delay", "10ms"],
        &[],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("{r}: cannot reach 127.0.0.1:{port}"))
            && run.stderr.contains("Connection refused")
            && run.stderr.contains("gave up after 2 attempts"),
        "{}",
        run.stderr
    );
}
