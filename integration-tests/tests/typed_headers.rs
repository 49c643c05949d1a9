//! The typed headers of strata-headers used from real axum handlers, over real connections.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::time::Duration;

use axum::{Router, http::StatusCode, response::IntoResponse, routing::get};
use axum_extra::TypedHeader;
use axum_strata::headers::{
    Accept, CacheControl, ContentDisposition, ETag, IfNoneMatch, LastEventId, Link, LinkValue, Vary, mime,
    vary,
};
use integration_tests::{raw, serve};

/// Negotiates between JSON and plain text by hand, as the seed's negotiation example does.
async fn negotiate(accept: Option<TypedHeader<Accept>>) -> impl IntoResponse {
    let accept = accept.map(|TypedHeader(a)| a).unwrap_or_default();
    let offers = [mime::APPLICATION_JSON, mime::TEXT_PLAIN_UTF_8];
    let mut response = match accept.best_match(&offers) {
        Some(m) if *m == mime::APPLICATION_JSON => {
            ([("content-type", "application/json")], "{\"ok\":true}").into_response()
        }
        Some(_) => "ok".into_response(),
        None => (StatusCode::NOT_ACCEPTABLE, "offered: application/json, text/plain").into_response(),
    };
    vary::append(response.headers_mut(), &axum::http::header::ACCEPT);
    response
}

/// Answers 304 when the client already has the current version.
async fn versioned(inm: Option<TypedHeader<IfNoneMatch>>) -> impl IntoResponse {
    let current = ETag::strong("v2").unwrap();
    let cache = TypedHeader(CacheControl::max_age(Duration::from_secs(60)).public());
    if inm.is_some_and(|TypedHeader(inm)| !inm.precondition_passes(Some(&current))) {
        return (StatusCode::NOT_MODIFIED, TypedHeader(current), cache).into_response();
    }
    (TypedHeader(current), cache, "version 2").into_response()
}

async fn download() -> impl IntoResponse {
    (TypedHeader(ContentDisposition::attachment().with_filename("résumé \"2024\".pdf")), "%PDF-1.4")
}

async fn pages() -> impl IntoResponse {
    let link = Link::from_values([
        LinkValue::new("/people?page=3&size=10").with_rel("next"),
        LinkValue::new("/people?page=1&size=10").with_rel("prev"),
    ]);
    (TypedHeader(link), TypedHeader(Vary::fields([axum::http::header::ACCEPT])), "[]")
}

async fn resume(last: Option<TypedHeader<LastEventId>>) -> String {
    last.map_or_else(|| "from the start".to_owned(), |TypedHeader(id)| format!("after {id}"))
}

fn app() -> Router {
    Router::new()
        .route("/negotiate", get(negotiate))
        .route("/versioned", get(versioned))
        .route("/download", get(download))
        .route("/pages", get(pages))
        .route("/resume", get(resume))
}

fn client() -> reqwest::Client {
    // The showcase's S3 client builds reqwest without a TLS provider of its own (ring instead
    // of aws-lc); every reqwest client of this build shares that, so one is installed first.
    showcase::routes::file_systems::install_tls_provider();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn accept_negotiation_honours_weights_and_q_zero() {
    let addr = serve(app()).await;
    let url = format!("http://{addr}/negotiate");
    let c = client();

    let r = c.get(&url).header("accept", "text/plain;q=0.5, application/json").send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["vary"], "accept");

    let r = c.get(&url).header("accept", "*/*, application/json;q=0").send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");

    let r = c.get(&url).header("accept", "image/png").send().await.unwrap();
    assert_eq!(r.status(), 406);

    // No Accept at all means anything: the server's first offer.
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");

    // A malformed weight drops only that range.
    let r = c.get(&url).header("accept", "application/json;q=abc, text/plain").send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
}

#[tokio::test]
async fn if_none_match_lists_revalidate_over_the_wire() {
    let addr = serve(app()).await;
    let request = |inm: &str| {
        format!("GET /versioned HTTP/1.1\r\nhost: x\r\nif-none-match: {inm}\r\nconnection: close\r\n\r\n")
    };
    let r = raw(addr, &request("\"v1\", W/\"v2\"")).await;
    assert!(r.head.starts_with("HTTP/1.1 304 Not Modified"), "{}", r.head);
    assert_eq!(r.header_values("etag"), ["\"v2\""]);
    assert_eq!(r.header_values("cache-control"), ["max-age=60, public"]);
    assert!(r.body.is_empty());

    let r = raw(addr, &request("\"v1\"")).await;
    assert!(r.head.starts_with("HTTP/1.1 200 OK"), "{}", r.head);
    assert_eq!(r.body, b"version 2");

    // A malformed If-None-Match is rejected by the TypedHeader extractor with a 400.
    let r = raw(addr, &request("v2")).await;
    assert!(r.head.starts_with("HTTP/1.1 400 Bad Request"), "{}", r.head);
}

#[tokio::test]
async fn content_disposition_bytes_on_the_wire() {
    let addr = serve(app()).await;
    let r = raw(addr, "GET /download HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert_eq!(
        r.header_values("content-disposition"),
        [r#"attachment; filename="resume \"2024\".pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%222024%22.pdf"#]
    );
}

#[tokio::test]
async fn link_and_vary_headers_parse_back_in_a_client() {
    let addr = serve(app()).await;
    let r = client().get(format!("http://{addr}/pages")).send().await.unwrap();
    let link: Link = r.headers()["link"].to_str().unwrap().parse().unwrap();
    assert_eq!(link.find_rel("next").unwrap().target(), "/people?page=3&size=10");
    assert_eq!(link.find_rel("prev").unwrap().target(), "/people?page=1&size=10");
    assert_eq!(
        r.headers()["link"],
        r#"</people?page=3&size=10>; rel="next", </people?page=1&size=10>; rel="prev""#
    );
}

#[tokio::test]
async fn last_event_id_reaches_the_handler() {
    let addr = serve(app()).await;
    let url = format!("http://{addr}/resume");
    let c = client();
    assert_eq!(
        c.get(&url).header("last-event-id", "17").send().await.unwrap().text().await.unwrap(),
        "after 17"
    );
    assert_eq!(c.get(&url).send().await.unwrap().text().await.unwrap(), "from the start");
}
