//! Background tasks that run after the response is sent, and never get lost.
//!
//! A [`BackgroundTask`] is an async function or a blocking one (run on tokio's blocking pool).
//! A response carries its tasks as an intent, [`PendingTasks`], shared with a wrapper around its
//! body: the tasks start when the body's last frame has been handed to the server, or when the
//! body is dropped early because the client went away (they still run then, unless the
//! [`TaskSet`] says otherwise). They are never started before.
//!
//! A [`Runner`], registered with a [`BackgroundLayer`] at the app, tracks every task: counters
//! of pending, running, done and failed tasks, and [`Runner::drain`], which waits for the
//! running and queued ones after a graceful shutdown, up to a deadline, and reports how many it
//! had to abandon. Without a runner, tasks still run after the body, on the current tokio
//! runtime, untracked (a debug log says so).
//!
//! Tasks of a set run one after the other, in order, by default, or all at once
//! ([`TaskSet::concurrent`]). A task that fails (returns an error or panics) is logged with its
//! name; the tasks after it still run, unless the set stops at the first failure
//! ([`TaskSet::stop_at_first_failure`], Litestar's behaviour), in which case the rest count as
//! failed.
//!
//! Tasks own what they use: clone it from the request before the response is returned.
//!
//! A task runs inside the `tracing` span that was current when it was made (in a handler, the
//! request's, such as tower-http's `TraceLayer` opens), in a span of its own named
//! `background_task` whose field `task` is its name: what it logs, and its failure, still say
//! which request it came from, though the response is long gone.
//!
//! The module's parts: [`BackgroundTask`] and [`TaskSet`] (`task.rs`), [`Runner`] with its
//! counters and drain (`runner.rs`), [`PendingTasks`] (`pending.rs`), [`BackgroundBody`]
//! (`body.rs`), [`BackgroundLayer`] with its steps [`enter`](BackgroundLayer::enter) and
//! [`leave`](BackgroundLayer::leave) (`layer.rs`), the [`Background`] service (`service.rs`)
//! and its [`ResponseFuture`] (`future.rs`).
//!
//! ```
//! use std::{convert::Infallible, sync::{Arc, Mutex}, time::Duration};
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
//! use strata_tower::background::{BackgroundLayer, BackgroundTask, PendingTasks, Runner};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! type Body = UnsyncBoxBody<Bytes, Infallible>;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let greeted = Arc::new(Mutex::new(Vec::new()));
//! let log = Arc::clone(&greeted);
//! let handler = service_fn(move |req: Request<()>| {
//!     let log = Arc::clone(&log);
//!     async move {
//!         // The layer gives every request its set of pending tasks.
//!         let pending = req.extensions().get::<PendingTasks>().unwrap();
//!         pending.push(BackgroundTask::new("save", async move { log.lock().unwrap().push("alice") }));
//!         Ok::<_, Infallible>(Response::new(Body::new(Full::from("hello"))))
//!     }
//! });
//! let runner = Runner::new();
//! let app = BackgroundLayer::new(|b| Body::new(b)).runner(runner.clone()).layer(handler);
//!
//! let response = app.oneshot(Request::new(())).await.unwrap();
//! assert!(greeted.lock().unwrap().is_empty()); // nothing runs before the body is sent
//! let body = response.into_body().collect().await.unwrap().to_bytes();
//! assert_eq!(body, "hello");
//! let report = runner.drain(Duration::from_secs(5)).await;
//! assert!(report.is_complete());
//! assert_eq!(*greeted.lock().unwrap(), ["alice"]);
//! assert_eq!(runner.stats().done, 1);
//! # }
//! ```

mod body;
mod future;
mod layer;
mod pending;
mod runner;
mod service;
mod task;
#[cfg(test)]
mod testing;

pub use self::{
    body::BackgroundBody,
    future::ResponseFuture,
    layer::{BackgroundLayer, Entry},
    pending::{Hold, PendingTasks},
    runner::{DrainReport, Runner, Stats},
    service::Background,
    task::{BackgroundTask, TaskOutput, TaskSet},
};
