//! Seed 000, "Responses": JSON, text, vendor JSON, plaintext, HTML and a chosen status.

use axum::{
    Json, Router,
    http::{StatusCode, header},
    response::{Html, IntoResponse},
    routing::get,
};
use serde_json::json;

use super::Resource;

fn resource() -> Resource {
    Resource { id: 1, name: "my resource".to_owned() }
}

/// `/seeds/json`: the default JSON response.
pub fn json() -> Router {
    Router::new().route("/resources", get(|| async { Json(resource()) }))
}

/// `/seeds/text`: media type TEXT.
pub fn text() -> Router {
    Router::new().route("/resources", get(|| async { "The rumbling rabbit ran around the rock" }))
}

/// `/seeds/vendor-json`: a `+json` vendor media type with status 418.
pub fn vendor_json() -> Router {
    Router::new().route(
        "/resources",
        get(|| async {
            let body = json!({
                "title": "Server thinks it is a teapot",
                "type": "Server delusion",
                "status": 418,
            });
            (
                StatusCode::IM_A_TEAPOT,
                [(header::CONTENT_TYPE, "application/vnd.example.resource+json")],
                Json(body),
            )
        }),
    )
}

/// `/seeds/plaintext`: a plaintext health check.
pub fn plaintext() -> Router {
    Router::new().route("/health-check", get(|| async { "healthy" }))
}

const PAGE: &str = r"
    <html>
        <body>
            <div>
                <span>Hello World!</span>
            </div>
        </body>
    </html>
    ";

/// `/seeds/html`: an HTML response.
pub fn html() -> Router {
    Router::new().route("/page", get(|| async { Html(PAGE) }))
}

/// `/seeds/status`: status 202 chosen by the handler.
pub fn status() -> Router {
    Router::new()
        .route("/resources", get(|| async { (StatusCode::ACCEPTED, Json(resource())).into_response() }))
}
