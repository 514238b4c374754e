//! The local session history: an SQLite file in the user's data folder.
//!
//! While hunch monitors, the live loop hands a [`Recorder`] one [`Sample`] a
//! second plus every state [`Transition`], stretch [`Prompt`] and what became
//! of it ([`PromptOutcome`]), every [`Calibration`] and [`Pause`]. The
//! recorder never blocks the loop: records go through a bounded channel to a
//! writer thread that commits one transaction per batch, at most about once a
//! second. No image or video is ever stored, only numbers and state names.
//!
//! Durability: the database runs in WAL mode with `synchronous = NORMAL`, so a
//! crash or `kill -9` of hunch loses at most the batch being collected (about
//! the last second) and never corrupts the file; only a power cut or an
//! operating-system crash can lose a little more.
//!
//! The schema is versioned with `PRAGMA user_version`; [`History::open`]
//! upgrades older files in place and refuses files written by a newer hunch.
//!
//! All times are Unix seconds (`f64`) passed in by the caller; nothing here
//! reads the clock except the writer thread's batching cadence.

mod lock;
mod recorder;
mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};
use serde::{Deserialize, Serialize};

use crate::posture::{State, Verdict, View};

pub use lock::{Recording, RecordingLock, lock_path};
pub use recorder::{HistoryClock, HistorySink, Recorder, RecorderOptions, RecorderStats};
pub use schema::SCHEMA_VERSION;

/// What can go wrong with the history file.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// No per-user data folder is known (no home directory).
    #[error(
        "no data folder is known for this user, so there is nowhere to keep the history; pass --history PATH or --no-history"
    )]
    NoDataDir,
    /// The folder for the database could not be created.
    #[error(
        "cannot create the history folder ({source}); check its permissions or pass --history PATH: {}",
        path.display()
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The history file does not exist (and the caller did not want one made).
    #[error(
        "no history recorded yet: hunch records it while it monitors (or pass --history PATH): {}",
        path.display()
    )]
    NotFound { path: PathBuf },
    /// The history path is a folder, a device or some other non-file.
    #[error(
        "the history path is {what}, not a history file; pass --history with a file's path (hunch creates the file): {}",
        path.display()
    )]
    NotAFile { path: PathBuf, what: &'static str },
    /// The file (or its folder) cannot be written.
    #[error(
        "the history file is read-only, so hunch cannot record to it or prepare it for reading; make it and its folder writable (chmod u+w), or pass --history PATH: {}",
        path.display()
    )]
    ReadOnly { path: PathBuf },
    /// The file is not an SQLite database (or is damaged).
    #[error(
        "the history file is not a history database hunch can read ({source}); it was left as it is: pass --history with another path: {}",
        path.display()
    )]
    NotADatabase {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// SQLite refused to open or set up the file.
    #[error(
        "cannot open the history database ({source}); check the file's and its folder's permissions, or pass --history PATH: {}",
        path.display()
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// The file was written by a newer hunch with a schema this one does not know.
    #[error(
        "the history database is from a newer hunch (schema {found}, this hunch knows up to {known}); update hunch or pass --history PATH: {}",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// A query or write failed.
    #[error(
        "history database error while {doing} ({source}); check that the disk has room and the file is writable: {}",
        path.display()
    )]
    Sql {
        doing: &'static str,
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// Another hunch is recording into this history right now.
    #[error(
        "another hunch{} is already recording into this history; stop it first, or pass --history PATH (or --no-history) to keep this one apart: {}",
        pid.map(|p| format!(" (process {p})")).unwrap_or_default(),
        path.display()
    )]
    Busy { pid: Option<u32>, path: PathBuf },
    /// The lock file beside the history could not be used.
    #[error(
        "cannot lock the history for recording ({source}); check the folder is writable: {}",
        path.display()
    )]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The background writer stopped (it panicked or could not be started).
    #[error("the history writer stopped unexpectedly ({reason}); history since then is lost: {}", path.display())]
    Writer { reason: &'static str, path: PathBuf },
    /// The background writer's thread could not be started.
    #[error("the history writer stopped unexpectedly (cannot start the writer thread: {source}); history since then is lost: {}", path.display())]
    WriterStart {
        #[source]
        source: std::io::Error,
        path: PathBuf,
    },
}

