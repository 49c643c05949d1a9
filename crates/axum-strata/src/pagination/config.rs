//! Per-route and per-router settings: default and largest page size, and the cursor key.

use std::{
    fmt,
    task::{Context, Poll},
};

use http::Request;
use tower::{Layer, Service};

use super::cursor::CursorKey;

/// The shortest cursor key [`Pagination::cursor_key`] takes, in bytes.
pub const MIN_KEY_LEN: usize = 16;

/// The largest page size when no level sets one.
pub const DEFAULT_MAX_SIZE: u64 = 100;

/// Pagination settings for the routes inside this layer: default and largest page size, and the
/// key that signs cursors.
///
/// Apply it with `.layer(…)` on a router or on one route (`route_layer` or a `MethodRouter`'s
/// `layer`). Levels merge: a setting the inner level leaves unset comes from the outer one, so a
/// route can lower the page size without losing the router's cursor key. Without any level, the
/// page size is required and at most [`DEFAULT_MAX_SIZE`], and cursors are not signed.
///
/// ```
/// use axum::{Router, routing::get};
/// use axum_strata::pagination::{OffsetPagination, OffsetParams, Pagination};
///
/// async fn people(params: OffsetParams) -> OffsetPagination<String> {
///     params.page(vec!["Ada".to_owned()], 1)
/// }
///
/// let app: Router = Router::new()
///     .route("/people", get(people))
///     .route("/reports", get(people).layer(Pagination::new().max_size(10)))
///     .layer(Pagination::new().default_size(20).max_size(50).cursor_key(b"a secret of 32 bytes or more..."));
/// # let _ = app;
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Pagination {
    default_size: Option<u64>,
    max_size: Option<u64>,
    key: Option<CursorKey>,
}

impl Pagination {
    /// No settings of its own: everything comes from the outer levels or the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The page size when the request gives none (clamped to 1 ..= the largest size). Without
    /// a default, a request without a page size is answered 400.
    pub fn default_size(mut self, size: u64) -> Self {
        self.default_size = Some(size);
        self
    }

    /// The largest page size a request may ask for (at least 1); larger ones are answered 400.
    pub fn max_size(mut self, size: u64) -> Self {
        self.max_size = Some(size.max(1));
        self
    }

    /// Signs cursors with this key (HMAC-SHA-256), so that a forged, altered, truncated or
    /// foreign cursor is answered 400. Use 32 random bytes or more, the same on every instance
    /// that serves the route. Cursors are signed, not encrypted: clients can read the value.
    ///
    /// # Panics
    ///
    /// When the key is shorter than [`MIN_KEY_LEN`] bytes: a short key makes forgeable
    /// cursors, a mistake better found at start than in production.
    pub fn cursor_key(mut self, key: impl AsRef<[u8]>) -> Self {
        assert!(
            key.as_ref().len() >= MIN_KEY_LEN,
            "Pagination::cursor_key: a key of {} bytes is too short to sign cursors (at least {MIN_KEY_LEN}, 32 recommended)",
            key.as_ref().len()
        );
        self.key = Some(CursorKey::new(key.as_ref()));
        self
    }

    /// This level's settings over `outer`'s.
    fn over(&self, outer: &Self) -> Self {
        Self {
            default_size: self.default_size.or(outer.default_size),
            max_size: self.max_size.or(outer.max_size),
            key: self.key.clone().or_else(|| outer.key.clone()),
        }
    }

    /// The largest page size.
    pub(crate) fn max(&self) -> u64 {
        self.max_size.unwrap_or(DEFAULT_MAX_SIZE)
    }

    /// The default page size, within 1 ..= max.
    pub(crate) fn size_default(&self) -> Option<u64> {
        self.default_size.map(|size| size.clamp(1, self.max()))
    }

    pub(crate) fn key(&self) -> Option<&CursorKey> {
        self.key.as_ref()
    }
}

impl fmt::Debug for Pagination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pagination")
            .field("default_size", &self.default_size)
            .field("max_size", &self.max_size)
            .field("cursor_key", &self.key.as_ref().map(|_| "…"))
            .finish()
    }
}

impl<S> Layer<S> for Pagination {
    type Service = PaginationService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PaginationService { inner, config: self.clone() }
    }
}

/// The service of a [`Pagination`] level: puts the merged settings in the request.
#[derive(Clone, Debug)]
pub struct PaginationService<S> {
    inner: S,
    config: Pagination,
}

impl<S, B> Service<Request<B>> for PaginationService<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let merged = match request.extensions().get::<Pagination>() {
            Some(outer) => self.config.over(outer),
            None => self.config.clone(),
        };
        request.extensions_mut().insert(merged);
        self.inner.call(request)
    }
}
