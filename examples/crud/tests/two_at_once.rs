//! Several instances of the binary started at once on one new database file: every one of
//! them migrates (or finds the migrations applied) and serves; none fails.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use example_support::testing::{Spawned, TempDb};
use tokio::process::Command;

const INSTANCES: usize = 4;

#[tokio::test]
async fn instances_started_together_on_a_new_file_all_come_up() {
    let db = TempDb::new("crud-together", "db");
    let starting = (0..INSTANCES).map(|_| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crud"));
        cmd.args(["--addr", "127.0.0.1:0", "--db"])
            .arg(&db.0)
            .env_remove("STRATA_ADDR")
            .env_remove("CRUD_DB");
        Spawned::start(cmd, "items API on ")
    });
    // Every instance is spawned before any is awaited: they migrate the new file together.
    let starting: Vec<_> = starting.map(tokio::spawn).collect();
    let mut servers = Vec::new();
    for (i, instance) in starting.into_iter().enumerate() {
        let server = instance.await.unwrap_or_else(|e| panic!("instance {i} did not come up: {e}"));
        let items = server.get("/items").await;
        assert!(items.starts_with("HTTP/1.1 200 OK\r\n"), "instance {i}: {items}");
        servers.push(server);
    }
    drop(servers);
    // The one migration was applied once.
    let store = crud::Store::new(&db.0);
    let pool = store.ready().await.unwrap();
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(pool).await.unwrap();
    assert_eq!(applied, 1);
    pool.close().await;
}
