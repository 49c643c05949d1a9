//! `Cache-Control` (RFC 9111 §5.2), with `stale-while-revalidate` and `stale-if-error`
//! (RFC 5861), `immutable` (RFC 8246) and unknown extensions kept verbatim.
//!
//! ```
//! use std::time::Duration;
//! use headers::HeaderMapExt;
//! use strata_headers::CacheControl;
//!
//! // Build: the output order is fixed, whatever the order of the calls.
//! let cc = CacheControl::max_age(Duration::from_secs(86_400)).public();
//! assert_eq!(cc.to_string(), "max-age=86400, public");
//!
//! // Parse: case-insensitive, quoted values, field-name lists, several header lines.
//! let mut map = http::HeaderMap::new();
//! map.append("cache-control", "Max-Age=\"10\", no-cache=\"Set-Cookie\"".parse().unwrap());
//! map.append("cache-control", "community=\"UCI\"".parse().unwrap());
//! let cc: CacheControl = map.typed_get().unwrap();
//! assert_eq!(cc.get_max_age(), Some(Duration::from_secs(10)));
//! assert_eq!(cc.no_cache_fields().unwrap()[0], "set-cookie");
//! assert_eq!(cc.to_string(), r#"max-age=10, no-cache="set-cookie", community="UCI""#);
//! ```

use std::{fmt, str::FromStr, time::Duration};

use headers::{Header, HeaderName, HeaderValue};

use crate::{
    Error,
    util::{self, split_list, split_name_value},
};

/// The largest delta-seconds a cache must represent; larger values are taken as this one
/// (RFC 9111 §1.2.2).
const MAX_DELTA_SECONDS: u32 = 1 << 31;

const NO_STORE: u16 = 1;
const PUBLIC: u16 = 1 << 1;
const NO_TRANSFORM: u16 = 1 << 2;
const MUST_REVALIDATE: u16 = 1 << 3;
const PROXY_REVALIDATE: u16 = 1 << 4;
const MUST_UNDERSTAND: u16 = 1 << 5;
const IMMUTABLE: u16 = 1 << 6;
const ONLY_IF_CACHED: u16 = 1 << 7;

/// The flag directives, in canonical order, with their names. `only-if-cached` is a request
/// directive and is written after the response ones.
const FLAGS: [(u16, &str); 8] = [
    (NO_STORE, "no-store"),
    (PUBLIC, "public"),
    (NO_TRANSFORM, "no-transform"),
    (MUST_REVALIDATE, "must-revalidate"),
    (PROXY_REVALIDATE, "proxy-revalidate"),
    (MUST_UNDERSTAND, "must-understand"),
    (IMMUTABLE, "immutable"),
    (ONLY_IF_CACHED, "only-if-cached"),
];

/// The typed `Cache-Control` header.
///
/// Holds every directive of RFC 9111 (request and response), `stale-while-revalidate`,
/// `stale-if-error`, `immutable`, and any other directive verbatim as an [`Extension`].
///
/// Durations are whole seconds (fractions are dropped) and saturate at 2³¹ seconds, as
/// RFC 9111 §1.2.2 tells caches to do. When the same directive appears twice, the first one
/// counts, except that a bare `no-cache` or `private` beats one with field names (the more
/// restrictive reading, RFC 9111 §4.2.1).
///
/// A value with no directive encodes to no header line at all: this type never produces an
/// empty `Cache-Control`.
///
/// A known directive with a malformed argument (`max-age=soon`) makes decoding fail, so a
/// `TypedHeader<CacheControl>` extractor answers 400; RFC 9111 §4.2.1 asks caches to treat such
/// freshness information as stale, which they can do on the error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[must_use]
pub struct CacheControl {
    flags: u16,
    max_age: Option<u32>,
    s_maxage: Option<u32>,
    stale_while_revalidate: Option<u32>,
    stale_if_error: Option<u32>,
    max_stale: Option<MaxStale>,
    min_fresh: Option<u32>,
    no_cache: Option<Vec<HeaderName>>,
    private: Option<Vec<HeaderName>>,
    extensions: Vec<Extension>,
}

