//! Route names and URL building (Litestar's `name=`, `route_reverse` and `url_for`).
//!
//! axum has no named routes, and a router does not know the prefix it is nested under. A
//! [`NamedRouter`] is an axum [`Router`] that also records, for each route, its template and
//! (if given) its name, through every [`nest`](NamedRouter::nest) and
//! [`merge`](NamedRouter::merge). [`finish`](NamedRouter::finish) refuses a name given to two
//! routes, naming both, and gives every request the table. A handler then takes [`Urls`] and
//! builds a path or an absolute URL from a name and parameters:
//!
//! - of a name's paths, the one that uses the most of the given parameters wins (all of its
//!   own must be given), as in Litestar;
//! - each parameter is percent-encoded as one segment (`a/b` stays one segment, `%2F`); a
//!   wildcard (`{*rest}`) segment by segment;
//! - the paths start with the prefix the finished router is served under, however it was
//!   nested afterwards (found from the request's matched route);
//! - an absolute URL's scheme and host are the request's ([`RequestUrl`]: the target's
//!   authority, then `Host`; forwarded headers only where the app trusts them).
//!
//! Unknown names and missing parameters are [`UrlError`]s, never panics.
//!
//! ```
//! use axum::{Router, body::Body, http::Request, routing::get};
//! use axum_strata::names::{NO_PARAMS, NamedRouter, Urls};
//! use tower::ServiceExt as _;
//!
//! async fn info(urls: Urls) -> String {
//!     let one = urls.path("item", [("id", "1")]).unwrap();
//!     let all = urls.path("items", NO_PARAMS).unwrap();
//!     let absolute = urls.url("item", [("id", "a b")]).unwrap();
//!     format!("{one} {all} {absolute}")
//! }
//!
//! let api = NamedRouter::new()
//!     .route_named("items", ["/items"], get(|| async { "all" }))
//!     .route_named("item", ["/items/{id}"], get(|| async { "one" }))
//!     .route("/info", get(info));
//! let app: Router = Router::new().nest("/api", NamedRouter::new().nest("/v1", api).finish().unwrap());
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = Request::get("/api/v1/info").header("host", "example.com").body(Body::empty()).unwrap();
//! let body = axum::body::to_bytes(app.oneshot(request).await.unwrap().into_body(), 1024).await.unwrap();
//! assert_eq!(body, "/api/v1/items/1 /api/v1/items http://example.com/api/v1/items/a%20b");
//! # });
//! ```
//!
//! [`RequestUrl`]: crate::host::RequestUrl

mod template;

use std::{
    collections::HashMap,
    convert::Infallible,
    fmt,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    Router,
    extract::{FromRequestParts, MatchedPath, OriginalUri},
    response::{IntoResponse, Response},
    routing::MethodRouter,
};
use http::{StatusCode, request::Parts};
use serde::Serialize;
use tower::util::MapRequestLayer;

use self::template::{Template, join};
use crate::{
    host::{RequestUrl, TrustForwarded},
    problem::Problem,
};

/// No parameters, for a path that has none: `urls.path("items", NO_PARAMS)`.
pub const NO_PARAMS: [(&str, &str); 0] = [];

/// Which route a request matched: an opaque id a [`NamedRouter`] puts in the extensions of
/// each request to one of its routes, which [`Urls`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RouteId(u64);

/// Route ids are unique in the process, so that routers built apart can be merged.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Filled by [`NamedRouter::finish`] with the finished table; each route's step reads it.
type Cell = Arc<OnceLock<Arc<RouteNames>>>;

/// What a request to a named route carries: the table, and which route it matched.
#[derive(Clone, Debug)]
struct Named {
    names: Arc<RouteNames>,
    id: RouteId,
}

/// The one step each route of a [`NamedRouter`] adds: the table and the route's id in the
/// request's extensions (one insertion), once the router is finished.
fn tag<B>(cell: Cell, id: RouteId) -> impl Fn(http::Request<B>) -> http::Request<B> + Clone {
    move |mut request| {
        if let Some(names) = cell.get() {
            request.extensions_mut().insert(Named { names: Arc::clone(names), id });
        }
        request
    }
}

