//! `Forwarded` (RFC 7239): what each proxy on the way saw of the request, one element per
//! proxy, the client's side first.
//!
//! ```
//! use headers::HeaderMapExt;
//! use strata_headers::Forwarded;
//!
//! let mut request = http::HeaderMap::new();
//! request.insert("forwarded", r#"for=192.0.2.60;proto=https;host="shop.example:8443", for=10.0.0.2"#.parse().unwrap());
//! let forwarded: Forwarded = request.typed_get().unwrap();
//! let first = &forwarded.elements()[0];
//! assert_eq!((first.proto(), first.host()), (Some("https"), Some("shop.example:8443")));
//! assert_eq!(forwarded.elements()[1].node(), Some("10.0.0.2"));
//! ```
//!
//! Anyone can send this header: only believe the elements your own proxies appended (see
//! `axum_strata::host::TrustForwarded`). A field that breaks the grammar is refused whole, as
//! RFC 7239 §4 says. The `headers` crate has no `Forwarded`.

use std::fmt;

use headers::{Header, HeaderName, HeaderValue};

use crate::util::{
    is_quotable, is_token, joined_lines, parse_value, push_token_or_quoted, split_list, split_name_value,
    split_outside_quotes,
};

/// A field of more elements than this is refused: a proxy chain is short.
pub const MAX_ELEMENTS: usize = 64;

/// The typed `Forwarded` request header: one [`ForwardedElement`] per proxy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct Forwarded {
    elements: Vec<ForwardedElement>,
}

/// What one proxy saw: the `for`, `by`, `host` and `proto` parameters it set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct ForwardedElement {
    node: Option<String>,
    by: Option<String>,
    host: Option<String>,
    proto: Option<String>,
    /// Extension parameters, names in lower case, kept in order.
    extensions: Vec<(String, String)>,
}

impl Forwarded {
    /// The elements, the one nearest the client first.
    pub fn elements(&self) -> &[ForwardedElement] {
        &self.elements
    }

    /// A header of these elements (at most [`MAX_ELEMENTS`] are kept).
    pub fn from_elements(elements: impl IntoIterator<Item = ForwardedElement>) -> Self {
        Self { elements: elements.into_iter().take(MAX_ELEMENTS).collect() }
    }
}

impl ForwardedElement {
    /// An element with no parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// The client (`for`) as the proxy saw it: an address, `unknown` or an obfuscated name.
    #[must_use]
    pub fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }

    /// The proxy's own interface (`by`).
    #[must_use]
    pub fn by(&self) -> Option<&str> {
        self.by.as_deref()
    }

    /// The `Host` the proxy received.
    #[must_use]
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The scheme the proxy was asked with (`http`, `https`).
    #[must_use]
    pub fn proto(&self) -> Option<&str> {
        self.proto.as_deref()
    }

    /// With `for`.
    pub fn with_node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// With `host`.
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// With `proto`.
    pub fn with_proto(mut self, proto: impl Into<String>) -> Self {
        self.proto = Some(proto.into());
        self
    }

    fn parse(element: &str) -> Option<Self> {
        let mut out = Self::new();
        for pair in split_outside_quotes(element, b';', false) {
            let (name, Some(value)) = split_name_value(pair) else { return None };
            if !is_token(name) {
                return None;
            }
            let value = parse_value(value)?.into_owned();
            let name = name.to_ascii_lowercase();
            let slot = match name.as_str() {
                "for" => &mut out.node,
                "by" => &mut out.by,
                "host" => &mut out.host,
                "proto" => &mut out.proto,
                _ => {
                    if out.extensions.iter().any(|(n, _)| *n == name) {
                        return None;
                    }
                    out.extensions.push((name, value));
                    continue;
                }
            };
            // Each parameter at most once per element (RFC 7239 §4).
            if slot.replace(value).is_some() {
                return None;
            }
        }
        Some(out)
    }
}

