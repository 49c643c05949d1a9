//! Route names over TCP: nest prefixes however deep, several paths per name, encoding,
//! absolute URLs (absolute-form targets, forwarded headers trusted or not), duplicates refused
//! at start, and layered route metadata, closest winning.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use axum::{Extension, Router, routing::get};
use axum_strata::{
    Strata,
    host::TrustForwarded,
    names::{NO_PARAMS, NamedRouter, UrlError, Urls},
};
use integration_tests::{raw, serve};
use serde::Serialize;

#[derive(Serialize)]
struct Pair {
    id: u32,
    val: &'static str,
}

/// Answers with the path (or URL) the `q` query asks for, or the error.
async fn build(urls: Urls, axum::extract::RawQuery(query): axum::extract::RawQuery) -> String {
    let result = match query.as_deref().unwrap_or("") {
        "none" => urls.path("many", NO_PARAMS),
        "id" => urls.path("many", [("id", 100)]),
        "both" => urls.path("many", [("id", "100"), ("val", "value")]),
        "typed" => urls.path_with("many", &Pair { id: 7, val: "seven" }),
        "awkward" => urls.path("many", [("id", "a/b?c#d"), ("val", "é %")]),
        "rest" => urls.path("files", [("rest", "dir/sub dir/x.txt")]),
        "url" => urls.url("many", [("id", 5)]),
        "sibling" => urls.path("leaf", NO_PARAMS),
        "unknown" => urls.path("nope", NO_PARAMS),
        "missing" => urls.path("files", NO_PARAMS),
        "empty" => urls.path("many", [("id", "")]),
        other => return format!("? {other}"),
    };
    match result {
        Ok(path) => path,
        Err(e) => format!("error: {e}"),
    }
}

fn inner() -> NamedRouter {
    NamedRouter::new()
        .route_named(
            "many",
            ["/some-path", "/some-path/{id}", "/some-path/{id}/{val}"],
            get(|| async { "many" }),
        )
        .route_named("files", ["/files/{*rest}"], get(|| async { "files" }))
        .route("/build", get(build))
}

fn app() -> Router {
    let deep = NamedRouter::new().nest("/v1", NamedRouter::new().nest("/inner", inner())).route_named(
        "leaf",
        ["/"],
        get(|| async { "leaf" }),
    );
    // Nested again by a plain router after finishing: found from the matched route.
    Router::new().nest("/outer", deep.finish().unwrap())
}

async fn get_text(addr: std::net::SocketAddr, target: &str, headers: &str) -> String {
    let r = raw(
        addr,
        &format!("GET {target} HTTP/1.1\r\nhost: example.com\r\n{headers}connection: close\r\n\r\n"),
    )
    .await;
    assert!(r.head.starts_with("HTTP/1.1 200"), "{target}: {}", r.head);
    String::from_utf8(r.content()).unwrap()
}

#[tokio::test]
async fn paths_follow_every_prefix_and_pick_the_path_using_the_most_parameters() {
    let addr = serve(app()).await;
    let at = |q: &'static str| {
        get_text(addr, Box::leak(format!("/outer/v1/inner/build?{q}").into_boxed_str()), "")
    };
    assert_eq!(at("none").await, "/outer/v1/inner/some-path");
    assert_eq!(at("id").await, "/outer/v1/inner/some-path/100");
    assert_eq!(at("both").await, "/outer/v1/inner/some-path/100/value");
    assert_eq!(at("typed").await, "/outer/v1/inner/some-path/7/seven");
    assert_eq!(at("awkward").await, "/outer/v1/inner/some-path/a%2Fb%3Fc%23d/%C3%A9%20%25");
    assert_eq!(at("rest").await, "/outer/v1/inner/files/dir/sub%20dir/x.txt");
    assert_eq!(at("sibling").await, "/outer");
    assert_eq!(at("unknown").await, "error: no route is named `nope`");
    assert_eq!(at("missing").await, "error: the route `files` needs the parameters rest");
    // An empty value is no value: the path without it.
    assert_eq!(at("empty").await, "/outer/v1/inner/some-path");
    // The built paths are served.
    assert_eq!(get_text(addr, "/outer/v1/inner/some-path/a%2Fb%3Fc%23d/%C3%A9%20%25", "").await, "many");
    assert_eq!(get_text(addr, "/outer", "").await, "leaf");
}

