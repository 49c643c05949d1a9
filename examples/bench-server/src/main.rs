//! Serves the load bench on 127.0.0.1:8080 (`--addr` / `STRATA_ADDR`); `--nodelay` sets
//! `TCP_NODELAY` on every connection; `--root strata|bare` also serves that twin at `/NAME`.
//! Prints `listening on http://ADDR/` when ready.

use std::process::ExitCode;

use axum::serve::ListenerExt;

#[tokio::main]
async fn main() -> ExitCode {
    let bench_server::Cli { listen, nodelay, root } = clap::Parser::parse();
    let dir = std::env::temp_dir().join(format!("strata-bench-server-{}", std::process::id()));
    let fixtures = match bench_server::Fixtures::create(&dir) {
        Ok(fixtures) => fixtures,
        Err(e) => {
            eprintln!("cannot write the files under {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    let runner = axum_strata::background::Runner::new();
    let app = bench_server::app_with_root(&fixtures, &runner, root);
    let listener = match listen.bind(bench_server::DEFAULT_ADDR).await {
        Ok(listener) => listener,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener
        .local_addr()
        .map_or_else(|_| listen.addr_or(bench_server::DEFAULT_ADDR).to_owned(), |a| a.to_string());
    eprintln!("listening on http://{bound}/{}", if nodelay { " (TCP_NODELAY)" } else { "" });
    let shutdown = async {
        example_support::shutdown_signal().await;
    };
    let served = if nodelay {
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).with_graceful_shutdown(shutdown).await
    } else {
        axum::serve(listener, app).with_graceful_shutdown(shutdown).await
    };
    let _ = std::fs::remove_dir_all(&dir);
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
