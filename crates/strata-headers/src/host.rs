//! `Host`: the authority a request names when its target does not (RFC 9112 §3.2, RFC 9110
//! §7.2), checked against RFC 3986's `uri-host [ ":" port ]`.
//!
//! ```
//! use headers::HeaderMapExt;
//! use strata_headers::Host;
//!
//! let mut request = http::HeaderMap::new();
//! request.insert("host", "example.com:8080".parse().unwrap());
//! let host: Host = request.typed_get().unwrap();
//! assert_eq!((host.host(), host.port()), ("example.com", Some(8080)));
//!
//! assert_eq!(Host::new("[::1]").unwrap().host(), "[::1]");
//! assert!(Host::new("").unwrap().is_empty()); // an empty Host is valid: the target had no authority
//! for bad in ["user@example.com", "a b", "example.com:99999", "[::1", "exa%zzmple", "/path"] {
//!     assert!(Host::new(bad).is_err(), "{bad}");
//! }
//!
//! // Two Host lines are one too many.
//! request.append("host", "other.example".parse().unwrap());
//! assert!(request.typed_get::<Host>().is_none());
//! ```
//!
//! The `headers` crate's `Host` parses with `http::uri::Authority`, which takes user
//! information (`user@host`) that a Host field may not carry, and refuses the empty value RFC
//! 9112 allows; this one follows the RFCs and says where the host ends and the port begins.

use std::{fmt, net::Ipv6Addr, str::FromStr};

use headers::{Header, HeaderName, HeaderValue};

use crate::Error;

/// The typed `Host` request header: a host (a registered name, an IPv4 address, or an IPv6 or
/// future address in brackets) and an optional port, or the empty value.
///
/// Refused: user information, characters outside RFC 3986's `reg-name` (percent-encoding must
/// be `%` and two hex digits), a port that is not 0 to 65535, an empty host before a port, and
/// more than one header line.
#[derive(Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct Host {
    value: HeaderValue,
    /// Where the host ends (the length of the value when there is no `:`).
    host_end: usize,
    port: Option<u16>,
}

impl Host {
    /// A host to send or compare.
    ///
    /// # Errors
    ///
    /// When `host` is not `uri-host [ ":" port ]` (see the type's docs).
    pub fn new(host: impl AsRef<str>) -> Result<Self, Error> {
        let host = host.as_ref();
        let (host_end, port) = parse(host.as_bytes()).ok_or(Error::new("host", "not a host and port"))?;
        let value = HeaderValue::from_str(host).map_err(|_| Error::new("host", "not a header value"))?;
        Ok(Self { value, host_end, port })
    }

    /// The host: a name, an IPv4 address, or an IPv6 or future address with its brackets.
    #[must_use]
    pub fn host(&self) -> &str {
        self.as_str().get(..self.host_end).unwrap_or_default()
    }

    /// The port, when one is given (`host:` gives none).
    #[must_use]
    pub const fn port(&self) -> Option<u16> {
        self.port
    }

    /// Whether the value is empty (a request whose target has no authority).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// The whole value, as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ever built from visible ASCII (checked by `parse`).
        self.value.to_str().unwrap_or_default()
    }

    /// The value as a header value.
    #[must_use]
    pub const fn header_value(&self) -> &HeaderValue {
        &self.value
    }
}

/// `uri-host [ ":" port ]`: where the host ends, and the port.
fn parse(s: &[u8]) -> Option<(usize, Option<u16>)> {
    if s.is_empty() {
        return Some((0, None));
    }
    let host_end = if s.first() == Some(&b'[') {
        let close = s.iter().position(|&b| b == b']')?;
        if !ip_literal(s.get(1..close)?) {
            return None;
        }
        close + 1
    } else {
        let end = s.iter().position(|&b| b == b':').unwrap_or(s.len());
        if end == 0 || !reg_name(s.get(..end)?) {
            return None;
        }
        end
    };
    let port = match s.get(host_end..)? {
        [] | [b':'] => None,
        [b':', digits @ ..] if digits.len() <= 5 && digits.iter().all(u8::is_ascii_digit) => {
            Some(std::str::from_utf8(digits).ok()?.parse::<u16>().ok()?)
        }
        _ => return None,
    };
    Some((host_end, port))
}

