//! Template responses (Litestar's `Template`), rendered by an engine registered once at the app.
//!
//! A handler returns [`Template::new(name, context)`](Template::new) (or
//! [`Template::from_str`] for a template in a string); the [`TemplateLayer`] around the app
//! (`Strata::app().templates(engine)`) renders it. The `Content-Type` follows the template's
//! extension (`info.html` → `text/html; charset=utf-8`, `feed.xml` → `application/xml`, …;
//! HTML for string templates and unknown extensions).
//!
//! [`MiniJinja`] is built in: templates from a directory or named strings, escaped by the same
//! rule that picks their `Content-Type` (HTML, XML, SVG and unknown extensions are escaped as
//! HTML, `.json` as JSON, plain text not at all; string templates are HTML). Other engines
//! implement [`TemplateEngine`].
//!
//! A template that fails to render, or one that no engine renders because the layer is
//! missing, is a 500 problem response with a log line naming the template or the missing
//! layer, never a panic and never an empty 200.
//!
#![cfg_attr(feature = "layers", doc = "```")]
#![cfg_attr(not(feature = "layers"), doc = "```ignore")]
//! use axum::{Router, body::{Body, to_bytes}, http::Request, routing::get};
//! use axum_strata::{Strata, template::{MiniJinja, Template}};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let engine = MiniJinja::from_templates([("hello.html", "<p>Hello {{ name }}</p>")]).unwrap();
//! let app = Router::new()
//!     .route("/", get(|| async { Template::new("hello.html", serde_json::json!({"name": "<b>you</b>"})) }))
//!     .layer(Strata::app().templates(engine));
//! let response = app.oneshot(Request::new(Body::empty())).await.unwrap();
//! assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
//! let body = to_bytes(response.into_body(), 1024).await.unwrap();
//! assert_eq!(body, "<p>Hello &lt;b&gt;you&lt;&#x2f;b&gt;</p>");
//! # }
//! ```

/// The template engine built in: the `minijinja` crate, re-exported so that its types
/// (`Environment`, `HtmlEscape`, …) need no dependency of one's own.
pub use minijinja;

use std::{
    fmt,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use axum::{
    body::Body,
    response::{IntoResponse, Response},
};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use strata_tower::step::{Finish, Step, StepFuture, StepService};
use tower::Layer;

use strata_headers::mime;

use crate::problem::Problem;

/// Renders templates by name, or from a string, with a serializable context.
pub trait TemplateEngine: Send + Sync + 'static {
    /// Renders the template `name`.
    ///
    /// # Errors
    ///
    /// What went wrong (no such template, a syntax or render error), for the log.
    fn render(&self, name: &str, context: &dyn erased_serde::Serialize) -> Result<String, String>;

    /// Renders `source`, a template in a string.
    ///
    /// # Errors
    ///
    /// As [`render`](Self::render).
    fn render_str(&self, source: &str, context: &dyn erased_serde::Serialize) -> Result<String, String>;
}

/// The name string templates are compiled under: HTML, like their `Content-Type`.
const INLINE_NAME: &str = "inline.html";

/// A minijinja environment whose autoescaping follows the same rule as the `Content-Type`
/// sent: HTML (and XML, SVG, and anything unknown, sent as HTML) is escaped, JSON as JSON,
/// plain text and CSS not at all.
fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|name| {
        let media = media_type(name);
        match (media.type_().as_str(), media.subtype().as_str()) {
            (_, "json") => minijinja::AutoEscape::Json,
            ("text", "plain" | "css" | "csv" | "markdown") => minijinja::AutoEscape::None,
            _ => minijinja::AutoEscape::Html,
        }
    });
    env
}

/// The media type of a template's output: from its name's extension, once a template
/// extension (`.j2`, `.jinja`, `.jinja2`) is removed; HTML when unknown.
fn media_type(name: &str) -> mime::Mime {
    let name =
        [".j2", ".jinja2", ".jinja"].iter().find_map(|suffix| name.strip_suffix(suffix)).unwrap_or(name);
    mime_guess::from_path(name).first().unwrap_or(mime::TEXT_HTML)
}

/// The minijinja engine.
#[derive(Debug)]
pub struct MiniJinja {
    env: minijinja::Environment<'static>,
}

impl MiniJinja {
    /// Templates loaded from `dir` when first used (names are paths below it; names with `..`
    /// or starting with a dot are refused by minijinja).
    ///
    /// # Errors
    ///
    /// When `dir` is not a directory: a configuration mistake, found when the app is built.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self, std::io::Error> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("template directory {} does not exist", dir.display()),
            ));
        }
        let mut env = environment();
        env.set_loader(minijinja::path_loader(dir));
        Ok(Self { env })
    }

    /// Templates given as (name, source) pairs.
    ///
    /// # Errors
    ///
    /// The first template with a syntax error.
    pub fn from_templates<I, N, S>(templates: I) -> Result<Self, minijinja::Error>
    where
        I: IntoIterator<Item = (N, S)>,
        N: Into<String>,
        S: Into<String>,
    {
        let mut env = environment();
        for (name, source) in templates {
            env.add_template_owned(name.into(), source.into())?;
        }
        Ok(Self { env })
    }

    /// An engine of your own minijinja environment (filters, globals, loader…).
    pub const fn from_env(env: minijinja::Environment<'static>) -> Self {
        Self { env }
    }
}

