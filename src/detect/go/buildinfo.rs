//! Go build info: the `.go.buildinfo` blob the Go linker embeds in every
//! executable, holding the toolchain version and the module/build settings
//! text (`runtime/debug.BuildInfo`).
//!
//! Mirrors `debug/buildinfo` and `runtime/debug.ParseBuildInfo` from the Go
//! standard library, but treats every byte as hostile: lengths are capped,
//! offsets are checked, and nothing panics.

use goblin::elf::Elf;
use goblin::elf::program_header::{PF_W, PF_X, PT_LOAD};
use goblin::elf::section_header::SHT_NOBITS;
use serde::Serialize;

use super::error::GoError;

/// 14-byte magic at the start of the build info blob.
pub const BUILDINFO_MAGIC: &[u8; 14] = b"\xff Go buildinf:";
/// The blob starts with a fixed 32-byte header whatever the format.
const HEADER_SIZE: usize = 32;
/// The linker aligns the blob to 16 bytes; Go's reader ignores unaligned hits.
const MAGIC_ALIGN: u64 = 16;
/// Without section headers, the blob is searched for near the start of the
/// data segment, where the linker always puts it.
const SEGMENT_SEARCH_LEN: usize = 64 * 1024;
/// Real modinfo is a few KiB even for large programs; anything bigger is hostile.
pub const MAX_MODINFO_LEN: u64 = 1 << 20;
/// Real version strings are short (`go1.27.3-X:boringcrypto`, devel strings).
pub const MAX_VERSION_LEN: u64 = 4096;

const FLAG_BIG_ENDIAN: u8 = 0x1;
const FLAG_INLINE: u8 = 0x2;

/// How the version and modinfo strings are stored behind the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BuildInfoFormat {
    /// Go 1.18+: uvarint-length-prefixed strings right after the header.
    Inline,
    /// Before Go 1.18: the header holds pointers to Go string headers.
    Pointer,
}

/// A module line (`mod`, `dep` or `=>`) of the modinfo text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Module {
    pub path: String,
    pub version: String,
    pub sum: String,
    pub replace: Option<Box<Module>>,
}

/// The parsed modinfo text, i.e. everything in `BuildInfo` except the version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Modinfo {
    pub path: Option<String>,
    pub main: Option<Module>,
    pub deps: Vec<Module>,
    /// `build` lines in recorded order, keys and values unquoted.
    pub settings: Vec<(String, String)>,
}

/// Go build info of one executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildInfo {
    /// Exactly as recorded, e.g. `go1.27.3` or `go1.27.3-X:boringcrypto`.
    pub go_version: String,
    pub path: Option<String>,
    pub main: Option<Module>,
    pub deps: Vec<Module>,
    pub settings: Vec<(String, String)>,
    pub format: BuildInfoFormat,
    pub ptr_size: u8,
    pub big_endian: bool,
}

