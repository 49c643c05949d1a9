//! URI references as headers carry them (`Link` targets, `Location`).
//!
//! ```
//! use strata_headers::uri;
//!
//! assert_eq!(uri::escape("/files/résumé 2024.pdf"), "/files/r%C3%A9sum%C3%A9%202024.pdf");
//! assert_eq!(uri::escape("/a?b=1&c=%20"), "/a?b=1&c=%20"); // already valid: unchanged
//! assert!(uri::has_control("/evil\r\nSet-Cookie: x=1"));
//! ```

use std::borrow::Cow;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters that cannot stand in a URI reference as written: controls, space, and the
/// characters RFC 3986 excludes (`"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`); non-ASCII is
/// percent-encoded as UTF-8. `%` is kept, so already-encoded references stay as they are.
const ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Whether `b` may stand in a URI reference as written: the complement of what [`escape`]
/// encodes, within ASCII.
#[must_use]
pub const fn is_uri_char(b: u8) -> bool {
    b > b' ' && b < 0x7f && !matches!(b, b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}')
}

/// Percent-encodes what cannot stand in a URI reference; borrows when nothing needs it.
#[must_use]
pub fn escape(reference: &str) -> Cow<'_, str> {
    utf8_percent_encode(reference, ESCAPES).into()
}

/// What one path segment may not hold as written: everything but RFC 3986's `pchar`
/// (unreserved, sub-delims, `:` and `@`), so `/`, `?`, `#` and `%` are encoded too.
const SEGMENT: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Percent-encodes `value` as one path segment: a value with `/`, `?`, `#` or `%` stays one
/// segment, naming the same text once decoded. Borrows when nothing needs it.
///
/// ```
/// use strata_headers::uri::escape_segment;
///
/// assert_eq!(escape_segment("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
/// assert_eq!(escape_segment("résumé"), "r%C3%A9sum%C3%A9");
/// assert_eq!(escape_segment("x:y@z=1"), "x:y@z=1");
/// ```
#[must_use]
pub fn escape_segment(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, SEGMENT).into()
}

/// Whether `s` holds a control character (CR and LF among them): such a reference is refused
/// rather than escaped, since it can only come from a mistake or an attack.
#[must_use]
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}