impl TemplateEngine for MiniJinja {
    fn render(&self, name: &str, context: &dyn erased_serde::Serialize) -> Result<String, String> {
        let template = self.env.get_template(name).map_err(|e| e.to_string())?;
        template.render(minijinja::Value::from_serialize(context)).map_err(|e| e.to_string())
    }

    fn render_str(&self, source: &str, context: &dyn erased_serde::Serialize) -> Result<String, String> {
        // Named `.html` so that it is escaped as the HTML it is sent as.
        let template = self.env.template_from_named_str(INLINE_NAME, source).map_err(|e| e.to_string())?;
        template.render(minijinja::Value::from_serialize(context)).map_err(|e| e.to_string())
    }
}

type Data = Arc<dyn erased_serde::Serialize + Send + Sync>;

#[derive(Clone, Debug)]
enum Source {
    Name(String),
    Inline(String),
}

/// The intent a [`Template`] response carries to the [`TemplateLayer`]. When it is dropped
/// without having been rendered, no layer was there: that is logged.
struct Intent {
    source: Source,
    context: Data,
    status: StatusCode,
    resolved: AtomicBool,
}

impl Clone for Intent {
    fn clone(&self) -> Self {
        Self {
            source: self.source.clone(),
            context: Arc::clone(&self.context),
            status: self.status,
            resolved: AtomicBool::new(self.resolved.load(Ordering::Relaxed)),
        }
    }
}

impl Drop for Intent {
    fn drop(&mut self) {
        if !self.resolved.load(Ordering::Relaxed) {
            tracing::error!(
                template = %self.name(),
                "a Template was not rendered: no template engine layer (Strata::app().templates(…)) around the route"
            );
        }
    }
}

impl Intent {
    fn name(&self) -> &str {
        match &self.source {
            Source::Name(n) => n,
            Source::Inline(_) => "<string template>",
        }
    }
}

/// A template to render with a context; see the [module docs](self).
#[must_use]
pub struct Template {
    source: Source,
    context: Data,
    status: StatusCode,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("source", &self.source)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Template {
    /// The template `name`, rendered with `context`.
    pub fn new(name: impl Into<String>, context: impl Serialize + Send + Sync + 'static) -> Self {
        Self { source: Source::Name(name.into()), context: Arc::new(context), status: StatusCode::OK }
    }

    /// A template in a string, rendered with `context` as HTML.
    pub fn from_str(source: impl Into<String>, context: impl Serialize + Send + Sync + 'static) -> Self {
        Self { source: Source::Inline(source.into()), context: Arc::new(context), status: StatusCode::OK }
    }

    /// Sets the status (200 by default).
    pub const fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

fn server_error(detail: &str) -> Response {
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR).with_detail(detail).into_response()
}

impl IntoResponse for Template {
    fn into_response(self) -> Response {
        // Until a template layer renders it, this is the response: a 500 naming the problem.
        let mut response = server_error("the page could not be rendered");
        response.extensions_mut().insert(Arc::new(Intent {
            source: self.source,
            context: self.context,
            status: self.status,
            resolved: AtomicBool::new(false),
        }));
        response
    }
}

/// The `Content-Type` of a template's output, from its name's extension.
fn content_type(source: &Source) -> HeaderValue {
    let Source::Name(name) = source else {
        return HeaderValue::from_static("text/html; charset=utf-8");
    };
    let mime = media_type(name);
    let value = if mime.type_() == mime::TEXT && mime.get_param(mime::CHARSET).is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    HeaderValue::try_from(value).unwrap_or(HeaderValue::from_static("text/html; charset=utf-8"))
}

/// Renders [`Template`] responses with an engine; see the [module docs](self).
#[derive(Clone)]
#[must_use]
pub struct TemplateLayer {
    engine: Arc<dyn TemplateEngine>,
}

impl fmt::Debug for TemplateLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TemplateLayer")
    }
}

impl TemplateLayer {
    /// Renders with `engine`.
    pub fn new(engine: impl TemplateEngine) -> Self {
        Self { engine: Arc::new(engine) }
    }

    fn resolve(&self, response: Response) -> Response {
        let Some(intent) = response.extensions().get::<Arc<Intent>>().cloned() else {
            return response;
        };
        intent.resolved.store(true, Ordering::Relaxed);
        let rendered = match &intent.source {
            Source::Name(name) => self.engine.render(name, &*intent.context),
            Source::Inline(source) => self.engine.render_str(source, &*intent.context),
        };
        let (mut parts, _) = response.into_parts();
        parts.extensions.remove::<Arc<Intent>>();
        match rendered {
            Ok(html) => {
                parts.status = intent.status;
                parts.headers.insert(header::CONTENT_TYPE, content_type(&intent.source));
                parts.headers.remove(header::CONTENT_LENGTH);
                Response::from_parts(parts, Body::from(html))
            }
            Err(e) => {
                tracing::error!(template = %intent.name(), error = %e, "a template failed to render");
                let (problem, body) = server_error("the page could not be rendered").into_parts();
                parts.headers = problem.headers;
                Response::from_parts(parts, body)
            }
        }
    }
}

