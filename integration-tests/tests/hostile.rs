//! Hostile input never takes the server down: a few hundred malformed, oversized and
//! adversarial requests over raw TCP against every route of the showcase as it is served
//! (`showcase::app()`, on 127.0.0.1), then a normal request. No response may be a 5xx, no task
//! may panic (a panic hook counts them, in the server's tasks too), every error the showcase
//! itself answers must be a problem, and the server must still answer 200 at the end.
//!
//! The requests are generated, not random: each route gets the same hostile headers, bodies,
//! query strings and path parameters, so a failure names the request that caused it. Bounded:
//! one request at a time, each with a 10 s deadline (the endless streams are read up to their
//! head only).

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use base64::Engine as _;
use integration_tests::{RawResponse, raw, raw_until, serve};

/// Panics anywhere in this test binary since the hook was installed.
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// One request to send: what it is (for failure messages) and its bytes.
struct Hostile {
    what: String,
    bytes: Vec<u8>,
}

fn request(method: &str, target: &str, headers: &[String], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
    let has_host = headers.iter().any(|h| h.to_ascii_lowercase().starts_with("host:"));
    if !has_host {
        out.extend_from_slice(b"host: 127.0.0.1\r\n");
    }
    for header in headers {
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !body.is_empty() {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out.extend_from_slice(body);
    out
}

/// Every method and path of the seeds, with `{…}` parameters filled by `param`.
fn routes(param: &str) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for seed in showcase::seeds::SEEDS.iter().filter(|s| s.router.is_some()) {
        for entry in seed.paths {
            let (methods, path) = entry.split_once(' ').unwrap();
            let path = path.split('?').next().unwrap();
            let path = path.replace("{pk}", param).replace("{some_id}", param).replace("{item_id}", param);
            let path = path.replace("{filename}", param);
            for method in methods.split('/') {
                routes.push((method.to_owned(), format!("{}{path}", seed.prefix)));
            }
        }
    }
    routes
}

fn nested_json(depth: usize) -> Vec<u8> {
    let mut body = vec![b'['; depth];
    body.extend(std::iter::repeat_n(b']', depth));
    body
}

fn nested_msgpack(depth: usize) -> Vec<u8> {
    let mut body = vec![0x91; depth];
    body.push(0xc0);
    body
}

fn hostile_requests() -> Vec<Hostile> {
    let mut out = Vec::new();
    let mut push = |what: String, bytes: Vec<u8>| out.push(Hostile { what, bytes });

    // Every route with hostile headers.
    let long = "x".repeat(16 * 1024);
    let header_sets: Vec<(&str, Vec<String>)> = vec![
        ("garbage accept", vec!["accept: ;;;,,,*/*;q=abc, text/;q=2, application/msgpack;q=-1".to_owned()]),
        (
            "long headers",
            vec![format!("accept: {long}"), format!("x-junk: {long}"), format!("cookie: {long}")],
        ),
        (
            "bad conditionals",
            vec![
                "if-none-match: \"unterminated, W/\"\", *, \u{1}".replace('\u{1}', "x"),
                "if-match: garbage\"".to_owned(),
                "if-modified-since: yesterday".to_owned(),
                "if-unmodified-since: 99 Foo 99999 99:99:99 GMT".to_owned(),
            ],
        ),
        (
            "bad ranges",
            vec!["range: bytes=99999999999999999999999-, -1, 5-1, =".to_owned(), "if-range: \"x".to_owned()],
        ),
        (
            "bad last-event-ids",
            vec!["last-event-id: 18446744073709551615".to_owned(), "last-event-id: -1".to_owned()],
        ),
        ("two hosts", vec!["host: a.example".to_owned(), "host: b.example".to_owned()]),
        ("bad host", vec!["host: user@evil.example:99999".to_owned()]),
        (
            "bad forwarded",
            vec![
                "forwarded: for=\"unterminated;host=a b".to_owned(),
                format!("x-forwarded-host: {}", "a,".repeat(500)),
                "x-forwarded-proto: 1nvalid".to_owned(),
            ],
        ),
    ];
    for (method, path) in routes("1") {
        for (what, headers) in &header_sets {
            push(format!("{method} {path} with {what}"), request(&method, &path, headers, b""));
        }
    }

    // Hostile path parameters and file names.
    for param in [
        "99999999999999999999999",
        "-9223372036854775809",
        "%00",
        "%FF%FE",
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "%C0%AE%C0%AE%2F",
        "a%0D%0Aset-cookie:%20x=1",
        &"a".repeat(4096),
        "CON",
    ] {
        for (method, path) in routes(param) {
            if path.contains(param) {
                push(format!("{method} {path:.80}"), request(&method, &path, &[], b""));
            }
        }
    }

    // Hostile query strings on every GET route.
    let cursor_deep = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(nested_json(380));
    let cursor_trailing = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b"[1] x");
    let queries = [
        "page_size=-1&current_page=99999999999999999999999".to_owned(),
        "limit=0&offset=-5&limit=3".to_owned(),
        "results_per_page=abc&cursor=not-base64!!".to_owned(),
        format!("cursor={}", "A".repeat(4096)),
        format!("cursor={cursor_deep}&results_per_page=10"),
        format!("cursor={cursor_trailing}&results_per_page=10"),
        "q=%FF%FE&limit=%00&name=%".to_owned(),
        format!("name={}", "n".repeat(8192)),
        "&&&==&=&a==b".to_owned(),
    ];
    for (method, path) in routes("1").into_iter().filter(|(m, _)| m == "GET") {
        for query in &queries {
            push(format!("GET {path}?{query:.60}"), request(&method, &format!("{path}?{query}"), &[], b""));
        }
    }

    // Hostile bodies on every route that takes one.
    let bodies: Vec<(&str, &str, Vec<u8>)> = vec![
        ("deep JSON", "application/json", nested_json(100_000)),
        ("JSON with trailing bytes", "application/json", b"{\"name\":\"x\",\"price\":1} trailing".to_vec()),
        ("deep MessagePack", "application/msgpack", nested_msgpack(100_000)),
        ("MessagePack with trailing bytes", "application/x-msgpack", b"\x80\xc1\xc1\xc1".to_vec()),
        ("MessagePack claiming 4 GiB", "application/msgpack", b"\xdb\xff\xff\xff\xffabc".to_vec()),
        ("a form of garbage", "application/x-www-form-urlencoded", b"%%%&&==%FF=%00&a=\xff".to_vec()),
        ("a multipart body without its boundary", "multipart/form-data", b"--x\r\n\r\n".to_vec()),
        (
            "a multipart body cut short",
            "multipart/form-data; boundary=x",
            b"--x\r\ncontent-disposition: form-data; name=\"file\"; filename=\"../../a\"\r\n\r\nabc".to_vec(),
        ),
        ("a bad content type", ";;;/;charset=\u{0}", b"{}".to_vec()),
        ("an oversized body", "application/json", vec![b' '; 3 * 1024 * 1024]),
    ];
    for (method, path) in
        routes("1").into_iter().filter(|(m, _)| matches!(m.as_str(), "POST" | "PUT" | "PATCH"))
    {
        for (what, content_type, body) in &bodies {
            let content_type = content_type.replace('\u{0}', "x");
            push(
                format!("{method} {path} with {what}"),
                request(&method, &path, &[format!("content-type: {content_type}")], body),
            );
        }
    }

    // Requests that are not HTTP, or barely.
    for (what, bytes) in [
        ("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec()),
        ("no version", b"GET /\r\n\r\n".to_vec()),
        ("HTTP/9.9", b"GET / HTTP/9.9\r\nhost: x\r\n\r\n".to_vec()),
        ("a header without a colon", b"GET / HTTP/1.1\r\nhost: x\r\nnocolon\r\n\r\n".to_vec()),
        ("NUL in a header", b"GET / HTTP/1.1\r\nhost: x\r\nx-a: a\x00b\r\n\r\n".to_vec()),
        ("obs-fold", b"GET / HTTP/1.1\r\nhost: x\r\nx-a: a\r\n  b\r\nconnection: close\r\n\r\n".to_vec()),
        (
            "Content-Length and Transfer-Encoding",
            b"POST /seeds/api/data HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n"
                .to_vec(),
        ),
        (
            "a broken chunk",
            b"POST /seeds/api/data HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
                .to_vec(),
        ),
        ("a huge head", request("GET", "/", &[format!("x-big: {}", "b".repeat(600 * 1024))], b"")),
        ("a huge target", request("GET", &format!("/{}", "p".repeat(100 * 1024)), &[], b"")),
        ("an unknown method", request("BREW", "/seeds/api/info", &[], b"")),
        ("an absolute target", request("GET", "http://other.example:1/seeds/api/info", &[], b"")),
        ("an authority target", request("CONNECT", "a.example:443", &[], b"")),
        ("an asterisk target", request("OPTIONS", "*", &[], b"")),
        ("HTTP/1.0 without host", b"GET /seeds/api/info HTTP/1.0\r\n\r\n".to_vec()),
    ] {
        push(what.to_owned(), bytes);
    }
    out
}

/// Whether the response is one the showcase made (hyper answers malformed requests itself,
/// with an empty body and no type).
fn is_from_the_app(r: &RawResponse) -> bool {
    !r.header_values("content-type").is_empty() || r.header_values("content-length") != ["0"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_never_take_the_showcase_down() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let addr = serve(showcase::app()).await;
    let requests = hostile_requests();
    assert!(requests.len() >= 300, "only {} requests", requests.len());

    let (mut answered, mut errors) = (0, Vec::new());
    for Hostile { what, bytes } in &requests {
        let Some(r) = raw_until(addr, bytes, b"", Duration::from_secs(10)).await else {
            // Closed without an answer: hyper does that for some garbage; a panic would be
            // counted by the hook.
            continue;
        };
        answered += 1;
        let status = r.status();
        if status >= 500 {
            errors.push(format!("{what}: {}", r.head.lines().next().unwrap_or_default()));
        }
        let problem = r.header_values("content-type") == ["application/problem+json"];
        // 418 is what `/seeds/vendor-json` answers by design, not an error; the seed's tower
        // service at `/seeds/asgi/my-asgi-app` answers other methods 400
        // `{"detail":"unsupported request"}`, the seed's own body.
        let by_design = status == 418 || (status == 400 && what.contains("/seeds/asgi/my-asgi-app"));
        if status >= 400 && !by_design && is_from_the_app(&r) && !problem {
            errors.push(format!("{what}: {status} is not a problem: {}", r.head.replace("\r\n", " | ")));
        }
    }
    assert!(
        errors.is_empty(),
        "{} of {} requests went wrong:\n{}",
        errors.len(),
        requests.len(),
        errors.join("\n")
    );
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a task panicked (see the output above)");
    assert!(
        answered * 10 >= requests.len() * 9,
        "only {answered} of {} requests were answered",
        requests.len()
    );

    let r = raw(addr, "GET /seeds/api/info HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert_eq!(r.status(), 200, "the server still answers: {}", r.head);
    let r = raw(addr, "GET /seeds/json/resources HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert_eq!(r.status(), 200, "{}", r.head);
}