/// `unreserved / sub-delims` of RFC 3986 §2.
const fn is_name_char(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~'
        | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
}

/// `reg-name` (which covers `IPv4address`): name characters and `%` with two hex digits.
fn reg_name(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if b == b'%' {
            if !s.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
        } else if is_name_char(b) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// What stands between the brackets of an `IP-literal`: an IPv6 address or `IPvFuture`
/// (`"v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )`).
fn ip_literal(s: &[u8]) -> bool {
    if let [b'v' | b'V', rest @ ..] = s {
        let Some(dot) = rest.iter().position(|&b| b == b'.') else { return false };
        let (version, tail) = rest.split_at(dot);
        let tail = tail.get(1..).unwrap_or_default();
        return !version.is_empty()
            && version.iter().all(u8::is_ascii_hexdigit)
            && !tail.is_empty()
            && tail.iter().all(|&b| b == b':' || is_name_char(b));
    }
    std::str::from_utf8(s).ok().and_then(|s| s.parse::<Ipv6Addr>().ok()).is_some()
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Host").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Host {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::new(s)
    }
}

impl Header for Host {
    fn name() -> &'static HeaderName {
        &http::header::HOST
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let value = values.next().ok_or_else(headers::Error::invalid)?;
        if values.next().is_some() {
            return Err(headers::Error::invalid());
        }
        let (host_end, port) = parse(value.as_bytes()).ok_or_else(headers::Error::invalid)?;
        Ok(Self { value: value.clone(), host_end, port })
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        values.extend(std::iter::once(self.value.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(lines: &[&[u8]]) -> Result<Host, headers::Error> {
        let values: Vec<HeaderValue> = lines.iter().map(|l| HeaderValue::from_bytes(l).unwrap()).collect();
        Host::decode(&mut values.iter())
    }

    #[test]
    fn hosts_and_ports_as_rfc_3986_writes_them() {
        for (value, host, port) in [
            ("example.com", "example.com", None),
            ("EXAMPLE.com:80", "EXAMPLE.com", Some(80)),
            ("example.com:", "example.com", None),
            ("127.0.0.1:0", "127.0.0.1", Some(0)),
            ("[::1]:65535", "[::1]", Some(65535)),
            ("[2001:db8::7]", "[2001:db8::7]", None),
            ("[v1.fe80::a+en1]", "[v1.fe80::a+en1]", None),
            ("xn--bcher-kva.example", "xn--bcher-kva.example", None),
            ("a%41b", "a%41b", None),
            ("under_score~!$&'()*+,;=", "under_score~!$&'()*+,;=", None),
            ("", "", None),
        ] {
            let h = decode(&[value.as_bytes()]).unwrap();
            assert_eq!((h.host(), h.port(), h.as_str()), (host, port, value), "{value}");
        }
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            &b"user@example.com"[..],
            b"a b",
            b" example.com",
            b"example.com/path",
            b"example.com:65536",
            b"example.com:123456",
            b"example.com:8o",
            b"example.com:80:80",
            b":80",
            b"[::1",
            b"[::1]x",
            b"[not-v6]",
            b"[v.x]",
            b"[v1.]",
            b"a%4",
            b"a%zz",
            b"h\xc3\xa9.example",
            b"http://example.com",
        ] {
            assert!(decode(&[bad]).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert!(decode(&[]).is_err());
        assert!(decode(&[b"a.example", b"a.example"]).is_err(), "two lines");
    }

    #[test]
    fn new_and_decode_agree() {
        assert_eq!(Host::new("example.com:1").unwrap(), decode(&[b"example.com:1"]).unwrap());
        assert!(Host::new("a@b").is_err());
        assert_eq!(Host::new("x:1").unwrap().to_string(), "x:1");
    }
}
