//! The host a request names: [`RequireHostLayer`] answers 400 when an HTTP/1.1 request's `Host`
//! is missing, repeated or invalid (RFC 9112 §3.2), and [`RequestUrl`] is the absolute URL a
//! request asked for.
//!
//! ```
//! use axum::{Router, body::Body, routing::get};
//! use axum_strata::host::{RequestUrl, RequireHostLayer};
//! use http::{Request, StatusCode};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! async fn whoami(url: RequestUrl) -> String {
//!     url.to_string()
//! }
//! let app = Router::new().route("/who", get(whoami)).layer(RequireHostLayer::new());
//!
//! let request = Request::builder().uri("/who?x=1").header("host", "shop.example").body(Body::empty()).unwrap();
//! let response = app.clone().oneshot(request).await.unwrap();
//! let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
//! assert_eq!(body, "http://shop.example/who?x=1");
//!
//! // Absolute form: the target's authority wins over Host (RFC 9112 §3.2.2).
//! let request = Request::builder().uri("http://a.example/who").header("host", "b.example").body(Body::empty()).unwrap();
//! let body = axum::body::to_bytes(app.clone().oneshot(request).await.unwrap().into_body(), 1024).await.unwrap();
//! assert_eq!(body, "http://a.example/who");
//!
//! let no_host = Request::builder().uri("/who").body(Body::empty()).unwrap();
//! assert_eq!(app.oneshot(no_host).await.unwrap().status(), StatusCode::BAD_REQUEST);
//! # }
//! ```
//!
//! # Where the URL comes from
//!
//! | part | from, first that is there and valid |
//! |---|---|
//! | scheme | a trusted proxy's `proto`; the target's scheme (absolute form); `http` |
//! | host and port | a trusted proxy's `host`; the target's authority (absolute form, HTTP/2); `Host` |
//! | path and query | the target, as the client wrote it (before any `nest` took a prefix off) |
//!
//! Forwarded headers (`Forwarded`, or `X-Forwarded-Proto` and `X-Forwarded-Host`) can be sent by
//! anyone, so they count only when the app says which proxies to believe, with a
//! [`TrustForwarded`] request extension (axum's `Extension` layer): the element or value the
//! outermost of your proxies appended, counted from the end, is used; a header with fewer
//! entries than you have proxies, or an entry that is not a valid host or scheme, is ignored.
//! Without it, neither header is read.
//!
//! # Limits
//!
//! `Forwarded` is parsed by [`headers::Forwarded`](crate::headers::Forwarded) (at most 64
//! elements); `X-Forwarded-*` lines are split on commas. Header sizes are bounded by hyper
//! (about 400 KiB for the whole head, 100 fields).

use std::{convert::Infallible, fmt};

use axum::extract::{FromRequestParts, OriginalUri};
use http::{HeaderMap, StatusCode, Uri, request::Parts, uri::Scheme};
use strata_headers::{Forwarded, Host, headers::Header as _};
pub use strata_tower::require_host::{HostProblem, RequireHost, RequireHostLayer};

/// Which forwarded headers to believe, and how many proxies appended to them; see the
/// [module docs](self). The default believes none.
///
/// ```
/// use axum::{Extension, Router, routing::get};
/// use axum_strata::host::{RequestUrl, TrustForwarded};
///
/// // One reverse proxy in front, which appends to X-Forwarded-Proto and X-Forwarded-Host.
/// let app: Router = Router::new()
///     .route("/", get(|url: RequestUrl| async move { url.to_string() }))
///     .layer(Extension(TrustForwarded::x_forwarded(1)));
/// # let _ = app;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct TrustForwarded {
    source: Source,
    proxies: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Source {
    #[default]
    Nothing,
    Forwarded,
    XForwarded,
}

impl TrustForwarded {
    /// Believe no forwarded header (the default).
    pub const fn none() -> Self {
        Self { source: Source::Nothing, proxies: 0 }
    }

    /// Believe `Forwarded` (RFC 7239), to which `proxies` proxies of yours each append an
    /// element: the element `proxies`-th from the end gives `proto` and `host`. 0 is [`none`](Self::none).
    pub const fn forwarded(proxies: usize) -> Self {
        Self { source: Source::Forwarded, proxies }
    }

    /// Believe `X-Forwarded-Proto` and `X-Forwarded-Host`, to which `proxies` proxies of yours
    /// each append a value: the value `proxies`-th from the end of each is used. 0 is
    /// [`none`](Self::none).
    pub const fn x_forwarded(proxies: usize) -> Self {
        Self { source: Source::XForwarded, proxies }
    }

