//! Conditional requests (RFC 9110 §13): 304 Not Modified and 412 Precondition Failed.
//!
//! [`ConditionalLayer`] evaluates the preconditions of `GET` and `HEAD` requests against the
//! response the handler produced, in the order of RFC 9110 §13.2.2:
//!
//! 1. `If-Match` false → 412;
//! 2. else `If-Unmodified-Since` false → 412;
//! 3. `If-None-Match` false → 304;
//! 4. else `If-Modified-Since` false → 304.
//!
//! It only acts on responses that would have been 2xx, and a 304 only stands in for a 200
//! (RFC 9110 §15.4.5). A 2xx response means a current representation exists, with or without a
//! validator: so `If-None-Match: *` answers 304 to `GET` and `HEAD` (§13.1.2; 412 for other
//! methods, from [`RequestConditions::evaluate`]), `If-Match: *` holds, and `If-Match` with a
//! list of tags fails on a response without an `ETag` (§13.1.1). A list of tags in
//! `If-None-Match`, and the dates, need an `ETag` or a `Last-Modified` on the response. Malformed conditional headers are ignored, as the RFC says. A 304 keeps
//! `ETag`, `Cache-Control`, `Content-Location`, `Date`, `Expires`, `Vary`, `Last-Modified` and
//! `Set-Cookie` (cookies are not representation metadata, and dropping one would lose state),
//! the response's extensions, and nothing else: no body, no `Content-Type`, no `Content-Length`.
//!
//! Requests with other methods pass through untouched. For `PUT`, `PATCH` and `DELETE` the
//! precondition must be checked *before* the change is made, against the resource's current
//! version, which only the handler knows: [`RequestConditions::evaluate`] is the function for
//! that (axum-strata's `Precondition` extractor wraps it).
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use strata_tower::conditional::ConditionalLayer;
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let handler = service_fn(|_req: Request<()>| async {
//!     let body = http_body_util::Full::new(bytes::Bytes::from_static(b"hello"));
//!     let response = Response::builder().header("etag", "\"v1\"").body(body).unwrap();
//!     Ok::<_, std::convert::Infallible>(response)
//! });
//! let service = ConditionalLayer::new().layer(handler);
//!
//! let request = Request::builder().header("if-none-match", "W/\"v1\"").body(()).unwrap();
//! let response = service.clone().oneshot(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
//! assert_eq!(response.headers()["etag"], "\"v1\"");
//! assert_eq!(http_body::Body::size_hint(response.body()).exact(), Some(0));
//!
//! let request = Request::builder().header("if-match", "\"v0\"").body(()).unwrap();
//! let response = service.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
//! assert_eq!(response.headers()["content-type"], "application/problem+json");
//! # }
//! ```

use std::{
    fmt,
    time::{SystemTime, UNIX_EPOCH},
};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, header};
use strata_headers::{ETag, IfMatch, IfNoneMatch, headers::Header};
use tower::Layer;

use crate::step::{Finish, Step, StepFuture, StepService};

/// The headers a 304 keeps (RFC 9110 §15.4.5), and `Set-Cookie`.
const KEPT_ON_304: [HeaderName; 8] = [
    header::ETAG,
    header::CACHE_CONTROL,
    header::CONTENT_LOCATION,
    header::DATE,
    header::EXPIRES,
    header::VARY,
    header::LAST_MODIFIED,
    header::SET_COOKIE,
];

/// The body of a 412 answered by this layer: RFC 9457 problem details.
const PRECONDITION_FAILED_BODY: &str = "{\"type\":\"about:blank\",\"title\":\"Precondition Failed\",\
\"status\":412,\"detail\":\"A precondition of the request (If-Match or If-Unmodified-Since) is not met by \
the current representation.\"}";

/// What a request's preconditions say about a representation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Every precondition holds (or there is none): handle the request normally.
    Proceed,
    /// Answer 304 Not Modified (only for `GET` and `HEAD`).
    NotModified,
    /// Answer 412 Precondition Failed.
    PreconditionFailed,
}

/// The current state of the target resource, as preconditions are evaluated against it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Representation<'a> {
    /// The entity tag of the current representation, if it has one.
    pub etag: Option<&'a ETag>,
    /// When the current representation last changed, if known.
    pub last_modified: Option<SystemTime>,
}

