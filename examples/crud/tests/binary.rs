//! Runs the crud binary and stops it as a service manager does.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use example_support::testing::{Spawned, TempDb};
use tokio::process::Command;

/// `SIGTERM` (what `docker stop`, systemd and Kubernetes send) stops the server gracefully, as
/// Ctrl-C does, and the binary exits with success.
#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let db = TempDb::new("crud-bin", "sigterm");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crud"));
    cmd.args(["--addr", "127.0.0.1:0", "--db"]).arg(&db.0).env_remove("STRATA_ADDR");
    let server = Spawned::start(cmd, "items API on ").await;

    let response = server.get("/items/1").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");

    let (exit, log) = server.terminate().await;
    assert!(exit.success(), "{exit:?}");
    assert!(log.iter().any(|line| line.contains("shutting down on SIGTERM")), "{log:#?}");
}
