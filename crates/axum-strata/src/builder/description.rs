//! What one level does on the wire, as one value that the level's service runs from and the
//! OpenAPI document (feature `openapi`) is written from.

use http::{HeaderValue, Method, StatusCode, header};
use strata_tower::{
    default_status::{DefaultStatusLayer, status_for},
    response_headers::{HeaderSpec, ResponseHeadersLayer},
};

#[cfg(feature = "cookies")]
use crate::cookies::{Cookie, CookiesLayer};
#[cfg(feature = "negotiation")]
use crate::negotiation::{Format, NegotiationLayer};

/// One level's description: the headers it sets or declares documentation-only (with their
/// descriptions), Cache-Control, its ETag, cookies, default statuses, negotiation and whether a
/// hook runs. [`StrataLayer`](super::StrataLayer) builds it; its service reads the same value,
/// and so does the OpenAPI document, so the document cannot say what the wire does not do.
///
/// It knows nothing of any OpenAPI library: `axum_strata::openapi` converts it for aide.
#[derive(Clone, Debug, Default)]
pub struct LevelDescription {
    pub(super) app: bool,
    pub(super) headers: ResponseHeadersLayer,
    /// The largest body hashed, when this level computes ETags.
    pub(super) computed_etag: Option<u64>,
    /// Whether this level's ETags, static and computed, are sent strong (weak by default).
    pub(super) strong_etags: bool,
    pub(super) plain_ok_default_status: bool,
    /// The status input problems (400) get at this level instead, if any.
    pub(super) input_error_status: Option<StatusCode>,
    /// The route metadata this level gives its requests (Litestar's `opt`), by type.
    pub(super) opts: Option<http::Extensions>,
    pub(super) after_request: bool,
    #[cfg(feature = "cookies")]
    pub(super) cookies: CookiesLayer,
    #[cfg(feature = "negotiation")]
    pub(super) negotiation: Option<NegotiationLayer>,
}

/// The ETag a level gives its responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EtagDescription<'a> {
    /// This level sets no ETag.
    None,
    /// A static ETag, sent as this value.
    Static(&'a HeaderValue),
    /// An ETag computed from bodies of known size up to `limit` bytes.
    Computed {
        /// The largest body hashed.
        limit: u64,
        /// Whether it is sent strong (a level's tags are weak unless it keeps them strong).
        strong: bool,
    },
    /// The handler sets it; the level only documents it (and outer levels leave it alone).
    DocumentationOnly(Option<&'a str>),
}

impl LevelDescription {
    /// Whether this is the app level (`Strata::app()`), which also answers conditional requests
    /// and ranges and resolves default statuses.
    #[must_use]
    pub const fn is_app(&self) -> bool {
        self.app
    }

    /// The headers this level sets or documents, in order, Cache-Control and a static ETag
    /// among them.
    #[must_use]
    pub fn headers(&self) -> &[HeaderSpec] {
        self.headers.specs()
    }

    /// The ETag this level gives responses that have none yet.
    #[must_use]
    pub fn etag(&self) -> EtagDescription<'_> {
        match self.headers().iter().find(|s| s.name() == header::ETAG) {
            Some(spec) if spec.is_documentation_only() => {
                EtagDescription::DocumentationOnly(spec.description())
            }
            Some(spec) => spec.values().first().map_or(EtagDescription::None, EtagDescription::Static),
            None => self.computed_etag.map_or(EtagDescription::None, |limit| EtagDescription::Computed {
                limit,
                strong: self.strong_etags,
            }),
        }
    }

    /// The status this level gives a response of `method` whose handler chose none (Strata's
    /// response types, and with [`default_status_for_plain_responses`] plain 200 responses
    /// when `plain` is true); `None` where this level leaves the status alone.
    ///
    /// [`default_status_for_plain_responses`]: super::StrataLayer::default_status_for_plain_responses
    #[must_use]
    pub fn default_status(&self, method: &Method, plain: bool) -> Option<StatusCode> {
        let resolves =
            if plain { self.plain_ok_default_status } else { self.app || self.plain_ok_default_status };
        resolves.then(|| status_for(method))
    }

    /// The computed-ETag step of the service, where this level has one.
    pub(super) fn computed_etag_layer(&self) -> Option<strata_tower::etag::ComputedETagLayer> {
        self.computed_etag.map(|limit| {
            let layer = strata_tower::etag::ComputedETagLayer::new().limit(limit);
            if self.strong_etags { layer.strong() } else { layer }
        })
    }

    /// The default-status step of the service, where this level has one.
    pub(super) fn default_status_layer(&self) -> Option<DefaultStatusLayer> {
        (self.app || self.plain_ok_default_status).then(|| {
            let status = DefaultStatusLayer::new();
            if self.plain_ok_default_status { status.for_plain_ok_responses() } else { status }
        })
    }

    /// The status this level gives [input problems](crate::problem::Problem::input) instead of
    /// 400 (422 for users coming from FastAPI), if it changes it.
    #[must_use]
    pub const fn input_error_status(&self) -> Option<StatusCode> {
        self.input_error_status
    }

    /// Whether this level runs an after-request hook (which may change anything).
    #[must_use]
    pub const fn has_after_request_hook(&self) -> bool {
        self.after_request
    }

    /// Whether this level answers conditional requests (304, 412) and ranges: the app level.
    #[must_use]
    pub const fn answers_conditional_requests(&self) -> bool {
        self.app
    }

    /// Whether this level sends its cache headers (`Cache-Control`, `Expires`, `ETag`,
    /// `Last-Modified`) on a response of `status`: 2xx and 3xx unless it opted in for every
    /// status.
    #[must_use]
    pub fn sends_cache_headers_on(&self, status: StatusCode) -> bool {
        self.headers.sends_cache_headers_on(status)
    }

    #[cfg(feature = "cookies")]
    /// Whether this level sets its cookies on a response of `status`.
    #[must_use]
    pub fn sets_cookies_on(&self, status: StatusCode) -> bool {
        self.cookies.sets_cookies_on(status)
    }

    #[cfg(feature = "cookies")]
    /// The cookies this level sets on responses that do not set the same cookie.
    pub fn cookies(&self) -> impl Iterator<Item = &Cookie<'static>> {
        self.cookies.cookies()
    }

    #[cfg(feature = "negotiation")]
    /// The formats this level negotiates among, in its order of preference; `None` where it
    /// does not negotiate (the app level sends values no level negotiated as JSON).
    #[must_use]
    pub fn negotiated_formats(&self) -> Option<&[Format]> {
        self.negotiation.as_ref().map(NegotiationLayer::formats)
    }

    #[cfg(feature = "negotiation")]
    /// Whether this level answers with a fallback format instead of 406 Not Acceptable.
    #[must_use]
    pub fn has_negotiation_fallback(&self) -> bool {
        self.negotiation.as_ref().is_some_and(|n| n.fallback_format().is_some())
    }

    #[cfg(feature = "negotiation")]
    /// The negotiation step of the service: this level's, or on the app level JSON for values
    /// no level negotiated.
    pub(super) fn negotiation_layer(&self) -> Option<NegotiationLayer> {
        match (&self.negotiation, self.app) {
            (Some(negotiation), _) => Some(negotiation.clone()),
            // Values no level negotiated are JSON, rendered here with a known length.
            (None, true) => Some(NegotiationLayer::json_only()),
            (None, false) => None,
        }
    }
}