/// The argument of the `max-stale` request directive (RFC 9111 §5.2.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MaxStale {
    /// `max-stale` without a value: a stale response of any age is acceptable.
    Any,
    /// `max-stale=N`: a response stale by at most this long is acceptable.
    AtMost(Duration),
}

/// A directive this crate does not know, kept exactly as it was written or built.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Extension {
    name: Box<str>,
    /// The argument as written: a token, or a quoted string with its quotes.
    raw_value: Option<Box<str>>,
}

impl Extension {
    /// The directive's name as written.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The directive's argument with any quoting removed, if it has one.
    #[must_use]
    pub fn value(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.raw_value.as_deref().and_then(util::parse_value)
    }

    /// The directive's argument exactly as written (quoted strings keep their quotes).
    #[must_use]
    pub fn raw_value(&self) -> Option<&str> {
        self.raw_value.as_deref()
    }
}

fn delta(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).map_or(MAX_DELTA_SECONDS, |s| s.min(MAX_DELTA_SECONDS))
}

fn duration(secs: Option<u32>) -> Option<Duration> {
    secs.map(|s| Duration::from_secs(u64::from(s)))
}

impl CacheControl {
    /// A `Cache-Control` with no directive (it encodes to no header line until one is added).
    pub fn new() -> Self {
        Self::default()
    }

    /// `max-age=N`: fresh for this long (whole seconds).
    pub fn max_age(d: Duration) -> Self {
        Self::new().with_max_age(d)
    }

    /// `no-store`: do not store this response (or, in a request, the response to it).
    pub fn no_store() -> Self {
        Self::new().with_no_store()
    }

    /// `no-cache`: a cache must revalidate before every use.
    pub fn no_cache() -> Self {
        Self::new().with_no_cache()
    }

    // ----- builders -------------------------------------------------------------------------

    /// Adds `max-age=N`.
    pub fn with_max_age(mut self, d: Duration) -> Self {
        self.max_age = Some(delta(d));
        self
    }

    /// Adds `s-maxage=N` (shared caches only).
    pub fn with_s_maxage(mut self, d: Duration) -> Self {
        self.s_maxage = Some(delta(d));
        self
    }

    /// Adds `stale-while-revalidate=N` (RFC 5861).
    pub fn with_stale_while_revalidate(mut self, d: Duration) -> Self {
        self.stale_while_revalidate = Some(delta(d));
        self
    }

    /// Adds `stale-if-error=N` (RFC 5861).
    pub fn with_stale_if_error(mut self, d: Duration) -> Self {
        self.stale_if_error = Some(delta(d));
        self
    }

    /// Adds the `max-stale` request directive.
    pub fn with_max_stale(mut self, max_stale: MaxStale) -> Self {
        self.max_stale = Some(match max_stale {
            MaxStale::Any => MaxStale::Any,
            MaxStale::AtMost(d) => MaxStale::AtMost(Duration::from_secs(u64::from(delta(d)))),
        });
        self
    }

    /// Adds the `min-fresh=N` request directive.
    pub fn with_min_fresh(mut self, d: Duration) -> Self {
        self.min_fresh = Some(delta(d));
        self
    }

    /// Adds a bare `no-cache`, which replaces any field-name list.
    pub fn with_no_cache(mut self) -> Self {
        self.no_cache = Some(Vec::new());
        self
    }

    /// Adds `no-cache="field, …"`: only these header fields need revalidation. Has no effect
    /// when a bare `no-cache` is already present, or when `fields` is empty.
    pub fn with_no_cache_fields<I: IntoIterator<Item = HeaderName>>(mut self, fields: I) -> Self {
        add_fields(&mut self.no_cache, fields);
        self
    }

    /// Adds `no-store`.
    pub fn with_no_store(mut self) -> Self {
        self.flags |= NO_STORE;
        self
    }

    /// Adds a bare `private`, which replaces any field-name list.
    pub fn private(mut self) -> Self {
        self.private = Some(Vec::new());
        self
    }

    /// Adds `private="field, …"`: only these header fields are private. Has no effect when a
    /// bare `private` is already present, or when `fields` is empty.
    pub fn with_private_fields<I: IntoIterator<Item = HeaderName>>(mut self, fields: I) -> Self {
        add_fields(&mut self.private, fields);
        self
    }

