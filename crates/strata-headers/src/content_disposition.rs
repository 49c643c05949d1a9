//! `Content-Disposition` (RFC 6266), with file names in any script through `filename*`
//! (RFC 8187).
//!
//! ```
//! use strata_headers::ContentDisposition;
//!
//! let cd = ContentDisposition::attachment().with_filename("report.pdf");
//! assert_eq!(cd.to_string(), r#"attachment; filename="report.pdf""#);
//!
//! // Anything a plain quoted string cannot carry safely gets an ASCII fallback and filename*.
//! let cd = ContentDisposition::attachment().with_filename("résumé 2024.pdf");
//! assert_eq!(
//!     cd.to_string(),
//!     r#"attachment; filename="resume 2024.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf"#
//! );
//!
//! // Parsing prefers filename* and decodes it.
//! let parsed: ContentDisposition = cd.to_string().parse().unwrap();
//! assert_eq!(parsed.filename(), Some("résumé 2024.pdf"));
//! ```

use std::{fmt, str::FromStr};

use headers::{Header, HeaderName, HeaderValue};

use crate::{Error, util};

/// The disposition type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DispositionType {
    /// `inline`: display the content.
    Inline,
    /// `attachment`: offer to save the content.
    Attachment,
    /// `form-data`: a part of a `multipart/form-data` body (RFC 7578).
    FormData,
    /// Another disposition type, in lower case; RFC 6266 tells recipients to treat unknown
    /// types as `attachment`.
    Other(Box<str>),
}

impl DispositionType {
    fn as_str(&self) -> &str {
        match self {
            Self::Inline => "inline",
            Self::Attachment => "attachment",
            Self::FormData => "form-data",
            Self::Other(s) => s,
        }
    }
}

/// The typed `Content-Disposition` header.
///
/// File names are written as RFC 6266 §4.3 and Appendix D advise: a plain quoted `filename`
/// when the name is printable ASCII without `%`, `\` or `"`; otherwise an ASCII fallback in
/// `filename` (accents folded, other characters replaced by `_`, quotes and backslashes
/// escaped) followed by `filename*=UTF-8''…` with the exact name. Control characters, CR and LF
/// among them, are replaced by `_` in both: they are never emitted, escaped or not.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub struct ContentDisposition {
    kind: DispositionType,
    filename: Option<String>,
    /// Other parameters, names in lower case, values decoded.
    params: Vec<(Box<str>, String)>,
}

impl ContentDisposition {
    /// `attachment`.
    pub const fn attachment() -> Self {
        Self::new(DispositionType::Attachment)
    }

    /// `inline`.
    pub const fn inline() -> Self {
        Self::new(DispositionType::Inline)
    }

    /// `form-data`, for the parts of a multipart form.
    pub const fn form_data() -> Self {
        Self::new(DispositionType::FormData)
    }

    /// A disposition of the given type without parameters.
    pub const fn new(kind: DispositionType) -> Self {
        Self { kind, filename: None, params: Vec::new() }
    }

    /// Sets the file name. Control characters (CR and LF among them) become `_`.
    pub fn with_filename(mut self, filename: impl AsRef<str>) -> Self {
        self.filename = Some(without_controls(filename.as_ref()));
        self
    }