/// The conditional headers of a request, parsed once; malformed ones are left out (RFC 9110
/// §13.1 tells servers to ignore them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestConditions {
    if_match: Option<IfMatch>,
    if_none_match: Option<IfNoneMatch>,
    if_modified_since: Option<SystemTime>,
    if_unmodified_since: Option<SystemTime>,
}

fn typed<H: Header>(headers: &HeaderMap) -> Option<H> {
    let mut values = headers.get_all(H::name()).iter().peekable();
    values.peek()?;
    H::decode(&mut values).ok()
}

fn date(headers: &HeaderMap, name: &HeaderName) -> Option<SystemTime> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    httpdate::parse_http_date(value.to_str().ok()?).ok()
}

/// HTTP dates have whole seconds: compare at that resolution.
fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl RequestConditions {
    /// Reads `If-Match`, `If-None-Match`, `If-Modified-Since` and `If-Unmodified-Since`.
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            if_match: typed(headers),
            if_none_match: typed(headers),
            if_modified_since: date(headers, &header::IF_MODIFIED_SINCE),
            if_unmodified_since: date(headers, &header::IF_UNMODIFIED_SINCE),
        }
    }

    /// Whether the request has any (well-formed) precondition.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.if_match.is_none()
            && self.if_none_match.is_none()
            && self.if_modified_since.is_none()
            && self.if_unmodified_since.is_none()
    }

    /// Whether the request has a precondition that guards a state change: `If-Match` or
    /// `If-Unmodified-Since` (what a server may demand with 428 Precondition Required).
    #[must_use]
    pub const fn has_change_precondition(&self) -> bool {
        self.if_match.is_some() || self.if_unmodified_since.is_some()
    }

    /// The `If-Match` header, if well-formed.
    #[must_use]
    pub const fn if_match(&self) -> Option<&IfMatch> {
        self.if_match.as_ref()
    }

    /// The `If-None-Match` header, if well-formed.
    #[must_use]
    pub const fn if_none_match(&self) -> Option<&IfNoneMatch> {
        self.if_none_match.as_ref()
    }

    /// The `If-Modified-Since` date, if well-formed.
    #[must_use]
    pub const fn if_modified_since(&self) -> Option<SystemTime> {
        self.if_modified_since
    }

    /// The `If-Unmodified-Since` date, if well-formed.
    #[must_use]
    pub const fn if_unmodified_since(&self) -> Option<SystemTime> {
        self.if_unmodified_since
    }

    /// Evaluates the preconditions in RFC 9110 §13.2.2 order for a request with `method`.
    /// `current` is the target resource's current representation, or `None` when it has none
    /// (then `If-Match` fails and `If-None-Match: *` holds).
    #[must_use]
    pub fn evaluate(&self, method: &Method, current: Option<Representation<'_>>) -> Outcome {
        let etag = current.and_then(|c| c.etag);
        let last_modified = current.and_then(|c| c.last_modified);
        // 1 and 2: the state-change guards.
        if let Some(if_match) = &self.if_match {
            let holds =
                if if_match.list().is_any() { current.is_some() } else { if_match.precondition_passes(etag) };
            if !holds {
                return Outcome::PreconditionFailed;
            }
        } else if let (Some(since), Some(modified)) = (self.if_unmodified_since, last_modified)
            && secs(modified) > secs(since)
        {
            return Outcome::PreconditionFailed;
        }
        let safe = method == Method::GET || method == Method::HEAD;
        // 3 and 4: the cache validators.
        if let Some(if_none_match) = &self.if_none_match {
            let holds = if if_none_match.list().is_any() {
                current.is_none()
            } else {
                if_none_match.precondition_passes(etag)
            };
            if !holds {
                return if safe { Outcome::NotModified } else { Outcome::PreconditionFailed };
            }
        } else if safe
            && let (Some(since), Some(modified)) = (self.if_modified_since, last_modified)
            && secs(modified) <= secs(since)
        {
            return Outcome::NotModified;
        }
        Outcome::Proceed
    }
}

