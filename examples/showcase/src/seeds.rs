//! The seed examples of `shared/SEED_ROUTES.md`: where each is served and whether it is yet.

use crate::Services;
use axum_strata::openapi::aide::axum::ApiRouter;

use crate::routes::{
    api, background, file_systems, files, handlers, headers, names, pagination, responses, sockets, streams,
    template,
};

/// One seed example and the paths it answers under its prefix.
#[derive(Debug, Clone, Copy)]
pub struct Seed {
    /// Where the example is mounted, such as `/seeds/json`.
    pub prefix: &'static str,
    /// The seed document it comes from (`000` … `003`).
    pub seed: &'static str,
    /// What the example shows.
    pub example: &'static str,
    /// The methods and paths after the prefix.
    pub paths: &'static [&'static str],
    /// The path the index links to (after the prefix), when the example is served.
    pub link: Option<&'static str>,
    /// The example's router, nested under `prefix`, when it is served. It gets the app's
    /// services (the background task runner, the item store).
    pub router: Option<fn(&Services) -> ApiRouter>,
    /// Whether the router carries full paths and is merged at the root instead of nested.
    pub at_root: bool,
}

impl Seed {
    const fn served(mut self, link: &'static str, router: fn(&Services) -> ApiRouter) -> Self {
        self.link = Some(link);
        self.router = Some(router);
        self
    }

    const fn served_at_root(mut self, link: &'static str, router: fn(&Services) -> ApiRouter) -> Self {
        self.at_root = true;
        self.served(link, router)
    }
}

const fn seed(
    prefix: &'static str,
    seed: &'static str,
    example: &'static str,
    paths: &'static [&'static str],
) -> Seed {
    Seed { prefix, seed, example, paths, link: None, router: None, at_root: false }
}

