//! Serves the items API on 127.0.0.1:8000 with its SQLite file; see the crate docs.

use std::{io::IsTerminal, process::ExitCode};

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let config = match crud::config(
        "crud",
        std::env::args().skip(1),
        std::env::var("STRATA_ADDR").ok(),
        std::env::var("CRUD_DB").ok(),
    ) {
        Ok(config) => config,
        Err(message) => {
            tracing::error!("{message}");
            return ExitCode::from(2);
        }
    };
    let store = crud::Store::new(&config.db);
    if let Err(e) = store.ready().await {
        tracing::error!("cannot open {}: {e}", config.db.display());
        return ExitCode::FAILURE;
    }
    let listener = match tokio::net::TcpListener::bind(config.addr).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!("cannot listen on {}: {e}", config.addr);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(config.addr);
    tracing::info!("items API on http://{addr}/items, stored in {}", config.db.display());
    // On Ctrl-C or SIGTERM: stop taking connections, finish the requests under way.
    let shutdown = async {
        let signal = crud::shutdown_signal().await;
        tracing::info!("shutting down on {signal}");
    };
    if let Err(e) = axum::serve(listener, crud::app(store)).with_graceful_shutdown(shutdown).await {
        tracing::error!("server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
