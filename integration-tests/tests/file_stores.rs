//! `File` from object stores (feature `object-store`), served on 127.0.0.1 and asked over raw
//! TCP: in memory, on local disk (object_store's `LocalFileSystem`), and in S3 (moto's server,
//! started by the test). Every `File` feature is checked against each store, and what the
//! store was asked for is recorded: a range fetches that range, a `HEAD` or a 304 no body.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{
    fmt,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{Router, extract::Path as UrlPath, routing::get};
use axum_strata::{
    Strata,
    file::{File, FileError},
};
use futures_util::stream::BoxStream;
use integration_tests::{RawResponse, raw, serve};
use object_store::{
    Attribute, Attributes, CopyOptions, GetOptions, GetRange, GetResult, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, ObjectStoreExt as _, PutMultipartOptions, PutOptions, PutPayload, PutResult,
    Result, local::LocalFileSystem, memory::InMemory, path::Path,
};

/// What a store was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Call {
    /// Metadata only.
    Head,
    /// Bytes, of this range.
    Get(Option<GetRange>),
}

/// A real store, with a record of what it was asked for.
#[derive(Debug)]
struct Recorded {
    inner: Arc<dyn ObjectStore>,
    calls: Mutex<Vec<Call>>,
}

impl Recorded {
    fn new(inner: Arc<dyn ObjectStore>) -> Arc<Self> {
        Arc::new(Self { inner, calls: Mutex::new(Vec::new()) })
    }

    /// The calls since the last look.
    fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

impl fmt::Display for Recorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recorded({})", self.inner)
    }
}

#[async_trait::async_trait]
impl ObjectStore for Recorded {
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
        let call = if options.head { Call::Head } else { Call::Get(options.range.clone()) };
        self.calls.lock().unwrap().push(call);
        self.inner.get_opts(location, options).await
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

const BIG: usize = 1024 * 1024;

fn big() -> Vec<u8> {
    (0..BIG).map(|i| (i % 251) as u8).collect()
}

fn report() -> Vec<u8> {
    std::fs::read(showcase::routes::files::REPORT).unwrap()
}

/// Puts the test files into `store`: `report.pdf`, `big.bin` (1 MiB), `dir/notes.txt` (stored
/// with its media type where the store keeps attributes).
async fn fill(store: &dyn ObjectStore) {
    store.put(&Path::from("report.pdf"), PutPayload::from(report())).await.unwrap();
    store.put(&Path::from("big.bin"), PutPayload::from(big())).await.unwrap();
    let attributes = Attributes::from_iter([(Attribute::ContentType, "text/markdown")]);
    let options = PutOptions { attributes, ..PutOptions::default() };
    let notes = Path::from("dir/notes.txt");
    if store.put_opts(&notes, PutPayload::from_static(b"# notes\n"), options).await.is_err() {
        // A store that keeps no attributes (local disk) refuses them.
        store.put(&notes, PutPayload::from_static(b"# notes\n")).await.unwrap();
    }
}

/// The app: the store registered as `files` on the app level, named by the handler
/// (`/named/…`), and given directly (`/direct/…`); `/unknown/…` names a store nobody registers.
fn app(store: Arc<dyn ObjectStore>) -> Router {
    let direct = Arc::clone(&store);
    Router::new()
        .route(
            "/named/{*name}",
            get(|UrlPath(name): UrlPath<String>| async move { File::in_store("files", &name) }),
        )
        .route(
            "/direct/{*name}",
            get(move |UrlPath(name): UrlPath<String>| {
                let store = Arc::clone(&direct);
                async move { File::from_store(&store, &name).await.map(File::inline) }
            }),
        )
        .route(
            "/unknown/{*name}",
            get(|UrlPath(name): UrlPath<String>| async move { File::in_store("nowhere", &name) }),
        )
        .layer(Strata::app().file_store("files", store))
}

async fn request(addr: SocketAddr, method: &str, path: &str, headers: &[&str]) -> RawResponse {
    let mut text = format!("{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n");
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    raw(addr, &text).await
}

fn header<'a>(r: &'a RawResponse, name: &str) -> &'a str {
    r.header_values(name).first().copied().unwrap_or_else(|| panic!("no {name} in {}", r.head))
}

