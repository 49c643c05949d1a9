//! Shared pieces of the RFC 9110 field grammar: tokens, quoted strings, lists and parameters.
//!
//! The `headers` crate keeps its equivalents private, and `http` has none, so the few functions
//! every header here needs live in this module, written once.

use std::borrow::Cow;

use headers::Header;
use http::HeaderValue;

/// `tchar` of RFC 9110 §5.6.2.
pub(crate) const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`'
        | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// `token` of RFC 9110 §5.6.2: one or more `tchar`.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// Whether `s` can stand inside a quoted string once `"` and `\` are escaped: visible ASCII,
/// space, tab and obs-text, but no other control character (so never CR or LF).
pub(crate) fn is_quotable(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

/// Optional white space of RFC 9110 §5.6.3.
pub(crate) fn trim_ows(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Splits `s` at `sep` where the separator stands outside a quoted string (and, with `angle`,
/// outside `<…>`), trims optional white space and skips empty elements, as RFC 9110 §5.6.1
/// asks of recipients of a list.
pub(crate) fn split_outside_quotes(s: &str, sep: u8, angle: bool) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut pos = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        while !done {
            let mut in_quotes = false;
            let mut in_angle = false;
            while pos < bytes.len() {
                let b = bytes[pos];
                if in_quotes {
                    match b {
                        b'\\' => pos += 1,
                        b'"' => in_quotes = false,
                        _ => {}
                    }
                } else if in_angle {
                    if b == b'>' {
                        in_angle = false;
                    }
                } else if b == b'"' {
                    in_quotes = true;
                } else if angle && b == b'<' {
                    in_angle = true;
                } else if b == sep {
                    break;
                }
                pos += 1;
            }
            let end = pos.min(bytes.len());
            // `pos` may have run one past the end after a trailing backslash.
            let element = trim_ows(s.get(start..end).unwrap_or_default());
            if pos >= bytes.len() {
                done = true;
            } else {
                pos += 1;
                start = pos;
            }
            if !element.is_empty() {
                return Some(element);
            }
        }
        None
    })
}

/// Splits a comma-separated list (RFC 9110 §5.6.1), respecting quoted strings.
pub(crate) fn split_list(s: &str) -> impl Iterator<Item = &str> {
    split_outside_quotes(s, b',', false)
}

/// Parses a complete quoted string (RFC 9110 §5.6.4), returning its unescaped content, or
/// `None` if `s` is not exactly one well-formed quoted string.
pub(crate) fn unquote(s: &str) -> Option<Cow<'_, str>> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        if inner.contains('"') || !is_quotable(inner) {
            return None;
        }
        return Some(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return None,
            c => out.push(c),
        }
    }
    if is_quotable(&out) { Some(Cow::Owned(out)) } else { None }
}

/// Parses a parameter value: a token or a quoted string.
pub(crate) fn parse_value(s: &str) -> Option<Cow<'_, str>> {
    if s.starts_with('"') {
        unquote(s)
    } else if is_token(s) {
        Some(Cow::Borrowed(s))
    } else {
        None
    }
}

/// Appends `s` as a quoted string, escaping `"` and `\`. The caller guarantees `is_quotable(s)`.
pub(crate) fn push_quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Appends `s` as a token when it is one, else as a quoted string.
pub(crate) fn push_token_or_quoted(out: &mut String, s: &str) {
    if is_token(s) {
        out.push_str(s);
    } else {
        push_quoted(out, s);
    }
}

/// Splits `name[=value]` at the first `=` outside quotes, trimming white space on both sides.
pub(crate) fn split_name_value(s: &str) -> (&str, Option<&str>) {
    match s.find(['=', '"']) {
        Some(i) if s.as_bytes()[i] == b'=' => (trim_ows(&s[..i]), Some(trim_ows(&s[i + 1..]))),
        _ => (trim_ows(s), None),
    }
}

/// Turns a string this crate has built from validated parts into a header value.
///
/// Every caller only builds visible ASCII, so the conversion cannot fail; a failure is a bug in
/// this crate and is reported as such.
pub(crate) fn header_value(s: String) -> HeaderValue {
    HeaderValue::try_from(s).expect("strata-headers only formats valid field values")
}

/// Converts one typed header into another through its encoded form; used for the conversions
/// to and from the `headers` crate's types.
pub(crate) fn convert<A: Header, B: Header>(a: &A) -> Result<B, headers::Error> {
    let mut values = Vec::<HeaderValue>::with_capacity(1);
    a.encode(&mut values);
    B::decode(&mut values.iter())
}

