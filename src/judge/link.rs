//! Finding the file a `DT_NEEDED` name loads, the way glibc's ld.so does:
//! DT_RPATH (when there is no DT_RUNPATH), LD_LIBRARY_PATH from the image
//! Env, DT_RUNPATH, the directories of /etc/ld.so.conf (with its includes),
//! then the default directories. Everything is looked up in the squashed
//! image view; nothing on the host is consulted.

use std::collections::BTreeSet;

use crate::detect::{ElfFacts, FileFacts};
use crate::image::ImageConfig;
use crate::layer::path;
use crate::layer::squash::{FsView, ViewNode};

/// Trusted directories ld.so searches last. Debian and Ubuntu add the
/// multiarch directories through ld.so.conf.d, but images built without
/// libc6's config still load from them, so they are searched too.
const DEFAULT_DIRS: &[&str] = &[
    "lib",
    "usr/lib",
    "lib64",
    "usr/lib64",
    "usr/local/lib",
    "lib/x86_64-linux-gnu",
    "usr/lib/x86_64-linux-gnu",
    "lib/aarch64-linux-gnu",
    "usr/lib/aarch64-linux-gnu",
    "lib/i386-linux-gnu",
    "usr/lib/i386-linux-gnu",
];
/// `include` nesting in ld.so.conf beyond this is a loop.
const MAX_INCLUDE_DEPTH: usize = 8;
/// Bounds for the dependency closure of one program.
const MAX_CLOSURE: usize = 256;

pub struct Linker<'a> {
    view: &'a FsView,
    ld_library_path: Vec<String>,
    conf_dirs: Vec<String>,
}

/// A resolved library.
#[derive(Clone, Copy)]
pub struct Lib<'a> {
    pub path: &'a str,
    pub node: &'a ViewNode,
    pub facts: &'a ElfFacts,
}

pub fn elf_facts(node: &ViewNode) -> Option<&ElfFacts> {
    match node.node.facts.as_deref() {
        Some(FileFacts::Elf(f)) => Some(f),
        _ => None,
    }
}

/// `*` and `?` globbing on one path component, enough for ld.so.conf includes.
fn glob_match(pattern: &str, name: &str) -> bool {
    fn rec(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => {
                rec(p.get(1..).unwrap_or(&[]), n)
                    || (!n.is_empty() && rec(p, n.get(1..).unwrap_or(&[])))
            }
            (Some(b'?'), Some(_)) => rec(p.get(1..).unwrap_or(&[]), n.get(1..).unwrap_or(&[])),
            (Some(a), Some(b)) if a == b => {
                rec(p.get(1..).unwrap_or(&[]), n.get(1..).unwrap_or(&[]))
            }
            _ => false,
        }
    }
    // Bound the work: names and patterns in ld.so.conf are short.
    pattern.len() <= 256 && name.len() <= 256 && rec(pattern.as_bytes(), name.as_bytes())
}

fn parse_ld_conf(
    view: &FsView,
    file: &str,
    depth: usize,
    out: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
) {
    if depth > MAX_INCLUDE_DEPTH || !seen.insert(file.to_string()) {
        return;
    }
    let Some(text) = view.text(file) else {
        return;
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(pattern) = line
            .strip_prefix("include")
            .filter(|r| r.starts_with([' ', '\t']))
        {
            for pat in pattern.split_whitespace() {
                let pat = if pat.starts_with('/') {
                    pat.to_string()
                } else {
                    path::join(path::parent(file), pat)
                };
                let Some(pat) = path::normalise(&pat).0 else {
                    continue;
                };
                let (dir, name_pat) = (path::parent(&pat), path::file_name(&pat));
                let files: Vec<String> = view
                    .nodes
                    .range(format!("{dir}/")..format!("{dir}0"))
                    .map(|(k, _)| k)
                    .filter(|k| path::parent(k) == dir && glob_match(name_pat, path::file_name(k)))
                    .cloned()
                    .collect();
                for f in files {
                    parse_ld_conf(view, &f, depth + 1, out, seen);
                }
            }
        } else if !line.starts_with("hwcap") {
            for dir in line.split([':', ',', ' ', '\t']).filter(|d| !d.is_empty()) {
                if let Some(d) = path::normalise(dir).0 {
                    out.push(d);
                }
            }
        }
    }
}

