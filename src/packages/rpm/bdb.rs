//! Berkeley DB hash files, as rpm's `Packages` (RHEL/UBI 8 and older):
//! read directly, without libdb, the way rpm's own `bdb_ro` backend and
//! go-rpmdb do. Page 0 is the metadata page; every hash page holds
//! key/value item pairs; an item too big for a page is an "off-page" item
//! naming a chain of overflow pages. Files are in the byte order of the
//! machine that wrote them, so both orders are read.
//!
//! Hash pages are visited in file order rather than through the bucket
//! chains, so page links cannot loop; overflow chains can, and each
//! overflow page may be consumed only once per file, which bounds the work
//! by the file's size.

use std::borrow::Cow;

use super::{in_record_order, push_header};
use crate::packages::purl::Distro;
use crate::packages::{Package, PackagesError};

const FORMAT: &str = "rpm bdb";

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

fn err(reason: impl Into<String>) -> PackagesError {
    PackagesError::corrupt(FORMAT, reason)
}

struct Db<'a> {
    bytes: &'a [u8],
    big_endian: bool,
    pagesize: usize,
    last_pgno: usize,
}

impl<'a> Db<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, PackagesError> {
        let raw = |at: usize| -> Option<[u8; 4]> { bytes.get(at..at + 4)?.try_into().ok() };
        let magic =
            raw(12).ok_or_else(|| err(format!("{} bytes: no metadata page", bytes.len())))?;
        let big_endian = match (u32::from_le_bytes(magic), u32::from_be_bytes(magic)) {
            (HASH_MAGIC, _) => false,
            (_, HASH_MAGIC) => true,
            (BTREE_MAGIC, _) | (_, BTREE_MAGIC) => {
                return Err(err("a btree database, not rpm's hash Packages"));
            }
            _ => return Err(err("not a Berkeley DB hash file (bad magic)")),
        };
        let mut db = Db {
            bytes,
            big_endian,
            pagesize: 0,
            last_pgno: 0,
        };
        let meta = |at: usize| {
            db.u32(bytes, at)
                .ok_or_else(|| err("metadata page truncated"))
        };
        let version = meta(16)?;
        let pagesize = meta(20)? as usize;
        let last_pgno = meta(32)? as usize;
        // encrypt_alg (byte 24) and the checksum metaflag (byte 26) change
        // the page layout; rpm never sets them.
        if !(8..=10).contains(&version) {
            return Err(err(format!("unsupported hash version {version}")));
        }
        if bytes.get(24).is_some_and(|b| *b != 0) || bytes.get(26).is_some_and(|b| b & 1 != 0) {
            return Err(err("encrypted or checksummed pages are not supported"));
        }
        if !pagesize.is_power_of_two() || !(512..=65536).contains(&pagesize) {
            return Err(err(format!("bad page size {pagesize}")));
        }
        let need = (last_pgno as u64 + 1) * pagesize as u64;
        if need > bytes.len() as u64 {
            return Err(err(format!(
                "truncated: last page {last_pgno} needs {need} bytes, have {}",
                bytes.len()
            )));
        }
        db.pagesize = pagesize;
        db.last_pgno = last_pgno;
        Ok(db)
    }

    fn u32(&self, b: &[u8], at: usize) -> Option<u32> {
        let raw: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        })
    }

    fn u16(&self, b: &[u8], at: usize) -> Option<usize> {
        let raw: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(usize::from(if self.big_endian {
            u16::from_be_bytes(raw)
        } else {
            u16::from_le_bytes(raw)
        }))
    }

    /// Page `pgno`, which must exist and say it is page `pgno`.
    fn page(&self, pgno: usize) -> Result<&'a [u8], PackagesError> {
        if pgno == 0 || pgno > self.last_pgno {
            return Err(err(format!("page {pgno} outside 1..={}", self.last_pgno)));
        }
        let start = pgno * self.pagesize;
        let page = self
            .bytes
            .get(start..start + self.pagesize)
            .ok_or_else(|| err(format!("page {pgno} truncated")))?;
        if self.u32(page, 8) != Some(pgno as u32) {
            return Err(err(format!("page {pgno} is labelled as another page")));
        }
        Ok(page)
    }

    /// The bytes of an off-page item: `total` bytes along the overflow chain
    /// from `pgno`. `used` marks overflow pages already consumed.
    fn overflow(
        &self,
        mut pgno: usize,
        total: usize,
        used: &mut [bool],
    ) -> Result<Vec<u8>, PackagesError> {
        if total == 0 || total > self.bytes.len() {
            return Err(err(format!(
                "off-page item of {total} bytes in a {}-byte file",
                self.bytes.len()
            )));
        }
        let mut out = Vec::with_capacity(total);
        while out.len() < total {
            let seen = used
                .get_mut(pgno)
                .ok_or_else(|| err(format!("overflow chain leaves the file at page {pgno}")))?;
            if std::mem::replace(seen, true) {
                return Err(err(format!(
                    "overflow page {pgno} reached twice (a loop or a shared chain)"
                )));
            }
            let page = self.page(pgno)?;
            if page.get(25) != Some(&P_OVERFLOW) {
                return Err(err(format!(
                    "page {pgno} in an overflow chain is not an overflow page"
                )));
            }
            // On overflow pages the "high free offset" field holds the byte count.
            let len = self.u16(page, 22).unwrap_or_default();
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER + len)
                .filter(|_| len > 0 && len <= total - out.len());
            out.extend_from_slice(
                chunk.ok_or_else(|| err(format!("overflow page {pgno}: bad length {len}")))?,
            );
            pgno = self.u32(page, 16).unwrap_or_default() as usize;
        }
        Ok(out)
    }

    /// Item `i` of a hash page: inline (`H_KEYDATA`) or off-page.
    fn item(
        &self,
        page: &'a [u8],
        offs: &[usize],
        i: usize,
        used: &mut [bool],
    ) -> Result<Cow<'a, [u8]>, PackagesError> {
        // Items fill the page from its end downwards: item i ends where
        // item i-1 starts.
        let start = offs.get(i).copied().unwrap_or(usize::MAX);
        let end = if i == 0 {
            self.pagesize
        } else {
            offs.get(i - 1).copied().unwrap_or(0)
        };
        let item = page
            .get(start..end)
            .filter(|it| !it.is_empty())
            .ok_or_else(|| err(format!("item {i}: bad bounds")))?;
        match item.first() {
            Some(&H_KEYDATA) => Ok(Cow::Borrowed(item.get(1..).unwrap_or_default())),
            Some(&H_OFFPAGE) => {
                let (Some(pgno), Some(total)) = (self.u32(item, 4), self.u32(item, 8)) else {
                    return Err(err(format!("item {i}: short off-page reference")));
                };
                Ok(Cow::Owned(self.overflow(
                    pgno as usize,
                    total as usize,
                    used,
                )?))
            }
            Some(t) => Err(err(format!(
                "item {i}: unsupported item type {t} (duplicates?)"
            ))),
            None => Err(err(format!("item {i}: empty"))),
        }
    }
}

