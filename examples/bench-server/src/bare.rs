//! The same endpoints hand-written with nothing but axum and tower-http: what an axum user
//! would write to do the same job, with the same status, headers and bytes.

use std::{convert::Infallible, time::Duration};

use axum::{
    Json, Router,
    body::Body,
    extract::Query,
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::get,
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use futures_util::stream;
use serde::{Deserialize, Serialize};
use tower_http::{services::ServeFile, set_header::SetResponseHeaderLayer};

use crate::{
    Fixtures, RECORDS_1K, RECORDS_100K, RECORDS_PAGE, Record, Records, STATIC_ETAG_SENT, TEXT_1K, TEXT_100K,
};

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const MSGPACK: HeaderValue = HeaderValue::from_static("application/x-msgpack");

fn text(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, TEXT_PLAIN)], body).into_response()
}

fn msgpack(records: &Records) -> Response {
    let mut body = Vec::new();
    match rmp_serde::encode::write_named(&mut body, records) {
        Ok(()) => ([(header::CONTENT_TYPE, MSGPACK)], body).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Whether `If-None-Match` names `etag` (weak comparison, `*` included).
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    let bare = etag.trim_start_matches("W/");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == bare))
}

/// The body with its tag, or a 304 when the client has it.
fn tagged(headers: &HeaderMap, etag: HeaderValue, body: &'static str) -> Response {
    if none_match(headers, etag.to_str().unwrap_or_default()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    ([(header::CONTENT_TYPE, TEXT_PLAIN), (header::ETAG, etag)], body).into_response()
}

/// A weak tag hashed from the body, as Strata's computed ETag: XXH3-128 in base64url.
fn computed(headers: &HeaderMap, body: &'static str) -> Response {
    let hash = xxhash_rust::xxh3::xxh3_128(body.as_bytes()).to_be_bytes();
    let tag = format!("W/\"{}\"", URL_SAFE_NO_PAD.encode(hash));
    match HeaderValue::try_from(tag) {
        Ok(etag) => tagged(headers, etag, body),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[derive(Serialize)]
struct Ok {
    ok: bool,
}

#[derive(Deserialize)]
struct PageQuery {
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Serialize)]
struct Page<'a> {
    items: &'a [Record],
    limit: usize,
    offset: usize,
    total: usize,
}

fn page(query: &PageQuery) -> Response {
    let (limit, offset) = (query.limit.unwrap_or(20), query.offset.unwrap_or(0));
    if limit == 0 || limit > 100 {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let records = RECORDS_PAGE.as_slice();
    let total = records.len();
    let start = offset.min(total);
    let items = &records[start..start.saturating_add(limit).min(total)];
    let at = |o: usize| format!("</bare/page?limit={limit}&offset={o}>");
    let last = if total > offset % limit {
        offset % limit + (total - 1 - offset % limit) / limit * limit
    } else {
        0
    };
    let mut links = vec![format!("{}; rel=\"first\"", at(0))];
    if offset > 0 {
        links.push(format!("{}; rel=\"prev\"", at(offset.saturating_sub(limit).min(last))));
    }
    if offset.saturating_add(limit) < total {
        links.push(format!("{}; rel=\"next\"", at(offset + limit)));
    }
    links.push(format!("{}; rel=\"last\"", at(last)));
    let Ok(link) = HeaderValue::try_from(links.join(", ")) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = Json(Page { items, limit, offset, total }).into_response();
    response.headers_mut().insert(header::LINK, link);
    response.headers_mut().insert("x-total-count", HeaderValue::from(total));
    response
}

pub(crate) fn router(fixtures: &Fixtures) -> Router {
    let mut headers = get(|| async { StatusCode::NO_CONTENT });
    for i in (0..10).rev() {
        let name =
            HeaderName::try_from(format!("header_{i}")).unwrap_or_else(|_| unreachable!("a valid name"));
        headers =
            headers.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static("value")));
    }
    let mut cookies = get(|| async { StatusCode::NO_CONTENT });
    for i in (0..10).rev() {
        let cookie =
            HeaderValue::try_from(format!("cookie_{i}=value")).unwrap_or_else(|_| unreachable!("valid"));
        cookies = cookies.layer(SetResponseHeaderLayer::appending(header::SET_COOKIE, cookie));
    }
    let static_etag = HeaderValue::from_static(STATIC_ETAG_SENT);

    Router::new()
        .route("/plaintext-1K", get(|| async { text(&TEXT_1K) }))
        .route("/plaintext-100K", get(|| async { text(&TEXT_100K) }))
        .route("/json-1K", get(|| async { Json(RECORDS_1K.clone()) }))
        .route("/json-100K", get(|| async { Json(RECORDS_100K.clone()) }))
        .route("/msgpack-1K", get(|| async { msgpack(&RECORDS_1K) }))
        .route("/response-headers", headers)
        .route("/response-cookies", cookies)
        .route("/etag-static", get(move |h: HeaderMap| async move { tagged(&h, static_etag, &TEXT_1K) }))
        .route("/etag-computed-1K", get(|h: HeaderMap| async move { computed(&h, &TEXT_1K) }))
        .route("/etag-computed-100K", get(|h: HeaderMap| async move { computed(&h, &TEXT_100K) }))
        .route(
            "/negotiated-json-1K",
            get(|h: HeaderMap| async move {
                // By hand: MessagePack when the client names it, else JSON.
                let wants_msgpack = h
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("msgpack"));
                let mut response = if wants_msgpack {
                    msgpack(&RECORDS_1K)
                } else {
                    Json(RECORDS_1K.clone()).into_response()
                };
                response.headers_mut().append(header::VARY, HeaderValue::from_static("accept"));
                response
            }),
        )
        .route_service("/file-1K", ServeFile::new(&fixtures.file_1k))
        .route_service("/file-1M", ServeFile::new(&fixtures.file_1m))
        .route(
            "/sse-10k",
            get(|| async {
                let events = stream::iter(
                    (0..10_000).map(|i: u32| Ok::<_, Infallible>(Event::default().data(i.to_string()))),
                );
                let mut response = Sse::new(events)
                    .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
                    .into_response();
                response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
                response
            }),
        )
        .route(
            "/background",
            get(|| async {
                tokio::spawn(async {});
                Json(Ok { ok: true })
            }),
        )
        .route("/page", get(|Query(query): Query<PageQuery>| async move { page(&query) }))
        .fallback(|| async { (StatusCode::NOT_FOUND, Body::empty()) })
}
