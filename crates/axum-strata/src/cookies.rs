//! Cookies, with the `cookie` crate: set and delete them on a response, or at any level of the
//! app with [`CookiesLayer`] (through [`StrataLayer::cookie`](crate::StrataLayer::cookie)),
//! where the level closest to the handler wins per cookie.
//!
//! A cookie is identified by its name, path and domain (RFC 6265 §5.3): setting the same one
//! twice keeps the last, and a level never adds a cookie the response already sets. Deleting
//! sends the cookie empty with `Max-Age=0` and an expiry in 1970, with the same path and
//! domain, so every browser drops it. `SameSite=None` is always sent with `Secure`, which
//! browsers require (Litestar sends it without).
//!
//! A level's cookies go on 2xx and 3xx responses, not on errors (the router's 404, a handler's
//! 404, a 500), unless the level asks for every status ([`CookiesLayer::on_every_status`]):
//! a layered cookie is state handed out with the content, and an error has not served it;
//! nor does an error carry the level's `Cache-Control`, so a 404 (which caches may store by
//! default, RFC 9111 §4.2.2) would carry the cookie to whoever the cache serves next. This is
//! Litestar's behaviour too on a router 404. A cookie the handler sets on its own error stays.
//! The level's other headers are sent on every status: see
//! [the builder's docs](crate::builder#layered-headers-and-errors).
//!
//! A response that a level gives a cookie, and that ends up with a `Cache-Control` a shared
//! cache may store it under, is made `private` (RFC 9111 §5.2.2.7), so that no shared cache
//! hands one user's cookie to another; a level opts out with
//! [`CookiesLayer::public_with_cookies`] (see [`cache_safety`]).
//!
//! ```
//! use axum::response::IntoResponse;
//! use axum_strata::cookies::{Cookie, removal, set_cookie};
//!
//! let mut response = "hello".into_response();
//! let session = Cookie::build(("session", "abc")).path("/").http_only(true).same_site(cookie::SameSite::None);
//! set_cookie(response.headers_mut(), &session.build());
//! set_cookie(response.headers_mut(), &removal("theme", Some("/"), None));
//! let lines: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
//! assert_eq!(lines[0], "session=abc; HttpOnly; SameSite=None; Secure; Path=/");
//! assert_eq!(lines[1], "theme=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
//! ```

use std::{fmt, sync::Arc};

pub use cookie::{Cookie, SameSite, time::Duration};
use cookie::{Expiration, time::OffsetDateTime};
use http::{HeaderMap, HeaderValue, Request, Response, header::SET_COOKIE};
use strata_tower::cache_safety;
use strata_tower::step::{Finish, Step, StepFuture, StepService};
use tower::Layer;

/// The cookie that deletes the cookie `name` set with this `path` and `domain`. Cookies whose
/// name starts with `__Secure-` or `__Host-` are deleted with `Secure`, without which browsers
/// ignore the deletion.
#[must_use]
pub fn removal(name: &str, path: Option<&str>, domain: Option<&str>) -> Cookie<'static> {
    let mut cookie = Cookie::new(name.to_owned(), "");
    let lower = name.get(..9).map(str::to_ascii_lowercase);
    if lower.as_deref() == Some("__secure-") || lower.as_deref().is_some_and(|l| l.starts_with("__host-")) {
        cookie.set_secure(true);
    }
    if let Some(path) = path {
        cookie.set_path(path.to_owned());
    }
    if let Some(domain) = domain {
        cookie.set_domain(domain.to_owned());
    }
    cookie.set_max_age(cookie::time::Duration::ZERO);
    cookie.set_expires(Expiration::DateTime(OffsetDateTime::UNIX_EPOCH));
    cookie
}

/// Whether two cookies are the same cookie for a browser: same name, path and domain.
#[must_use]
pub fn same_cookie(a: &Cookie<'_>, b: &Cookie<'_>) -> bool {
    a.name() == b.name()
        && a.path() == b.path()
        && a.domain().map(|d| d.trim_start_matches('.').to_ascii_lowercase())
            == b.domain().map(|d| d.trim_start_matches('.').to_ascii_lowercase())
}

