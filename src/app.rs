//! The pipeline: source -> layers (in parallel, streamed) -> squash ->
//! judge -> score -> report.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::finding::{Code, Finding};
use crate::image::{Content, ImagePlan};
use crate::judge;
use crate::layer::{self, LayerScan, Limits, squash};
use crate::report::{ImageReport, LayerSummary, Report, SCHEMA_VERSION, Tool};
use crate::score::{self, Scored, Verdict};
use crate::signatures::Signatures;
use crate::source::{self, Selection, SourceError};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub limits: Limits,
    /// Layers read at once.
    pub jobs: usize,
    pub selection: Selection,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            limits: Limits::default(),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            selection: Selection::default(),
        }
    }
}

/// Resolves and scans every reference. An image that cannot be resolved at
/// all is an error; anything wrong inside an image is a finding.
pub fn scan_references(references: &[String], opts: &ScanOptions) -> Result<Report, SourceError> {
    let mut images = Vec::new();
    for text in references {
        let source_ref = source::parse_reference(text)?;
        for plan in source::resolve(&source_ref, &opts.selection)? {
            images.push(scan_plan(&plan, opts));
        }
    }
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "fipscan",
            version: env!("CARGO_PKG_VERSION"),
            signatures_version: Signatures::active().version.clone(),
        },
        images,
    })
}

fn scan_layers(plan: &ImagePlan, opts: &ScanOptions) -> (Vec<LayerScan>, Vec<LayerSummary>) {
    match &plan.content {
        Content::Rootfs(root) => {
            let scan = layer::scan_rootfs(root, &opts.limits);
            let summary = LayerSummary {
                id: scan.id.clone(),
                diff_id: None,
                media_type: "rootfs-directory".into(),
                compression: None,
                status: "ok",
                stats: scan.stats.clone(),
            };
            (vec![scan], vec![summary])
        }
        Content::Layers { layers, store } => {
            let results: Vec<Mutex<Option<LayerScan>>> =
                layers.iter().map(|_| Mutex::new(None)).collect();
            let next = AtomicUsize::new(0);
            let workers = opts.jobs.clamp(1, layers.len().max(1));
            std::thread::scope(|s| {
                for _ in 0..workers {
                    s.spawn(|| {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(desc) = layers.get(i) else { break };
                            let scan = match store.open(&desc.locator) {
                                Ok(blob) => layer::scan_layer(desc, blob, &opts.limits),
                                Err(e) => LayerScan::unreadable(
                                    desc.id(),
                                    Finding::new(Code::LayerUnreadable, e.to_string()),
                                ),
                            };
                            if let Some(slot) = results.get(i)
                                && let Ok(mut slot) = slot.lock()
                            {
                                *slot = Some(scan);
                            }
                        }
                    });
                }
            });
            let scans: Vec<LayerScan> = results
                .into_iter()
                .zip(layers)
                .map(|(slot, desc)| {
                    slot.into_inner().ok().flatten().unwrap_or_else(|| {
                        LayerScan::unreadable(
                            desc.id(),
                            Finding::new(Code::LayerUnreadable, "layer worker stopped"),
                        )
                    })
                })
                .collect();
            let summaries = scans
                .iter()
                .zip(layers)
                .map(|(scan, desc)| LayerSummary {
                    id: desc.id(),
                    diff_id: desc.diff_id.as_ref().map(ToString::to_string),
                    media_type: desc.media_type.clone(),
                    compression: scan.compression,
                    status: if scan.failed { "failed" } else { "ok" },
                    stats: scan.stats.clone(),
                })
                .collect();
            (scans, summaries)
        }
    }
}

pub fn scan_plan(plan: &ImagePlan, opts: &ScanOptions) -> ImageReport {
    let (scans, layers) = scan_layers(plan, opts);
    let mut findings: Vec<Finding> = scans
        .iter()
        .flat_map(|s| s.findings.iter().cloned())
        .collect();
    let incomplete = scans.iter().any(|s| s.failed)
        || findings
            .iter()
            .any(|f| matches!(f.code, Code::LayerSizeLimit | Code::LayerEntryLimit));
    let view = squash::squash(scans);
    let judged = judge::judge_image(&view, &plan.config, Signatures::active());
    findings.extend(judged.findings);
    findings.sort_by(|a, b| (b.severity, &a.path, a.code).cmp(&(a.severity, &b.path, b.code)));
    // Files we could not look into might hold crypto: they keep the image
    // from a clean `ready` or `no-crypto`.
    let unscannable = findings
        .iter()
        .filter(|f| matches!(f.code, Code::Unscannable | Code::FileTooLarge))
        .count();
    let scored: Vec<Scored<'_>> = judged
        .components
        .iter()
        .map(|c| Scored {
            label: &c.path,
            status: c.status,
            fips_mode_on: c.fips_mode_on,
            entrypoint: c.entrypoint,
            counts: c.counts,
        })
        .collect();
    let outcome = score::judge(&scored, incomplete, unscannable);
    let mut report = ImageReport {
        reference: plan.reference.clone(),
        source: plan.source_kind,
        manifest_digest: plan.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: plan.config_digest.as_ref().map(ToString::to_string),
        platform: plan.config.platform.clone(),
        entrypoint: judged.entrypoint,
        env: plan.config.crypto_env(),
        verdict: Verdict::NoCrypto,
        score: 0,
        reasons: Vec::new(),
        incomplete,
        components: judged.components,
        findings,
        layers,
    };
    report.apply(outcome);
    report
}
