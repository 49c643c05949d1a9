//! After-request hooks: functions that see, and may replace, the response on its way out.
//!
//! Litestar runs only the after-request hook of the level closest to the handler. So does
//! [`AfterRequestLayer`]: the first hook to run marks the response ([`HookRan`]), and the hooks
//! of outer layers skip marked responses, unless they were built with
//! [`AfterRequestLayer::chain`], which runs them after the closer ones.
//!
//! A hook is an async function from the response to the response, or with
//! [`AfterRequestLayer::sync`] a plain function that edits the response in place.
//!
//! ```
//! use http::{HeaderValue, Request, Response};
//! use strata_tower::after_request::AfterRequestLayer;
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let handler = service_fn(|_req: Request<()>| async { Ok::<_, std::convert::Infallible>(Response::new(())) });
//! let router = AfterRequestLayer::sync(|response: &mut Response<()>| {
//!     response.headers_mut().insert("random-header", HeaderValue::from_static("17"));
//! });
//! let app = AfterRequestLayer::sync(|response: &mut Response<()>| {
//!     response.headers_mut().insert("random-header", HeaderValue::from_static("app"));
//! });
//! let response = app.layer(router.layer(handler)).oneshot(Request::new(())).await.unwrap();
//! assert_eq!(response.headers()["random-header"], "17"); // only the closest hook ran
//! # }
//! ```

use std::{
    fmt,
    future::{Future, Ready, ready as ready_future},
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, ready},
};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

/// Marks a response whose after-request hook has run, so that outer hooks skip it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HookRan;

/// Whether a level's hook runs on `response`: when no closer hook has run on it, or when the
/// level [chains](AfterRequestLayer::chain). The rule [`AfterRequestLayer`] follows, for a
/// service of one's own that runs hooks (a Strata level does).
#[must_use]
pub fn runs_on<B>(response: &Response<B>, chain: bool) -> bool {
    chain || response.extensions().get::<HookRan>().is_none()
}

/// Marks `response` as seen by a hook, so that outer levels' hooks skip it (see [`runs_on`]).
pub fn mark_ran<B>(response: &mut Response<B>) {
    response.extensions_mut().insert(HookRan);
}

/// An after-request hook.
pub trait AfterRequest<B> {
    /// The future of the hook's response.
    type Future: Future<Output = Response<B>>;

    /// Runs the hook on `response`.
    fn call(&self, response: Response<B>) -> Self::Future;
}

impl<B, F, Fut> AfterRequest<B> for F
where
    F: Fn(Response<B>) -> Fut,
    Fut: Future<Output = Response<B>>,
{
    type Future = Fut;

    fn call(&self, response: Response<B>) -> Fut {
        self(response)
    }
}

/// A hook that edits the response in place; see [`AfterRequestLayer::sync`].
#[derive(Clone, Copy)]
pub struct SyncHook<F>(F);

impl<F> fmt::Debug for SyncHook<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SyncHook").field(&std::any::type_name::<F>()).finish()
    }
}

impl<B, F> AfterRequest<B> for SyncHook<F>
where
    F: Fn(&mut Response<B>),
{
    type Future = Ready<Response<B>>;

    fn call(&self, mut response: Response<B>) -> Self::Future {
        (self.0)(&mut response);
        ready_future(response)
    }
}

/// Runs a hook on responses; see the [module docs](self).
#[must_use]
pub struct AfterRequestLayer<H> {
    hook: Arc<H>,
    chain: bool,
}

impl<H> Clone for AfterRequestLayer<H> {
    fn clone(&self) -> Self {
        Self { hook: Arc::clone(&self.hook), chain: self.chain }
    }
}

impl<H> fmt::Debug for AfterRequestLayer<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterRequestLayer")
            .field("hook", &std::any::type_name::<H>())
            .field("chain", &self.chain)
            .finish()
    }
}

impl<H> AfterRequestLayer<H> {
    /// A layer running `hook`, an async function from the response to the response.
    pub fn new(hook: H) -> Self {
        Self { hook: Arc::new(hook), chain: false }
    }

    /// Runs this hook even when a closer layer's hook already ran (after it).
    pub const fn chain(mut self) -> Self {
        self.chain = true;
        self
    }
}

