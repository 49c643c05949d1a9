//! Arbitrary JSON bodies, sent over TCP to every route of the showcase that reads a body: the
//! answer is never a 5xx (nor a dropped connection).

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::net::SocketAddr;

use integration_tests::{raw_bytes, serve};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Every route of the showcase that takes a body, with its method.
const ROUTES: &[(&str, &str)] = &[
    ("POST", "/seeds/handlers/resources"),
    ("PUT", "/seeds/handlers/resources/1"),
    ("PATCH", "/seeds/handlers/resources/1"),
    ("POST", "/seeds/api/data"),
    ("POST", "/seeds/api/login"),
    ("POST", "/seeds/crud/items"),
    ("PUT", "/seeds/crud/items/1"),
    ("PATCH", "/seeds/crud/items/1"),
];

/// Any JSON value, up to 4 levels deep, with the awkward cases weighted in: huge and negative
/// numbers, floats, `null`, empty and control-character strings, the seeds' own field names.
fn any_json() -> impl Strategy<Value = Value> {
    let number = prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
    ];
    let text = prop_oneof![
        Just(String::new()),
        "[a-z]{1,8}",
        "\\PC{0,12}",
        Just("\u{0}\n\t".to_owned()),
        Just("x".repeat(101)),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number.prop_map(Value::Number),
        text.prop_map(Value::String),
    ];
    let key = prop_oneof![Just("id"), Just("name"), Just("price"), Just("quantity"), Just("x")]
        .prop_map(str::to_owned);
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

async fn send(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> u16 {
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    raw_bytes(addr, &request).await.status()
}

#[test]
fn any_json_body_to_any_body_route_is_never_a_server_error() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let addr = runtime.block_on(serve(showcase::app()));
    let config = ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(value in any_json())| {
        let body = serde_json::to_vec(&value).unwrap();
        for (method, path) in ROUTES {
            let status = runtime.block_on(send(addr, method, path, &body));
            prop_assert!((200..500).contains(&status), "{method} {path} {value} → {status}");
        }
    });
}
