//! MessagePack: `MsgPack<T>` as a response (struct fields as map keys, like JSON) and as a
//! request body extractor.
//!
//! As a response it leaves the status to the method, as every Strata response type does (201
//! for `POST` under `Strata::app()`); wrap it with a status to choose one.
//!
//! The extractor takes bodies whose `Content-Type` is `application/msgpack`,
//! `application/x-msgpack` or `application/vnd.msgpack`; any other type is a 415 problem
//! response, and a body that is not MessagePack for `T` a 400 problem response naming the
//! error.
//!
//! # Limits on request bodies
//!
//! | what | limit | set with |
//! |---|---|---|
//! | size of the body | 2 MB | axum's `DefaultBodyLimit` (413 problem when over) |
//! | nesting of arrays and maps | [`DEFAULT_MAX_DEPTH`] (128) | [`MsgPackLimits::max_depth`] (400 problem when over) |
//! | items in an array or map | what the body holds: each takes a byte or more | the body size |
//! | bytes after the value | none: one value is the whole body | — |
//!
//! The body is checked without recursion before rmp-serde builds anything (see
//! [`MsgPackLimits`]), so no body can overflow the stack or make the server allocate more than
//! the body's size says.
//!
//! ```
//! use axum::{body::to_bytes, response::IntoResponse};
//! use axum_strata::msgpack::MsgPack;
//! use std::collections::BTreeMap;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let response = MsgPack(BTreeMap::from([("hello", "world")])).into_response();
//! assert_eq!(response.headers()["content-type"], "application/x-msgpack");
//! assert_eq!(to_bytes(response.into_body(), 64).await.unwrap(), &b"\x81\xa5hello\xa5world"[..]);
//! # }
//! ```

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Request},
    response::{IntoResponse, Response},
};
use http::{HeaderValue, StatusCode, header};
use serde::{Serialize, de::DeserializeOwned};
use strata_headers::mime::Mime;

use crate::{
    media_type::{MSGPACK, MSGPACK_MIME},
    problem::Problem,
    render,
};

mod limits;

pub use self::limits::{DEFAULT_MAX_DEPTH, MsgPackLimits};
use self::limits::{ScanError, scan};

/// A MessagePack response or request body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct MsgPack<T>(pub T);

impl<T: Serialize> IntoResponse for MsgPack<T> {
    fn into_response(self) -> Response {
        match render::render(&self.0, &MSGPACK_MIME) {
            Ok(bytes) => {
                let mut response = Response::new(Body::from(bytes));
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(MSGPACK));
                // Like every Strata response type, it leaves the status to the method.
                response.extensions_mut().insert(strata_tower::default_status::StatusUnset);
                response
            }
            Err(e) => {
                tracing::error!("{e}");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR)
                    .with_detail("the response content could not be rendered")
                    .into_response()
            }
        }
    }
}

crate::macros::rejection! {
    /// Why a MessagePack body was refused.
    #[derive(Debug)]
    pub enum MsgPackRejection {
        /// The request's `Content-Type` is not a MessagePack media type (415).
        #[status = StatusCode::UNSUPPORTED_MEDIA_TYPE]
        #[body = "expected a body of type application/msgpack, application/x-msgpack or application/vnd.msgpack"]
        UnsupportedMediaType,
        /// The body is not MessagePack for the expected type (400).
        #[status = StatusCode::BAD_REQUEST]
        #[body = format!("the body is not valid MessagePack for this resource: {error}")]
        InvalidBody(error: String),
        /// Arrays or maps nest deeper than the limit (400).
        #[status = StatusCode::BAD_REQUEST]
        #[body = format!("the body nests arrays or maps more than {max_depth} deep")]
        TooDeep(max_depth: usize),
        /// A complete value is followed by more bytes (400).
        #[status = StatusCode::BAD_REQUEST]
        #[body = format!("the body has {count} bytes after its MessagePack value")]
        TrailingBytes(count: usize),
        /// The body could not be read (its own status: 400, 413…).
        #[status = rejection.status()]
        #[body = rejection.body_text()]
        BodyRead(rejection: axum::extract::rejection::BytesRejection),
    }
    respond = respond;
}