impl HistoryError {
    /// The error for SQLite failing to open or first read the file at
    /// `path`, named for what is really wrong.
    pub(crate) fn opening(path: &Path, source: rusqlite::Error) -> HistoryError {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => HistoryError::ReadOnly { path },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                HistoryError::NotADatabase { path, source }
            }
            _ => HistoryError::Open { path, source },
        }
    }

    /// Refuses a path that exists but is not a regular file.
    fn check_is_file(path: &Path) -> Result<(), HistoryError> {
        let Ok(meta) = std::fs::metadata(path) else {
            return Ok(());
        };
        let what = if meta.is_dir() {
            "a folder"
        } else if meta.is_file() {
            return Ok(());
        } else {
            "a device or other special file"
        };
        Err(HistoryError::NotAFile {
            path: path.to_path_buf(),
            what,
        })
    }
}

/// One per-second sample of what the monitor saw and decided.
///
/// Readings are the posture stage's display readings, in its units; the
/// baseline is the calibrated upright value and the threshold the reading at
/// which the metric counts as slumped (either side of the baseline: reports
/// only use the distance from baseline towards threshold). Non-finite values
/// are stored as missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Unix seconds.
    pub t_unix: f64,
    /// The state machine's state at `t_unix`.
    pub state: State,
    /// The instant judgement of the latest frame.
    pub verdict: Verdict,
    /// Which way the camera saw the user, if known.
    pub view: Option<View>,
    /// Forward-head reading.
    pub forward_head: Option<f64>,
    /// Forward-head reading of the calibrated upright posture.
    pub forward_head_baseline: Option<f64>,
    /// Forward-head reading at which it counts as slumped.
    pub forward_head_threshold: Option<f64>,
    /// Rounded-shoulders reading.
    pub rounded_shoulders: Option<f64>,
    /// Rounded-shoulders reading of the calibrated upright posture.
    pub rounded_shoulders_baseline: Option<f64>,
    /// Rounded-shoulders reading at which it counts as slumped.
    pub rounded_shoulders_threshold: Option<f64>,
    /// Any further metrics, as a JSON object (free form, for later analysis).
    pub metrics_json: Option<String>,
}

impl Sample {
    /// A sample with only time, state and verdict; set the readings you have.
    pub fn new(t_unix: f64, state: State, verdict: Verdict) -> Sample {
        Sample {
            t_unix,
            state,
            verdict,
            view: None,
            forward_head: None,
            forward_head_baseline: None,
            forward_head_threshold: None,
            rounded_shoulders: None,
            rounded_shoulders_baseline: None,
            rounded_shoulders_threshold: None,
            metrics_json: None,
        }
    }
}

/// A change of the monitor's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub t_unix: f64,
    pub from: State,
    pub to: State,
}

/// A stretch prompt was shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    pub t_unix: f64,
    /// The caller's id for this prompt, unique within the session; outcomes refer to it.
    pub prompt_id: u64,
    /// The stretch suggested, as listed by `hunch stretches`.
    pub stretch_id: String,
    /// Why it was shown, in words (for example "slouching for 30 s").
    pub reason: String,
}

/// What the user did with a prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Done, and the camera counted the repetitions.
    DoneVerified {
        reps: u32,
    },
    /// Reported done, but not seen (no camera view, or not verifiable).
    DoneUnverified,
    Skipped,
    Snoozed,
}

