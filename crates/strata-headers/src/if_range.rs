//! `If-Range` (RFC 9110 §13.1.5): serve the ranges only if the representation is still the one
//! the client holds part of, else send all of it.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use headers::HeaderMapExt;
//! use strata_headers::{ETag, IfRange};
//!
//! let current = ETag::strong("v2").unwrap();
//! let mut request = http::HeaderMap::new();
//! request.insert("if-range", "\"v1\"".parse().unwrap());
//! let if_range: IfRange = request.typed_get().unwrap();
//! let now = SystemTime::now();
//! assert!(!if_range.precondition_passes(Some(&current), None, now)); // changed: the whole
//!
//! // A date holds when it is the Last-Modified date, and that date is at least a second old
//! // (only then is it a strong validator, RFC 9110 §8.8.2.2).
//! let modified = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
//! request.insert("if-range", "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
//! let if_range: IfRange = request.typed_get().unwrap();
//! assert_eq!(if_range.as_date(), Some(modified));
//! assert!(if_range.precondition_passes(None, Some(modified), now));
//! assert!(!if_range.precondition_passes(None, Some(modified), modified)); // modified just now
//! ```
//!
//! # Why not `headers::IfRange`
//!
//! The `headers` crate's `IfRange::is_modified` treats a date as a weak validator would be: any
//! `Last-Modified` up to the date passes. RFC 9110 §13.1.5 asks for an exact match with a
//! date that is a strong validator, which needs the time of the response; and its value cannot
//! be read back. This type compares as the RFC says, and tells which validator it holds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use headers::{Header, HeaderName, HeaderValue};

use crate::{ETag, util};

/// The latest time an HTTP date can carry: 9999-12-31 23:59:59 UTC.
const LAST_HTTP_DATE: u64 = 253_402_300_799;

/// The typed `If-Range` header: an entity tag or a date.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct IfRange(Validator);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Validator {
    ETag(ETag),
    /// Whole seconds since the Unix epoch, as HTTP dates carry them.
    Date(u64),
}

/// `t` as whole seconds since the epoch, within what an HTTP date can carry.
fn whole_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()).min(LAST_HTTP_DATE)
}

impl IfRange {
    /// `If-Range` with an entity tag (a weak one never matches).
    pub fn etag(tag: ETag) -> Self {
        Self(Validator::ETag(tag))
    }

    /// `If-Range` with a date, to the second (times before 1970 or after 9999 are brought to
    /// the nearest one an HTTP date can carry).
    pub fn date(time: SystemTime) -> Self {
        Self(Validator::Date(whole_secs(time)))
    }

    /// The entity tag, if the validator is one.
    #[must_use]
    pub const fn as_etag(&self) -> Option<&ETag> {
        match &self.0 {
            Validator::ETag(tag) => Some(tag),
            Validator::Date(_) => None,
        }
    }

    /// The date, if the validator is one.
    #[must_use]
    pub fn as_date(&self) -> Option<SystemTime> {
        match self.0 {
            Validator::Date(secs) => Some(UNIX_EPOCH + Duration::from_secs(secs)),
            Validator::ETag(_) => None,
        }
    }

    /// Whether the ranges may be served of a representation whose validators are `etag` and
    /// `last_modified`, in a response made at `now`: the entity tag matches by strong
    /// comparison, or the date is the `Last-Modified` date (to the second) and that is at least
    /// a second before `now`. Anything else means the whole representation.
    #[must_use]
    pub fn precondition_passes(
        &self,
        etag: Option<&ETag>,
        last_modified: Option<SystemTime>,
        now: SystemTime,
    ) -> bool {
        match &self.0 {
            Validator::ETag(asked) => etag.is_some_and(|current| asked.strong_eq(current)),
            Validator::Date(asked) => last_modified.is_some_and(|modified| {
                let modified = whole_secs(modified);
                modified == *asked && whole_secs(now).checked_sub(modified).is_some_and(|age| age >= 1)
            }),
        }
    }
}