impl<'a> Linker<'a> {
    pub fn new(view: &'a FsView, config: &ImageConfig) -> Linker<'a> {
        let mut conf_dirs = Vec::new();
        parse_ld_conf(
            view,
            "etc/ld.so.conf",
            0,
            &mut conf_dirs,
            &mut BTreeSet::new(),
        );
        // Images without /etc/ld.so.conf still carry ld.so.conf.d files.
        let mut seen = BTreeSet::new();
        let snippets: Vec<String> = view
            .nodes
            .range("etc/ld.so.conf.d/".to_string().."etc/ld.so.conf.d0".to_string())
            .map(|(k, _)| k.clone())
            .filter(|k| k.ends_with(".conf"))
            .collect();
        for s in snippets {
            parse_ld_conf(view, &s, 1, &mut conf_dirs, &mut seen);
        }
        let ld_library_path = config
            .env_var("LD_LIBRARY_PATH")
            .map(|v| {
                v.split(':')
                    .filter_map(|d| path::normalise(d).0)
                    .filter(|d| !d.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Linker {
            view,
            ld_library_path,
            conf_dirs,
        }
    }

    fn expand_origin(dir: &str, object_path: &str) -> Option<String> {
        let origin = format!("/{}", path::parent(object_path));
        let expanded = dir
            .replace("${ORIGIN}", &origin)
            .replace("$ORIGIN", &origin);
        path::normalise(&expanded).0
    }

    /// Resolves `name` needed by the object at `from_path`. Only a library
    /// of the same ELF class and machine is taken, as ld.so does.
    pub fn resolve(&self, from_path: &str, from: &ElfFacts, name: &str) -> Option<Lib<'a>> {
        if name.contains('/') {
            return self.candidate(&path::normalise(name).0?, from);
        }
        let object_dirs = |list: &[String]| -> Vec<String> {
            list.iter()
                .filter_map(|d| Self::expand_origin(d, from_path))
                .collect()
        };
        let mut dirs: Vec<String> = Vec::new();
        if from.runpath.is_empty() {
            dirs.extend(object_dirs(&from.rpath));
        }
        dirs.extend(self.ld_library_path.iter().cloned());
        dirs.extend(object_dirs(&from.runpath));
        dirs.extend(self.conf_dirs.iter().cloned());
        dirs.extend(DEFAULT_DIRS.iter().map(|d| (*d).to_string()));
        dirs.iter()
            .find_map(|d| self.candidate(&path::join(d, name), from))
    }

    fn candidate(&self, p: &str, from: &ElfFacts) -> Option<Lib<'a>> {
        let (resolved, node) = self.view.resolve(p)?;
        let facts = elf_facts(node)?;
        if facts.bits != from.bits || facts.machine != from.machine {
            return None;
        }
        // `resolved` borrows a key of the view, which lives as long as 'a.
        let (key, node) = self.view.nodes.get_key_value(&resolved)?;
        Some(Lib {
            path: key.as_str(),
            node,
            facts,
        })
    }

    /// Every library `root` loads, directly or not, breadth-first (bounded).
    pub fn closure(&self, root_path: &str, root: &ElfFacts) -> Vec<Lib<'a>> {
        let mut out: Vec<Lib<'a>> = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut queue: Vec<(String, &ElfFacts)> = vec![(root_path.to_string(), root)];
        let mut next = 0;
        while let Some((p, facts)) = queue.get(next).cloned() {
            next += 1;
            for name in &facts.needed {
                if let Some(lib) = self.resolve(&p, facts, name)
                    && seen.insert(lib.path)
                    && out.len() < MAX_CLOSURE
                {
                    out.push(lib);
                    queue.push((lib.path.to_string(), lib.facts));
                }
            }
        }
        out
    }

    /// The library `dlopen(name)` would load from a program with no
    /// RPATH/RUNPATH of its own (how OpenSSL-backed Go and .NET load libcrypto).
    pub fn dlopen(&self, name: &str, bits: u8, machine: &str) -> Option<Lib<'a>> {
        let probe = ElfFacts {
            bits,
            machine: machine.to_string(),
            kind: crate::detect::elf::ElfKind::Executable,
            ..Default::default()
        };
        self.resolve("", &probe, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globbing() {
        assert!(glob_match("*.conf", "x86_64-linux-gnu.conf"));
        assert!(!glob_match("*.conf", "x.conf.bak"));
        assert!(glob_match("lib?.conf", "libc.conf"));
    }

    #[test]
    fn origin_expansion() {
        assert_eq!(
            Linker::expand_origin("$ORIGIN/../lib", "opt/app/bin/app").as_deref(),
            Some("opt/app/lib")
        );
        assert_eq!(
            Linker::expand_origin("${ORIGIN}", "opt/app/bin/app").as_deref(),
            Some("opt/app/bin")
        );
    }
}