#[derive(Clone, Debug)]
struct Entry {
    id: RouteId,
    cell: Cell,
    /// The paths registered together share it: one name, several paths.
    group: u64,
    name: Option<Arc<str>>,
    /// The typed path it was registered for, if any.
    typed: Option<std::any::TypeId>,
    /// Relative to the router being built.
    template: String,
}

/// The routers a [`NamedRouter`] can wrap: axum's [`Router`], with the `openapi` feature
/// aide's `ApiRouter`, and with the `utoipa` feature utoipa-axum's `OpenApiRouter` (whose
/// routes are then documented as well as named). Sealed.
pub trait Routes: sealed::Routes {}

mod sealed {
    use super::RouteId;

    /// What a [`NamedRouter`](super::NamedRouter) asks of the router it wraps.
    pub trait Routes: Sized {
        /// The method router of a route (`get(handler).post(…)`).
        type MethodRouter: Clone;
        fn empty() -> Self;
        fn add(self, path: &str, method_router: Self::MethodRouter, cell: Cell, id: RouteId) -> Self;
        fn nest_under(self, prefix: &str, child: Self) -> Self;
        fn merge_with(self, other: Self) -> Self;
    }

    use super::Cell;
}

impl<S: Clone + Send + Sync + 'static> sealed::Routes for Router<S> {
    type MethodRouter = MethodRouter<S>;

    fn empty() -> Self {
        Self::new()
    }

    fn add(self, path: &str, method_router: MethodRouter<S>, cell: Cell, id: RouteId) -> Self {
        self.route(path, method_router.layer(MapRequestLayer::new(tag(cell, id))))
    }

    fn nest_under(self, prefix: &str, child: Self) -> Self {
        self.nest(prefix, child)
    }

    fn merge_with(self, other: Self) -> Self {
        self.merge(other)
    }
}

impl<S: Clone + Send + Sync + 'static> Routes for Router<S> {}

#[cfg(feature = "openapi")]
impl<S: Clone + Send + Sync + 'static> sealed::Routes for aide::axum::ApiRouter<S> {
    type MethodRouter = aide::axum::routing::ApiMethodRouter<S>;

    fn empty() -> Self {
        Self::new()
    }

    fn add(self, path: &str, method_router: Self::MethodRouter, cell: Cell, id: RouteId) -> Self {
        self.api_route(path, method_router.layer(MapRequestLayer::new(tag(cell, id))))
    }

    fn nest_under(self, prefix: &str, child: Self) -> Self {
        self.nest(prefix, child)
    }

    fn merge_with(self, other: Self) -> Self {
        self.merge(other)
    }
}

#[cfg(feature = "openapi")]
impl<S: Clone + Send + Sync + 'static> Routes for aide::axum::ApiRouter<S> {}

#[cfg(feature = "utoipa")]
impl<S: Clone + Send + Sync + 'static> sealed::Routes for utoipa_axum::router::OpenApiRouter<S> {
    type MethodRouter = utoipa_axum::router::UtoipaMethodRouter<S>;

    fn empty() -> Self {
        Self::default()
    }

    /// Routes `path` alone, with the operations its `#[utoipa::path]` attributes give it.
    fn add(
        self,
        path: &str,
        (schemas, mut paths, method_router): Self::MethodRouter,
        cell: Cell,
        id: RouteId,
    ) -> Self {
        use utoipa_axum::router::UtoipaMethodRouterExt as _;
        let Some(item) = paths.paths.remove(path) else {
            let documented: Vec<&String> = paths.paths.keys().collect();
            panic!(
                "the route {path:?} is not a path of its handlers' #[utoipa::path] attributes ({documented:?})"
            );
        };
        let mut only = utoipa::openapi::path::Paths::new();
        only.paths.insert(path.to_owned(), item);
        self.routes((schemas, only, method_router).layer(MapRequestLayer::new(tag(cell, id))))
    }

    fn nest_under(self, prefix: &str, child: Self) -> Self {
        self.nest(prefix, child)
    }

    fn merge_with(self, other: Self) -> Self {
        self.merge(other)
    }
}

#[cfg(feature = "utoipa")]
impl<S: Clone + Send + Sync + 'static> Routes for utoipa_axum::router::OpenApiRouter<S> {}

/// A router that knows its routes' names and templates: axum's [`Router`] by default, or
/// aide's `ApiRouter`; see the [module docs](self).
#[derive(Debug)]
#[must_use]
pub struct NamedRouter<R = Router> {
    router: R,
    entries: Vec<Entry>,
}