    /// The same directives for one user's cache only: a bare `private` (replacing any field
    /// list), and neither `public` nor `s-maxage`, which only shared caches read. What a
    /// response that sets a cookie needs so that no shared cache hands the cookie to someone
    /// else (RFC 9111 §5.2.2.7); `max-age` and the rest still speak to the user's own cache.
    ///
    /// ```
    /// use std::time::Duration;
    /// use strata_headers::CacheControl;
    ///
    /// let shared = CacheControl::max_age(Duration::from_secs(60)).with_s_maxage(Duration::from_secs(600)).public();
    /// assert_eq!(shared.into_private().to_string(), "max-age=60, private");
    /// ```
    pub fn into_private(mut self) -> Self {
        self.private = Some(Vec::new());
        self.s_maxage = None;
        self.with_public(false)
    }

    /// Adds `public`.
    pub fn public(self) -> Self {
        self.with_public(true)
    }

    /// Adds `public` when `public` is true and removes it when false. `false` never writes
    /// anything: there is no `public=false` in HTTP.
    pub fn with_public(mut self, public: bool) -> Self {
        self.set(PUBLIC, public);
        self
    }

    /// Adds `no-transform`.
    pub fn no_transform(mut self) -> Self {
        self.flags |= NO_TRANSFORM;
        self
    }

    /// Adds `must-revalidate`.
    pub fn must_revalidate(mut self) -> Self {
        self.flags |= MUST_REVALIDATE;
        self
    }

    /// Adds `proxy-revalidate`.
    pub fn proxy_revalidate(mut self) -> Self {
        self.flags |= PROXY_REVALIDATE;
        self
    }

    /// Adds `must-understand`.
    pub fn must_understand(mut self) -> Self {
        self.flags |= MUST_UNDERSTAND;
        self
    }

    /// Adds `immutable` (RFC 8246).
    pub fn immutable(mut self) -> Self {
        self.flags |= IMMUTABLE;
        self
    }

    /// Adds the `only-if-cached` request directive.
    pub fn only_if_cached(mut self) -> Self {
        self.flags |= ONLY_IF_CACHED;
        self
    }

    /// Adds a directive this type has no method for, kept verbatim. The value, if any, is
    /// written as a token when it is one and as a quoted string otherwise.
    ///
    /// # Errors
    ///
    /// When `name` is not an RFC 9110 token, or `value` holds a control character.
    pub fn with_extension(mut self, name: &str, value: Option<&str>) -> Result<Self, Error> {
        if !util::is_token(name) {
            return Err(Error::new("cache directive", "the name is not a token"));
        }
        let raw_value = match value {
            None => None,
            Some(v) if util::is_quotable(v) => {
                let mut raw = String::new();
                util::push_token_or_quoted(&mut raw, v);
                Some(raw.into_boxed_str())
            }
            Some(_) => return Err(Error::new("cache directive", "the value has a control character")),
        };
        self.extensions.push(Extension { name: name.into(), raw_value });
        Ok(self)
    }

    fn set(&mut self, flag: u16, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }

    const fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    // ----- getters --------------------------------------------------------------------------

    /// Whether no directive is present (such a value encodes to no header line).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The `max-age` value.
    #[must_use]
    pub fn get_max_age(&self) -> Option<Duration> {
        duration(self.max_age)
    }

    /// The `s-maxage` value.
    #[must_use]
    pub fn get_s_maxage(&self) -> Option<Duration> {
        duration(self.s_maxage)
    }

    /// The `stale-while-revalidate` value.
    #[must_use]
    pub fn get_stale_while_revalidate(&self) -> Option<Duration> {
        duration(self.stale_while_revalidate)
    }

    /// The `stale-if-error` value.
    #[must_use]
    pub fn get_stale_if_error(&self) -> Option<Duration> {
        duration(self.stale_if_error)
    }

    /// The `max-stale` value.
    #[must_use]
    pub const fn get_max_stale(&self) -> Option<MaxStale> {
        self.max_stale
    }

    /// The `min-fresh` value.
    #[must_use]
    pub fn get_min_fresh(&self) -> Option<Duration> {
        duration(self.min_fresh)
    }

