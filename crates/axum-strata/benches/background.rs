//! The cost of one no-op background task: the same route with and without it, under the same
//! `Strata::app()` with a runner, on a current-thread runtime (the tasks run on it too).

use std::hint::black_box;

use axum::{Router, body::Body, extract::Request, routing::get};
use axum_strata::{
    Strata,
    background::{BackgroundTask, BackgroundTasks, Runner},
};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use tower::Service;

fn app(runner: &Runner) -> Router {
    Router::new()
        .route("/plain", get(|| async { "{\"ok\":true}" }))
        .route(
            "/with-task",
            get(|tasks: BackgroundTasks| async move {
                tasks.add(BackgroundTask::new("noop", async {}));
                "{\"ok\":true}"
            }),
        )
        .layer(Strata::app().background(runner.clone()))
}

fn background(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let runner = Runner::new();
    let mut router = app(&runner);
    let mut group = c.benchmark_group("background");
    for path in ["/plain", "/with-task"] {
        group.bench_function(path.trim_start_matches('/'), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let request = Request::builder().uri(path).body(Body::empty()).expect("request");
                    let response = router.call(request).await.expect("infallible");
                    black_box(response.into_body().collect().await.expect("body").to_bytes())
                })
            });
        });
    }
    group.finish();
    let report = rt.block_on(runner.drain(std::time::Duration::from_secs(10)));
    assert!(report.is_complete(), "every benchmark task ran: {report:?}");
}

criterion_group!(benches, background);
criterion_main!(benches);
