//! Background tasks that run after the response is sent (Litestar's `background`, FastAPI's
//! `BackgroundTasks`), and never get lost.
//!
//! Three ways to attach them:
//!
//! - on a [`Content`](crate::content::Content) with `.background(task)`;
//! - through the [`BackgroundTasks`] extractor, for handlers returning plain axum types;
//! - for every response of a route or router with
//!   [`StrataLayer::background_tasks`](crate::StrataLayer::background_tasks) (Litestar's
//!   decorator-level `background`); those run after the response's own.
//!
//! Tasks start once the body's last frame has been handed to the server; if the client goes
//! away first they still run (unless the [`TaskSet`] says otherwise). In order by default,
//! concurrently on request; a failing or panicking task is logged by name and the next still
//! runs. With a [`Runner`] registered by `Strata::app().background(runner)`, every task is
//! counted, and a graceful shutdown can wait for them:
//!
#![cfg_attr(feature = "layers", doc = "```")]
#![cfg_attr(not(feature = "layers"), doc = "```ignore")]
//! use std::sync::{Arc, Mutex};
//! use axum::{Router, body::{Body, to_bytes}, http::Request, routing::get};
//! use axum_strata::{Strata, background::{BackgroundTask, BackgroundTasks, Runner}};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let log = Arc::new(Mutex::new(Vec::new()));
//! let seen = Arc::clone(&log);
//! let greet = move |tasks: BackgroundTasks| {
//!     let log = Arc::clone(&seen);
//!     async move {
//!         tasks.add(BackgroundTask::new("log", async move { log.lock().unwrap().push("greeted") }));
//!         "hello"
//!     }
//! };
//! let runner = Runner::new();
//! let app: Router = Router::new().route("/", get(greet)).layer(Strata::app().background(runner.clone()));
//!
//! let response = app.oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
//! assert!(log.lock().unwrap().is_empty(), "nothing runs before the body is sent");
//! assert_eq!(to_bytes(response.into_body(), 64).await.unwrap(), "hello");
//! runner.drain(std::time::Duration::from_secs(5)).await;
//! assert_eq!(*log.lock().unwrap(), ["greeted"]);
//! assert_eq!(runner.stats().done, 1);
//! # }
//! ```
//!
//! A server that waits for its tasks at shutdown:
//!
#![cfg_attr(feature = "layers", doc = "```no_run")]
#![cfg_attr(not(feature = "layers"), doc = "```ignore")]
//! use std::time::Duration;
//! use axum::{Router, routing::get};
//! use axum_strata::{Strata, background::{BackgroundTask, BackgroundTasks, Runner}};
//!
//! async fn greet(tasks: BackgroundTasks) -> &'static str {
//!     // Tasks borrow nothing from the request: clone or move what they need.
//!     let who = String::from("alice");
//!     tasks.add(BackgroundTask::new("log", async move { tracing::info!("{who} was greeted") }));
//!     "hello"
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let runner = Runner::new();
//!     let app = Router::new().route("/", get(greet)).layer(Strata::app().background(runner.clone()));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//!     axum::serve(listener, app)
//!         .with_graceful_shutdown(async { tokio::signal::ctrl_c().await.unwrap_or(()) })
//!         .await?;
//!     // No new response can hand over tasks now: wait for the running and queued ones.
//!     let report = runner.drain(Duration::from_secs(30)).await;
//!     if !report.is_complete() {
//!         eprintln!("{} background tasks abandoned at shutdown", report.abandoned);
//!     }
//!     Ok(())
//! }
//! ```

use axum::{
    extract::FromRequestParts,
    response::{IntoResponse, Response},
};
use http::{StatusCode, request::Parts};
pub use strata_tower::background::{BackgroundTask, DrainReport, PendingTasks, Runner, Stats, TaskSet};

/// Adds tasks to the request's response, for handlers returning plain axum types. Needs a
/// `Strata::app()` (or a level with background settings) around the route: without one there
/// is no way to know when the body ends, so extracting it is a 500 whose log line names the
/// missing layer.
#[derive(Clone, Debug)]
pub struct BackgroundTasks(PendingTasks);

impl BackgroundTasks {
    /// Adds a task, after those added before.
    pub fn add(&self, task: BackgroundTask) {
        self.0.push(task);
    }

    /// Adds a set of tasks (and its options: concurrent, stop at the first failure…).
    pub fn add_set(&self, set: TaskSet) {
        self.0.append(set);
    }
}

crate::macros::rejection! {
    /// Why [`BackgroundTasks`] could not be extracted.
    #[derive(Clone, Copy, Debug)]
    pub enum BackgroundTasksRejection {
        /// No background layer around the route: a 500 whose log line names the missing layer
        /// (the problem sent says only that the server is misconfigured).
        #[status = StatusCode::INTERNAL_SERVER_ERROR]
        #[body = "BackgroundTasks needs Strata::app() (or strata_tower::background::BackgroundLayer) around the route"]
        MissingLayer,
    }
    respond = misconfigured;
}

/// The response of a [`BackgroundTasksRejection`]: the body text goes to the log, not to the
/// client.
fn misconfigured(rejection: BackgroundTasksRejection) -> Response {
    tracing::error!("{}", rejection.body_text());
    rejection.problem().with_detail("the server is misconfigured").into_response()
}

impl<S: Send + Sync> FromRequestParts<S> for BackgroundTasks {
    type Rejection = BackgroundTasksRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, BackgroundTasksRejection> {
        parts
            .extensions
            .get::<PendingTasks>()
            .cloned()
            .map(Self)
            .ok_or(BackgroundTasksRejection::MissingLayer)
    }
}

#[cfg(feature = "openapi")]
/// Nothing on the wire: the tasks run after the response.
impl aide::OperationInput for BackgroundTasks {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_a_layer_extraction_is_a_500_problem_that_keeps_the_layer_for_the_log() {
        let (mut parts, ()) = http::Request::new(()).into_parts();
        let rejection = BackgroundTasks::from_request_parts(&mut parts, &()).await.unwrap_err();
        assert_eq!(rejection.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(rejection.body_text().contains("Strata::app()"));
        let response = rejection.into_response();
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(
            body,
            r#"{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"the server is misconfigured"}"#
        );
    }
}
