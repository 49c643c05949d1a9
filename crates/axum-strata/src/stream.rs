//! Streaming responses: a body from any `Stream` of chunks (Litestar's `Stream`), and JSON
//! lines from a stream of serializable items.
//!
//! The response is [`Streamed<S>`], named like [`Negotiated<T>`](crate::negotiation::Negotiated)
//! for what happens to the value, and not `Stream`: that is the `futures` trait its argument
//! implements, imported in the same files.
//!
//! Items may be `Bytes`, `String`, `&'static str` or `Vec<u8>`, or a `Result` of one of those.
//! An `Err` is logged and ends the body *as an error*: the connection is cut without the final
//! chunk, so the client sees an incomplete response, never a clean end that hides the failure
//! (Litestar ends the stream silently). The media type is `text/plain; charset=utf-8` unless
//! set (Litestar's documented default; its code sends `application/json`). The producer is
//! dropped, and stops, when the client goes away.
//!
//! ```
//! use axum::{body::to_bytes, response::IntoResponse};
//! use axum_strata::stream::{JsonLines, Streamed};
//! use futures_util::stream;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let chunks = stream::iter(["chunk 0\n", "chunk 1\n"]);
//! let response = Streamed::new(chunks).into_response();
//! assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
//! assert_eq!(to_bytes(response.into_body(), 100).await.unwrap(), "chunk 0\nchunk 1\n");
//!
//! let lines = JsonLines::new(stream::iter([serde_json::json!({"n": 1}), serde_json::json!({"n": 2})])).into_response();
//! assert_eq!(lines.headers()["content-type"], "application/x-ndjson");
//! assert_eq!(to_bytes(lines.into_body(), 100).await.unwrap(), "{\"n\":1}\n{\"n\":2}\n");
//! # }
//! ```

use std::{
    fmt,
    pin::Pin,
    task::{Context, Poll, ready},
};

use axum::{
    body::Body,
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures_util::Stream;
use http::{StatusCode, header};
use pin_project_lite::pin_project;
use serde::Serialize;

use crate::{MediaType, media_type::content_type, problem::Problem};

/// A chunk of a streamed body.
pub trait Chunk {
    /// The chunk's bytes, or the error that ends the body.
    ///
    /// # Errors
    ///
    /// The item's own error, as text for the log.
    fn into_bytes(self) -> Result<Bytes, String>;
}

impl Chunk for Bytes {
    fn into_bytes(self) -> Result<Bytes, String> {
        Ok(self)
    }
}

impl Chunk for String {
    fn into_bytes(self) -> Result<Bytes, String> {
        Ok(Bytes::from(self))
    }
}

impl Chunk for &'static str {
    fn into_bytes(self) -> Result<Bytes, String> {
        Ok(Bytes::from_static(self.as_bytes()))
    }
}

impl Chunk for Vec<u8> {
    fn into_bytes(self) -> Result<Bytes, String> {
        Ok(Bytes::from(self))
    }
}

impl<T: Chunk, E: fmt::Display> Chunk for Result<T, E> {
    fn into_bytes(self) -> Result<Bytes, String> {
        self.map_err(|e| e.to_string()).and_then(Chunk::into_bytes)
    }
}

/// A response streaming the chunks of a `Stream`; see the [module docs](self).
#[must_use]
pub struct Streamed<S> {
    stream: S,
    media_type: MediaType,
    status: StatusCode,
    /// `media_type` was given something that is no media type.
    invalid: bool,
}

impl<S> fmt::Debug for Streamed<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Streamed")
            .field("media_type", &self.media_type)
            .field("status", &self.status)
            .finish()
    }
}

impl<S> Streamed<S> {
    /// Streams `stream` as `text/plain; charset=utf-8`, status 200.
    pub const fn new(stream: S) -> Self {
        Self { stream, media_type: MediaType::Text, status: StatusCode::OK, invalid: false }
    }

    /// Sets the media type: a [`MediaType`], a `Mime`, or a string such as
    /// `"application/x-ndjson"`; `text/*` without a charset gets `; charset=utf-8`. A string
    /// that is no media type makes the response a 500 problem, logged (as
    /// [`Content::media_type`](crate::content::Content::media_type) does).
    pub fn media_type<M: TryInto<MediaType>>(mut self, media_type: M) -> Self {
        match media_type.try_into() {
            Ok(m) => self.media_type = m,
            Err(_) => self.invalid = true,
        }
        self
    }

