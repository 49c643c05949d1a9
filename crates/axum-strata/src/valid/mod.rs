//! Validation that reports every bad field at once, in one error shape.
//!
//! [`Valid<E>`] wraps axum's [`Json`], [`Query`], [`Form`] and [`Path`] and Strata's
//! [`MsgPack`](crate::msgpack::MsgPack). It decodes the input, and where serde would stop at
//! the first error it goes on, so that a body with three bad fields gets three errors back;
//! then it checks [validator]'s rules (`#[validate(length(min = 1))]`, `range`, `email`,
//! `nested`, …), all of them. Every failure is one [`Problem`]: status 400, and an
//! `errors` array whose entries name the field by its path (`items/2/name`) and the rule it
//! broke, as Pydantic does in Litestar.
//!
//! How it goes on after an error:
//!
//! - **JSON and MessagePack bodies**: the type derives `eserde::Deserialize` instead of
//!   `serde::Deserialize` ([eserde] implements both, honouring `#[serde(…)]` attributes). A
//!   body that decodes costs serde's one pass; one that does not is read again by eserde,
//!   which records every error with its path. (A MessagePack body's second pass reads it as
//!   JSON text: bytes become arrays of numbers there.) A bad body over 64 KiB gets its first
//!   error only, with a note: the second pass keeps every error it meets.
//! - **Queries, forms and path parameters** are flat `key=value` pairs, so plain
//!   `serde::Deserialize` types do: after an error, the field is recorded and its value
//!   replaced by a stand-in of its type (or dropped, when it is optional) until the pairs
//!   decode, in at most 64 rounds (fewer for a large form: 4 MiB of pairs read in all).
//!
//! The type also derives `validator::Validate`. The derives name their crates, so `eserde`
//! and `validator` go in the app's own `Cargo.toml`; both are re-exported here for their
//! traits. With the `openapi` feature, schemars reads the same `#[validate(…)]` attributes,
//! so lengths, ranges and required fields reach the document.
//!
//! ```
//! use axum::{Json, Router, body::Body, http::Request, routing::post};
//! use axum_strata::valid::{Valid, eserde, validator::Validate};
//! use tower::ServiceExt as _;
//!
//! #[derive(eserde::Deserialize, Validate)]
//! struct Item {
//!     #[validate(length(min = 1, max = 100))]
//!     name: String,
//!     #[validate(range(exclusive_min = 0.0))]
//!     price: f64,
//!     quantity: u32,
//! }
//!
//! async fn create(Valid(Json(item)): Valid<Json<Item>>) -> String {
//!     format!("{} × {} at {}", item.quantity, item.name, item.price)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app = Router::new().route("/items", post(create));
//! let send = |body: &'static str| {
//!     Request::post("/items").header("content-type", "application/json").body(Body::from(body)).unwrap()
//! };
//! let response = app.clone().oneshot(send(r#"{"name": "", "price": 0, "quantity": -1}"#)).await.unwrap();
//! assert_eq!(response.status(), 400);
//! let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
//! let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
//! // The type error first (decoding), alone: the rules are checked on a decoded value.
//! assert_eq!(problem["errors"][0]["field"], "quantity");
//!
//! let response = app.oneshot(send(r#"{"name": "", "price": 0, "quantity": 1}"#)).await.unwrap();
//! let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
//! let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
//! assert_eq!(problem["errors"][0], serde_json::json!({"field": "name", "message": "must have a length from 1 to 100"}));
//! assert_eq!(problem["errors"][1], serde_json::json!({"field": "price", "message": "must be greater than 0.0"}));
//! # }
//! ```
//!
//! # One status for bad input
//!
//! Every client error of input that Strata and its extractors produce is **400**, as Litestar
//! answers: a value that does not decode or breaks a rule, malformed syntax (an empty body,
//! broken JSON, a query string that is not one), a bad pagination parameter, a bad MessagePack
//! body. A body of another `Content-Type` is **415**, one over the body limit **413**. Users
//! coming from FastAPI can have **422** for the 400s, app-wide, with
//! [`StrataLayer::input_error_status`](crate::StrataLayer::input_error_status) on the app
//! level: those problems carry their intent ([`InputProblem`]) and the level renders them again
//! with its status.
//!
//! axum's own rejections become the same problems in one line, through `From`:
//! `Result<Json<T>, JsonRejection>` and `.map_err(Problem::from)?`.
//!
//! Unknown fields are ignored, as serde does, unless the type says
//! `#[serde(deny_unknown_fields)]`. `null` for a field that is not an `Option` is an error of
//! that field; numbers beyond the field's type (`u8`, `i64`, `u64`, `f64`) too.
//!
//! Rules are checked once the value decodes, so a body with a wrong type and a broken rule
//! gets the decoding errors first (a `null` or missing field is a decoding error unless the
//! field is an `Option` with `#[validate(required)]`, which reports it with the rules). After
//! an unknown enum variant, the errors that follow it in a JSON body are left out: eserde
//! 0.1.7 loses their paths.
//!
//! Field names are the wire's for decoding errors (`#[serde(rename)]` applies) and the Rust
//! field's for validator's rules, which does not know serde's renames.
//!
//! [`Json`]: axum::Json
//! [`Query`]: axum::extract::Query
//! [`Form`]: axum::Form
//! [`Path`]: axum::extract::Path
//! [`Problem`]: crate::problem::Problem

