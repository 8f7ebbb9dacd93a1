//! Go function table (`.gopclntab`, "pclntab") reader.
//!
//! The runtime needs this table for stack traces, so it survives `-s -w` and
//! `strip`; it is the most reliable list of the Go functions linked into a
//! binary (e.g. which crypto backends made it in). Layouts follow
//! `runtime/symtab.go` and `debug/gosym/pclntab.go`.

use goblin::elf::Elf;
use goblin::elf::program_header::{PF_W, PF_X, PT_LOAD};
use serde::Serialize;

use super::buildinfo::{len_u64, read_word, section_bytes, segment_bytes_clamped};
use super::error::GoError;

/// Function names longer than this are treated as corrupt; real ones are a
/// few hundred bytes at most even for generic instantiations.
pub const MAX_NAME_LEN: usize = 4096;
/// Cap on candidate headers examined when searching segments for the table,
/// so a file crafted full of fake magics cannot make the search quadratic.
const MAX_SEARCH_CANDIDATES: usize = 1024;

/// Table layout generation, named after the first Go release using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PclnVersion {
    /// Go 1.2 – 1.15 (magic `0xfffffffb`).
    Go12,
    /// Go 1.16 – 1.17 (magic `0xfffffffa`).
    Go116,
    /// Go 1.18 – 1.19 (magic `0xfffffff0`).
    Go118,
    /// Go 1.20 and later (magic `0xfffffff1`).
    Go120,
}

impl PclnVersion {
    fn from_magic(magic: u32) -> Option<Self> {
        match magic {
            0xffff_fffb => Some(Self::Go12),
            0xffff_fffa => Some(Self::Go116),
            0xffff_fff0 => Some(Self::Go118),
            0xffff_fff1 => Some(Self::Go120),
            _ => None,
        }
    }

    #[cfg(test)]
    fn magic(self) -> u32 {
        match self {
            Self::Go12 => 0xffff_fffb,
            Self::Go116 => 0xffff_fffa,
            Self::Go118 => 0xffff_fff0,
            Self::Go120 => 0xffff_fff1,
        }
    }

    /// Since 1.18 functab fields are 32-bit offsets from the text start.
    fn compact(self) -> bool {
        self >= Self::Go118
    }
}

/// A parsed pclntab header, borrowing the table bytes from the ELF data.
#[derive(Debug, Clone)]
pub struct FuncTable<'a> {
    version: PclnVersion,
    big_endian: bool,
    ptr_size: u8,
    quantum: u8,
    nfunc: usize,
    /// `nfunc` (entry, funcoff) pairs plus the end-PC field.
    functab: &'a [u8],
    /// Base that functab `funcoff` values are relative to.
    funcdata: &'a [u8],
    /// Base that `_func.nameOff` values are relative to.
    funcnametab: &'a [u8],
}

/// Locates and parses the function table of an ELF file.
///
/// Returns `Ok(None)` when the file has no pclntab (not a Go program).
pub fn read_func_table<'a>(
    elf: &Elf<'_>,
    data: &'a [u8],
) -> Result<Option<FuncTable<'a>>, GoError> {
    let big_endian = !elf.little_endian;
    // Go <= 1.15 PIE builds put the table in RELRO under a prefixed name.
    if let Some((bytes, _)) = section_bytes(elf, data, &[".gopclntab", ".data.rel.ro.gopclntab"])? {
        return FuncTable::parse(bytes, big_endian).map(Some);
    }
    let has_sections = elf.section_headers.iter().any(|sh| {
        elf.shdr_strtab
            .get_at(sh.sh_name)
            .is_some_and(|n| !n.is_empty())
    });
    if has_sections {
        // Intact section headers without the section: not a Go binary.
        return Ok(None);
    }
    Ok(search_segments(elf, data, big_endian))
}

