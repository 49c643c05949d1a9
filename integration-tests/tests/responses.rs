//! Response types, cookies, MessagePack, redirects and content negotiation over real TCP.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use axum::{Router, http::StatusCode, routing::get};
use axum_strata::{
    Strata,
    content::{Content, MediaType},
    cookies::{Cookie, SameSite},
    negotiation::{Format, Negotiated},
    redirect::Redirect,
};
use integration_tests::{RawResponse, raw, request, serve};
use serde::Serialize;

fn status(r: &RawResponse) -> u16 {
    r.head[9..12].parse().unwrap()
}

#[derive(Serialize)]
struct Health {
    hello: &'static str,
}

fn negotiated() -> Router {
    Router::new()
        .route("/health", get(|| async { Negotiated(Health { hello: "world" }) }))
        .route(
            "/fallback",
            get(|| async { Negotiated(Health { hello: "world" }) })
                .layer(Strata::layer().negotiate([Format::msgpack()]).negotiation_fallback(Format::json())),
        )
        .layer(Strata::app().negotiate([Format::json(), Format::msgpack()]))
}

#[tokio::test]
async fn negotiation_cases_of_the_design() {
    let addr = serve(negotiated()).await;
    let ct = |r: &RawResponse| r.header_values("content-type").first().map(|s| (*s).to_owned());
    for (accept, expected) in [
        // No Accept, */*, empty and garbage: the server's first format.
        (None, Some("application/json")),
        (Some("*/*"), Some("application/json")),
        (Some(""), Some("application/json")),
        (Some("garbage, ;;;"), Some("application/json")),
        // Weights, and q=0 refusing what a wildcard would allow.
        (Some("application/json;q=0.5, application/x-msgpack"), Some("application/x-msgpack")),
        (Some("*/*, application/json;q=0"), Some("application/x-msgpack")),
        // Specificity beats order: application/* q=0.1 does not drag JSON below msgpack's 0.5.
        (
            Some("application/*;q=0.1, application/json, application/x-msgpack;q=0.5"),
            Some("application/json"),
        ),
        // Ties go to the server's order.
        (Some("application/x-msgpack, application/json"), Some("application/json")),
        // A browser's Accept: */*;q=0.8 → the first format.
        (
            Some("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
            Some("application/json"),
        ),
    ] {
        let headers: Vec<String> = accept.iter().map(|a| format!("accept: {a}")).collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let r = request(addr, "GET", "/health", &headers).await;
        assert_eq!(ct(&r).as_deref(), expected, "accept: {accept:?}");
        assert_eq!(r.header_values("vary"), ["accept"], "accept: {accept:?}");
    }
    // Several Accept lines are one list.
    let r = request(addr, "GET", "/health", &["accept: image/png", "accept: application/x-msgpack"]).await;
    assert_eq!(ct(&r).as_deref(), Some("application/x-msgpack"));
    assert_eq!(r.body, b"\x81\xa5hello\xa5world");

    // Nothing acceptable: 406 listing what is offered.
    let r = request(addr, "GET", "/health", &["accept: image/png"]).await;
    assert_eq!(status(&r), 406);
    assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
    let problem: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("application/json") && detail.contains("application/x-msgpack"), "{detail}");

    // The closest level negotiates, with its fallback.
    let r = request(addr, "GET", "/fallback", &["accept: application/json"]).await;
    assert_eq!(status(&r), 200);
    assert_eq!(r.header_values("content-type"), ["application/json"]);
}

fn cookies() -> Router {
    let route = get(|| async {
        Content::new("x")
            .media_type(MediaType::Text)
            .cookie(Cookie::build(("theme", "route")).path("/").build())
            .cookie(Cookie::build(("cross", "site")).same_site(SameSite::None).build())
    })
    .layer(Strata::layer().cookie(Cookie::build(("lang", "route")).path("/").build()));
    Router::new()
        .route("/c", route)
        .route("/delete", get(|| async { Content::new("bye").delete_cookie("theme", Some("/"), None) }))
        .layer(
            Strata::app()
                .cookie(Cookie::build(("theme", "app")).path("/").build())
                .cookie(Cookie::build(("lang", "app")).path("/").build())
                .cookie(Cookie::build(("app-only", "1")).path("/").http_only(true).build()),
        )
}

