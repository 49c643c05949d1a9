//! The items API of seed 003 on a real SQLite file (a new one per test), served on 127.0.0.1.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::net::SocketAddr;

use example_support::testing::TempDb;
use integration_tests::{RawResponse, raw, serve};
use serde_json::{Value, json};

async fn start(db: &TempDb) -> SocketAddr {
    serve(crud::app(crud::Store::new(&db.0))).await
}

async fn req(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[&str],
    body: Option<&str>,
) -> RawResponse {
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    if let Some(body) = body {
        if !headers.iter().any(|h| h.to_ascii_lowercase().starts_with("content-type")) {
            request.push_str("content-type: application/json\r\n");
        }
        request.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    raw(addr, &request).await
}

fn header<'a>(r: &'a RawResponse, name: &str) -> &'a str {
    r.header_values(name).first().copied().unwrap_or_else(|| panic!("no {name} in {}", r.head))
}

fn errors(r: &RawResponse) -> Vec<(String, String)> {
    assert_eq!(header(r, "content-type"), "application/problem+json", "{}", r.head);
    let body = r.json();
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| (e["field"].as_str().unwrap().to_owned(), e["message"].as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn create_read_list_and_revalidate() {
    let db = TempDb::new("crud-test", "create");
    let addr = start(&db).await;

    let laptop = req(addr, "GET", "/items/1", &[], None).await;
    assert_eq!(laptop.status(), 200);
    assert_eq!(laptop.json(), json!({"id": 1, "name": "Laptop", "price": 999.99}));

    let created = req(addr, "POST", "/items", &[], Some(r#"{"name": "Keyboard", "price": 79.99}"#)).await;
    assert_eq!(created.status(), 201, "{}", created.head);
    assert_eq!(created.json(), json!({"id": 2, "name": "Keyboard", "price": 79.99}));
    assert_eq!(header(&created, "location"), "/items/2");
    let etag = header(&created, "etag").to_owned();
    assert!(etag.starts_with('"'), "a strong tag: {etag}");

    let got = req(addr, "GET", "/items/2", &[], None).await;
    assert_eq!(header(&got, "etag"), etag);
    let not_modified = req(addr, "GET", "/items/2", &[&format!("if-none-match: {etag}")], None).await;
    assert_eq!(not_modified.status(), 304);
    assert!(not_modified.body.is_empty());
    let head = req(addr, "HEAD", "/items/2", &[], None).await;
    assert_eq!((head.status(), header(&head, "etag")), (200, etag.as_str()));

    let list = req(addr, "GET", "/items", &[], None).await;
    assert_eq!(list.status(), 200);
    assert_eq!(
        list.json(),
        json!({"items": [{"id": 1, "name": "Laptop", "price": 999.99}, {"id": 2, "name": "Keyboard", "price": 79.99}],
               "limit": 10, "offset": 0, "total": 2})
    );
    assert_eq!(header(&list, "x-total-count"), "2");
}

#[tokio::test]
async fn every_invalid_field_is_named() {
    let db = TempDb::new("crud-test", "invalid");
    let addr = start(&db).await;
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("{}", &[("name", "is required"), ("price", "is required")]),
        (
            r#"{"name": "", "price": 0}"#,
            &[("name", "must be 1 to 100 characters"), ("price", "must be greater than 0")],
        ),
        (
            r#"{"name": 5, "price": "5"}"#,
            &[
                ("name", "invalid type: integer `5`, expected a string"),
                ("price", "invalid type: string \"5\", expected f64"),
            ],
        ),
        (r#"{"name": null, "price": -1.5}"#, &[("name", "is required"), ("price", "must be greater than 0")]),
    ];
    for (body, expected) in cases {
        let r = req(addr, "POST", "/items", &[], Some(body)).await;
        assert_eq!(r.status(), 400, "{body}");
        let expected: Vec<(String, String)> =
            expected.iter().map(|(f, m)| ((*f).to_owned(), (*m).to_owned())).collect();
        assert_eq!(errors(&r), expected, "{body}");
    }
    let long = json!({"name": "x".repeat(101), "price": 1}).to_string();
    let r = req(addr, "POST", "/items", &[], Some(&long)).await;
    assert_eq!(errors(&r), [("name".to_owned(), "must be 1 to 100 characters".to_owned())]);
    // 100 characters is the limit, not 100 bytes.
    let accents = json!({"name": "é".repeat(100), "price": 1}).to_string();
    assert_eq!(req(addr, "POST", "/items", &[], Some(&accents)).await.status(), 201);

    let not_json = req(addr, "POST", "/items", &["content-type: text/plain"], Some("name=x")).await;
    assert_eq!(not_json.status(), 415);
    let broken = req(addr, "POST", "/items", &[], Some("{\"name\": ")).await;
    assert_eq!(broken.status(), 400);
    assert!(broken.json()["detail"].as_str().unwrap().contains("not valid JSON"));
    let array = req(addr, "POST", "/items", &[], Some("[1]")).await;
    assert_eq!(array.status(), 400);
    // serde reads a struct from an array too, field by field.
    assert_eq!(
        errors(&array),
        [
            ("0".to_owned(), "invalid type: integer `1`, expected a string".to_owned()),
            ("price".to_owned(), "is required".to_owned())
        ]
    );
    let patch = req(addr, "PATCH", "/items/1", &[], Some(r#"{"price": 0}"#)).await;
    assert_eq!(errors(&patch), [("price".to_owned(), "must be greater than 0".to_owned())]);

    // Nothing invalid was stored.
    let list = req(addr, "GET", "/items", &[], None).await;
    assert_eq!(list.json()["total"], 2);
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let db = TempDb::new("crud-test", "ids");
    let addr = start(&db).await;
    for method in ["GET", "PUT", "PATCH", "DELETE"] {
        let body = (method == "PUT" || method == "PATCH").then_some(r#"{"name": "x", "price": 1}"#);
        let r = req(addr, method, "/items/999", &[], body).await;
        assert_eq!(r.status(), 404, "{method}");
        assert_eq!(r.json()["detail"], "there is no item 999");
        for malformed in ["abc", "-", "--5", "5-"] {
            let r = req(addr, method, &format!("/items/{malformed}"), &[], body).await;
            assert_eq!(r.status(), 400, "{method} {malformed}");
            assert_eq!(errors(&r), [("item_id".to_owned(), "must be a whole number".to_owned())]);
        }
        let r = req(addr, method, "/items/-99999999999999999999", &[], body).await;
        assert_eq!(r.status(), 404, "{method}: a whole number, too large for an id");
    }
}

/// A bad field of a `PATCH` is named alone: the fields it may leave out are not missing.
#[tokio::test]
async fn a_patch_with_one_bad_field_names_that_field_alone() {
    let db = TempDb::new("crud-test", "patch-errors");
    let addr = start(&db).await;
    let r = req(addr, "PATCH", "/items/1", &[], Some(r#"{"price": "x"}"#)).await;
    assert_eq!(r.status(), 400);
    assert_eq!(errors(&r), [("price".to_owned(), "invalid type: string \"x\", expected f64".to_owned())]);
    // `name` is an `Option` that a rule requires: the rule runs once the body decodes, so a
    // body with a bad price is told of the price first.
    let r = req(addr, "POST", "/items", &[], Some(r#"{"price": "x"}"#)).await;
    assert_eq!(r.status(), 400);
    let named: Vec<String> = errors(&r).into_iter().map(|(field, _)| field).collect();
    assert_eq!(named, ["price"]);
}

#[tokio::test]
async fn replace_update_and_delete() {
    let db = TempDb::new("crud-test", "change");
    let addr = start(&db).await;
    let put = req(addr, "PUT", "/items/1", &[], Some(r#"{"name": "Desktop", "price": 1200}"#)).await;
    assert_eq!(put.status(), 200);
    assert_eq!(put.json(), json!({"id": 1, "name": "Desktop", "price": 1200.0}));
    assert!(put.header_values("etag").is_empty(), "RFC 9110 §9.3.4: no validator after a transformed PUT");

    let patch = req(addr, "PATCH", "/items/1", &[], Some(r#"{"price": 899.99}"#)).await;
    assert_eq!(patch.json(), json!({"id": 1, "name": "Desktop", "price": 899.99}));
    let get = req(addr, "GET", "/items/1", &[], None).await;
    assert_eq!(header(&get, "etag"), header(&patch, "etag"), "PATCH tells the new tag");

    let missing_field = req(addr, "PUT", "/items/1", &[], Some(r#"{"name": "Desktop"}"#)).await;
    assert_eq!(errors(&missing_field), [("price".to_owned(), "is required".to_owned())]);

    let deleted = req(addr, "DELETE", "/items/1", &[], None).await;
    assert_eq!(deleted.status(), 204);
    assert!(deleted.body.is_empty());
    assert!(deleted.header_values("content-type").is_empty());
    assert_eq!(req(addr, "GET", "/items/1", &[], None).await.status(), 404);
    assert_eq!(req(addr, "DELETE", "/items/1", &[], None).await.status(), 404);
}

#[tokio::test]
async fn if_match_guards_every_change() {
    let db = TempDb::new("crud-test", "if-match");
    let addr = start(&db).await;
    let v1 = header(&req(addr, "GET", "/items/1", &[], None).await, "etag").to_owned();
    let change =
        req(addr, "PATCH", "/items/1", &[&format!("if-match: {v1}")], Some(r#"{"name": "Laptop Pro"}"#))
            .await;
    assert_eq!(change.status(), 200);
    let v2 = header(&change, "etag").to_owned();
    assert_ne!(v1, v2);

    // Every change based on the first version now fails, and says what is current.
    for (method, body) in [
        ("PUT", Some(r#"{"name": "Old", "price": 1}"#)),
        ("PATCH", Some(r#"{"price": 1}"#)),
        ("DELETE", None),
    ] {
        let stale = req(addr, method, "/items/1", &[&format!("if-match: {v1}")], body).await;
        assert_eq!(stale.status(), 412, "{method}");
        assert_eq!(header(&stale, "etag"), v2, "{method}");
        assert_eq!(header(&stale, "content-type"), "application/problem+json");
    }
    let now = req(addr, "GET", "/items/1", &[], None).await;
    assert_eq!(now.json(), json!({"id": 1, "name": "Laptop Pro", "price": 999.99}));

    // A missing item is a 404 whatever the precondition (RFC 9110 §13.2.1), not a 412.
    for (method, body) in
        [("PUT", Some(r#"{"name": "New", "price": 1}"#)), ("PATCH", Some("{}")), ("DELETE", None)]
    {
        for if_match in ["if-match: *", "if-match: \"x\"", &format!("if-match: {v2}"), "if-match: unquoted"] {
            let r = req(addr, method, "/items/999", &[if_match], body).await;
            assert_eq!(
                (r.status(), header(&r, "content-type")),
                (404, "application/problem+json"),
                "{method} {if_match}"
            );
            assert!(r.header_values("etag").is_empty());
        }
    }
    assert_eq!(
        req(addr, "DELETE", "/items/1", &[&format!("if-match: \"x\", {v2}")], None).await.status(),
        204
    );
}

#[tokio::test]
async fn control_characters_in_names_are_refused_not_stored() {
    let db = TempDb::new("crud-test", "nul");
    let addr = start(&db).await;
    for body in [r#"{"name": "\u0000", "price": 1}"#, r#"{"name": "a\nb", "price": 1}"#] {
        let r = req(addr, "POST", "/items", &[], Some(body)).await;
        assert_eq!(
            errors(&r),
            [("name".to_owned(), "must not contain control characters".to_owned())],
            "{body}"
        );
    }
    let r = req(addr, "PATCH", "/items/1", &[], Some(r#"{"name": "\u0000x"}"#)).await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn a_malformed_if_match_stops_the_change() {
    let db = TempDb::new("crud-test", "malformed");
    let addr = start(&db).await;
    let tag = header(&req(addr, "GET", "/items/1", &[], None).await, "etag").trim_matches('"').to_owned();
    let r = req(addr, "PATCH", "/items/1", &[&format!("if-match: {tag}")], Some(r#"{"price": 5}"#)).await;
    assert_eq!(r.status(), 412, "a tag without its quotes is no precondition that holds");
    assert_eq!(req(addr, "GET", "/items/1", &[], None).await.json()["price"], 999.99);
}

#[tokio::test]
async fn existence_and_preconditions_come_before_the_body() {
    let db = TempDb::new("crud-test", "order");
    let addr = start(&db).await;
    assert_eq!(req(addr, "PUT", "/items/999", &[], Some("not json")).await.status(), 404);
    assert_eq!(
        req(addr, "PATCH", "/items/1", &["if-match: \"stale\""], Some("{\"price\": 0}")).await.status(),
        412
    );
    let huge = req(addr, "GET", "/items/99999999999999999999", &[], None).await;
    assert_eq!(huge.status(), 404);
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let db = TempDb::new("crud-test", "paths");
    let addr = start(&db).await;
    let r = req(addr, "POST", "/items/1", &[], Some("{}")).await;
    assert_eq!((r.status(), header(&r, "content-type")), (405, "application/problem+json"));
    assert!(header(&r, "allow").contains("GET"), "{}", r.head);
    let r = req(addr, "GET", "/nowhere", &[], None).await;
    assert_eq!((r.status(), header(&r, "content-type")), (404, "application/problem+json"));
}

/// Two clients that read the same version and both pass the `If-Match` check: the check and
/// the write are one statement, so the second write finds the version gone.
#[tokio::test]
async fn a_change_based_on_a_version_that_is_gone_is_stale() {
    use crud::store::Changed;

    let db = TempDb::new("crud-test", "race");
    let store = crud::Store::new(&db.0);
    let read = store.get(1).await.unwrap().unwrap();
    let first = store.update(1, read.version, "First", 1.0).await.unwrap();
    let Changed::Done(first) = first else { panic!("the first change goes through: {first:?}") };
    let second = store.update(1, read.version, "Second", 2.0).await.unwrap();
    assert_eq!(second, Changed::Stale(first.clone()), "the second finds the first's version");
    assert_eq!(store.delete(1, read.version).await.unwrap(), Changed::Stale(first.clone()));
    assert_eq!(store.delete(1, first.version).await.unwrap(), Changed::Done(()));
    assert_eq!(store.update(1, first.version, "Third", 3.0).await.unwrap(), Changed::Gone);
}

#[tokio::test]
async fn lists_page_with_links_and_checked_parameters() {
    let db = TempDb::new("crud-test", "list");
    let addr = start(&db).await;
    for i in 0..24 {
        let body = json!({"name": format!("item {i}"), "price": i + 1}).to_string();
        assert_eq!(req(addr, "POST", "/items", &[], Some(&body)).await.status(), 201);
    }
    let page = req(addr, "GET", "/items?limit=10&offset=20", &[], None).await;
    let body = page.json();
    assert_eq!((body["total"].as_u64(), body["items"].as_array().unwrap().len()), (Some(25), 5));
    assert_eq!(body["items"][0]["id"], 21);
    assert_eq!(
        header(&page, "link"),
        r#"</items?limit=10&offset=0>; rel="first", </items?limit=10&offset=10>; rel="prev", </items?limit=10&offset=20>; rel="last""#
    );
    let past = req(addr, "GET", "/items?limit=10&offset=1000", &[], None).await;
    assert_eq!(
        (past.status(), past.json()["items"].as_array().unwrap().len(), past.json()["total"].as_u64()),
        (200, 0, Some(25))
    );
    for (query, field, message) in [
        ("limit=0", "limit", "must be at least 1"),
        ("limit=101", "limit", "must be at most 100"),
        ("offset=-1", "offset", "must be at least 0"),
        ("limit=ten", "limit", "must be a whole number"),
    ] {
        let r = req(addr, "GET", &format!("/items?{query}"), &[], None).await;
        assert_eq!(r.status(), 400, "{query}");
        assert_eq!(errors(&r), [(field.to_owned(), message.to_owned())], "{query}");
    }
}

#[tokio::test]
async fn items_survive_a_restart_and_migrations_run_once() {
    let db = TempDb::new("crud-test", "restart");
    {
        let store = crud::Store::new(&db.0);
        let addr = serve(crud::app(store.clone())).await;
        let r = req(addr, "POST", "/items", &[], Some(r#"{"name": "Mouse", "price": 19.5}"#)).await;
        assert_eq!(r.status(), 201);
        store.ready().await.unwrap().close().await;
    }
    assert!(db.0.exists(), "the file was created on first use");
    let addr = start(&db).await;
    let list = req(addr, "GET", "/items", &[], None).await;
    assert_eq!(
        list.json()["items"],
        json!([{"id": 1, "name": "Laptop", "price": 999.99}, {"id": 2, "name": "Mouse", "price": 19.5}])
    );
}

/// Runs the curl walkthrough of `examples/crud/README.md` as written, against a server on a free
/// port instead of 8000 (the only change), and checks what each command prints. In CI (`CI`
/// set) curl must be there; elsewhere, without curl when the tests were built, the test is
/// reported as ignored (see `integration-tests/build.rs`).
#[tokio::test]
#[cfg_attr(not(any(strata_ci, strata_curl)), ignore = "needs curl on the PATH (CI installs it)")]
async fn the_readme_walkthrough_works_verbatim() {
    assert!(
        std::process::Command::new("curl").arg("--version").output().is_ok(),
        "curl is not on the PATH: CI must install it (.ci/run does); elsewhere, rebuild the tests and this one is ignored"
    );
    let db = TempDb::new("crud-test", "walkthrough");
    let addr = start(&db).await;
    let readme = include_str!("../../examples/crud/README.md");
    let script = readme.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    // One command per paragraph, comment lines dropped, continuation lines joined.
    let commands: Vec<String> = script
        .split("\n\n")
        .map(|block| block.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n"))
        .filter(|c| !c.trim().is_empty())
        .collect();
    assert_eq!(commands.len(), 5, "{commands:?}");
    let mut outputs = Vec::new();
    for command in &commands {
        let command = command.replace("localhost:8000", &addr.to_string());
        let out =
            tokio::process::Command::new("sh").arg("-c").arg(format!("{command} -s")).output().await.unwrap();
        assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
        outputs.push(String::from_utf8(out.stdout).unwrap());
    }
    let json = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    assert_eq!(json(&outputs[0])["items"][0]["name"], "Laptop");
    assert_eq!(json(&outputs[1]), json!({"id": 2, "name": "Keyboard", "price": 79.99}));
    assert_eq!(json(&outputs[2]), json!({"id": 1, "name": "Laptop", "price": 999.99}));
    assert_eq!(json(&outputs[3]), json!({"id": 1, "name": "Laptop", "price": 899.99}));
    assert_eq!(outputs[4], "", "DELETE answers 204 without a body");
    assert_eq!(req(addr, "GET", "/items/1", &[], None).await.status(), 404);
}

/// The document at `/schema/openapi.json`, as the tutorial says Litestar serves it: the
/// bodies with their constraints, 201 with `Location` and links to the new item, the
/// problems, `If-Match` on changes, the pagination parameters and `Link`; and `/schema`.
#[tokio::test]
async fn the_api_documents_itself_at_schema() {
    let db = TempDb::new("crud-test", "schema");
    let addr = start(&db).await;
    let r = req(addr, "GET", "/schema/openapi.json", &[], None).await;
    assert!(r.head.starts_with("HTTP/1.1 200 OK"), "{}", r.head);
    assert_eq!(header(&r, "content-type"), "application/json");
    let doc = r.json();
    assert_eq!(doc["info"]["title"], "Items");
    let op = |path: &str, method: &str| doc["paths"][path][method].clone();
    let schema = |name: &str| doc["components"]["schemas"][name].clone();
    let new_item = schema("NewItem");
    assert_eq!(new_item["required"], json!(["name", "price"]));
    assert_eq!(
        (
            new_item["properties"]["name"]["minLength"].clone(),
            new_item["properties"]["name"]["maxLength"].clone()
        ),
        (json!(1), json!(100))
    );
    assert_eq!(new_item["properties"]["price"]["exclusiveMinimum"], 0);
    assert!(schema("ItemChanges")["required"].is_null(), "every change is optional");

    let list = op("/items", "get");
    let names: Vec<&str> =
        list["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["limit", "offset"]);
    let limit = &list["parameters"][0]["schema"];
    assert_eq!((limit["default"].clone(), limit["maximum"].clone()), (json!(10), json!(100)));
    assert!(list["responses"]["200"]["headers"]["Link"].is_object());
    assert!(list["responses"]["200"]["headers"]["X-Total-Count"].is_object());
    assert!(list["responses"]["400"].is_object(), "bad pagination parameters");

    let create = op("/items", "post")["responses"].clone();
    assert!(create.get("200").is_none());
    assert!(create["201"]["headers"]["Location"].is_object());
    assert_eq!(create["201"]["links"]["GetItem"]["parameters"]["item_id"], "$response.body#/id");
    for status in ["400", "413", "415"] {
        assert!(create[status]["content"]["application/problem+json"].is_object(), "{status}: {create}");
    }
    let get = op("/items/{item_id}", "get")["responses"].clone();
    assert!(get["200"]["headers"]["ETag"].is_object() && get["304"].is_object() && get["404"].is_object());
    for method in ["put", "patch", "delete"] {
        let change = op("/items/{item_id}", method);
        let headers: Vec<&str> = change["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "header")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(headers, ["If-Match", "If-Unmodified-Since"], "{method}");
        assert!(change["responses"]["412"]["headers"]["ETag"].is_object(), "{method}");
    }
    assert!(op("/items/{item_id}", "delete")["responses"]["204"].is_object());
    assert!(!r.body.windows(9).any(|w| w == b"x-strata-"), "no mark is left");

    let ui = req(addr, "GET", "/schema", &[], None).await;
    assert!(ui.head.starts_with("HTTP/1.1 200 OK"), "{}", ui.head);
    assert!(String::from_utf8_lossy(&ui.body).contains("/schema/openapi.json"));
    let yaml = req(addr, "GET", "/schema/openapi.yaml", &[], None).await;
    assert!(String::from_utf8_lossy(&yaml.body).contains("\"/items/{item_id}\":"));
}
