//! `Accept` (RFC 9110 §12.5.1): media ranges with parameters and weights, and the choice of the
//! offer the client prefers.
//!
//! ```
//! use headers::HeaderMapExt;
//! use strata_headers::Accept;
//!
//! let mut request = http::HeaderMap::new();
//! request.insert("accept", "text/*;q=0.5, application/json, application/xml;q=0".parse().unwrap());
//! let accept: Accept = request.typed_get().unwrap_or_default(); // missing header = */*
//!
//! let offers = [mime::TEXT_PLAIN, mime::TEXT_HTML, "application/xml".parse().unwrap(), mime::APPLICATION_JSON];
//! assert_eq!(accept.best_match(&offers), Some(&mime::APPLICATION_JSON));
//! // q=0 means "not acceptable", whatever else would match:
//! assert!(!accept.accepts(&"application/xml".parse().unwrap()));
//! // Equal weights, ranges equally specific: the server's order decides.
//! assert_eq!(accept.best_match(&offers[..2]), Some(&mime::TEXT_PLAIN));
//!
//! // Equal weights: the offer the client named most specifically wins.
//! let accept: Accept = "text/*, text/html".parse().unwrap();
//! assert_eq!(accept.best_match(&offers[..2]), Some(&mime::TEXT_HTML));
//! ```

use std::{borrow::Borrow, cmp::Reverse, fmt, str::FromStr};

use headers::{Header, HeaderName, HeaderValue};
use mime::Mime;

use crate::{Error, util};

/// A weight (`q`) between 0 and 1 with at most three decimals, kept in thousandths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QValue(u16);

impl QValue {
    /// `q=1`, the default weight.
    pub const ONE: Self = Self(1000);
    /// `q=0`: not acceptable.
    pub const ZERO: Self = Self(0);

    /// A weight from thousandths (`500` is `q=0.5`); `None` above 1000.
    #[must_use]
    pub const fn from_thousandths(thousandths: u16) -> Option<Self> {
        if thousandths <= 1000 { Some(Self(thousandths)) } else { None }
    }

    /// The weight in thousandths.
    #[must_use]
    pub const fn thousandths(self) -> u16 {
        self.0
    }

    /// Parses `qvalue` of RFC 9110 §12.4.2: `0`, `0.5`, `0.125`, `1`, `1.000`…
    ///
    /// # Errors
    ///
    /// When `s` does not follow that grammar.
    pub fn parse(s: &str) -> Result<Self, Error> {
        const BAD: Error = Error::new("weight", "expected 0 to 1 with at most three decimals");
        let bytes = s.as_bytes();
        let (int, frac) = match bytes {
            [i] => (*i, &[][..]),
            [i, b'.', frac @ ..] if frac.len() <= 3 => (*i, frac),
            _ => return Err(BAD),
        };
        if !frac.iter().all(u8::is_ascii_digit) {
            return Err(BAD);
        }
        let mut thousandths = 0u16;
        for i in 0..3 {
            thousandths = thousandths * 10 + frac.get(i).map_or(0, |d| u16::from(d - b'0'));
        }
        match int {
            b'0' => Ok(Self(thousandths)),
            b'1' if thousandths == 0 => Ok(Self::ONE),
            _ => Err(BAD),
        }
    }
}

impl fmt::Display for QValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1000 => f.write_str("1"),
            0 => f.write_str("0"),
            n => {
                let digits = format!("{n:03}");
                write!(f, "0.{}", digits.trim_end_matches('0'))
            }
        }
    }
}

/// One element of `Accept`: a media range (`type/subtype`, `type/*` or `*/*`, with
/// parameters) and its weight.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct MediaRange {
    mime: Mime,
    q: QValue,
}

impl MediaRange {
    /// A range with weight 1.
    ///
    /// # Errors
    ///
    /// When the type is `*` but the subtype is not (`*/html` is no media range), or the range
    /// carries a `q` parameter (use [`MediaRange::with_q`]).
    pub fn new(mime: Mime) -> Result<Self, Error> {
        if mime.type_() == mime::STAR && mime.subtype() != mime::STAR {
            return Err(Error::new("media range", "a wildcard type needs a wildcard subtype"));
        }
        if mime.get_param("q").is_some() {
            return Err(Error::new("media range", "the weight is not a media type parameter"));
        }
        Ok(Self { mime, q: QValue::ONE })
    }

    /// The same range with another weight.
    pub fn with_q(mut self, q: QValue) -> Self {
        self.q = q;
        self
    }

    /// The media range without its weight.
    #[must_use]
    pub const fn mime(&self) -> &Mime {
        &self.mime
    }

    /// The weight.
    #[must_use]
    pub const fn q(&self) -> QValue {
        self.q
    }

