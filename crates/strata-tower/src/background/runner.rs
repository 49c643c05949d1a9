// The runner that tracks every task of an app: counters, starting a set, and the drain.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::sync::Notify;
use tracing::Instrument as _;

use super::task::{BackgroundTask, TaskSet, Work};

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
pub(super) struct Counters {
    pub(super) pending: AtomicU64,
    pub(super) running: AtomicU64,
    pub(super) done: AtomicU64,
    pub(super) failed: AtomicU64,
    idle: Notify,
}

/// Tracks every background task of an app; see the [module docs](super). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Runner {
    pub(super) counters: Arc<Counters>,
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
    // Inside the span that was current when the task was made, a span of the task's own.
    let span = tracing::info_span!(parent: &task.span, "background_task", task = %name);
    let outcome = match task.work {
        Work::Async(future) => std::panic::AssertUnwindSafe(future)
            .catch_unwind()
            .instrument(span.clone())
            .await
            .map_err(|_| "panicked"),
        Work::Blocking(f) => {
            let span = span.clone();
            tokio::task::spawn_blocking(move || span.in_scope(f))
                .await
                .map_err(|e| if e.is_panic() { "panicked" } else { "was cancelled at runtime shutdown" })
        }
    };
    let ok = span.in_scope(|| match outcome {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::error!(task = %name, error = %e, "background task failed");
            false
        }
        Err(what) => {
            tracing::error!(task = %name, "background task {what}");
            false
        }
    });
    if let Some(r) = runner {
        r.finish(if ok { &r.counters.done } else { &r.counters.failed });
    }
    ok
}

/// Starts a set of tasks; `completed` says whether the whole body was handed to the server.
/// With a runner, the tasks are already counted as pending.
pub(super) fn start(set: TaskSet, runner: Option<Runner>, completed: bool) {
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

#[cfg(test)]
mod tests {
    use std::{
        sync::{Arc, Mutex},
        time::Duration,
    };

    use http_body_util::BodyExt;

    use super::*;
    use crate::background::{
        BackgroundLayer,
        testing::{boxed, record, serve},
    };

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
}
