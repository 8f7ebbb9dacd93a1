//! A root filesystem folder walked as if it were one layer. Symlinks are
//! recorded, never followed, so the walk cannot leave the folder.

use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use super::{LayerScan, Limits, NodeKind};
use crate::finding::{Code, Finding};

/// Deeper trees than this are loops or attacks, not filesystems.
const MAX_DEPTH: usize = 256;

pub fn scan_rootfs(root: &Path, limits: &Limits) -> LayerScan {
    let mut scan = LayerScan::new(format!("dir:{}", root.display()));
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, rel, depth)) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                scan.finding(
                    Finding::new(
                        Code::Unscannable,
                        format!("cannot list {}: {e}", dir.display()),
                    )
                    .at(&rel),
                );
                continue;
            }
        };
        let mut names: Vec<_> = entries.filter_map(Result::ok).collect();
        names.sort_by_key(|e| e.file_name());
        for entry in names {
            if scan.stats.entries >= limits.max_entries {
                scan.finding(Finding::new(
                    Code::LayerEntryLimit,
                    format!("more than {} entries", limits.max_entries),
                ));
                return scan;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let image_path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let host_path = entry.path();
            if let Err(e) = add_host_entry(
                &mut scan,
                &host_path,
                &image_path,
                limits,
                depth,
                &mut stack,
            ) {
                scan.finding(
                    Finding::new(
                        Code::Unscannable,
                        format!("cannot read {}: {e}", host_path.display()),
                    )
                    .at(&image_path),
                );
            }
        }
    }
    scan
}

fn add_host_entry(
    scan: &mut LayerScan,
    host_path: &Path,
    image_path: &str,
    limits: &Limits,
    depth: usize,
    stack: &mut Vec<(std::path::PathBuf, String, usize)>,
) -> io::Result<()> {
    let meta = fs::symlink_metadata(host_path)?;
    let ft = meta.file_type();
    let (kind, size) = if ft.is_dir() {
        if depth < MAX_DEPTH {
            stack.push((host_path.to_path_buf(), image_path.to_string(), depth + 1));
        }
        (NodeKind::Dir, 0)
    } else if ft.is_symlink() {
        let target = fs::read_link(host_path)?;
        (NodeKind::Symlink(target.to_string_lossy().into_owned()), 0)
    } else if ft.is_file() {
        (NodeKind::File, meta.len())
    } else if ft.is_fifo() || ft.is_socket() || ft.is_block_device() || ft.is_char_device() {
        // Opening a FIFO would block: never read special files.
        (NodeKind::Other, 0)
    } else {
        (NodeKind::Other, 0)
    };
    if kind == NodeKind::File {
        let mut file = fs::File::open(host_path)?;
        scan.add_entry(image_path, kind, size, meta.mode(), limits, &mut file)
    } else {
        scan.add_entry(
            image_path,
            kind,
            size,
            meta.mode(),
            limits,
            &mut io::empty(),
        )
    }
}
