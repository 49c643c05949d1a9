// The body wrapper that starts a response's tasks once it has been handed over.

use std::{
    fmt,
    pin::Pin,
    task::{Context, Poll, ready},
};

use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use super::pending::PendingTasks;

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

impl<B: Body> BackgroundBody<B> {
    /// `inner`, starting `pending` once handed over; the caller has counted the wrapper.
    pub(super) fn new(inner: B, pending: PendingTasks) -> Self {
        let expected = inner.size_hint().exact();
        Self {
            inner,
            pending: Some(pending),
            completed: false,
            ended: false,
            seen: 0,
            expected,
            is_end: |b: &B| b.is_end_stream(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{
        sync::{Arc, Mutex},
        time::Duration,
    };

    use crate::background::{
        BackgroundLayer, Runner, TaskSet,
        testing::{boxed, record, serve},
    };

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
}