impl<R: Routes> Default for NamedRouter<R> {
    fn default() -> Self {
        Self { router: R::empty(), entries: Vec::new() }
    }
}

impl<S: Clone + Send + Sync + 'static> NamedRouter<Router<S>> {
    /// An empty router over axum's [`Router`].
    pub fn new() -> Self {
        Self::default()
    }
}

#[cfg(feature = "openapi")]
impl<S: Clone + Send + Sync + 'static> NamedRouter<aide::axum::ApiRouter<S>> {
    /// An empty router over aide's `ApiRouter`: its routes are documented as well as named.
    pub fn api() -> Self {
        Self::default()
    }
}

#[cfg(feature = "utoipa")]
impl<S: Clone + Send + Sync + 'static> NamedRouter<utoipa_axum::router::OpenApiRouter<S>> {
    /// An empty router over utoipa-axum's `OpenApiRouter`: its routes are documented (by
    /// their `#[utoipa::path]` attributes) as well as named.
    pub fn utoipa() -> Self {
        Self::default()
    }

    /// The routes of `routes!(…)`, at the paths their attributes give, without a name.
    pub fn routes(self, routes: utoipa_axum::router::UtoipaMethodRouter<S>) -> Self {
        let paths: Vec<String> = routes.1.paths.keys().cloned().collect();
        self.add(None, paths.iter().map(|path| (path.as_str(), routes.clone())).collect())
    }

    /// The routes of `routes!(…)`, named `name`, at the paths their attributes give (one
    /// name for all of them: give each path its own `routes!` to name them apart).
    pub fn routes_named(self, name: &str, routes: utoipa_axum::router::UtoipaMethodRouter<S>) -> Self {
        let paths: Vec<String> = routes.1.paths.keys().cloned().collect();
        self.route_named_each(name, paths.iter().map(|path| (path.as_str(), routes.clone())))
    }
}

impl<R: Routes> NamedRouter<R> {
    fn add(mut self, name: Option<Arc<str>>, routes: Vec<(&str, R::MethodRouter)>) -> Self {
        let group = next_id();
        for (path, method_router) in routes {
            let id = RouteId(next_id());
            let cell = Cell::default();
            self.entries.push(Entry {
                id,
                cell: Arc::clone(&cell),
                group,
                name: name.clone(),
                typed: None,
                template: path.to_owned(),
            });
            self.router = self.router.add(path, method_router, cell, id);
        }
        self
    }

    /// A route without a name (its handlers can still take [`Urls`]). Panics where axum's
    /// `Router::route` does (a path registered twice, a malformed template).
    pub fn route(self, path: &str, method_router: R::MethodRouter) -> Self {
        self.add(None, vec![(path, method_router)])
    }

    /// A route named `name`, at each of `paths` (one handler, several paths, as Litestar's
    /// `@get(["/some-path", "/some-path/{id}"], name=…)`).
    pub fn route_named<'p>(
        self,
        name: &str,
        paths: impl IntoIterator<Item = &'p str>,
        method_router: R::MethodRouter,
    ) -> Self {
        let routes = paths.into_iter().map(|path| (path, method_router.clone())).collect();
        self.add(Some(Arc::from(name)), routes)
    }

    /// Like [`route_named`](Self::route_named), with a method router for each path: one
    /// route with several paths whose handlers (or documentation) differ by path.
    pub fn route_named_each<'p>(
        self,
        name: &str,
        routes: impl IntoIterator<Item = (&'p str, R::MethodRouter)>,
    ) -> Self {
        self.add(Some(Arc::from(name)), routes.into_iter().collect())
    }

    /// Nests `child` at `prefix`, as [`Router::nest`]; its names keep their routes, now under
    /// the prefix.
    pub fn nest(mut self, prefix: &str, child: Self) -> Self {
        self.entries
            .extend(child.entries.into_iter().map(|e| Entry { template: join(prefix, &e.template), ..e }));
        self.router = self.router.nest_under(prefix, child.router);
        self
    }

    /// Merges `other`, as [`Router::merge`].
    pub fn merge(mut self, other: Self) -> Self {
        self.entries.extend(other.entries);
        self.router = self.router.merge_with(other.router);
        self
    }

    /// Changes the inner router (to add layers, a fallback, plain routes); the names stay.
    pub fn map(mut self, f: impl FnOnce(R) -> R) -> Self {
        self.router = f(self.router);
        self
    }

    /// The table of names so far, without finishing.
    ///
    /// # Errors
    ///
    /// When a name is given to two routes.
    pub fn names(&self) -> Result<RouteNames, DuplicateRouteName> {
        RouteNames::new(&self.entries)
    }

    /// The router, every request of which carries the table of names ([`Urls`] reads it).
    ///
    /// # Errors
    ///
    /// When a name is given to two routes (registered apart), naming both.
    pub fn finish(self) -> Result<R, DuplicateRouteName> {
        let names = Arc::new(RouteNames::new(&self.entries)?);
        for entry in &self.entries {
            // A route is finished once: a second table (a router finished twice) is ignored.
            let _ = entry.cell.set(Arc::clone(&names));
        }
        Ok(self.router)
    }
}

