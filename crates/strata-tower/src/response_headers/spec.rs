// What a layer sets or documents, and the claims of documentation-only headers.

use std::sync::Arc;

use http::{HeaderName, HeaderValue};
use strata_headers::ETag;

/// One header a layer sets or documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderSpec {
    pub(super) name: HeaderName,
    pub(super) values: Vec<HeaderValue>,
    pub(super) description: Option<Arc<str>>,
    pub(super) documentation_only: bool,
    /// For an `ETag`: the tag as configured, which is sent weak unless the layer keeps tags
    /// strong.
    pub(super) etag: Option<ETag>,
}

impl HeaderSpec {
    /// The header's name.
    #[must_use]
    pub const fn name(&self) -> &HeaderName {
        &self.name
    }

    /// The values sent, in order (empty for a documentation-only header). A static `ETag` is
    /// sent weak unless the layer keeps [strong ETags](super::ResponseHeadersLayer::strong_etags).
    #[must_use]
    pub fn values(&self) -> &[HeaderValue] {
        &self.values
    }

    /// The description given for documentation, if any.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Whether the header is only documented at this level: nothing is sent, and outer levels
    /// leave the name alone.
    #[must_use]
    pub const fn is_documentation_only(&self) -> bool {
        self.documentation_only
    }
}

/// The header names a closer layer has claimed as documentation-only, carried in the response's
/// extensions until the outermost layer removes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimedHeaders(pub(super) Vec<HeaderName>);

impl ClaimedHeaders {
    /// Whether `name` is claimed.
    #[must_use]
    pub fn contains(&self, name: &HeaderName) -> bool {
        self.0.contains(name)
    }

    /// The claimed names.
    pub fn iter(&self) -> impl Iterator<Item = &HeaderName> {
        self.0.iter()
    }

    /// Ends every claim in a response's extensions: what the outermost layer that reads claims
    /// does (a [`ResponseHeadersLayer::outermost`](super::ResponseHeadersLayer::outermost), a
    /// computed-ETag layer marked outermost, or a Strata app level once all its steps have run).
    pub fn release(extensions: &mut http::Extensions) {
        extensions.remove::<Self>();
    }

    /// Claims `name` in a response's extensions: outer layers will not set it.
    pub fn claim(extensions: &mut http::Extensions, name: HeaderName) {
        match extensions.get_mut::<Self>() {
            Some(claims) if claims.contains(&name) => {}
            Some(claims) => claims.0.push(name),
            None => {
                extensions.insert(Self(vec![name]));
            }
        }
    }
}
