//! ETags computed from the response body.
//!
//! [`ComputedETagLayer`] gives a successful response without an `ETag` one made from the hash
//! of its body: XXH3-128 (fast and non-cryptographic: an ETag is a validator, not a signature),
//! written as 22 characters of unpadded base64url. The tag is weak (`W/"…"`) unless the layer
//! is made [`strong`](ComputedETagLayer::strong): it is the hash of the body as this layer sees
//! it, and a compression layer or a proxy after it may send other bytes under the same tag,
//! which a strong tag must never name (RFC 9110 §8.8.3; tower-http's `CompressionLayer` keeps
//! the `ETag` as it is). A weak tag still answers `If-None-Match` with a 304. It only does so when the
//! body's exact size is known and at most the layer's limit (1 MiB by default): such a body is
//! already in memory, so buffering it costs no copy when it is one chunk, and streams are never
//! held back.
//!
//! It never replaces an `ETag` already set (by the handler or a closer layer), never sets one a
//! closer layer declared documentation-only, and leaves 204, 206 and non-2xx responses alone.
//! When it cannot compute a tag for a successful response (a stream, a body over the limit),
//! it claims the `ETag` name, so that a static tag of an outer level does not stand in for a
//! body that changes: the level asked for computed tags, so it owns the header.
//! Put it inside the conditional-request layer so that `If-None-Match` can match the computed
//! tag.
//!
//! ```
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use strata_tower::etag::{ComputedETagLayer, compute};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let handler = service_fn(|_req: Request<()>| async {
//!     Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from_static(b"hello"))))
//! });
//! let response = ComputedETagLayer::new().layer(handler.clone()).oneshot(Request::new(())).await.unwrap();
//! let etag = response.headers()["etag"].to_str().unwrap();
//! assert_eq!(etag, compute(b"hello").into_weak().to_string());
//! assert_eq!(etag.len(), 26); // W/, 22 characters and two quotes
//!
//! // Where nothing after the layer re-encodes bodies:
//! let response = ComputedETagLayer::new().strong().layer(handler).oneshot(Request::new(())).await.unwrap();
//! assert_eq!(response.headers()["etag"], compute(b"hello").to_string().as_str());
//! # }
//! ```

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
};

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use http::{HeaderValue, Request, Response, StatusCode, header, response::Parts};
use http_body::Body;
use pin_project_lite::pin_project;
use strata_headers::ETag;
use tower::{Layer, Service};

#[cfg(feature = "response-headers")]
use crate::response_headers::ClaimedHeaders;

/// The largest body hashed by default: 1 MiB.
pub const DEFAULT_LIMIT: u64 = 1024 * 1024;

/// The strong ETag of `body`: its XXH3-128 hash as unpadded base64url.
pub fn compute(body: &[u8]) -> ETag {
    let hash = xxhash_rust::xxh3::xxh3_128(body).to_be_bytes();
    let mut out = String::with_capacity(24);
    out.push('"');
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(hash, &mut out);
    out.push('"');
    // base64url characters are all `etagc`.
    ETag::from_header(&out).expect("a quoted base64url string is an entity tag")
}

/// Computes ETags from buffered bodies; see the [module docs](self).
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct ComputedETagLayer {
    limit: u64,
    outermost: bool,
    strong: bool,
}

impl Default for ComputedETagLayer {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, outermost: false, strong: false }
    }
}

impl ComputedETagLayer {
    /// A layer that hashes bodies of up to [`DEFAULT_LIMIT`] bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Hashes bodies of up to `bytes` bytes.
    pub const fn limit(mut self, bytes: u64) -> Self {
        self.limit = bytes;
        self
    }

    /// Sends strong tags: for apps where nothing after this layer changes the content coding
    /// (no compression layer outside it, no compressing proxy). See the [module docs](self).
    pub const fn strong(mut self) -> Self {
        self.strong = true;
        self
    }

    /// Starts computing the ETag of `response`; what the layer does, usable in a service of
    /// one's own.
    pub fn tag<B: Body>(self, mut response: Response<B>) -> Tagging<B> {
        if !wants_etag(&mut response, self.limit) {
            return Tagging::Ready(response);
        }
        let (parts, body) = response.into_parts();
        Tagging::Buffering(Buffering {
            _hold: hold_tasks(&parts),
            parts: Some(parts),
            body,
            first: None,
            rest: None,
            strong: self.strong,
        })
    }

    /// Marks this layer as the outermost one that reads documentation-only claims: it ends
    /// them ([`ClaimedHeaders::release`]) once it has tagged the response. Use it instead of
    /// [`ResponseHeadersLayer::outermost`](crate::response_headers::ResponseHeadersLayer::outermost)
    /// when this layer sits outside the outermost headers layer, so that a closer level's
    /// documentation-only `ETag` still keeps a computed one off.
    #[cfg(feature = "response-headers")]
    pub const fn outermost(mut self) -> Self {
        self.outermost = true;
        self
    }
}

