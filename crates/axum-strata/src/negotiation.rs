//! Content negotiation (RFC 9110 §12.5.1).
//!
//! - [`RequestAccept`], an extractor for handlers that choose by hand (the seed's example),
//!   never rejecting: a missing header means `*/*`, malformed ranges are dropped. It derefs to
//!   the typed header [`headers::Accept`](strata_headers::Accept), which is what to use to build
//!   or parse an `Accept` value, or with `axum_extra::TypedHeader` (which rejects a missing or
//!   malformed header instead).
//! - [`Negotiated<T>`]: the handler returns a value, and the [`NegotiationLayer`] of the
//!   closest level (set with [`StrataLayer::negotiate`](crate::StrataLayer::negotiate)) picks the
//!   format from the request's `Accept` among the [`Format`]s it offers, serializes the value
//!   straight into the body, sets `Content-Type` and appends `Vary: Accept`. When nothing
//!   offered is acceptable the answer is a 406 problem listing the offered types, or a
//!   configured fallback format. `q=0` means "not acceptable", specificity beats order, and
//!   between offers of equal weight the one the client named most specifically wins, then the
//!   server's order of formats (the ranking of
//!   [`Accept::best_match`](strata_headers::Accept::best_match)).
//!
//! Where no level negotiates, `Strata::app()` sends the value as JSON whatever the `Accept`
//! (as axum's `Json` would, without `Vary`). Without any Strata layer at all, `Negotiated<T>` is
//! still sent as JSON, serialized when the body is first read (with a debug log saying the layer
//! is missing); its length is then unknown, and a serialization error cuts the body short.
//!
//! Like every Strata response type, it leaves the status to the method (201 for `POST` under
//! `Strata::app()`). After-request hooks and computed ETags of levels inside the negotiating one
//! see the value before it is rendered (a placeholder body of unknown size).
//!
#![cfg_attr(all(feature = "layers", feature = "msgpack"), doc = "```")]
#![cfg_attr(not(all(feature = "layers", feature = "msgpack")), doc = "```ignore")]
//! use axum::{Router, body::{Body, to_bytes}, http::Request, routing::get};
//! use axum_strata::{Strata, negotiation::{Format, Negotiated}};
//! use serde::Serialize;
//! use tower::ServiceExt;
//!
//! #[derive(Serialize)]
//! struct Health { hello: &'static str }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app: Router = Router::new()
//!     .route("/health-check", get(|| async { Negotiated(Health { hello: "world" }) }))
//!     .layer(Strata::app().negotiate([Format::json(), Format::msgpack()]));
//! let ask = |accept: &str| Request::get("/health-check").header("accept", accept).body(Body::empty()).unwrap();
//!
//! let response = app.clone().oneshot(ask("application/x-msgpack, application/json;q=0.5")).await.unwrap();
//! assert_eq!(response.headers()["content-type"], "application/x-msgpack");
//! assert_eq!(response.headers()["vary"], "accept");
//!
//! let response = app.clone().oneshot(ask("application/*")).await.unwrap();
//! assert_eq!(response.headers()["content-type"], "application/json"); // the server's order
//! assert_eq!(to_bytes(response.into_body(), 1024).await.unwrap(), r#"{"hello":"world"}"#);
//!
//! let response = app.oneshot(ask("image/png")).await.unwrap();
//! assert_eq!(response.status(), 406);
//! assert_eq!(response.headers()["content-type"], "application/problem+json");
//! # }
//! ```

