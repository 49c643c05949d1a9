//! Litestar's response features for plain axum routers.
//!
//! Strata adds layers, response types and extractors to the `Router`s and handlers you already
//! have; it has no server of its own, so `axum::serve` stays. Responses carry intent, layers
//! resolve it, and the layer closest to the handler wins (the repository's `ARCHITECTURE.md`).
//!
//! | what | where |
//! |---|---|
//! | headers, Cache-Control and ETags at the app, router and route levels; conditional requests; default status codes; after-request hooks | [`Strata`], [`StrataLayer`] |
//! | "let the method choose the status" for any response | [`StatusByMethod`] |
//! | optimistic concurrency (412, 428) for `PUT`/`PATCH`/`DELETE` | [`precondition::Precondition`] |
//! | content rendered by media type, with status, headers and cookies | [`content::Content`], [`MediaType`] |
//! | MessagePack responses and bodies | [`msgpack::MsgPack`] |
//! | redirects | [`redirect::Redirect`] |
//! | cookies, layered per level | [`cookies`] |
//! | content negotiation | [`negotiation`] |
//! | several values per key, as `{"k":["a","b"]}` | [`multi_value::MultiValueMap`] |
//! | background tasks after the response, tracked and drained at shutdown | [`background`] |
//! | streamed bodies and JSON lines | [`stream::Streamed`], [`stream::JsonLines`] |
//! | server-sent events | [`sse::ServerSentEvent`], [`sse::Message`], [`sse::RequestLastEventId`] |
//! | templates rendered by an engine registered once (minijinja built in) | [`template::Template`] |
//! | files with their metadata, safe user-named paths | [`file::File`] |
//! | pagination: classic, offset and cursor containers, parameters with limits, `Link` headers | [`pagination`] |
//! | RFC 9457 problem responses | [`problem::Problem`] |
//! | 400 for a missing, repeated or invalid `Host`; the request's absolute URL | [`host::RequireHostLayer`], [`host::RequestUrl`] |
//! | OpenAPI documents from the same declarations, served at `/schema` | `openapi` (feature `openapi`) |
//! | The same documents through utoipa and utoipa-axum | `utoipa_docs` (feature `utoipa`) |
//! | Validation of bodies, queries and paths, every bad field in one problem | [`valid::Valid`] (feature `validation`) |
//! | Route names, paths and absolute URLs built from them, nest-aware | [`names::NamedRouter`], [`names::Urls`] (feature `names`) |
//! | typed headers | [`headers`] (the `strata-headers` crate) |
//! | the same layers for plain tower | [`tower`] (the `strata-tower` crate) |
//!
//! # Feature flags
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `layers` | no | [`Strata`], [`StrataLayer`], [`StatusByMethod`] and the strata-tower layers they use; a level's cookie, negotiation, template, background and range settings come with those features |
//! | `precondition` | no | [`precondition`] |
//! | `content` | no | [`content::Content`] |
//! | `msgpack` | no | [`msgpack::MsgPack`] and the MessagePack media type |
//! | `redirect` | no | [`redirect::Redirect`] |
//! | `cookies` | no | [`cookies`] |
//! | `negotiation` | no | [`negotiation::RequestAccept`], [`negotiation::Negotiated`] and [`negotiation::NegotiationLayer`] |
//! | `multi-value` | no | [`multi_value::MultiValueMap`] |
//! | `openapi` | no | `openapi`: aide's traits on every response type and extractor, levels that document themselves, `/schema` (re-exports `aide` and `schemars`) |
//! | `utoipa` | no | `utoipa_docs`: utoipa's traits on Strata's types, levels that document themselves on utoipa-axum's `OpenApiRouter`, `SchemaRoutes::from_utoipa`; also `openapi` (re-exports `utoipa` and `utoipa_axum`) |
//! | `names` | no | `names`: `NamedRouter`, `Urls` (route names, `route_reverse`, `url_for`) |
//! | `typed-path` | no | `names` for axum-extra's `TypedPath`s: `NamedRouter::typed_route`, `Urls::typed` |
//! | `validation` | no | `valid`: `Valid<Json<T>>`, `Valid<Query<T>>`, `Valid<Form<T>>`, `Valid<Path<T>>`, `Valid<MsgPack<T>>`; axum's rejections as problems (re-exports `eserde` and `validator`) |
//! | `background` | no | [`background`], and `Content::background` with `content` |
//! | `stream` | no | [`stream`] |
//! | `sse` | no | [`sse`] |
//! | `template` | no | [`template`] |
//! | `file` | no | [`file`](mod@file) |
//! | `object-store` | no | `File::from_store`, `File::in_store` and `StrataLayer::file_store`: files from object_store's stores, ranges fetched from the store (re-exports `object_store`); also `file` and `layers` |
//! | `host` | no | [`host`]: `RequireHostLayer`, `RequestUrl`, `TrustForwarded` |
//! | `pagination` | no | [`pagination`]: containers, paginators, parameter extractors, `Link` headers, signed cursors; also `negotiation` |
//! | `full` | no | every feature above |
//!
//! # A complete small server
//!
//! Typed headers in and out of a handler, with `axum_extra::TypedHeader`, served by
//! `axum::serve` and asked by a real client over TCP:
//!
//! ```
//! use std::time::Duration;
//! use axum::{Router, routing::get};
//! use axum_extra::TypedHeader;
//! use axum_strata::headers::{Accept, CacheControl, mime};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! async fn greeting(accept: Option<TypedHeader<Accept>>) -> (TypedHeader<CacheControl>, String) {
//!     let accept = accept.map(|TypedHeader(a)| a).unwrap_or_default();
//!     let html = "text/html".parse().unwrap();
//!     let body = if accept.best_match([&mime::TEXT_PLAIN, &html]) == Some(&html) {
//!         "<p>hello</p>".to_owned()
//!     } else {
//!         "hello".to_owned()
//!     };
//!     (TypedHeader(CacheControl::max_age(Duration::from_secs(60)).public()), body)
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let app = Router::new().route("/", get(greeting));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     tokio::spawn(async move { axum::serve(listener, app).await });
//!
//!     let mut stream = tokio::net::TcpStream::connect(addr).await?;
//!     stream
//!         .write_all(b"GET / HTTP/1.1\r\nhost: x\r\naccept: text/html\r\nconnection: close\r\n\r\n")
//!         .await?;
//!     let mut response = String::new();
//!     stream.read_to_string(&mut response).await?;
//!     assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
//!     assert!(response.contains("\r\ncache-control: max-age=60, public\r\n"));
//!     assert!(response.ends_with("\r\n\r\n<p>hello</p>"));
//!     Ok(())
//! }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

