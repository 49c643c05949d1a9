// The response future of `Background`.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
};

use http::Response;
use http_body::Body;
use pin_project_lite::pin_project;

use super::{BackgroundLayer, Entry};

pin_project! {
    /// The response future of [`Background`].
    pub struct ResponseFuture<F, B> {
        #[pin]
        pub(super) inner: F,
        pub(super) layer: BackgroundLayer<B>,
        pub(super) entry: Option<Entry>,
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").field("entry", &self.entry).finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body + Default,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let entry = this.entry.take().expect("ResponseFuture polled after completion");
        Poll::Ready(Ok(this.layer.leave(entry, response)))
    }
}