/// Fallback for binaries whose section headers were stripped: scan PT_LOAD
/// segments (read-only data first, where the linker puts the table) for a
/// 4-byte aligned magic followed by a header that resolves to real names.
fn search_segments<'a>(elf: &Elf<'_>, data: &'a [u8], big_endian: bool) -> Option<FuncTable<'a>> {
    let ptr_size = if elf.is_64 { 8 } else { 4 };
    let mut segs: Vec<_> = elf
        .program_headers
        .iter()
        .filter(|ph| ph.p_type == PT_LOAD)
        .collect();
    segs.sort_by_key(|ph| ph.p_flags & (PF_W | PF_X) != 0);
    let mut candidates = 0;
    for ph in segs {
        let seg = segment_bytes_clamped(data, ph.p_offset, ph.p_filesz);
        let skew = usize::try_from((4 - ph.p_vaddr % 4) % 4).unwrap_or_default();
        let mut pos = skew;
        while let Some(word) = seg.get(pos..pos.saturating_add(4)) {
            let start = pos;
            pos = pos.saturating_add(4);
            let Ok(word) = <[u8; 4]>::try_from(word) else {
                break;
            };
            let magic = if big_endian {
                u32::from_be_bytes(word)
            } else {
                u32::from_le_bytes(word)
            };
            if PclnVersion::from_magic(magic).is_none() {
                continue;
            }
            candidates += 1;
            if candidates > MAX_SEARCH_CANDIDATES {
                return None;
            }
            let Some(table) = seg
                .get(start..)
                .and_then(|t| FuncTable::parse(t, big_endian).ok())
            else {
                continue;
            };
            if table.ptr_size == ptr_size && table.looks_real() {
                return Some(table);
            }
        }
    }
    None
}

impl<'a> FuncTable<'a> {
    /// Parses a pclntab starting at its header; `data` may extend past the
    /// table's end. Endianness comes from the ELF header, not from guessing.
    pub fn parse(data: &'a [u8], big_endian: bool) -> Result<Self, GoError> {
        let bad = |reason: String| GoError::BadHeader {
            what: "pclntab",
            reason,
        };
        let head = data.get(..8).ok_or(GoError::Truncated {
            what: "pclntab header",
            offset: len_u64(data),
        })?;
        let magic = read_word(head, 0, 4, big_endian).unwrap_or_default();
        let version = u32::try_from(magic)
            .ok()
            .and_then(PclnVersion::from_magic)
            .ok_or_else(|| bad(format!("unknown magic {magic:#010x}")))?;
        let (pad, quantum, ptr_size) = match *head {
            [_, _, _, _, p1, p2, q, ps] => (p1 | p2, q, ps),
            _ => return Err(bad("short header".into())),
        };
        if pad != 0 {
            return Err(bad("nonzero padding bytes".into()));
        }
        if !matches!(quantum, 1 | 2 | 4) {
            return Err(bad(format!("pc quantum {quantum}, expected 1, 2 or 4")));
        }
        if !matches!(ptr_size, 4 | 8) {
            return Err(bad(format!("pointer size {ptr_size}, expected 4 or 8")));
        }
        let ps = usize::from(ptr_size);
        let word = |i: usize| -> Result<u64, GoError> {
            let off = 8 + i * ps;
            read_word(data, off, ps, big_endian).ok_or(GoError::Truncated {
                what: "pclntab header",
                offset: off as u64,
            })
        };
        let nfunc_raw = word(0)?;
        // Word indexes of funcnameOffset .. pclnOffset for each layout.
        let offsets = match version {
            PclnVersion::Go118 | PclnVersion::Go120 => Some(3..8),
            PclnVersion::Go116 => Some(2..7),
            PclnVersion::Go12 => None,
        };
        let (funcnametab, funcdata, functab_start) = match offsets {
            Some(range) => {
                let mut prev = 0u64;
                let mut offs = Vec::with_capacity(5);
                for i in range {
                    let off = word(i)?;
                    // The linker lays the sub-tables out in header order;
                    // anything else is corruption (and bounds every slice).
                    if off < prev || off > len_u64(data) {
                        return Err(bad(format!(
                            "sub-table offset {off:#x} (word {i}) out of order or range"
                        )));
                    }
                    prev = off;
                    offs.push(off);
                }
                let sub = |off: Option<&u64>| {
                    off.and_then(|&o| usize::try_from(o).ok())
                        .and_then(|o| data.get(o..))
                        .unwrap_or_default()
                };
                let pcln = sub(offs.last());
                (
                    sub(offs.first()),
                    pcln,
                    usize::try_from(prev).unwrap_or(usize::MAX),
                )
            }
            // 1.2: functab follows nfunc; offsets are relative to the table.
            None => (data, data, 8 + ps),
        };
        let field = if version.compact() { 4 } else { ps };
        let functab_len = usize::try_from(nfunc_raw)
            .ok()
            .and_then(|n| n.checked_mul(2)?.checked_add(1)?.checked_mul(field))
            .filter(|&l| l <= data.len())
            .ok_or_else(|| bad(format!("function count {nfunc_raw} exceeds table size")))?;
        let functab = data
            .get(functab_start..)
            .and_then(|t| t.get(..functab_len))
            .ok_or(GoError::Truncated {
                what: "pclntab functab",
                offset: functab_start as u64,
            })?;
        Ok(Self {
            version,
            big_endian,
            ptr_size,
            quantum,
            // Bounded by data.len() through functab_len above.
            nfunc: usize::try_from(nfunc_raw).unwrap_or_default(),
            functab,
            funcdata,
            funcnametab,
        })
    }

