//! HTTP details over TCP, on the showcase: `HEAD` answers as `GET` does, preconditions on a
//! missing resource, `If-None-Match: *` without a validator, and ties in content negotiation.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::net::SocketAddr;

use integration_tests::{RawResponse, raw, serve};

async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[&str], body: &str) -> RawResponse {
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    if !body.is_empty() {
        request.push_str(&format!("content-type: application/json\r\ncontent-length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    raw(addr, &request).await
}

/// The status line, then the header lines in a fixed order (the order of different names
/// means nothing) without `date` (the two answers may fall in different seconds).
fn head_without_date(response: &RawResponse) -> Vec<String> {
    let mut lines = response.head.split("\r\n");
    let status = lines.next().unwrap_or_default().to_owned();
    let mut fields: Vec<String> = lines.filter(|l| !l.starts_with("date:")).map(str::to_owned).collect();
    // Stable: lines of one name keep their order.
    fields.sort_by(|a, b| a.split(':').next().cmp(&b.split(':').next()));
    std::iter::once(status).chain(fields).collect()
}

/// RFC 9110 §9.3.2: the server sends the same header fields in response to `HEAD` as it would
/// to `GET`, without the content; `Content-Length` says how long `GET`'s content is (§8.6).
#[tokio::test]
async fn head_answers_with_the_head_get_would_send() {
    let addr = serve(showcase::app()).await;
    for path in [
        "/seeds/handlers/resources/5",
        "/seeds/handlers/resources/abc",
        "/seeds/handlers/some-path/5",
        "/seeds/json/resources",
        "/seeds/text/resources",
        "/seeds/vendor-json/resources",
        "/seeds/msgpack/health-check",
        "/seeds/html/page",
        "/seeds/negotiation/resource",
        "/seeds/status/resources",
        "/seeds/returning-response/resources",
        "/seeds/layered-headers/router-path/controller-path/handler-path",
        "/seeds/cache-control/population",
        "/seeds/etag/population",
        "/seeds/etag/chance_of_rain",
        "/seeds/redirect/some-path",
        "/seeds/file/file-download",
        "/seeds/template/info",
        "/seeds/custom-response/",
        "/seeds/pagination/offset/people?limit=10&offset=0",
        "/seeds/crud/items/1",
        "/seeds/crud/items/999",
        // The crud router's own fallback (a problem). axum's default one, for paths no router
        // knows, lets hyper write `content-length: 0` to `GET` only, which RFC 9110 §9.3.2
        // allows: not compared here.
        "/seeds/crud/nowhere",
    ] {
        let get = send(addr, "GET", path, &[], "").await;
        let head = send(addr, "HEAD", path, &[], "").await;
        assert_eq!(head_without_date(&head), head_without_date(&get), "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        if get.header_values("transfer-encoding").is_empty() {
            let length: usize = get.header_values("content-length")[0].parse().unwrap();
            assert_eq!(length, get.body.len(), "GET {path}");
        }
    }
    // The route of the issue: 28 bytes of JSON, announced to HEAD as to GET.
    let head = send(addr, "HEAD", "/seeds/handlers/resources/5", &[], "").await;
    assert_eq!(head.status(), 200);
    assert_eq!(head.header_values("content-type"), ["application/json"]);
    assert_eq!(head.header_values("content-length"), ["28"]);
}

/// RFC 9110 §13.2.1: preconditions are ignored when the answer without them would not be a
/// 2xx, so a change to a missing item is a 404, not a 412.
#[tokio::test]
async fn a_change_to_a_missing_item_is_a_404_whatever_if_match_says() {
    let addr = serve(showcase::app()).await;
    let current = send(addr, "GET", "/seeds/crud/items/1", &[], "").await;
    let etag = format!("if-match: {}", current.header_values("etag")[0]);
    for (method, body) in
        [("PUT", r#"{"name": "x", "price": 1}"#), ("PATCH", r#"{"price": 2}"#), ("DELETE", "")]
    {
        for if_match in ["if-match: *", "if-match: \"nope\"", etag.as_str()] {
            let r = send(addr, method, "/seeds/crud/items/404", &[if_match], body).await;
            assert_eq!(r.status(), 404, "{method} {if_match}");
            assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
        }
        // On an item that exists, a stale tag still fails.
        let r = send(addr, method, "/seeds/crud/items/1", &["if-match: \"nope\""], body).await;
        assert_eq!(r.status(), 412, "{method}");
    }
}

/// RFC 9110 §13.1.2: `If-None-Match: *` is false when a current representation exists, which a
/// 2xx answer says whether or not it carries a validator: 304 for `GET` and `HEAD`.
#[tokio::test]
async fn if_none_match_any_is_a_304_without_a_validator() {
    let addr = serve(showcase::app()).await;
    let plain = send(addr, "GET", "/seeds/json/resources", &[], "").await;
    assert!(plain.header_values("etag").is_empty() && plain.header_values("last-modified").is_empty());
    for method in ["GET", "HEAD"] {
        let r = send(addr, method, "/seeds/json/resources", &["if-none-match: *"], "").await;
        assert_eq!(r.status(), 304, "{method}: {}", r.head);
        assert!(r.body.is_empty());
        assert!(r.header_values("content-length").is_empty() && r.header_values("content-type").is_empty());
    }
    // Not for an answer that is no current representation.
    let r = send(addr, "GET", "/seeds/crud/items/999", &["if-none-match: *"], "").await;
    assert_eq!(r.status(), 404);
    // Nor for a list of tags, which needs a tag to compare with.
    let r = send(addr, "GET", "/seeds/json/resources", &["if-none-match: \"v1\""], "").await;
    assert_eq!(r.status(), 200);
}

/// Offers the client weights equally go to the one it named most specifically, then to the
/// server's order (as Litestar, Werkzeug and actix rank).
#[tokio::test]
async fn negotiation_ties_go_to_the_most_specific_range() {
    let addr = serve(showcase::app()).await;
    for (accept, content_type) in [
        ("text/*, text/html", "text/html; charset=utf-8"),
        ("text/html, text/*", "text/html; charset=utf-8"),
        ("*/*, application/xml", "application/xml"),
        ("text/*", "text/plain; charset=utf-8"),
        ("text/*, text/html;q=0.5", "text/plain; charset=utf-8"),
    ] {
        let r = send(addr, "GET", "/seeds/negotiation/resource", &[&format!("accept: {accept}")], "").await;
        assert_eq!(r.header_values("content-type"), [content_type], "{accept}");
    }
}