    /// How specific the range is: `*/*` 0, `type/*` 1, `type/subtype` 2, plus one per
    /// parameter. A more specific range overrides a less specific one.
    #[must_use]
    pub fn specificity(&self) -> usize {
        if self.mime.type_() == mime::STAR {
            0
        } else if self.mime.subtype() == mime::STAR {
            1
        } else {
            2 + self.mime.params().count()
        }
    }

    /// The structured syntax suffix (`json` in `application/vnd.api+json`), if any.
    #[must_use]
    pub fn suffix(&self) -> Option<&str> {
        self.mime.suffix().map(|s| s.as_str())
    }

    /// Whether `offer` falls within this range: same type and subtype (or wildcards), and every
    /// parameter of the range present in `offer` with the same value (case-insensitively).
    #[must_use]
    pub fn matches(&self, offer: &Mime) -> bool {
        let type_ok = self.mime.type_() == mime::STAR || self.mime.type_() == offer.type_();
        let sub_ok = self.mime.subtype() == mime::STAR || self.mime.subtype() == offer.subtype();
        type_ok
            && sub_ok
            && self.mime.params().all(|(name, value)| {
                offer.params().any(|(n, v)| n == name && v.as_str().eq_ignore_ascii_case(value.as_str()))
            })
    }

    fn parse(element: &str) -> Option<Self> {
        let mut parts = util::split_outside_quotes(element, b';', false);
        let essence = parts.next()?;
        let mut params: Vec<&str> = Vec::new();
        let mut q = QValue::ONE;
        for param in parts {
            let (name, value) = util::split_name_value(param);
            if name.eq_ignore_ascii_case("q") {
                // A malformed weight drops the whole range: guessing would risk serving what
                // the client tried to refuse.
                q = QValue::parse(value?).ok()?;
                // Anything after the weight is an old `accept-ext` (RFC 7231): ignored.
                break;
            }
            params.push(param);
        }
        let mime = if params.is_empty() {
            essence.parse::<Mime>().ok()?
        } else {
            let mut s = String::from(essence);
            for p in params {
                s.push_str("; ");
                s.push_str(p);
            }
            s.parse::<Mime>().ok()?
        };
        Some(Self::new(mime).ok()?.with_q(q))
    }
}

impl fmt::Display for MediaRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mime.as_ref())?;
        if self.q != QValue::ONE {
            write!(f, ";q={}", self.q)?;
        }
        Ok(())
    }
}

impl FromStr for MediaRange {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(util::trim_ows(s))
            .ok_or(Error::new("media range", "expected type/subtype[;param=value][;q=weight]"))
    }
}

/// How the client ranks one offer: by weight first, then by the specificity of the range
/// that gave the weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    q: QValue,
    specificity: usize,
}

/// The typed `Accept` request header.
///
/// Decoding is lenient where RFC 9110 lets it be: a range with bad syntax or a malformed weight
/// is dropped and the rest of the header stands. A request without `Accept`, or whose ranges
/// were all dropped, accepts everything (`*/*`): use `Accept::default()` for a missing header.
///
/// In an axum handler, `axum_strata::negotiation::RequestAccept` extracts it and never rejects
/// (it has its own name, so that importing both never gives two `Accept`s).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct Accept {
    ranges: Vec<MediaRange>,
}

impl Default for Accept {
    /// `*/*`, what a request without `Accept` means.
    fn default() -> Self {
        Self::any()
    }
}

impl Accept {
    /// `*/*`.
    pub fn any() -> Self {
        Self { ranges: vec![MediaRange { mime: mime::STAR_STAR, q: QValue::ONE }] }
    }

    /// An `Accept` of these ranges, in this order.
    pub fn from_ranges<I: IntoIterator<Item = MediaRange>>(ranges: I) -> Self {
        Self { ranges: ranges.into_iter().collect() }
    }

    /// The ranges in the order the client sent them.
    pub fn ranges(&self) -> impl ExactSizeIterator<Item = &MediaRange> {
        self.ranges.iter()
    }

    /// The ranges from most to least preferred: by weight, then by specificity
    /// (`type/sub;param` > `type/sub` > `type/*` > `*/*`), then in the order sent.
    #[must_use]
    pub fn preferred(&self) -> Vec<&MediaRange> {
        let mut sorted: Vec<&MediaRange> = self.ranges.iter().collect();
        sorted.sort_by_key(|r| (Reverse(r.q), Reverse(r.specificity())));
        sorted
    }

    /// The weight the client gives `offer`: that of the most specific range matching it, or 0
    /// when none does (RFC 9110 §12.5.1).
    #[must_use]
    pub fn quality(&self, offer: &Mime) -> QValue {
        self.rank(offer).q
    }

