//! `Link` (RFC 8288): typed links with relation types and target attributes, as pagination
//! uses them.
//!
//! ```
//! use headers::HeaderMapExt;
//! use strata_headers::{Link, LinkValue};
//!
//! let link = Link::from_values([
//!     LinkValue::new("/people?limit=10&offset=20").with_rel("next"),
//!     LinkValue::new("/people?limit=10&offset=0").with_rel("first"),
//! ]);
//! assert_eq!(
//!     link.to_string(),
//!     r#"</people?limit=10&offset=20>; rel="next", </people?limit=10&offset=0>; rel="first""#
//! );
//!
//! // Targets are escaped so they cannot break out of `<…>`.
//! assert_eq!(LinkValue::new("/a b/ü>").target(), "/a%20b/%C3%BC%3E");
//!
//! let mut map = http::HeaderMap::new();
//! map.typed_insert(link.clone());
//! let back: Link = map.typed_get().unwrap();
//! assert_eq!(back.find_rel("next").unwrap().target(), "/people?limit=10&offset=20");
//! ```

use std::{fmt, str::FromStr};

use headers::{Header, HeaderName, HeaderValue};

use crate::{Error, uri, util};

/// One link: a target URI reference, its relation types and other target attributes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct LinkValue {
    target: String,
    rel: Option<String>,
    /// Other parameters: names in lower case, values decoded.
    params: Vec<(Box<str>, String)>,
}

impl LinkValue {
    /// A link to `target`, a URI reference (relative or absolute). Characters that cannot
    /// appear in a URI reference are percent-encoded.
    pub fn new(target: impl AsRef<str>) -> Self {
        Self { target: uri::escape(target.as_ref()).into_owned(), rel: None, params: Vec::new() }
    }

    /// Sets the relation type(s): one, or several separated by spaces (`"next last"`). Control
    /// characters become spaces.
    pub fn with_rel(mut self, rel: &str) -> Self {
        // The usual relation type (`next`, `last`) is one plain word: kept as it is.
        if !rel.is_empty() && rel.bytes().all(|b| b.is_ascii_graphic()) {
            self.rel = Some(rel.to_owned());
            return self;
        }
        let rel: String = rel.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        self.rel = Some(rel.split_whitespace().collect::<Vec<_>>().join(" "));
        self
    }

    /// Adds a target attribute such as `title`, `type` or `hreflang`. A later one with the same
    /// name replaces the earlier one. Non-ASCII values are written as `name*=UTF-8''…`.
    ///
    /// # Errors
    ///
    /// When `name` is not a plain token (or is `rel`, which has [`LinkValue::with_rel`]), or the
    /// value has a control character.
    pub fn with_param(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let lower = name.to_ascii_lowercase();
        if !util::is_token(&lower) || lower.ends_with('*') || lower == "rel" {
            return Err(Error::new("link parameter", "the name is not a plain token, or is rel"));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::new("link parameter", "the value has a control character"));
        }
        self.params.retain(|(n, _)| **n != *lower);
        self.params.push((lower.into(), value.to_owned()));
        Ok(self)
    }

    /// The target, as escaped for the header.
    #[must_use]
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The relation types, space-separated, if any.
    #[must_use]
    pub fn rel(&self) -> Option<&str> {
        self.rel.as_deref()
    }

    /// Whether one of the relation types is `rel` (compared case-insensitively, as RFC 8288
    /// §2.1.1 says for registered types).
    #[must_use]
    pub fn has_rel(&self, rel: &str) -> bool {
        self.rel.as_deref().is_some_and(|r| r.split(' ').any(|t| t.eq_ignore_ascii_case(rel)))
    }

    /// A target attribute's decoded value, by case-insensitive name.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.target);
        out.push('>');
        if let Some(rel) = &self.rel {
            out.push_str("; rel=");
            util::push_quoted(out, rel);
        }
        for (name, value) in &self.params {
            out.push_str("; ");
            out.push_str(name);
            if value.is_ascii() {
                out.push('=');
                util::push_quoted(out, value);
            } else {
                out.push_str("*=");
                util::push_ext_value(out, value);
            }
        }
    }

    fn parse(s: &str) -> Option<Self> {
        let rest = s.strip_prefix('<')?;
        let end = rest.find('>')?;
        let target = &rest[..end];
        if !target.bytes().all(uri::is_uri_char) {
            return None;
        }
        let mut link = Self { target: target.to_owned(), rel: None, params: Vec::new() };
        let params = util::trim_ows(&rest[end + 1..]);
        if params.is_empty() {
            return Some(link);
        }
        let params = params.strip_prefix(';')?;
        for param in util::split_outside_quotes(params, b';', false) {
            let (name, value) = util::split_name_value(param);
            let name = name.to_ascii_lowercase();
            if !util::is_token(&name) {
                return None;
            }
            let (base, decoded) = match (name.strip_suffix('*'), value) {
                // An undecodable ext-value is ignored, like an unknown parameter.
                (Some(base), Some(v)) => match util::decode_ext_value(v) {
                    Some(d) => (base, d),
                    None => continue,
                },
                (Some(_), None) => return None,
                (None, Some(v)) => (name.as_str(), util::parse_value(v)?.into_owned()),
                // RFC 8288 allows a parameter without a value.
                (None, None) => (name.as_str(), String::new()),
            };
            if base == "rel" {
                // Occurrences of rel after the first are ignored (RFC 8288 §3.3).
                if link.rel.is_none() {
                    link = link.with_rel(&decoded);
                }
            } else if !link.params.iter().any(|(n, _)| **n == *base) || name.ends_with('*') {
                // A `name*` form is preferred over the plain one, whichever came first.
                link.params.retain(|(n, _)| **n != *base);
                link.params.push((
                    base.into(),
                    decoded.chars().map(|c| if c.is_control() { ' ' } else { c }).collect(),
                ));
            }
        }
        Some(link)
    }
}

