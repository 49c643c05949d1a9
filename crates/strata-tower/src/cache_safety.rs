//! Caches are never poisoned by default: the rules the layers that set cache headers and
//! cookies follow, as functions of their own.
//!
//! - **Errors are not stored for long.** A level's `Cache-Control`, `Expires`, `ETag` and
//!   `Last-Modified` go only on 2xx and 3xx responses ([`gets_cache_headers`]), unless the
//!   level opts in for every status
//!   ([`ResponseHeadersLayer::cache_headers_on_every_status`](crate::response_headers::ResponseHeadersLayer::cache_headers_on_every_status)).
//!   Otherwise an app's `max-age=2592000, public` would let a CDN keep a 404 or a 500 for a
//!   month, and the app's ETag would validate an error as if it were the content.
//! - **A cookie is one user's.** A response that sets a cookie and whose `Cache-Control` a shared
//!   cache may store it under is made `private` ([`keep_cookies_private`]): a shared cache that
//!   stored it would hand the cookie (a session, say) to the next user (RFC 9111 §7.3 notes that
//!   `Set-Cookie` does not stop caching). A level that adds the cookie or the `Cache-Control`
//!   does this, unless it opts out
//!   ([`ResponseHeadersLayer::public_with_cookies`](crate::response_headers::ResponseHeadersLayer::public_with_cookies)).
//!   A response whose handler set both itself is the handler's to answer for, and is left alone.
//! - **A strong tag names one encoding.** A body may be compressed after a level has tagged
//!   it (tower-http's `CompressionLayer` outside the app, or a proxy), and tower-http keeps the
//!   `ETag` as it is while it changes the bytes: a strong tag would then name two different
//!   bodies, which RFC 9110 §8.8.3 forbids (a client could splice a range of one into the
//!   other). So a level sends its ETags, static or computed, weak
//!   ([`ETag::into_weak`](strata_headers::ETag::into_weak)), unless it opts in to strong ones.
//!   Weak tags still revalidate: `If-None-Match` compares weakly (RFC 9110 §13.1.2).
//!
//! ```
//! use http::{HeaderMap, HeaderValue, StatusCode};
//! use strata_tower::cache_safety::{gets_cache_headers, keep_cookies_private};
//!
//! assert!(gets_cache_headers(StatusCode::OK) && gets_cache_headers(StatusCode::SEE_OTHER));
//! assert!(!gets_cache_headers(StatusCode::NOT_FOUND) && !gets_cache_headers(StatusCode::BAD_GATEWAY));
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("cache-control", HeaderValue::from_static("max-age=600, s-maxage=3600, public"));
//! headers.insert("set-cookie", HeaderValue::from_static("session=abc; HttpOnly"));
//! assert!(keep_cookies_private(&mut headers));
//! assert_eq!(headers["cache-control"], "max-age=600, private");
//! ```

use http::{HeaderMap, HeaderValue, StatusCode, header};
use strata_headers::{
    CacheControl,
    headers::{Header, HeaderMapExt},
};

