//! SARIF 2.1.0 output (`--format sarif`), for GitHub code scanning and any
//! other SARIF consumer. The choices a reader of the file needs to know:
//!
//! - **One run per image.** Each run carries its own `automationDetails.id`
//!   (`fipscan/<repository>/<os>/<arch>[/<variant>]/`), so GitHub files the
//!   images of one upload under distinct categories (it rejects several runs
//!   with the same tool and category) and a rebuilt image lands in the same
//!   category as before. When no image could be read at all there is one
//!   run with no results, so the file still records the failures.
//! - **Rules** are the finding codes used in a run's results; their help is
//!   exactly what `fipscan explain CODE` prints.
//! - **Results** are every finding, and every component that costs the
//!   image points: one that counts toward the verdict (a program, or a
//!   library a runtime loads) and whose status is non-fips, fips-capable or
//!   unknown, or host-dependent with `needs` the report's target does not
//!   provide (`score::weight` is not `Fine`). Libraries that count only
//!   through the programs loading them, and components that are fine, are
//!   not results. A blocker is `error`, a warning `warning`; a finding's
//!   level follows its severity (info is `note`).
//! - **Waived** findings and components stay in the results with an
//!   `external`/`accepted` suppression whose justification is the waiver's
//!   reason and expiry.
//! - **Locations**: the path inside the image, relative to the uriBaseId
//!   `IMAGE_ROOT` (described in `originalUriBaseIds` with the image
//!   reference, manifest digest and platform), anchored at line 1 because
//!   fipscan judges whole files; a path inside an archive
//!   (`/app/app.jar!/lib/x.jar`) points at the archive file. A finding about
//!   the image as a whole (no path) points at the image root `.`. Logical
//!   locations name the image reference and the layer digest.
//! - **Fingerprints**: `partialFingerprints["fipscanProblem/v1"]` is the hex
//!   SHA-256 of `code`, the image repository without tag or digest (for a
//!   local image, its file or folder name) and the path, joined by `\n`; the
//!   n-th result (n > 1) of a run with the same code and path appends
//!   `\n#n`. The same problem in a rebuilt or retagged image keeps its
//!   fingerprint.
//! - **Invocation**: `executionSuccessful` is false when the image was read
//!   only in part (one error notification per unread layer) or when a
//!   reference of the command could not be scanned at all (an error
//!   notification in every run, since one command produced them all).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::{Component, ImageReport, Report, Waiver};
use crate::explain::{self, ExplainError};
use crate::finding::{Code, Finding, Severity};
use crate::score::{Weight, weight};
use crate::source::RegistryRef;
use crate::target::HostNeed;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const IMAGE_ROOT: &str = "IMAGE_ROOT";
pub const FINGERPRINT: &str = "fipscanProblem/v1";
/// Where to learn about the tool (Cargo.toml `homepage`).
pub const INFORMATION_URI: &str = env!("CARGO_PKG_HOMEPAGE");

#[derive(Debug, thiserror::Error)]
pub enum SarifError {
    #[error(transparent)]
    Explain(#[from] ExplainError),
    #[error("cannot serialise SARIF: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }

    fn of(severity: Severity) -> Level {
        match severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Note,
        }
    }
}

/// The level of a component's result, or None when the component costs the
/// image nothing and is no result (the rule in the module docs).
pub fn component_level(c: &Component, provides: &[HostNeed]) -> Option<Level> {
    if !c.counts {
        return None;
    }
    match weight(c.status, c.fips_mode_on, &unmet(c, provides)) {
        Weight::Blocker => Some(Level::Error),
        Weight::Warning => Some(Level::Warning),
        Weight::Fine => None,
    }
}

fn unmet(c: &Component, provides: &[HostNeed]) -> Vec<HostNeed> {
    c.needs
        .iter()
        .copied()
        .filter(|n| !provides.contains(n))
        .collect()
}

