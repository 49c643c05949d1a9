//! Serves the load bench on 127.0.0.1:8080 (`--addr` / `STRATA_ADDR`); `--nodelay` sets
//! `TCP_NODELAY` on every connection. Prints `listening on http://ADDR/` when ready.

use std::process::ExitCode;

use axum::serve::ListenerExt;

#[tokio::main]
async fn main() -> ExitCode {
    let (addr, nodelay) =
        match bench_server::config(std::env::args().skip(1), std::env::var("STRATA_ADDR").ok()) {
            Ok(config) => config,
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        };
    let dir = std::env::temp_dir().join(format!("strata-bench-server-{}", std::process::id()));
    let fixtures = match bench_server::Fixtures::create(&dir) {
        Ok(fixtures) => fixtures,
        Err(e) => {
            eprintln!("cannot write the files under {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    let runner = axum_strata::background::Runner::new();
    let app = bench_server::app(&fixtures, &runner);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener.local_addr().map_or_else(|_| addr.to_string(), |a| a.to_string());
    eprintln!("listening on http://{bound}/{}", if nodelay { " (TCP_NODELAY)" } else { "" });
    let shutdown = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
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
