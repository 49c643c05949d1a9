//! Seed 001, "Websocket route handlers" and "ASGI route handlers"; seed 000, "returning ASGI
//! applications": a WebSocket that sends one JSON object and closes, a plain tower service
//! mounted as a route, and a handler that answers by calling a tower service.

use std::convert::Infallible;

use axum::{
    Json, Router,
    body::Body,
    extract::{
        Request,
        ws::{
            CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code,
            rejection::WebSocketUpgradeRejection,
        },
    },
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_strata::problem::Problem;
use base64::Engine as _;
use serde_json::json;
use tower::{ServiceExt as _, service_fn};

/// `/seeds/websocket`: `GET /socket` upgrades, sends `{"hello": "world"}` and closes normally.
pub fn websocket() -> Router {
    async fn socket(mut socket: WebSocket) {
        let message = json!({ "hello": "world" }).to_string();
        if socket.send(Message::Text(message.into())).await.is_ok() {
            // A normal closure says so (1000); a bare close frame reads as 1005, "no status".
            let normal = CloseFrame { code: close_code::NORMAL, reason: "".into() };
            let _ = socket.send(Message::Close(Some(normal))).await;
        }
    }
    Router::new().route(
        "/socket",
        get(|headers: HeaderMap, upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>| async move {
            // RFC 6455 §4.2.1–4.2.2: a key of 16 bytes in base64, else 400; another version,
            // 426 naming the one spoken.
            if headers.get("sec-websocket-version").is_some_and(|v| v != "13") {
                return Err(Problem::new(StatusCode::UPGRADE_REQUIRED)
                    .with_detail("this server speaks WebSocket version 13")
                    .with_header(
                        HeaderName::from_static("sec-websocket-version"),
                        HeaderValue::from_static("13"),
                    ));
            }
            let key_ok = headers
                .get("sec-websocket-key")
                .and_then(|k| base64::engine::general_purpose::STANDARD.decode(k.as_bytes()).ok())
                .is_none_or(|key| key.len() == 16);
            if !key_ok {
                return Err(Problem::new(StatusCode::BAD_REQUEST)
                    .with_detail("Sec-WebSocket-Key is not 16 bytes in base64"));
            }
            // A request that is no WebSocket handshake gets axum's status, as a problem.
            let upgrade = upgrade.map_err(|r| Problem::new(r.status()).with_detail(r.body_text()))?;
            Ok::<_, Problem>(upgrade.on_upgrade(socket))
        }),
    )
}

/// The seed's "ASGI application": `GET` (and `HEAD`) → 200 `{"hello":"world"}`, anything else → 400
/// `{"detail":"unsupported request"}`. A plain tower service, knowing nothing of axum's
/// routing.
async fn my_app(request: Request) -> Result<Response, Infallible> {
    // `HEAD` is `GET` without the body (RFC 9110 §9.3.2); the server drops the body.
    Ok(if request.method() == Method::GET || request.method() == Method::HEAD {
        Json(json!({ "hello": "world" })).into_response()
    } else {
        (StatusCode::BAD_REQUEST, Json(json!({ "detail": "unsupported request" }))).into_response()
    })
}

/// `/seeds/asgi`: the service at `/my-asgi-app` (every method), and `GET /returned`, a
/// handler that answers with what the service answers to its request.
pub fn asgi() -> Router {
    Router::new().route_service("/my-asgi-app", service_fn(my_app)).route(
        "/returned",
        get(|request: Request<Body>| async move {
            let service = service_fn(my_app);
            service.oneshot(request).await.unwrap_or_else(|never| match never {})
        }),
    )
}
