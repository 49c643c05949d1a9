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
        /// The body could not be read (its own status: 400, 413…).
        #[status = rejection.status()]
        #[body = rejection.body_text()]
        BodyRead(rejection: axum::extract::rejection::BytesRejection),
    }
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
        let bytes = Bytes::from_request(req, state).await.map_err(MsgPackRejection::BodyRead)?;
        rmp_serde::from_slice(&bytes).map(Self).map_err(|e| MsgPackRejection::InvalidBody(e.to_string()))
    }
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

    /// A required `application/x-msgpack` body; 415 for another Content-Type, 400 for a
    /// malformed body.
    impl<T: JsonSchema> OperationInput for MsgPack<T> {
        fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
            fragments::request_body(operation, MSGPACK, fragments::schema_of::<T>(ctx));
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            fragments::problems(&[
                (400, "The body is not valid MessagePack for this operation."),
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
