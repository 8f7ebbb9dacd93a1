//! rpm header blobs as the package databases store them (no lead, no
//! 8-byte header magic): `u32 il, u32 dl` (big-endian), `il` 16-byte index
//! entries `(tag, type, offset, count)`, then `dl` bytes of data. Only the
//! tags needed for a package's identity and file list are read, and each
//! read is bounds-checked against the data area.

use super::source_rpm_name;
use crate::packages::error::PathBudget;
use crate::packages::purl::{Distro, package_purl};
use crate::packages::{Package, PackageType, PackagesError};

const FORMAT: &str = "rpm header";

// rpm's own limits (header_internal.h): HEADER_TAGS_MAX, HEADER_DATA_MAX.
const MAX_TAGS: usize = 0xffff;
const MAX_DATA: usize = 0x0fff_ffff;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_ARCH: u32 = 1022;
const TAG_OLDFILENAMES: u32 = 1027;
const TAG_SOURCERPM: u32 = 1044;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;
const WANTED: [u32; 10] = [1000, 1001, 1002, 1003, 1022, 1027, 1044, 1116, 1117, 1118];

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

#[derive(Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: usize,
}

struct Header<'a> {
    data: &'a [u8],
    entries: [Option<Entry>; WANTED.len()],
}

fn err(reason: impl Into<String>) -> PackagesError {
    PackagesError::corrupt(FORMAT, reason)
}

