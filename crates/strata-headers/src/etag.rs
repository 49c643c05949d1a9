//! `ETag` (RFC 9110 §8.8.3) and the entity-tag lists of `If-Match` and `If-None-Match`
//! (RFC 9110 §13.1.1, §13.1.2).
//!
//! ```
//! use headers::HeaderMapExt;
//! use strata_headers::{ETag, IfNoneMatch};
//!
//! let current = ETag::strong("v42").unwrap();
//! assert_eq!(current.to_string(), "\"v42\"");
//! assert_eq!(ETag::from_header("W/\"foo\"").unwrap(), ETag::weak("foo").unwrap());
//! assert!(ETag::strong("has \"quotes\"").is_err()); // not an entity tag: an error, not a header
//!
//! // A client revalidating with a list that holds the weak form of the current tag:
//! let mut request = http::HeaderMap::new();
//! request.insert("if-none-match", "\"v41\", W/\"v42\"".parse().unwrap());
//! let inm: IfNoneMatch = request.typed_get().unwrap();
//! assert!(!inm.precondition_passes(Some(&current))); // → 304 Not Modified for GET/HEAD
//! ```

use std::{fmt, fmt::Write as _, str::FromStr, time::SystemTime};

use headers::{Header, HeaderName, HeaderValue};

use crate::{Error, util};

/// `etagc` of RFC 9110 §8.8.3: `%x21 / %x23-7E / obs-text`.
const fn is_etagc(b: u8) -> bool {
    b == 0x21 || (b >= 0x23 && b != 0x7f)
}

/// An entity tag: an opaque validator, strong or weak.
///
/// Built from its opaque value with [`ETag::strong`] or [`ETag::weak`], which check it against
/// RFC 9110's `etagc` (no `"`, no space, no control character), or parsed from its header form
/// (`"xyz"`, `W/"xyz"`) with [`ETag::from_header`] or `FromStr`. The header form is kept ready,
/// so encoding an `ETag` costs a reference-count increment.
///
/// `==` compares exactly (same weakness, same value); the RFC's comparisons are
/// [`ETag::strong_eq`] and [`ETag::weak_eq`].
#[derive(Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct ETag {
    /// The full header form: `"tag"` or `W/"tag"`.
    value: HeaderValue,
}

impl ETag {
    /// A strong entity tag for `tag` (its opaque value, without quotes).
    ///
    /// # Errors
    ///
    /// When `tag` holds a `"`, a space or a control character.
    pub fn strong(tag: impl AsRef<str>) -> Result<Self, Error> {
        Self::build(false, tag.as_ref())
    }

    /// A weak entity tag for `tag` (its opaque value, without quotes).
    ///
    /// # Errors
    ///
    /// When `tag` holds a `"`, a space or a control character.
    pub fn weak(tag: impl AsRef<str>) -> Result<Self, Error> {
        Self::build(true, tag.as_ref())
    }

    /// The strong entity tag of one version of a file, made from its size and modification
    /// time (nanoseconds since the Unix epoch), both in hexadecimal: `"size-nanos"`. `None` for
    /// a time before the epoch.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use strata_headers::ETag;
    ///
    /// let modified = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
    /// let tag = ETag::from_size_and_modified(4096, modified).unwrap();
    /// assert_eq!(tag.to_string(), "\"1000-17979cfe3d85cd15\"");
    /// assert!(!tag.is_weak());
    /// ```
    #[must_use]
    pub fn from_size_and_modified(size: u64, modified: SystemTime) -> Option<Self> {
        let nanos = modified.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_nanos();
        let mut s = String::with_capacity(40);
        // Writing to a String cannot fail; hexadecimal digits and `-` are all `etagc`.
        let _ = write!(s, "\"{size:x}-{nanos:x}\"");
        Some(Self { value: util::header_value(s) })
    }

    fn build(weak: bool, tag: &str) -> Result<Self, Error> {
        if !tag.bytes().all(is_etagc) {
            return Err(Error::new("entity tag", "the value holds a quote, a space or a control character"));
        }
        let mut s = String::with_capacity(tag.len() + 4);
        if weak {
            s.push_str("W/");
        }
        s.push('"');
        s.push_str(tag);
        s.push('"');
        Ok(Self { value: util::header_value(s) })
    }

