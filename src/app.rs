//! The pipeline: source -> layers (in parallel, streamed) -> squash ->
//! judge -> score -> report.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::finding::{Code, Finding};
use crate::image::{BlobStore, Content, Digest, ImagePlan, LayerDesc};
use crate::judge;
use crate::layer::{self, LayerScan, Limits, squash};
use crate::policy::Policy;
use crate::report::{FailedReference, ImageReport, LayerSummary, Report, SCHEMA_VERSION, Tool};
use crate::score::{self, Scored, Verdict};
use crate::signatures::Signatures;
use crate::source::{self, Registries, RegistryOptions, Selection, SourceError};
use crate::target::{HostNeed, Target};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub limits: Limits,
    /// Layers read at once (and so, from a registry, downloaded at once).
    pub jobs: usize,
    pub selection: Selection,
    pub registry: RegistryOptions,
    /// The node the images are judged for.
    pub target: Target,
    /// Waivers and gates applied to every image before it is scored.
    pub policy: Option<Policy>,
    /// The day certificates' CMVP status is judged for (`--as-of`; today, UTC).
    pub as_of: jiff::civil::Date,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            limits: Limits::default(),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            selection: Selection::default(),
            registry: RegistryOptions::default(),
            target: Target::default(),
            policy: None,
            as_of: crate::policy::today(),
        }
    }
}

/// A reference that could not be scanned at all.
#[derive(Debug)]
pub struct ReferenceError {
    pub reference: String,
    pub error: SourceError,
}

/// What a run produced: a report for every image that could be resolved,
/// and an error for every reference that could not.
#[derive(Debug)]
pub struct Scanned {
    pub report: Report,
    pub errors: Vec<ReferenceError>,
}

/// Resolves and scans every reference. A reference that cannot be resolved
/// at all is an error entry and the others still scan; anything wrong
/// inside an image is a finding. Layers with the same digest are read once
/// per run, however many images share them.
pub fn scan_references(references: &[String], opts: &ScanOptions) -> Scanned {
    let registries = Registries::new(opts.registry.clone());
    // Keeping layer results costs a copy of each; only worth it when
    // images can share layers.
    let cache = (references.len() > 1 || opts.selection.all_platforms).then(LayerCache::default);
    let mut images = Vec::new();
    let mut errors = Vec::new();
    for text in references {
        let resolved = source::parse_reference(text)
            .and_then(|r| source::resolve(&r, &opts.selection, &registries));
        match resolved {
            Ok(plans) => {
                for plan in &plans {
                    images.push(report_image(
                        plan,
                        scan_layers(plan, opts, cache.as_ref()),
                        opts,
                    ));
                }
            }
            Err(error) => errors.push(ReferenceError {
                reference: text.clone(),
                error,
            }),
        }
    }
    Scanned {
        report: Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "fipscan",
                version: env!("CARGO_PKG_VERSION"),
                signatures_version: Signatures::active().version.clone(),
            },
            target: opts.target.as_ref(),
            policy: opts.policy.as_ref().map(Policy::as_ref),
            images,
            failed: errors
                .iter()
                .map(|e| FailedReference {
                    reference: e.reference.clone(),
                    error: e.error.to_string(),
                })
                .collect(),
        },
        errors,
    }
}

type CacheKey = (Digest, Option<Digest>, String);
type Slot = Arc<Mutex<Option<LayerScan>>>;

/// Layer results of this run by blob digest (and the diff_id and media type
/// they were verified against). A worker that needs a layer another worker
/// is reading waits on its slot instead of fetching it again. Failed scans
/// are not kept: the next image sharing the layer tries again.
#[derive(Default)]
struct LayerCache {
    slots: Mutex<HashMap<CacheKey, Slot>>,
}

impl LayerCache {
    fn scan(&self, desc: &LayerDesc, store: &dyn BlobStore, limits: &Limits) -> LayerScan {
        let Some(digest) = &desc.digest else {
            return fresh_scan(desc, store, limits);
        };
        let key = (
            digest.clone(),
            desc.diff_id.clone(),
            desc.media_type.clone(),
        );
        let slot = match self.slots.lock() {
            Ok(mut slots) => Arc::clone(slots.entry(key).or_default()),
            Err(_) => return fresh_scan(desc, store, limits),
        };
        let Ok(mut held) = slot.lock() else {
            return fresh_scan(desc, store, limits);
        };
        if let Some(done) = held.as_ref() {
            return done.clone();
        }
        let scan = fresh_scan(desc, store, limits);
        if !scan.failed {
            *held = Some(scan.clone());
        }
        scan
    }
}

