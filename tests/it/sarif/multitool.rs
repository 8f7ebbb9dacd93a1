//! Microsoft's SARIF Multitool, installed by scripts/setup/sarif.sh (the
//! npm package @microsoft/sarif-multitool-linux), and the official SARIF
//! 2.1.0 schema that ships in the same package.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::repo;

/// The multitool binary; the setup script is idempotent and returns at once
/// when the pinned version is installed.
fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let out = Command::new("bash")
            .arg(repo().join("scripts/setup/sarif.sh"))
            .output()
            .expect("run scripts/setup/sarif.sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "scripts/setup/sarif.sh failed; the SARIF tests need the multitool:\n{}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
        let bin = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
        assert!(
            bin.is_file(),
            "scripts/setup/sarif.sh printed {bin:?}, which is not the multitool binary"
        );
        bin
    })
}

/// The schema from the package, compiled once.
fn schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let path = binary().with_file_name("sarif-2.1.0.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
    })
}

/// Validates SARIF documents (name, text) with `sarif-multitool validate`,
/// with the SARIF and GitHub Advanced Security rule sets, and against the
/// official schema; fails on any error or warning either reports.
pub fn validate(docs: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, text) in docs {
        // The multitool stops at the first enum value it cannot read and then
        // reports nothing; the schema check catches what it would miss.
        let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let errors: Vec<String> = schema()
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{name} breaks sarif-2.1.0.json: {errors:#?}"
        );
        let file = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    let log = dir.path().join("validation.sarif");
    let out = Command::new(binary())
        .arg("validate")
        .args(&files)
        .args(["--rule-kind", "Sarif;Ghas", "--level", "Error;Warning"])
        .arg("--output")
        .arg(&log)
        // A .NET program: without ICU it needs invariant globalization.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("run sarif-multitool");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "sarif-multitool failed:\n{stdout}{stderr}"
    );
    // Each problem is a line `FILE(LINE[,COL]): error|warning RULE: text`.
    let problems: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("): error ") || l.contains("): warning "))
        .collect();
    assert!(problems.is_empty(), "sarif-multitool: {problems:#?}");
    assert!(
        stdout.contains(&format!("Done. {} files scanned.", files.len()))
            && stdout.contains("Analysis completed successfully."),
        "sarif-multitool did not validate every file:\n{stdout}{stderr}"
    );
    // The log it writes lists the same problems as results.
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    assert_eq!(
        log["runs"][0]["results"],
        Value::Array(Vec::new()),
        "{log:#}"
    );
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"], true,
        "{log:#}"
    );
}