    /// The range that decides the weight of `offer`: the most specific one matching it (the
    /// first of equally specific ones). `None` when no range matches, or when the header held
    /// no range at all (which accepts everything).
    #[must_use]
    pub fn range_for(&self, offer: &Mime) -> Option<&MediaRange> {
        let mut best: Option<&MediaRange> = None;
        for range in &self.ranges {
            if range.matches(offer) && best.is_none_or(|b| range.specificity() > b.specificity()) {
                best = Some(range);
            }
        }
        best
    }

    /// How the client ranks `offer`: its weight, then how specifically the client named it.
    fn rank(&self, offer: &Mime) -> Rank {
        if self.ranges.is_empty() {
            return Rank { q: QValue::ONE, specificity: 0 };
        }
        self.range_for(offer).map_or(Rank { q: QValue::ZERO, specificity: 0 }, |r| Rank {
            q: r.q,
            specificity: r.specificity(),
        })
    }

    /// Whether the client accepts `offer` at all (its weight is above 0).
    #[must_use]
    pub fn accepts(&self, offer: &Mime) -> bool {
        self.quality(offer) > QValue::ZERO
    }

    /// The offer the client prefers: the highest weight wins; between offers of equal weight,
    /// the one the client named most specifically (`text/html` beats an offer that only
    /// `text/*` matches, as Litestar, Werkzeug and actix rank); then the earlier offer (the
    /// server's order). Offers weighted 0 are never chosen. `None` when nothing offered is
    /// acceptable: answer 406, or fall back to a default of the server's choosing.
    ///
    /// This is the one ranking of offers in Strata: the negotiation layer uses it too.
    pub fn best_match<I>(&self, offers: I) -> Option<I::Item>
    where
        I: IntoIterator,
        I::Item: Borrow<Mime>,
    {
        let mut best: Option<(Rank, I::Item)> = None;
        for offer in offers {
            let rank = self.rank(offer.borrow());
            if rank.q > QValue::ZERO && best.as_ref().is_none_or(|(b, _)| rank > *b) {
                best = Some((rank, offer));
            }
        }
        best.map(|(_, offer)| offer)
    }

    fn parse_field(field: &str) -> Self {
        Self { ranges: util::split_list(field).filter_map(MediaRange::parse).collect() }
    }
}

/// The structured syntax suffix of a media type (`json` in `application/problem+json`).
#[must_use]
pub fn structured_suffix(mime: &Mime) -> Option<&str> {
    mime.suffix().map(|s| s.as_str())
}

/// Whether a media type is JSON: `*/json` or any `*/*+json`.
#[must_use]
pub fn is_json(mime: &Mime) -> bool {
    mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON)
}

impl fmt::Display for Accept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            fmt::Display::fmt(r, f)?;
        }
        Ok(())
    }
}

impl FromStr for Accept {
    type Err = std::convert::Infallible;

    /// Parses one field value leniently (see the type's docs); never fails.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse_field(s))
    }
}

