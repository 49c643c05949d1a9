//! Seed 002, "the Litestar API": request inspection, a validated search, bodies in three
//! formats, a custom 201, a redirect and a cookie session. Bad input is a problem response that
//! names the field; an unsupported body type is a 415.

use std::{collections::BTreeMap, net::SocketAddr};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{
        ConnectInfo, FromRequest, Multipart, Request,
        multipart::MultipartRejection,
        rejection::{BytesRejection, JsonRejection},
    },
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
    routing::{get, post},
};
use axum_strata::{
    Strata,
    content::Content,
    cookies::Cookie,
    host::RequestUrl,
    msgpack::MsgPack,
    negotiation::{Format, Negotiated},
    problem::Problem,
    redirect::{Redirect, RedirectError},
    sse::{Message, RequestLastEventId, ServerSentEvent},
    stream::Streamed,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The session cookie of the login example.
const SESSION: &str = "session_id";

/// `GET /info`: what the request looked like. The URL is the one the client asked for: an
/// absolute-form target's authority wins over `Host` (RFC 9112 §3.2.2), and forwarded headers
/// are not believed (the showcase has no proxy of its own).
async fn request_info(url: RequestUrl, request: Request) -> Negotiated<Value> {
    let headers: BTreeMap<String, String> = request
        .headers()
        .keys()
        .map(|name| {
            let values: Vec<String> = request
                .headers()
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            (name.as_str().to_owned(), values.join(", "))
        })
        .collect();
    let query: BTreeMap<String, String> =
        serde_urlencoded::from_str(request.uri().query().unwrap_or("")).unwrap_or_default();
    let client =
        request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string());
    Negotiated(json!({
        "method": request.method().as_str(),
        "url": url.to_string(),
        "headers": headers,
        "query_params": query,
        "client": client,
    }))
}

#[derive(Debug, Deserialize)]
struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
}

/// `GET /search?q=…&limit=…`: `limit` is an integer from 1 to 100, 10 by default.
async fn search(request: Request) -> Result<Negotiated<Value>, Problem> {
    let params: SearchParams =
        serde_urlencoded::from_str(request.uri().query().unwrap_or("")).map_err(|e| {
            Problem::new(StatusCode::BAD_REQUEST).with_detail(format!("the query string is malformed: {e}"))
        })?;
    let limit = match params.limit.as_deref() {
        None => 10,
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(Problem::new(StatusCode::BAD_REQUEST)
                    .with_detail("invalid query parameters")
                    .with_error("limit", format!("must be an integer from 1 to 100, got {raw:?}")));
            }
        },
    };
    Ok(Negotiated(json!({ "query": params.q.unwrap_or_default(), "limit": limit, "results": [] })))
}

fn media_type(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

/// A form as Litestar gives it: one value as a string, several as a list.
fn form_to_json(pairs: Vec<(String, String)>) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        match map.get_mut(&k) {
            None => {
                map.insert(k, Value::String(v));
            }
            Some(Value::Array(list)) => list.push(Value::String(v)),
            Some(first) => {
                let first = first.take();
                map.insert(k, Value::Array(vec![first, Value::String(v)]));
            }
        }
    }
    Value::Object(map)
}

fn bad_body(detail: String) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST).with_detail(detail)
}

/// A body that could not be read (413 when too large, 400 …), as a problem.
fn unreadable(rejection: &BytesRejection) -> Problem {
    Problem::new(rejection.status()).with_detail(rejection.body_text())
}

fn json_problem(rejection: &JsonRejection) -> Problem {
    Problem::new(rejection.status()).with_detail(rejection.body_text())
}

/// `POST /data`: JSON, a URL-encoded form or MessagePack; anything else is a 415.
async fn handle_data(request: Request) -> Result<Negotiated<Value>, axum::response::Response> {
    let data = match media_type(request.headers()).as_deref() {
        Some("application/json") => {
            let Json(v) = Json::<Value>::from_request(request, &())
                .await
                .map_err(|r| json_problem(&r).into_response())?;
            v
        }
        Some("application/x-www-form-urlencoded") => {
            let bytes =
                Bytes::from_request(request, &()).await.map_err(|r| unreadable(&r).into_response())?;
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                .map_err(|e| bad_body(format!("the form is malformed: {e}")).into_response())?;
            form_to_json(pairs)
        }
        Some("application/msgpack" | "application/x-msgpack" | "application/vnd.msgpack") => {
            let MsgPack(v) =
                MsgPack::<Value>::from_request(request, &()).await.map_err(IntoResponse::into_response)?;
            v
        }
        _ => {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
                .with_detail(
                    "send application/json, application/x-www-form-urlencoded or application/x-msgpack",
                )
                .into_response());
        }
    };
    Ok(Negotiated(json!({ "received": data })))
}

