//! The load bench's server: every endpoint twice, under `/strata/NAME` built with Strata and
//! under `/bare/NAME` hand-written with nothing but axum and tower-http, doing the same job with
//! the same status, headers and bytes. `scripts/bench` drives both with `wrk` and compares.
//!
//! The names and payloads are fixed, so that figures compare across projects:
//!
//! | name | what |
//! |---|---|
//! | `plaintext-1K`, `plaintext-100K` | `abcdefghij` repeated to 1,000 / 100,000 bytes, `text/plain; charset=utf-8` |
//! | `json-1K`, `json-100K` | a JSON array of `{"id":12345,"name":"some name","active":true,"score":1.5}`, about 1,000 / 100,000 bytes |
//! | `msgpack-1K` | the records of `json-1K` as MessagePack |
//! | `response-headers` | 204 with ten layered headers `header_0` … `header_9: value` |
//! | `response-cookies` | 204 with ten cookies `cookie_0=value` … `cookie_9=value` |
//! | `etag-static` | the 1,000-byte text with a fixed strong ETag; with a matching `If-None-Match` it is `etag-304` |
//! | `etag-computed-1K`, `etag-computed-100K` | the texts with an ETag hashed from the body (XXH3-128) |
//! | `negotiated-json-1K` | the `json-1K` records negotiated between JSON and MessagePack |
//! | `file-1K`, `file-1M` | files of 1,024 and 1,048,576 `x` bytes |
//! | `sse-10k` | 10,000 events `data: N`, then the end |
//! | `background` | `{"ok":true}` and one no-op task after the response |
//! | `page` | an offset page of 20 records (`?limit=20&offset=40` of 1,000) |
//!
//! Strata also serves `file-1G`, a sparse 1 GiB file, to show that memory stays flat.
//!
//! `--root strata` (or `bare`) also serves that twin's endpoints at `/NAME`, so that another
//! project's benchmark of `/plaintext-1K` and ours take the same path.

mod bare;
mod strata;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, LazyLock},
};

use axum::Router;
use axum_strata::background::Runner;
use serde::{Serialize, Serializer};

/// Where the server listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The fixed tag of `etag-static`.
pub const STATIC_ETAG: &str = "\"static-v1\"";

/// The static tag as a Strata level sends it: weak, since a compression layer outside the app
/// could send another encoding under it (see `strata_tower::cache_safety`).
pub const STATIC_ETAG_SENT: &str = "W/\"static-v1\"";

/// `abcdefghij` repeated to `len` bytes.
fn alphabet(len: usize) -> String {
    "abcdefghij".repeat(len / 10)
}

/// The 1,000-byte text.
pub static TEXT_1K: LazyLock<String> = LazyLock::new(|| alphabet(1_000));
/// The 100,000-byte text.
pub static TEXT_100K: LazyLock<String> = LazyLock::new(|| alphabet(100_000));

/// The typed record of the JSON endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Record {
    /// Always 12345.
    pub id: u32,
    /// Always `some name`.
    pub name: &'static str,
    /// Always true.
    pub active: bool,
    /// Always 1.5.
    pub score: f64,
}

const RECORD: Record = Record { id: 12345, name: "some name", active: true, score: 1.5 };

/// Records built once and shared by every request, never cloned: serializing it serializes the
/// records in place.
#[derive(Clone, Debug)]
pub struct Records(Arc<Vec<Record>>);

impl Records {
    /// As many records as make about `bytes` of JSON (each is 56 bytes and a comma).
    fn about(bytes: usize) -> Self {
        Self(Arc::new(vec![RECORD; bytes / 57]))
    }

    /// The records.
    #[must_use]
    pub fn as_slice(&self) -> &[Record] {
        &self.0
    }
}

