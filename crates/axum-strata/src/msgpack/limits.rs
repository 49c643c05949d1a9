//! The limits of the `MsgPack` extractor, and the scan that enforces them before any value is
//! built.
//!
//! rmp-serde recurses once per nested array or map, with a depth limit of its own of 1024 that
//! does not count every path (an enum variant is a one-entry map it does not count), and a
//! debug build overflows a 2 MiB stack well before 1024. So the body is first walked here
//! without recursion: one value, well formed, no container nested deeper than the limit, no
//! length that claims more bytes or items than the body holds, and nothing after the value.
//! Only then does rmp-serde see it (with its own limit set just above ours, as a second fence).

use std::fmt;

/// How deeply arrays and maps may nest in a MessagePack body unless a level says otherwise.
///
/// Measured on a debug build: deserializing a `serde_json::Value` from nested one-element
/// arrays overflows tokio's 2 MiB worker stack at 586 levels behind `axum::serve` (599 on a
/// bare 2 MiB thread), about 3.5 KiB a level. 128 stays under a quarter of that, leaving room
/// for types whose visitors take more stack, and matches serde_json's own recursion limit.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// Limits on the MessagePack bodies that [`MsgPack`](super::MsgPack) extracts.
///
/// Insert it as a request extension, with axum's `Extension` layer, on a router or a route;
/// the closest level wins. Without one, bodies may nest [`DEFAULT_MAX_DEPTH`] arrays or maps
/// deep. The size of a body is limited by axum's `DefaultBodyLimit` (2 MB by default), and so
/// is the number of items in it: each item takes at least one byte, and a length that claims
/// more items or bytes than the body holds is refused before anything is allocated.
///
/// ```
/// use axum::{Extension, Router, routing::post};
/// use axum_strata::msgpack::{MsgPack, MsgPackLimits};
///
/// async fn store(MsgPack(value): MsgPack<serde_json::Value>) -> String {
///     value.to_string()
/// }
///
/// let app: Router = Router::new()
///     .route("/shallow", post(store).layer(Extension(MsgPackLimits::new().max_depth(8))))
///     .route("/default", post(store));
/// # let _ = app;
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct MsgPackLimits {
    max_depth: usize,
}

impl MsgPackLimits {
    /// The defaults: [`DEFAULT_MAX_DEPTH`].
    pub const fn new() -> Self {
        Self { max_depth: DEFAULT_MAX_DEPTH }
    }

    /// How many arrays or maps may nest inside one another (a scalar has depth 0, `[]` and
    /// `{}` depth 1, `[[]]` depth 2). Deeper bodies are answered 400. Raise it only as far as
    /// the stack of the threads that run the handlers allows.
    pub const fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The depth limit.
    #[must_use]
    pub const fn depth(&self) -> usize {
        self.max_depth
    }
}

impl Default for MsgPackLimits {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MsgPackLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MsgPackLimits").field("max_depth", &self.max_depth).finish()
    }
}

/// Why a body failed the scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// Arrays or maps nest deeper than the limit.
    TooDeep,
    /// A complete value, then this many bytes more.
    Trailing(usize),
    /// Not MessagePack: what is wrong.
    Malformed(&'static str),
}

/// What one marker says comes next.
enum Item {
    /// This many payload bytes after the marker and its length field.
    Skip(usize),
    /// A length field of this many bytes, then as many payload bytes as it says (plus `extra`,
    /// the type byte of an extension).
    Sized { len_bytes: usize, extra: usize },
    /// A container of this many items (already doubled for maps).
    Container(u64),
    /// A container whose length field has this many bytes; `per_entry` items per entry.
    SizedContainer { len_bytes: usize, per_entry: u64 },
}

const TRUNCATED: ScanError = ScanError::Malformed("the body ends inside a value");