/// `GET /custom`: a 201 with a custom header.
async fn custom_response() -> Content<Value> {
    Content::new(json!({"message": "Custom response"}))
        .status(StatusCode::CREATED)
        .header("X-Custom-Header", "value")
}

/// `GET /redirect-to-docs`.
async fn redirect_to_docs() -> Result<Redirect, RedirectError> {
    Redirect::found("https://docs.litestar.dev")
}

/// `POST /login`: takes any JSON body (the seed's authentication is simplified away) and sets
/// the session cookie.
async fn login(body: Result<Bytes, BytesRejection>) -> Result<Content<Value>, Problem> {
    let body = body.map_err(|r| unreadable(&r))?;
    serde_json::from_slice::<Value>(&body).map_err(|e| bad_body(format!("the body is not JSON: {e}")))?;
    let session = Cookie::build((SESSION, "abc123"))
        .path("/")
        .max_age(axum_strata::cookies::Duration::hours(1))
        .http_only(true)
        .secure(true)
        .same_site(axum_strata::cookies::SameSite::Strict)
        .build();
    Ok(Content::new(json!({"status": "logged in"})).status(StatusCode::OK).cookie(session))
}

/// `GET /profile`: who the session cookie says you are, or 401.
async fn profile(headers: HeaderMap) -> Result<Json<Value>, Problem> {
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION)
        .map(|c| c.value().to_owned());
    match session {
        Some(session) => Ok(Json(json!({"user": "alice", "session": session}))),
        None => Err(Problem::new(StatusCode::UNAUTHORIZED).with_detail("Not authenticated: log in first")),
    }
}

/// `POST /logout`: deletes the session cookie.
async fn logout() -> Content<Value> {
    Content::new(json!({"status": "logged out"})).status(StatusCode::OK).delete_cookie(
        SESSION,
        Some("/"),
        None,
    )
}

/// `GET /stream-data`: a hundred lines of text, streamed.
async fn stream_data() -> impl IntoResponse {
    Streamed::new(async_stream::stream! {
        for i in 0..100 {
            yield format!("chunk {i}\n");
        }
    })
    .media_type("text/plain; charset=utf-8")
}

/// `GET /events`: an update every second with the time and a counter, as JSON data, each with
/// its id; a reconnecting `EventSource` resumes after the `Last-Event-ID` it sends. An id that
/// is not a number, or `u64::MAX` (nothing comes after it), starts over at 0; the stream ends
/// after id `u64::MAX`.
async fn events(last: RequestLastEventId) -> impl IntoResponse {
    let start = last.next_id().unwrap_or(0);
    ServerSentEvent::new(async_stream::stream! {
        let mut counter = Some(start);
        while let Some(n) = counter {
            let timestamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            yield Message::new()
                .json(&json!({"timestamp": timestamp, "counter": n}))
                .event("update")
                .id(n.to_string());
            counter = n.checked_add(1);
            if counter.is_some() {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    })
}

/// `POST /upload`: the `file` field of a multipart form: its name, size and type. No file, or a
/// body that is not a multipart form, is a 400 problem naming the field.
async fn upload(multipart: Result<Multipart, MultipartRejection>) -> Result<Json<Value>, Problem> {
    let mut multipart = multipart.map_err(|r| {
        Problem::new(r.status()).with_detail(r.body_text()).with_error("file", "send a multipart form")
    })?;
    let bad =
        |e: axum::extract::multipart::MultipartError| Problem::new(e.status()).with_detail(e.body_text());
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let content = field.bytes().await.map_err(bad)?;
        return Ok(Json(
            json!({ "filename": filename, "size": content.len(), "content_type": content_type }),
        ));
    }
    Err(Problem::new(StatusCode::BAD_REQUEST).with_detail("no file uploaded").with_error("file", "required"))
}

/// `/seeds/api`.
pub fn api() -> Router {
    let formats = [Format::json(), Format::msgpack()];
    Router::new()
        .route("/info", get(request_info))
        .route("/search", get(search))
        .route("/data", post(handle_data))
        .route("/custom", get(custom_response))
        .route("/redirect-to-docs", get(redirect_to_docs))
        .route("/login", post(login))
        .route("/profile", get(profile))
        .route("/logout", post(logout))
        .route("/download/{filename}", get(super::files::download))
        .route("/stream-data", get(stream_data))
        .route("/upload", post(upload))
        .route("/events", get(events))
        .layer(Strata::app().negotiate(formats))
}