impl BuildInfo {
    /// Value of the first `build` setting named `key` (e.g. `GOFIPS140`).
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the Go build info of an ELF executable.
///
/// Returns `Ok(None)` when the file carries no build info (not a Go program),
/// and an error when a build info blob is present but cannot be decoded.
pub fn read_build_info(elf: &Elf<'_>, data: &[u8]) -> Result<Option<BuildInfo>, GoError> {
    let translate = |vaddr: u64, len: u64| translate_vaddr(elf, data, vaddr, len);

    if let Some((bytes, addr)) = section_bytes(elf, data, &[".go.buildinfo"])? {
        // The section is named for this blob, so a missing magic is corruption
        // rather than "not Go".
        let off = find_magic(bytes, addr).ok_or_else(|| GoError::BadHeader {
            what: "build info",
            reason: "no aligned magic in .go.buildinfo section".into(),
        })?;
        let blob = bytes.get(off..).unwrap_or_default();
        return parse_build_info_blob(blob, translate).map(Some);
    }

    // Section headers can be stripped (sstrip, some packers). The linker puts
    // the blob first in the writable data; PIE binaries have a RELRO segment
    // before it, so every writable non-executable segment is tried in order.
    for ph in &elf.program_headers {
        if ph.p_type != PT_LOAD || ph.p_flags & PF_W == 0 || ph.p_flags & PF_X != 0 {
            continue;
        }
        let seg = segment_bytes_clamped(data, ph.p_offset, ph.p_filesz);
        let window = seg
            .get(..SEGMENT_SEARCH_LEN.min(seg.len()))
            .unwrap_or_default();
        if let Some(off) = find_magic(window, ph.p_vaddr) {
            let blob = seg.get(off..).unwrap_or_default();
            return parse_build_info_blob(blob, translate).map(Some);
        }
    }
    Ok(None)
}

/// Decodes a build info blob starting at its magic.
///
/// `blob` runs from the magic to the end of the containing section or segment
/// (the inline format stores its strings right behind the header).
/// `translate(vaddr, len)` must return exactly `len` bytes mapped at `vaddr`, or
/// `None`; it is only used by the legacy pointer format, and is a parameter so
/// that format can be tested without crafting a whole ELF file.
pub fn parse_build_info_blob<'m, F>(blob: &[u8], translate: F) -> Result<BuildInfo, GoError>
where
    F: Fn(u64, u64) -> Option<&'m [u8]>,
{
    let header = blob.get(..HEADER_SIZE).ok_or(GoError::Truncated {
        what: "build info header",
        offset: len_u64(blob),
    })?;
    let bad = |reason: String| GoError::BadHeader {
        what: "build info",
        reason,
    };
    if !header.starts_with(BUILDINFO_MAGIC) {
        return Err(bad("missing magic".into()));
    }
    let ptr_size = header.get(14).copied().unwrap_or_default();
    let flags = header.get(15).copied().unwrap_or_default();
    if ptr_size != 4 && ptr_size != 8 {
        return Err(bad(format!("pointer size {ptr_size}, expected 4 or 8")));
    }
    let big_endian = flags & FLAG_BIG_ENDIAN != 0;

    let (format, version, modinfo) = if flags & FLAG_INLINE != 0 {
        let (version, next) = inline_string(blob, HEADER_SIZE, "go version", MAX_VERSION_LEN)?;
        let (modinfo, _) = inline_string(blob, next, "modinfo", MAX_MODINFO_LEN)?;
        (BuildInfoFormat::Inline, version, modinfo)
    } else {
        let ps = usize::from(ptr_size);
        let vers_ptr = read_word(header, 16, ps, big_endian);
        let mod_ptr = read_word(header, 16 + ps, ps, big_endian);
        let (Some(vers_ptr), Some(mod_ptr)) = (vers_ptr, mod_ptr) else {
            return Err(bad("pointer words do not fit in the header".into()));
        };
        let rd = |addr, what, limit| pointer_string(&translate, addr, ps, big_endian, what, limit);
        let version = rd(vers_ptr, "go version", MAX_VERSION_LEN)?;
        let modinfo = rd(mod_ptr, "modinfo", MAX_MODINFO_LEN)?;
        (BuildInfoFormat::Pointer, version, modinfo)
    };

    if version.is_empty() {
        return Err(bad("empty go version".into()));
    }
    let go_version = std::str::from_utf8(version)
        .map_err(|_| bad("go version is not utf-8".into()))?
        .to_owned();
    // Go accepts arbitrary bytes in modinfo; lossy decoding keeps one stray
    // invalid byte (e.g. in a non-UTF-8 module path) from hiding the rest.
    let parsed = parse_modinfo(&String::from_utf8_lossy(strip_sentinels(modinfo)))?;
    Ok(BuildInfo {
        go_version,
        path: parsed.path,
        main: parsed.main,
        deps: parsed.deps,
        settings: parsed.settings,
        format,
        ptr_size,
        big_endian,
    })
}

/// Parses modinfo text (sentinels already stripped) like Go's
/// `runtime/debug.ParseBuildInfo`: unknown lines are ignored and a final line
/// without `\n` is dropped, because Go does the same.
pub fn parse_modinfo(text: &str) -> Result<Modinfo, GoError> {
    if len_u64(text.as_bytes()) > MAX_MODINFO_LEN {
        return Err(GoError::TooLarge {
            what: "modinfo",
            len: len_u64(text.as_bytes()),
            limit: MAX_MODINFO_LEN,
        });
    }
    // Which module a following `=>` line replaces.
    enum Last {
        None,
        Main,
        Dep(usize),
    }
    let mut info = Modinfo::default();
    let mut last = Last::None;
    let mut rest = text;
    let mut line_no = 1;
    while let Some((line, tail)) = rest.split_once('\n') {
        rest = tail;
        let bad = |reason: String| GoError::BadModinfo {
            line: line_no,
            reason,
        };
        if let Some(p) = line.strip_prefix("path\t") {
            info.path = Some(p.to_owned());
        } else if let Some(m) = line.strip_prefix("mod\t") {
            info.main = Some(module_line(m).map_err(bad)?);
            last = Last::Main;
        } else if let Some(m) = line.strip_prefix("dep\t") {
            info.deps.push(module_line(m).map_err(bad)?);
            last = Last::Dep(info.deps.len().saturating_sub(1));
        } else if let Some(r) = line.strip_prefix("=>\t") {
            let cols: Vec<&str> = r.split('\t').collect();
            let [path, version, sum] = cols.as_slice() else {
                let n = cols.len();
                return Err(bad(format!("expected 3 columns for replacement; got {n}")));
            };
            let target = match last {
                Last::None => None,
                Last::Main => info.main.as_mut(),
                Last::Dep(i) => info.deps.get_mut(i),
            };
            let target =
                target.ok_or_else(|| bad("replacement with no module on previous line".into()))?;
            target.replace = Some(Box::new(Module {
                path: (*path).to_owned(),
                version: (*version).to_owned(),
                sum: (*sum).to_owned(),
                replace: None,
            }));
            last = Last::None;
        } else if let Some(kv) = line.strip_prefix("build\t") {
            info.settings.push(build_setting(kv).map_err(bad)?);
        }
        line_no += 1;
    }
    Ok(info)
}

fn module_line(s: &str) -> Result<Module, String> {
    let cols: Vec<&str> = s.split('\t').collect();
    let (path, version, sum) = match cols.as_slice() {
        [p, v] => (p, v, &""),
        [p, v, s] => (p, v, s),
        _ => return Err(format!("expected 2 or 3 columns; got {}", cols.len())),
    };
    Ok(Module {
        path: (*path).to_owned(),
        version: (*version).to_owned(),
        sum: (*sum).to_owned(),
        replace: None,
    })
}

/// One `build` line body: `key=value`, either part possibly strconv-quoted.
fn build_setting(kv: &str) -> Result<(String, String), String> {
    let (key, raw_value) = match kv.as_bytes().first() {
        None => return Err("build line missing '='".into()),
        Some(b'=') => return Err("build line with missing key".into()),
        Some(b'`' | b'"') => {
            let (key, used) = unquote_prefix(kv).ok_or("invalid quoted key in build line")?;
            let after = kv.get(used..).unwrap_or_default();
            let Some(c) = after.chars().next() else {
                return Err("build line missing '=' after quoted key".into());
            };
            if c != '=' {
                return Err(format!("unexpected character after quoted key: {c:?}"));
            }
            (key, after.get(1..).unwrap_or_default())
        }
        Some(_) => {
            let (key, value) = kv
                .split_once('=')
                .ok_or("build line missing '=' after key")?;
            if key.is_empty() || key.contains(['=', ' ', '\t', '\r', '\n', '"', '`']) {
                return Err(format!("unquoted key {key:?} must be quoted"));
            }
            (key.to_owned(), value)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'`' | b'"') => match unquote_prefix(raw_value) {
            Some((v, used)) if used == raw_value.len() => v,
            _ => return Err("invalid quoted value in build line".into()),
        },
        _ => {
            if raw_value.contains([' ', '\t', '\r', '\n', '"', '`']) {
                return Err(format!("unquoted value {raw_value:?} must be quoted"));
            }
            raw_value.to_owned()
        }
    };
    Ok((key, value))
}

/// Decodes the Go string literal (`"..."` or `` `...` ``) at the start of `s`,
/// following `strconv.Unquote`; returns the value and the bytes consumed.
fn unquote_prefix(s: &str) -> Option<(String, usize)> {
    let bytes = s.as_bytes();
    match bytes.first()? {
        b'`' => {
            let body = s.get(1..)?;
            let end = body.find('`')?;
            // Raw strings drop carriage returns, as in Go.
            Some((body.get(..end)?.replace('\r', ""), end + 2))
        }
        b'"' => {
            // Bytes, not chars: `\x` and octal escapes may produce invalid UTF-8.
            let mut out = Vec::new();
            let mut i = 1;
            loop {
                match *bytes.get(i)? {
                    b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), i + 1)),
                    b'\n' => return None,
                    b'\\' => i = unescape(bytes, i + 1, &mut out)?,
                    c => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
        }
        _ => None,
    }
}

