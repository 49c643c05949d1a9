//! Route names, in one run: building a path from a name (the table alone, and through the
//! `Urls` extractor in a handler), and what naming costs a route at request time against the
//! same route in a plain `Router`.
//!
//! The handlers answer at once, so each request is polled with a no-op waker.

use std::{
    convert::Infallible,
    future::Future,
    hint::black_box,
    pin::pin,
    task::{Context, Poll, Waker},
};

use axum::{Router, body::Body, extract::Request, routing::get};
use axum_strata::names::{NO_PARAMS, NamedRouter, Urls};
use criterion::{Criterion, criterion_group, criterion_main};
use tower::Service;

fn now<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmark handlers answer at once"),
    }
}

fn send(router: &mut Router, path: &'static str) -> u16 {
    let request = Request::get(path).header("host", "example.com").body(Body::empty()).expect("request");
    let response: Result<_, Infallible> = now(router.call(request));
    response.expect("infallible").status().as_u16()
}

fn names(c: &mut Criterion) {
    let named = NamedRouter::new()
        .route_named(
            "many",
            ["/some-path", "/some-path/{id}", "/some-path/{id}/{val}"],
            get(|| async { "many" }),
        )
        .route(
            "/build",
            get(|urls: Urls| async move {
                urls.path("many", [("id", "100"), ("val", "value")]).unwrap_or_default()
            }),
        )
        .route("/plain", get(|| async { "plain" }));
    let table = named.names().expect("distinct names");
    let mut named = Router::new().nest("/api", named.finish().expect("distinct names"));
    let mut plain = Router::new().nest("/api", Router::new().route("/plain", get(|| async { "plain" })));
    assert_eq!(table.path("many", [("id", "100"), ("val", "value")]).as_deref(), Ok("/some-path/100/value"));
    assert_eq!(
        (send(&mut named, "/api/build"), send(&mut named, "/api/plain"), send(&mut plain, "/api/plain")),
        (200, 200, 200)
    );

    let mut group = c.benchmark_group("names");
    group.bench_function("path from the table, 2 parameters of 3 templates", |b| {
        b.iter(|| black_box(table.path("many", [("id", "100"), ("val", "value")])));
    });
    group.bench_function("path from the table, no parameter", |b| {
        b.iter(|| black_box(table.path("many", NO_PARAMS)));
    });
    group.bench_function("request whose handler builds a path (Urls)", |b| {
        b.iter(|| black_box(send(&mut named, "/api/build")));
    });
    group.bench_function("named router, route that builds nothing", |b| {
        b.iter(|| black_box(send(&mut named, "/api/plain")));
    });
    group.bench_function("plain router, the same route", |b| {
        b.iter(|| black_box(send(&mut plain, "/api/plain")));
    });
    group.finish();
}

criterion_group!(benches, names);
criterion_main!(benches);
