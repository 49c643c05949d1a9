//! `Negotiated<T>` (JSON and MessagePack) against axum's `Json<T>` on the same typed records,
//! 1 KiB and 100 KiB of JSON, through a `Router` and with the body read to the end.
//!
//! The handlers answer at once, so each request is polled with a no-op waker: what is measured
//! is routing, negotiation and serialization, not a runtime.

use std::{
    convert::Infallible,
    future::Future,
    hint::black_box,
    pin::pin,
    sync::LazyLock,
    task::{Context, Poll, Waker},
};

use axum::{Json, Router, body::Body, extract::Request, routing::get};
use axum_strata::{
    Strata,
    negotiation::{Format, Negotiated},
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body::Body as _;
use serde::Serialize;
use tower::Service;

#[derive(Serialize)]
struct Record {
    id: u32,
    name: &'static str,
    active: bool,
    score: f64,
}

const RECORD: Record = Record { id: 12345, name: "some name", active: true, score: 1.5 };
/// `{"id":12345,"name":"some name","active":true,"score":1.5},` is 57 bytes.
static KIB: LazyLock<Vec<Record>> = LazyLock::new(|| (0..18).map(|_| RECORD).collect());
static KIB_100: LazyLock<Vec<Record>> = LazyLock::new(|| (0..1796).map(|_| RECORD).collect());

fn now<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmark handlers answer at once"),
    }
}

/// Sends one request and reads the whole body; returns its length.
fn fetch(router: &mut Router, path: &'static str, accept: &'static str) -> usize {
    let request = Request::builder().uri(path).header("accept", accept).body(Body::empty()).expect("request");
    let response: Result<_, Infallible> = now(router.call(request));
    let mut body = response.expect("infallible").into_body();
    let mut cx = Context::from_waker(Waker::noop());
    let mut len = 0;
    while let Poll::Ready(Some(frame)) = std::pin::Pin::new(&mut body).poll_frame(&mut cx) {
        len += frame.expect("body").into_data().map_or(0, |d| d.len());
    }
    len
}

fn router() -> Router {
    let bare = Router::new()
        .route("/bare/1k", get(|| async { Json(&*KIB) }))
        .route("/bare/100k", get(|| async { Json(&*KIB_100) }));
    let strata = Router::new()
        .route("/strata/1k", get(|| async { Negotiated(&*KIB) }))
        .route("/strata/100k", get(|| async { Negotiated(&*KIB_100) }))
        .layer(Strata::layer().negotiate([Format::json(), Format::msgpack()]));
    bare.merge(strata)
}

fn negotiation(c: &mut Criterion) {
    let mut router = router();
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    for (size, bytes) in [("1KiB", 1026u64), ("100KiB", 102_372)] {
        let mut group = c.benchmark_group(format!("negotiation-{size}"));
        group.throughput(Throughput::Bytes(bytes));
        let (bare, strata) =
            if size == "1KiB" { ("/bare/1k", "/strata/1k") } else { ("/bare/100k", "/strata/100k") };
        group.bench_function("axum-json", |b| {
            b.iter(|| black_box(fetch(&mut router, bare, "application/json")));
        });
        group.bench_function("negotiated-json", |b| {
            b.iter(|| black_box(fetch(&mut router, strata, "application/json")));
        });
        group.bench_function("negotiated-json-browser-accept", |b| {
            b.iter(|| black_box(fetch(&mut router, strata, browser)));
        });
        group.bench_function("negotiated-msgpack", |b| {
            b.iter(|| black_box(fetch(&mut router, strata, "application/x-msgpack")));
        });
        group.finish();
    }
}

criterion_group!(benches, negotiation);
criterion_main!(benches);
