//! Detectors: given one file's path and bytes, record the facts that matter
//! for crypto. They run inside the layer walk, so a detector only sees its
//! own file; everything that needs the whole image (which libcrypto a
//! program loads, image Env) is judged later in `judge`.

pub mod elf;
pub mod go;
pub mod gofacts;
pub mod openssl;

use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};

use serde::Serialize;

use crate::finding::{Code, Finding};
use crate::layer::Limits;
pub use elf::ElfFacts;

/// What a detector learnt about one file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FileFacts {
    Elf(Box<ElfFacts>),
    /// A small config file kept for image-wide judgement (ld.so.conf, os-release).
    Text {
        text: String,
    },
}

pub struct Inspection {
    pub facts: Option<FileFacts>,
    pub findings: Vec<Finding>,
    pub read_bytes: u64,
}

const ELF_MAGIC: [u8; 4] = [0x7f, b'E', b'L', b'F'];
/// Config files are small; a "config" larger than this is not one.
const MAX_TEXT_BYTES: u64 = 1 << 20;

/// Text files whose content later judgement needs.
fn wants_text(path: &str) -> bool {
    path == "etc/ld.so.conf"
        || (path.starts_with("etc/ld.so.conf.d/") && path.ends_with(".conf"))
        || path == "etc/os-release"
        || path == "usr/lib/os-release"
}

/// Reads what the detectors want of one regular file. An `Err` is a broken
/// stream (the layer cannot go on); a file that cannot be parsed is a
/// finding, and the walk continues.
pub fn inspect(
    path: &str,
    size: u64,
    reader: &mut dyn Read,
    limits: &Limits,
) -> io::Result<Inspection> {
    let mut out = Inspection {
        facts: None,
        findings: Vec::new(),
        read_bytes: 0,
    };
    if wants_text(path) {
        if size <= MAX_TEXT_BYTES {
            let mut buf = Vec::new();
            reader.take(MAX_TEXT_BYTES).read_to_end(&mut buf)?;
            out.read_bytes = buf.len() as u64;
            out.facts = Some(FileFacts::Text {
                text: String::from_utf8_lossy(&buf).into_owned(),
            });
        }
        return Ok(out);
    }
    if size < ELF_MAGIC.len() as u64 {
        return Ok(out);
    }
    let mut head = [0u8; 4];
    reader.read_exact(&mut head)?;
    out.read_bytes = 4;
    if head != ELF_MAGIC {
        return Ok(out);
    }
    if size > limits.max_file_bytes {
        out.findings.push(
            Finding::new(
                Code::FileTooLarge,
                format!(
                    "ELF file of {size} bytes is larger than --max-file-bytes {}; not inspected",
                    limits.max_file_bytes
                ),
            )
            .at(path),
        );
        return Ok(out);
    }
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    data.extend_from_slice(&head);
    reader.take(size - 4).read_to_end(&mut data)?;
    out.read_bytes = data.len() as u64;
    // Parsers are written not to panic; this guard keeps one file's parser
    // bug from taking down the scan of a whole image.
    match guarded(|| elf::analyze(path, &data)) {
        Ok((facts, findings)) => {
            out.facts = facts.map(|f| FileFacts::Elf(Box::new(f)));
            out.findings.extend(findings);
        }
        Err(msg) => out.findings.push(
            Finding::new(
                Code::Unscannable,
                format!("parser failed on this file ({msg}); please report it"),
            )
            .at(path),
        ),
    }
    Ok(out)
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs a panic hook that stays quiet for panics caught by `guarded`
/// (they are reported as findings) and prints all others as usual.
pub fn install_panic_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(std::cell::Cell::get) {
            default(info);
        }
    }));
}

fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    GUARDED.with(|g| g.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    result.map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into())
    })
}
