//! The cost each layer adds to one response, next to the same service without it, and the
//! hashing speed of computed ETags.
//!
//! The services answer at once, so every call is polled once with a no-op waker: what is
//! measured is the layer's own work, not a runtime's.

use std::{
    convert::Infallible,
    future::Future,
    hint::black_box,
    pin::pin,
    task::{Context, Poll, Waker},
    time::Duration,
};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderName, HeaderValue, Method, Request, Response};
use http_body_util::Full;
use strata_headers::{CacheControl, ETag};
use strata_tower::{
    after_request::AfterRequestLayer, conditional::ConditionalLayer, default_status::DefaultStatusLayer,
    etag::ComputedETagLayer, require_host::RequireHostLayer, response_headers::ResponseHeadersLayer,
};
use tower::{Layer, Service, service_fn};

type Body = Full<Bytes>;

fn now<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmark services answer at once"),
    }
}

fn handler(
    body: &'static [u8],
) -> impl Service<Request<()>, Response = Response<Body>, Error = Infallible, Future: Send> + Clone {
    service_fn(move |_req: Request<()>| async move {
        Ok::<_, Infallible>(
            Response::builder()
                .header("content-type", "text/plain; charset=utf-8")
                .header("etag", "\"v1\"")
                .body(Body::from(Bytes::from_static(body)))
                .expect("valid response"),
        )
    })
}

fn bench_service<S>(c: &mut Criterion, name: &str, mut service: S, request: impl Fn() -> Request<()>)
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible>,
{
    c.bench_function(name, |b| {
        b.iter(|| {
            let response = now(service.call(black_box(request()))).expect("infallible");
            black_box(response.status())
        });
    });
}

fn layers(c: &mut Criterion) {
    let plain = || Request::new(());
    bench_service(c, "layer/bare", handler(b"hello"), plain);

    let ten = (0..10).fold(ResponseHeadersLayer::new(), |layer, i| {
        layer.header(
            HeaderName::try_from(format!("header_{i}")).expect("valid name"),
            HeaderValue::from_static("value"),
        )
    });
    bench_service(c, "layer/response-headers-10", ten.layer(handler(b"hello")), plain);

    let cache = ResponseHeadersLayer::new()
        .cache_control(CacheControl::max_age(Duration::from_secs(86_400)).public())
        .etag(ETag::strong("bar").expect("valid tag"));
    bench_service(c, "layer/cache-control-and-etag", cache.layer(handler(b"hello")), plain);

    bench_service(
        c,
        "layer/conditional-no-precondition",
        ConditionalLayer::new().layer(handler(b"hello")),
        plain,
    );
    let revalidate = || Request::builder().header("if-none-match", "\"v1\"").body(()).expect("valid request");
    bench_service(c, "layer/conditional-304", ConditionalLayer::new().layer(handler(b"hello")), revalidate);

    let post = || Request::builder().method(Method::POST).body(()).expect("valid request");
    let status = DefaultStatusLayer::new().for_plain_ok_responses();
    bench_service(c, "layer/default-status", status.layer(handler(b"hello")), post);

    let hook = AfterRequestLayer::sync(|response: &mut Response<Body>| {
        response.headers_mut().insert("x-hook", HeaderValue::from_static("1"));
    });
    bench_service(c, "layer/after-request-sync", hook.layer(handler(b"hello")), plain);

    // The Host check on a request that passes it (one Host line, HTTP/1.1) and on one it refuses.
    let with_host =
        || Request::builder().header("host", "api.example.com:8443").body(()).expect("valid request");
    bench_service(c, "layer/bare-with-host", handler(b"hello"), with_host);
    bench_service(c, "layer/require-host-ok", RequireHostLayer::new().layer(handler(b"hello")), with_host);
    bench_service(c, "layer/require-host-missing", RequireHostLayer::new().layer(handler(b"hello")), plain);

    // Computed ETags: the handler sets none.
    let no_etag = |body: &'static [u8]| {
        service_fn(move |_req: Request<()>| async move {
            Ok::<_, Infallible>(Response::new(Body::from(Bytes::from_static(body))))
        })
    };
    static KIB: [u8; 1024] = [b'x'; 1024];
    bench_service(c, "layer/computed-etag-bare-1KiB", no_etag(&KIB), plain);
    bench_service(c, "layer/computed-etag-1KiB", ComputedETagLayer::new().layer(no_etag(&KIB)), plain);
}

fn hashing(c: &mut Criterion) {
    let mut group = c.benchmark_group("etag-hash");
    for (name, size) in [("1KiB", 1024), ("64KiB", 64 * 1024), ("1MiB", 1024 * 1024)] {
        let body = vec![0xA5u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(name, |b| b.iter(|| strata_tower::etag::compute(black_box(&body))));
    }
    group.finish();
}

criterion_group!(benches, layers, hashing);
criterion_main!(benches);
