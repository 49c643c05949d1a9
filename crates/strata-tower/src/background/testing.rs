// What the tests of the background modules share: a boxed body, a task that records its
// name, and one request served through a layer.

use std::{
    convert::Infallible,
    sync::{Arc, Mutex},
};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{Full, combinators::UnsyncBoxBody};
use tower::{Layer, ServiceExt, service_fn};

use super::{BackgroundBody, BackgroundLayer, BackgroundTask, PendingTasks, TaskSet};

pub(super) type Boxed = UnsyncBoxBody<Bytes, Infallible>;

pub(super) fn boxed(b: BackgroundBody<Boxed>) -> Boxed {
    UnsyncBoxBody::new(b)
}

pub(super) fn record(log: &Arc<Mutex<Vec<String>>>, entry: &str) -> BackgroundTask {
    let (log, entry) = (Arc::clone(log), entry.to_owned());
    BackgroundTask::new(entry.clone(), async move {
        log.lock().unwrap().push(entry);
    })
}

/// Serves one request through a layer whose handler adds `set` to the request's tasks, and
/// returns the response.
pub(super) async fn serve(
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
