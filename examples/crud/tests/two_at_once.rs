//! Several instances of the binary started at once on one new database file: every one of
//! them migrates (or finds the migrations applied) and serves; none fails.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

const INSTANCES: usize = 4;

#[tokio::test]
async fn instances_started_together_on_a_new_file_all_come_up() {
    let db = std::env::temp_dir().join(format!("strata-crud-together-{}.sqlite3", std::process::id()));
    let remove = || {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = db.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    };
    remove();
    let mut children = Vec::new();
    for _ in 0..INSTANCES {
        let child = Command::new(env!("CARGO_BIN_EXE_crud"))
            .args(["--addr", "127.0.0.1:0", "--db"])
            .arg(&db)
            .env_remove("STRATA_ADDR")
            .env_remove("CRUD_DB")
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the crud binary starts");
        children.push(child);
    }
    for (i, child) in children.iter_mut().enumerate() {
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut log = Vec::new();
        let up = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if line.contains("items API on") {
                    return true;
                }
                log.push(line);
            }
            false
        })
        .await;
        assert_eq!(up, Ok(true), "instance {i} did not come up: {log:#?}");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    }
    drop(children);
    // The one migration was applied once.
    let store = crud::Store::new(&db);
    let pool = store.ready().await.unwrap();
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(pool).await.unwrap();
    assert_eq!(applied, 1);
    pool.close().await;
    remove();
}
