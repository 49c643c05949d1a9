//! `Valid<…>` over TCP: every bad field in one problem, byte for byte; the status policy (400,
//! 413, 415, and 422 where the app level asks); axum's rejections as the same problems.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::net::SocketAddr;

use axum::{
    Form, Json, Router,
    extract::{DefaultBodyLimit, Path, Query, rejection::JsonRejection},
    http::StatusCode,
    routing::{get, post},
};
use axum_strata::{Strata, msgpack::MsgPack, problem::Problem, valid::Valid};
use integration_tests::{RawResponse, raw, raw_bytes, serve};
use serde::{Deserialize, Serialize};
use validator::Validate;

#[derive(Debug, Serialize, eserde::Deserialize, Validate)]
struct Item {
    #[validate(length(min = 1, max = 10))]
    name: String,
    #[validate(range(exclusive_min = 0.0))]
    price: f64,
    quantity: u32,
    #[validate(nested)]
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Debug, Serialize, eserde::Deserialize, Validate)]
struct Tag {
    #[validate(length(min = 1))]
    label: String,
}

#[derive(Debug, Serialize, eserde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Tool,
    Toy,
}

#[derive(Debug, Serialize, eserde::Deserialize, Validate)]
struct Order {
    kind: Kind,
    #[validate(range(min = 1))]
    count: u32,
}

#[derive(Debug, Deserialize, Validate)]
struct Search {
    #[validate(range(min = 1, max = 100))]
    limit: u32,
    page: u32,
    q: Option<String>,
}

#[derive(Debug, Deserialize, Validate)]
struct ItemPath {
    #[validate(range(min = 1))]
    id: u64,
}

fn app() -> Router {
    Router::new()
        .route("/items", post(|Valid(Json(item)): Valid<Json<Item>>| async move { Json(item) }))
        .route("/orders", post(|Valid(Json(order)): Valid<Json<Order>>| async move { Json(order) }))
        .route("/msgpack", post(|Valid(MsgPack(item)): Valid<MsgPack<Item>>| async move { Json(item) }))
        .route(
            "/search",
            get(|Valid(Query(s)): Valid<Query<Search>>| async move { format!("{} {}", s.limit, s.page) }),
        )
        .route(
            "/form",
            post(|Valid(Form(s)): Valid<Form<Search>>| async move { format!("{} {:?}", s.limit, s.q) }),
        )
        .route("/items/{id}", get(|Valid(Path(p)): Valid<Path<ItemPath>>| async move { p.id.to_string() }))
        .route(
            "/plain",
            post(|item: Result<Json<serde_json::Value>, JsonRejection>| async move {
                item.map_err(Problem::from)
            }),
        )
        .layer(DefaultBodyLimit::max(4096))
        .route(
            "/many",
            post(|Valid(Json(tags)): Valid<Json<Vec<Tag>>>| async move { tags.len().to_string() })
                .layer(DefaultBodyLimit::max(1 << 20)),
        )
}

