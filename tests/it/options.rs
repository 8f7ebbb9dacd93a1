//! Options that change how the scan reads: bounds, signature data, colour.

use crate::common::*;

#[test]
fn file_over_the_read_bound_is_reported_not_ignored() {
    let (code, doc) = scan_json(&oci("go-fips-on"), &["--max-file-bytes", "1M"]);
    let img = image(&doc);
    assert_eq!(code, 0);
    // The only program could not be looked into: not "no-crypto".
    assert_eq!(verdict(img), ("ready-with-warnings", 95));
    assert_eq!(
        findings(img),
        vec![("file-too-large".to_string(), "/app/server".to_string())]
    );
    assert!(img["components"].as_array().unwrap().is_empty());
}

#[test]
fn signature_data_from_a_directory_drives_the_judgement() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo().join("signatures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            if path.ends_with("modules.toml") {
                // Pretend the Go module lost its certificate.
                text = text.replacen("validated = true", "validated = false", 1);
            }
            if path.ends_with("meta.toml") {
                text = "version = \"test-override\"\n".into();
            }
            std::fs::write(dir.path().join(path.file_name().unwrap()), text).unwrap();
        }
    }
    let (code, doc) = scan_json(
        &oci("go-fips-on"),
        &["--signatures", dir.path().to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert_eq!(doc["tool"]["signatures_version"], "test-override");
    let img = image(&doc);
    assert_eq!(
        programs(img),
        vec![p(
            "/app/server",
            "fips-capable",
            "go-fips-unvalidated",
            true
        )]
    );

    // Broken data is refused with the file and the reason.
    std::fs::write(dir.path().join("go.toml"), "[[marker]]\nid = 'x'\n").unwrap();
    let run = fipscan(&[
        "scan",
        &oci("go-fips-on"),
        "--signatures",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("go.toml") && run.stderr.contains("missing field"),
        "{}",
        run.stderr
    );
}

#[test]
fn colour_on_a_terminal_only_and_never_with_no_color() {
    // `script` gives the program a pseudo-terminal as stdout.
    let bin = env!("CARGO_BIN_EXE_fipscan");
    let cmd = format!("{bin} scan {}", oci("go-std"));
    let tty = |no_color: Option<&str>| {
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"]).env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        String::from_utf8_lossy(&c.output().expect("script (util-linux)").stdout).into_owned()
    };
    let coloured = tty(None);
    assert!(
        coloured.contains("\x1b[1;31mNOT-READY\x1b[0m"),
        "{coloured:?}"
    );
    let plain = tty(Some("1"));
    assert!(
        plain.contains("NOT-READY") && !plain.contains('\x1b'),
        "{plain:?}"
    );
}

/// `--as-of` takes a calendar day; anything else is a usage error naming it.
#[test]
fn as_of_must_be_a_calendar_day() {
    let run = fipscan(&["scan", "--as-of", "2026-13-01", &oci("go-boring")]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("invalid value '2026-13-01' for '--as-of <DATE>'"),
        "{}",
        run.stderr
    );
    // A day before the FIPS 140-2 sunset: BoringCrypto was validated.
    let run = fipscan(&["scan", "--as-of", "2026-09-20", &oci("go-boring")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("READY  score 100/100"),
        "{}",
        run.stdout
    );
}
