//! The gate's text output: one block per workload (how it reaches FIPS
//! nodes, each container's image and verdict), the suggestions, then one
//! self-contained line per failing image and the result. Errors go to
//! standard error in `main.rs`, as for `scan`.

use std::fmt::Write as _;

use super::{ContainerResult, GateReport, GateResult, Outcome, WorkloadResult};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn text(report: &GateReport, verbose: bool) -> String {
    let mut out = String::new();
    for w in &report.workloads {
        workload(&mut out, w);
    }
    if verbose {
        for s in &report.skipped {
            let name = match (&s.namespace, &s.name) {
                (Some(ns), Some(n)) => format!(" {ns}/{n}"),
                (None, Some(n)) => format!(" {n}"),
                _ => String::new(),
            };
            let _ = writeln!(out, "skipped {}{name} ({}): {}", s.kind, s.origin, s.reason);
        }
    }
    if !report.failures.is_empty() {
        out.push('\n');
    }
    for f in &report.failures {
        let _ = writeln!(
            out,
            "FAIL {}: {} {}: {} is {}",
            f.workload,
            f.role.label(),
            f.container,
            f.image,
            f.reason
        );
    }
    let c = &report.counts;
    let mut summary = format!(
        "{} on FIPS nodes; {}: {} passed, {} failed, {} unreadable",
        plural(c.workloads, "workload", "workloads"),
        plural(c.images, "image", "images"),
        c.passed,
        c.failed,
        c.errors
    );
    if !report.manifest_errors.is_empty() {
        let n = report.manifest_errors.len();
        summary.push_str(&format!(
            "; {}",
            plural(n, "manifest error", "manifest errors")
        ));
    }
    if !report.skipped.is_empty() {
        let n = report.skipped.len();
        summary.push_str(&format!(
            "; {} skipped (not workloads{})",
            plural(n, "object", "objects"),
            if verbose {
                ""
            } else {
                ", --verbose lists them"
            }
        ));
    }
    let word = match report.result {
        GateResult::Pass => "pass",
        GateResult::Fail => "FAIL",
        GateResult::Error => "ERROR",
    };
    let _ = writeln!(out, "\nResult: {word}: {summary}");
    out
}

fn workload(out: &mut String, w: &WorkloadResult) {
    let how = match &w.fips_nodes {
        Some(how) => format!("on FIPS nodes by {how}"),
        None if w
            .containers
            .iter()
            .all(|c| c.outcome == Outcome::NotScanned) =>
        {
            "not on FIPS nodes, not checked".to_string()
        }
        None => "not on FIPS nodes, not gated".to_string(),
    };
    let _ = writeln!(out, "{} ({}): {how}", w.title(), w.origin);
    for c in &w.containers {
        if c.outcome != Outcome::NotScanned {
            container(out, c);
        }
    }
    if let Some(s) = &w.suggestion {
        let _ = writeln!(
            out,
            "  suggestion: every image is ready for FIPS nodes; schedule it there:"
        );
        if let Some(cmd) = &s.command {
            let _ = writeln!(out, "    {cmd}");
        }
        if let Some(patch) = &s.patch {
            let _ = writeln!(out, "    strategic-merge patch:");
            for line in patch.lines() {
                let _ = writeln!(out, "      {line}");
            }
        }
        if let Some(note) = &s.note {
            let _ = writeln!(out, "    note: {note}");
        }
    } else if w.fips_nodes.is_none()
        && w.containers
            .iter()
            .any(|c| c.outcome != Outcome::NotScanned)
    {
        let _ = writeln!(
            out,
            "  no suggestion: not every image is ready for FIPS nodes"
        );
    }
}

fn container(out: &mut String, c: &ContainerResult) {
    let status = match c.outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "FAIL",
        Outcome::Error => "ERROR",
        Outcome::NotGated | Outcome::NotScanned => "-",
    };
    let judged = match (c.verdict, c.score) {
        (Some(v), Some(s)) => format!("{} (score {s})", v.as_str()),
        _ => "could not be read".to_string(),
    };
    let _ = write!(
        out,
        "  {status:<5} {} {}  {}  {judged}",
        c.role.label(),
        c.name,
        c.image
    );
    if c.outcome == Outcome::Error
        && let Some(reason) = &c.reason
        && c.verdict.is_some()
    {
        let _ = write!(out, "; {reason}");
    }
    out.push('\n');
}
