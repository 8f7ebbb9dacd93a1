//! `fipscan gate`: reads Kubernetes manifests, finds the workloads whose
//! pods are scheduled on FIPS nodes, scans every image they run (each
//! distinct reference once, through the same pipeline as `fipscan scan`)
//! and fails when one is not ready. `--suggest` goes the other way: for a
//! workload not yet on FIPS nodes whose images are all ready, the patch
//! that moves it there.

pub mod manifest;
pub mod render;
pub mod suggest;
pub mod workload;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::app::{self, ScanOptions};
use crate::cli::FailOn;
use crate::finding::Code;
use crate::report::{ImageReport, Report};
use crate::score::Verdict;
use manifest::{Loaded, ManifestError, Origin};
use suggest::Suggestion;
use workload::{Classified, Role, Skipped, Workload};

/// A node label that marks FIPS nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selector {
    pub key: String,
    pub value: String,
}

impl Selector {
    /// What AKS puts on the nodes of a FIPS-enabled node pool.
    pub fn default_fips() -> Selector {
        Selector {
            key: "kubernetes.azure.com/fips_enabled".into(),
            value: "true".into(),
        }
    }

    /// `key=value`, both valid Kubernetes label syntax (so they never need
    /// quoting in a patch or on a command line).
    pub fn parse(s: &str) -> Result<Selector, String> {
        let (key, value) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?} is not KEY=VALUE"))?;
        let (prefix, name) = match key.rsplit_once('/') {
            Some((p, n)) => (Some(p), n),
            None => (None, key),
        };
        let prefix_ok = prefix.is_none_or(|p| {
            !p.is_empty()
                && p.len() <= 253
                && p.split('.').all(|part| {
                    !part.is_empty()
                        && part
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                        && !part.starts_with('-')
                        && !part.ends_with('-')
                })
        });
        if !prefix_ok || !label_part(name, false) {
            return Err(format!(
                "{key:?} is not a label key ([prefix/]name: a DNS subdomain, then up to 63 letters, digits, '-', '_' or '.')"
            ));
        }
        if !label_part(value, true) {
            return Err(format!(
                "{value:?} is not a label value (up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)"
            ));
        }
        Ok(Selector {
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

/// A label name or value: up to 63 of `[A-Za-z0-9._-]`, alphanumeric at
/// both ends (a value may be empty).
fn label_part(s: &str, may_be_empty: bool) -> bool {
    if s.is_empty() {
        return may_be_empty;
    }
    let b = s.as_bytes();
    s.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// The gate rule `fipscan scan` and `fipscan gate` share: the verdict
/// against `--fail-on`, and the policy's minimum score (a waived finding
/// never fails an image).
pub fn image_fails(fail_on: FailOn, image: &ImageReport) -> bool {
    verdict_fails(fail_on, image.verdict) || below_min_score(image)
}

fn verdict_fails(fail_on: FailOn, v: Verdict) -> bool {
    match fail_on {
        FailOn::NotReady => v == Verdict::NotReady,
        FailOn::Warnings => matches!(v, Verdict::NotReady | Verdict::ReadyWithWarnings),
        FailOn::Never => false,
    }
}

fn below_min_score(image: &ImageReport) -> bool {
    image
        .findings
        .iter()
        .any(|f| f.code == Code::PolicyMinScore && f.waiver.is_none())
}

pub fn fail_on_name(f: FailOn) -> &'static str {
    match f {
        FailOn::NotReady => "not-ready",
        FailOn::Warnings => "warnings",
        FailOn::Never => "never",
    }
}

#[derive(Debug, Clone)]
pub struct GateOptions {
    /// Labels that mark FIPS nodes; a pod template targets them when it
    /// requires any one.
    pub selectors: Vec<Selector>,
    pub fail_on: FailOn,
    /// Also scan the images of workloads not on FIPS nodes, and suggest
    /// the patch for those whose images are all ready.
    pub suggest: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Fail,
    /// Could not be read, or only partly.
    Error,
    /// Scanned for `--suggest`; its workload is not on FIPS nodes.
    NotGated,
    /// Not on FIPS nodes and no `--suggest`: not scanned.
    NotScanned,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContainerResult {
    pub name: String,
    pub role: Role,
    pub image: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// Why it fails, or why it could not be judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadResult {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub origin: Origin,
    /// How it asks for FIPS nodes (`nodeSelector key=value`), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fips_nodes: Option<String>,
    pub containers: Vec<ContainerResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

impl WorkloadResult {
    pub fn title(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// One image that fails the gate, as CI logs name it.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub workload: String,
    pub container: String,
    pub role: Role,
    pub image: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestProblem {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateResult {
    Pass,
    Fail,
    Error,
}

/// Counts of the distinct images of the workloads on FIPS nodes.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub workloads: usize,
    pub images: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    pub result: GateResult,
    pub selectors: Vec<Selector>,
    pub fail_on: &'static str,
    pub counts: Counts,
    pub workloads: Vec<WorkloadResult>,
    pub failures: Vec<Failure>,
    pub skipped: Vec<Skipped>,
    pub manifest_errors: Vec<ManifestProblem>,
    /// The full report of every image scanned (as `fipscan scan --format json`).
    pub scan: Report,
}

impl GateReport {
    /// 0 pass, 1 an image fails, 2 something could not be read.
    pub fn exit_code(&self) -> u8 {
        match self.result {
            GateResult::Pass => 0,
            GateResult::Fail => 1,
            GateResult::Error => 2,
        }
    }
}

/// The workloads, skipped objects and manifest errors of what was loaded.
pub fn classify_all(
    loaded: Loaded,
    selectors: &[Selector],
) -> (Vec<Workload>, Vec<Skipped>, Vec<ManifestError>) {
    let mut workloads = Vec::new();
    let mut skipped = Vec::new();
    let mut errors = loaded.errors;
    for object in &loaded.objects {
        match workload::classify(object, selectors) {
            Classified::Workload(w, problems) => {
                workloads.push(w);
                errors.extend(problems);
            }
            Classified::Skipped(s) => skipped.push(s),
            Classified::Invalid(e) => errors.push(e),
        }
    }
    (workloads, skipped, errors)
}

/// Scans what the gate needs and judges every workload.
pub fn check(loaded: Loaded, gate: &GateOptions, scan: &ScanOptions) -> GateReport {
    let (workloads, skipped, errors) = classify_all(loaded, &gate.selectors);
    let mut references = Vec::new();
    let mut seen = HashSet::new();
    for w in &workloads {
        if w.targeting.is_some() || gate.suggest {
            for c in &w.containers {
                if seen.insert(c.image.as_str()) {
                    references.push(c.image.clone());
                }
            }
        }
    }
    let scanned = app::scan_references(&references, scan);
    let min_score = scanned.report.policy.as_ref().and_then(|p| p.min_score);
    let images: HashMap<&str, &ImageReport> = scanned
        .report
        .images
        .iter()
        .map(|i| (i.reference.as_str(), i))
        .collect();
    let unreadable: HashMap<&str, String> = scanned
        .errors
        .iter()
        .map(|e| (e.reference.as_str(), e.error.to_string()))
        .collect();
    let judge = |image: &str, gated: bool| -> Judged {
        if let Some(error) = unreadable.get(image) {
            return Judged::error(error.clone());
        }
        let Some(report) = images.get(image) else {
            return Judged::error(format!("{image}: no image found"));
        };
        let (outcome, reason) = if report.incomplete {
            (
                Outcome::Error,
                Some("part of the image could not be read".to_string()),
            )
        } else if !gated {
            (Outcome::NotGated, None)
        } else if image_fails(gate.fail_on, report) {
            let mut why = format!("{} (score {})", report.verdict.as_str(), report.score);
            if !verdict_fails(gate.fail_on, report.verdict) {
                why.push_str(", under the policy's min_score");
                if let Some(min) = min_score {
                    why.push_str(&format!(" {min}"));
                }
            }
            (Outcome::Fail, Some(why))
        } else {
            (Outcome::Pass, None)
        };
        Judged {
            outcome,
            verdict: Some(report.verdict),
            score: Some(report.score),
            reason,
        }
    };
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for w in &workloads {
        let gated = w.targeting.is_some();
        let containers: Vec<ContainerResult> = w
            .containers
            .iter()
            .map(|c| {
                let judged = if gated || gate.suggest {
                    judge(&c.image, gated)
                } else {
                    Judged {
                        outcome: Outcome::NotScanned,
                        verdict: None,
                        score: None,
                        reason: None,
                    }
                };
                if judged.outcome == Outcome::Fail {
                    failures.push(Failure {
                        workload: w.title(),
                        container: c.name.clone(),
                        role: c.role,
                        image: c.image.clone(),
                        reason: judged.reason.clone().unwrap_or_default(),
                    });
                }
                ContainerResult {
                    name: c.name.clone(),
                    role: c.role,
                    image: c.image.clone(),
                    outcome: judged.outcome,
                    verdict: judged.verdict,
                    score: judged.score,
                    reason: judged.reason,
                }
            })
            .collect();
        let suggestion = (gate.suggest
            && !gated
            && suggestable(&containers, gate.fail_on, &images))
        .then(|| {
            suggest::suggest(
                w,
                gate.selectors.first().unwrap_or(&Selector::default_fips()),
            )
        });
        results.push(WorkloadResult {
            kind: w.kind.clone(),
            namespace: w.namespace.clone(),
            name: w.name.clone(),
            origin: w.origin.clone(),
            fips_nodes: w.targeting.as_ref().map(ToString::to_string),
            containers,
            suggestion,
        });
    }
    let mut counts = Counts {
        workloads: workloads.iter().filter(|w| w.targeting.is_some()).count(),
        ..Counts::default()
    };
    let mut counted = HashSet::new();
    let gated = results.iter().filter(|w| w.fips_nodes.is_some());
    for c in gated.flat_map(|w| &w.containers) {
        if counted.insert(c.image.as_str()) {
            match c.outcome {
                Outcome::Pass => counts.passed += 1,
                Outcome::Fail => counts.failed += 1,
                _ => counts.errors += 1,
            }
        }
    }
    counts.images = counts.passed + counts.failed + counts.errors;
    let any_error = !errors.is_empty()
        || results
            .iter()
            .flat_map(|w| &w.containers)
            .any(|c| c.outcome == Outcome::Error);
    let result = if any_error {
        GateResult::Error
    } else if !failures.is_empty() {
        GateResult::Fail
    } else {
        GateResult::Pass
    };
    GateReport {
        result,
        selectors: gate.selectors.clone(),
        fail_on: fail_on_name(gate.fail_on),
        counts,
        workloads: results,
        failures,
        skipped,
        manifest_errors: errors
            .iter()
            .map(|e| ManifestProblem {
                file: e.file().to_string(),
                document: e.document(),
                message: e.to_string(),
            })
            .collect(),
        scan: scanned.report,
    }
}

/// What one image comes to for one workload.
struct Judged {
    outcome: Outcome,
    verdict: Option<Verdict>,
    score: Option<u8>,
    reason: Option<String>,
}

impl Judged {
    fn error(reason: String) -> Judged {
        Judged {
            outcome: Outcome::Error,
            verdict: None,
            score: None,
            reason: Some(reason),
        }
    }
}

/// Every image was read whole and would pass the gate on a FIPS node; a
/// `not-ready` image never does, whatever `--fail-on` says.
fn suggestable(
    containers: &[ContainerResult],
    fail_on: FailOn,
    images: &HashMap<&str, &ImageReport>,
) -> bool {
    !containers.is_empty()
        && containers.iter().all(|c| {
            c.outcome == Outcome::NotGated
                && images
                    .get(c.image.as_str())
                    .is_some_and(|i| i.verdict != Verdict::NotReady && !image_fails(fail_on, i))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_label_syntax() {
        assert_eq!(
            Selector::parse("kubernetes.azure.com/fips_enabled=true"),
            Ok(Selector::default_fips())
        );
        assert_eq!(
            Selector::parse("fips=").map(|s| s.to_string()),
            Ok("fips=".to_string())
        );
        for bad in [
            "nokey",
            "=v",
            "a b=c",
            "Example.com/x=y",
            "x=it's",
            "x=-y",
            "/x=y",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad}");
        }
        assert!(Selector::parse(&format!("k={}", "v".repeat(64))).is_err());
    }
}
