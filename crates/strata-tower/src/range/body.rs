// The body that reads a representation from its reader: the whole of it, or the parts of a
// 206 (with their multipart heads), one chunk at a time.

use std::{
    collections::VecDeque,
    fmt, io,
    pin::Pin,
    task::{Context, Poll, ready},
};

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use tokio::io::ReadBuf;

use std::sync::Arc;

use super::source::{Fetch, FetchStream, Reader, SharedReader, take};

/// What a body sends, in order.
pub(super) enum Segment {
    /// Bytes of its own: the heads and the closing delimiter of a multipart body.
    Bytes(Bytes),
    /// The representation's bytes from `first` to `last`, both included.
    Range { first: u64, last: u64 },
}

impl Segment {
    pub(super) const fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::Range { first, last } => (*last - *first).saturating_add(1),
        }
    }
}

enum ReaderSlot {
    /// Not taken yet: the body of a whole representation takes it when first polled.
    Shared(SharedReader),
    Owned(Box<dyn Reader>),
    /// Taken by another body, or failed.
    Gone,
    /// Fetched range by range; the stream of the range being sent, once asked for.
    Fetch {
        fetch: Arc<dyn Fetch>,
        stream: Option<FetchStream>,
    },
}

/// The body of a representation read from a reader ([`Seekable::reader`](super::Seekable::reader)):
/// the whole of it, or the ranges of a 206. At most one chunk is in memory; each range costs
/// one seek, and its chunks follow on.
pub struct ResponseBody {
    reader: ReaderSlot,
    segments: VecDeque<Segment>,
    seeking: bool,
    /// Where the reader is positioned, once known.
    position: Option<u64>,
    remaining: u64,
    chunk_size: usize,
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseBody").field("remaining", &self.remaining).finish_non_exhaustive()
    }
}

impl ResponseBody {
    /// The whole representation of `len` bytes, from a reader positioned at its start.
    pub(super) fn whole(shared: SharedReader, len: u64, chunk_size: usize) -> Self {
        let segments = if len == 0 {
            VecDeque::new()
        } else {
            VecDeque::from([Segment::Range { first: 0, last: len - 1 }])
        };
        Self {
            reader: ReaderSlot::Shared(shared),
            segments,
            seeking: false,
            position: Some(0),
            remaining: len,
            chunk_size,
        }
    }

    /// `segments` of the representation behind `reader`, wherever it is positioned.
    pub(super) fn parts(reader: Box<dyn Reader>, segments: VecDeque<Segment>, chunk_size: usize) -> Self {
        let remaining = segments.iter().map(Segment::len).sum();
        Self {
            reader: ReaderSlot::Owned(reader),
            segments,
            seeking: false,
            position: None,
            remaining,
            chunk_size,
        }
    }

    /// `segments` of the representation `fetch` fetches: each range asked for when it is
    /// reached.
    pub(super) fn fetched(fetch: Arc<dyn Fetch>, segments: VecDeque<Segment>) -> Self {
        let remaining = segments.iter().map(Segment::len).sum();
        Self {
            reader: ReaderSlot::Fetch { fetch, stream: None },
            segments,
            seeking: false,
            position: None,
            remaining,
            chunk_size: 0,
        }
    }

    /// The next chunk of the range `first..=last` from its fetched stream (asked for on the
    /// first call), checked against what is left of the range.
    fn poll_fetched(
        &mut self,
        cx: &mut Context<'_>,
        first: u64,
        last: u64,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let ReaderSlot::Fetch { fetch, stream } = &mut self.reader else {
            return self.fail(io::Error::other("not a fetched source"));
        };
        let stream = stream.get_or_insert_with(|| fetch.fetch(first, last));
        let bytes = match ready!(stream.as_mut().poll_next(cx)) {
            Some(Ok(bytes)) => bytes,
            Some(Err(e)) => return self.fail(e),
            None => {
                return self.fail(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the source sent less than the range asked for",
                ));
            }
        };
        let n = bytes.len() as u64;
        let left = (last - first).saturating_add(1);
        if n > left {
            return self.fail(io::Error::other("the source sent more than the range asked for"));
        }
        if n == left {
            // The range is done: the next one gets a stream of its own.
            if let ReaderSlot::Fetch { stream, .. } = &mut self.reader {
                *stream = None;
            }
        }
        if let Some(Segment::Range { first, .. }) = self.segments.front_mut() {
            *first += n;
        }
        self.remaining -= n;
        Poll::Ready(Some(Ok(Frame::data(bytes))))
    }

    /// Ends the body after an error: nothing more is sent.
    fn fail(&mut self, error: io::Error) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.segments.clear();
        self.remaining = 0;
        self.reader = ReaderSlot::Gone;
        Poll::Ready(Some(Err(error)))
    }
}