    /// The scheme and host the trusted proxies say the client asked for, each when given and
    /// valid.
    fn read(self, headers: &HeaderMap) -> (Option<Scheme>, Option<Host>) {
        let Some(back) = self.proxies.checked_sub(1) else { return (None, None) };
        match self.source {
            Source::Nothing => (None, None),
            Source::Forwarded => {
                let Ok(forwarded) = Forwarded::decode(&mut headers.get_all(http::header::FORWARDED).iter())
                else {
                    return (None, None);
                };
                let Some(element) = forwarded.elements().iter().rev().nth(back) else { return (None, None) };
                (element.proto().and_then(scheme), element.host().and_then(non_empty_host))
            }
            Source::XForwarded => {
                let nth = |name: &str| -> Option<String> {
                    let values: Vec<&str> = headers
                        .get_all(name)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .flat_map(|v| v.split(','))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .collect();
                    values.iter().rev().nth(back).map(|v| (*v).to_owned())
                };
                (
                    nth("x-forwarded-proto").as_deref().and_then(scheme),
                    nth("x-forwarded-host").as_deref().and_then(non_empty_host),
                )
            }
        }
    }
}

/// `scheme` of RFC 3986 §3.1, lower-cased.
fn scheme(s: &str) -> Option<Scheme> {
    let mut bytes = s.bytes();
    let valid = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !valid {
        return None;
    }
    s.to_ascii_lowercase().parse().ok()
}

fn non_empty_host(s: &str) -> Option<Host> {
    Host::new(s).ok().filter(|h| !h.is_empty())
}

crate::macros::rejection! {
    /// Why a request's absolute URL could not be known: a 400 problem.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum RequestUrlRejection {
        /// No authority in the target, and no `Host` (or an empty one).
        #[status = StatusCode::BAD_REQUEST]
        #[body = "the request names no host"]
        NoHost,
        /// Two `Host` lines, or one that is not a host and an optional port.
        #[status = StatusCode::BAD_REQUEST]
        #[body = "the Host header is not a host and an optional port"]
        InvalidHost,
        /// The parts do not make a URL.
        #[status = StatusCode::BAD_REQUEST]
        #[body = "the request's URL cannot be put together"]
        Invalid,
    }
}

/// The absolute URL a request asked for (scheme, host and port, path and query); see the
/// [module docs](self) for where each part comes from. As an extractor it rejects with a 400
/// problem when the request names no host.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct RequestUrl(Uri);

impl RequestUrl {
    /// The URL of the request `parts`, believing the forwarded headers `trust` names.
    ///
    /// # Errors
    ///
    /// When the request names no host, or an invalid one.
    pub fn from_parts(parts: &Parts, trust: TrustForwarded) -> Result<Self, RequestUrlRejection> {
        let (forwarded_scheme, forwarded_host) = trust.read(&parts.headers);
        let target = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |original| &original.0);
        let scheme = forwarded_scheme.or_else(|| parts.uri.scheme().cloned()).unwrap_or(Scheme::HTTP);
        let authority = match (forwarded_host, parts.uri.authority()) {
            (Some(host), _) => host.as_str().to_owned(),
            // RFC 9110 §4.2.4: userinfo in a target is an error, and must not reach a URL.
            (None, Some(authority)) if authority.as_str().contains('@') => {
                return Err(RequestUrlRejection::InvalidHost);
            }
            (None, Some(authority)) => authority.as_str().to_owned(),
            (None, None) => {
                let host =
                    Host::decode(&mut parts.headers.get_all(http::header::HOST).iter()).map_err(|_| {
                        if parts.headers.contains_key(http::header::HOST) {
                            RequestUrlRejection::InvalidHost
                        } else {
                            RequestUrlRejection::NoHost
                        }
                    })?;
                if host.is_empty() {
                    return Err(RequestUrlRejection::NoHost);
                }
                host.as_str().to_owned()
            }
        };
        // `*` (OPTIONS) and authority-form (CONNECT) targets have no path: the URL is the root.
        let path_and_query = target.path_and_query().map_or("/", |pq| pq.as_str());
        let path_and_query = if path_and_query.starts_with('/') { path_and_query } else { "/" };
        Uri::builder()
            .scheme(scheme)
            .authority(authority)
            .path_and_query(path_and_query)
            .build()
            .map(Self)
            .map_err(|_| RequestUrlRejection::Invalid)
    }

    /// The URL.
    #[must_use]
    pub const fn uri(&self) -> &Uri {
        &self.0
    }

    /// The URL, owned.
    #[must_use]
    pub fn into_uri(self) -> Uri {
        self.0
    }
}