    /// Parses the header form: `"xyz"` or `W/"xyz"` (the `W/` is case-sensitive).
    ///
    /// # Errors
    ///
    /// When `s` is not exactly one entity tag.
    pub fn from_header(s: &str) -> Result<Self, Error> {
        match parse_one(s.as_bytes()) {
            Some((tag, [])) => Ok(tag),
            _ => Err(Error::new("entity tag", "expected \"value\" or W/\"value\"")),
        }
    }

    /// The weak entity tag of the same value: `W/"xyz"` for `"xyz"`, itself when already weak.
    /// What a representation that may be re-encoded on its way (compressed by a layer or a
    /// proxy) should carry: a strong tag must differ between encodings (RFC 9110 §8.8.3), and
    /// weak comparison, which `If-None-Match` uses, still matches.
    ///
    /// ```
    /// use strata_headers::ETag;
    ///
    /// let strong = ETag::strong("v1").unwrap();
    /// assert_eq!(strong.clone().into_weak().to_string(), "W/\"v1\"");
    /// assert!(strong.clone().into_weak().weak_eq(&strong));
    /// assert_eq!(ETag::weak("v1").unwrap().into_weak(), ETag::weak("v1").unwrap());
    /// ```
    pub fn into_weak(self) -> Self {
        if self.is_weak() {
            return self;
        }
        let mut bytes = Vec::with_capacity(self.value.len() + 2);
        bytes.extend_from_slice(b"W/");
        bytes.extend_from_slice(self.value.as_bytes());
        let value = HeaderValue::from_bytes(&bytes).expect("W/ before a header value is a header value");
        Self { value }
    }

    /// Whether this is a weak validator (`W/"…"`).
    #[must_use]
    pub fn is_weak(&self) -> bool {
        self.value.as_bytes().starts_with(b"W/")
    }

    /// The opaque value, without `W/` and quotes.
    #[must_use]
    pub fn tag(&self) -> &str {
        let bytes = self.value.as_bytes();
        let start = if self.is_weak() { 3 } else { 1 };
        // Built only from UTF-8 strings, so the slice between the quotes is UTF-8 too.
        std::str::from_utf8(&bytes[start..bytes.len() - 1]).unwrap_or_default()
    }

    /// Strong comparison (RFC 9110 §8.8.3.2): both strong and the same value. Used for
    /// `If-Match` and ranges.
    #[must_use]
    pub fn strong_eq(&self, other: &Self) -> bool {
        !self.is_weak() && !other.is_weak() && self.value == other.value
    }

    /// Weak comparison (RFC 9110 §8.8.3.2): the same value, whatever the weakness. Used for
    /// `If-None-Match`.
    #[must_use]
    pub fn weak_eq(&self, other: &Self) -> bool {
        self.tag() == other.tag()
    }

    /// The header form as a header value, ready to insert.
    #[must_use]
    pub fn header_value(&self) -> &HeaderValue {
        &self.value
    }
}

/// Parses one entity tag at the start of `s`, returning it and what follows.
fn parse_one(s: &[u8]) -> Option<(ETag, &[u8])> {
    let len = scan_one(s)?;
    // The tag's bytes are etagc, so the header form is a valid header value.
    let value = HeaderValue::from_bytes(&s[..len]).ok()?;
    Some((ETag { value }, &s[len..]))
}

/// The length of the entity tag `s` starts with, if it starts with a valid one (without
/// allocating).
fn scan_one(s: &[u8]) -> Option<usize> {
    let (weak, rest) = match s.strip_prefix(b"W/") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let rest = rest.strip_prefix(b"\"")?;
    let end = rest.iter().position(|&b| b == b'"')?;
    let tag = &rest[..end];
    if !tag.iter().all(|&b| is_etagc(b)) {
        return None;
    }
    // obs-text must still be UTF-8 so that `tag()` can hand out a `&str`.
    std::str::from_utf8(tag).ok()?;
    Some(end + 2 + if weak { 2 } else { 0 })
}

