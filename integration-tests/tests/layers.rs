//! The layering model over real TCP: four levels of headers, documentation-only claims,
//! Cache-Control and ETags, conditional requests, the Precondition extractor, default status
//! codes, after-request hooks and HEAD through the whole stack.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, StatusCode},
    response::IntoResponse,
    routing::get,
};
use axum_strata::{
    StatusByMethod, Strata,
    headers::{CacheControl, ETag},
    precondition::{Precondition, PreconditionRejection},
};
use integration_tests::{RawResponse, request, serve};

const DAY: Duration = Duration::from_secs(86_400);

fn status_of(r: &RawResponse) -> u16 {
    r.head[9..12].parse().unwrap()
}

/// The seed's layered-headers app, with one name set at every level and by the handler.
fn layered() -> Router {
    let handler = get(|| async { ([("shared", "handler")], "hello world") }).layer(
        Strata::layer()
            .header_with_description("my-local-header", "local header", "local level header")
            .header("shared", "route"),
    );
    let controller =
        Router::new().route("/handler-path", handler).route("/plain", get(|| async { "plain" })).layer(
            Strata::layer()
                .header("controller-level-header", "controller header")
                .header("shared", "controller"),
        );
    let router = Router::new()
        .nest("/controller-path", controller)
        .layer(Strata::layer().header("router-level-header", "router header").header("shared", "router"));
    Router::new()
        .nest("/router-path", router)
        .layer(Strata::app().header("app-level-header", "app header").header("shared", "app"))
}

#[tokio::test]
async fn four_levels_of_headers_and_the_handler_wins() {
    let addr = serve(layered()).await;
    let r = request(addr, "GET", "/router-path/controller-path/handler-path", &[]).await;
    assert_eq!(r.header_values("my-local-header"), ["local header"]);
    assert_eq!(r.header_values("controller-level-header"), ["controller header"]);
    assert_eq!(r.header_values("router-level-header"), ["router header"]);
    assert_eq!(r.header_values("app-level-header"), ["app header"]);
    assert_eq!(r.header_values("shared"), ["handler"], "one value, the handler's");

    let r = request(addr, "GET", "/router-path/controller-path/plain", &[]).await;
    assert_eq!(r.header_values("shared"), ["controller"]);
    assert!(r.header_values("my-local-header").is_empty());
}

fn random_header_app() -> Router {
    let dynamic = get(|| async { ([("random-header", "42")], "dynamic") })
        .layer(Strata::layer().documentation_only("random-header", "a random number in the range 1 - 100"));
    let silent = get(|| async { "silent" })
        .layer(Strata::layer().documentation_only("random-header", "documented, never sent"));
    Router::new()
        .route("/dynamic", dynamic)
        .route("/silent", silent)
        .route("/default", get(|| async { "default" }))
        .layer(Strata::app().header("random-header", "app default"))
}

#[tokio::test]
async fn documentation_only_suppresses_outer_values() {
    let addr = serve(random_header_app()).await;
    assert_eq!(request(addr, "GET", "/dynamic", &[]).await.header_values("random-header"), ["42"]);
    assert!(request(addr, "GET", "/silent", &[]).await.header_values("random-header").is_empty());
    assert_eq!(request(addr, "GET", "/default", &[]).await.header_values("random-header"), ["app default"]);
}

fn weather() -> Router {
    let controller = Router::new()
        .route("/chance_of_rain", get(|| async { Json(0.5) }))
        .route(
            "/timestamp",
            get(|| async { Json(1.7e9) }).layer(
                Strata::layer().cache_control(CacheControl::no_store()).etag(ETag::weak("bar").unwrap()),
            ),
        )
        .layer(
            Strata::layer()
                .cache_control(CacheControl::max_age(DAY).public())
                .etag(ETag::strong("foo").unwrap()),
        );
    Router::new()
        .route("/population", get(|| async { Json(100_000) }))
        .route(
            "/population-dynamic",
            get(|| async { ([("etag", "\"417\"")], "417") })
                .layer(Strata::layer().etag_documentation_only("the count itself")),
        )
        .route("/computed", get(|| async { "computed body" }).layer(Strata::layer().computed_etag()))
        .route("/not-found", get(|| async { (StatusCode::NOT_FOUND, "nothing") }))
        .merge(controller)
        .layer(
            Strata::app()
                .cache_control(CacheControl::max_age(Duration::from_secs(2_628_288)).public())
                .etag(ETag::strong("bar").unwrap()),
        )
}