    /// Whether `no-cache` is present, bare or with field names.
    #[must_use]
    pub const fn is_no_cache(&self) -> bool {
        self.no_cache.is_some()
    }

    /// The field names of a qualified `no-cache`: `Some(&[])` for a bare `no-cache`, `None`
    /// when the directive is absent.
    #[must_use]
    pub fn no_cache_fields(&self) -> Option<&[HeaderName]> {
        self.no_cache.as_deref()
    }

    /// Whether `private` is present, bare or with field names.
    #[must_use]
    pub const fn is_private(&self) -> bool {
        self.private.is_some()
    }

    /// The field names of a qualified `private`: `Some(&[])` for a bare `private`, `None` when
    /// the directive is absent.
    #[must_use]
    pub fn private_fields(&self) -> Option<&[HeaderName]> {
        self.private.as_deref()
    }

    /// Whether `no-store` is present.
    #[must_use]
    pub const fn is_no_store(&self) -> bool {
        self.has(NO_STORE)
    }

    /// Whether `public` is present.
    #[must_use]
    pub const fn is_public(&self) -> bool {
        self.has(PUBLIC)
    }

    /// Whether `no-transform` is present.
    #[must_use]
    pub const fn is_no_transform(&self) -> bool {
        self.has(NO_TRANSFORM)
    }

    /// Whether `must-revalidate` is present.
    #[must_use]
    pub const fn is_must_revalidate(&self) -> bool {
        self.has(MUST_REVALIDATE)
    }

    /// Whether `proxy-revalidate` is present.
    #[must_use]
    pub const fn is_proxy_revalidate(&self) -> bool {
        self.has(PROXY_REVALIDATE)
    }

    /// Whether `must-understand` is present.
    #[must_use]
    pub const fn is_must_understand(&self) -> bool {
        self.has(MUST_UNDERSTAND)
    }

    /// Whether `immutable` is present.
    #[must_use]
    pub const fn is_immutable(&self) -> bool {
        self.has(IMMUTABLE)
    }

    /// Whether `only-if-cached` is present.
    #[must_use]
    pub const fn is_only_if_cached(&self) -> bool {
        self.has(ONLY_IF_CACHED)
    }

    /// The directives this crate does not know, in the order they came.
    pub fn extensions(&self) -> impl Iterator<Item = &Extension> {
        self.extensions.iter()
    }

    // ----- parsing --------------------------------------------------------------------------

    fn parse_into(&mut self, field: &str) -> Result<(), Error> {
        for directive in split_list(field) {
            let (name, raw) = split_name_value(directive);
            if !util::is_token(name) {
                return Err(Error::new("cache directive", "the name is not a token"));
            }
            let value =
                match raw {
                    None => None,
                    Some(raw) => Some(util::parse_value(raw).ok_or(Error::new(
                        "cache directive",
                        "the argument is not a token or quoted string",
                    ))?),
                };
            let delta_arg = || -> Result<u32, Error> { parse_delta(value.as_deref()) };
            let lower = name.to_ascii_lowercase();
            match lower.as_str() {
                "max-age" => first(&mut self.max_age, delta_arg()?),
                "s-maxage" => first(&mut self.s_maxage, delta_arg()?),
                "stale-while-revalidate" => first(&mut self.stale_while_revalidate, delta_arg()?),
                "stale-if-error" => first(&mut self.stale_if_error, delta_arg()?),
                "min-fresh" => first(&mut self.min_fresh, delta_arg()?),
                "max-stale" => {
                    let arg = match value {
                        None => MaxStale::Any,
                        Some(_) => MaxStale::AtMost(Duration::from_secs(u64::from(delta_arg()?))),
                    };
                    if self.max_stale.is_none() {
                        self.max_stale = Some(arg);
                    }
                }
                "no-cache" => parse_fields(&mut self.no_cache, value.as_deref())?,
                "private" => parse_fields(&mut self.private, value.as_deref())?,
                flag => {
                    if let Some((bit, _)) = FLAGS.iter().find(|(_, n)| *n == flag) {
                        // A flag directive takes no argument; one that came with an argument
                        // is read as the flag (the restrictive reading) and the argument dropped.
                        self.flags |= bit;
                    } else {
                        self.extensions.push(Extension { name: name.into(), raw_value: raw.map(Into::into) });
                    }
                }
            }
        }
        Ok(())
    }