mod decode;
mod extract;

pub use eserde;
pub use validator;

pub use self::extract::InputProblem;

/// An extractor whose value is decoded with every error reported, then checked against
/// [`validator::Validate`]; see the [module docs](self). `E` is [`Json`], [`Query`],
/// [`Form`], [`Path`] or [`MsgPack`](crate::msgpack::MsgPack).
///
/// [`Json`]: axum::Json
/// [`Query`]: axum::extract::Query
/// [`Form`]: axum::Form
/// [`Path`]: axum::extract::Path
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct Valid<E>(pub E);

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationInput,
        generate::GenContext,
        openapi::{Operation, Response},
    };
    use axum::{
        Form, Json,
        extract::{Path, Query},
    };
    use schemars::JsonSchema;

    use super::Valid;
    use crate::openapi::fragments;

    const INVALID: (u16, &str) =
        (400, "The input does not decode or breaks a rule: `errors` names each bad field and its rule.");
    const TOO_LARGE: (u16, &str) = (413, "The body is larger than the route's body limit.");

    /// A required JSON body with the type's schema (its `#[validate]` rules among it); 400,
    /// 413, 415.
    impl<T: JsonSchema> OperationInput for Valid<Json<T>> {
        fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
            fragments::request_body(operation, "application/json", fragments::schema_of::<T>(ctx));
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            fragments::problems(&[INVALID, TOO_LARGE, (415, "The body is not `application/json`.")])
        }
    }

    /// A required form body with the type's schema; 400, 413, 415.
    impl<T: JsonSchema> OperationInput for Valid<Form<T>> {
        fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
            let schema = fragments::schema_of::<T>(ctx);
            fragments::request_body(operation, "application/x-www-form-urlencoded", schema);
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            fragments::problems(&[
                INVALID,
                TOO_LARGE,
                (415, "The body is not `application/x-www-form-urlencoded`."),
            ])
        }
    }

    /// The type's fields as query parameters, with their rules; 400.
    impl<T: JsonSchema> OperationInput for Valid<Query<T>> {
        fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
            Query::<T>::operation_input(ctx, operation);
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            fragments::problems(&[INVALID])
        }
    }

    /// The type's fields as path parameters, with their rules; 400.
    impl<T: JsonSchema> OperationInput for Valid<Path<T>> {
        fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
            Path::<T>::operation_input(ctx, operation);
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            fragments::problems(&[INVALID])
        }
    }

    /// As [`MsgPack`](crate::msgpack::MsgPack)'s body.
    #[cfg(feature = "msgpack")]
    impl<T: JsonSchema> OperationInput for Valid<crate::msgpack::MsgPack<T>> {
        fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
            crate::msgpack::MsgPack::<T>::operation_input(ctx, operation);
        }

        fn inferred_early_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            crate::msgpack::MsgPack::<T>::inferred_early_responses(ctx, operation)
        }
    }
}
