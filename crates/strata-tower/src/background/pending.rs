// The tasks a response carries until its body has been handed over.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak, atomic::Ordering};

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
/// the response's extensions, its body wrapper and the layers.
///
/// Cloning gives a handle that adds tasks while the response is on its way, but does not keep
/// them waiting: the tasks start once the response's own holders (its extensions, its body
/// wrapper, the background layers) are done with them, even when a task holds a clone of the
/// handle that made it, so no task can keep itself from ever starting.
#[derive(Debug, Default)]
pub struct PendingTasks(Handle);

#[derive(Debug)]
enum Handle {
    /// Keeps the tasks waiting until it is dropped: the response's own holders.
    Holder(Arc<Mutex<Slot>>),
    /// Adds to the tasks while a holder lives: what [`Clone`] gives.
    Weak(Weak<Mutex<Slot>>),
}

impl Default for Handle {
    fn default() -> Self {
        Self::Holder(Arc::default())
    }
}

impl Clone for PendingTasks {
    fn clone(&self) -> Self {
        Self(Handle::Weak(match &self.0 {
            Handle::Holder(slot) => Arc::downgrade(slot),
            Handle::Weak(slot) => Weak::clone(slot),
        }))
    }
}

/// Keeps a response's tasks from starting while a layer reads its body; see
/// [`PendingTasks::hold`].
#[derive(Debug)]
pub struct Hold(PendingTasks);