impl Header for Forwarded {
    fn name() -> &'static HeaderName {
        &http::header::FORWARDED
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let all = joined_lines(values)?;
        let mut elements = Vec::new();
        for element in split_list(&all) {
            if elements.len() == MAX_ELEMENTS {
                return Err(headers::Error::invalid());
            }
            elements.push(ForwardedElement::parse(element).ok_or_else(headers::Error::invalid)?);
        }
        Ok(Self { elements })
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        let text = self.to_string();
        if let Ok(value) = HeaderValue::try_from(text) {
            values.extend(std::iter::once(value));
        }
    }
}

impl fmt::Display for Forwarded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for element in &self.elements {
            if !out.is_empty() {
                out.push_str(", ");
            }
            let mut first = true;
            let known = [
                ("for", &element.node),
                ("by", &element.by),
                ("host", &element.host),
                ("proto", &element.proto),
            ];
            let known = known.into_iter().filter_map(|(name, value)| Some((name, value.as_deref()?)));
            let extensions = element.extensions.iter().map(|(n, v)| (n.as_str(), v.as_str()));
            for (name, value) in known.chain(extensions) {
                // Names and values that cannot be written are left out.
                if !is_token(name) || !is_quotable(value) {
                    continue;
                }
                if !first {
                    out.push(';');
                }
                first = false;
                out.push_str(name);
                out.push('=');
                push_token_or_quoted(&mut out, value);
            }
            // An element without parameters is still a hop: `;` says so, where nothing would
            // lose it (and `, ` would not be written before the next).
            if first {
                out.push(';');
            }
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(lines: &[&str]) -> Result<Forwarded, headers::Error> {
        let values: Vec<HeaderValue> = lines.iter().map(|l| HeaderValue::from_str(l).unwrap()).collect();
        Forwarded::decode(&mut values.iter())
    }

    #[test]
    fn rfc_7239_examples() {
        let f = decode(&[r#"for="_gazonk""#]).unwrap();
        assert_eq!(f.elements()[0].node(), Some("_gazonk"));
        let f = decode(&[r#"For="[2001:db8:cafe::17]:4711""#]).unwrap();
        assert_eq!(f.elements()[0].node(), Some("[2001:db8:cafe::17]:4711"));
        let f = decode(&["for=192.0.2.60;proto=http;by=203.0.113.43"]).unwrap();
        let e = &f.elements()[0];
        assert_eq!(
            (e.node(), e.proto(), e.by(), e.host()),
            (Some("192.0.2.60"), Some("http"), Some("203.0.113.43"), None)
        );
        let f = decode(&["for=192.0.2.43, for=198.51.100.17", "for=unknown"]).unwrap();
        let nodes: Vec<_> = f.elements().iter().map(|e| e.node().unwrap()).collect();
        assert_eq!(nodes, ["192.0.2.43", "198.51.100.17", "unknown"]);
    }

    #[test]
    fn malformed_fields_are_refused_whole() {
        for bad in ["for", "for=a b", "host=a;host=b", r#"for="unterminated"#, "for=192.0.2.1, host=\"x"] {
            assert!(decode(&[bad]).is_err(), "{bad}");
        }
        let many = vec!["for=a"; MAX_ELEMENTS + 1].join(",");
        assert!(decode(&[&many]).is_err());
        assert!(decode(&["=a"]).is_err(), "a parameter needs a name");
        let f = decode(&["Ext=1;for=a"]).unwrap();
        assert_eq!(f.to_string(), "for=a;ext=1", "extensions are kept");
    }

    #[test]
    fn round_trips() {
        let f = Forwarded::from_elements([
            ForwardedElement::new().with_node("[::1]:80").with_proto("https").with_host("a.example"),
            ForwardedElement::new().with_node("10.0.0.1"),
        ]);
        assert_eq!(f.to_string(), r#"for="[::1]:80";host=a.example;proto=https, for=10.0.0.1"#);
        let mut values = Vec::new();
        f.encode(&mut values);
        assert_eq!(Forwarded::decode(&mut values.iter()).unwrap(), f);
    }
}