    /// Adds a parameter (such as `name` for `form-data`); a later one with the same name
    /// replaces the earlier one. Non-ASCII values are written with RFC 8187 encoding.
    ///
    /// # Errors
    ///
    /// When `name` is not a token, is `filename` or `filename*` (use
    /// [`ContentDisposition::with_filename`]), ends with `*`, or `value` has a control character.
    pub fn with_param(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let lower = name.to_ascii_lowercase();
        if !util::is_token(&lower) || lower.ends_with('*') || lower == "filename" {
            return Err(Error::new("disposition parameter", "the name is not a plain token, or is filename"));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::new("disposition parameter", "the value has a control character"));
        }
        self.params.retain(|(n, _)| **n != *lower);
        self.params.push((lower.into(), value.to_owned()));
        Ok(self)
    }

    /// The disposition type.
    #[must_use]
    pub const fn disposition(&self) -> &DispositionType {
        &self.kind
    }

    /// Whether the type is `attachment`, or an unknown type (which RFC 6266 §4.2 says to treat
    /// as `attachment`).
    #[must_use]
    pub const fn is_attachment(&self) -> bool {
        matches!(self.kind, DispositionType::Attachment | DispositionType::Other(_))
    }

    /// Whether the type is `inline`.
    #[must_use]
    pub const fn is_inline(&self) -> bool {
        matches!(self.kind, DispositionType::Inline)
    }

    /// The file name: from `filename*` when present and valid, else from `filename`.
    #[must_use]
    pub fn filename(&self) -> Option<&str> {
        self.filename.as_deref()
    }

    /// Another parameter's decoded value, by case-insensitive name.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn write(&self, out: &mut String) {
        out.push_str(self.kind.as_str());
        if let Some(name) = &self.filename {
            out.push_str("; filename=");
            if name.is_ascii() && !name.contains(['%', '\\', '"']) {
                util::push_quoted(out, name);
            } else {
                util::push_quoted(out, &ascii_fallback(name));
                out.push_str("; filename*=");
                util::push_ext_value(out, name);
            }
        }
        for (name, value) in &self.params {
            out.push_str("; ");
            out.push_str(name);
            if value.is_ascii() {
                out.push('=');
                util::push_token_or_quoted(out, value);
            } else {
                out.push_str("*=");
                util::push_ext_value(out, value);
            }
        }
    }

    fn parse(s: &str) -> Option<Self> {
        let mut parts = util::split_outside_quotes(s, b';', false);
        let kind = parts.next()?;
        if !util::is_token(kind) {
            return None;
        }
        let kind = match kind.to_ascii_lowercase().as_str() {
            "inline" => DispositionType::Inline,
            "attachment" => DispositionType::Attachment,
            "form-data" => DispositionType::FormData,
            other => DispositionType::Other(other.into()),
        };
        let mut plain_filename = None;
        let mut ext_filename = None;
        let mut params: Vec<(Box<str>, String)> = Vec::new();
        for param in parts {
            let (name, value) = util::split_name_value(param);
            let value = value?;
            let name = name.to_ascii_lowercase();
            if !util::is_token(&name) {
                return None;
            }
            if let Some(base) = name.strip_suffix('*') {
                // An undecodable ext-value is ignored: the plain parameter, if any, stands.
                let Some(decoded) = util::decode_ext_value(value) else { continue };
                if base == "filename" {
                    ext_filename.get_or_insert(decoded);
                } else {
                    // `%0A` and friends decode to control characters, which are never emitted.
                    params.retain(|(n, _)| **n != *base);
                    params.push((base.into(), without_controls(&decoded)));
                }
            } else {
                // Control characters (a tab is allowed in a quoted string) are replaced the same
                // way whichever form the parameter came in.
                let value = without_controls(&util::parse_value(value)?);
                if name == "filename" {
                    plain_filename.get_or_insert(value);
                } else if !params.iter().any(|(n, _)| **n == *name) {
                    params.push((name.into(), value));
                }
            }
        }
        let filename = ext_filename.or(plain_filename).map(|f| without_controls(&f));
        Some(Self { kind, filename, params })
    }
}

fn without_controls(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '_' } else { c }).collect()
}

/// The ASCII stand-in for a file name: Latin letters lose their accents, other non-ASCII
/// characters become `_`.
fn ascii_fallback(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii() { c } else { fold_accent(c) }).collect()
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'ç' => 'c',
        'Ç' => 'C',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'O',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'ý' | 'ÿ' => 'y',
        'Ý' => 'Y',
        _ => '_',
    }
}

impl fmt::Display for ContentDisposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(32);
        self.write(&mut s);
        f.write_str(&s)
    }
}

impl FromStr for ContentDisposition {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s).ok_or(Error::new("content disposition", "expected type *( ; param=value )"))
    }
}

impl Header for ContentDisposition {
    fn name() -> &'static HeaderName {
        &http::header::CONTENT_DISPOSITION
    }

    fn decode<'i, I: Iterator<Item = &'i HeaderValue>>(values: &mut I) -> Result<Self, headers::Error> {
        let value = values.next().ok_or_else(headers::Error::invalid)?;
        if values.next().is_some() {
            return Err(headers::Error::invalid());
        }
        // obs-text in a plain filename is read as UTF-8 when it is; anything else is invalid.
        let s = std::str::from_utf8(value.as_bytes()).map_err(|_| headers::Error::invalid())?;
        Self::parse(s).ok_or_else(headers::Error::invalid)
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        let mut s = String::with_capacity(32);
        self.write(&mut s);
        values.extend(std::iter::once(util::header_value(s)));
    }
}

