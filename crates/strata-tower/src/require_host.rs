//! 400 Bad Request for requests whose `Host` is missing, repeated or invalid, as RFC 9112
//! §3.2 asks of a server (hyper serves them).
//!
//! | request | answered |
//! |---|---|
//! | HTTP/1.1 without `Host` | 400 |
//! | HTTP/1.0 or HTTP/1.1 with two or more `Host` lines | 400 |
//! | HTTP/1.0 or HTTP/1.1 whose `Host` is not `uri-host [ ":" port ]` ([`Host`]) | 400 |
//! | HTTP/1.0 without `Host`, or an empty `Host` (a target without authority) | passed on |
//! | HTTP/2 and HTTP/3 (the authority travels in the target) | passed on |
//!
//! The 400 is RFC 9457 problem details (`application/problem+json`) whose `detail` says which.
//! The layer is off unless installed: requests built in-process with `Request::builder()` have
//! no `Host`, and tests that send them through a router with `oneshot` keep working. Install it
//! outermost, around everything that reads the host.
//!
//! ```
//! use http::{Request, Response, StatusCode, Version};
//! use strata_tower::require_host::RequireHostLayer;
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app = RequireHostLayer::new().layer(service_fn(|_req: Request<()>| async {
//!     Ok::<_, std::convert::Infallible>(Response::new(bytes::Bytes::from_static(b"hello")))
//! }));
//!
//! let no_host = Request::builder().uri("/").body(()).unwrap(); // HTTP/1.1 by default
//! let response = app.clone().oneshot(no_host).await.unwrap();
//! assert_eq!(response.status(), StatusCode::BAD_REQUEST);
//! assert_eq!(response.headers()["content-type"], "application/problem+json");
//!
//! let good = Request::builder().uri("/").header("host", "example.com").body(()).unwrap();
//! assert_eq!(app.clone().oneshot(good).await.unwrap().status(), StatusCode::OK);
//! let old = Request::builder().version(Version::HTTP_10).uri("/").body(()).unwrap();
//! assert_eq!(app.oneshot(old).await.unwrap().status(), StatusCode::OK);
//! # }
//! ```

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use headers::Header as _;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, Version, header};
use pin_project_lite::pin_project;
use strata_headers::{Host, headers};
use tower::{Layer, Service};

/// Why a request's `Host` was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostProblem {
    /// An HTTP/1.1 request without `Host`.
    Missing,
    /// Two or more `Host` lines.
    Repeated,
    /// A `Host` that is not a host and an optional port.
    Invalid,
}

impl HostProblem {
    /// What is wrong with the request's `Host`, if anything, by RFC 9112 §3.2.
    #[must_use]
    pub fn of(version: Version, headers: &HeaderMap) -> Option<Self> {
        if version != Version::HTTP_10 && version != Version::HTTP_11 {
            return None;
        }
        let mut values = headers.get_all(header::HOST).iter();
        match (values.next(), values.next()) {
            (None, _) if version == Version::HTTP_11 => Some(Self::Missing),
            (None, _) => None,
            (Some(_), Some(_)) => Some(Self::Repeated),
            (Some(value), None) => Host::decode(&mut std::iter::once(value)).err().map(|_| Self::Invalid),
        }
    }

    /// The body of the 400: RFC 9457 problem details naming the fault.
    #[must_use]
    pub const fn body(self) -> &'static str {
        match self {
            Self::Missing => {
                "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\
                 \"detail\":\"an HTTP/1.1 request must have a Host header\"}"
            }
            Self::Repeated => {
                "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\
                 \"detail\":\"the request has more than one Host header\"}"
            }
            Self::Invalid => {
                "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\
                 \"detail\":\"the Host header is not a host and an optional port\"}"
            }
        }
    }

    /// The 400 problem response.
    pub fn response<B: From<Bytes>>(self) -> Response<B> {
        let body = self.body();
        let mut response = Response::new(B::from(Bytes::from_static(body.as_bytes())));
        *response.status_mut() = StatusCode::BAD_REQUEST;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        response
    }
}

