//! OpenAPI documents through utoipa and utoipa-axum (feature `utoipa`), the same documents as
//! through aide ([`openapi`](crate::openapi)).
//!
//! - **Schemas and parameters.** `ToSchema` for [`Problem`](crate::problem::Problem), the
//!   pagination containers (generic over the item) and `MultiValueMap`; `IntoParams` for the
//!   pagination parameter extractors (their defaults and limits) and
//!   [`Precondition`](crate::precondition::Precondition) (`If-Match`, `If-Unmodified-Since`).
//! - **Responses.** `IntoResponses` for Strata's response types, with their media types,
//!   statuses and headers: `Content<T>`, `MsgPack<T>`, `Negotiated<T>`, the pagination
//!   containers (`Link`, `X-Total-Count`), `Problem` (the default response), `File` and
//!   `FileError`, `Redirect` and `RedirectError`, `Template`, `ServerSentEvent`, `Streamed`,
//!   `JsonLines`, and `PreconditionRejection` (412, 428). `ToResponse` for the types with one
//!   response: `Problem`, `File`, `Template` and the streams. [`Rejections<E>`] gives what the
//!   extractor `E` answers when the request does not hold (`Valid<Json<T>>`: 400, 413, 415;
//!   the pagination parameters: 400; `Precondition`: 412, 428), which utoipa cannot infer.
//! - **Levels.** [`StrataOpenApiRouterExt::strata`] puts a [`StrataLayer`](crate::StrataLayer)
//!   around utoipa-axum's `OpenApiRouter` and adds what it does to each operation it covers,
//!   as on aide's router: headers with their descriptions (documentation-only ones too),
//!   Cache-Control, ETags, cookies, the default status of the method, 304, and `Vary`/406
//!   where it negotiates. Closest wins, as on the wire.
//! - **Serving.** [`SchemaRoutes::from_utoipa`](crate::openapi::SchemaRoutes::from_utoipa)
//!   serves the finished document at `/schema/openapi.json` and `.yaml`, with Swagger UI;
//!   [`nest_into_aide`] adds a utoipa document's paths to an aide document, for an app
//!   documented with aide that nests a router documented with utoipa.
//!
//! Every one of these is the description the type or level gives aide, written once and
//! carried over through the two crates' common JSON form: a level documents the same
//! fragment through both. The item of a generic type is described by its utoipa schema,
//! inline (the types it refers to are registered as for any `IntoResponses`: with
//! `components(schemas(…))`, or by a `body = …` elsewhere).
//!
//! ```
//! # #[cfg(feature = "content")] {
//! use axum::{Json, Router};
//! use axum_strata::{
//!     Strata,
//!     content::Content,
//!     openapi::SchemaRoutes,
//!     problem::Problem,
//!     utoipa::{self, ToSchema},
//!     utoipa_axum::{router::OpenApiRouter, routes},
//!     utoipa_docs::StrataOpenApiRouterExt,
//! };
//!
//! #[derive(serde::Serialize, serde::Deserialize, ToSchema)]
//! struct Note {
//!     text: String,
//! }
//!
//! /// Stores a note.
//! #[utoipa::path(post, path = "/notes", request_body = Note, responses(Content<Note>, Problem))]
//! async fn create(Json(note): Json<Note>) -> Content<Note> {
//!     Content::new(note)
//! }
//!
//! let (app, api): (Router, _) = OpenApiRouter::new()
//!     .routes(routes!(create))
//!     .strata(Strata::app().header_with_description("X-Shard", "7", "Where the note is kept."))
//!     .split_for_parts();
//! let app = app.merge(SchemaRoutes::from_utoipa(&api, "/schema").router("/schema"));
//!
//! let document = serde_json::to_value(&api).unwrap();
//! let responses = &document["paths"]["/notes"]["post"]["responses"];
//! // The app level answers a POST 201, and says so.
//! assert!(responses.get("200").is_none());
//! let created = &responses["201"];
//! assert_eq!(created["content"]["application/json"]["schema"]["properties"]["text"]["type"], "string");
//! assert_eq!(created["headers"]["X-Shard"]["description"], "Where the note is kept.");
//! assert_eq!(responses["default"]["content"]["application/problem+json"]["schema"]["required"][0], "type");
//! # let _ = app;
//! # }
//! ```
//!
//! The schemas, parameters and single responses, each as utoipa reads it:
//!
//! ```
//! # #[cfg(all(feature = "file", feature = "multi-value", feature = "pagination", feature = "precondition"))] {
//! use axum_strata::{
//!     file::File,
//!     multi_value::MultiValueMap,
//!     pagination::{CursorPagination, OffsetParams},
//!     precondition::Precondition,
//!     problem::Problem,
//!     utoipa::{IntoParams, IntoResponses, PartialSchema, ToResponse, ToSchema, openapi::path::ParameterIn},
//! };
//!
//! // ToSchema: the problem's fields, a container generic over its item, a map of lists.
//! let problem = serde_json::to_value(Problem::schema()).unwrap();
//! assert_eq!(problem["required"], serde_json::json!(["type", "title", "status"]));
//! assert_eq!(CursorPagination::<String>::name(), "CursorPagination_String");
//! let page = serde_json::to_value(CursorPagination::<String>::schema()).unwrap();
//! assert_eq!(page["properties"]["items"]["items"]["type"], "string");
//! let map = serde_json::to_value(MultiValueMap::<String, u8>::schema()).unwrap();
//! assert_eq!(map["additionalProperties"]["items"]["type"], "integer");
//!
//! // IntoParams: the page parameters with their limits, the precondition headers.
//! let limit = serde_json::to_value(&OffsetParams::into_params(|| None)[0]).unwrap();
//! assert_eq!((limit["name"].as_str(), limit["in"].as_str()), (Some("limit"), Some("query")));
//! assert_eq!(limit["schema"]["minimum"], 1);
//! // Each in its own place, whatever the fallback utoipa offers.
//! let if_match = serde_json::to_value(&Precondition::into_params(|| Some(ParameterIn::Query))[0]).unwrap();
//! assert_eq!((if_match["name"].as_str(), if_match["in"].as_str()), (Some("If-Match"), Some("header")));
//!
//! // ToResponse and IntoResponses: a file's headers, the problem as the default response.
//! let (name, file) = File::response();
//! let file = serde_json::to_value(file).unwrap();
//! assert_eq!(name, "File");
//! assert!(file["headers"]["Content-Disposition"].is_object() && file["headers"]["ETag"].is_object());
//! assert!(Problem::responses().contains_key("default"));
//! # }
//! ```

mod convert;
mod level;
mod responses;
mod schemas;

pub use self::{
    level::{StrataOpenApiRouterExt, document_paths, nest_into_aide, strip_marks},
    responses::Rejections,
};

#[cfg(all(test, feature = "full"))]
mod tests;
