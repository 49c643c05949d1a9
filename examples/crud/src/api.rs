//! The HTTP side: routes, request bodies and their validation, ETags and preconditions.

use axum::{
    Router,
    body::Bytes,
    extract::{FromRequest, FromRequestParts, OriginalUri, Path, Request, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_strata::{
    Strata,
    content::Content,
    headers::ETag,
    pagination::{OffsetPagination, OffsetPaginator, OffsetParams, Pagination},
    precondition::{Precondition, PreconditionRejection},
    problem::Problem,
    tower::etag::compute,
};
use serde_json::{Map, Value};

use crate::store::{Changed, Item, Store, Stored};

/// Names longer than this many characters are refused.
pub const MAX_NAME_CHARS: usize = 100;

/// The items API: `GET`/`POST /items` and `GET`/`PUT`/`PATCH`/`DELETE /items/{item_id}`, under
/// `Strata::app()` (so `GET` honours `If-None-Match` and `HEAD` works).
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/items", get(list_items).post(create_item))
        .route("/items/{item_id}", get(get_item).put(replace_item).patch(update_item).delete(delete_item))
        .fallback(|| async { Problem::new(StatusCode::NOT_FOUND).with_detail("no such resource") })
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED).with_detail("the resource does not take this method")
        })
        .with_state(store)
        // The tutorial's limits: 10 items unless asked, at most 100.
        .layer(Pagination::new().default_size(10).max_size(100))
        .layer(Strata::app())
}

/// The entity tag of an item: a hash of its JSON representation, which is what `GET` sends.
pub fn etag(item: &Item) -> ETag {
    // Serializing a struct of numbers and strings to JSON cannot fail.
    compute(&serde_json::to_vec(item).unwrap_or_default())
}

fn not_found(id: i64) -> Problem {
    Problem::new(StatusCode::NOT_FOUND).with_detail(format!("there is no item {id}"))
}

/// Why a request failed: a problem response, or a failed precondition (412 with the current
/// `ETag`).
#[derive(Debug)]
pub enum Error {
    /// 400, 404, 409, 415, 500 …
    Problem(Problem),
    /// 412.
    Precondition(PreconditionRejection),
}

impl From<Problem> for Error {
    fn from(problem: Problem) -> Self {
        Self::Problem(problem)
    }
}

impl From<PreconditionRejection> for Error {
    fn from(rejection: PreconditionRejection) -> Self {
        Self::Precondition(rejection)
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Problem(e.into())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Self::Problem(problem) => problem.into_response(),
            Self::Precondition(rejection) => rejection.into_response(),
        }
    }
}

/// The path parameter `item_id`: a whole number, or a 400 problem naming it.
#[derive(Clone, Copy, Debug)]
pub struct ItemId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ItemId {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let invalid = || {
            Problem::new(StatusCode::BAD_REQUEST)
                .with_detail("invalid path parameter")
                .with_error("item_id", "must be a whole number")
        };
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| invalid())?;
        match raw.parse() {
            Ok(id) => Ok(Self(id)),
            // A whole number too large for an id names no item.
            Err(_) if !raw.is_empty() && raw.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()) => {
                Err(Problem::new(StatusCode::NOT_FOUND).with_detail(format!("there is no item {raw}")))
            }
            Err(_) => Err(invalid()),
        }
    }
}

/// A JSON object body: anything else is a 415 (not JSON), 413 (too large) or 400 (not an
/// object, or not JSON at all) problem.
#[derive(Debug)]
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<axum_strata::headers::mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !is_json {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
                .with_detail("send the item as application/json"));
        }
        let body = Bytes::from_request(request, state).await.map_err(|e| {
            Problem::new(e.status()).with_detail(format!("the body could not be read: {}", e.body_text()))
        })?;
        match serde_json::from_slice(&body) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(Problem::new(StatusCode::BAD_REQUEST).with_detail("the body must be a JSON object")),
            Err(e) => {
                Err(Problem::new(StatusCode::BAD_REQUEST).with_detail(format!("the body is not JSON: {e}")))
            }
        }
    }
}

/// The fields of a new or changed item, validated all at once.
#[derive(Debug, Default)]
struct Fields {
    name: Option<String>,
    price: Option<f64>,
}

impl Fields {
    /// Reads `name` and `price`. With `all`, both are required; otherwise an absent or `null`
    /// field is left as it is. Every invalid field is named in the 400 problem.
    fn read(body: &Map<String, Value>, all: bool) -> Result<Self, Problem> {
        let mut fields = Self::default();
        let mut problem: Option<Problem> = None;
        let mut fail = |field: &'static str, message: &str| {
            let p = problem.take().unwrap_or_else(|| {
                Problem::new(StatusCode::BAD_REQUEST).with_detail("the item is not valid")
            });
            problem = Some(p.with_error(field, message));
        };
        match body.get("name") {
            None | Some(Value::Null) if all => fail("name", "is required"),
            None | Some(Value::Null) => {}
            Some(Value::String(name)) if !(1..=MAX_NAME_CHARS).contains(&name.chars().count()) => {
                fail("name", "must be 1 to 100 characters");
            }
            Some(Value::String(name)) if name.chars().any(char::is_control) => {
                fail("name", "must not contain control characters");
            }
            Some(Value::String(name)) => fields.name = Some(name.clone()),
            Some(_) => fail("name", "must be a string"),
        }
        match body.get("price") {
            None | Some(Value::Null) if all => fail("price", "is required"),
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => match n.as_f64() {
                Some(price) if price > 0.0 && price.is_finite() => fields.price = Some(price),
                _ => fail("price", "must be greater than 0"),
            },
            Some(_) => fail("price", "must be a number"),
        }
        problem.map_or(Ok(fields), Err)
    }
}

