//! The endpoints built with Strata, as a user of Strata would write them.

use std::time::Duration;

use axum::{Router, http::StatusCode, routing::get};
use axum_strata::{
    Strata,
    background::{BackgroundTask, Runner},
    content::{Content, MediaType},
    cookies::Cookie,
    file::File,
    headers::ETag,
    msgpack::MsgPack,
    negotiation::{Format, Negotiated},
    pagination::{OffsetPagination, OffsetParams, Pagination},
    sse::{Message, ServerSentEvent},
};
use futures_util::stream;
use serde::Serialize;

use crate::{Fixtures, RECORDS_1K, RECORDS_100K, RECORDS_PAGE, Record, STATIC_ETAG, TEXT_1K, TEXT_100K};

fn text(body: &'static str) -> Content<&'static str> {
    Content::new(body).media_type(MediaType::Text)
}

#[derive(Serialize)]
struct Ok {
    ok: bool,
}

pub(crate) fn router(fixtures: &Fixtures, runner: &Runner) -> Router {
    let mut headers = Strata::layer();
    for i in 0..10 {
        headers = headers.header(format!("header_{i}").as_str(), "value");
    }
    let mut cookies = Strata::layer();
    for i in 0..10 {
        cookies = cookies.cookie(Cookie::new(format!("cookie_{i}"), "value"));
    }
    let static_etag = ETag::from_header(STATIC_ETAG).unwrap_or_else(|_| unreachable!("a valid tag"));
    let (f1k, f1m, f1g) = (fixtures.file_1k.clone(), fixtures.file_1m.clone(), fixtures.file_1g.clone());

    Router::new()
        .route("/plaintext-1K", get(|| async { text(&TEXT_1K) }))
        .route("/plaintext-100K", get(|| async { text(&TEXT_100K) }))
        .route("/json-1K", get(|| async { Content::new(RECORDS_1K.clone()) }))
        .route("/json-100K", get(|| async { Content::new(RECORDS_100K.clone()) }))
        .route("/msgpack-1K", get(|| async { MsgPack(RECORDS_1K.clone()) }))
        .route("/response-headers", get(|| async { StatusCode::NO_CONTENT }).layer(headers))
        .route("/response-cookies", get(|| async { StatusCode::NO_CONTENT }).layer(cookies))
        .route("/etag-static", get(|| async { text(&TEXT_1K) }).layer(Strata::layer().etag(static_etag)))
        .route("/etag-computed-1K", get(|| async { text(&TEXT_1K) }).layer(Strata::layer().computed_etag()))
        .route(
            "/etag-computed-100K",
            get(|| async { text(&TEXT_100K) }).layer(Strata::layer().computed_etag()),
        )
        .route(
            "/negotiated-json-1K",
            get(|| async { Negotiated(RECORDS_1K.clone()) })
                .layer(Strata::layer().negotiate([Format::json(), Format::msgpack()])),
        )
        .route("/file-1K", get(move || File::open(f1k.clone())))
        .route("/file-1M", get(move || File::open(f1m.clone())))
        .route("/file-1G", get(move || File::open(f1g.clone())))
        .route(
            "/sse-10k",
            get(|| async {
                let events = stream::iter((0..10_000).map(|i: u32| Message::new().data(i.to_string())));
                ServerSentEvent::new(events).keep_alive(Duration::from_secs(15))
            }),
        )
        .route(
            "/background",
            get(|| async { Content::new(Ok { ok: true }).background(BackgroundTask::new("noop", async {})) }),
        )
        .route(
            "/page",
            get(|params: OffsetParams| async move {
                let records = RECORDS_PAGE.as_slice();
                let start = usize::try_from(params.offset).unwrap_or(usize::MAX).min(records.len());
                let end = start
                    .saturating_add(usize::try_from(params.limit).unwrap_or(usize::MAX))
                    .min(records.len());
                let page: OffsetPagination<Record> =
                    params.page(records[start..end].to_vec(), records.len() as u64);
                page
            })
            .layer(Pagination::new().default_size(20).max_size(100)),
        )
        .layer(Strata::app().background(runner.clone()))
}
