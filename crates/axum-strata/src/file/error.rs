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
    /// The file's store is unavailable for a while (a timeout, throttling): 503, with
    /// `Retry-After` in seconds.
    #[cfg(feature = "object-store")]
    Unavailable {
        /// When to try again, in seconds.
        retry_after: u32,
    },
    /// The file's store failed otherwise (logged): 502.
    #[cfg(feature = "object-store")]
    Store(object_store::Error),
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
            #[cfg(feature = "object-store")]
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            #[cfg(feature = "object-store")]
            Self::Store(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// The problem's detail.
    #[must_use]
    pub const fn body_text(&self) -> &'static str {
        match self {
            Self::NotFound => "no such file",
            Self::Forbidden => "the file may not be read",
            Self::Other(_) => "the file could not be read",
            #[cfg(feature = "object-store")]
            Self::Unavailable { .. } => "the file's store is unavailable for now",
            #[cfg(feature = "object-store")]
            Self::Store(_) => "the file's store failed",
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
        let problem = Problem::new(self.status()).with_detail(self.body_text());
        #[cfg(feature = "object-store")]
        if let Self::Unavailable { retry_after } = self {
            return problem
                .with_header(http::header::RETRY_AFTER, http::HeaderValue::from(retry_after))
                .into_response();
        }
        problem.into_response()
    }
}
