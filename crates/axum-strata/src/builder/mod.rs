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
//! Within one level, a response goes through, in this order, each step calling the same function
//! as the standalone layer that does it alone:
//!
//! 1. templates (where the level has an engine): [`TemplateLayer`](crate::template::TemplateLayer);
//! 2. content negotiation (where the level negotiates; on the app level, JSON for values no
//!    level negotiated): [`NegotiationLayer`](crate::negotiation::NegotiationLayer);
//! 3. the default status (app level, or a level with
//!    [`default_status_for_plain_responses`](StrataLayer::default_status_for_plain_responses)):
//!    [`DefaultStatusLayer::resolve`](strata_tower::default_status::DefaultStatusLayer::resolve);
//! 4. this level's headers (Cache-Control and a static ETag among them), then its cookies,
//!    each keeping a response with a cookie out of shared caches:
//!    [`ResponseHeadersLayer::apply`](strata_tower::response_headers::ResponseHeadersLayer::apply),
//!    [`CookiesLayer`](crate::cookies::CookiesLayer), both calling
//!    [`cache_safety::keep_cookies_private`](strata_tower::cache_safety::keep_cookies_private);
//! 5. a computed ETag: [`ComputedETagLayer::tag`](strata_tower::etag::ComputedETagLayer::tag);
//! 6. the after-request hook, where [`after_request::runs_on`](strata_tower::after_request::runs_on)
//!    says so;
//! 7. conditional requests, then ranges (app level):
//!    [`Preconditions`](strata_tower::conditional::Preconditions), then the file ranges;
//! 8. the removal of the body of a 304:
//!    [`conditional::settle_not_modified`](strata_tower::conditional::settle_not_modified);
//! 9. background tasks (the level's own, and the body wrapper):
//!    [`BackgroundLayer`](strata_tower::background::BackgroundLayer);
//! 10. the end of documentation-only claims (app level):
//!     [`ClaimedHeaders::release`](strata_tower::response_headers::ClaimedHeaders::release).
//!
//! Each level is one service with one future, whatever it does: a layer per feature would
//! cost a future and a move of the response each, on every request. Each builder method is
//! there with the feature of what it configures: `layers` alone gives headers, Cache-Control,
//! ETags, conditional requests, default statuses and hooks; `cookies`, `negotiation`,
//! `template`, `background` and `file` add their own methods and steps.
//!
//! ```
//! use std::time::Duration;
//! use axum::{Router, body::Body, http::Request, routing::get};
//! use axum_strata::{Strata, headers::{CacheControl, ETag}};
//! use tower::ServiceExt;
//!
//! const DAY: Duration = Duration::from_secs(86_400);
//!
//! async fn population() -> String { "100000".to_owned() }
//! async fn chance_of_rain() -> String { "0.5".to_owned() }
//! async fn timestamp() -> String { "1700000000.0".to_owned() }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
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
//!             .header("x-frame-options", "DENY")
//!             .cache_control(CacheControl::max_age(DAY * 30).public())
//!             .etag(ETag::strong("bar").unwrap()),
//!     );
//!
//! let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
//! let response = app.clone().oneshot(get("/timestamp")).await.unwrap();
//! assert_eq!(response.headers()["cache-control"], "no-store"); // the route's level wins
//! let response = app.clone().oneshot(get("/chance_of_rain")).await.unwrap();
//! assert_eq!(response.headers()["cache-control"], "max-age=86400, public"); // the router's
//! let response = app.clone().oneshot(get("/population")).await.unwrap();
//! assert_eq!(response.headers()["cache-control"], "max-age=2592000, public"); // the app's
//! assert_eq!(response.headers()["etag"], "W/\"bar\""); // weak: see Cache safety
//!
//! // The app level answers conditional requests against the ETag every level agreed on.
//! let revalidate = Request::get("/population").header("if-none-match", "\"bar\"").body(Body::empty()).unwrap();
//! assert_eq!(app.clone().oneshot(revalidate).await.unwrap().status(), 304);
//!
//! // An error gets the app's policy headers, not its Cache-Control or ETag.
//! let response = app.oneshot(get("/nowhere")).await.unwrap();
//! assert_eq!(response.status(), 404);
//! assert_eq!(response.headers()["x-frame-options"], "DENY");
//! assert!(response.headers().get("cache-control").is_none() && response.headers().get("etag").is_none());
//! # }
//! ```
//!
//! # Layered headers and errors
//!
//! A level's `Cache-Control`, `Expires`, `ETag` and `Last-Modified` go on 2xx and 3xx responses
//! only, and so do its cookies: not on the router's 404, a handler's 404 or a 500. Otherwise a
//! CDN would keep an error for the app's month, the app's ETag would validate an error as the
//! content, and an error would hand out a cookie with nothing to keep it out of shared caches.
//! [`cache_headers_on_every_status`](StrataLayer::cache_headers_on_every_status) and
//! [`cookies_on_every_status`](StrataLayer::cookies_on_every_status) opt in, per level.
//!
//! The level's other headers go on every status. Litestar sends none of its layered headers on
//! a router 404, but what a level usually sets besides the cache headers is policy that an
//! error page needs as much as any (`Strict-Transport-Security`, `Content-Security-Policy`,
//! `X-Frame-Options`, `Vary`), and none of it makes a cache keep the error. Values the handler
//! set on its own error always stay.
//!
//! # Cache safety
//!
//! Caches are never poisoned by default (the rules are strata-tower's
//! [`cache_safety`](strata_tower::cache_safety)):
//!
//! - the cache headers go on 2xx and 3xx responses only (above);
//! - a response to which a level adds a cookie or a `Cache-Control`, and which ends up with
//!   both, a `Cache-Control` a shared cache may store and a `Set-Cookie`, is made `private`,
//!   unless the level says [`public_with_cookies`](StrataLayer::public_with_cookies);
//! - a level's ETags, static and computed, are sent weak (`W/"bar"`), unless the level says
//!   [`strong_etags`](StrataLayer::strong_etags): a compression layer outside the app
//!   (tower-http's `CompressionLayer` keeps the `ETag` while it changes the bytes, adding only
//!   `Vary: Accept-Encoding`) or a proxy may re-encode the body, and a strong tag must not name
//!   two encodings (RFC 9110 §8.8.3). `If-None-Match` compares weakly, so 304s work the same.
//!   Tags the handler sets itself (a `File`'s, an API's version tags checked with `If-Match`)
//!   are left as they are.
//!
//! With tower-http, put its layers outside the app level, in this order:
//!
//! ```text
//! Router::new()…
//!     .layer(Strata::app()…)          // innermost: sees the body before it is compressed
//!     .layer(CompressionLayer::new())
//!     .layer(TraceLayer::new_for_http()) // outermost: its span covers everything, tasks too
//! ```

mod description;
mod future;
mod hook;
mod layer;
mod service;

pub use self::{
    description::{EtagDescription, LevelDescription},
    future::ResponseFuture,
    layer::{Strata, StrataLayer},
    service::StrataService,
};
