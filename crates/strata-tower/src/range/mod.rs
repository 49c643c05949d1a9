//! Range requests (RFC 9110 §14): 206 Partial Content and 416 Range Not Satisfiable.
//!
//! A response whose representation can be read in parts carries a [`Seekable`] in its
//! extensions (axum-strata's `File` does): its bytes in memory, or a reader that can seek (a
//! `tokio::fs::File`). [`RangeLayer`] resolves that intent for `GET` requests:
//!
//! - it advertises `Accept-Ranges: bytes` on the response;
//! - one range → 206 with `Content-Range`;
//! - several → 206 `multipart/byteranges`, each part with the whole's `Content-Type` and its
//!   own `Content-Range`;
//! - none satisfiable → 416 problem details with `Content-Range: bytes */length`;
//! - a stale or malformed `If-Range` (an entity tag must match strongly, a date must be the
//!   `Last-Modified` date and a strong validator), a malformed `Range`, overlapping ranges or
//!   more than [`MAX_RANGES`] → the whole representation, as a 200.
//!
//! It only acts on a 200 whose `Content-Length` is the intent's length and that has no
//! `Content-Encoding`: a layer that re-encoded or replaced the body in between gets no range
//! served, and no `Accept-Ranges`. Without this layer, the intent is left in the extensions and
//! the body sends the whole representation: nothing is lost. Parts read from a reader go out
//! one chunk at a time, with one seek per range, so memory stays bounded whatever the size.
//!
//! `Range`, `If-Range`, `Content-Range` and the multipart framing are written by typed headers
//! ([`strata_headers::Range`], [`strata_headers::IfRange`], [`strata_headers::ByteRange`],
//! [`strata_headers::MultipartByteRanges`]).
//!
//! ```
//! use bytes::Bytes;
//! use http::{HeaderValue, Request, Response, StatusCode, header};
//! use http_body_util::{BodyExt, Full};
//! use strata_tower::range::{RangeLayer, Seekable};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let handler = service_fn(|_req: Request<()>| async {
//!     let seekable = Seekable::bytes(Bytes::from_static(b"0123456789"));
//!     let mut response: Response<Full<Bytes>> = Response::new(seekable.body());
//!     response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(seekable.len()));
//!     response.extensions_mut().insert(seekable);
//!     Ok::<_, std::convert::Infallible>(response)
//! });
//! let service = RangeLayer::new().layer(handler);
//!
//! let request = Request::builder().header("range", "bytes=2-4").body(()).unwrap();
//! let response = service.clone().oneshot(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
//! assert_eq!(response.headers()["content-range"], "bytes 2-4/10");
//! assert_eq!(response.headers()["accept-ranges"], "bytes");
//! assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), "234");
//!
//! let request = Request::builder().header("range", "bytes=50-").body(()).unwrap();
//! let response = service.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
//! assert_eq!(response.headers()["content-range"], "bytes */10");
//! # }
//! ```
//!
//! The module's parts: the intent [`Seekable`] (`source.rs`), the step [`RangeWanted`]
//! (`resolve.rs`), the body [`ResponseBody`] (`body.rs`), [`RangeLayer`] (`layer.rs`), the
//! its step, the [`Ranges`] service and its [`ResponseFuture`] (`service.rs`).

mod body;
mod layer;
mod resolve;
mod service;
mod source;
#[cfg(test)]
mod testing;

pub use self::{
    body::ResponseBody,
    layer::RangeLayer,
    resolve::RangeWanted,
    service::{Ranges, ResponseFuture},
    source::{Fetch, FetchStream, Seekable},
};

/// More ranges than this in one request are answered with the whole representation.
pub const MAX_RANGES: usize = 16;
