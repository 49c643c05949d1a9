//! Runs the showcase binary as the README does and asks it for its index over TCP.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
    process::{Child, Command},
};

/// A database path of the test's own in the temporary directory, removed when dropped.
struct TempDb(std::path::PathBuf);

impl TempDb {
    fn new(name: &str) -> Self {
        Self(std::env::temp_dir().join(format!("strata-showcase-bin-{}-{name}.sqlite3", std::process::id())))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Starts the binary and waits (at most 30 s) for the line that names the bound address. The
/// item database is `db` unless `configure` names another.
async fn start(db: &TempDb, configure: impl FnOnce(&mut Command)) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_showcase"));
    cmd.env_remove("STRATA_ADDR")
        .env("CRUD_DB", &db.0)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    configure(&mut cmd);
    let mut child = cmd.spawn().expect("the showcase binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                return rest.trim_end_matches('/').to_owned();
            }
        }
        panic!("the showcase exited without saying where it listens");
    })
    .await
    .expect("the showcase says where it listens within 30 s");
    // Keep draining the log so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

async fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn serves_the_index_on_the_address_given_by_flag() {
    let db = TempDb::new("flag");
    let (mut child, addr) = start(&db, |c| {
        c.args(["--addr", "127.0.0.1:0"]);
    })
    .await;
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let response = get(&addr, "/").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("content-type: text/html; charset=utf-8\r\n"), "{response}");
    assert!(response.contains("<h1>Strata showcase</h1>"));
    assert!(response.contains("<code>&#x2f;seeds&#x2f;crud</code>"));
    assert!(get(&addr, "/no-such-page").await.starts_with("HTTP/1.1 404 Not Found\r\n"));
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_environment_variable_sets_the_address() {
    let db = TempDb::new("env");
    let (mut child, addr) = start(&db, |c| {
        c.env("STRATA_ADDR", "127.0.0.1:0");
    })
    .await;
    assert!(get(&addr, "/").await.starts_with("HTTP/1.1 200 OK\r\n"));
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_item_database_is_created_where_the_flag_says() {
    let (env_db, flag_db) = (TempDb::new("unused"), TempDb::new("db-flag"));
    let (mut child, addr) = start(&env_db, |c| {
        c.args(["--addr", "127.0.0.1:0", "--db"]).arg(&flag_db.0);
    })
    .await;
    assert!(flag_db.0.exists(), "created at start");
    assert!(!env_db.0.exists(), "the flag wins over CRUD_DB");
    let items = get(&addr, "/seeds/crud/items").await;
    assert!(items.starts_with("HTTP/1.1 200 OK\r\n"), "{items}");
    assert!(items.contains(r#""name":"Laptop""#), "{items}");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn a_bad_address_exits_with_a_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_showcase"))
        .args(["--addr", "not-an-address"])
        .env_remove("STRATA_ADDR")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a HOST:PORT socket address"), "{stderr}");
}