impl Header for IfRange {
    fn name() -> &'static HeaderName {
        &http::header::IF_RANGE
    }

    /// One line: an entity tag (`"…"` or `W/"…"`) or an HTTP date.
    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let value = values.next().ok_or_else(headers::Error::invalid)?;
        if values.next().is_some() {
            return Err(headers::Error::invalid());
        }
        let bytes = value.as_bytes();
        if bytes.starts_with(b"\"") || bytes.starts_with(b"W/") {
            return ETag::decode(&mut std::iter::once(value)).map(Self::etag);
        }
        let date = value.to_str().ok().and_then(|s| httpdate::parse_http_date(s).ok());
        date.map(Self::date).ok_or_else(headers::Error::invalid)
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        let value = match &self.0 {
            Validator::ETag(tag) => tag.header_value().clone(),
            Validator::Date(secs) => {
                util::header_value(httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(*secs)))
            }
        };
        values.extend(std::iter::once(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

    fn decode(lines: &[&'static str]) -> Result<IfRange, headers::Error> {
        let values: Vec<HeaderValue> = lines.iter().map(|l| HeaderValue::from_static(l)).collect();
        IfRange::decode(&mut values.iter())
    }

    fn encode(if_range: &IfRange) -> Vec<HeaderValue> {
        let mut values = Vec::new();
        if_range.encode(&mut values);
        values
    }

    #[test]
    fn tags_and_dates_round_trip() {
        let tag = decode(&["\"xyzzy\""]).unwrap();
        assert_eq!(tag.as_etag(), Some(&ETag::strong("xyzzy").unwrap()));
        assert_eq!(encode(&tag), ["\"xyzzy\""]);
        let date = decode(&[MODIFIED]).unwrap();
        assert_eq!(date.as_date(), httpdate::parse_http_date(MODIFIED).ok());
        assert_eq!(encode(&date), [MODIFIED]);
        // The obsolete date forms are read, and written back in the preferred one.
        assert_eq!(decode(&["Wednesday, 21-Oct-15 07:28:00 GMT"]).unwrap(), date);
    }

    #[test]
    fn malformed_or_several_values_are_invalid() {
        for bad in
            [&["\"open"][..], &["W/x"], &["yesterday"], &["1445412480"], &[""], &["\"a\"", "\"b\""], &[]]
        {
            assert!(decode(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn tags_compare_strongly() {
        let now = SystemTime::now();
        let strong = ETag::strong("v1").unwrap();
        let weak = ETag::weak("v1").unwrap();
        assert!(IfRange::etag(strong.clone()).precondition_passes(Some(&strong), None, now));
        assert!(!IfRange::etag(weak.clone()).precondition_passes(Some(&strong), None, now));
        assert!(!IfRange::etag(strong.clone()).precondition_passes(Some(&weak), None, now));
        assert!(!IfRange::etag(strong).precondition_passes(None, Some(now), now));
    }

    #[test]
    fn dates_match_exactly_and_only_once_a_second_old() {
        let modified = httpdate::parse_http_date(MODIFIED).unwrap();
        let later = modified + Duration::from_secs(60);
        let if_range = IfRange::date(modified + Duration::from_millis(300));
        assert!(if_range.precondition_passes(None, Some(modified), later), "to the second");
        assert!(if_range.precondition_passes(None, Some(modified + Duration::from_millis(900)), later));
        assert!(!if_range.precondition_passes(None, Some(later), later + Duration::from_secs(5)));
        assert!(!IfRange::date(later).precondition_passes(None, Some(modified), later), "a later date");
        assert!(!if_range.precondition_passes(None, Some(modified), modified), "not a strong validator yet");
        assert!(!if_range.precondition_passes(Some(&ETag::strong("x").unwrap()), None, later));
    }

    #[test]
    fn dates_out_of_reach_are_clamped() {
        let before = UNIX_EPOCH.checked_sub(Duration::from_secs(10)).unwrap();
        assert_eq!(encode(&IfRange::date(before)), ["Thu, 01 Jan 1970 00:00:00 GMT"]);
        let after = UNIX_EPOCH + Duration::from_secs(LAST_HTTP_DATE + 1000);
        assert_eq!(encode(&IfRange::date(after)), ["Fri, 31 Dec 9999 23:59:59 GMT"]);
    }
}