/// The image's repository without tag or digest: `registry/repository` for
/// registry images, the file or folder name for local ones (so a checkout
/// elsewhere keeps the same identity).
pub fn repository(reference: &str, source: &str) -> String {
    if source == "registry" {
        let text = reference
            .strip_prefix("docker://")
            .or_else(|| reference.strip_prefix("registry:"))
            .unwrap_or(reference);
        return match RegistryRef::parse(text) {
            Ok(r) => format!("{}/{}", r.registry, r.repository),
            Err(_) => text.split('@').next().unwrap_or(text).to_string(),
        };
    }
    let rest = ["oci:", "docker-archive:", "dir:"]
        .iter()
        .find_map(|p| reference.strip_prefix(p))
        .unwrap_or(reference);
    let rest = rest.split('@').next().unwrap_or(rest).trim_end_matches('/');
    let name = rest.rsplit('/').next().unwrap_or(rest);
    // A tag (`layout:v1`, `image.tar:repo:tag`) follows the first colon of the name.
    name.split(':').next().unwrap_or(name).to_string()
}

/// The stable fingerprint of a problem (see the module docs).
pub fn fingerprint(code: Code, repository: &str, path: &str, occurrence: usize) -> String {
    let mut text = format!("{}\n{repository}\n{path}", code.as_str());
    if occurrence > 1 {
        text.push_str(&format!("\n#{occurrence}"));
    }
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What becomes one result.
struct Item<'a> {
    code: Code,
    level: Level,
    message: String,
    path: Option<&'a str>,
    layer: Option<&'a str>,
    waiver: Option<&'a Waiver>,
    properties: Value,
}

fn sentence(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

fn component_item<'a>(c: &'a Component, report: &Report, level: Level) -> Item<'a> {
    let unmet = unmet(c, &report.target.provides);
    let mut message = sentence(&c.summary);
    if !unmet.is_empty() {
        let names: Vec<&str> = unmet.iter().map(|n| n.as_str()).collect();
        message.push_str(&format!(
            " The target node ({}) does not provide {}.",
            report.target.name,
            names.join(", ")
        ));
    }
    if let Some(fix) = &c.remediation {
        message.push_str(&format!(" Fix: {}", sentence(fix)));
    }
    let mut properties = json!({
        "component": c.kind,
        "status": c.status,
        "fipsModeOn": c.fips_mode_on,
        "entrypoint": c.entrypoint,
        "path": c.path,
        "evidence": c.evidence.iter().map(|e| format!("{}: {}", e.kind, e.detail)).collect::<Vec<_>>(),
    });
    let extra = [
        ("module", c.module.clone().map(Value::from)),
        ("certificate", c.certificate.clone().map(Value::from)),
        (
            "package",
            c.package.as_ref().map(|p| Value::from(p.purl.clone())),
        ),
        ("sha256", c.sha256.clone().map(Value::from)),
        ("unmetNeeds", (!unmet.is_empty()).then(|| json!(unmet))),
    ];
    if let Some(map) = properties.as_object_mut() {
        for (key, value) in extra {
            if let Some(v) = value {
                map.insert(key.into(), v);
            }
        }
    }
    Item {
        code: c.code,
        level,
        message,
        path: Some(&c.path),
        layer: Some(&c.layer),
        waiver: c.waiver.as_ref(),
        properties,
    }
}

fn finding_item(f: &Finding) -> Item<'_> {
    Item {
        code: f.code,
        level: Level::of(f.severity),
        message: sentence(&f.message),
        path: f.path.as_deref(),
        layer: f.layer.as_deref(),
        waiver: f.waiver.as_ref(),
        properties: json!({ "severity": f.severity }),
    }
}

fn items<'a>(report: &Report, image: &'a ImageReport) -> Vec<Item<'a>> {
    let components = image.components.iter().filter_map(|c| {
        component_level(c, &report.target.provides).map(|l| component_item(c, report, l))
    });
    components
        .chain(image.findings.iter().map(finding_item))
        .collect()
}