impl Outcome {
    /// The name stored in the database.
    pub fn kind(self) -> &'static str {
        match self {
            Outcome::DoneVerified { .. } => "done_verified",
            Outcome::DoneUnverified => "done_unverified",
            Outcome::Skipped => "skipped",
            Outcome::Snoozed => "snoozed",
        }
    }

    fn from_db(kind: &str, reps: Option<i64>) -> Option<Outcome> {
        Some(match kind {
            "done_verified" => Outcome::DoneVerified {
                reps: reps.and_then(|r| u32::try_from(r).ok()).unwrap_or(0),
            },
            "done_unverified" => Outcome::DoneUnverified,
            "skipped" => Outcome::Skipped,
            "snoozed" => Outcome::Snoozed,
            _ => return None,
        })
    }
}

/// What became of a prompt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromptOutcome {
    pub t_unix: f64,
    pub prompt_id: u64,
    pub outcome: Outcome,
}

/// The user calibrated (recorded a new upright baseline).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub t_unix: f64,
    pub view: Option<View>,
    /// The profile written, as TOML (numbers only, no pictures).
    pub profile_toml: Option<String>,
}

/// Monitoring was paused, resumed or snoozed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    Paused,
    Resumed,
    Snoozed,
}

impl PauseKind {
    /// The name stored in the database.
    pub fn kind(self) -> &'static str {
        match self {
            PauseKind::Paused => "paused",
            PauseKind::Resumed => "resumed",
            PauseKind::Snoozed => "snoozed",
        }
    }

    fn from_db(kind: &str) -> Option<PauseKind> {
        Some(match kind {
            "paused" => PauseKind::Paused,
            "resumed" => PauseKind::Resumed,
            "snoozed" => PauseKind::Snoozed,
            _ => return None,
        })
    }
}

/// A pause, resume or snooze.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    pub t_unix: f64,
    pub kind: PauseKind,
}

/// Anything the recorder can write.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Sample(Sample),
    Transition(Transition),
    Prompt(Prompt),
    PromptOutcome(PromptOutcome),
    Calibration(Calibration),
    Pause(Pause),
}

impl Record {
    /// When it happened, in Unix seconds.
    pub fn t_unix(&self) -> f64 {
        match self {
            Record::Sample(r) => r.t_unix,
            Record::Transition(r) => r.t_unix,
            Record::Prompt(r) => r.t_unix,
            Record::PromptOutcome(r) => r.t_unix,
            Record::Calibration(r) => r.t_unix,
            Record::Pause(r) => r.t_unix,
        }
    }
}

macro_rules! record_from {
    ($($t:ident),*) => {$(
        impl From<$t> for Record {
            fn from(r: $t) -> Record {
                Record::$t(r)
            }
        }
    )*};
}
record_from!(
    Sample,
    Transition,
    Prompt,
    PromptOutcome,
    Calibration,
    Pause
);

/// One monitoring session (one run of the monitor).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: i64,
    pub started: f64,
    /// The end given at close, else the time of the last record committed.
    pub ended: Option<f64>,
    /// The hunch version that recorded it.
    pub app_version: String,
}

/// A row read back, with the session it belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stored<T> {
    pub session_id: i64,
    #[serde(flatten)]
    pub record: T,
}

/// Everything recorded in a time range, each list sorted by time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Log {
    /// Sessions that overlap the range.
    pub sessions: Vec<Session>,
    pub samples: Vec<Stored<Sample>>,
    pub transitions: Vec<Stored<Transition>>,
    pub prompts: Vec<Stored<Prompt>>,
    pub outcomes: Vec<Stored<PromptOutcome>>,
    pub calibrations: Vec<Stored<Calibration>>,
    pub pauses: Vec<Stored<Pause>>,
    /// Rows that could not be understood (unknown state names) and were left out.
    pub skipped_rows: usize,
}

/// How many rows a prune deleted, per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    pub sessions: usize,
    pub samples: usize,
    /// Baseline and threshold records (one per calibration per session).
    pub levels: usize,
    pub transitions: usize,
    pub prompts: usize,
    pub outcomes: usize,
    pub calibrations: usize,
    pub pauses: usize,
}

