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

/// Whether `s` holds a control character (CR and LF among them): such a reference is refused
/// rather than escaped, since it can only come from a mistake or an attack.
#[must_use]
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}
