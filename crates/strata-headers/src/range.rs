//! `Range` (RFC 9110 §14.2): the byte ranges a request asks for, resolved against the length
//! of the representation.
//!
//! ```
//! use headers::HeaderMapExt;
//! use strata_headers::{ByteRange, Range, RangeSpec};
//!
//! let mut request = http::HeaderMap::new();
//! request.insert("range", "bytes=0-499, -500".parse().unwrap());
//! let range: Range = request.typed_get().unwrap();
//! assert_eq!(range.specs().collect::<Vec<_>>(), [
//!     RangeSpec::Int { first: 0, last: Some(499) },
//!     RangeSpec::Suffix(500),
//! ]);
//!
//! // Of a representation of 10,000 bytes: the first and the last 500.
//! let ranges: Vec<ByteRange> = range.satisfiable_ranges(10_000).collect();
//! assert_eq!(ranges, [ByteRange::new(0, 499).unwrap(), ByteRange::new(9500, 9999).unwrap()]);
//!
//! // Each part is sent with its Content-Range.
//! let mut response = http::HeaderMap::new();
//! response.typed_insert(ranges[1].content_range(10_000));
//! assert_eq!(response["content-range"], "bytes 9500-9999/10000");
//!
//! // A malformed set is not a Range at all: the server sends the whole representation.
//! request.insert("range", "bytes=0-1,x".parse().unwrap());
//! assert!(request.typed_get::<Range>().is_none());
//! ```
//!
//! # Why not `headers::Range`
//!
//! The `headers` crate's `Range` falls short of RFC 9110 in ways a server notices: it refuses
//! `BYTES=0-0` (the range unit is case-insensitive, §14.1), keeps the valid specs of a set that
//! has a malformed one (the whole field is invalid then, and is ignored), yields `5-1` (invalid,
//! §14.1.1), and drops a suffix longer than the representation (which means all of it,
//! §14.1.2). It also leaves unbounded ends for the caller to clamp. This type resolves the
//! ranges against the length, and leaves the server's policy (how many ranges it serves,
//! whether it serves overlapping ones) to the server.

use std::{fmt, fmt::Write as _, str::FromStr};

use headers::{Header, HeaderName, HeaderValue};

use crate::{Error, util};

/// A range of bytes, both ends included: `first ≤ last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ByteRange {
    first: u64,
    last: u64,
}

impl ByteRange {
    /// The bytes from `first` to `last`, both included; `None` when `last < first`.
    #[must_use]
    pub const fn new(first: u64, last: u64) -> Option<Self> {
        if last < first { None } else { Some(Self { first, last }) }
    }

    /// The position of the first byte.
    #[must_use]
    pub const fn first(self) -> u64 {
        self.first
    }

    /// The position of the last byte.
    #[must_use]
    pub const fn last(self) -> u64 {
        self.last
    }

    /// The number of bytes (at most `u64::MAX`).
    #[must_use]
    #[expect(clippy::len_without_is_empty, reason = "a byte range holds at least one byte")]
    pub const fn len(self) -> u64 {
        (self.last - self.first).saturating_add(1)
    }

    /// The `Content-Range` of this part of a representation of `complete_length` bytes:
    /// `bytes first-last/complete_length`.
    #[must_use]
    pub fn content_range(self, complete_length: u64) -> headers::ContentRange {
        headers::ContentRange::bytes(self.first..=self.last, complete_length)
            .expect("an inclusive range with a complete length is always a Content-Range")
    }
}

/// One element of a `Range` field's byte-range set (RFC 9110 §14.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeSpec {
    /// `first-last`, or `first-` (to the end) when `last` is `None`.
    Int {
        /// The position of the first byte.
        first: u64,
        /// The position of the last byte, if given.
        last: Option<u64>,
    },
    /// `-n`: the last `n` bytes (all of them when the representation is shorter).
    Suffix(u64),
}

impl RangeSpec {
    /// The bytes this spec asks of a representation of `len` bytes, if any.
    #[must_use]
    pub const fn resolve(self, len: u64) -> Option<ByteRange> {
        match self {
            Self::Suffix(n) => {
                if n == 0 || len == 0 {
                    None
                } else {
                    Some(ByteRange { first: len.saturating_sub(n), last: len - 1 })
                }
            }
            Self::Int { first, last } => {
                if first >= len {
                    return None;
                }
                let last = match last {
                    Some(last) if last < len - 1 => last,
                    _ => len - 1,
                };
                Some(ByteRange { first, last })
            }
        }
    }