/// The problem of a [`MsgPackRejection`]; its 400s are [input problems](Problem::input).
fn respond(rejection: MsgPackRejection) -> Response {
    let problem = rejection.problem();
    if rejection.status() == StatusCode::BAD_REQUEST { problem.input() } else { problem }.into_response()
}

/// Whether a request's `Content-Type` names MessagePack.
pub(crate) fn has_msgpack_type(headers: &http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Mime>().ok())
        .is_some_and(|m| render::is_msgpack(&m))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for MsgPack<T> {
    type Rejection = MsgPackRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, MsgPackRejection> {
        if !has_msgpack_type(req.headers()) {
            return Err(MsgPackRejection::UnsupportedMediaType);
        }
        let limits = req.extensions().get::<MsgPackLimits>().copied().unwrap_or_default();
        let bytes = Bytes::from_request(req, state).await.map_err(MsgPackRejection::BodyRead)?;
        decode(&bytes, limits).map(Self)
    }
}

/// One MessagePack value for `T`, within `limits`, and nothing after it.
pub(crate) fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    limits: MsgPackLimits,
) -> Result<T, MsgPackRejection> {
    check(bytes, limits)?;
    T::deserialize(&mut deserializer(bytes, limits)).map_err(|e| MsgPackRejection::InvalidBody(e.to_string()))
}

/// Whether `bytes` are one MessagePack value within `limits`, and nothing after it.
pub(crate) fn check(bytes: &[u8], limits: MsgPackLimits) -> Result<(), MsgPackRejection> {
    let max_depth = limits.depth();
    scan(bytes, max_depth).map_err(|e| match e {
        ScanError::TooDeep => MsgPackRejection::TooDeep(max_depth),
        ScanError::Trailing(count) => MsgPackRejection::TrailingBytes(count),
        ScanError::Malformed(why) => MsgPackRejection::InvalidBody(why.to_owned()),
    })
}

