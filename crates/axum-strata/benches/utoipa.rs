//! The `utoipa` feature's costs, in one run, against aide's for the same routes and level:
//!
//! - documenting at start: 40 routes under one level, through aide's `ApiRouter::strata` and
//!   through utoipa-axum's `OpenApiRouter::strata` (which carries each operation to aide's
//!   form and back), and `SchemaRoutes::from_utoipa` rendering the result;
//! - what documenting costs a route at request time: the same handler and level in a plain
//!   axum `Router` and in `OpenApiRouter`. Both are axum routers when served: the ratio should
//!   be 1.
//!
//! The handlers answer at once, so each request is polled with a no-op waker.

use std::{
    convert::Infallible,
    future::Future,
    hint::black_box,
    pin::pin,
    task::{Context, Poll, Waker},
};

use aide::axum::{ApiRouter, routing as api};
use axum::{Router, body::Body, extract::Request, routing::get};
use axum_strata::{
    Strata,
    content::Content,
    headers::CacheControl,
    openapi::{SchemaRoutes, StrataApiRouterExt, aide, schemars::JsonSchema},
    utoipa::{self, ToSchema},
    utoipa_axum::{router::OpenApiRouter, routes},
    utoipa_docs::StrataOpenApiRouterExt,
};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body::Body as _;
use serde::Serialize;
use tower::Service;

#[derive(Serialize, JsonSchema, ToSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
struct Resource {
    id: u32,
    name: &'static str,
}

async fn resource() -> Content<Resource> {
    Content::new(Resource { id: 1, name: "my resource" })
}

#[utoipa::path(get, path = "/r", responses(Content<Resource>))]
async fn documented_resource() -> Content<Resource> {
    resource().await
}

fn now<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmark handlers answer at once"),
    }
}

/// Sends one request and reads the whole body; returns the status and the body's length.
fn fetch(router: &mut Router, path: &str) -> (u16, usize) {
    let request = Request::builder().uri(path).body(Body::empty()).expect("request");
    let response: Result<_, Infallible> = now(router.call(request));
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

/// 40 routes, documented through aide.
fn aide_routes() -> Router {
    let mut doc = aide::openapi::OpenApi::default();
    (0..40)
        .fold(ApiRouter::new(), |router, i| router.api_route(&format!("/r{i}"), api::get(resource)))
        .strata(level())
        .finish_api(&mut doc)
}

/// 40 routes, documented through utoipa.
fn utoipa_routes() -> (Router, utoipa::openapi::OpenApi) {
    (0..40)
        .fold(OpenApiRouter::default(), |router, i| {
            let (schemas, mut paths, method_router) = routes!(documented_resource);
            if let Some(item) = paths.paths.remove("/r") {
                paths.paths.insert(format!("/r{i}"), item);
            }
            router.routes((schemas, paths, method_router))
        })
        .strata(level())
        .split_for_parts()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("utoipa-document");
    group.bench_function("aide: 40 routes under a level", |b| b.iter(|| black_box(aide_routes())));
    group.bench_function("utoipa: 40 routes under a level", |b| b.iter(|| black_box(utoipa_routes())));
    let (_, doc) = utoipa_routes();
    group.bench_function("SchemaRoutes::from_utoipa (40 routes)", |b| {
        b.iter(|| black_box(SchemaRoutes::from_utoipa(&doc, "/schema")));
    });
    group.finish();

    let mut plain = Router::new().route("/r", get(resource)).layer(level());
    let (mut documented, _) =
        OpenApiRouter::default().routes(routes!(documented_resource)).strata(level()).split_for_parts();
    assert_eq!(fetch(&mut plain, "/r"), fetch(&mut documented, "/r"));
    let mut group = c.benchmark_group("utoipa-route-cost");
    group.bench_function("Router + layer", |b| b.iter(|| black_box(fetch(&mut plain, "/r"))));
    group.bench_function("OpenApiRouter + strata (documented)", |b| {
        b.iter(|| black_box(fetch(&mut documented, "/r")));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
