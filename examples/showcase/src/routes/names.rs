//! Seed 001, "Route handler indexing" and "Adding arbitrary metadata to handlers": route names,
//! paths and absolute URLs built from them (`route_reverse`, `url_for`), a redirect to a named
//! handler, and layered metadata a guard reads.

use axum::{
    Extension, Router,
    extract::{FromRequestParts, Path, rejection::PathRejection},
    http::{StatusCode, request::Parts},
    routing::get,
};
use axum_strata::{
    Strata,
    names::{NamedRouter, Urls},
    problem::Problem,
    redirect::Redirect,
};
use serde_json::{Value, json};

fn bad_path(rejection: &PathRejection, field: &'static str) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST)
        .with_detail(rejection.body_text())
        .with_error(field, "must be an integer")
}

/// `/{handler_name}` (name `four`): a redirect to the first path of the handler of that name,
/// or a 404 problem.
async fn four(urls: Urls, Path(name): Path<String>) -> Result<Redirect, Problem> {
    let first = urls.templates(&name).and_then(|paths| paths.into_iter().next());
    let Some(path) = first else {
        return Err(Problem::new(StatusCode::NOT_FOUND)
            .with_detail(format!("no handler matching the name {name} was found")));
    };
    Redirect::found(path)
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR).with_detail(e.to_string()))
}

/// `/redirect/{param_value}` (name `five`): a redirect to `three`'s path with that value.
async fn five(urls: Urls, param: Result<Path<i64>, PathRejection>) -> Result<Redirect, Problem> {
    let Path(param) = param.map_err(|r| bad_path(&r, "param_value"))?;
    let path = urls.path("three", [("param", param)])?;
    Redirect::found(path)
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR).with_detail(e.to_string()))
}

/// The route's parameters as pairs, if it has any.
type Params = Option<Path<Vec<(String, String)>>>;

/// `/some-path`, `/some-path/{id}` and `/some-path/{id}/{val}`: one handler named
/// `handler_name`, `id` 1 and `val` `default` when not given.
async fn handler_name(params: Result<Params, PathRejection>) -> Result<axum::Json<Value>, Problem> {
    let params = params.map_err(|r| bad_path(&r, "id"))?.map(|Path(p)| p).unwrap_or_default();
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let id = match get("id") {
        Some(raw) => raw.parse::<i64>().map_err(|_| {
            Problem::new(StatusCode::BAD_REQUEST)
                .with_detail("invalid path parameter")
                .with_error("id", "must be an integer")
        })?,
        None => 1,
    };
    let val = get("val").unwrap_or_else(|| "default".to_owned());
    Ok(axum::Json(json!({ "id": id, "val": val })))
}

/// The three paths Litestar's example reverses: no parameter, `id`, `id` and `val`.
fn three_ways<T>(
    build: impl Fn(&[(&str, &str)]) -> Result<T, axum_strata::names::UrlError>,
) -> Result<[T; 3], Problem> {
    Ok([build(&[])?, build(&[("id", "100")])?, build(&[("id", "100"), ("val", "value")])?])
}

/// Whether a route may be seen: route metadata (`opt`) a guard reads, closest level winning.
#[derive(Clone, Copy, Debug)]
pub struct Access(pub bool);

/// Refuses the request (403 problem) where the closest level says `Access(false)`.
#[derive(Debug)]
pub struct Guard;

impl<S: Send + Sync> FromRequestParts<S> for Guard {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        match parts.extensions.get::<Access>() {
            Some(Access(false)) => {
                Err(Problem::new(StatusCode::FORBIDDEN)
                    .with_detail("the route's metadata refuses this request"))
            }
            _ => Ok(Self),
        }
    }
}

/// `/seeds/route-names`.
///
/// # Panics
///
/// If two of its routes had one name (they do not): `finish` refuses duplicates at start.
pub fn route_names() -> Router {
    NamedRouter::new()
        .route_named("one", ["/abc"], get(|_: Guard| async {}))
        .route_named("two", ["/xyz"], get(|| async {}))
        .route_named(
            "three",
            ["/def/{param}"],
            get(|param: Result<Path<i64>, PathRejection>| async move {
                param.map(|_| ()).map_err(|r| bad_path(&r, "param"))
            }),
        )
        .route_named("four", ["/{handler_name}"], get(four))
        .route_named("five", ["/redirect/{param_value}"], get(five))
        .route_named("handler_name", ["/some-path", "/some-path/{id}", "/some-path/{id}/{val}"], get(handler_name))
        .route(
            "/path-info",
            get(|urls: Urls| async move {
                let [a, b, c] = three_ways(|p| urls.path("handler_name", p.iter().copied()))?;
                Ok::<_, Problem>(format!("{a} {b} {c}"))
            }),
        )
        .route(
            "/url-info",
            get(|urls: Urls| async move {
                let [a, b, c] = three_ways(|p| urls.url("handler_name", p.iter().copied()))?;
                Ok::<_, Problem>(format!("{a} {b} {c}"))
            }),
        )
        .route(
            "/guarded",
            get(|_: Guard, Extension(Access(open)): Extension<Access>| async move { format!("access: {open}") })
                .layer(Strata::layer().opt(Access(false))),
        )
        .map(|router| router.layer(Strata::app().opt(Access(true))))
        .finish()
        .expect("the seed's route names are distinct")
}