impl fmt::Display for RequestUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestUrl {
    type Rejection = RequestUrlRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, RequestUrlRejection> {
        let trust = parts.extensions.get::<TrustForwarded>().copied().unwrap_or_default();
        Self::from_parts(parts, trust)
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for RequestUrl {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Infallible> {
        Ok(<Self as FromRequestParts<S>>::from_request_parts(parts, state).await.ok())
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    /// Nothing to document: the URL comes from the request line and `Host`, which every
    /// request has.
    impl aide::OperationInput for super::RequestUrl {}
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use http::Request;

    use super::*;

    fn url(
        uri: &str,
        headers: &[(&str, &str)],
        trust: TrustForwarded,
    ) -> Result<String, RequestUrlRejection> {
        let mut request = Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (parts, ()) = request.body(()).unwrap().into_parts();
        RequestUrl::from_parts(&parts, trust).map(|u| u.to_string())
    }

    const NONE: TrustForwarded = TrustForwarded::none();

    #[test]
    fn host_and_target_make_the_url() {
        assert_eq!(
            url("/a?b=1", &[("host", "x.example:8080")], NONE).unwrap(),
            "http://x.example:8080/a?b=1"
        );
        assert_eq!(url("/", &[("host", "[::1]")], NONE).unwrap(), "http://[::1]/");
        assert_eq!(url("*", &[("host", "x")], NONE).unwrap(), "http://x/");
    }

    #[test]
    fn the_targets_authority_wins_over_host() {
        let u = url("http://a.example/seeds/api/info", &[("host", "b.example")], NONE).unwrap();
        assert_eq!(u, "http://a.example/seeds/api/info");
        assert_eq!(url("https://a.example:1/x", &[], NONE).unwrap(), "https://a.example:1/x");
    }

    #[test]
    fn missing_empty_repeated_and_invalid_hosts_are_refused() {
        assert_eq!(url("/", &[], NONE), Err(RequestUrlRejection::NoHost));
        assert_eq!(url("/", &[("host", "")], NONE), Err(RequestUrlRejection::NoHost));
        assert_eq!(url("/", &[("host", "a"), ("host", "b")], NONE), Err(RequestUrlRejection::InvalidHost));
        assert_eq!(url("/", &[("host", "u@evil")], NONE), Err(RequestUrlRejection::InvalidHost));
    }

    #[test]
    fn forwarded_headers_count_only_when_trusted() {
        let spoofed = [
            ("host", "inner:8000"),
            ("forwarded", "proto=https;host=evil.example"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.example"),
        ];
        assert_eq!(url("/p", &spoofed, NONE).unwrap(), "http://inner:8000/p");
        assert_eq!(url("/p", &spoofed, TrustForwarded::forwarded(1)).unwrap(), "https://evil.example/p");
        assert_eq!(url("/p", &spoofed, TrustForwarded::x_forwarded(1)).unwrap(), "https://evil.example/p");
        assert_eq!(url("/p", &spoofed, TrustForwarded::forwarded(0)).unwrap(), "http://inner:8000/p");
    }

    #[test]
    fn the_value_of_the_outermost_trusted_proxy_is_used() {
        // The client sent a value of its own first; our one proxy appended the real one.
        let headers = [
            ("host", "inner"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-host", "shop.example"),
            ("x-forwarded-proto", "http, HTTPS"),
            ("forwarded", "host=evil.example, host=shop.example;proto=https"),
        ];
        assert_eq!(url("/", &headers, TrustForwarded::x_forwarded(1)).unwrap(), "https://shop.example/");
        assert_eq!(url("/", &headers, TrustForwarded::forwarded(1)).unwrap(), "https://shop.example/");
        assert_eq!(url("/", &headers, TrustForwarded::x_forwarded(2)).unwrap(), "http://evil.example/");
        // Fewer entries than proxies: the header is ignored.
        assert_eq!(url("/", &headers, TrustForwarded::forwarded(3)).unwrap(), "http://inner/");
    }

    #[test]
    fn invalid_forwarded_values_are_ignored() {
        let headers = [("host", "inner"), ("x-forwarded-host", "a b"), ("x-forwarded-proto", "1http")];
        assert_eq!(url("/", &headers, TrustForwarded::x_forwarded(1)).unwrap(), "http://inner/");
        let headers = [("host", "inner"), ("forwarded", "host=\"a b\"")];
        assert_eq!(url("/", &headers, TrustForwarded::forwarded(1)).unwrap(), "http://inner/");
    }

    #[test]
    fn nested_routers_see_the_whole_path() {
        let mut request = Request::builder().uri("/inner").header("host", "x").body(()).unwrap();
        request.extensions_mut().insert(OriginalUri("/outer/inner?q".parse().unwrap()));
        let (parts, ()) = request.into_parts();
        assert_eq!(RequestUrl::from_parts(&parts, NONE).unwrap().to_string(), "http://x/outer/inner?q");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_hosts_and_forwarded_values_never_panic(
            host in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            forwarded in "[ -~]{0,60}",
            proxies in 0_usize..4,
        ) {
            let mut request = Request::builder().uri("/");
            if let Ok(value) = http::HeaderValue::from_bytes(&host) {
                request = request.header("host", value);
            }
            if let Ok(value) = http::HeaderValue::from_str(&forwarded) {
                request = request.header("forwarded", value.clone()).header("x-forwarded-host", value.clone()).header("x-forwarded-proto", value);
            }
            let (parts, ()) = request.body(()).unwrap().into_parts();
            for trust in [NONE, TrustForwarded::forwarded(proxies), TrustForwarded::x_forwarded(proxies)] {
                if let Ok(url) = RequestUrl::from_parts(&parts, trust) {
                    proptest::prop_assert!(url.uri().authority().is_some());
                }
            }
        }
    }
}
