//! Body types of this crate.
//!
//! ```
//! use axum::body::Body;
//! use axum_strata::body::NoBody;
//! use http_body::Body as _;
//!
//! let body = Body::new(NoBody);
//! assert!(body.is_end_stream());
//! assert_eq!(body.size_hint().exact(), None); // no `content-length: 0` on a 304
//! ```

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;

/// An empty body whose size is not announced.
///
/// axum writes `content-length: 0` for a body of exactly zero bytes, which a 304 to `HEAD`
/// would then carry (RFC 9110 §8.6 forbids a length other than the 200's); with this body
/// neither axum nor hyper sends one. Strata's levels give it to every 304; with strata-tower's
/// `ConditionalLayer` on its own, pass `.empty_body(|| Body::new(NoBody))`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoBody;

impl http_body::Body for NoBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        true
    }
}