/// The deserializer of [`check`]ed bytes, with its own depth fence.
pub(crate) fn deserializer(
    bytes: &[u8],
    limits: MsgPackLimits,
) -> rmp_serde::Deserializer<rmp_serde::decode::ReadRefReader<'_, [u8]>> {
    let mut deserializer = rmp_serde::Deserializer::from_read_ref(bytes);
    // A second fence: rmp-serde counts an extension as a level too, and starts at one.
    deserializer.set_max_depth(limits.depth().saturating_add(2));
    deserializer
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationInput, OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };
    use schemars::JsonSchema;

    use super::{MSGPACK, MsgPack};
    use crate::openapi::fragments;

    /// `application/x-msgpack`, with the status of the method.
    impl<T: JsonSchema> OperationOutput for MsgPack<T> {
        type Inner = T;

        fn operation_response(ctx: &mut GenContext, _: &mut Operation) -> Option<Response> {
            let body = fragments::body(MSGPACK, fragments::schema_of::<T>(ctx));
            Some(fragments::by_method(fragments::response("The value, as MessagePack.", [body])))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(Some(200), r)]).unwrap_or_default()
        }
    }

    /// A required `application/x-msgpack` body; 415 for another Content-Type, 413 for one over
    /// the body limit, 400 for a malformed body.
    impl<T: JsonSchema> OperationInput for MsgPack<T> {
        fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
            fragments::request_body(operation, MSGPACK, fragments::schema_of::<T>(ctx));
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            fragments::problems(&[
                (
                    400,
                    "The body is not valid MessagePack for this operation (or nests too deep, or has bytes after its value).",
                ),
                (413, "The body is larger than the route's body limit."),
                (415, "The body is not `application/x-msgpack`."),
            ])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        name: String,
    }

    async fn extract(
        content_type: Option<&str>,
        body: &'static [u8],
    ) -> Result<MsgPack<Item>, MsgPackRejection> {
        let mut req = Request::builder().method("POST");
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        MsgPack::<Item>::from_request(req.body(Body::from(body)).unwrap(), &()).await
    }

    #[tokio::test]
    async fn decodes_maps_into_structs_for_every_msgpack_name() {
        for ct in ["application/msgpack", "application/x-msgpack", "application/vnd.msgpack"] {
            let MsgPack(item) = extract(Some(ct), b"\x81\xa4name\xa3pen").await.unwrap();
            assert_eq!(item, Item { name: "pen".to_owned() });
        }
    }

    #[test]
    fn responses_leave_the_status_to_the_method() {
        let r = MsgPack(1u8).into_response();
        assert!(r.extensions().get::<strata_tower::default_status::StatusUnset>().is_some());
    }

    #[tokio::test]
    async fn wrong_type_is_415_and_garbage_is_400() {
        let e = extract(Some("application/json"), b"{}").await.unwrap_err();
        assert_eq!(e.status(), 415);
        let e = extract(None, b"\x81").await.unwrap_err();
        assert_eq!(e.status(), 415);
        let e = extract(Some("application/msgpack"), b"\xc1\xff").await.unwrap_err();
        assert_eq!(e.status(), 400);
        let r = e.into_response();
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }

    async fn extract_value(
        limits: Option<MsgPackLimits>,
        body: Vec<u8>,
    ) -> Result<MsgPack<serde_json::Value>, MsgPackRejection> {
        let mut req = Request::builder().method("POST").header("content-type", "application/msgpack");
        if let Some(limits) = limits {
            req = req.extension(limits);
        }
        MsgPack::from_request(req.body(Body::from(body)).unwrap(), &()).await
    }

    fn nested(depth: usize) -> Vec<u8> {
        let mut body = vec![0x91; depth];
        body.push(0xc0);
        body
    }

    #[tokio::test]
    async fn deep_nesting_is_a_400_problem_at_the_default_and_at_a_configured_depth() {
        let MsgPack(value) = extract_value(None, nested(DEFAULT_MAX_DEPTH)).await.unwrap();
        assert!(value.is_array());
        for depth in [DEFAULT_MAX_DEPTH + 1, 600, 100_000] {
            let e = extract_value(None, nested(depth)).await.unwrap_err();
            assert_eq!(e.status(), 400);
            assert_eq!(e.body_text(), "the body nests arrays or maps more than 128 deep");
        }
        let shallow = Some(MsgPackLimits::new().max_depth(3));
        assert!(extract_value(shallow, nested(3)).await.is_ok());
        let e = extract_value(shallow, nested(4)).await.unwrap_err();
        assert_eq!(e.body_text(), "the body nests arrays or maps more than 3 deep");
        let r = e.into_response();
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }

    #[tokio::test]
    async fn bytes_after_the_value_are_refused() {
        let e = extract_value(None, b"\x80\xc1\xc1\xc1".to_vec()).await.unwrap_err();
        assert_eq!(e.status(), 400);
        assert_eq!(e.body_text(), "the body has 3 bytes after its MessagePack value");
        let e = extract(Some("application/msgpack"), b"\x81\xa4name\xa3pen\x00").await.unwrap_err();
        assert_eq!(e.body_text(), "the body has 1 bytes after its MessagePack value");
        // An empty body is not a value.
        assert_eq!(extract_value(None, Vec::new()).await.unwrap_err().status(), 400);
    }

    #[test]
    fn enum_variants_nest_within_the_limit_too() {
        // rmp-serde does not count a one-entry map read as an enum; the scan does.
        #[derive(Debug, Deserialize)]
        #[allow(dead_code, reason = "only decoded")]
        enum Chain {
            Link(Box<Self>),
            End,
        }
        let mut body = Vec::new();
        for _ in 0..200 {
            body.extend_from_slice(b"\x81\xa4Link");
        }
        body.extend_from_slice(b"\xa3End");
        let e = decode::<Chain>(&body, MsgPackLimits::new()).unwrap_err();
        assert!(matches!(e, MsgPackRejection::TooDeep(128)), "{e}");
        assert!(decode::<Chain>(&body, MsgPackLimits::new().max_depth(200)).is_ok());
    }

    fn json_values() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
            ".{0,40}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(".{0,8}", inner, 0..8)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn depth_of(value: &serde_json::Value) -> usize {
        match value {
            serde_json::Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
            serde_json::Value::Object(map) => 1 + map.values().map(depth_of).max().unwrap_or(0),
            _ => 0,
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = decode::<serde_json::Value>(&body, MsgPackLimits::new());
            let _ = decode::<Item>(&body, MsgPackLimits::new().max_depth(2));
        }

        #[test]
        fn values_round_trip_and_any_trailing_byte_is_refused(
            value in json_values(),
            trailing in proptest::collection::vec(proptest::num::u8::ANY, 1..16),
        ) {
            let mut body = rmp_serde::to_vec(&value).unwrap();
            proptest::prop_assert_eq!(decode::<serde_json::Value>(&body, MsgPackLimits::new()).unwrap(), value);
            let len = trailing.len();
            body.extend_from_slice(&trailing);
            let refused = decode::<serde_json::Value>(&body, MsgPackLimits::new());
            proptest::prop_assert!(matches!(refused, Err(MsgPackRejection::TrailingBytes(n)) if n == len), "{refused:?}");
        }

        #[test]
        fn values_deeper_than_the_limit_are_refused(value in json_values(), max_depth in 0_usize..8) {
            let body = rmp_serde::to_vec(&value).unwrap();
            let decoded = decode::<serde_json::Value>(&body, MsgPackLimits::new().max_depth(max_depth));
            if depth_of(&value) > max_depth {
                proptest::prop_assert!(matches!(decoded, Err(MsgPackRejection::TooDeep(d)) if d == max_depth), "{decoded:?}");
            } else {
                proptest::prop_assert!(decoded.is_ok(), "{decoded:?}");
            }
        }

        #[test]
        fn nesting_of_any_depth_is_refused_past_the_limit(depth in 0_usize..2_000, max_depth in 0_usize..300) {
            let decoded = decode::<serde_json::Value>(&nested(depth), MsgPackLimits::new().max_depth(max_depth));
            proptest::prop_assert_eq!(decoded.is_ok(), depth <= max_depth);
            if let Err(e) = decoded {
                proptest::prop_assert_eq!(e.status(), StatusCode::BAD_REQUEST);
            }
        }
    }

    #[tokio::test]
    async fn rejections_are_problems_byte_for_byte() {
        let wrong_type = extract(Some("application/json"), b"{}").await.unwrap_err().into_response();
        let body = axum::body::to_bytes(wrong_type.into_body(), 1024).await.unwrap();
        assert_eq!(
            body,
            r#"{"type":"about:blank","title":"Unsupported Media Type","status":415,"detail":"expected a body of type application/msgpack, application/x-msgpack or application/vnd.msgpack"}"#
        );
        let garbage = extract(Some("application/msgpack"), b"\xc1\xff").await.unwrap_err();
        let detail = garbage.body_text();
        assert!(detail.starts_with("the body is not valid MessagePack for this resource: "), "{detail}");
        let body = axum::body::to_bytes(garbage.into_response().into_body(), 1024).await.unwrap();
        assert_eq!(
            body,
            format!(
                r#"{{"type":"about:blank","title":"Bad Request","status":400,"detail":{}}}"#,
                serde_json::to_string(&detail).unwrap()
            )
        );
    }
}