impl Pruned {
    /// Rows deleted in all.
    pub fn total(&self) -> usize {
        self.sessions
            + self.samples
            + self.levels
            + self.transitions
            + self.prompts
            + self.outcomes
            + self.calibrations
            + self.pauses
    }
}

/// What a prune would do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrunePlan {
    pub pruned: Pruned,
    /// Sessions left afterwards.
    pub sessions_left: usize,
    /// Rows of the session being recorded now that would go.
    pub kept_session_rows: usize,
}

/// An open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History").field("path", &self.path).finish()
    }
}

/// The file name of the history inside the data folder.
pub const FILE_NAME: &str = "history.sqlite3";

impl History {
    /// Where the history lives unless `--history` says otherwise:
    /// `history.sqlite3` in hunch's data folder (on Linux
    /// `~/.local/share/hunch/history.sqlite3`).
    pub fn default_path() -> Option<PathBuf> {
        crate::paths::data_dir().map(|d| d.join(FILE_NAME))
    }

    /// The path to use: the one given, else [`History::default_path`].
    pub fn resolve_path(given: Option<&Path>) -> Result<PathBuf, HistoryError> {
        match given {
            Some(p) => Ok(p.to_path_buf()),
            None => Self::default_path().ok_or(HistoryError::NoDataDir),
        }
    }

