//! Issue 14, "hostile input never takes the server down": each fault found, checked over real
//! TCP against the showcase (and the CRUD example) as they are served.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{net::SocketAddr, time::Duration};

use integration_tests::{RawResponse, raw, raw_bytes, raw_until, serve};

/// A POST of `body` as `content_type` to `path`.
async fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> RawResponse {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    raw_bytes(addr, &request).await
}

fn assert_problem(r: &RawResponse, status: u16) -> serde_json::Value {
    assert_eq!(r.status(), status, "{}", r.head);
    assert_eq!(r.header_values("content-type"), ["application/problem+json"], "{}", r.head);
    let problem = r.json();
    assert_eq!(problem["status"], status);
    problem
}

fn nested_msgpack(depth: usize) -> Vec<u8> {
    let mut body = vec![0x91; depth];
    body.push(0xc0);
    body
}

#[tokio::test]
async fn deep_msgpack_is_a_400_problem_and_the_server_lives_on() {
    let addr = serve(showcase::app()).await;
    // 601 bytes: 600 nested one-element arrays aborted the whole process.
    for depth in [129, 600, 100_000] {
        let r = post(addr, "/seeds/api/data", "application/msgpack", &nested_msgpack(depth)).await;
        let problem = assert_problem(&r, 400);
        assert_eq!(problem["detail"], "the body nests arrays or maps more than 128 deep");
    }
    let r = post(addr, "/seeds/api/data", "application/msgpack", &nested_msgpack(128)).await;
    assert_eq!(r.status(), 201, "{}", r.head);
    let r = raw(addr, "GET /seeds/api/info HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn bytes_after_a_msgpack_or_json_value_are_a_400_problem() {
    let addr = serve(showcase::app()).await;
    let r = post(addr, "/seeds/api/data", "application/msgpack", b"\x80\xc1\xc1\xc1").await;
    let problem = assert_problem(&r, 400);
    assert_eq!(problem["detail"], "the body has 3 bytes after its MessagePack value");
    let r = post(addr, "/seeds/api/data", "application/json", b"{} x").await;
    assert_problem(&r, 400);
    let r = post(addr, "/seeds/api/login", "application/json", b"{}{}").await;
    assert_problem(&r, 400);
    let r = post(addr, "/seeds/api/data", "application/msgpack", b"\x80").await;
    assert_eq!(r.status(), 201, "{}", r.head);
    assert_eq!(r.json(), serde_json::json!({"received": {}}));
}

/// The first event of `/seeds/api/events` after `Last-Event-ID: last`.
async fn first_event(addr: SocketAddr, last: &str) -> (RawResponse, String) {
    let request = format!(
        "GET /seeds/api/events HTTP/1.1\r\nhost: x\r\nlast-event-id: {last}\r\nconnection: close\r\n\r\n"
    );
    let r = raw_until(addr, request.as_bytes(), b"\n\n", Duration::from_secs(30)).await.unwrap();
    let body = String::from_utf8_lossy(&r.body).into_owned();
    (r, body)
}

#[tokio::test]
async fn last_event_ids_at_the_end_of_u64_neither_panic_nor_overflow() {
    let addr = serve(showcase::app()).await;
    // The last id there is: the stream sends it, then ends.
    let request = "GET /seeds/api/events HTTP/1.1\r\nhost: x\r\nlast-event-id: 18446744073709551614\r\n\
                   connection: close\r\n\r\n";
    let r = raw(addr, request).await;
    assert_eq!(r.status(), 200, "{}", r.head);
    let body = String::from_utf8(r.content()).unwrap();
    assert!(body.contains("id: 18446744073709551615\n"), "{body}");
    assert_eq!(body.matches("id: ").count(), 1, "{body}");
    // Nothing comes after u64::MAX, and ids that are no number (or too large for one) start over.
    for last in ["18446744073709551615", "18446744073709551616", "-1", "+1", "x"] {
        let (r, body) = first_event(addr, last).await;
        assert_eq!(r.status(), 200, "{last}: {}", r.head);
        assert!(body.contains("id: 0\n"), "{last}: {body}");
    }
    let (_, body) = first_event(addr, "41").await;
    assert!(body.contains("id: 42\n"), "{body}");
}

#[tokio::test]
async fn http_1_1_without_exactly_one_valid_host_is_a_400_problem_in_both_examples() {
    let showcase = serve(showcase::app()).await;
    let db = std::env::temp_dir().join(format!("strata-bad-input-{}.sqlite3", std::process::id()));
    let crud = serve(crud::app(crud::Store::new(&db))).await;
    for (addr, path) in [(showcase, "/seeds/json/resources"), (crud, "/items")] {
        for (hosts, detail) in [
            ("", "an HTTP/1.1 request must have a Host header"),
            ("host: a.example\r\nhost: b.example\r\n", "the request has more than one Host header"),
            ("host: user@a.example\r\n", "the Host header is not a host and an optional port"),
            ("host: a.example:99999\r\n", "the Host header is not a host and an optional port"),
        ] {
            let r = raw(addr, &format!("GET {path} HTTP/1.1\r\n{hosts}connection: close\r\n\r\n")).await;
            let problem = assert_problem(&r, 400);
            assert_eq!(problem["detail"], detail, "{path} {hosts:?}");
        }
        let r =
            raw(addr, &format!("GET {path} HTTP/1.1\r\nhost: a.example\r\nconnection: close\r\n\r\n")).await;
        assert_eq!(r.status(), 200, "{path}: {}", r.head);
        // HTTP/1.0 needs no Host.
        let r = raw(addr, &format!("GET {path} HTTP/1.0\r\n\r\n")).await;
        assert_eq!(r.status(), 200, "{path}: {}", r.head);
    }
    // …but a page that shows the URL cannot know it then.
    let r = raw(showcase, "GET /seeds/api/info HTTP/1.0\r\n\r\n").await;
    assert_eq!(assert_problem(&r, 400)["detail"], "the request names no host");
    let _ = std::fs::remove_file(&db);
}

#[tokio::test]
async fn the_info_url_takes_the_authority_of_an_absolute_target_over_host() {
    let addr = serve(showcase::app()).await;
    let r = raw(
        addr,
        "GET http://a.example/seeds/api/info?x=1 HTTP/1.1\r\nhost: b.example\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.head);
    assert_eq!(r.json()["url"], "http://a.example/seeds/api/info?x=1");
    let r =
        raw(addr, "GET /seeds/api/info HTTP/1.1\r\nhost: b.example:81\r\nconnection: close\r\n\r\n").await;
    assert_eq!(r.json()["url"], "http://b.example:81/seeds/api/info");
    // Forwarded headers are not believed by the showcase: it has no proxy of its own.
    let r = raw(
        addr,
        "GET /seeds/api/info HTTP/1.1\r\nhost: b.example\r\nx-forwarded-host: evil.example\r\n\
         x-forwarded-proto: https\r\nforwarded: host=evil.example\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(r.json()["url"], "http://b.example/seeds/api/info");
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_problems_on_every_branch() {
    let addr = serve(showcase::app()).await;
    let big = vec![b'a'; 3 * 1024 * 1024];
    for (path, content_type) in [
        ("/seeds/api/data", "application/x-www-form-urlencoded"),
        ("/seeds/api/data", "application/json"),
        ("/seeds/api/data", "application/msgpack"),
        ("/seeds/api/login", "application/json"),
    ] {
        let r = post(addr, path, content_type, &big).await;
        assert_problem(&r, 413);
    }
}

#[tokio::test]
async fn unknown_paths_methods_and_bad_path_parameters_are_problems() {
    let addr = serve(showcase::app()).await;
    let r = raw(addr, "GET /no/such/thing HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert_problem(&r, 404);
    let r = raw(addr, "DELETE /seeds/api/info HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert_problem(&r, 405);
    let r =
        raw(addr, "GET /seeds/api/download/%FF%FE HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert_problem(&r, 400);
    let r =
        raw(addr, "GET /seeds/template/info?name=%FF HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert!(r.status() < 500, "{}", r.head);
}