    fn write(&self, out: &mut String) {
        let mut w = DirectiveWriter { out, first: true };
        w.delta("max-age", self.max_age);
        w.delta("s-maxage", self.s_maxage);
        w.fields("no-cache", self.no_cache.as_deref());
        w.flag("no-store", self.has(NO_STORE));
        w.fields("private", self.private.as_deref());
        // public … immutable, in canonical order.
        for (bit, name) in &FLAGS[1..7] {
            w.flag(name, self.has(*bit));
        }
        w.delta("stale-while-revalidate", self.stale_while_revalidate);
        w.delta("stale-if-error", self.stale_if_error);
        match self.max_stale {
            None => {}
            Some(MaxStale::Any) => w.flag("max-stale", true),
            Some(MaxStale::AtMost(d)) => w.delta("max-stale", Some(delta(d))),
        }
        w.delta("min-fresh", self.min_fresh);
        w.flag("only-if-cached", self.has(ONLY_IF_CACHED));
        for ext in &self.extensions {
            w.name(&ext.name);
            if let Some(v) = &ext.raw_value {
                w.out.push('=');
                w.out.push_str(v);
            }
        }
    }
}

/// Writes directives separated by `", "`.
struct DirectiveWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl DirectiveWriter<'_> {
    fn name(&mut self, name: &str) {
        if !self.first {
            self.out.push_str(", ");
        }
        self.first = false;
        self.out.push_str(name);
    }

    fn flag(&mut self, name: &str, on: bool) {
        if on {
            self.name(name);
        }
    }

    fn delta(&mut self, name: &str, secs: Option<u32>) {
        if let Some(secs) = secs {
            use std::fmt::Write as _;
            self.name(name);
            // Writing to a String cannot fail.
            let _ = write!(self.out, "={secs}");
        }
    }

    fn fields(&mut self, name: &str, fields: Option<&[HeaderName]>) {
        let Some(fields) = fields else { return };
        self.name(name);
        if fields.is_empty() {
            return;
        }
        self.out.push_str("=\"");
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str(f.as_str());
        }
        self.out.push('"');
    }
}

fn first(slot: &mut Option<u32>, v: u32) {
    if slot.is_none() {
        *slot = Some(v);
    }
}

fn parse_delta(value: Option<&str>) -> Result<u32, Error> {
    let v = value.ok_or(Error::new("cache directive", "delta-seconds argument missing"))?;
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new("cache directive", "delta-seconds must be digits"));
    }
    // Too many digits saturate, as RFC 9111 §1.2.2 says.
    Ok(v.parse::<u64>()
        .ok()
        .and_then(|n| u32::try_from(n).ok())
        .map_or(MAX_DELTA_SECONDS, |n| n.min(MAX_DELTA_SECONDS)))
}

fn add_fields<I: IntoIterator<Item = HeaderName>>(slot: &mut Option<Vec<HeaderName>>, fields: I) {
    match slot {
        // A bare directive already covers every field.
        Some(existing) if existing.is_empty() => {}
        Some(existing) => {
            for f in fields {
                if !existing.contains(&f) {
                    existing.push(f);
                }
            }
        }
        None => {
            let mut list = Vec::new();
            for f in fields {
                if !list.contains(&f) {
                    list.push(f);
                }
            }
            if !list.is_empty() {
                *slot = Some(list);
            }
        }
    }
}

fn parse_fields(slot: &mut Option<Vec<HeaderName>>, value: Option<&str>) -> Result<(), Error> {
    let Some(value) = value else {
        *slot = Some(Vec::new());
        return Ok(());
    };
    let mut names = Vec::new();
    for name in split_list(value) {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::new("cache directive", "a field name is not a token"))?;
        names.push(name);
    }
    if names.is_empty() {
        // `no-cache=""` names no field: read it as the bare, more restrictive directive.
        *slot = Some(Vec::new());
    } else {
        add_fields(slot, names);
    }
    Ok(())
}

