//! Runs the showcase binary as the README does and asks it for its index over TCP.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use example_support::testing::{Spawned, TempDb, get};
use tokio::process::{Child, Command};

fn temp_db(name: &str) -> TempDb {
    TempDb::new("showcase-bin", name)
}

/// Starts the binary and waits (at most 60 s) for the line that names the bound address. The
/// item database is `db` unless `configure` names another.
async fn start(db: &TempDb, configure: impl FnOnce(&mut Command)) -> (Child, String) {
    let Spawned { child, addr, .. } = start_logged(db, configure).await;
    (child, addr)
}

/// Like [`start`], with the binary's log kept until it exits.
async fn start_logged(db: &TempDb, configure: impl FnOnce(&mut Command)) -> Spawned {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_showcase"));
    cmd.env_remove("STRATA_ADDR").env("CRUD_DB", &db.0);
    configure(&mut cmd);
    Spawned::start(cmd, "listening on ").await
}

#[tokio::test]
async fn serves_the_index_on_the_address_given_by_flag() {
    let db = temp_db("flag");
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
    let db = temp_db("env");
    let (mut child, addr) = start(&db, |c| {
        c.env("STRATA_ADDR", "127.0.0.1:0");
    })
    .await;
    assert!(get(&addr, "/").await.starts_with("HTTP/1.1 200 OK\r\n"));
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_item_database_is_created_where_the_flag_says() {
    let (env_db, flag_db) = (temp_db("unused"), temp_db("db-flag"));
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
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot listen on not-an-address"), "{stderr}");
}

#[tokio::test]
async fn help_and_unknown_arguments_are_answered_by_clap() {
    let run = |args: &'static [&'static str]| async move {
        Command::new(env!("CARGO_BIN_EXE_showcase"))
            .args(args)
            .env_remove("STRATA_ADDR")
            .output()
            .await
            .unwrap()
    };
    let help = run(&["--help"]).await;
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Usage: showcase") && text.contains("--addr") && text.contains("--db"), "{text}");
    let unknown = run(&["--port", "1"]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--port"));
}

/// A host name is an address too: `localhost` resolves, as `TcpListener::bind` resolves it.
#[tokio::test]
async fn a_host_name_is_an_address() {
    let db = temp_db("localhost");
    let (mut child, addr) = start(&db, |cmd| {
        cmd.args(["--addr", "localhost:0"]);
    })
    .await;
    let index = get(&addr, "/").await;
    assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
    child.kill().await.unwrap();
}

/// `SIGTERM` (what `docker stop`, systemd and Kubernetes send) shuts the showcase down as
/// Ctrl-C does: the server stops, the background tasks of the last responses are drained, and
/// it exits with success. The task's log line carries the request's span.
#[cfg(unix)]
#[tokio::test]
async fn sigterm_drains_the_background_tasks_and_exits_cleanly() {
    let db = temp_db("sigterm");
    let server = start_logged(&db, |c| {
        c.args(["--addr", "127.0.0.1:0"]);
    })
    .await;
    let response = server.get("/seeds/background/?name=sigterm").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let (exit, log) = server.terminate().await;
    assert!(exit.success(), "{exit:?}");
    let has = |needle: &str| log.iter().any(|line| line.contains(needle));
    assert!(has("shutting down on SIGTERM"), "{log:#?}");
    assert!(log.iter().any(|l| l.contains("background tasks drained") && l.contains("done=1")), "{log:#?}");
    let task =
        log.iter().find(|l| l.contains("greeter: was called with name sigterm")).expect("the task ran");
    assert!(task.contains("request{method=GET uri=/seeds/background/?name=sigterm}"), "{task}");
    assert!(task.contains("background_task{task=logging_task}"), "{task}");
}
