//! File responses (Litestar's `File`): opened in the handler, sent with their metadata.
//!
//! [`File::open`] reads the metadata; the response then carries `Content-Type` (the explicit
//! media type, else guessed from the file name, else from the path, else
//! `application/octet-stream`), `Content-Length`, `Last-Modified`, a strong `ETag` made from
//! the size and modification time, and a `Content-Disposition` (attachment by default, RFC 6266
//! with `filename*` for names that are not plain ASCII). Under `Strata::app()` a matching
//! `If-None-Match` or `If-Modified-Since` gets a 304, as for any response, and ranges are
//! served ([`RangeLayer`], strata-tower's [`range`](strata_tower::range) step, which reads the
//! [`Seekable`](strata_tower::range::Seekable) intent a `File` response carries):
//! `Accept-Ranges: bytes`; one range → 206 with `Content-Range`; several →
//! `multipart/byteranges`; none satisfiable → 416 with `bytes */size`; a stale `If-Range`, a
//! malformed `Range`, overlapping ranges or more than [`MAX_RANGES`] → the whole file. Without
//! that layer files are sent whole, and no range is advertised.
//!
//! Files up to [`READ_AT_OPEN`] (64 KiB) are read by [`File::open`], so that head and body go
//! out in one write (a head sent alone waits for the client's delayed ACK when Nagle's
//! algorithm is on); files up to [`CHUNK_SIZE`] (1 MiB) are sent in one frame; larger ones are
//! streamed chunk by chunk, so memory stays bounded per connection whatever the file size.
//!
//! Opening errors are problem responses: not found → 404, permission denied → 403, anything
//! else → 500 with a log line. [`File::open_under`] serves a name a user supplied from under a
//! root directory: absolute names, `..`, and symlinks leading out of the root are 404s. The
//! name is resolved and opened in one step that cannot leave the root (the `cap-std` crate:
//! `openat2` with `RESOLVE_BENEATH` where the kernel has it), so someone who can write inside
//! the root cannot swap in a symlink between a check and the open; FIFOs and other
//! non-regular files are refused without blocking.
//!
//! ```
//! use axum::{body::to_bytes, response::IntoResponse};
//! use axum_strata::file::File;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let dir = std::env::temp_dir().join(format!("strata-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("report.txt"), "all good").unwrap();
//!
//! let file = File::open(dir.join("report.txt")).await.unwrap().filename("résumé.txt");
//! let response = file.into_response();
//! assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
//! assert_eq!(response.headers()["content-length"], "8");
//! assert_eq!(
//!     response.headers()["content-disposition"],
//!     "attachment; filename=\"resume.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"
//! );
//! assert_eq!(to_bytes(response.into_body(), 100).await.unwrap(), "all good");
//!
//! // A user-supplied name cannot leave the root.
//! assert_eq!(File::open_under(&dir, "../etc/passwd").await.unwrap_err().status(), 404);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # }
//! ```
//!
//! # Files from object stores
//!
//! With the `object-store` feature, a file comes from any store of the object_store crate
//! (S3, GCS, Azure, HTTP, local, in memory), as Litestar's `File` does from any fsspec file
//! system, with every feature above:
//!
//! - [`File::from_store`]`(&store, name)` reads the object's metadata from a store given
//!   directly (Litestar's `file_system=fs`);
//! - [`File::in_store`]`("s3", name)` names a store registered on a level with
//!   [`StrataLayer::file_store`](crate::StrataLayer::file_store) (Litestar's
//!   `FileSystemRegistry`). It is an intent: the closest level around the route that registers
//!   the name opens the file once the handler has answered, and the rest of the levels see the
//!   file's response. No level registering it is a 500 problem naming the store, logged.
//!
//! The object's bytes are fetched when the body is sent, and only those sent: a range fetches
//! that range, each range of a `multipart/byteranges` its own, and a `HEAD` or a 304 nothing; the
//! body holds one chunk of the store's at a time, whatever the object's size. Each fetch names
//! the version whose metadata was read (its ETag, or version id), so an object replaced while it
//! is sent fails the body instead of mixing two versions. The `ETag` is the store's own where
//! it has one (else the version id, else size and modification time); `Content-Type` is the
//! explicit one, else the one stored with the object, else guessed from its name. A name a user
//! supplied stays inside its store and the store's prefix (`PrefixStore`): absolute names,
//! empty, `.` and `..` segments and control characters name nothing (404). object_store's
//! `LocalFileSystem` follows symlinks out of its root: for local disk, [`File::open_under`]
//! is the safe choice. Store errors are problems: not found 404, permission 403, unavailable for
//! a while (timeouts, throttling, a 5xx after object_store's retries) 503 with `Retry-After`,
//! anything else 502, logged.
//!
//! ```
//! # #[cfg(feature = "object-store")] {
//! use std::sync::Arc;
//!
//! use axum::{Router, extract::Path, routing::get};
//! use axum_strata::{
//!     Strata,
//!     file::File,
//!     object_store::{ObjectStore, ObjectStoreExt as _, PutPayload, memory::InMemory, path::Path as Location},
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let store = InMemory::new();
//! store.put(&Location::from("report.pdf"), PutPayload::from_static(b"%PDF-1.4")).await.unwrap();
//! let store: Arc<dyn ObjectStore> = Arc::new(store);
//!
//! let app: Router = Router::new()
//!     .route("/files/{name}", get(|Path(name): Path<String>| async move { File::in_store("s3", &name) }))
//!     .layer(Strata::app().file_store("s3", Arc::clone(&store)));
//!
//! // Given directly instead:
//! let file = File::from_store(&store, "report.pdf").await.unwrap();
//! assert_eq!(file.len(), 8);
//! assert_eq!(File::from_store(&store, "../report.pdf").await.unwrap_err().status(), 404);
//! # let _ = app;
//! # }
//! # }
//! ```
//!
//! The module's parts: [`File`] and opening it (`open.rs`), the response it becomes
//! (`response.rs`), [`FileError`] (`error.rs`), and files from stores (`store.rs`).

mod error;
mod open;
mod response;
#[cfg(feature = "object-store")]
pub(crate) mod store;
#[cfg(test)]
mod testing;

pub use self::{
    error::FileError,
    open::{CHUNK_SIZE, File, READ_AT_OPEN},
};
/// The range step, from strata-tower: re-exported here, where `File` users look for it.
pub use strata_tower::range::{MAX_RANGES, RangeLayer, Ranges, ResponseFuture as RangeFuture};