impl fmt::Debug for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ETag").field(&self.value).finish()
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::str::from_utf8(self.value.as_bytes()).unwrap_or_default())
    }
}

impl FromStr for ETag {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::from_header(s)
    }
}

impl Header for ETag {
    fn name() -> &'static HeaderName {
        &http::header::ETAG
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let value = values.next().ok_or_else(headers::Error::invalid)?;
        if values.next().is_some() {
            return Err(headers::Error::invalid());
        }
        match parse_one(value.as_bytes()) {
            Some((tag, [])) => Ok(tag),
            _ => Err(headers::Error::invalid()),
        }
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        values.extend(std::iter::once(self.value.clone()));
    }
}

impl From<&ETag> for headers::ETag {
    fn from(tag: &ETag) -> Self {
        util::convert(tag).expect("every RFC 9110 entity tag parses as a headers::ETag")
    }
}

impl TryFrom<&headers::ETag> for ETag {
    type Error = headers::Error;

    /// Fails for entity tags the `headers` crate accepted but RFC 9110 does not (it is more
    /// lenient with control characters).
    fn try_from(tag: &headers::ETag) -> Result<Self, headers::Error> {
        util::convert(tag)
    }
}

/// The value of `If-Match` or `If-None-Match`: `*` or a list of entity tags.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntityTagList {
    /// `*`: any current representation.
    Any,
    /// A list of entity tags, in the order sent.
    Tags(Vec<ETag>),
}

impl EntityTagList {
    /// Parses a field value (several header lines joined by commas are one field value).
    ///
    /// Empty list elements are skipped (RFC 9110 §5.6.1), commas inside quotes are part of a
    /// tag, and `*` must stand alone.
    ///
    /// # Errors
    ///
    /// When the value is not `*` or a non-empty list of entity tags. RFC 9110 §13.1 asks the
    /// server to ignore such a precondition rather than fail the request.
    pub fn parse(s: &str) -> Result<Self, Error> {
        const MALFORMED: Error = Error::new("entity tag list", "expected * or a list of entity tags");
        let s = util::trim_ows(s);
        if s == "*" {
            return Ok(Self::Any);
        }
        let mut tags = Vec::new();
        let mut rest = s.as_bytes();
        loop {
            while let [b' ' | b'\t' | b',', tail @ ..] = rest {
                rest = tail;
            }
            if rest.is_empty() {
                break;
            }
            let (tag, after) = parse_one(rest).ok_or(MALFORMED)?;
            tags.push(tag);
            let mut after = after;
            while let [b' ' | b'\t', tail @ ..] = after {
                after = tail;
            }
            match after {
                [] => break,
                [b',', ..] => rest = after,
                _ => return Err(MALFORMED),
            }
        }
        if tags.is_empty() { Err(MALFORMED) } else { Ok(Self::Tags(tags)) }
    }

    /// Whether this is `*`.
    #[must_use]
    pub const fn is_any(&self) -> bool {
        matches!(self, Self::Any)
    }

    /// The listed tags (empty for `*`).
    pub fn tags(&self) -> &[ETag] {
        match self {
            Self::Any => &[],
            Self::Tags(tags) => tags,
        }
    }

    /// Whether `tag` matches by strong comparison (`*` matches every tag).
    #[must_use]
    pub fn matches_strong(&self, tag: &ETag) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| t.strong_eq(tag)),
        }
    }

    /// Whether `tag` matches by weak comparison (`*` matches every tag).
    #[must_use]
    pub fn matches_weak(&self, tag: &ETag) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| t.weak_eq(tag)),
        }
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let mut values = values.peekable();
        // The usual case, one line holding one tag: the tag shares the line's bytes.
        if let Some(&first) = values.peek()
            && scan_one(first.as_bytes()) == Some(first.len())
        {
            values.next();
            if values.peek().is_none() {
                return Ok(Self::Tags(vec![ETag { value: first.clone() }]));
            }
            let field = util::joined_lines(&mut std::iter::once(first).chain(values))?;
            return Self::parse(&field).map_err(|_| headers::Error::invalid());
        }
        let field = util::joined_lines(&mut values)?;
        Self::parse(&field).map_err(|_| headers::Error::invalid())
    }

    fn encode(&self) -> HeaderValue {
        match self {
            Self::Any => HeaderValue::from_static("*"),
            Self::Tags(tags) if tags.len() == 1 => tags[0].value.clone(),
            Self::Tags(tags) => {
                let mut s = String::new();
                for (i, t) in tags.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    s.push_str(&t.to_string());
                }
                util::header_value(s)
            }
        }
    }
}