impl<S> Layer<S> for ComputedETagLayer {
    type Service = ComputedETag<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ComputedETag { inner, layer: *self }
    }
}

/// The service of [`ComputedETagLayer`].
#[derive(Clone, Debug)]
pub struct ComputedETag<S> {
    inner: S,
    layer: ComputedETagLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ComputedETag<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Body<Data = Bytes> + From<Bytes>,
    ResBody::Error: fmt::Display,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        ResponseFuture { state: State::Inner { future: self.inner.call(req) }, layer: self.layer }
    }
}

/// The body of a 500 answered when the body failed while being buffered: RFC 9457 problem
/// details.
const BODY_FAILED: &str = "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,\
\"detail\":\"The response body failed before it was complete.\"}";

/// Whether the layer should buffer the body to hash it; when it will not for a successful
/// response that has no tag yet, the `ETag` name is claimed (see the module docs).
#[cfg_attr(
    not(feature = "response-headers"),
    allow(clippy::needless_pass_by_ref_mut, reason = "claims need it")
)]
fn wants_etag<B: Body>(response: &mut Response<B>, limit: u64) -> bool {
    let status = response.status();
    if !status.is_success() || status == StatusCode::NO_CONTENT || status == StatusCode::PARTIAL_CONTENT {
        return false;
    }
    if response.headers().contains_key(header::ETAG) {
        return false;
    }
    #[cfg(feature = "response-headers")]
    if response.extensions().get::<ClaimedHeaders>().is_some_and(|c| c.contains(&header::ETAG)) {
        return false;
    }
    if response.body().size_hint().exact().is_some_and(|n| n <= limit) {
        return true;
    }
    #[cfg(feature = "response-headers")]
    ClaimedHeaders::claim(response.extensions_mut(), header::ETAG);
    false
}

pin_project! {
    /// The response future of [`ComputedETag`].
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
        layer: ComputedETagLayer,
    }
}

/// While a body is buffered, its response's background tasks must not start: reading it to
/// its end is not sending it.
#[cfg(feature = "background")]
type TaskHold = Option<crate::background::Hold>;
#[cfg(not(feature = "background"))]
type TaskHold = ();

#[cfg(feature = "background")]
fn hold_tasks(parts: &Parts) -> TaskHold {
    parts.extensions.get::<crate::background::PendingTasks>().map(crate::background::PendingTasks::hold)
}

#[cfg(not(feature = "background"))]
fn hold_tasks(_parts: &Parts) -> TaskHold {}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Inner { #[pin] future: F },
        Buffering { #[pin] buffering: Buffering<B> },
        Done,
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").field("layer", &self.layer).finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body<Data = Bytes> + From<Bytes>,
    B::Error: fmt::Display,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Inner { future } => {
                    let response = ready!(future.poll(cx))?;
                    match this.layer.tag(response) {
                        Tagging::Ready(mut response) => {
                            this.state.set(State::Done);
                            this.layer.end(&mut response);
                            return Poll::Ready(Ok(response));
                        }
                        Tagging::Buffering(buffering) => this.state.set(State::Buffering { buffering }),
                    }
                }
                StateProj::Buffering { buffering } => {
                    let mut response = ready!(buffering.poll(cx));
                    this.state.set(State::Done);
                    this.layer.end(&mut response);
                    return Poll::Ready(Ok(response));
                }
                StateProj::Done => panic!("ResponseFuture polled after completion"),
            }
        }
    }
}

impl ComputedETagLayer {
    /// Ends the claims where this layer is the outermost that reads them.
    fn end<B>(self, response: &mut Response<B>) {
        #[cfg(feature = "response-headers")]
        if self.outermost {
            ClaimedHeaders::release(response.extensions_mut());
        }
        #[cfg(not(feature = "response-headers"))]
        let _ = (self.outermost, response);
    }
}

/// What [`ComputedETagLayer::tag`] made of a response.
#[derive(Debug)]
pub enum Tagging<B> {
    /// The response gets no computed tag (it has one, or it is not a success, or its body is
    /// too large or of unknown size). It is as it was, except that a successful response
    /// whose body cannot be hashed now claims the `ETag` name (see the module docs), so that
    /// outer static tags do not stand in for it.
    Ready(Response<B>),
    /// Its body is being read, to be hashed: the future of the tagged response.
    Buffering(Buffering<B>),
}

