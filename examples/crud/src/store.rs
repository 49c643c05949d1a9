//! The items table: a SQLite file through sqlx, migrated on first use.

use std::{borrow::Cow, fmt, path::Path, sync::Arc};

use futures_core::future::BoxFuture;

use axum_strata::utoipa::{self, ToSchema};
use axum_strata::{
    pagination::{CursorPaginator, OffsetPagination, OffsetPaginator, OffsetParams},
    problem::Problem,
};
use serde::{Deserialize, Serialize};
use sqlx::{
    Row, SqliteConnection, SqlitePool,
    error::BoxDynError,
    migrate::{Migration, MigrationSource, MigrationType, Migrator},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow},
};
use tokio::sync::OnceCell;

/// One item, as clients see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Item {
    /// Given by the database, never reused.
    pub id: i64,
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Greater than 0.
    #[schema(exclusive_minimum = 0.0)]
    pub price: f64,
}

/// An item and its version, which counts its changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    /// The item.
    pub item: Item,
    /// Starts at 1, one more at each change.
    pub version: i64,
}

/// The outcome of a conditional change.
#[derive(Clone, Debug, PartialEq)]
pub enum Changed<T> {
    /// Done.
    Done(T),
    /// The item has changed since the version the change was based on: here it is now.
    Stale(Stored),
    /// There is no such item (any more).
    Gone,
}

/// The migrations in `migrations/`, compiled in so that the binary needs no files beside it
/// (what `sqlx::migrate!` does, without sqlx's macros and their build time).
#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async {
            Ok(vec![Migration::new(
                1,
                Cow::Borrowed("create items"),
                MigrationType::Simple,
                Cow::Borrowed(include_str!("../migrations/0001_create_items.sql")),
                false,
            )])
        })
    }
}

/// A database error: logged, and answered as a 500 problem that does not leak its text.
#[derive(Debug)]
pub struct StoreError(sqlx::Error);

/// How often opening the file is tried again when SQLite says busy at once (50 ms apart).
const BUSY_RETRIES: u32 = 100;

impl StoreError {
    /// SQLITE_BUSY or SQLITE_LOCKED, primary or extended.
    fn is_busy(&self) -> bool {
        fn busy(e: &sqlx::Error) -> bool {
            match e {
                sqlx::Error::Database(e) => {
                    e.code().and_then(|c| c.parse::<u32>().ok()).is_some_and(|c| matches!(c & 0xff, 5 | 6))
                }
                sqlx::Error::Migrate(m) => match &**m {
                    sqlx::migrate::MigrateError::Execute(e)
                    | sqlx::migrate::MigrateError::ExecuteMigration(e, _) => busy(e),
                    _ => false,
                },
                _ => false,
            }
        }
        busy(&self.0)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "database error: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self(sqlx::Error::Migrate(Box::new(e)))
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        tracing::error!("{e}");
        Self::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR).with_detail("the item store failed")
    }
}

