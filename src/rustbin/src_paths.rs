//! Crates named by the source paths a stripped Rust binary still carries.
//!
//! `strip` removes `.symtab` (and with it ring's and aws-lc's prefixed C
//! symbols), and a plain `cargo build` writes no `.dep-v0`; what survives
//! are the panic locations rustc keeps for every reachable panic site:
//! `/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ring-0.17.14/src/...`.
//! A crate whose code is linked leaves its directory there, so the path
//! names the crate and its exact version (signatures: rust.source-path).
//! Dead code is dropped before linking, so a crate seen here is in the
//! binary; a crate *not* seen here may still be (C-only crates such as
//! aws-lc-fips-sys have no Rust panic sites).
//!
//! Only ELF files whose `.comment` says `rustc version` are searched (one
//! small section read), so C programs pay nothing.

use goblin::elf::Elf;
use memchr::memmem;

/// What cargo's registry checkout puts before `<crate>-<version>/`.
pub const REGISTRY_SRC: &[u8] = b"/registry/src/";
/// rustc's entry in the `.comment` section.
pub const RUSTC_COMMENT: &[u8] = b"rustc version ";
/// Largest `.comment` section read (real ones are a few hundred bytes).
const MAX_COMMENT: u64 = 64 << 10;
/// Most path hits examined in one file (a large binary has thousands).
const MAX_HITS: usize = 200_000;
/// Longest `<index dir>/<crate>-<version>` tail read after the marker.
const MAX_TAIL: usize = 200;

/// Whether rustc built (part of) this ELF file, from its `.comment` section.
pub fn built_by_rustc(elf: &Elf, data: &[u8]) -> bool {
    elf.section_headers
        .iter()
        .filter(|sh| elf.shdr_strtab.get_at(sh.sh_name) == Some(".comment"))
        .filter(|sh| sh.sh_type != goblin::elf::section_header::SHT_NOBITS)
        .filter(|sh| sh.sh_size <= MAX_COMMENT)
        .filter_map(|sh| {
            let start = usize::try_from(sh.sh_offset).ok()?;
            let end = start.checked_add(usize::try_from(sh.sh_size).ok()?)?;
            data.get(start..end)
        })
        .any(|bytes| memmem::find(bytes, RUSTC_COMMENT).is_some())
}

/// `ring-0.17.14` -> (`ring`, `0.17.14`); `md-5-0.10.6` -> (`md-5`,
/// `0.10.6`); `pkcs12-0.2.0-pre.0` -> (`pkcs12`, `0.2.0-pre.0`). The
/// version starts at the first `-` followed by `N.N.N`.
pub fn split_crate_dir(dir: &str) -> Option<(&str, &str)> {
    dir.match_indices('-').find_map(|(at, _)| {
        let (name, rest) = (dir.get(..at)?, dir.get(at + 1..)?);
        let mut parts = rest.splitn(3, '.');
        let numeric = |p: Option<&str>| {
            p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        let (major, minor) = (parts.next(), parts.next());
        let patch = parts.next().map(|p| {
            let n = p.bytes().take_while(u8::is_ascii_digit).count();
            p.get(..n).unwrap_or_default()
        });
        (!name.is_empty() && numeric(major) && numeric(minor) && numeric(patch))
            .then_some((name, rest))
    })
}

/// Every `(crate, version)` whose registry directory appears in `data`, in
/// first-seen order, without repeats.
pub fn crates_in(data: &[u8]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for at in memmem::find_iter(data, REGISTRY_SRC).take(MAX_HITS) {
        let Some(tail) = data.get(at + REGISTRY_SRC.len()..) else {
            break;
        };
        let tail = tail.get(..MAX_TAIL.min(tail.len())).unwrap_or_default();
        // <index dir>/<crate>-<version>/...
        let mut segments = tail.split(|&b| b == b'/');
        let (Some(_index), Some(dir), Some(_)) =
            (segments.next(), segments.next(), segments.next())
        else {
            continue;
        };
        let Ok(dir) = std::str::from_utf8(dir) else {
            continue;
        };
        let valid = dir
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+'));
        if !valid {
            continue;
        }
        if let Some((name, version)) = split_crate_dir(dir)
            && !out.iter().any(|(n, v)| n == name && v == version)
        {
            out.push((name.to_string(), version.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_dirs_split_at_the_version() {
        assert_eq!(split_crate_dir("ring-0.17.14"), Some(("ring", "0.17.14")));
        assert_eq!(split_crate_dir("md-5-0.10.6"), Some(("md-5", "0.10.6")));
        assert_eq!(
            split_crate_dir("aws-lc-rs-1.18.1"),
            Some(("aws-lc-rs", "1.18.1"))
        );
        assert_eq!(
            split_crate_dir("pkcs12-0.2.0-pre.0"),
            Some(("pkcs12", "0.2.0-pre.0"))
        );
        assert_eq!(
            split_crate_dir("rsa-0.10.0-rc.18"),
            Some(("rsa", "0.10.0-rc.18"))
        );
        assert_eq!(
            split_crate_dir("x25519-dalek-2.0.1"),
            Some(("x25519-dalek", "2.0.1"))
        );
        assert_eq!(split_crate_dir("ring"), None);
        assert_eq!(split_crate_dir("ring-0.17"), None);
        assert_eq!(split_crate_dir("-1.2.3"), None);
    }

    #[test]
    fn registry_paths_name_crates_once() {
        // As in the pdf-oxide-fips 0.3.78 wheel's pdf_oxide.abi3.so.
        let data = b"\0/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ring-0.17.14/src/aead.rs\0\
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/aws-lc-rs-1.18.1/src/rsa.rs\0\
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ring-0.17.14/src/digest.rs\0\
/home/u/.cargo/registry/src/github.com-1ecc6299db9ec823/md-5-0.10.6/src/lib.rs\0";
        assert_eq!(
            crates_in(data),
            [
                ("ring".to_string(), "0.17.14".to_string()),
                ("aws-lc-rs".into(), "1.18.1".into()),
                ("md-5".into(), "0.10.6".into()),
            ]
        );
    }

    #[test]
    fn hostile_paths_are_skipped() {
        // Cut off before the crate directory ends, non-UTF-8, no version,
        // a marker at the very end of the data.
        let data = b"/registry/src/idx/ring-0.17.14\0/registry/src/idx/\xff\xfe-1.2.3/x\0\
/registry/src/idx/notacrate/x\0/registry/src/";
        assert!(crates_in(data).is_empty());
    }
}
