//! Applying layers in order: whiteouts and opaque directories of an upper
//! layer hide lower content, and a later entry replaces an earlier one. Only
//! the path indexes are merged; no filesystem is ever built.

use std::collections::BTreeMap;

use super::{LayerScan, Node, NodeKind, path};

/// A path in the final image and the layer it comes from.
#[derive(Debug, Clone)]
pub struct ViewNode {
    pub node: Node,
    /// Index into the layer list.
    pub layer: usize,
}

#[derive(Debug, Default)]
pub struct FsView {
    pub nodes: BTreeMap<String, ViewNode>,
    /// Layer ids, bottom first, for naming evidence.
    pub layer_ids: Vec<String>,
}

/// All keys strictly below `dir` ("" = the root). `'0'` follows `'/'` in
/// byte order, so `dir/`..`dir0` is exactly the subtree.
fn remove_subtree(nodes: &mut BTreeMap<String, ViewNode>, dir: &str, below_layer: usize) {
    let keys: Vec<String> = if dir.is_empty() {
        nodes.keys().cloned().collect()
    } else {
        nodes
            .range(format!("{dir}/")..format!("{dir}0"))
            .map(|(k, _)| k.clone())
            .collect()
    };
    for k in keys {
        if nodes.get(&k).is_some_and(|n| n.layer < below_layer) {
            nodes.remove(&k);
        }
    }
}

pub fn squash(layers: Vec<LayerScan>) -> FsView {
    let mut view = FsView::default();
    for (index, layer) in layers.into_iter().enumerate() {
        view.layer_ids.push(layer.id);
        for dir in &layer.opaque_dirs {
            remove_subtree(&mut view.nodes, dir, index);
        }
        for gone in &layer.whiteouts {
            if view.nodes.get(gone).is_some_and(|n| n.layer < index) {
                view.nodes.remove(gone);
            }
            remove_subtree(&mut view.nodes, gone, index);
        }
        for (p, node) in layer.nodes {
            // A non-directory replacing a directory takes its subtree with it.
            if node.kind != NodeKind::Dir
                && view
                    .nodes
                    .get(&p)
                    .is_some_and(|old| old.node.kind == NodeKind::Dir)
            {
                remove_subtree(&mut view.nodes, &p, index);
            }
            view.nodes.insert(p, ViewNode { node, layer: index });
        }
    }
    view
}

/// How many symlinks one lookup may follow, as Linux's ELOOP limit.
const MAX_LINK_HOPS: usize = 40;

