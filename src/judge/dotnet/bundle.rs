//! Single-file .NET apps. `dotnet publish -p:PublishSingleFile=true` copies
//! the apphost (an ordinary ELF program) and appends the app's files to it:
//! assemblies, runtimeconfig.json, deps.json, then a manifest ("bundle
//! header") naming each file's offset and size. The host finds the manifest
//! through a marker in its own data: 8 bytes of header offset (0 in an apphost
//! that carries no bundle) followed by a fixed 32-byte signature.
//!
//! Format (dotnet/runtime, src/native/corehost/bundle and
//! Microsoft.NET.HostModel/Bundle), all little-endian:
//!   u32 major, u32 minor, i32 file count, string bundle id;
//!   v2+: i64 deps.json offset, i64 size, i64 runtimeconfig offset, i64 size, u64 flags;
//!   per file: i64 offset, i64 size, (v6+) i64 compressed size (0 = stored),
//!   u8 type, string path.
//! Strings carry a 7-bit length prefix of at most two bytes. Offsets are from
//! the start of the file; compressed entries are raw deflate.
//!
//! Everything here reads image data: every length and offset is checked
//! against the file and against caps before use, and a bundle that does not
//! read is a typed error, never a panic.

use std::io::Read;

use serde::Serialize;
use thiserror::Error;

/// The marker's signature, as the host carries it.
pub const SIGNATURE: [u8; 32] = [
    0x8b, 0x12, 0x02, 0xb9, 0x6a, 0x61, 0x20, 0x38, 0x72, 0x7b, 0x93, 0x02, 0x14, 0xd7, 0xa0, 0x32,
    0x13, 0xf5, 0xb9, 0xe6, 0xef, 0xae, 0x33, 0x18, 0xee, 0x3b, 0x2d, 0xce, 0x24, 0xb3, 0x6a, 0xae,
];

/// Real bundles hold a few hundred files (a self-contained .NET 8 app with
/// its whole runtime: 266); a manifest claiming more than this is not one.
pub const MAX_FILES: u64 = 65_536;
/// The host refuses longer paths (PATH_MAX).
const MAX_PATH: usize = 4096;
/// The smallest manifest entry of each layout: offset, size, [compressed
/// size], type, a one-byte length and a one-byte path.
const MIN_ENTRY_V1: u64 = 8 + 8 + 1 + 1 + 1;
const MIN_ENTRY_V6: u64 = MIN_ENTRY_V1 + 8;

/// What a bundled file is, as the bundler typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    Unknown,
    Assembly,
    NativeBinary,
    DepsJson,
    RuntimeConfigJson,
    Symbols,
}

impl EntryKind {
    fn from_byte(b: u8) -> Option<EntryKind> {
        Some(match b {
            0 => EntryKind::Unknown,
            1 => EntryKind::Assembly,
            2 => EntryKind::NativeBinary,
            3 => EntryKind::DepsJson,
            4 => EntryKind::RuntimeConfigJson,
            5 => EntryKind::Symbols,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub offset: u64,
    pub size: u64,
    /// 0 when stored as is.
    pub compressed_size: u64,
    pub kind: EntryKind,
    pub path: String,
}

impl Entry {
    fn stored_size(&self) -> u64 {
        if self.compressed_size > 0 {
            self.compressed_size
        } else {
            self.size
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub header_offset: u64,
    pub major: u32,
    pub minor: u32,
    pub bundle_id: String,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BundleError {
    #[error(
        "the bundle header offset {offset} is not inside the file ({len} bytes): the file is truncated or its marker is corrupt"
    )]
    HeaderOutOfRange { offset: i64, len: u64 },
    #[error(
        "truncated bundle: the {what} at offset {at} runs past the end of the file ({len} bytes)"
    )]
    Truncated {
        what: &'static str,
        at: u64,
        len: u64,
    },
    #[error("bundle version {major}.{minor} is not one the .NET host reads (1.0, 2.0 or 6.0)")]
    Version { major: u32, minor: u32 },
    #[error(
        "the bundle manifest claims {count} files; at most {max} fit (the cap of {MAX_FILES}, and what the {left} bytes after the header can describe)"
    )]
    FileCount { count: i64, max: u64, left: u64 },
    #[error("the {what} at offset {at} has a length prefix the host refuses ({why})")]
    StringLength {
        what: &'static str,
        at: u64,
        why: &'static str,
    },
    #[error(
        "manifest entry {index} ({path}) is invalid: offset {offset}, size {size}, compressed size {compressed}, type {kind}"
    )]
    EntryInvalid {
        index: usize,
        path: String,
        offset: i64,
        size: i64,
        compressed: i64,
        kind: u8,
    },
    #[error(
        "manifest entry {index} ({path}) at offset {offset} with {stored} stored bytes lies outside the file ({len} bytes)"
    )]
    EntryOutOfRange {
        index: usize,
        path: String,
        offset: u64,
        stored: u64,
        len: u64,
    },
    #[error("bundled {path}: {size} bytes, more than the {max} read of it")]
    EntryTooLarge { path: String, size: u64, max: u64 },
    #[error("bundled {path} does not inflate to the {size} bytes the manifest names: {why}")]
    Inflate {
        path: String,
        size: u64,
        why: String,
    },
}

