//! A Strata level runs the same steps as the standalone layers stacked in its order: one request
//! matrix (methods, conditionals, ranges, documentation-only claims, hooks, negotiation,
//! cookies, default statuses, errors, cookies under a public Cache-Control, weak and strong
//! tags) goes through both, over TCP, and every answer must be the same
//! status, headers and bytes.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::time::Duration;

use axum::{
    Router,
    body::Body,
    http::{HeaderName, HeaderValue, StatusCode},
    response::Response,
    routing::{MethodRouter, get},
};
use axum_strata::{
    Strata,
    body::NoBody,
    cookies::{Cookie, CookiesLayer},
    file::{File, RangeLayer},
    headers::{CacheControl, ETag},
    negotiation::{Format, Negotiated, NegotiationLayer},
    problem::Problem,
    tower::{
        after_request::AfterRequestLayer, background::BackgroundLayer, conditional::ConditionalLayer,
        default_status::DefaultStatusLayer, etag::ComputedETagLayer, response_headers::ResponseHeadersLayer,
    },
};
use integration_tests::{RawResponse, request, serve};
use tower::ServiceBuilder;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-files/README.md");

fn tag(response: &mut Response, value: &'static str) {
    response.headers_mut().append(HeaderName::from_static("x-hooks"), HeaderValue::from_static(value));
}

/// What a route's own level does.
#[derive(Clone, Copy)]
enum Route {
    /// Documents an ETag it never sends.
    Claim,
    /// Has an after-request hook.
    Hook,
    /// Has a static ETag, kept strong, and a cookie.
    Static,
    /// Sends its Cache-Control and cookie on every status.
    Errors,
}

