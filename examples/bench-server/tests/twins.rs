//! The twins of every endpoint answer alike over TCP: same status, same headers (but `Date`),
//! same bytes. Only the file endpoints differ, where tower-http's `ServeFile` sends fewer headers.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::net::SocketAddr;

use bench_server::{ENDPOINTS, Fixtures, Twin};
use integration_tests::{RawResponse, request, serve};

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn get(addr: SocketAddr, path: &str, headers: &[String]) -> RawResponse {
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    request(addr, "GET", path, &headers).await
}

/// The header lines but `Date`, sorted, with `/bare/` written as `/strata/` (in `Link`).
fn head(r: &RawResponse) -> Vec<String> {
    let mut lines: Vec<String> = r
        .head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("date:"))
        .map(|l| l.replace("/bare/", "/strata/"))
        .collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn every_pair_answers_with_the_same_status_headers_and_bytes() {
    let dir = std::env::temp_dir().join(format!("strata-twins-{}", std::process::id()));
    let fixtures = Fixtures::create(&dir).unwrap();
    let runner = axum_strata::background::Runner::new();
    let addr = serve(bench_server::app(&fixtures, &runner)).await;
    let mut cases: Vec<(String, Vec<String>)> = ENDPOINTS
        .iter()
        .map(|name| match *name {
            "page" => ("page?limit=20&offset=40".to_owned(), Vec::new()),
            "negotiated-json-1K" => ((*name).to_owned(), vec![format!("accept: {BROWSER_ACCEPT}")]),
            _ => ((*name).to_owned(), Vec::new()),
        })
        .collect();
    cases.push(("etag-static".to_owned(), vec!["if-none-match: \"static-v1\"".to_owned()]));
    cases.push(("negotiated-json-1K".to_owned(), vec!["accept: application/x-msgpack".to_owned()]));
    for (path, headers) in &cases {
        let strata = get(addr, &format!("/strata/{path}"), headers).await;
        let bare = get(addr, &format!("/bare/{path}"), headers).await;
        assert_eq!(strata.status(), bare.status(), "{path}");
        assert_eq!(strata.content(), bare.content(), "{path}: the bytes differ");
        if path.starts_with("file-") {
            // ServeFile sends no ETag, Last-Modified or Content-Disposition, and no charset.
            assert_eq!(
                strata.header_values("content-length"),
                bare.header_values("content-length"),
                "{path}"
            );
        } else {
            assert_eq!(head(&strata), head(&bare), "{path}: the headers differ");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--root strata` (or `bare`) serves that twin at `/NAME` too, answering as under its prefix.
#[tokio::test]
async fn a_twin_at_the_root_answers_as_under_its_prefix() {
    let dir = std::env::temp_dir().join(format!("strata-twins-root-{}", std::process::id()));
    let fixtures = Fixtures::create(&dir).unwrap();
    let runner = axum_strata::background::Runner::new();
    for (twin, prefix) in [(Twin::Strata, "/strata"), (Twin::Bare, "/bare")] {
        let addr = serve(bench_server::app_with_root(&fixtures, &runner, Some(twin))).await;
        for name in ["plaintext-1K", "json-1K", "etag-static", "file-1K", "page?limit=20&offset=40"] {
            let root = get(addr, &format!("/{name}"), &[]).await;
            let prefixed = get(addr, &format!("{prefix}/{name}"), &[]).await;
            assert_eq!(root.status(), 200, "{twin:?} /{name}");
            assert_eq!(root.content(), prefixed.content(), "{twin:?} /{name}");
        }
        let other = if twin == Twin::Strata { "background" } else { "sse-10k" };
        assert_eq!(get(addr, &format!("/{other}"), &[]).await.status(), 200, "{twin:?} /{other}");
    }
    let without = serve(bench_server::app(&fixtures, &runner)).await;
    assert_eq!(get(without, "/plaintext-1K", &[]).await.status(), 404, "no root twin unless asked");
    let _ = std::fs::remove_dir_all(&dir);
}
