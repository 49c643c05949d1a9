//! The per-level builder: one `Strata` layer for the app, nested routers and single routes.
//!
//! Litestar lets the app, routers, controllers and handlers each set response headers,
//! Cache-Control, an ETag and an after-request hook, and the level closest to the handler wins.
//! With Strata each level is a layer built the same way:
//!
//! - [`Strata::layer()`] for a nested `Router` (`Router::layer`) or a single route
//!   (`MethodRouter::layer`);
//! - [`Strata::app()`] once, around the whole app: the same settings, plus the resolvers that
//!   only make sense once (default status codes, conditional requests, ranges, and the
//!   clean-up of documentation-only claims once every level has run).
//!
//! Within one level, a response goes through, in this order:
//!
//! 1. templates (where the level has an engine);
//! 2. content negotiation (where the level negotiates; on the app level, JSON for values no
//!    level negotiated);
//! 3. the default status (app level, or a level with
//!    [`default_status_for_plain_responses`](StrataLayer::default_status_for_plain_responses));
//! 4. this level's headers (Cache-Control and a static ETag among them), then its cookies;
//! 5. a computed ETag;
//! 6. the after-request hook;
//! 7. conditional requests, then ranges (app level);
//! 8. the removal of the body of a 304;
//! 9. background tasks (the level's own, and the body wrapper);
//! 10. the end of documentation-only claims (app level).
//!
//! Each level is one service with one future, whatever it does: a layer per feature would
//! cost a future and a move of the response each, on every request.
//!
//! ```
//! use std::time::Duration;
//! use axum::{Router, routing::get};
//! use axum_strata::{Strata, headers::{CacheControl, ETag}};
//!
//! const DAY: Duration = Duration::from_secs(86_400);
//!
//! async fn population() -> String { "100000".to_owned() }
//! async fn chance_of_rain() -> String { "0.5".to_owned() }
//! async fn timestamp() -> String { "1700000000.0".to_owned() }
//!
//! let weather = Router::new()
//!     .route("/chance_of_rain", get(chance_of_rain))
//!     .route(
//!         "/timestamp",
//!         get(timestamp).layer(Strata::layer().cache_control(CacheControl::no_store())),
//!     )
//!     .layer(Strata::layer().cache_control(CacheControl::max_age(DAY).public()));
//!
//! let app: Router = Router::new()
//!     .route("/population", get(population))
//!     .merge(weather)
//!     .layer(
//!         Strata::app()
//!             .cache_control(CacheControl::max_age(DAY * 30).public())
//!             .etag(ETag::strong("bar").unwrap()),
//!     );
//! # let _ = app;
//! ```

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, ready},
};

use axum::{body::Body, extract::Request, response::Response};
use http::{HeaderName, HeaderValue, StatusCode};
use pin_project_lite::pin_project;
use strata_headers::{CacheControl, ETag};
use strata_tower::{
    after_request::{AfterRequest, HookRan},
    background::{BackgroundLayer, Entry},
    conditional::Preconditions,
    default_status::{DefaultStatusLayer, StatusHint, status_for},
    etag::{self, Tagging},
    range::RangeWanted,
    response_headers::{ClaimedHeaders, HeaderSpec, ResponseHeadersLayer},
};

use crate::{
    background::{BackgroundTask, Runner, TaskSet},
    body::NoBody,
    cookies::{Cookie, CookiesLayer},
    negotiation::{Accepted, Format, NegotiationLayer},
    template::{TemplateEngine, TemplateLayer, Templates},
};
use tower::{Layer, Service, util::Either};

type BoxFuture = Pin<Box<dyn Future<Output = Response> + Send>>;

/// An after-request hook as the builder keeps it, so that every level has the same type: an
/// async function (boxed future) or a plain function (no allocation per response).
#[derive(Clone)]
pub enum Hook {
    /// An async function from the response to the response.
    Async(Arc<dyn Fn(Response) -> BoxFuture + Send + Sync>),
    /// A function that edits the response in place.
    Sync(Arc<dyn Fn(&mut Response) + Send + Sync>),
}

impl fmt::Debug for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Async(_) => "Hook::Async",
            Self::Sync(_) => "Hook::Sync",
        })
    }
}

impl AfterRequest<Body> for Hook {
    type Future = HookFuture;

    fn call(&self, mut response: Response) -> HookFuture {
        match self {
            Self::Async(hook) => HookFuture::Async(hook(response)),
            Self::Sync(hook) => {
                hook(&mut response);
                HookFuture::Ready(Some(response))
            }
        }
    }
}

/// The future of a [`Hook`].
pub enum HookFuture {
    /// An async hook's future.
    Async(BoxFuture),
    /// A sync hook's response, ready.
    Ready(Option<Response>),
}

