//! Seed 000, "Responses": JSON, text, vendor JSON, MessagePack, plaintext, HTML, negotiation by
//! hand, a chosen status, a full response with a header and a cookie, redirects and a custom
//! multi-value response.

use axum::http::StatusCode;
use axum_strata::openapi::{
    StrataApiRouterExt,
    aide::axum::{ApiRouter, routing as api, routing::ApiMethodRouter},
    schemars::JsonSchema,
};
use axum_strata::{
    Strata,
    content::{Content, MediaType},
    cookies::Cookie,
    headers::mime,
    multi_value::MultiValueMap,
    names::{NO_PARAMS, NamedRouter, Urls},
    negotiation::RequestAccept,
    problem::Problem,
    redirect::Redirect,
};
use serde::Serialize;
use serde_json::json;

use super::Resource;

fn resource() -> Resource {
    Resource { id: 1, name: "my resource".to_owned() }
}

/// `/seeds/json`: the default JSON response.
pub fn json() -> ApiRouter {
    ApiRouter::new()
        .api_route("/resources", api::get(|| async { Content::new(resource()) }))
        .strata(Strata::app())
}

/// A route whose content has `media_type` (and `status`): the handler's and the document's.
fn content<T, F, Fut>(handler: F, status: StatusCode, media_type: MediaType) -> ApiMethodRouter
where
    T: Serialize + JsonSchema + Send + 'static,
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let documented = media_type.clone();
    let route = move || {
        let (handler, media_type) = (handler.clone(), media_type.clone());
        async move { Content::new(handler().await).status(status).media_type(media_type) }
    };
    api::get_with(route, move |mut op| {
        Content::<T>::document(op.inner_mut(), status, &documented);
        op
    })
}

/// `/seeds/text`: media type TEXT.
pub fn text() -> ApiRouter {
    ApiRouter::new().api_route(
        "/resources",
        content(|| async { "The rumbling rabbit ran around the rock" }, StatusCode::OK, MediaType::Text),
    )
}

/// `/seeds/vendor-json`: a `+json` vendor media type with status 418.
pub fn vendor_json() -> ApiRouter {
    let media_type = MediaType::try_from("application/vnd.example.resource+json").unwrap_or(MediaType::Json);
    let teapot = || async {
        json!({
            "title": "Server thinks it is a teapot",
            "type": "Server delusion",
            "status": 418,
        })
    };
    ApiRouter::new().api_route("/resources", content(teapot, StatusCode::IM_A_TEAPOT, media_type))
}

/// `/seeds/msgpack`: a MessagePack response.
pub fn msgpack() -> ApiRouter {
    let hello = || async {
        let body: std::collections::BTreeMap<&'static str, &'static str> = [("hello", "world")].into();
        body
    };
    ApiRouter::new().api_route("/health-check", content(hello, StatusCode::OK, MediaType::MessagePack))
}

/// `/seeds/plaintext`: a plaintext health check.
pub fn plaintext() -> ApiRouter {
    ApiRouter::new()
        .api_route("/health-check", content(|| async { "healthy" }, StatusCode::OK, MediaType::Text))
}

const PAGE: &str = r"
    <html>
        <body>
            <div>
                <span>Hello World!</span>
            </div>
        </body>
    </html>
    ";

/// `/seeds/html`: an HTML response.
pub fn html() -> ApiRouter {
    ApiRouter::new().api_route("/page", content(|| async { PAGE }, StatusCode::OK, MediaType::Html))
}

/// `/seeds/negotiation`: the handler negotiates by hand between text, HTML and XML (text when
/// nothing matches), and says so with `Vary: Accept`.
pub fn negotiation() -> ApiRouter {
    fn xml() -> MediaType {
        MediaType::try_from("application/xml").unwrap_or(MediaType::Text)
    }
    async fn resource(accept: RequestAccept) -> Content<&'static str> {
        let offered = [MediaType::Text, MediaType::Html, xml()];
        let provided = offered.each_ref().map(MediaType::to_mime);
        let preferred = accept.best_match(&provided).map_or(mime::TEXT_PLAIN, Clone::clone);
        let content = if preferred == mime::TEXT_HTML {
            "<h1>Hello World!</h1>"
        } else if preferred == xml().to_mime() {
            "<xml><msg>Hello World!</msg></xml>"
        } else {
            "Hello World!"
        };
        Content::new(content).media_type(preferred).header("vary", "accept")
    }
    ApiRouter::new().api_route(
        "/resource",
        api::get_with(resource, |mut op| {
            Content::<&str>::document_each(
                op.inner_mut(),
                StatusCode::OK,
                &[MediaType::Text, MediaType::Html, xml()],
            );
            op
        }),
    )
}

/// `/seeds/status`: status 202 chosen by the handler.
pub fn status() -> ApiRouter {
    ApiRouter::new()
        .api_route("/resources", content(|| async { resource() }, StatusCode::ACCEPTED, MediaType::Json))
}

/// `/seeds/returning-response`: a response with `MY-HEADER: xyz` and the cookie `my-cookie=abc`,
/// set by the handler (so, as in Litestar, the document knows the content only).
pub fn returning_response() -> ApiRouter {
    ApiRouter::new().api_route(
        "/resources",
        api::get(|| async {
            Content::new(resource()).header("MY-HEADER", "xyz").cookie(Cookie::new("my-cookie", "abc"))
        }),
    )
}

/// `/seeds/redirect`: `/some-path` answers 302 to `/other-path`, the path of the route named
/// `other`, under whatever prefix the router is mounted at.
///
/// # Panics
///
/// If its two routes had one name (they do not): `finish` refuses duplicates at start.
pub fn redirect() -> ApiRouter {
    async fn some_path(urls: Urls) -> Result<Redirect, Problem> {
        let path = urls.path("other", NO_PARAMS)?;
        Redirect::found(path).map_err(|e| Problem::new(e.status()).with_detail(e.to_string()))
    }
    NamedRouter::api()
        .route_named("some", ["/some-path"], api::get(some_path))
        .route_named(
            "other",
            ["/other-path"],
            content(|| async { "You were redirected here." }, StatusCode::OK, MediaType::Text),
        )
        .finish()
        .expect("the seed's route names are distinct")
}

/// `/seeds/custom-response/`: a multi-value map, serialized as `{"foo":["bar","baz"]}`.
///
/// Mounted at the root with full paths: a router nested at a prefix serves its `/` only at
/// the prefix itself, and the seed's path has the trailing slash.
pub fn custom_response() -> ApiRouter {
    let index = api::get(|| async {
        Content::new([("foo", "bar"), ("foo", "baz")].into_iter().collect::<MultiValueMap<_, _>>())
    });
    ApiRouter::new()
        .api_route("/seeds/custom-response/", index.clone())
        .api_route("/seeds/custom-response", index)
}