/// Decodes the escape whose letter is at `bytes[i]`; returns the next index.
fn unescape(bytes: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    let digits = |start: usize, n: usize, radix: u32| -> Option<u32> {
        let ds = bytes.get(start..start.checked_add(n)?)?;
        ds.iter().try_fold(0u32, |acc, &d| {
            Some(acc * radix + char::from(d).to_digit(radix)?)
        })
    };
    let simple = match *bytes.get(i)? {
        b'a' => 0x07,
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 0x0b,
        b'\\' => b'\\',
        b'"' => b'"',
        b'x' => {
            out.push(u8::try_from(digits(i + 1, 2, 16)?).ok()?);
            return Some(i + 3);
        }
        c @ (b'u' | b'U') => {
            let n = if c == b'u' { 4 } else { 8 };
            // char::from_u32 rejects surrogates and values past U+10FFFF,
            // exactly like utf8.ValidRune.
            let ch = char::from_u32(digits(i + 1, n, 16)?)?;
            out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
            return Some(i + 1 + n);
        }
        b'0'..=b'7' => {
            out.push(u8::try_from(digits(i, 3, 8)?).ok()?);
            return Some(i + 3);
        }
        _ => return None,
    };
    out.push(simple);
    Some(i + 1)
}

/// Removes the 16-byte sentinels cmd/go wraps modinfo in; like Go, text
/// without the expected framing is treated as absent.
fn strip_sentinels(m: &[u8]) -> &[u8] {
    let n = m.len();
    if n >= 33 && m.get(n - 17) == Some(&b'\n') {
        m.get(16..n - 16).unwrap_or_default()
    } else {
        &[]
    }
}