fn fresh_scan(desc: &LayerDesc, store: &dyn BlobStore, limits: &Limits) -> LayerScan {
    match store.open(&desc.locator) {
        Ok(blob) => layer::scan_layer(desc, blob, limits),
        Err(e) => LayerScan::unreadable(
            desc.id(),
            Finding::new(Code::LayerUnreadable, e.to_string()),
        ),
    }
}

fn scan_layers(
    plan: &ImagePlan,
    opts: &ScanOptions,
    cache: Option<&LayerCache>,
) -> (Vec<LayerScan>, Vec<LayerSummary>) {
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
                            let scan = match cache {
                                Some(c) => c.scan(desc, store.as_ref(), &opts.limits),
                                None => fresh_scan(desc, store.as_ref(), &opts.limits),
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

/// Scans one resolved image on its own (no layer sharing).
pub fn scan_plan(plan: &ImagePlan, opts: &ScanOptions) -> ImageReport {
    report_image(plan, scan_layers(plan, opts, None), opts)
}

fn report_image(
    plan: &ImagePlan,
    (scans, layers): (Vec<LayerScan>, Vec<LayerSummary>),
    opts: &ScanOptions,
) -> ImageReport {
    let mut findings: Vec<Finding> = scans
        .iter()
        .flat_map(|s| s.findings.iter().cloned())
        .collect();
    let incomplete = scans.iter().any(|s| s.failed)
        || findings
            .iter()
            .any(|f| matches!(f.code, Code::LayerSizeLimit | Code::LayerEntryLimit));
    let view = squash::squash(scans);
    let mut judged = judge::judge_image(&view, &plan.config, Signatures::active());
    judge::certificates::mark_historical(&mut judged.components, Signatures::active(), opts.as_of);
    findings.extend(judged.findings);
    findings.sort_by(|a, b| (b.severity, &a.path, a.code).cmp(&(a.severity, &b.path, b.code)));
    let mut report = ImageReport {
        reference: plan.reference.clone(),
        source: plan.source_kind,
        manifest_digest: plan.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: plan.config_digest.as_ref().map(ToString::to_string),
        platform: plan.config.platform.clone(),
        entrypoint: judged.entrypoint,
        os: judged.os,
        env: plan.config.crypto_env(),
        verdict: Verdict::NoCrypto,
        score: 0,
        reasons: Vec::new(),
        incomplete,
        components: judged.components,
        findings,
        layers,
        packages: judged.packages,
    };
    if let Some(policy) = &opts.policy {
        policy.apply(&mut report);
    }
    score_image(&mut report, &opts.target);
    if let Some(policy) = &opts.policy {
        policy.check_score(&mut report);
    }
    report
}

/// Scores an image for a target node: what a host-dependent component
/// needs and the node lacks weighs against it; waived components and
/// findings weigh nothing.
pub fn score_image(report: &mut ImageReport, target: &Target) {
    // Files we could not look into might hold crypto: they keep the image
    // from a clean `ready` or `no-crypto`.
    let unscannable = report
        .findings
        .iter()
        .filter(|f| f.waiver.is_none() && matches!(f.code, Code::Unscannable | Code::FileTooLarge))
        .count();
    let unmet: Vec<Vec<HostNeed>> = report
        .components
        .iter()
        .map(|c| target.unmet(&c.needs))
        .collect();
    let scored: Vec<Scored<'_>> = report
        .components
        .iter()
        .zip(&unmet)
        .map(|(c, unmet)| Scored {
            label: &c.path,
            status: c.status,
            fips_mode_on: c.fips_mode_on,
            entrypoint: c.entrypoint,
            counts: c.counts,
            unmet,
            waived: c.waiver.is_some(),
        })
        .collect();
    let outcome = score::judge(&scored, report.incomplete, unscannable);
    report.apply(outcome);
}