/// Parses an rpm `Packages` Berkeley DB hash file.
pub fn parse_rpm_bdb(bytes: &[u8], distro: &Distro) -> Result<Vec<Package>, PackagesError> {
    let db = Db::open(bytes)?;
    let mut used = vec![false; db.last_pgno + 1];
    let mut out = Vec::new();
    for pgno in 1..=db.last_pgno {
        let start = pgno * db.pagesize;
        let Some(page) = bytes.get(start..start + db.pagesize) else {
            break;
        };
        // Unused bucket pages are zero-filled; only hash pages hold items.
        if !matches!(page.get(25), Some(&P_HASH | &P_HASH_UNSORTED)) {
            continue;
        }
        let page = db.page(pgno)?;
        let n = db.u16(page, 20).unwrap_or_default();
        let first_item = PAGE_HEADER + 2 * n;
        if first_item > db.pagesize || n % 2 != 0 {
            return Err(err(format!("page {pgno}: {n} entries")));
        }
        let offs: Vec<usize> = (0..n)
            .filter_map(|i| db.u16(page, PAGE_HEADER + 2 * i))
            .collect();
        if offs.iter().any(|&o| o < first_item || o >= db.pagesize) {
            return Err(err(format!("page {pgno}: item offset outside the page")));
        }
        for k in (0..n).step_by(2) {
            let key = db
                .item(page, &offs, k, &mut used)
                .map_err(|e| in_page(e, pgno))?;
            // rpm keeps its highest package number under key 0.
            let record = match key.len() {
                4 => db.u32(&key, 0).unwrap_or_default(),
                _ => {
                    return Err(err(format!(
                        "page {pgno}: a {}-byte key is not a package number",
                        key.len()
                    )));
                }
            };
            let value = db
                .item(page, &offs, k + 1, &mut used)
                .map_err(|e| in_page(e, pgno))?;
            if record != 0 {
                push_header(&mut out, FORMAT, u64::from(record), &value, distro)?;
            }
        }
    }
    Ok(in_record_order(out))
}

