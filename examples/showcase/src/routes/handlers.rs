//! Seed 001, "Route handlers": a status per method, several paths for one handler, and an
//! optional path parameter; `HEAD /resources/{pk}` is `GET`'s answer without its body. Bad input
//! (a non-integer id, a malformed body) is a problem response naming what is wrong.

use axum::{
    Json,
    extract::{Path, rejection::PathRejection},
};
use axum_strata::{
    Strata,
    content::Content,
    openapi::{
        StrataApiRouterExt,
        aide::{
            axum::{ApiRouter, routing as api},
            transform::TransformOperation,
        },
        schemars::JsonSchema,
    },
    problem::Problem,
    valid::Valid,
};
use validator::Validate;

use super::{Resource, path_parameter};

/// The fields of a partial update (Litestar's `PartialResourceDTO`).
#[derive(Debug, eserde::Deserialize, Validate, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
struct PartialResource {
    /// The new name, if it changes.
    name: Option<String>,
}

fn bad_path(rejection: &PathRejection) -> Problem {
    Problem::new(rejection.status()).with_detail(rejection.body_text()).with_error("pk", "must be an integer")
}

fn sample(pk: i64) -> Resource {
    Resource { id: pk, name: format!("resource {pk}") }
}

async fn list_resources() -> Json<Vec<Resource>> {
    Json(vec![sample(1), sample(2)])
}

/// `Content` leaves the status to the method: 201 under the app level.
/// Every bad field of the body is named in one 400 problem (`Valid`).
async fn create_resource(Valid(Json(data)): Valid<Json<Resource>>) -> Content<Resource> {
    Content::new(data)
}

async fn retrieve_resource(pk: Result<Path<i64>, PathRejection>) -> Result<Json<Resource>, Problem> {
    let Path(pk) = pk.map_err(|r| bad_path(&r))?;
    Ok(Json(sample(pk)))
}

async fn update_resource(
    pk: Result<Path<i64>, PathRejection>,
    Valid(Json(data)): Valid<Json<Resource>>,
) -> Result<Json<Resource>, Problem> {
    let Path(pk) = pk.map_err(|r| bad_path(&r))?;
    Ok(Json(Resource { id: pk, ..data }))
}

async fn partially_update_resource(
    pk: Result<Path<i64>, PathRejection>,
    Valid(Json(data)): Valid<Json<PartialResource>>,
) -> Result<Json<Resource>, Problem> {
    let Path(pk) = pk.map_err(|r| bad_path(&r))?;
    let mut resource = sample(pk);
    if let Some(name) = data.name {
        resource.name = name;
    }
    Ok(Json(resource))
}

/// 204 under the app level, from the method.
async fn delete_resource(pk: Result<Path<i64>, PathRejection>) -> Result<Content<()>, Problem> {
    pk.map_err(|r| bad_path(&r))?;
    Ok(Content::new(()))
}

/// `GET /some-path` and `GET /some-path/{some_id}`: one handler, `some_id` defaulting to 1.
async fn my_route_handler(
    some_id: Result<Option<Path<i64>>, PathRejection>,
) -> Result<Json<serde_json::Value>, Problem> {
    let some_id = some_id
        .map_err(|r| {
            Problem::new(r.status()).with_detail(r.body_text()).with_error("some_id", "must be an integer")
        })?
        .map_or(1, |Path(id)| id);
    Ok(Json(serde_json::json!({ "some_id": some_id })))
}

/// `/seeds/handlers`.
pub fn handlers() -> ApiRouter {
    fn pk(op: TransformOperation<'_>) -> TransformOperation<'_> {
        path_parameter(op, "pk", "The resource's id.")
    }
    fn some_id(op: TransformOperation<'_>) -> TransformOperation<'_> {
        // A path that is no integer is a 400 problem naming the field.
        path_parameter(op, "some_id", "Any integer (1 without it).")
            .response_with::<400, Problem, _>(|r| r.description("The id is not an integer."))
    }
    ApiRouter::new()
        .api_route("/resources", api::get(list_resources).post(create_resource))
        .api_route(
            "/resources/{pk}",
            // The seed's `@head` handler returns nothing (Litestar requires it of `HEAD`
            // handlers), so its `HEAD` says `content-length: 0` where `GET` sends 28 bytes of
            // JSON. RFC 9110 §9.3.2: `HEAD` answers as `GET` does, without the content. axum's
            // implicit `HEAD` runs `retrieve_resource` and drops only the body, keeping its
            // `Content-Type` and `Content-Length` (§8.6).
            api::get_with(retrieve_resource, pk)
                .put_with(update_resource, pk)
                .patch_with(partially_update_resource, pk)
                .delete_with(delete_resource, pk),
        )
        .api_route("/some-path", api::get(my_route_handler))
        .api_route("/some-path/{some_id}", api::get_with(my_route_handler, some_id))
        .strata(Strata::app())
}
