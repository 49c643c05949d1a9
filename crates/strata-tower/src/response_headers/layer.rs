// The layer: its headers, the rules of cache safety it follows, and the step that applies them.

use std::{fmt, sync::Arc};

use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode, header};
use strata_headers::{CacheControl, ETag, headers::Header};
use tower::Layer;

use super::{ClaimedHeaders, HeaderSpec, ResponseHeaders};
use crate::cache_safety;

/// Sets response headers that are still missing; see the [module docs](super).
#[derive(Clone, Default)]
#[must_use]
pub struct ResponseHeadersLayer {
    specs: Arc<Vec<HeaderSpec>>,
    outermost: bool,
    cache_headers_on_every_status: bool,
    strong_etags: bool,
    public_with_cookies: bool,
}

impl fmt::Debug for ResponseHeadersLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseHeadersLayer")
            .field("specs", &self.specs)
            .field("outermost", &self.outermost)
            .field("cache_headers_on_every_status", &self.cache_headers_on_every_status)
            .field("strong_etags", &self.strong_etags)
            .field("public_with_cookies", &self.public_with_cookies)
            .finish()
    }
}

/// The value sent for a static tag: weak unless the layer keeps tags strong.
fn sent_etag(etag: &ETag, strong: bool) -> HeaderValue {
    if strong { etag.header_value().clone() } else { etag.clone().into_weak().header_value().clone() }
}

impl ResponseHeadersLayer {
    /// A layer with no header.
    pub fn new() -> Self {
        Self::default()
    }

    fn put(mut self, mut spec: HeaderSpec) -> Self {
        if spec.name == header::ETAG && !spec.documentation_only && spec.etag.is_none() {
            // One valid tag, however it was given, is a static ETag, sent weak or strong.
            spec.etag = match spec.values.as_slice() {
                [value] => std::str::from_utf8(value.as_bytes()).ok().and_then(|v| ETag::from_header(v).ok()),
                _ => None,
            };
        }
        if let Some(etag) = &spec.etag {
            spec.values = vec![sent_etag(etag, self.strong_etags)];
        }
        let specs = Arc::make_mut(&mut self.specs);
        // One spec per name and level: a later call replaces an earlier one.
        specs.retain(|s| s.name != spec.name);
        specs.push(spec);
        self
    }

    /// Sets `name: value` on responses that do not have `name`.
    pub fn header(self, name: HeaderName, value: HeaderValue) -> Self {
        self.put(HeaderSpec {
            name,
            values: vec![value],
            description: None,
            documentation_only: false,
            etag: None,
        })
    }

    /// Like [`header`](Self::header), with a description for documentation.
    pub fn header_with_description(
        self,
        name: HeaderName,
        value: HeaderValue,
        description: impl Into<Arc<str>>,
    ) -> Self {
        self.put(HeaderSpec {
            name,
            values: vec![value],
            description: Some(description.into()),
            documentation_only: false,
            etag: None,
        })
    }

    /// Sets several values for one name (such as `Link`), as separate header lines in this
    /// order. This is the only way one name gets several values from a layer.
    pub fn header_values<I: IntoIterator<Item = HeaderValue>>(self, name: HeaderName, values: I) -> Self {
        self.put(HeaderSpec {
            name,
            values: values.into_iter().collect(),
            description: None,
            documentation_only: false,
            etag: None,
        })
    }

    /// Sets a typed header, encoded once here. A value that encodes to nothing (an empty
    /// `CacheControl`) sets nothing.
    pub fn typed_header<H: Header>(self, header: &H) -> Self {
        let mut values = Vec::with_capacity(1);
        header.encode(&mut values);
        if values.is_empty() {
            return self;
        }
        self.header_values(H::name().clone(), values)
    }

    /// Declares `name` documentation-only at this level: nothing is sent for it, and outer
    /// layers do not set it either. A value the handler sets is kept.
    pub fn documentation_only(self, name: HeaderName, description: impl Into<Arc<str>>) -> Self {
        self.put(HeaderSpec {
            name,
            values: Vec::new(),
            description: Some(description.into()),
            documentation_only: true,
            etag: None,
        })
    }

    /// Sets `Cache-Control`.
    pub fn cache_control(self, cache_control: CacheControl) -> Self {
        self.typed_header(&cache_control)
    }

    /// Sets a static `ETag`, sent weak (`W/"bar"` for `ETag::strong("bar")`) unless the layer
    /// keeps [strong ETags](Self::strong_etags): a body may be re-encoded after this layer, and
    /// a strong tag must not name two encodings (see [`cache_safety`]).
    pub fn etag(self, etag: ETag) -> Self {
        self.put(HeaderSpec {
            name: header::ETAG,
            values: vec![etag.header_value().clone()],
            description: None,
            documentation_only: false,
            etag: Some(etag),
        })
    }

