//! The store's schema: SQL files in `server/migrations/`, common to SQLite and PostgreSQL, run
//! by sqlx's migrator (each once, in order, checksummed, under the database's lock), then the
//! data fills that SQL cannot do.
use crate::store::{Backfill, StoreError, Tx};
use sqlx::{Executor as _, Row as _};

/// The migrations, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Bring the schema up to date, and fill what a migration left pending.
///
/// # Errors
/// When the database fails, or holds a migration this version does not know or whose file
/// changed since it ran.
pub async fn run(pool: &sqlx::AnyPool) -> Result<(), StoreError> {
    adopt_legacy_versions(pool).await?;
    MIGRATOR.run(pool).await.map_err(sqlx::Error::from)?;
    let mut tx = pool.begin().await?;
    let pending: Vec<String> = sqlx::query("SELECT name FROM pending_backfills")
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| row.try_get("name"))
        .collect::<Result<_, _>>()?;
    for name in pending {
        let what = match name.as_str() {
            "chat" => Some(Backfill::Chat),
            "sessions" => Some(Backfill::Sessions),
            "parties" => Some(Backfill::Parties),
            _ => None,
        };
        if let Some(what) = what {
            crate::store::backfill(&mut tx, what).await?;
        }
        sqlx::query("DELETE FROM pending_backfills WHERE name = $1")
            .bind(&name)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A store made before the migration files kept its version in `schema_version` (its
/// migrations 1–4 are the files 0001–0004, statement for statement). Those versions are
/// recorded as applied, with the files' checksums, so that the migrator carries on from there.
async fn adopt_legacy_versions(pool: &sqlx::AnyPool) -> Result<(), StoreError> {
    let mut tx: Tx<'_> = pool.begin().await?;
    let legacy = sqlx::query("SELECT MAX(version) AS v FROM schema_version")
        .fetch_one(&mut *tx)
        .await;
    let Ok(row) = legacy else {
        // No such table: a new store, or one adopted already.
        return Ok(());
    };
    let version: Option<i64> = row.try_get("v")?;
    let version = version.unwrap_or(0);
    // The migrator's own table, as the migrator makes it for this database.
    sqlx::migrate::Migrate::ensure_migrations_table(&mut *tx)
        .await
        .map_err(sqlx::Error::from)?;
    for migration in MIGRATOR.iter().filter(|m| m.version <= version) {
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, TRUE, $3, 0)")
            .bind(migration.version)
            .bind(migration.description.to_string())
            .bind(migration.checksum.to_vec())
            .execute(&mut *tx)
            .await?;
    }
    // The chat lines of a version-3 store are filled in by migration 4's pending fill; a store
    // at version 4 or later filled them itself, and never ran 0004, which makes this table.
    if version >= 4 {
        tx.execute("CREATE TABLE IF NOT EXISTS pending_backfills (name TEXT PRIMARY KEY)")
            .await?;
    }
    tx.execute("DROP TABLE schema_version").await?;
    tx.commit().await?;
    Ok(())
}