impl Serialize for Records {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// About 1,000 bytes of JSON records.
pub static RECORDS_1K: LazyLock<Records> = LazyLock::new(|| Records::about(1_000));
/// About 100,000 bytes of JSON records.
pub static RECORDS_100K: LazyLock<Records> = LazyLock::new(|| Records::about(100_000));
/// The records the `page` endpoints page through.
pub static RECORDS_PAGE: LazyLock<Records> = LazyLock::new(|| Records::numbered(1_000));

impl Records {
    /// `n` records numbered from 0.
    fn numbered(n: usize) -> Self {
        Self(Arc::new(
            (0..n).map(|i| Record { id: u32::try_from(i).unwrap_or(u32::MAX), ..RECORD }).collect(),
        ))
    }
}

/// The files the file endpoints send, made at start in a directory of their own.
#[derive(Clone, Debug)]
pub struct Fixtures {
    /// 1,024 `x` bytes.
    pub file_1k: PathBuf,
    /// 1,048,576 `x` bytes.
    pub file_1m: PathBuf,
    /// A sparse file of 1 GiB.
    pub file_1g: PathBuf,
}

impl Fixtures {
    /// Writes the files into `dir` (created if missing).
    ///
    /// # Errors
    ///
    /// When the directory or a file cannot be written.
    pub fn create(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let fixtures =
            Self { file_1k: dir.join("1k.txt"), file_1m: dir.join("1m.txt"), file_1g: dir.join("1g.bin") };
        std::fs::write(&fixtures.file_1k, vec![b'x'; 1_024])?;
        std::fs::write(&fixtures.file_1m, vec![b'x'; 1_048_576])?;
        std::fs::File::create(&fixtures.file_1g)?.set_len(1 << 30)?;
        Ok(fixtures)
    }
}

/// Both twins of every endpoint: `/strata/…` and `/bare/…`.
pub fn app(fixtures: &Fixtures, runner: &Runner) -> Router {
    app_with_root(fixtures, runner, None)
}

/// A twin of the bench: Strata's endpoints or the hand-written ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Twin {
    /// The endpoints built with Strata (`/strata/NAME`).
    Strata,
    /// The endpoints hand-written with axum and tower-http (`/bare/NAME`).
    Bare,
}

/// Both twins, and `root`'s endpoints also at `/NAME`, merged rather than nested, as a
/// benchmark of another project serves its own: a peer's `/plaintext-1K` then compares with
/// ours path for path, with no prefix to route through.
pub fn app_with_root(fixtures: &Fixtures, runner: &Runner, root: Option<Twin>) -> Router {
    let app =
        Router::new().nest("/strata", strata::router(fixtures, runner)).nest("/bare", bare::router(fixtures));
    match root {
        None => app,
        Some(Twin::Strata) => app.merge(strata::router(fixtures, runner)),
        Some(Twin::Bare) => app.merge(bare::router(fixtures)),
    }
}

/// The endpoint names, in the order of the table.
pub const ENDPOINTS: &[&str] = &[
    "plaintext-1K",
    "plaintext-100K",
    "json-1K",
    "json-100K",
    "msgpack-1K",
    "response-headers",
    "response-cookies",
    "etag-static",
    "etag-computed-1K",
    "etag-computed-100K",
    "negotiated-json-1K",
    "file-1K",
    "file-1M",
    "sse-10k",
    "background",
    "page",
];

/// The bench server's command line: `--addr HOST:PORT` (or `STRATA_ADDR`, else
/// [`DEFAULT_ADDR`]) and `--nodelay`.
#[derive(Clone, Debug, clap::Parser)]
#[command(name = "bench-server", about = "Serves the load bench's twins (Strata and hand-written axum).")]
pub struct Cli {
    /// Where to listen (default 127.0.0.1:8080).
    #[command(flatten)]
    pub listen: example_support::Listen,
    /// Sets TCP_NODELAY on every connection.
    #[arg(long)]
    pub nodelay: bool,
    /// Also serves this twin's endpoints at the root (`/NAME`), for comparisons with other
    /// projects' benchmarks.
    #[arg(long, value_enum, value_name = "TWIN")]
    pub root: Option<Twin>,
}