fn status(r: &RawResponse) -> u16 {
    r.head[9..12].parse().unwrap()
}

/// Every `File` feature, against `store` (wrapped to record what it is asked for).
async fn every_file_feature(store: Arc<dyn ObjectStore>, keeps_attributes: bool) {
    fill(store.as_ref()).await;
    let recorded = Recorded::new(store);
    let addr = serve(app(Arc::clone(&recorded) as Arc<dyn ObjectStore>)).await;

    // The whole file, with its metadata: one metadata request, one fetch of all of it.
    let r = request(addr, "GET", "/named/report.pdf", &[]).await;
    assert_eq!(status(&r), 200, "{}", r.head);
    assert_eq!(r.body, report());
    assert_eq!(header(&r, "content-type"), "application/pdf");
    assert_eq!(header(&r, "content-length"), report().len().to_string());
    assert_eq!(header(&r, "content-disposition"), "attachment; filename=\"report.pdf\"");
    assert_eq!(header(&r, "accept-ranges"), "bytes");
    let etag = header(&r, "etag").to_owned();
    let modified = header(&r, "last-modified").to_owned();
    let len = report().len() as u64;
    assert_eq!(recorded.take(), [Call::Head, Call::Get(Some(GetRange::Bounded(0..len)))]);

    // HEAD and 304s fetch no body.
    let r = request(addr, "HEAD", "/named/report.pdf", &[]).await;
    assert_eq!((status(&r), r.body.len()), (200, 0), "{}", r.head);
    assert_eq!(header(&r, "etag"), etag);
    assert_eq!(recorded.take(), [Call::Head]);
    let r = request(addr, "GET", "/named/report.pdf", &[&format!("if-none-match: {etag}")]).await;
    assert_eq!((status(&r), r.body.len()), (304, 0), "{}", r.head);
    assert_eq!(recorded.take(), [Call::Head]);
    let r = request(addr, "GET", "/named/report.pdf", &[&format!("if-modified-since: {modified}")]).await;
    assert_eq!(status(&r), 304, "{}", r.head);
    assert_eq!(recorded.take(), [Call::Head]);
    let r = request(addr, "GET", "/named/report.pdf", &["if-match: \"another\""]).await;
    assert_eq!(status(&r), 412, "{}", r.head);
    assert_eq!(recorded.take(), [Call::Head]);

    // A range fetches that range; several fetch each.
    let r = request(addr, "GET", "/named/big.bin", &["range: bytes=1000-1999"]).await;
    assert_eq!(status(&r), 206, "{}", r.head);
    assert_eq!(header(&r, "content-range"), format!("bytes 1000-1999/{BIG}"));
    assert_eq!(r.body, &big()[1000..2000]);
    assert_eq!(recorded.take(), [Call::Head, Call::Get(Some(GetRange::Bounded(1000..2000)))]);
    let r = request(addr, "GET", "/named/big.bin", &["range: bytes=0-9,-10"]).await;
    assert_eq!(status(&r), 206, "{}", r.head);
    assert!(header(&r, "content-type").starts_with("multipart/byteranges; boundary="));
    let body = String::from_utf8_lossy(&r.body);
    assert!(body.contains(&format!("Content-Range: bytes 0-9/{BIG}")), "{body}");
    assert!(body.contains(&format!("Content-Range: bytes {}-{}/{BIG}", BIG - 10, BIG - 1)), "{body}");
    assert_eq!(
        recorded.take(),
        [
            Call::Head,
            Call::Get(Some(GetRange::Bounded(0..10))),
            Call::Get(Some(GetRange::Bounded(BIG as u64 - 10..BIG as u64)))
        ]
    );
    let big_etag = header(&request(addr, "HEAD", "/named/big.bin", &[]).await, "etag").to_owned();
    recorded.take();
    let r =
        request(addr, "GET", "/named/big.bin", &["range: bytes=0-0", &format!("if-range: {big_etag}")]).await;
    assert_eq!((status(&r), r.body.as_slice()), (206, &[0u8][..]), "{}", r.head);
    let r = request(addr, "GET", "/named/big.bin", &["range: bytes=0-0", "if-range: \"stale\""]).await;
    assert_eq!((status(&r), r.body.len()), (200, BIG), "a stale If-Range gets the whole file");
    recorded.take();
    let r = request(addr, "GET", "/named/big.bin", &[&format!("range: bytes={BIG}-")]).await;
    assert_eq!(status(&r), 416, "{}", r.head);
    assert_eq!(header(&r, "content-range"), format!("bytes */{BIG}"));
    assert_eq!(recorded.take(), [Call::Head]);

    // The stored media type wins over the name's, where the store keeps it.
    let r = request(addr, "GET", "/named/dir/notes.txt", &[]).await;
    assert_eq!(status(&r), 200, "{}", r.head);
    let expected =
        if keeps_attributes { "text/markdown; charset=utf-8" } else { "text/plain; charset=utf-8" };
    assert_eq!(header(&r, "content-type"), expected);
    assert_eq!(r.body, b"# notes\n");

    // Given directly, the same; shown inline here.
    let r = request(addr, "GET", "/direct/big.bin", &["range: bytes=5-6"]).await;
    assert_eq!((status(&r), r.body.as_slice()), (206, &[5u8, 6][..]), "{}", r.head);
    assert_eq!(header(&r, "content-disposition"), "inline; filename=\"big.bin\"");
    recorded.take();

    // Missing files and names that would leave the store are 404 problems, and fetch nothing.
    for name in
        ["missing.pdf", "..%2Freport.pdf", "dir/..%2F..%2Fbig.bin", "dir//notes.txt", "%2E%2E", "dir/"]
    {
        let r = request(addr, "GET", &format!("/named/{name}"), &[]).await;
        assert_eq!(status(&r), 404, "{name}: {}", r.head);
        assert_eq!(header(&r, "content-type"), "application/problem+json");
        assert!(recorded.take().iter().all(|c| *c == Call::Head), "{name}: no body fetched");
    }

    // A store nobody registers: a 500 problem naming it.
    let r = request(addr, "GET", "/unknown/report.pdf", &[]).await;
    assert_eq!(status(&r), 500, "{}", r.head);
    assert!(
        String::from_utf8_lossy(&r.body).contains("\\\"nowhere\\\""),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(recorded.take().is_empty());
}

#[tokio::test]
async fn in_memory() {
    every_file_feature(Arc::new(InMemory::new()), true).await;
}

#[tokio::test]
async fn local_disk() {
    let dir = std::env::temp_dir().join(format!("strata-file-stores-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = LocalFileSystem::new_with_prefix(&dir).unwrap();
    every_file_feature(Arc::new(store), false).await;
    std::fs::remove_dir_all(&dir).ok();
}

/// What the handler adds to the intent's response stays on the file's; the file's own headers
/// win.
#[tokio::test]
async fn headers_the_handler_adds_stay_on_the_resolved_file() {
    let store = InMemory::new();
    store.put(&Path::from("a.txt"), PutPayload::from_static(b"text")).await.unwrap();
    let app = Router::new()
        .route(
            "/a",
            get(|| async {
                (
                    [("cache-control", "max-age=60"), ("x-note", "kept"), ("content-type", "text/html")],
                    File::in_store("files", "a.txt"),
                )
            }),
        )
        .layer(Strata::app().file_store("files", Arc::new(store)));
    let addr = serve(app).await;
    let r = request(addr, "GET", "/a", &[]).await;
    assert_eq!(status(&r), 200, "{}", r.head);
    assert_eq!(header(&r, "cache-control"), "max-age=60");
    assert_eq!(header(&r, "x-note"), "kept");
    assert_eq!(r.header_values("content-type"), ["text/plain; charset=utf-8"]);
    assert_eq!(r.body, b"text");
}

/// A level closer to the route wins: its store of the same name is the one read.
#[tokio::test]
async fn the_closest_level_registering_a_name_resolves_it() {
    let (outer, inner) = (InMemory::new(), InMemory::new());
    outer.put(&Path::from("a.txt"), PutPayload::from_static(b"outer")).await.unwrap();
    inner.put(&Path::from("a.txt"), PutPayload::from_static(b"inner")).await.unwrap();
    let app = Router::new()
        .route("/inner", get(|| async { File::in_store("files", "a.txt") }))
        .layer(Strata::layer().file_store("files", Arc::new(inner)))
        .route("/outer", get(|| async { File::in_store("files", "a.txt") }))
        .layer(Strata::app().file_store("files", Arc::new(outer)));
    let addr = serve(app).await;
    assert_eq!(request(addr, "GET", "/inner", &[]).await.body, b"inner");
    assert_eq!(request(addr, "GET", "/outer", &[]).await.body, b"outer");
}

#[tokio::test]
async fn the_showcase_serves_its_files_from_a_store() {
    let addr = serve(showcase::app()).await;
    let r = request(addr, "GET", "/seeds/file-systems/report.pdf", &[]).await;
    assert_eq!(status(&r), 200, "{}", r.head);
    assert_eq!(r.body, report(), "the bytes of /seeds/file");
    let file = request(addr, "GET", "/seeds/file/file-download", &[]).await;
    assert_eq!(r.body, file.body);
    let r = request(addr, "GET", "/seeds/file-systems/big.bin", &["range: bytes=-3"]).await;
    assert_eq!(status(&r), 206, "{}", r.head);
    assert_eq!(r.body, &big()[BIG - 3..]);
    let r = request(addr, "GET", "/seeds/file-systems/..%2F..%2Fetc%2Fpasswd", &[]).await;
    assert_eq!(status(&r), 404, "{}", r.head);
    assert_eq!(header(&r, "content-type"), "application/problem+json");
}

mod s3 {
    //! Against moto's S3-compatible server (`moto_server`, from PyPI; `.ci/run` installs it),
    //! started by each test on a free port of 127.0.0.1.

    use std::{process::Stdio, time::Duration};

    use object_store::aws::AmazonS3Builder;
    use tokio::{
        io::{AsyncReadExt as _, AsyncWriteExt as _},
        process::{Child, Command},
    };

    use super::*;

    /// A moto server and a bucket in it.
    struct Moto {
        child: Child,
        port: u16,
    }

    impl Moto {
        async fn start() -> Self {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let child = Command::new("moto_server")
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("moto_server cannot start ({e}): CI installs it (.ci/run); elsewhere, rebuild the tests and this one is ignored")
                });
            for _ in 0..200 {
                if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let moto = Self { child, port };
            // Buckets are made with a plain PUT: object_store does not make them.
            moto.send(
                b"PUT /files HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )
            .await;
            moto
        }

        async fn send(&self, request: &[u8]) -> String {
            let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
            stream.write_all(request).await.unwrap();
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.unwrap();
            let answer = String::from_utf8_lossy(&answer).into_owned();
            assert!(answer.starts_with("HTTP/1.1 200"), "moto: {answer}");
            answer
        }

        fn store(&self) -> Arc<dyn ObjectStore> {
            let builder = AmazonS3Builder::new()
                .with_endpoint(format!("http://127.0.0.1:{}", self.port))
                .with_allow_http(true)
                .with_bucket_name("files")
                .with_region("us-east-1")
                .with_access_key_id("testing")
                .with_secret_access_key("testing")
                .with_retry(object_store::RetryConfig {
                    max_retries: 1,
                    retry_timeout: Duration::from_secs(2),
                    backoff: object_store::BackoffConfig::default(),
                });
            Arc::new(showcase::routes::file_systems::s3(builder).unwrap())
        }
    }

    #[cfg_attr(not(any(strata_ci, strata_moto)), ignore = "needs moto_server on the PATH (CI installs it)")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_file_feature_against_s3() {
        let moto = Moto::start().await;
        every_file_feature(moto.store(), true).await;
    }

    /// A store that cannot be reached is a 503 with `Retry-After`; one that answers with an
    /// error of its own a 502 or a 404, never a 500.
    #[cfg_attr(not(any(strata_ci, strata_moto)), ignore = "needs moto_server on the PATH (CI installs it)")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unreachable_store_is_a_503_with_retry_after() {
        let mut moto = Moto::start().await;
        let store = moto.store();
        fill(store.as_ref()).await;
        let addr = serve(app(store)).await;
        assert_eq!(status(&request(addr, "GET", "/named/report.pdf", &[]).await), 200);
        moto.child.kill().await.unwrap();
        moto.child.wait().await.unwrap();
        let r = request(addr, "GET", "/named/report.pdf", &[]).await;
        assert_eq!(status(&r), 503, "{}", r.head);
        assert_eq!(header(&r, "retry-after"), "5");
        assert_eq!(header(&r, "content-type"), "application/problem+json");
    }

    /// The peak resident size of this process, in KiB (`VmHWM` of `/proc/self/status`).
    #[cfg(target_os = "linux")]
    fn peak_rss_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// A 1 GiB object streamed from S3 through `File`: the peak resident size of this process
    /// (server and client) grows by a few chunks, not by the object. The object is put by
    /// moto's own client side (a streamed PUT from a sparse file), so that nothing of the
    /// upload is counted.
    #[cfg(target_os = "linux")]
    #[cfg_attr(not(any(strata_ci, strata_moto)), ignore = "needs moto_server on the PATH (CI installs it)")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_one_gib_object_streams_from_s3_with_flat_memory() {
        const GIB: u64 = 1 << 30;
        let moto = Moto::start().await;
        // Streamed in 64 KiB writes straight from a zero source: the upload holds no more.
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", moto.port)).await.unwrap();
        let head = format!(
            "PUT /files/gib.bin HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {GIB}\r\nconnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let zeros = vec![0u8; 64 * 1024];
        for _ in 0..GIB / zeros.len() as u64 {
            stream.write_all(&zeros).await.unwrap();
        }
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
        drop(zeros);

        let addr = serve(app(moto.store())).await;
        let before = peak_rss_kib();
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /named/gib.bin HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        let mut head = Vec::new();
        let mut in_body = false;
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            if in_body {
                total += n as u64;
            } else {
                head.extend_from_slice(&buf[..n]);
                if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                    total += (head.len() - (i + 4)) as u64;
                    head.truncate(i);
                    in_body = true;
                }
            }
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains(&format!("content-length: {GIB}")), "{head}");
        assert_eq!(total, GIB);
        let grown_mib = (peak_rss_kib() - before) / 1024;
        println!("the peak resident size grew by {grown_mib} MiB while 1 GiB was sent");
        assert!(grown_mib < 64, "the peak resident size grew by {grown_mib} MiB while 1 GiB was sent");
    }
}

