//! Layer blobs streamed from a registry into the synchronous layer pipeline.
//!
//! `open` waits for the response headers (so 401/403/404 on a blob are
//! clear errors), then a tokio task pumps the body into a bounded channel
//! and the layer worker reads it as `Read`: decompression and scanning
//! overlap the download, and at most `CHANNEL_CHUNKS` chunks are in memory
//! per layer.
//!
//! A connection lost mid-blob is resumed with `Range: bytes=N-` inside the
//! pump, invisibly to the reader. The reader's sha256 taps (layer.rs) then
//! still see every byte of the blob exactly once, in order, so the digest
//! they verify at the end covers the whole blob across all attempts: the
//! retried blob is verified from its first byte. Resuming instead of
//! restarting the layer scan avoids downloading and decompressing the
//! beginning twice, and needs no change to the layer pipeline. A server
//! that ignores Range (200 instead of 206) is handled by skipping the bytes
//! already delivered.

use std::io::{self, Read};
use std::sync::Arc;

use bytes::{Buf, Bytes};
use indicatif::ProgressBar;
use reqwest::StatusCode;
use reqwest::header::CONTENT_RANGE;
use tokio::sync::mpsc;

use super::http::{Access, Fail};
use super::retry::RetryState;
use super::session::chain;

/// Chunks in flight per layer: hyper's chunks are at most a few hundred KiB,
/// usually 8–64 KiB.
const CHANNEL_CHUNKS: usize = 16;

/// What the layer worker reads.
pub struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
    bar: Option<ProgressBar>,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            // Layer workers are plain threads, never inside the runtime.
            match self.rx.blocking_recv() {
                Some(Ok(b)) => {
                    if let Some(bar) = &self.bar {
                        bar.inc(b.len() as u64);
                    }
                    self.chunk = b;
                }
                Some(Err(e)) => return Err(e),
                // The pump ended without an error only after the whole body.
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        if let Some(dst) = buf.get_mut(..n) {
            dst.copy_from_slice(self.chunk.get(..n).unwrap_or_default());
        }
        self.chunk.advance(n);
        Ok(n)
    }
}