/// Turns a response into the 304 for it: the kept headers and extensions, an empty body.
pub fn not_modified<B: Default>(response: Response<B>) -> Response<B> {
    /// Header names a response usually has few of: dropped in place, without a new map.
    const IN_PLACE: usize = 8;
    let (mut parts, _body) = response.into_parts();
    let mut doomed: [Option<HeaderName>; IN_PLACE] = [const { None }; IN_PLACE];
    let mut count = 0;
    for name in parts.headers.keys().filter(|name| !KEPT_ON_304.contains(name)) {
        if count == IN_PLACE {
            count += 1;
            break;
        }
        doomed[count] = Some(name.clone());
        count += 1;
    }
    if count <= IN_PLACE {
        for name in doomed.iter().flatten() {
            parts.headers.remove(name);
        }
    } else {
        let mut headers = HeaderMap::with_capacity(KEPT_ON_304.len());
        for name in &KEPT_ON_304 {
            for value in parts.headers.get_all(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        parts.headers = headers;
    }
    parts.status = StatusCode::NOT_MODIFIED;
    Response::from_parts(parts, B::default())
}

/// Turns a response into a 412 Precondition Failed problem response, keeping its `ETag` and
/// `Last-Modified` (so the client sees the current version), `Set-Cookie`, and its extensions.
pub fn precondition_failed<B: From<Bytes>>(response: Response<B>) -> Response<B> {
    let (mut parts, _body) = response.into_parts();
    let mut headers = HeaderMap::with_capacity(4);
    for name in [header::ETAG, header::LAST_MODIFIED, header::SET_COOKIE] {
        for value in parts.headers.get_all(&name) {
            headers.append(name.clone(), value.clone());
        }
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(PRECONDITION_FAILED_BODY.len()));
    parts.status = StatusCode::PRECONDITION_FAILED;
    parts.headers = headers;
    Response::from_parts(parts, B::from(Bytes::from_static(PRECONDITION_FAILED_BODY.as_bytes())))
}

/// Answers 304 and 412 for `GET` and `HEAD`; see the [module docs](self).
///
/// Every 304 that passes through it (its own, or one the handler made) leaves with the body
/// the layer makes for it ([`settle_not_modified`]): `B::default()` unless
/// [`empty_body`](Self::empty_body) says otherwise.
#[must_use]
pub struct ConditionalLayer<B> {
    empty: fn() -> B,
}

impl<B> Clone for ConditionalLayer<B> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B> Copy for ConditionalLayer<B> {}

impl<B> fmt::Debug for ConditionalLayer<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionalLayer").finish_non_exhaustive()
    }
}

impl<B: Default> Default for ConditionalLayer<B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: Default> ConditionalLayer<B> {
    /// The layer; a 304's body is `B::default()`.
    pub fn new() -> Self {
        Self { empty: B::default }
    }
}

impl<B> ConditionalLayer<B> {
    /// Makes the body of every 304 with `empty`. Under axum, whose router writes
    /// `content-length: 0` for a body of exactly zero bytes (wrong on a 304, RFC 9110 §8.6),
    /// use an empty body of unannounced size; axum-strata's levels do.
    pub const fn empty_body(mut self, empty: fn() -> B) -> Self {
        self.empty = empty;
        self
    }
}

impl<S, B> Layer<S> for ConditionalLayer<B> {
    type Service = Conditional<S, B>;

    fn layer(&self, inner: S) -> Self::Service {
        Conditional::new(inner, *self)
    }
}

/// The service of [`ConditionalLayer`].
pub type Conditional<S, B> = StepService<S, ConditionalLayer<B>>;

/// The response future of [`Conditional`].
pub type ResponseFuture<F, B> = StepFuture<F, ConditionalLayer<B>>;

impl<B> Step for ConditionalLayer<B> {
    type Noted = Preconditions;

    #[inline]
    fn note<ReqBody>(&self, request: &Request<ReqBody>) -> Preconditions {
        Preconditions::of(request)
    }
}

impl<B: Default + From<Bytes>> Finish<B> for ConditionalLayer<B> {
    fn finish(&self, conditions: &Preconditions, response: Response<B>) -> Response<B> {
        let mut response = conditions.apply(response);
        settle_not_modified(&mut response, self.empty);
        response
    }
}

/// Gives a 304 the body `empty` makes, whatever made the 304: a 304 has no content, and its
/// `Content-Length`, if any, must be that of the 200 it stands for (RFC 9110 §8.6), which a
/// body of exactly zero bytes would make the server announce as 0. What [`ConditionalLayer`]
/// does last, and a Strata level too.
pub fn settle_not_modified<B>(response: &mut Response<B>, empty: fn() -> B) {
    if response.status() == StatusCode::NOT_MODIFIED {
        *response.body_mut() = empty();
    }
}

const CONDITIONAL_HEADERS: [HeaderName; 4] =
    [header::IF_MATCH, header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE, header::IF_UNMODIFIED_SINCE];

