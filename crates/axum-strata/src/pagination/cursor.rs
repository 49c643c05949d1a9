//! Opaque cursors: a serialized value in URL-safe base64, followed by a truncated HMAC-SHA-256
//! tag when a key is configured.
//!
//! The format is `BASE64URL(JSON)` without a key and `BASE64URL(JSON) "." BASE64URL(TAG)` with
//! one, where `TAG` is the first 16 bytes of HMAC-SHA-256(key, scope ‖ 0x00 ‖ JSON) and the
//! scope is the path of the route that issued the cursor. A cursor issued by another route,
//! or by another key, therefore fails the check like a forged one.

use std::fmt;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde::{Serialize, de::DeserializeOwned};
use sha2::Sha256;

/// Cursors longer than this are refused before any decoding.
pub(crate) const MAX_CURSOR_LEN: usize = 1024;

/// Bytes of the tag kept in the cursor: 128 bits.
const TAG_LEN: usize = 16;

/// A key that signs cursors; see [`Pagination::cursor_key`](super::Pagination::cursor_key).
/// The prepared HMAC state, so each cursor costs only its own bytes.
#[derive(Clone)]
pub(crate) struct CursorKey(Hmac<Sha256>);

impl CursorKey {
    pub(crate) fn new(key: &[u8]) -> Self {
        // HMAC takes keys of any length (longer ones are hashed first): `new_from_slice` on
        // `Hmac` cannot fail.
        Self(<Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!()))
    }

    fn mac(&self, scope: &str, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(payload);
        mac
    }
}

impl fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CursorKey(…)")
    }
}

/// Why a cursor was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CursorError {
    /// Too long, not base64url, no tag where one is needed, or not the expected value.
    Malformed,
    /// The tag does not match: altered, forged, or issued by another route or key.
    Forged,
}

impl CursorError {
    pub(crate) const fn message(self) -> &'static str {
        match self {
            Self::Malformed => "is not a cursor this endpoint issued",
            Self::Forged => "has been altered, or was issued by another endpoint",
        }
    }
}

/// Encodes and decodes the cursors of one route.
#[derive(Clone, Debug, Default)]
pub(crate) struct CursorCodec {
    pub(crate) key: Option<CursorKey>,
    /// The path of the route, bound into the tag.
    pub(crate) scope: String,
}

impl CursorCodec {
    pub(crate) fn encode<C: Serialize + ?Sized>(&self, cursor: &C) -> Result<String, serde_json::Error> {
        let payload = serde_json::to_vec(cursor)?;
        let mut token = URL_SAFE_NO_PAD.encode(&payload);
        if let Some(key) = &self.key {
            let tag = key.mac(&self.scope, &payload).finalize().into_bytes();
            token.push('.');
            URL_SAFE_NO_PAD.encode_string(&tag[..TAG_LEN], &mut token);
        }
        Ok(token)
    }

    pub(crate) fn decode<C: DeserializeOwned>(&self, token: &str) -> Result<C, CursorError> {
        if token.len() > MAX_CURSOR_LEN {
            return Err(CursorError::Malformed);
        }
        let (body, tag) = match (&self.key, token.split_once('.')) {
            (Some(_), Some((body, tag))) => (body, Some(tag)),
            (None, None) => (token, None),
            _ => return Err(CursorError::Malformed),
        };
        let payload = URL_SAFE_NO_PAD.decode(body).map_err(|_| CursorError::Malformed)?;
        if let (Some(key), Some(tag)) = (&self.key, tag) {
            let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| CursorError::Forged)?;
            // A shorter tag would be checked on fewer bits: only the full length counts.
            if tag.len() != TAG_LEN {
                return Err(CursorError::Forged);
            }
            key.mac(&self.scope, &payload).verify_truncated_left(&tag).map_err(|_| CursorError::Forged)?;
        }
        serde_json::from_slice(&payload).map_err(|_| CursorError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn signed(scope: &str, key: &[u8]) -> CursorCodec {
        CursorCodec { key: Some(CursorKey::new(key)), scope: scope.to_owned() }
    }

    #[test]
    fn unsigned_cursors_round_trip_and_are_url_safe() {
        let codec = CursorCodec::default();
        let token = codec.encode(&("p/07?", 7_u64)).unwrap();
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        assert_eq!(codec.decode::<(String, u64)>(&token).unwrap(), ("p/07?".to_owned(), 7));
        assert_eq!(codec.decode::<u64>(&token), Err(CursorError::Malformed));
        assert_eq!(codec.decode::<u64>("not base64!"), Err(CursorError::Malformed));
        assert_eq!(codec.decode::<u64>(&format!("{token}.AAAA")), Err(CursorError::Malformed));
    }

    #[test]
    fn signed_cursors_refuse_changes_truncation_and_foreign_scopes_and_keys() {
        let codec = signed("/people", b"0123456789abcdef0123456789abcdef");
        let token = codec.encode(&42_u64).unwrap();
        assert_eq!(codec.decode::<u64>(&token).unwrap(), 42);

        let (body, tag) = token.split_once('.').unwrap();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(b"43"));
        assert_eq!(codec.decode::<u64>(&forged), Err(CursorError::Forged));
        assert_eq!(codec.decode::<u64>(&token[..token.len() - 1]), Err(CursorError::Forged));
        assert_eq!(codec.decode::<u64>(&format!("{body}.{}", &tag[..4])), Err(CursorError::Forged));
        assert_eq!(codec.decode::<u64>(body), Err(CursorError::Malformed));
        assert_eq!(codec.decode::<u64>(""), Err(CursorError::Malformed));

        let other_route = signed("/items", b"0123456789abcdef0123456789abcdef");
        assert_eq!(other_route.decode::<u64>(&token), Err(CursorError::Forged));
        let other_key = signed("/people", b"another key, also long enough...");
        assert_eq!(other_key.decode::<u64>(&token), Err(CursorError::Forged));
        assert_eq!(CursorCodec::default().decode::<u64>(&token), Err(CursorError::Malformed));
    }

    #[test]
    fn long_cursors_are_refused_before_decoding() {
        let codec = CursorCodec::default();
        let long = URL_SAFE_NO_PAD.encode(vec![b'1'; MAX_CURSOR_LEN]);
        assert_eq!(codec.decode::<u64>(&long), Err(CursorError::Malformed));
    }
}
