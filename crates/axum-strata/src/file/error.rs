// Why a file could not be opened, and the problem response it becomes.

use std::{fmt, io, path::Path};

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::problem::Problem;

/// Why a file could not be opened, as the response it becomes.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileError {
    /// No such file (or a name refused by [`File::open_under`](super::File::open_under)): 404.
    NotFound,
    /// The server may not read it: 403.
    Forbidden,
    /// Anything else (logged): 500.
    Other(io::Error),
}

impl FileError {
    pub(super) fn from_io(e: io::Error, path: &Path) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory => {
                Self::NotFound
            }
            io::ErrorKind::PermissionDenied => Self::Forbidden,
            _ => {
                tracing::error!(path = %path.display(), error = %e, "a file could not be opened");
                Self::Other(e)
            }
        }
    }

    /// The status of the response.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem's detail.
    #[must_use]
    pub const fn body_text(&self) -> &'static str {
        match self {
            Self::NotFound => "no such file",
            Self::Forbidden => "the file may not be read",
            Self::Other(_) => "the file could not be read",
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.body_text())
    }
}

impl std::error::Error for FileError {}

impl IntoResponse for FileError {
    fn into_response(self) -> Response {
        Problem::new(self.status()).with_detail(self.body_text()).into_response()
    }
}
