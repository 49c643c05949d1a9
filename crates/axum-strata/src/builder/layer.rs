//! The settings of one level, and the layer that applies them.

use std::{fmt, future::Future, sync::Arc};

use axum::response::Response;
use http::{HeaderName, HeaderValue, StatusCode};
use strata_headers::{CacheControl, ETag};
use strata_tower::{etag, response_headers::HeaderSpec};
use tower::Layer;

#[cfg(feature = "background")]
use crate::background::{BackgroundTask, Runner, TaskSet};
#[cfg(feature = "cookies")]
use crate::cookies::Cookie;
#[cfg(feature = "negotiation")]
use crate::negotiation::{Format, NegotiationLayer};
#[cfg(feature = "template")]
use crate::template::{TemplateEngine, TemplateLayer};

use super::{
    description::LevelDescription,
    hook::Hook,
    service::{Level, StrataService},
};

/// Where Strata's builders start; see the [module docs](super).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Strata;

impl Strata {
    /// The builder for the whole app, to put once around it with `Router::layer`. It also
    /// resolves default status codes and conditional requests, and removes the claims of
    /// documentation-only headers.
    pub fn app() -> StrataLayer {
        StrataLayer {
            description: LevelDescription { app: true, ..LevelDescription::default() },
            ..StrataLayer::default()
        }
    }

    /// The builder for a nested router or a single route.
    pub fn layer() -> StrataLayer {
        StrataLayer::default()
    }
}

/// One level's settings, and the layer that applies them; built by [`Strata::app`] or
/// [`Strata::layer`].
#[derive(Clone, Default)]
#[must_use]
pub struct StrataLayer {
    /// What this level does, read by its service and by the OpenAPI document alike.
    description: LevelDescription,
    after_request: Option<Hook>,
    chain_after_request: bool,
    #[cfg(feature = "background")]
    runner: Option<Runner>,
    #[cfg(feature = "background")]
    background_tasks: Option<Arc<dyn Fn() -> TaskSet + Send + Sync>>,
    #[cfg(feature = "template")]
    templates: Option<TemplateLayer>,
    #[cfg(feature = "object-store")]
    file_stores: crate::file::store::FileStores,
}

impl fmt::Debug for StrataLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("StrataLayer");
        s.field("description", &self.description)
            .field("after_request", &self.after_request.is_some())
            .field("chain_after_request", &self.chain_after_request);
        #[cfg(feature = "background")]
        s.field("runner", &self.runner.is_some()).field("background_tasks", &self.background_tasks.is_some());
        #[cfg(feature = "template")]
        s.field("templates", &self.templates.is_some());
        #[cfg(feature = "object-store")]
        s.field("file_stores", &self.file_stores);
        s.finish()
    }
}

fn name(name: impl TryInto<HeaderName>) -> HeaderName {
    name.try_into().unwrap_or_else(|_| panic!("Strata: invalid header name"))
}

fn value(value: impl TryInto<HeaderValue>) -> HeaderValue {
    value.try_into().unwrap_or_else(|_| panic!("Strata: invalid header value"))
}

impl StrataLayer {
    /// Sets a response header at this level, when the response (or a closer level) has not.
    /// `Vary` fields add up across levels instead; a `Set-Cookie` value is taken as
    /// [`cookie`](Self::cookie), so that cookies layer per cookie.
    ///
    /// # Panics
    ///
    /// When `name` or `value` is not a valid header name or value: they are configuration,
    /// checked when the app is built.
    pub fn header(mut self, name_: impl TryInto<HeaderName>, value_: impl TryInto<HeaderValue>) -> Self {
        let (name, value) = (name(name_), value(value_));
        #[cfg(feature = "cookies")]
        if name == http::header::SET_COOKIE {
            // Cookies layer per cookie, not per header name.
            return self.cookie_line(&value);
        }
        self.description.headers = self.description.headers.header(name, value);
        self
    }

    #[cfg(feature = "cookies")]
    fn cookie_line(self, value: &HeaderValue) -> Self {
        let cookie = value
            .to_str()
            .ok()
            .and_then(|v| Cookie::parse(v.to_owned()).ok())
            .unwrap_or_else(|| panic!("Strata: invalid Set-Cookie value"));
        self.cookie(cookie)
    }