impl fmt::Display for CacheControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(32);
        self.write(&mut s);
        f.write_str(&s)
    }
}

impl FromStr for CacheControl {
    type Err = Error;

    /// Parses one field value. An empty value gives an empty `CacheControl`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let mut cc = Self::new();
        cc.parse_into(s)?;
        Ok(cc)
    }
}

impl Header for CacheControl {
    fn name() -> &'static HeaderName {
        &http::header::CACHE_CONTROL
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let field = util::joined_lines(values)?;
        field.parse().map_err(|_| headers::Error::invalid())
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        if self.is_empty() {
            return;
        }
        let mut s = String::with_capacity(32);
        self.write(&mut s);
        values.extend(std::iter::once(util::header_value(s)));
    }
}

impl From<&CacheControl> for headers::CacheControl {
    /// Converts to the `headers` crate's type, which keeps fewer directives: extensions,
    /// field-name lists and `stale-*` are lost.
    fn from(cc: &CacheControl) -> Self {
        util::convert(cc).unwrap_or_else(|_| Self::new())
    }
}

impl From<&headers::CacheControl> for CacheControl {
    fn from(cc: &headers::CacheControl) -> Self {
        // The `headers` crate only writes well-formed directives, which always parse here.
        util::convert(cc).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use headers::HeaderMapExt;
    use http::{HeaderMap, header::CACHE_CONTROL};

    const DAY: Duration = Duration::from_secs(86_400);

    fn parse(s: &str) -> CacheControl {
        s.parse().unwrap()
    }

    #[test]
    fn output_order_is_canonical_whatever_the_build_order() {
        let cc = CacheControl::new()
            .with_extension("x-ext", Some("a b"))
            .unwrap()
            .only_if_cached()
            .with_min_fresh(Duration::from_secs(3))
            .with_max_stale(MaxStale::AtMost(Duration::from_secs(4)))
            .with_stale_if_error(Duration::from_secs(5))
            .with_stale_while_revalidate(Duration::from_secs(6))
            .immutable()
            .must_understand()
            .proxy_revalidate()
            .must_revalidate()
            .no_transform()
            .public()
            .with_private_fields([CACHE_CONTROL])
            .with_no_store()
            .with_no_cache_fields([http::header::SET_COOKIE])
            .with_s_maxage(Duration::from_secs(2))
            .with_max_age(Duration::from_secs(1));
        assert_eq!(
            cc.to_string(),
            "max-age=1, s-maxage=2, no-cache=\"set-cookie\", no-store, private=\"cache-control\", public, \
             no-transform, must-revalidate, proxy-revalidate, must-understand, immutable, \
             stale-while-revalidate=6, stale-if-error=5, max-stale=4, min-fresh=3, only-if-cached, \
             x-ext=\"a b\""
        );
        assert_eq!(parse(&cc.to_string()), cc);
    }

    #[test]
    fn litestar_examples() {
        assert_eq!(CacheControl::max_age(Duration::from_secs(10)).public().to_string(), "max-age=10, public");
        assert_eq!(CacheControl::max_age(DAY).public().to_string(), "max-age=86400, public");
        assert_eq!(CacheControl::no_store().to_string(), "no-store");
        // Litestar writes `public` for public=False; here false means absent.
        assert_eq!(CacheControl::max_age(DAY).with_public(false).to_string(), "max-age=86400");
        assert_eq!(CacheControl::max_age(DAY).public().with_public(false).to_string(), "max-age=86400");
    }

    #[test]
    fn parsing_is_case_insensitive_and_accepts_quoted_values() {
        let cc = parse("MAX-AGE=\"10\", Public, No-Cache=\"Set-Cookie, X-Foo\", S-MaxAge=20");
        assert_eq!(cc.get_max_age(), Some(Duration::from_secs(10)));
        assert_eq!(cc.get_s_maxage(), Some(Duration::from_secs(20)));
        assert!(cc.is_public());
        assert_eq!(cc.no_cache_fields().unwrap(), ["set-cookie", "x-foo"]);
        assert_eq!(cc.to_string(), "max-age=10, s-maxage=20, no-cache=\"set-cookie, x-foo\", public");
    }

    #[test]
    fn several_lines_are_one_field() {
        let mut map = HeaderMap::new();
        map.append(CACHE_CONTROL, HeaderValue::from_static("max-age=60"));
        map.append(CACHE_CONTROL, HeaderValue::from_static("must-revalidate, private"));
        let cc: CacheControl = map.typed_get().unwrap();
        assert_eq!(cc.to_string(), "max-age=60, private, must-revalidate");
    }

    #[test]
    fn rfc_9111_private_with_extension_example() {
        // RFC 9111 §5.2.3.
        let cc = parse("private, community=\"UCI\"");
        assert!(cc.is_private());
        let ext = cc.extensions().next().unwrap();
        assert_eq!(ext.name(), "community");
        assert_eq!(ext.value().as_deref(), Some("UCI"));
        assert_eq!(ext.raw_value(), Some("\"UCI\""));
        assert_eq!(cc.to_string(), "private, community=\"UCI\"");
    }

    #[test]
    fn request_directives() {
        let cc = parse("max-stale, min-fresh=30, only-if-cached, no-transform, stale-if-error=5");
        assert_eq!(cc.get_max_stale(), Some(MaxStale::Any));
        assert_eq!(cc.get_min_fresh(), Some(Duration::from_secs(30)));
        assert!(cc.is_only_if_cached() && cc.is_no_transform());
        assert_eq!(cc.get_stale_if_error(), Some(Duration::from_secs(5)));
        assert_eq!(parse("max-stale=9").get_max_stale(), Some(MaxStale::AtMost(Duration::from_secs(9))));
    }

    #[test]
    fn first_occurrence_wins_and_bare_beats_qualified() {
        assert_eq!(parse("max-age=5, max-age=50").get_max_age(), Some(Duration::from_secs(5)));
        assert_eq!(parse("no-cache=\"a\", no-cache").no_cache_fields(), Some(&[][..]));
        assert_eq!(parse("private, private=\"a\"").private_fields(), Some(&[][..]));
        assert_eq!(parse("no-cache=\"\"").to_string(), "no-cache");
    }

    #[test]
    fn huge_delta_seconds_saturate_at_two_to_the_31() {
        assert_eq!(parse("max-age=99999999999999999999999").to_string(), "max-age=2147483648");
        assert_eq!(CacheControl::max_age(Duration::from_secs(u64::MAX)).to_string(), "max-age=2147483648");
    }

    #[test]
    fn malformed_directives_are_errors() {
        for bad in [
            "max-age=abc",
            "max-age=",
            "max-age",
            "max-age=-1",
            "max-age=1.5",
            "\"public\"",
            "no-cache=\"bad name\"",
            "ext=\"unterminated",
            "ext=a b",
        ] {
            assert!(bad.parse::<CacheControl>().is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn an_empty_value_never_becomes_a_header() {
        let mut map = HeaderMap::new();
        map.typed_insert(CacheControl::new());
        assert!(map.is_empty());
        map.typed_insert(CacheControl::max_age(DAY).with_public(false));
        assert_eq!(map[CACHE_CONTROL], "max-age=86400");
        assert!(CacheControl::new().is_empty());
        assert!(parse(" , ,").is_empty());
    }

    #[test]
    fn flag_directives_with_an_argument_still_count() {
        assert!(parse("no-store=1").is_no_store());
    }

    #[test]
    fn extensions_are_validated_and_kept_verbatim() {
        assert!(CacheControl::new().with_extension("bad name", None).is_err());
        assert!(CacheControl::new().with_extension("x", Some("a\nb")).is_err());
        let cc = parse("Foo=bar, BAZ");
        assert_eq!(cc.to_string(), "Foo=bar, BAZ");
    }

    #[test]
    fn converts_to_and_from_the_headers_crate() {
        let ours = CacheControl::max_age(DAY).public().must_revalidate().with_no_store();
        let theirs = headers::CacheControl::from(&ours);
        assert_eq!(theirs.max_age(), Some(DAY));
        assert!(theirs.public() && theirs.must_revalidate() && theirs.no_store());
        assert_eq!(CacheControl::from(&theirs), ours);
    }
}
