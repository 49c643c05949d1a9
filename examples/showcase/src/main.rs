//! Serves the Strata showcase. See the crate docs for the address options.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    example_support::init_tracing();
    let cli = crud::Cli::parse_as("showcase");
    let crud = crud::Store::new(&cli.db);
    if let Err(e) = crud.ready().await {
        tracing::error!("cannot open the item database {}: {e}", cli.db.display());
        return ExitCode::FAILURE;
    }
    let listener = match cli.listen.bind(showcase::DEFAULT_ADDR).await {
        Ok(listener) => listener,
        Err(message) => {
            tracing::error!("{message}");
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
        let signal = example_support::shutdown_signal().await;
        tracing::info!("shutting down on {signal}");
    };
    let mut services = showcase::Services::new(axum_strata::background::Runner::new(), crud);
    match showcase::routes::file_systems::store_from_env().await {
        Ok(Some(store)) => {
            tracing::info!("/seeds/file-systems serves from the S3 bucket STRATA_FILES_S3_BUCKET names");
            services = services.with_files(store);
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!("cannot use the S3 bucket STRATA_FILES_S3_BUCKET names: {e}");
            return ExitCode::FAILURE;
        }
    }
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
