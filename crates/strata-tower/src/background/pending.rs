// The tasks a response carries until its body has been handed over.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, atomic::Ordering};

use http_body::Body;

use super::{
    body::BackgroundBody,
    runner::{Runner, start},
    task::{BackgroundTask, TaskSet},
};

#[derive(Debug, Default)]
pub(super) struct Slot {
    pub(super) tasks: TaskSet,
    runner: Option<Runner>,
    /// Body wrappers alive: when a layer replaced the wrapped body, none is, and the outermost
    /// background layer wraps the new one.
    bodies: usize,
    /// Layers reading the wrapped body to its end on the way out (a computed ETag): that end is
    /// not the end of the response.
    holds: usize,
    /// The outermost background layer has put the final wrapper on: when that body is dropped
    /// before its end, the client went away.
    pub(super) sealed: bool,
    /// A response to HEAD: sent once its head is, whatever happens to the body.
    pub(super) head: bool,
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
    pub(super) fn lock(&self) -> MutexGuard<'_, Slot> {
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
        BackgroundBody::new(body, self.clone())
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
    pub(super) fn release(&self, ended: bool) {
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