macro_rules! bad {
    ($($arg:tt)*) => { err(format!($($arg)*)) };
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

impl<'a> Header<'a> {
    fn parse(blob: &'a [u8]) -> Result<Self, PackagesError> {
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(bad!(
                "{} bytes, shorter than the 8-byte preamble",
                blob.len()
            ));
        };
        let (il, dl) = (il as usize, dl as usize);
        if il == 0 || il > MAX_TAGS {
            return Err(bad!("index count {il} outside 1..={MAX_TAGS}"));
        }
        if dl > MAX_DATA {
            return Err(bad!("data length {dl} over rpm's limit {MAX_DATA}"));
        }
        let data_start = 8 + il * 16;
        let end = data_start + dl;
        let (Some(index), Some(data)) = (blob.get(8..data_start), blob.get(data_start..end)) else {
            return Err(bad!(
                "truncated: il {il} and dl {dl} need {end} bytes, have {}",
                blob.len()
            ));
        };
        let mut entries = [None; WANTED.len()];
        for e in index.chunks_exact(16) {
            let field = |i: usize| be32(e, i * 4).unwrap_or_default();
            let tag = field(0);
            // A later entry for the same tag wins, as rpm's "dribble"
            // entries override the immutable region.
            if let Some(slot) = WANTED.iter().position(|t| *t == tag) {
                entries[slot] = Some(Entry {
                    tag,
                    ty: field(1),
                    offset: field(2) as usize,
                    count: field(3) as usize,
                });
            }
        }
        Ok(Header { data, entries })
    }

    fn entry(&self, tag: u32) -> Option<Entry> {
        let slot = WANTED.iter().position(|t| *t == tag)?;
        self.entries[slot]
    }

    /// The NUL-terminated string at `offset` of the data area.
    fn c_str(&self, tag: u32, offset: usize) -> Result<&'a [u8], PackagesError> {
        let rest = self.data.get(offset..).filter(|r| !r.is_empty());
        let rest = rest.ok_or_else(|| bad!("tag {tag}: offset {offset} outside data"))?;
        let len = memchr::memchr(0, rest).ok_or_else(|| bad!("tag {tag}: unterminated string"))?;
        Ok(&rest[..len])
    }

    /// `count` consecutive strings (STRING, STRING_ARRAY or I18NSTRING).
    fn strings(&self, tag: u32) -> Result<Option<Vec<&'a [u8]>>, PackagesError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        if !matches!(e.ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
            return Err(bad!("tag {tag}: type {} is not a string type", e.ty));
        }
        if e.offset >= self.data.len() {
            return Err(bad!("tag {tag}: offset {} outside data", e.offset));
        }
        // Each string takes at least its NUL: a count beyond the data left
        // is a lie, refused before anything is allocated for it.
        let count = if e.ty == TYPE_STRING { 1 } else { e.count };
        if count > self.data.len().saturating_sub(e.offset) {
            return Err(bad!("tag {}: count {count} exceeds the data", e.tag));
        }
        let mut out = Vec::with_capacity(count);
        let mut at = e.offset;
        for _ in 0..count {
            let s = self.c_str(tag, at)?;
            at += s.len() + 1;
            out.push(s);
        }
        Ok(Some(out))
    }

    fn string(&self, tag: u32) -> Result<Option<String>, PackagesError> {
        let first = self.strings(tag)?.and_then(|v| v.first().copied());
        Ok(first.map(lossy))
    }

    fn int32s(&self, tag: u32) -> Result<Option<Vec<u32>>, PackagesError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        if e.ty != TYPE_INT32 {
            return Err(bad!("tag {tag}: type {} is not INT32", e.ty));
        }
        let bytes = e
            .count
            .checked_mul(4)
            .and_then(|n| self.data.get(e.offset..e.offset.checked_add(n)?))
            .ok_or_else(|| {
                bad!(
                    "tag {tag}: {} INT32s at {} exceed the data",
                    e.count,
                    e.offset
                )
            })?;
        Ok(Some(
            bytes.chunks_exact(4).filter_map(|c| be32(c, 0)).collect(),
        ))
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Parses one header blob into a package with its file list.
pub fn parse_rpm_header(blob: &[u8], distro: &Distro) -> Result<Package, PackagesError> {
    let h = Header::parse(blob)?;
    let need = |tag: u32, what: &str| -> Result<String, PackagesError> {
        h.string(tag)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad!("no {what} (tag {tag})"))
    };
    let name = need(TAG_NAME, "NAME")?;
    let version = need(TAG_VERSION, "VERSION")?;
    let release = need(TAG_RELEASE, "RELEASE")?;
    let epoch = h.int32s(TAG_EPOCH)?.and_then(|v| v.first().copied());
    let arch = h.string(TAG_ARCH)?.filter(|a| !a.is_empty());
    let source_name = h
        .string(TAG_SOURCERPM)?
        .as_deref()
        .and_then(source_rpm_name);

    let mut budget = PathBudget::for_input(FORMAT, blob.len());
    let mut files = Vec::new();
    if let Some(bases) = h.strings(TAG_BASENAMES)? {
        let dirs = h
            .strings(TAG_DIRNAMES)?
            .ok_or_else(|| err("BASENAMES without DIRNAMES"))?;
        let idx = h
            .int32s(TAG_DIRINDEXES)?
            .ok_or_else(|| err("BASENAMES without DIRINDEXES"))?;
        if idx.len() != bases.len() {
            return Err(bad!(
                "{} BASENAMES but {} DIRINDEXES",
                bases.len(),
                idx.len()
            ));
        }
        files.reserve(bases.len());
        for (base, &i) in bases.iter().zip(&idx) {
            let dir = dirs.get(i as usize).ok_or_else(|| {
                bad!(
                    "DIRINDEXES value {i} out of range for {} DIRNAMES",
                    dirs.len()
                )
            })?;
            budget.take(dir.len() + base.len())?;
            let mut path = lossy(dir);
            path.push_str(&String::from_utf8_lossy(base));
            files.push(path);
        }
    } else if let Some(old) = h.strings(TAG_OLDFILENAMES)? {
        files = old.into_iter().map(lossy).collect();
    }

    let mut p = Package {
        kind: PackageType::Rpm,
        name,
        version: match epoch {
            Some(e) => format!("{e}:{version}-{release}"),
            None => format!("{version}-{release}"),
        },
        epoch,
        arch,
        source_name,
        purl: String::new(),
        files,
    };
    p.purl = package_purl(&p, distro);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (tag, type, count, data) of one index entry.
    type E = (u32, u32, u32, Vec<u8>);

    /// A header from entries, their data laid out in order.
    fn build(entries: &[E]) -> Vec<u8> {
        let (mut index, mut data) = (Vec::new(), Vec::<u8>::new());
        for (tag, ty, count, bytes) in entries {
            for v in [*tag, *ty, data.len() as u32, *count] {
                index.extend(v.to_be_bytes());
            }
            data.extend(bytes);
        }
        let mut out = (entries.len() as u32).to_be_bytes().to_vec();
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    fn string(tag: u32, v: &str) -> E {
        (tag, TYPE_STRING, 1, format!("{v}\0").into_bytes())
    }

    fn nvr() -> Vec<E> {
        vec![
            string(TAG_NAME, "n"),
            string(TAG_VERSION, "1"),
            string(TAG_RELEASE, "2"),
        ]
    }

    fn parse(blob: &[u8]) -> Result<Package, PackagesError> {
        parse_rpm_header(blob, &Distro::unknown())
    }

    fn err_of(blob: &[u8]) -> String {
        parse(blob).unwrap_err().to_string()
    }

    #[test]
    fn minimal_and_old_filenames() {
        let p = parse(&build(&nvr())).unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str(), p.arch),
            ("n", "1-2", None)
        );
        assert_eq!(p.purl, "pkg:rpm/n@1-2");
        let mut e = nvr();
        e.push((
            TAG_OLDFILENAMES,
            TYPE_STRING_ARRAY,
            2,
            b"/a\0/b/c\0".to_vec(),
        ));
        e.push((TAG_EPOCH, TYPE_INT32, 1, 0u32.to_be_bytes().to_vec()));
        e.push(string(TAG_NAME, "later"));
        let p = parse(&build(&e)).unwrap();
        assert_eq!(p.files, ["/a", "/b/c"]);
        assert_eq!(
            (p.name.as_str(), p.version.as_str(), p.epoch),
            ("later", "0:1-2", Some(0))
        );
        assert_eq!(p.purl, "pkg:rpm/later@1-2?epoch=0");
    }

    #[test]
    fn lying_counts_and_offsets_are_errors() {
        let patched = |at: usize, v: u32| {
            let mut b = build(&nvr());
            b[at..at + 4].copy_from_slice(&v.to_be_bytes());
            b
        };
        assert!(err_of(&patched(0, 0x1_0000)).contains("index count 65536"));
        assert!(err_of(&patched(0, 0)).contains("index count 0"));
        assert!(err_of(&patched(4, 0x7fff_ffff)).contains("over rpm's limit"));
        assert!(err_of(&patched(4, 100)).contains("truncated"));
        // The first entry's offset, far outside the data area.
        assert!(err_of(&patched(16, 0xffff_fff0)).contains("outside data"));
        let cases: [(E, &str); 5] = [
            (
                (TAG_BASENAMES, TYPE_STRING_ARRAY, u32::MAX, b"a\0".to_vec()),
                "exceeds the data",
            ),
            (
                (TAG_EPOCH, TYPE_INT32, 0x4000_0001, vec![0; 4]),
                "exceed the data",
            ),
            ((TAG_ARCH, TYPE_INT32, 1, vec![0; 4]), "not a string type"),
            (
                (TAG_SOURCERPM, TYPE_STRING, 1, b"no-nul".to_vec()),
                "unterminated",
            ),
            (
                (TAG_BASENAMES, TYPE_STRING_ARRAY, 1, b"a\0".to_vec()),
                "without DIRNAMES",
            ),
        ];
        for (extra, want) in cases {
            let mut e = nvr();
            e.push(extra);
            let got = err_of(&build(&e));
            assert!(got.contains(want), "{got}");
        }
        assert!(err_of(&build(&nvr()[1..])).contains("no NAME"));
        assert!(err_of(&[0, 0, 0]).contains("shorter than the 8-byte preamble"));
    }

    fn with_files(dirs: &[u8], ndirs: u32, bases: &[u8], nbases: u32, idx: &[u32]) -> Vec<u8> {
        let mut e = nvr();
        e.push((TAG_DIRNAMES, TYPE_STRING_ARRAY, ndirs, dirs.to_vec()));
        e.push((TAG_BASENAMES, TYPE_STRING_ARRAY, nbases, bases.to_vec()));
        let raw: Vec<u8> = idx.iter().flat_map(|i| i.to_be_bytes()).collect();
        e.push((TAG_DIRINDEXES, TYPE_INT32, idx.len() as u32, raw));
        build(&e)
    }

    #[test]
    fn dirindexes_must_match_and_stay_in_range() {
        let ok = with_files(b"/usr/lib64/\0/etc/\0", 2, b"a.so\0b.conf\0", 2, &[0, 1]);
        assert_eq!(
            parse(&ok).unwrap().files,
            ["/usr/lib64/a.so", "/etc/b.conf"]
        );
        let out = with_files(b"/usr/\0", 1, b"a\0", 1, &[7]);
        assert!(err_of(&out).contains("value 7 out of range for 1"));
        let short = with_files(b"/usr/\0", 1, b"a\0b\0", 2, &[0]);
        assert!(err_of(&short).contains("2 BASENAMES but 1 DIRINDEXES"));
    }

    #[test]
    fn shared_dirname_amplification_is_bounded() {
        // 200k basenames in one 64 KiB directory: ~1.3 MB of header, 13 GB of paths.
        let mut dir = vec![b'd'; 64 << 10];
        dir.push(0);
        let bases = b"x\0".repeat(200_000);
        let blob = with_files(&dir, 1, &bases, 200_000, &vec![0; 200_000]);
        let started = std::time::Instant::now();
        assert!(matches!(parse(&blob), Err(PackagesError::TooLarge { .. })));
        assert!(started.elapsed().as_secs() < 5);
    }
}