#[tokio::test]
async fn absolute_urls_take_the_target_authority_then_host_and_forwarded_headers_only_when_trusted() {
    let addr = serve(app()).await;
    let path = "/outer/v1/inner/build?url";
    assert_eq!(get_text(addr, path, "").await, "http://example.com/outer/v1/inner/some-path/5");
    let absolute = format!("http://other.example:8080{path}");
    assert_eq!(get_text(addr, &absolute, "").await, "http://other.example:8080/outer/v1/inner/some-path/5");
    let forwarded = "x-forwarded-proto: https\r\nx-forwarded-host: public.example\r\n";
    assert_eq!(
        get_text(addr, path, forwarded).await,
        "http://example.com/outer/v1/inner/some-path/5",
        "not trusted"
    );

    let trusting = serve(app().layer(Extension(TrustForwarded::x_forwarded(1)))).await;
    assert_eq!(
        get_text(trusting, path, forwarded).await,
        "https://public.example/outer/v1/inner/some-path/5"
    );
}

#[tokio::test]
async fn a_prefix_with_parameters_or_a_trailing_slash_is_the_one_the_request_came_by() {
    let api = NamedRouter::new()
        .route_named("item", ["/items/{id}"], get(|| async { "item" }))
        .route("/link", get(|urls: Urls| async move { urls.path("item", [("id", 1)]).unwrap() }))
        .finish()
        .unwrap();
    let app = Router::new().nest("/t/{tenant}", api.clone()).nest("/slash/", api);
    let addr = serve(app).await;
    assert_eq!(get_text(addr, "/t/acme%20co/link", "").await, "/t/acme%20co/items/1");
    assert_eq!(get_text(addr, "/slash/link", "").await, "/slash/items/1");
    assert_eq!(get_text(addr, "/slash/items/1", "").await, "item");
}

#[test]
fn a_name_given_to_two_routes_is_refused_naming_both() {
    let routes = NamedRouter::<Router>::new()
        .route_named("same", ["/a"], get(|| async {}))
        .nest("/n", NamedRouter::new().route_named("same", ["/b"], get(|| async {})));
    let error = routes.finish().unwrap_err();
    assert_eq!(error.to_string(), "the route name `same` is given to both `/a` and `/n/b`");
    // One registration with several paths is one route.
    let fine = NamedRouter::<Router>::new().route_named("one", ["/x", "/x/{id}"], get(|| async {}));
    assert_eq!(fine.names().unwrap().path("one", [("id", 3)]), Ok("/x/3".to_owned()));
    assert_eq!(fine.names().unwrap().path("two", NO_PARAMS), Err(UrlError::UnknownName("two".to_owned())));
}

#[derive(Clone, Debug)]
struct Role(&'static str);

#[derive(Clone, Debug)]
struct Limit(u32);

#[tokio::test]
async fn route_metadata_merges_across_levels_closest_winning_per_type() {
    let read = |Extension(Role(role)): Extension<Role>, limit: Option<Extension<Limit>>| async move {
        format!("{role} {}", limit.map_or(0, |Extension(Limit(n))| n))
    };
    let router = Router::new()
        .route("/route", get(read).layer(Strata::layer().opt(Role("route"))))
        .route("/router", get(read))
        .layer(Strata::layer().opt(Role("router")).opt(Limit(5)));
    let app = Router::new().nest("/r", router).route("/app", get(read)).layer(Strata::app().opt(Role("app")));
    let addr = serve(app).await;
    assert_eq!(get_text(addr, "/r/route", "").await, "route 5");
    assert_eq!(get_text(addr, "/r/router", "").await, "router 5");
    assert_eq!(get_text(addr, "/app", "").await, "app 0");
}

#[derive(axum_extra::routing::TypedPath, serde::Deserialize)]
#[typed_path("/items/{id}")]
struct ItemPath {
    id: String,
}

#[tokio::test]
async fn typed_paths_are_named_and_built_back_under_their_prefixes() {
    let api = NamedRouter::new()
        .typed_route::<ItemPath>("item", get(|ItemPath { id }: ItemPath| async move { id }))
        .route(
            "/links",
            get(|urls: Urls| async move {
                let typed = urls.typed(&ItemPath { id: "a b".to_owned() }).unwrap();
                let named = urls.path("item", [("id", "7")]).unwrap();
                format!("{typed} {named}")
            }),
        );
    let app = Router::new().nest("/outer", NamedRouter::new().nest("/api", api).finish().unwrap());
    let addr = serve(app).await;
    assert_eq!(get_text(addr, "/outer/api/links", "").await, "/outer/api/items/a%20b /outer/api/items/7");
    assert_eq!(get_text(addr, "/outer/api/items/a%20b", "").await, "a b");
}
