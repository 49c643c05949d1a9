// What the tests of the range modules share: a body type that a reader's parts and plain
// bytes both become, a response with a `Seekable`, and one request through the layer.

use std::{convert::Infallible, io, pin::Pin, task};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, header};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
use tower::{Layer, ServiceExt, service_fn};

use super::{RangeLayer, ResponseBody, Seekable};

/// When the test representations last changed.
pub(super) const MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// A boxed body that can be made from bytes, as axum's is.
pub(super) struct TestBody(UnsyncBoxBody<Bytes, io::Error>);

impl From<Bytes> for TestBody {
    fn from(bytes: Bytes) -> Self {
        Self(Full::new(bytes).map_err(|e: Infallible| match e {}).boxed_unsync())
    }
}

impl Body for TestBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut task::Context<'_>,
    ) -> task::Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Pin::new(&mut self.0).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0.size_hint()
    }
}

pub(super) fn wrap(body: ResponseBody) -> TestBody {
    TestBody(body.boxed_unsync())
}

/// A 200 for `seekable`, with the headers a file response has.
pub(super) fn respond(seekable: Seekable<TestBody>) -> Response<TestBody> {
    let mut response = Response::new(seekable.body());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(seekable.len()));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    headers.insert(header::ETAG, HeaderValue::from_static("\"v1\""));
    headers.insert(header::LAST_MODIFIED, HeaderValue::from_static(MODIFIED));
    response.extensions_mut().insert(seekable);
    response
}

/// Sends `request` through the layer to a handler answering with `make()`, and returns the
/// response (without its body) and its body's bytes.
pub(super) async fn call<F>(make: F, request: http::request::Builder) -> (Response<()>, Vec<u8>)
where
    F: Fn() -> Response<TestBody> + Clone + Send + 'static,
{
    let handler = service_fn(move |_req: Request<()>| {
        let make = make.clone();
        async move { Ok::<_, Infallible>(make()) }
    });
    let response = RangeLayer::new().layer(handler).oneshot(request.body(()).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (Response::from_parts(parts, ()), bytes)
}

/// A request with these headers.
pub(super) fn get(headers: &[(&'static str, &'static str)]) -> http::request::Builder {
    headers.iter().fold(Request::builder(), |request, (name, value)| request.header(*name, *value))
}