/// Checks that `bytes` is exactly one well-formed MessagePack value whose arrays and maps nest
/// at most `max_depth` deep. Iterative: the stack holds one counter per open container, at most
/// `max_depth + 1` of them.
pub(crate) fn scan(bytes: &[u8], max_depth: usize) -> Result<(), ScanError> {
    let mut pos = 0_usize;
    // Items still to read in each open container; the first entry is the top level's one value.
    let mut open: Vec<u64> = vec![1];
    while let Some(left) = open.last_mut() {
        if *left == 0 {
            open.pop();
            continue;
        }
        *left -= 1;
        let marker = *bytes.get(pos).ok_or(TRUNCATED)?;
        pos += 1;
        let item = match marker {
            0x00..=0x7f | 0xc0 | 0xc2 | 0xc3 | 0xe0..=0xff => Item::Skip(0),
            0x80..=0x8f => Item::Container(u64::from(marker & 0x0f) * 2),
            0x90..=0x9f => Item::Container(u64::from(marker & 0x0f)),
            0xa0..=0xbf => Item::Skip(usize::from(marker & 0x1f)),
            0xc1 => return Err(ScanError::Malformed("0xc1 is not a MessagePack marker")),
            0xc4 | 0xd9 => Item::Sized { len_bytes: 1, extra: 0 },
            0xc5 | 0xda => Item::Sized { len_bytes: 2, extra: 0 },
            0xc6 | 0xdb => Item::Sized { len_bytes: 4, extra: 0 },
            0xc7 => Item::Sized { len_bytes: 1, extra: 1 },
            0xc8 => Item::Sized { len_bytes: 2, extra: 1 },
            0xc9 => Item::Sized { len_bytes: 4, extra: 1 },
            // Numbers of 1, 2, 4 and 8 bytes; fixext 1 to 16 carry a type byte too.
            0xcc | 0xd0 => Item::Skip(1),
            0xcd | 0xd1 | 0xd4 => Item::Skip(2),
            0xd5 => Item::Skip(3),
            0xca | 0xce | 0xd2 => Item::Skip(4),
            0xd6 => Item::Skip(5),
            0xcb | 0xcf | 0xd3 => Item::Skip(8),
            0xd7 => Item::Skip(9),
            0xd8 => Item::Skip(17),
            0xdc => Item::SizedContainer { len_bytes: 2, per_entry: 1 },
            0xdd => Item::SizedContainer { len_bytes: 4, per_entry: 1 },
            0xde => Item::SizedContainer { len_bytes: 2, per_entry: 2 },
            0xdf => Item::SizedContainer { len_bytes: 4, per_entry: 2 },
        };
        let items = match item {
            Item::Skip(n) => {
                pos = advance(bytes, pos, n)?;
                continue;
            }
            Item::Sized { len_bytes, extra } => {
                let (len, after) = length(bytes, pos, len_bytes)?;
                let payload =
                    usize::try_from(len).map_err(|_| TRUNCATED)?.checked_add(extra).ok_or(TRUNCATED)?;
                pos = advance(bytes, after, payload)?;
                continue;
            }
            Item::Container(items) => items,
            Item::SizedContainer { len_bytes, per_entry } => {
                let (len, after) = length(bytes, pos, len_bytes)?;
                pos = after;
                len * per_entry
            }
        };
        // `open` holds the top level and every enclosing container: this one is one deeper.
        if open.len() > max_depth {
            return Err(ScanError::TooDeep);
        }
        // Every item takes at least one byte.
        let rest = bytes.len() - pos;
        if u64::try_from(rest).is_ok_and(|rest| items > rest) {
            return Err(ScanError::Malformed("a length claims more items than the body holds"));
        }
        if items > 0 {
            open.push(items);
        }
    }
    match bytes.len() - pos {
        0 => Ok(()),
        trailing => Err(ScanError::Trailing(trailing)),
    }
}

/// `pos + n`, when the body holds that many more bytes.
fn advance(bytes: &[u8], pos: usize, n: usize) -> Result<usize, ScanError> {
    pos.checked_add(n).filter(|&end| end <= bytes.len()).ok_or(TRUNCATED)
}

