//! Bounded reads out of an archive: nested archives (borrowed when STORED,
//! inflated up to `max_nested_bytes` and the remaining budget otherwise)
//! and small text entries (manifest, pom.properties). Whatever size a
//! header declares, no read goes past these bounds; a bound hit or a read
//! error becomes a problem of the archive being walked.

use std::io::{Cursor, Read};

use zip::{CompressionMethod, ZipArchive};

use super::jar::{JarFacts, Walk};

impl Walk<'_> {
    pub(super) fn nested<'b>(
        &mut self,
        ar: &mut ZipArchive<Cursor<&'b [u8]>>,
        bytes: &'b [u8],
        i: usize,
        entry: &str,
        depth: u8,
        f: &mut JarFacts,
    ) {
        let child_depth = depth.saturating_add(1);
        if child_depth > self.limits.max_depth {
            f.problems.push(format!(
                "{entry}: nested archive at depth {child_depth} not opened (depth limit {})",
                self.limits.max_depth
            ));
            return;
        }
        let mut path = f.path_in_archive.clone();
        path.push(entry.to_string());
        let owned;
        let child: &[u8] = match self.nested_bytes(ar, bytes, i, entry) {
            Ok(NestedBytes::Borrowed(b)) => b,
            Ok(NestedBytes::Owned(v)) => {
                owned = v;
                &owned
            }
            Err(problem) => {
                f.problems.push(problem);
                return;
            }
        };
        let name = entry.rsplit('/').next().unwrap_or(entry);
        let facts = match ZipArchive::new(Cursor::new(child)) {
            Ok(sub) => self.archive(sub, child, name, path, child_depth),
            Err(e) => {
                let mut bad = JarFacts::new(name, path);
                bad.problems
                    .push(format!("not a readable zip archive: {e}"));
                bad
            }
        };
        f.nested.push(facts);
    }

    /// A STORED entry is a slice of its parent (Spring Boot stores nested
    /// jars for exactly this); anything else is inflated into memory,
    /// bounded by `max_nested_bytes` and the remaining budget whatever size
    /// the headers declare.
    fn nested_bytes<'b>(
        &mut self,
        ar: &mut ZipArchive<Cursor<&'b [u8]>>,
        bytes: &'b [u8],
        i: usize,
        entry: &str,
    ) -> Result<NestedBytes<'b>, String> {
        let max = self.limits.max_nested_bytes;
        let too_big = |n: u64| format!("{entry}: nested archive of {n} bytes exceeds {max}");
        let mut file = ar
            .by_index(i)
            .map_err(|e| format!("{entry}: unreadable: {e}"))?;
        if file.size() > max {
            return Err(too_big(file.size()));
        }
        if file.compression() == CompressionMethod::Stored && !file.encrypted() {
            let len = file.compressed_size();
            let start = file
                .data_start()
                .ok_or_else(|| format!("{entry}: no data offset"))?;
            let slice = usize::try_from(start)
                .ok()
                .zip(usize::try_from(len).ok())
                .and_then(|(s, l)| bytes.get(s..s.checked_add(l)?))
                .ok_or_else(|| format!("{entry}: stored data lies outside the archive"))?;
            if len > max {
                return Err(too_big(len));
            }
            return Ok(NestedBytes::Borrowed(slice));
        }
        let cap = max.min(self.budget);
        let mut buf = Vec::new();
        (&mut file)
            .take(cap.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| format!("{entry}: cannot inflate: {e}"))?;
        let got = buf.len() as u64;
        self.budget = self.budget.saturating_sub(got);
        if got > cap {
            return Err(if cap < max {
                format!("{entry}: not opened, total decompression budget exhausted")
            } else {
                too_big(got)
            });
        }
        Ok(NestedBytes::Owned(buf))
    }

    /// A small text entry, bounded by `max_meta_bytes` and the budget.
    pub(super) fn read_text(
        &mut self,
        ar: &mut ZipArchive<Cursor<&[u8]>>,
        i: usize,
        entry: &str,
        f: &mut JarFacts,
    ) -> Option<String> {
        let cap = self.limits.max_meta_bytes.min(self.budget);
        let mut buf = Vec::new();
        let read = ar.by_index(i).map_err(|e| e.to_string()).and_then(|file| {
            file.take(cap)
                .read_to_end(&mut buf)
                .map_err(|e| e.to_string())
        });
        self.budget = self.budget.saturating_sub(buf.len() as u64);
        match read {
            Ok(_) => Some(String::from_utf8_lossy(&buf).into_owned()),
            Err(e) => {
                f.problems.push(format!("{entry}: unreadable: {e}"));
                None
            }
        }
    }
}

enum NestedBytes<'b> {
    Borrowed(&'b [u8]),
    Owned(Vec<u8>),
}
