//! The framing of a `multipart/byteranges` body (RFC 9110 §14.6): its `Content-Type` with the
//! boundary, the head of each part, and the closing delimiter.
//!
//! ```
//! use headers::HeaderMapExt;
//! use http::HeaderValue;
//! use strata_headers::{ByteRange, MultipartByteRanges};
//!
//! let multipart = MultipartByteRanges::with_seed(0x2a);
//! let mut response = http::HeaderMap::new();
//! response.typed_insert(multipart.content_type());
//! assert_eq!(response["content-type"], "multipart/byteranges; boundary=strata-000000000000002a");
//!
//! let text = HeaderValue::from_static("text/plain");
//! let mut body = multipart.part_head(Some(&text), &ByteRange::new(0, 1).unwrap().content_range(10));
//! body.extend_from_slice(b"01");
//! body.extend_from_slice(&multipart.close_delimiter());
//! assert_eq!(
//!     String::from_utf8(body).unwrap(),
//!     "\r\n--strata-000000000000002a\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01\
//!      \r\n--strata-000000000000002a--\r\n"
//! );
//! ```
//!
//! Neither `headers` nor `mime` writes multipart framing; the part heads are header fields, so
//! they are written here, from the typed headers' encodings.

use std::fmt::Write as _;

use headers::{Header, HeaderValue};

use crate::Error;

/// The longest boundary RFC 2046 §5.1.1 allows.
const MAX_BOUNDARY: usize = 70;

/// Boundary characters that also make a token, so that the boundary needs no quotes in
/// `Content-Type` (a subset of RFC 2046's `bchars`).
const fn is_boundary_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'\'' | b'+' | b'_' | b'-' | b'.')
}

/// The boundary of one `multipart/byteranges` body, and what is written with it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct MultipartByteRanges {
    boundary: Box<str>,
}

impl MultipartByteRanges {
    /// A body framed by `boundary`: 1 to 70 letters, digits or `'+_-.`. Choose one that the
    /// parts' bytes are unlikely to hold.
    ///
    /// # Errors
    ///
    /// When `boundary` is empty, longer than 70 characters, or holds another character.
    pub fn new(boundary: &str) -> Result<Self, Error> {
        if boundary.is_empty() || boundary.len() > MAX_BOUNDARY || !boundary.bytes().all(is_boundary_char) {
            return Err(Error::new("multipart boundary", "expected 1 to 70 letters, digits or '+_-."));
        }
        Ok(Self { boundary: boundary.into() })
    }

    /// A body framed by the boundary `strata-` and the 16 hexadecimal digits of `seed`: pass a
    /// number that differs per response.
    pub fn with_seed(seed: u64) -> Self {
        let mut boundary = String::with_capacity(23);
        // Writing to a String cannot fail.
        let _ = write!(boundary, "strata-{seed:016x}");
        Self { boundary: boundary.into() }
    }

    /// The boundary.
    #[must_use]
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// The response's `Content-Type`: `multipart/byteranges; boundary=…`.
    pub fn content_type(&self) -> headers::ContentType {
        let media_type = format!("multipart/byteranges; boundary={}", self.boundary);
        let media_type: mime::Mime =
            media_type.parse().expect("a boundary of token characters makes a valid media type");
        media_type.into()
    }

    /// The delimiter and header section that start a part: `content_type` is that of the whole
    /// representation (none if it has none), `content_range` the part's place in it.
    #[must_use]
    pub fn part_head(
        &self,
        content_type: Option<&HeaderValue>,
        content_range: &headers::ContentRange,
    ) -> Vec<u8> {
        let mut range = Vec::with_capacity(1);
        content_range.encode(&mut range);
        let mut head = Vec::with_capacity(96 + self.boundary.len());
        head.extend_from_slice(b"\r\n--");
        head.extend_from_slice(self.boundary.as_bytes());
        if let Some(content_type) = content_type {
            head.extend_from_slice(b"\r\nContent-Type: ");
            head.extend_from_slice(content_type.as_bytes());
        }
        for value in &range {
            head.extend_from_slice(b"\r\nContent-Range: ");
            head.extend_from_slice(value.as_bytes());
        }
        head.extend_from_slice(b"\r\n\r\n");
        head
    }

    /// The delimiter that ends the body, after the last part.
    #[must_use]
    pub fn close_delimiter(&self) -> Vec<u8> {
        let mut end = Vec::with_capacity(self.boundary.len() + 8);
        end.extend_from_slice(b"\r\n--");
        end.extend_from_slice(self.boundary.as_bytes());
        end.extend_from_slice(b"--\r\n");
        end
    }
}

#[cfg(test)]
mod tests {
    use headers::HeaderMapExt;

    use super::*;
    use crate::ByteRange;

    #[test]
    fn boundaries_are_checked() {
        assert_eq!(MultipartByteRanges::new("a'b+c_d-e.f").unwrap().boundary(), "a'b+c_d-e.f");
        let longest = "x".repeat(70);
        assert!(MultipartByteRanges::new(&longest).is_ok());
        for bad in ["", "with space", "quote\"", "semi;colon", "é", &"x".repeat(71)] {
            assert!(MultipartByteRanges::new(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(MultipartByteRanges::with_seed(u64::MAX).boundary(), "strata-ffffffffffffffff");
    }

    #[test]
    fn a_part_without_a_content_type_has_only_its_range() {
        let multipart = MultipartByteRanges::new("b").unwrap();
        let head = multipart.part_head(None, &ByteRange::new(5, 6).unwrap().content_range(10));
        assert_eq!(head, b"\r\n--b\r\nContent-Range: bytes 5-6/10\r\n\r\n");
        assert_eq!(multipart.close_delimiter(), b"\r\n--b--\r\n");
    }

    #[test]
    fn the_content_type_carries_the_boundary() {
        let mut map = http::HeaderMap::new();
        map.typed_insert(MultipartByteRanges::new("x-1").unwrap().content_type());
        assert_eq!(map["content-type"], "multipart/byteranges; boundary=x-1");
        let mime: mime::Mime = map["content-type"].to_str().unwrap().parse().unwrap();
        assert_eq!(mime.get_param(mime::BOUNDARY).unwrap(), "x-1");
    }
}
