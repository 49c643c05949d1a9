//! Seed 000, "File systems": `File` from a store registered by name on the app level
//! (Litestar's `FileSystemRegistry`), here the store `files`: in memory by default, with
//! `report.pdf` (the bytes of `/seeds/file`) and a 1 MiB `big.bin`; an S3 bucket when
//! `STRATA_FILES_S3_BUCKET` names one ([`store_from_env`]).

use std::sync::Arc;

use axum::extract::{Path, rejection::PathRejection};
use axum_strata::{
    Strata,
    file::File,
    object_store::{
        ObjectStore, ObjectStoreExt as _, PutPayload,
        aws::{AmazonS3, AmazonS3Builder},
        memory::InMemory,
        path::Path as Location,
        prefix::PrefixStore,
    },
    openapi::{
        StrataApiRouterExt,
        aide::axum::{ApiRouter, routing as api},
        schemars::JsonSchema,
    },
    problem::Problem,
};
use futures_util::FutureExt as _;
use serde::Deserialize;

/// The name the store is registered under.
pub const STORE: &str = "files";

/// The size of `big.bin`.
pub const BIG_LEN: usize = 1024 * 1024;

/// The bytes of `big.bin`: 1 MiB in a pattern that does not repeat on power-of-two strides.
#[must_use]
pub fn big() -> Vec<u8> {
    (0..BIG_LEN).map(|i| (i % 251) as u8).collect()
}

/// The files every store of the seed holds: `report.pdf` and `big.bin`.
fn files() -> [(&'static str, Vec<u8>); 2] {
    let report = std::fs::read(super::files::REPORT).unwrap_or_default();
    [("report.pdf", report), ("big.bin", big())]
}

/// A store in memory holding the seed's files.
#[must_use]
pub fn in_memory() -> Arc<dyn ObjectStore> {
    let store = InMemory::new();
    for (name, bytes) in files() {
        // An in-memory put completes at once: nothing to wait for.
        let put = store.put(&Location::from(name), PutPayload::from(bytes)).now_or_never();
        debug_assert!(matches!(put, Some(Ok(_))), "an in-memory put completes at once");
    }
    Arc::new(store)
}

/// An S3 client from `builder`, TLS and signing done with ring (installed as the process's
/// rustls provider, unless one is already).
///
/// # Errors
///
/// When the builder's configuration is incomplete.
pub fn s3(builder: AmazonS3Builder) -> Result<AmazonS3, axum_strata::object_store::Error> {
    install_tls_provider();
    builder.build()
}

/// Installs ring as the process's rustls provider, unless one is already: reqwest (built
/// here with `rustls-no-provider`, a feature every reqwest client in the same build shares)
/// needs one before its first client.
pub fn install_tls_provider() {
    // Another provider installed first is as good: the error says only that.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The S3 bucket named by `STRATA_FILES_S3_BUCKET`, under the prefix `strata-showcase/`, with
/// the seed's files put there, when the variable is set; object_store reads the rest of the
/// configuration from the usual variables (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP` for an `http://` endpoint).
///
/// # Errors
///
/// When the configuration is incomplete, or the files cannot be put.
pub async fn store_from_env() -> Result<Option<Arc<dyn ObjectStore>>, axum_strata::object_store::Error> {
    let Ok(bucket) = std::env::var("STRATA_FILES_S3_BUCKET") else { return Ok(None) };
    let s3 = s3(AmazonS3Builder::from_env().with_bucket_name(bucket))?;
    let store = PrefixStore::new(s3, "strata-showcase");
    for (name, bytes) in files() {
        store.put(&Location::from(name), PutPayload::from(bytes)).await?;
    }
    Ok(Some(Arc::new(store)))
}

/// The path parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
pub struct FileName {
    /// The name of a file in the store: `report.pdf` or `big.bin`.
    file_name: String,
}

/// The file, or a 400 problem for a name that is not UTF-8 once percent-decoded.
async fn file(name: Result<Path<FileName>, PathRejection>) -> Result<File, Problem> {
    let Path(FileName { file_name }) = name.map_err(|r| {
        Problem::new(r.status()).with_detail(r.body_text()).with_error("file_name", "must be UTF-8")
    })?;
    Ok(File::in_store(STORE, &file_name))
}

/// `/seeds/file-systems`: `GET /{file_name}` from `store`, registered as `files`.
pub fn file_systems(store: Arc<dyn ObjectStore>) -> ApiRouter {
    ApiRouter::new()
        .api_route(
            "/{file_name}",
            api::get_with(file, |mut op| {
                File::document_store(op.inner_mut());
                op
            }),
        )
        .strata(Strata::app().file_store(STORE, store))
}