/// Bounds-checked little-endian reads over the file.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }

    fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], BundleError> {
        let out = self
            .pos
            .checked_add(n)
            .and_then(|end| self.data.get(self.pos..end))
            .ok_or(BundleError::Truncated {
                what,
                at: self.pos as u64,
                len: self.len(),
            })?;
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], BundleError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, what)?);
        Ok(out)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, BundleError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, BundleError> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, BundleError> {
        self.array(what).map(i32::from_le_bytes)
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, BundleError> {
        self.array(what).map(i64::from_le_bytes)
    }

    /// A path string: 7-bit length in one or two bytes, 1..=PATH_MAX bytes
    /// of UTF-8 (what the host accepts; lossy, as the host does not check).
    fn path(&mut self, what: &'static str) -> Result<String, BundleError> {
        let at = self.pos as u64;
        let first = self.u8(what)?;
        let len = if first & 0x80 == 0 {
            usize::from(first)
        } else {
            let second = self.u8(what)?;
            if second & 0x80 != 0 {
                return Err(BundleError::StringLength {
                    what,
                    at,
                    why: "more than two bytes",
                });
            }
            (usize::from(second) << 7) | usize::from(first & 0x7f)
        };
        if len == 0 || len > MAX_PATH {
            return Err(BundleError::StringLength {
                what,
                at,
                why: if len == 0 {
                    "empty"
                } else {
                    "longer than PATH_MAX"
                },
            });
        }
        Ok(String::from_utf8_lossy(self.bytes(len, what)?).into_owned())
    }
}

/// Reads the manifest at `header_offset` (the i64 the marker holds).
pub fn parse(data: &[u8], header_offset: i64) -> Result<Manifest, BundleError> {
    let len = data.len() as u64;
    let start = u64::try_from(header_offset)
        .ok()
        .filter(|o| *o > 0 && *o < len)
        .and_then(|o| usize::try_from(o).ok())
        .ok_or(BundleError::HeaderOutOfRange {
            offset: header_offset,
            len,
        })?;
    let mut r = Reader { data, pos: start };
    let major = r.u32("bundle header")?;
    let minor = r.u32("bundle header")?;
    let count = r.i32("bundle header")?;
    if !matches!((major, minor), (1 | 2 | 6, 0)) {
        return Err(BundleError::Version { major, minor });
    }
    let bundle_id = r.path("bundle id")?;
    if major >= 2 {
        // deps.json and runtimeconfig.json locations and flags: the
        // manifest names the same files, which is what is read here.
        r.bytes(5 * 8, "bundle header (v2)")?;
    }
    let min_entry = if major >= 6 {
        MIN_ENTRY_V6
    } else {
        MIN_ENTRY_V1
    };
    let left = len.saturating_sub(r.pos as u64);
    let max = MAX_FILES.min(left / min_entry);
    let count_ok = u64::try_from(count).ok().filter(|c| *c > 0 && *c <= max);
    let Some(count) = count_ok else {
        return Err(BundleError::FileCount {
            count: i64::from(count),
            max,
            left,
        });
    };
    let mut entries = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for index in 0..usize::try_from(count).unwrap_or(0) {
        let offset = r.i64("manifest entry")?;
        let size = r.i64("manifest entry")?;
        let compressed = if major >= 6 {
            r.i64("manifest entry")?
        } else {
            0
        };
        let kind_byte = r.u8("manifest entry")?;
        let path = r.path("manifest entry path")?;
        let invalid = || BundleError::EntryInvalid {
            index,
            path: path.clone(),
            offset,
            size,
            compressed,
            kind: kind_byte,
        };
        // The host's own validity rule: a positive offset, no negative size, a known type.
        let (Some(kind), Ok(offset), Ok(size), Ok(compressed_size)) = (
            EntryKind::from_byte(kind_byte),
            u64::try_from(offset),
            u64::try_from(size),
            u64::try_from(compressed),
        ) else {
            return Err(invalid());
        };
        if offset == 0 {
            return Err(invalid());
        }
        let entry = Entry {
            offset,
            size,
            compressed_size,
            kind,
            path,
        };
        if offset
            .checked_add(entry.stored_size())
            .is_none_or(|end| end > len)
        {
            let stored = entry.stored_size();
            return Err(BundleError::EntryOutOfRange {
                index,
                path: entry.path,
                offset,
                stored,
                len,
            });
        }
        entries.push(entry);
    }
    Ok(Manifest {
        header_offset: start as u64,
        major,
        minor,
        bundle_id,
        entries,
    })
}

/// One bundled file's bytes, inflated if it was compressed; at most `max`.
pub fn read_entry(data: &[u8], e: &Entry, max: u64) -> Result<Vec<u8>, BundleError> {
    if e.size > max {
        return Err(BundleError::EntryTooLarge {
            path: e.path.clone(),
            size: e.size,
            max,
        });
    }
    // parse() checked the range; an entry built elsewhere is checked again.
    let stored = usize::try_from(e.offset)
        .ok()
        .zip(usize::try_from(e.stored_size()).ok())
        .and_then(|(o, n)| data.get(o..o.checked_add(n)?))
        .ok_or_else(|| BundleError::EntryOutOfRange {
            index: 0,
            path: e.path.clone(),
            offset: e.offset,
            stored: e.stored_size(),
            len: data.len() as u64,
        })?;
    if e.compressed_size == 0 {
        return Ok(stored.to_vec());
    }
    let mut out = Vec::new();
    // One byte past the named size tells a stream that inflates to more.
    flate2::read::DeflateDecoder::new(stored)
        .take(e.size.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|err| BundleError::Inflate {
            path: e.path.clone(),
            size: e.size,
            why: err.to_string(),
        })?;
    if out.len() as u64 != e.size {
        return Err(BundleError::Inflate {
            path: e.path.clone(),
            size: e.size,
            why: format!("it inflates to {} bytes", out.len()),
        });
    }
    Ok(out)
}

#[cfg(test)]
pub mod tests;
