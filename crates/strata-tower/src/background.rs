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

use std::{
    borrow::Cow,
    fmt,
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll, ready},
    time::Duration,
};

use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::sync::Notify;
use tower::{Layer, Service};

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

enum Work {
    Async(BoxFuture),
    Blocking(Box<dyn FnOnce() -> Result<(), String> + Send>),
}

/// What a task may return: nothing, or a `Result` whose error is logged.
pub trait TaskOutput {
    /// The outcome, with the error as text.
    ///
    /// # Errors
    ///
    /// The task's own error, rendered with `Display`.
    fn into_outcome(self) -> Result<(), String>;
}

impl TaskOutput for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: fmt::Display> TaskOutput for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|e| e.to_string())
    }
}

/// One task, with the name its failures are logged under.
#[must_use]
pub struct BackgroundTask {
    name: Cow<'static, str>,
    work: Work,
}

impl fmt::Debug for BackgroundTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.work {
            Work::Async(_) => "async",
            Work::Blocking(_) => "blocking",
        };
        f.debug_struct("BackgroundTask").field("name", &self.name).field("kind", &kind).finish()
    }
}

impl BackgroundTask {
    /// A task running `future` (an `async` block or an async function's call) on the runtime.
    pub fn new<F>(name: impl Into<Cow<'static, str>>, future: F) -> Self
    where
        F: Future + Send + 'static,
        F::Output: TaskOutput,
    {
        Self { name: name.into(), work: Work::Async(Box::pin(async move { future.await.into_outcome() })) }
    }

    /// A task running a blocking function on tokio's blocking pool.
    pub fn blocking<F, R>(name: impl Into<Cow<'static, str>>, f: F) -> Self
    where
        F: FnOnce() -> R + Send + 'static,
        R: TaskOutput,
    {
        Self { name: name.into(), work: Work::Blocking(Box::new(move || f().into_outcome())) }
    }

    /// The task's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Several tasks and how to run them.
#[derive(Debug, Default)]
#[must_use]
pub struct TaskSet {
    tasks: Vec<BackgroundTask>,
    concurrent: bool,
    stop_at_first_failure: bool,
    skip_on_disconnect: bool,
}

impl TaskSet {
    /// An empty set: in order, every task runs whatever happened before.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a task after the others.
    pub fn with(mut self, task: BackgroundTask) -> Self {
        self.tasks.push(task);
        self
    }

    /// Adds a task after the others, in place.
    pub fn push(&mut self, task: BackgroundTask) {
        self.tasks.push(task);
    }

    /// Runs the tasks all at once instead of in order.
    pub fn concurrent(mut self) -> Self {
        self.concurrent = true;
        self
    }

    /// Stops at the first failure (Litestar's behaviour): the tasks after it do not run and
    /// count as failed. Only for tasks run in order.
    pub fn stop_at_first_failure(mut self) -> Self {
        self.stop_at_first_failure = true;
        self
    }

    /// Does not run the tasks when the client went away before the whole body was handed to
    /// the server (they count as failed, logged).
    pub fn skip_on_disconnect(mut self) -> Self {
        self.skip_on_disconnect = true;
        self
    }

    /// The number of tasks.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether there is no task.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Moves `other`'s tasks after these; the options of `self` stay, except that either set
    /// asking to run concurrently, stop at the first failure or skip on disconnect makes both do.
    pub fn append(&mut self, other: Self) {
        self.tasks.extend(other.tasks);
        self.concurrent |= other.concurrent;
        self.stop_at_first_failure |= other.stop_at_first_failure;
        self.skip_on_disconnect |= other.skip_on_disconnect;
    }
}

impl From<BackgroundTask> for TaskSet {
    fn from(task: BackgroundTask) -> Self {
        Self::new().with(task)
    }
}

impl FromIterator<BackgroundTask> for TaskSet {
    fn from_iter<I: IntoIterator<Item = BackgroundTask>>(iter: I) -> Self {
        Self { tasks: iter.into_iter().collect(), ..Self::default() }
    }
}

/// The counters of a [`Runner`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Tasks handed over and not started yet.
    pub pending: u64,
    /// Tasks running now.
    pub running: u64,
    /// Tasks that finished without error.
    pub done: u64,
    /// Tasks that returned an error, panicked, or were skipped.
    pub failed: u64,
}

/// What a [`Runner::drain`] achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DrainReport {
    /// Tasks still pending or running when the deadline came: abandoned to the runtime's
    /// shutdown.
    pub abandoned: u64,
    /// The counters when the drain returned.
    pub stats: Stats,
}

impl DrainReport {
    /// Whether every task finished before the deadline.
    #[must_use]
    pub const fn is_complete(&self) -> bool {
        self.abandoned == 0
    }
}

#[derive(Debug, Default)]
struct Counters {
    pending: AtomicU64,
    running: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
    idle: Notify,
}

/// Tracks every background task of an app; see the [module docs](self). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Runner {
    counters: Arc<Counters>,
}

