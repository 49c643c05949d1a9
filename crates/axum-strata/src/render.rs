//! Rendering a serializable value into the bytes of one media type, straight into the response
//! buffer: JSON (and every `+json` type), MessagePack, and "as it is" for everything else.
//!
//! "As it is" means what Litestar does for text, HTML and other media types: strings and bytes
//! are the body, numbers and booleans their text; anything else (a struct, a list) cannot be
//! sent as that media type and is an error naming the type. It is a serde serializer that
//! accepts only those values, so one `Serialize` bound covers every media type.

use std::fmt::{self, Display};

use bytes::{BufMut, Bytes, BytesMut};
use serde::{Serialize, ser};
use strata_headers::{
    accept::is_json,
    mime::{self, Mime},
};

/// Why a value could not be rendered as a media type.
#[derive(Debug)]
pub(crate) struct RenderError {
    pub(crate) media_type: String,
    pub(crate) type_name: &'static str,
    pub(crate) reason: String,
}

impl Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot render a `{}` as {}: {}", self.type_name, self.media_type, self.reason)
    }
}

/// Whether a media type is one of MessagePack's names.
pub(crate) fn is_msgpack(mime: &Mime) -> bool {
    mime.type_() == mime::APPLICATION
        && matches!(mime.subtype().as_str(), "msgpack" | "x-msgpack" | "vnd.msgpack")
}

/// Whether `media_type` sends strings and bytes as they are (neither JSON nor MessagePack).
#[cfg(feature = "content")]
pub(crate) fn is_as_it_is(media_type: &Mime) -> bool {
    !is_json(media_type) && !is_msgpack(media_type)
}

/// Renders `value` as `media_type` into a fresh buffer.
pub(crate) fn render<T: Serialize + ?Sized>(value: &T, media_type: &Mime) -> Result<Bytes, RenderError> {
    let error = |reason: String| RenderError {
        media_type: media_type.to_string(),
        type_name: std::any::type_name::<T>(),
        reason,
    };
    // JSON and MessagePack are written into a `Vec`, whose `io::Write` is a plain copy (through
    // `BytesMut`'s writer, MessagePack's many one-byte writes cost twice the serialization);
    // text is copied once into a buffer of its size.
    if is_json(media_type) {
        let mut buf = Vec::with_capacity(128);
        serde_json::to_writer(&mut buf, value).map_err(|e| error(e.to_string()))?;
        Ok(Bytes::from(buf))
    } else if is_msgpack(media_type) {
        #[cfg(feature = "msgpack")]
        {
            let mut buf = Vec::with_capacity(128);
            rmp_serde::encode::write_named(&mut buf, value).map_err(|e| error(e.to_string()))?;
            Ok(Bytes::from(buf))
        }
        #[cfg(not(feature = "msgpack"))]
        Err(error("the `msgpack` feature of axum-strata is not enabled".to_owned()))
    } else {
        let mut buf = BytesMut::new();
        value.serialize(Plain { out: &mut buf }).map_err(|e| error(e.0))?;
        Ok(buf.freeze())
    }
}

/// Whether a status forbids a body (RFC 9110 §6.4.1).
#[cfg(feature = "content")]
pub(crate) fn forbids_body(status: http::StatusCode) -> bool {
    use http::StatusCode;
    status.is_informational() || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED
}

/// The error of [`Plain`].
#[derive(Debug)]
pub(crate) struct PlainError(String);

impl Display for PlainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlainError {}

impl ser::Error for PlainError {
    fn custom<M: Display>(msg: M) -> Self {
        Self(msg.to_string())
    }
}

fn refuse(what: &str) -> PlainError {
    PlainError(format!("only strings, bytes, numbers and booleans can be sent as they are, not {what}"))
}

/// A serializer that writes strings and bytes as they are and scalars as their text.
struct Plain<'a> {
    out: &'a mut BytesMut,
}

impl Plain<'_> {
    fn text(self, v: impl Display) -> Result<(), PlainError> {
        use std::fmt::Write as _;
        // Writing to a growable buffer cannot fail.
        let _ = write!(self.out, "{v}");
        Ok(())
    }
}

type Impossible = ser::Impossible<(), PlainError>;

impl<'a> ser::Serializer for Plain<'a> {
    type Ok = ();
    type Error = PlainError;
    type SerializeSeq = ByteSeq<'a>;
    type SerializeTuple = ByteSeq<'a>;
    type SerializeTupleStruct = Impossible;
    type SerializeTupleVariant = Impossible;
    type SerializeMap = Impossible;
    type SerializeStruct = Impossible;
    type SerializeStructVariant = Impossible;

