//! The future of a level: the steps that run once the inner service has answered.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, ready},
};

use axum::{
    body::Body,
    response::{IntoResponse as _, Response},
};
use http::StatusCode;
use pin_project_lite::pin_project;
use strata_tower::{
    after_request::{self, AfterRequest},
    conditional::{self, Preconditions},
    etag::{self, Tagging},
    response_headers::ClaimedHeaders,
};

use super::{hook::HookFuture, service::Level};

#[cfg(feature = "object-store")]
type Resolving = crate::file::store::Resolving;
#[cfg(not(feature = "object-store"))]
type Resolving = std::pin::Pin<Box<dyn Future<Output = Response> + Send>>;
use crate::{body::NoBody, problem::InputProblem};

/// What a level keeps of the request while the inner service answers.
pub(super) struct Kept {
    #[cfg(feature = "negotiation")]
    pub(super) accepted: crate::negotiation::Accepted,
    /// The default status of the request's method, where this level resolves it.
    pub(super) status: Option<StatusCode>,
    pub(super) preconditions: Preconditions,
    #[cfg(feature = "file")]
    pub(super) ranges: strata_tower::range::RangeWanted,
    #[cfg(feature = "background")]
    pub(super) entry: Option<strata_tower::background::Entry>,
}

pin_project! {
    /// The response future of [`StrataService`](super::StrataService).
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
        level: Arc<Level>,
        kept: Kept,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Inner { #[pin] future: F },
        // A file in a store this level registers, being opened.
        Resolving { future: Resolving },
        Tagging { #[pin] buffering: etag::Buffering<Body> },
        Hook { future: HookFuture },
        Done,
    }
}

impl<F> ResponseFuture<F> {
    pub(super) fn new(future: F, level: Arc<Level>, kept: Kept) -> Self {
        Self { state: State::Inner { future }, level, kept }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").field("app", &self.level.description.app).finish_non_exhaustive()
    }
}

/// The empty body of a 304: one of unannounced size, so that axum writes no
/// `content-length: 0` (see [`conditional::settle_not_modified`]).
fn no_body() -> Body {
    Body::new(NoBody)
}

/// Renders the input problem `response` carries, if any, with `status`, in place of its 400.
fn restatus_input_problem(response: &mut Response, status: StatusCode) {
    let Some(InputProblem(problem)) = response.extensions_mut().remove::<InputProblem>() else { return };
    // Only the 400 the problem made, as it made it: not one a handler or a hook re-statused,
    // nor a body something inside already encoded.
    if problem.status() != StatusCode::BAD_REQUEST
        || response.status() != StatusCode::BAD_REQUEST
        || response.headers().contains_key(http::header::CONTENT_ENCODING)
    {
        return;
    }
    let (parts, body) = problem.with_status(status).into_response().into_parts();
    *response.status_mut() = parts.status;
    *response.body_mut() = body;
    response.headers_mut().remove(http::header::CONTENT_LENGTH);
    // A tag computed inside over the old body no longer names this one.
    response.headers_mut().remove(http::header::ETAG);
}

impl<F, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let level = &**this.level;
        loop {
            // The response, and whether this level's hook may still run on it.
            let (response, hook_pending) = match this.state.as_mut().project() {
                StateProj::Inner { future } => {
                    #[cfg_attr(
                        not(feature = "object-store"),
                        allow(unused_mut, reason = "resolved in place")
                    )]
                    let mut response = match ready!(future.poll(cx)) {
                        Ok(response) => response,
                        Err(e) => {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(e));
                        }
                    };
                    #[cfg(feature = "object-store")]
                    if !level.file_stores.is_empty()
                        && let Some(future) = level.file_stores.resolve(&mut response)
                    {
                        this.state.set(State::Resolving { future });
                        continue;
                    }
                    match settle(level, this.kept, response) {
                        Tagging::Ready(response) => (response, true),
                        Tagging::Buffering(buffering) => {
                            this.state.set(State::Tagging { buffering });
                            continue;
                        }
                    }
                }
                StateProj::Resolving { future } => {
                    let response = ready!(future.as_mut().poll(cx));
                    match settle(level, this.kept, response) {
                        Tagging::Ready(response) => (response, true),
                        Tagging::Buffering(buffering) => {
                            this.state.set(State::Tagging { buffering });
                            continue;
                        }
                    }
                }
                StateProj::Tagging { buffering } => {
                    let response = ready!(buffering.poll(cx));
                    // Let go of the body's tasks before the hook sees the response.
                    this.state.set(State::Done);
                    (response, true)
                }
                StateProj::Hook { future } => {
                    let mut response = ready!(Pin::new(future).poll(cx));
                    after_request::mark_ran(&mut response);
                    (response, false)
                }
                StateProj::Done => panic!("ResponseFuture polled after completion"),
            };
            if hook_pending
                && let Some(hook) = &level.hook
                && after_request::runs_on(&response, level.chain_hook)
            {
                this.state.set(State::Hook { future: hook.call(response) });
                continue;
            }
            this.state.set(State::Done);
            return Poll::Ready(Ok(finish(level, this.kept, response)));
        }
    }
}

/// What a level does to the inner service's response before its hook: negotiation, the input
/// problem's status, the default status, headers, cookies, and the computed ETag (which may
/// have to read the body first).
fn settle(level: &Level, kept: &Kept, mut response: Response) -> Tagging<Body> {
    #[cfg(feature = "negotiation")]
    if let Some(negotiation) = &level.negotiation {
        response = negotiation.settle(&kept.accepted, response);
    }
    if let Some(status) = level.description.input_error_status {
        restatus_input_problem(&mut response, status);
    }
    if let (Some(layer), Some(status)) = (level.default_status, kept.status) {
        layer.resolve(status, &mut response);
    }
    let description = &level.description;
    if !description.headers.is_empty() {
        description.headers.apply(&mut response);
    }
    #[cfg(feature = "cookies")]
    if !description.cookies.is_empty() {
        description.cookies.apply(&mut response);
    }
    match level.computed_etag {
        Some(computed) => computed.tag(response),
        None => Tagging::Ready(response),
    }
}

/// What a level does once its hook has run: conditional requests and ranges (app level), the
/// 304 clean-up, background tasks, and (app level) the end of documentation-only claims.
fn finish(level: &Level, kept: &mut Kept, mut response: Response) -> Response {
    if level.description.app {
        response = std::mem::take(&mut kept.preconditions).resolve(response);
        // Ranges come last among the preconditions (RFC 9110 §13.2.2).
        #[cfg(feature = "file")]
        {
            response = kept.ranges.resolve(response);
        }
    }
    // Before the background layer puts the final wrapper around the body.
    conditional::settle_not_modified(&mut response, no_body);
    #[cfg(feature = "background")]
    if let (Some(background), Some(entry)) = (&level.background, kept.entry.take()) {
        response = background.leave(entry, response);
    }
    if level.description.app {
        // Claims of documentation-only headers have done their work once every level, the
        // app's computed ETag included, has run.
        ClaimedHeaders::release(response.extensions_mut());
    }
    response
}
