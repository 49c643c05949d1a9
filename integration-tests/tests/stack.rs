//! A real stack over TCP, in the order the builder's docs give: tower-http's `TraceLayer`
//! outermost, then `CompressionLayer`, then `Strata::app()` with Cache-Control, computed ETags,
//! cookies and background tasks. Checks what only the whole stack shows: gzip and identity
//! bodies never share a strong ETag, a response with a cookie stays out of shared caches, and
//! background tasks run inside the request's tracing span.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{
    fmt::{self, Write as _},
    net::SocketAddr,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use axum::{Router, extract::Path, routing::get};
use axum_strata::{
    Strata,
    background::{BackgroundTask, BackgroundTasks, Runner},
    cookies::Cookie,
    headers::{CacheControl, ETag},
};
use integration_tests::{RawResponse, raw, serve};
use tower_http::{compression::CompressionLayer, trace::TraceLayer};
use tracing::{
    Event, Subscriber,
    field::{Field, Visit},
    span::{Attributes, Id},
};
use tracing_subscriber::{
    Layer,
    layer::{Context, SubscriberExt as _},
    registry::LookupSpan,
};

const DAY: Duration = Duration::from_secs(86_400);

/// Long enough for tower-http to compress (it leaves bodies under 32 bytes alone).
const REPORT: &str = "The rumbling rabbit ran around the rock, and around the rock again, and again.";

async fn greet(tasks: BackgroundTasks, Path(name): Path<String>) -> String {
    let who = name.clone();
    tasks.add(BackgroundTask::new("greet", async move { tracing::info!(who, "greeted in the background") }));
    tasks.add(BackgroundTask::blocking("save", move || tracing::info!("saved in the background")));
    format!("Hello, {name}!")
}

/// The stack, from the innermost layer out; `strong` keeps the app's tags strong.
fn app(runner: &Runner, strong: bool) -> Router {
    let level = Strata::app()
        .cache_control(CacheControl::max_age(DAY).public())
        .computed_etag()
        .background(runner.clone());
    let level = if strong { level.strong_etags() } else { level };
    Router::new()
        .route("/report", get(|| async { REPORT }))
        .route("/static", get(|| async { REPORT }).layer(Strata::layer().etag(ETag::strong("v1").unwrap())))
        .route("/login", get(|| async { ([("set-cookie", "session=s3cr3t; HttpOnly")], REPORT) }))
        .route(
            "/consent",
            get(|| async { REPORT }).layer(Strata::layer().cookie(Cookie::new("consent", "v3"))),
        )
        .route("/greet/{name}", get(greet))
        .layer(level)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

async fn send(addr: SocketAddr, path: &str, headers: &[&str]) -> RawResponse {
    let mut request = format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    raw(addr, &request).await
}

fn etag(response: &RawResponse) -> ETag {
    ETag::from_header(response.header_values("etag")[0]).unwrap()
}

/// RFC 9110 §8.8.3: a strong tag names one representation, and a content coding makes another.
/// tower-http's compression keeps the `ETag` as it is (and adds `Vary: Accept-Encoding`), so a
/// level sends its tags weak: the gzip and the identity body share a weak tag, which still
/// revalidates both.
#[tokio::test]
async fn gzip_and_identity_bodies_never_share_a_strong_etag() {
    let runner = Runner::new();
    let addr = serve(app(&runner, false)).await;
    for path in ["/report", "/static"] {
        let gzip = send(addr, path, &["accept-encoding: gzip"]).await;
        let identity = send(addr, path, &[]).await;
        assert_eq!(gzip.header_values("content-encoding"), ["gzip"], "{path}");
        assert!(gzip.content().starts_with(&[0x1f, 0x8b]), "{path}: a gzip body");
        assert!(identity.header_values("content-encoding").is_empty());
        assert_eq!(identity.content(), REPORT.as_bytes());
        let (a, b) = (etag(&gzip), etag(&identity));
        assert!(!a.strong_eq(&b), "{path}: one strong tag for two encodings: {a} and {b}");
        assert!(a.is_weak() && a.weak_eq(&b), "{path}: {a} and {b}");
        for r in [&gzip, &identity] {
            assert_eq!(r.header_values("vary"), ["accept-encoding"], "{path}");
        }
        // Either copy revalidates, whatever the encoding asked for now.
        for encoding in ["accept-encoding: gzip", "accept-encoding: identity"] {
            let r = send(addr, path, &[encoding, &format!("if-none-match: {a}")]).await;
            assert_eq!(r.status(), 304, "{path} {encoding}");
            assert!(r.body.is_empty());
        }
    }

    // What the default prevents: tags kept strong name both encodings.
    let addr = serve(app(&runner, true)).await;
    let gzip = send(addr, "/report", &["accept-encoding: gzip"]).await;
    let identity = send(addr, "/report", &[]).await;
    assert_eq!(gzip.header_values("content-encoding"), ["gzip"]);
    assert!(etag(&gzip).strong_eq(&etag(&identity)), "tower-http kept the strong tag on the gzip body");
}

/// A cookie, the handler's or a level's, under the app's `max-age=86400, public`: the response
/// is made private, through compression and tracing; the same content without a cookie stays
/// public.
#[tokio::test]
async fn a_response_that_sets_a_cookie_stays_out_of_shared_caches() {
    let addr = serve(app(&Runner::new(), false)).await;
    for path in ["/login", "/consent"] {
        let r = send(addr, path, &["accept-encoding: gzip"]).await;
        assert_eq!(r.header_values("cache-control"), ["max-age=86400, private"], "{path}");
        assert_eq!(r.header_values("set-cookie").len(), 1, "{path}");
        assert_eq!(r.header_values("content-encoding"), ["gzip"]);
    }
    let r = send(addr, "/report", &["accept-encoding: gzip"]).await;
    assert_eq!(r.header_values("cache-control"), ["max-age=86400, public"]);
    assert!(r.header_values("set-cookie").is_empty());
}

/// A recorded event: its message, and the spans it was in, innermost first, as
/// `name{field=value …}`.
type Recorded = (String, Vec<String>);

/// Every event, as [`Recorded`].
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Recorded>>>);