/// The item, with its entity tag.
fn with_etag(item: Item) -> Content<Item> {
    let tag = etag(&item);
    Content::new(item).header(header::ETAG, tag.header_value().clone())
}

/// `GET /items?limit=…&offset=…`: a page in id order, with `Link` and `X-Total-Count`.
async fn list_items(
    State(store): State<Store>,
    params: OffsetParams,
) -> Result<OffsetPagination<Item>, Problem> {
    Ok(store.paginate(&params).await?)
}

/// `POST /items`: 201 with the new item, its `Location` and its entity tag.
async fn create_item(
    State(store): State<Store>,
    OriginalUri(uri): OriginalUri,
    JsonObject(body): JsonObject,
) -> Result<Content<Item>, Error> {
    let fields = Fields::read(&body, true)?;
    let (Some(name), Some(price)) = (fields.name, fields.price) else {
        return Err(Problem::new(StatusCode::BAD_REQUEST).with_detail("the item is not valid").into());
    };
    let created = store.create(&name, price).await?;
    let location = format!("{}/{}", uri.path().trim_end_matches('/'), created.item.id);
    Ok(with_etag(created.item)
        .status(StatusCode::CREATED)
        .header(header::LOCATION, location.as_str())
        .header(header::CONTENT_LOCATION, location.as_str()))
}

/// `GET /items/{item_id}`: the item with its entity tag (`If-None-Match` gives a 304).
async fn get_item(State(store): State<Store>, ItemId(id): ItemId) -> Result<Content<Item>, Error> {
    let stored = store.get(id).await?.ok_or_else(|| not_found(id))?;
    Ok(with_etag(stored.item))
}

/// How many times a change is tried again when another one lands between the read and the
/// write, before answering 409.
const ATTEMPTS: usize = 8;

/// The item as it is now, if it exists (else 404) and the request's preconditions hold for it
/// (else 412).
async fn current(store: &Store, id: i64, precondition: &Precondition) -> Result<Stored, Error> {
    check(id, precondition, store.get(id).await?)
}

fn conflict() -> Error {
    Problem::new(StatusCode::CONFLICT)
        .with_detail("the item kept changing while this request tried to change it")
        .into()
}

/// Checks the preconditions against `now` (the item as last read, `None` when gone), existence
/// first: a missing item is a 404 whatever `If-Match` says, since RFC 9110 §13.2.1 ignores
/// preconditions when the answer without them would not be a 2xx.
fn check(id: i64, precondition: &Precondition, now: Option<Stored>) -> Result<Stored, Error> {
    precondition.check_existing(now, |s| etag(&s.item))?.ok_or_else(|| not_found(id).into())
}

/// Writes the fields over `now` (which passed the preconditions) only if the item is still that
/// version (one SQL statement). If another change landed in between, the preconditions are
/// checked again on the item as the failed write found it, so that a 412 only ever answers a
/// precondition that fails on the item as it is.
async fn change(
    store: &Store,
    precondition: &Precondition,
    mut now: Stored,
    fields: &Fields,
) -> Result<Item, Error> {
    let id = now.item.id;
    for _ in 0..ATTEMPTS {
        let name = fields.name.as_deref().unwrap_or(&now.item.name);
        let price = fields.price.unwrap_or(now.item.price);
        now = match store.update(id, now.version, name, price).await? {
            Changed::Done(stored) => return Ok(stored.item),
            Changed::Stale(changed) => check(id, precondition, Some(changed))?,
            Changed::Gone => check(id, precondition, None)?,
        };
    }
    Err(conflict())
}

/// The request's body, once the item and the preconditions are known to allow the change (RFC
/// 9110 §13.2.1: preconditions come before the content is processed).
async fn body(request: Request, all: bool) -> Result<Fields, Error> {
    let JsonObject(body) = JsonObject::from_request(request, &()).await?;
    Ok(Fields::read(&body, all)?)
}

/// `PUT /items/{item_id}`: replaces the name and price. `If-Match` makes it conditional.
///
/// The answer has no `ETag`: RFC 9110 §9.3.4 forbids one after a `PUT` whose content was
/// stored transformed (the item gains its `id`). `GET`, or `PATCH`, tells the new tag.
async fn replace_item(
    State(store): State<Store>,
    ItemId(id): ItemId,
    precondition: Precondition,
    request: Request,
) -> Result<Content<Item>, Error> {
    let now = current(&store, id, &precondition).await?;
    let fields = body(request, true).await?;
    Ok(Content::new(change(&store, &precondition, now, &fields).await?))
}

/// `PATCH /items/{item_id}`: changes the fields given (`null` leaves one as it is). `If-Match`
/// makes it conditional.
async fn update_item(
    State(store): State<Store>,
    ItemId(id): ItemId,
    precondition: Precondition,
    request: Request,
) -> Result<Content<Item>, Error> {
    let now = current(&store, id, &precondition).await?;
    let fields = body(request, false).await?;
    if fields.name.is_none() && fields.price.is_none() {
        return Ok(with_etag(now.item));
    }
    Ok(with_etag(change(&store, &precondition, now, &fields).await?))
}

/// `DELETE /items/{item_id}`: 204 without a body. `If-Match` makes it conditional.
async fn delete_item(
    State(store): State<Store>,
    ItemId(id): ItemId,
    precondition: Precondition,
) -> Result<Response, Error> {
    let mut now = current(&store, id, &precondition).await?;
    for _ in 0..ATTEMPTS {
        now = match store.delete(id, now.version).await? {
            Changed::Done(()) => return Ok(StatusCode::NO_CONTENT.into_response()),
            Changed::Stale(changed) => check(id, &precondition, Some(changed))?,
            Changed::Gone => check(id, &precondition, None)?,
        };
    }
    Err(conflict())
}
