// The range step: what a request asks for, and the 206 or 416 that a response with a
// `Seekable` becomes.

use std::{
    collections::VecDeque,
    iter,
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header, response::Parts};
use strata_headers::{
    ByteRange, ETag, IfRange, MultipartByteRanges, Range,
    headers::{AcceptRanges, ContentRange, Header, HeaderMapExt, LastModified},
};

use super::{
    MAX_RANGES,
    body::{ResponseBody, Segment},
    source::{Content, Fetch, Reader, Seekable, take},
};

/// The `Range` of a `GET` request (the only method range handling is defined for, RFC 9110
/// §14.2), with its `If-Range`, kept while the response is made: what [`Ranges`](super::Ranges)
/// does, usable in a service of one's own that does several steps in one future (as
/// axum-strata's `Strata` levels do). Put its step after conditional requests.
#[derive(Debug, Default)]
pub struct RangeWanted(Option<Box<(HeaderValue, Option<HeaderValue>)>>);

impl RangeWanted {
    /// What `req` asks for: nothing (and no allocation) for the usual request. Only the first
    /// `Range` and `If-Range` lines count.
    pub fn of<B>(req: &Request<B>) -> Self {
        if req.method() != Method::GET {
            return Self(None);
        }
        let Some(range) = req.headers().get(header::RANGE) else { return Self(None) };
        Self(Some(Box::new((range.clone(), req.headers().get(header::IF_RANGE).cloned()))))
    }

    /// Serves the ranges asked for of a response that carries a [`Seekable`], and advertises
    /// `Accept-Ranges: bytes` on it; leaves other responses alone. The intent is removed.
    pub fn resolve<B: From<Bytes> + 'static>(&self, response: Response<B>) -> Response<B> {
        match &self.0 {
            Some(wanted) => resolve(Some(&wanted.0), wanted.1.as_ref(), response),
            None => resolve(None, None, response),
        }
    }
}

/// What a `Range` field asks of a representation of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// Ignore it: malformed, or better answered with the whole representation (more than
    /// [`MAX_RANGES`], or overlapping ranges, a way to amplify the response).
    Whole,
    /// Nothing of it can be served: 416.
    Unsatisfiable,
    /// These ranges, in the order asked.
    Ranges(Vec<ByteRange>),
}

fn wanted(field: &HeaderValue, len: u64) -> Wanted {
    let Ok(range) = Range::decode(&mut iter::once(field)) else { return Wanted::Whole };
    let mut ranges = Vec::new();
    for range in range.satisfiable_ranges(len) {
        if ranges.len() == MAX_RANGES {
            return Wanted::Whole;
        }
        ranges.push(range);
    }
    if ranges.is_empty() {
        return Wanted::Unsatisfiable;
    }
    let mut sorted = ranges.clone();
    sorted.sort_by_key(|r| r.first());
    if sorted.windows(2).any(|w| w[1].first() <= w[0].last()) {
        return Wanted::Whole;
    }
    Wanted::Ranges(ranges)
}

/// Whether `If-Range` (RFC 9110 §13.1.5) lets the ranges be served; a malformed one does not.
fn if_range_holds(if_range: Option<&HeaderValue>, headers: &HeaderMap) -> bool {
    let Some(value) = if_range else { return true };
    let Ok(if_range) = IfRange::decode(&mut iter::once(value)) else { return false };
    let etag = headers.get(header::ETAG).and_then(|v| ETag::decode(&mut iter::once(v)).ok());
    let last_modified = headers
        .get(header::LAST_MODIFIED)
        .and_then(|v| LastModified::decode(&mut iter::once(v)).ok())
        .map(SystemTime::from);
    if_range.precondition_passes(etag.as_ref(), last_modified, SystemTime::now())
}

/// Turns a 200 with a [`Seekable`] into the 206 or 416 its request's `Range` asks for.
fn resolve<B: From<Bytes> + 'static>(
    range: Option<&HeaderValue>,
    if_range: Option<&HeaderValue>,
    mut response: Response<B>,
) -> Response<B> {
    let Some(source) = response.extensions_mut().remove::<Seekable<B>>() else {
        return response;
    };
    // A layer between the handler and here may have re-encoded (compressed) or replaced the
    // body: then the representation's bytes are not the body's, and no range is offered.
    let length = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    if response.headers().contains_key(header::CONTENT_ENCODING) || length != Some(source.len) {
        return response;
    }
    response.headers_mut().typed_insert(AcceptRanges::bytes());
    let Some(range) = range else {
        return response;
    };
    if response.status() != StatusCode::OK || !if_range_holds(if_range, response.headers()) {
        return response;
    }
    match wanted(range, source.len) {
        Wanted::Whole => response,
        Wanted::Unsatisfiable => unsatisfiable(source.len),
        Wanted::Ranges(ranges) => {
            let from = match source.content {
                Content::Bytes(data) => Source::Memory(data),
                Content::Reader { shared, chunk_size, wrap } => match take(&shared) {
                    Some(reader) => Source::Reader { reader, chunk_size, wrap },
                    None => return response,
                },
                Content::Fetch { fetch, wrap } => Source::Fetch { fetch, wrap },
            };
            let (parts, _) = response.into_parts();
            partial(parts, from, source.len, &ranges)
        }
    }
}

