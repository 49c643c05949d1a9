// One background task, and a set of them with how they run.

use std::{borrow::Cow, fmt, future::Future, pin::Pin};

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

pub(super) enum Work {
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
///
/// It runs inside the `tracing` span that was current when it was made (in a handler, the
/// request's span, such as tower-http's `TraceLayer` opens), in a span of its own named
/// `background_task` with the field `task` (its name): what it logs, and its failure, say which
/// request it came from.
#[must_use]
pub struct BackgroundTask {
    pub(super) name: Cow<'static, str>,
    pub(super) work: Work,
    /// The span current when the task was made.
    pub(super) span: tracing::Span,
}

impl fmt::Debug for BackgroundTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.work {
            Work::Async(_) => "async",
            Work::Blocking(_) => "blocking",
        };
        f.debug_struct("BackgroundTask")
            .field("name", &self.name)
            .field("kind", &kind)
            .field("span", &self.span)
            .finish()
    }
}

impl BackgroundTask {
    /// A task running `future` (an `async` block or an async function's call) on the runtime,
    /// inside the span current now (see the type's docs).
    pub fn new<F>(name: impl Into<Cow<'static, str>>, future: F) -> Self
    where
        F: Future + Send + 'static,
        F::Output: TaskOutput,
    {
        Self {
            name: name.into(),
            work: Work::Async(Box::pin(async move { future.await.into_outcome() })),
            span: tracing::Span::current(),
        }
    }

    /// A task running a blocking function on tokio's blocking pool, inside the span current
    /// now (see the type's docs).
    pub fn blocking<F, R>(name: impl Into<Cow<'static, str>>, f: F) -> Self
    where
        F: FnOnce() -> R + Send + 'static,
        R: TaskOutput,
    {
        Self {
            name: name.into(),
            work: Work::Blocking(Box::new(move || f().into_outcome())),
            span: tracing::Span::current(),
        }
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
    pub(super) tasks: Vec<BackgroundTask>,
    pub(super) concurrent: bool,
    pub(super) stop_at_first_failure: bool,
    pub(super) skip_on_disconnect: bool,
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