/// The preconditions of a `GET` or `HEAD` request, kept while the response is made; what
/// [`Conditional`] does, usable in a service of one's own.
#[derive(Debug, Default)]
pub struct Preconditions(Option<Box<(Method, RequestConditions)>>);

impl Preconditions {
    /// The preconditions `req` carries: none (and no allocation) for other methods and for the
    /// usual request without conditional headers, which costs one pass over its header names.
    pub fn of<B>(req: &Request<B>) -> Self {
        let method = req.method();
        let headers = req.headers();
        if (method == Method::GET || method == Method::HEAD)
            && if headers.keys_len() <= 16 {
                // A few names: one pass over them costs less than four look-ups.
                headers.keys().any(|name| CONDITIONAL_HEADERS.contains(name))
            } else {
                CONDITIONAL_HEADERS.iter().any(|name| headers.contains_key(name))
            }
        {
            let conditions = RequestConditions::from_headers(req.headers());
            Self((!conditions.is_empty()).then(|| Box::new((method.clone(), conditions))))
        } else {
            Self(None)
        }
    }

    /// Answers 304 or 412 in place of `response` where the preconditions say so.
    pub fn resolve<B: Default + From<Bytes>>(self, response: Response<B>) -> Response<B> {
        self.apply(response)
    }

    fn apply<B: Default + From<Bytes>>(&self, response: Response<B>) -> Response<B> {
        match &self.0 {
            Some(conditions) => resolve(&conditions.0, &conditions.1, response),
            None => response,
        }
    }
}

/// Applies `conditions` to a response the way the layer does.
pub fn resolve<B: Default + From<Bytes>>(
    method: &Method,
    conditions: &RequestConditions,
    response: Response<B>,
) -> Response<B> {
    if !response.status().is_success() {
        return response;
    }
    let etag: Option<ETag> = typed(response.headers());
    let last_modified = date(response.headers(), &header::LAST_MODIFIED);
    // Without a validator, only `If-Match` and `If-None-Match: *` can say anything: both are
    // about whether a current representation exists, which a 2xx says it does.
    if etag.is_none()
        && last_modified.is_none()
        && conditions.if_match.is_none()
        && !conditions.if_none_match.as_ref().is_some_and(|inm| inm.list().is_any())
    {
        return response;
    }
    let current = Representation { etag: etag.as_ref(), last_modified };
    match conditions.evaluate(method, Some(current)) {
        // A 304 stands in for a 200 only (RFC 9110 §15.4.5).
        Outcome::NotModified if response.status() == StatusCode::OK => not_modified(response),
        Outcome::PreconditionFailed => precondition_failed(response),
        _ => response,
    }
}

#[cfg(test)]
mod tests {
    use std::{convert::Infallible, time::Duration};

    use super::*;
    use tower::{ServiceExt, service_fn};

    const MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";
    const BEFORE: &str = "Tue, 20 Oct 2015 07:28:00 GMT";
    const AFTER: &str = "Thu, 22 Oct 2015 07:28:00 GMT";

    type Body = http_body_util::Full<Bytes>;

    async fn text(res: Response<Body>) -> String {
        use http_body_util::BodyExt;
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    }