impl<S> Layer<S> for TemplateLayer {
    type Service = Templates<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Templates::new(inner, self.clone())
    }
}

/// The service of [`TemplateLayer`].
pub type Templates<S> = StepService<S, TemplateLayer>;

/// The response future of [`Templates`].
pub type ResponseFuture<F> = StepFuture<F, TemplateLayer>;

impl Step for TemplateLayer {
    type Noted = ();

    #[inline]
    fn note<ReqBody>(&self, _: &http::Request<ReqBody>) {}
}

impl Finish<Body> for TemplateLayer {
    fn finish(&self, (): &(), response: Response) -> Response {
        self.resolve(response)
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };

    use super::Template;
    use crate::openapi::fragments;

    /// `text/html`, rendered by the app's engine.
    impl OperationOutput for Template {
        type Inner = Self;

        fn operation_response(_: &mut GenContext, _: &mut Operation) -> Option<Response> {
            let body = fragments::body("text/html", fragments::inline(fragments::string()));
            Some(fragments::response("The rendered page.", [body]))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(Some(200), r)]).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::{body::to_bytes, extract::Request};
    use serde_json::json;
    use tower::{ServiceExt, service_fn};

    use super::*;

    fn engine() -> MiniJinja {
        MiniJinja::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-files/templates")).unwrap()
    }

    async fn render(template: Template) -> (Response, String) {
        let svc = service_fn(move |_req: Request| {
            let template = Template {
                source: template.source.clone(),
                context: Arc::clone(&template.context),
                status: template.status,
            };
            async move { Ok::<_, std::convert::Infallible>(template.into_response()) }
        });
        let response =
            TemplateLayer::new(engine()).layer(svc).oneshot(Request::new(Body::empty())).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = String::from_utf8(to_bytes(body, 4096).await.unwrap().to_vec()).unwrap();
        (Response::from_parts(parts, Body::empty()), body)
    }

    #[tokio::test]
    async fn html_from_a_directory_is_autoescaped() {
        let (r, body) =
            render(Template::new("info.html", json!({"user": {"name": "Ada"}, "note": "<b>bold</b>"}))).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
        assert!(body.contains("<p>Hello Ada, your note is &lt;b&gt;bold&lt;&#x2f;b&gt;.</p>"), "{body}");
    }

    #[tokio::test]
    async fn text_templates_are_text_and_not_escaped() {
        let (r, body) = render(Template::new("plain.txt", json!({"user": {"name": "<Ada>"}}))).await;
        assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
        assert_eq!(body, "Hello <Ada> <not escaped>");
    }

    #[tokio::test]
    async fn string_templates_and_unknown_extensions_are_escaped_as_the_html_they_are_sent_as() {
        let (r, body) =
            render(Template::from_str("<p>{{ v }}</p>", json!({"v": "<script>x</script>"}))).await;
        assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
        assert_eq!(body, "<p>&lt;script&gt;x&lt;&#x2f;script&gt;</p>");
        let engine = MiniJinja::from_templates([
            ("page.j2", "{{ v }}"),
            ("page", "{{ v }}"),
            ("data.json", "{{ v }}"),
        ])
        .unwrap();
        let html = "<b>".to_owned();
        for name in ["page.j2", "page"] {
            assert_eq!(engine.render(name, &json!({"v": html})).unwrap(), "&lt;b&gt;", "{name}");
        }
        assert_eq!(engine.render("data.json", &json!({"v": html})).unwrap(), "\"<b>\"");
        assert_eq!(content_type(&Source::Name("page.html.j2".into())), "text/html; charset=utf-8");
    }

    #[tokio::test]
    async fn string_templates_and_statuses() {
        let (r, body) =
            render(Template::from_str("<i>{{ n }}</i>", json!({"n": 3})).status(StatusCode::CREATED)).await;
        assert_eq!(r.status(), 201);
        assert_eq!(body, "<i>3</i>");
    }

    #[tokio::test]
    async fn missing_and_broken_templates_are_500_problems() {
        for name in ["nope.html", "broken.html", "../secret.html"] {
            let (r, body) = render(Template::new(name, json!({}))).await;
            assert_eq!(r.status(), 500, "{name}");
            assert_eq!(r.headers()["content-type"], "application/problem+json", "{name}");
            assert!(body.contains("could not be rendered"), "{name}: {body}");
        }
    }

    #[tokio::test]
    async fn without_the_layer_the_response_is_a_500_problem() {
        let r = Template::new("info.html", json!({})).into_response();
        assert_eq!(r.status(), 500);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }

    #[test]
    fn a_missing_directory_is_a_configuration_error() {
        assert!(MiniJinja::from_dir("/no/such/dir").is_err());
    }
}
