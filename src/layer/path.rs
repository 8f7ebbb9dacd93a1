//! Normalisation of paths found in layer tars. Paths are kept as strings
//! relative to the image root and are never joined onto a host path.

/// Why a tar member's name was not taken as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathIssue {
    /// `/abs/name`: taken relative to the image root, as container runtimes do.
    Absolute,
    /// `..` climbs above the image root: the entry is dropped.
    Escapes,
}

/// Returns the normalised path (no leading `/`, no `.` or `..`, no empty
/// parts; `""` is the root itself) and what was wrong with the raw name.
pub fn normalise(raw: &str) -> (Option<String>, Option<PathIssue>) {
    let issue = raw.starts_with('/').then_some(PathIssue::Absolute);
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return (None, Some(PathIssue::Escapes));
                }
            }
            p => parts.push(p),
        }
    }
    (Some(parts.join("/")), issue)
}

/// Resolves a symlink target found at `link_path` into an image path,
/// clamped at the image root the way chroot would (`..` at the root stays
/// at the root), so a link can never point outside the image.
pub fn resolve_link_target(link_path: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        parent(link_path)
            .split('/')
            .filter(|p| !p.is_empty())
            .collect()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// True when the link target would climb above the root if followed from
/// `link_path` outside a chroot: worth reporting, though we clamp it.
pub fn link_escapes(link_path: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth = parent(link_path)
        .split('/')
        .filter(|p| !p.is_empty())
        .count() as i64;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

pub fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, n)| n)
}

pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_flags() {
        assert_eq!(normalise("./usr/bin/x"), (Some("usr/bin/x".into()), None));
        assert_eq!(
            normalise("/abs/evil"),
            (Some("abs/evil".into()), Some(PathIssue::Absolute))
        );
        assert_eq!(normalise("a/../b//c/"), (Some("b/c".into()), None));
        assert_eq!(normalise("../../escape"), (None, Some(PathIssue::Escapes)));
        assert_eq!(normalise("a/../../x"), (None, Some(PathIssue::Escapes)));
        assert_eq!(normalise("./"), (Some(String::new()), None));
    }

    #[test]
    fn links_are_clamped_to_the_root() {
        assert_eq!(
            resolve_link_target("app/out", "../../../../../etc/passwd"),
            "etc/passwd"
        );
        assert!(link_escapes("app/out", "../../../../../etc/passwd"));
        assert_eq!(
            resolve_link_target("usr/lib/libcrypto.so", "x86_64/libcrypto.so.3"),
            "usr/lib/x86_64/libcrypto.so.3"
        );
        assert_eq!(
            resolve_link_target("lib64/ld.so", "/lib/x86_64-linux-gnu/ld.so"),
            "lib/x86_64-linux-gnu/ld.so"
        );
        assert!(!link_escapes("usr/lib/a", "../lib/b"));
    }
}