    pub fn version(&self) -> PclnVersion {
        self.version
    }

    /// Number of functab entries (the header's `nfunc`).
    pub fn len(&self) -> usize {
        self.nfunc
    }

    pub fn is_empty(&self) -> bool {
        self.nfunc == 0
    }

    pub fn ptr_size(&self) -> u8 {
        self.ptr_size
    }

    /// Minimum instruction size (1 on x86, 4 on most RISC targets).
    pub fn quantum(&self) -> u8 {
        self.quantum
    }

    pub fn big_endian(&self) -> bool {
        self.big_endian
    }

    /// Function names in table order, as the runtime resolves them. Entries
    /// whose `_func` or name is out of range, unterminated within
    /// [`MAX_NAME_LEN`], empty or not UTF-8 are skipped (see [`Self::skipped`]).
    pub fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.nfunc).filter_map(|i| self.name_at(i))
    }

    /// How many entries [`Self::names`] skips as invalid. Recomputed on each
    /// call so the table stays immutable and shareable.
    pub fn skipped(&self) -> usize {
        (0..self.nfunc)
            .filter(|&i| self.name_at(i).is_none())
            .count()
    }

    fn name_at(&self, i: usize) -> Option<&'a str> {
        let field = if self.version.compact() {
            4
        } else {
            usize::from(self.ptr_size)
        };
        let funcoff_pos = i.checked_mul(2)?.checked_add(1)?.checked_mul(field)?;
        let funcoff = read_word(self.functab, funcoff_pos, field, self.big_endian)?;
        let func = self.funcdata.get(usize::try_from(funcoff).ok()?..)?;
        // _func starts with entryOff (u32) since 1.18, the entry PC before.
        let name_field = if self.version.compact() {
            4
        } else {
            usize::from(self.ptr_size)
        };
        let name_off = read_word(func, name_field, 4, self.big_endian)?;
        // nameOff is an int32; negative values are invalid.
        let name_off = usize::try_from(i32::try_from(name_off).ok()?).ok()?;
        let rest = self.funcnametab.get(name_off..)?;
        let window = rest.get(..rest.len().min(MAX_NAME_LEN + 1))?;
        let end = memchr::memchr(0, window)?;
        let name = window.get(..end).filter(|n| !n.is_empty())?;
        std::str::from_utf8(name).ok()
    }

    /// A header found by searching must resolve its first and last entries;
    /// random bytes after a fake magic almost never do.
    fn looks_real(&self) -> bool {
        self.nfunc > 0
            && self.name_at(0).is_some()
            && self
                .nfunc
                .checked_sub(1)
                .is_some_and(|last| self.name_at(last).is_some())
    }
}

#[cfg(test)]
mod tests;
