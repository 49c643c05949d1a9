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
//! Invalid bodies are 400 problems naming each field (415 when not JSON), unknown ids 404.
//! The file is created on first use and migrated from `migrations/`, compiled in.

pub mod api;
pub mod store;

use std::{net::SocketAddr, path::PathBuf};

use axum::Router;
use axum_strata::host::RequireHostLayer;

pub use self::{
    api::router,
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

/// Resolves when the process is asked to stop, with the signal's name: Ctrl-C (`SIGINT`) or,
/// on unix, `SIGTERM`, which `docker stop`, systemd and Kubernetes send. A signal whose handler
/// cannot be installed is logged and never awaited.
pub async fn shutdown_signal() -> &'static str {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => "SIGINT",
        () = terminate => "SIGTERM",
    }
}

/// The server's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The SQLite file.
    pub db: PathBuf,
}

/// Reads `--addr HOST:PORT` and `--db PATH` (or `STRATA_ADDR` and `CRUD_DB`) for the program
/// `program` (named in the usage message).
///
/// # Errors
///
/// An unknown argument, a missing value or an address that does not parse, explained.
pub fn config<I>(
    program: &str,
    args: I,
    addr_env: Option<String>,
    db_env: Option<String>,
) -> Result<Config, String>
where
    I: IntoIterator<Item = String>,
{
    let (mut addr, mut db) = (None, None);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let slot = match name.as_str() {
            "--addr" => &mut addr,
            "--db" => &mut db,
            _ => {
                return Err(format!(
                    "unknown argument {arg:?}; usage: {program} [--addr HOST:PORT] [--db PATH]"
                ));
            }
        };
        *slot = Some(inline.or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))?);
    }
    let (raw, source) = match (addr, addr_env.filter(|a| !a.is_empty())) {
        (Some(a), _) => (a, "--addr"),
        (None, Some(e)) => (e, "STRATA_ADDR"),
        (None, None) => (DEFAULT_ADDR.to_owned(), "the default"),
    };
    let addr =
        raw.parse().map_err(|_| format!("{source} gave {raw:?}, which is not a HOST:PORT socket address"))?;
    let db = db.or(db_env.filter(|d| !d.is_empty())).unwrap_or_else(|| DEFAULT_DB.to_owned());
    Ok(Config { addr, db: PathBuf::from(db) })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn settings_come_from_arguments_then_environment_then_defaults() {
        let c = config("crud", args(&[]), None, None).unwrap();
        assert_eq!((c.addr.to_string(), c.db), (DEFAULT_ADDR.to_owned(), PathBuf::from(DEFAULT_DB)));
        let c = config("crud", args(&[]), Some("127.0.0.1:9".into()), Some("/tmp/x.db".into())).unwrap();
        assert_eq!((c.addr.port(), c.db), (9, PathBuf::from("/tmp/x.db")));
        let c =
            config("crud", args(&["--addr=127.0.0.1:7", "--db", "a.db"]), Some("127.0.0.1:9".into()), None)
                .unwrap();
        assert_eq!((c.addr.port(), c.db), (7, PathBuf::from("a.db")));
        assert!(config("crud", args(&["--db"]), None, None).unwrap_err().contains("--db"));
        assert!(config("crud", args(&["--port", "1"]), None, None).unwrap_err().contains("usage"));
        assert!(config("crud", args(&[]), Some("nowhere".into()), None).unwrap_err().contains("STRATA_ADDR"));
    }
}
