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

use super::http::{Access, Fail, chain};
use super::retry::RetryState;

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