/// Every seed example, in the order of `SEED_ROUTES.md`. `link` is set for those the showcase
/// serves; the others are listed as not served yet.
pub const SEEDS: &[Seed] = &[
    seed("/seeds/json", "000", "default JSON response", &["GET /resources"])
        .served("/resources", |_| responses::json()),
    seed("/seeds/text", "000", "media type TEXT", &["GET /resources"])
        .served("/resources", |_| responses::text()),
    seed(
        "/seeds/vendor-json",
        "000",
        "application/vnd.example.resource+json, status 418",
        &["GET /resources"],
    )
    .served("/resources", |_| responses::vendor_json()),
    seed("/seeds/msgpack", "000", "MessagePack response", &["GET /health-check"])
        .served("/health-check", |_| responses::msgpack()),
    seed("/seeds/plaintext", "000", "plaintext response", &["GET /health-check"])
        .served("/health-check", |_| responses::plaintext()),
    seed("/seeds/html", "000", "HTML response", &["GET /page"]).served("/page", |_| responses::html()),
    seed(
        "/seeds/negotiation",
        "000",
        "content negotiation between text/plain, text/html and application/xml",
        &["GET /resource"],
    )
    .served("/resource", |_| responses::negotiation()),
    seed("/seeds/status", "000", "status code 202", &["GET /resources"])
        .served("/resources", |_| responses::status()),
    seed(
        "/seeds/returning-response",
        "000",
        "response with MY-HEADER: xyz and cookie my-cookie=abc",
        &["GET /resources"],
    )
    .served("/resources", |_| responses::returning_response()),
    seed(
        "/seeds/layered-headers",
        "000",
        "app, router, controller and handler headers",
        &["GET /router-path/controller-path/handler-path"],
    )
    .served("/router-path/controller-path/handler-path", |_| headers::layered_headers()),
    seed(
        "/seeds/dynamic-headers",
        "000",
        "Random-Header 1–100, documented on the route",
        &["GET /resources"],
    )
    .served("/resources", |_| headers::dynamic_headers()),
    seed(
        "/seeds/after-request",
        "000",
        "router after-request hook overriding Random-Header",
        &["GET /router-path/resources"],
    )
    .served("/router-path/resources", |_| headers::after_request()),
    seed(
        "/seeds/cache-control",
        "000",
        "app 1 month, controller 1 day, handler no-store",
        &["GET /population", "GET /chance_of_rain", "GET /timestamp"],
    )
    .served("/population", |_| headers::cache_control()),
    seed(
        "/seeds/etag",
        "000",
        "ETags at app, controller and handler, documentation-only on the dynamic route",
        &["GET /population", "GET /chance_of_rain", "GET /timestamp", "GET /population-dynamic"],
    )
    .served("/population", |_| headers::etag()),
    seed("/seeds/redirect", "000", "302 to the other path", &["GET /some-path", "GET /other-path"])
        .served("/other-path", |_| responses::redirect()),
    seed("/seeds/file", "000", "report.pdf as attachment", &["GET /file-download"])
        .served("/file-download", |_| files::file()),
    seed("/seeds/stream", "000", "endless JSON current_time chunks every 10 ms", &["GET /time"])
        .served("/time", |_| streams::stream()),
    seed("/seeds/sse", "000", "the ten-round server-sent event generator", &["GET /count"])
        .served("/count", |_| streams::sse()),
    seed("/seeds/template", "000", "info.html rendered with a user", &["GET /info"])
        .served("/info", |_| template::template()),
    seed("/seeds/custom-response", "000", "a multi-value map as JSON", &["GET /"])
        .served_at_root("/", |_| responses::custom_response()),
    seed("/seeds/background", "000", "a greeting with a logging background task", &["GET /?name=…"])
        .served_at_root("/?name=alice", |s| background::background(&s.runner)),
    seed(
        "/seeds/background-multiple",
        "000",
        "logging and saving background tasks",
        &["GET /?name=…", "GET /greeted"],
    )
    .served_at_root("/greeted", |s| background::background_multiple(&s.runner)),
    seed(
        "/seeds/pagination/classic",
        "000",
        "50 people, classic pagination",
        &["GET /people?page_size=…&current_page=…"],
    )
    .served("/people?page_size=10&current_page=1", |_| pagination::classic()),
    seed("/seeds/pagination/offset", "000", "50 people, limit/offset", &["GET /people?limit=…&offset=…"])
        .served("/people?limit=10&offset=0", |_| pagination::offset()),
    seed(
        "/seeds/pagination/cursor",
        "000",
        "50 people, cursor",
        &["GET /people?results_per_page=…&cursor=…"],
    )
    .served("/people?results_per_page=10", |_| pagination::cursor()),
    seed(
        "/seeds/handlers",
        "001",
        "default status per method, multiple paths, optional path parameter",
        &[
            "GET/POST /resources",
            "GET/HEAD/PUT/PATCH/DELETE /resources/{pk}",
            "GET /some-path",
            "GET /some-path/{some_id}",
        ],
    )
    .served("/resources", |_| handlers::handlers()),
    seed(
        "/seeds/route-names",
        "001",
        "route names, route_reverse and url_for, and layered metadata read by a guard",
        &[
            "GET /abc",
            "GET /xyz",
            "GET /def/{param}",
            "GET /{handler_name}",
            "GET /redirect/{param_value}",
            "GET /some-path",
            "GET /some-path/{id}",
            "GET /some-path/{id}/{val}",
            "GET /path-info",
            "GET /url-info",
            "GET /guarded",
        ],
    )
    .served("/path-info", |_| names::route_names()),
    seed(
        "/seeds/websocket",
        "001",
        "a WebSocket that sends one JSON object and closes",
        &["GET /socket (upgrade)"],
    )
    .served("/socket", |_| ApiRouter::from(sockets::websocket())),
    seed(
        "/seeds/asgi",
        "000, 001",
        "a tower service as a route, and a handler answering through one",
        &["GET/POST /my-asgi-app", "GET /returned"],
    )
    .served("/my-asgi-app", |_| ApiRouter::from(sockets::asgi())),
    seed(
        "/seeds/file-systems",
        "000",
        "File from a store registered by name (in memory, or S3 when configured)",
        &["GET /{file_name}"],
    )
    .served("/report.pdf", |s| file_systems::file_systems(std::sync::Arc::clone(&s.files))),
    seed(
        "/seeds/api",
        "002",
        "request inspection, search, downloads, streams, redirects, cookies, SSE, upload",
        &[
            "GET /info",
            "GET /search",
            "POST /data",
            "GET /custom",
            "GET /download/{filename}",
            "GET /stream-data",
            "GET /redirect-to-docs",
            "POST /login",
            "GET /profile",
            "POST /logout",
            "GET /events",
            "POST /upload",
        ],
    )
    .served("/info", |_| api::api()),
    seed(
        "/seeds/crud",
        "003",
        "the items CRUD API on SQLite",
        &["GET/POST /items", "GET/PUT/PATCH/DELETE /items/{item_id}"],
    )
    .served("/items", |s| ApiRouter::from(crud::documented().0.with_state(s.crud.clone()))),
];
