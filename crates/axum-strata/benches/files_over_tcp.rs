//! Files over real TCP on 127.0.0.1: Strata's `File` against tower-http's `ServeFile`, 1 KiB
//! and 1 MiB, with a plain `axum::serve` (Nagle's algorithm on) and with `TCP_NODELAY` set on
//! every accepted connection. One keep-alive client connection, one request at a time.

use std::{hint::black_box, net::SocketAddr, path::PathBuf};

use axum::{Router, routing::get, serve::ListenerExt};
use axum_strata::file::File;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    runtime::Runtime,
};
use tower_http::services::ServeFile;

fn fixture(name: &str, size: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strata-tcp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, vec![b'x'; size]).expect("fixture");
    path
}

fn app(small: PathBuf, large: PathBuf) -> Router {
    let (s, l) = (small.clone(), large.clone());
    Router::new()
        .route(
            "/strata/1k",
            get(move || {
                let p = s.clone();
                async move { File::open(p).await }
            }),
        )
        .route(
            "/strata/1m",
            get(move || {
                let p = l.clone();
                async move { File::open(p).await }
            }),
        )
        .route_service("/tower/1k", ServeFile::new(small))
        .route_service("/tower/1m", ServeFile::new(large))
}

fn start(rt: &Runtime, app: Router, nodelay: bool) -> SocketAddr {
    rt.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        if nodelay {
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            tokio::spawn(async move { axum::serve(listener, app).await });
        } else {
            tokio::spawn(async move { axum::serve(listener, app).await });
        }
        addr
    })
}

/// Sends one request on the connection and reads exactly its response.
async fn fetch(stream: &mut TcpStream, path: &str, buf: &mut Vec<u8>) -> usize {
    let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    buf.clear();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).expect("head");
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|v| v.parse().ok())
                .expect("content-length");
            if buf.len() >= end + 4 + len {
                return len;
            }
        }
    }
}

fn files_over_tcp(c: &mut Criterion) {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (small, large) = (fixture("1k", 1024), fixture("1m", 1024 * 1024));
    for (nodelay, label) in [(false, "nagle"), (true, "nodelay")] {
        let addr = start(&rt, app(small.clone(), large.clone()), nodelay);
        for (size, bytes) in [("1k", 1024u64), ("1m", 1024 * 1024)] {
            let mut group = c.benchmark_group(format!("file-{size}-tcp-{label}"));
            group.throughput(Throughput::Bytes(bytes));
            group.sample_size(20);
            for server in ["strata", "tower"] {
                let path = format!("/{server}/{size}");
                let mut stream = rt.block_on(TcpStream::connect(addr)).expect("connect");
                let _ = stream.set_nodelay(true);
                let mut buf = Vec::with_capacity(2 * 1024 * 1024);
                group.bench_function(server, |b| {
                    b.iter(|| black_box(rt.block_on(fetch(&mut stream, &path, &mut buf))));
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, files_over_tcp);
criterion_main!(benches);
