//! Seed 000, "File responses": `report.pdf` as an attachment; and seed 002's downloads of a
//! user-named file, refused when the name leaves the uploads directory.

use axum::extract::{Path, rejection::PathRejection};
use axum_strata::{
    Strata,
    file::{File, FileError},
    openapi::{
        StrataApiRouterExt,
        aide::axum::{ApiRouter, routing as api},
        schemars::JsonSchema,
    },
    problem::Problem,
};
use serde::Deserialize;

/// The directory of the showcase's report.
pub const REPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/report.pdf");
/// The directory downloads are served from.
pub const UPLOADS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/uploads");

/// `/seeds/file`: `GET /file-download`.
pub fn file() -> ApiRouter {
    ApiRouter::new()
        .api_route(
            "/file-download",
            api::get_with(
                || async { Ok::<_, FileError>(File::open(REPORT).await?.filename("report.pdf")) },
                |mut op| {
                    File::document(op.inner_mut(), "application/pdf");
                    op
                },
            ),
        )
        .strata(Strata::app())
}

/// The path parameter of a download.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
pub struct Download {
    /// The name of a file in the uploads directory.
    filename: String,
}

/// `GET /download/{filename}` of `/seeds/api`: a file of the uploads directory, as an
/// attachment; `..`, absolute names and symlinks out of the directory are 404s, and a name that
/// is not UTF-8 once percent-decoded a 400 problem.
pub async fn download(download: Result<Path<Download>, PathRejection>) -> Result<File, Problem> {
    let Path(Download { filename }) = download.map_err(|r| {
        Problem::new(r.status()).with_detail(r.body_text()).with_error("filename", "must be UTF-8")
    })?;
    File::open_under(UPLOADS, &filename)
        .await
        .map_err(|e| Problem::new(e.status()).with_detail(e.body_text()))
}