/// Answers 400 for a missing, repeated or invalid `Host`; see the [module docs](self).
#[derive(Clone, Copy, Debug, Default)]
#[must_use]
pub struct RequireHostLayer;

impl RequireHostLayer {
    /// The layer.
    pub const fn new() -> Self {
        Self
    }
}

impl<S> Layer<S> for RequireHostLayer {
    type Service = RequireHost<S>;

    fn layer(&self, inner: S) -> RequireHost<S> {
        RequireHost { inner }
    }
}

/// The service of [`RequireHostLayer`].
#[derive(Clone, Copy, Debug)]
pub struct RequireHost<S> {
    inner: S,
}

impl<S> RequireHost<S> {
    /// `inner`, behind the check.
    pub const fn new(inner: S) -> Self {
        Self { inner }
    }

    /// The layer.
    pub const fn layer() -> RequireHostLayer {
        RequireHostLayer
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequireHost<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<Bytes>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        match HostProblem::of(req.version(), req.headers()) {
            Some(problem) => ResponseFuture { state: State::Refused { problem: Some(problem) } },
            None => ResponseFuture { state: State::Inner { future: self.inner.call(req) } },
        }
    }
}

pin_project! {
    /// The response future of [`RequireHost`].
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProj]
    #[derive(Debug)]
    enum State<F> {
        Inner { #[pin] future: F },
        Refused { problem: Option<HostProblem> },
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: From<Bytes>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner { future } => future.poll(cx),
            // Polled again after completion: the same answer rather than a panic.
            StateProj::Refused { problem } => {
                Poll::Ready(Ok(problem.take().unwrap_or(HostProblem::Invalid).response()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::convert::Infallible;

    use http_body_util::BodyExt as _;
    use tower::{ServiceExt as _, service_fn};

    use super::*;

    async fn send(version: Version, hosts: &[&[u8]]) -> (StatusCode, String) {
        let mut req = Request::builder().version(version).uri("/");
        for host in hosts {
            req = req.header(header::HOST, HeaderValue::from_bytes(host).unwrap());
        }
        let app = RequireHostLayer::new().layer(service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new(http_body_util::Full::new(Bytes::from_static(b"ok"))))
        }));
        let response = app.oneshot(req.body(()).unwrap()).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn http_1_1_needs_exactly_one_valid_host() {
        assert_eq!(send(Version::HTTP_11, &[b"example.com"]).await.0, StatusCode::OK);
        assert_eq!(send(Version::HTTP_11, &[b""]).await.0, StatusCode::OK);
        let (status, body) = send(Version::HTTP_11, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, HostProblem::Missing.body());
        let (status, body) = send(Version::HTTP_11, &[b"a.example", b"b.example"]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, HostProblem::Repeated.body());
        for bad in [&b"user@a.example"[..], b"a b", b"a.example:99999", b"\xff"] {
            let (status, body) = send(Version::HTTP_11, &[bad]).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(body, HostProblem::Invalid.body());
        }
    }

    #[tokio::test]
    async fn http_1_0_may_omit_host_and_http_2_carries_it_in_the_target() {
        assert_eq!(send(Version::HTTP_10, &[]).await.0, StatusCode::OK);
        assert_eq!(send(Version::HTTP_10, &[b"a b"]).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(send(Version::HTTP_10, &[b"a", b"a"]).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(send(Version::HTTP_2, &[]).await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn the_problem_bodies_are_json_with_the_status() {
        for problem in [HostProblem::Missing, HostProblem::Repeated, HostProblem::Invalid] {
            let response = problem.response::<http_body_util::Full<Bytes>>();
            assert_eq!(response.headers()["content-length"], problem.body().len().to_string());
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert!(body.starts_with(b"{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"));
        }
    }
}
