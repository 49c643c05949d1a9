//! `File` against tower-http's `ServeFile` (1 KiB and 1 MiB, body read to the end), and
//! `ServerSentEvent` against axum's `Sse` (10,000 small events), in-process on a
//! current-thread runtime. The TCP_NODELAY comparison needs real sockets: it belongs to the
//! load bench.

use std::{convert::Infallible, hint::black_box, path::PathBuf, time::Duration};

use axum::{
    body::Body,
    extract::Request,
    response::{
        IntoResponse,
        sse::{Event, Sse},
    },
};
use axum_strata::{
    file::File,
    sse::{Message, ServerSentEvent},
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::stream;
use http_body_util::BodyExt;
use tower::ServiceExt;
use tower_http::services::ServeFile;

fn fixture(name: &str, size: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strata-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, vec![b'x'; size]).expect("fixture");
    path
}

fn files(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    for (name, size) in [("file-1K", 1024), ("file-1M", 1024 * 1024)] {
        let path = fixture(name, size);
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function("strata-file", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let response = File::open(&path).await.expect("open").into_response();
                    black_box(response.into_body().collect().await.expect("body").to_bytes().len())
                })
            });
        });
        group.bench_function("tower-http-serve-file", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let response =
                        ServeFile::new(&path).oneshot(Request::new(Body::empty())).await.expect("serve");
                    black_box(response.into_body().collect().await.expect("body").to_bytes().len())
                })
            });
        });
        group.finish();
    }
}

fn events(c: &mut Criterion) {
    const EVENTS: u64 = 10_000;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut group = c.benchmark_group("sse-10k");
    group.throughput(Throughput::Elements(EVENTS));
    group.sample_size(20);
    group.bench_function("strata-server-sent-event", |b| {
        b.iter(|| {
            rt.block_on(async {
                let events =
                    stream::iter((0..EVENTS).map(|i| Message::new().event("tick").data(i.to_string())));
                let response =
                    ServerSentEvent::new(events).keep_alive(Duration::from_secs(15)).into_response();
                black_box(response.into_body().collect().await.expect("body").to_bytes().len())
            })
        });
    });
    group.bench_function("axum-sse", |b| {
        b.iter(|| {
            rt.block_on(async {
                let events = stream::iter(
                    (0..EVENTS)
                        .map(|i| Ok::<_, Infallible>(Event::default().event("tick").data(i.to_string()))),
                );
                let response = Sse::new(events)
                    .keep_alive(axum::response::sse::KeepAlive::new().interval(Duration::from_secs(15)))
                    .into_response();
                black_box(response.into_body().collect().await.expect("body").to_bytes().len())
            })
        });
    });
    group.finish();
}

criterion_group!(benches, files, events);
criterion_main!(benches);
