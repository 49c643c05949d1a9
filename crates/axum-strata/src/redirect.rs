//! Redirects, one constructor per status: [`moved_permanently`](Redirect::moved_permanently)
//! (301), [`found`](Redirect::found) (302), [`see_other`](Redirect::see_other) (303),
//! [`temporary`](Redirect::temporary) (307) and [`permanent`](Redirect::permanent) (308), or
//! [`with_status`](Redirect::with_status).
//!
//! Litestar's `Redirect` defaults to 302: that is [`Redirect::found`]. There is no `to`, on
//! purpose: axum's `Redirect::to` means 303 See Other, and a reader should not have to know
//! which crate's `to` they are looking at.
//!
//! Targets may be relative (`/other-path`, `../up`) or absolute; characters that cannot stand
//! in a URI (spaces, non-ASCII) are percent-encoded, and a target with a control character (CR
//! and LF among them, the stuff of header injection) is refused, as is any status that is not a
//! redirect.
//!
//! ```
//! use axum::{http::StatusCode, response::IntoResponse};
//! use axum_strata::redirect::Redirect;
//!
//! let r = Redirect::found("/other-path").unwrap().with_query([("page", "2"), ("q", "a b&c")]).into_response();
//! assert_eq!(r.status(), StatusCode::FOUND);
//! assert_eq!(r.headers()["location"], "/other-path?page=2&q=a%20b%26c");
//!
//! assert!(Redirect::found("/x\r\nSet-Cookie: a=b").is_err());
//! assert!(Redirect::with_status("/x", StatusCode::OK).is_err());
//! assert_eq!(Redirect::see_other("/done").unwrap().status(), StatusCode::SEE_OTHER);
//! ```

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use strata_headers::uri;

use crate::problem::Problem;

/// A redirect response; see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Redirect {
    status: StatusCode,
    location: String,
}

/// Why a redirect could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectError {
    /// The status is not 301, 302, 303, 307 or 308.
    NotARedirectStatus(StatusCode),
    /// The target has a control character.
    InvalidLocation,
}

impl RedirectError {
    /// The status of the response the error becomes: 500, since the handler built it.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    /// What went wrong.
    #[must_use]
    pub fn body_text(&self) -> String {
        match self {
            Self::NotARedirectStatus(s) => format!("{s} is not a redirect status (301, 302, 303, 307, 308)"),
            Self::InvalidLocation => "the redirect target has a control character".to_owned(),
        }
    }
}

impl std::fmt::Display for RedirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.body_text())
    }
}

impl std::error::Error for RedirectError {}

impl IntoResponse for RedirectError {
    fn into_response(self) -> Response {
        tracing::error!("redirect refused: {self}");
        Problem::new(self.status()).with_detail("the redirect could not be built").into_response()
    }
}

