//! The operation fragments each type and level produces.
#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use aide::{
    axum::{
        ApiRouter,
        routing::{get, get_with},
    },
    openapi::OpenApi,
};
use axum::Json;
use serde_json::Value;

use super::StrataApiRouterExt;
use crate::{
    MediaType, Strata,
    background::{BackgroundTasks, Runner},
    content::Content,
    file::{File, FileError},
    host::RequestUrl,
    msgpack::MsgPack,
    multi_value::MultiValueMap,
    negotiation::{Format, Negotiated, RequestAccept},
    pagination::{
        ClassicPagination, ClassicParams, CursorPagination, CursorParams, OffsetPagination, OffsetParams,
        Pagination,
    },
    precondition::Precondition,
    redirect::Redirect,
    sse::{RequestLastEventId, ServerSentEvent},
    stream::{JsonLines, Streamed},
    template::Template,
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

#[test]
fn content_documents_a_chosen_status_and_each_media_type_in_place_of_the_status_by_method() {
    async fn created() -> Content<u8> {
        Content::new(1)
    }
    let doc = document(
        ApiRouter::new()
            .api_route(
                "/one",
                aide::axum::routing::post_with(created, |mut op| {
                    Content::<u8>::document(
                        op.inner_mut(),
                        http::StatusCode::ACCEPTED,
                        &MediaType::MessagePack,
                    );
                    op
                }),
            )
            .api_route(
                "/each",
                get_with(created, |mut op| {
                    Content::<u8>::document_each(
                        op.inner_mut(),
                        http::StatusCode::OK,
                        &[MediaType::Json, MediaType::Text, MediaType::Html],
                    );
                    op
                }),
            )
            .strata(Strata::app()),
    );
    let one = &op(&doc, "/one", "post")["responses"];
    assert_eq!(one.as_object().unwrap().keys().collect::<Vec<_>>(), ["202"], "no 201 by method");
    assert_eq!(one["202"]["content"]["application/x-msgpack"]["schema"]["type"], "integer");
    let each = &op(&doc, "/each", "get")["responses"]["200"]["content"];
    assert_eq!(each["application/json"]["schema"]["type"], "integer");
    assert_eq!(each["text/plain"]["schema"]["type"], "string", "text is the value's text");
    assert_eq!(each["text/html"]["schema"]["type"], "string");
}

#[test]
fn streams_events_and_templates_describe_their_media_types() {
    use futures_util::stream::Iter;
    type Items = Iter<std::vec::IntoIter<String>>;
    async fn text() -> Streamed<Items> {
        unimplemented!()
    }
    async fn lines() -> JsonLines<Items> {
        unimplemented!()
    }
    async fn events() -> ServerSentEvent<Items> {
        unimplemented!()
    }
    async fn page() -> Template {
        unimplemented!()
    }
    let doc = document(
        ApiRouter::new()
            .api_route("/text", get(text))
            .api_route("/lines", get(lines))
            .api_route("/events", get(events))
            .api_route("/page", get(page)),
    );
    let ok = |path: &str| op(&doc, path, "get")["responses"]["200"].clone();
    assert!(ok("/text")["content"]["text/plain"].is_object());
    assert!(ok("/lines")["content"]["application/x-ndjson"].is_object());
    let events = ok("/events");
    let event = &events["content"]["text/event-stream"]["schema"];
    assert_eq!(event["type"], "object", "each event is checked as an object");
    assert_eq!(event["properties"]["retry"]["type"], "integer");
    assert!(events["headers"]["X-Accel-Buffering"].is_object());
    assert_eq!(ok("/page")["content"]["text/html"]["schema"]["type"], "string");
}

#[test]
fn the_offset_and_cursor_containers_and_parameters_use_litestars_names() {
    async fn offset(_: OffsetParams) -> OffsetPagination<u8> {
        unimplemented!()
    }
    async fn cursor(_: CursorParams<String>) -> CursorPagination<u8> {
        unimplemented!()
    }
    let doc = document(
        ApiRouter::new()
            .api_route("/o", get(offset))
            .api_route("/c", get(cursor))
            .pagination(Pagination::new().default_size(20).max_size(40)),
    );
    let names = |path: &str| -> Vec<String> {
        op(&doc, path, "get")["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("/o"), ["limit", "offset"]);
    assert_eq!(names("/c"), ["results_per_page", "cursor"]);
    let limit = &op(&doc, "/o", "get")["parameters"][0]["schema"];
    assert_eq!((limit["default"].clone(), limit["maximum"].clone()), (20.into(), 40.into()));
    let schema = |path: &str| {
        let reference =
            op(&doc, path, "get")["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
        let properties = doc["components"]["schemas"][&reference]["properties"].as_object().unwrap().clone();
        // The names, in serde_json's (sorted) order.
        properties.keys().cloned().collect::<Vec<_>>()
    };
    assert_eq!(schema("/o"), ["items", "limit", "offset", "total"]);
    assert_eq!(schema("/c"), ["cursor", "items", "results_per_page"]);
}

#[test]
fn a_msgpack_body_is_required_and_its_problems_are_400_413_and_415() {
    async fn take(_: MsgPack<u8>) -> Json<u8> {
        Json(1)
    }
    let doc = document(ApiRouter::new().api_route("/m", aide::axum::routing::post(take)));
    let post = op(&doc, "/m", "post");
    assert_eq!(post["requestBody"]["required"], true);
    assert_eq!(post["requestBody"]["content"]["application/x-msgpack"]["schema"]["type"], "integer");
    for status in ["400", "413", "415"] {
        assert!(post["responses"][status]["content"]["application/problem+json"].is_object(), "{status}");
    }
}

#[test]
fn a_levels_cookies_and_computed_etag_are_documented_on_the_statuses_they_go_on() {
    async fn ok() -> Json<u8> {
        Json(1)
    }
    let doc = document(
        ApiRouter::new()
            .api_route("/r", get(ok))
            .strata(Strata::layer().cookie(crate::cookies::Cookie::new("theme", "dark")).computed_etag())
            .strata(Strata::app()),
    );
    let ok = &op(&doc, "/r", "get")["responses"]["200"]["headers"];
    assert_eq!(ok["Set-Cookie"]["description"], "Sets the cookies theme.");
    assert_eq!(ok["ETag"]["description"], "A weak ETag computed from the body (bodies of known size).");
    assert!(op(&doc, "/r", "get")["responses"]["304"].is_object(), "a validator, so 304");
}

#[test]
fn files_name_their_media_type_and_their_errors() {
    async fn pdf() -> Result<File, FileError> {
        unimplemented!()
    }
    let doc = document(ApiRouter::new().api_route("/any", get(pdf)).api_route(
        "/pdf",
        get_with(pdf, |mut op| {
            File::document(op.inner_mut(), "application/pdf");
            op
        }),
    ));
    let any = &op(&doc, "/any", "get")["responses"];
    assert_eq!(any["200"]["content"]["*/*"]["schema"]["format"], "binary");
    for status in ["403", "404", "500"] {
        assert!(any[status]["content"]["application/problem+json"].is_object(), "{status}");
    }
    let pdf = &op(&doc, "/pdf", "get")["responses"];
    for status in ["200", "206"] {
        let content = pdf[status]["content"].as_object().unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), ["application/pdf"], "{status}");
    }
}

#[test]
fn a_multi_value_map_is_an_object_of_arrays_and_the_other_extractors_compile() {
    async fn map(_: RequestUrl, _: BackgroundTasks, _: RequestAccept) -> Json<MultiValueMap<String, u8>> {
        unimplemented!()
    }
    let doc =
        document(ApiRouter::new().api_route("/m", get(map)).strata(Strata::app().background(Runner::new())));
    let schema = &op(&doc, "/m", "get")["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"]["type"], "array");
    assert_eq!(schema["additionalProperties"]["items"]["type"], "integer");
    assert!(op(&doc, "/m", "get").get("parameters").is_none(), "nothing to document");
}

#[test]
fn valid_inputs_carry_their_rules_into_the_document_and_an_app_can_say_422() {
    use crate::valid::{Valid, validator::Validate};
    use axum::extract::Query;

    #[derive(eserde::Deserialize, Validate, schemars::JsonSchema)]
    #[allow(dead_code, reason = "read by the derives")]
    struct Item {
        #[validate(length(min = 1, max = 100))]
        name: String,
        #[validate(range(min = 1, max = 10))]
        quantity: u32,
        note: Option<String>,
    }
    #[derive(serde::Deserialize, Validate, schemars::JsonSchema)]
    #[allow(dead_code, reason = "read by the derives")]
    struct Search {
        #[validate(range(min = 1, max = 50))]
        limit: u32,
    }
    async fn create(_: Valid<Json<Item>>) -> Json<u8> {
        Json(1)
    }
    async fn search(_: Valid<Query<Search>>) -> Json<u8> {
        Json(1)
    }
    let doc = document(
        ApiRouter::new()
            .api_route("/items", aide::axum::routing::post(create))
            .api_route("/search", get(search))
            .strata(Strata::app().input_error_status(http::StatusCode::UNPROCESSABLE_ENTITY)),
    );
    let post = op(&doc, "/items", "post");
    let reference = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
    let item = &doc["components"]["schemas"][reference.rsplit('/').next().unwrap()];
    assert_eq!(item["properties"]["name"]["minLength"], 1);
    assert_eq!(item["properties"]["name"]["maxLength"], 100);
    assert_eq!(item["properties"]["quantity"]["maximum"], 10);
    assert_eq!(item["required"], serde_json::json!(["name", "quantity"]));
    let statuses: Vec<&String> = post["responses"].as_object().unwrap().keys().collect();
    assert!(statuses.contains(&&"422".to_owned()) && !statuses.contains(&&"400".to_owned()), "{statuses:?}");
    assert!(post["responses"]["413"].is_object() && post["responses"]["415"].is_object());
    let limit = &op(&doc, "/search", "get")["parameters"][0];
    assert_eq!((limit["name"].clone(), limit["schema"]["minimum"].clone()), ("limit".into(), 1.into()));
}