impl Runner {
    /// A runner with every counter at zero.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The counters now.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            pending: c.pending.load(Ordering::Acquire),
            running: c.running.load(Ordering::Acquire),
            done: c.done.load(Ordering::Acquire),
            failed: c.failed.load(Ordering::Acquire),
        }
    }

    fn outstanding(&self) -> u64 {
        let c = &self.counters;
        c.pending.load(Ordering::Acquire) + c.running.load(Ordering::Acquire)
    }

    /// Waits until no task is pending or running, or until `deadline` has passed, and reports
    /// how many tasks it abandoned. Call it after `axum::serve(..).with_graceful_shutdown(..)`
    /// has returned, so that no new response hands over tasks.
    pub async fn drain(&self, deadline: Duration) -> DrainReport {
        let waited = tokio::time::timeout(deadline, async {
            loop {
                let idle = self.counters.idle.notified();
                tokio::pin!(idle);
                // Register before checking, so a task finishing in between is not missed.
                idle.as_mut().enable();
                if self.outstanding() == 0 {
                    return;
                }
                idle.await;
            }
        })
        .await;
        let stats = self.stats();
        let abandoned = if waited.is_ok() { 0 } else { stats.pending + stats.running };
        if abandoned > 0 {
            tracing::warn!(abandoned, "background tasks still pending or running at the drain deadline");
        }
        DrainReport { abandoned, stats }
    }

    fn finish(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::AcqRel);
        self.counters.running.fetch_sub(1, Ordering::AcqRel);
        if self.outstanding() == 0 {
            self.counters.idle.notify_waiters();
        }
    }

    fn fail_pending(&self, n: u64) {
        self.counters.pending.fetch_sub(n, Ordering::AcqRel);
        self.counters.failed.fetch_add(n, Ordering::AcqRel);
        if self.outstanding() == 0 {
            self.counters.idle.notify_waiters();
        }
    }
}

/// Runs one task, catching its panic so that it stays there, and records it.
async fn run_one(task: BackgroundTask, runner: Option<Runner>) -> bool {
    use futures_util::FutureExt as _;
    let runner = runner.as_ref();
    if let Some(r) = runner {
        // Running goes up before pending goes down: `outstanding` never reads a false zero.
        r.counters.running.fetch_add(1, Ordering::AcqRel);
        r.counters.pending.fetch_sub(1, Ordering::AcqRel);
    }
    let name = task.name;
    let outcome = match task.work {
        Work::Async(future) => {
            std::panic::AssertUnwindSafe(future).catch_unwind().await.map_err(|_| "panicked")
        }
        Work::Blocking(f) => tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| if e.is_panic() { "panicked" } else { "was cancelled at runtime shutdown" }),
    };
    let ok = match outcome {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::error!(task = %name, error = %e, "background task failed");
            false
        }
        Err(what) => {
            tracing::error!(task = %name, "background task {what}");
            false
        }
    };
    if let Some(r) = runner {
        r.finish(if ok { &r.counters.done } else { &r.counters.failed });
    }
    ok
}