/// The start and the end of the body of a 416 answered by this step: RFC 9457 problem
/// details, with the length between them.
const UNSATISFIABLE_BODY: [&str; 2] = [
    "{\"type\":\"about:blank\",\"title\":\"Range Not Satisfiable\",\"status\":416,\"detail\":\"the file has ",
    " bytes\"}",
];

/// The 416 for a representation of `len` bytes: a problem with `Content-Range: bytes */len`.
fn unsatisfiable<B: From<Bytes>>(len: u64) -> Response<B> {
    let len_text = len.to_string();
    let mut body =
        String::with_capacity(UNSATISFIABLE_BODY[0].len() + len_text.len() + UNSATISFIABLE_BODY[1].len());
    body.push_str(UNSATISFIABLE_BODY[0]);
    body.push_str(&len_text);
    body.push_str(UNSATISFIABLE_BODY[1]);
    let mut response = Response::new(B::from(Bytes::from(body)));
    *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    headers.typed_insert(ContentRange::unsatisfied_bytes(len));
    response
}

/// What a 206's ranges are read from.
enum Source<B> {
    Memory(Bytes),
    Reader { reader: Box<dyn Reader>, chunk_size: usize, wrap: fn(ResponseBody) -> B },
    Fetch { fetch: Arc<dyn Fetch>, wrap: fn(ResponseBody) -> B },
}

fn partial<B: From<Bytes>>(mut parts: Parts, from: Source<B>, len: u64, ranges: &[ByteRange]) -> Response<B> {
    let mut segments = VecDeque::with_capacity(ranges.len() * 2 + 1);
    parts.status = StatusCode::PARTIAL_CONTENT;
    if let [range] = ranges {
        parts.headers.typed_insert(range.content_range(len));
        segments.push_back(Segment::Range { first: range.first(), last: range.last() });
    } else {
        // A boundary that the parts' bytes are unlikely to contain, different per response.
        let multipart = MultipartByteRanges::with_seed(seed(&parts, len));
        // Each part carries the type of the whole (RFC 9110 §14.6).
        let content_type = parts.headers.get(header::CONTENT_TYPE).cloned();
        for range in ranges {
            let head = multipart.part_head(content_type.as_ref(), &range.content_range(len));
            segments.push_back(Segment::Bytes(Bytes::from(head)));
            segments.push_back(Segment::Range { first: range.first(), last: range.last() });
        }
        segments.push_back(Segment::Bytes(Bytes::from(multipart.close_delimiter())));
        parts.headers.typed_insert(multipart.content_type());
    }
    let body_len: u64 = segments.iter().map(Segment::len).sum();
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body_len));
    let body = match from {
        // In memory: the ranges are slices, sent in one frame.
        Source::Memory(data) => B::from(in_memory(&data, &segments, body_len)),
        Source::Reader { reader, chunk_size, wrap } => {
            wrap(ResponseBody::parts(reader, segments, chunk_size))
        }
        Source::Fetch { fetch, wrap } => wrap(ResponseBody::fetched(fetch, segments)),
    };
    Response::from_parts(parts, body)
}

/// The bytes of `segments` of `data`; a single range is a slice of it, without a copy.
fn in_memory(data: &Bytes, segments: &VecDeque<Segment>, body_len: u64) -> Bytes {
    // Ranges were resolved against this length: always in bounds.
    let slice = |first: u64, last: u64| {
        let first = usize::try_from(first).unwrap_or(usize::MAX);
        let last = usize::try_from(last).unwrap_or(usize::MAX);
        if first <= last && last < data.len() { data.slice(first..=last) } else { Bytes::new() }
    };
    if let (1, Some(Segment::Range { first, last })) = (segments.len(), segments.front()) {
        return slice(*first, *last);
    }
    let mut all = BytesMut::with_capacity(usize::try_from(body_len).unwrap_or(0));
    for segment in segments {
        match segment {
            Segment::Bytes(b) => all.extend_from_slice(b),
            Segment::Range { first, last } => all.extend_from_slice(&slice(*first, *last)),
        }
    }
    all.freeze()
}

