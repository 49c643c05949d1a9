//! The showcase router served for real: the index lists every seed prefix.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use integration_tests::{raw, serve};

#[tokio::test]
async fn index_lists_every_seed_prefix_as_html() {
    let addr = serve(showcase::app()).await;
    let r = raw(addr, "GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert!(r.head.starts_with("HTTP/1.1 200 OK"), "{}", r.head);
    assert_eq!(r.header_values("content-type"), ["text/html; charset=utf-8"]);
    let body = String::from_utf8(r.body).unwrap();
    for seed in showcase::seeds::SEEDS {
        assert!(body.contains(&format!("<code>{}</code>", seed.prefix)), "{} missing", seed.prefix);
    }
}

#[tokio::test]
async fn head_on_the_index_has_headers_and_no_body() {
    let addr = serve(showcase::app()).await;
    let r = raw(addr, "HEAD / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert!(r.head.starts_with("HTTP/1.1 200 OK"), "{}", r.head);
    assert_eq!(r.header_values("content-type"), ["text/html; charset=utf-8"]);
    assert!(r.body.is_empty());
}