    /// Opens the history at `path`, creating it (and its folder) if needed,
    /// and upgrading an older schema in place.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        HistoryError::check_is_file(path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| HistoryError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        Self::open_with(path, OpenFlags::default())
    }

    /// Opens an existing history; [`HistoryError::NotFound`] if there is none.
    /// Still upgrades an older schema in place.
    pub fn open_existing(path: &Path) -> Result<History, HistoryError> {
        HistoryError::check_is_file(path)?;
        if !path.is_file() {
            return Err(HistoryError::NotFound {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
        Self::open_with(path, flags)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<History, HistoryError> {
        let open_err = |source| HistoryError::opening(path, source);
        let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        // WAL: readers (hunch report) never block the writer; NORMAL sync is
        // safe against process crashes, and loses at most the last commits on
        // power loss.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        let mut history = History {
            conn,
            path: path.to_path_buf(),
        };
        schema::migrate(&mut history.conn, path)?;
        Ok(history)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the file (after any upgrade, [`SCHEMA_VERSION`]).
    pub fn schema_version(&self) -> Result<i64, HistoryError> {
        schema::user_version(&self.conn).map_err(|e| self.sql("reading the schema version", e))
    }

    /// Starts a monitoring session at `t_unix` and hands the database to a
    /// background writer. See [`Recorder`].
    pub fn start_session(
        self,
        t_unix: f64,
        options: RecorderOptions,
    ) -> Result<Recorder, HistoryError> {
        Recorder::start(self, t_unix, options)
    }

    pub(crate) fn sql(&self, doing: &'static str, source: rusqlite::Error) -> HistoryError {
        HistoryError::Sql {
            doing,
            path: self.path.clone(),
            source,
        }
    }

    /// Everything recorded with `from <= t < to`, sorted by time. Sessions
    /// are those that overlap the range.
    pub fn load(&self, from: f64, to: f64) -> Result<Log, HistoryError> {
        self.load_inner(from, to)
            .map_err(|e| self.sql("reading the history", e))
    }

    fn load_inner(&self, from: f64, to: f64) -> rusqlite::Result<Log> {
        let mut log = Log::default();
        let c = &self.conn;
        // One read transaction, so the lists agree with each other even while
        // a monitor is writing.
        c.execute_batch("BEGIN")?;
        let result = (|| -> rusqlite::Result<()> {
            let mut st = c.prepare(
                "SELECT id, started, ended, app_version FROM sessions
                 WHERE started < ?2 AND COALESCE(ended, started) >= ?1 ORDER BY started, id",
            )?;
            log.sessions = st
                .query_map(params![from, to], |r| {
                    Ok(Session {
                        id: r.get(0)?,
                        started: r.get(1)?,
                        ended: r.get(2)?,
                        app_version: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;

            let mut skipped = 0usize;
            let range = (from, to);
            log.samples = load_rows(
                c,
                "samples",
                "state, verdict, view, forward_head, rounded_shoulders, metrics_json",
                range,
                &mut skipped,
                |r| {
                    let state = parse_enum::<State>(&r.get::<_, String>(2)?);
                    let verdict = parse_enum::<Verdict>(&r.get::<_, String>(3)?);
                    let view = match r.get::<_, Option<String>>(4)? {
                        None => Some(None),
                        Some(v) => parse_enum::<View>(&v).map(Some),
                    };
                    let (Some(state), Some(verdict), Some(view)) = (state, verdict, view) else {
                        return Ok(None);
                    };
                    Ok(Some(Sample {
                        view,
                        forward_head: r.get(5)?,
                        rounded_shoulders: r.get(6)?,
                        metrics_json: r.get(7)?,
                        ..Sample::new(r.get(1)?, state, verdict)
                    }))
                },
            )?;
            fill_levels(c, &mut log.samples, to)?;

            log.transitions = load_rows(
                c,
                "transitions",
                "from_state, to_state",
                range,
                &mut skipped,
                |r| {
                    let from_s = parse_enum::<State>(&r.get::<_, String>(2)?);
                    let to_s = parse_enum::<State>(&r.get::<_, String>(3)?);
                    let (Some(from), Some(to)) = (from_s, to_s) else {
                        return Ok(None);
                    };
                    Ok(Some(Transition {
                        t_unix: r.get(1)?,
                        from,
                        to,
                    }))
                },
            )?;

            log.prompts = load_rows(
                c,
                "prompts",
                "prompt_id, stretch_id, reason",
                range,
                &mut skipped,
                |r| {
                    Ok(Some(Prompt {
                        t_unix: r.get(1)?,
                        prompt_id: r.get::<_, i64>(2)? as u64,
                        stretch_id: r.get(3)?,
                        reason: r.get(4)?,
                    }))
                },
            )?;

            log.outcomes = load_rows(
                c,
                "prompt_outcomes",
                "prompt_id, outcome, reps",
                range,
                &mut skipped,
                |r| {
                    let Some(outcome) = Outcome::from_db(&r.get::<_, String>(3)?, r.get(4)?) else {
                        return Ok(None);
                    };
                    Ok(Some(PromptOutcome {
                        t_unix: r.get(1)?,
                        prompt_id: r.get::<_, i64>(2)? as u64,
                        outcome,
                    }))
                },
            )?;

            log.calibrations = load_rows(
                c,
                "calibrations",
                "view, profile_toml",
                range,
                &mut skipped,
                |r| {
                    let view = match r.get::<_, Option<String>>(2)? {
                        None => None,
                        Some(v) => match parse_enum::<View>(&v) {
                            Some(v) => Some(v),
                            None => return Ok(None),
                        },
                    };
                    Ok(Some(Calibration {
                        t_unix: r.get(1)?,
                        view,
                        profile_toml: r.get(3)?,
                    }))
                },
            )?;

            log.pauses = load_rows(c, "pauses", "kind", range, &mut skipped, |r| {
                let Some(kind) = PauseKind::from_db(&r.get::<_, String>(2)?) else {
                    return Ok(None);
                };
                Ok(Some(Pause {
                    t_unix: r.get(1)?,
                    kind,
                }))
            })?;
            log.skipped_rows = skipped;
            Ok(())
        })();
        // A read transaction: ending it cannot lose anything.
        let end = c.execute_batch("COMMIT");
        result.and(end).map(|()| log)
    }

    /// Deletes everything recorded before `t_unix`, then compacts the file so
    /// the deleted rows are gone from disk too. Sessions that started before
    /// the cut but ran past it are kept (with their later rows).
    pub fn prune_before(&mut self, t_unix: f64) -> Result<Pruned, HistoryError> {
        self.prune(t_unix, None)
    }

    /// As [`History::prune_before`], but the row of session `keep` (the one
    /// a running monitor records into) stays even if it would go; its
    /// records before the cut go like any others.
    pub fn prune(&mut self, t_unix: f64, keep: Option<i64>) -> Result<Pruned, HistoryError> {
        let pruned = self
            .prune_inner(t_unix, keep, true)
            .map_err(|e| self.sql("deleting old history", e))?
            .0;
        if pruned.total() > 0 {
            // VACUUM rewrites the file without the freed pages; the checkpoint
            // empties the write-ahead log, which may still hold old pages.
            self.conn
                .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(|e| self.sql("compacting the history after deleting", e))?;
        }
        Ok(pruned)
    }

    /// What [`History::prune`] would delete, without deleting anything: the
    /// rows, and how many sessions would be left.
    pub fn prune_plan(
        &mut self,
        t_unix: f64,
        keep: Option<i64>,
    ) -> Result<PrunePlan, HistoryError> {
        let (pruned, sessions_left, kept_rows) = self
            .prune_inner(t_unix, keep, false)
            .map_err(|e| self.sql("counting what a prune would delete", e))?;
        Ok(PrunePlan {
            pruned,
            sessions_left,
            kept_session_rows: kept_rows,
        })
    }

    /// Deletes (and commits, if `commit`) everything before `t`; returns the
    /// counts, the sessions left, and the rows of `keep` that went.
    fn prune_inner(
        &mut self,
        t: f64,
        keep: Option<i64>,
        commit: bool,
    ) -> rusqlite::Result<(Pruned, usize, usize)> {
        let tx = self.conn.transaction()?;
        let keep_id = keep.unwrap_or(-1);
        let mut kept_rows = 0usize;
        for table in [
            "samples",
            "transitions",
            "prompts",
            "prompt_outcomes",
            "calibrations",
            "pauses",
        ] {
            kept_rows += tx.query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE t < ?1 AND session_id = ?2"),
                params![t, keep_id],
                |r| r.get::<_, i64>(0),
            )? as usize;
        }
        let mut p = Pruned {
            samples: tx.execute("DELETE FROM samples WHERE t < ?1", [t])?,
            transitions: tx.execute("DELETE FROM transitions WHERE t < ?1", [t])?,
            prompts: tx.execute("DELETE FROM prompts WHERE t < ?1", [t])?,
            outcomes: tx.execute("DELETE FROM prompt_outcomes WHERE t < ?1", [t])?,
            calibrations: tx.execute("DELETE FROM calibrations WHERE t < ?1", [t])?,
            pauses: tx.execute("DELETE FROM pauses WHERE t < ?1", [t])?,
            ..Pruned::default()
        };
        // Keep, for each session with samples after the cut (and the one
        // still recording), the levels row in force at the cut: the later
        // samples need it.
        p.levels = tx.execute(
            "DELETE FROM levels WHERE t < ?1 AND rowid NOT IN (
                SELECT keep FROM (
                    SELECT (SELECT l.rowid FROM levels l
                            WHERE l.session_id = s.session_id AND l.t < ?1
                            ORDER BY l.t DESC, l.rowid DESC LIMIT 1) AS keep
                    FROM (SELECT DISTINCT session_id FROM samples WHERE t >= ?1
                          UNION SELECT ?2) s
                ) WHERE keep IS NOT NULL
            )",
            params![t, keep_id],
        )?;
        p.sessions = tx.execute(
            "DELETE FROM sessions WHERE COALESCE(ended, started) < ?1 AND id != ?2",
            params![t, keep_id],
        )?;
        let left = tx.query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get::<_, i64>(0))?;
        if commit {
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok((p, left as usize, kept_rows))
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok(true)` when the file is sound.
    pub fn integrity_ok(&self) -> Result<bool, HistoryError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .map(|s| s == "ok")
            .map_err(|e| self.sql("checking the file", e))
    }
}

/// The rows of `table` with `from <= t < to` in time order, each read by
/// `parse` from the columns `session_id, t, {cols}` (indices 0, 1, 2...).
/// `parse` returns `None` for a row this version cannot read (a value written
/// by a newer hunch): it is left out and counted in `skipped`.
fn load_rows<T>(
    c: &Connection,
    table: &str,
    cols: &str,
    (from, to): (f64, f64),
    skipped: &mut usize,
    parse: impl Fn(&rusqlite::Row) -> rusqlite::Result<Option<T>>,
) -> rusqlite::Result<Vec<Stored<T>>> {
    let mut st = c.prepare(&format!(
        "SELECT session_id, t, {cols} FROM {table}
         WHERE t >= ?1 AND t < ?2 ORDER BY t, rowid"
    ))?;
    let mut rows = st.query(params![from, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        match parse(r)? {
            Some(record) => out.push(Stored {
                session_id: r.get(0)?,
                record,
            }),
            None => *skipped += 1,
        }
    }
    Ok(out)
}

/// Gives each sample the baselines and thresholds in force at its time: the
/// session's latest `levels` row at or before it.
fn fill_levels(c: &Connection, samples: &mut [Stored<Sample>], to: f64) -> rusqlite::Result<()> {
    let mut sessions: Vec<i64> = samples.iter().map(|s| s.session_id).collect();
    sessions.sort_unstable();
    sessions.dedup();
    let mut st = c.prepare(
        "SELECT t, forward_head_baseline, forward_head_threshold,
                rounded_shoulders_baseline, rounded_shoulders_threshold
         FROM levels WHERE session_id = ?1 AND t < ?2 ORDER BY t, rowid",
    )?;
    type Level = (f64, [Option<f64>; 4]);
    let mut by_session: HashMap<i64, Vec<Level>> = HashMap::new();
    for id in sessions {
        let rows = st
            .query_map(params![id, to], |r| {
                Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]))
            })?
            .collect::<rusqlite::Result<Vec<Level>>>()?;
        by_session.insert(id, rows);
    }
    for s in samples {
        let Some(levels) = by_session.get(&s.session_id) else {
            continue;
        };
        let n = levels.partition_point(|(t, _)| *t <= s.record.t_unix);
        if let Some((_, [a, b, c, d])) = n.checked_sub(1).and_then(|i| levels.get(i)) {
            let r = &mut s.record;
            r.forward_head_baseline = *a;
            r.forward_head_threshold = *b;
            r.rounded_shoulders_baseline = *c;
            r.rounded_shoulders_threshold = *d;
        }
    }
    Ok(())
}

/// The snake_case name serde gives a posture enum (the form stored in the database).
pub(crate) fn enum_name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        // The posture enums are unit variants; they always serialise to strings.
        _ => String::new(),
    }
}

fn parse_enum<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: f64, state: State) -> Sample {
        Sample {
            view: Some(View::Front),
            forward_head: Some(10.0),
            forward_head_baseline: Some(8.0),
            forward_head_threshold: Some(14.0),
            ..Sample::new(t, state, Verdict::Good)
        }
    }

    #[test]
    fn enum_names_are_snake_case_and_round_trip() {
        assert_eq!(enum_name(&State::RoundedShoulders), "rounded_shoulders");
        assert_eq!(enum_name(&Verdict::NoPerson), "no_person");
        assert_eq!(
            parse_enum::<State>("looking_down"),
            Some(State::LookingDown)
        );
        assert_eq!(parse_enum::<State>("nonsense"), None);
    }

    #[test]
    fn records_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/h.sqlite3");
        let rec = History::open(&path)
            .unwrap()
            .start_session(100.0, RecorderOptions::default())
            .unwrap();
        let s = Sample {
            metrics_json: Some(r#"{"neck_deg":12.5}"#.into()),
            rounded_shoulders: Some(f64::NAN),
            ..sample(101.0, State::Slouch)
        };
        rec.record(s.clone());
        rec.record(Transition {
            t_unix: 101.5,
            from: State::Good,
            to: State::Slouch,
        });
        rec.record(Prompt {
            t_unix: 102.0,
            prompt_id: 7,
            stretch_id: "chin_tuck".into(),
            reason: "slouching for 30 s".into(),
        });
        rec.record(PromptOutcome {
            t_unix: 130.0,
            prompt_id: 7,
            outcome: Outcome::DoneVerified { reps: 10 },
        });
        rec.record(Calibration {
            t_unix: 99.0,
            view: Some(View::Side),
            profile_toml: Some("a = 1".into()),
        });
        rec.record(Pause {
            t_unix: 140.0,
            kind: PauseKind::Snoozed,
        });
        let stats = rec.close(150.0).unwrap();
        assert_eq!(stats.written, 6);

        let h = History::open_existing(&path).unwrap();
        assert_eq!(h.schema_version().unwrap(), SCHEMA_VERSION);
        let log = h.load(0.0, 1000.0).unwrap();
        assert_eq!(log.sessions.len(), 1);
        assert_eq!(log.sessions[0].started, 100.0);
        assert_eq!(log.sessions[0].ended, Some(150.0));
        assert_eq!(log.sessions[0].app_version, env!("CARGO_PKG_VERSION"));
        // NaN is stored as missing.
        let expected = Sample {
            rounded_shoulders: None,
            ..s
        };
        assert_eq!(log.samples.len(), 1);
        assert_eq!(log.samples[0].record, expected);
        assert_eq!(log.transitions[0].record.to, State::Slouch);
        assert_eq!(log.prompts[0].record.stretch_id, "chin_tuck");
        assert_eq!(
            log.outcomes[0].record.outcome,
            Outcome::DoneVerified { reps: 10 }
        );
        assert_eq!(log.calibrations[0].record.view, Some(View::Side));
        assert_eq!(log.pauses[0].record.kind, PauseKind::Snoozed);
        assert!(h.integrity_ok().unwrap());
    }

    #[test]
    fn load_is_limited_to_the_range() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let rec = History::open(&path)
            .unwrap()
            .start_session(0.0, RecorderOptions::default())
            .unwrap();
        for t in 0..10 {
            rec.record(sample(t as f64, State::Good));
        }
        rec.close(10.0).unwrap();
        let h = History::open_existing(&path).unwrap();
        let log = h.load(3.0, 7.0).unwrap();
        let ts: Vec<f64> = log.samples.iter().map(|s| s.record.t_unix).collect();
        assert_eq!(ts, vec![3.0, 4.0, 5.0, 6.0]);
        assert_eq!(h.load(20.0, 30.0).unwrap().sessions.len(), 0);
    }

    #[test]
    fn open_existing_does_not_create_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sqlite3");
        let err = History::open_existing(&path).unwrap_err();
        assert!(matches!(err, HistoryError::NotFound { .. }), "{err}");
        assert!(!path.exists());
        assert!(err.to_string().ends_with(&path.display().to_string()));
    }

    #[test]
    fn garbage_file_is_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junk.sqlite3");
        std::fs::write(&path, vec![0x42u8; 10_000]).unwrap();
        let err = History::open(&path).unwrap_err();
        let msg = err.to_string();
        assert!(msg.ends_with(&path.display().to_string()), "{msg}");
    }

    #[test]
    fn unknown_state_rows_are_skipped_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let h = History::open(&path).unwrap();
        h.conn
            .execute(
                "INSERT INTO samples (session_id, t, state, verdict) VALUES (1, 5.0, 'levitating', 'good')",
                [],
            )
            .unwrap();
        let log = h.load(0.0, 10.0).unwrap();
        assert!(log.samples.is_empty());
        assert_eq!(log.skipped_rows, 1);
    }
}