fn in_page(e: PackagesError, pgno: usize) -> PackagesError {
    match e {
        PackagesError::Corrupt { format, reason } => PackagesError::Corrupt {
            format,
            reason: format!("page {pgno}: {reason}"),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::testutil::fixture_bytes;

    const PS: usize = 4096;

    fn real() -> Vec<u8> {
        fixture_bytes("rpm/bdb/var/lib/rpm/Packages")
    }

    fn le32(b: &[u8], at: usize) -> usize {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
    }

    fn parse(b: &[u8]) -> Result<Vec<Package>, PackagesError> {
        parse_rpm_bdb(b, &Distro::unknown())
    }

    /// Byte offsets (in the file) of every off-page item reference of the
    /// real little-endian file, with the chain's first page and length.
    fn offpage_refs(b: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut refs = Vec::new();
        for pgno in 1..b.len() / PS {
            let page = &b[pgno * PS..(pgno + 1) * PS];
            if page[25] != P_HASH {
                continue;
            }
            let n = u16::from_le_bytes([page[20], page[21]]) as usize;
            for i in 0..n {
                let off = u16::from_le_bytes([page[26 + 2 * i], page[27 + 2 * i]]) as usize;
                if page[off] == H_OFFPAGE {
                    refs.push((pgno * PS + off, le32(page, off + 4), le32(page, off + 8)));
                }
            }
        }
        refs
    }

    #[test]
    fn real_file_layout_is_what_the_tests_assume() {
        let b = real();
        assert_eq!((le32(&b, 12), le32(&b, 20)), (HASH_MAGIC as usize, PS));
        let refs = offpage_refs(&b);
        assert_eq!(refs.len(), 5, "five headers, all off-page");
        assert!(refs.iter().any(|r| r.2 > PS - 26), "a chain of two pages");
    }

    #[test]
    fn overflow_loops_are_errors() {
        let b = real();
        let (_, first, _) = *offpage_refs(&b).iter().max_by_key(|r| r.2).unwrap();
        let mut looped = b.clone();
        looped[first * PS + 16..first * PS + 20].copy_from_slice(&(first as u32).to_le_bytes());
        let e = parse(&looped).unwrap_err().to_string();
        assert!(e.contains("reached twice"), "{e}");
        // Two items sharing one chain.
        let refs = offpage_refs(&b);
        let mut shared = b.clone();
        let (at, _, _) = refs[1];
        shared[at + 4..at + 8].copy_from_slice(&(refs[0].1 as u32).to_le_bytes());
        assert!(parse(&shared).is_err());
    }

    #[test]
    fn lying_references_and_counts_are_errors() {
        let b = real();
        let (at, _, _) = offpage_refs(&b)[0];
        for (field, value, want) in [
            (4, 0xffff_u32, "leaves the file"),
            (4, 0, "page 0 outside"),
            (8, u32::MAX, "off-page item of 4294967295 bytes"),
            (8, 1, "bad length"),
        ] {
            let mut m = b.clone();
            m[at + field..at + field + 4].copy_from_slice(&value.to_le_bytes());
            let e = parse(&m).unwrap_err().to_string();
            assert!(e.contains(want), "{field} {value}: {e}");
        }
        let hash_page = at / PS * PS;
        let mut many = b.clone();
        many[hash_page + 20..hash_page + 22].copy_from_slice(&0xfffe_u16.to_le_bytes());
        assert!(
            parse(&many)
                .unwrap_err()
                .to_string()
                .contains("65534 entries")
        );
        let mut last = b.clone();
        last[32..36].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse(&last).unwrap_err().to_string().contains("truncated"));
        let mut ps = b.clone();
        ps[20..24].copy_from_slice(&1000u32.to_le_bytes());
        assert!(parse(&ps).unwrap_err().to_string().contains("page size"));
        let mut bt = b.clone();
        bt[12..16].copy_from_slice(&BTREE_MAGIC.to_le_bytes());
        assert!(parse(&bt).unwrap_err().to_string().contains("btree"));
        for junk in [&b""[..], &[0u8; 100][..], &[0xffu8; 8192][..]] {
            assert!(parse(junk).is_err());
        }
    }

    #[test]
    fn truncations_and_mutations_never_panic() {
        let b = real();
        for cut in (0..b.len()).step_by(97) {
            assert!(parse(&b[..cut]).is_err(), "cut at {cut}");
        }
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let started = std::time::Instant::now();
        for _ in 0..2000 {
            let mut m = b.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() % m.len() as u64) as usize;
                m[at] = next() as u8;
            }
            let _ = parse(&m);
        }
        assert!(started.elapsed().as_secs() < 30);
    }
}