/// The `Set-Cookie` value of `cookie`, with `Secure` added when `SameSite=None`. `None` when
/// the cookie cannot be a header value (a control character in it).
#[must_use]
pub fn header_value(cookie: &Cookie<'_>) -> Option<HeaderValue> {
    if cookie.same_site() == Some(SameSite::None) && cookie.secure() != Some(true) {
        let mut secure = cookie.clone();
        secure.set_secure(true);
        return HeaderValue::try_from(secure.encoded().to_string()).ok();
    }
    HeaderValue::try_from(cookie.encoded().to_string()).ok()
}

/// Sets `cookie` on a response's headers, replacing any `Set-Cookie` of the same cookie. A
/// cookie that cannot be a header value is logged and left out.
pub fn set_cookie(headers: &mut HeaderMap, cookie: &Cookie<'_>) {
    let Some(value) = header_value(cookie) else {
        tracing::error!(name = cookie.name(), "a cookie with characters a header cannot carry was not set");
        return;
    };
    let key = Key::of(cookie);
    if headers.get_all(SET_COOKIE).iter().any(|v| Key::parse(v).is_some_and(|k| k == key)) {
        let kept: Vec<HeaderValue> = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter(|v| !Key::parse(v).is_some_and(|k| k == key))
            .cloned()
            .collect();
        headers.remove(SET_COOKIE);
        for v in kept {
            headers.append(SET_COOKIE, v);
        }
    }
    headers.append(SET_COOKIE, value);
}

/// What identifies a cookie (RFC 6265 §5.3): name, path and domain (without case or a leading
/// dot). Read leniently from a `Set-Cookie` line, without decoding its value, so that lines set
/// by hand in any form are recognized.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    name: String,
    path: Option<String>,
    domain: Option<String>,
}

impl Key {
    fn of(cookie: &Cookie<'_>) -> Self {
        // Names are compared as sent: percent-encoded as `Cookie::encoded` writes them.
        let encoded = cookie.encoded().to_string();
        let name = encoded.split_once('=').map_or(encoded.as_str(), |(n, _)| n).trim().to_owned();
        Self { name, path: cookie.path().map(str::to_owned), domain: cookie.domain().map(normalize_domain) }
    }

    fn parse(line: &HeaderValue) -> Option<Self> {
        let line = std::str::from_utf8(line.as_bytes()).ok()?;
        let mut parts = line.split(';');
        let name = parts.next()?.split_once('=')?.0.trim().to_owned();
        let (mut path, mut domain) = (None, None);
        for attribute in parts {
            let (k, v) = attribute.split_once('=').unwrap_or((attribute, ""));
            match k.trim().to_ascii_lowercase().as_str() {
                "path" => path = Some(v.trim().to_owned()),
                "domain" => domain = Some(normalize_domain(v.trim())),
                _ => {}
            }
        }
        Some(Self { name, path, domain })
    }
}

fn normalize_domain(domain: &str) -> String {
    domain.trim_start_matches('.').to_ascii_lowercase()
}

/// Sets cookies on responses that do not set them already; see the [module docs](self).
#[derive(Clone, Default)]
#[must_use]
pub struct CookiesLayer {
    /// Each cookie with its identity and header value, both computed once here.
    cookies: Arc<Vec<(Cookie<'static>, Key, HeaderValue)>>,
    on_every_status: bool,
    public_with_cookies: bool,
}

impl fmt::Debug for CookiesLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CookiesLayer")
            .field("cookies", &self.cookies.iter().map(|(c, _, _)| c.name()).collect::<Vec<_>>())
            .field("on_every_status", &self.on_every_status)
            .field("public_with_cookies", &self.public_with_cookies)
            .finish()
    }
}