/// A per-response number for the multipart boundary, from the clock and a counter.
fn seed(parts: &Parts, len: u64) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut x = COUNTER.fetch_add(0x9E37_79B9, Ordering::Relaxed)
        ^ u64::from(nanos)
        ^ len
        ^ (parts.headers.len() as u64);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::range::testing::{call, get, respond};

    fn digits() -> Response<crate::range::testing::TestBody> {
        respond(Seekable::bytes(Bytes::from_static(b"0123456789")))
    }

    #[test]
    fn range_parsing_follows_rfc_9110() {
        let r = |a: u64, b: u64| ByteRange::new(a, b).unwrap();
        let parse = |field: &'static str, len: u64| wanted(&HeaderValue::from_static(field), len);
        // RFC 9110 §14.1.2 examples on a 10000-byte representation.
        assert_eq!(parse("bytes=0-499", 10_000), Wanted::Ranges(vec![r(0, 499)]));
        assert_eq!(parse("bytes=500-999", 10_000), Wanted::Ranges(vec![r(500, 999)]));
        assert_eq!(parse("bytes=-500", 10_000), Wanted::Ranges(vec![r(9500, 9999)]));
        assert_eq!(parse("bytes=9500-", 10_000), Wanted::Ranges(vec![r(9500, 9999)]));
        assert_eq!(parse("bytes=0-0,-1", 10_000), Wanted::Ranges(vec![r(0, 0), r(9999, 9999)]));
        assert_eq!(parse("Bytes = 0-9999999", 10_000), Wanted::Whole, "a unit with spaces is malformed");
        assert_eq!(parse("BYTES=0-0", 10_000), Wanted::Ranges(vec![r(0, 0)]), "the unit is case-insensitive");
        assert_eq!(parse("bytes=5-99999", 10), Wanted::Ranges(vec![r(5, 9)]));
        assert_eq!(parse("bytes=10-20", 10), Wanted::Unsatisfiable);
        assert_eq!(parse("bytes=-0", 10), Wanted::Unsatisfiable);
        for ignored in ["bytes=5-1", "bytes=a-b", "items=0-1", "bytes=", "bytes=0-1,x", "0-1"] {
            assert_eq!(parse(ignored, 10), Wanted::Whole, "{ignored}");
        }
        // Overlaps and too many ranges: the whole representation.
        assert_eq!(parse("bytes=0-5,3-8", 10), Wanted::Whole);
        let sixteen = HeaderValue::from_static(
            "bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10,11-11,12-12,13-13,14-14,15-15",
        );
        assert!(matches!(wanted(&sixteen, 100), Wanted::Ranges(r) if r.len() == MAX_RANGES));
        let many = (0..17).map(|i| format!("{i}-{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(wanted(&HeaderValue::try_from(format!("bytes={many}")).unwrap(), 100), Wanted::Whole);
        // Unsatisfiable specs do not count towards the limit.
        let mostly_past = (0..20).map(|i| format!("{}-", 100 + i)).collect::<Vec<_>>().join(",");
        let field = HeaderValue::try_from(format!("bytes={mostly_past},0-0")).unwrap();
        assert_eq!(wanted(&field, 100), Wanted::Ranges(vec![r(0, 0)]));
    }

    #[tokio::test]
    async fn a_single_range_is_a_206_with_content_range() {
        let (r, body) = call(digits, get(&[("range", "bytes=2-4")])).await;
        assert_eq!(r.status(), 206);
        assert_eq!(r.headers()["content-range"], "bytes 2-4/10");
        assert_eq!(r.headers()["content-length"], "3");
        assert_eq!(r.headers()["accept-ranges"], "bytes");
        assert_eq!(r.headers()["content-type"], "text/plain");
        assert_eq!(body, b"234");
        let (_, body) = call(digits, get(&[("range", "bytes=-3")])).await;
        assert_eq!(body, b"789");
    }

    #[tokio::test]
    async fn several_ranges_are_multipart_byteranges_byte_for_byte() {
        let (r, body) = call(digits, get(&[("range", "bytes=5-6,0-1")])).await;
        assert_eq!(r.status(), 206);
        assert!(r.headers().get("content-range").is_none());
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let boundary = ct.strip_prefix("multipart/byteranges; boundary=strata-").unwrap();
        assert_eq!(boundary.len(), 16);
        let expected = format!(
            "\r\n--strata-{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-6/10\r\n\r\n56\
             \r\n--strata-{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01\
             \r\n--strata-{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(body).unwrap(), expected);
        assert_eq!(r.headers()["content-length"], expected.len().to_string().as_str());
    }

    #[tokio::test]
    async fn parts_of_a_response_without_a_type_have_none() {
        let untyped = || {
            let mut r = digits();
            r.headers_mut().remove(header::CONTENT_TYPE);
            r
        };
        let (r, body) = call(untyped, get(&[("range", "bytes=0-0,9-9")])).await;
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let boundary = ct.strip_prefix("multipart/byteranges; boundary=").unwrap();
        let expected = format!(
            "\r\n--{boundary}\r\nContent-Range: bytes 0-0/10\r\n\r\n0\
             \r\n--{boundary}\r\nContent-Range: bytes 9-9/10\r\n\r\n9\r\n--{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(body).unwrap(), expected);
    }

    #[tokio::test]
    async fn unsatisfiable_is_a_416_problem_with_the_length() {
        let (r, body) = call(digits, get(&[("range", "bytes=50-60")])).await;
        assert_eq!(r.status(), 416);
        assert_eq!(r.headers()["content-range"], "bytes */10");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert!(r.headers().get("etag").is_none(), "the 416 is not the representation");
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"type":"about:blank","title":"Range Not Satisfiable","status":416,"detail":"the file has 10 bytes"}"#
        );
    }

    #[tokio::test]
    async fn if_range_must_match_strongly_or_be_the_last_modified_date() {
        let range = ("range", "bytes=0-0");
        let (r, body) = call(digits, get(&[range, ("if-range", "\"v1\"")])).await;
        assert_eq!((r.status().as_u16(), body.as_slice()), (206, &b"0"[..]));
        let (r, body) = call(digits, get(&[range, ("if-range", "\"stale\"")])).await;
        assert_eq!((r.status().as_u16(), body.len()), (200, 10), "a stale If-Range gets the whole");
        let (r, _) = call(digits, get(&[range, ("if-range", "W/\"v1\"")])).await;
        assert_eq!(r.status(), 200, "a weak tag never matches");
        let (r, _) = call(digits, get(&[range, ("if-range", crate::range::testing::MODIFIED)])).await;
        assert_eq!(r.status(), 206, "the Last-Modified date, long ago: a strong validator");
        let (r, _) = call(digits, get(&[range, ("if-range", "Thu, 01 Jan 1970 00:00:00 GMT")])).await;
        assert_eq!(r.status(), 200);
        let (r, _) = call(digits, get(&[range, ("if-range", "not a validator")])).await;
        assert_eq!(r.status(), 200);
    }

    #[tokio::test]
    async fn ranges_are_for_a_get_200_and_never_for_a_re_encoded_or_replaced_body() {
        let (r, _) = call(digits, get(&[("range", "bytes=0-1")]).method("HEAD")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["accept-ranges"], "bytes");
        let gzipped = || {
            let mut r = digits();
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        };
        let (r, _) = call(gzipped, get(&[("range", "bytes=0-1")])).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("accept-ranges").is_none());
        let replaced = || {
            let mut r = digits();
            r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(3));
            r
        };
        let (r, _) = call(replaced, get(&[("range", "bytes=0-1")])).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("accept-ranges").is_none());
        let created = || {
            let mut r = digits();
            *r.status_mut() = StatusCode::CREATED;
            r
        };
        let (r, _) = call(created, get(&[("range", "bytes=0-1")])).await;
        assert_eq!(r.status(), 201);
    }

    #[tokio::test]
    async fn malformed_overlapping_and_too_many_ranges_get_the_whole() {
        for range in ["bytes=5-1", "lines=1-2", "bytes=0-5,2-3"] {
            let (r, body) = call(digits, get(&[("range", range)])).await;
            assert_eq!((r.status().as_u16(), body.len()), (200, 10), "{range}");
            assert_eq!(r.headers()["accept-ranges"], "bytes");
        }
    }

    #[tokio::test]
    async fn responses_without_the_intent_are_left_alone_and_the_intent_is_removed() {
        let plain = || {
            let mut r = digits();
            r.extensions_mut().clear();
            r
        };
        let (r, body) = call(plain, get(&[("range", "bytes=0-1")])).await;
        assert_eq!((r.status().as_u16(), body.len()), (200, 10));
        assert!(r.headers().get("accept-ranges").is_none());
        let (r, _) = call(digits, get(&[])).await;
        assert!(r.extensions().get::<Seekable<crate::range::testing::TestBody>>().is_none());
    }
}
