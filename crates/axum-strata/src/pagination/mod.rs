//! Pagination: Litestar's classic, limit/offset and cursor pages.
//!
//! - **Containers** with Litestar's field names: [`ClassicPagination`] (`items`, `page_size`,
//!   `current_page`, `total_pages`), [`OffsetPagination`] (`items`, `limit`, `offset`, `total`)
//!   and [`CursorPagination`] (`items`, `results_per_page`, `cursor`). As responses they are
//!   [`Negotiated`](crate::negotiation::Negotiated): JSON, or MessagePack and the rest where a
//!   level negotiates. They carry an RFC 8288 `Link` header (`first`, `prev`, `next`, `last`
//!   where known), built from the request's own path and query with its other parameters kept,
//!   and `X-Total-Count` where the total is known.
//! - **Parameter extractors** [`ClassicParams`], [`OffsetParams`] and [`CursorParams`]. The
//!   default and largest page size come from the closest [`Pagination`] level. A missing (with
//!   no default), repeated, non-numeric, negative, zero or too large value is a 400 problem
//!   naming each invalid parameter and its rule ([`PaginationRejection`]). A page past the end is not an error: it is
//!   empty, with the real totals.
//! - **Paginator traits** [`ClassicPaginator`], [`OffsetPaginator`] and [`CursorPaginator`]
//!   for async sources, and their `Sync…` twins for in-memory ones (slices implement the
//!   classic and offset ones: import the one in use, or name it, as in
//!   `SyncOffsetPaginator::page(slice, &params)`). Their provided method turns the parameters
//!   into a page. The parameters also make a page from items fetched by hand
//!   ([`OffsetParams::page`] and its twins).
//! - **Opaque cursors**: the paginator's cursor value, serialized and URL-safe base64 encoded.
//!   With [`Pagination::cursor_key`] they carry an HMAC-SHA-256 tag bound to the route's path,
//!   so a forged, altered, truncated or foreign cursor is a 400 problem, never a query. Cursors
//!   are signed, not encrypted: clients can read the value, so keep secrets out of it.
//!
//! Without any [`Pagination`] level, the page size is a required parameter (400 when
//! missing); give a level a [`default_size`](Pagination::default_size) to make it optional.
//!
//! **Limits on what is decoded.** The query string is split once, linearly (its length is
//! bounded by hyper's limit on the request head, about 400 KiB); each parameter may appear once;
//! numbers are whole `u64`s within their range (positions at most [`MAX_POSITION`]). A cursor
//! longer than 1024 characters is refused before it is decoded; its payload is JSON read by
//! serde_json, which refuses nesting deeper than 128 and any bytes after the value; with a key,
//! the tag is checked before the JSON is read. Every refusal is the same 400 problem.
//!
#![cfg_attr(feature = "layers", doc = "```")]
#![cfg_attr(not(feature = "layers"), doc = "```ignore")]
//! use axum::{Router, body::{Body, to_bytes}, http::Request, routing::get};
//! use axum_strata::{Strata, pagination::{OffsetPagination, OffsetPaginator, OffsetParams, Pagination}};
//! use tower::ServiceExt;
//!
//! static PEOPLE: [&str; 5] = ["Ada", "Grace", "Edsger", "Barbara", "Donald"];
//!
//! async fn people(params: OffsetParams) -> OffsetPagination<&'static str> {
//!     // Slices are in-memory paginators; a database implements `OffsetPaginator` itself.
//!     let Ok(page) = PEOPLE.as_slice().paginate(&params).await;
//!     page
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app: Router = Router::new()
//!     .route("/people", get(people))
//!     .layer(Pagination::new().default_size(10).max_size(100))
//!     .layer(Strata::app());
//!
//! let request = Request::get("/people?limit=2&offset=2").body(Body::empty()).unwrap();
//! let response = app.clone().oneshot(request).await.unwrap();
//! assert_eq!(response.headers()["x-total-count"], "5");
//! assert_eq!(
//!     response.headers()["link"],
//!     "</people?limit=2&offset=0>; rel=\"first\", </people?limit=2&offset=0>; rel=\"prev\", \
//!      </people?limit=2&offset=4>; rel=\"next\", </people?limit=2&offset=4>; rel=\"last\""
//! );
//! let body = to_bytes(response.into_body(), 1024).await.unwrap();
//! assert_eq!(body, r#"{"items":["Edsger","Barbara"],"limit":2,"offset":2,"total":5}"#);
//!
//! let request = Request::get("/people?limit=1000").body(Body::empty()).unwrap();
//! assert_eq!(app.oneshot(request).await.unwrap().status(), 400); // over the level's maximum
//! # }
//! ```

mod config;
mod container;
mod cursor;
mod paginator;
mod params;

pub use self::{
    config::{DEFAULT_MAX_SIZE, MIN_KEY_LEN, Pagination, PaginationService},
    container::{ClassicPagination, CursorPagination, OffsetPagination, X_TOTAL_COUNT},
    paginator::{
        ClassicPaginator, CursorPage, CursorPaginator, OffsetPaginator, SyncClassicPaginator,
        SyncCursorPaginator, SyncOffsetPaginator,
    },
    params::{ClassicParams, CursorParams, MAX_POSITION, OffsetParams, PaginationRejection},
};
