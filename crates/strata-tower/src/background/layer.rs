// The layer, with the two steps of its service: entering a request and leaving with its
// response.

use std::{fmt, sync::Arc};

use http::{Request, Response};
use http_body::Body;
use tower::Layer;

use super::{BackgroundBody, pending::PendingTasks, runner::Runner, service::Background, task::TaskSet};

/// What a route-level layer adds to every response: a fresh set of tasks per request.
type Factory = Arc<dyn Fn() -> TaskSet + Send + Sync>;

/// Registers a [`Runner`], adds route-level tasks, and puts the body wrapper around responses
/// that have tasks; see the [module docs](super).
///
/// `wrap` turns a [`BackgroundBody`] back into the service's body type: `axum::body::Body::new`
/// for axum, `UnsyncBoxBody::new` for boxed bodies. It is only called for responses that have
/// tasks, so the others keep their body as it is.
///
/// Each request gets a [`PendingTasks`] in its extensions (one per request, shared by nested
/// layers), where handlers and extractors add tasks.
#[must_use]
pub struct BackgroundLayer<B> {
    settings: Arc<Settings>,
    wrap: fn(BackgroundBody<B>) -> B,
}

#[derive(Default)]
struct Settings {
    runner: Option<Runner>,
    tasks: Option<Factory>,
}

impl<B> Clone for BackgroundLayer<B> {
    fn clone(&self) -> Self {
        Self { settings: Arc::clone(&self.settings), wrap: self.wrap }
    }
}

impl<B> fmt::Debug for BackgroundLayer<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackgroundLayer")
            .field("runner", &self.settings.runner.is_some())
            .field("tasks", &self.settings.tasks.is_some())
            .finish_non_exhaustive()
    }
}

impl<B> BackgroundLayer<B> {
    /// A layer that wraps bodies with `wrap`; add a runner or route-level tasks to it.
    pub fn new(wrap: fn(BackgroundBody<B>) -> B) -> Self {
        Self { settings: Arc::default(), wrap }
    }

    fn settings(&mut self) -> &mut Settings {
        if Arc::get_mut(&mut self.settings).is_none() {
            let Settings { runner, tasks } = &*self.settings;
            self.settings = Arc::new(Settings { runner: runner.clone(), tasks: tasks.clone() });
        }
        Arc::get_mut(&mut self.settings).expect("the settings were just made unique")
    }

    /// Tracks the tasks of every response under this layer with `runner`.
    pub fn runner(mut self, runner: Runner) -> Self {
        self.settings().runner = Some(runner);
        self
    }

    /// Adds the tasks `tasks` makes to every response (Litestar's route-level `background`):
    /// they run after the response's own tasks.
    pub fn tasks<F>(mut self, tasks: F) -> Self
    where
        F: Fn() -> TaskSet + Send + Sync + 'static,
    {
        self.settings().tasks = Some(Arc::new(tasks));
        self
    }
}

impl<S, B> Layer<S> for BackgroundLayer<B> {
    type Service = Background<S, B>;

    fn layer(&self, inner: S) -> Self::Service {
        Background { inner, layer: self.clone() }
    }
}

/// A request's place in the background tasks, from [`BackgroundLayer::enter`] to
/// [`BackgroundLayer::leave`].
#[derive(Debug)]
pub struct Entry {
    pending: PendingTasks,
    owner: bool,
    head: bool,
}

impl<B> BackgroundLayer<B> {
    /// Gives `req` its [`PendingTasks`] (the outermost layer makes them; nested ones share
    /// them), for handlers and extractors to add to; what the service does before calling its
    /// inner service. Hand the entry back to [`leave`](Self::leave) with the response: the
    /// outermost layer's entry is what starts the tasks.
    #[must_use = "the tasks start only once the entry is handed back to `leave`"]
    pub fn enter<ReqBody>(&self, req: &mut Request<ReqBody>) -> Entry {
        let (pending, owner) = match req.extensions().get::<PendingTasks>() {
            Some(p) => (p.share(), false),
            None => {
                let p = PendingTasks::default();
                req.extensions_mut().insert(p.share());
                (p, true)
            }
        };
        Entry { pending, owner, head: req.method() == http::Method::HEAD }
    }

