//! One service and one response future for every layer whose work is a single step on the way
//! out: note something of the request, then finish its response.
//!
//! Most of Strata's layers have that shape: the default status (the request's method), layered
//! headers and cookies (nothing of the request), ranges (its `Range` and `If-Range`), content
//! negotiation (its `Accept`), templates (nothing). tower-http writes such layers with a
//! generic future and a few internal macros; here the layer implements [`Step`] and
//! [`Finish`], and [`StepService`] and [`StepFuture`] do the tower part once: `poll_ready`
//! passed through, `call` noting the request and building the future, the future finishing the
//! response when the inner one is ready. Each layer's service and future are aliases of these,
//! so their names (`ResponseHeaders<S>`, `response_headers::ResponseFuture<F>`, …) stay.
//!
//! A layer of one's own can use them too:
//!
//! ```
//! use http::{HeaderValue, Request, Response};
//! use strata_tower::step::{Finish, Step, StepService};
//! use tower::{Layer, ServiceExt as _, service_fn};
//!
//! /// Says which method a response answered.
//! #[derive(Clone, Debug)]
//! struct MethodHeader;
//!
//! impl Step for MethodHeader {
//!     type Noted = http::Method;
//!
//!     fn note<ReqBody>(&self, request: &Request<ReqBody>) -> http::Method {
//!         request.method().clone()
//!     }
//! }
//!
//! impl<B> Finish<B> for MethodHeader {
//!     fn finish(&self, method: &http::Method, mut response: Response<B>) -> Response<B> {
//!         let value = HeaderValue::from_str(method.as_str()).expect("a method is a header value");
//!         response.headers_mut().insert("answered", value);
//!         response
//!     }
//! }
//!
//! impl<S> Layer<S> for MethodHeader {
//!     type Service = StepService<S, Self>;
//!
//!     fn layer(&self, inner: S) -> Self::Service {
//!         StepService::new(inner, self.clone())
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let app = MethodHeader.layer(service_fn(|_: Request<()>| async {
//!     Ok::<_, std::convert::Infallible>(Response::new(()))
//! }));
//! let request = Request::post("/").body(()).unwrap();
//! let response = app.oneshot(request).await.unwrap();
//! assert_eq!(response.headers()["answered"], "POST");
//! # });
//! ```

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower::Service;

/// What a layer notes of each request for its response: the first half of a step.
pub trait Step {
    /// What is kept of the request while the inner service answers (`()` for nothing).
    type Noted;

    /// Notes what the response will need of `request`, before the inner service takes it.
    fn note<ReqBody>(&self, request: &Request<ReqBody>) -> Self::Noted;
}

/// How a layer finishes a response with body `B`: the second half of a step.
pub trait Finish<B>: Step {
    /// Finishes `response`, made for the request `noted` came from.
    fn finish(&self, noted: &Self::Noted, response: Response<B>) -> Response<B>;
}

/// The service of a layer that implements [`Step`] and [`Finish`]: the inner service `S`, with
/// the layer's step around each call.
#[derive(Clone, Debug)]
pub struct StepService<S, L> {
    inner: S,
    layer: L,
}

impl<S, L> StepService<S, L> {
    /// `inner`, with `layer`'s step around each call.
    pub const fn new(inner: S, layer: L) -> Self {
        Self { inner, layer }
    }

    /// The layer's configuration.
    pub const fn layer(&self) -> &L {
        &self.layer
    }

    /// The inner service.
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub const fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service, without the step.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, L, ReqBody, ResBody> Service<Request<ReqBody>> for StepService<S, L>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    L: Finish<ResBody> + Clone,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = StepFuture<S::Future, L>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let noted = self.layer.note(&request);
        StepFuture { inner: self.inner.call(request), layer: self.layer.clone(), noted }
    }
}

pin_project! {
    /// The response future of a [`StepService`]: the inner future, then the layer's
    /// [`Finish::finish`].
    pub struct StepFuture<F, L: Step> {
        #[pin]
        inner: F,
        layer: L,
        noted: L::Noted,
    }
}

impl<F, L> fmt::Debug for StepFuture<F, L>
where
    L: Step + fmt::Debug,
    L::Noted: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StepFuture")
            .field("layer", &self.layer)
            .field("noted", &self.noted)
            .finish_non_exhaustive()
    }
}

impl<F, L, B, E> Future for StepFuture<F, L>
where
    F: Future<Output = Result<Response<B>, E>>,
    L: Finish<B>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        Poll::Ready(Ok(this.layer.finish(this.noted, response)))
    }
}