/// The error mapping of stores, on the errors object_store gives.
#[test]
fn store_errors_map_to_their_statuses() {
    let source = || Box::<dyn std::error::Error + Send + Sync>::from("x");
    let cases = [
        (object_store::Error::NotFound { path: "a".into(), source: source() }, 404),
        (object_store::Error::PermissionDenied { path: "a".into(), source: source() }, 403),
        // The server's own credentials refused: its failure.
        (object_store::Error::Unauthenticated { path: "a".into(), source: source() }, 502),
        // The object's name in the URL says nothing of the failure.
        (object_store::Error::Generic { store: "S3", source: "Error performing GET http://127.0.0.1:9/files/timeout-503.bin in 2ms - Server returned non-2xx status code: 400 Bad Request".into() }, 502),
        (
            object_store::Error::Generic {
                store: "S3",
                source: "Server returned non-2xx status code: 503 Service Unavailable".into(),
            },
            503,
        ),
        (
            object_store::Error::Generic {
                store: "S3",
                source: "error sending request: operation timed out".into(),
            },
            503,
        ),
        (
            object_store::Error::Generic {
                store: "S3",
                source: "Server returned non-2xx status code: 500 Internal Server Error: InternalError"
                    .into(),
            },
            502,
        ),
    ];
    for (error, expected) in cases {
        let text = error.to_string();
        assert_eq!(FileError::from(error).status().as_u16(), expected, "{text}");
    }
}
