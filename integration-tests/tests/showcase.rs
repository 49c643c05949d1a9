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
        // Escaped as minijinja escapes (`/` is `&#x2f;`), which a browser shows as `/`.
        let prefix = axum_strata::template::minijinja::HtmlEscape(seed.prefix);
        assert!(body.contains(&format!("<code>{prefix}</code>")), "{} missing", seed.prefix);
    }
    assert!(body.contains("new EventSource(url)"), "the live SSE panel is there");
    assert!(body.contains("listen(\"/seeds/sse/count\"") && body.contains("listen(\"/seeds/api/events\""));
}

/// Every seed the showcase serves has its operations in `/schema/openapi.json` (the CRUD API's
/// from its utoipa document, nested), but the WebSocket and the tower service of `/seeds/asgi`,
/// which are not HTTP operations (Litestar leaves them out of its schema too).
#[tokio::test]
async fn the_document_has_the_operations_of_every_served_seed() {
    let addr = serve(showcase::app()).await;
    let r = raw(addr, "GET /schema/openapi.json HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert!(r.head.starts_with("HTTP/1.1 200 OK"), "{}", r.head);
    let doc: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let undocumented = ["/seeds/websocket", "/seeds/asgi"];
    for seed in
        showcase::seeds::SEEDS.iter().filter(|s| s.router.is_some() && !undocumented.contains(&s.prefix))
    {
        let documented = paths.keys().filter(|p| p.starts_with(seed.prefix)).count();
        assert!(documented > 0, "{} has no operation in the document", seed.prefix);
    }
    let op = |path: &str, method: &str| doc["paths"][path][method].clone();
    let ok = |path: &str| op(path, "get")["responses"]["200"].clone();
    let content = |path: &str| ok(path)["content"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(content("/seeds/negotiation/resource"), ["application/xml", "text/html", "text/plain"]); // sorted
    assert_eq!(content("/seeds/file/file-download"), ["application/pdf"]);
    assert_eq!(content("/seeds/redirect/other-path"), ["text/plain"]);
    assert_eq!(content("/seeds/template/info"), ["text/html"]);
    assert_eq!(content("/seeds/sse/count"), ["text/event-stream"]);
    assert_eq!(content("/seeds/stream/time"), ["application/x-ndjson"]);
    let random = &ok("/seeds/after-request/router-path/resources")["headers"]["Random-Header"];
    assert_eq!(random["description"], "a random number in the range 100 - 1000", "closest wins");
    assert!(op("/seeds/api/custom", "get")["responses"]["201"].is_object());
    let data = op("/seeds/api/data", "post")["requestBody"]["content"].as_object().unwrap().clone();
    assert_eq!(data.len(), 3, "JSON, form and MessagePack: {data:?}");
    let search = op("/seeds/api/search", "get")["parameters"].as_array().unwrap().clone();
    let limit = search.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(
        (limit["schema"]["minimum"].clone(), limit["schema"]["maximum"].clone()),
        (1.into(), 100.into())
    );
    assert_eq!(limit["schema"]["default"], 10);
    // The crud API's utoipa document, under its prefix, with the schemas it refers to.
    let create = op("/seeds/crud/items", "post");
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewItem"
    );
    assert!(doc["components"]["schemas"]["NewItem"]["properties"]["name"].is_object());
    assert!(create["responses"]["201"]["headers"]["Location"].is_object());
    assert!(op("/seeds/crud/items/{item_id}", "get")["responses"]["304"].is_object());
    // The stand-ins utoipa's descriptions are made with leave nothing in the document.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(
        schemas.keys().all(|name| !name.contains("_for_null")),
        "{:?}",
        schemas.keys().collect::<Vec<_>>()
    );
    let store = op("/seeds/file-systems/{file_name}", "get")["responses"].clone();
    for status in ["200", "206", "404", "416", "502", "503"] {
        assert!(store[status].is_object(), "{status}: {store}");
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

mod seeds {
    #![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

    use std::net::SocketAddr;

    use integration_tests::{RawResponse, raw, serve};

    async fn req(addr: SocketAddr, method: &str, path: &str, headers: &[&str], body: &str) -> RawResponse {
        let mut request = format!("{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n");
        for h in headers {
            request.push_str(h);
            request.push_str("\r\n");
        }
        if !body.is_empty() || method == "POST" || method == "PUT" || method == "PATCH" {
            request
                .push_str(&format!("content-type: application/json\r\ncontent-length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        request.push_str(body);
        raw(addr, &request).await
    }

    fn status(r: &RawResponse) -> u16 {
        r.head[9..12].parse().unwrap()
    }

    fn text(r: &RawResponse) -> &str {
        std::str::from_utf8(&r.body).unwrap()
    }

    #[tokio::test]
    async fn every_served_seed_answers_its_index_link() {
        let addr = serve(showcase::app()).await;
        for seed in showcase::seeds::SEEDS {
            // An endless stream: tested on its own, reading part of it.
            if seed.prefix == "/seeds/stream" {
                continue;
            }
            if let Some(link) = seed.link {
                let r = req(addr, "GET", &format!("{}{link}", seed.prefix), &[], "").await;
                let expected = match seed.prefix {
                    "/seeds/vendor-json" => 418,
                    "/seeds/redirect" if link == "/some-path" => 302,
                    "/seeds/status" => 202,
                    // A plain GET is no upgrade: the browser test opens the socket.
                    "/seeds/websocket" => 400,
                    _ => 200,
                };
                assert_eq!(status(&r), expected, "{}{link}: {}", seed.prefix, r.head);
            }
        }
    }

    #[tokio::test]
    async fn response_seeds_have_their_media_types_and_bodies() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/json/resources", &[], "").await;
        assert_eq!(r.header_values("content-type"), ["application/json"]);
        assert_eq!(text(&r), r#"{"id":1,"name":"my resource"}"#);
        let r = req(addr, "GET", "/seeds/text/resources", &[], "").await;
        assert_eq!(r.header_values("content-type"), ["text/plain; charset=utf-8"]);
        assert_eq!(text(&r), "The rumbling rabbit ran around the rock");
        let r = req(addr, "GET", "/seeds/vendor-json/resources", &[], "").await;
        assert_eq!(status(&r), 418);
        assert_eq!(r.header_values("content-type"), ["application/vnd.example.resource+json"]);
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["status"], 418);
        let r = req(addr, "GET", "/seeds/plaintext/health-check", &[], "").await;
        assert_eq!(text(&r), "healthy");
        let r = req(addr, "GET", "/seeds/html/page", &[], "").await;
        assert_eq!(r.header_values("content-type"), ["text/html; charset=utf-8"]);
        assert!(text(&r).contains("<span>Hello World!</span>"));
        let r = req(addr, "GET", "/seeds/status/resources", &[], "").await;
        assert!(r.head.starts_with("HTTP/1.1 202 Accepted"));
    }

    #[tokio::test]
    async fn header_seeds_layer_as_documented() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/layered-headers/router-path/controller-path/handler-path", &[], "")
            .await;
        for (name, value) in [
            ("my-local-header", "local header"),
            ("controller-level-header", "controller header"),
            ("router-level-header", "router header"),
            ("app-level-header", "app header"),
        ] {
            assert_eq!(r.header_values(name), [value], "{name}");
        }

        let mut seen = std::collections::HashSet::new();
        for _ in 0..30 {
            let r = req(addr, "GET", "/seeds/dynamic-headers/resources", &[], "").await;
            let n: u64 = r.header_values("random-header")[0].parse().unwrap();
            assert!((1..=100).contains(&n), "{n}");
            seen.insert(n);
            let r = req(addr, "GET", "/seeds/after-request/router-path/resources", &[], "").await;
            let values = r.header_values("random-header");
            assert_eq!(values.len(), 1);
            let n: u64 = values[0].parse().unwrap();
            assert!((1..=100).contains(&n), "the router's hook wins: {n}");
        }
        assert!(seen.len() > 1, "the value is random");
    }

    #[tokio::test]
    async fn cache_control_seed() {
        let addr = serve(showcase::app()).await;
        for (path, expected) in [
            ("/population", "max-age=2628288, public"),
            ("/chance_of_rain", "max-age=86400, public"),
            ("/timestamp", "no-store"),
        ] {
            let r = req(addr, "GET", &format!("/seeds/cache-control{path}"), &[], "").await;
            assert_eq!(r.header_values("cache-control"), [expected], "{path}");
        }
    }

    #[tokio::test]
    async fn etag_seed_with_revalidation() {
        let addr = serve(showcase::app()).await;
        // A level's tags go out weak (Litestar sends "bar" and "foo" strong): a compressing
        // layer or proxy could send another encoding under them.
        for (path, expected) in
            [("/population", "W/\"bar\""), ("/chance_of_rain", "W/\"foo\""), ("/timestamp", "W/\"bar\"")]
        {
            let r = req(addr, "GET", &format!("/seeds/etag{path}"), &[], "").await;
            assert_eq!(r.header_values("etag"), [expected], "{path}");
            let r =
                req(addr, "GET", &format!("/seeds/etag{path}"), &[&format!("if-none-match: {expected}")], "")
                    .await;
            assert_eq!(status(&r), 304, "{path}");
            assert!(r.body.is_empty());
        }
        let r = req(addr, "GET", "/seeds/etag/population-dynamic", &[], "").await;
        let etag = r.header_values("etag")[0].to_owned();
        assert_eq!(etag, format!("\"{}\"", text(&r)), "a quoted tag of the count, not the app's");
    }

    #[tokio::test]
    async fn handlers_seed_statuses_paths_and_bad_input() {
        let addr = serve(showcase::app()).await;
        let base = "/seeds/handlers";
        let r = req(addr, "POST", &format!("{base}/resources"), &[], r#"{"id":7,"name":"new"}"#).await;
        assert_eq!(status(&r), 201);
        assert_eq!(text(&r), r#"{"id":7,"name":"new"}"#);
        let r = req(addr, "DELETE", &format!("{base}/resources/7"), &[], "").await;
        assert_eq!(status(&r), 204);
        assert!(r.body.is_empty() && r.header_values("content-type").is_empty());
        let r = req(addr, "PUT", &format!("{base}/resources/3"), &[], r#"{"id":0,"name":"replaced"}"#).await;
        assert_eq!(text(&r), r#"{"id":3,"name":"replaced"}"#);
        let r = req(addr, "PATCH", &format!("{base}/resources/3"), &[], r#"{"name":"patched"}"#).await;
        assert_eq!(text(&r), r#"{"id":3,"name":"patched"}"#);
        let r = req(addr, "HEAD", &format!("{base}/resources/3"), &[], "").await;
        assert_eq!(status(&r), 200);
        assert!(r.body.is_empty());
        assert_eq!(text(&req(addr, "GET", &format!("{base}/some-path"), &[], "").await), r#"{"some_id":1}"#);
        assert_eq!(
            text(&req(addr, "GET", &format!("{base}/some-path/5"), &[], "").await),
            r#"{"some_id":5}"#
        );

        // Bad input: problem responses that name what is wrong, never a 500.
        let r = req(addr, "GET", &format!("{base}/resources/abc"), &[], "").await;
        assert_eq!(status(&r), 400);
        assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
        let problem: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(problem["errors"][0]["field"], "pk");
        let r = req(addr, "POST", &format!("{base}/resources"), &[], "{not json").await;
        assert_eq!(status(&r), 400);
        assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
        // A wrong type and a missing field: 400 (one status for bad input), both named.
        let r = req(addr, "POST", &format!("{base}/resources"), &[], r#"{"id":"x"}"#).await;
        assert_eq!(status(&r), 400);
        let problem: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["id", "name"], "{problem}");
    }

    #[tokio::test]
    async fn msgpack_negotiation_returning_response_redirect_and_custom_seeds() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/msgpack/health-check", &[], "").await;
        assert_eq!(r.header_values("content-type"), ["application/x-msgpack"]);
        assert_eq!(r.body, b"\x81\xa5hello\xa5world");

        for (accept, body, ct) in [
            (None, "Hello World!", "text/plain; charset=utf-8"),
            (Some("text/html"), "<h1>Hello World!</h1>", "text/html; charset=utf-8"),
            (Some("application/xml"), "<xml><msg>Hello World!</msg></xml>", "application/xml"),
            (Some("image/png"), "Hello World!", "text/plain; charset=utf-8"),
        ] {
            let header = accept.map(|a| format!("accept: {a}"));
            let headers: Vec<&str> = header.iter().map(String::as_str).collect();
            let r = req(addr, "GET", "/seeds/negotiation/resource", &headers, "").await;
            assert_eq!(text(&r), body, "{accept:?}");
            assert_eq!(r.header_values("content-type"), [ct], "{accept:?}");
            assert_eq!(r.header_values("vary"), ["accept"]);
        }

        let r = req(addr, "GET", "/seeds/returning-response/resources", &[], "").await;
        assert_eq!(r.header_values("my-header"), ["xyz"]);
        assert_eq!(r.header_values("set-cookie"), ["my-cookie=abc"]);
        assert_eq!(text(&r), r#"{"id":1,"name":"my resource"}"#);

        let r = req(addr, "GET", "/seeds/redirect/some-path", &[], "").await;
        assert_eq!(status(&r), 302);
        assert_eq!(r.header_values("location"), ["/seeds/redirect/other-path"]);

        let r = req(addr, "GET", "/seeds/custom-response/", &[], "").await;
        assert_eq!(text(&r), r#"{"foo":["bar","baz"]}"#);
    }

    #[tokio::test]
    async fn api_seed_inspection_search_and_bodies() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/api/info?a=1&b=two", &["x-test: yes"], "").await;
        let info: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(info["method"], "GET");
        assert_eq!(info["query_params"]["b"], "two");
        assert_eq!(info["headers"]["x-test"], "yes");
        assert_eq!(info["url"], "http://x/seeds/api/info?a=1&b=two");

        let r = req(addr, "GET", "/seeds/api/search?q=rust", &[], "").await;
        assert_eq!(text(&r), r#"{"limit":10,"query":"rust","results":[]}"#);
        for bad in ["0", "101", "-1", "ten", ""] {
            let r = req(addr, "GET", &format!("/seeds/api/search?limit={bad}"), &[], "").await;
            assert_eq!(status(&r), 400, "limit={bad}");
            let problem: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(problem["errors"][0]["field"], "limit");
        }
        let r = req(addr, "GET", "/seeds/api/search?q=x", &["accept: application/x-msgpack"], "").await;
        assert_eq!(r.header_values("content-type"), ["application/x-msgpack"]);

        let r = req(addr, "POST", "/seeds/api/data", &[], r#"{"a":1}"#).await;
        assert_eq!(text(&r), r#"{"received":{"a":1}}"#);
        let form = "a=1&b=2&b=3";
        let r = raw(
            addr,
            &format!(
                "POST /seeds/api/data HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
                 content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{form}",
                form.len()
            ),
        )
        .await;
        assert_eq!(text(&r), r#"{"received":{"a":"1","b":["2","3"]}}"#);
        let mp = b"\x81\xa1k\xa1v";
        let mut request = format!(
            "POST /seeds/api/data HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
             content-type: application/msgpack\r\ncontent-length: {}\r\n\r\n",
            mp.len()
        )
        .into_bytes();
        request.extend_from_slice(mp);
        let r = integration_tests::raw_bytes(addr, &request).await;
        assert_eq!(text(&r), r#"{"received":{"k":"v"}}"#);
        let r = raw(
            addr,
            "POST /seeds/api/data HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: text/csv\r\ncontent-length: 3\r\n\r\na,b",
        )
        .await;
        assert_eq!(status(&r), 415);
        assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
        let r = req(addr, "POST", "/seeds/api/data", &[], "{broken").await;
        assert_eq!(status(&r), 400);
    }

    #[tokio::test]
    async fn api_seed_custom_redirect_and_cookie_session() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/api/custom", &[], "").await;
        assert_eq!(status(&r), 201);
        assert_eq!(r.header_values("x-custom-header"), ["value"]);
        assert_eq!(text(&r), r#"{"message":"Custom response"}"#);

        let r = req(addr, "GET", "/seeds/api/redirect-to-docs", &[], "").await;
        assert_eq!(status(&r), 302);
        assert_eq!(r.header_values("location"), ["https://docs.litestar.dev"]);

        let r = req(addr, "GET", "/seeds/api/profile", &[], "").await;
        assert_eq!(status(&r), 401);
        let r = req(addr, "POST", "/seeds/api/login", &[], r#"{"user":"alice"}"#).await;
        assert_eq!(status(&r), 200);
        let cookie = r.header_values("set-cookie")[0].to_owned();
        assert_eq!(cookie, "session_id=abc123; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=3600");
        let r = req(addr, "GET", "/seeds/api/profile", &["cookie: theme=dark; session_id=abc123"], "").await;
        assert_eq!(text(&r), r#"{"session":"abc123","user":"alice"}"#);
        let r = req(addr, "POST", "/seeds/api/logout", &[], "").await;
        assert_eq!(
            r.header_values("set-cookie"),
            ["session_id=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
        );
    }

    #[tokio::test]
    async fn background_seeds_greet_then_save_after_the_response() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/background/?name=alice", &[], "").await;
        assert_eq!(text(&r), r#"{"hello":"alice"}"#);
        let r = req(addr, "GET", "/seeds/background/", &[], "").await;
        assert_eq!(status(&r), 400);
        let problem: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(problem["errors"][0]["field"], "name");

        for name in ["bob", "carol"] {
            let r = req(addr, "GET", &format!("/seeds/background-multiple/?name={name}"), &[], "").await;
            assert_eq!(text(&r), format!(r#"{{"hello":"{name}"}}"#));
        }
        // The saving task runs after each response: wait (bounded) until both are saved.
        let mut greeted = String::new();
        for _ in 0..200 {
            let r = req(addr, "GET", "/seeds/background-multiple/greeted", &[], "").await;
            greeted = text(&r).to_owned();
            if greeted == r#"["bob","carol"]"# {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(greeted, r#"["bob","carol"]"#);
    }

    /// Reads from a response until `predicate` holds on what came so far (or 10 s pass).
    async fn read_until(addr: SocketAddr, request: &str, predicate: impl Fn(&str) -> bool) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while !predicate(&String::from_utf8_lossy(&seen)) {
                let n = stream.read(&mut buf).await.unwrap();
                assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
                seen.extend_from_slice(&buf[..n]);
            }
        })
        .await
        .unwrap();
        String::from_utf8_lossy(&seen).into_owned()
    }

    #[tokio::test]
    async fn the_time_stream_sends_json_lines_until_the_client_leaves() {
        let addr = serve(showcase::app()).await;
        let seen = read_until(addr, "GET /seeds/stream/time HTTP/1.1\r\nhost: x\r\n\r\n", |s| {
            s.matches("current_time").count() >= 3
        })
        .await;
        let (head, body) = seen.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("content-type: application/x-ndjson"), "{head}");
        assert!(head.contains("transfer-encoding: chunked"), "{head}");
        // Chunked framing: the JSON lines are the chunks' data.
        let line = body.lines().find(|l| l.starts_with('{')).unwrap();
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value["current_time"].as_str().unwrap().ends_with('Z'));
    }

    #[tokio::test]
    async fn the_sse_seed_sends_its_ten_rounds_byte_for_byte() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/sse/count", &[], "").await;
        assert_eq!(r.header_values("content-type"), ["text/event-stream"]);
        assert_eq!(r.header_values("cache-control"), ["no-cache"]);
        assert_eq!(r.header_values("x-accel-buffering"), ["no"]);
        let mut expected = String::new();
        for count in 1..=10 {
            let chunk = format!(
                "data: {count}\n\ndata: {count}\n\ndata: {count}\n\nevent: event2\nretry: 10\ndata: {}\n\n\
                 : some comment\nevent: something-with-comment\nretry: 1000\n\n",
                2 * count
            );
            expected.push_str(&chunk);
        }
        // Strip the chunked framing: each event is one chunk.
        let body = text(&r);
        let mut events = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size, 16).unwrap();
            if size == 0 {
                break;
            }
            events.push_str(&after[..size]);
            rest = &after[size + 2..];
        }
        assert_eq!(events, expected);
    }

    #[tokio::test]
    async fn api_stream_data_and_events_resume_after_last_event_id() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/api/stream-data", &[], "").await;
        let body = text(&r);
        assert!(body.contains("chunk 0\n") && body.contains("chunk 99\n") && !body.contains("chunk 100"));

        let seen =
            read_until(addr, "GET /seeds/api/events HTTP/1.1\r\nhost: x\r\nlast-event-id: 41\r\n\r\n", |s| {
                s.contains("\n\n") && s.contains("data: ")
            })
            .await;
        assert!(seen.contains("event: update\nid: 42\ndata: {\"counter\":42,\"timestamp\":"), "{seen}");
    }

    #[tokio::test]
    async fn the_template_seed_renders_info_html_escaped() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/template/info?name=%3Cscript%3E", &[], "").await;
        assert_eq!(status(&r), 200);
        assert_eq!(r.header_values("content-type"), ["text/html; charset=utf-8"]);
        let body = text(&r);
        assert!(body.contains("<h1>Hello &lt;script&gt;</h1>"), "{body}");
        let r = req(addr, "GET", "/seeds/template/info", &[], "").await;
        assert!(text(&r).contains("<code>guest@example.com</code>"));
    }

    #[tokio::test]
    async fn the_file_seed_and_api_downloads() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/file/file-download", &[], "").await;
        assert_eq!(status(&r), 200);
        assert_eq!(r.header_values("content-type"), ["application/pdf"]);
        assert_eq!(r.header_values("content-disposition"), ["attachment; filename=\"report.pdf\""]);
        assert!(r.body.starts_with(b"%PDF-1.4"));
        assert_eq!(r.header_values("content-length"), [r.body.len().to_string().as_str()]);
        let etag = r.header_values("etag")[0].to_owned();
        let r = req(addr, "GET", "/seeds/file/file-download", &[&format!("if-none-match: {etag}")], "").await;
        assert_eq!(status(&r), 304);
        assert!(r.body.is_empty());

        let r = req(addr, "GET", "/seeds/file/file-download", &["range: bytes=0-7"], "").await;
        assert_eq!(status(&r), 206);
        assert_eq!(r.body, b"%PDF-1.4");
        assert_eq!(r.header_values("accept-ranges"), ["bytes"]);
        assert_eq!(
            r.header_values("content-range")[0],
            format!("bytes 0-7/{}", r.header_values("content-range")[0].rsplit('/').next().unwrap())
        );
        let r = req(addr, "GET", "/seeds/file/file-download", &["range: bytes=99999-"], "").await;
        assert_eq!(status(&r), 416);

        let r = req(addr, "GET", "/seeds/api/download/notes.txt", &[], "").await;
        assert_eq!(text(&r), "Meeting notes\n- ship Strata\n");
        assert_eq!(r.header_values("content-disposition"), ["attachment; filename=\"notes.txt\""]);
        let r = req(addr, "GET", "/seeds/api/download/r%C3%A9sum%C3%A9%202024.txt", &[], "").await;
        assert_eq!(status(&r), 200);
        assert_eq!(
            r.header_values("content-disposition"),
            ["attachment; filename=\"resume 2024.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.txt"]
        );
        for bad in ["..%2FCargo.toml", "%2Fetc%2Fpasswd", "nope.txt", "..%2F..%2FCargo.toml"] {
            let r = req(addr, "GET", &format!("/seeds/api/download/{bad}"), &[], "").await;
            assert_eq!(status(&r), 404, "{bad}");
            assert_eq!(r.header_values("content-type"), ["application/problem+json"], "{bad}");
        }
    }

    fn multipart(field: &str, filename: &str, content: &str) -> String {
        let body = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
             Content-Type: text/plain\r\n\r\n{content}\r\n--XyZ--\r\n"
        );
        format!(
            "POST /seeds/api/upload HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
             content-type: multipart/form-data; boundary=XyZ\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    #[tokio::test]
    async fn api_upload_reports_the_file_or_a_problem() {
        let addr = serve(showcase::app()).await;
        let r = raw(addr, &multipart("file", "notes.txt", "twelve bytes")).await;
        assert_eq!(status(&r), 200, "{}", r.head);
        let value: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"filename": "notes.txt", "size": 12, "content_type": "text/plain"})
        );

        let r = raw(addr, &multipart("other", "x.txt", "x")).await;
        assert_eq!(status(&r), 400);
        let problem: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(problem["errors"][0]["field"], "file");

        let r = req(addr, "POST", "/seeds/api/upload", &[], "{}").await;
        assert_eq!(status(&r), 400);
        assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
    }

    #[tokio::test]
    async fn the_route_names_seed_builds_its_paths_and_urls_from_names() {
        let addr = serve(showcase::app()).await;
        let base = "/seeds/route-names";
        let r = req(addr, "GET", &format!("{base}/path-info"), &[], "").await;
        assert_eq!(
            text(&r),
            "/seeds/route-names/some-path /seeds/route-names/some-path/100 /seeds/route-names/some-path/100/value"
        );
        let r = req(addr, "GET", &format!("{base}/url-info"), &[], "").await;
        assert_eq!(
            text(&r),
            "http://x/seeds/route-names/some-path http://x/seeds/route-names/some-path/100 \
             http://x/seeds/route-names/some-path/100/value"
        );
        for (path, body) in [
            ("/some-path", r#"{"id":1,"val":"default"}"#),
            ("/some-path/100", r#"{"id":100,"val":"default"}"#),
            ("/some-path/100/value", r#"{"id":100,"val":"value"}"#),
        ] {
            assert_eq!(text(&req(addr, "GET", &format!("{base}{path}"), &[], "").await), body, "{path}");
        }
        // `four`: a redirect to the first path of the named handler, 404 for an unknown name.
        let r = req(addr, "GET", &format!("{base}/handler_name"), &[], "").await;
        assert_eq!(status(&r), 302);
        assert_eq!(r.header_values("location"), ["/seeds/route-names/some-path"]);
        let r = req(addr, "GET", &format!("{base}/three"), &[], "").await;
        // The template itself, as Litestar's handler index gives it, its braces encoded.
        assert_eq!(r.header_values("location"), ["/seeds/route-names/def/%7Bparam%7D"]);
        let r = req(addr, "GET", &format!("{base}/no-such-name"), &[], "").await;
        assert_eq!(status(&r), 404);
        assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
        // `five`: `three`'s path with the value.
        let r = req(addr, "GET", &format!("{base}/redirect/42"), &[], "").await;
        assert_eq!((status(&r), r.header_values("location")), (302, vec!["/seeds/route-names/def/42"]));
        assert_eq!(status(&req(addr, "GET", &format!("{base}/redirect/x"), &[], "").await), 400);
        assert_eq!(status(&req(addr, "GET", &format!("{base}/def/42"), &[], "").await), 200);
        assert_eq!(status(&req(addr, "GET", &format!("{base}/abc"), &[], "").await), 200);
        // The route's metadata (closest) refuses; the app level's lets `/abc` through.
        let r = req(addr, "GET", &format!("{base}/guarded"), &[], "").await;
        assert_eq!(status(&r), 403);
        assert_eq!(r.header_values("content-type"), ["application/problem+json"]);
    }

    #[tokio::test]
    async fn the_asgi_seed_is_a_tower_service_and_a_handler_calling_one() {
        let addr = serve(showcase::app()).await;
        let r = req(addr, "GET", "/seeds/asgi/my-asgi-app", &[], "").await;
        assert_eq!((status(&r), text(&r)), (200, r#"{"hello":"world"}"#));
        let r = req(addr, "POST", "/seeds/asgi/my-asgi-app", &[], "").await;
        assert_eq!((status(&r), text(&r)), (400, r#"{"detail":"unsupported request"}"#));
        let r = req(addr, "GET", "/seeds/asgi/returned", &[], "").await;
        assert_eq!((status(&r), text(&r)), (200, r#"{"hello":"world"}"#));
        let r = req(addr, "HEAD", "/seeds/asgi/my-asgi-app", &[], "").await;
        assert_eq!((status(&r), text(&r)), (200, ""), "HEAD is GET without the body");
        // Handshakes the WebSocket seed refuses (RFC 6455 §4.2.1, §4.4).
        let handshake = ["connection: upgrade", "upgrade: websocket"];
        let r = req(
            addr,
            "GET",
            "/seeds/websocket/socket",
            &[&handshake[..], &["sec-websocket-version: 8", "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ=="]]
                .concat(),
            "",
        )
        .await;
        assert_eq!(status(&r), 426);
        assert_eq!(r.header_values("sec-websocket-version"), ["13"]);
        let r = req(
            addr,
            "GET",
            "/seeds/websocket/socket",
            &[&handshake[..], &["sec-websocket-version: 13", "sec-websocket-key: short"]].concat(),
            "",
        )
        .await;
        assert_eq!((status(&r), r.header_values("content-type")), (400, vec!["application/problem+json"]));
    }

    /// `Location` and redirects are built from route names, under the prefix the showcase
    /// mounts each example at.
    #[tokio::test]
    async fn locations_and_redirects_come_from_route_names_under_the_prefix() {
        let addr = serve(showcase::app()).await;
        let created = req(
            addr,
            "POST",
            "/seeds/crud/items",
            &["content-type: application/json"],
            r#"{"name":"pen","price":2}"#,
        )
        .await;
        assert_eq!(status(&created), 201, "{}", created.head);
        let location = created.header_values("location")[0].to_owned();
        assert!(location.starts_with("/seeds/crud/items/"), "{location}");
        assert_eq!(status(&req(addr, "GET", &location, &[], "").await), 200);
        let r = req(addr, "GET", "/seeds/redirect/some-path", &[], "").await;
        assert_eq!(r.header_values("location"), ["/seeds/redirect/other-path"]);
    }
}
