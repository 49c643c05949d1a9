//! The Strata showcase: every example of Litestar's response documentation (the seeds in
//! `shared/seeds/`), served by axum with Strata at the paths of `shared/SEED_ROUTES.md`, plus an
//! index page at `/`.
//!
//! The binary serves [`app`] on `127.0.0.1:8000`, or on the address given by `--addr` or the
//! `STRATA_ADDR` environment variable.

use std::{net::SocketAddr, time::Instant};

use axum::{Router, extract::Request, middleware::Next, response::Response, routing::get};
use axum_strata::background::Runner;

pub mod index;
pub mod routes;
pub mod seeds;

/// The address the showcase listens on when neither `--addr` nor `STRATA_ADDR` says otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8000";

/// The whole showcase as one router, with a runner of its own for background tasks.
pub fn app() -> Router {
    app_with_runner(&Runner::new())
}

/// The whole showcase as one router, its background tasks tracked by `runner` (which a
/// graceful shutdown drains).
pub fn app_with_runner(runner: &Runner) -> Router {
    let mut app = Router::new().route("/", get(index::index));
    for seed in seeds::SEEDS {
        match seed.router {
            Some(router) if seed.at_root => app = app.merge(router(runner)),
            Some(router) => app = app.nest(seed.prefix, router(runner)),
            None => {}
        }
    }
    app.layer(axum::middleware::from_fn(log_request))
}

/// Logs each request with its status and duration through `tracing`.
async fn log_request(request: Request, next: Next) -> Response {
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let start = Instant::now();
    let response = next.run(request).await;
    tracing::info!(%method, %uri, status = response.status().as_u16(), elapsed = ?start.elapsed(), "request");
    response
}

/// Picks the listening address: `--addr ADDR` (or `--addr=ADDR`) on the command line, then the
/// `STRATA_ADDR` environment variable, then [`DEFAULT_ADDR`].
///
/// # Errors
///
/// A message for the user when an argument is unknown or the address does not parse.
pub fn listen_addr<I>(args: I, env: Option<String>) -> Result<SocketAddr, String>
where
    I: IntoIterator<Item = String>,
{
    let mut from_args = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--addr" {
            from_args = Some(args.next().ok_or("--addr needs an address, such as 127.0.0.1:8000")?);
        } else if let Some(addr) = arg.strip_prefix("--addr=") {
            from_args = Some(addr.to_owned());
        } else {
            return Err(format!("unknown argument {arg:?}; usage: showcase [--addr HOST:PORT]"));
        }
    }
    let (raw, source) = match (from_args, env) {
        (Some(a), _) => (a, "--addr"),
        (None, Some(e)) if !e.is_empty() => (e, "STRATA_ADDR"),
        _ => (DEFAULT_ADDR.to_owned(), "the default"),
    };
    raw.parse().map_err(|_| format!("{source} gave {raw:?}, which is not a HOST:PORT socket address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn addr_comes_from_args_then_env_then_default() {
        assert_eq!(listen_addr(args(&[]), None).unwrap().to_string(), DEFAULT_ADDR);
        assert_eq!(listen_addr(args(&[]), Some("127.0.0.1:9".into())).unwrap().port(), 9);
        assert_eq!(
            listen_addr(args(&["--addr", "127.0.0.1:7"]), Some("127.0.0.1:9".into())).unwrap().port(),
            7
        );
        assert_eq!(listen_addr(args(&["--addr=[::1]:6"]), None).unwrap().port(), 6);
    }

    #[test]
    fn bad_addresses_and_arguments_are_explained() {
        assert!(listen_addr(args(&["--addr", "nowhere"]), None).unwrap_err().contains("--addr"));
        assert!(listen_addr(args(&[]), Some("x".into())).unwrap_err().contains("STRATA_ADDR"));
        assert!(listen_addr(args(&["--port"]), None).unwrap_err().contains("usage"));
        assert!(listen_addr(args(&["--addr"]), None).is_err());
    }
}
