//! The HTTP side: routes, request bodies and their validation, ETags and preconditions.

use axum::{
    Json, Router,
    extract::{FromRequest, FromRequestParts, Path, Request, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use axum_strata::{
    Strata,
    content::Content,
    headers::ETag,
    names::{NamedRouter, Urls},
    openapi::SchemaRoutes,
    pagination::{OffsetPagination, OffsetPaginator, OffsetParams, Pagination},
    precondition::{Precondition, PreconditionRejection},
    problem::Problem,
    tower::etag::compute,
    utoipa::{self, ToSchema, openapi::OpenApi},
    utoipa_axum::{router::OpenApiRouter, routes},
    utoipa_docs::{Rejections, StrataOpenApiRouterExt},
    valid::Valid,
};
use validator::{Validate, ValidationError};

use crate::store::{Changed, Item, Store, Stored};

/// The items API and its OpenAPI document: `GET`/`POST /items` and
/// `GET`/`PUT`/`PATCH`/`DELETE /items/{item_id}`, under `Strata::app()` (so `GET` honours
/// `If-None-Match` and `HEAD` works), without state.
///
/// # Panics
///
/// If two routes had one name (they do not): `finish` refuses duplicates at start.
pub fn documented() -> (Router<Store>, OpenApi) {
    let (router, mut api) = NamedRouter::utoipa()
        .routes_named("items", routes!(list_items, create_item))
        .routes_named("item", routes!(get_item, replace_item, update_item, delete_item))
        .finish()
        .expect("the API's route names are distinct")
        .split_for_parts();
    // Problems for unknown paths and methods, under the same levels as the routes.
    let router = router
        .fallback(|| async { Problem::new(StatusCode::NOT_FOUND).with_detail("no such resource") })
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED).with_detail("the resource does not take this method")
        });
    api.info = utoipa::openapi::InfoBuilder::new()
        .title("Items")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "The items API of Litestar's CRUD tutorial, on SQLite, served with axum and Strata.",
        ))
        .build();
    let mut router = OpenApiRouter::from(router);
    *router.get_openapi_mut() = api;
    router
        // The tutorial's limits: 10 items unless asked, at most 100.
        .pagination(Pagination::new().default_size(10).max_size(100))
        .strata(Strata::app())
        .split_for_parts()
}

/// The items API with its document at `/schema/openapi.json` (and `.yaml`) and Swagger UI at
/// `/schema`, as the tutorial says Litestar serves them.
pub fn router(store: Store) -> Router {
    let (router, api) = documented();
    router.with_state(store).merge(SchemaRoutes::from_utoipa(&api, "/schema").router("/schema"))
}

/// The OpenAPI document of [`router`].
#[must_use]
pub fn openapi() -> OpenApi {
    documented().1
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

/// Whether `raw` is a whole number: digits, with one `-` before them at most.
fn is_whole_number(raw: &str) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The path parameter `item_id`: a whole number, or a 400 problem naming it.
#[derive(Clone, Copy, Debug, utoipa::IntoParams)]
#[into_params(names("item_id"), parameter_in = Path)]
pub struct ItemId(
    /// The item's id, a whole number.
    pub i64,
);

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
            Err(_) if is_whole_number(&raw) => {
                Err(Problem::new(StatusCode::NOT_FOUND).with_detail(format!("there is no item {raw}")))
            }
            Err(_) => Err(invalid()),
        }
    }
}

/// The body of `POST` and `PUT` (Litestar's `ItemCreate`): both fields required. `null` counts
/// as missing, and every bad field is named in one 400 problem (`Valid`).
#[derive(Debug, eserde::Deserialize, Validate, ToSchema)]
pub struct NewItem {
    /// 1 to 100 characters, without control characters.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 100)]
    #[validate(
        required(message = "is required"),
        length(min = 1, max = 100, message = "must be 1 to 100 characters"),
        custom(function = "printable")
    )]
    name: Option<String>,
    /// Greater than 0.
    #[schema(required = true, value_type = f64, exclusive_minimum = 0.0)]
    #[validate(
        required(message = "is required"),
        range(exclusive_min = 0.0, message = "must be greater than 0")
    )]
    price: Option<f64>,
}