    async fn call(
        method: Method,
        request_headers: &[(&'static str, &'static str)],
        status: u16,
    ) -> Response<Body> {
        let handler = service_fn(move |_req: Request<()>| async move {
            let response = Response::builder()
                .status(status)
                .header("etag", "\"v1\"")
                .header("last-modified", MODIFIED)
                .header("cache-control", "max-age=60")
                .header("vary", "accept")
                .header("content-type", "text/plain")
                .header("content-length", "5")
                .header("x-custom", "dropped on 304")
                .header("set-cookie", "a=b")
                .body(Body::from("hello"))
                .unwrap();
            Ok::<_, Infallible>(response)
        });
        let mut request = Request::builder().method(method);
        for (n, v) in request_headers {
            request = request.header(*n, *v);
        }
        ConditionalLayer::new().layer(handler).oneshot(request.body(()).unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn if_none_match_uses_weak_comparison_and_lists() {
        for inm in ["\"v1\"", "W/\"v1\"", "\"x\", W/\"v1\"", "*"] {
            let res = call(Method::GET, &[("if-none-match", inm)], 200).await;
            assert_eq!(res.status(), 304, "{inm}");
        }
        let res = call(Method::GET, &[("if-none-match", "\"v2\"")], 200).await;
        assert_eq!(res.status(), 200);
        assert_eq!(text(res).await, "hello");
    }

    #[tokio::test]
    async fn a_304_keeps_validators_and_drops_representation_headers() {
        let res = call(Method::HEAD, &[("if-none-match", "\"v1\"")], 200).await;
        assert_eq!(res.status(), 304);
        let mut names: Vec<&str> = res.headers().keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["cache-control", "etag", "last-modified", "set-cookie", "vary"]);
        assert_eq!(text(res).await, "");
    }

    #[test]
    fn a_304_keeps_every_value_of_the_kept_headers_however_many_others_there_are() {
        for others in [0, 1, 8, 9, 20] {
            let mut response = Response::builder()
                .status(200)
                .header("etag", "\"v1\"")
                .header("set-cookie", "a=1")
                .header("content-type", "text/plain")
                .header("set-cookie", "b=2")
                .header("vary", "accept");
            for i in 0..others {
                response = response.header(format!("x-other-{i}"), "value");
            }
            let response = not_modified(response.body(Body::from("body")).unwrap());
            assert_eq!(response.status(), 304);
            let mut names: Vec<&str> = response.headers().keys().map(HeaderName::as_str).collect();
            names.sort_unstable();
            assert_eq!(names, ["etag", "set-cookie", "vary"], "{others} other headers");
            let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
            assert_eq!(cookies, ["a=1", "b=2"]);
        }
    }

    #[tokio::test]
    async fn if_match_uses_strong_comparison_and_comes_first() {
        assert_eq!(call(Method::GET, &[("if-match", "\"v1\"")], 200).await.status(), 200);
        assert_eq!(call(Method::GET, &[("if-match", "W/\"v1\"")], 200).await.status(), 412);
        assert_eq!(call(Method::GET, &[("if-match", "*")], 200).await.status(), 200);
        // If-Match false wins over an If-None-Match that would give 304.
        let res = call(Method::GET, &[("if-match", "\"v0\""), ("if-none-match", "\"v1\"")], 200).await;
        assert_eq!(res.status(), 412);
        assert_eq!(res.headers()["etag"], "\"v1\"");
        assert!(text(res).await.contains("\"status\":412"));
    }

    #[tokio::test]
    async fn dates_are_compared_when_the_tag_headers_are_absent() {
        assert_eq!(call(Method::GET, &[("if-modified-since", MODIFIED)], 200).await.status(), 304);
        assert_eq!(call(Method::GET, &[("if-modified-since", AFTER)], 200).await.status(), 304);
        assert_eq!(call(Method::GET, &[("if-modified-since", BEFORE)], 200).await.status(), 200);
        assert_eq!(call(Method::GET, &[("if-unmodified-since", BEFORE)], 200).await.status(), 412);
        assert_eq!(call(Method::GET, &[("if-unmodified-since", MODIFIED)], 200).await.status(), 200);
        // If-None-Match present: If-Modified-Since is ignored.
        let res = call(Method::GET, &[("if-none-match", "\"v2\""), ("if-modified-since", AFTER)], 200).await;
        assert_eq!(res.status(), 200);
        // If-Match present: If-Unmodified-Since is ignored.
        let res = call(Method::GET, &[("if-match", "\"v1\""), ("if-unmodified-since", BEFORE)], 200).await;
        assert_eq!(res.status(), 200);
    }

    #[tokio::test]
    async fn if_match_fails_on_a_response_without_validators() {
        let handler = service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new(Body::from("no validators")))
        });
        let request = |v: &'static str| Request::builder().header("if-match", v).body(()).unwrap();
        let svc = ConditionalLayer::new().layer(handler);
        assert_eq!(svc.clone().oneshot(request("\"x\"")).await.unwrap().status(), 412);
        assert_eq!(svc.oneshot(request("*")).await.unwrap().status(), 200);
    }

    /// RFC 9110 §13.1.2: `If-None-Match: *` is false when a current representation exists,
    /// which a 2xx response says, with or without a validator.
    #[tokio::test]
    async fn if_none_match_any_needs_no_validator() {
        let handler = service_fn(|_req: Request<()>| async {
            let response = Response::builder()
                .header("cache-control", "max-age=60")
                .header("content-type", "text/plain")
                .body(Body::from("no validators"))
                .unwrap();
            Ok::<_, Infallible>(response)
        });
        let request = |method: Method, inm: &'static str| {
            Request::builder().method(method).header("if-none-match", inm).body(()).unwrap()
        };
        let svc = ConditionalLayer::new().layer(handler);
        for method in [Method::GET, Method::HEAD] {
            let res = svc.clone().oneshot(request(method.clone(), "*")).await.unwrap();
            assert_eq!(res.status(), 304, "{method}");
            assert_eq!(res.headers()["cache-control"], "max-age=60");
            assert!(res.headers().get("content-type").is_none());
        }
        // A list of tags still needs a tag to compare with.
        let res = svc.clone().oneshot(request(Method::GET, "\"v1\"")).await.unwrap();
        assert_eq!(res.status(), 200);
        // Unsafe methods were handled before this layer saw them: 412 is the handler's to answer.
        let res = svc.oneshot(request(Method::PUT, "*")).await.unwrap();
        assert_eq!(res.status(), 200);
        let mut headers = HeaderMap::new();
        headers.insert("if-none-match", HeaderValue::from_static("*"));
        let conditions = RequestConditions::from_headers(&headers);
        let current = Some(Representation::default());
        assert_eq!(conditions.evaluate(&Method::GET, current), Outcome::NotModified);
        assert_eq!(conditions.evaluate(&Method::POST, current), Outcome::PreconditionFailed);
    }

    #[tokio::test]
    async fn only_a_200_becomes_a_304_but_any_2xx_can_fail() {
        assert_eq!(call(Method::GET, &[("if-none-match", "\"v1\"")], 203).await.status(), 203);
        assert_eq!(call(Method::GET, &[("if-none-match", "\"v1\"")], 206).await.status(), 206);
        let res = call(Method::GET, &[("if-match", "\"v0\"")], 203).await;
        assert_eq!(res.status(), 412);
        assert_eq!(res.headers()["set-cookie"], "a=b", "cookies survive a 412 too");
    }

    #[tokio::test]
    async fn malformed_conditions_are_ignored() {
        for (n, v) in [
            ("if-none-match", "v1"),
            ("if-match", "\"v0"),
            ("if-modified-since", "yesterday"),
            ("if-unmodified-since", "1445412480"),
        ] {
            let res = call(Method::GET, &[(n, v)], 200).await;
            assert_eq!(res.status(), 200, "{n}: {v}");
        }
    }

    #[tokio::test]
    async fn only_success_responses_and_safe_methods_change() {
        assert_eq!(call(Method::GET, &[("if-none-match", "\"v1\"")], 404).await.status(), 404);
        assert_eq!(call(Method::GET, &[("if-match", "\"zz\"")], 500).await.status(), 500);
        assert_eq!(call(Method::PUT, &[("if-match", "\"zz\"")], 200).await.status(), 200);
        assert_eq!(call(Method::POST, &[("if-none-match", "\"v1\"")], 201).await.status(), 201);
    }

    #[test]
    fn evaluate_for_unsafe_methods_and_missing_resources() {
        let etag = ETag::strong("v1").unwrap();
        let current = Some(Representation { etag: Some(&etag), last_modified: None });
        let mut headers = HeaderMap::new();
        headers.insert("if-none-match", HeaderValue::from_static("*"));
        let create_only = RequestConditions::from_headers(&headers);
        assert_eq!(create_only.evaluate(&Method::PUT, current), Outcome::PreconditionFailed);
        assert_eq!(create_only.evaluate(&Method::PUT, None), Outcome::Proceed);

        let mut headers = HeaderMap::new();
        headers.insert("if-match", HeaderValue::from_static("*"));
        let update_only = RequestConditions::from_headers(&headers);
        assert_eq!(update_only.evaluate(&Method::PUT, None), Outcome::PreconditionFailed);
        assert_eq!(update_only.evaluate(&Method::PUT, current), Outcome::Proceed);
        assert!(update_only.has_change_precondition());
    }

    #[test]
    fn sub_second_modification_times_compare_by_the_second() {
        let modified = httpdate::parse_http_date(MODIFIED).unwrap() + Duration::from_millis(700);
        let mut headers = HeaderMap::new();
        headers.insert("if-modified-since", HeaderValue::from_static(MODIFIED));
        let c = RequestConditions::from_headers(&headers);
        let current = Some(Representation { etag: None, last_modified: Some(modified) });
        assert_eq!(c.evaluate(&Method::GET, current), Outcome::NotModified);
    }
}