impl<F> AfterRequestLayer<SyncHook<F>> {
    /// A layer running `hook`, a function that edits the response in place.
    pub fn sync(hook: F) -> Self {
        Self::new(SyncHook(hook))
    }
}

impl<S, H> Layer<S> for AfterRequestLayer<H> {
    type Service = AfterRequestService<S, H>;

    fn layer(&self, inner: S) -> Self::Service {
        AfterRequestService { inner, layer: self.clone() }
    }
}

/// The service of [`AfterRequestLayer`].
pub struct AfterRequestService<S, H> {
    inner: S,
    layer: AfterRequestLayer<H>,
}

impl<S: Clone, H> Clone for AfterRequestService<S, H> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), layer: self.layer.clone() }
    }
}

impl<S: fmt::Debug, H> fmt::Debug for AfterRequestService<S, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterRequestService").field("inner", &self.inner).field("layer", &self.layer).finish()
    }
}

impl<S, H, ReqBody, ResBody> Service<Request<ReqBody>> for AfterRequestService<S, H>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    H: AfterRequest<ResBody>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, H, ResBody>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        ResponseFuture {
            state: State::Inner { future: self.inner.call(req), layer: Some(self.layer.clone()) },
        }
    }
}

pin_project! {
    /// The response future of [`AfterRequestService`].
    pub struct ResponseFuture<F, H, B>
    where
        H: AfterRequest<B>,
    {
        #[pin]
        state: State<F, H, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, H, B>
    where
        H: AfterRequest<B>,
    {
        Inner { #[pin] future: F, layer: Option<AfterRequestLayer<H>> },
        Hook { #[pin] future: H::Future },
    }
}

impl<F, H: AfterRequest<B>, B> fmt::Debug for ResponseFuture<F, H, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, H, B, E> Future for ResponseFuture<F, H, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    H: AfterRequest<B>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Inner { future, layer } => {
                    let response = ready!(future.poll(cx))?;
                    let layer = layer.take().expect("the layer is taken once");
                    if !runs_on(&response, layer.chain) {
                        return Poll::Ready(Ok(response));
                    }
                    let future = layer.hook.call(response);
                    this.state.set(State::Hook { future });
                }
                StateProj::Hook { future } => {
                    let mut response = ready!(future.poll(cx));
                    mark_ran(&mut response);
                    return Poll::Ready(Ok(response));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use http::HeaderValue;
    use tower::{ServiceExt, service_fn};

    fn tag(value: &'static str) -> impl Fn(&mut Response<()>) + Clone {
        move |res: &mut Response<()>| {
            res.headers_mut().append("x-hooks", HeaderValue::from_static(value));
        }
    }

    fn hooks(res: &Response<()>) -> Vec<&str> {
        res.headers().get_all("x-hooks").iter().map(|v| v.to_str().unwrap()).collect()
    }

    fn handler()
    -> impl Service<Request<()>, Response = Response<()>, Error = Infallible, Future: Send> + Clone {
        service_fn(|_req: Request<()>| async { Ok::<_, Infallible>(Response::new(())) })
    }

    #[tokio::test]
    async fn only_the_closest_hook_runs() {
        let svc = AfterRequestLayer::sync(tag("app")).layer(
            AfterRequestLayer::sync(tag("router"))
                .layer(AfterRequestLayer::sync(tag("route")).layer(handler())),
        );
        assert_eq!(hooks(&svc.oneshot(Request::new(())).await.unwrap()), ["route"]);
    }

    #[tokio::test]
    async fn chained_hooks_run_after_closer_ones() {
        let svc = AfterRequestLayer::sync(tag("app")).chain().layer(
            AfterRequestLayer::sync(tag("router"))
                .layer(AfterRequestLayer::sync(tag("route")).layer(handler())),
        );
        assert_eq!(hooks(&svc.oneshot(Request::new(())).await.unwrap()), ["route", "app"]);
    }

    #[tokio::test]
    async fn async_hooks_may_replace_the_response() {
        let hook = |_res: Response<()>| async {
            let mut replaced = Response::new(());
            *replaced.status_mut() = http::StatusCode::IM_A_TEAPOT;
            replaced
        };
        let svc = AfterRequestLayer::new(hook).layer(handler());
        let res = svc.oneshot(Request::new(())).await.unwrap();
        assert_eq!(res.status(), 418);
        assert!(res.extensions().get::<HookRan>().is_some());
    }
}