/// Starts a set of tasks; `completed` says whether the whole body was handed to the server.
/// With a runner, the tasks are already counted as pending.
fn start(set: TaskSet, runner: Option<Runner>, completed: bool) {
    if set.is_empty() {
        return;
    }
    let n = set.len() as u64;
    if !completed && set.skip_on_disconnect {
        tracing::info!(tasks = n, "background tasks skipped: the client went away before the response ended");
        if let Some(r) = &runner {
            r.fail_pending(n);
        }
        return;
    }
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        tracing::error!(tasks = n, "background tasks lost: the response body ended outside a tokio runtime");
        if let Some(r) = &runner {
            r.fail_pending(n);
        }
        return;
    };
    if runner.is_none() {
        tracing::debug!(
            tasks = n,
            "background tasks run untracked: no runner registered (BackgroundLayer::runner)"
        );
    }
    if set.concurrent {
        for task in set.tasks {
            handle.spawn(run_one(task, runner.clone()));
        }
        return;
    }
    handle.spawn(async move {
        let mut tasks = set.tasks.into_iter();
        while let Some(task) = tasks.next() {
            if !run_one(task, runner.clone()).await && set.stop_at_first_failure {
                let skipped = tasks.len() as u64;
                if skipped > 0 {
                    tracing::warn!(
                        skipped,
                        "background tasks skipped after a failure (stop at first failure)"
                    );
                    if let Some(r) = &runner {
                        r.fail_pending(skipped);
                    }
                }
                return;
            }
        }
    });
}

#[derive(Debug, Default)]
struct Slot {
    tasks: TaskSet,
    runner: Option<Runner>,
    /// Body wrappers alive: when a layer replaced the wrapped body, none is, and the outermost
    /// background layer wraps the new one.
    bodies: usize,
    /// Layers reading the wrapped body to its end on the way out (a computed ETag): that end is
    /// not the end of the response.
    holds: usize,
    /// The outermost background layer has put the final wrapper on: when that body is dropped
    /// before its end, the client went away.
    sealed: bool,
    /// A response to HEAD: sent once its head is, whatever happens to the body.
    head: bool,
    started: bool,
}

impl Drop for Slot {
    /// The last holder is gone without the tasks having started (no background layer sealed
    /// them): start them now rather than lose them.
    fn drop(&mut self) {
        if !self.started && !self.tasks.is_empty() {
            self.started = true;
            start(std::mem::take(&mut self.tasks), self.runner.take(), self.head);
        }
    }
}

/// The tasks a response will start once its body has been handed over: the intent shared by
/// the response's extensions, its body wrapper and the layers. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct PendingTasks(Arc<Mutex<Slot>>);

/// Keeps a response's tasks from starting while a layer reads its body; see
/// [`PendingTasks::hold`].
#[derive(Debug)]
pub struct Hold(PendingTasks);

impl Drop for Hold {
    fn drop(&mut self) {
        self.0.lock().holds -= 1;
    }
}

impl PendingTasks {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        // A panic while holding this lock cannot leave the slot inconsistent: keep going.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wraps `body` so that these tasks start once its last frame has been handed over.
    ///
    /// If the body is dropped before that, the tasks start then when the outermost background
    /// layer has sealed the set (the client went away), or when the last holder of the set is
    /// gone: they are never lost.
    pub fn wrap<B: Body>(&self, body: B) -> BackgroundBody<B> {
        self.lock().bodies += 1;
        let expected = body.size_hint().exact();
        BackgroundBody {
            inner: body,
            pending: Some(self.clone()),
            completed: false,
            ended: false,
            seen: 0,
            expected,
            is_end: |b: &B| b.is_end_stream(),
        }
    }

    /// Keeps the tasks from starting while the returned guard lives, though the wrapped body
    /// is read to its end: for layers that buffer a body and put a new one in its place (the
    /// outermost background layer then wraps that one).
    #[must_use]
    pub fn hold(&self) -> Hold {
        self.lock().holds += 1;
        Hold(self.clone())
    }

    /// Whether a body wrapper of this set is alive.
    #[must_use]
    pub fn is_wrapped(&self) -> bool {
        self.lock().bodies > 0
    }