/// The body of `PATCH` (Litestar's `ItemUpdate`): each field optional; `null` or absent leaves
/// it as it is.
#[derive(Debug, eserde::Deserialize, Validate, ToSchema)]
pub struct ItemChanges {
    /// 1 to 100 characters, without control characters; `null` or absent leaves it.
    #[schema(min_length = 1, max_length = 100)]
    #[validate(
        length(min = 1, max = 100, message = "must be 1 to 100 characters"),
        custom(function = "printable")
    )]
    name: Option<String>,
    /// Greater than 0; `null` or absent leaves it.
    #[schema(exclusive_minimum = 0.0)]
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
#[utoipa::path(
    get,
    path = "/items",
    summary = "List items",
    params(OffsetParams),
    responses(OffsetPagination<Item>, Rejections<OffsetParams>, Problem)
)]
async fn list_items(
    State(store): State<Store>,
    params: OffsetParams,
) -> Result<OffsetPagination<Item>, Problem> {
    Ok(store.paginate(&params).await?)
}

/// `POST /items`: 201 with the new item, its `Location` and its entity tag.
#[utoipa::path(
    post,
    path = "/items",
    summary = "Create an item",
    request_body = NewItem,
    responses(
        (status = 201, description = "The new item.", body = Item, headers(
            ("Location" = String, description = "The new item's path."),
            ("Content-Location" = String, description = "The new item's path: the body is its representation."),
            ("ETag" = String, description = "The new item's version."),
        ), links(
            ("GetItem" = (operation_id = "get_item", parameters(("item_id" = "$response.body#/id")), description = "The new item.")),
            ("ReplaceItem" = (operation_id = "replace_item", parameters(("item_id" = "$response.body#/id")), description = "Replace the new item.")),
            ("UpdateItem" = (operation_id = "update_item", parameters(("item_id" = "$response.body#/id")), description = "Change the new item.")),
            ("DeleteItem" = (operation_id = "delete_item", parameters(("item_id" = "$response.body#/id")), description = "Delete the new item.")),
        )),
        Rejections<Valid<Json<NewItem>>>,
        Problem,
    )
)]
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
#[utoipa::path(
    get,
    path = "/items/{item_id}",
    summary = "Get an item",
    params(ItemId),
    responses(
        (status = 200, description = "The item.", body = Item, headers(("ETag" = String, description = "The item's version."))),
        (status = 400, description = "`item_id` is not a whole number.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "There is no such item.", body = Problem, content_type = "application/problem+json"),
        Problem,
    )
)]
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
#[utoipa::path(
    put,
    path = "/items/{item_id}",
    summary = "Replace an item",
    params(ItemId, Precondition),
    request_body = NewItem,
    responses(
        (status = 200, description = "The item as stored.", body = Item),
        (status = 400, description = "`item_id` is not a whole number, or the body is not a valid item (`errors` names each field).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "There is no such item.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item kept changing while the request tried to change it.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version than the item's.", body = Problem, content_type = "application/problem+json", headers(("ETag" = String, description = "The item's version."))),
        (status = 413, description = "The body is larger than the limit.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`.", body = Problem, content_type = "application/problem+json"),
        Problem,
    )
)]
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
#[utoipa::path(
    patch,
    path = "/items/{item_id}",
    summary = "Update an item",
    params(ItemId, Precondition),
    request_body = ItemChanges,
    responses(
        (status = 200, description = "The item as stored.", body = Item, headers(("ETag" = String, description = "The item's new version."))),
        (status = 400, description = "`item_id` is not a whole number, or the body is not a valid item (`errors` names each field).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "There is no such item.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item kept changing while the request tried to change it.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version than the item's.", body = Problem, content_type = "application/problem+json", headers(("ETag" = String, description = "The item's version."))),
        (status = 413, description = "The body is larger than the limit.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`.", body = Problem, content_type = "application/problem+json"),
        Problem,
    )
)]
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
#[utoipa::path(
    delete,
    path = "/items/{item_id}",
    summary = "Delete an item",
    params(ItemId, Precondition),
    responses(
        (status = 204, description = "The item is gone."),
        (status = 400, description = "`item_id` is not a whole number.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "There is no such item.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item kept changing while the request tried to delete it.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version than the item's.", body = Problem, content_type = "application/problem+json", headers(("ETag" = String, description = "The item's version."))),
        Problem,
    )
)]
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