impl Header for Accept {
    fn name() -> &'static HeaderName {
        &http::header::ACCEPT
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let mut ranges = Vec::new();
        let mut any_line = false;
        for value in values {
            any_line = true;
            // A line that is not text holds no range we could match: skip it like a bad range.
            if let Ok(s) = std::str::from_utf8(value.as_bytes()) {
                ranges.extend(util::split_list(s).filter_map(MediaRange::parse));
            }
        }
        if any_line { Ok(Self { ranges }) } else { Err(headers::Error::invalid()) }
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        if !self.ranges.is_empty() {
            values.extend(std::iter::once(util::header_value(self.to_string())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Mime {
        s.parse().unwrap()
    }

    #[test]
    fn qvalue_grammar() {
        for (s, t) in
            [("0", 0), ("0.", 0), ("0.5", 500), ("0.125", 125), ("1", 1000), ("1.000", 1000), ("0.001", 1)]
        {
            assert_eq!(QValue::parse(s).unwrap().thousandths(), t, "{s}");
        }
        for bad in ["", "1.5", "1.001", "0.1234", "2", "-0", ".5", "0,5", "0.5x", "01"] {
            assert!(QValue::parse(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(QValue::parse("0.250").unwrap().to_string(), "0.25");
    }

    #[test]
    fn rfc_9110_precedence_example() {
        // RFC 9110 §12.5.1.
        let accept: Accept = "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, \
                              text/plain;format=fixed;q=0.4, */*;q=0.5"
            .parse()
            .unwrap();
        for (offer, q) in [
            ("text/plain;format=flowed", 1000),
            ("text/plain", 700),
            ("text/html", 300),
            ("image/jpeg", 500),
            ("text/plain;format=fixed", 400),
            ("text/html;level=3", 300),
        ] {
            assert_eq!(accept.quality(&m(offer)).thousandths(), q, "{offer}");
        }
    }

    #[test]
    fn preferred_orders_by_weight_then_specificity() {
        let accept: Accept =
            "*/*, text/*, text/html;level=1, text/html, application/json;q=0.9".parse().unwrap();
        let order: Vec<String> = accept.preferred().iter().map(ToString::to_string).collect();
        assert_eq!(order, ["text/html; level=1", "text/html", "text/*", "*/*", "application/json;q=0.9"]);
    }

    #[test]
    fn malformed_weights_drop_only_their_range() {
        let accept: Accept =
            "application/json;q=2, text/html;q=abc, text/plain;q=0.5, nonsense".parse().unwrap();
        let kept: Vec<String> = accept.ranges().map(ToString::to_string).collect();
        assert_eq!(kept, ["text/plain;q=0.5"]);
        assert_eq!(accept.best_match([mime::APPLICATION_JSON, mime::TEXT_PLAIN]), Some(mime::TEXT_PLAIN));
    }

    #[test]
    fn q_zero_excludes_even_under_a_wildcard() {
        let accept: Accept = "*/*, application/json;q=0".parse().unwrap();
        assert!(!accept.accepts(&mime::APPLICATION_JSON));
        assert_eq!(accept.best_match([mime::APPLICATION_JSON]), None);
        assert_eq!(accept.best_match([mime::APPLICATION_JSON, mime::TEXT_HTML]), Some(mime::TEXT_HTML));
    }

    #[test]
    fn browser_accept_prefers_html() {
        let accept: Accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,\
                              image/webp,*/*;q=0.8"
            .parse()
            .unwrap();
        let offers = [mime::APPLICATION_JSON, mime::TEXT_HTML];
        assert_eq!(accept.best_match(&offers), Some(&mime::TEXT_HTML));
        assert_eq!(accept.best_match(&offers[..1]), Some(&mime::APPLICATION_JSON));
    }

    #[test]
    fn equal_weights_go_to_the_offer_named_most_specifically_then_to_the_servers_order() {
        let offers = [mime::TEXT_PLAIN, mime::TEXT_HTML, m("application/xml")];
        for (header, chosen) in [
            ("text/*, text/html", "text/html"),
            ("text/html, text/*", "text/html"),
            ("*/*, application/xml", "application/xml"),
            ("text/*;q=0.5, application/xml;q=0.5, text/plain;q=0.5", "text/plain"),
            // A higher weight still beats a more specific range.
            ("text/*, text/html;q=0.9", "text/plain"),
            // Parameters make a range more specific.
            ("text/*, text/html;level=1", "text/plain"),
            ("text/*", "text/plain"),
            ("*/*", "text/plain"),
        ] {
            let accept: Accept = header.parse().unwrap();
            assert_eq!(
                accept.best_match(&offers).map(ToString::to_string).as_deref(),
                Some(chosen),
                "{header}"
            );
        }
        let accept: Accept = "text/*, text/html;level=1".parse().unwrap();
        let with_level = [mime::TEXT_HTML, m("text/html;level=1")];
        assert_eq!(accept.best_match(&with_level), Some(&with_level[1]));
        assert_eq!(accept.range_for(&with_level[0]).map(ToString::to_string).as_deref(), Some("text/*"));
    }

    #[test]
    fn missing_or_empty_accept_means_anything() {
        assert!(Accept::default().accepts(&m("image/png")));
        let empty: Accept = "".parse().unwrap();
        assert!(empty.accepts(&m("image/png")));
    }

    #[test]
    fn wildcard_type_with_concrete_subtype_is_not_a_range() {
        assert!("*/html".parse::<MediaRange>().is_err());
        assert!(MediaRange::new(m("text/html;q=1")).is_err());
    }

    #[test]
    fn json_suffix_is_exposed() {
        let r: MediaRange = "application/vnd.example.resource+json".parse().unwrap();
        assert_eq!(r.suffix(), Some("json"));
        assert!(is_json(r.mime()));
        assert!(is_json(&mime::APPLICATION_JSON));
        assert!(!is_json(&mime::TEXT_HTML));
        assert_eq!(structured_suffix(&m("application/problem+json")), Some("json"));
    }

    #[test]
    fn parameters_must_match_the_offer() {
        let accept: Accept = "text/html;level=1".parse().unwrap();
        assert!(accept.accepts(&m("text/html;level=1")));
        assert!(!accept.accepts(&m("text/html")));
        assert!(!accept.accepts(&m("text/html;level=2")));
    }
}