/// Percent-encodes an image path into a relative URI reference.
fn uri(path: &str) -> String {
    // A path inside an archive points at the archive file.
    let file = path.split("!/").next().unwrap_or(path);
    let file = file.trim_start_matches('/');
    if file.is_empty() {
        return ".".into();
    }
    let mut out = String::with_capacity(file.len());
    for b in file.bytes() {
        // Unreserved characters and `/` stay; everything else, including `:`
        // (which would read as a scheme), is escaped.
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn platform_text(image: &ImageReport) -> Option<String> {
    image.platform.as_ref().map(ToString::to_string)
}

fn location(image: &ImageReport, path: Option<&str>, layer: Option<&str>) -> Value {
    let mut logical = vec![json!({
        "name": image.reference,
        "fullyQualifiedName": match &image.manifest_digest {
            Some(d) => format!("{}@{d}", image.reference),
            None => image.reference.clone(),
        },
        "kind": "module",
    })];
    if let Some(layer) = layer {
        logical.push(json!({
            "name": layer,
            "fullyQualifiedName": format!("{} layer {layer}", image.reference),
            "kind": "resource",
        }));
    }
    if let Some((_, inner)) = path.and_then(|p| p.split_once("!/")) {
        logical.push(json!({
            "name": inner,
            "fullyQualifiedName": path,
            "kind": "resource",
        }));
    }
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(path.unwrap_or("")), "uriBaseId": IMAGE_ROOT },
            "region": { "startLine": 1 },
        },
        "logicalLocations": logical,
    })
}