    /// Sends this layer's `ETag` as configured, strong tags strong: for apps where nothing
    /// between this layer and the client changes the content coding (no compression layer
    /// outside it, no compressing proxy).
    pub fn strong_etags(mut self) -> Self {
        self.strong_etags = true;
        let specs = Arc::make_mut(&mut self.specs);
        for spec in specs.iter_mut() {
            if let Some(etag) = &spec.etag {
                spec.values = vec![sent_etag(etag, true)];
            }
        }
        self
    }

    /// Sets this layer's `Cache-Control`, `Expires`, `ETag` and `Last-Modified` on responses of
    /// every status. Without this they go on 2xx and 3xx responses only
    /// ([`cache_safety::gets_cache_headers`]), so that
    /// no cache keeps an error as long as the content, or revalidates it as the content.
    pub const fn cache_headers_on_every_status(mut self) -> Self {
        self.cache_headers_on_every_status = true;
        self
    }

    /// Whether this layer sends its cache headers (`Cache-Control`, `Expires`, `ETag`,
    /// `Last-Modified`) on a response of `status`, for documentation.
    #[must_use]
    pub fn sends_cache_headers_on(&self, status: http::StatusCode) -> bool {
        self.cache_headers_on_every_status || crate::cache_safety::gets_cache_headers(status)
    }

    /// Leaves a `Cache-Control` that lets shared caches store the response alone when the
    /// response sets a cookie. Without this, a response to which this layer adds
    /// `Cache-Control` or `Set-Cookie`, and which ends up with both, is made `private`
    /// ([`cache_safety::keep_cookies_private`]).
    /// For cookies that are the same for every user, or a cache that never stores
    /// `Set-Cookie`.
    pub const fn public_with_cookies(mut self) -> Self {
        self.public_with_cookies = true;
        self
    }

    /// Marks this layer as the outermost one: after filling in its headers, it removes the
    /// claims of documentation-only headers from the response's extensions.
    pub fn outermost(mut self) -> Self {
        self.outermost = true;
        self
    }

    /// The headers of this level, for documentation.
    #[must_use]
    pub fn specs(&self) -> &[HeaderSpec] {
        &self.specs
    }

    /// Whether this layer holds no header (it then only removes claims, if outermost).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Applies this level's headers to a response; what the service does, usable on its own.
    /// The cache headers go only on 2xx and 3xx responses unless the layer says
    /// [otherwise](Self::cache_headers_on_every_status), and a response that ends up with a
    /// shared-cacheable `Cache-Control` and a cookie, one of them from this layer, is made
    /// private unless the layer [says otherwise](Self::public_with_cookies).
    pub fn apply<B>(&self, response: &mut Response<B>) {
        let status = response.status();
        // Moving the map out does not allocate, and lets headers and extensions be borrowed
        // together.
        let mut headers = std::mem::take(response.headers_mut());
        self.apply_to(status, &mut headers, response.extensions_mut());
        *response.headers_mut() = headers;
    }

    fn apply_to(&self, status: StatusCode, headers: &mut HeaderMap, extensions: &mut http::Extensions) {
        if !self.specs.is_empty() {
            let cache_headers =
                self.cache_headers_on_every_status || cache_safety::gets_cache_headers(status);
            // Whether this layer gave the response a Cache-Control or a cookie.
            let mut shared = false;
            let mut new_claims: Vec<HeaderName> = Vec::new();
            {
                let claims = extensions.get::<ClaimedHeaders>();
                for spec in self.specs.iter() {
                    if claims.is_some_and(|c| c.contains(&spec.name)) {
                        continue;
                    }
                    if spec.name == header::VARY && !spec.documentation_only {
                        merge_vary(headers, &spec.values);
                        continue;
                    }
                    if headers.contains_key(&spec.name) {
                        continue;
                    }
                    if spec.documentation_only {
                        // Claimed whatever the status: a closer level's claim holds against an
                        // outer level that sends its cache headers on every status.
                        new_claims.push(spec.name.clone());
                    } else if cache_headers || !cache_safety::is_cache_header(&spec.name) {
                        shared |= spec.name == header::CACHE_CONTROL || spec.name == header::SET_COOKIE;
                        for value in &spec.values {
                            headers.append(spec.name.clone(), value.clone());
                        }
                    }
                }
            }
            if !new_claims.is_empty() && !self.outermost {
                match extensions.get_mut::<ClaimedHeaders>() {
                    Some(claims) => claims.0.extend(new_claims),
                    None => {
                        extensions.insert(ClaimedHeaders(new_claims));
                    }
                }
            }
            if shared && !self.public_with_cookies {
                cache_safety::keep_cookies_private(headers);
            }
        }
        if self.outermost {
            ClaimedHeaders::release(extensions);
        }
    }
}

