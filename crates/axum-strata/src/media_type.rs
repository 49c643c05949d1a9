//! The media type a response is sent as, one type for every response builder.

use std::sync::LazyLock;

use strata_headers::mime::{self, Mime};

/// The media type of a response: what [`Content::media_type`](crate::content::Content::media_type),
/// [`Streamed::media_type`](crate::stream::Streamed::media_type) and
/// [`File::media_type`](crate::file::File::media_type) take (a `MediaType`, a
/// `Mime`, or a string such as `"application/vnd.example.resource+json"`).
///
/// It is sent as its `Content-Type`; `text/*` without a charset gets `; charset=utf-8`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaType {
    /// `application/json`, the default.
    Json,
    /// `application/x-msgpack` (needs the `msgpack` feature to render).
    MessagePack,
    /// `text/plain; charset=utf-8`.
    Text,
    /// `text/html; charset=utf-8`.
    Html,
    /// Any other media type: JSON if it ends in `+json`, sent as it is otherwise.
    Other(Mime),
}

impl MediaType {
    /// The media type as a `Mime`.
    #[must_use]
    pub fn to_mime(&self) -> Mime {
        match self {
            Self::Json => mime::APPLICATION_JSON,
            Self::MessagePack => MSGPACK_MIME.clone(),
            Self::Text => mime::TEXT_PLAIN,
            Self::Html => mime::TEXT_HTML,
            Self::Other(m) => m.clone(),
        }
    }
}

impl From<Mime> for MediaType {
    fn from(m: Mime) -> Self {
        Self::Other(m)
    }
}

impl TryFrom<&str> for MediaType {
    type Error = mime::FromStrError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse::<Mime>().map(Self::Other)
    }
}

/// The MessagePack media type Strata sends (Litestar's).
pub(crate) const MSGPACK: &str = "application/x-msgpack";

/// [`MSGPACK`], parsed once.
pub(crate) static MSGPACK_MIME: LazyLock<Mime> =
    LazyLock::new(|| MSGPACK.parse().unwrap_or(mime::APPLICATION_OCTET_STREAM));

/// The `Content-Type` value for a media type: `text/*` without a charset gets `charset=utf-8`.
#[cfg(any(feature = "content", feature = "negotiation", feature = "stream", feature = "file"))]
pub(crate) fn content_type(mime: &Mime) -> Option<http::HeaderValue> {
    use http::HeaderValue;
    // The usual types without parameters, without formatting or copying on every response.
    if mime.params().next().is_none() {
        const JSON: HeaderValue = HeaderValue::from_static("application/json");
        const MSGPACK_VALUE: HeaderValue = HeaderValue::from_static(MSGPACK);
        const PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
        const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
        const XML: HeaderValue = HeaderValue::from_static("text/xml; charset=utf-8");
        const CSS: HeaderValue = HeaderValue::from_static("text/css; charset=utf-8");
        const CSV: HeaderValue = HeaderValue::from_static("text/csv; charset=utf-8");
        const EVENTS: HeaderValue = HeaderValue::from_static("text/event-stream; charset=utf-8");
        let known = match (mime.type_().as_str(), mime.subtype().as_str()) {
            ("application", "json") => Some(JSON),
            ("application", "x-msgpack") => Some(MSGPACK_VALUE),
            ("text", "plain") => Some(PLAIN),
            ("text", "html") => Some(HTML),
            ("text", "xml") => Some(XML),
            ("text", "css") => Some(CSS),
            ("text", "csv") => Some(CSV),
            ("text", "event-stream") => Some(EVENTS),
            _ => None,
        };
        if known.is_some() {
            return known;
        }
    }
    strata_headers::content_type::utf8(mime)
}