#[tokio::test]
async fn cookies_layer_per_name_path_and_domain_and_delete_properly() {
    let addr = serve(cookies()).await;
    let r = request(addr, "GET", "/c", &[]).await;
    let mut lines = r.header_values("set-cookie");
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "app-only=1; HttpOnly; Path=/",
            "cross=site; SameSite=None; Secure",
            "lang=route; Path=/",
            "theme=route; Path=/"
        ]
    );
    let r = request(addr, "GET", "/delete", &[]).await;
    let lines = r.header_values("set-cookie");
    assert!(lines.contains(&"theme=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"), "{lines:?}");
    assert!(
        !lines.iter().any(|l| l.starts_with("theme=app")),
        "the deletion is not undone by the app's cookie"
    );
}

#[tokio::test]
async fn redirects_and_refusals_on_the_wire() {
    let app = Router::new()
        .route("/go", get(|| async { Redirect::see_other("/done?x=1") }))
        .route("/evil", get(|| async { Redirect::found("/a\r\nSet-Cookie: stolen=1") }))
        .route("/bad-status", get(|| async { Redirect::with_status("/a", StatusCode::OK) }));
    let addr = serve(app).await;
    let r = request(addr, "GET", "/go", &[]).await;
    assert!(r.head.starts_with("HTTP/1.1 303 See Other"));
    assert_eq!(r.header_values("location"), ["/done?x=1"]);
    for path in ["/evil", "/bad-status"] {
        let r = request(addr, "GET", path, &[]).await;
        assert_eq!(status(&r), 500, "{path}");
        assert!(r.header_values("set-cookie").is_empty());
        assert!(r.header_values("location").is_empty());
    }
}

#[tokio::test]
async fn vary_adds_up_and_unnegotiated_values_are_json_of_known_length_with_the_method_status() {
    let app = Router::new()
        .route(
            "/n",
            get(|| async { Negotiated(Health { hello: "world" }) })
                .post(|| async { Negotiated(Health { hello: "created" }) })
                .layer(Strata::layer().negotiate([Format::json(), Format::msgpack()])),
        )
        .route("/plain", get(|| async { Negotiated(Health { hello: "world" }) }))
        .layer(Strata::app().header("vary", "Accept-Encoding").header("set-cookie", "seen=1; Path=/"));
    let addr = serve(app).await;
    let r = request(addr, "GET", "/n", &["accept: application/json"]).await;
    assert_eq!(r.header_values("vary"), ["accept, accept-encoding"]);
    assert_eq!(r.header_values("set-cookie"), ["seen=1; Path=/"]);

    // No level negotiates /plain: the app sends JSON whatever the Accept, with its length.
    let r = request(addr, "GET", "/plain", &["accept: image/png"]).await;
    assert_eq!(status(&r), 200);
    assert_eq!(r.header_values("content-type"), ["application/json"]);
    assert_eq!(r.header_values("content-length"), ["17"]);
    assert_eq!(r.header_values("vary"), ["accept-encoding"]);

    let r = raw(addr, "POST /n HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 0\r\n\r\n").await;
    assert_eq!(status(&r), 201, "Negotiated leaves the status to the method");
}

#[tokio::test]
async fn an_sse_producer_stops_when_the_client_goes_away() {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    };

    use axum_strata::sse::{Message as SseMessage, ServerSentEvent};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    struct Guard(Arc<AtomicBool>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let produced = Arc::new(AtomicU64::new(0));
    let (flag, count) = (Arc::clone(&dropped), Arc::clone(&produced));
    let app = Router::new().route(
        "/events",
        get(move || {
            let guard = Guard(Arc::clone(&flag));
            let count = Arc::clone(&count);
            async move {
                ServerSentEvent::new(async_stream::stream! {
                    let _guard = guard;
                    loop {
                        count.fetch_add(1, Ordering::SeqCst);
                        yield SseMessage::from("tick");
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    }
                })
            }
        }),
    );
    let addr = serve(app).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /events HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(n > 0);
    drop(stream);
    // The server notices on its next write; the stream (and its producer) is then dropped.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !dropped.load(Ordering::SeqCst) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(dropped.load(Ordering::SeqCst), "the producer was dropped");
    let at_drop = produced.load(Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(produced.load(Ordering::SeqCst), at_drop, "nothing is produced after the client left");
}
