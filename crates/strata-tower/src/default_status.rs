//! Default status codes by method, for responses whose handler chose none.
//!
//! Litestar answers `POST` with 201 Created, `DELETE` with 204 No Content and everything else
//! with 200 OK unless the handler says otherwise. axum cannot tell a status the handler chose
//! from the 200 every response starts with, so a response says "my status was not chosen" by
//! carrying the [`StatusUnset`] intent in its extensions (Strata's response types do so when no
//! status is given). [`DefaultStatusLayer`] resolves that intent with the request's method and
//! removes it; a status the handler chose is never changed.
//!
//! The intent travels on the response like every other intent: nothing else (no thread-local,
//! no task-local) tells this layer whether a status was chosen.
//!
//! Plain handlers (`Json(..)`, `&str`) carry no intent and are left alone, unless the layer is
//! told to treat every plain 200 as unchosen with
//! [`DefaultStatusLayer::for_plain_ok_responses`].
//!
//! The default only replaces a 200: a response whose status changed on the way (a failed
//! serialization's 500, a hook's 418) keeps it, and the intent is removed either way.
//!
//! A 204 has no body: the body is replaced by an empty one and `Content-Type` and
//! `Content-Length` are removed.
//!
//! ```
//! use http::{Method, Request, Response, StatusCode};
//! use strata_tower::default_status::{DefaultStatusLayer, StatusUnset};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let handler = service_fn(|_req: Request<()>| async {
//!     let mut response = Response::new(String::from("{\"id\":1}"));
//!     response.extensions_mut().insert(StatusUnset);
//!     Ok::<_, std::convert::Infallible>(response)
//! });
//! let service = DefaultStatusLayer::new().layer(handler);
//! let post = Request::builder().method(Method::POST).body(()).unwrap();
//! assert_eq!(service.clone().oneshot(post).await.unwrap().status(), StatusCode::CREATED);
//! let delete = Request::builder().method(Method::DELETE).body(()).unwrap();
//! let response = service.oneshot(delete).await.unwrap();
//! assert_eq!(response.status(), StatusCode::NO_CONTENT);
//! assert!(response.body().is_empty());
//! # }
//! ```

use http::{Method, Request, Response, StatusCode, header};
use tower::Layer;

use crate::step::{Finish, Step, StepFuture, StepService};

/// The intent "the handler chose no status": put it in a response's extensions and
/// [`DefaultStatusLayer`] picks the status from the method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusUnset;

/// The status Litestar gives a response to `method` when the handler chose none: 201 for
/// `POST`, 204 for `DELETE`, 200 otherwise.
#[must_use]
pub fn status_for(method: &Method) -> StatusCode {
    match *method {
        Method::POST => StatusCode::CREATED,
        Method::DELETE => StatusCode::NO_CONTENT,
        _ => StatusCode::OK,
    }
}

/// Resolves [`StatusUnset`]; see the [module docs](self).
#[derive(Clone, Copy, Debug, Default)]
#[must_use]
pub struct DefaultStatusLayer {
    plain_ok: bool,
}

impl DefaultStatusLayer {
    /// A layer that resolves responses carrying [`StatusUnset`].
    pub const fn new() -> Self {
        Self { plain_ok: false }
    }

    /// Also treats every 200 response as unchosen, so that plain axum handlers get 201 for
    /// `POST` and 204 for `DELETE`. A handler that really means 200 for a `POST` must then not
    /// sit under this layer.
    pub const fn for_plain_ok_responses(mut self) -> Self {
        self.plain_ok = true;
        self
    }
}

impl<S> Layer<S> for DefaultStatusLayer {
    type Service = DefaultStatus<S>;

    fn layer(&self, inner: S) -> Self::Service {
        DefaultStatus::new(inner, *self)
    }
}

/// The service of [`DefaultStatusLayer`].
pub type DefaultStatus<S> = StepService<S, DefaultStatusLayer>;

/// The response future of [`DefaultStatus`].
pub type ResponseFuture<F> = StepFuture<F, DefaultStatusLayer>;

impl DefaultStatusLayer {
    /// Gives `response` the default `status` of its request (from [`status_for`]) where it
    /// carries [`StatusUnset`] (or, [for plain responses](Self::for_plain_ok_responses), any
    /// 200); what the layer does, usable in a service of one's own.
    pub fn resolve<B: Default>(&self, status: StatusCode, response: &mut Response<B>) {
        let unset = response.extensions_mut().remove::<StatusUnset>().is_some();
        if (unset || self.plain_ok) && response.status() == StatusCode::OK {
            *response.status_mut() = status;
            if status == StatusCode::NO_CONTENT {
                *response.body_mut() = B::default();
                response.headers_mut().remove(header::CONTENT_TYPE);
                response.headers_mut().remove(header::CONTENT_LENGTH);
            }
        }
    }
}

impl Step for DefaultStatusLayer {
    /// The default status for the request's method.
    type Noted = StatusCode;

    #[inline]
    fn note<ReqBody>(&self, request: &Request<ReqBody>) -> StatusCode {
        status_for(request.method())
    }
}

impl<B: Default> Finish<B> for DefaultStatusLayer {
    fn finish(&self, status: &StatusCode, mut response: Response<B>) -> Response<B> {
        self.resolve(*status, &mut response);
        response
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use tower::{ServiceExt, service_fn};

    async fn status(layer: DefaultStatusLayer, method: Method, unset: bool, chosen: u16) -> Response<String> {
        let handler = service_fn(move |_req: Request<()>| async move {
            let mut response = Response::builder()
                .status(chosen)
                .header("content-type", "application/json")
                .body(String::from("{}"))
                .unwrap();
            if unset {
                response.extensions_mut().insert(StatusUnset);
            }
            Ok::<_, Infallible>(response)
        });
        let request = Request::builder().method(method).body(()).unwrap();
        layer.layer(handler).oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn unset_statuses_follow_the_method() {
        for (method, expected) in [
            (Method::GET, 200),
            (Method::HEAD, 200),
            (Method::POST, 201),
            (Method::PUT, 200),
            (Method::PATCH, 200),
            (Method::DELETE, 204),
        ] {
            let res = status(DefaultStatusLayer::new(), method.clone(), true, 200).await;
            assert_eq!(res.status(), expected, "{method}");
            assert!(res.extensions().get::<StatusUnset>().is_none(), "the intent is resolved");
        }
    }

    #[tokio::test]
    async fn delete_204_has_no_body_and_no_content_headers() {
        let res = status(DefaultStatusLayer::new(), Method::DELETE, true, 200).await;
        assert!(res.body().is_empty());
        assert!(res.headers().get("content-type").is_none());
    }

    #[tokio::test]
    async fn a_status_changed_on_the_way_is_kept_and_the_intent_removed() {
        let res = status(DefaultStatusLayer::new(), Method::POST, true, 500).await;
        assert_eq!(res.status(), 500);
        assert!(res.extensions().get::<StatusUnset>().is_none());
    }

    #[tokio::test]
    async fn chosen_statuses_and_plain_responses_are_untouched() {
        assert_eq!(status(DefaultStatusLayer::new(), Method::POST, false, 200).await.status(), 200);
        assert_eq!(status(DefaultStatusLayer::new(), Method::POST, false, 202).await.status(), 202);
        let opt_in = DefaultStatusLayer::new().for_plain_ok_responses();
        assert_eq!(status(opt_in, Method::POST, false, 200).await.status(), 201);
        assert_eq!(status(opt_in, Method::POST, false, 202).await.status(), 202);
        assert_eq!(status(opt_in, Method::DELETE, false, 404).await.status(), 404);
    }
}