impl Redirect {
    /// A redirect with `status`, which must be 301, 302, 303, 307 or 308.
    ///
    /// # Errors
    ///
    /// When the status is not one of those, or `location` has a control character.
    pub fn with_status(location: impl AsRef<str>, status: StatusCode) -> Result<Self, RedirectError> {
        if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            return Err(RedirectError::NotARedirectStatus(status));
        }
        let location = location.as_ref();
        if uri::has_control(location) {
            return Err(RedirectError::InvalidLocation);
        }
        Ok(Self { status, location: uri::escape(location).into_owned() })
    }

    /// 301 Moved Permanently.
    ///
    /// # Errors
    ///
    /// When `location` has a control character.
    pub fn moved_permanently(location: impl AsRef<str>) -> Result<Self, RedirectError> {
        Self::with_status(location, StatusCode::MOVED_PERMANENTLY)
    }

    /// 302 Found: Litestar's default. (axum's `Redirect::to` is 303: [`see_other`](Self::see_other).)
    ///
    /// # Errors
    ///
    /// When `location` has a control character.
    pub fn found(location: impl AsRef<str>) -> Result<Self, RedirectError> {
        Self::with_status(location, StatusCode::FOUND)
    }

    /// 303 See Other: after a POST, fetch the target with GET.
    ///
    /// # Errors
    ///
    /// When `location` has a control character.
    pub fn see_other(location: impl AsRef<str>) -> Result<Self, RedirectError> {
        Self::with_status(location, StatusCode::SEE_OTHER)
    }

    /// 307 Temporary Redirect: repeat the same method at the target.
    ///
    /// # Errors
    ///
    /// When `location` has a control character.
    pub fn temporary(location: impl AsRef<str>) -> Result<Self, RedirectError> {
        Self::with_status(location, StatusCode::TEMPORARY_REDIRECT)
    }

    /// 308 Permanent Redirect: repeat the same method at the target, from now on.
    ///
    /// # Errors
    ///
    /// When `location` has a control character.
    pub fn permanent(location: impl AsRef<str>) -> Result<Self, RedirectError> {
        Self::with_status(location, StatusCode::PERMANENT_REDIRECT)
    }

    /// Adds query parameters, percent-encoded, before any `#fragment`.
    pub fn with_query<I, K, V>(mut self, params: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let (base, fragment) = match self.location.split_once('#') {
            Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
            None => (self.location.clone(), None),
        };
        let mut location = base;
        let mut sep = if location.contains('?') { '&' } else { '?' };
        for (k, v) in params {
            location.push(sep);
            location.extend(utf8_percent_encode(k.as_ref(), NON_ALPHANUMERIC));
            location.push('=');
            location.extend(utf8_percent_encode(v.as_ref(), NON_ALPHANUMERIC));
            sep = '&';
        }
        if let Some(fragment) = fragment {
            location.push('#');
            location.push_str(&fragment);
        }
        self.location = location;
        self
    }

    /// The status.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Location`, as sent.
    #[must_use]
    pub fn location(&self) -> &str {
        &self.location
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        // Escaped and free of control characters at construction: always a valid value.
        match HeaderValue::try_from(self.location) {
            Ok(location) => (self.status, [(header::LOCATION, location)]).into_response(),
            Err(_) => RedirectError::InvalidLocation.into_response(),
        }
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };

    use super::{Redirect, RedirectError};
    use crate::openapi::fragments;

    /// A 3xx with `Location`.
    impl OperationOutput for Redirect {
        type Inner = Self;

        fn operation_response(_: &mut GenContext, _: &mut Operation) -> Option<Response> {
            let response = fragments::response("A redirect.", []);
            Some(fragments::with_header(response, "Location", "Where the resource is."))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            // Redirects are 301, 302, 303, 307 or 308, chosen by the constructor at run time.
            let Some(response) = Self::operation_response(ctx, operation) else { return Vec::new() };
            [301, 302, 303, 307, 308].into_iter().map(|status| (Some(status), response.clone())).collect()
        }
    }

    /// A redirect that could not be built: a 500 problem.
    impl OperationOutput for RedirectError {
        type Inner = Self;

        fn operation_response(_: &mut GenContext, _: &mut Operation) -> Option<Response> {
            Some(fragments::problem("The redirect could not be built."))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(Some(500), r)]).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_redirect_status_and_only_those() {
        for (r, s) in [
            (Redirect::moved_permanently("/a"), 301),
            (Redirect::found("/a"), 302),
            (Redirect::see_other("/a"), 303),
            (Redirect::temporary("/a"), 307),
            (Redirect::permanent("/a"), 308),
        ] {
            assert_eq!(r.unwrap().into_response().status(), s);
        }
        for s in [200, 300, 304, 305, 404] {
            assert!(Redirect::with_status("/a", StatusCode::from_u16(s).unwrap()).is_err(), "{s}");
        }
    }

    #[test]
    fn targets_are_escaped_and_injection_refused() {
        assert_eq!(
            Redirect::found("https://example.com/ü b").unwrap().location(),
            "https://example.com/%C3%BC%20b"
        );
        assert_eq!(Redirect::found("../up").unwrap().location(), "../up");
        assert_eq!(Redirect::found("/a\nb"), Err(RedirectError::InvalidLocation));
        assert_eq!(Redirect::found("/a\u{0}b"), Err(RedirectError::InvalidLocation));
        let e = Redirect::with_status("/a", StatusCode::OK).unwrap_err().into_response();
        assert_eq!(e.status(), 500);
    }

    #[test]
    fn query_parameters_go_before_the_fragment() {
        let r = Redirect::found("/docs?v=1#top").unwrap().with_query([("lang", "en")]);
        assert_eq!(r.location(), "/docs?v=1&lang=en#top");
    }
}
