//! rpm's ndb `Packages.db` (SUSE), as laid out by rpm's
//! lib/backend/ndb/rpmpkg.c: a 32-byte header (`RpmP`, version 0,
//! generation, slot page count, next package index) at the start of the
//! slot pages; 16-byte slots (`Slot`, package index, block offset, block
//! count) fill the rest of them; each slot points at a blob of 16-byte
//! blocks: `BlbS` head (magic, index, timestamp, length), the header blob,
//! zero padding, and a tail (adler32 of all before it, length, `BlbE`).
//! All fields are little-endian. Checks follow rpm's own reader.

use super::{in_record_order, push_header};
use crate::packages::purl::Distro;
use crate::packages::{Package, PackagesError};

const FORMAT: &str = "rpm ndb";

const DB_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const HEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const TAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
const PAGE: usize = 4096;
const SLOT: usize = 16;
const BLK: usize = 16;
const HEADER: usize = 32;
const HEAD: usize = 16;
const TAIL: usize = 12;

fn err(reason: impl Into<String>) -> PackagesError {
    PackagesError::corrupt(FORMAT, reason)
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Parses an ndb `Packages.db`.
pub fn parse_rpm_ndb(bytes: &[u8], distro: &Distro) -> Result<Vec<Package>, PackagesError> {
    let field = |at| {
        le32(bytes, at).ok_or_else(|| err(format!("{} bytes: no database header", bytes.len())))
    };
    if field(0)? != DB_MAGIC {
        return Err(err("not an ndb Packages.db (bad magic)"));
    }
    if field(4)? != 0 {
        return Err(err(format!("unsupported version {}", field(4)?)));
    }
    let slot_pages = field(12)? as usize;
    if !bytes.len().is_multiple_of(BLK) {
        return Err(err(format!(
            "{} bytes is not a whole number of blocks",
            bytes.len()
        )));
    }
    let slot_area = slot_pages
        .checked_mul(PAGE)
        .filter(|n| slot_pages > 0 && *n <= bytes.len())
        .ok_or_else(|| {
            err(format!(
                "{slot_pages} slot pages do not fit in {} bytes",
                bytes.len()
            ))
        })?;
    let file_blocks = bytes.len() / BLK;
    let first_blob_block = slot_area / BLK;

    let mut out = Vec::new();
    for at in (HEADER..slot_area).step_by(SLOT) {
        let slot = |i: usize| le32(bytes, at + 4 * i).unwrap_or_default();
        if slot(0) != SLOT_MAGIC {
            return Err(err(format!("slot at byte {at}: bad magic")));
        }
        let (pkgidx, blkoff, blkcnt) = (slot(1), slot(2) as usize, slot(3) as usize);
        if blkoff == 0 {
            continue; // a free slot
        }
        let bad = |why: &str| err(format!("slot at byte {at} (package {pkgidx}): {why}"));
        if pkgidx == 0 || blkcnt == 0 || blkoff < first_blob_block {
            return Err(bad("bad entry"));
        }
        if blkoff.saturating_add(blkcnt) > file_blocks {
            return Err(bad("blob runs past the end of the file"));
        }
        let blob = bytes
            .get(blkoff * BLK..(blkoff + blkcnt) * BLK)
            .ok_or_else(|| bad("blob outside the file"))?;
        let header = read_blob(blob, pkgidx).map_err(|why| bad(&why))?;
        push_header(&mut out, FORMAT, u64::from(pkgidx), header, distro)?;
    }
    Ok(in_record_order(out))
}

/// The header blob inside one slot's blocks, after rpm's checks: head and
/// tail magic, matching index and length, exact block count, adler32.
fn read_blob(blocks: &[u8], pkgidx: u32) -> Result<&[u8], String> {
    let head = |i: usize| le32(blocks, 4 * i).unwrap_or_default();
    if head(0) != HEAD_MAGIC {
        return Err("bad blob head magic".into());
    }
    if head(1) != pkgidx {
        return Err(format!("blob belongs to package {}", head(1)));
    }
    let len = head(3) as usize;
    let want_blocks = (HEAD + len + TAIL).div_ceil(BLK);
    if want_blocks * BLK != blocks.len() {
        return Err(format!(
            "blob length {len} does not fill its {} blocks",
            blocks.len() / BLK
        ));
    }
    let tail_at = blocks.len() - TAIL;
    let tail = |i: usize| le32(blocks, tail_at + 4 * i).unwrap_or_default();
    if tail(2) != TAIL_MAGIC || tail(1) as usize != len {
        return Err("bad blob tail".into());
    }
    let covered = blocks.get(..tail_at).unwrap_or_default();
    if adler32(covered) != tail(0) {
        return Err("adler32 mismatch".into());
    }
    blocks
        .get(HEAD..HEAD + len)
        .ok_or_else(|| "blob outside its blocks".into())
}

/// Adler-32 (RFC 1950), as rpmpkg.c computes it.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before u32 overflows.
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::testutil::fixture_bytes;

    fn real() -> Vec<u8> {
        fixture_bytes("rpm/ndb/usr/lib/sysimage/rpm/Packages.db")
    }

    fn parse(b: &[u8]) -> Result<Vec<Package>, PackagesError> {
        parse_rpm_ndb(b, &Distro::unknown())
    }

    fn set(b: &mut [u8], at: usize, v: u32) {
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let big = vec![0xffu8; 100_000];
        // zlib's value for 100000 bytes of 0xff.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(adler32(&big), ((b << 16) | a) as u32);
    }

    #[test]
    fn slot_and_blob_damage_is_an_error() {
        let b = real();
        // The first used slot: slot number 2, right after the header.
        let blkoff = le32(&b, HEADER + 8).unwrap() as usize;
        for (at, value, want) in [
            (0, 0, "bad magic"),
            (4, 1, "unsupported version"),
            (12, 0, "slot pages"),
            (12, 0x10_0000, "slot pages"),
            (HEADER, 0, "slot at byte 32: bad magic"),
            (HEADER + 4, 0, "bad entry"),
            (HEADER + 4, 99, "belongs to package 1"),
            (HEADER + 8, 1, "bad entry"),
            (HEADER + 8, u32::MAX, "past the end"),
            (HEADER + 12, u32::MAX, "past the end"),
            (HEADER + 12, 1, "does not fill"),
            (blkoff * BLK, 0, "head magic"),
            (blkoff * BLK + 12, u32::MAX, "does not fill"),
            (blkoff * BLK + 40, 0x1234_5678, "adler32 mismatch"),
        ] {
            let mut m = b.clone();
            set(&mut m, at, value);
            let e = parse(&m).unwrap_err().to_string();
            assert!(e.contains(want), "{at}={value:#x}: {e}");
        }
        assert!(
            parse(&b[..b.len() - 16])
                .unwrap_err()
                .to_string()
                .contains("past the end")
        );
        assert!(
            parse(&b[..b.len() - 1])
                .unwrap_err()
                .to_string()
                .contains("whole number of blocks")
        );
        for junk in [&b""[..], &b"RpmP"[..], &[0u8; 4096][..]] {
            assert!(parse(junk).is_err());
        }
    }

    #[test]
    fn free_slots_are_skipped_and_truncations_fail() {
        let mut b = real();
        set(&mut b, HEADER + 8, 0); // free the first package's slot
        let pkgs = parse(&b).unwrap();
        assert_eq!(
            pkgs.len(),
            3,
            "four packages, one freed (gpg-pubkey is never listed)"
        );
        let b = real();
        for cut in (0..b.len()).step_by(16) {
            assert!(parse(&b[..cut]).is_err(), "cut at {cut}");
        }
    }
}