impl fmt::Debug for HookFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HookFuture")
    }
}

impl Future for HookFuture {
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        match self.get_mut() {
            Self::Async(future) => future.as_mut().poll(cx),
            Self::Ready(response) => {
                Poll::Ready(response.take().expect("HookFuture polled after completion"))
            }
        }
    }
}

/// Where Strata's builders start; see the [module docs](self).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Strata;

impl Strata {
    /// The builder for the whole app, to put once around it with `Router::layer`. It also
    /// resolves default status codes and conditional requests, and removes the claims of
    /// documentation-only headers.
    pub fn app() -> StrataLayer {
        StrataLayer { app: true, ..StrataLayer::default() }
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
    app: bool,
    headers: ResponseHeadersLayer,
    /// The largest body hashed, when this level computes ETags.
    computed_etag: Option<u64>,
    after_request: Option<Hook>,
    chain_after_request: bool,
    plain_ok_default_status: bool,
    cookies: CookiesLayer,
    negotiation: Option<NegotiationLayer>,
    runner: Option<Runner>,
    background_tasks: Option<Arc<dyn Fn() -> TaskSet + Send + Sync>>,
    templates: Option<TemplateLayer>,
}

impl fmt::Debug for StrataLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StrataLayer")
            .field("app", &self.app)
            .field("headers", &self.headers)
            .field("computed_etag", &self.computed_etag)
            .field("after_request", &self.after_request.is_some())
            .field("chain_after_request", &self.chain_after_request)
            .field("plain_ok_default_status", &self.plain_ok_default_status)
            .field("cookies", &self.cookies)
            .field("negotiation", &self.negotiation)
            .field("runner", &self.runner.is_some())
            .field("background_tasks", &self.background_tasks.is_some())
            .field("templates", &self.templates.is_some())
            .finish()
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
        if name == http::header::SET_COOKIE {
            // Cookies layer per cookie, not per header name.
            return self.cookie_line(&value);
        }
        self.headers = self.headers.header(name, value);
        self
    }

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
        if name == http::header::SET_COOKIE {
            return self.cookie_line(&value);
        }
        self.headers = self.headers.header_with_description(name, value, description);
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
        if name == http::header::SET_COOKIE {
            return values.into_iter().map(value).fold(self, |layer, v| layer.cookie_line(&v));
        }
        self.headers = self.headers.header_values(name, values.into_iter().map(value));
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
        self.headers = self.headers.documentation_only(name(name_), description);
        self
    }

    /// Sets `Cache-Control` at this level.
    pub fn cache_control(mut self, cache_control: CacheControl) -> Self {
        self.headers = self.headers.cache_control(cache_control);
        self
    }

    /// Sets a static `ETag` at this level.
    pub fn etag(mut self, etag: ETag) -> Self {
        self.headers = self.headers.etag(etag);
        self
    }

    /// Documents an `ETag` the handler sets itself (Litestar's `ETag(documentation_only=True)`):
    /// outer levels, and computed ETags, leave it alone.
    pub fn etag_documentation_only(mut self, description: impl Into<Arc<str>>) -> Self {
        self.headers = self.headers.documentation_only(http::header::ETAG, description);
        self
    }

    /// Computes a strong ETag from the body of responses that have none, for bodies of known
    /// size up to 1 MiB.
    pub fn computed_etag(mut self) -> Self {
        self.computed_etag = Some(etag::DEFAULT_LIMIT);
        self
    }

    /// Computes ETags for bodies of known size up to `bytes`.
    pub fn computed_etag_limit(mut self, bytes: u64) -> Self {
        self.computed_etag = Some(bytes);
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
        let hook = Hook::Async(Arc::new(move |response| Box::pin(hook(response))));
        self.after_request = Some(hook);
        self
    }

    /// Runs `hook`, a plain function editing the response in place, as
    /// [`after_request`](Self::after_request) does.
    pub fn after_request_fn<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut Response) + Send + Sync + 'static,
    {
        self.after_request = Some(Hook::Sync(Arc::new(hook)));
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
        self.plain_ok_default_status = true;
        self
    }

    /// Sets a cookie at this level, unless the response (or a closer level) sets the same
    /// cookie (name, path and domain).
    pub fn cookie(mut self, cookie: Cookie<'static>) -> Self {
        self.cookies = self.cookies.cookie(cookie);
        self
    }

    /// Negotiates [`Negotiated`](crate::negotiation::Negotiated) responses at this level among
    /// `formats`, in the server's order of preference; the closest level that negotiates wins.
    pub fn negotiate(mut self, formats: impl IntoIterator<Item = Format>) -> Self {
        let fallback = self.negotiation.take().and_then(|n| n.fallback_format());
        let mut layer = NegotiationLayer::new(formats);
        if let Some(f) = fallback {
            layer = layer.fallback(f);
        }
        self.negotiation = Some(layer);
        self
    }

    /// Answers with `format` instead of 406 Not Acceptable when the client accepts none of
    /// this level's formats (JSON alone is offered if [`negotiate`](Self::negotiate) was not
    /// called).
    pub fn negotiation_fallback(mut self, format: Format) -> Self {
        let layer = self.negotiation.take().unwrap_or_else(|| NegotiationLayer::new([Format::json()]));
        self.negotiation = Some(layer.fallback(format));
        self
    }

    /// Tracks the background tasks of every response under this level with `runner` (put it on
    /// `Strata::app()`), so that a graceful shutdown can [drain](Runner::drain) them.
    pub fn background(mut self, runner: Runner) -> Self {
        self.runner = Some(runner);
        self
    }

    /// Adds the task `task` makes to every response of this level (Litestar's route-level
    /// `background`); it runs after the response's own tasks.
    pub fn background_task<F>(mut self, task: F) -> Self
    where
        F: Fn() -> BackgroundTask + Send + Sync + 'static,
    {
        self.background_tasks = Some(Arc::new(move || TaskSet::from(task())));
        self
    }

    /// Adds the tasks `tasks` makes to every response of this level; they run after the
    /// response's own.
    pub fn background_tasks<F>(mut self, tasks: F) -> Self
    where
        F: Fn() -> TaskSet + Send + Sync + 'static,
    {
        self.background_tasks = Some(Arc::new(tasks));
        self
    }

    /// Renders [`Template`](crate::template::Template) responses of this level (and every
    /// level inside it) with `engine`; register it once, on `Strata::app()`.
    pub fn templates(mut self, engine: impl TemplateEngine) -> Self {
        self.templates = Some(TemplateLayer::new(engine));
        self
    }

    /// The headers this level sets or documents, for documentation.
    #[must_use]
    pub fn header_specs(&self) -> &[HeaderSpec] {
        self.headers.specs()
    }
}