    /// Parses one spec: `first-[last]` or `-suffix`, digits only, white space around the parts
    /// allowed. A number too large for `u64` stands for `u64::MAX`.
    fn parse(spec: &str) -> Option<Self> {
        let (first, last) = spec.split_once('-')?;
        let (first, last) = (first.trim(), last.trim());
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let number = |s: &str| s.parse().unwrap_or(u64::MAX);
        if first.is_empty() {
            return digits(last).then(|| Self::Suffix(number(last)));
        }
        if !digits(first) || !(last.is_empty() || digits(last)) {
            return None;
        }
        let (first, last) = (number(first), (!last.is_empty()).then(|| number(last)));
        // `last < first` makes the spec, and so the field, invalid (§14.1.1).
        if last.is_some_and(|last| last < first) {
            return None;
        }
        Some(Self::Int { first, last })
    }
}

/// The typed `Range` header, in bytes: one or more [`RangeSpec`]s.
///
/// Decoding checks the whole field (`bytes=` in any case, then a comma-separated list of at
/// least one valid spec) and keeps the value as it came, so that a request's `Range` costs no
/// allocation until it is resolved against a length with [`Range::satisfiable_ranges`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct Range {
    value: HeaderValue,
}

/// The byte-range set of a `Range` field, if the field is one: `bytes=` (the unit is
/// case-insensitive, with no white space before `=`) and what follows.
fn byte_range_set(field: &str) -> Option<&str> {
    let (unit, set) = util::trim_ows(field).split_once('=')?;
    unit.eq_ignore_ascii_case("bytes").then_some(set)
}

/// The non-empty elements of a byte-range set.
fn elements(set: &str) -> impl Iterator<Item = &str> {
    set.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Whether `field` is a valid `Range` in bytes.
fn is_valid(field: &str) -> bool {
    let Some(set) = byte_range_set(field) else { return false };
    let mut any = false;
    for element in elements(set) {
        if RangeSpec::parse(element).is_none() {
            return false;
        }
        any = true;
    }
    any
}

impl Range {
    /// A `Range` of these specs, in this order.
    ///
    /// # Errors
    ///
    /// When there is no spec, or one has `last < first`.
    pub fn from_specs<I: IntoIterator<Item = RangeSpec>>(specs: I) -> Result<Self, Error> {
        let mut s = String::from("bytes=");
        for (i, spec) in specs.into_iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            // Writing to a String cannot fail.
            let _ = match spec {
                RangeSpec::Int { first, last: Some(last) } if last < first => {
                    return Err(Error::new("range", "the last byte comes before the first"));
                }
                RangeSpec::Int { first, last: Some(last) } => write!(s, "{first}-{last}"),
                RangeSpec::Int { first, last: None } => write!(s, "{first}-"),
                RangeSpec::Suffix(n) => write!(s, "-{n}"),
            };
        }
        if s.len() == "bytes=".len() {
            return Err(Error::new("range", "there is no range"));
        }
        Ok(Self { value: util::header_value(s) })
    }

    fn field(&self) -> &str {
        // Checked to be visible ASCII when decoded, and built from ASCII otherwise.
        self.value.to_str().unwrap_or_default()
    }

    /// The specs, in the order the field gives them.
    pub fn specs(&self) -> impl Iterator<Item = RangeSpec> + '_ {
        elements(byte_range_set(self.field()).unwrap_or_default()).filter_map(RangeSpec::parse)
    }

    /// The ranges that can be served of a representation of `len` bytes, in the order asked,
    /// each within the representation: specs that start past its end (and suffixes of zero
    /// bytes) are left out. When none is left, the request is unsatisfiable (416).
    pub fn satisfiable_ranges(&self, len: u64) -> impl Iterator<Item = ByteRange> + '_ {
        self.specs().filter_map(move |spec| spec.resolve(len))
    }

    /// The header form as a header value, ready to insert.
    #[must_use]
    pub const fn header_value(&self) -> &HeaderValue {
        &self.value
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

impl FromStr for Range {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let invalid = || Error::new("range", "expected bytes= and a list of first-last, first- or -suffix");
        if !is_valid(s) {
            return Err(invalid());
        }
        HeaderValue::from_str(s).map(|value| Self { value }).map_err(|_| invalid())
    }
}

