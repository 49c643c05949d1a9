//! The same fragments through utoipa as through aide.
#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use aide::axum::{ApiRouter, routing::get as aide_get};
use serde_json::{Value, json};
use utoipa::{IntoParams, IntoResponses, PartialSchema, ToResponse, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Rejections, StrataOpenApiRouterExt};
use crate::{
    Strata, StrataLayer,
    content::Content,
    cookies::Cookie,
    file::{File, FileError},
    msgpack::MsgPack,
    negotiation::{Format, Negotiated},
    openapi::StrataApiRouterExt,
    pagination::{ClassicParams, CursorPagination, CursorParams, OffsetPagination, OffsetParams, Pagination},
    precondition::{Precondition, PreconditionRejection},
    problem::Problem,
    redirect::Redirect,
    sse::ServerSentEvent,
    stream::{JsonLines, Streamed},
    template::Template,
};

#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, ToSchema)]
struct Item {
    name: String,
}

async fn page(_: OffsetParams) -> Result<OffsetPagination<Item>, Problem> {
    unreachable!("documented, never called")
}

async fn negotiated() -> Negotiated<Item> {
    unreachable!("documented, never called")
}

async fn created(_: Precondition) -> Result<Content<Item>, PreconditionRejection> {
    unreachable!("documented, never called")
}

#[utoipa::path(
    get,
    path = "/items",
    params(OffsetParams),
    responses(OffsetPagination<Item>, Rejections<OffsetParams>, Problem)
)]
async fn utoipa_page(params: OffsetParams) -> Result<OffsetPagination<Item>, Problem> {
    page(params).await
}

#[utoipa::path(get, path = "/one", responses(Negotiated<Item>))]
async fn utoipa_negotiated() -> Negotiated<Item> {
    negotiated().await
}

#[utoipa::path(post, path = "/items", params(Precondition), responses(Content<Item>, PreconditionRejection))]
async fn utoipa_created(precondition: Precondition) -> Result<Content<Item>, PreconditionRejection> {
    created(precondition).await
}

/// A level with every documented part: described and documentation-only headers,
/// Cache-Control, a computed ETag, a cookie, negotiation.
fn inner() -> StrataLayer {
    Strata::layer()
        .header_with_description("x-shard", "7", "Where the item is kept.")
        .documentation_only("x-request-id", "A request id, set by the proxy.")
        .cache_control(crate::headers::CacheControl::no_cache())
        .computed_etag()
        .cookie(Cookie::new("theme", "dark"))
        .negotiate([Format::json(), Format::msgpack()])
}

/// `document` with the bodies' schemas taken out: schemars and utoipa write the item's schema
/// each their own way (a reference, a title); what the levels document is the rest.
fn without_body_schemas(mut value: Value) -> Value {
    fn walk(value: &mut Value, in_content: bool) {
        match value {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if in_content && key == "schema" {
                        *value = Value::Null;
                    } else {
                        walk(value, in_content || key == "content");
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, in_content)),
            _ => {}
        }
    }
    walk(&mut value, false);
    value
}

fn aide_document() -> Value {
    let mut api = aide::openapi::OpenApi::default();
    let router: axum::Router = ApiRouter::new()
        .api_route("/items", aide_get(page).post(created))
        .api_route("/one", aide_get(negotiated))
        .strata(inner())
        .pagination(Pagination::new().default_size(10).max_size(100))
        .strata(Strata::app())
        .finish_api(&mut api);
    let _ = router;
    let mut value = serde_json::to_value(&api).unwrap();
    crate::openapi::serve::strip_marks(&mut value);
    value
}

fn utoipa_document() -> Value {
    let (router, mut api): (axum::Router, _) = OpenApiRouter::default()
        .routes(routes!(utoipa_page, utoipa_created))
        .routes(routes!(utoipa_negotiated))
        .strata(inner())
        .pagination(Pagination::new().default_size(10).max_size(100))
        .strata(Strata::app())
        .split_for_parts();
    let _ = router;
    super::strip_marks(&mut api);
    serde_json::to_value(&api).unwrap()
}

#[test]
fn one_level_documents_the_same_fragment_through_aide_and_utoipa() {
    let (aide, utoipa) = (aide_document(), utoipa_document());
    for (path, method) in [("/items", "get"), ("/items", "post"), ("/one", "get")] {
        let fragment =
            |doc: &Value, part: &str| without_body_schemas(doc["paths"][path][method][part].clone());
        assert_eq!(fragment(&utoipa, "responses"), fragment(&aide, "responses"), "{method} {path}");
        let names = |doc: &Value| {
            let mut names: Vec<Value> = doc["paths"][path][method]["parameters"]
                .as_array()
                .map(|p| p.iter().map(|p| json!([p["name"], p["in"], p["schema"]])).collect())
                .unwrap_or_default();
            names.sort_by_key(Value::to_string);
            names
        };
        assert_eq!(names(&utoipa), names(&aide), "{method} {path}: parameters");
    }
    let get = &utoipa["paths"]["/items"]["get"];
    // What the level says, as the user reads it.
    let ok = &get["responses"]["200"];
    assert_eq!(ok["headers"]["X-Shard"]["description"], "Where the item is kept.");
    assert_eq!(ok["headers"]["X-Request-Id"]["description"], "A request id, set by the proxy.");
    assert!(ok["headers"]["Cache-Control"].is_object() && ok["headers"]["ETag"].is_object());
    assert_eq!(ok["headers"]["Set-Cookie"]["description"], "Sets the cookies theme.");
    assert!(ok["content"]["application/x-msgpack"].is_object(), "{ok}");
    assert_eq!(
        ok["content"]["application/json"]["schema"]["properties"]["items"]["items"]["properties"]["name"]["type"],
        "string"
    );
    assert!(get["responses"]["304"].is_object() && get["responses"]["406"].is_object());
    let limit = get["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(
        (limit["schema"]["maximum"].clone(), limit["schema"]["default"].clone()),
        (json!(100), json!(10))
    );
    let post = &utoipa["paths"]["/items"]["post"]["responses"];
    assert!(post.get("200").is_none() && post["201"].is_object(), "POST is answered 201: {post}");
    assert!(post["412"].is_object() && post["428"].is_object());
    // The marks are gone once resolved.
    assert!(!utoipa.to_string().contains("x-strata-"));
}

