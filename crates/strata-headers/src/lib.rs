//! Typed HTTP headers for Strata.
//!
//! Each type implements [`headers::Header`], so it works with `axum_extra::TypedHeader` and
//! [`headers::HeaderMapExt`], and converts to and from the `headers` crate's own type where one
//! exists. Parsing follows the RFCs, is lenient only where they say so, and never panics on any
//! input; formatting never emits a value a recipient could misread (no empty `Cache-Control`,
//! no CR/LF, no unescaped quotes).
//!
//! Decoding works on fields as the server received them, whose size the server bounds (hyper:
//! about 400 KiB for the whole head and 100 fields). Every parser here is linear in its input and
//! iterative (no recursion); lists a recipient would have to keep are bounded where they could
//! grow without use ([`forwarded::MAX_ELEMENTS`]; ranges past strata-tower's `MAX_RANGES` are
//! answered with the whole representation).
//!
//! | header | type | RFC |
//! |---|---|---|
//! | `Cache-Control` | [`CacheControl`] | 9111 §5.2, 5861, 8246 |
//! | `ETag` | [`ETag`] | 9110 §8.8.3 |
//! | `If-Match`, `If-None-Match` | [`IfMatch`], [`IfNoneMatch`], [`EntityTagList`] | 9110 §13.1 |
//! | `Accept` | [`Accept`], [`MediaRange`], [`QValue`] | 9110 §12.5.1 |
//! | `Content-Disposition` | [`ContentDisposition`] | 6266, 8187 |
//! | `Link` | [`Link`], [`LinkValue`] | 8288 |
//! | `Vary` | [`Vary`], [`vary::append`] | 9110 §12.5.5 |
//! | `Last-Event-ID` | [`LastEventId`] | HTML, server-sent events |
//! | `Host` | [`Host`] | 9112 §3.2, 3986 §3.2.2 |
//! | `Forwarded` | [`Forwarded`], [`ForwardedElement`] | 7239 |
//! | `Range` | [`Range`], [`RangeSpec`], [`ByteRange`] | 9110 §14.2 |
//! | `If-Range` | [`IfRange`] | 9110 §13.1.5 |
//! | `Content-Range` | [`ByteRange::content_range`] (the `headers` crate's [`headers::ContentRange`]) | 9110 §14.4 |
//! | `multipart/byteranges` framing | [`MultipartByteRanges`] | 9110 §14.6 |
//!
//! # Feature flags
//!
//! This crate has no optional features: every header is small, pure and always built.
//!
//! | feature | default | enables |
//! |---|---|---|
//! | — | — | — |
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use headers::HeaderMapExt;
//! use http::HeaderMap;
//! use strata_headers::{Accept, CacheControl, ETag, IfNoneMatch};
//!
//! // What a request says…
//! let mut request = HeaderMap::new();
//! request.insert("accept", "application/json;q=0.9, application/msgpack".parse().unwrap());
//! request.insert("if-none-match", "W/\"v1\"".parse().unwrap());
//!
//! let accept = request.typed_get::<Accept>().unwrap_or_default();
//! let offers = [mime::APPLICATION_JSON, "application/msgpack".parse().unwrap()];
//! assert_eq!(accept.best_match(&offers).unwrap().subtype(), "msgpack");
//!
//! // …and what a response answers.
//! let current = ETag::strong("v1").unwrap();
//! let inm = request.typed_get::<IfNoneMatch>().unwrap();
//! assert!(!inm.precondition_passes(Some(&current))); // 304 Not Modified
//!
//! let mut response = HeaderMap::new();
//! response.typed_insert(current);
//! response.typed_insert(CacheControl::max_age(Duration::from_secs(60)).public());
//! assert_eq!(response["cache-control"], "max-age=60, public");
//! assert_eq!(response["etag"], "\"v1\"");
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod accept;
pub mod cache_control;
pub mod content_disposition;
pub mod content_type;
mod error;
pub mod etag;
pub mod forwarded;
pub mod host;
pub mod if_range;
pub mod last_event_id;
pub mod link;
pub mod multipart;
pub mod range;
pub mod uri;
mod util;
pub mod vary;

pub use self::{
    accept::{Accept, MediaRange, QValue},
    cache_control::{CacheControl, MaxStale},
    content_disposition::{ContentDisposition, DispositionType},
    error::Error,
    etag::{ETag, EntityTagList, IfMatch, IfNoneMatch},
    forwarded::{Forwarded, ForwardedElement},
    host::Host,
    if_range::IfRange,
    last_event_id::LastEventId,
    link::{Link, LinkValue},
    multipart::MultipartByteRanges,
    range::{ByteRange, Range, RangeSpec},
    vary::Vary,
};

// Re-exported so users name the same versions of these crates that the headers are built on.
pub use headers;
pub use http;
pub use mime;