#[cfg(feature = "typed-path")]
impl<S: Clone + Send + Sync + 'static> NamedRouter<Router<S>> {
    /// A route at axum-extra's typed path `P` (its `PATH`), named `name`; build it back from
    /// a value of `P` with [`Urls::typed`], or from its parameters with [`Urls::path`].
    pub fn typed_route<P: axum_extra::routing::TypedPath + 'static>(
        self,
        name: &str,
        method_router: MethodRouter<S>,
    ) -> Self {
        let mut router = self.route_named(name, [P::PATH], method_router);
        if let Some(entry) = router.entries.last_mut() {
            entry.typed = Some(std::any::TypeId::of::<P>());
        }
        router
    }
}

/// A name given to two routes: the app cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateRouteName {
    /// The name.
    pub name: String,
    /// The route that had it first.
    pub first: String,
    /// The route given it again.
    pub second: String,
}

impl fmt::Display for DuplicateRouteName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the route name `{}` is given to both `{}` and `{}`", self.name, self.first, self.second)
    }
}

impl std::error::Error for DuplicateRouteName {}

/// The names and templates of a finished [`NamedRouter`], relative to it.
#[derive(Debug, Default)]
pub struct RouteNames {
    by_name: HashMap<Arc<str>, Vec<Template>>,
    by_id: HashMap<RouteId, String>,
    by_type: HashMap<std::any::TypeId, String>,
}

impl RouteNames {
    fn new(entries: &[Entry]) -> Result<Self, DuplicateRouteName> {
        let mut names = Self::default();
        let mut groups: HashMap<Arc<str>, (u64, String)> = HashMap::new();
        for entry in entries {
            names.by_id.insert(entry.id, entry.template.clone());
            if let Some(typed) = entry.typed {
                names.by_type.entry(typed).or_insert_with(|| entry.template.clone());
            }
            let Some(name) = &entry.name else { continue };
            match groups.get(name) {
                Some((group, first)) if *group != entry.group => {
                    return Err(DuplicateRouteName {
                        name: name.to_string(),
                        first: first.clone(),
                        second: entry.template.clone(),
                    });
                }
                Some(_) => {}
                None => {
                    groups.insert(Arc::clone(name), (entry.group, entry.template.clone()));
                }
            }
            names.by_name.entry(Arc::clone(name)).or_default().push(Template::parse(&entry.template));
        }
        Ok(names)
    }

    /// The templates of `name`, in the order they were registered.
    pub fn templates(&self, name: &str) -> Option<impl Iterator<Item = &str>> {
        self.by_name.get(name).map(|templates| templates.iter().map(Template::as_str))
    }

