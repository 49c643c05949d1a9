//! Seed 002, "the Litestar API": request inspection, a validated search, bodies in three
//! formats, a custom 201, a redirect and a cookie session. Bad input is a problem response that
//! names the field; an unsupported body type is a 415.

use std::{collections::BTreeMap, net::SocketAddr};

use axum::{
    Json,
    body::Bytes,
    extract::{
        ConnectInfo, FromRequest, Multipart, Query, Request,
        multipart::MultipartRejection,
        rejection::{BytesRejection, JsonRejection},
    },
    http::{HeaderMap, StatusCode, header},
};
use axum_strata::{
    Strata,
    content::{Content, MediaType},
    cookies::Cookie,
    host::RequestUrl,
    msgpack::MsgPack,
    negotiation::{Format, Negotiated},
    openapi::{
        StrataApiRouterExt,
        aide::{
            axum::{ApiRouter, routing as api},
            openapi::{MediaType as ContentEntry, Operation, ReferenceOr, RequestBody, SchemaObject},
            transform::TransformOperation,
        },
        schemars::{self, JsonSchema},
    },
    problem::Problem,
    redirect::{Redirect, RedirectError},
    sse::{Message, RequestLastEventId, ServerSentEvent},
    stream::Streamed,
    valid::Valid,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use validator::Validate;

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

/// The query of `GET /search`.
#[derive(Debug, Deserialize, Validate, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
struct SearchParams {
    /// What to search for.
    q: Option<String>,
    /// How many results at most.
    #[validate(range(min = 1, max = 100, message = "must be an integer from 1 to 100"))]
    #[schemars(extend("default" = 10))]
    limit: Option<u32>,
}

/// `GET /search?q=…&limit=…`: `limit` is an integer from 1 to 100, 10 by default; every bad
/// parameter is named in one 400 problem (`Valid`).
async fn search(Valid(Query(params)): Valid<Query<SearchParams>>) -> Negotiated<Value> {
    let limit = params.limit.unwrap_or(10);
    Negotiated(json!({ "query": params.q.unwrap_or_default(), "limit": limit, "results": [] }))
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
async fn handle_data(request: Request) -> Result<Negotiated<Value>, Problem> {
    let data = match media_type(request.headers()).as_deref() {
        Some("application/json") => {
            let Json(v) = Json::<Value>::from_request(request, &()).await.map_err(|r| json_problem(&r))?;
            v
        }
        Some("application/x-www-form-urlencoded") => {
            let bytes = Bytes::from_request(request, &()).await.map_err(|r| unreadable(&r))?;
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                .map_err(|e| bad_body(format!("the form is malformed: {e}")))?;
            form_to_json(pairs)
        }
        Some("application/msgpack" | "application/x-msgpack" | "application/vnd.msgpack") => {
            let MsgPack(v) = MsgPack::<Value>::from_request(request, &())
                .await
                .map_err(|r| Problem::new(r.status()).with_detail(r.body_text()))?;
            v
        }
        _ => {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE).with_detail(
                "send application/json, application/x-www-form-urlencoded or application/x-msgpack",
            ));
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
async fn stream_data() -> Streamed<impl futures_util::Stream<Item = String>> {
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
async fn events(last: RequestLastEventId) -> ServerSentEvent<impl futures_util::Stream<Item = Message>> {
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

/// A request body of any JSON value.
fn any_json() -> SchemaObject {
    SchemaObject { json_schema: schemars::json_schema!({}), example: None, external_docs: None }
}

/// Documents a request body that may come in each of `bodies` (media type and schema).
fn document_body(operation: &mut Operation, bodies: impl IntoIterator<Item = (&'static str, SchemaObject)>) {
    let mut body = RequestBody { required: true, ..RequestBody::default() };
    for (media_type, schema) in bodies {
        body.content
            .insert(media_type.to_owned(), ContentEntry { schema: Some(schema), ..ContentEntry::default() });
    }
    operation.request_body = Some(ReferenceOr::Item(body));
}

/// `POST /data`: its three body formats.
fn data_docs(mut op: TransformOperation<'_>) -> TransformOperation<'_> {
    let form = SchemaObject {
        json_schema: schemars::json_schema!({
            "type": "object",
            "additionalProperties": { "type": "string" },
        }),
        example: None,
        external_docs: None,
    };
    document_body(
        op.inner_mut(),
        [
            ("application/json", any_json()),
            ("application/x-www-form-urlencoded", form),
            ("application/x-msgpack", any_json()),
        ],
    );
    op.description("The body, as JSON, a URL-encoded form or MessagePack; any other media type is a 415.")
}

/// `POST /login`: any JSON body; 200 (not the 201 of a `POST`) with the session cookie.
fn login_docs(mut op: TransformOperation<'_>) -> TransformOperation<'_> {
    document_body(op.inner_mut(), [("application/json", any_json())]);
    Content::<Value>::document(op.inner_mut(), StatusCode::OK, &MediaType::Json);
    op
}

/// `/seeds/api`.
pub fn api() -> ApiRouter {
    let formats = [Format::json(), Format::msgpack()];
    ApiRouter::new()
        .api_route("/info", api::get(request_info))
        .api_route("/search", api::get(search))
        .api_route("/data", api::post_with(handle_data, data_docs))
        .api_route(
            "/custom",
            api::get_with(custom_response, |mut op| {
                Content::<Value>::document(op.inner_mut(), StatusCode::CREATED, &MediaType::Json);
                op
            }),
        )
        .api_route("/redirect-to-docs", api::get(redirect_to_docs))
        .api_route("/login", api::post_with(login, login_docs))
        .api_route("/profile", api::get(profile))
        .api_route(
            "/logout",
            api::post_with(logout, |mut op| {
                Content::<Value>::document(op.inner_mut(), StatusCode::OK, &MediaType::Json);
                op
            }),
        )
        .api_route("/download/{filename}", api::get(super::files::download))
        .api_route("/stream-data", api::get(stream_data))
        .api_route("/upload", api::post(upload))
        .api_route("/events", api::get(events))
        .strata(Strata::app().negotiate(formats))
}
