//! OCI index/manifest/config handling shared by every source that stores
//! blobs by digest (an OCI layout folder, the OCI layout inside a current
//! `docker save` archive, and registries). Manifests and configs come
//! through a `Fetcher`: a local store reads every one of them as a blob,
//! a registry reads manifests from its manifest endpoint.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use super::Selection;
use super::{SourceError, parse_json, read_small};
use crate::image::{
    BlobLocator, BlobStore, Content, Digest, ImageConfig, ImagePlan, LayerDesc, Platform,
};

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
pub const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
/// Indexes can nest; real ones go two deep. Beyond this it is a loop or an attack.
const MAX_INDEX_DEPTH: usize = 8;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub platform: Option<Platform>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    media_type: Option<String>,
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Vec<Descriptor>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawConfig {
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    config: Option<RawRunConfig>,
    #[serde(default)]
    rootfs: Option<RawRootfs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawRunConfig {
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    entrypoint: Option<Vec<String>>,
    #[serde(default)]
    cmd: Option<Vec<String>>,
    #[serde(default)]
    working_dir: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawRootfs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

impl RawConfig {
    pub fn into_config(self, place: &str) -> Result<ImageConfig, SourceError> {
        let platform = match (self.os, self.architecture) {
            (Some(os), Some(architecture)) => Some(Platform {
                os,
                architecture,
                variant: self.variant,
            }),
            _ => None,
        };
        let run = self.config.unwrap_or_default();
        let diff_ids = self
            .rootfs
            .unwrap_or_default()
            .diff_ids
            .iter()
            .map(|d| {
                Digest::parse(d).ok_or_else(|| SourceError::Invalid {
                    place: place.into(),
                    reason: format!("config diff_id {d:?} is not a sha256 digest"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ImageConfig {
            platform,
            env: run.env.unwrap_or_default(),
            entrypoint: run.entrypoint.unwrap_or_default(),
            cmd: run.cmd.unwrap_or_default(),
            working_dir: run.working_dir.filter(|w| !w.is_empty()),
            diff_ids,
        })
    }
}

fn digest_of(d: &Descriptor, place: &str) -> Result<Digest, SourceError> {
    Digest::parse(&d.digest).ok_or_else(|| SourceError::Invalid {
        place: place.into(),
        reason: format!("descriptor digest {:?} is not sha256:<64 hex>", d.digest),
    })
}

/// Where manifests, indexes and configs come from. Implementations verify
/// what they return against the descriptor's digest.
pub trait Fetcher {
    /// A manifest or an index.
    fn manifest(&self, d: &Descriptor, what: &str) -> Result<(Digest, Vec<u8>), SourceError>;
    /// An image config blob.
    fn config(&self, d: &Descriptor) -> Result<(Digest, Vec<u8>), SourceError>;
    /// Whether a manifest with this digest exists though no index names it.
    fn has_manifest(&self, digest: &Digest) -> bool;
    /// Where it fetches from, for error messages.
    fn describe(&self) -> String;
}

/// A store that keeps everything as blobs (layout folders, archives).
pub struct StoreFetcher<'a>(pub &'a dyn BlobStore);

impl Fetcher for StoreFetcher<'_> {
    fn manifest(&self, d: &Descriptor, what: &str) -> Result<(Digest, Vec<u8>), SourceError> {
        read_blob(self.0, d, what)
    }
    fn config(&self, d: &Descriptor) -> Result<(Digest, Vec<u8>), SourceError> {
        read_blob(self.0, d, "image config")
    }
    fn has_manifest(&self, digest: &Digest) -> bool {
        self.0.open(&BlobLocator::Digest(digest.clone())).is_ok()
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
}

fn read_blob(
    store: &dyn BlobStore,
    d: &Descriptor,
    what: &str,
) -> Result<(Digest, Vec<u8>), SourceError> {
    let place = store.describe();
    let digest = digest_of(d, &place)?;
    let reader = store.open(&BlobLocator::Digest(digest.clone()))?;
    let bytes = read_small(
        reader,
        what,
        &format!("{place} blob {digest}"),
        Some(&digest),
    )?;
    Ok((digest, bytes))
}

/// What a user may pick from a layout's top-level index.
pub struct Pick<'a> {
    pub tag: Option<&'a str>,
    pub digest: Option<&'a Digest>,
}

fn tag_of(d: &Descriptor) -> Option<&str> {
    d.annotations.get(REF_NAME).map(String::as_str).or_else(|| {
        // containerd writes the full name; its tag is after the last ':'.
        d.annotations
            .get("io.containerd.image.name")
            .and_then(|n| n.rsplit_once(':').map(|(_, t)| t))
    })
}

/// Resolves the top-level index of a digest-addressed store into plans.
pub fn resolve_index(
    store: Arc<dyn BlobStore>,
    top: &Index,
    pick: Pick<'_>,
    selection: &Selection,
    reference: &str,
    source_kind: &'static str,
) -> Result<Vec<ImagePlan>, SourceError> {
    let place = store.describe();
    let fetcher = StoreFetcher(store.as_ref());
    let chosen: Descriptor = if let Some(wanted) = pick.digest {
        find_by_digest(&fetcher, &top.manifests, wanted, 0)?.ok_or_else(|| {
            SourceError::DigestNotFound {
                place: place.clone(),
                digest: wanted.to_string(),
            }
        })?
    } else if let Some(tag) = pick.tag {
        top.manifests
            .iter()
            .find(|d| tag_of(d) == Some(tag))
            .cloned()
            .ok_or_else(|| SourceError::TagNotFound {
                place: place.clone(),
                tag: tag.into(),
                available: list_tags(&top.manifests),
            })?
    } else {
        match top.manifests.as_slice() {
            [] => {
                return Err(SourceError::Invalid {
                    place,
                    reason: "index.json lists no manifests".into(),
                });
            }
            [only] => only.clone(),
            many if many
                .iter()
                .all(|d| d.platform.is_some() && !INDEX_TYPES.contains(&d.media_type.as_str())) =>
            {
                // A top-level index that is itself a multi-platform index.
                let leaves = many
                    .iter()
                    .cloned()
                    .map(|d| (d.platform.clone(), d))
                    .collect();
                return plans_for_leaves(
                    &fetcher,
                    Arc::clone(&store),
                    leaves,
                    selection,
                    reference,
                    source_kind,
                );
            }
            many => {
                return Err(SourceError::Ambiguous {
                    place,
                    available: list_tags(many),
                });
            }
        }
    };
    resolve_root(
        &fetcher,
        Arc::clone(&store),
        &chosen,
        selection,
        reference,
        source_kind,
    )
}

/// Resolves one manifest or index (nested indexes flattened) into plans:
/// the entry point for sources that name their root directly (a registry
/// reference, a layout entry picked by tag or digest).
pub fn resolve_root(
    fetcher: &dyn Fetcher,
    store: Arc<dyn BlobStore>,
    root: &Descriptor,
    selection: &Selection,
    reference: &str,
    source_kind: &'static str,
) -> Result<Vec<ImagePlan>, SourceError> {
    let leaves = collect_leaves(fetcher, root, 0)?;
    plans_for_leaves(fetcher, store, leaves, selection, reference, source_kind)
}

fn list_tags(ds: &[Descriptor]) -> String {
    let tags: Vec<String> = ds
        .iter()
        .map(|d| tag_of(d).map_or_else(|| d.digest.clone(), str::to_string))
        .collect();
    if tags.is_empty() {
        "none".into()
    } else {
        tags.join(", ")
    }
}

fn is_index(d: &Descriptor) -> bool {
    INDEX_TYPES.contains(&d.media_type.as_str())
}

fn find_by_digest(
    fetcher: &dyn Fetcher,
    ds: &[Descriptor],
    wanted: &Digest,
    depth: usize,
) -> Result<Option<Descriptor>, SourceError> {
    if let Some(d) = ds.iter().find(|d| d.digest == wanted.as_str()) {
        return Ok(Some(d.clone()));
    }
    if depth >= MAX_INDEX_DEPTH {
        return Ok(None);
    }
    for d in ds.iter().filter(|d| is_index(d)) {
        let (_, bytes) = fetcher.manifest(d, "image index")?;
        let idx: Index = parse_json(&bytes, "image index", &d.digest)?;
        if let Some(found) = find_by_digest(fetcher, &idx.manifests, wanted, depth + 1)? {
            return Ok(Some(found));
        }
    }
    // Not referenced by any index: a blob that exists may still be named directly.
    Ok(fetcher.has_manifest(wanted).then(|| Descriptor {
        media_type: String::new(),
        digest: wanted.to_string(),
        size: None,
        annotations: BTreeMap::new(),
        platform: None,
    }))
}

/// Flattens nested indexes into (platform, manifest descriptor) pairs.
fn collect_leaves(
    fetcher: &dyn Fetcher,
    d: &Descriptor,
    depth: usize,
) -> Result<Vec<(Option<Platform>, Descriptor)>, SourceError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(SourceError::Invalid {
            place: fetcher.describe(),
            reason: format!("indexes nested deeper than {MAX_INDEX_DEPTH} levels"),
        });
    }
    // The media type may be missing on the descriptor: peek at the blob.
    if !d.media_type.is_empty() && !is_index(d) {
        return Ok(vec![(d.platform.clone(), d.clone())]);
    }
    let (_, bytes) = fetcher.manifest(d, "manifest or index")?;
    let m: Manifest = parse_json(&bytes, "manifest or index", &d.digest)?;
    let Some(children) = m.manifests else {
        return Ok(vec![(d.platform.clone(), d.clone())]);
    };
    let mut out = Vec::new();
    for child in &children {
        out.extend(collect_leaves(fetcher, child, depth + 1)?);
    }
    Ok(out)
}

fn is_attestation(p: &Option<Platform>) -> bool {
    p.as_ref()
        .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
}

fn plans_for_leaves(
    fetcher: &dyn Fetcher,
    store: Arc<dyn BlobStore>,
    leaves: Vec<(Option<Platform>, Descriptor)>,
    selection: &Selection,
    reference: &str,
    source_kind: &'static str,
) -> Result<Vec<ImagePlan>, SourceError> {
    let place = fetcher.describe();
    let leaves: Vec<_> = leaves
        .into_iter()
        .filter(|(p, _)| !is_attestation(p))
        .collect();
    let chosen: Vec<&Descriptor> = if leaves.len() <= 1 && selection.platform.is_none() {
        leaves.iter().map(|(_, d)| d).collect()
    } else if selection.all_platforms {
        leaves.iter().map(|(_, d)| d).collect()
    } else {
        let wanted = selection
            .platform
            .clone()
            .unwrap_or_else(Platform::linux_amd64);
        let hit = leaves
            .iter()
            .find(|(p, _)| p.as_ref().is_some_and(|p| p.matches(&wanted)));
        match hit {
            Some((_, d)) => vec![d],
            // A single image without platform info on its descriptor: its
            // config says which platform it is; checked after loading.
            None if leaves.len() == 1 => leaves.iter().map(|(_, d)| d).collect(),
            None => {
                let available: Vec<String> = leaves
                    .iter()
                    .map(|(p, _)| {
                        p.as_ref()
                            .map_or_else(|| "unknown".into(), Platform::to_string)
                    })
                    .collect();
                return Err(SourceError::PlatformNotFound {
                    place,
                    wanted: wanted.to_string(),
                    available: available.join(", "),
                });
            }
        }
    };
    let mut plans = Vec::new();
    for d in chosen {
        let plan = plan_for_manifest(fetcher, Arc::clone(&store), d, reference, source_kind)?;
        if let (Some(wanted), Some(actual)) = (&selection.platform, &plan.config.platform)
            && !actual.matches(wanted)
        {
            return Err(SourceError::PlatformNotFound {
                place,
                wanted: wanted.to_string(),
                available: actual.to_string(),
            });
        }
        plans.push(plan);
    }
    Ok(plans)
}

fn plan_for_manifest(
    fetcher: &dyn Fetcher,
    store: Arc<dyn BlobStore>,
    d: &Descriptor,
    reference: &str,
    source_kind: &'static str,
) -> Result<ImagePlan, SourceError> {
    let place = fetcher.describe();
    let (manifest_digest, bytes) = fetcher.manifest(d, "image manifest")?;
    let m: Manifest = parse_json(&bytes, "image manifest", manifest_digest.as_str())?;
    if m.schema_version == Some(1) {
        return Err(SourceError::UnsupportedSchema1 {
            reference: place,
            digest: manifest_digest.to_string(),
        });
    }
    let config_desc = m.config.ok_or_else(|| SourceError::Invalid {
        place: place.clone(),
        reason: format!(
            "manifest {manifest_digest} ({}) has no config",
            m.media_type.unwrap_or_default()
        ),
    })?;
    let (config_digest, config_bytes) = fetcher.config(&config_desc)?;
    let raw: RawConfig = parse_json(&config_bytes, "image config", config_digest.as_str())?;
    let config = raw.into_config(&format!("{place} config {config_digest}"))?;
    let mut layers = Vec::with_capacity(m.layers.len());
    for (index, l) in m.layers.iter().enumerate() {
        let digest = digest_of(l, &place)?;
        layers.push(LayerDesc {
            index,
            digest: Some(digest.clone()),
            diff_id: config.diff_ids.get(index).cloned(),
            media_type: l.media_type.clone(),
            size: l.size,
            locator: BlobLocator::Digest(digest),
        });
    }
    if !config.diff_ids.is_empty() && config.diff_ids.len() != layers.len() {
        return Err(SourceError::Invalid {
            place,
            reason: format!(
                "config {config_digest} lists {} diff_ids but manifest {manifest_digest} has {} layers",
                config.diff_ids.len(),
                layers.len()
            ),
        });
    }
    Ok(ImagePlan {
        reference: reference.to_string(),
        source_kind,
        manifest_digest: Some(manifest_digest),
        config_digest: Some(config_digest),
        config,
        content: Content::Layers { layers, store },
    })
}