    /// Like [`header`](Self::header), with a description kept for documentation.
    ///
    /// # Panics
    ///
    /// As [`header`](Self::header).
    pub fn header_with_description(
        mut self,
        name_: impl TryInto<HeaderName>,
        value_: impl TryInto<HeaderValue>,
        description: impl Into<Arc<str>>,
    ) -> Self {
        let (name, value) = (name(name_), value(value_));
        #[cfg(feature = "cookies")]
        if name == http::header::SET_COOKIE {
            return self.cookie_line(&value);
        }
        self.description.headers = self.description.headers.header_with_description(name, value, description);
        self
    }

    /// Sets several values for one name (such as `Link`), as separate lines in this order.
    ///
    /// # Panics
    ///
    /// As [`header`](Self::header).
    pub fn header_values<V: TryInto<HeaderValue>>(
        mut self,
        name_: impl TryInto<HeaderName>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let name = name(name_);
        #[cfg(feature = "cookies")]
        if name == http::header::SET_COOKIE {
            return values.into_iter().map(value).fold(self, |layer, v| layer.cookie_line(&v));
        }
        self.description.headers =
            self.description.headers.header_values(name, values.into_iter().map(value));
        self
    }

    /// Documents a header the handler (or an after-request hook) sets itself: nothing is sent
    /// for it from any level, and outer levels leave the name alone.
    ///
    /// # Panics
    ///
    /// When `name` is not a valid header name.
    pub fn documentation_only(
        mut self,
        name_: impl TryInto<HeaderName>,
        description: impl Into<Arc<str>>,
    ) -> Self {
        self.description.headers = self.description.headers.documentation_only(name(name_), description);
        self
    }

    /// Sets `Cache-Control` at this level.
    pub fn cache_control(mut self, cache_control: CacheControl) -> Self {
        self.description.headers = self.description.headers.cache_control(cache_control);
        self
    }

    /// Sets a static `ETag` at this level, sent weak unless the level keeps
    /// [strong ETags](Self::strong_etags) (see the [module docs](super#cache-safety)).
    pub fn etag(mut self, etag: ETag) -> Self {
        self.description.headers = self.description.headers.etag(etag);
        self
    }

    /// Sends this level's ETags, static and computed, strong: for apps where nothing between
    /// the level and the client changes the content coding (no `CompressionLayer` outside it,
    /// no compressing proxy). Without this they are weak, since a strong tag must not name
    /// two encodings of a body (RFC 9110 §8.8.3).
    pub fn strong_etags(mut self) -> Self {
        self.description.headers = self.description.headers.strong_etags();
        self.description.strong_etags = true;
        self
    }

    /// Sends this level's `Cache-Control`, `Expires`, `ETag` and `Last-Modified` on responses of
    /// every status; without this, only 2xx and 3xx responses get them, so that no cache keeps
    /// an error as long as the content (see the [module docs](super#cache-safety)).
    pub fn cache_headers_on_every_status(mut self) -> Self {
        self.description.headers = self.description.headers.cache_headers_on_every_status();
        self
    }

    /// Leaves a `Cache-Control` that lets shared caches store a response alone when the
    /// response sets a cookie. Without this, a response to which this level adds the
    /// `Cache-Control` or a cookie, and which ends up with both, is made `private`, so that no
    /// shared cache hands one user's cookie to another (see the
    /// [module docs](super#cache-safety)). For cookies that are the same for everyone.
    pub fn public_with_cookies(mut self) -> Self {
        self.description.headers = self.description.headers.public_with_cookies();
        #[cfg(feature = "cookies")]
        {
            self.description.cookies = self.description.cookies.public_with_cookies();
        }
        self
    }

    /// Documents an `ETag` the handler sets itself (Litestar's `ETag(documentation_only=True)`):
    /// outer levels, and computed ETags, leave it alone.
    pub fn etag_documentation_only(mut self, description: impl Into<Arc<str>>) -> Self {
        self.description.headers =
            self.description.headers.documentation_only(http::header::ETAG, description);
        self
    }

    /// Computes an ETag from the body of successful responses that have none, for bodies of
    /// known size up to 1 MiB; weak unless the level keeps [strong ETags](Self::strong_etags).
    pub fn computed_etag(mut self) -> Self {
        self.description.computed_etag = Some(etag::DEFAULT_LIMIT);
        self
    }

    /// Computes ETags for bodies of known size up to `bytes`.
    pub fn computed_etag_limit(mut self, bytes: u64) -> Self {
        self.description.computed_etag = Some(bytes);
        self
    }

