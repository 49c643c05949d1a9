//! A page deep in a table of 1,000,000 items: `LIMIT/OFFSET` against keyset (cursor) paging,
//! through the store's `OffsetPaginator` and `CursorPaginator` on a real SQLite file.
//!
//! `cargo bench -p crud`. The table is built once in the temporary directory (about a second)
//! and kept for later runs.

#![allow(clippy::unwrap_used, missing_docs, reason = "a benchmark")]

use std::hint::black_box;

use axum_strata::pagination::{CursorPaginator, OffsetPaginator};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use crud::Store;

const ROWS: i64 = 1_000_000;
const PAGE: u64 = 20;

fn store(rt: &tokio::runtime::Runtime) -> Store {
    let path = std::env::temp_dir().join("strata-crud-bench-1m.sqlite3");
    let store = Store::new(&path);
    rt.block_on(async {
        let total = OffsetPaginator::total(&store).await.unwrap();
        if total < 1_000_001 {
            let pool = store.ready().await.unwrap();
            sqlx::query(
                "INSERT INTO items (name, price) \
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
                 SELECT 'item ' || i, 1 + i * 0.01 FROM n",
            )
            .bind(ROWS)
            .execute(pool)
            .await
            .unwrap();
        }
    });
    store
}

fn pages(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = store(&rt);
    // The tutorial's Laptop is id 1: offset n starts at id n + 1, as does the keyset page after n.
    for depth in [0, 900_000] {
        let by_offset = rt.block_on(OffsetPaginator::items(&store, PAGE, depth)).unwrap();
        let cursor = i64::try_from(depth).unwrap();
        let (by_key, _) = rt.block_on(CursorPaginator::items(&store, Some(&cursor), PAGE)).unwrap();
        assert_eq!(by_offset, by_key, "both fetch the same page at depth {depth}");
    }

    let mut group = c.benchmark_group("page of 20 in 1M rows");
    group.sample_size(20);
    for depth in [0_u64, 100_000, 900_000] {
        group.bench_with_input(BenchmarkId::new("limit-offset", depth), &depth, |b, &depth| {
            b.iter(|| rt.block_on(OffsetPaginator::items(&store, PAGE, black_box(depth))).unwrap());
        });
        let cursor = i64::try_from(depth).unwrap();
        group.bench_with_input(BenchmarkId::new("keyset", depth), &cursor, |b, cursor| {
            b.iter(|| rt.block_on(CursorPaginator::items(&store, Some(black_box(cursor)), PAGE)).unwrap());
        });
    }
    group.bench_function("count(*) for the offset page's total", |b| {
        b.iter(|| rt.block_on(OffsetPaginator::total(&store)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, pages);
criterion_main!(benches);
