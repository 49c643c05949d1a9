//! Files from object stores over real TCP on 127.0.0.1 (`TCP_NODELAY`, one keep-alive client
//! connection, one request at a time), in one run:
//!
//! - 1 KiB and 1 MiB: `File::in_store` from object_store's `InMemory` and `LocalFileSystem`,
//!   against today's disk `File::open` and tower-http's `ServeFile` of the same bytes;
//! - a 1 KiB ranged GET from a 1 GiB object, in memory and on local disk (sparse); the bytes the
//!   store was asked for per request are counted and printed: the range, not the object.

use std::{
    fmt,
    hint::black_box,
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{Router, extract::Path as UrlPath, routing::get, serve::ListenerExt};
use axum_strata::{
    Strata,
    file::File,
    object_store::{
        CopyOptions, GetOptions, GetRange, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
        ObjectStoreExt as _, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
        local::LocalFileSystem, memory::InMemory, path::Path,
    },
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::stream::BoxStream;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    runtime::Runtime,
};
use tower_http::services::ServeFile;

const GIB: u64 = 1 << 30;

/// A store that counts the bytes it is asked for (ranges; a whole object counts its size).
#[derive(Debug)]
struct Counted {
    inner: Arc<dyn ObjectStore>,
    asked: AtomicU64,
}

impl fmt::Display for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Counted({})", self.inner)
    }
}

#[async_trait::async_trait]
impl ObjectStore for Counted {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let head = options.head;
        let range = options.range.clone();
        let result = self.inner.get_opts(location, options).await?;
        if !head {
            let asked = match range {
                Some(GetRange::Bounded(r)) => r.end - r.start,
                Some(GetRange::Offset(o)) => result.meta.size - o,
                Some(GetRange::Suffix(n)) => n,
                None => result.meta.size,
            };
            self.asked.fetch_add(asked, Ordering::Relaxed);
        }
        Ok(result)
    }

    fn delete_stream(&self, locations: BoxStream<'static, Result<Path>>) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strata-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn app(rt: &Runtime, memory: Arc<Counted>, local: Arc<Counted>) -> Router {
    let dir = dir();
    for (name, size) in [("1k", 1024), ("1m", 1024 * 1024)] {
        let bytes = vec![b'x'; size];
        std::fs::write(dir.join(name), &bytes).expect("fixture");
        rt.block_on(memory.put(&Path::from(name), PutPayload::from(bytes))).expect("put");
    }
    // A sparse gibibyte on disk, and a gibibyte of zeros in memory.
    std::fs::File::create(dir.join("1g")).and_then(|f| f.set_len(GIB)).expect("sparse file");
    rt.block_on(memory.put(&Path::from("1g"), PutPayload::from(vec![0u8; GIB as usize]))).expect("put");
    let disk = dir.clone();
    let store_routes = |prefix: &str, name: &'static str| {
        Router::new().route(
            &format!("/{prefix}/{{name}}"),
            get(move |UrlPath(file): UrlPath<String>| async move { File::in_store(name, &file) }),
        )
    };
    Router::new()
        .route(
            "/disk/{name}",
            get(move |UrlPath(name): UrlPath<String>| {
                let path = disk.join(name);
                async move { File::open(path).await }
            }),
        )
        .merge(store_routes("memory", "memory"))
        .merge(store_routes("local", "local"))
        .route_service("/tower/1k", ServeFile::new(dir.join("1k")))
        .route_service("/tower/1m", ServeFile::new(dir.join("1m")))
        .layer(
            Strata::app()
                .file_store("memory", memory as Arc<dyn ObjectStore>)
                .file_store("local", local as Arc<dyn ObjectStore>),
        )
}

fn start(rt: &Runtime, app: Router) -> SocketAddr {
    rt.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    })
}

/// Sends one request on the connection and reads exactly its response; returns the body's
/// length.
async fn fetch(stream: &mut TcpStream, path: &str, range: Option<&str>, buf: &mut Vec<u8>) -> usize {
    let range = range.map(|r| format!("range: {r}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\n{range}\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    buf.clear();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).expect("head");
            assert!(head.starts_with("HTTP/1.1 20"), "{head}");
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

fn file_stores(c: &mut Criterion) {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let memory = Arc::new(Counted { inner: Arc::new(InMemory::new()), asked: AtomicU64::new(0) });
    let local = Arc::new(Counted {
        inner: Arc::new(LocalFileSystem::new_with_prefix(dir()).expect("local store")),
        asked: AtomicU64::new(0),
    });
    let addr = start(&rt, app(&rt, Arc::clone(&memory), Arc::clone(&local)));
    let connect = || {
        let stream = rt.block_on(TcpStream::connect(addr)).expect("connect");
        let _ = stream.set_nodelay(true);
        stream
    };
    let mut buf = Vec::with_capacity(2 * 1024 * 1024);

    for (size, bytes) in [("1k", 1024u64), ("1m", 1024 * 1024)] {
        let mut group = c.benchmark_group(format!("file-store-{size}"));
        group.throughput(Throughput::Bytes(bytes));
        group.sample_size(20);
        for server in ["disk", "local", "memory", "tower"] {
            let path = format!("/{server}/{size}");
            let mut stream = connect();
            assert_eq!(rt.block_on(fetch(&mut stream, &path, None, &mut buf)) as u64, bytes);
            group.bench_function(server, |b| {
                b.iter(|| black_box(rt.block_on(fetch(&mut stream, &path, None, &mut buf))));
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("file-store-1k-range-of-1g");
    group.throughput(Throughput::Bytes(1024));
    group.sample_size(20);
    for (server, counted) in [("local", &local), ("memory", &memory)] {
        let path = format!("/{server}/1g");
        let mut stream = connect();
        let before = counted.asked.load(Ordering::Relaxed);
        let range = Some("bytes=536870912-536871935");
        assert_eq!(rt.block_on(fetch(&mut stream, &path, range, &mut buf)), 1024);
        let asked = counted.asked.load(Ordering::Relaxed) - before;
        println!("{server}: a 1 KiB range of a 1 GiB object asked the store for {asked} bytes");
        assert_eq!(asked, 1024);
        group.bench_function(server, |b| {
            b.iter(|| black_box(rt.block_on(fetch(&mut stream, &path, range, &mut buf))));
        });
    }
    group.finish();
    std::fs::remove_dir_all(dir()).ok();
}

criterion_group!(benches, file_stores);
criterion_main!(benches);