/// The fields of a span or event, written as `name=value`; the message kept apart.
#[derive(Default)]
struct Fields {
    message: String,
    text: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(
                self.text,
                "{}{}={value:?}",
                if self.text.is_empty() { "" } else { " " },
                field.name()
            );
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let scope = ctx
            .event_scope(event)
            .map(|scope| {
                scope
                    .map(|span| {
                        let text =
                            span.extensions().get::<Fields>().map(|f| f.text.clone()).unwrap_or_default();
                        format!("{}{{{text}}}", span.name())
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.0.lock().unwrap().push((fields.message, scope));
    }
}

/// The recorder, installed once as the process's subscriber (tasks run on other threads).
fn recorder() -> &'static Recorder {
    static RECORDER: OnceLock<Recorder> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let recorder = Recorder::default();
        let subscriber = tracing_subscriber::registry().with(recorder.clone());
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber in this test binary");
        recorder
    })
}

/// A background task runs after the response, but inside the span of the request that added it
/// (tower-http's `request` span here) and a span naming the task, async or blocking.
#[tokio::test]
async fn background_tasks_run_inside_the_request_span() {
    let recorder = recorder();
    let runner = Runner::new();
    let addr = serve(app(&runner, false)).await;
    let r = send(addr, "/greet/alice", &[]).await;
    assert_eq!(r.content(), b"Hello, alice!");
    assert!(runner.drain(Duration::from_secs(10)).await.is_complete());
    let events = recorder.0.lock().unwrap().clone();
    for (message, task) in [("greeted in the background", "greet"), ("saved in the background", "save")] {
        let (_, scope) = events
            .iter()
            .find(|(m, _)| m.starts_with(message))
            .unwrap_or_else(|| panic!("no {message:?} in {events:?}"));
        assert_eq!(scope.len(), 2, "{message}: {scope:?}");
        assert_eq!(scope[0], format!("background_task{{task={task}}}"), "{message}");
        assert!(scope[1].starts_with("request{"), "{message}: {scope:?}");
        assert!(scope[1].contains("uri=/greet/alice"), "{message}: {scope:?}");
    }
}