/// Applies the migrations `pool`'s database lacks.
///
/// sqlx's migration lock does nothing on SQLite, so two processes starting on one new file
/// could both apply a migration. SQLite's own lock serializes them: the whole run is one
/// exclusive transaction (each migration a savepoint in it), and a second process waits for
/// it (the busy timeout), then finds the migrations applied.
async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN EXCLUSIVE").await?;
    Migrator::new(Embedded).await?.run_direct(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The items, in a SQLite file created (and migrated) on first use.
#[derive(Clone, Debug)]
pub struct Store {
    options: SqliteConnectOptions,
    pool_options: fn() -> SqlitePoolOptions,
    pool: Arc<OnceCell<SqlitePool>>,
}

impl Store {
    /// A store in the SQLite file at `path`, created when missing. Nothing is opened until the
    /// first use or [`ready`](Self::ready), so this needs no runtime.
    pub fn new(path: impl AsRef<Path>) -> Self {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Long enough for another process to finish migrating the same new file.
            .busy_timeout(std::time::Duration::from_secs(30))
            .foreign_keys(true);
        Self { options, pool_options: SqlitePoolOptions::new, pool: Arc::new(OnceCell::new()) }
    }

    /// A store in memory, gone with the last clone: one connection, kept open for good (for
    /// examples and tests that need no file).
    pub fn memory() -> Self {
        let options = SqliteConnectOptions::new().in_memory(true);
        let pool_options =
            || SqlitePoolOptions::new().max_connections(1).idle_timeout(None).max_lifetime(None);
        Self { options, pool_options, pool: Arc::new(OnceCell::new()) }
    }

    /// Opens the file and applies the migrations it lacks (once; after a failure, the next use
    /// tries again).
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or created, or a migration fails.
    pub async fn ready(&self) -> Result<&SqlitePool, StoreError> {
        self.pool
            .get_or_try_init(|| async {
                // SQLite answers "busy" at once, without waiting out the busy timeout, in a few
                // races of processes opening one new file (switching it to WAL, say): those are
                // tried again, a bounded number of times.
                let mut tries = 0;
                loop {
                    let opened = async {
                        let pool = (self.pool_options)().connect_with(self.options.clone()).await?;
                        migrate(&pool).await?;
                        Ok::<_, StoreError>(pool)
                    }
                    .await;
                    match opened {
                        Err(e) if e.is_busy() && tries < BUSY_RETRIES => {
                            tries += 1;
                            tracing::debug!("the database is busy ({e}); trying again");
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        }
                        opened => return opened,
                    }
                }
            })
            .await
    }

    /// The item `id`.
    ///
    /// # Errors
    ///
    /// When the database fails.
    pub async fn get(&self, id: i64) -> Result<Option<Stored>, StoreError> {
        let row = sqlx::query("SELECT id, name, price, version FROM items WHERE id = ?")
            .bind(id)
            .fetch_optional(self.ready().await?)
            .await?;
        row.as_ref().map(stored).transpose().map_err(StoreError::from)
    }

    /// Adds an item.
    ///
    /// # Errors
    ///
    /// When the database fails.
    pub async fn create(&self, name: &str, price: f64) -> Result<Stored, StoreError> {
        let row =
            sqlx::query("INSERT INTO items (name, price) VALUES (?, ?) RETURNING id, name, price, version")
                .bind(name)
                .bind(price)
                .fetch_one(self.ready().await?)
                .await?;
        Ok(stored(&row)?)
    }

    /// Sets the name and price of item `id`, if it is still at `version`.
    ///
    /// # Errors
    ///
    /// When the database fails.
    pub async fn update(
        &self,
        id: i64,
        version: i64,
        name: &str,
        price: f64,
    ) -> Result<Changed<Stored>, StoreError> {
        let row = sqlx::query(
            "UPDATE items SET name = ?, price = ?, version = version + 1 \
             WHERE id = ? AND version = ? RETURNING id, name, price, version",
        )
        .bind(name)
        .bind(price)
        .bind(id)
        .bind(version)
        .fetch_optional(self.ready().await?)
        .await?;
        match row {
            Some(row) => Ok(Changed::Done(stored(&row)?)),
            None => self.why_not(id).await,
        }
    }

    /// Deletes item `id`, if it is still at `version`.
    ///
    /// # Errors
    ///
    /// When the database fails.
    pub async fn delete(&self, id: i64, version: i64) -> Result<Changed<()>, StoreError> {
        let done = sqlx::query("DELETE FROM items WHERE id = ? AND version = ?")
            .bind(id)
            .bind(version)
            .execute(self.ready().await?)
            .await?;
        if done.rows_affected() == 1 { Ok(Changed::Done(())) } else { self.why_not(id).await }
    }

    /// Why a conditional change touched no row: the item changed, or is gone.
    async fn why_not<T>(&self, id: i64) -> Result<Changed<T>, StoreError> {
        Ok(match self.get(id).await? {
            Some(now) => Changed::Stale(now),
            None => Changed::Gone,
        })
    }
}

fn stored(row: &SqliteRow) -> Result<Stored, sqlx::Error> {
    Ok(Stored {
        item: Item { id: row.try_get("id")?, name: row.try_get("name")?, price: row.try_get("price")? },
        version: row.try_get("version")?,
    })
}

/// SQLite takes signed 64-bit numbers; positions past that are past the end anyway.
fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Limit/offset pages, in id order: `LIMIT ? OFFSET ?`, whose cost grows with the offset.
impl OffsetPaginator for Store {
    type Item = Item;
    type Error = StoreError;

    async fn total(&self) -> Result<u64, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM items").fetch_one(self.ready().await?).await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn items(&self, limit: u64, offset: u64) -> Result<Vec<Item>, StoreError> {
        let mut conn = self.ready().await?.acquire().await?;
        page_at(&mut conn, limit, offset).await
    }

    /// The total and the items from one snapshot (one read transaction), so that they agree
    /// while others write.
    async fn paginate(&self, params: &OffsetParams) -> Result<OffsetPagination<Item>, StoreError> {
        let mut tx = self.ready().await?.begin().await?;
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM items").fetch_one(&mut *tx).await?;
        let total = u64::try_from(count).unwrap_or(0);
        let items = if params.offset < total {
            page_at(&mut tx, params.limit, params.offset).await?
        } else {
            Vec::new()
        };
        tx.commit().await?;
        Ok(params.page(items, total))
    }
}

async fn page_at(conn: &mut SqliteConnection, limit: u64, offset: u64) -> Result<Vec<Item>, StoreError> {
    let rows = sqlx::query("SELECT id, name, price, version FROM items ORDER BY id LIMIT ? OFFSET ?")
        .bind(signed(limit))
        .bind(signed(offset))
        .fetch_all(conn)
        .await?;
    rows.iter().map(|row| Ok(stored(row)?.item)).collect()
}

/// Keyset pages, in id order: the cursor is the last id seen, and a page is
/// `WHERE id > ? LIMIT ?` on the primary key, whose cost does not grow with depth.
impl CursorPaginator for Store {
    type Cursor = i64;
    type Item = Item;
    type Error = StoreError;

    async fn items(
        &self,
        cursor: Option<&i64>,
        results_per_page: u64,
    ) -> Result<(Vec<Item>, Option<i64>), StoreError> {
        // One row more than asked tells whether there is a next page.
        let rows = sqlx::query("SELECT id, name, price, version FROM items WHERE id > ? ORDER BY id LIMIT ?")
            .bind(cursor.copied().unwrap_or(i64::MIN))
            .bind(signed(results_per_page).saturating_add(1))
            .fetch_all(self.ready().await?)
            .await?;
        let mut items =
            rows.iter().map(|row| Ok(stored(row)?.item)).collect::<Result<Vec<_>, StoreError>>()?;
        let more = items.len() as u64 > results_per_page;
        items.truncate(usize::try_from(results_per_page).unwrap_or(usize::MAX));
        let next = if more { items.last().map(|item| item.id) } else { None };
        Ok((items, next))
    }
}