use std::{
    convert::Infallible,
    fmt,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

use axum::{
    body::Body,
    extract::FromRequestParts,
    response::{IntoResponse, Response},
};
use bytes::{Bytes, BytesMut};
use http::{HeaderValue, StatusCode, header, request::Parts};
use serde::Serialize;
use strata_headers::{
    headers::Header,
    mime::{self, Mime},
    vary,
};
use strata_tower::step::{Finish, Step, StepFuture, StepService};
use tower::Layer;

use crate::{media_type::content_type, problem::Problem, render};

/// The request's `Accept`, for handlers that negotiate by hand. Never rejects: no header means
/// `*/*`, and malformed ranges are dropped.
///
/// The extractor is `RequestAccept` and the typed header it holds is
/// [`headers::Accept`](strata_headers::Accept): two names, so that code importing both never
/// has two `Accept`s. Use this one in handler arguments, the typed header everywhere else.
///
/// ```
/// use axum_strata::{headers::mime, negotiation::RequestAccept};
///
/// async fn resource(accept: RequestAccept) -> &'static str {
///     let html = mime::TEXT_HTML;
///     match accept.best_match([&mime::TEXT_PLAIN, &html]).unwrap_or(&mime::TEXT_PLAIN) {
///         m if *m == html => "<h1>Hello World!</h1>",
///         _ => "Hello World!",
///     }
/// }
/// # let _: axum::Router = axum::Router::new().route("/resource", axum::routing::get(resource));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestAccept(pub strata_headers::Accept);

impl std::ops::Deref for RequestAccept {
    type Target = strata_headers::Accept;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestAccept {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Self(accept_of(parts.headers.get_all(header::ACCEPT).iter())))
    }
}

/// Every `Accept` line as one header; none means `*/*`.
fn accept_of<'a>(mut lines: impl Iterator<Item = &'a HeaderValue>) -> strata_headers::Accept {
    strata_headers::Accept::decode(&mut lines).unwrap_or_default()
}

type Custom = Arc<dyn Fn(&dyn erased_serde::Serialize, &mut BytesMut) -> Result<(), String> + Send + Sync>;

#[derive(Clone)]
enum Kind {
    /// JSON, MessagePack, or "as it is": the crate's renderer.
    Builtin,
    Custom(Custom),
}

/// A format a negotiation layer offers: its media type (and aliases) and how to serialize.
#[derive(Clone)]
#[must_use]
pub struct Format {
    media_types: Vec<Mime>,
    kind: Kind,
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Format").field("media_types", &self.media_types).finish_non_exhaustive()
    }
}

impl Format {
    /// `application/json`.
    pub fn json() -> Self {
        Self { media_types: vec![mime::APPLICATION_JSON], kind: Kind::Builtin }
    }

    /// MessagePack: `application/x-msgpack`, also matched as `application/msgpack` and
    /// `application/vnd.msgpack` (the response carries the name the client asked for).
    #[cfg(feature = "msgpack")]
    pub fn msgpack() -> Self {
        let names = [crate::media_type::MSGPACK, "application/msgpack", "application/vnd.msgpack"];
        Self { media_types: names.iter().filter_map(|n| n.parse().ok()).collect(), kind: Kind::Builtin }
    }

    /// `text/plain; charset=utf-8`, for values that are strings, numbers or bytes (matched by
    /// `text/plain` with or without that charset).
    pub fn text() -> Self {
        Self { media_types: vec![mime::TEXT_PLAIN_UTF_8], kind: Kind::Builtin }
    }

    /// `text/html; charset=utf-8`, for values that are already HTML strings (matched by
    /// `text/html` with or without that charset).
    pub fn html() -> Self {
        Self { media_types: vec![mime::TEXT_HTML_UTF_8], kind: Kind::Builtin }
    }

    /// Another media type, rendered by Strata: JSON when it ends in `+json`, MessagePack for its
    /// names, as it is otherwise. (Not `media_type`: on the response builders that name sets
    /// the media type of one response; this makes a format to offer.)
    pub fn other(media_type: Mime) -> Self {
        Self { media_types: vec![media_type], kind: Kind::Builtin }
    }

    /// A format of your own: `render` serializes the value (any serde serializer works on it)
    /// into the buffer, or says why it cannot.
    pub fn custom<F>(media_type: Mime, render: F) -> Self
    where
        F: Fn(&dyn erased_serde::Serialize, &mut BytesMut) -> Result<(), String> + Send + Sync + 'static,
    {
        Self { media_types: vec![media_type], kind: Kind::Custom(Arc::new(render)) }
    }

    /// The media type sent (the first) and its aliases.
    #[must_use]
    pub fn media_types(&self) -> &[Mime] {
        &self.media_types
    }

