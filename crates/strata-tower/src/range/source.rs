// The intent a response carries when its ranges can be served: the representation's bytes, in
// memory or behind a reader that can seek.

use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncSeek};

use super::body::ResponseBody;

/// A source that fetches the ranges it is asked for, each as a stream of chunks: an object in a
/// store that serves byte ranges (object storage, HTTP). The range step asks it for exactly the
/// bytes a response sends (the whole representation, or each range of a 206), when the body is
/// first polled: a response dropped unsent (a 304, a `HEAD`) fetches nothing.
pub trait Fetch: Send + Sync + 'static {
    /// The representation's bytes from `first` to `last`, both included (`first <= last <
    /// len`). A stream that ends early, or sends more, fails the body.
    fn fetch(&self, first: u64, last: u64) -> FetchStream;
}

/// The chunks [`Fetch::fetch`] returns.
pub type FetchStream = std::pin::Pin<Box<dyn futures_core::Stream<Item = std::io::Result<Bytes>> + Send>>;

/// Reads and sends chunks of this size unless told otherwise.
const DEFAULT_CHUNK_SIZE: usize = 64 * 1024;

/// A source the range body reads from: any reader that can seek (a `tokio::fs::File`, an
/// `std::io::Cursor`).
pub(super) trait Reader: AsyncRead + AsyncSeek + Send + Unpin {}

impl<R: AsyncRead + AsyncSeek + Send + Unpin> Reader for R {}

/// A reader shared by the intent and the body that sends the whole representation, until one
/// of them takes it.
pub(super) type SharedReader = Arc<Mutex<Option<Box<dyn Reader>>>>;

pub(super) fn take(shared: &SharedReader) -> Option<Box<dyn Reader>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// The representation behind a response, for [`RangeLayer`](super::RangeLayer) to send parts
/// of instead of the whole: the intent a response carries in its extensions when its ranges
/// can be served (`ARCHITECTURE.md`, "responses carry intent"). axum-strata's `File` puts one there.
///
/// The response must be a 200 whose body is [`Seekable::body`] (the whole representation) and
/// whose `Content-Length` is [`Seekable::len`]; a layer that re-encodes or replaces the body in
/// between makes the range step leave the response alone. `B` is the response's body type:
/// the intent is only found on a response of that type.
pub struct Seekable<B> {
    pub(super) len: u64,
    pub(super) content: Content<B>,
}

/// Where the representation's bytes are.
pub(super) enum Content<B> {
    /// In memory: parts are slices of it.
    Bytes(Bytes),
    /// Behind a reader: parts are read from it, one chunk at a time.
    Reader { shared: SharedReader, chunk_size: usize, wrap: fn(ResponseBody) -> B },
    /// Fetched: each body asks for the bytes it sends.
    Fetch { fetch: Arc<dyn Fetch>, wrap: fn(ResponseBody) -> B },
}

impl<B> Clone for Seekable<B> {
    fn clone(&self) -> Self {
        let content = match &self.content {
            Content::Bytes(data) => Content::Bytes(data.clone()),
            Content::Reader { shared, chunk_size, wrap } => {
                Content::Reader { shared: Arc::clone(shared), chunk_size: *chunk_size, wrap: *wrap }
            }
            Content::Fetch { fetch, wrap } => Content::Fetch { fetch: Arc::clone(fetch), wrap: *wrap },
        };
        Self { len: self.len, content }
    }
}

impl<B> fmt::Debug for Seekable<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.content {
            Content::Bytes(_) => "bytes",
            Content::Reader { .. } => "reader",
            Content::Fetch { .. } => "fetch",
        };
        f.debug_struct("Seekable").field("len", &self.len).field("source", &source).finish()
    }
}

impl<B> Seekable<B> {
    /// A representation held in memory.
    pub fn bytes(data: Bytes) -> Self {
        Self { len: data.len() as u64, content: Content::Bytes(data) }
    }

    /// A representation of `len` bytes read from `reader`, which is positioned at its start.
    /// Bodies that read it are turned into the response's body type with `wrap`
    /// (`axum::body::Body::new` for axum; the body type also needs `From<Bytes>`). Chunks are
    /// 64 KiB unless [`chunk_size`](Self::chunk_size) says otherwise.
    pub fn reader<R>(reader: R, len: u64, wrap: fn(ResponseBody) -> B) -> Self
    where
        R: AsyncRead + AsyncSeek + Send + Unpin + 'static,
    {
        let shared: SharedReader = Arc::new(Mutex::new(Some(Box::new(reader))));
        Self { len, content: Content::Reader { shared, chunk_size: DEFAULT_CHUNK_SIZE, wrap } }
    }

    /// A representation of `len` bytes that `fetch` fetches, range by range, as bodies are
    /// polled (see [`Fetch`]); bodies are turned into the response's body type with `wrap`.
    pub fn fetched(fetch: Arc<dyn Fetch>, len: u64, wrap: fn(ResponseBody) -> B) -> Self {
        Self { len, content: Content::Fetch { fetch, wrap } }
    }

    /// Reads a reader in chunks of at most `bytes` (at least 1), each sent as one frame; a
    /// representation in memory goes out in one frame whatever this says.
    #[must_use]
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        if let Content::Reader { chunk_size, .. } = &mut self.content {
            *chunk_size = bytes.max(1);
        }
        self
    }

    /// The representation's length in bytes.
    #[must_use]
    pub const fn len(&self) -> u64 {
        self.len
    }

    /// Whether the representation is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The body that sends the whole representation: the body of the 200 this intent goes with.
    /// A reader is shared with that body until one of them takes it: the body when it is first
    /// polled, the range step when it serves parts instead.
    pub fn body(&self) -> B
    where
        B: From<Bytes>,
    {
        match &self.content {
            Content::Bytes(data) => B::from(data.clone()),
            Content::Reader { shared, chunk_size, wrap } => {
                wrap(ResponseBody::whole(Arc::clone(shared), self.len, *chunk_size))
            }
            Content::Fetch { fetch, wrap } => {
                let segments = if self.len == 0 {
                    std::collections::VecDeque::new()
                } else {
                    std::collections::VecDeque::from([super::body::Segment::Range {
                        first: 0,
                        last: self.len - 1,
                    }])
                };
                wrap(ResponseBody::fetched(Arc::clone(fetch), segments))
            }
        }
    }
}
