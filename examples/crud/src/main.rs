//! Serves the items API on 127.0.0.1:8000 with its SQLite file; see the crate docs.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    example_support::init_tracing();
    let cli = crud::Cli::parse_as("crud");
    let store = crud::Store::new(&cli.db);
    if let Err(e) = store.ready().await {
        tracing::error!("cannot open {}: {e}", cli.db.display());
        return ExitCode::FAILURE;
    }
    let listener = match cli.listen.bind(crud::DEFAULT_ADDR).await {
        Ok(listener) => listener,
        Err(message) => {
            tracing::error!("{message}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => tracing::info!("items API on http://{addr}/items, stored in {}", cli.db.display()),
        Err(e) => tracing::warn!("listening, but the bound address is unknown: {e}"),
    }
    // On Ctrl-C or SIGTERM: stop taking connections, finish the requests under way.
    let shutdown = async {
        let signal = example_support::shutdown_signal().await;
        tracing::info!("shutting down on {signal}");
    };
    if let Err(e) = axum::serve(listener, crud::app(store)).with_graceful_shutdown(shutdown).await {
        tracing::error!("server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
