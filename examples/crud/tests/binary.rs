//! Runs the crud binary and stops it as a service manager does.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
    process::Command,
};

/// A database path of the test's own in the temporary directory, removed when dropped.
struct TempDb(std::path::PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `SIGTERM` (what `docker stop`, systemd and Kubernetes send) stops the server gracefully, as
/// Ctrl-C does, and the binary exits with success.
#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let db = TempDb(std::env::temp_dir().join(format!("strata-crud-bin-{}.sqlite3", std::process::id())));
    let mut child = Command::new(env!("CARGO_BIN_EXE_crud"))
        .args(["--addr", "127.0.0.1:0", "--db"])
        .arg(&db.0)
        .env_remove("STRATA_ADDR")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the crud binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.split("items API on http://").nth(1) {
                return rest.split("/items").next().unwrap().to_owned();
            }
        }
        panic!("the crud binary exited without saying where it listens");
    })
    .await
    .expect("the crud binary says where it listens within 30 s");
    let log = tokio::spawn(async move {
        let mut log = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            log.push(line);
        }
        log
    });

    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let request = format!("GET /items/1 HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");

    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().await.unwrap().success());
    let exit = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the crud binary exits within 30 s of SIGTERM")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let log = log.await.unwrap();
    assert!(log.iter().any(|line| line.contains("shutting down on SIGTERM")), "{log:#?}");
}
