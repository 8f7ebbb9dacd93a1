//! Errors raised while decoding Go-specific structures inside ELF files.
//!
//! Every input comes from untrusted container images, so each variant carries
//! enough context (which structure, which offset or address) to tell a
//! corrupted or hostile binary apart from a bug in the scanner.

use thiserror::Error;

/// Failure to decode Go build info or the Go function table.
///
/// Offsets are relative to the start of the structure being decoded (the build
/// info magic, or the pclntab header) unless the message says otherwise, because
/// the pure decoders never see the whole file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GoError {
    /// The data ends before a structure that its header promises.
    #[error("truncated {what} at offset {offset:#x}")]
    Truncated { what: &'static str, offset: u64 },

    /// A fixed header (build info or pclntab) holds impossible values.
    #[error("bad {what} header: {reason}")]
    BadHeader { what: &'static str, reason: String },

    /// The module info text does not follow the `runtime/debug` format.
    #[error("bad go modinfo at line {line}: {reason}")]
    BadModinfo { line: usize, reason: String },

    /// A pointer in a legacy build info blob points outside every PT_LOAD
    /// segment's file-backed bytes.
    #[error("virtual address {vaddr:#x} (length {len}) is not mapped by any pt_load segment")]
    AddressNotMapped { vaddr: u64, len: u64 },

    /// A length field exceeds the sanity cap; refusing protects against huge
    /// allocations and long loops driven by hostile input.
    #[error("{what} too large: {len} bytes (limit {limit})")]
    TooLarge {
        what: &'static str,
        len: u64,
        limit: u64,
    },

    /// The ELF container itself is inconsistent (e.g. a section beyond EOF).
    #[error("elf: {0}")]
    Elf(String),
}