/// Reads up to `want` bytes from `reader`, as many as are ready: a small representation goes
/// out as one frame. Reaching the end first is an error: the length promised cannot be sent
/// (the source shrank since its length was read).
fn poll_chunk(reader: &mut dyn Reader, cx: &mut Context<'_>, want: usize) -> Poll<io::Result<Bytes>> {
    let mut buf = BytesMut::zeroed(want);
    let mut filled = 0;
    while filled < want {
        let mut read_buf = ReadBuf::new(&mut buf[filled..]);
        match Pin::new(&mut *reader).poll_read(cx, &mut read_buf) {
            Poll::Ready(Ok(())) => {
                let n = read_buf.filled().len();
                if n == 0 {
                    break;
                }
                filled += n;
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending if filled == 0 => return Poll::Pending,
            Poll::Pending => break,
        }
    }
    if filled == 0 {
        return Poll::Ready(Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the source shrank while it was sent",
        )));
    }
    buf.truncate(filled);
    Poll::Ready(Ok(buf.freeze()))
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        loop {
            let Some(segment) = this.segments.front_mut() else { return Poll::Ready(None) };
            let (first, last) = match segment {
                Segment::Bytes(bytes) => {
                    let bytes = std::mem::take(bytes);
                    this.segments.pop_front();
                    this.remaining -= bytes.len() as u64;
                    return Poll::Ready(Some(Ok(Frame::data(bytes))));
                }
                Segment::Range { first, last } if *first > *last => {
                    this.segments.pop_front();
                    continue;
                }
                Segment::Range { first, last } => (*first, *last),
            };
            if matches!(this.reader, ReaderSlot::Fetch { .. }) {
                return this.poll_fetched(cx, first, last);
            }
            if let ReaderSlot::Shared(shared) = &this.reader {
                this.reader = take(shared).map_or(ReaderSlot::Gone, ReaderSlot::Owned);
            }
            let ReaderSlot::Owned(reader) = &mut this.reader else {
                return this.fail(io::Error::other("the source was taken by another body"));
            };
            // Seek once where a range starts; its later chunks follow on.
            if this.position != Some(first) {
                if !this.seeking {
                    if let Err(e) = Pin::new(&mut **reader).start_seek(io::SeekFrom::Start(first)) {
                        return this.fail(e);
                    }
                    this.seeking = true;
                }
                let position = match ready!(Pin::new(&mut **reader).poll_complete(cx)) {
                    Ok(position) => position,
                    Err(e) => return this.fail(e),
                };
                this.seeking = false;
                if position != first {
                    return this.fail(io::Error::other("the source could not be positioned"));
                }
                this.position = Some(position);
            }
            let want = usize::try_from((last - first).saturating_add(1))
                .map_or(this.chunk_size, |n| n.min(this.chunk_size));
            let bytes = match ready!(poll_chunk(&mut **reader, cx, want)) {
                Ok(bytes) => bytes,
                Err(e) => return this.fail(e),
            };
            let n = bytes.len() as u64;
            // The next read continues where this one ended, without a seek.
            if let Some(Segment::Range { first, .. }) = this.segments.front_mut() {
                *first += n;
                this.position = Some(*first);
            }
            this.remaining -= n;
            return Poll::Ready(Some(Ok(Frame::data(bytes))));
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use http_body_util::BodyExt;

    use super::*;
    use crate::range::{
        Seekable,
        testing::{call, get, respond, wrap},
    };

    fn content(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    /// A fetched source over `data` that records the ranges asked of it and sends each in
    /// chunks of 1000 bytes.
    struct Recorded {
        data: Vec<u8>,
        asked: std::sync::Mutex<Vec<(u64, u64)>>,
    }

    impl Fetch for Recorded {
        fn fetch(&self, first: u64, last: u64) -> FetchStream {
            self.asked.lock().unwrap().push((first, last));
            let part = self.data[first as usize..=last as usize].to_vec();
            let chunks: Vec<io::Result<Bytes>> =
                part.chunks(1000).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
            Box::pin(futures_util::stream::iter(chunks))
        }
    }

    fn recorded(len: usize) -> Arc<Recorded> {
        Arc::new(Recorded { data: content(len), asked: std::sync::Mutex::new(Vec::new()) })
    }

    #[tokio::test]
    async fn a_fetched_source_is_asked_for_exactly_the_bytes_sent() {
        let source = recorded(10_000);
        let make = {
            let source = Arc::clone(&source);
            move || respond(Seekable::fetched(Arc::clone(&source) as Arc<dyn Fetch>, 10_000, wrap))
        };
        let (response, body) = call(make.clone(), get(&[])).await;
        assert_eq!(response.status(), 200);
        assert_eq!(body, source.data);
        assert_eq!(source.asked.lock().unwrap().split_off(0), [(0, 9_999)]);

        let (response, body) = call(make.clone(), get(&[("range", "bytes=100-2599")])).await;
        assert_eq!(response.status(), 206);
        assert_eq!(body, &source.data[100..2600]);
        assert_eq!(source.asked.lock().unwrap().split_off(0), [(100, 2_599)]);

        let (response, body) = call(make.clone(), get(&[("range", "bytes=0-9,-10")])).await;
        assert_eq!(response.status(), 206);
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("Content-Range: bytes 0-9/10000")
                && text.contains("Content-Range: bytes 9990-9999/10000")
        );
        assert_eq!(source.asked.lock().unwrap().split_off(0), [(0, 9), (9_990, 9_999)]);

        // A response dropped unsent fetches nothing.
        drop(make());
        assert!(source.asked.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_fetched_source_that_sends_too_little_or_too_much_fails_the_body() {
        struct Wrong(usize);
        impl Fetch for Wrong {
            fn fetch(&self, _: u64, _: u64) -> FetchStream {
                Box::pin(futures_util::stream::iter([Ok(Bytes::from(vec![0; self.0]))]))
            }
        }
        for sent in [5, 20] {
            let mut body = Seekable::fetched(Arc::new(Wrong(sent)), 10, wrap).body();
            let mut failed = false;
            while let Some(frame) = body.frame().await {
                if frame.is_err() {
                    failed = true;
                    break;
                }
            }
            assert!(failed, "{sent} bytes for 10");
        }
    }

    #[tokio::test]
    async fn a_whole_reader_goes_out_in_bounded_chunks() {
        let data = content(10_000);
        let seekable = Seekable::reader(Cursor::new(data.clone()), 10_000, wrap).chunk_size(4096);
        let mut body = seekable.body();
        let mut sizes = Vec::new();
        let mut all = Vec::new();
        while let Some(frame) = body.frame().await {
            let chunk = frame.unwrap().into_data().unwrap();
            sizes.push(chunk.len());
            all.extend_from_slice(&chunk);
        }
        assert_eq!(sizes, [4096, 4096, 1808]);
        assert_eq!(all, data);
    }

    #[tokio::test]
    async fn ranges_of_a_reader_seek_to_each_part() {
        let data = content(10_000);
        let make = {
            let data = data.clone();
            move || respond(Seekable::reader(Cursor::new(data.clone()), 10_000, wrap).chunk_size(100))
        };
        let (r, body) = call(make, get(&[("range", "bytes=5-204,9000-9023")])).await;
        assert_eq!(r.status(), 206);
        let find = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
        assert!(find(&data[5..=204]), "the first range, read in two chunks");
        assert!(find(&data[9000..=9023]), "the second range, after a seek");
        assert!(find(b"Content-Range: bytes 9000-9023/10000"));
        assert_eq!(r.headers()["content-length"], body.len().to_string().as_str());
    }

    #[tokio::test]
    async fn the_reader_goes_to_the_first_body_polled() {
        let seekable = Seekable::reader(Cursor::new(content(10)), 10, wrap);
        let (mut first, mut second) = (seekable.body(), seekable.body());
        assert_eq!(first.frame().await.unwrap().unwrap().into_data().unwrap().len(), 10);
        let error = second.frame().await.unwrap().unwrap_err();
        assert_eq!(error.to_string(), "the source was taken by another body");
        assert!(second.frame().await.is_none(), "nothing after the error");
    }

    #[tokio::test]
    async fn a_source_shorter_than_its_length_is_an_error() {
        let seekable = Seekable::reader(Cursor::new(content(5)), 10, wrap);
        let mut body = seekable.body();
        assert_eq!(body.frame().await.unwrap().unwrap().into_data().unwrap().len(), 5);
        let error = body.frame().await.unwrap().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        assert!(body.frame().await.is_none());
    }
}
