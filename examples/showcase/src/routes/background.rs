//! Seed 000, "Background tasks": a greeting with a logging task, and one with logging and
//! saving tasks whose saved names `GET /greeted` lists.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex, PoisonError},
};

use axum::{Router, extract::Query, extract::rejection::QueryRejection, http::StatusCode, routing::get};
use axum_strata::{
    Strata,
    background::{BackgroundTask, Runner, TaskSet},
    content::Content,
    problem::Problem,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
struct Greeting {
    name: Option<String>,
}

/// The `name` query parameter, required and non-empty.
fn name(query: Result<Query<Greeting>, QueryRejection>) -> Result<String, Problem> {
    let missing = || {
        Problem::new(StatusCode::BAD_REQUEST)
            .with_detail("invalid query parameters")
            .with_error("name", "required: ?name=…")
    };
    match query {
        Ok(Query(Greeting { name: Some(name) })) if !name.is_empty() => Ok(name),
        Ok(_) => Err(missing()),
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
pub fn background(runner: &Runner) -> Router {
    let greeter = |query: Result<Query<Greeting>, QueryRejection>| async move {
        let name = name(query)?;
        let message = format!("was called with name {name}");
        Ok::<_, Problem>(Content::new(json!({ "hello": name })).background(logging_task("greeter", message)))
    };
    Router::new()
        .route("/seeds/background/", get(greeter))
        .route("/seeds/background", get(greeter))
        .layer(Strata::app().background(runner.clone()))
}

/// `/seeds/background-multiple/?name=…`: logging and saving tasks; `GET /greeted` lists the
/// names saved so far. Full paths, merged at the root, as [`background`].
pub fn background_multiple(runner: &Runner) -> Router {
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
    let greeter = get(greeter);
    Router::new()
        .route("/seeds/background-multiple/", greeter.clone())
        .route("/seeds/background-multiple", greeter)
        .route("/seeds/background-multiple/greeted", get(list))
        .layer(Strata::app().background(runner.clone()))
}