type WithTemplates<S> = Either<Templates<S>, S>;

/// One level's settings as its services use them, shared through one `Arc`.
struct Level {
    app: bool,
    negotiation: Option<NegotiationLayer>,
    default_status: Option<DefaultStatusLayer>,
    headers: Option<ResponseHeadersLayer>,
    cookies: Option<CookiesLayer>,
    computed_etag: Option<u64>,
    hook: Option<Hook>,
    chain_hook: bool,
    background: Option<BackgroundLayer<Body>>,
}

/// axum writes `content-length: 0` for a body of exactly zero bytes, which a 304 to `HEAD` would
/// then carry; with a body of unannounced size neither axum nor hyper sends one. Done before the
/// background layer puts the final wrapper around the body.
fn no_body_on_304(response: &mut Response) {
    if response.status() == StatusCode::NOT_MODIFIED {
        *response.body_mut() = Body::new(NoBody);
    }
}

impl<S> Layer<S> for StrataLayer {
    type Service = StrataService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        let inner = match &self.templates {
            Some(templates) => Either::Left(templates.layer(inner)),
            None => Either::Right(inner),
        };
        let negotiation = match (&self.negotiation, self.app) {
            (Some(negotiation), _) => Some(negotiation.clone()),
            // Values no level negotiated are JSON, rendered here with a known length.
            (None, true) => Some(NegotiationLayer::json_only()),
            (None, false) => None,
        };
        let default_status = (self.app || self.plain_ok_default_status).then(|| {
            let status = DefaultStatusLayer::new();
            if self.plain_ok_default_status { status.for_plain_ok_responses() } else { status }
        });
        // The app always has one, for the extractor and to wrap bodies other layers replaced.
        let background = (self.app || self.runner.is_some() || self.background_tasks.is_some()).then(|| {
            let mut layer = BackgroundLayer::new(Body::new);
            if let Some(runner) = &self.runner {
                layer = layer.runner(runner.clone());
            }
            if let Some(tasks) = &self.background_tasks {
                let tasks = Arc::clone(tasks);
                layer = layer.tasks(move || tasks());
            }
            layer
        });
        let level = Level {
            app: self.app,
            negotiation,
            default_status,
            headers: (!self.headers.is_empty()).then(|| self.headers.clone()),
            cookies: (!self.cookies.is_empty()).then(|| self.cookies.clone()),
            computed_etag: self.computed_etag,
            hook: self.after_request.clone(),
            chain_hook: self.chain_after_request,
            background,
        };
        StrataService { inner, level: Arc::new(level) }
    }
}

/// The service of a [`StrataLayer`]: one service and one future per level, running the steps
/// listed in the [module docs](self).
pub struct StrataService<S> {
    inner: WithTemplates<S>,
    level: Arc<Level>,
}