/// Whether a response of `status` gets a level's cache headers (and, in axum-strata, its
/// cookies) when the level does not opt in for every status: 2xx and 3xx.
#[must_use]
pub fn gets_cache_headers(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

/// Whether `name` is one of the headers [`gets_cache_headers`] is about: `Cache-Control`,
/// `Expires`, `ETag` and `Last-Modified`, which make caches keep a response or revalidate it.
#[must_use]
pub fn is_cache_header(name: &http::HeaderName) -> bool {
    [header::CACHE_CONTROL, header::EXPIRES, header::ETAG, header::LAST_MODIFIED].contains(name)
}

/// Makes a response that sets a cookie private to one user's cache, when its `Cache-Control`
/// lets a shared cache store the cookie: neither `no-store`, nor a bare `private`, nor a
/// `private` that names `Set-Cookie`. Its directives become
/// [`CacheControl::into_private`]'s (a bare `private`, no `public`, no `s-maxage`); a
/// `Cache-Control` that cannot be read becomes `private`. A response without `Set-Cookie`, or
/// without `Cache-Control`, is left alone. Returns whether it changed anything.
pub fn keep_cookies_private(headers: &mut HeaderMap) -> bool {
    if !headers.contains_key(header::SET_COOKIE) || !headers.contains_key(header::CACHE_CONTROL) {
        return false;
    }
    let private = match headers.typed_get::<CacheControl>() {
        Some(cc) if !shared_caches_may_store_cookies(&cc) => return false,
        Some(cc) => cc.into_private(),
        None => CacheControl::new().private(),
    };
    let mut values: Vec<HeaderValue> = Vec::with_capacity(1);
    private.encode(&mut values);
    headers.remove(header::CACHE_CONTROL);
    for value in values {
        headers.append(header::CACHE_CONTROL, value);
    }
    true
}

/// Whether a shared cache may store a response with these directives and its `Set-Cookie`.
fn shared_caches_may_store_cookies(cc: &CacheControl) -> bool {
    if cc.is_no_store() {
        return false;
    }
    match cc.private_fields() {
        // A bare `private`: no shared cache stores the response.
        Some([]) => false,
        // `private="set-cookie"`: shared caches may store the rest, without the cookie.
        Some(fields) => !fields.contains(&header::SET_COOKIE),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(cache_control: &[&'static str], cookie: bool) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for cc in cache_control {
            headers.append(header::CACHE_CONTROL, HeaderValue::from_static(cc));
        }
        if cookie {
            headers.append(header::SET_COOKIE, HeaderValue::from_static("session=abc"));
        }
        headers
    }

    fn cache_control(headers: &HeaderMap) -> Vec<&str> {
        headers.get_all(header::CACHE_CONTROL).iter().map(|v| v.to_str().unwrap_or("?")).collect()
    }

    #[test]
    fn what_a_shared_cache_may_store_with_a_cookie_becomes_private() {
        for (given, made) in [
            (&["public, max-age=60"][..], "max-age=60, private"),
            (&["max-age=60"], "max-age=60, private"),
            (&["s-maxage=60"], "private"),
            (&["no-cache"], "no-cache, private"),
            (&["public", "max-age=5, immutable"], "max-age=5, private, immutable"),
            (&["private=\"x-secret\", max-age=5"], "max-age=5, private"),
            (&["max-age=soon"], "private"),
        ] {
            let mut headers = with(given, true);
            assert!(keep_cookies_private(&mut headers), "{given:?}");
            assert_eq!(cache_control(&headers), [made], "{given:?}");
            assert_eq!(headers[header::SET_COOKIE], "session=abc", "the cookie stays");
        }
    }

    #[test]
    fn what_no_shared_cache_stores_is_left_alone() {
        for given in
            ["private, max-age=60", "no-store", "public, no-store", "private=\"set-cookie\", max-age=9"]
        {
            let mut headers = with(&[given], true);
            assert!(!keep_cookies_private(&mut headers), "{given}");
            assert_eq!(cache_control(&headers), [given]);
        }
        // No cookie, or no Cache-Control: nothing to do.
        let mut headers = with(&["public, max-age=60"], false);
        assert!(!keep_cookies_private(&mut headers));
        let mut headers = with(&[], true);
        assert!(!keep_cookies_private(&mut headers));
        assert!(headers.get(header::CACHE_CONTROL).is_none());
    }

    #[test]
    fn cache_headers_are_for_successes_and_redirections() {
        for code in [200, 201, 204, 206, 300, 301, 304, 308] {
            assert!(gets_cache_headers(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [100, 400, 404, 410, 412, 500, 503] {
            assert!(!gets_cache_headers(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        assert!(is_cache_header(&header::EXPIRES) && !is_cache_header(&header::VARY));
    }
}