/// `Bytes` and `BytesMut`, as custom negotiation formats write into them.
pub use bytes;
/// The type-erased `Serialize` that custom negotiation formats and template engines are given.
#[cfg(any(feature = "negotiation", feature = "template"))]
pub use erased_serde;
/// Typed headers: the `strata-headers` crate.
pub use strata_headers as headers;
/// Tower layers that need nothing from axum: the `strata-tower` crate.
pub use strata_tower as tower;

#[cfg(feature = "background")]
pub mod background;
#[cfg(any(feature = "layers", feature = "precondition"))]
pub mod body;
#[cfg(feature = "layers")]
pub mod builder;
#[cfg(feature = "content")]
pub mod content;
#[cfg(feature = "cookies")]
pub mod cookies;
#[cfg(feature = "file")]
pub mod file;
#[cfg(feature = "host")]
pub mod host;
#[cfg(any(
    feature = "background",
    feature = "host",
    feature = "msgpack",
    feature = "pagination",
    feature = "precondition"
))]
mod macros;
mod media_type;
#[cfg(feature = "msgpack")]
pub mod msgpack;
#[cfg(feature = "multi-value")]
pub mod multi_value;
#[cfg(feature = "names")]
pub mod names;
#[cfg(feature = "negotiation")]
pub mod negotiation;
#[cfg(feature = "openapi")]
pub mod openapi;
#[cfg(feature = "pagination")]
pub mod pagination;
#[cfg(feature = "precondition")]
pub mod precondition;
pub mod problem;
#[cfg(feature = "redirect")]
pub mod redirect;
#[cfg(any(feature = "content", feature = "msgpack", feature = "negotiation"))]
mod render;
#[cfg(feature = "sse")]
pub mod sse;
#[cfg(feature = "layers")]
mod status;
#[cfg(feature = "stream")]
pub mod stream;
#[cfg(feature = "template")]
pub mod template;
#[cfg(feature = "validation")]
pub mod valid;

/// object_store, whose stores `File` reads from (feature `object-store`): see [`file`](mod@file).
#[cfg(feature = "object-store")]
pub use object_store;
/// utoipa, whose traits Strata's types implement (feature `utoipa`): see [`utoipa_docs`].
#[cfg(feature = "utoipa")]
pub use utoipa;
/// utoipa-axum, whose `OpenApiRouter` levels document themselves on: see [`utoipa_docs`].
#[cfg(feature = "utoipa")]
pub use utoipa_axum;
#[cfg(feature = "utoipa")]
pub mod utoipa_docs;

pub use self::media_type::MediaType;
#[cfg(feature = "layers")]
pub use self::{
    builder::{EtagDescription, LevelDescription, Strata, StrataLayer},
    status::StatusByMethod,
};

// The crate README's Rust examples compile as doctests, so they cannot drift from the code.
#[cfg(all(doctest, feature = "full"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
