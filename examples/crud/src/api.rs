//! The HTTP side: routes, request bodies and their validation, ETags and preconditions.

use axum::{
    Json, Router,
    extract::{FromRequest, FromRequestParts, Path, Request, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_strata::{
    Strata,
    content::Content,
    headers::ETag,
    names::{NamedRouter, Urls},
    pagination::{OffsetPagination, OffsetPaginator, OffsetParams, Pagination},
    precondition::{Precondition, PreconditionRejection},
    problem::Problem,
    tower::etag::compute,
    valid::Valid,
};
use validator::{Validate, ValidationError};

use crate::store::{Changed, Item, Store, Stored};

/// The items API: `GET`/`POST /items` and `GET`/`PUT`/`PATCH`/`DELETE /items/{item_id}`, under
/// `Strata::app()` (so `GET` honours `If-None-Match` and `HEAD` works).
///
/// # Panics
///
/// If two routes had one name (they do not): `finish` refuses duplicates at start.
pub fn router(store: Store) -> Router {
    NamedRouter::new()
        .route_named("items", ["/items"], get(list_items).post(create_item))
        .route_named(
            "item",
            ["/items/{item_id}"],
            get(get_item).put(replace_item).patch(update_item).delete(delete_item),
        )
        .finish()
        .expect("the API's route names are distinct")
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

/// The body of `POST` and `PUT` (Litestar's `ItemCreate`): both fields required. `null` counts
/// as missing, and every bad field is named in one 400 problem (`Valid`).
#[derive(Debug, eserde::Deserialize, Validate)]
struct NewItem {
    #[validate(
        required(message = "is required"),
        length(min = 1, max = 100, message = "must be 1 to 100 characters"),
        custom(function = "printable")
    )]
    name: Option<String>,
    #[validate(
        required(message = "is required"),
        range(exclusive_min = 0.0, message = "must be greater than 0")
    )]
    price: Option<f64>,
}

/// The body of `PATCH` (Litestar's `ItemUpdate`): each field optional; `null` or absent leaves
/// it as it is.
#[derive(Debug, eserde::Deserialize, Validate)]
struct ItemChanges {
    #[validate(
        length(min = 1, max = 100, message = "must be 1 to 100 characters"),
        custom(function = "printable")
    )]
    name: Option<String>,
    #[validate(range(exclusive_min = 0.0, message = "must be greater than 0"))]
    price: Option<f64>,
}

/// A name without control characters (a newline in a name breaks every list it is shown in).
fn printable(name: &str) -> Result<(), ValidationError> {
    if name.chars().any(char::is_control) {
        return Err(
            ValidationError::new("printable").with_message("must not contain control characters".into())
        );
    }
    Ok(())
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
    urls: Urls,
    Valid(Json(item)): Valid<Json<NewItem>>,
) -> Result<Content<Item>, Error> {
    let (Some(name), Some(price)) = (item.name, item.price) else {
        return Err(Problem::new(StatusCode::BAD_REQUEST).with_detail("the item is not valid").into());
    };
    let created = store.create(&name, price).await?;
    let location = urls.path("item", [("item_id", created.item.id)]).map_err(Problem::from)?;
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
    fields: &ItemChanges,
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

/// The request's body, read once the item and the preconditions are known to allow the change
/// (RFC 9110 §13.2.1: preconditions come before the content is processed).
async fn body<T>(request: Request) -> Result<T, Error>
where
    Valid<Json<T>>: FromRequest<(), Rejection = Problem>,
{
    let Valid(Json(body)) = Valid::<Json<T>>::from_request(request, &()).await?;
    Ok(body)
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
    let item: NewItem = body(request).await?;
    let fields = ItemChanges { name: item.name, price: item.price };
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
    let fields: ItemChanges = body(request).await?;
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