    /// The path of `name` with `params` (relative to the finished router): of its templates,
    /// the one that uses the most parameters, all of its own given.
    ///
    /// # Errors
    ///
    /// An unknown name, a parameter missing from every template, or an empty value.
    pub fn path<K: AsRef<str>, V: fmt::Display>(
        &self,
        name: &str,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Result<String, UrlError> {
        let owned: Vec<(K, String)> = params.into_iter().map(|(k, v)| (k, v.to_string())).collect();
        let given: Vec<(&str, String)> = owned.iter().map(|(k, v)| (k.as_ref(), v.clone())).collect();
        self.fill(name, &given)
    }

    fn fill(&self, name: &str, given: &[(&str, String)]) -> Result<String, UrlError> {
        let templates = self.by_name.get(name).ok_or_else(|| UrlError::UnknownName(name.to_owned()))?;
        let best = templates
            .iter()
            .filter(|t| t.missing(given).is_empty())
            .enumerate()
            // The most parameters wins; between equals, the first registered.
            .max_by_key(|(i, t)| (t.params().count(), std::cmp::Reverse(*i)))
            .map(|(_, t)| t);
        match best {
            Some(template) => template
                .fill(given)
                .map_err(|param| UrlError::EmptyParameter { name: name.to_owned(), param }),
            None => {
                let fewest =
                    templates.iter().map(|t| t.missing(given)).min_by_key(Vec::len).unwrap_or_default();
                Err(UrlError::MissingParameters {
                    name: name.to_owned(),
                    missing: fewest.into_iter().map(str::to_owned).collect(),
                })
            }
        }
    }
}

/// Why a path or URL could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// No route has this name.
    UnknownName(String),
    /// Every path of the name needs a parameter that was not given (here, the fewest missing).
    MissingParameters {
        /// The route name.
        name: String,
        /// The parameters missing.
        missing: Vec<String>,
    },
    /// A parameter's value is empty, `.` or `..` (or has such a segment): no route would match
    /// the path.
    EmptyParameter {
        /// The route name.
        name: String,
        /// The parameter.
        param: String,
    },
    /// Parameters given as a value that is not a flat object of strings, numbers and booleans.
    InvalidParameters(String),
    /// The request is not under a finished [`NamedRouter`].
    NotNamed,
    /// The request names no host, so no absolute URL.
    NoHost,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownName(name) => write!(f, "no route is named `{name}`"),
            Self::MissingParameters { name, missing } => {
                write!(f, "the route `{name}` needs the parameters {}", missing.join(", "))
            }
            Self::EmptyParameter { name, param } => {
                write!(f, "the parameter `{param}` of the route `{name}` is empty or a dot segment")
            }
            Self::InvalidParameters(why) => write!(f, "the parameters are not a flat object: {why}"),
            Self::NotNamed => f.write_str("the request is not under a finished NamedRouter"),
            Self::NoHost => f.write_str("the request names no host"),
        }
    }
}

impl std::error::Error for UrlError {}

/// A 500 problem (a mistake of the app's, logged), or 400 when the request names no host.
impl From<UrlError> for Problem {
    fn from(error: UrlError) -> Self {
        if error == UrlError::NoHost {
            return Self::new(StatusCode::BAD_REQUEST).with_detail("the request names no host");
        }
        tracing::error!(%error, "a URL could not be built");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR).with_detail("a link could not be built")
    }
}

impl IntoResponse for UrlError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}

/// Builds paths and absolute URLs from route names, for the request at hand: the extractor of
/// this module (see the [module docs](self)). It never rejects; without a [`NamedRouter`]
/// around the route, every call answers [`UrlError::NotNamed`].
#[derive(Clone, Debug)]
pub struct Urls {
    names: Option<Arc<RouteNames>>,
    /// Where the finished router is served: the matched route's path less its template.
    prefix: String,
    /// `scheme://authority` of the request, if it names a host.
    origin: Option<String>,
}

impl Urls {
    fn names(&self) -> Result<&RouteNames, UrlError> {
        self.names.as_deref().ok_or(UrlError::NotNamed)
    }

    /// The path of `name` with `params` (pairs of parameter and value), under the prefix
    /// this request was served under.
    ///
    /// # Errors
    ///
    /// See [`UrlError`].
    pub fn path<K: AsRef<str>, V: fmt::Display>(
        &self,
        name: &str,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Result<String, UrlError> {
        let path = self.names()?.path(name, params)?;
        Ok(join(&self.prefix, &path))
    }

    /// The path of `name` with the fields of `params` (a struct or map of strings, numbers and
    /// booleans, as `serde` serializes it).
    ///
    /// # Errors
    ///
    /// See [`UrlError`].
    pub fn path_with(&self, name: &str, params: &impl Serialize) -> Result<String, UrlError> {
        let value = serde_json::to_value(params).map_err(|e| UrlError::InvalidParameters(e.to_string()))?;
        let serde_json::Value::Object(fields) = value else {
            return Err(UrlError::InvalidParameters("not an object".to_owned()));
        };
        let mut pairs = Vec::with_capacity(fields.len());
        for (key, value) in fields {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                _ => return Err(UrlError::InvalidParameters(format!("`{key}` is not a string or a number"))),
            };
            pairs.push((key, text));
        }
        self.path(name, pairs)
    }