pin_project! {
    /// A response whose body is read to its end and hashed; see [`ComputedETagLayer::tag`]. A
    /// body that fails meanwhile becomes a 500 problem, with nothing of the failed response
    /// kept.
    pub struct Buffering<B> {
        parts: Option<Parts>,
        #[pin]
        body: B,
        first: Option<Bytes>,
        rest: Option<BytesMut>,
        strong: bool,
        _hold: TaskHold,
    }
}

impl<B> fmt::Debug for Buffering<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Buffering").field("parts", &self.parts).finish_non_exhaustive()
    }
}

impl<B> Future for Buffering<B>
where
    B: Body<Data = Bytes> + From<Bytes>,
    B::Error: fmt::Display,
{
    type Output = Response<B>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<B>> {
        let mut this = self.project();
        loop {
            match ready!(this.body.as_mut().poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // Trailers cannot occur on a body of exactly known size from axum or hyper;
                    // any that do are dropped with the buffered body.
                    if let Ok(data) = frame.into_data() {
                        if let Some(rest) = this.rest {
                            rest.extend_from_slice(&data);
                        } else if let Some(f) = this.first.take() {
                            let mut buf = BytesMut::with_capacity(f.len() + data.len());
                            buf.extend_from_slice(&f);
                            buf.extend_from_slice(&data);
                            *this.rest = Some(buf);
                        } else {
                            *this.first = Some(data);
                        }
                    }
                }
                Some(Err(e)) => {
                    let mut parts = this.parts.take().expect("Buffering polled after completion");
                    tracing::error!(error = %e, "response body failed while computing its ETag");
                    // Nothing of the failed response may be cached or kept as its intent.
                    parts.status = StatusCode::INTERNAL_SERVER_ERROR;
                    parts.headers.clear();
                    parts
                        .headers
                        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
                    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(BODY_FAILED.len()));
                    parts.extensions.clear();
                    let body = B::from(Bytes::from_static(BODY_FAILED.as_bytes()));
                    return Poll::Ready(Response::from_parts(parts, body));
                }
                None => {
                    let bytes = match (this.rest.take(), this.first.take()) {
                        (Some(rest), _) => rest.freeze(),
                        (None, Some(first)) => first,
                        (None, None) => Bytes::new(),
                    };
                    let mut parts = this.parts.take().expect("Buffering polled after completion");
                    let etag = if *this.strong { compute(&bytes) } else { compute(&bytes).into_weak() };
                    parts.headers.insert(header::ETAG, HeaderValue::clone(etag.header_value()));
                    return Poll::Ready(Response::from_parts(parts, B::from(bytes)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use http_body_util::{BodyExt, Full};
    use tower::{ServiceExt, service_fn};

    async fn respond(
        response: impl Fn() -> Response<Full<Bytes>> + Clone + Send + 'static,
        layer: ComputedETagLayer,
    ) -> Response<Full<Bytes>> {
        let svc = service_fn(move |_req: Request<()>| {
            let response = response.clone();
            async move { Ok::<_, Infallible>(response()) }
        });
        layer.layer(svc).oneshot(Request::new(())).await.unwrap()
    }

    #[tokio::test]
    async fn same_body_same_tag_other_body_other_tag() {
        let a = respond(|| Response::new(Full::from("a")), ComputedETagLayer::new()).await;
        let a2 = respond(|| Response::new(Full::from("a")), ComputedETagLayer::new()).await;
        let b = respond(|| Response::new(Full::from("b")), ComputedETagLayer::new()).await;
        assert_eq!(a.headers()["etag"], a2.headers()["etag"]);
        assert_ne!(a.headers()["etag"], b.headers()["etag"]);
        assert_eq!(a.into_body().collect().await.unwrap().to_bytes(), "a", "the body is passed on intact");
    }

    #[tokio::test]
    async fn an_existing_etag_is_never_replaced() {
        let res = respond(
            || Response::builder().header("etag", "\"mine\"").body(Full::from("x")).unwrap(),
            ComputedETagLayer::new(),
        )
        .await;
        assert_eq!(res.headers()["etag"], "\"mine\"");
    }

    #[tokio::test]
    async fn bodies_over_the_limit_and_errors_get_no_tag() {
        let res = respond(|| Response::new(Full::from("12345")), ComputedETagLayer::new().limit(4)).await;
        assert!(res.headers().get("etag").is_none());
        let res = respond(|| Response::new(Full::from("1234")), ComputedETagLayer::new().limit(4)).await;
        assert!(res.headers().get("etag").is_some());
        let res = respond(
            || Response::builder().status(404).body(Full::from("missing")).unwrap(),
            ComputedETagLayer::new(),
        )
        .await;
        assert!(res.headers().get("etag").is_none());
    }

    #[tokio::test]
    async fn streams_of_unknown_size_are_never_buffered() {
        let svc = service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new(TestBody::chunks(&["s"], false)))
        });
        let res = ComputedETagLayer::new().layer(svc).oneshot(Request::new(())).await.unwrap();
        assert!(res.headers().get("etag").is_none());
        assert!(!res.body().known, "the original body is passed on untouched");
    }

    #[tokio::test]
    async fn several_chunks_of_known_size_are_joined_and_hashed() {
        let svc = service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new(TestBody::chunks(&["ab", "cd", "e"], true)))
        });
        let res = ComputedETagLayer::new().layer(svc).oneshot(Request::new(())).await.unwrap();
        assert_eq!(res.headers()["etag"], compute(b"abcde").into_weak().to_string().as_str());
        assert_eq!(res.into_body().collect().await.unwrap().to_bytes(), "abcde");
    }

    #[cfg(feature = "response-headers")]
    #[tokio::test]
    async fn a_stream_claims_the_etag_so_an_outer_static_tag_does_not_stand_in() {
        use crate::response_headers::ResponseHeadersLayer;
        let svc = service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new(TestBody::chunks(&["changing"], false)))
        });
        let app = ResponseHeadersLayer::new().etag(ETag::strong("static").unwrap());
        let res = app.layer(ComputedETagLayer::new().layer(svc)).oneshot(Request::new(())).await.unwrap();
        assert!(res.headers().get("etag").is_none());
    }

    #[tokio::test]
    async fn a_failing_body_becomes_a_problem_and_nothing_cacheable() {
        let svc = service_fn(|_req: Request<()>| async {
            let body = TestBody { chunks: std::collections::VecDeque::new(), known: true, fail: true };
            Ok::<_, Infallible>(
                Response::builder().header("cache-control", "public, max-age=60").body(body).unwrap(),
            )
        });
        let res = ComputedETagLayer::new().layer(svc).oneshot(Request::new(())).await.unwrap();
        assert_eq!(res.status(), 500);
        assert!(res.headers().get("cache-control").is_none());
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert!(std::str::from_utf8(&body).unwrap().contains("\"status\":500"));
    }

    #[cfg(feature = "response-headers")]
    #[tokio::test]
    async fn a_documentation_only_claim_is_respected() {
        use crate::response_headers::ResponseHeadersLayer;
        let route = ResponseHeadersLayer::new().documentation_only(header::ETAG, "set dynamically");
        let svc =
            service_fn(|_req: Request<()>| async { Ok::<_, Infallible>(Response::new(Full::from("x"))) });
        let res = ComputedETagLayer::new().layer(route.layer(svc)).oneshot(Request::new(())).await.unwrap();
        assert!(res.headers().get("etag").is_none());
    }

    #[tokio::test]
    async fn tags_are_weak_unless_the_layer_is_strong() {
        let weak = respond(|| Response::new(Full::from("a")), ComputedETagLayer::new()).await;
        let strong = respond(|| Response::new(Full::from("a")), ComputedETagLayer::new().strong()).await;
        let weak = ETag::from_header(weak.headers()["etag"].to_str().unwrap()).unwrap();
        let strong = ETag::from_header(strong.headers()["etag"].to_str().unwrap()).unwrap();
        assert!(weak.is_weak() && !strong.is_weak());
        assert!(weak.weak_eq(&strong), "one hash, two strengths");
        assert_eq!(strong, compute(b"a"));
    }

    #[test]
    fn tags_are_22_base64url_characters() {
        let tag = compute(&[0u8; 4096]);
        assert_eq!(tag.tag().len(), 22);
        assert!(tag.tag().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert!(!tag.is_weak());
    }

    /// A body of chunks whose size may be unknown (like a stream) or known.
    struct TestBody {
        chunks: std::collections::VecDeque<Bytes>,
        known: bool,
        fail: bool,
    }

    impl TestBody {
        fn chunks(chunks: &[&'static str], known: bool) -> Self {
            Self {
                chunks: chunks.iter().map(|c| Bytes::from_static(c.as_bytes())).collect(),
                known,
                fail: false,
            }
        }
    }

    impl From<Bytes> for TestBody {
        fn from(b: Bytes) -> Self {
            Self { chunks: [b].into(), known: true, fail: false }
        }
    }

    impl Body for TestBody {
        type Data = Bytes;
        type Error = &'static str;

        fn poll_frame(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, &'static str>>> {
            let this = self.get_mut();
            if this.fail {
                return Poll::Ready(Some(Err("the producer died")));
            }
            Poll::Ready(this.chunks.pop_front().map(|c| Ok(http_body::Frame::data(c))))
        }

        fn size_hint(&self) -> http_body::SizeHint {
            if self.known {
                http_body::SizeHint::with_exact(self.chunks.iter().map(|c| c.len() as u64).sum())
            } else {
                http_body::SizeHint::default()
            }
        }
    }
}