impl FsView {
    /// Resolves `p` (an image path) through symlinks in every component,
    /// clamped to the image root; hardlinks are followed to their target.
    /// Returns the final path and its node.
    pub fn resolve(&self, p: &str) -> Option<(String, &ViewNode)> {
        let mut hops = 0;
        let mut current = path::normalise(p).0?;
        'restart: loop {
            let mut resolved = String::new();
            let parts: Vec<&str> = current.split('/').filter(|s| !s.is_empty()).collect();
            for (i, part) in parts.iter().enumerate() {
                let candidate = path::join(&resolved, part);
                match self.nodes.get(&candidate).map(|n| &n.node.kind) {
                    Some(NodeKind::Symlink(target)) => {
                        hops += 1;
                        if hops > MAX_LINK_HOPS {
                            return None;
                        }
                        let mut next = path::resolve_link_target(&candidate, target);
                        for rest in parts.iter().skip(i + 1) {
                            next = path::join(&next, rest);
                        }
                        current = next;
                        continue 'restart;
                    }
                    Some(NodeKind::Hardlink(target)) if i + 1 == parts.len() => {
                        hops += 1;
                        if hops > MAX_LINK_HOPS {
                            return None;
                        }
                        current = target.clone();
                        continue 'restart;
                    }
                    Some(_) => resolved = candidate,
                    // Parent directories are often implicit in layer tars.
                    None if i + 1 < parts.len() => resolved = candidate,
                    None => return None,
                }
            }
            let node = self.nodes.get(&resolved)?;
            return Some((resolved, node));
        }
    }

    /// The content of the kept text file at `p` (symlinks followed), e.g.
    /// os-release, ld.so.conf, an .hmac file (see `detect::wants_text`).
    pub fn text(&self, p: &str) -> Option<&str> {
        match self.resolve(p)?.1.node.facts.as_deref() {
            Some(crate::detect::FileFacts::Text { text }) => Some(text),
            _ => None,
        }
    }

    pub fn layer_id(&self, index: usize) -> &str {
        self.layer_ids.get(index).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Node {
        Node {
            kind: NodeKind::File,
            size: 1,
            mode: 0o755,
            facts: None,
        }
    }
    fn layer(id: &str, files: &[&str]) -> LayerScan {
        let mut l = LayerScan::new(id.into());
        for f in files {
            l.nodes.insert((*f).into(), file());
        }
        l
    }

    #[test]
    fn whiteout_and_opaque() {
        let mut top = layer("b", &["opt/tools/new"]);
        top.whiteouts.push("usr/bin/legacy".into());
        top.opaque_dirs.push("opt/tools".into());
        let view = squash(vec![
            layer(
                "a",
                &[
                    "usr/bin/legacy",
                    "usr/bin/keep",
                    "opt/tools/old",
                    "opt/tools/sub/older",
                    "opt/toolsx",
                ],
            ),
            top,
        ]);
        let paths: Vec<&str> = view.nodes.keys().map(String::as_str).collect();
        assert_eq!(paths, ["opt/tools/new", "opt/toolsx", "usr/bin/keep"]);
        assert_eq!(view.nodes["opt/tools/new"].layer, 1);
    }

    #[test]
    fn whiteout_of_a_directory_removes_its_subtree() {
        let mut top = layer("b", &[]);
        top.whiteouts.push("etc/ssl".into());
        let view = squash(vec![
            layer("a", &["etc/ssl/openssl.cnf", "etc/ssl/certs/x", "etc/ssl2"]),
            top,
        ]);
        assert_eq!(view.nodes.keys().collect::<Vec<_>>(), ["etc/ssl2"]);
    }

    #[test]
    fn same_layer_whiteout_does_not_hide_own_files() {
        let mut l = layer("a", &["x/y"]);
        l.opaque_dirs.push("x".into());
        let view = squash(vec![l]);
        assert!(view.nodes.contains_key("x/y"));
    }

    #[test]
    fn resolve_follows_links_inside_root() {
        let mut l = layer(
            "a",
            &["usr/lib/x86_64-linux-gnu/libcrypto.so.3", "etc/passwd"],
        );
        l.nodes.insert(
            "lib".into(),
            Node {
                kind: NodeKind::Symlink("usr/lib".into()),
                ..file()
            },
        );
        l.nodes.insert(
            "usr/lib/x86_64-linux-gnu/libcrypto.so".into(),
            Node {
                kind: NodeKind::Symlink("libcrypto.so.3".into()),
                ..file()
            },
        );
        l.nodes.insert(
            "app/out".into(),
            Node {
                kind: NodeKind::Symlink("../../../../etc/passwd".into()),
                ..file()
            },
        );
        l.nodes.insert(
            "loop".into(),
            Node {
                kind: NodeKind::Symlink("loop".into()),
                ..file()
            },
        );
        l.nodes.insert(
            "hl".into(),
            Node {
                kind: NodeKind::Hardlink("etc/passwd".into()),
                ..file()
            },
        );
        let view = squash(vec![l]);
        assert_eq!(
            view.resolve("/lib/x86_64-linux-gnu/libcrypto.so")
                .unwrap()
                .0,
            "usr/lib/x86_64-linux-gnu/libcrypto.so.3"
        );
        assert_eq!(view.resolve("app/out").unwrap().0, "etc/passwd");
        assert_eq!(view.resolve("hl").unwrap().0, "etc/passwd");
        assert!(view.resolve("loop").is_none());
        assert!(view.resolve("nope").is_none());
    }
}
