//! Seed 001, "Route handlers": a status per method, several paths for one handler, and an
//! optional path parameter; `HEAD /resources/{pk}` is `GET`'s answer without its body. Bad input
//! (a non-integer id, a malformed body) is a problem response naming what is wrong.

use axum::{
    Json, Router,
    extract::{Path, rejection::JsonRejection, rejection::PathRejection},
    response::IntoResponse,
    routing::get,
};
use axum_strata::{StatusByMethod, Strata, problem::Problem};
use serde::Deserialize;

use super::Resource;

/// The fields of a partial update (Litestar's `PartialResourceDTO`).
#[derive(Debug, Deserialize)]
struct PartialResource {
    name: Option<String>,
}

fn bad_path(rejection: &PathRejection) -> Problem {
    Problem::new(rejection.status()).with_detail(rejection.body_text()).with_error("pk", "must be an integer")
}

fn bad_body(rejection: &JsonRejection) -> Problem {
    Problem::new(rejection.status()).with_detail(rejection.body_text())
}

fn sample(pk: i64) -> Resource {
    Resource { id: pk, name: format!("resource {pk}") }
}

async fn list_resources() -> Json<Vec<Resource>> {
    Json(vec![sample(1), sample(2)])
}

async fn create_resource(data: Result<Json<Resource>, JsonRejection>) -> Result<impl IntoResponse, Problem> {
    let Json(data) = data.map_err(|r| bad_body(&r))?;
    Ok((StatusByMethod, Json(data)))
}

async fn retrieve_resource(pk: Result<Path<i64>, PathRejection>) -> Result<Json<Resource>, Problem> {
    let Path(pk) = pk.map_err(|r| bad_path(&r))?;
    Ok(Json(sample(pk)))
}

async fn update_resource(
    pk: Result<Path<i64>, PathRejection>,
    data: Result<Json<Resource>, JsonRejection>,
) -> Result<Json<Resource>, Problem> {
    let Path(pk) = pk.map_err(|r| bad_path(&r))?;
    let Json(data) = data.map_err(|r| bad_body(&r))?;
    Ok(Json(Resource { id: pk, ..data }))
}

async fn partially_update_resource(
    pk: Result<Path<i64>, PathRejection>,
    data: Result<Json<PartialResource>, JsonRejection>,
) -> Result<Json<Resource>, Problem> {
    let Path(pk) = pk.map_err(|r| bad_path(&r))?;
    let Json(data) = data.map_err(|r| bad_body(&r))?;
    let mut resource = sample(pk);
    if let Some(name) = data.name {
        resource.name = name;
    }
    Ok(Json(resource))
}

async fn delete_resource(pk: Result<Path<i64>, PathRejection>) -> Result<impl IntoResponse, Problem> {
    pk.map_err(|r| bad_path(&r))?;
    Ok((StatusByMethod, ()))
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
pub fn handlers() -> Router {
    Router::new()
        .route("/resources", get(list_resources).post(create_resource))
        .route(
            "/resources/{pk}",
            // The seed's `@head` handler returns nothing (Litestar requires it of `HEAD`
            // handlers), so its `HEAD` says `content-length: 0` where `GET` sends 28 bytes of
            // JSON. RFC 9110 §9.3.2: `HEAD` answers as `GET` does, without the content. axum's
            // implicit `HEAD` runs `retrieve_resource` and drops only the body, keeping its
            // `Content-Type` and `Content-Length` (§8.6).
            get(retrieve_resource)
                .put(update_resource)
                .patch(partially_update_resource)
                .delete(delete_resource),
        )
        .route("/some-path", get(my_route_handler))
        .route("/some-path/{some_id}", get(my_route_handler))
        .layer(Strata::app())
}