    /// Whether the tasks have been started.
    #[must_use]
    pub fn has_started(&self) -> bool {
        self.lock().started
    }

    /// Adds a task after the others.
    pub fn push(&self, task: BackgroundTask) {
        self.append(TaskSet::from(task));
    }

    /// Adds a set's tasks after the others (and its options).
    pub fn append(&self, set: TaskSet) {
        if set.is_empty() {
            return;
        }
        let mut slot = self.lock();
        if let Some(r) = &slot.runner {
            r.counters.pending.fetch_add(set.len() as u64, Ordering::AcqRel);
        }
        if slot.started {
            // The body already ended: start these now rather than lose them.
            let runner = slot.runner.clone();
            drop(slot);
            start(set, runner, true);
            return;
        }
        slot.tasks.append(set);
    }

    /// Registers the runner that tracks these tasks, unless a closer layer registered one;
    /// the tasks waiting count as pending from now on.
    pub fn set_runner(&self, runner: &Runner) {
        let mut slot = self.lock();
        if slot.runner.is_none() && !slot.started {
            runner.counters.pending.fetch_add(slot.tasks.len() as u64, Ordering::AcqRel);
            slot.runner = Some(runner.clone());
        }
    }

    /// The number of tasks waiting.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().tasks.len()
    }

    /// Whether no task is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn fire(&self, completed: bool) {
        let (set, runner) = {
            let mut slot = self.lock();
            if slot.started {
                return;
            }
            slot.started = true;
            (std::mem::take(&mut slot.tasks), slot.runner.clone())
        };
        start(set, runner, completed);
    }

    /// A wrapper is gone: `ended` says whether its body reached its end.
    fn release(&self, ended: bool) {
        let (fire, completed) = {
            let mut slot = self.lock();
            slot.bodies -= 1;
            if slot.holds > 0 {
                // A layer read the body to buffer it; the response goes on with a new one.
                (false, false)
            } else if ended || slot.head {
                (true, true)
            } else {
                // Dropped early: the client went away, if no layer will wrap a new body.
                (slot.sealed && slot.bodies == 0, false)
            }
        };
        if fire {
            self.fire(completed);
        }
    }
}

pin_project! {
    /// A body that starts its response's background tasks once its last frame has been handed
    /// over (polled to its end, or dropped after its last frame), or, when it is dropped before
    /// that, as the client went away.
    pub struct BackgroundBody<B> {
        #[pin]
        inner: B,
        pending: Option<PendingTasks>,
        // The last frame has been returned.
        completed: bool,
        // `None` has been returned: polling again returns `None` without touching the inner body.
        ended: bool,
        seen: u64,
        expected: Option<u64>,
        // `Body::is_end_stream` of the inner body, for the drop (which has no `Body` bound).
        is_end: fn(&B) -> bool,
    }

    impl<B> PinnedDrop for BackgroundBody<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(pending) = this.pending.take() {
                // hyper drops a body without polling it further once it says it has ended.
                let ended = *this.completed || (this.is_end)(this.inner.as_ref().get_ref());
                pending.release(ended);
            }
        }
    }
}

impl<B> fmt::Debug for BackgroundBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackgroundBody").field("completed", &self.completed).finish_non_exhaustive()
    }
}

impl<B: Body> Body for BackgroundBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        if *this.ended {
            return Poll::Ready(None);
        }
        let frame = ready!(this.inner.as_mut().poll_frame(cx));
        match &frame {
            None => {
                *this.completed = true;
                *this.ended = true;
                // The last frame went out on an earlier poll: the tasks may start.
                if let Some(pending) = this.pending.take() {
                    pending.release(true);
                }
            }
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    *this.seen += bytes::Buf::remaining(data) as u64;
                }
                // The last frame: the tasks start when the next poll or the drop says it has
                // been handed over.
                if frame.is_trailers() || this.inner.is_end_stream() || *this.expected == Some(*this.seen) {
                    *this.completed = true;
                }
            }
            Some(Err(_)) => {}
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// What a route-level layer adds to every response: a fresh set of tasks per request.
type Factory = Arc<dyn Fn() -> TaskSet + Send + Sync>;