impl fmt::Display for LinkValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(self.target.len() + 16);
        self.write(&mut s);
        f.write_str(&s)
    }
}

/// The typed `Link` header: one or more links.
///
/// Several `Link` lines and comma-separated links in one line are the same to a recipient
/// (RFC 8288 §3); this type encodes all its links in one line, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[must_use]
pub struct Link {
    links: Vec<LinkValue>,
}

impl Link {
    /// No links (encodes to no header line).
    pub const fn new() -> Self {
        Self { links: Vec::new() }
    }

    /// These links, in this order.
    pub fn from_values<I: IntoIterator<Item = LinkValue>>(links: I) -> Self {
        Self { links: links.into_iter().collect() }
    }

    /// Adds a link.
    pub fn with(mut self, link: LinkValue) -> Self {
        self.links.push(link);
        self
    }

    /// Adds a link in place.
    pub fn push(&mut self, link: LinkValue) {
        self.links.push(link);
    }

    /// The links, in order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &LinkValue> {
        self.links.iter()
    }

    /// The first link with relation type `rel`.
    #[must_use]
    pub fn find_rel(&self, rel: &str) -> Option<&LinkValue> {
        self.links.iter().find(|l| l.has_rel(rel))
    }

    /// Whether there is no link.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    fn write(&self, out: &mut String) {
        for (i, link) in self.links.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            link.write(out);
        }
    }

    fn parse_into(&mut self, field: &str) -> Result<(), Error> {
        for link in util::split_outside_quotes(field, b',', true) {
            let value =
                LinkValue::parse(link).ok_or(Error::new("link", "expected <uri-reference> *( ; param )"))?;
            self.links.push(value);
        }
        Ok(())
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}

impl FromStr for Link {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let mut link = Self::new();
        link.parse_into(s)?;
        Ok(link)
    }
}

impl Header for Link {
    fn name() -> &'static HeaderName {
        &http::header::LINK
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let mut link = Self::new();
        let mut any_line = false;
        for value in values {
            any_line = true;
            let s = value.to_str().map_err(|_| headers::Error::invalid())?;
            link.parse_into(s).map_err(|_| headers::Error::invalid())?;
        }
        if any_line { Ok(link) } else { Err(headers::Error::invalid()) }
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        if self.links.is_empty() {
            return;
        }
        let mut s = String::with_capacity(64 * self.links.len());
        self.write(&mut s);
        values.extend(std::iter::once(util::header_value(s)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_8288_examples_parse() {
        let link: Link = r#"<http://example.com/TheBook/chapter2>; rel="previous"; title="previous chapter""#
            .parse()
            .unwrap();
        let v = link.find_rel("previous").unwrap();
        assert_eq!(v.target(), "http://example.com/TheBook/chapter2");
        assert_eq!(v.param("title"), Some("previous chapter"));

        let link: Link = r#"</TheBook/chapter2>; rel="previous"; title*=UTF-8'de'letztes%20Kapitel, </TheBook/chapter4>; rel="next"; title*=UTF-8'de'n%c3%a4chstes%20Kapitel"#
            .parse()
            .unwrap();
        assert_eq!(link.values().len(), 2);
        assert_eq!(link.find_rel("next").unwrap().param("title"), Some("nächstes Kapitel"));

        let link: Link =
            r#"<http://example.org/>; rel="start http://example.net/relation/other""#.parse().unwrap();
        let v = link.values().next().unwrap();
        assert!(v.has_rel("start"));
        assert!(v.has_rel("http://example.net/relation/other"));
    }

    #[test]
    fn commas_and_semicolons_inside_targets_and_quotes_do_not_split() {
        let link: Link = r#"</a,b;c>; rel="next"; title="x, y; z", </d>; rel=last"#.parse().unwrap();
        let values: Vec<_> = link.values().collect();
        assert_eq!(values[0].target(), "/a,b;c");
        assert_eq!(values[0].param("title"), Some("x, y; z"));
        assert_eq!(values[1].rel(), Some("last"));
    }

    #[test]
    fn relation_types_are_normalised_and_plain_ones_kept() {
        assert_eq!(LinkValue::new("/x").with_rel("next").rel(), Some("next"));
        assert_eq!(LinkValue::new("/x").with_rel("  next\r\n\tlast ").rel(), Some("next last"));
        assert_eq!(LinkValue::new("/x").with_rel("").rel(), Some(""));
        assert_eq!(LinkValue::new("/x").with_rel("ça\u{a0}va").rel(), Some("ça va"));
    }

    #[test]
    fn only_the_first_rel_counts() {
        let link: Link = r#"</x>; rel=next; rel=prev"#.parse().unwrap();
        assert_eq!(link.values().next().unwrap().rel(), Some("next"));
    }

    #[test]
    fn non_ascii_parameters_use_rfc_8187() {
        let v = LinkValue::new("/b").with_rel("next").with_param("title", "nächstes").unwrap();
        assert_eq!(v.to_string(), r#"</b>; rel="next"; title*=UTF-8''n%C3%A4chstes"#);
    }

    #[test]
    fn targets_with_quotes_or_angles_are_escaped() {
        let v = LinkValue::new("/x?q=\"<script>\"&r=1");
        assert_eq!(v.to_string(), "</x?q=%22%3Cscript%3E%22&r=1>");
    }

    #[test]
    fn malformed_links_are_errors() {
        for bad in ["/no-angles", "<unterminated", "</x> rel=next", "</x>; rel=\"open", "<a b>"] {
            assert!(bad.parse::<Link>().is_err(), "{bad:?} must be refused");
        }
    }
}