    /// Gathers the tasks of `response` (its own, the request's, this layer's) and, on the
    /// outermost layer, wraps its body so that they start once it has been handed over; what
    /// the service does with its inner service's response.
    pub fn leave(&self, entry: Entry, mut response: Response<B>) -> Response<B>
    where
        B: Body + Default,
    {
        let settings = &*self.settings;
        let carried = response.extensions().get::<PendingTasks>().map(PendingTasks::share);
        // Nothing to do for the usual response: no task anywhere.
        if carried.is_none() && settings.tasks.is_none() && entry.pending.is_empty() {
            return response;
        }
        // Tasks the response carries already come first; then those handlers and extractors
        // added to the request's set; then this level's own.
        let target = match carried {
            Some(t) => {
                t.append(entry.pending.take_tasks());
                t
            }
            None => entry.pending,
        };
        if let Some(runner) = &settings.runner {
            target.set_runner(runner);
        }
        if let Some(tasks) = &settings.tasks {
            target.append(tasks());
        }
        if entry.owner {
            if entry.head {
                target.set_head();
            }
            if !target.is_empty() {
                if !target.is_wrapped() {
                    let body = std::mem::take(response.body_mut());
                    *response.body_mut() = (self.wrap)(target.wrap(body));
                }
                if response.extensions().get::<PendingTasks>().is_none() {
                    response.extensions_mut().insert(target.share());
                }
                // The wrapper alive now is the final one.
                target.seal();
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use std::{
        convert::Infallible,
        sync::{Arc, Mutex},
        time::Duration,
    };

    use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
    use tower::{ServiceExt, service_fn};

    use super::*;
    use crate::background::{
        Stats,
        testing::{boxed, record, serve},
    };

    #[tokio::test]
    async fn tasks_run_in_order_after_the_body_and_route_tasks_come_last() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let runner = Runner::new();
        let route_log = Arc::clone(&log);
        let layer = BackgroundLayer::new(boxed)
            .runner(runner.clone())
            .tasks(move || TaskSet::from(record(&route_log, "route")));
        let l = Arc::clone(&log);
        let response =
            serve(layer, move || TaskSet::new().with(record(&l, "first")).with(record(&l, "second"))).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(log.lock().unwrap().is_empty(), "nothing runs while the body is unread");
        assert_eq!(runner.stats(), Stats { pending: 3, running: 0, done: 0, failed: 0 }, "known, waiting");
        response.into_body().collect().await.unwrap();
        assert!(runner.drain(Duration::from_secs(5)).await.is_complete());
        assert_eq!(*log.lock().unwrap(), ["first", "second", "route"]);
        assert_eq!(runner.stats(), Stats { pending: 0, running: 0, done: 3, failed: 0 });
    }

    #[tokio::test]
    async fn a_body_replaced_by_an_inner_layer_is_wrapped_again() {
        let runner = Runner::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = Arc::clone(&log);
        let handler = service_fn(move |_req: Request<()>| {
            let l = Arc::clone(&l);
            async move {
                // A response type wraps its own body…
                let pending = PendingTasks::default();
                pending.push(record(&l, "kept"));
                let mut response = Response::new(boxed(pending.wrap(UnsyncBoxBody::new(Full::from("gone")))));
                response.extensions_mut().insert(pending);
                // …and a layer replaces it (as a 204 or a 304 does).
                *response.body_mut() = UnsyncBoxBody::new(Full::from(""));
                Ok::<_, Infallible>(response)
            }
        });
        let response = BackgroundLayer::new(boxed)
            .runner(runner.clone())
            .layer(handler)
            .oneshot(Request::new(()))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(log.lock().unwrap().is_empty(), "the tasks wait for the new body");
        response.into_body().collect().await.unwrap();
        runner.drain(Duration::from_secs(5)).await;
        assert_eq!(*log.lock().unwrap(), ["kept"]);
    }

    #[tokio::test]
    async fn responses_without_tasks_keep_their_body() {
        let response = serve(BackgroundLayer::new(boxed), TaskSet::new).await;
        assert!(response.extensions().get::<PendingTasks>().is_none());
    }
}