/// Registers a [`Runner`], adds route-level tasks, and puts the body wrapper around responses
/// that have tasks; see the [module docs](self).
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

/// The service of [`BackgroundLayer`].
pub struct Background<S, B> {
    inner: S,
    layer: BackgroundLayer<B>,
}

impl<S: Clone, B> Clone for Background<S, B> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), layer: self.layer.clone() }
    }
}

impl<S: fmt::Debug, B> fmt::Debug for Background<S, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Background").field("inner", &self.inner).field("layer", &self.layer).finish()
    }
}

impl<S, ReqBody, B> Service<Request<ReqBody>> for Background<S, B>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
    B: Body + Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, B>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let entry = self.layer.enter(&mut req);
        ResponseFuture { inner: self.inner.call(req), layer: self.layer.clone(), entry: Some(entry) }
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
            Some(p) => (p.clone(), false),
            None => {
                let p = PendingTasks::default();
                req.extensions_mut().insert(p.clone());
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
        let carried = response.extensions().get::<PendingTasks>().cloned();
        // Nothing to do for the usual response: no task anywhere.
        if carried.is_none() && settings.tasks.is_none() && entry.pending.is_empty() {
            return response;
        }
        // Tasks the response carries already come first; then those handlers and extractors
        // added to the request's set; then this level's own.
        let target = match carried {
            Some(t) => {
                let request_tasks = std::mem::take(&mut entry.pending.lock().tasks);
                t.append(request_tasks);
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
                target.lock().head = true;
            }
            if !target.is_empty() {
                if !target.is_wrapped() {
                    let body = std::mem::take(response.body_mut());
                    *response.body_mut() = (self.wrap)(target.wrap(body));
                }
                if response.extensions().get::<PendingTasks>().is_none() {
                    response.extensions_mut().insert(target.clone());
                }
                // The wrapper alive now is the final one.
                target.lock().sealed = true;
            }
        }
        response
    }
}