    /// Runs `hook` on every response of this level: an async function that takes the response
    /// and returns it (changed or replaced). Only the hook of the level closest to the handler
    /// runs, unless outer ones are [chained](Self::chain_after_request).
    pub fn after_request<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Response) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Response> + Send + 'static,
    {
        self.after_request = Some(Hook::new_async(hook));
        self.description.after_request = true;
        self
    }

    /// Runs `hook`, a plain function editing the response in place, as
    /// [`after_request`](Self::after_request) does.
    pub fn after_request_fn<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut Response) + Send + Sync + 'static,
    {
        self.after_request = Some(Hook::Sync(Arc::new(hook)));
        self.description.after_request = true;
        self
    }

    /// Runs this level's hook even when a closer level's hook already ran (after it).
    pub fn chain_after_request(mut self) -> Self {
        self.chain_after_request = true;
        self
    }

    /// Gives plain responses (axum's `Json`, strings…) the status of their method too when it
    /// is 200: 201 for `POST`, 204 for `DELETE`. Without this, only responses that say so
    /// ([`StatusByMethod`](crate::StatusByMethod), Strata's response types) get it.
    pub fn default_status_for_plain_responses(mut self) -> Self {
        self.description.plain_ok_default_status = true;
        self
    }

    /// Attaches `value` to every request this level covers, as route metadata (Litestar's
    /// `opt`): handlers, extractors and guards read it with axum's
    /// [`Extension<T>`](axum::Extension) (or `Option<Extension<T>>`). One value per type; the
    /// closest level that gives a `T` wins, since it sees the request last.
    ///
    /// ```
    /// use axum::{Extension, Router, body::Body, http::Request, routing::get};
    /// use axum_strata::Strata;
    /// use tower::ServiceExt as _;
    ///
    /// #[derive(Clone)]
    /// struct Audience(&'static str);
    ///
    /// let route = get(|Extension(Audience(who)): Extension<Audience>| async move { who })
    ///     .layer(Strata::layer().opt(Audience("admins")));
    /// let app: Router = Router::new()
    ///     .route("/admin", route)
    ///     .route("/", get(|Extension(Audience(who)): Extension<Audience>| async move { who }))
    ///     .layer(Strata::app().opt(Audience("everyone")));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let read = |path: &str| app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap());
    /// let admin = axum::body::to_bytes(read("/admin").await.unwrap().into_body(), 64).await.unwrap();
    /// assert_eq!(admin, "admins"); // the route's level is closest
    /// let root = axum::body::to_bytes(read("/").await.unwrap().into_body(), 64).await.unwrap();
    /// assert_eq!(root, "everyone");
    /// # });
    /// ```
    pub fn opt<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.description.opts.get_or_insert_with(http::Extensions::new).insert(value);
        self
    }

    /// Answers the request-input problems of Strata's extractors (400: a value that does not
    /// decode or breaks a rule, malformed syntax, a bad pagination parameter) with `status`
    /// instead, `422 Unprocessable Entity` for users coming from FastAPI; the problem's body
    /// says the same status. The closest level that says so wins; 413 and 415 stay.
    ///
    /// # Panics
    ///
    /// When `status` is not a client error (4xx): a bad request answered 200 or 500 would
    /// mislead every client.
    pub fn input_error_status(mut self, status: StatusCode) -> Self {
        assert!(status.is_client_error(), "input problems are client errors, not {status}");
        self.description.input_error_status = Some(status);
        self
    }

    #[cfg(feature = "cookies")]
    /// Sets a cookie at this level on 2xx and 3xx responses, unless the response (or a closer
    /// level) sets the same cookie (name, path and domain).
    pub fn cookie(mut self, cookie: Cookie<'static>) -> Self {
        self.description.cookies = self.description.cookies.cookie(cookie);
        self
    }

    #[cfg(feature = "cookies")]
    /// Sets this level's cookies on responses of every status, errors included (see the
    /// [module docs](super#layered-headers-and-errors)).
    pub fn cookies_on_every_status(mut self) -> Self {
        self.description.cookies = self.description.cookies.on_every_status();
        self
    }

    #[cfg(feature = "negotiation")]
    /// Negotiates [`Negotiated`](crate::negotiation::Negotiated) responses at this level among
    /// `formats`, in the server's order of preference; the closest level that negotiates wins.
    pub fn negotiate(mut self, formats: impl IntoIterator<Item = Format>) -> Self {
        let fallback = self.description.negotiation.take().and_then(|n| n.fallback_format());
        let mut layer = NegotiationLayer::new(formats);
        if let Some(f) = fallback {
            layer = layer.fallback(f);
        }
        self.description.negotiation = Some(layer);
        self
    }

    #[cfg(feature = "negotiation")]
    /// Answers with `format` instead of 406 Not Acceptable when the client accepts none of
    /// this level's formats (JSON alone is offered if [`negotiate`](Self::negotiate) was not
    /// called).
    pub fn negotiation_fallback(mut self, format: Format) -> Self {
        let layer =
            self.description.negotiation.take().unwrap_or_else(|| NegotiationLayer::new([Format::json()]));
        self.description.negotiation = Some(layer.fallback(format));
        self
    }

    #[cfg(feature = "background")]
    /// Tracks the background tasks of every response under this level with `runner` (put it on
    /// `Strata::app()`), so that a graceful shutdown can [drain](Runner::drain) them.
    pub fn background(mut self, runner: Runner) -> Self {
        self.runner = Some(runner);
        self
    }

    #[cfg(feature = "background")]
    /// Adds the task `task` makes to every response of this level (Litestar's route-level
    /// `background`); it runs after the response's own tasks.
    pub fn background_task<F>(mut self, task: F) -> Self
    where
        F: Fn() -> BackgroundTask + Send + Sync + 'static,
    {
        self.background_tasks = Some(Arc::new(move || TaskSet::from(task())));
        self
    }

    #[cfg(feature = "background")]
    /// Adds the tasks `tasks` makes to every response of this level; they run after the
    /// response's own.
    pub fn background_tasks<F>(mut self, tasks: F) -> Self
    where
        F: Fn() -> TaskSet + Send + Sync + 'static,
    {
        self.background_tasks = Some(Arc::new(tasks));
        self
    }

    #[cfg(feature = "template")]
    /// Renders [`Template`](crate::template::Template) responses of this level (and every
    /// level inside it) with `engine`; register it once, on `Strata::app()`.
    pub fn templates(mut self, engine: impl TemplateEngine) -> Self {
        self.templates = Some(TemplateLayer::new(engine));
        self
    }

    #[cfg(feature = "object-store")]
    /// Registers `store` as the file store `name` (Litestar's `FileSystemRegistry`): a
    /// [`File::in_store(name, …)`](crate::file::File::in_store) from a route under this level
    /// (and no closer level registering `name`) is opened from it. A store's own prefix
    /// (object_store's `PrefixStore`) keeps every name inside it.
    pub fn file_store(
        mut self,
        name: impl Into<Arc<str>>,
        store: Arc<dyn object_store::ObjectStore>,
    ) -> Self {
        self.file_stores.insert(name.into(), store);
        self
    }

    /// The headers this level sets or documents, for documentation.
    #[must_use]
    pub fn header_specs(&self) -> &[HeaderSpec] {
        self.description.headers()
    }

    /// What this level does on the wire: the value its service runs from, and the OpenAPI
    /// document is written from.
    #[must_use]
    pub const fn description(&self) -> &LevelDescription {
        &self.description
    }
}