impl fmt::Display for EntityTagList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::str::from_utf8(self.encode().as_bytes()).unwrap_or_default())
    }
}

impl FromStr for EntityTagList {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

macro_rules! tag_list_header {
    ($(#[$doc:meta])* $name:ident, $header:expr, $conv:path) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[must_use]
        pub struct $name(pub EntityTagList);

        impl $name {
            /// `*`.
            pub const fn any() -> Self {
                Self(EntityTagList::Any)
            }

            /// A list of one or more tags.
            pub fn tags<I: IntoIterator<Item = ETag>>(tags: I) -> Self {
                Self(EntityTagList::Tags(tags.into_iter().collect()))
            }

            /// The entity-tag list.
            #[must_use]
            pub const fn list(&self) -> &EntityTagList {
                &self.0
            }
        }

        impl From<ETag> for $name {
            fn from(tag: ETag) -> Self {
                Self(EntityTagList::Tags(vec![tag]))
            }
        }

        impl Header for $name {
            fn name() -> &'static HeaderName {
                &$header
            }

            fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
                EntityTagList::decode(values).map(Self)
            }

            fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
                if matches!(&self.0, EntityTagList::Tags(t) if t.is_empty()) {
                    return;
                }
                values.extend(std::iter::once(self.0.encode()));
            }
        }

        impl From<&$name> for $conv {
            fn from(h: &$name) -> Self {
                // Our encoding is valid for the `headers` crate's grammar too; `*` is the
                // fallback that can always be built.
                util::convert(h).unwrap_or_else(|_| <$conv>::any())
            }
        }

        impl TryFrom<&$conv> for $name {
            type Error = headers::Error;

            fn try_from(h: &$conv) -> Result<Self, headers::Error> {
                util::convert(h)
            }
        }
    };
}

tag_list_header!(
    /// The typed `If-Match` request header (RFC 9110 §13.1.1): proceed only if the current
    /// representation matches (strong comparison).
    IfMatch,
    http::header::IF_MATCH,
    headers::IfMatch
);

tag_list_header!(
    /// The typed `If-None-Match` request header (RFC 9110 §13.1.2): proceed only if the current
    /// representation does *not* match (weak comparison).
    IfNoneMatch,
    http::header::IF_NONE_MATCH,
    headers::IfNoneMatch
);

impl IfMatch {
    /// Evaluates the precondition (RFC 9110 §13.1.1). `current` is the current representation's
    /// entity tag, or `None` when there is no current representation.
    ///
    /// `*` passes when there is a representation; a list passes when one of its tags matches
    /// `current` by strong comparison. A failed `If-Match` answers 412 Precondition Failed.
    #[must_use]
    pub fn precondition_passes(&self, current: Option<&ETag>) -> bool {
        current.is_some_and(|c| self.0.matches_strong(c))
    }
}

