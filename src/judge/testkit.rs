//! Test support: in-memory images as the judges see them (an `FsView` of
//! ELF facts and kept texts), so judgement tests state only what differs.

use std::sync::Arc;

use super::link::Lib;
use crate::detect::elf::ElfKind;
use crate::detect::openssl::{DistroFips, OpensslText};
use crate::detect::{ElfFacts, FileFacts};
use crate::image::ImageConfig;
use crate::layer::squash::{FsView, ViewNode};
use crate::layer::{Node, NodeKind};

/// A regular file in the bottom layer, with the facts detect kept of it.
pub fn file(f: Option<FileFacts>) -> ViewNode {
    ViewNode {
        node: Node {
            kind: NodeKind::File,
            size: 1,
            mode: 0o755,
            facts: f.map(Arc::new),
        },
        layer: 0,
    }
}

/// A 64-bit x86-64 shared object.
pub fn elf(soname: Option<&str>, openssl: Option<OpensslText>) -> FileFacts {
    FileFacts::Elf(Box::new(ElfFacts {
        bits: 64,
        machine: "x86_64".into(),
        kind: ElfKind::SharedObject,
        soname: soname.map(str::to_string),
        openssl,
        ..Default::default()
    }))
}

/// A kept text file (configs, os-release, switch files).
pub fn text(t: &str) -> ViewNode {
    file(Some(FileFacts::Text { text: t.into() }))
}

/// What detect reads from an OpenSSL 3 libcrypto.
pub fn libcrypto_text(
    text: &str,
    openssldir: &str,
    modulesdir: &str,
    distro: DistroFips,
) -> OpensslText {
    OpensslText {
        text: text.into(),
        version: text.split(' ').nth(1).unwrap_or_default().into(),
        fips_build: false,
        openssldir: Some(openssldir.into()),
        modulesdir: Some(modulesdir.into()),
        provider_name: None,
        provider_version: None,
        distro,
    }
}

/// One layer holding `nodes`.
pub fn view(nodes: Vec<(String, ViewNode)>) -> FsView {
    FsView {
        nodes: nodes.into_iter().collect(),
        layer_ids: vec!["sha256:layer0".into()],
    }
}

/// The ELF at image path `path` of `view`.
pub fn lib<'v>(view: &'v FsView, path: &str) -> Lib<'v> {
    let (key, vnode) = view.nodes.get_key_value(path).expect("no such file");
    let Some(FileFacts::Elf(facts)) = vnode.node.facts.as_deref() else {
        panic!("{path} is not an ELF")
    };
    Lib {
        path: key,
        node: vnode,
        facts,
    }
}

/// An image config with this Env.
pub fn config(env: &[&str]) -> ImageConfig {
    ImageConfig {
        env: env.iter().map(|e| (*e).to_string()).collect(),
        ..Default::default()
    }
}
