//! What the examples' binaries and their tests share, written once:
//!
//! - [`Listen`]: the `--addr HOST:PORT` option (or `STRATA_ADDR`), any address
//!   `TcpListener::bind` takes (`localhost:8000` included), parsed by clap with `--help`;
//! - [`init_tracing`]: logs to standard error, `RUST_LOG` or `info`;
//! - [`shutdown_signal`]: Ctrl-C or SIGTERM;
//! - [`testing`] (feature `testing`): what the binaries' tests share.
//!
//! ```
//! use clap::Parser;
//! use example_support::Listen;
//!
//! #[derive(Parser)]
//! struct Cli {
//!     #[command(flatten)]
//!     listen: Listen,
//! }
//!
//! let cli = Cli::try_parse_from(["server", "--addr", "localhost:9000"]).unwrap();
//! assert_eq!(cli.listen.addr_or("127.0.0.1:8000"), "localhost:9000");
//! assert!(Cli::try_parse_from(["server", "--port", "1"]).is_err());
//! ```

#[cfg(feature = "testing")]
pub mod testing;

use std::io::IsTerminal;

use tokio::net::TcpListener;

/// The address a server listens on: `--addr HOST:PORT`, else `STRATA_ADDR`, else the
/// program's default.
#[derive(Clone, Debug, clap::Args)]
pub struct Listen {
    /// Where to listen, as HOST:PORT (`127.0.0.1:8000`, `localhost:8000`, `[::1]:8000`); the
    /// program's own address when not given.
    #[arg(long, env = "STRATA_ADDR", value_name = "HOST:PORT")]
    pub addr: Option<String>,
}

impl Listen {
    /// The address to listen on: the one given, else `default`.
    #[must_use]
    pub fn addr_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.addr.as_deref().filter(|a| !a.is_empty()).unwrap_or(default)
    }

    /// Binds the address given, else `default` (resolving a host name).
    ///
    /// # Errors
    ///
    /// When the name does not resolve or the address cannot be bound, with the address named.
    pub async fn bind(&self, default: &str) -> Result<TcpListener, String> {
        let addr = self.addr_or(default);
        TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))
    }
}

/// Logs to standard error, filtered by `RUST_LOG` (default `info`), in colour on a terminal.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

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
