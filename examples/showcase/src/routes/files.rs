//! Seed 000, "File responses": `report.pdf` as an attachment; and seed 002's downloads of a
//! user-named file, refused when the name leaves the uploads directory.

use axum::{
    Router,
    extract::{Path, rejection::PathRejection},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_strata::{
    Strata,
    file::{File, FileError},
    problem::Problem,
};

/// The directory of the showcase's report.
pub const REPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/report.pdf");
/// The directory downloads are served from.
pub const UPLOADS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/uploads");

/// `/seeds/file`: `GET /file-download`.
pub fn file() -> Router {
    Router::new()
        .route(
            "/file-download",
            get(|| async { Ok::<_, FileError>(File::open(REPORT).await?.filename("report.pdf")) }),
        )
        .layer(Strata::app())
}

/// `GET /download/{filename}` of `/seeds/api`: a file of the uploads directory, as an
/// attachment; `..`, absolute names and symlinks out of the directory are 404s, and a name that
/// is not UTF-8 once percent-decoded a 400 problem.
pub async fn download(filename: Result<Path<String>, PathRejection>) -> Result<File, Response> {
    let Path(filename) = filename.map_err(|r| {
        Problem::new(r.status())
            .with_detail(r.body_text())
            .with_error("filename", "must be UTF-8")
            .into_response()
    })?;
    File::open_under(UPLOADS, &filename).await.map_err(IntoResponse::into_response)
}
