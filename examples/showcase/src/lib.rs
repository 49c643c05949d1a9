//! The Strata showcase: every example of Litestar's response documentation (the seeds in
//! `shared/seeds/`), served by axum with Strata at the paths of `shared/SEED_ROUTES.md`, plus an
//! index page at `/`.
//!
//! The binary serves [`app`] on `127.0.0.1:8000`, or on the address given by `--addr` or the
//! `STRATA_ADDR` environment variable. The items of `/seeds/crud` are kept in the SQLite file
//! given by `--db` or `CRUD_DB`, by default `crud.sqlite3` in the working directory, created
//! on first run. On Ctrl-C or `SIGTERM` it stops taking connections, finishes the requests
//! under way and drains the background tasks (10 s at most) before it exits.

use std::time::Instant;

use axum::{Router, extract::Request, http::StatusCode, middleware::Next, response::Response, routing::get};
use axum_strata::{
    background::Runner,
    host::RequireHostLayer,
    openapi::{
        SchemaRoutes,
        aide::{
            axum::ApiRouter,
            openapi::{Info, OpenApi},
        },
    },
    problem::Problem,
};
use tracing::Instrument as _;

pub mod index;
pub mod routes;
pub mod seeds;

/// The address the showcase listens on when neither `--addr` nor `STRATA_ADDR` says otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8000";

/// The whole showcase as one router, with a runner of its own for background tasks and an
/// item database of its own in memory (for tests: each call starts with the tutorial's one
/// item). The binary keeps its items in a file instead.
pub fn app() -> Router {
    app_with(&Services::new(Runner::new(), crud::Store::memory()))
}

/// What the examples share with the binary: the background task runner (which a graceful
/// shutdown drains) and the item store of `/seeds/crud`.
#[derive(Clone, Debug)]
pub struct Services {
    /// Tracks the background tasks of every response.
    pub runner: Runner,
    /// The SQLite file of the CRUD example.
    pub crud: crud::Store,
    /// The store `/seeds/file-systems` serves from: in memory unless [`with_files`](Self::with_files)
    /// says otherwise.
    pub files: std::sync::Arc<dyn axum_strata::object_store::ObjectStore>,
}

impl Services {
    /// These services, with the files of `/seeds/file-systems` in memory.
    #[must_use]
    pub fn new(runner: Runner, crud: crud::Store) -> Self {
        Self { runner, crud, files: routes::file_systems::in_memory() }
    }

    /// These services with the files of `/seeds/file-systems` in `store`.
    #[must_use]
    pub fn with_files(mut self, store: std::sync::Arc<dyn axum_strata::object_store::ObjectStore>) -> Self {
        self.files = store;
        self
    }
}

/// The whole showcase as one router, using `services`. HTTP/1.1 requests without exactly one
/// valid `Host` are answered 400 (RFC 9112 §3.2), and unknown paths and methods get problem
/// responses, like every other error of the showcase.
pub fn app_with(services: &Services) -> Router {
    let mut app = ApiRouter::new().route("/", get(index::index));
    for seed in seeds::SEEDS {
        match seed.router {
            Some(router) if seed.at_root => app = app.merge(router(services)),
            Some(router) => app = app.nest(seed.prefix, router(services)),
            None => {}
        }
    }
    // The document is built once, here, from the routes' own declarations and their levels.
    let mut api = OpenApi {
        info: Info {
            title: "Strata showcase".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: Some(
                "Every seed example of Litestar's documentation, served with axum and Strata.".to_owned(),
            ),
            ..Info::default()
        },
        ..OpenApi::default()
    };
    let app = app.finish_api(&mut api);
    // The crud API documents itself with utoipa: its paths join the document under its prefix.
    axum_strata::utoipa_docs::nest_into_aide(&mut api, "/seeds/crud", &crud::openapi());
    app.merge(SchemaRoutes::new(&api).router("/schema"))
        .fallback(|| async { Problem::new(StatusCode::NOT_FOUND).with_detail("no such resource") })
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED).with_detail("the resource does not take this method")
        })
        .layer(axum::middleware::from_fn(log_request))
        .layer(RequireHostLayer::new())
}

/// Logs each request with its status and duration through `tracing`, inside a `request` span
/// that the background tasks its handler adds run in too.
async fn log_request(request: Request, next: Next) -> Response {
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let span = tracing::info_span!("request", %method, %uri);
    let start = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(status = response.status().as_u16(), elapsed = ?start.elapsed(), "request");
    });
    response
}
