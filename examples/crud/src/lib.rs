//! The items API of Litestar's CRUD tutorial (seed 003), on a SQLite file through sqlx, served
//! with axum and Strata.
//!
//! - `GET /items?limit=…&offset=…`: a limit/offset page (10 items unless asked, at most 100),
//!   with `Link` and `X-Total-Count`.
//! - `POST /items`: `{"name": …, "price": …}`, name 1 to 100 characters, price greater than 0;
//!   201 with the item, `Location` and `ETag`.
//! - `GET /items/{item_id}`: the item and its `ETag`; `If-None-Match` gives a 304.
//! - `PUT` (all fields) and `PATCH` (the fields given) `/items/{item_id}`, and `DELETE` (204).
//!   With `If-Match`, they only happen if the item is still the version the client saw, else
//!   412 with the current `ETag`, and the check and the change are one SQL statement.
//!
//! - `GET /schema/openapi.json` (and `.yaml`), `GET /schema` (Swagger UI): the OpenAPI
//!   document, made with utoipa and utoipa-axum, the levels documenting themselves.
//!
//! Invalid bodies are 400 problems naming each field (415 when not JSON), unknown ids 404.
//! The file is created on first use and migrated from `migrations/`, compiled in.

pub mod api;
pub mod store;

use std::path::PathBuf;

use axum::Router;
use axum_strata::host::RequireHostLayer;

pub use self::{
    api::{documented, openapi, router},
    store::{Item, Store},
};

/// The items API as the binary serves it: [`router`], with HTTP/1.1 requests that lack exactly
/// one valid `Host` answered 400 (RFC 9112 §3.2).
pub fn app(store: Store) -> Router {
    router(store).layer(RequireHostLayer::new())
}

/// Where the server listens unless told otherwise: the tutorial's curl commands use it.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8000";

/// The database file unless told otherwise, in the working directory.
pub const DEFAULT_DB: &str = "crud.sqlite3";

/// The command line of the items server (the showcase reads the same one, as `showcase`):
/// `--addr HOST:PORT` (or `STRATA_ADDR`, else [`DEFAULT_ADDR`]) and `--db PATH` (or `CRUD_DB`,
/// else [`DEFAULT_DB`]).
#[derive(Clone, Debug, clap::Parser)]
#[command(name = "crud", about = "The items API of Litestar's CRUD tutorial, on SQLite.")]
pub struct Cli {
    /// Where to listen (default 127.0.0.1:8000).
    #[command(flatten)]
    pub listen: example_support::Listen,
    /// The SQLite file of the items, created on first use.
    #[arg(long, env = "CRUD_DB", default_value = DEFAULT_DB, value_name = "PATH")]
    pub db: PathBuf,
}

impl Cli {
    /// Parses the process's arguments for the program `name` (named in `--help` and errors);
    /// prints help or the error and exits as clap does.
    #[must_use]
    pub fn parse_as(name: &'static str) -> Self {
        use clap::{CommandFactory as _, FromArgMatches as _};
        let matches = Self::command().name(name).bin_name(name).get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::path::Path;

    use clap::Parser as _;

    use super::*;

    #[test]
    fn arguments_name_the_address_and_the_file() {
        let cli = Cli::try_parse_from(["crud", "--addr", "localhost:7", "--db", "a.db"]).unwrap();
        assert_eq!((cli.listen.addr_or(DEFAULT_ADDR), cli.db.as_path()), ("localhost:7", Path::new("a.db")));
        let cli = Cli::try_parse_from(["crud", "--addr=[::1]:6"]).unwrap();
        assert_eq!(cli.listen.addr_or(DEFAULT_ADDR), "[::1]:6");
        assert!(Cli::try_parse_from(["crud", "--db"]).is_err(), "--db needs a value");
        let unknown = Cli::try_parse_from(["crud", "--port", "1"]).unwrap_err().to_string();
        assert!(unknown.contains("--port") && unknown.contains("Usage"), "{unknown}");
        let help = Cli::try_parse_from(["crud", "--help"]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
