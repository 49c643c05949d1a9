//! Serves the Strata showcase. See the crate docs for the address options.

use std::{io::IsTerminal, process::ExitCode};

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let config = match showcase::config(
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
    let addr = config.addr;
    let crud = crud::Store::new(&config.db);
    if let Err(e) = crud.ready().await {
        tracing::error!("cannot open the item database {}: {e}", config.db.display());
        return ExitCode::FAILURE;
    }
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(bound) => tracing::info!("showcase listening on http://{bound}/"),
        Err(e) => tracing::warn!("listening, but the bound address is unknown: {e}"),
    }
    // On Ctrl-C or SIGTERM: stop taking connections, finish the requests under way, then drain
    // the background tasks below.
    let shutdown = async {
        let signal = crud::shutdown_signal().await;
        tracing::info!("shutting down on {signal}");
    };
    let services = showcase::Services::new(axum_strata::background::Runner::new(), crud);
    let app = showcase::app_with(&services).into_make_service_with_connect_info::<std::net::SocketAddr>();
    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        tracing::error!("server error: {e}");
        return ExitCode::FAILURE;
    }
    // Let the background tasks of the last responses finish.
    let report = services.runner.drain(std::time::Duration::from_secs(10)).await;
    tracing::info!(
        done = report.stats.done,
        failed = report.stats.failed,
        abandoned = report.abandoned,
        "background tasks drained"
    );
    ExitCode::SUCCESS
}
