//! Seed 000, "Response headers": layered headers, dynamic headers, after-request hooks,
//! Cache-Control and ETag, each level a `Strata` layer.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::{Json, http::HeaderValue, response::IntoResponse};
use axum_strata::{
    Strata,
    headers::{CacheControl, ETag},
};

use axum_strata::openapi::{
    StrataApiRouterExt,
    aide::axum::{ApiRouter, routing as api},
};

use super::{Resource, random_in};

const DAY: Duration = Duration::from_secs(86_400);
/// Litestar's "1 month": 2,628,288 seconds.
const MONTH: Duration = Duration::from_secs(2_628_288);

fn resource() -> Json<Resource> {
    Json(Resource { id: 1, name: "my resource".to_owned() })
}

/// `/seeds/layered-headers`: app, router, controller and handler headers.
pub fn layered_headers() -> ApiRouter {
    let controller = ApiRouter::new()
        .api_route_strata(
            "/handler-path",
            api::get(|| async { "hello world" }),
            Strata::layer().header_with_description("my-local-header", "local header", "local level header"),
        )
        .strata(Strata::layer().header_with_description(
            "controller-level-header",
            "controller header",
            "controller level header",
        ));
    let router = ApiRouter::new().nest("/controller-path", controller).strata(
        Strata::layer().header_with_description(
            "router-level-header",
            "router header",
            "router level header",
        ),
    );
    ApiRouter::new().nest("/router-path", router).strata(Strata::app().header_with_description(
        "app-level-header",
        "app header",
        "app level header",
    ))
}

fn random_header(range: std::ops::RangeInclusive<u64>) -> [(&'static str, String); 1] {
    [("random-header", random_in(range).to_string())]
}

/// The handler sets `Random-Header` itself; the route's level documents it.
pub fn dynamic_headers() -> ApiRouter {
    let route = api::get_with(
        || async { (random_header(1..=100), resource()) },
        |op| op.response::<200, Json<Resource>>(),
    );
    ApiRouter::new()
        .api_route_strata(
            "/resources",
            route,
            Strata::layer().documentation_only("random-header", "a random number in the range 1 - 100"),
        )
        .strata(Strata::app())
}

/// `/seeds/after-request`: the handler sets `Random-Header` to 100–1000, the router's
/// after-request hook overrides it with 1–100.
pub fn after_request() -> ApiRouter {
    let route = api::get_with(
        || async { (random_header(100..=1000), resource()) },
        |op| op.response::<200, Json<Resource>>(),
    );
    let router = ApiRouter::new()
        .api_route_strata(
            "/resources",
            route,
            Strata::layer().documentation_only("random-header", "a random number in the range 100 - 1000"),
        )
        .strata(
            Strata::layer()
                .documentation_only("random-header", "a random number in the range 1 - 100")
                .after_request_fn(|response| {
                    response.headers_mut().insert("random-header", HeaderValue::from(random_in(1..=100)));
                }),
        );
    ApiRouter::new().nest("/router-path", router).strata(Strata::app())
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// `/seeds/cache-control`: app 1 month, controller 1 day, handler no-store.
pub fn cache_control() -> ApiRouter {
    let controller = ApiRouter::new()
        .api_route("/chance_of_rain", api::get(|| async { Json(0.5) }))
        .api_route_strata(
            "/timestamp",
            api::get(|| async { Json(now()) }),
            Strata::layer().cache_control(CacheControl::no_store()),
        )
        .strata(Strata::layer().cache_control(CacheControl::max_age(DAY).public()));
    ApiRouter::new()
        .api_route("/population", api::get(|| async { Json(100_000) }))
        .merge(controller)
        .strata(Strata::app().cache_control(CacheControl::max_age(MONTH).public()))
}

/// `/seeds/etag`: app `"bar"`, controller `"foo"`, handler `W/"bar"`, and a documentation-only
/// ETag on the dynamic route whose handler sets its own (a valid, quoted one). A level sends its
/// tags weak (`W/"bar"`, `W/"foo"`), since something after it may re-encode the body, and a
/// strong tag names one encoding only (RFC 9110 §8.8.3); `Strata::layer().strong_etags()` sends
/// them as given where nothing does.
pub fn etag() -> ApiRouter {
    let tag = |weak: bool, value: &str| {
        if weak { ETag::weak(value) } else { ETag::strong(value) }.expect("the seed's tags are valid")
    };
    let controller = ApiRouter::new()
        .api_route("/chance_of_rain", api::get(|| async { Json(0.5) }))
        .api_route_strata(
            "/timestamp",
            api::get(|| async { Json(now()) }),
            Strata::layer().etag(tag(true, "bar")),
        )
        .strata(Strata::layer().etag(tag(false, "foo")));
    let dynamic = api::get_with(
        || async {
            let count = random_in(0..=1000).to_string();
            let etag = ETag::strong(&count).expect("digits are a valid entity tag");
            ([("etag", etag.to_string())], count).into_response()
        },
        |op| op.response::<200, String>(),
    );
    ApiRouter::new()
        .api_route("/population", api::get(|| async { Json(100_000) }))
        .api_route_strata(
            "/population-dynamic",
            dynamic,
            Strata::layer().etag_documentation_only("the population count itself"),
        )
        .merge(controller)
        .strata(Strata::app().etag(tag(false, "bar")))
}
