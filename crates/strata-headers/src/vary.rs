//! `Vary` (RFC 9110 §12.5.5), and appending a field to a response's `Vary` without duplicates.
//!
//! ```
//! use http::{HeaderMap, header::{ACCEPT, ACCEPT_ENCODING, VARY}};
//! use strata_headers::vary;
//!
//! let mut headers = HeaderMap::new();
//! headers.insert(VARY, "Accept-Encoding".parse().unwrap());
//! vary::append(&mut headers, &ACCEPT);
//! vary::append(&mut headers, &ACCEPT); // already there: no duplicate
//! assert_eq!(headers.get_all(VARY).iter().collect::<Vec<_>>(), ["Accept-Encoding, accept"]);
//!
//! // `*` already varies on everything.
//! headers.insert(VARY, "*".parse().unwrap());
//! vary::append(&mut headers, &ACCEPT_ENCODING);
//! assert_eq!(headers[VARY], "*");
//! ```

use std::{fmt, str::FromStr};

use headers::{Header, HeaderName, HeaderValue};
use http::{HeaderMap, header::VARY};

use crate::{Error, util};

/// The typed `Vary` header: `*`, or the request fields the response depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[must_use]
pub struct Vary {
    any: bool,
    fields: Vec<HeaderName>,
}

impl Vary {
    /// `Vary: *`: the response depends on more than request fields.
    pub const fn any() -> Self {
        Self { any: true, fields: Vec::new() }
    }

    /// `Vary` on these fields (duplicates dropped).
    pub fn fields<I: IntoIterator<Item = HeaderName>>(fields: I) -> Self {
        fields.into_iter().fold(Self::default(), Self::with)
    }

    /// Adds a field unless it is already listed or the value is `*`.
    pub fn with(mut self, field: HeaderName) -> Self {
        if !self.any && !self.fields.contains(&field) {
            self.fields.push(field);
        }
        self
    }

    /// Whether the value is `*`.
    #[must_use]
    pub const fn is_any(&self) -> bool {
        self.any
    }

    /// Whether the response varies on `field` (always true for `*`).
    #[must_use]
    pub fn contains(&self, field: &HeaderName) -> bool {
        self.any || self.fields.contains(field)
    }

    /// The listed fields (empty for `*`).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &HeaderName> {
        self.fields.iter()
    }

    fn parse_into(&mut self, field: &str) -> Result<(), Error> {
        for name in util::split_list(field) {
            if name == "*" {
                self.any = true;
                self.fields.clear();
            } else {
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| Error::new("vary", "a field name is not a token"))?;
                if !self.any && !self.fields.contains(&name) {
                    self.fields.push(name);
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Vary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.any {
            return f.write_str("*");
        }
        for (i, name) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for Vary {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let mut vary = Self::default();
        vary.parse_into(s)?;
        Ok(vary)
    }
}

impl Header for Vary {
    fn name() -> &'static HeaderName {
        &VARY
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let field = util::joined_lines(values)?;
        field.parse().map_err(|_| headers::Error::invalid())
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        if !self.any && self.fields.is_empty() {
            return;
        }
        values.extend(std::iter::once(util::header_value(self.to_string())));
    }
}

impl From<&Vary> for headers::Vary {
    fn from(vary: &Vary) -> Self {
        util::convert(vary).unwrap_or_else(|_| Self::any())
    }
}

impl TryFrom<&headers::Vary> for Vary {
    type Error = headers::Error;

    fn try_from(vary: &headers::Vary) -> Result<Self, headers::Error> {
        util::convert(vary)
    }
}

/// Adds `field` to the `Vary` of `headers` unless it is already there (compared
/// case-insensitively) or `Vary` is `*`.
///
/// Existing `Vary` lines are kept and merged into one line with the new field appended, so a
/// client that reads only the first line still sees every field. A line that is not text is
/// kept as it is.
pub fn append(headers: &mut HeaderMap, field: &HeaderName) {
    let mut lines = 0usize;
    for line in headers.get_all(VARY) {
        lines += 1;
        let listed = line
            .to_str()
            .is_ok_and(|s| util::split_list(s).any(|n| n == "*" || n.eq_ignore_ascii_case(field.as_str())));
        if listed {
            return;
        }
    }
    if lines == 0 {
        headers.insert(VARY, HeaderValue::from(field.clone()));
        return;
    }
    let mut merged: Vec<u8> = Vec::new();
    for line in headers.get_all(VARY) {
        let trimmed = util::trim_ows(line.to_str().unwrap_or_default());
        let bytes = if line.to_str().is_ok() { trimmed.as_bytes() } else { line.as_bytes() };
        if !bytes.is_empty() {
            merged.extend_from_slice(bytes);
            merged.extend_from_slice(b", ");
        }
    }
    merged.extend_from_slice(field.as_str().as_bytes());
    // Every part came from a valid header value or a header name.
    if let Ok(value) = HeaderValue::from_bytes(&merged) {
        headers.insert(VARY, value);
    } else {
        headers.append(VARY, HeaderValue::from(field.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{ACCEPT, ACCEPT_ENCODING, ORIGIN};

    #[test]
    fn append_inserts_when_absent() {
        let mut h = HeaderMap::new();
        append(&mut h, &ACCEPT);
        assert_eq!(h[VARY], "accept");
    }

    #[test]
    fn append_is_case_insensitive_across_lines() {
        let mut h = HeaderMap::new();
        h.append(VARY, HeaderValue::from_static("Origin"));
        h.append(VARY, HeaderValue::from_static("ACCEPT"));
        append(&mut h, &ACCEPT);
        assert_eq!(h.get_all(VARY).iter().count(), 2);
        append(&mut h, &ACCEPT_ENCODING);
        assert_eq!(h.get_all(VARY).iter().collect::<Vec<_>>(), ["Origin, ACCEPT, accept-encoding"]);
        let vary: Vary = headers::HeaderMapExt::typed_get(&h).unwrap();
        assert!(vary.contains(&ORIGIN) && vary.contains(&ACCEPT) && vary.contains(&ACCEPT_ENCODING));
    }

    #[test]
    fn star_absorbs_fields() {
        let vary: Vary = "accept, *, origin".parse().unwrap();
        assert!(vary.is_any());
        assert_eq!(vary.to_string(), "*");
        assert_eq!(Vary::any().with(ACCEPT), Vary::any());
    }

    #[test]
    fn fields_are_deduplicated() {
        let vary: Vary = "Accept, accept,ORIGIN".parse().unwrap();
        assert_eq!(vary.to_string(), "accept, origin");
        assert_eq!(Vary::fields([ACCEPT, ACCEPT]).iter().len(), 1);
    }

    #[test]
    fn bad_field_names_are_errors() {
        assert!("acc ept".parse::<Vary>().is_err());
        assert!("\"accept\"".parse::<Vary>().is_err());
    }

    #[test]
    fn converts_to_and_from_the_headers_crate() {
        let ours = Vary::fields([ACCEPT, ORIGIN]);
        let theirs = headers::Vary::from(&ours);
        assert_eq!(Vary::try_from(&theirs).unwrap(), ours);
    }
}
