//! The operation fragments each type and level produces.
#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use aide::{
    axum::{ApiRouter, routing::get},
    openapi::OpenApi,
};
use axum::Json;
use serde_json::Value;

use super::StrataApiRouterExt;
use crate::{
    Strata,
    content::Content,
    file::File,
    msgpack::MsgPack,
    negotiation::{Format, Negotiated},
    pagination::{ClassicPagination, ClassicParams, OffsetParams, Pagination},
    precondition::Precondition,
    redirect::Redirect,
    sse::RequestLastEventId,
};

fn document(router: ApiRouter) -> Value {
    let mut api = OpenApi::default();
    let _ = router.finish_api(&mut api);
    serde_json::to_value(&api).unwrap()
}

fn op<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]
}

#[test]
fn a_levels_headers_reach_exactly_the_operations_it_covers_closest_winning() {
    async fn plain() -> Json<u8> {
        Json(1)
    }
    let inner = ApiRouter::new()
        .api_route("/inner", get(plain))
        .strata(Strata::layer().header_with_description("x-level", "inner", "the inner level"));
    let doc = document(
        ApiRouter::new()
            .api_route("/outer", get(plain))
            .merge(inner)
            .api_route("/after", get(plain))
            .strata(Strata::app().header_with_description("x-level", "app", "the app level")),
    );
    let header = |path: &str| op(&doc, path, "get")["responses"]["200"]["headers"]["X-Level"].clone();
    assert_eq!(header("/inner")["description"], "the inner level");
    assert_eq!(header("/inner")["example"], "inner");
    assert_eq!(header("/outer")["description"], "the app level");
    assert_eq!(header("/after")["description"], "the app level");

    let only_inner = document(ApiRouter::new().api_route("/outer", get(plain)).merge(
        ApiRouter::new().api_route("/inner", get(plain)).strata(Strata::layer().header("x-only", "1")),
    ));
    assert!(op(&only_inner, "/inner", "get")["responses"]["200"]["headers"]["X-Only"].is_object());
    assert!(op(&only_inner, "/outer", "get")["responses"]["200"]["headers"].get("X-Only").is_none());
}

#[test]
fn the_app_level_gives_strata_types_the_status_of_their_method_and_304_with_an_etag() {
    async fn made() -> Content<u8> {
        Content::new(1)
    }
    let doc = document(
        ApiRouter::new()
            .api_route("/r", get(made).post(made).delete(made))
            .strata(Strata::app().etag(strata_headers::ETag::strong("v").unwrap())),
    );
    let statuses = |method: &str| {
        op(&doc, "/r", method)["responses"].as_object().unwrap().keys().cloned().collect::<Vec<_>>()
    };
    assert_eq!(statuses("get"), ["200", "304"]);
    assert_eq!(statuses("post"), ["201"]);
    assert_eq!(statuses("delete"), ["204"]);
    assert!(op(&doc, "/r", "delete")["responses"]["204"].get("content").is_none());
    // A level's tags go out weak, and the document says what goes out.
    assert_eq!(op(&doc, "/r", "get")["responses"]["200"]["headers"]["ETag"]["example"], "W/\"v\"");
    assert!(!doc.to_string().contains("x-strata"), "marks are resolved");
}

#[test]
fn the_closest_negotiating_level_adds_its_formats_vary_and_406() {
    async fn value() -> Negotiated<u8> {
        Negotiated(1)
    }
    let doc = document(
        ApiRouter::new()
            .api_route("/n", get(value))
            .strata(Strata::layer().negotiate([Format::json(), Format::msgpack()]))
            .strata(Strata::app().negotiate([Format::text()])),
    );
    let get = op(&doc, "/n", "get");
    let content = get["responses"]["200"]["content"].as_object().unwrap();
    assert!(content.contains_key("application/json") && content.contains_key("application/x-msgpack"));
    assert!(!content.contains_key("text/plain"), "the outer level's formats do not apply");
    assert_eq!(get["responses"]["200"]["headers"]["Vary"]["example"], "Accept");
    assert!(get["responses"]["406"]["content"]["application/problem+json"].is_object());
}

#[test]
fn response_types_describe_their_media_types_statuses_and_headers() {
    async fn msgpack() -> MsgPack<u8> {
        MsgPack(1)
    }
    async fn file() -> File {
        unimplemented!()
    }
    async fn redirect() -> Redirect {
        unimplemented!()
    }
    let doc = document(
        ApiRouter::new()
            .api_route("/m", get(msgpack))
            .api_route("/f", get(file))
            .api_route("/r", get(redirect)),
    );
    assert!(op(&doc, "/m", "get")["responses"]["200"]["content"]["application/x-msgpack"].is_object());
    let f = &op(&doc, "/f", "get")["responses"];
    for name in ["Content-Disposition", "Accept-Ranges", "ETag", "Last-Modified"] {
        assert!(f["200"]["headers"][name].is_object(), "{name}");
    }
    assert!(f["206"]["headers"]["Content-Range"].is_object());
    assert!(f["416"]["content"]["application/problem+json"].is_object());
    assert!(op(&doc, "/r", "get")["responses"]["302"]["headers"]["Location"].is_object());
}

#[test]
fn extractors_describe_their_parameters_and_early_problems() {
    async fn classic(_: ClassicParams) -> ClassicPagination<u8> {
        unimplemented!()
    }
    async fn offset(_: OffsetParams, _: Precondition, _: RequestLastEventId) -> Json<u8> {
        Json(1)
    }
    let doc = document(
        ApiRouter::new()
            .api_route("/c", get(classic))
            .pagination(Pagination::new().default_size(10).max_size(50))
            .api_route("/o", get(offset)),
    );
    let c = op(&doc, "/c", "get");
    assert_eq!(c["parameters"][0]["name"], "page_size");
    assert_eq!(c["parameters"][0]["schema"]["default"], 10);
    assert_eq!(c["parameters"][0]["schema"]["maximum"], 50);
    assert_eq!(c["parameters"][1]["schema"]["minimum"], 1);
    let page = &c["responses"]["200"];
    assert!(page["headers"]["Link"].is_object() && page["headers"]["X-Total-Count"].is_object());
    assert!(c["responses"]["400"]["content"]["application/problem+json"].is_object());
    let o = op(&doc, "/o", "get");
    let names: Vec<&str> =
        o["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["limit", "offset", "If-Match", "If-Unmodified-Since", "Last-Event-ID"]);
    assert!(o["responses"]["412"].is_object() && o["responses"]["428"].is_object());
}