#[test]
fn a_route_level_documents_its_routes_alone() {
    let (_, api): (axum::Router, _) = OpenApiRouter::default()
        .routes_strata(
            routes!(utoipa_negotiated),
            Strata::layer().header_with_description("x-one", "1", "only here"),
        )
        .routes(routes!(utoipa_page))
        .split_for_parts();
    let doc = serde_json::to_value(&api).unwrap();
    assert_eq!(
        doc["paths"]["/one"]["get"]["responses"]["200"]["headers"]["X-One"]["description"],
        "only here"
    );
    assert!(doc["paths"]["/items"]["get"]["responses"]["200"]["headers"].get("X-One").is_none());
}

/// Each response type's responses, keyed by status.
fn statuses<T: IntoResponses>() -> Vec<String> {
    T::responses().into_keys().collect()
}

#[test]
fn every_response_type_gives_its_statuses_media_types_and_headers() {
    assert_eq!(statuses::<Problem>(), ["default"]);
    assert_eq!(statuses::<Content<Item>>(), ["200"]);
    assert_eq!(statuses::<FileError>(), ["403", "404", "500"]);
    assert!(statuses::<Redirect>().iter().all(|s| s.starts_with('3')));
    assert_eq!(statuses::<PreconditionRejection>(), ["412", "428"]);
    let json = |responses: std::collections::BTreeMap<_, _>| serde_json::to_value(responses).unwrap();
    let msgpack = json(MsgPack::<Item>::responses());
    assert_eq!(
        msgpack["200"]["content"]["application/x-msgpack"]["schema"]["properties"]["name"]["type"],
        "string"
    );
    let file = json(File::responses());
    assert_eq!(file["200"]["content"]["*/*"]["schema"]["format"], "binary");
    assert!(file["200"]["headers"]["Content-Disposition"].is_object(), "{file}");
    let cursor = json(CursorPagination::<Item>::responses());
    assert!(
        cursor["200"]["headers"]["Link"].is_object()
            && cursor["200"]["headers"].get("X-Total-Count").is_none()
    );
    for (name, responses) in [
        ("Template", json(Template::responses())),
        ("ServerSentEvent", json(ServerSentEvent::<()>::responses())),
        ("Streamed", json(Streamed::<()>::responses())),
        ("JsonLines", json(JsonLines::<()>::responses())),
    ] {
        assert!(
            responses["200"]["content"].as_object().is_some_and(|c| !c.is_empty()),
            "{name}: {responses}"
        );
    }
    let sse = json(ServerSentEvent::<()>::responses());
    assert!(sse["200"]["content"]["text/event-stream"]["schema"]["properties"]["data"].is_object(), "{sse}");
    let (name, problem) = <Problem as ToResponse>::response();
    assert_eq!(name, "Problem");
    assert!(serde_json::to_value(problem).unwrap()["content"]["application/problem+json"].is_object());
}

#[test]
fn the_extractors_give_their_parameters_with_their_limits() {
    let names = |params: Vec<utoipa::openapi::path::Parameter>| -> Vec<Value> {
        params
            .iter()
            .map(|p| {
                let p = serde_json::to_value(p).unwrap();
                json!([p["name"], p["in"]])
            })
            .collect()
    };
    assert_eq!(
        names(OffsetParams::into_params(|| None)),
        [json!(["limit", "query"]), json!(["offset", "query"])]
    );
    assert_eq!(
        names(ClassicParams::into_params(|| None)),
        [json!(["page_size", "query"]), json!(["current_page", "query"])]
    );
    assert_eq!(
        names(CursorParams::<()>::into_params(|| None)),
        [json!(["results_per_page", "query"]), json!(["cursor", "query"])]
    );
    assert_eq!(
        names(Precondition::into_params(|| None)),
        [json!(["If-Match", "header"]), json!(["If-Unmodified-Since", "header"])]
    );
    let limit = serde_json::to_value(&OffsetParams::into_params(|| None)[0]).unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert!(limit["schema"]["maximum"].is_number());
    // The schemas the containers give, generic over the item.
    assert_eq!(OffsetPagination::<Item>::name(), "OffsetPagination_Item");
    let schema = serde_json::to_value(OffsetPagination::<Item>::schema()).unwrap();
    assert_eq!(schema["required"], json!(["items", "limit", "offset", "total"]));
}

#[test]
fn a_utoipa_document_is_served_without_marks() {
    let (_, api): (axum::Router, _) =
        OpenApiRouter::default().routes(routes!(utoipa_created)).split_for_parts();
    assert!(
        serde_json::to_string(&api).unwrap().contains("x-strata-status-by-method"),
        "no level resolved it"
    );
    let routes = crate::openapi::SchemaRoutes::from_utoipa(&api, "/schema");
    let served: Value = serde_json::from_slice(routes.json()).unwrap();
    assert!(served["paths"]["/items"]["post"]["responses"]["200"].is_object());
    assert!(!served.to_string().contains("x-strata-"));
}
