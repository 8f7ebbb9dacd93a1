//! Reading one layer: a single streamed pass over the (decompressed) tar
//! that records a path index, whiteouts and opaque directories, and lets the
//! detectors read the files they want (bounded). Nothing is written to disk.

pub mod decompress;
pub mod path;
mod rootfs;
pub mod squash;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::Arc;

use serde::Serialize;

use crate::detect::{self, FileFacts};
use crate::finding::{Code, Finding};
use crate::image::{Compression, LayerDesc};
use path::PathIssue;

pub use rootfs::scan_rootfs;

/// Bounds that keep hostile layers from costing unbounded memory or time.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file a detector reads into memory.
    pub max_file_bytes: u64,
    /// Most decompressed bytes read from one layer.
    pub max_layer_bytes: u64,
    /// Most tar entries read from one layer.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 512 << 20,
            max_layer_bytes: 64 << 30,
            max_entries: 5_000_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    File,
    Dir,
    /// Target as written in the image.
    Symlink(String),
    /// Normalised image path of the target.
    Hardlink(String),
    Other,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub size: u64,
    pub mode: u32,
    pub facts: Option<Arc<FileFacts>>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerStats {
    pub blob_bytes: u64,
    pub uncompressed_bytes: u64,
    pub entries: u64,
    pub files_inspected: u64,
    pub bytes_inspected: u64,
}

/// What one layer contributes, before whiteouts of upper layers apply.
#[derive(Debug, Clone, Default)]
pub struct LayerScan {
    /// Blob digest (or diff_id) used to name the layer in evidence.
    pub id: String,
    pub nodes: BTreeMap<String, Node>,
    /// Paths this layer deletes from the layers below.
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer content this layer hides.
    pub opaque_dirs: Vec<String>,
    pub findings: Vec<Finding>,
    pub stats: LayerStats,
    pub compression: Option<Compression>,
    /// The layer's results are not trustworthy (unreadable, digest wrong):
    /// its nodes were dropped and a finding says why.
    pub failed: bool,
}

impl LayerScan {
    fn new(id: String) -> Self {
        LayerScan {
            id,
            ..Default::default()
        }
    }

    fn finding(&mut self, f: Finding) {
        self.findings.push(f.in_layer(self.id.clone()));
    }

    /// Drops everything the layer said about files: used when its bytes
    /// cannot be trusted.
    fn fail(&mut self, f: Finding) {
        self.nodes.clear();
        self.whiteouts.clear();
        self.opaque_dirs.clear();
        self.failed = true;
        self.finding(f);
    }

    /// Records one entry: whiteout markers become deletions, everything else
    /// a node. `read` is called only for regular files.
    pub(crate) fn add_entry(
        &mut self,
        raw_name: &str,
        kind: NodeKind,
        size: u64,
        mode: u32,
        limits: &Limits,
        read: &mut dyn Read,
    ) -> io::Result<()> {
        self.stats.entries += 1;
        let (normalised, issue) = path::normalise(raw_name);
        match issue {
            Some(PathIssue::Escapes) => {
                self.finding(
                    Finding::new(
                        Code::TarPathEscape,
                        format!("tar entry {raw_name:?} climbs above the image root; ignored"),
                    ), // no path: the name has no place inside the image
                );
                return Ok(());
            }
            Some(PathIssue::Absolute) => self.finding(
                Finding::new(
                    Code::TarAbsolutePath,
                    format!("tar entry {raw_name:?} has an absolute name"),
                )
                .at(raw_name),
            ),
            None => {}
        }
        let Some(p) = normalised.filter(|p| !p.is_empty()) else {
            return Ok(()); // the root itself
        };
        let name = path::file_name(&p);
        if name == ".wh..wh..opq" {
            self.opaque_dirs.push(path::parent(&p).to_string());
            return Ok(());
        }
        if let Some(deleted) = name.strip_prefix(".wh.") {
            // `.wh..wh.*` other than .opq are AUFS bookkeeping, not deletions.
            if !deleted.starts_with(".wh.") {
                self.whiteouts.push(path::join(path::parent(&p), deleted));
            }
            return Ok(());
        }
        let kind = match kind {
            NodeKind::Hardlink(target) => match path::normalise(&target) {
                (Some(t), _) if !t.is_empty() => NodeKind::Hardlink(t),
                _ => {
                    self.finding(
                        Finding::new(
                            Code::HardlinkMissingTarget,
                            format!("hardlink to {target:?} leaves the image root"),
                        )
                        .at(&p),
                    );
                    NodeKind::Other
                }
            },
            NodeKind::Symlink(target) => {
                if path::link_escapes(&p, &target) {
                    self.finding(
                        Finding::new(
                            Code::SymlinkEscapesRoot,
                            format!("symlink to {target:?} climbs above the image root; resolved inside it"),
                        )
                        .at(&p),
                    );
                }
                NodeKind::Symlink(target)
            }
            other => other,
        };
        let mut facts = None;
        if kind == NodeKind::File {
            let inspected = detect::inspect(&p, size, read, limits)?;
            if inspected.read_bytes > 0 {
                self.stats.files_inspected += 1;
                self.stats.bytes_inspected += inspected.read_bytes;
            }
            for f in inspected.findings {
                self.finding(f);
            }
            facts = inspected.facts.map(Arc::new);
        }
        self.nodes.insert(
            p,
            Node {
                kind,
                size,
                mode,
                facts,
            },
        );
        Ok(())
    }
}

