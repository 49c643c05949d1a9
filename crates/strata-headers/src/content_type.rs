//! `Content-Type` values for text sent as UTF-8.
//!
//! A `text/*` media type without a `charset` parameter is sent with `charset=utf-8` (what
//! Strata's bodies are), so that a client does not guess another encoding (RFC 9110 §8.3.2);
//! any other media type is sent as it is.
//!
//! ```
//! use strata_headers::{content_type::utf8, mime};
//!
//! assert_eq!(utf8(&mime::TEXT_CSV).unwrap(), "text/csv; charset=utf-8");
//! assert_eq!(utf8(&"text/plain; format=flowed".parse().unwrap()).unwrap(), "text/plain; format=flowed; charset=utf-8");
//! assert_eq!(utf8(&mime::TEXT_HTML_UTF_8).unwrap(), "text/html; charset=utf-8");
//! assert_eq!(utf8(&mime::APPLICATION_JSON).unwrap(), "application/json");
//! ```

use http::HeaderValue;
use mime::Mime;

/// The `Content-Type` value for `mime`: `text/*` without a charset gets `charset=utf-8`. `None`
/// only for a media type that is no valid header value (a `Mime` parsed from text always is).
#[must_use]
pub fn utf8(mime: &Mime) -> Option<HeaderValue> {
    if mime.type_() == mime::TEXT && mime.get_param(mime::CHARSET).is_none() {
        HeaderValue::try_from(format!("{mime}; charset=utf-8")).ok()
    } else {
        HeaderValue::try_from(mime.as_ref()).ok()
    }
}
