//! The database schema and its migrations, versioned with `PRAGMA user_version`.
//!
//! Each migration takes the file from version `n` to `n + 1` inside one
//! transaction, so an interrupted upgrade leaves the old version intact.
//! Never edit a released migration: add a new one.

use std::path::Path;

use rusqlite::Connection;

use super::HistoryError;

/// Version 1: one table per kind of record, every row tagged with its session.
const V1: &str = "
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    started     REAL NOT NULL,
    ended       REAL,
    app_version TEXT NOT NULL
);
CREATE TABLE samples (
    session_id  INTEGER NOT NULL,
    t           REAL NOT NULL,
    state       TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    view        TEXT,
    forward_head                REAL,
    forward_head_baseline       REAL,
    forward_head_threshold      REAL,
    rounded_shoulders           REAL,
    rounded_shoulders_baseline  REAL,
    rounded_shoulders_threshold REAL
);
CREATE TABLE transitions (
    session_id  INTEGER NOT NULL,
    t           REAL NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL
);
CREATE TABLE prompts (
    session_id  INTEGER NOT NULL,
    t           REAL NOT NULL,
    prompt_id   INTEGER NOT NULL,
    stretch_id  TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE TABLE prompt_outcomes (
    session_id  INTEGER NOT NULL,
    t           REAL NOT NULL,
    prompt_id   INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    reps        INTEGER
);
CREATE TABLE calibrations (
    session_id   INTEGER NOT NULL,
    t            REAL NOT NULL,
    view         TEXT,
    profile_toml TEXT
);
CREATE TABLE pauses (
    session_id  INTEGER NOT NULL,
    t           REAL NOT NULL,
    kind        TEXT NOT NULL
);
";

/// Version 2:
/// - baselines and thresholds move from every sample to a `levels` table,
///   one row each time they change within a session (a third of a sample's
///   size, which is most of the file);
/// - free-form extra metrics per sample;
/// - time indexes, so that reports and prunes stay fast on a year of history.
const V2: &str = "
CREATE TABLE levels (
    session_id  INTEGER NOT NULL,
    t           REAL NOT NULL,
    forward_head_baseline       REAL,
    forward_head_threshold      REAL,
    rounded_shoulders_baseline  REAL,
    rounded_shoulders_threshold REAL
);
INSERT INTO levels
SELECT session_id, t, fhb, fht, rsb, rst FROM (
    SELECT session_id, t,
        forward_head_baseline AS fhb, forward_head_threshold AS fht,
        rounded_shoulders_baseline AS rsb, rounded_shoulders_threshold AS rst,
        ROW_NUMBER() OVER w AS n,
        LAG(forward_head_baseline) OVER w AS p_fhb,
        LAG(forward_head_threshold) OVER w AS p_fht,
        LAG(rounded_shoulders_baseline) OVER w AS p_rsb,
        LAG(rounded_shoulders_threshold) OVER w AS p_rst
    FROM samples
    WINDOW w AS (PARTITION BY session_id ORDER BY t, rowid)
)
WHERE n = 1 OR p_fhb IS NOT fhb OR p_fht IS NOT fht OR p_rsb IS NOT rsb OR p_rst IS NOT rst;
ALTER TABLE samples DROP COLUMN forward_head_baseline;
ALTER TABLE samples DROP COLUMN forward_head_threshold;
ALTER TABLE samples DROP COLUMN rounded_shoulders_baseline;
ALTER TABLE samples DROP COLUMN rounded_shoulders_threshold;
ALTER TABLE samples ADD COLUMN metrics_json TEXT;
CREATE INDEX samples_t ON samples (t);
CREATE INDEX levels_session_t ON levels (session_id, t);
CREATE INDEX transitions_t ON transitions (t);
CREATE INDEX prompts_t ON prompts (t);
CREATE INDEX prompt_outcomes_t ON prompt_outcomes (t);
CREATE INDEX calibrations_t ON calibrations (t);
CREATE INDEX pauses_t ON pauses (t);
CREATE INDEX sessions_started ON sessions (started);
";

/// The migrations in order; `MIGRATIONS[i]` takes version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2];

/// The schema version this hunch writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the file up to [`SCHEMA_VERSION`].
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), HistoryError> {
    let sql = |doing, source: rusqlite::Error| {
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) {
            return HistoryError::ReadOnly {
                path: path.to_path_buf(),
            };
        }
        HistoryError::Sql {
            doing,
            path: path.to_path_buf(),
            source,
        }
    };
    // The first read is where SQLite notices a file that is not a database.
    let found = user_version(conn).map_err(|source| HistoryError::opening(path, source))?;
    if found > SCHEMA_VERSION {
        return Err(HistoryError::TooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (from, step) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let to = from as i64 + 1;
        // IMMEDIATE takes the write lock first, so two hunch processes
        // opening a new file at once cannot both run the same step.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| sql("upgrading the history schema", e))?;
        // Another process may have upgraded while this one waited for the lock.
        let now = user_version(&tx).map_err(|e| sql("upgrading the history schema", e))?;
        if now >= to {
            continue;
        }
        tx.execute_batch(step)
            .and_then(|()| tx.pragma_update(None, "user_version", to))
            .and_then(|()| tx.commit())
            .map_err(|e| sql("upgrading the history schema", e))?;
        tracing::debug!(
            "history schema upgraded to version {to}: {}",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_file_gets_the_latest_version() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c, Path::new(":memory:")).unwrap();
        assert_eq!(user_version(&c).unwrap(), SCHEMA_VERSION);
        // Idempotent.
        migrate(&mut c, Path::new(":memory:")).unwrap();
        assert_eq!(user_version(&c).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn newer_file_is_refused() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut c, Path::new("/x/h.sqlite3")).unwrap_err();
        assert!(matches!(err, HistoryError::TooNew { .. }), "{err}");
        assert!(err.to_string().ends_with("/x/h.sqlite3"));
    }
}