/// The characters RFC 8187 `attr-char` leaves unescaped: everything else in an ext-value is
/// percent-encoded.
pub(crate) const ATTR_CHAR_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attr-char` of RFC 8187 (the complement of [`ATTR_CHAR_ESCAPES`] among ASCII bytes).
const fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(b, b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~')
}

/// Appends an RFC 8187 `ext-value` in UTF-8 without a language: `UTF-8''…`.
pub(crate) fn push_ext_value(out: &mut String, s: &str) {
    out.push_str("UTF-8''");
    out.extend(percent_encoding::utf8_percent_encode(s, ATTR_CHAR_ESCAPES));
}

/// Decodes an RFC 8187 `ext-value` (`charset'language'pct-encoded`). UTF-8 and ISO-8859-1 are
/// the charsets the RFC names; anything else, or bytes that are not valid in the charset, is
/// `None`.
pub(crate) fn decode_ext_value(s: &str) -> Option<String> {
    let mut parts = s.splitn(3, '\'');
    let charset = parts.next()?;
    let _language = parts.next()?;
    let encoded = parts.next()?;
    if !encoded.bytes().all(|b| b == b'%' || is_attr_char(b)) {
        return None;
    }
    // Every `%` must start a two-digit escape.
    let bytes = encoded.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return None;
        }
    }
    let raw: Vec<u8> = percent_encoding::percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(raw).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(raw.into_iter().map(char::from).collect())
    } else {
        None
    }
}

/// Joins the lines of a header into one list for parsers that accept several lines; a line that
/// is not UTF-8 makes the whole field invalid.
pub(crate) fn joined_lines<'i, I>(values: &mut I) -> Result<Cow<'i, str>, headers::Error>
where
    I: Iterator<Item = &'i HeaderValue>,
{
    let first = values.next().ok_or_else(headers::Error::invalid)?;
    let first = std::str::from_utf8(first.as_bytes()).map_err(|_| headers::Error::invalid())?;
    let Some(second) = values.next() else {
        return Ok(Cow::Borrowed(first));
    };
    let mut all = String::from(first);
    for value in std::iter::once(second).chain(values) {
        all.push(',');
        all.push_str(std::str::from_utf8(value.as_bytes()).map_err(|_| headers::Error::invalid())?);
    }
    Ok(Cow::Owned(all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_splitting_respects_quotes_and_skips_empty_elements() {
        let items: Vec<_> = split_list(r#" a, "b,c" ,, d="e\",f" ,"#).collect();
        assert_eq!(items, ["a", r#""b,c""#, r#"d="e\",f""#]);
    }

    #[test]
    fn angle_brackets_protect_separators_when_asked() {
        let items: Vec<_> = split_outside_quotes("<a,b>; rel=x, <c>", b',', true).collect();
        assert_eq!(items, ["<a,b>; rel=x", "<c>"]);
    }

    #[test]
    fn trailing_backslash_inside_quotes_does_not_panic() {
        let items: Vec<_> = split_list("\"abc\\").collect();
        assert_eq!(items, ["\"abc\\"]);
        assert_eq!(unquote("\"abc\\\""), None);
    }

    #[test]
    fn unquote_handles_escapes_and_rejects_bad_strings() {
        assert_eq!(unquote(r#""a\"b\\c""#).as_deref(), Some(r#"a"b\c"#));
        assert_eq!(unquote(r#""plain""#).as_deref(), Some("plain"));
        assert_eq!(unquote(r#""a"b""#), None);
        assert_eq!(unquote("noquotes"), None);
        assert_eq!(unquote("\""), None);
    }

    #[test]
    fn ext_values_round_trip_and_reject_bad_escapes() {
        let mut s = String::new();
        push_ext_value(&mut s, "résumé 2024.pdf");
        assert_eq!(s, "UTF-8''r%C3%A9sum%C3%A9%202024.pdf");
        assert_eq!(decode_ext_value(&s).as_deref(), Some("résumé 2024.pdf"));
        assert_eq!(decode_ext_value("iso-8859-1'en'%A3%20rates").as_deref(), Some("£ rates"));
        assert_eq!(decode_ext_value("UTF-8''%zz"), None);
        assert_eq!(decode_ext_value("UTF-8''%C3"), None);
        assert_eq!(decode_ext_value("koi8-r''abc"), None);
        assert_eq!(decode_ext_value("UTF-8''a b"), None);
    }
}