#[tokio::test]
async fn cache_control_and_etag_follow_the_closest_level() {
    let addr = serve(weather()).await;
    let r = request(addr, "GET", "/population", &[]).await;
    assert_eq!(r.header_values("cache-control"), ["max-age=2628288, public"]);
    assert_eq!(r.header_values("etag"), ["W/\"bar\""], "a level's tags are weak");
    let r = request(addr, "GET", "/chance_of_rain", &[]).await;
    assert_eq!(r.header_values("cache-control"), ["max-age=86400, public"]);
    assert_eq!(r.header_values("etag"), ["W/\"foo\""]);
    let r = request(addr, "GET", "/timestamp", &[]).await;
    assert_eq!(r.header_values("cache-control"), ["no-store"]);
    assert_eq!(r.header_values("etag"), ["W/\"bar\""]);
    let r = request(addr, "GET", "/population-dynamic", &[]).await;
    assert_eq!(r.header_values("etag"), ["\"417\""], "the handler's tag, not the app's");
}

#[tokio::test]
async fn a_304_keeps_validators_and_has_no_body_nor_content_length() {
    let addr = serve(weather()).await;
    for method in ["GET", "HEAD"] {
        let r = request(addr, method, "/chance_of_rain", &["if-none-match: \"x\", W/\"foo\""]).await;
        assert!(r.head.starts_with("HTTP/1.1 304 Not Modified\r\n"), "{method}: {}", r.head);
        assert_eq!(r.header_values("etag"), ["W/\"foo\""]);
        assert_eq!(r.header_values("cache-control"), ["max-age=86400, public"]);
        assert!(r.header_values("content-length").is_empty(), "{method}: {}", r.head);
        assert!(r.header_values("content-type").is_empty(), "{method}: {}", r.head);
        assert!(r.body.is_empty());
    }
    // A stale copy gets the full response.
    let r = request(addr, "GET", "/chance_of_rain", &["if-none-match: \"old\""]).await;
    assert_eq!(status_of(&r), 200);
    assert_eq!(r.body, b"0.5");
    // Malformed conditional headers are ignored.
    let r = request(addr, "GET", "/chance_of_rain", &["if-none-match: foo"]).await;
    assert_eq!(status_of(&r), 200);
    // Only responses that would have been 2xx become 304.
    let r = request(addr, "GET", "/not-found", &["if-none-match: *"]).await;
    assert_eq!(status_of(&r), 404);
}

/// The README's app, with a fallback, a handler's 404 and a 500: errors get the app's policy
/// headers, but neither its month of `Cache-Control`, nor its ETag, nor its cookies.
fn with_errors(every_status: bool) -> Router {
    let app = Strata::app()
        .header("app-level-header", "app header")
        .header("x-frame-options", "DENY")
        .cache_control(CacheControl::max_age(DAY * 30).public())
        .etag(ETag::strong("bar").unwrap())
        .cookie(axum_strata::cookies::Cookie::new("theme", "dark"));
    let app = if every_status { app.cache_headers_on_every_status().cookies_on_every_status() } else { app };
    Router::new()
        .route("/population", get(|| async { Json(100_000) }))
        .route("/gone", get(|| async { axum_strata::problem::Problem::new(StatusCode::NOT_FOUND) }))
        .route(
            "/broken",
            get(|| async { axum_strata::problem::Problem::new(StatusCode::INTERNAL_SERVER_ERROR) }),
        )
        .route(
            "/own-cookie",
            get(|| async { (StatusCode::NOT_FOUND, [("set-cookie", "handler=kept")], "no such thing") }),
        )
        .fallback(|| async { axum_strata::problem::Problem::new(StatusCode::NOT_FOUND) })
        .layer(app)
}