impl Header for Range {
    fn name() -> &'static HeaderName {
        &http::header::RANGE
    }

    /// One line: `Range` is not a list of fields, so several lines are invalid.
    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let value = values.next().ok_or_else(headers::Error::invalid)?;
        if values.next().is_some() {
            return Err(headers::Error::invalid());
        }
        match value.to_str() {
            Ok(field) if is_valid(field) => Ok(Self { value: value.clone() }),
            _ => Err(headers::Error::invalid()),
        }
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        values.extend(std::iter::once(self.value.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(first: u64, last: u64) -> ByteRange {
        ByteRange::new(first, last).unwrap()
    }

    fn ranges(field: &str, len: u64) -> Option<Vec<ByteRange>> {
        let range: Range = field.parse().ok()?;
        Some(range.satisfiable_ranges(len).collect())
    }

    #[test]
    fn rfc_9110_examples_on_10000_bytes() {
        // RFC 9110 §14.1.2.
        assert_eq!(ranges("bytes=0-499", 10_000), Some(vec![r(0, 499)]));
        assert_eq!(ranges("bytes=500-999", 10_000), Some(vec![r(500, 999)]));
        assert_eq!(ranges("bytes=-500", 10_000), Some(vec![r(9500, 9999)]));
        assert_eq!(ranges("bytes=9500-", 10_000), Some(vec![r(9500, 9999)]));
        assert_eq!(ranges("bytes=0-0,-1", 10_000), Some(vec![r(0, 0), r(9999, 9999)]));
        assert_eq!(ranges("bytes= 500-600 , 601-999", 10_000), Some(vec![r(500, 600), r(601, 999)]));
    }

    #[test]
    fn ends_are_clamped_and_unsatisfiable_specs_left_out() {
        assert_eq!(ranges("bytes=5-99999", 10), Some(vec![r(5, 9)]));
        assert_eq!(ranges("bytes=-20", 10), Some(vec![r(0, 9)]), "a longer suffix is all of it");
        assert_eq!(ranges("bytes=10-20", 10), Some(vec![]));
        assert_eq!(ranges("bytes=-0", 10), Some(vec![]));
        assert_eq!(ranges("bytes=0-0", 0), Some(vec![]));
        assert_eq!(ranges("bytes=20-30,2-3", 10), Some(vec![r(2, 3)]));
        let huge = "bytes=99999999999999999999999-";
        assert_eq!(ranges(huge, 10), Some(vec![]), "an overflowing position is past any end");
        assert_eq!(ranges("bytes=0-99999999999999999999999", 10), Some(vec![r(0, 9)]));
    }

    #[test]
    fn the_unit_is_case_insensitive_but_the_syntax_strict() {
        assert_eq!(ranges("BYTES=0-0", 10), Some(vec![r(0, 0)]));
        for bad in [
            "Bytes = 0-1",
            "bytes=5-1",
            "bytes=a-b",
            "items=0-1",
            "bytes=",
            "bytes=,",
            "bytes=0-1,x",
            "0-1",
            "bytes=1-2-3",
            "bytes=--1",
            "bytes=+1-2",
            "",
        ] {
            assert!(bad.parse::<Range>().is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn decoding_takes_one_line_and_keeps_it() {
        let decode = |lines: &[&'static str]| {
            let values: Vec<HeaderValue> = lines.iter().map(|l| HeaderValue::from_static(l)).collect();
            Range::decode(&mut values.iter())
        };
        let range = decode(&["bytes=0-1, 5-"]).unwrap();
        assert_eq!(range.to_string(), "bytes=0-1, 5-");
        assert!(decode(&["bytes=0-1", "bytes=2-3"]).is_err());
        assert!(decode(&[]).is_err());
        let mut values = Vec::new();
        range.encode(&mut values);
        assert_eq!(values, ["bytes=0-1, 5-"]);
    }

    #[test]
    fn built_from_specs() {
        let range = Range::from_specs([
            RangeSpec::Int { first: 0, last: Some(9) },
            RangeSpec::Int { first: 20, last: None },
            RangeSpec::Suffix(5),
        ])
        .unwrap();
        assert_eq!(range.to_string(), "bytes=0-9,20-,-5");
        assert_eq!(range.to_string().parse::<Range>().unwrap(), range);
        assert!(Range::from_specs([]).is_err());
        assert!(Range::from_specs([RangeSpec::Int { first: 2, last: Some(1) }]).is_err());
    }

    #[test]
    fn byte_ranges_and_their_content_range() {
        assert_eq!(ByteRange::new(3, 2), None);
        assert_eq!(r(2, 4).len(), 3);
        assert_eq!(r(0, u64::MAX).len(), u64::MAX);
        let mut values = Vec::new();
        r(2, 4).content_range(10).encode(&mut values);
        assert_eq!(values, ["bytes 2-4/10"]);
    }
}
