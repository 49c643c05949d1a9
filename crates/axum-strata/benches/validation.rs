//! `Valid<Json<T>>` against axum's `Json<T>` on the same 1 KiB body of typed records (budget:
//! at most 1.10× the time), through a `Router`, in one run: the valid body, and the cost of
//! the answer to a body with every record wrong.
//!
//! The handlers answer at once, so each request is polled with a no-op waker: what is measured
//! is routing, reading the body, decoding and the rules.

use std::{
    convert::Infallible,
    future::Future,
    hint::black_box,
    pin::pin,
    task::{Context, Poll, Waker},
};

use axum::{Json, Router, body::Body, extract::Request, routing::post};
use axum_strata::valid::Valid;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Serialize;
use tower::Service;
use validator::Validate;

#[derive(Serialize, eserde::Deserialize, Validate)]
struct Record {
    #[validate(range(min = 1))]
    id: u32,
    #[validate(length(min = 1, max = 100))]
    name: String,
    active: bool,
    #[validate(range(min = 0.0))]
    score: f64,
}

#[derive(Serialize, eserde::Deserialize, Validate)]
struct Batch {
    #[validate(nested)]
    records: Vec<Record>,
}

fn now<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmark handlers answer at once"),
    }
}

fn send(router: &mut Router, path: &'static str, body: &'static [u8]) -> u16 {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    let response: Result<_, Infallible> = now(router.call(request));
    response.expect("infallible").status().as_u16()
}

fn validation(c: &mut Criterion) {
    // 18 records of about 57 bytes: about 1 KiB.
    let batch = Batch {
        records: (1..=18)
            .map(|id| Record { id, name: "some name".to_owned(), active: true, score: 1.5 })
            .collect(),
    };
    let body: &'static [u8] = serde_json::to_vec(&batch).expect("JSON").leak();
    let wrong: &'static [u8] =
        String::from_utf8_lossy(body).replace("\"some name\"", "5").into_bytes().leak();
    let mut router = Router::new()
        .route("/json", post(|Json(batch): Json<Batch>| async move { batch.records.len().to_string() }))
        .route(
            "/valid",
            post(|Valid(Json(batch)): Valid<Json<Batch>>| async move { batch.records.len().to_string() }),
        );
    assert_eq!((send(&mut router, "/json", body), send(&mut router, "/valid", body)), (200, 200));
    assert_eq!((send(&mut router, "/json", wrong), send(&mut router, "/valid", wrong)), (422, 400));

    let mut group = c.benchmark_group("validation-1KiB");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("axum Json<T>", |b| b.iter(|| black_box(send(&mut router, "/json", body))));
    group.bench_function("Valid<Json<T>>", |b| b.iter(|| black_box(send(&mut router, "/valid", body))));
    group.bench_function("axum Json<T>, 18 bad fields (first error)", |b| {
        b.iter(|| black_box(send(&mut router, "/json", wrong)));
    });
    group.bench_function("Valid<Json<T>>, 18 bad fields (every error)", |b| {
        b.iter(|| black_box(send(&mut router, "/valid", wrong)));
    });
    group.finish();
}

criterion_group!(benches, validation);
criterion_main!(benches);