#[tokio::test]
async fn errors_get_the_policy_headers_but_no_cache_headers_nor_cookies() {
    let addr = serve(with_errors(false)).await;
    let ok = request(addr, "GET", "/population", &[]).await;
    assert_eq!(ok.header_values("cache-control"), ["max-age=2592000, private"], "private: it sets a cookie");
    assert_eq!(ok.header_values("etag"), ["W/\"bar\""]);
    assert_eq!(ok.header_values("set-cookie"), ["theme=dark"]);
    for (path, status) in [("/nowhere", 404), ("/gone", 404), ("/broken", 500)] {
        for method in ["GET", "HEAD"] {
            let r = request(addr, method, path, &[]).await;
            assert_eq!(status_of(&r), status, "{method} {path}");
            assert!(r.header_values("cache-control").is_empty(), "{method} {path}: {}", r.head);
            assert!(r.header_values("etag").is_empty(), "{method} {path}: {}", r.head);
            assert!(r.header_values("set-cookie").is_empty(), "{method} {path}: {}", r.head);
            assert_eq!(r.header_values("app-level-header"), ["app header"], "{method} {path}");
            assert_eq!(r.header_values("x-frame-options"), ["DENY"], "{method} {path}");
        }
    }
    // Conditional requests do not reach errors either.
    let r = request(addr, "GET", "/nowhere", &["if-none-match: W/\"bar\""]).await;
    assert_eq!(status_of(&r), 404);
    // A cookie the handler sets on its own error is its own.
    let r = request(addr, "GET", "/own-cookie", &[]).await;
    assert_eq!(r.header_values("set-cookie"), ["handler=kept"]);

    // A level that asks for every status gets it.
    let addr = serve(with_errors(true)).await;
    let r = request(addr, "GET", "/broken", &[]).await;
    assert_eq!(status_of(&r), 500);
    assert_eq!(r.header_values("cache-control"), ["max-age=2592000, private"]);
    assert_eq!(r.header_values("etag"), ["W/\"bar\""]);
    assert_eq!(r.header_values("set-cookie"), ["theme=dark"]);
}

/// A response that sets a cookie under a level's shared-cacheable `Cache-Control` is made
/// `private`, unless the level opts out: a CDN would otherwise hand one user's session to the
/// next.
#[tokio::test]
async fn a_cookie_under_a_public_cache_control_is_private_unless_a_level_opts_out() {
    let routes = || {
        Router::new()
            .route("/login", get(|| async { ([("set-cookie", "session=s3cr3t; HttpOnly")], "welcome") }))
            .route("/page", get(|| async { "the same for everyone" }))
            .route(
                "/own",
                get(|| async {
                    ([("set-cookie", "a=b"), ("cache-control", "public, max-age=5")], "the handler's choice")
                }),
            )
    };
    let public = || Strata::app().cache_control(CacheControl::max_age(DAY).with_s_maxage(DAY * 7).public());
    let addr = serve(routes().layer(public())).await;
    let r = request(addr, "GET", "/login", &[]).await;
    assert_eq!(r.header_values("cache-control"), ["max-age=86400, private"]);
    assert_eq!(r.header_values("set-cookie"), ["session=s3cr3t; HttpOnly"]);
    let r = request(addr, "GET", "/page", &[]).await;
    assert_eq!(r.header_values("cache-control"), ["max-age=86400, s-maxage=604800, public"]);
    let r = request(addr, "GET", "/own", &[]).await;
    assert_eq!(
        r.header_values("cache-control"),
        ["public, max-age=5"],
        "set by the handler, with its cookie"
    );

    // A route level's cookie under the app's Cache-Control.
    let app = Router::new()
        .route(
            "/consent",
            get(|| async { "ok" })
                .layer(Strata::layer().cookie(axum_strata::cookies::Cookie::new("consent", "v3"))),
        )
        .layer(public());
    let r = request(serve(app).await, "GET", "/consent", &[]).await;
    assert_eq!(r.header_values("cache-control"), ["max-age=86400, private"]);

    // Opting out keeps it public.
    let addr = serve(routes().layer(public().public_with_cookies())).await;
    let r = request(addr, "GET", "/login", &[]).await;
    assert_eq!(r.header_values("cache-control"), ["max-age=86400, s-maxage=604800, public"]);
}