impl<S: Clone> Clone for StrataService<S> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), level: Arc::clone(&self.level) }
    }
}

impl<S> fmt::Debug for StrataService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StrataService").field("app", &self.level.app).finish_non_exhaustive()
    }
}

impl<S> Service<Request> for StrataService<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<<WithTemplates<S> as Service<Request>>::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let level = &*self.level;
        let accepted = level.negotiation.as_ref().map(|n| n.accepted(&req)).unwrap_or_default();
        let status = level.default_status.map(|_| status_for(req.method()));
        let (preconditions, ranges) = if level.app {
            (Preconditions::of(&req), RangeWanted::of(&req))
        } else {
            (Preconditions::default(), RangeWanted::default())
        };
        let entry = level.background.as_ref().map(|b| b.enter(&mut req));
        // A service may build its response in `call` already.
        let future = {
            let _hint = status.map(StatusHint::set);
            self.inner.call(req)
        };
        ResponseFuture {
            state: State::Inner { future },
            level: Arc::clone(&self.level),
            status,
            accepted,
            preconditions,
            ranges,
            entry,
        }
    }
}

pin_project! {
    /// The response future of [`StrataService`].
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
        level: Arc<Level>,
        // What the level keeps of the request.
        status: Option<StatusCode>,
        accepted: Accepted,
        preconditions: Preconditions,
        ranges: RangeWanted,
        entry: Option<Entry>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Inner { #[pin] future: F },
        Tagging { #[pin] buffering: etag::Buffering<Body> },
        Hook { future: HookFuture },
        Done,
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").field("app", &self.level.app).finish_non_exhaustive()
    }
}

impl<F, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let level = &**this.level;
        loop {
            // The response, and whether this level's hook may still run on it.
            let (response, hook_pending) = match this.state.as_mut().project() {
                StateProj::Inner { future } => {
                    let polled = {
                        let _hint = this.status.map(StatusHint::set);
                        future.poll(cx)
                    };
                    let mut response = match ready!(polled) {
                        Ok(response) => response,
                        Err(e) => {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(e));
                        }
                    };
                    if let Some(negotiation) = &level.negotiation {
                        response = negotiation.finish(this.accepted, response);
                    }
                    if let (Some(layer), Some(status)) = (level.default_status, *this.status) {
                        layer.resolve(status, &mut response);
                    }
                    if let Some(headers) = &level.headers {
                        headers.apply(&mut response);
                    }
                    if let Some(cookies) = &level.cookies {
                        cookies.apply(response.headers_mut());
                    }
                    match level.computed_etag {
                        Some(limit) => match etag::tag(response, limit) {
                            Tagging::Ready(response) => (response, true),
                            Tagging::Buffering(buffering) => {
                                this.state.set(State::Tagging { buffering });
                                continue;
                            }
                        },
                        None => (response, true),
                    }
                }
                StateProj::Tagging { buffering } => {
                    let response = ready!(buffering.poll(cx));
                    // Let go of the body's tasks before the hook sees the response.
                    this.state.set(State::Done);
                    (response, true)
                }
                StateProj::Hook { future } => {
                    let mut response = ready!(Pin::new(future).poll(cx));
                    response.extensions_mut().insert(HookRan);
                    (response, false)
                }
                StateProj::Done => panic!("ResponseFuture polled after completion"),
            };
            // Only the closest level's hook runs, unless outer ones chain.
            if hook_pending
                && let Some(hook) = &level.hook
                && (level.chain_hook || response.extensions().get::<HookRan>().is_none())
            {
                this.state.set(State::Hook { future: hook.call(response) });
                continue;
            }
            this.state.set(State::Done);
            return Poll::Ready(Ok(finish(level, this.preconditions, this.ranges, this.entry, response)));
        }
    }
}

/// What a level does once its hook has run: conditional requests and ranges (app level), the
/// 304 clean-up, background tasks, and (app level) the end of documentation-only claims.
fn finish(
    level: &Level,
    preconditions: &mut Preconditions,
    ranges: &RangeWanted,
    entry: &mut Option<Entry>,
    mut response: Response,
) -> Response {
    if level.app {
        response = std::mem::take(preconditions).resolve(response);
        // Ranges come last among the preconditions (RFC 9110 §13.2.2).
        response = ranges.resolve(response);
    }
    no_body_on_304(&mut response);
    if let (Some(background), Some(entry)) = (&level.background, entry.take()) {
        response = background.leave(entry, response);
    }
    if level.app {
        // Claims of documentation-only headers have done their work once every level, the
        // app's computed ETag included, has run.
        response.extensions_mut().remove::<ClaimedHeaders>();
    }
    response
}