    fn render(&self, value: &dyn Negotiable, chosen: &Mime) -> Result<Bytes, String> {
        match &self.kind {
            Kind::Builtin => value.render(chosen),
            Kind::Custom(f) => {
                let mut buf = BytesMut::with_capacity(128);
                f(value.erased(), &mut buf)?;
                Ok(buf.freeze())
            }
        }
    }
}

/// A value waiting to be negotiated. The built-in formats serialize the concrete type (no
/// dynamic dispatch per field); only custom formats see it through `erased_serde`.
trait Negotiable: Send + Sync {
    fn render(&self, media_type: &Mime) -> Result<Bytes, String>;
    fn erased(&self) -> &dyn erased_serde::Serialize;
}

impl<T: Serialize + Send + Sync> Negotiable for T {
    fn render(&self, media_type: &Mime) -> Result<Bytes, String> {
        render::render(self, media_type).map_err(|e| e.to_string())
    }

    fn erased(&self) -> &dyn erased_serde::Serialize {
        self
    }
}

type Value = Arc<dyn Negotiable>;

/// The intent a [`Negotiated`] response carries to the negotiation layer.
#[derive(Clone)]
struct Intent(Value);

/// A value sent in the format the client prefers; see the [module docs](self).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct Negotiated<T>(pub T);

impl<T: Serialize + Send + Sync + 'static> IntoResponse for Negotiated<T> {
    fn into_response(self) -> Response {
        let value: Value = Arc::new(self.0);
        let mut response = Response::new(Body::new(LazyJson { value: Some(Arc::clone(&value)) }));
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response.extensions_mut().insert(Intent(value));
        // Like every Strata response type, it leaves the status to the method.
        response.extensions_mut().insert(strata_tower::default_status::StatusUnset);
        response
    }
}

/// The body of a negotiated response no layer resolved: JSON, made when first read.
struct LazyJson {
    value: Option<Value>,
}

impl http_body::Body for LazyJson {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let Some(value) = self.get_mut().value.take() else {
            return Poll::Ready(None);
        };
        tracing::debug!(
            "Negotiated<T> sent as JSON: no negotiation layer around the route (Strata::negotiate)"
        );
        Poll::Ready(Some(match value.render(&mime::APPLICATION_JSON) {
            Ok(json) => Ok(http_body::Frame::data(json)),
            Err(e) => {
                tracing::error!("Negotiated<T> could not be serialized as JSON: {e}");
                Err(axum::Error::new(e))
            }
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.value.is_none()
    }
}

/// Resolves [`Negotiated`] responses with the request's `Accept`; see the [module docs](self).
#[derive(Clone, Debug)]
#[must_use]
pub struct NegotiationLayer {
    config: Arc<Config>,
}

#[derive(Debug)]
struct Config {
    formats: Vec<Format>,
    fallback: Option<Format>,
    /// JSON whatever the request accepts, without `Vary`: what `Strata::app()` does with values
    /// no level negotiated, as axum's `Json` would.
    json_only: bool,
    /// The last choices made for single-line `Accept` values: clients send the same value on
    /// every request, and parsing a browser's costs more than the rest of the negotiation.
    recent: Mutex<Recent>,
}

/// How many `Accept` values a layer remembers the choice for.
const RECENT: usize = 8;

/// Longer `Accept` values are not remembered.
const MAX_REMEMBERED_LEN: usize = 1024;

/// A choice among the offers: indexes into the formats and their media types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    Offer(usize, usize),
    Fallback,
    NotAcceptable,
}

/// One media type a layer offers, with where it is among the formats.
struct Offer<'a> {
    f: usize,
    m: usize,
    media_type: &'a Mime,
}

impl std::borrow::Borrow<Mime> for Offer<'_> {
    fn borrow(&self) -> &Mime {
        self.media_type
    }
}

/// The choices for the last [`RECENT`] `Accept` values (`None`: no header), replaced in turn.
#[derive(Debug, Default)]
struct Recent {
    entries: Vec<(Option<HeaderValue>, Choice)>,
    next: usize,
}

impl Config {
    fn new(formats: Vec<Format>, fallback: Option<Format>, json_only: bool) -> Self {
        Self { formats, fallback, json_only, recent: Mutex::new(Recent::default()) }
    }
}