/// Appends each field of a level's `Vary` values to the response's `Vary`.
fn merge_vary(headers: &mut HeaderMap, values: &[HeaderValue]) {
    for value in values {
        let Ok(text) = value.to_str() else { continue };
        for field in text.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            if field == "*" {
                headers.insert(header::VARY, HeaderValue::from_static("*"));
            } else if let Ok(name) = HeaderName::from_bytes(field.as_bytes()) {
                strata_headers::vary::append(headers, &name);
            }
        }
    }
}

impl<S> Layer<S> for ResponseHeadersLayer {
    type Service = ResponseHeaders<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ResponseHeaders::new(inner, self.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use http::Request;
    use tower::{ServiceExt, service_fn};

    fn name(s: &'static str) -> HeaderName {
        HeaderName::from_static(s)
    }

    fn value(s: &'static str) -> HeaderValue {
        HeaderValue::from_static(s)
    }

    async fn run(
        layers: &[ResponseHeadersLayer],
        handler_headers: &[(&'static str, &'static str)],
    ) -> Response<()> {
        let handler_headers = handler_headers.to_vec();
        let mut svc = tower::util::BoxCloneService::new(service_fn(move |_req: Request<()>| {
            let mut res = Response::new(());
            for (n, v) in &handler_headers {
                res.headers_mut().append(name(n), value(v));
            }
            async move { Ok::<_, Infallible>(res) }
        }));
        // layers[0] is the innermost.
        for layer in layers {
            svc = tower::util::BoxCloneService::new(layer.layer(svc));
        }
        svc.oneshot(Request::new(())).await.unwrap()
    }

    fn all(res: &Response<()>, n: &'static str) -> Vec<String> {
        res.headers().get_all(n).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    }

    #[tokio::test]
    async fn four_levels_merge_and_the_closest_wins() {
        let handler = ResponseHeadersLayer::new().header(name("my-local-header"), value("local header"));
        let controller = ResponseHeadersLayer::new()
            .header(name("controller-level-header"), value("controller header"))
            .header(name("shared"), value("controller"));
        let router = ResponseHeadersLayer::new()
            .header(name("router-level-header"), value("router header"))
            .header(name("shared"), value("router"));
        let app = ResponseHeadersLayer::new()
            .header(name("app-level-header"), value("app header"))
            .header(name("shared"), value("app"))
            .outermost();
        let res = run(&[handler, controller, router, app], &[]).await;
        assert_eq!(all(&res, "my-local-header"), ["local header"]);
        assert_eq!(all(&res, "controller-level-header"), ["controller header"]);
        assert_eq!(all(&res, "router-level-header"), ["router header"]);
        assert_eq!(all(&res, "app-level-header"), ["app header"]);
        assert_eq!(all(&res, "shared"), ["controller"]);
    }

    #[tokio::test]
    async fn the_handler_beats_every_layer_whatever_the_case_of_the_name() {
        let app = ResponseHeadersLayer::new().header(name("my-header"), value("layer"));
        let res = run(&[app], &[("my-header", "handler")]).await;
        assert_eq!(all(&res, "MY-HEADER"), ["handler"]);
    }

    #[tokio::test]
    async fn documentation_only_suppresses_outer_values_and_is_cleaned_up() {
        let route = ResponseHeadersLayer::new().documentation_only(name("random-header"), "1–100");
        let app = ResponseHeadersLayer::new().header(name("random-header"), value("app")).outermost();
        let res = run(&[route.clone(), app.clone()], &[]).await;
        assert!(res.headers().get("random-header").is_none());
        assert!(res.extensions().get::<ClaimedHeaders>().is_none(), "the outermost layer removes claims");

        // The handler's own value survives a documentation-only declaration.
        let res = run(&[route, app], &[("random-header", "42")]).await;
        assert_eq!(all(&res, "random-header"), ["42"]);
    }

    #[tokio::test]
    async fn claims_travel_until_the_outermost_layer() {
        let route = ResponseHeadersLayer::new().documentation_only(name("x"), "doc");
        let res = run(&[route], &[]).await;
        assert!(res.extensions().get::<ClaimedHeaders>().unwrap().contains(&name("x")));
    }

    #[tokio::test]
    async fn several_values_only_on_purpose() {
        let route = ResponseHeadersLayer::new().header_values(name("link"), [value("</a>"), value("</b>")]);
        let app = ResponseHeadersLayer::new().header(name("link"), value("</app>"));
        let res = run(&[route, app], &[]).await;
        assert_eq!(all(&res, "link"), ["</a>", "</b>"]);

        // A second call for the same name at one level replaces the first.
        let upper = HeaderName::from_bytes(b"X").unwrap();
        let layer = ResponseHeadersLayer::new().header(name("x"), value("1")).header(upper, value("2"));
        let res = run(&[layer], &[]).await;
        assert_eq!(all(&res, "x"), ["2"]);
    }

    #[tokio::test]
    async fn cache_control_and_etag_are_typed_and_layered() {
        let day = std::time::Duration::from_secs(86_400);
        let route = ResponseHeadersLayer::new().cache_control(CacheControl::no_store());
        let controller = ResponseHeadersLayer::new()
            .cache_control(CacheControl::max_age(day).public())
            .etag(ETag::strong("foo").unwrap());
        let app = ResponseHeadersLayer::new()
            .cache_control(CacheControl::max_age(day * 30).public())
            .etag(ETag::strong("bar").unwrap());
        let res = run(&[route, controller.clone(), app.clone()], &[]).await;
        assert_eq!(all(&res, "cache-control"), ["no-store"]);
        assert_eq!(all(&res, "etag"), ["W/\"foo\""], "weak unless the layer keeps tags strong");
        let res = run(&[app], &[]).await;
        assert_eq!(all(&res, "cache-control"), ["max-age=2592000, public"]);
        // An empty Cache-Control sets nothing at all.
        assert!(ResponseHeadersLayer::new().cache_control(CacheControl::new()).is_empty());
    }

    async fn run_with_status(layers: &[ResponseHeadersLayer], status: u16) -> Response<()> {
        let mut svc = tower::util::BoxCloneService::new(service_fn(move |_req: Request<()>| async move {
            let mut res = Response::new(());
            *res.status_mut() = StatusCode::from_u16(status).unwrap();
            Ok::<_, Infallible>(res)
        }));
        for layer in layers {
            svc = tower::util::BoxCloneService::new(layer.layer(svc));
        }
        svc.oneshot(Request::new(())).await.unwrap()
    }

    #[tokio::test]
    async fn cache_headers_go_on_successes_and_redirections_unless_every_status_is_asked() {
        let day = std::time::Duration::from_secs(86_400);
        let app = ResponseHeadersLayer::new()
            .cache_control(CacheControl::max_age(day * 30).public())
            .etag(ETag::strong("bar").unwrap())
            .header(header::EXPIRES, value("Thu, 01 Jan 2099 00:00:00 GMT"))
            .header(header::LAST_MODIFIED, value("Thu, 01 Jan 2015 00:00:00 GMT"))
            .header(name("x-frame-options"), value("DENY"))
            .header(header::VARY, value("origin"));
        for status in [200, 204, 301, 304] {
            let res = run_with_status(std::slice::from_ref(&app), status).await;
            for n in ["cache-control", "etag", "expires", "last-modified", "x-frame-options", "vary"] {
                assert_eq!(all(&res, n).len(), 1, "{n} on {status}");
            }
        }
        for status in [400, 404, 412, 500, 503] {
            let res = run_with_status(std::slice::from_ref(&app), status).await;
            for n in ["cache-control", "etag", "expires", "last-modified"] {
                assert!(all(&res, n).is_empty(), "{n} on {status}");
            }
            // The other headers are policy, not a stored representation: on every status.
            assert_eq!(all(&res, "x-frame-options"), ["DENY"]);
            assert_eq!(all(&res, "vary"), ["origin"]);
        }
        // A level that asks for every status; the closest level that applies still wins.
        let errors = ResponseHeadersLayer::new()
            .cache_control(CacheControl::no_store())
            .cache_headers_on_every_status();
        let res = run_with_status(&[app.clone(), errors.clone()], 404).await;
        assert_eq!(all(&res, "cache-control"), ["no-store"]);
        let res = run_with_status(&[app, errors.clone()], 200).await;
        assert_eq!(all(&res, "cache-control"), ["max-age=2592000, public"]);
        // A closer level's documentation-only claim holds on an error too.
        let claim =
            ResponseHeadersLayer::new().documentation_only(header::CACHE_CONTROL, "set by the handler");
        let res = run_with_status(&[claim, errors], 404).await;
        assert!(all(&res, "cache-control").is_empty());
    }

    #[tokio::test]
    async fn static_etags_are_weak_unless_kept_strong() {
        let weak = ResponseHeadersLayer::new().etag(ETag::strong("bar").unwrap());
        assert_eq!(all(&run(std::slice::from_ref(&weak), &[]).await, "etag"), ["W/\"bar\""]);
        assert_eq!(weak.specs()[0].values(), [value("W/\"bar\"")], "the spec says what is sent");
        // Whatever the order of the calls, and however the tag was given.
        let strong = weak.strong_etags();
        assert_eq!(all(&run(std::slice::from_ref(&strong), &[]).await, "etag"), ["\"bar\""]);
        assert_eq!(strong.specs()[0].values(), [value("\"bar\"")]);
        let strong = ResponseHeadersLayer::new().strong_etags().header(header::ETAG, value("\"foo\""));
        assert_eq!(all(&run(&[strong], &[]).await, "etag"), ["\"foo\""]);
        let given = ResponseHeadersLayer::new().header(header::ETAG, value("\"foo\""));
        assert_eq!(all(&run(&[given], &[]).await, "etag"), ["W/\"foo\""]);
        let already = ResponseHeadersLayer::new().etag(ETag::weak("w").unwrap());
        assert_eq!(all(&run(&[already], &[]).await, "etag"), ["W/\"w\""]);
        // A tag of obs-text, given typed or as a header value, is weakened too.
        let typed = ResponseHeadersLayer::new().etag(ETag::strong("é").unwrap());
        assert_eq!(typed.specs()[0].values(), [ETag::weak("é").unwrap().header_value().clone()]);
        let raw = ResponseHeadersLayer::new()
            .header(header::ETAG, ETag::strong("é").unwrap().header_value().clone());
        assert_eq!(raw.specs()[0].values(), typed.specs()[0].values());
        // The handler's own tag is the handler's.
        let res =
            run(&[ResponseHeadersLayer::new().etag(ETag::strong("app").unwrap())], &[("etag", "\"mine\"")])
                .await;
        assert_eq!(all(&res, "etag"), ["\"mine\""]);
    }

    #[tokio::test]
    async fn a_response_with_a_cookie_under_a_layers_public_cache_control_becomes_private() {
        let day = std::time::Duration::from_secs(86_400);
        let public = ResponseHeadersLayer::new().cache_control(CacheControl::max_age(day).public());
        let res = run(std::slice::from_ref(&public), &[("set-cookie", "session=abc")]).await;
        assert_eq!(all(&res, "cache-control"), ["max-age=86400, private"]);
        assert_eq!(all(&res, "set-cookie"), ["session=abc"]);
        // No cookie: as configured.
        let res = run(std::slice::from_ref(&public), &[]).await;
        assert_eq!(all(&res, "cache-control"), ["max-age=86400, public"]);
        // A layer's cookie under the handler's Cache-Control.
        let cookie = ResponseHeadersLayer::new().header(header::SET_COOKIE, value("theme=dark"));
        let res = run(&[cookie], &[("cache-control", "max-age=60")]).await;
        assert_eq!(all(&res, "cache-control"), ["max-age=60, private"]);
        // Opting out; and a handler that set both itself is left alone.
        let res = run(&[public.clone().public_with_cookies()], &[("set-cookie", "a=b")]).await;
        assert_eq!(all(&res, "cache-control"), ["max-age=86400, public"]);
        let res = run(&[public], &[("set-cookie", "a=b"), ("cache-control", "public, max-age=9")]).await;
        assert_eq!(all(&res, "cache-control"), ["public, max-age=9"]);
    }

    #[tokio::test]
    async fn vary_fields_add_up_across_levels() {
        let route = ResponseHeadersLayer::new().header(header::VARY, value("Accept-Encoding"));
        let app = ResponseHeadersLayer::new().header(header::VARY, value("origin, accept-encoding"));
        let res = run(&[route, app], &[("vary", "accept")]).await;
        assert_eq!(all(&res, "vary"), ["accept, accept-encoding, origin"]);
    }

    #[test]
    fn specs_keep_values_and_descriptions_for_documentation() {
        let layer = ResponseHeadersLayer::new()
            .header_with_description(name("a"), value("1"), "the a header")
            .documentation_only(name("b"), "set by the handler");
        let specs = layer.specs();
        assert_eq!(specs[0].values(), [value("1")]);
        assert_eq!(specs[0].description(), Some("the a header"));
        assert!(specs[1].is_documentation_only());
        assert_eq!(specs[1].description(), Some("set by the handler"));
    }
}
