//! Background tasks over real TCP: they start only after the body has been handed over, they
//! run when the client goes away mid-body, and under load with random client aborts every
//! task that was scheduled is done.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{Router, body::Body, routing::get};
use axum_strata::{
    Strata,
    background::{BackgroundTask, BackgroundTasks, Runner},
};
use bytes::Bytes;
use integration_tests::{serve, serve_with_shutdown};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::mpsc,
};

/// A body whose frames the test sends one by one.
struct ChannelBody(mpsc::UnboundedReceiver<Bytes>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|c| Ok(http_body::Frame::data(c))))
    }
}

type Chunks = Arc<Mutex<Option<mpsc::UnboundedReceiver<Bytes>>>>;

/// An app whose one route streams the chunks the test sends and schedules a task that records
/// when it started.
fn streaming_app(chunks: Chunks, started: Arc<Mutex<Option<Instant>>>, runner: &Runner) -> Router {
    let handler = move |tasks: BackgroundTasks| {
        let (chunks, started) = (Arc::clone(&chunks), Arc::clone(&started));
        async move {
            tasks.add(BackgroundTask::new("record", async move {
                *started.lock().unwrap() = Some(Instant::now());
            }));
            let rx = chunks.lock().unwrap().take().unwrap();
            Body::new(ChannelBody(rx))
        }
    };
    Router::new().route("/stream", get(handler)).layer(Strata::app().background(runner.clone()))
}

async fn read_until(stream: &mut TcpStream, buf: &mut Vec<u8>, needle: &[u8]) {
    let mut chunk = [0u8; 4096];
    while !buf.windows(needle.len()).any(|w| w == needle) {
        let n =
            tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await.unwrap().unwrap();
        assert!(n > 0, "the connection closed before {:?} came", String::from_utf8_lossy(needle));
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn the_client_has_the_whole_body_before_the_task_starts() {
    let (tx, rx) = mpsc::unbounded_channel();
    let started = Arc::new(Mutex::new(None));
    let runner = Runner::new();
    let addr = serve(streaming_app(Arc::new(Mutex::new(Some(rx))), Arc::clone(&started), &runner)).await;

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /stream HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
    tx.send(Bytes::from_static(b"first-part ")).unwrap();
    let mut received = Vec::new();
    read_until(&mut stream, &mut received, b"first-part ").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(started.lock().unwrap().is_none(), "the task must wait for the last frame");
    let stats = runner.stats();
    assert_eq!((stats.pending, stats.running, stats.done), (1, 0, 0), "known to the runner, not started");

    // A frame that turns out to be the last: the body has not ended while the stream is open.
    tx.send(Bytes::from_static(b"last-part")).unwrap();
    read_until(&mut stream, &mut received, b"last-part").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(started.lock().unwrap().is_none(), "the task waits for the end of the body, not its last bytes");
    let last_frame_sent = Instant::now();
    drop(tx);
    stream.read_to_end(&mut received).await.unwrap();
    let client_done = Instant::now();
    assert!(String::from_utf8_lossy(&received).contains("last-part"), "the client got the whole body");

    assert!(runner.drain(Duration::from_secs(10)).await.is_complete());
    let task_started = started.lock().unwrap().unwrap();
    assert!(task_started >= last_frame_sent, "the task started after the last frame was handed over");
    assert_eq!(runner.stats().done, 1);
    // Both sides' timestamps, for the record.
    eprintln!(
        "last frame → client done: {:?}; last frame → task start: {:?}",
        client_done - last_frame_sent,
        task_started - last_frame_sent
    );
}

#[tokio::test]
async fn a_client_gone_mid_body_still_gets_its_task_run() {
    let (tx, rx) = mpsc::unbounded_channel();
    let started = Arc::new(Mutex::new(None));
    let runner = Runner::new();
    let addr = serve(streaming_app(Arc::new(Mutex::new(Some(rx))), Arc::clone(&started), &runner)).await;

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    tx.send(Bytes::from_static(b"some of it")).unwrap();
    let mut received = Vec::new();
    read_until(&mut stream, &mut received, b"some of it").await;
    drop(stream); // the client goes away; the body never ends
    // Keep writing so the server notices the broken connection, without ever ending the body.
    let writer = tokio::spawn(async move {
        for _ in 0..200 {
            if tx.send(Bytes::from(vec![b'x'; 64 * 1024])).is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    // The task is known (pending) from the moment the response left the app: the drain waits.
    let report = runner.drain(Duration::from_secs(10)).await;
    writer.abort();
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(runner.stats().done, 1, "{report:?}");
    assert!(started.lock().unwrap().is_some());
}

/// A tiny deterministic generator for the load test's aborts.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_with_random_aborts_lose_no_task() {
    const REQUESTS: u64 = 10_000;
    const WORKERS: u64 = 16;
    let runner = Runner::new();
    let scheduled = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&scheduled);
    let app = Router::new()
        .route(
            "/",
            get(move |tasks: BackgroundTasks| {
                let counter = Arc::clone(&counter);
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    tasks.add(BackgroundTask::new("noop", async {}));
                    "ok"
                }
            }),
        )
        .layer(Strata::app().background(runner.clone()));
    let server = serve_with_shutdown(app).await;
    let addr = server.addr;

    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            tokio::spawn(async move {
                let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ (w + 1));
                let mut aborted = 0u64;
                for _ in 0..REQUESTS / WORKERS {
                    let mut stream = TcpStream::connect(addr).await.unwrap();
                    stream
                        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                        .await
                        .unwrap();
                    match rng.next() % 4 {
                        // A quarter of the clients go away without reading.
                        0 => aborted += 1,
                        _ => {
                            let mut response = Vec::new();
                            stream.read_to_end(&mut response).await.unwrap();
                            assert!(response.ends_with(b"ok"));
                        }
                    }
                }
                aborted
            })
        })
        .collect();
    let mut aborted = 0;
    for worker in workers {
        aborted += tokio::time::timeout(Duration::from_secs(120), worker).await.unwrap().unwrap();
    }
    // As in production: stop accepting, let the connections close, then drain.
    server.stop().await;
    let report = runner.drain(Duration::from_secs(30)).await;
    let scheduled = scheduled.load(Ordering::SeqCst);
    eprintln!(
        "{REQUESTS} requests, {aborted} aborted, {scheduled} tasks scheduled in {:?}",
        started.elapsed()
    );
    assert!(report.is_complete(), "{report:?}");
    assert!(scheduled >= REQUESTS - aborted, "every request that was read scheduled its task");
    let stats = runner.stats();
    assert_eq!(stats.done, scheduled, "{stats:?}");
    assert_eq!(stats.failed, 0);
}