impl<S> Layer<S> for StrataLayer {
    type Service = StrataService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        #[cfg(feature = "template")]
        let inner = match &self.templates {
            Some(templates) => tower::util::Either::Left(templates.layer(inner)),
            None => tower::util::Either::Right(inner),
        };
        let level = Level {
            #[cfg(feature = "negotiation")]
            negotiation: self.description.negotiation_layer(),
            default_status: self.description.default_status_layer(),
            description: self.description.clone(),
            computed_etag: self.description.computed_etag_layer(),
            hook: self.after_request.clone(),
            chain_hook: self.chain_after_request,
            #[cfg(feature = "background")]
            background: self.background_layer(),
            #[cfg(feature = "object-store")]
            file_stores: self.file_stores.clone(),
        };
        StrataService::new(inner, level)
    }
}

#[cfg(feature = "background")]
impl StrataLayer {
    /// The app always has one, for the extractor and to wrap bodies other layers replaced.
    fn background_layer(&self) -> Option<strata_tower::background::BackgroundLayer<axum::body::Body>> {
        (self.description.app || self.runner.is_some() || self.background_tasks.is_some()).then(|| {
            let mut layer = strata_tower::background::BackgroundLayer::new(axum::body::Body::new);
            if let Some(runner) = &self.runner {
                layer = layer.runner(runner.clone());
            }
            if let Some(tasks) = &self.background_tasks {
                let tasks = Arc::clone(tasks);
                layer = layer.tasks(move || tasks());
            }
            layer
        })
    }
}
