//! `Last-Event-ID`: the id of the last server-sent event a reconnecting `EventSource` saw.
//!
//! ```
//! use headers::HeaderMapExt;
//! use strata_headers::LastEventId;
//!
//! let mut request = http::HeaderMap::new();
//! request.insert("last-event-id", "42".parse().unwrap());
//! let id: LastEventId = request.typed_get().unwrap();
//! assert_eq!(id.as_str(), "42");
//! assert_eq!(id.next_id(), Some(43)); // resume with event 43
//! assert_eq!(LastEventId::new("18446744073709551615").unwrap().next_id(), None); // u64::MAX: none after it
//! assert!(LastEventId::new("evil\nretry: 1").is_err());
//! ```
//!
//! The id is whatever the client sends: to resume a numbered stream, take [`LastEventId::next_id`]
//! rather than parsing and adding one, which overflows (a panic in a debug build) on
//! `18446744073709551615`.

use std::{fmt, str::FromStr};

use headers::{Header, HeaderName, HeaderValue};

use crate::Error;

static LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// The typed `Last-Event-ID` request header.
///
/// The value is any UTF-8 text without NUL, CR or LF (what an SSE `id:` field can carry), kept
/// as a header value so that echoing it costs nothing.
///
/// In an axum handler, `axum_strata::sse::RequestLastEventId` extracts it as an
/// `Option<String>` and never rejects (it has its own name, so that importing both never gives
/// two `LastEventId`s).
#[derive(Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct LastEventId(HeaderValue);

impl LastEventId {
    /// An id to send or compare.
    ///
    /// # Errors
    ///
    /// When `id` has NUL, CR, LF or another character a header value cannot carry.
    pub fn new(id: impl AsRef<str>) -> Result<Self, Error> {
        HeaderValue::from_str(id.as_ref())
            .map(Self)
            .map_err(|_| Error::new("last event id", "the id has a control character"))
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ever built from UTF-8 (checked in `new` and `decode`).
        std::str::from_utf8(self.0.as_bytes()).unwrap_or_default()
    }

    /// The id after this one, for a stream whose ids are decimal numbers: `Some(n + 1)` when the
    /// id is the decimal digits of a `u64` `n` (no sign, no spaces) below `u64::MAX`, else `None`
    /// (not a number, or no number after it). Use it instead of `id.parse::<u64>()? + 1`, which
    /// overflows on `18446744073709551615`.
    #[must_use]
    pub fn next_id(&self) -> Option<u64> {
        let id = self.as_str();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        id.parse::<u64>().ok()?.checked_add(1)
    }

    /// The id as a header value.
    #[must_use]
    pub const fn header_value(&self) -> &HeaderValue {
        &self.0
    }
}

impl fmt::Debug for LastEventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LastEventId").field(&self.as_str()).finish()
    }
}

impl fmt::Display for LastEventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LastEventId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::new(s)
    }
}

impl Header for LastEventId {
    fn name() -> &'static HeaderName {
        &LAST_EVENT_ID
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let value = values.next().ok_or_else(headers::Error::invalid)?;
        if values.next().is_some() {
            return Err(headers::Error::invalid());
        }
        // `to_str` only accepts visible ASCII; an id may be any UTF-8 text.
        std::str::from_utf8(value.as_bytes()).map_err(|_| headers::Error::invalid())?;
        Ok(Self(value.clone()))
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        values.extend(std::iter::once(self.0.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_ids_decode_and_other_bytes_do_not() {
        let v = HeaderValue::from_bytes("évènement-7".as_bytes()).unwrap();
        let id = LastEventId::decode(&mut std::iter::once(&v)).unwrap();
        assert_eq!(id.as_str(), "évènement-7");
        let v = HeaderValue::from_bytes(b"\xff\xfe").unwrap();
        assert!(LastEventId::decode(&mut std::iter::once(&v)).is_err());
    }

    #[test]
    fn two_lines_are_ambiguous() {
        let (a, b) = (HeaderValue::from_static("1"), HeaderValue::from_static("2"));
        assert!(LastEventId::decode(&mut [&a, &b].into_iter()).is_err());
    }

    #[test]
    fn next_id_adds_one_to_decimal_ids_without_overflow() {
        let next = |id: &str| LastEventId::new(id).unwrap().next_id();
        assert_eq!(next("0"), Some(1));
        assert_eq!(next("007"), Some(8));
        assert_eq!(next("18446744073709551614"), Some(u64::MAX));
        for none in [
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
            "",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1e3",
            "x",
            "١",
        ] {
            assert_eq!(next(none), None, "{none:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn next_id_never_panics_and_is_one_more(id in "[0-9]{0,25}|\\PC{0,30}") {
            if let Ok(last) = LastEventId::new(&id) {
                match last.next_id() {
                    Some(n) => proptest::prop_assert_eq!(Some(n - 1), id.parse::<u64>().ok()),
                    None => proptest::prop_assert!(id.parse::<u64>().map_or(true, |n| n == u64::MAX) || id.starts_with('+')),
                }
            }
        }
    }

    #[test]
    fn control_characters_are_refused() {
        for bad in ["a\rb", "a\nb", "a\0b"] {
            assert!(LastEventId::new(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(LastEventId::new("").unwrap().as_str(), "");
    }
}