impl NegotiationLayer {
    /// Offers `formats`, in the server's order of preference.
    pub fn new(formats: impl IntoIterator<Item = Format>) -> Self {
        Self { config: Arc::new(Config::new(formats.into_iter().collect(), None, false)) }
    }

    /// Sends every negotiated value as JSON, ignoring `Accept` (and adding no `Vary`).
    #[cfg(any(test, feature = "layers"))]
    pub(crate) fn json_only() -> Self {
        Self { config: Arc::new(Config::new(vec![Format::json()], None, true)) }
    }

    /// Answers with `format` instead of 406 when nothing offered is acceptable.
    pub fn fallback(self, format: Format) -> Self {
        let config = &self.config;
        Self { config: Arc::new(Config::new(config.formats.clone(), Some(format), config.json_only)) }
    }

    #[cfg(feature = "layers")]
    /// The formats offered, in the server's order of preference.
    pub fn formats(&self) -> &[Format] {
        &self.config.formats
    }

    /// The format sent when nothing offered is acceptable, if any (read by a level).
    #[cfg(feature = "layers")]
    pub(crate) fn fallback_format(&self) -> Option<Format> {
        self.config.fallback.clone()
    }

    /// Picks the format and media type for `accept`.
    fn choose(&self, accept: &strata_headers::Accept) -> Choice {
        let config = &*self.config;
        if config.json_only {
            return Choice::Offer(0, 0);
        }
        // Every media type of every format, in the server's order, ranked by the one ranking of
        // `Accept::best_match`.
        let offers = config.formats.iter().enumerate().flat_map(|(f, format)| {
            format.media_types.iter().enumerate().map(move |(m, media_type)| Offer { f, m, media_type })
        });
        match accept.best_match(offers) {
            Some(Offer { f, m, .. }) => Choice::Offer(f, m),
            None if config.fallback.is_some() => Choice::Fallback,
            None => Choice::NotAcceptable,
        }
    }

    /// The choice for the request's `Accept` lines, remembered for single-line values.
    fn choice(&self, first: Option<&HeaderValue>, more: &[HeaderValue]) -> Choice {
        if self.config.json_only {
            return Choice::Offer(0, 0);
        }
        if !more.is_empty() {
            return self.choose(&accept_of(first.into_iter().chain(more.iter())));
        }
        // Busy: decide without the memory rather than wait for it.
        if let Ok(recent) = self.config.recent.try_lock()
            && let Some((_, choice)) = recent.entries.iter().find(|(value, _)| value.as_ref() == first)
        {
            return *choice;
        }
        let choice = self.choose(&accept_of(first.into_iter()));
        // A value of its own: the request's shares the bytes of its whole head.
        let key = match first {
            None => None,
            Some(value) if value.len() <= MAX_REMEMBERED_LEN => {
                HeaderValue::from_bytes(value.as_bytes()).ok()
            }
            Some(_) => return choice,
        };
        if let Ok(mut recent) = self.config.recent.try_lock() {
            let entry = (key, choice);
            let next = recent.next;
            if recent.entries.len() < RECENT {
                recent.entries.push(entry);
            } else {
                recent.entries[next] = entry;
            }
            recent.next = (next + 1) % RECENT;
        }
        choice
    }

    /// The format and media type of a choice.
    fn chosen(&self, choice: Choice) -> Option<(&Format, &Mime)> {
        let config = &*self.config;
        match choice {
            Choice::Offer(f, m) => config.formats.get(f).and_then(|f| f.media_types.get(m).map(|m| (f, m))),
            Choice::Fallback => config.fallback.as_ref().and_then(|f| f.media_types.first().map(|m| (f, m))),
            Choice::NotAcceptable => None,
        }
    }