pin_project! {
    /// The response future of [`Background`].
    pub struct ResponseFuture<F, B> {
        #[pin]
        inner: F,
        layer: BackgroundLayer<B>,
        entry: Option<Entry>,
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

#[cfg(test)]
mod tests {
    use std::{
        convert::Infallible,
        sync::{Arc, Mutex},
        time::Duration,
    };

    use bytes::Bytes;
    use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
    use tower::{ServiceExt, service_fn};

    use super::*;

    type Boxed = UnsyncBoxBody<Bytes, Infallible>;

    fn boxed(b: BackgroundBody<Boxed>) -> Boxed {
        UnsyncBoxBody::new(b)
    }

    fn record(log: &Arc<Mutex<Vec<String>>>, entry: &str) -> BackgroundTask {
        let (log, entry) = (Arc::clone(log), entry.to_owned());
        BackgroundTask::new(entry.clone(), async move {
            log.lock().unwrap().push(entry);
        })
    }

    /// Serves one request through a layer whose handler adds `set` to the request's tasks, and
    /// returns the response.
    async fn serve(
        layer: BackgroundLayer<Boxed>,
        set: impl FnOnce() -> TaskSet + Send + 'static,
    ) -> Response<Boxed> {
        let set = Arc::new(Mutex::new(Some(set)));
        let handler = service_fn(move |req: Request<()>| {
            let set = set.lock().unwrap().take();
            async move {
                if let (Some(set), Some(pending)) = (set, req.extensions().get::<PendingTasks>()) {
                    pending.append(set());
                }
                Ok::<_, Infallible>(Response::new(UnsyncBoxBody::new(Full::from("body"))))
            }
        });
        layer.layer(handler).oneshot(Request::new(())).await.unwrap()
    }

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
    async fn a_panic_or_error_is_counted_and_the_next_task_still_runs() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let runner = Runner::new();
        let l = Arc::clone(&log);
        let response = serve(BackgroundLayer::new(boxed).runner(runner.clone()), move || {
            TaskSet::new()
                .with(BackgroundTask::new("panics", async {
                    if true {
                        panic!("boom");
                    }
                }))
                .with(BackgroundTask::new("errs", async { Err::<(), _>("no disk") }))
                .with(record(&l, "after"))
        })
        .await;
        drop(response);
        runner.drain(Duration::from_secs(5)).await;
        assert_eq!(*log.lock().unwrap(), ["after"]);
        assert_eq!(runner.stats(), Stats { pending: 0, running: 0, done: 1, failed: 2 });
    }

    #[tokio::test]
    async fn stop_at_first_failure_counts_the_rest_as_failed() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let runner = Runner::new();
        let l = Arc::clone(&log);
        let response = serve(BackgroundLayer::new(boxed).runner(runner.clone()), move || {
            TaskSet::new()
                .with(BackgroundTask::new("errs", async { Err::<(), _>("no disk") }))
                .with(record(&l, "never"))
                .stop_at_first_failure()
        })
        .await;
        drop(response);
        runner.drain(Duration::from_secs(5)).await;
        assert!(log.lock().unwrap().is_empty());
        assert_eq!(runner.stats().failed, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_tasks_overlap_and_blocking_ones_use_the_blocking_pool() {
        let runner = Runner::new();
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let (a, b) = (Arc::clone(&barrier), Arc::clone(&barrier));
        let response = serve(BackgroundLayer::new(boxed).runner(runner.clone()), move || {
            // Each waits for the other: they can only both finish if they run at once.
            TaskSet::new()
                .with(BackgroundTask::new("a", async move {
                    a.wait().await;
                }))
                .with(BackgroundTask::new("b", async move {
                    b.wait().await;
                }))
                .with(BackgroundTask::blocking("sync", || std::thread::sleep(Duration::from_millis(1))))
                .concurrent()
        })
        .await;
        drop(response);
        let report = runner.drain(Duration::from_secs(10)).await;
        assert!(report.is_complete(), "{report:?}");
        assert_eq!(runner.stats().done, 3);
    }

    #[tokio::test]
    async fn a_dropped_body_still_runs_its_tasks_unless_told_otherwise() {
        let runner = Runner::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = Arc::clone(&log);
        drop(
            serve(BackgroundLayer::new(boxed).runner(runner.clone()), move || {
                TaskSet::from(record(&l, "ran"))
            })
            .await,
        );
        let l = Arc::clone(&log);
        let skipped = move || TaskSet::from(record(&l, "skipped")).skip_on_disconnect();
        drop(serve(BackgroundLayer::new(boxed).runner(runner.clone()), skipped).await);
        runner.drain(Duration::from_secs(5)).await;
        assert_eq!(*log.lock().unwrap(), ["ran"]);
        assert_eq!(runner.stats().failed, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn drain_waits_for_slow_tasks_and_gives_up_at_the_deadline() {
        let runner = Runner::new();
        let response = serve(BackgroundLayer::new(boxed).runner(runner.clone()), || {
            TaskSet::new()
                .with(BackgroundTask::new("slow", tokio::time::sleep(Duration::from_secs(2))))
                .with(BackgroundTask::new("slower", tokio::time::sleep(Duration::from_secs(60))))
        })
        .await;
        drop(response);
        let report = runner.drain(Duration::from_secs(10)).await;
        assert!(!report.is_complete());
        assert_eq!(report.abandoned, 1, "the second task was still running: {report:?}");
        assert_eq!(report.stats.done, 1);
        let report = runner.drain(Duration::from_secs(100)).await;
        assert!(report.is_complete());
        assert_eq!(runner.stats().done, 2);
    }

    #[tokio::test]
    async fn without_a_runner_tasks_still_run_untracked() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = Arc::clone(&log);
        let response =
            serve(BackgroundLayer::new(boxed), move || TaskSet::from(record(&l, "untracked"))).await;
        response.into_body().collect().await.unwrap();
        for _ in 0..100 {
            if !log.lock().unwrap().is_empty() {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(*log.lock().unwrap(), ["untracked"]);
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
