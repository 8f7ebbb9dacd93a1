//! Opening a layer blob as a tar stream: the media type proposes a
//! compression, the magic bytes decide, and sha256 taps sit on both sides of
//! the decompressor so the blob digest and the diff_id are checked in the
//! same single pass that feeds the tar walk.

use std::cell::RefCell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use sha2::{Digest as _, Sha256};

use crate::image::{Compression, Digest};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Counts and hashes what passes through.
pub struct Tap<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Tap<R> {
    pub fn new(inner: R) -> Self {
        Tap {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
    pub fn byte_count(&self) -> u64 {
        self.bytes
    }
    pub fn digest(&self) -> Digest {
        Digest::from_sha256(&self.hasher.clone().finalize())
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(chunk) = buf.get(..n) {
            self.hasher.update(chunk);
        }
        self.bytes += n as u64;
        Ok(n)
    }
}

/// The raw (compressed) side is shared so that, when decompression stops
/// early at a size bound, the rest of the blob can still be drained through
/// the hash and the blob verified.
pub type RawTap = Rc<RefCell<Tap<BufReader<Box<dyn Read + Send>>>>>;

struct Shared(RawTap);

impl Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

/// Stops the stream with a recognisable error past `limit_bytes`.
pub struct Bounded<R> {
    inner: R,
    remaining: u64,
    pub hit: bool,
}

pub const BOUND_HIT: &str = "decompressed size bound reached";

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            // Allow a clean EOF exactly at the bound.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.hit = true;
                    Err(io::Error::other(BOUND_HIT))
                }
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(buf.get_mut(..want).unwrap_or(&mut []))?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

pub struct Opened {
    pub raw: RawTap,
    /// The uncompressed tar stream: tapped for the diff_id, then bounded.
    pub tar: Bounded<Tap<Box<dyn Read>>>,
    pub compression: Compression,
    /// Set when the magic bytes contradict the media type.
    pub mismatch_note: Option<String>,
}

pub fn open(
    blob: Box<dyn Read + Send>,
    media_type: &str,
    max_layer_bytes: u64,
) -> io::Result<Opened> {
    let raw: RawTap = Rc::new(RefCell::new(Tap::new(BufReader::with_capacity(
        256 << 10,
        blob,
    ))));
    let declared = Compression::from_media_type(media_type);
    let actual = {
        let mut tap = raw.borrow_mut();
        // Peek without consuming: the tap hashes only what is read.
        let head = tap.inner.fill_buf()?;
        if head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::None
        }
    };
    let mismatch_note = (declared != actual).then(|| {
        format!("media type {media_type:?} says {declared:?} but the blob's magic bytes say {actual:?}; reading it as {actual:?}")
    });
    let shared = Shared(Rc::clone(&raw));
    let decoded: Box<dyn Read> = match actual {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            256 << 10,
            shared,
        ))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(shared)?),
        Compression::None => Box::new(shared),
    };
    Ok(Opened {
        raw,
        tar: Bounded {
            inner: Tap::new(decoded),
            remaining: max_layer_bytes,
            hit: false,
        },
        compression: actual,
        mismatch_note,
    })
}

impl Opened {
    /// Reads what the tar walk left (padding, or everything after a bound
    /// was hit) so both digests cover the whole blob.
    pub fn finish(&mut self) -> io::Result<()> {
        if self.tar.hit {
            // Decompressing a bomb to the end is what the bound prevents:
            // hash the remaining compressed bytes only.
            io::copy(&mut *self.raw.borrow_mut(), &mut io::sink())?;
        } else {
            io::copy(&mut self.tar, &mut io::sink())?;
            if self.tar.hit {
                io::copy(&mut *self.raw.borrow_mut(), &mut io::sink())?;
            }
        }
        Ok(())
    }

    pub fn blob_digest(&self) -> Digest {
        self.raw.borrow().digest()
    }
    pub fn blob_bytes(&self) -> u64 {
        self.raw.borrow().byte_count()
    }
    pub fn diff_id(&self) -> Digest {
        self.tar.inner.digest()
    }
    pub fn uncompressed_bytes(&self) -> u64 {
        self.tar.inner.byte_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn digests_cover_both_sides() {
        let data = b"hello tar".repeat(1000);
        let blob = gz(&data);
        let mut o = open(
            Box::new(io::Cursor::new(blob.clone())),
            "application/vnd.oci.image.layer.v1.tar+gzip",
            1 << 30,
        )
        .unwrap();
        let mut first = [0u8; 5];
        o.tar.read_exact(&mut first).unwrap();
        o.finish().unwrap();
        assert_eq!(o.blob_digest(), Digest::from_sha256(&Sha256::digest(&blob)));
        assert_eq!(o.diff_id(), Digest::from_sha256(&Sha256::digest(&data)));
        assert_eq!(o.uncompressed_bytes(), data.len() as u64);
        assert!(o.mismatch_note.is_none());
    }

    #[test]
    fn magic_beats_media_type_and_bound_stops() {
        let data = vec![0u8; 1 << 20];
        let blob = gz(&data);
        let mut o = open(
            Box::new(io::Cursor::new(blob.clone())),
            "application/vnd.oci.image.layer.v1.tar",
            4096,
        )
        .unwrap();
        assert_eq!(o.compression, Compression::Gzip);
        assert!(o.mismatch_note.is_some());
        let err = io::copy(&mut o.tar, &mut io::sink()).unwrap_err();
        assert_eq!(err.to_string(), BOUND_HIT);
        o.finish().unwrap();
        // The blob is still verified in full.
        assert_eq!(o.blob_digest(), Digest::from_sha256(&Sha256::digest(&blob)));
        assert_eq!(o.blob_bytes(), blob.len() as u64);
    }

    #[test]
    fn zstd_is_read() {
        let data = b"zstd layer".repeat(100);
        let blob = zstd::encode_all(&data[..], 3).unwrap();
        let mut o = open(
            Box::new(io::Cursor::new(blob)),
            "application/vnd.oci.image.layer.v1.tar+zstd",
            1 << 30,
        )
        .unwrap();
        let mut out = Vec::new();
        o.tar.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(o.compression, Compression::Zstd);
    }
}