/// The big-endian length field of `len_bytes` bytes at `pos`, and the position after it.
fn length(bytes: &[u8], pos: usize, len_bytes: usize) -> Result<(u64, usize), ScanError> {
    let end = advance(bytes, pos, len_bytes)?;
    let field = bytes.get(pos..end).ok_or(TRUNCATED)?;
    Ok((field.iter().fold(0_u64, |n, &b| (n << 8) | u64::from(b)), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> Vec<u8> {
        let mut body = vec![0x91; depth];
        body.push(0xc0);
        body
    }

    #[test]
    fn well_formed_values_pass() {
        for body in [
            &b"\xc0"[..],
            b"\x81\xa4name\xa3pen",
            b"\x92\x01\xcd\x01\x00",
            b"\xc4\x02ab",
            b"\xd4\x01\x02",
            b"\xc7\x01\x05x",
            b"\xdc\x00\x02\xc2\xc3",
            b"\xdf\x00\x00\x00\x01\xa1k\x90",
            b"\x90",
            b"\x80",
        ] {
            assert_eq!(scan(body, 8), Ok(()), "{body:x?}");
        }
    }

    #[test]
    fn depth_counts_containers_and_empty_ones_too() {
        assert_eq!(scan(&nested(8), 8), Ok(()));
        assert_eq!(scan(&nested(9), 8), Err(ScanError::TooDeep));
        assert_eq!(scan(&[0x91, 0x91, 0x90], 2), Err(ScanError::TooDeep));
        assert_eq!(scan(&[0x91, 0x90], 2), Ok(()));
        assert_eq!(scan(b"\x01", 0), Ok(()));
        assert_eq!(scan(b"\x90", 0), Err(ScanError::TooDeep));
        // Siblings do not add up: depth, not count.
        assert_eq!(scan(&[0x93, 0x91, 0x90, 0x91, 0x90, 0x91, 0x90], 3), Ok(()));
        assert_eq!(scan(&[0x93, 0x91, 0x90, 0x91, 0x90, 0x91, 0x90], 2), Err(ScanError::TooDeep));
        // A map's values nest too.
        assert_eq!(scan(&[0x81, 0xa1, b'k', 0x81, 0xa1, b'k', 0x90], 2), Err(ScanError::TooDeep));
    }

    #[test]
    fn trailing_bytes_and_truncation_are_refused() {
        assert_eq!(scan(b"\x80\xc1\xc1\xc1", 8), Err(ScanError::Trailing(3)));
        assert_eq!(scan(b"\x01\x02", 8), Err(ScanError::Trailing(1)));
        assert_eq!(scan(b"", 8), Err(TRUNCATED));
        assert_eq!(scan(b"\x92\x01\xa2a", 8), Err(TRUNCATED));
        assert!(matches!(scan(b"\x92\x01", 8), Err(ScanError::Malformed(_))));
        assert_eq!(scan(b"\xa3ab", 8), Err(TRUNCATED));
        assert_eq!(scan(b"\xcd\x01", 8), Err(TRUNCATED));
        assert!(matches!(scan(b"\xc1", 8), Err(ScanError::Malformed(_))));
    }

    #[test]
    fn lengths_beyond_the_body_are_refused_before_reading_on() {
        assert_eq!(scan(b"\xdb\xff\xff\xff\xff", 8), Err(TRUNCATED));
        assert_eq!(scan(b"\xc9\xff\xff\xff\xff\x01", 8), Err(TRUNCATED));
        assert!(matches!(scan(b"\xdd\xff\xff\xff\xff\xc0", 8), Err(ScanError::Malformed(_))));
        assert!(matches!(scan(b"\xdf\x00\x00\x00\x01\xc0", 8), Err(ScanError::Malformed(_))));
    }

    #[test]
    fn a_million_levels_are_refused_without_recursion() {
        assert_eq!(scan(&nested(1_000_000), DEFAULT_MAX_DEPTH), Err(ScanError::TooDeep));
        assert_eq!(scan(&nested(1_000_000), usize::MAX), Ok(()));
    }
}