    /// Resolves a response's negotiation intent, if it carries one.
    ///
    /// A 406 or a 500 replaces only the status, the body and its `Content-Type`: the headers
    /// and extensions the handler and closer levels gave the response (its `Cache-Control`,
    /// cookies, claims) stay.
    fn resolve(&self, choice: Choice, mut response: Response) -> Response {
        let Some(Intent(value)) = response.extensions_mut().remove::<Intent>() else {
            return response;
        };
        let problem = match self.chosen(choice) {
            Some((format, chosen)) => match format.render(&*value, chosen) {
                Ok(bytes) => {
                    *response.body_mut() = Body::from(bytes);
                    match content_type(chosen) {
                        Some(ct) => {
                            response.headers_mut().insert(header::CONTENT_TYPE, ct);
                        }
                        None => {
                            response.headers_mut().remove(header::CONTENT_TYPE);
                        }
                    }
                    None
                }
                Err(e) => {
                    tracing::error!("a negotiated value could not be rendered as {chosen}: {e}");
                    Some(
                        Problem::new(StatusCode::INTERNAL_SERVER_ERROR)
                            .with_detail("the response content could not be rendered"),
                    )
                }
            },
            None => {
                let offered: Vec<String> = self
                    .config
                    .formats
                    .iter()
                    .flat_map(|f| f.media_types.iter().map(ToString::to_string))
                    .collect();
                Some(Problem::new(StatusCode::NOT_ACCEPTABLE).with_detail(format!(
                    "none of the offered media types is acceptable: {}",
                    offered.join(", ")
                )))
            }
        };
        if let Some(problem) = problem {
            let (parts, body) = problem.into_response().into_parts();
            response.extensions_mut().remove::<strata_tower::default_status::StatusUnset>();
            *response.status_mut() = parts.status;
            *response.body_mut() = body;
            response.headers_mut().remove(header::CONTENT_LENGTH);
            if let Some(ct) = parts.headers.get(header::CONTENT_TYPE) {
                response.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
            }
        }
        if !self.config.json_only {
            vary::append(response.headers_mut(), &header::ACCEPT);
        }
        response
    }
}

impl<S> Layer<S> for NegotiationLayer {
    type Service = Negotiation<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Negotiation::new(inner, self.clone())
    }
}

/// The service of [`NegotiationLayer`].
pub type Negotiation<S> = StepService<S, NegotiationLayer>;

/// The response future of [`Negotiation`].
pub type ResponseFuture<F> = StepFuture<F, NegotiationLayer>;

impl Step for NegotiationLayer {
    type Noted = Accepted;

    #[inline]
    fn note<ReqBody>(&self, request: &http::Request<ReqBody>) -> Accepted {
        self.accepted(request.headers())
    }
}

impl Finish<Body> for NegotiationLayer {
    fn finish(&self, accepted: &Accepted, response: Response) -> Response {
        self.settle(accepted, response)
    }
}

/// The raw `Accept` lines of a request, kept by [`NegotiationLayer`] while its response is made:
/// they are parsed only if the response turns out to be negotiated. One line (the usual case)
/// needs no allocation.
#[derive(Debug, Default)]
pub struct Accepted {
    first: Option<HeaderValue>,
    more: Vec<HeaderValue>,
}

impl NegotiationLayer {
    /// What this layer keeps of `req`: nothing when it sends JSON whatever is accepted.
    pub(crate) fn accepted(&self, headers: &http::HeaderMap) -> Accepted {
        if self.config.json_only {
            return Accepted::default();
        }
        let mut lines = headers.get_all(header::ACCEPT).iter();
        Accepted { first: lines.next().cloned(), more: lines.cloned().collect() }
    }

    /// Resolves the negotiation intent `response` may carry, for the request `accepted` came
    /// from.
    pub(crate) fn settle(&self, accepted: &Accepted, response: Response) -> Response {
        if response.extensions().get::<Intent>().is_none() {
            return response;
        }
        let choice = self.choice(accepted.first.as_ref(), &accepted.more);
        self.resolve(choice, response)
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationInput, OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };
    use schemars::JsonSchema;

    use super::{Negotiated, RequestAccept};
    use crate::openapi::fragments;

    /// JSON; the closest level that negotiates documents its other formats, `Vary: Accept`
    /// and 406, as it is the level that offers them.
    impl<T: JsonSchema> OperationOutput for Negotiated<T> {
        type Inner = T;