fn cookie(name: &'static str) -> Cookie<'static> {
    Cookie::new(name, "1")
}

/// The routes, each built by `level` for its route-level settings.
fn routes(route: impl Fn(MethodRouter, Route) -> MethodRouter) -> Router {
    let any = |r: MethodRouter| r.post(|| async { Negotiated(serde_json::json!({"made": true})) });
    let problem = |status: StatusCode| move || async move { Problem::new(status).with_detail("as asked") };
    Router::new()
        .route(
            "/value",
            any(get(|| async { Negotiated(serde_json::json!({"answer": 42})) }))
                .delete(|| async { Negotiated(()) }),
        )
        .route("/text", get(|| async { "hello world" }))
        .route("/file", get(|| async { File::open(FILE).await }))
        .route("/claimed", route(get(|| async { "a tag is documented here" }), Route::Claim))
        .route("/hooked", route(get(|| async { "hooked" }), Route::Hook))
        .route("/static", route(get(|| async { "a static tag" }), Route::Static))
        .route("/teapot", route(get(problem(StatusCode::IM_A_TEAPOT)), Route::Errors))
        .route("/gone", get(problem(StatusCode::NOT_FOUND)))
        .route("/broken", get(problem(StatusCode::INTERNAL_SERVER_ERROR)))
        .route("/login", get(|| async { ([("set-cookie", "session=s3cr3t; HttpOnly")], "welcome") }))
        .fallback(problem(StatusCode::NOT_FOUND))
}

/// The app as users write it: one `Strata` level per place.
fn fused() -> Router {
    routes(|method_router, route| {
        let level = match route {
            Route::Claim => Strata::layer().etag_documentation_only("set by a proxy"),
            Route::Hook => Strata::layer().after_request_fn(|r: &mut Response| tag(r, "route")),
            Route::Static => {
                Strata::layer().etag(ETag::strong("static").unwrap()).strong_etags().cookie(cookie("seen"))
            }
            Route::Errors => Strata::layer()
                .cache_control(CacheControl::no_store())
                .cache_headers_on_every_status()
                .cookie(cookie("tea"))
                .cookies_on_every_status(),
        };
        method_router.layer(level)
    })
    .layer(
        Strata::app()
            .header("x-app", "app")
            .cache_control(CacheControl::max_age(Duration::from_secs(60)).public())
            .cookie(Cookie::new("theme", "dark"))
            .computed_etag()
            .negotiate([Format::json(), Format::msgpack()])
            .after_request_fn(|r: &mut Response| tag(r, "app"))
            .chain_after_request(),
    )
}

/// The same app from the standalone layers, in the order a level runs its steps.
fn stacked() -> Router {
    routes(|method_router, route| match route {
        Route::Claim => method_router.layer(
            ResponseHeadersLayer::new().documentation_only(axum::http::header::ETAG, "set by a proxy"),
        ),
        Route::Hook => method_router.layer(AfterRequestLayer::sync(|r: &mut Response| tag(r, "route"))),
        // Cookies outside headers: a level applies its headers first.
        Route::Static => method_router.layer(
            ServiceBuilder::new()
                .layer(CookiesLayer::new().cookie(cookie("seen")))
                .layer(ResponseHeadersLayer::new().etag(ETag::strong("static").unwrap()).strong_etags()),
        ),
        Route::Errors => method_router.layer(
            ServiceBuilder::new().layer(CookiesLayer::new().cookie(cookie("tea")).on_every_status()).layer(
                ResponseHeadersLayer::new()
                    .cache_control(CacheControl::no_store())
                    .cache_headers_on_every_status(),
            ),
        ),
    })
    .layer(
        ServiceBuilder::new()
            .layer(BackgroundLayer::new(Body::new))
            .layer(RangeLayer::new())
            .layer(ConditionalLayer::new().empty_body(|| Body::new(NoBody)))
            .layer(AfterRequestLayer::sync(|r: &mut Response| tag(r, "app")).chain())
            .layer(ComputedETagLayer::new().outermost())
            .layer(CookiesLayer::new().cookie(Cookie::new("theme", "dark")))
            .layer(
                ResponseHeadersLayer::new()
                    .header(HeaderName::from_static("x-app"), HeaderValue::from_static("app"))
                    .cache_control(CacheControl::max_age(Duration::from_secs(60)).public()),
            )
            .layer(DefaultStatusLayer::new())
            .layer(NegotiationLayer::new([Format::json(), Format::msgpack()])),
    )
}

/// The head without its `date` line (the two servers answer at different seconds), and head and
/// body with the multipart boundary (random per response) replaced by a fixed one.
fn comparable(response: &RawResponse) -> (String, String) {
    let head =
        response.head.split("\r\n").filter(|l| !l.starts_with("date:")).collect::<Vec<_>>().join("\r\n");
    let body = String::from_utf8_lossy(&response.content()).into_owned();
    match head.split_once("boundary=") {
        Some((_, rest)) => {
            let boundary = rest.split("\r\n").next().unwrap().to_owned();
            (head.replace(&boundary, "BOUNDARY"), body.replace(&boundary, "BOUNDARY"))
        }
        None => (head, body),
    }
}

#[tokio::test]
async fn a_level_answers_every_request_as_the_stack_of_layers_does() {
    let (fused, stacked) = (serve(fused()).await, serve(stacked()).await);
    let mut compared = 0;
    for path in [
        "/value", "/text", "/file", "/claimed", "/hooked", "/static", "/teapot", "/gone", "/broken",
        "/login", "/nowhere",
    ] {
        // The validators the current representation has, to revalidate with.
        let first = request(fused, "GET", path, &[]).await;
        let etag = first.header_values("etag").first().map(|t| (*t).to_owned());
        let modified = first.header_values("last-modified").first().map(|t| (*t).to_owned());
        let mut conditions: Vec<Vec<String>> = vec![
            vec![],
            vec!["if-none-match: *".to_owned()],
            vec!["if-match: \"nope\"".to_owned()],
            vec!["if-none-match: \"other\"".to_owned()],
            vec!["range: bytes=0-3".to_owned()],
            vec!["range: bytes=0-1,4-5".to_owned()],
            vec!["range: bytes=99999-".to_owned()],
            vec!["accept: application/x-msgpack".to_owned()],
            vec!["accept: image/png".to_owned()],
            // A tie on weight: the more specific range wins.
            vec!["accept: application/*, application/x-msgpack".to_owned()],
            vec!["if-modified-since: Thu, 01 Jan 2099 00:00:00 GMT".to_owned()],
        ];
        if let Some(etag) = &etag {
            conditions.push(vec![format!("if-none-match: {etag}")]);
            conditions.push(vec![format!("if-match: {etag}")]);
            conditions.push(vec!["range: bytes=2-5".to_owned(), format!("if-range: {etag}")]);
        }
        if let Some(modified) = &modified {
            conditions.push(vec![format!("if-modified-since: {modified}")]);
            conditions.push(vec!["range: bytes=2-5".to_owned(), format!("if-range: {modified}")]);
        }
        for method in ["GET", "HEAD", "POST", "DELETE", "PUT"] {
            for headers in &conditions {
                let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
                let a = comparable(&request(fused, method, path, &headers).await);
                let b = comparable(&request(stacked, method, path, &headers).await);
                assert_eq!(a, b, "{method} {path} {headers:?}");
                compared += 1;
            }
        }
    }
    // The matrix did reach what it is meant to compare.
    let get = |path: &'static str, headers: Vec<String>| async move {
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        request(fused, "GET", path, &headers).await
    };
    assert_eq!(get("/file", vec!["range: bytes=0-3".to_owned()]).await.status(), 206);
    let text = get("/text", vec![]).await;
    assert_eq!(
        get("/text", vec![format!("if-none-match: {}", text.header_values("etag")[0])]).await.status(),
        304
    );
    assert!(get("/claimed", vec![]).await.header_values("etag").is_empty());
    assert_eq!(get("/hooked", vec![]).await.header_values("x-hooks"), ["route", "app"]);
    assert_eq!(request(fused, "POST", "/value", &[]).await.status(), 201);
    assert_eq!(request(fused, "DELETE", "/value", &[]).await.status(), 204);
    assert_eq!(get("/value", vec!["accept: image/png".to_owned()]).await.status(), 406);
    let tie = get("/value", vec!["accept: application/*, application/x-msgpack".to_owned()]).await;
    assert_eq!(tie.header_values("content-type"), ["application/x-msgpack"]);
    // The cache-safety steps.
    assert_eq!(text.header_values("etag")[0].get(..3), Some("W/\""), "a computed tag is weak");
    assert_eq!(get("/static", vec![]).await.header_values("etag"), ["\"static\""]);
    let inm_any = get("/claimed", vec!["if-none-match: *".to_owned()]).await;
    assert_eq!(inm_any.status(), 304, "no validator needed");
    for path in ["/gone", "/broken", "/nowhere"] {
        let error = get(path, vec![]).await;
        assert!(error.header_values("cache-control").is_empty(), "{path}");
        assert!(error.header_values("set-cookie").is_empty() && error.header_values("etag").is_empty());
        assert_eq!(error.header_values("x-app"), ["app"]);
    }
    let teapot = get("/teapot", vec![]).await;
    assert_eq!(teapot.status(), 418);
    assert_eq!(teapot.header_values("cache-control"), ["no-store"]);
    assert_eq!(teapot.header_values("set-cookie"), ["tea=1"]);
    let login = get("/login", vec![]).await;
    assert_eq!(login.header_values("cache-control"), ["max-age=60, private"]);
    assert_eq!(login.header_values("set-cookie"), ["session=s3cr3t; HttpOnly", "theme=dark"]);
    assert!(compared > 600, "{compared} requests compared");
}

/// A 304 announces no `content-length: 0` (RFC 9110 §8.6), from the standalone layer as from a
/// level, for `GET` and `HEAD`.
#[tokio::test]
async fn a_304_carries_no_content_length_either_way() {
    for app in [fused(), stacked()] {
        let addr = serve(app).await;
        let etag = request(addr, "GET", "/text", &[]).await.header_values("etag")[0].to_owned();
        for method in ["GET", "HEAD"] {
            let response = request(addr, method, "/text", &[&format!("if-none-match: {etag}")]).await;
            assert_eq!(response.status(), 304, "{method}");
            assert!(response.header_values("content-length").is_empty(), "{method}: {}", response.head);
            assert_eq!(response.header_values("etag"), [etag.as_str()]);
        }
    }
}