impl Drop for ChannelReader {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One blob being fetched.
pub struct BlobFetch {
    pub access: Arc<Access>,
    /// `blobs/sha256:…`
    pub path: String,
    /// From the manifest, when known: a body that ends short is resumed.
    pub size: Option<u64>,
    pub state: RetryState,
    /// The blob and the reference, for errors.
    pub place: String,
}

/// Starts pumping a blob whose first response arrived.
pub fn stream(
    handle: &tokio::runtime::Handle,
    fetch: BlobFetch,
    first: reqwest::Response,
    bar: Option<ProgressBar>,
) -> ChannelReader {
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    handle.spawn(pump(fetch, first, tx));
    ChannelReader {
        rx,
        chunk: Bytes::new(),
        bar,
    }
}

enum Body {
    Done,
    ReaderGone,
    /// The connection broke: resume from the bytes delivered so far.
    Cut(String),
    Fatal(String),
}

async fn pump(fetch: BlobFetch, mut resp: reqwest::Response, tx: mpsc::Sender<io::Result<Bytes>>) {
    let BlobFetch {
        access,
        path,
        size,
        mut state,
        place,
    } = fetch;
    let mut offset = 0u64;
    loop {
        let why = match body(&mut resp, &mut offset, size, &tx).await {
            Body::Done | Body::ReaderGone => return,
            Body::Fatal(msg) => {
                let _ = tx
                    .send(Err(io::Error::other(format!("{place}: {msg}"))))
                    .await;
                return;
            }
            Body::Cut(why) => why,
        };
        let fail = Fail::Network(format!("connection lost after {offset} bytes: {why}"));
        let next = match super::http::retry_wait(&mut state, fail, None).await {
            Ok(()) => access.get(&path, None, offset, &mut state).await,
            Err(f) => Err(f),
        };
        match next {
            Ok(r) => resp = r,
            Err(f) => {
                let msg = f.into_source(&place).to_string();
                let _ = tx.send(Err(io::Error::other(msg))).await;
                return;
            }
        }
    }
}

/// Where a 206 starts, from `Content-Range: bytes START-END/TOTAL`.
fn range_start(resp: &reqwest::Response) -> Option<u64> {
    let v = resp.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let rest = v.trim().strip_prefix("bytes ")?;
    rest.split('-').next()?.trim().parse().ok()
}

/// Forwards one response body from `offset`, advancing it.
async fn body(
    resp: &mut reqwest::Response,
    offset: &mut u64,
    size: Option<u64>,
    tx: &mpsc::Sender<io::Result<Bytes>>,
) -> Body {
    let mut skip = 0u64;
    if *offset > 0 {
        match resp.status() {
            StatusCode::PARTIAL_CONTENT => match range_start(resp) {
                Some(start) if start == *offset => {}
                other => {
                    return Body::Fatal(format!(
                        "asked to resume at byte {offset}, the registry sent a range starting at {other:?}"
                    ));
                }
            },
            // Range ignored: the body starts again at byte 0.
            _ => skip = *offset,
        }
    }
    loop {
        match resp.chunk().await {
            Ok(Some(mut chunk)) => {
                if skip > 0 {
                    let n = usize::try_from(skip).unwrap_or(usize::MAX).min(chunk.len());
                    chunk.advance(n);
                    skip -= n as u64;
                }
                if chunk.is_empty() {
                    continue;
                }
                *offset += chunk.len() as u64;
                if let Some(size) = size
                    && *offset > size
                {
                    return Body::Fatal(format!(
                        "the registry sent more than the {size} bytes the manifest declares"
                    ));
                }
                if tx.send(Ok(chunk)).await.is_err() {
                    return Body::ReaderGone;
                }
            }
            Ok(None) => {
                return match size {
                    Some(size) if *offset < size => {
                        Body::Cut(format!("the body ended at {offset} of {size} bytes"))
                    }
                    _ if skip > 0 => Body::Cut("the body ended before the resume point".into()),
                    _ => Body::Done,
                };
            }
            Err(e) => return Body::Cut(chain(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, range: Option<&str>, body: &'static [u8]) -> reqwest::Response {
        let mut r = ::http::Response::builder().status(status);
        if let Some(v) = range {
            r = r.header("content-range", v);
        }
        reqwest::Response::from(r.body(body.to_vec()).unwrap())
    }

    /// Runs `body` and returns what it forwarded and how it ended.
    fn run(resp: reqwest::Response, offset: u64, size: Option<u64>) -> (Vec<u8>, u64, String) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let (tx, mut rx) = mpsc::channel(64);
            let mut resp = resp;
            let mut offset = offset;
            let end = match body(&mut resp, &mut offset, size, &tx).await {
                Body::Done => "done".to_string(),
                Body::ReaderGone => "gone".to_string(),
                Body::Cut(w) => format!("cut: {w}"),
                Body::Fatal(w) => format!("fatal: {w}"),
            };
            drop(tx);
            let mut got = Vec::new();
            while let Some(Ok(b)) = rx.recv().await {
                got.extend_from_slice(&b);
            }
            (got, offset, end)
        })
    }

    #[test]
    fn a_resumed_range_continues_where_the_cut_was() {
        let (got, offset, end) = run(response(206, Some("bytes 4-9/10"), b"456789"), 4, Some(10));
        assert_eq!(
            (got.as_slice(), offset, end.as_str()),
            (&b"456789"[..], 10, "done")
        );
    }

    #[test]
    fn a_range_at_the_wrong_place_is_refused() {
        let (got, _, end) = run(
            response(206, Some("bytes 0-9/10"), b"0123456789"),
            4,
            Some(10),
        );
        assert!(got.is_empty());
        assert!(end.starts_with("fatal: asked to resume at byte 4"), "{end}");
    }

    #[test]
    fn a_server_ignoring_range_is_skipped_forward() {
        let (got, offset, end) = run(response(200, None, b"0123456789"), 4, Some(10));
        assert_eq!(
            (got.as_slice(), offset, end.as_str()),
            (&b"456789"[..], 10, "done")
        );
    }

    #[test]
    fn short_and_long_bodies() {
        let (got, offset, end) = run(response(200, None, b"01234"), 0, Some(10));
        assert_eq!((got.len(), offset), (5, 5));
        assert!(end.starts_with("cut: the body ended at 5 of 10"), "{end}");
        let (_, _, end) = run(response(200, None, b"0123456789AB"), 0, Some(10));
        assert!(
            end.starts_with("fatal: the registry sent more than the 10 bytes"),
            "{end}"
        );
        // Without a declared size, the end of the body is the end of the blob.
        let (got, _, end) = run(response(200, None, b"01234"), 0, None);
        assert_eq!((got.len(), end.as_str()), (5, "done"));
    }

    #[test]
    fn the_reader_returns_chunks_then_the_pumps_error() {
        let (tx, rx) = mpsc::channel(4);
        tx.try_send(Ok(Bytes::from_static(b"abc"))).unwrap();
        tx.try_send(Err(io::Error::other("blob X of REF: gave up")))
            .unwrap();
        drop(tx);
        let mut r = ChannelReader {
            rx,
            chunk: Bytes::new(),
            bar: None,
        };
        let mut buf = [0u8; 2];
        assert_eq!(r.read(&mut buf).unwrap(), 2);
        assert_eq!(r.read(&mut buf).unwrap(), 1);
        assert_eq!(
            r.read(&mut buf).unwrap_err().to_string(),
            "blob X of REF: gave up"
        );
        assert_eq!(r.read(&mut buf).unwrap(), 0);
    }
}