#[tokio::test]
async fn computed_etags_revalidate_and_if_match_fails_with_412() {
    let addr = serve(weather()).await;
    let r = request(addr, "GET", "/computed", &[]).await;
    let tag = r.header_values("etag")[0].to_owned();
    assert_eq!(tag.len(), 26, "{tag}");
    assert!(tag.starts_with("W/\""), "weak: {tag}");
    assert_ne!(tag, "W/\"bar\"", "the computed tag beats the app's static one");
    let r = request(addr, "GET", "/computed", &[&format!("if-none-match: {tag}")]).await;
    assert_eq!(status_of(&r), 304);
    let r = request(addr, "GET", "/computed", &["if-match: \"something-else\""]).await;
    assert_eq!(status_of(&r), 412);
    assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
    assert_eq!(r.header_values("etag"), [tag.as_str()]);
}

#[tokio::test]
async fn head_has_the_get_headers_through_every_layer_and_no_body() {
    let addr = serve(weather()).await;
    let get = request(addr, "GET", "/computed", &[]).await;
    let head = request(addr, "HEAD", "/computed", &[]).await;
    assert_eq!(status_of(&head), 200);
    for name in ["etag", "cache-control", "content-type", "content-length"] {
        assert_eq!(head.header_values(name), get.header_values(name), "{name}");
    }
    assert_eq!(head.header_values("content-length"), ["13"]);
    assert!(head.body.is_empty());
}

type Version = Arc<Mutex<u64>>;

fn current(version: &Version) -> ETag {
    ETag::strong(version.lock().unwrap().to_string()).unwrap()
}

async fn replace(State(version): State<Version>, precondition: Precondition) -> impl IntoResponse {
    let tag = current(&version);
    precondition.require()?.check(Some(&tag))?;
    let mut v = version.lock().unwrap();
    *v += 1;
    let new = ETag::strong(v.to_string()).unwrap();
    Ok::<_, PreconditionRejection>(([("etag", new.to_string())], Json(*v)))
}

async fn remove(precondition: Precondition) -> Result<impl IntoResponse, PreconditionRejection> {
    precondition.check(Some(&ETag::strong("1").unwrap()))?;
    Ok((StatusByMethod, "this body is dropped"))
}

async fn create() -> impl IntoResponse {
    (StatusByMethod, Json(serde_json::json!({"id": 1})))
}

fn items() -> Router {
    Router::new()
        .route("/items", get(|| async { Json([1, 2]) }).post(create))
        .route("/items/1", get(|| async { "item" }).put(replace).delete(remove))
        .route("/plain", axum::routing::post(|| async { Json("plain") }))
        .with_state(Arc::new(Mutex::new(1)))
        .layer(Strata::app())
}

#[tokio::test]
async fn precondition_extractor_answers_412_and_428() {
    let addr = serve(items()).await;
    let r = request(addr, "PUT", "/items/1", &["if-match: \"0\"", "content-length: 0"]).await;
    assert_eq!(status_of(&r), 412);
    assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
    assert_eq!(r.header_values("etag"), ["\"1\""], "the current version is sent back");
    let problem: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(problem["status"], 412);

    let r = request(addr, "PUT", "/items/1", &["content-length: 0"]).await;
    assert_eq!(status_of(&r), 428);

    let r = request(addr, "PUT", "/items/1", &["if-match: \"1\"", "content-length: 0"]).await;
    assert_eq!(status_of(&r), 200, "{}", r.head);
    assert_eq!(r.header_values("etag"), ["\"2\""]);
    // The same If-Match again is now stale: lost updates are refused.
    let r = request(addr, "PUT", "/items/1", &["if-match: \"1\"", "content-length: 0"]).await;
    assert_eq!(status_of(&r), 412);
}