async fn post_body(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> RawResponse {
    let mut request =
        format!("POST {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n", body.len());
    if !content_type.is_empty() {
        request.push_str(&format!("content-type: {content_type}\r\n"));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    raw_bytes(addr, &bytes).await
}

async fn get_path(addr: SocketAddr, path: &str) -> RawResponse {
    raw(addr, &format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")).await
}

fn body(r: &RawResponse) -> String {
    String::from_utf8(r.content()).unwrap()
}

#[tokio::test]
async fn every_bad_field_of_a_json_body_is_named_at_once() {
    let addr = serve(app()).await;
    let r = post_body(
        addr,
        "/items",
        "application/json",
        br#"{"name": null, "price": "1", "tags": [{"label": "a"}, {"label": 5}]}"#,
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
    assert_eq!(
        body(&r),
        concat!(
            r#"{"type":"about:blank","title":"Bad Request","status":400,"#,
            r#""detail":"the body does not have the expected fields and types","errors":["#,
            r#"{"field":"name","message":"invalid type: null, expected a string"},"#,
            r#"{"field":"price","message":"invalid type: string \"1\", expected f64"},"#,
            r#"{"field":"tags/1/label","message":"invalid type: integer `5`, expected a string"},"#,
            r#"{"field":"quantity","message":"is required"}]}"#
        )
    );
}

#[tokio::test]
async fn an_unknown_variant_and_a_list_where_a_value_belongs_are_named_with_the_others() {
    let addr = serve(app()).await;
    let r = post_body(addr, "/orders", "application/json", br#"{"kind": "car", "count": "x"}"#).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        body(&r),
        concat!(
            r#"{"type":"about:blank","title":"Bad Request","status":400,"#,
            r#""detail":"the body does not have the expected fields and types","errors":["#,
            // Found again over the parsed value, whose members come in name order.
            r#"{"field":"count","message":"invalid type: string \"x\", expected u32"},"#,
            r#"{"field":"kind","message":"unknown variant `car`, expected `tool` or `toy`"}]}"#
        )
    );
    let list =
        post_body(addr, "/orders", "application/json", br#"{"kind": ["toy"], "count": {}, "x": 1}"#).await;
    assert_eq!(list.status(), 400, "{}", body(&list));
    let fields: Vec<String> = list.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["count", "kind"], "{}", body(&list));
    let root = post_body(addr, "/orders", "application/json", b"null").await;
    assert!(body(&root).contains("expected struct Order"), "no hidden type names: {}", body(&root));
    let ok = post_body(addr, "/orders", "application/json", br#"{"kind": "toy", "count": 2}"#).await;
    assert_eq!(body(&ok), r#"{"kind":"toy","count":2}"#);
}

#[tokio::test]
async fn every_broken_rule_is_named_once_the_body_decodes() {
    let addr = serve(app()).await;
    let r = post_body(
        addr,
        "/items",
        "application/json",
        br#"{"name": "", "price": 0, "quantity": 1, "tags": [{"label": "ok"}, {"label": ""}]}"#,
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        body(&r),
        concat!(
            r#"{"type":"about:blank","title":"Bad Request","status":400,"#,
            r#""detail":"the input breaks the rules of its fields","errors":["#,
            r#"{"field":"name","message":"must have a length from 1 to 10"},"#,
            r#"{"field":"price","message":"must be greater than 0.0"},"#,
            r#"{"field":"tags/1/label","message":"must have a length of at least 1"}]}"#
        )
    );
    let ok =
        post_body(addr, "/items", "application/json", br#"{"name":"pen","price":1.5,"quantity":2}"#).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(body(&ok), r#"{"name":"pen","price":1.5,"quantity":2,"tags":[]}"#);
}

#[tokio::test]
async fn malformed_empty_oversized_and_mistyped_bodies_are_400_413_and_415() {
    let addr = serve(app()).await;
    let broken = post_body(addr, "/items", "application/json", br#"{"name": "#).await;
    assert_eq!(broken.status(), 400);
    assert!(
        body(&broken).contains(r#""detail":"the body is not valid JSON: EOF while parsing a value"#),
        "{}",
        body(&broken)
    );
    let empty = post_body(addr, "/items", "application/json", b"  ").await;
    assert_eq!(empty.status(), 400);
    assert!(body(&empty).contains("the body is empty"), "{}", body(&empty));
    let trailing =
        post_body(addr, "/items", "application/json", br#"{"name":"a","price":1,"quantity":1} x"#).await;
    assert_eq!(trailing.status(), 400, "{}", body(&trailing));
    let huge_number = post_body(
        addr,
        "/items",
        "application/json",
        br#"{"name":"a","price":1,"quantity":99999999999999999999}"#,
    )
    .await;
    assert_eq!(huge_number.status(), 400, "{}", body(&huge_number));
    assert!(body(&huge_number).contains(r#""field":"quantity""#), "{}", body(&huge_number));
    let beyond_f64 =
        post_body(addr, "/items", "application/json", br#"{"name":"a","price":1e400,"quantity":1}"#).await;
    assert_eq!(beyond_f64.status(), 400, "{}", body(&beyond_f64));
    let negative =
        post_body(addr, "/items", "application/json", br#"{"name":"a","price":1,"quantity":-1}"#).await;
    assert!(
        body(&negative)
            .contains(r#"{"field":"quantity","message":"invalid value: integer `-1`, expected u32"}"#),
        "{}",
        body(&negative)
    );
    let unknown =
        post_body(addr, "/items", "application/json", br#"{"name":"a","price":1,"quantity":1,"extra":true}"#)
            .await;
    assert_eq!(unknown.status(), 200, "unknown fields are ignored unless the type denies them");
    let big = vec![b' '; 5000];
    assert_eq!(post_body(addr, "/items", "application/json", &big).await.status(), 413);
    let text = post_body(addr, "/items", "text/plain", b"{}").await;
    assert_eq!(text.status(), 415);
    assert_eq!(
        body(&text),
        r#"{"type":"about:blank","title":"Unsupported Media Type","status":415,"detail":"expected a body of type application/json"}"#
    );
    assert_eq!(post_body(addr, "/items", "", b"{}").await.status(), 415);
    let vendor =
        post_body(addr, "/items", "application/vnd.x+json", br#"{"name":"a","price":1,"quantity":1}"#).await;
    assert_eq!(vendor.status(), 200, "+json is JSON");
}

/// A large bad body gets its first error and a note, not a second pass that would keep a
/// hundred thousand errors; a small one gets them all, up to a hundred and a count.
#[tokio::test]
async fn many_bad_items_are_bounded() {
    let addr = serve(app()).await;
    let large = format!("[{}]", vec!["0"; 200_000].join(","));
    let r = post_body(addr, "/many", "application/json", large.as_bytes()).await;
    assert_eq!(r.status(), 400);
    let errors = r.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0]["field"], "0");
    assert_eq!(errors[1]["message"], "there may be more errors after these");
    let small = format!("[{}]", vec!["0"; 150].join(","));
    let r = post_body(addr, "/many", "application/json", small.as_bytes()).await;
    let errors = r.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 101);
    assert_eq!(errors[99]["field"], "99");
    assert_eq!(errors[100]["message"], "and 50 more errors");
}

#[tokio::test]
async fn a_query_names_every_bad_parameter() {
    let addr = serve(app()).await;
    let r = get_path(addr, "/search?limit=abc&q=x").await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        body(&r),
        concat!(
            r#"{"type":"about:blank","title":"Bad Request","status":400,"#,
            r#""detail":"the query string does not have the expected fields and types","errors":["#,
            r#"{"field":"limit","message":"invalid digit found in string"},"#,
            r#"{"field":"page","message":"is required"}]}"#
        )
    );
    let rule = get_path(addr, "/search?limit=0&page=1").await;
    assert_eq!(rule.status(), 400);
    assert!(
        body(&rule).contains(r#"{"field":"limit","message":"must be at least 1 and at most 100"}"#),
        "{}",
        body(&rule)
    );
    assert_eq!(body(&get_path(addr, "/search?limit=5&page=2").await), "5 2");
    let twice = get_path(addr, "/search?limit=5&limit=6&page=1").await;
    assert!(
        body(&twice).contains(r#"{"field":"limit","message":"is given more than once"}"#),
        "{}",
        body(&twice)
    );
}

#[tokio::test]
async fn forms_and_paths_are_checked_the_same_way() {
    let addr = serve(app()).await;
    let form = post_body(addr, "/form", "application/x-www-form-urlencoded", b"limit=500&page=x").await;
    assert_eq!(form.status(), 400);
    assert!(
        body(&form).contains(r#"{"field":"page","message":"invalid digit found in string"}"#),
        "{}",
        body(&form)
    );
    let ok = post_body(addr, "/form", "application/x-www-form-urlencoded", b"limit=5&page=1&q=hi").await;
    assert_eq!(body(&ok), r#"5 Some("hi")"#);
    assert_eq!(post_body(addr, "/form", "application/json", b"{}").await.status(), 415);

    let path = get_path(addr, "/items/0").await;
    assert_eq!(path.status(), 400);
    assert!(body(&path).contains(r#"{"field":"id","message":"must be at least 1"}"#), "{}", body(&path));
    let not_a_number = get_path(addr, "/items/-5").await;
    assert!(body(&not_a_number).contains(r#""field":"id""#), "{}", body(&not_a_number));
    assert_eq!(body(&get_path(addr, "/items/7").await), "7");
}

#[tokio::test]
async fn a_msgpack_body_is_checked_like_json() {
    let addr = serve(app()).await;
    #[derive(Serialize)]
    struct Wrong {
        name: Option<String>,
        price: &'static str,
    }
    let bytes = rmp_serde::to_vec_named(&Wrong { name: None, price: "1" }).unwrap();
    let r = post_body(addr, "/msgpack", "application/x-msgpack", &bytes).await;
    assert_eq!(r.status(), 400);
    let problem = r.json();
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "price", "quantity"], "{problem}");
    assert_eq!(post_body(addr, "/msgpack", "application/json", b"{}").await.status(), 415);
}

#[tokio::test]
async fn axums_rejections_become_the_same_problems() {
    let addr = serve(app()).await;
    let syntax = post_body(addr, "/plain", "application/json", b"{").await;
    assert_eq!(syntax.status(), 400);
    assert_eq!(syntax.header_values("content-type"), ["application/problem+json"]);
    assert_eq!(post_body(addr, "/plain", "text/plain", b"{}").await.status(), 415);
}

#[tokio::test]
async fn the_app_level_can_answer_input_problems_with_422() {
    let app = app().layer(Strata::app().input_error_status(StatusCode::UNPROCESSABLE_ENTITY));
    let addr = serve(app).await;
    let r = get_path(addr, "/search?limit=abc&page=1").await;
    assert_eq!(r.status(), 422);
    assert!(
        body(&r).starts_with(r#"{"type":"about:blank","title":"Unprocessable Entity","status":422,"#),
        "{}",
        body(&r)
    );
    assert_eq!(r.header_values("content-length"), [body(&r).len().to_string()]);
    // 415 stays 415: the media type is not the value.
    assert_eq!(post_body(addr, "/items", "text/plain", b"{}").await.status(), 415);
}