        fn operation_response(ctx: &mut GenContext, _: &mut Operation) -> Option<Response> {
            let body = fragments::body("application/json", fragments::schema_of::<T>(ctx));
            Some(fragments::negotiated(fragments::response("The value, in the format negotiated.", [body])))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(Some(200), r)]).unwrap_or_default()
        }
    }

    /// Nothing to document: OpenAPI describes `Accept` through the responses' content.
    impl OperationInput for RequestAccept {}
}

#[cfg(test)]
mod tests {
    use axum::{body::to_bytes, extract::Request};
    use tower::{ServiceExt, service_fn};

    use super::*;

    #[derive(Serialize)]
    struct Health {
        hello: &'static str,
    }

    async fn negotiate(layer: NegotiationLayer, accept: &[&str]) -> (Response, Bytes) {
        let svc = service_fn(|_req: Request| async {
            Ok::<_, Infallible>(Negotiated(Health { hello: "world" }).into_response())
        });
        let mut req = Request::builder();
        for a in accept {
            req = req.header("accept", *a);
        }
        let response = layer.layer(svc).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.unwrap();
        (Response::from_parts(parts, Body::empty()), bytes)
    }

    fn both() -> NegotiationLayer {
        #[cfg(feature = "msgpack")]
        return NegotiationLayer::new([Format::json(), Format::msgpack()]);
        #[cfg(not(feature = "msgpack"))]
        NegotiationLayer::new([
            Format::json(),
            Format::other("application/vnd.example+json".parse().unwrap()),
        ])
    }