    fn serialize_bool(self, v: bool) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_char(self, v: char) -> Result<(), PlainError> {
        self.text(v)
    }
    fn serialize_str(self, v: &str) -> Result<(), PlainError> {
        self.out.extend_from_slice(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), PlainError> {
        self.out.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), PlainError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), PlainError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), PlainError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), PlainError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), PlainError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), PlainError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), PlainError> {
        Err(refuse("an enum variant with data"))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<ByteSeq<'a>, PlainError> {
        self.out.reserve(len.unwrap_or(0));
        Ok(ByteSeq { out: self.out })
    }
    fn serialize_tuple(self, len: usize) -> Result<ByteSeq<'a>, PlainError> {
        self.out.reserve(len);
        Ok(ByteSeq { out: self.out })
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Impossible, PlainError> {
        Err(refuse("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Impossible, PlainError> {
        Err(refuse("an enum variant with data"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Impossible, PlainError> {
        Err(refuse("a map"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Impossible, PlainError> {
        Err(refuse("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Impossible, PlainError> {
        Err(refuse("an enum variant with data"))
    }
}

/// A sequence sent as it is: it must hold bytes only (`Vec<u8>`, `[u8; N]`, `&[u8]`).
pub(crate) struct ByteSeq<'a> {
    out: &'a mut BytesMut,
}

impl ByteSeq<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), PlainError> {
        let byte = value.serialize(ByteOnly)?;
        self.out.put_u8(byte);
        Ok(())
    }
}

impl ser::SerializeSeq for ByteSeq<'_> {
    type Ok = ();
    type Error = PlainError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), PlainError> {
        self.push(value)
    }

    fn end(self) -> Result<(), PlainError> {
        Ok(())
    }
}

impl ser::SerializeTuple for ByteSeq<'_> {
    type Ok = ();
    type Error = PlainError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), PlainError> {
        self.push(value)
    }

    fn end(self) -> Result<(), PlainError> {
        Ok(())
    }
}

/// Accepts a `u8` and nothing else.
struct ByteOnly;

type ImpossibleByte = ser::Impossible<u8, PlainError>;

macro_rules! not_a_byte {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<u8, PlainError> {
            Err(refuse("a sequence of something other than bytes"))
        })*
    };
}

impl ser::Serializer for ByteOnly {
    type Ok = u8;
    type Error = PlainError;
    type SerializeSeq = ImpossibleByte;
    type SerializeTuple = ImpossibleByte;
    type SerializeTupleStruct = ImpossibleByte;
    type SerializeTupleVariant = ImpossibleByte;
    type SerializeMap = ImpossibleByte;
    type SerializeStruct = ImpossibleByte;
    type SerializeStructVariant = ImpossibleByte;

    fn serialize_u8(self, v: u8) -> Result<u8, PlainError> {
        Ok(v)
    }

    not_a_byte!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<u8, PlainError> {
        Err(refuse("a sequence of something other than bytes"))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<u8, PlainError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<u8, PlainError> {
        Err(refuse("a sequence of something other than bytes"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<ImpossibleByte, PlainError> {
        Err(refuse("nested sequences"))
    }
    fn serialize_tuple(self, _: usize) -> Result<ImpossibleByte, PlainError> {
        Err(refuse("nested sequences"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<ImpossibleByte, PlainError> {
        Err(refuse("nested sequences"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<ImpossibleByte, PlainError> {
        Err(refuse("nested sequences"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<ImpossibleByte, PlainError> {
        Err(refuse("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<ImpossibleByte, PlainError> {
        Err(refuse("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<ImpossibleByte, PlainError> {
        Err(refuse("an enum variant with data"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Mime {
        s.parse().unwrap()
    }

    #[test]
    fn json_and_plus_json_serialize_as_json() {
        let v = serde_json::json!({"a": [1, 2]});
        assert_eq!(render(&v, &mime::APPLICATION_JSON).unwrap(), r#"{"a":[1,2]}"#);
        assert_eq!(render(&v, &m("application/vnd.example.resource+json")).unwrap(), r#"{"a":[1,2]}"#);
        assert_eq!(render("text", &mime::APPLICATION_JSON).unwrap(), r#""text""#);
    }

    #[test]
    fn other_types_send_strings_bytes_and_scalars_as_they_are() {
        assert_eq!(render("healthy", &mime::TEXT_PLAIN).unwrap(), "healthy");
        assert_eq!(
            render(&serde_bytes_like(b"\x00\x01"), &mime::APPLICATION_OCTET_STREAM).unwrap(),
            &b"\x00\x01"[..]
        );
        assert_eq!(render(&vec![0xffu8, 0], &mime::APPLICATION_OCTET_STREAM).unwrap(), &b"\xff\x00"[..]);
        assert_eq!(render(b"raw", &mime::APPLICATION_OCTET_STREAM).unwrap(), "raw");
        assert_eq!(render(&0.5, &mime::TEXT_PLAIN).unwrap(), "0.5");
        assert_eq!(render(&Some(7u8), &mime::TEXT_HTML).unwrap(), "7");
    }

    #[test]
    fn structures_cannot_be_sent_as_text_and_the_error_names_the_type() {
        let err = render(&vec![1, 2], &m("application/xml")).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("alloc::vec::Vec<i32>") && message.contains("application/xml"), "{message}");
    }

    #[cfg(feature = "msgpack")]
    #[test]
    fn msgpack_writes_struct_fields_as_map_keys() {
        use crate::media_type::MSGPACK;
        #[derive(Serialize)]
        struct Hello {
            hello: &'static str,
        }
        assert_eq!(render(&Hello { hello: "world" }, &m(MSGPACK)).unwrap(), &b"\x81\xa5hello\xa5world"[..]);
    }

    /// `&[u8]` serializes as a sequence; bytes need the `serialize_bytes` path.
    fn serde_bytes_like(b: &'static [u8]) -> impl Serialize {
        struct B(&'static [u8]);
        impl Serialize for B {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        B(b)
    }
}
