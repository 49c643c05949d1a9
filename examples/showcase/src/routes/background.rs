//! Seed 000, "Background tasks": a greeting with a logging task, and one with logging and
//! saving tasks whose saved names `GET /greeted` lists.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex, PoisonError},
};

use axum::{extract::Query, extract::rejection::QueryRejection, http::StatusCode};
use axum_strata::{
    Strata,
    background::{BackgroundTask, Runner, TaskSet},
    content::Content,
    openapi::{
        StrataApiRouterExt,
        aide::axum::{ApiRouter, routing as api},
        schemars::JsonSchema,
    },
    problem::Problem,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The query of a greeting.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
struct Greeting {
    /// Who to greet.
    #[schemars(length(min = 1))]
    name: String,
}

/// The `name` query parameter, required and non-empty.
fn name(query: Result<Query<Greeting>, QueryRejection>) -> Result<String, Problem> {
    let missing = || {
        Problem::new(StatusCode::BAD_REQUEST)
            .with_detail("invalid query parameters")
            .with_error("name", "required: ?name=…")
    };
    match query {
        Ok(Query(Greeting { name })) if !name.is_empty() => Ok(name),
        Ok(_) => Err(missing()),
        Err(e) if e.body_text().contains("missing field") => Err(missing()),
        Err(e) => Err(Problem::new(StatusCode::BAD_REQUEST).with_detail(e.body_text())),
    }
}

fn logging_task(identifier: &'static str, message: String) -> BackgroundTask {
    BackgroundTask::new("logging_task", async move {
        tracing::info!("{identifier}: {message}");
    })
}

/// `/seeds/background/?name=…`: `{"hello": name}`, then a task logs the call. Full paths,
/// merged at the root: a nested router serves `/` only without the trailing slash.
pub fn background(runner: &Runner) -> ApiRouter {
    let greeter = |query: Result<Query<Greeting>, QueryRejection>| async move {
        let name = name(query)?;
        let message = format!("was called with name {name}");
        Ok::<_, Problem>(Content::new(json!({ "hello": name })).background(logging_task("greeter", message)))
    };
    ApiRouter::new()
        .api_route("/seeds/background/", api::get(greeter))
        .api_route("/seeds/background", api::get(greeter))
        .strata(Strata::app().background(runner.clone()))
}

/// `/seeds/background-multiple/?name=…`: logging and saving tasks; `GET /greeted` lists the
/// names saved so far. Full paths, merged at the root, as [`background`].
pub fn background_multiple(runner: &Runner) -> ApiRouter {
    let greeted: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let saved = Arc::clone(&greeted);
    let greeter = move |query: Result<Query<Greeting>, QueryRejection>| {
        let saved = Arc::clone(&saved);
        async move {
            let name = name(query)?;
            let (log_name, save_name) = (name.clone(), name.clone());
            let tasks = TaskSet::new()
                .with(BackgroundTask::new("logging_task", async move {
                    tracing::info!("{log_name} was greeted");
                }))
                .with(BackgroundTask::new("saving_task", async move {
                    saved.lock().unwrap_or_else(PoisonError::into_inner).insert(save_name);
                }));
            Ok::<_, Problem>(Content::new(json!({ "hello": name })).background_tasks(tasks))
        }
    };
    let list = move || {
        let greeted = Arc::clone(&greeted);
        async move {
            let names: Vec<Value> = greeted
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .map(|n| Value::String(n.clone()))
                .collect();
            Content::new(Value::Array(names))
        }
    };
    let greeter = api::get(greeter);
    ApiRouter::new()
        .api_route("/seeds/background-multiple/", greeter.clone())
        .api_route("/seeds/background-multiple", greeter)
        .api_route("/seeds/background-multiple/greeted", api::get(list))
        .strata(Strata::app().background(runner.clone()))
}
