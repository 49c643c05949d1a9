//! The after-request hook of a level, as the builder keeps it.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use axum::response::Response;
use strata_tower::after_request::AfterRequest;

type BoxFuture = Pin<Box<dyn Future<Output = Response> + Send>>;

/// An after-request hook, so that every level has the same type: an async function (boxed
/// future) or a plain function (no allocation per response).
#[derive(Clone)]
pub(crate) enum Hook {
    /// An async function from the response to the response.
    Async(Arc<dyn Fn(Response) -> BoxFuture + Send + Sync>),
    /// A function that edits the response in place.
    Sync(Arc<dyn Fn(&mut Response) + Send + Sync>),
}

impl Hook {
    pub(crate) fn new_async<F, Fut>(hook: F) -> Self
    where
        F: Fn(Response) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Response> + Send + 'static,
    {
        Self::Async(Arc::new(move |response| Box::pin(hook(response))))
    }
}

impl fmt::Debug for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Async(_) => "Hook::Async",
            Self::Sync(_) => "Hook::Sync",
        })
    }
}

impl AfterRequest<axum::body::Body> for Hook {
    type Future = HookFuture;

    fn call(&self, mut response: Response) -> HookFuture {
        match self {
            Self::Async(hook) => HookFuture::Async(hook(response)),
            Self::Sync(hook) => {
                hook(&mut response);
                HookFuture::Ready(Some(response))
            }
        }
    }
}

/// The future of a [`Hook`].
pub(crate) enum HookFuture {
    /// An async hook's future.
    Async(BoxFuture),
    /// A sync hook's response, ready.
    Ready(Option<Response>),
}

impl fmt::Debug for HookFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HookFuture")
    }
}

impl Future for HookFuture {
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        match self.get_mut() {
            Self::Async(future) => future.as_mut().poll(cx),
            Self::Ready(response) => {
                Poll::Ready(response.take().expect("HookFuture polled after completion"))
            }
        }
    }
}
