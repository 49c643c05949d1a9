//! The error returned when a typed header cannot be built from the values given.

use std::fmt;

/// A value could not become (part of) a header: it breaks the grammar the header's RFC sets.
///
/// Decoding from a request goes through [`headers::Header::decode`] and its own
/// [`headers::Error`]; this type is for constructors and `FromStr`, where saying *what* was
/// wrong helps the programmer who passed the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    what: &'static str,
    why: &'static str,
}

impl Error {
    pub(crate) const fn new(what: &'static str, why: &'static str) -> Self {
        Self { what, why }
    }

    /// What was being built, such as `"entity tag"` or `"media range"`.
    #[must_use]
    pub const fn what(&self) -> &'static str {
        self.what
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.what, self.why)
    }
}

impl std::error::Error for Error {}