/// Streams one layer blob through decompression and the tar walk, then
/// verifies its digests. Never fails: problems become findings.
pub fn scan_layer(desc: &LayerDesc, blob: Box<dyn Read + Send>, limits: &Limits) -> LayerScan {
    let mut scan = LayerScan::new(desc.id());
    let mut opened = match decompress::open(blob, &desc.media_type, limits.max_layer_bytes) {
        Ok(o) => o,
        Err(e) => {
            scan.fail(Finding::new(
                Code::LayerUnreadable,
                format!("layer {} cannot be opened: {e}", desc.id()),
            ));
            return scan;
        }
    };
    scan.compression = Some(opened.compression);
    if let Some(note) = opened.mismatch_note.take() {
        scan.finding(Finding::new(Code::LayerMediaTypeMismatch, note));
    }
    let walked = walk_tar(&mut scan, &mut opened.tar, limits);
    let bound_hit = opened.tar.hit;
    let stream_error = match walked {
        Ok(()) => opened.finish().err(),
        Err(_) if bound_hit => opened.finish().err(),
        Err(e) => Some(e),
    };
    scan.stats.blob_bytes = opened.blob_bytes();
    scan.stats.uncompressed_bytes = opened.uncompressed_bytes();
    if let Some(e) = stream_error {
        scan.fail(Finding::new(
            Code::LayerUnreadable,
            format!(
                "layer {} is corrupt or truncated after {} blob bytes ({} entries read): {e}",
                desc.id(),
                scan.stats.blob_bytes,
                scan.stats.entries
            ),
        ));
        return scan;
    }
    verify_digests(&mut scan, desc, &opened, bound_hit);
    if bound_hit && !scan.failed {
        scan.finding(Finding::new(
            Code::LayerSizeLimit,
            format!(
                "layer {} decompressed past {} bytes (--max-layer-bytes); entries after that point were not read",
                desc.id(),
                limits.max_layer_bytes
            ),
        ));
    }
    scan
}

fn verify_digests(
    scan: &mut LayerScan,
    desc: &LayerDesc,
    opened: &decompress::Opened,
    bound_hit: bool,
) {
    let blob = opened.blob_digest();
    if let Some(expected) = &desc.digest
        && &blob != expected
    {
        scan.fail(Finding::new(
            Code::LayerDigestMismatch,
            format!("layer blob {expected} hashes to {blob}: it was altered or corrupted; its files were not trusted"),
        ));
        return;
    }
    // Past a size bound the uncompressed stream was not read to its end, so
    // only the blob digest can be checked.
    if bound_hit {
        return;
    }
    let diff_id = if opened.compression == Compression::None {
        blob
    } else {
        opened.diff_id()
    };
    if let Some(expected) = &desc.diff_id
        && &diff_id != expected
    {
        scan.fail(Finding::new(
            Code::LayerDiffIdMismatch,
            format!(
                "layer {} uncompresses to {diff_id}, but the config's diff_id is {expected}",
                desc.id()
            ),
        ));
    }
}

fn walk_tar(scan: &mut LayerScan, stream: &mut dyn Read, limits: &Limits) -> io::Result<()> {
    let mut archive = tar::Archive::new(stream);
    for entry in archive.entries()? {
        if scan.stats.entries >= limits.max_entries {
            scan.finding(Finding::new(
                Code::LayerEntryLimit,
                format!(
                    "more than {} entries (--max-entries); the rest were not read",
                    limits.max_entries
                ),
            ));
            break;
        }
        let mut entry = entry?;
        let header = entry.header();
        let size = header.size().unwrap_or(0);
        let mode = header.mode().unwrap_or(0);
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => NodeKind::File,
            tar::EntryType::Directory => NodeKind::Dir,
            tar::EntryType::Symlink => NodeKind::Symlink(link_name(&entry)),
            tar::EntryType::Link => NodeKind::Hardlink(link_name(&entry)),
            // PAX and GNU long-name records are consumed by `entries()`.
            _ => NodeKind::Other,
        };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        scan.add_entry(&name, kind, size, mode, limits, &mut entry)?;
    }
    Ok(())
}

fn link_name(entry: &tar::Entry<'_, &mut dyn Read>) -> String {
    entry
        .link_name_bytes()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

impl LayerScan {
    /// A layer that could not even be opened.
    pub fn unreadable(id: String, finding: Finding) -> LayerScan {
        let mut scan = LayerScan::new(id);
        scan.fail(finding);
        scan
    }
}