/// A uvarint-length-prefixed string at `off` in `blob`; returns it and the
/// offset just past it.
fn inline_string<'a>(
    blob: &'a [u8],
    off: usize,
    what: &'static str,
    limit: u64,
) -> Result<(&'a [u8], usize), GoError> {
    let truncated = |at: usize| GoError::Truncated {
        what,
        offset: at as u64,
    };
    let rest = blob.get(off..).ok_or_else(|| truncated(off))?;
    let (len, n) = match uvarint(rest) {
        Uvarint::Ok(len, n) => (len, n),
        Uvarint::Truncated => return Err(truncated(off)),
        Uvarint::Overflow => {
            return Err(GoError::BadHeader {
                what: "build info",
                reason: format!("{what} length uvarint overflows at offset {off:#x}"),
            });
        }
    };
    if len > limit {
        return Err(GoError::TooLarge { what, len, limit });
    }
    let start = off.checked_add(n).ok_or_else(|| truncated(off))?;
    // len <= limit, so the conversion and addition cannot realistically fail.
    let end = usize::try_from(len)
        .ok()
        .and_then(|l| start.checked_add(l))
        .ok_or_else(|| truncated(start))?;
    let s = blob.get(start..end).ok_or_else(|| truncated(start))?;
    Ok((s, end))
}

enum Uvarint {
    Ok(u64, usize),
    Truncated,
    Overflow,
}

/// `encoding/binary.Uvarint`: at most 10 bytes, the 10th must be 0 or 1.
fn uvarint(buf: &[u8]) -> Uvarint {
    let mut x = 0u64;
    for (i, &b) in buf.iter().take(10).enumerate() {
        if i == 9 && b > 1 {
            return Uvarint::Overflow;
        }
        let shift = 7 * i as u32;
        if b < 0x80 {
            return Uvarint::Ok(x | u64::from(b) << shift, i + 1);
        }
        x |= u64::from(b & 0x7f) << shift;
    }
    Uvarint::Truncated
}