mod bodies_hyper_never_polls_to_the_end {
    #![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

    use std::time::Duration;

    use axum::{
        Router,
        http::HeaderValue,
        routing::{delete, get},
    };
    use axum_strata::{
        StatusByMethod, Strata,
        background::{BackgroundTask, PendingTasks, Runner, TaskSet},
        content::Content,
    };
    use integration_tests::{raw, serve};

    /// One task that is skipped if the response counts as not sent: a success shows it was.
    fn task() -> TaskSet {
        TaskSet::from(BackgroundTask::new("noop", async {})).skip_on_disconnect()
    }

    fn app(runner: &Runner) -> Router {
        Router::new()
            .route("/computed", get(|| async { Content::new("hashed body").background_tasks(task()) }))
            .route(
                "/tagged",
                get(|| async { Content::new("tagged").header("etag", "\"v1\"").background_tasks(task()) }),
            )
            .route(
                "/gone",
                delete(|| async { (StatusByMethod, Content::new("dropped body").background_tasks(task())) }),
            )
            .layer(
                Strata::app()
                    .computed_etag()
                    .background(runner.clone())
                    // Runs after the computed ETag: the tasks must not have started yet.
                    .after_request_fn(|response| {
                        let started = response
                            .extensions()
                            .get::<PendingTasks>()
                            .is_some_and(PendingTasks::has_started);
                        response
                            .headers_mut()
                            .insert("x-started-early", HeaderValue::from(u16::from(started)));
                    }),
            )
    }

    #[tokio::test]
    async fn computed_etag_204_head_and_304_count_as_sent() {
        let runner = Runner::new();
        let addr = serve(app(&runner)).await;
        let r = raw(addr, "GET /computed HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
        assert_eq!(
            r.header_values("x-started-early"),
            ["0"],
            "buffering for the ETag did not start the tasks"
        );
        assert_eq!(r.header_values("etag").len(), 1);
        assert_eq!(r.body, b"\"hashed body\"");
        let r = raw(addr, "DELETE /gone HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
        assert!(r.head.starts_with("HTTP/1.1 204"), "{}", r.head);
        let r = raw(addr, "HEAD /computed HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
        assert!(r.head.starts_with("HTTP/1.1 200"), "{}", r.head);
        let r = raw(
            addr,
            "GET /tagged HTTP/1.1\r\nhost: x\r\nif-none-match: \"v1\"\r\nconnection: close\r\n\r\n",
        )
        .await;
        assert!(r.head.starts_with("HTTP/1.1 304"), "{}", r.head);

        let report = runner.drain(Duration::from_secs(10)).await;
        assert!(report.is_complete(), "{report:?}");
        let stats = runner.stats();
        assert_eq!((stats.done, stats.failed), (4, 0), "{stats:?}");
    }
}

/// A task that holds its own set's handle, in an app with no background layer, whose response
/// to `HEAD` is dropped unread: the set cannot keep itself alive, so the task still runs.
mod self_holding {
    use std::time::Duration;

    use axum::{Router, middleware::map_response, response::Response, routing::get};
    use axum_strata::{
        background::{BackgroundTask, PendingTasks},
        content::Content,
    };
    use integration_tests::{request, serve};
    use tokio::sync::mpsc;

    #[tokio::test]
    async fn a_task_holding_its_own_handle_runs_without_a_layer() {
        let (sent, mut received) = mpsc::unbounded_channel::<&'static str>();
        let first = sent.clone();
        let app = Router::new()
            .route(
                "/",
                get(move || {
                    let first = first.clone();
                    async move {
                        Content::new("hello").background(BackgroundTask::new("first", async move {
                            let _ = first.send("first");
                        }))
                    }
                }),
            )
            .layer(map_response(move |response: Response| {
                let sent = sent.clone();
                async move {
                    if let Some(handle) = response.extensions().get::<PendingTasks>().cloned() {
                        let own = handle.clone();
                        handle.push(BackgroundTask::new("holds its own handle", async move {
                            let _own = own;
                            let _ = sent.send("second");
                        }));
                    }
                    response
                }
            }));
        let addr = serve(app).await;
        let response = request(addr, "HEAD", "/", &[]).await;
        assert_eq!(response.status(), 200);
        for expected in ["first", "second"] {
            let got = tokio::time::timeout(Duration::from_secs(10), received.recv()).await;
            assert_eq!(got.ok().flatten(), Some(expected));
        }
    }
}
