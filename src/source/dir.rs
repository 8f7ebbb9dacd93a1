//! A root filesystem folder on the host, scanned as a single layer.

use std::path::Path;

use super::SourceError;
use crate::image::{Content, ImageConfig, ImagePlan};

pub fn resolve(root: &Path, reference: &str) -> Result<Vec<ImagePlan>, SourceError> {
    let meta = std::fs::metadata(root).map_err(|source| SourceError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(SourceError::Invalid {
            place: root.display().to_string(),
            reason: "not a directory".into(),
        });
    }
    Ok(vec![ImagePlan {
        reference: reference.to_string(),
        source_kind: "dir",
        manifest_digest: None,
        config_digest: None,
        // A folder has no image config: no entrypoint, no Env.
        config: ImageConfig::default(),
        content: Content::Rootfs(root.to_path_buf()),
    }])
}
