//! The `openapi` feature's costs, in one run:
//!
//! - serving the document: `GET /schema/openapi.json` (the bytes rendered once at start), its
//!   revalidation (`If-None-Match` → 304), and building the document of 40 routes at start;
//! - what documenting costs a route at request time: the same handler and level, once in an
//!   axum `Router` with `.layer(level)` and once in aide's `ApiRouter` with `.strata(level)`.
//!   Both are axum routers when served, so the ratio should be 1.
//!
//! The handlers answer at once, so each request is polled with a no-op waker: what is measured
//! is routing and the level, not a runtime.

use std::{
    convert::Infallible,
    future::Future,
    hint::black_box,
    pin::pin,
    task::{Context, Poll, Waker},
};

use aide::{
    axum::{ApiRouter, routing as api},
    openapi::OpenApi,
};
use axum::{Router, body::Body, extract::Request, routing::get};
use axum_strata::{
    Strata,
    content::Content,
    headers::CacheControl,
    openapi::{SchemaRoutes, StrataApiRouterExt, aide, schemars::JsonSchema},
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body::Body as _;
use serde::Serialize;
use tower::Service;

#[derive(Serialize, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
struct Resource {
    id: u32,
    name: &'static str,
}

async fn resource() -> Content<Resource> {
    Content::new(Resource { id: 1, name: "my resource" })
}

fn now<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmark handlers answer at once"),
    }
}

/// Sends one request and reads the whole body; returns the status and the body's length.
fn fetch(router: &mut Router, path: &str, headers: &[(&'static str, &str)]) -> (u16, usize) {
    let mut request = Request::builder().uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response: Result<_, Infallible> = now(router.call(request.body(Body::empty()).expect("request")));
    let response = response.expect("infallible");
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut cx = Context::from_waker(Waker::noop());
    let mut len = 0;
    while let Poll::Ready(Some(frame)) = std::pin::Pin::new(&mut body).poll_frame(&mut cx) {
        len += frame.expect("body").into_data().map_or(0, |d| d.len());
    }
    (status, len)
}

fn level() -> axum_strata::StrataLayer {
    Strata::app()
        .header_with_description("x-level", "app", "the app level")
        .cache_control(CacheControl::no_cache())
}

/// 40 documented routes under one level.
fn api(routes: usize) -> ApiRouter {
    (0..routes)
        .fold(ApiRouter::new(), |router, i| {
            router.api_route(&format!("/r{i}"), api::get(resource).post(resource))
        })
        .strata(level())
}

fn documented() -> (Router, OpenApi) {
    let mut doc = OpenApi::default();
    let app = api(40).finish_api(&mut doc);
    let schema = SchemaRoutes::new(&doc).router("/schema");
    (app.merge(schema), doc)
}

fn openapi(c: &mut Criterion) {
    let (mut documented, doc) = documented();
    let json_len = fetch(&mut documented, "/schema/openapi.json", &[]).1;
    let etag = {
        let request = Request::builder().uri("/schema/openapi.json").body(Body::empty()).expect("request");
        let response: Result<_, Infallible> = now(documented.call(request));
        response.expect("infallible").headers()["etag"].to_str().expect("ASCII").to_owned()
    };
    assert_eq!(fetch(&mut documented, "/schema/openapi.json", &[("if-none-match", &etag)]).0, 304);

    let mut group = c.benchmark_group("openapi-document");
    group.throughput(Throughput::Bytes(json_len as u64));
    group.bench_function("GET /schema/openapi.json", |b| {
        b.iter(|| black_box(fetch(&mut documented, "/schema/openapi.json", &[])));
    });
    group.bench_function("GET /schema/openapi.json, 304", |b| {
        b.iter(|| black_box(fetch(&mut documented, "/schema/openapi.json", &[("if-none-match", &etag)])));
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("build the document and its routes (40 routes)", |b| {
        b.iter(|| black_box(SchemaRoutes::new(&doc)));
    });
    group.finish();

    // The same route, documented and not.
    let mut plain = Router::new().route("/r0", get(resource).post(resource)).layer(level());
    assert_eq!(fetch(&mut plain, "/r0", &[]), fetch(&mut documented, "/r0", &[]));
    let mut group = c.benchmark_group("openapi-route-cost");
    group.bench_function("Router + layer", |b| b.iter(|| black_box(fetch(&mut plain, "/r0", &[]))));
    group.bench_function("ApiRouter + strata (documented)", |b| {
        b.iter(|| black_box(fetch(&mut documented, "/r0", &[])));
    });
    group.finish();
}

criterion_group!(benches, openapi);
criterion_main!(benches);
