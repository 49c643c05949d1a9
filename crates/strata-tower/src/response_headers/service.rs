// The service and its response future.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower::Service;

use super::ResponseHeadersLayer;

/// The service of [`ResponseHeadersLayer`].
#[derive(Clone, Debug)]
pub struct ResponseHeaders<S> {
    pub(super) inner: S,
    pub(super) layer: ResponseHeadersLayer,
}

impl<S> ResponseHeaders<S> {
    /// The layer's configuration.
    pub const fn layer(&self) -> &ResponseHeadersLayer {
        &self.layer
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ResponseHeaders<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        ResponseFuture { inner: self.inner.call(req), layer: self.layer.clone() }
    }
}

pin_project! {
    /// The response future of [`ResponseHeaders`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        layer: ResponseHeadersLayer,
    }
}

impl<F: fmt::Debug> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        this.layer.apply(&mut response);
        Poll::Ready(Ok(response))
    }
}