    /// Sets the status.
    pub const fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

impl<S> IntoResponse for Streamed<S>
where
    S: Stream + Send + 'static,
    S::Item: Chunk,
{
    fn into_response(self) -> Response {
        if self.invalid {
            tracing::error!(
                "Streamed<{}>: the media type is not a valid media type",
                std::any::type_name::<S>()
            );
            return Problem::new(StatusCode::INTERNAL_SERVER_ERROR)
                .with_detail("the response could not be built")
                .into_response();
        }
        let body = Body::new(ChunkBody { stream: self.stream, done: false });
        let mut response = (self.status, body).into_response();
        if let Some(value) = content_type(&self.media_type.to_mime()) {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
        response
    }
}

pin_project! {
    /// The body of a [`Streamed`].
    struct ChunkBody<S> {
        #[pin]
        stream: S,
        done: bool,
    }
}

impl<S> http_body::Body for ChunkBody<S>
where
    S: Stream,
    S::Item: Chunk,
{
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match ready!(this.stream.poll_next(cx)) {
            None => {
                *this.done = true;
                Poll::Ready(None)
            }
            Some(item) => match item.into_bytes() {
                Ok(bytes) => Poll::Ready(Some(Ok(http_body::Frame::data(bytes)))),
                Err(e) => {
                    *this.done = true;
                    tracing::error!(error = %e, "a streamed response failed: the body ends as an error");
                    Poll::Ready(Some(Err(axum::Error::new(StreamFailed(e)))))
                }
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

/// The error a failed stream ends its body with.
#[derive(Debug)]
struct StreamFailed(String);

impl fmt::Display for StreamFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response stream failed: {}", self.0)
    }
}

impl std::error::Error for StreamFailed {}

/// JSON lines: each item of the stream serialized as JSON on a line of its own
/// (`application/x-ndjson`). An item that cannot be serialized ends the body as an error.
#[must_use]
pub struct JsonLines<S> {
    stream: S,
}

impl<S> fmt::Debug for JsonLines<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsonLines")
    }
}

impl<S> JsonLines<S> {
    /// Streams each item of `stream` as a JSON line.
    pub const fn new(stream: S) -> Self {
        Self { stream }
    }
}

/// One JSON line.
struct Line<T>(T);

impl<T: Serialize> Chunk for Line<T> {
    fn into_bytes(self) -> Result<Bytes, String> {
        let mut line = serde_json::to_vec(&self.0).map_err(|e| e.to_string())?;
        line.push(b'\n');
        Ok(Bytes::from(line))
    }
}

impl<S> IntoResponse for JsonLines<S>
where
    S: Stream + Send + 'static,
    S::Item: Serialize,
{
    fn into_response(self) -> Response {
        use futures_util::StreamExt as _;
        Streamed::new(self.stream.map(Line)).media_type("application/x-ndjson").into_response()
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };

    use super::{JsonLines, Streamed};
    use crate::openapi::fragments;

    /// A body of chunks, `text/plain` unless the route documents another media type.
    impl<S> OperationOutput for Streamed<S> {
        type Inner = Self;

        fn operation_response(_: &mut GenContext, _: &mut Operation) -> Option<Response> {
            let body = fragments::body("text/plain", fragments::inline(fragments::string()));
            Some(fragments::response("A streamed body.", [body]))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(Some(200), r)]).unwrap_or_default()
        }
    }

    /// `application/x-ndjson`: one JSON value a line.
    impl<S> OperationOutput for JsonLines<S> {
        type Inner = Self;

        fn operation_response(_: &mut GenContext, _: &mut Operation) -> Option<Response> {
            let body = fragments::body("application/x-ndjson", fragments::inline(fragments::string()));
            Some(fragments::response("JSON values, one a line.", [body]))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(Some(200), r)]).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };

    use axum::body::to_bytes;
    use futures_util::stream;

    use super::*;

    #[tokio::test]
    async fn an_error_ends_the_body_as_an_error() {
        let items: Vec<Result<&'static str, &'static str>> = vec![Ok("a"), Err("disk gone"), Ok("never")];
        let response = Streamed::new(stream::iter(items)).into_response();
        assert!(to_bytes(response.into_body(), 100).await.is_err());
    }

    #[tokio::test]
    async fn the_producer_is_dropped_with_the_body() {
        struct Guard(Arc<AtomicBool>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = Guard(Arc::clone(&dropped));
        let endless = stream::repeat_with(move || {
            let _keep = &guard;
            "tick"
        });
        let response = Streamed::new(endless).media_type("application/octet-stream").into_response();
        assert_eq!(response.headers()["content-type"], "application/octet-stream");
        drop(response);
        assert!(dropped.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn media_types_are_those_of_content_and_a_bad_one_is_a_500_problem() {
        let chunks = || stream::iter(["a,b\n"]);
        for (media_type, sent) in [
            (MediaType::Html, "text/html; charset=utf-8"),
            (MediaType::Json, "application/json"),
            (MediaType::Other("text/csv".parse().unwrap()), "text/csv; charset=utf-8"),
            (MediaType::try_from("text/csv; charset=latin1").unwrap(), "text/csv; charset=latin1"),
        ] {
            let response = Streamed::new(chunks()).media_type(media_type).into_response();
            assert_eq!(response.headers()["content-type"], sent);
        }
        let response = Streamed::new(chunks()).media_type("not a media type").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }

    #[tokio::test]
    async fn async_stream_generators_work() {
        let generator = async_stream::stream! {
            for i in 0..3 {
                yield format!("chunk {i}\n");
            }
        };
        let response = Streamed::new(generator).into_response();
        assert_eq!(to_bytes(response.into_body(), 100).await.unwrap(), "chunk 0\nchunk 1\nchunk 2\n");
    }
}