#[tokio::test]
async fn post_201_and_delete_204_without_a_body() {
    let addr = serve(items()).await;
    let r = request(addr, "POST", "/items", &["content-length: 0"]).await;
    assert_eq!(status_of(&r), 201);
    assert_eq!(r.body, br#"{"id":1}"#);

    let r = request(addr, "DELETE", "/items/1", &[]).await;
    assert!(r.head.starts_with("HTTP/1.1 204 No Content\r\n"), "{}", r.head);
    assert!(r.header_values("content-type").is_empty());
    assert!(r.header_values("content-length").is_empty());
    assert!(r.body.is_empty());

    // Plain axum responses keep their 200 unless the app opts in.
    let r = request(addr, "POST", "/plain", &["content-length: 0"]).await;
    assert_eq!(status_of(&r), 200);
    let opted_in = Router::new()
        .route("/plain", axum::routing::post(|| async { Json("plain") }))
        .layer(Strata::app().default_status_for_plain_responses());
    let r = request(serve(opted_in).await, "POST", "/plain", &["content-length: 0"]).await;
    assert_eq!(status_of(&r), 201);
}

fn hooks(chain: bool) -> Router {
    let route = get(|| async { ([("random-header", "500")], "resource") });
    let router = Router::new()
        .route("/resources", route)
        .route(
            "/own-hook",
            get(|| async { "own" }).layer(Strata::layer().after_request_fn(|r| {
                r.headers_mut().append("x-hooks", HeaderValue::from_static("route"));
            })),
        )
        .layer(
            Strata::layer()
                .documentation_only("random-header", "a random number in the range 1 - 100")
                .after_request(|mut response| async move {
                    response.headers_mut().insert("random-header", HeaderValue::from_static("7"));
                    response.headers_mut().append("x-hooks", HeaderValue::from_static("router"));
                    response
                }),
        );
    let app = Strata::app().after_request_fn(|r| {
        r.headers_mut().append("x-hooks", HeaderValue::from_static("app"));
    });
    let app = if chain { app.chain_after_request() } else { app };
    Router::new().nest("/router-path", router).layer(app)
}

#[tokio::test]
async fn only_the_closest_after_request_hook_runs_unless_chained() {
    let addr = serve(hooks(false)).await;
    let r = request(addr, "GET", "/router-path/resources", &[]).await;
    assert_eq!(r.header_values("random-header"), ["7"], "the router's hook overrides the handler");
    assert_eq!(r.header_values("x-hooks"), ["router"]);
    let r = request(addr, "GET", "/router-path/own-hook", &[]).await;
    assert_eq!(r.header_values("x-hooks"), ["route"]);

    let addr = serve(hooks(true)).await;
    let r = request(addr, "GET", "/router-path/resources", &[]).await;
    assert_eq!(r.header_values("x-hooks"), ["router", "app"]);
}

#[tokio::test]
async fn a_route_documented_etag_holds_against_the_apps_computed_one() {
    let app = Router::new()
        .route(
            "/documented",
            get(|| async { "the handler set no tag this time" })
                .layer(Strata::layer().etag_documentation_only("set by the handler when it has one")),
        )
        .route("/computed", get(|| async { "tagged" }))
        .layer(Strata::app().computed_etag());
    let addr = serve(app).await;
    assert!(request(addr, "GET", "/documented", &[]).await.header_values("etag").is_empty());
    assert_eq!(request(addr, "GET", "/computed", &[]).await.header_values("etag").len(), 1);
}

#[tokio::test]
async fn a_status_chosen_by_the_handler_beats_status_by_method() {
    let app = Router::new()
        .route(
            "/accepted",
            axum::routing::post(|| async { (StatusCode::ACCEPTED, StatusByMethod, "queued") }),
        )
        .layer(Strata::app());
    let r = request(serve(app).await, "POST", "/accepted", &["content-length: 0"]).await;
    assert_eq!(status_of(&r), 202);
}
