//! Seed 001, "Route handler indexing" and "Adding arbitrary metadata to handlers": route names,
//! paths and absolute URLs built from them (`route_reverse`, `url_for`), a redirect to a named
//! handler, and layered metadata a guard reads.

use axum::{
    Extension,
    extract::{FromRequestParts, Path, rejection::PathRejection},
    http::{StatusCode, request::Parts},
};
use axum_strata::{
    Strata,
    names::{NamedRouter, Urls},
    openapi::{
        StrataApiRouterExt,
        aide::{
            OperationInput,
            axum::{ApiRouter, routing as api},
            transform::TransformOperation,
        },
        schemars::{Schema, json_schema},
    },
    problem::Problem,
    redirect::Redirect,
};
use serde_json::{Value, json};

use super::{path_parameter, path_parameter_of};

fn bad_path(rejection: &PathRejection, field: &'static str) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST)
        .with_detail(rejection.body_text())
        .with_error(field, "must be an integer")
}

/// `/{handler_name}` (name `four`): a redirect to the first path of the handler of that name,
/// or a 404 problem.
async fn four(urls: Urls, name: Result<Path<String>, PathRejection>) -> Result<Redirect, Problem> {
    let Path(name) = name.map_err(|r| {
        Problem::new(StatusCode::BAD_REQUEST)
            .with_detail(r.body_text())
            .with_error("handler_name", "must be UTF-8")
    })?;
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

/// `/seeds/route-names`, documented as well as named.
///
/// # Panics
///
/// If two of its routes had one name (they do not): `finish` refuses duplicates at start.
pub fn route_names() -> ApiRouter {
    fn text() -> Schema {
        json_schema!({ "type": "string" })
    }
    fn id(op: TransformOperation<'_>) -> TransformOperation<'_> {
        path_parameter_of(
            op,
            "id",
            "Any integer (1 without it).",
            json_schema!({ "type": "integer", "format": "int64" }),
        )
    }
    fn id_and_val(op: TransformOperation<'_>) -> TransformOperation<'_> {
        path_parameter_of(id(op), "val", "Any text (`default` without it).", text())
    }
    fn handler(op: TransformOperation<'_>) -> TransformOperation<'_> {
        path_parameter_of(op, "handler_name", "A route name.", text())
    }
    NamedRouter::api()
        .route_named("one", ["/abc"], api::get(|_: Guard| async {}))
        .route_named("two", ["/xyz"], api::get(|| async {}))
        .route_named(
            "three",
            ["/def/{param}"],
            api::get_with(
                |param: Result<Path<i64>, PathRejection>| async move {
                    param.map(|_| ()).map_err(|r| bad_path(&r, "param"))
                },
                |op| path_parameter(op, "param", "Any integer."),
            ),
        )
        .route_named(
            "four",
            ["/{handler_name}"],
            api::get_with(four, handler),
        )
        .route_named(
            "five",
            ["/redirect/{param_value}"],
            api::get_with(five, |op| path_parameter(op, "param_value", "Any integer.")),
        )
        .route_named_each(
            "handler_name",
            [
                ("/some-path", api::get(handler_name)),
                ("/some-path/{id}", api::get_with(handler_name, id)),
                ("/some-path/{id}/{val}", api::get_with(handler_name, id_and_val)),
            ],
        )
        .route(
            "/path-info",
            api::get(|urls: Urls| async move {
                let [a, b, c] = three_ways(|p| urls.path("handler_name", p.iter().copied()))?;
                Ok::<_, Problem>(format!("{a} {b} {c}"))
            }),
        )
        .route(
            "/url-info",
            api::get(|urls: Urls| async move {
                let [a, b, c] = three_ways(|p| urls.url("handler_name", p.iter().copied()))?;
                Ok::<_, Problem>(format!("{a} {b} {c}"))
            }),
        )
        .route(
            "/guarded",
            api::get_with(
                |_: Guard, Extension(Access(open)): Extension<Access>| async move { format!("access: {open}") },
                |op| op.response_with::<403, Problem, _>(|r| r.description("The route's metadata refuses the request.")),
            )
            .layer(Strata::layer().opt(Access(false))),
        )
        .map(|router| router.strata(Strata::app().opt(Access(true))))
        .finish()
        .expect("the seed's route names are distinct")
}

/// Nothing to document here: the routes a guard may refuse document their 403.
impl OperationInput for Guard {}
