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