fn pascal(code: Code) -> String {
    code.as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule(code: Code) -> Result<Value, SarifError> {
    let entry = explain::entry(code)?;
    let meaning = entry
        .meaning
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(json!({
        "id": code.as_str(),
        "name": pascal(code),
        "shortDescription": { "text": sentence(code.title()) },
        "fullDescription": { "text": meaning },
        "help": { "text": explain::text(code)?, "markdown": explain::markdown(code)? },
        "defaultConfiguration": { "level": Level::of(code.severity()).as_str() },
        "properties": { "tags": ["fips", entry.area.as_str()] },
    }))
}

fn driver(report: &Report, rules: Vec<Value>) -> Value {
    json!({
        "name": report.tool.name,
        "version": report.tool.version,
        "semanticVersion": report.tool.version,
        "informationUri": INFORMATION_URI,
        "rules": rules,
        "properties": { "signaturesVersion": report.tool.signatures_version },
    })
}

/// Notifications every run carries: references that could not be scanned.
fn failed_notifications(report: &Report) -> Vec<Value> {
    report
        .failed
        .iter()
        .map(|f| {
            // Most errors already name the reference.
            let text = if f.error.contains(&f.reference) {
                f.error.clone()
            } else {
                format!("cannot scan {}: {}", f.reference, f.error)
            };
            json!({
                "level": "error",
                "message": { "text": sentence(&text) },
                "descriptor": { "id": "reference-failed" },
            })
        })
        .collect()
}

/// Findings that mean part of the image was not read.
fn unread(code: Code) -> bool {
    matches!(
        code,
        Code::LayerUnreadable
            | Code::LayerDigestMismatch
            | Code::LayerDiffIdMismatch
            | Code::LayerSizeLimit
            | Code::LayerEntryLimit
    )
}

fn invocation(report: &Report, image: Option<&ImageReport>) -> Value {
    let mut notes: Vec<Value> = image
        .into_iter()
        .flat_map(|i| i.findings.iter())
        .filter(|f| unread(f.code))
        .map(|f| {
            json!({
                "level": "error",
                "message": { "text": sentence(&f.message) },
                "descriptor": { "id": f.code.as_str() },
            })
        })
        .collect();
    notes.extend(failed_notifications(report));
    let incomplete = image.is_some_and(|i| i.incomplete);
    let mut inv = json!({ "executionSuccessful": !incomplete && report.failed.is_empty() });
    if !notes.is_empty()
        && let Some(map) = inv.as_object_mut()
    {
        map.insert("toolExecutionNotifications".into(), Value::Array(notes));
    }
    inv
}

fn run(report: &Report, image: &ImageReport, automation_id: String) -> Result<Value, SarifError> {
    let items = items(report, image);
    let used: BTreeSet<Code> = items.iter().map(|i| i.code).collect();
    let index: BTreeMap<Code, usize> = used.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules = used
        .iter()
        .map(|c| rule(*c))
        .collect::<Result<Vec<_>, _>>()?;
    let repo = repository(&image.reference, image.source);
    let mut seen: HashMap<(Code, &str), usize> = HashMap::new();
    let results: Vec<Value> = items
        .iter()
        .map(|item| {
            let path = item.path.unwrap_or("");
            let n = seen.entry((item.code, path)).or_default();
            *n += 1;
            let mut r = json!({
                "ruleId": item.code.as_str(),
                "ruleIndex": index.get(&item.code).copied().unwrap_or_default(),
                "level": item.level.as_str(),
                "message": { "text": item.message },
                "locations": [location(image, item.path, item.layer)],
                "partialFingerprints": { FINGERPRINT: fingerprint(item.code, &repo, path, *n) },
                "properties": item.properties,
            });
            if let (Some(w), Some(map)) = (item.waiver, r.as_object_mut()) {
                map.insert(
                    "suppressions".into(),
                    json!([{
                        "kind": "external",
                        "status": "accepted",
                        "justification": format!("{} (policy waiver, expires {})", w.reason, w.expires),
                    }]),
                );
            }
            r
        })
        .collect();
    let platform = platform_text(image);
    let mut root = format!("The root filesystem of image {}", image.reference);
    if let Some(d) = &image.manifest_digest {
        root.push_str(&format!(", manifest {d}"));
    }
    if let Some(p) = &platform {
        root.push_str(&format!(", platform {p}"));
    }
    root.push_str("; paths are as a process in the container sees them.");
    Ok(json!({
        "tool": { "driver": driver(report, rules) },
        "automationDetails": {
            "id": automation_id,
            "description": { "text": format!(
                "fipscan FIPS readiness of {repo}{} for the {} target.",
                platform.as_deref().map(|p| format!(" ({p})")).unwrap_or_default(),
                report.target.name,
            ) },
        },
        "originalUriBaseIds": { IMAGE_ROOT: { "description": { "text": root } } },
        "invocations": [invocation(report, Some(image))],
        "results": results,
        "properties": {
            "image": image.reference,
            "source": image.source,
            "manifestDigest": image.manifest_digest,
            "platform": platform,
            "verdict": image.verdict,
            "score": image.score,
            "incomplete": image.incomplete,
            "reasons": image.reasons,
            "target": report.target.name,
        },
    }))
}

/// `fipscan/<repository>/<platform>/`, made unique within the report.
fn automation_ids(report: &Report) -> Vec<String> {
    let mut used: HashMap<String, usize> = HashMap::new();
    report
        .images
        .iter()
        .map(|i| {
            let mut id = format!("fipscan/{}/", repository(&i.reference, i.source));
            if let Some(p) = &i.platform {
                id.push_str(&format!("{p}/"));
            }
            let n = used.entry(id.clone()).or_default();
            *n += 1;
            if *n > 1 {
                id.push_str(&format!("{n}/"));
            }
            id
        })
        .collect()
}

pub fn to_value(report: &Report) -> Result<Value, SarifError> {
    let mut runs = Vec::with_capacity(report.images.len().max(1));
    for (image, id) in report.images.iter().zip(automation_ids(report)) {
        runs.push(run(report, image, id)?);
    }
    if runs.is_empty() {
        runs.push(json!({
            "tool": { "driver": driver(report, Vec::new()) },
            "invocations": [invocation(report, None)],
            "results": [],
        }));
    }
    Ok(json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": runs }))
}

pub fn render(report: &Report) -> Result<String, SarifError> {
    let mut s = serde_json::to_string_pretty(&to_value(report)?)?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests;
