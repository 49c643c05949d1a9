//! Tower layers for Strata that need nothing from axum, usable from hyper, tonic or any tower
//! stack.
//!
//! This crate holds the response pipeline of Strata (the repository's `ARCHITECTURE.md`): each layer
//! resolves one kind of intent a response carries, with the request in hand, and the layer
//! closest to the handler wins. Stack them at the app, at nested routers and at single routes.
//!
//! | layer | module | what it does |
//! |---|---|---|
//! | [`ResponseHeadersLayer`](response_headers::ResponseHeadersLayer) | [`response_headers`] | headers, Cache-Control and static ETags that are still missing (cache headers on 2xx/3xx only, cookie responses kept private, tags weak: [`cache_safety`]); documentation-only claims |
//! | [`ComputedETagLayer`](etag::ComputedETagLayer) | [`etag`] | an ETag (weak unless asked) from the hash of a buffered body |
//! | [`ConditionalLayer`](conditional::ConditionalLayer) | [`conditional`] | 304 and 412 for `GET`/`HEAD` (RFC 9110 §13.2.2) |
//! | [`RangeLayer`](range::RangeLayer) | [`range`] | 206 and 416 for `GET` of a [`Seekable`](range::Seekable) representation (RFC 9110 §14) |
//! | [`DefaultStatusLayer`](default_status::DefaultStatusLayer) | [`default_status`] | 201 for `POST`, 204 for `DELETE` when no status was chosen |
//! | [`AfterRequestLayer`](after_request::AfterRequestLayer) | [`after_request`] | the closest after-request hook (or all, chained) |
//! | [`BackgroundLayer`](background::BackgroundLayer) | [`background`] | tasks started once the body has been handed over, tracked by a [`Runner`](background::Runner) |
//! | [`RequireHostLayer`](require_host::RequireHostLayer) | [`require_host`] | 400 for an HTTP/1.x request whose `Host` is missing, repeated or invalid (RFC 9112 §3.2) |
//!
//! Each layer's step is also public on its own, for a service of one's own that does several
//! steps in one future, as `axum-strata`'s `Strata` levels do; the layers call the same
//! functions, so a fused service behaves as the stack of layers does:
//!
//! | step | function |
//! |---|---|
//! | default status | [`DefaultStatusLayer::resolve`](default_status::DefaultStatusLayer::resolve) |
//! | layered headers | [`ResponseHeadersLayer::apply`](response_headers::ResponseHeadersLayer::apply) |
//! | a cookie under a shared-cacheable Cache-Control | [`cache_safety::keep_cookies_private`] |
//! | computed ETag | [`ComputedETagLayer::tag`](etag::ComputedETagLayer::tag) |
//! | which hook runs | [`after_request::runs_on`], [`after_request::mark_ran`] |
//! | 304 and 412 | [`Preconditions`](conditional::Preconditions) |
//! | 206 and 416 | [`RangeWanted`](range::RangeWanted) |
//! | the body of a 304 | [`conditional::settle_not_modified`] |
//! | background tasks | [`BackgroundLayer::enter`](background::BackgroundLayer::enter) and [`leave`](background::BackgroundLayer::leave) |
//! | the end of documentation-only claims | [`ClaimedHeaders::release`](response_headers::ClaimedHeaders::release) |
//!
//! The layers whose work is one such step share one service and one future: [`step`].
//!
//! Layers that need to build a body (an empty 304, a 412 or 416 problem, a buffered body, the
//! parts of a 206) ask for `Default` and `From<Bytes>` on the response body, which
//! `axum::body::Body`, `http_body_util::Full` and most body types have; they keep the body
//! type, so axum never boxes it again. Bodies of their own (background tasks, parts read from a
//! file) are turned into that type by a function given once (`Body::new` for axum).
//!
//! # Feature flags
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `response-headers` | no | [`response_headers`], [`cache_safety`] |
//! | `etag` | no | [`etag`] |
//! | `conditional` | no | [`conditional`] |
//! | `range` | no | [`range`] |
//! | `default-status` | no | [`default_status`] |
//! | `after-request` | no | [`after_request`] |
//! | `background` | no | [`background`] |
//! | `require-host` | no | [`require_host`] |
//! | `full` | no | all of the above |
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use strata_tower::headers::{CacheControl, headers::HeaderMapExt};
//!
//! let mut response = http::Response::new(());
//! response.headers_mut().typed_insert(CacheControl::max_age(Duration::from_secs(3600)).public());
//! assert_eq!(response.headers()["cache-control"], "max-age=3600, public");
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

/// The typed headers every layer here uses: the `strata-headers` crate.
pub use strata_headers as headers;

#[cfg(feature = "after-request")]
pub mod after_request;
#[cfg(feature = "background")]
pub mod background;
#[cfg(feature = "response-headers")]
pub mod cache_safety;
#[cfg(feature = "conditional")]
pub mod conditional;
#[cfg(feature = "default-status")]
pub mod default_status;
#[cfg(feature = "etag")]
pub mod etag;
#[cfg(feature = "range")]
pub mod range;
#[cfg(feature = "require-host")]
pub mod require_host;
#[cfg(feature = "response-headers")]
pub mod response_headers;
pub mod step;