impl From<&ContentDisposition> for headers::ContentDisposition {
    fn from(cd: &ContentDisposition) -> Self {
        util::convert(cd).unwrap_or_else(|_| Self::inline())
    }
}

impl TryFrom<&headers::ContentDisposition> for ContentDisposition {
    type Error = headers::Error;

    fn try_from(cd: &headers::ContentDisposition) -> Result<Self, headers::Error> {
        util::convert(cd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(name: &str) -> String {
        ContentDisposition::attachment().with_filename(name).to_string()
    }

    #[test]
    fn plain_ascii_names_are_quoted_only() {
        assert_eq!(enc("report.pdf"), r#"attachment; filename="report.pdf""#);
        assert_eq!(enc("a; b.txt"), r#"attachment; filename="a; b.txt""#);
        assert_eq!(ContentDisposition::inline().to_string(), "inline");
    }

    #[test]
    fn quotes_backslashes_and_percent_get_both_forms() {
        assert_eq!(
            enc(r#"say "hi"\.txt"#),
            r#"attachment; filename="say \"hi\"\\.txt"; filename*=UTF-8''say%20%22hi%22%5C.txt"#
        );
        assert_eq!(enc("100%.txt"), r#"attachment; filename="100%.txt"; filename*=UTF-8''100%25.txt"#);
    }

    #[test]
    fn cr_lf_are_never_emitted() {
        let s = enc("evil\r\nSet-Cookie: x=1.txt");
        assert!(!s.contains(['\r', '\n']));
        assert_eq!(s, r#"attachment; filename="evil__Set-Cookie: x=1.txt""#);
        assert!(HeaderValue::from_str(&s).is_ok());
    }

    #[test]
    fn non_latin_names_fall_back_to_underscores() {
        assert_eq!(
            enc("отчёт.pdf"),
            "attachment; filename=\"_____.pdf\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf"
        );
    }

    #[test]
    fn rfc_6266_examples_parse() {
        let cd: ContentDisposition = "Attachment; filename=example.html".parse().unwrap();
        assert!(cd.is_attachment());
        assert_eq!(cd.filename(), Some("example.html"));
        let cd: ContentDisposition = r#"INLINE; FILENAME= "an example.html""#.parse().unwrap();
        assert!(cd.is_inline());
        assert_eq!(cd.filename(), Some("an example.html"));
        let cd: ContentDisposition = "attachment; filename*= UTF-8''%e2%82%ac%20rates".parse().unwrap();
        assert_eq!(cd.filename(), Some("€ rates"));
        let cd: ContentDisposition =
            r#"attachment; filename="EURO rates"; filename*=utf-8''%e2%82%ac%20rates"#.parse().unwrap();
        assert_eq!(cd.filename(), Some("€ rates"));
    }

    #[test]
    fn bad_ext_value_falls_back_to_plain_filename() {
        let cd: ContentDisposition =
            r#"attachment; filename*=UTF-8''%zz; filename="plain.txt""#.parse().unwrap();
        assert_eq!(cd.filename(), Some("plain.txt"));
    }

    #[test]
    fn form_data_parameters() {
        let cd = ContentDisposition::form_data().with_param("name", "field 1").unwrap();
        assert_eq!(cd.to_string(), r#"form-data; name="field 1""#);
        let parsed: ContentDisposition = cd.to_string().parse().unwrap();
        assert_eq!(parsed.param("NAME"), Some("field 1"));
        assert!(ContentDisposition::form_data().with_param("filename", "x").is_err());
        assert!(ContentDisposition::form_data().with_param("na me", "x").is_err());
    }

    #[test]
    fn tabs_in_parameters_become_underscores_in_either_form() {
        // Found by the content_disposition fuzz target: a tab survived the plain form only.
        let plain: ContentDisposition = "x; a=\"t\tb\u{7ba}\"".parse().unwrap();
        assert_eq!(plain.param("a"), Some("t_b\u{7ba}"));
        let again: ContentDisposition = plain.to_string().parse().unwrap();
        assert_eq!(again, plain);
    }

    #[test]
    fn malformed_values_are_errors() {
        for bad in [
            "",
            "; filename=a",
            "attachment; filename",
            "attachment; filename=\"a",
            "a b",
            "attachment; x=a b",
        ] {
            assert!(bad.parse::<ContentDisposition>().is_err(), "{bad:?} must be refused");
        }
    }
}