    /// The absolute URL of `name` with `params`: the request's scheme and host, then
    /// [`path`](Self::path).
    ///
    /// # Errors
    ///
    /// See [`UrlError`]; [`UrlError::NoHost`] when the request names no host.
    pub fn url<K: AsRef<str>, V: fmt::Display>(
        &self,
        name: &str,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Result<String, UrlError> {
        let path = self.path(name, params)?;
        let origin = self.origin.as_deref().ok_or(UrlError::NoHost)?;
        Ok(format!("{origin}{path}"))
    }

    /// The path of the typed path `value` (axum-extra's `TypedPath`, which encodes its own
    /// parameters), under the prefixes of the route registered at `P::PATH`.
    ///
    /// # Errors
    ///
    /// [`UrlError::UnknownName`] (naming `P::PATH`) when no route was registered with
    /// [`NamedRouter::typed_route`] for `P`.
    #[cfg(feature = "typed-path")]
    pub fn typed<P: axum_extra::routing::TypedPath + 'static>(&self, value: &P) -> Result<String, UrlError> {
        let names = self.names()?;
        let template = names
            .by_type
            .get(&std::any::TypeId::of::<P>())
            .ok_or_else(|| UrlError::UnknownName(P::PATH.to_owned()))?;
        // The nest prefixes the typed route got: its template, less `P::PATH` (or all of it,
        // for a typed `/` nested somewhere).
        let nested = template
            .strip_suffix(P::PATH)
            .or_else(|| (P::PATH == "/").then_some(template.as_str()))
            .unwrap_or_default();
        Ok(join(&join(&self.prefix, nested), &value.to_string()))
    }

    /// The templates of `name` under this request's prefix, in the order they were registered
    /// (Litestar's handler index).
    #[must_use]
    pub fn templates(&self, name: &str) -> Option<Vec<String>> {
        let names = self.names.as_deref()?;
        Some(names.templates(name)?.map(|t| join(&self.prefix, t)).collect())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Urls {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let named = parts.extensions.get::<Named>().cloned();
        let template = named.as_ref().and_then(|n| n.names.by_id.get(&n.id)).map(String::as_str);
        let matched = parts.extensions.get::<MatchedPath>().map(MatchedPath::as_str);
        // The prefix as a template (`/t/{tenant}` when nested so), then as the request wrote
        // it: as many segments of its own path.
        let prefix_template = match (matched, template) {
            (Some("/"), Some("/")) => Some(""),
            (Some(matched), Some("/")) => Some(matched),
            (Some(matched), Some(template)) => matched
                .strip_suffix(template)
                .or_else(|| matched.strip_suffix(template.trim_start_matches('/'))),
            _ => None,
        };
        let path =
            parts.extensions.get::<OriginalUri>().map_or(parts.uri.path(), |original| original.0.path());
        let prefix = prefix_template.map_or_else(String::new, |prefix| real_prefix(prefix, path));
        let trust = parts.extensions.get::<TrustForwarded>().copied().unwrap_or_default();
        let origin = RequestUrl::from_parts(parts, trust).ok().map(|url| {
            let uri = url.uri();
            format!("{}://{}", uri.scheme_str().unwrap_or("http"), uri.authority().map_or("", |a| a.as_str()))
        });
        Ok(Self { names: named.map(|n| n.names), prefix, origin })
    }
}

/// The first segments of `path`, as many as `template` has: the prefix the request was served
/// under, with its parameters as the request wrote them. A template that ends in `/` keeps it.
fn real_prefix(template: &str, path: &str) -> String {
    if !template.contains('{') || template.is_empty() {
        return template.to_owned();
    }
    let wanted = template.split('/').count();
    let mut prefix: String = path.split('/').take(wanted).collect::<Vec<_>>().join("/");
    if template.ends_with('/') && !prefix.ends_with('/') {
        prefix.push('/');
    }
    prefix
}

#[cfg(feature = "openapi")]
mod openapi {
    /// Nothing to document: it reads the app's own table.
    impl aide::OperationInput for super::Urls {}
}
