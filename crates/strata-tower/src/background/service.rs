// The service of `BackgroundLayer`.

use std::{
    fmt,
    task::{Context, Poll},
};

use http::{Request, Response};
use http_body::Body;
use tower::Service;

use super::{BackgroundLayer, future::ResponseFuture};

/// The service of [`BackgroundLayer`].
pub struct Background<S, B> {
    pub(super) inner: S,
    pub(super) layer: BackgroundLayer<B>,
}

impl<S: Clone, B> Clone for Background<S, B> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), layer: self.layer.clone() }
    }
}

impl<S: fmt::Debug, B> fmt::Debug for Background<S, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Background").field("inner", &self.inner).field("layer", &self.layer).finish()
    }
}

impl<S, ReqBody, B> Service<Request<ReqBody>> for Background<S, B>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
    B: Body + Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, B>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let entry = self.layer.enter(&mut req);
        ResponseFuture { inner: self.inner.call(req), layer: self.layer.clone(), entry: Some(entry) }
    }
}