impl IfNoneMatch {
    /// Evaluates the precondition (RFC 9110 §13.1.2). `current` is the current representation's
    /// entity tag, or `None` when there is none.
    ///
    /// `*` fails when there is a representation; a list fails when one of its tags matches
    /// `current` by weak comparison. A failed `If-None-Match` answers 304 Not Modified to GET
    /// and HEAD, and 412 Precondition Failed to other methods.
    #[must_use]
    pub fn precondition_passes(&self, current: Option<&ETag>) -> bool {
        !current.is_some_and(|c| self.0.matches_weak(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn litestar_examples_parse() {
        assert_eq!(ETag::from_header("\"foo\"").unwrap(), ETag::strong("foo").unwrap());
        assert_eq!(ETag::from_header("W/\"foo\"").unwrap(), ETag::weak("foo").unwrap());
    }

    #[test]
    fn rfc_9110_comparison_table() {
        // RFC 9110 §8.8.3.2, the table of comparisons.
        let w1 = ETag::from_header("W/\"1\"").unwrap();
        let w2 = ETag::from_header("W/\"2\"").unwrap();
        let s1 = ETag::from_header("\"1\"").unwrap();
        assert!(!w1.strong_eq(&w1));
        assert!(w1.weak_eq(&w1));
        assert!(!w1.strong_eq(&w2));
        assert!(!w1.weak_eq(&w2));
        assert!(!w1.strong_eq(&s1));
        assert!(w1.weak_eq(&s1));
        assert!(s1.strong_eq(&s1));
        assert!(s1.weak_eq(&s1));
    }

    #[test]
    fn values_outside_etagc_are_errors() {
        for bad in ["a\"b", "a b", "a\tb", "a\u{7f}", "a\nb", "a\rb", "\0"] {
            assert!(ETag::strong(bad).is_err(), "{bad:?} must be refused");
            assert!(ETag::weak(bad).is_err(), "{bad:?} must be refused");
        }
        // The empty tag and obs-text are allowed by the grammar.
        assert_eq!(ETag::strong("").unwrap().to_string(), "\"\"");
        assert_eq!(ETag::strong("café").unwrap().tag(), "café");
    }

    #[test]
    fn header_form_parsing_is_strict() {
        for bad in ["foo", "\"foo", "w/\"foo\"", "W/ \"foo\"", "\"a\" x", "\"a b\"", "W/", ""] {
            assert!(ETag::from_header(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn lists_keep_commas_inside_quotes() {
        let list = EntityTagList::parse("\"a,b\", W/\"c\" ,,\"d\"").unwrap();
        let tags: Vec<_> = list.tags().iter().map(ETag::tag).collect();
        assert_eq!(tags, ["a,b", "c", "d"]);
        assert_eq!(list.to_string(), "\"a,b\", W/\"c\", \"d\"");
    }

    #[test]
    fn malformed_lists_are_reported() {
        for bad in ["", ",", "foo", "\"a\" \"b\"", "*, \"a\"", "\"a\", *", "\"unterminated", "\"a\"x"] {
            assert!(EntityTagList::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn if_match_uses_strong_comparison() {
        let strong = ETag::strong("v1").unwrap();
        let weak = ETag::weak("v1").unwrap();
        assert!(IfMatch::from(strong.clone()).precondition_passes(Some(&strong)));
        assert!(!IfMatch::from(weak.clone()).precondition_passes(Some(&strong)));
        assert!(!IfMatch::from(strong).precondition_passes(Some(&weak)));
        assert!(IfMatch::any().precondition_passes(Some(&weak)));
        assert!(!IfMatch::any().precondition_passes(None));
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let strong = ETag::strong("v1").unwrap();
        let weak = ETag::weak("v1").unwrap();
        let other = ETag::strong("v2").unwrap();
        assert!(!IfNoneMatch::from(weak).precondition_passes(Some(&strong)));
        assert!(IfNoneMatch::from(other).precondition_passes(Some(&strong)));
        assert!(!IfNoneMatch::any().precondition_passes(Some(&strong)));
        assert!(IfNoneMatch::any().precondition_passes(None));
    }

    #[test]
    fn converts_to_and_from_the_headers_crate() {
        let ours = ETag::weak("xyzzy").unwrap();
        let theirs = headers::ETag::from(&ours);
        assert_eq!(ETag::try_from(&theirs).unwrap(), ours);
        let inm = IfNoneMatch::tags([ours.clone(), ETag::strong("b").unwrap()]);
        let theirs = headers::IfNoneMatch::from(&inm);
        assert!(!theirs.precondition_passes(&headers::ETag::from(&ours)));
        assert_eq!(IfNoneMatch::try_from(&theirs).unwrap(), inm);
    }
}