    /// The remembered choices are per `Accept` value: many values, repeated and interleaved
    /// past what the layer remembers, each get their own answer on every request.
    #[tokio::test]
    async fn remembered_choices_follow_the_accept_value() {
        let vendor: Mime = "application/vnd.example+json".parse().unwrap();
        let layer = NegotiationLayer::new([Format::json(), Format::other(vendor)]);
        let cases: Vec<(String, Option<&str>)> = (0..3 * RECENT)
            .map(|i| match i % 3 {
                0 => (
                    format!("application/vnd.example+json;q=0.{}, application/json;q=0.05", i % 9 + 1),
                    Some("application/vnd.example+json"),
                ),
                1 => (
                    format!("application/json;q=0.{}, application/vnd.example+json;q=0.05", i % 9 + 1),
                    Some("application/json"),
                ),
                _ => (format!("image/png;q=0.{}", i % 9 + 1), None),
            })
            .collect();
        for round in 0..3 {
            for (accept, expected) in &cases {
                let (r, _) = negotiate(layer.clone(), &[accept.as_str()]).await;
                match expected {
                    Some(ct) => assert_eq!(r.headers()["content-type"], *ct, "{accept}, round {round}"),
                    None => assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE, "{accept}, round {round}"),
                }
            }
        }
        // Several lines are one list, never mixed up with a remembered single line.
        let (r, _) = negotiate(layer.clone(), &["image/png", "application/vnd.example+json"]).await;
        assert_eq!(r.headers()["content-type"], "application/vnd.example+json");
        let (r, _) = negotiate(layer, &[]).await;
        assert_eq!(r.headers()["content-type"], "application/json");
    }

    #[tokio::test]
    async fn json_by_default_and_vary_accept_always() {
        let (r, body) = negotiate(both(), &[]).await;
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["vary"], "accept");
        assert_eq!(body, r#"{"hello":"world"}"#);
        let (r, _) = negotiate(both(), &["*/*"]).await;
        assert_eq!(r.headers()["content-type"], "application/json");
    }

    /// Ties on weight go to the format the client named most specifically, then to the
    /// server's order: the ranking of `Accept::best_match`.
    #[tokio::test]
    async fn equal_weights_go_to_the_most_specifically_named_format() {
        let vendor: Mime = "application/vnd.example+json".parse().unwrap();
        let layer = NegotiationLayer::new([Format::json(), Format::other(vendor)]);
        let (r, _) = negotiate(layer.clone(), &["application/*, application/vnd.example+json"]).await;
        assert_eq!(r.headers()["content-type"], "application/vnd.example+json");
        let (r, _) = negotiate(layer.clone(), &["*/*, application/vnd.example+json"]).await;
        assert_eq!(r.headers()["content-type"], "application/vnd.example+json");
        let (r, _) = negotiate(layer, &["application/*"]).await;
        assert_eq!(r.headers()["content-type"], "application/json", "the server's order");
    }

    #[cfg(feature = "msgpack")]
    #[tokio::test]
    async fn msgpack_when_preferred_and_by_any_of_its_names() {
        let (r, body) = negotiate(both(), &["application/msgpack, application/json;q=0.5"]).await;
        assert_eq!(r.headers()["content-type"], "application/msgpack");
        assert_eq!(body, &b"\x81\xa5hello\xa5world"[..]);
        let (r, _) = negotiate(both(), &["application/x-msgpack"]).await;
        assert_eq!(r.headers()["content-type"], "application/x-msgpack");
    }

    #[tokio::test]
    async fn q_zero_refuses_and_nothing_acceptable_is_a_406_listing_offers() {
        let (r, body) = negotiate(both(), &["application/json;q=0, image/png"]).await;
        assert_eq!(r.status(), 406);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(r.headers()["vary"], "accept");
        assert!(std::str::from_utf8(&body).unwrap().contains("application/json"));
        let (r, body) = negotiate(both().fallback(Format::json()), &["image/png"]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(body, r#"{"hello":"world"}"#);
    }

    #[tokio::test]
    async fn a_406_keeps_the_handlers_headers() {
        let svc = service_fn(|_req: Request| async {
            let mut r = Negotiated(Health { hello: "world" }).into_response();
            r.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
            Ok::<_, Infallible>(r)
        });
        let req = Request::builder().header("accept", "image/png").body(Body::empty()).unwrap();
        let r = both().layer(svc).oneshot(req).await.unwrap();
        assert_eq!(r.status(), 406);
        assert_eq!(r.headers()["cache-control"], "no-store");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }

    #[tokio::test]
    async fn text_offers_match_with_or_without_the_charset() {
        let layer = NegotiationLayer::new([Format::json(), Format::text()]);
        let svc = service_fn(|_req: Request| async {
            Ok::<_, Infallible>(Negotiated("plain words").into_response())
        });
        for accept in ["text/plain", "text/plain;charset=utf-8"] {
            let req = Request::builder().header("accept", accept).body(Body::empty()).unwrap();
            let r = layer.clone().layer(svc).oneshot(req).await.unwrap();
            assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8", "{accept}");
        }
    }

    #[tokio::test]
    async fn json_only_ignores_accept_and_adds_no_vary() {
        let (r, body) = negotiate(NegotiationLayer::json_only(), &["image/png"]).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("vary").is_none());
        assert_eq!(body, r#"{"hello":"world"}"#);
    }

    #[tokio::test]
    async fn garbage_and_several_lines() {
        let (r, _) = negotiate(both(), &["garbage;;;q=x"]).await;
        assert_eq!(r.status(), 200, "an Accept with no valid range means anything");
        let (r, _) = negotiate(both(), &["image/png", "application/json"]).await;
        assert_eq!(r.headers()["content-type"], "application/json");
    }

    #[tokio::test]
    async fn without_a_layer_the_value_is_json() {
        let r = Negotiated(Health { hello: "world" }).into_response();
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(to_bytes(r.into_body(), 100).await.unwrap(), r#"{"hello":"world"}"#);
    }

    #[tokio::test]
    async fn custom_formats_use_any_serializer() {
        let yaml_ish = Format::custom("text/x-pairs".parse().unwrap(), |value, out| {
            let json = serde_json::to_value(value).map_err(|e| e.to_string())?;
            for (k, v) in json.as_object().into_iter().flatten() {
                out.extend_from_slice(format!("{k}={v}\n").as_bytes());
            }
            Ok(())
        });
        let (r, body) = negotiate(NegotiationLayer::new([Format::json(), yaml_ish]), &["text/x-pairs"]).await;
        assert_eq!(r.headers()["content-type"], "text/x-pairs; charset=utf-8");
        assert_eq!(body, "hello=\"world\"\n");
    }
}
