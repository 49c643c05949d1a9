//! Tower layers for Strata that need nothing from axum, usable from hyper, tonic or any tower
//! stack.
//!
//! This crate is where the response pipeline of Strata lives (see the repository's
//! `DESIGN.md`): layered response headers, Cache-Control and ETag at any level with "closest
//! layer wins", conditional requests and ranges, default status codes, after-request hooks and
//! the background-task runner. Each layer arrives behind a cargo feature of its own; until
//! then the crate offers the typed headers every layer is built on, re-exported as
//! [`headers`].
//!
//! # Feature flags
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `full` | no | every layer of this crate |
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use strata_tower::headers::{CacheControl, headers::HeaderMapExt};
//!
//! let mut response = http::Response::new(());
//! response.headers_mut().typed_insert(CacheControl::max_age(Duration::from_secs(3600)).public());
//! assert_eq!(response.headers()["cache-control"], "max-age=3600, public");
//! ```

/// The typed headers every layer here uses: the `strata-headers` crate.
pub use strata_headers as headers;