impl CookiesLayer {
    /// A layer with no cookie.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a cookie; a later one that is the same cookie replaces it. A cookie that cannot
    /// be a header value is logged and left out.
    pub fn cookie(mut self, cookie: Cookie<'static>) -> Self {
        let Some(value) = header_value(&cookie) else {
            tracing::error!(
                name = cookie.name(),
                "a cookie with characters a header cannot carry was not set"
            );
            return self;
        };
        let key = Key::of(&cookie);
        let cookies = Arc::make_mut(&mut self.cookies);
        cookies.retain(|(c, _, _)| !same_cookie(c, &cookie));
        cookies.push((cookie, key, value));
        self
    }

    /// The cookies of this level, for documentation.
    pub fn cookies(&self) -> impl Iterator<Item = &Cookie<'static>> {
        self.cookies.iter().map(|(c, _, _)| c)
    }

    /// Whether the layer holds no cookie.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// Sets this layer's cookies on responses of every status. Without this, they go on 2xx
    /// and 3xx responses only (see the [module docs](self)).
    pub const fn on_every_status(mut self) -> Self {
        self.on_every_status = true;
        self
    }

    /// Whether this layer sets its cookies on a response of `status`, for documentation.
    #[must_use]
    pub fn sets_cookies_on(&self, status: http::StatusCode) -> bool {
        self.on_every_status || strata_tower::cache_safety::gets_cache_headers(status)
    }

    /// Leaves a `Cache-Control` that lets shared caches store the response alone when this
    /// layer adds a cookie. Without this, such a response is made `private` (see the
    /// [module docs](self)). For cookies that are the same for every user.
    pub const fn public_with_cookies(mut self) -> Self {
        self.public_with_cookies = true;
        self
    }

    /// Adds this level's cookies to a response, but none it sets already, and none to a
    /// response that is neither 2xx nor 3xx unless the layer [says so](Self::on_every_status);
    /// then keeps a response that got a cookie out of shared caches, unless the layer
    /// [says otherwise](Self::public_with_cookies).
    pub(crate) fn apply<B>(&self, response: &mut Response<B>) {
        if self.cookies.is_empty()
            || !(self.on_every_status || cache_safety::gets_cache_headers(response.status()))
        {
            return;
        }
        let headers = response.headers_mut();
        let present: Vec<Key> = headers.get_all(SET_COOKIE).iter().filter_map(Key::parse).collect();
        let mut added = false;
        for (_, key, value) in self.cookies.iter() {
            if !present.contains(key) {
                headers.append(SET_COOKIE, value.clone());
                added = true;
            }
        }
        if added && !self.public_with_cookies {
            cache_safety::keep_cookies_private(headers);
        }
    }
}

impl<S> Layer<S> for CookiesLayer {
    type Service = Cookies<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cookies::new(inner, self.clone())
    }
}

/// The service of [`CookiesLayer`].
pub type Cookies<S> = StepService<S, CookiesLayer>;

/// The response future of [`Cookies`].
pub type ResponseFuture<F> = StepFuture<F, CookiesLayer>;

impl Step for CookiesLayer {
    type Noted = ();

    #[inline]
    fn note<ReqBody>(&self, _: &Request<ReqBody>) {}
}

