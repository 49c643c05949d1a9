//! Response headers set at any level of an application, where the layer closest to the
//! handler wins.
//!
//! A [`ResponseHeadersLayer`] fills in each header it holds **only when the response does not
//! have it yet**. In tower a response travels from the innermost layer outwards, so stacking
//! these layers at the app, a nested router and a route gives Litestar's rule: a value the
//! handler set itself beats every layer, a route's beats its router's, a router's beats the
//! app's. Header names are compared case-insensitively (the `http` crate guarantees it), and
//! one name never gets values from two levels. `Vary` is the exception, because its fields add
//! up: a level's `Vary` fields are appended to the response's, without duplicates.
//!
//! A layer can also declare a header *documentation-only*: it sends nothing for that name, and
//! claims it so that outer layers leave it alone too. That is how a route documents a header
//! its handler sets dynamically, without an app-wide default leaking in when the handler does
//! not set it. Claims travel in the response's extensions ([`ClaimedHeaders`]) and are removed
//! by the layer marked [`ResponseHeadersLayer::outermost`].
//!
//! Values and descriptions stay readable through [`ResponseHeadersLayer::specs`], for the
//! OpenAPI generation to come.
//!
//! Cache-Control and a static ETag are headers like any other here:
//! [`ResponseHeadersLayer::cache_control`] and [`ResponseHeadersLayer::etag`] encode the typed
//! values once, when the layer is built. Three rules keep them from poisoning caches (see
//! [`cache_safety`](crate::cache_safety)): the cache headers (`Cache-Control`, `Expires`,
//! `ETag`, `Last-Modified`) go on 2xx and 3xx responses only, unless
//! [`cache_headers_on_every_status`](ResponseHeadersLayer::cache_headers_on_every_status); a
//! response to which the layer adds `Cache-Control` or `Set-Cookie`, and which ends up with a
//! shared-cacheable `Cache-Control` and a cookie, is made `private`, unless
//! [`public_with_cookies`](ResponseHeadersLayer::public_with_cookies); and a static ETag is sent
//! weak, unless [`strong_etags`](ResponseHeadersLayer::strong_etags). The other headers go on
//! every status: they are policy (security headers, `Vary`), which an error needs too.
//!
//! ```
//! use http::{HeaderName, HeaderValue, Request, Response};
//! use strata_headers::CacheControl;
//! use strata_tower::response_headers::ResponseHeadersLayer;
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let handler = service_fn(|_req: Request<()>| async {
//!     // The handler sets x-version itself: no layer may replace it.
//!     Ok::<_, std::convert::Infallible>(Response::builder().header("x-version", "handler").body(()).unwrap())
//! });
//! let route = ResponseHeadersLayer::new()
//!     .header(HeaderName::from_static("x-level"), HeaderValue::from_static("route"))
//!     .documentation_only(HeaderName::from_static("x-trace"), "set by the tracing proxy");
//! let app = ResponseHeadersLayer::new()
//!     .header(HeaderName::from_static("x-level"), HeaderValue::from_static("app"))
//!     .header(HeaderName::from_static("x-version"), HeaderValue::from_static("app"))
//!     .header(HeaderName::from_static("x-trace"), HeaderValue::from_static("app"))
//!     .cache_control(CacheControl::no_store())
//!     .outermost();
//!
//! let service = app.clone().layer(route.layer(handler));
//! let response = service.oneshot(Request::new(())).await.unwrap();
//! assert_eq!(response.headers()["x-level"], "route");
//! assert_eq!(response.headers()["x-version"], "handler");
//! assert!(response.headers().get("x-trace").is_none()); // claimed, documentation only
//! assert_eq!(response.headers()["cache-control"], "no-store");
//!
//! // An error gets the headers, not the Cache-Control.
//! let missing = service_fn(|_req: Request<()>| async {
//!     Ok::<_, std::convert::Infallible>(Response::builder().status(404).body(()).unwrap())
//! });
//! let response = app.layer(missing).oneshot(Request::new(())).await.unwrap();
//! assert_eq!(response.headers()["x-level"], "app");
//! assert!(response.headers().get("cache-control").is_none());
//! # }
//! ```

//!
//! The module's parts: [`HeaderSpec`] and [`ClaimedHeaders`] (`spec.rs`), the
//! [`ResponseHeadersLayer`] and its step [`apply`](ResponseHeadersLayer::apply) (`layer.rs`),
//! the [`ResponseHeaders`] service and its [`ResponseFuture`] (`service.rs`).

mod layer;
mod service;
mod spec;

pub use self::{
    layer::ResponseHeadersLayer,
    service::{ResponseFuture, ResponseHeaders},
    spec::{ClaimedHeaders, HeaderSpec},
};