/// Reads a Go string header `{data, len}` at `addr` and returns its bytes.
fn pointer_string<'a, F>(
    translate: &F,
    addr: u64,
    ps: usize,
    big_endian: bool,
    what: &'static str,
    limit: u64,
) -> Result<&'a [u8], GoError>
where
    F: Fn(u64, u64) -> Option<&'a [u8]>,
{
    let hdr_len = 2 * ps as u64;
    let hdr = translate(addr, hdr_len).ok_or(GoError::AddressNotMapped {
        vaddr: addr,
        len: hdr_len,
    })?;
    let (Some(ptr), Some(len)) = (
        read_word(hdr, 0, ps, big_endian),
        read_word(hdr, ps, ps, big_endian),
    ) else {
        return Err(GoError::Truncated { what, offset: addr });
    };
    if len > limit {
        return Err(GoError::TooLarge { what, len, limit });
    }
    if len == 0 {
        // An empty Go string may have a nil data pointer.
        return Ok(&[]);
    }
    translate(ptr, len).ok_or(GoError::AddressNotMapped { vaddr: ptr, len })
}

/// Reads a 4- or 8-byte target word at `off`.
pub(crate) fn read_word(buf: &[u8], off: usize, size: usize, big_endian: bool) -> Option<u64> {
    let b = buf.get(off..off.checked_add(size)?)?;
    match size {
        4 => {
            let a: [u8; 4] = b.try_into().ok()?;
            Some(u64::from(if big_endian {
                u32::from_be_bytes(a)
            } else {
                u32::from_le_bytes(a)
            }))
        }
        8 => {
            let a: [u8; 8] = b.try_into().ok()?;
            Some(if big_endian {
                u64::from_be_bytes(a)
            } else {
                u64::from_le_bytes(a)
            })
        }
        _ => None,
    }
}

/// First occurrence of the magic whose virtual address is 16-byte aligned.
fn find_magic(hay: &[u8], base_addr: u64) -> Option<usize> {
    memchr::memmem::find_iter(hay, BUILDINFO_MAGIC)
        .find(|&i| base_addr.wrapping_add(i as u64).is_multiple_of(MAGIC_ALIGN))
}

pub(crate) fn len_u64(b: &[u8]) -> u64 {
    b.len() as u64
}

/// File bytes and virtual address of the first section with one of `names`.
/// A named section lying outside the file is an error: the file is truncated
/// or its headers lie.
pub(crate) fn section_bytes<'a>(
    elf: &Elf<'_>,
    data: &'a [u8],
    names: &[&str],
) -> Result<Option<(&'a [u8], u64)>, GoError> {
    for sh in &elf.section_headers {
        let Some(name) = elf.shdr_strtab.get_at(sh.sh_name) else {
            continue;
        };
        if !names.contains(&name) {
            continue;
        }
        if sh.sh_type == SHT_NOBITS {
            return Err(GoError::Elf(format!("section {name} has no file data")));
        }
        let bytes = usize::try_from(sh.sh_offset)
            .ok()
            .zip(usize::try_from(sh.sh_size).ok())
            .and_then(|(off, size)| data.get(off..off.checked_add(size)?));
        return match bytes {
            Some(b) => Ok(Some((b, sh.sh_addr))),
            None => Err(GoError::Elf(format!(
                "section {name} at offset {:#x} size {:#x} extends past end of file ({:#x} bytes)",
                sh.sh_offset,
                sh.sh_size,
                data.len()
            ))),
        };
    }
    Ok(None)
}

/// A segment's file bytes, clamped to what the (possibly truncated) file has,
/// for searches that should still work on partial data.
pub(crate) fn segment_bytes_clamped(data: &[u8], offset: u64, filesz: u64) -> &[u8] {
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    let size = usize::try_from(filesz).unwrap_or(usize::MAX);
    let Some(rest) = data.get(start..) else {
        return &[];
    };
    rest.get(..size.min(rest.len())).unwrap_or_default()
}

/// Maps `len` bytes at virtual address `vaddr` through the PT_LOAD segments
/// (file offset = vaddr - p_vaddr + p_offset), as Go's `elfExe.DataReader`.
pub(crate) fn translate_vaddr<'a>(
    elf: &Elf<'_>,
    data: &'a [u8],
    vaddr: u64,
    len: u64,
) -> Option<&'a [u8]> {
    let ph = elf.program_headers.iter().find(|ph| {
        ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz
    })?;
    let rel = vaddr - ph.p_vaddr;
    if rel.checked_add(len)? > ph.p_filesz {
        return None;
    }
    let start = usize::try_from(ph.p_offset.checked_add(rel)?).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    data.get(start..end)
}

#[cfg(test)]
mod tests;
