//! Letting the method choose the status, as Litestar does.

use axum::response::{IntoResponseParts, ResponseParts};
use strata_tower::default_status::StatusUnset;

/// A response part saying "the handler chose no status": with `Strata::app()` (or
/// `strata_tower`'s `DefaultStatusLayer`) around the route, `POST` answers 201, `DELETE` 204
/// (without a body) and every other method 200.
///
/// ```
/// use axum::{Json, Router, routing::post};
/// use axum_strata::{Strata, StatusByMethod};
///
/// async fn create() -> (StatusByMethod, Json<serde_json::Value>) {
///     (StatusByMethod, Json(serde_json::json!({"id": 1})))
/// }
///
/// let app: Router = Router::new().route("/resources", post(create)).layer(Strata::app());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusByMethod;

impl IntoResponseParts for StatusByMethod {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.extensions_mut().insert(StatusUnset);
        Ok(res)
    }
}