impl<B> Finish<B> for CookiesLayer {
    fn finish(&self, (): &(), mut response: Response<B>) -> Response<B> {
        self.apply(&mut response);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(headers: &HeaderMap) -> Vec<&str> {
        headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect()
    }

    #[test]
    fn the_same_cookie_twice_keeps_the_last() {
        let mut h = HeaderMap::new();
        set_cookie(&mut h, &Cookie::build(("a", "1")).path("/").build());
        set_cookie(&mut h, &Cookie::build(("b", "1")).build());
        set_cookie(&mut h, &Cookie::build(("a", "2")).path("/").build());
        // Another path is another cookie.
        set_cookie(&mut h, &Cookie::build(("a", "3")).path("/x").build());
        assert_eq!(lines(&h), ["b=1", "a=2; Path=/", "a=3; Path=/x"]);
    }

    #[test]
    fn same_site_none_always_carries_secure() {
        let c = Cookie::build(("s", "v")).same_site(SameSite::None).build();
        assert_eq!(header_value(&c).unwrap(), "s=v; SameSite=None; Secure");
    }

    #[test]
    fn removal_keeps_path_and_domain() {
        let c = removal("my-cookie", Some("/app"), Some("example.com"));
        assert_eq!(
            header_value(&c).unwrap(),
            "my-cookie=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }

    #[test]
    fn values_are_percent_encoded_so_they_cannot_break_the_header() {
        let c = Cookie::new("n", "a;b\r\nSet-Cookie: x=1");
        let v = header_value(&c).unwrap();
        assert_eq!(v, "n=a%3Bb%0D%0ASet-Cookie%3A%20x%3D1");
    }

    #[test]
    fn secure_prefixed_cookies_are_deleted_with_secure() {
        assert_eq!(removal("__Host-id", Some("/"), None).secure(), Some(true));
        assert_eq!(removal("__secure-x", None, None).secure(), Some(true));
        assert_eq!(removal("plain", None, None).secure(), None);
    }

    #[test]
    fn hand_written_lines_that_are_not_utf8_after_decoding_still_count_as_the_cookie() {
        let mut h = HeaderMap::new();
        h.append(SET_COOKIE, HeaderValue::from_static("s=%ff; Path=/; domain=.Example.com"));
        set_cookie(&mut h, &Cookie::build(("s", "ok")).path("/").domain("example.com").build());
        assert_eq!(lines(&h), ["s=ok; Path=/; Domain=example.com"]);
    }

    fn response(status: u16, headers: &[(&'static str, &'static str)]) -> Response<()> {
        let mut response = Response::new(());
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
        for (n, v) in headers {
            response.headers_mut().append(*n, HeaderValue::from_static(v));
        }
        response
    }

    #[test]
    fn a_level_never_adds_a_cookie_the_response_sets() {
        let layer = CookiesLayer::new()
            .cookie(Cookie::build(("theme", "app")).path("/").build())
            .cookie(Cookie::new("lang", "en"));
        let mut r = response(200, &[("set-cookie", "theme=dark; Path=/")]);
        layer.apply(&mut r);
        assert_eq!(lines(r.headers()), ["theme=dark; Path=/", "lang=en"]);
    }

    #[test]
    fn a_levels_cookies_go_on_successes_and_redirections_unless_every_status_is_asked() {
        let layer = CookiesLayer::new().cookie(Cookie::new("lang", "en"));
        for status in [200, 201, 303] {
            let mut r = response(status, &[]);
            layer.apply(&mut r);
            assert_eq!(lines(r.headers()), ["lang=en"], "{status}");
        }
        for status in [400, 404, 500] {
            let mut r = response(status, &[("set-cookie", "handler=kept")]);
            layer.apply(&mut r);
            assert_eq!(lines(r.headers()), ["handler=kept"], "{status}: the handler's own cookie stays");
            let mut r = response(status, &[]);
            layer.clone().on_every_status().apply(&mut r);
            assert_eq!(lines(r.headers()), ["lang=en"], "{status}");
        }
    }

    #[test]
    fn a_cookie_a_level_adds_keeps_the_response_out_of_shared_caches() {
        let layer = CookiesLayer::new().cookie(Cookie::new("lang", "en"));
        let mut r = response(200, &[("cache-control", "public, max-age=60")]);
        layer.apply(&mut r);
        assert_eq!(r.headers()["cache-control"], "max-age=60, private");
        let mut r = response(200, &[("cache-control", "public, max-age=60")]);
        layer.public_with_cookies().apply(&mut r);
        assert_eq!(r.headers()["cache-control"], "public, max-age=60");
    }
}
