//! OpenAPI documents from what the app already declares, through [aide].
//!
//! Every response type and extractor of Strata describes itself (aide's
//! [`OperationOutput`](aide::OperationOutput) and [`OperationInput`](aide::OperationInput),
//! implemented next to each type): its media types, statuses, headers and parameters. Levels
//! describe themselves too: [`StrataApiRouterExt::strata`] puts a [`StrataLayer`] around an
//! [`ApiRouter`](aide::axum::ApiRouter) and adds to each operation it covers what the level does
//! on the wire, read from the one [`LevelDescription`] its service runs from: the headers it
//! sets or documents (with their descriptions), Cache-Control, ETags, cookies, the default
//! status for the method, 304 where a validator applies, and `Vary: Accept` and 406 where it
//! negotiates. Closest wins in the document as on the wire: levels are documented from the
//! handler outwards, each filling only what is still unsaid.
//!
//! [`SchemaRoutes`] serves the finished document at `/schema/openapi.json` and
//! `/schema/openapi.yaml`, with Swagger UI (its assets inlined by aide: no network) at `/schema`,
//! all built once, with an ETag each (weak, as every level sends its tags).
//!
//! ```
//! use aide::{axum::{ApiRouter, routing::get}, openapi::OpenApi};
//! use axum::Json;
//! use axum_strata::{Strata, openapi::{StrataApiRouterExt, SchemaRoutes, aide}};
//!
//! async fn resources() -> Json<Vec<String>> { Json(vec!["a".to_owned()]) }
//!
//! let mut api = OpenApi::default();
//! let app: axum::Router = ApiRouter::new()
//!     .api_route("/resources", get(resources))
//!     .strata(Strata::app().header_with_description("Random-Header", "42", "A random number"))
//!     .finish_api(&mut api);
//! let app = app.merge(SchemaRoutes::new(&api).router("/schema"));
//!
//! let document = serde_json::to_value(&api).unwrap();
//! let header = &document["paths"]["/resources"]["get"]["responses"]["200"]["headers"]["Random-Header"];
//! assert_eq!(header["description"], "A random number");
//! # let _ = app;
//! ```

pub(crate) mod fragments;
mod level;
pub(crate) mod serve;

pub use aide;
pub use schemars;

pub use self::{
    level::{StrataApiRouterExt, document_operation, document_path_item},
    serve::SchemaRoutes,
};
#[doc(no_inline)]
pub use crate::builder::{LevelDescription, StrataLayer};

#[cfg(all(test, feature = "full"))]
mod tests;