impl Drop for Hold {
    fn drop(&mut self) {
        self.0.with(|slot| slot.holds -= 1);
    }
}

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    // A panic while holding this lock cannot leave the slot inconsistent: keep going.
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PendingTasks {
    /// Runs `f` on the slot, if it still exists (a handle made by `clone` may outlive it).
    fn with<R>(&self, f: impl FnOnce(&mut Slot) -> R) -> Option<R> {
        match &self.0 {
            Handle::Holder(slot) => Some(f(&mut lock(slot))),
            Handle::Weak(slot) => slot.upgrade().map(|slot| f(&mut lock(&slot))),
        }
    }

    /// A handle that keeps the tasks waiting: for the response's own holders (its extensions,
    /// its body wrapper, the layers' entries), never for anything a task can reach. A handle
    /// whose tasks are gone gives a new, empty set.
    pub(super) fn share(&self) -> Self {
        match &self.0 {
            Handle::Holder(slot) => Self(Handle::Holder(Arc::clone(slot))),
            Handle::Weak(slot) => {
                slot.upgrade().map_or_else(Self::default, |slot| Self(Handle::Holder(slot)))
            }
        }
    }

    /// Wraps `body` so that these tasks start once its last frame has been handed over.
    ///
    /// If the body is dropped before that, the tasks start then when the outermost background
    /// layer has sealed the set (the client went away), or when the last holder of the set is
    /// gone: they are never lost.
    pub fn wrap<B: Body>(&self, body: B) -> BackgroundBody<B> {
        let holder = self.share();
        holder.with(|slot| slot.bodies += 1);
        BackgroundBody::new(body, holder)
    }

    /// Keeps the tasks from starting while the returned guard lives, though the wrapped body
    /// is read to its end: for layers that buffer a body and put a new one in its place (the
    /// outermost background layer then wraps that one).
    #[must_use]
    pub fn hold(&self) -> Hold {
        let holder = self.share();
        holder.with(|slot| slot.holds += 1);
        Hold(holder)
    }

    /// Whether a body wrapper of this set is alive.
    #[must_use]
    pub fn is_wrapped(&self) -> bool {
        self.with(|slot| slot.bodies > 0).unwrap_or(false)
    }

    /// Whether the tasks have been started (or are gone with their last holder, which starts
    /// them).
    #[must_use]
    pub fn has_started(&self) -> bool {
        self.with(|slot| slot.started).unwrap_or(true)
    }

    /// Adds a task after the others.
    pub fn push(&self, task: BackgroundTask) {
        self.append(TaskSet::from(task));
    }

    /// Adds a set's tasks after the others (and its options). When they can no longer wait
    /// (the body already ended, or every holder is gone), they start now rather than get lost.
    pub fn append(&self, set: TaskSet) {
        if set.is_empty() {
            return;
        }
        let mut late = Some(set);
        let runner = self.with(|slot| {
            let set = late.take()?;
            if let Some(r) = &slot.runner {
                r.counters.pending.fetch_add(set.len() as u64, Ordering::AcqRel);
            }
            if slot.started {
                late = Some(set);
                return slot.runner.clone();
            }
            slot.tasks.append(set);
            None
        });
        // Still in hand: the body already ended, or the set is gone.
        if let Some(set) = late {
            start(set, runner.flatten(), true);
        }
    }

    /// Registers the runner that tracks these tasks, unless a closer layer registered one;
    /// the tasks waiting count as pending from now on.
    pub fn set_runner(&self, runner: &Runner) {
        self.with(|slot| {
            if slot.runner.is_none() && !slot.started {
                runner.counters.pending.fetch_add(slot.tasks.len() as u64, Ordering::AcqRel);
                slot.runner = Some(runner.clone());
            }
        });
    }

    /// The number of tasks waiting.
    #[must_use]
    pub fn len(&self) -> usize {
        self.with(|slot| slot.tasks.len()).unwrap_or(0)
    }

    /// Whether no task is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the tasks waiting, to move them to another set.
    pub(super) fn take_tasks(&self) -> TaskSet {
        self.with(|slot| std::mem::take(&mut slot.tasks)).unwrap_or_default()
    }

    /// Marks the set as a response to HEAD: sent once its head is.
    pub(super) fn set_head(&self) {
        self.with(|slot| slot.head = true);
    }

    /// The wrapper alive now is the final one: when it is dropped before its end, the client
    /// went away.
    pub(super) fn seal(&self) {
        self.with(|slot| slot.sealed = true);
    }

    fn fire(&self, completed: bool) {
        let taken = self.with(|slot| {
            if slot.started {
                return None;
            }
            slot.started = true;
            Some((std::mem::take(&mut slot.tasks), slot.runner.clone()))
        });
        if let Some(Some((set, runner))) = taken {
            start(set, runner, completed);
        }
    }

    /// A wrapper is gone: `ended` says whether its body reached its end.
    pub(super) fn release(&self, ended: bool) {
        let fire = self.with(|slot| {
            slot.bodies -= 1;
            if slot.holds > 0 {
                // A layer read the body to buffer it; the response goes on with a new one.
                None
            } else if ended || slot.head {
                Some(true)
            } else if slot.sealed && slot.bodies == 0 {
                // Dropped early: the client went away, and no layer will wrap a new body.
                Some(false)
            } else {
                None
            }
        });
        if let Some(Some(completed)) = fire {
            self.fire(completed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::background::{Runner, testing::record};

    /// A task that holds a clone of its own set's handle, with no layer and no body wrapper:
    /// with strong clones the set would keep itself alive and never start.
    #[tokio::test]
    async fn a_task_holding_its_own_handle_still_starts() {
        let runner = Runner::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        let pending = PendingTasks::default();
        pending.set_runner(&runner);
        let handle = pending.clone();
        let l = Arc::clone(&log);
        pending.push(BackgroundTask::new("self-aware", async move {
            // Adding from inside a running task starts the new one too.
            handle.push(record(&l, "added later"));
        }));
        pending.push(record(&log, "ran"));
        drop(pending);
        runner.drain(std::time::Duration::from_secs(5)).await;
        let mut seen = log.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, ["added later", "ran"]);
    }

    #[test]
    fn a_clone_outliving_its_set_starts_what_it_is_given() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let runner = Runner::new();
            let log = Arc::new(Mutex::new(Vec::new()));
            let handle = PendingTasks::default().clone();
            assert!(handle.has_started(), "its holder is gone");
            handle.push(record(&log, "late"));
            // No runner tracks a task whose set is gone: wait for it by its effect.
            for _ in 0..100 {
                if !log.lock().unwrap().is_empty() {
                    break;
                }
                tokio::task::yield_now().await;
            }
            assert_eq!(*log.lock().unwrap(), ["late"]);
            drop(runner);
        });
    }
}
