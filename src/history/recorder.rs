//! The recorder: the live loop's side of the history.
//!
//! [`Recorder::record`] never blocks. Records go through a bounded channel to
//! a writer thread, which collects them for up to
//! [`RecorderOptions::commit_interval`] (one second by default) and commits
//! each batch in one transaction. If the disk stalls and the channel fills,
//! samples are dropped first (counted, with a warning) so that the rarer
//! events (transitions, prompts, outcomes, calibrations, pauses) keep room:
//! samples may only fill half of the channel.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

use super::{History, HistoryError, Record, enum_name};

/// How the recorder batches.
#[derive(Clone, Copy, Debug)]
pub struct RecorderOptions {
    /// Longest a record waits before its batch is committed. A crash loses
    /// at most this much.
    pub commit_interval: Duration,
    /// Records the channel holds (samples may use half). At one sample a
    /// second, the default holds over an hour of a stalled disk.
    pub capacity: usize,
}

impl Default for RecorderOptions {
    fn default() -> Self {
        RecorderOptions {
            commit_interval: Duration::from_secs(1),
            capacity: 8192,
        }
    }
}

/// What the recorder did, so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecorderStats {
    /// Records committed to the file.
    pub written: u64,
    /// Samples dropped because the writer was behind.
    pub dropped_samples: u64,
    /// Other records dropped because the channel was full, or lost because
    /// writing failed for too long (see [`Recorder`]).
    pub lost_records: u64,
    /// Samples lost because writing failed for too long (a full disk).
    pub lost_samples: u64,
    /// Commits that failed (each is retried with the next).
    pub failed_batches: u64,
    /// Records waiting in memory for the disk to take them.
    pub pending: u64,
}

impl RecorderStats {
    /// Samples that will never be in the file.
    pub fn samples_lost(&self) -> u64 {
        self.dropped_samples + self.lost_samples
    }
}

enum Msg {
    Record(Record),
    /// Commit what is queued, then answer.
    Flush(SyncSender<()>),
    /// Commit what is queued, note the session end (if given) and stop.
    Close(Option<f64>),
    /// Tests: run SQL on the writer's connection (to fill or free the "disk").

    #[cfg(test)]
    Exec(String, SyncSender<()>),
}

#[derive(Default)]
struct Counters {
    queued: AtomicUsize,
    written: AtomicU64,
    dropped_samples: AtomicU64,
    lost_records: AtomicU64,
    lost_samples: AtomicU64,
    failed_batches: AtomicU64,
    pending: AtomicU64,
    /// Commits the writer has begun (tests wait on it instead of sleeping).
    commits_begun: AtomicU64,
}

impl Counters {
    fn stats(&self) -> RecorderStats {
        RecorderStats {
            written: self.written.load(Ordering::Relaxed),
            dropped_samples: self.dropped_samples.load(Ordering::Relaxed),
            lost_records: self.lost_records.load(Ordering::Relaxed),
            lost_samples: self.lost_samples.load(Ordering::Relaxed),
            failed_batches: self.failed_batches.load(Ordering::Relaxed),
            pending: self.pending.load(Ordering::Relaxed),
        }
    }
}

/// Writes one monitoring session to the history in the background.
///
/// Start it with [`History::start_session`] (or [`Recorder::open`]), feed it
/// with [`Recorder::record`], and end it with [`Recorder::close`]; dropping it
/// also commits everything queued (without a session end time: the last
/// record's time stands in).
pub struct Recorder {
    tx: Option<SyncSender<Msg>>,
    writer: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
    sample_limit: usize,
    session_id: i64,
    path: PathBuf,
    /// Held while recording (monitors only): one recorder per history.
    lock: Option<super::RecordingLock>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("path", &self.path)
            .field("session_id", &self.session_id)
            .finish()
    }
}

impl Recorder {
    /// Opens (or creates) the history at `path` and starts a session at `t_unix`.
    pub fn open(
        path: &std::path::Path,
        t_unix: f64,
        options: RecorderOptions,
    ) -> Result<Recorder, HistoryError> {
        History::open(path)?.start_session(t_unix, options)
    }

    /// A recorder for a one-off record outside the monitor (a calibration
    /// from photos): `None` with `--no-history`, else a session of no
    /// monitored time in the history the flags name. It takes no recording
    /// lock, so a monitor running on the same history does not stop it (it
    /// counts no minutes; SQLite keeps the two writers apart).
    pub fn for_note(
        history_flag: Option<&std::path::Path>,
        no_history: bool,
        t_unix: f64,
    ) -> Result<Option<Recorder>, HistoryError> {
        Recorder::as_flags_ask(history_flag, no_history, t_unix, false)
    }

    /// The monitor's recorder as its flags ask: `None` with `--no-history`,
    /// else a session started at `t_unix` in `--history PATH` or the default
    /// file ([`History::default_path`]), holding the recording lock.
    pub fn for_monitor(
        history_flag: Option<&std::path::Path>,
        no_history: bool,
        t_unix: f64,
    ) -> Result<Option<Recorder>, HistoryError> {
        Recorder::as_flags_ask(history_flag, no_history, t_unix, true)
    }

    fn as_flags_ask(
        history_flag: Option<&std::path::Path>,
        no_history: bool,
        t_unix: f64,
        locked: bool,
    ) -> Result<Option<Recorder>, HistoryError> {
        if no_history {
            return Ok(None);
        }
        let path = History::resolve_path(history_flag)?;
        // Before anything is written: a second monitor on the same history
        // would count the same minutes twice.
        let lock = locked
            .then(|| super::RecordingLock::acquire(&path))
            .transpose()?;
        let mut recorder = Recorder::open(&path, t_unix, RecorderOptions::default())?;
        recorder.lock = lock.map(|mut lock| {
            lock.note(Some(recorder.session_id));
            lock
        });
        Ok(Some(recorder))
    }

    pub(super) fn start(
        history: History,
        t_unix: f64,
        options: RecorderOptions,
    ) -> Result<Recorder, HistoryError> {
        let History { conn, path } = history;
        let t = if t_unix.is_finite() { t_unix } else { 0.0 };
        conn.execute(
            "INSERT INTO sessions (started, ended, app_version) VALUES (?1, NULL, ?2)",
            params![t, env!("CARGO_PKG_VERSION")],
        )
        .map_err(|source| HistoryError::Sql {
            doing: "starting a session",
            path: path.clone(),
            source,
        })?;
        let session_id = conn.last_insert_rowid();
        let capacity = options.capacity.max(2);
        let (tx, rx) = sync_channel(capacity);
        let counters = Arc::new(Counters::default());
        let writer = Writer {
            conn,
            path: path.clone(),
            session_id,
            interval: options.commit_interval,
            max_batch: capacity,
            counters: counters.clone(),
            levels: None,
            started: t,
            failing: None,
            first_error: None,
            finishing: false,
        };
        let handle = std::thread::Builder::new()
            .name("hunch-history".into())
            .spawn(move || writer.run(rx))
            .map_err(|source| HistoryError::WriterStart {
                source,
                path: path.clone(),
            })?;
        Ok(Recorder {
            tx: Some(tx),
            writer: Some(handle),
            counters,
            sample_limit: capacity / 2,
            session_id,
            path,
            lock: None,
        })
    }

    /// This session's id in the database.
    pub fn session_id(&self) -> i64 {
        self.session_id
    }

    /// Queues a record for writing. Never blocks: if the writer is far
    /// behind, the record is dropped and counted (samples first; see the
    /// module notes). Records with a non-finite time are dropped too.
    pub fn record(&self, record: impl Into<Record>) {
        let record = record.into();
        let is_sample = matches!(record, Record::Sample(_));
        let drop_it = |counters: &Counters, why: &str| {
            let counter = if is_sample {
                &counters.dropped_samples
            } else {
                &counters.lost_records
            };
            let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
            // Said once; the total is in the summary at exit.
            if n == 1 {
                let what = if is_sample { "a sample" } else { "an event" };
                tracing::warn!(
                    "history: {what} was dropped ({why}); more may follow, the total is reported at exit"
                );
            }
        };
        if !record.t_unix().is_finite() {
            drop_it(&self.counters, "record without a valid time");
            return;
        }
        let Some(tx) = &self.tx else { return };
        if is_sample && self.counters.queued.load(Ordering::Relaxed) >= self.sample_limit {
            drop_it(&self.counters, "the history writer is behind");
            return;
        }
        self.counters.queued.fetch_add(1, Ordering::Relaxed);
        match tx.try_send(Msg::Record(record)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.counters.queued.fetch_sub(1, Ordering::Relaxed);
                drop_it(&self.counters, "the history writer is behind");
            }
            Err(TrySendError::Disconnected(_)) => {
                self.counters.queued.fetch_sub(1, Ordering::Relaxed);
                drop_it(&self.counters, "the history writer has stopped");
            }
        }
    }

    /// Commits everything queued so far and waits until it is on disk.
    /// Blocks (for about one commit); the live loop need not call it.
    pub fn flush(&self) -> Result<(), HistoryError> {
        let (ack_tx, ack_rx) = sync_channel(1);
        let gone = || HistoryError::Writer {
            reason: "it is no longer running",
            path: self.path.clone(),
        };
        let tx = self.tx.as_ref().ok_or_else(gone)?;
        tx.send(Msg::Flush(ack_tx)).map_err(|_| gone())?;
        ack_rx.recv().map_err(|_| gone())
    }

    #[cfg(test)]
    fn exec(&self, sql: &str) {
        let (ack_tx, ack_rx) = sync_channel(1);
        if let Some(tx) = &self.tx {
            tx.send(Msg::Exec(sql.to_string(), ack_tx)).unwrap();
            ack_rx.recv().unwrap();
        }
    }

    /// What was written and dropped so far.
    pub fn stats(&self) -> RecorderStats {
        self.counters.stats()
    }

    /// Commits everything, records the session's end at `t_unix` and stops
    /// the writer. Blocks until done.
    pub fn close(mut self, t_unix: f64) -> Result<RecorderStats, HistoryError> {
        self.shutdown(Some(t_unix).filter(|t| t.is_finite()))?;
        Ok(self.counters.stats())
    }

    fn shutdown(&mut self, end: Option<f64>) -> Result<(), HistoryError> {
        let Some(tx) = self.tx.take() else {
            return Ok(());
        };
        // Blocking send: at shutdown, waiting for room is right.
        let sent = tx.send(Msg::Close(end));
        drop(tx);
        let joined = self.writer.take().map(|h| h.join());
        match (sent, joined) {
            (Ok(()), Some(Ok(()))) => Ok(()),
            _ => Err(HistoryError::Writer {
                reason: "it stopped before the last records were written",
                path: self.path.clone(),
            }),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown(None) {
            tracing::warn!("{e}");
        }
    }
}

struct Writer {
    conn: Connection,
    path: PathBuf,
    session_id: i64,
    /// When the session started (to record it again if it was deleted).
    started: f64,
    interval: Duration,
    /// Most records read per batch, and most kept waiting while writes fail.
    max_batch: usize,
    counters: Arc<Counters>,
    /// The baselines and thresholds last committed for this session.
    levels: Option<Levels>,
    /// While writes fail: the first error of this stretch.
    failing: Option<String>,
    /// The first write error of the whole session, for the summary at exit.
    first_error: Option<String>,
    /// Closing: the summary at exit reports, not each commit.
    finishing: bool,
}

/// Forward-head baseline and threshold, rounded-shoulders baseline and threshold.
type Levels = [Option<f64>; 4];

fn levels_of(s: &super::Sample) -> Levels {
    [
        finite(s.forward_head_baseline),
        finite(s.forward_head_threshold),
        finite(s.rounded_shoulders_baseline),
        finite(s.rounded_shoulders_threshold),
    ]
}

impl Writer {
    fn run(mut self, rx: Receiver<Msg>) {
        // Records waiting to be committed: the batch being collected plus,
        // while the disk refuses them, everything not yet written.
        let mut batch: Vec<Record> = Vec::new();
        loop {
            // Wait for the first message of a batch; while records wait for
            // a full disk, retry once an interval even if nothing comes.
            let first = if batch.is_empty() {
                match rx.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return, // Recorder gone without Close: nothing queued.
                }
            } else {
                match rx.recv_timeout(self.interval) {
                    Ok(m) => Some(m),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => {
                        self.finish(&mut batch, None);
                        return;
                    }
                }
            };
            let deadline = Instant::now() + self.interval;
            let mut next = first;
            let mut acks = Vec::new();
            let mut close = None;
            let mut received = 0usize;
            loop {
                match next.take() {
                    Some(Msg::Record(r)) => {
                        self.counters.queued.fetch_sub(1, Ordering::Relaxed);
                        batch.push(r);
                        received += 1;
                        if received >= self.max_batch {
                            break;
                        }
                    }
                    Some(Msg::Flush(ack)) => {
                        acks.push(ack);
                        break;
                    }
                    Some(Msg::Close(end)) => {
                        close = Some(end);
                        break;
                    }
                    #[cfg(test)]
                    Some(Msg::Exec(sql, ack)) => {
                        self.conn.execute_batch(&sql).ok();
                        acks.push(ack);
                        break;
                    }
                    None => {}
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                match rx.recv_timeout(left) {
                    Ok(m) => next = Some(m),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => {
                        close = Some(None);
                        break;
                    }
                }
            }
            match close {
                Some(end) => self.finish(&mut batch, end),
                None => {
                    self.commit(&mut batch, None);
                }
            }
            for ack in acks {
                let _ = ack.send(());
            }
            if close.is_some() {
                return;
            }
        }
    }

    /// Commits the batch (and the session end, if given). On failure the
    /// records stay in `batch` to be retried with the next commit, at most
    /// `max_batch` of them (the oldest samples go first). True on success.
    fn commit(&mut self, batch: &mut Vec<Record>, end: Option<f64>) -> bool {
        if batch.is_empty() && end.is_none() {
            return true;
        }
        let n = batch.len() as u64;
        self.counters.commits_begun.fetch_add(1, Ordering::SeqCst);
        let result = write_batch(
            &mut self.conn,
            self.session_id,
            self.started,
            batch,
            end,
            self.levels,
        );
        match result {
            Ok((levels, recreated)) => {
                if recreated {
                    tracing::warn!(
                        "history: this session had been deleted from the history while hunch was recording (by `hunch history prune`?); it is recorded again from now on: {}",
                        self.path.display()
                    );
                }
                self.levels = levels;
                self.counters.written.fetch_add(n, Ordering::Relaxed);
                self.counters.pending.store(0, Ordering::Relaxed);
                batch.clear();
                if self.failing.take().is_some() && !self.finishing {
                    let st = self.counters.stats();
                    tracing::warn!(
                        "history: writing again; {} samples and {} events lost while it could not: {}",
                        st.samples_lost(),
                        st.lost_records,
                        self.path.display()
                    );
                }
                true
            }
            Err(e) => {
                self.counters.failed_batches.fetch_add(1, Ordering::Relaxed);
                self.first_error.get_or_insert_with(|| e.to_string());
                if self.failing.is_none() {
                    if !self.finishing {
                        tracing::warn!(
                            "history: cannot write ({e}); keeping up to {} records in memory and retrying every {:.0} s, monitoring goes on: {}",
                            self.max_batch,
                            self.interval.as_secs_f64().max(1.0),
                            self.path.display()
                        );
                    }
                    self.failing = Some(e.to_string());
                }
                self.trim(batch);
                set_count(&self.counters.pending, batch.len());
                false
            }
        }
    }

    /// Keeps at most `max_batch` records waiting: drops the oldest samples
    /// first, then the oldest events, counting each as lost.
    fn trim(&self, batch: &mut Vec<Record>) {
        let excess = batch.len().saturating_sub(self.max_batch);
        if excess == 0 {
            return;
        }
        let mut to_drop = excess;
        batch.retain(|r| {
            if to_drop > 0 && matches!(r, Record::Sample(_)) {
                to_drop -= 1;
                false
            } else {
                true
            }
        });
        self.counters
            .lost_samples
            .fetch_add((excess - to_drop) as u64, Ordering::Relaxed);
        let still = batch.len().saturating_sub(self.max_batch);
        if still > 0 {
            batch.drain(..still);
            self.counters
                .lost_records
                .fetch_add(still as u64, Ordering::Relaxed);
        }
    }

    /// The last commit, with the session end. If the disk still refuses,
    /// the events and the end are tried without the samples, then the end
    /// alone; whatever is lost is counted and summed up once.
    fn finish(&mut self, batch: &mut Vec<Record>, end: Option<f64>) {
        // Only the summary below speaks now.
        self.finishing = true;
        let mut end_saved = self.commit(batch, end);
        if !end_saved {
            let samples = batch
                .iter()
                .filter(|r| matches!(r, Record::Sample(_)))
                .count();
            batch.retain(|r| !matches!(r, Record::Sample(_)));
            self.counters
                .lost_samples
                .fetch_add(samples as u64, Ordering::Relaxed);
            end_saved = self.commit(batch, end);
        }
        if !end_saved {
            self.counters
                .lost_records
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            batch.clear();
            end_saved = end.is_none() || self.commit(batch, end);
        }
        batch.clear();
        self.counters.pending.store(0, Ordering::Relaxed);
        let st = self.counters.stats();
        if st.samples_lost() > 0 || st.lost_records > 0 || !end_saved {
            let why = self
                .first_error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            let end_note = if end_saved {
                ""
            } else {
                "; the session's end could not be recorded either"
            };
            tracing::warn!(
                "history: {} samples and {} events of this session could not be saved{why}{end_note}: {}",
                st.samples_lost(),
                st.lost_records,
                self.path.display()
            );
        }
    }
}

fn set_count(counter: &AtomicU64, len: usize) {
    counter.store(len as u64, Ordering::Relaxed);
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// Writes a batch in one transaction; returns the levels now on file and
/// whether the session's row had to be made again (it had been deleted).
fn write_batch(
    conn: &mut Connection,
    session: i64,
    started: f64,
    batch: &[Record],
    end: Option<f64>,
    mut levels: Option<Levels>,
) -> rusqlite::Result<(Option<Levels>, bool)> {
    let tx = conn.transaction()?;
    // A prune may have deleted this session while it runs: record it again
    // (from its first record still to be written), with its levels, so no
    // row is ever written under a session that does not exist.
    let first = batch
        .iter()
        .map(Record::t_unix)
        .chain(end)
        .fold(f64::INFINITY, f64::min);
    let again_from = if first.is_finite() {
        first.max(started)
    } else {
        started
    };
    let recreated = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO sessions (id, started, ended, app_version) VALUES (?1, ?2, NULL, ?3)",
        )?
        .execute(params![session, again_from, env!("CARGO_PKG_VERSION")])?
        > 0;
    if recreated {
        levels = None;
    }
    let mut last = f64::NEG_INFINITY;
    for rec in batch {
        last = last.max(rec.t_unix());
        match rec {
            Record::Sample(s) => {
                // Baselines and thresholds go to `levels` only when they change.
                let now = levels_of(s);
                if levels != Some(now) {
                    tx.prepare_cached(
                        "INSERT INTO levels (session_id, t,
                            forward_head_baseline, forward_head_threshold,
                            rounded_shoulders_baseline, rounded_shoulders_threshold)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![session, s.t_unix, now[0], now[1], now[2], now[3]])?;
                    levels = Some(now);
                }
                let mut st = tx.prepare_cached(
                    "INSERT INTO samples (session_id, t, state, verdict, view,
                        forward_head, rounded_shoulders, metrics_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                st.execute(params![
                    session,
                    s.t_unix,
                    enum_name(&s.state),
                    enum_name(&s.verdict),
                    s.view.as_ref().map(enum_name),
                    finite(s.forward_head),
                    finite(s.rounded_shoulders),
                    s.metrics_json,
                ])?;
            }
            Record::Transition(r) => {
                tx.prepare_cached(
                    "INSERT INTO transitions (session_id, t, from_state, to_state) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![session, r.t_unix, enum_name(&r.from), enum_name(&r.to)])?;
            }
            Record::Prompt(r) => {
                tx.prepare_cached(
                    "INSERT INTO prompts (session_id, t, prompt_id, stretch_id, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![session, r.t_unix, r.prompt_id as i64, r.stretch_id, r.reason])?;
            }
            Record::PromptOutcome(r) => {
                let reps = match r.outcome {
                    super::Outcome::DoneVerified { reps } => Some(i64::from(reps)),
                    _ => None,
                };
                tx.prepare_cached(
                    "INSERT INTO prompt_outcomes (session_id, t, prompt_id, outcome, reps) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![session, r.t_unix, r.prompt_id as i64, r.outcome.kind(), reps])?;
            }
            Record::Calibration(r) => {
                tx.prepare_cached(
                    "INSERT INTO calibrations (session_id, t, view, profile_toml) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![session, r.t_unix, r.view.as_ref().map(enum_name), r.profile_toml])?;
            }
            Record::Pause(r) => {
                tx.prepare_cached("INSERT INTO pauses (session_id, t, kind) VALUES (?1, ?2, ?3)")?
                    .execute(params![session, r.t_unix, r.kind.kind()])?;
            }
        }
    }
    // The session's end: the explicit end at close, else the latest record
    // committed so far (so a crashed session still has a sensible end).
    match end {
        Some(t) => tx.execute(
            "UPDATE sessions SET ended = ?2 WHERE id = ?1",
            params![session, t],
        )?,
        None if last.is_finite() => tx.execute(
            "UPDATE sessions SET ended = MAX(COALESCE(ended, started), ?2) WHERE id = ?1",
            params![session, last],
        )?,
        None => 0,
    };
    tx.commit()?;
    Ok((levels, recreated))
}

/// Which clock the history's times come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HistoryClock {
    /// Unix time of session time 0 plus the event's session time (the
    /// monitor: a recording is dated as if it were live from the start).
    Session { unix_offset: f64 },
    /// The wall clock when the event arrives (`hunch stretch` and `hunch
    /// routine`: a recording may have been played faster than life).
    Wall,
}

/// The history as an output: writes the transitions, prompts and their
/// outcomes, pauses, calibrations and the per-second samples it hears, and
/// closes the session at `stop`.
pub struct HistorySink {
    recorder: Option<Recorder>,
    clock: HistoryClock,
    stop_unix: Option<f64>,
}

impl HistorySink {
    pub fn new(recorder: Recorder, clock: HistoryClock) -> HistorySink {
        HistorySink {
            recorder: Some(recorder),
            clock,
            stop_unix: None,
        }
    }

    fn unix(&self, t: f64) -> f64 {
        match self.clock {
            HistoryClock::Session { unix_offset } => unix_offset + t,
            HistoryClock::Wall => crate::session::unix_now(),
        }
    }

    /// Closes the history session (at the `stop` event's time, else now).
    pub fn close(&mut self) -> Result<(), HistoryError> {
        let end = self.stop_unix.unwrap_or_else(crate::session::unix_now);
        match self.recorder.take() {
            Some(r) => r.close(end).map(|_| ()),
            None => Ok(()),
        }
    }
}

impl crate::events::Sink for HistorySink {
    fn accept(&mut self, event: &crate::events::Event) {
        use crate::events::Event;
        let t_unix = self.unix(event_t(event));
        let Some(h) = &self.recorder else {
            return;
        };
        match event {
            Event::State { from, to, .. } => h.record(super::Transition {
                t_unix,
                from: *from,
                to: *to,
            }),
            Event::Metrics {
                state,
                verdict,
                view,
                metrics,
                readings,
                ..
            } => {
                let mut sample = super::Sample::new(t_unix, *state, *verdict);
                sample.view = *view;
                if let Some(r) = readings.forward_head {
                    sample.forward_head = Some(r.value);
                    sample.forward_head_baseline = r.baseline;
                    sample.forward_head_threshold = Some(r.enter);
                }
                if let Some(r) = readings.rounded_shoulders {
                    sample.rounded_shoulders = Some(r.value);
                    sample.rounded_shoulders_baseline = r.baseline;
                    sample.rounded_shoulders_threshold = Some(r.enter);
                }
                if !metrics.is_null() {
                    sample.metrics_json = Some(metrics.to_string());
                }
                h.record(sample);
            }
            Event::Prompt {
                stretch,
                reason,
                about,
                ..
            } => h.record(super::Prompt {
                t_unix,
                prompt_id: about.id,
                stretch_id: stretch.clone(),
                reason: reason.clone(),
            }),
            Event::PromptEnded {
                prompt_id, outcome, ..
            } => h.record(super::PromptOutcome {
                t_unix,
                prompt_id: *prompt_id,
                outcome: *outcome,
            }),
            Event::Pause { kind, .. } => h.record(super::Pause {
                t_unix,
                kind: *kind,
            }),
            Event::Calibrated { profile, .. } => h.record(super::Calibration {
                t_unix,
                view: Some(profile.view),
                profile_toml: toml::to_string(profile.as_ref()).ok(),
            }),
            Event::Stop { .. } => self.stop_unix = Some(t_unix),
            // The prompt row keeps the stretch first offered; the outcome
            // that follows is the prompt's, whichever stretch it ended on.
            Event::Start { .. }
            | Event::PromptSwapped { .. }
            | Event::Stretch { .. }
            | Event::Camera { .. }
            | Event::Status { .. } => {}
        }
    }

    fn close(&mut self) -> anyhow::Result<()> {
        Ok(HistorySink::close(self)?)
    }
}

/// The session time of any event.
fn event_t(event: &crate::events::Event) -> f64 {
    use crate::events::Event;
    match event {
        Event::Start { t, .. }
        | Event::State { t, .. }
        | Event::Metrics { t, .. }
        | Event::Prompt { t, .. }
        | Event::PromptSwapped { t, .. }
        | Event::Stretch { t, .. }
        | Event::Camera { t, .. }
        | Event::Stop { t }
        | Event::PromptEnded { t, .. }
        | Event::Pause { t, .. }
        | Event::Calibrated { t, .. }
        | Event::Status { t, .. } => *t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Pause, PauseKind, Sample};
    use crate::posture::{State, Verdict};

    /// A writer thread that cannot start keeps the I/O error as its cause;
    /// the line a user sees is the one it was when the cause was a string.
    #[test]
    fn a_writer_that_cannot_start_keeps_the_io_error() {
        use std::error::Error as _;
        let e = HistoryError::WriterStart {
            source: std::io::Error::other("no threads left"),
            path: "h.sqlite3".into(),
        };
        assert!(e.source().is_some_and(|c| c.is::<std::io::Error>()));
        let said = "the history writer stopped unexpectedly (cannot start the writer thread: no threads left); history since then is lost: h.sqlite3";
        assert_eq!(e.to_string(), said);
        assert_eq!(crate::app::error_line(&anyhow::Error::from(e)), said);
    }

    #[test]
    fn a_stalled_disk_drops_samples_but_keeps_room_for_events() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let options = RecorderOptions {
            commit_interval: Duration::from_millis(1),
            capacity: 10,
        };
        let rec = Recorder::open(&path, 0.0, options).unwrap();
        // Another process holds the write lock: the writer's next commit
        // waits (up to the busy timeout) and the channel fills up.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        rec.record(Sample::new(0.0, State::Good, Verdict::Good));
        // Wait until the writer is inside that commit (blocked on the lock
        // for up to its 5 s busy timeout), however slow the machine.
        while rec.counters.commits_begun.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        for i in 1..100 {
            rec.record(Sample::new(i as f64, State::Good, Verdict::Good));
        }
        let st = rec.stats();
        assert!(st.dropped_samples >= 90, "{st:?}");
        // Events still fit after the samples hit their half.
        for i in 0..4 {
            rec.record(Pause {
                t_unix: 200.0 + i as f64,
                kind: PauseKind::Paused,
            });
        }
        assert_eq!(rec.stats().lost_records, 0);
        other.execute_batch("COMMIT").unwrap();
        let stats = rec.close(300.0).unwrap();
        assert_eq!((stats.lost_records, stats.failed_batches), (0, 0));
        let log = History::open_existing(&path)
            .unwrap()
            .load(0.0, 1e9)
            .unwrap();
        assert_eq!(log.pauses.len(), 4);
        assert_eq!(
            log.samples.len() as u64,
            100 - stats.dropped_samples,
            "{stats:?}"
        );
    }

    fn samples_on_file(path: &std::path::Path) -> usize {
        History::open_existing(path)
            .unwrap()
            .load(-1.0, 1e9)
            .unwrap()
            .samples
            .len()
    }

    /// Fills the "disk": the database may not grow past its current size.
    fn fill_disk(rec: &Recorder, path: &std::path::Path) {
        let pages: i64 = Connection::open(path)
            .unwrap()
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        rec.exec(&format!("PRAGMA max_page_count = {pages}"));
    }

    #[test]
    fn a_full_disk_keeps_records_until_space_returns_and_counts_true_losses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let options = RecorderOptions {
            commit_interval: Duration::from_millis(1),
            capacity: 100,
        };
        let rec = Recorder::open(&path, 0.0, options).unwrap();
        rec.record(Sample::new(0.0, State::Good, Verdict::Good));
        rec.flush().unwrap();
        fill_disk(&rec, &path);
        // 600 seconds of monitoring on a full disk, committed every second.
        for i in 1..=600 {
            rec.record(Sample::new(f64::from(i), State::Good, Verdict::Good));
            rec.flush().unwrap();
        }
        let full = rec.stats();
        assert!(full.failed_batches > 0, "{full:?}");
        assert_eq!(full.pending, 100, "at most the capacity waits: {full:?}");
        // Every sample is written, waiting or counted lost: nothing vanishes.
        assert_eq!(
            full.written + full.pending + full.samples_lost(),
            601,
            "{full:?}"
        );
        assert_eq!(samples_on_file(&path) as u64, full.written);
        // Space returns: the waiting records go in, and the session end.
        rec.exec("PRAGMA max_page_count = 1073741823");
        rec.record(Sample::new(601.0, State::Good, Verdict::Good));
        let st = rec.close(700.0).unwrap();
        assert_eq!(st.pending, 0);
        assert_eq!(st.written + st.samples_lost(), 602, "{st:?}");
        assert_eq!(
            st.samples_lost(),
            full.samples_lost(),
            "none lost after space returned"
        );
        assert_eq!(samples_on_file(&path) as u64, st.written);
        let log = History::open_existing(&path)
            .unwrap()
            .load(-1.0, 1e9)
            .unwrap();
        assert_eq!(log.sessions[0].ended, Some(700.0));
    }

    #[test]
    fn a_disk_full_to_the_end_still_counts_every_loss() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let rec = Recorder::open(&path, 0.0, RecorderOptions::default()).unwrap();
        rec.record(Sample::new(0.0, State::Good, Verdict::Good));
        rec.flush().unwrap();
        fill_disk(&rec, &path);
        for i in 1..=300 {
            rec.record(Sample::new(f64::from(i), State::Good, Verdict::Good));
            if i % 10 == 0 {
                rec.flush().unwrap();
            }
        }
        rec.record(Pause {
            t_unix: 301.0,
            kind: PauseKind::Paused,
        });
        let st = rec.close(400.0).unwrap();
        let on_file = samples_on_file(&path) as u64;
        assert_eq!(on_file + st.samples_lost(), 301, "{st:?}");
        assert!(st.samples_lost() > 0);
        assert_eq!(st.pending, 0);
    }

    #[test]
    fn a_session_deleted_while_recording_is_recorded_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let rec = Recorder::open(&path, 100.0, RecorderOptions::default()).unwrap();
        for i in 0..10 {
            rec.record(Sample::new(
                100.0 + f64::from(i),
                State::Good,
                Verdict::Good,
            ));
        }
        rec.flush().unwrap();
        // `hunch history prune` from another process deletes all of it.
        let pruned = History::open_existing(&path)
            .unwrap()
            .prune_before(1000.0)
            .unwrap();
        assert_eq!((pruned.sessions, pruned.samples), (1, 10));
        let mut s = Sample::new(1000.0, State::Good, Verdict::Good);
        s.forward_head_baseline = Some(10.0);
        rec.record(s);
        let id = rec.session_id();
        rec.close(1001.0).unwrap();
        let log = History::open_existing(&path)
            .unwrap()
            .load(0.0, 1e9)
            .unwrap();
        assert_eq!(log.sessions.len(), 1);
        assert_eq!(log.sessions[0].id, id);
        assert_eq!(log.sessions[0].started, 1000.0);
        assert_eq!(log.sessions[0].ended, Some(1001.0));
        assert_eq!(log.samples.len(), 1);
        assert_eq!(log.samples[0].session_id, id);
        assert_eq!(log.samples[0].record.forward_head_baseline, Some(10.0));
    }

    #[test]
    fn for_monitor_follows_the_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        assert!(
            Recorder::for_monitor(Some(&path), true, 0.0)
                .unwrap()
                .is_none()
        );
        assert!(!path.exists());
        let rec = Recorder::for_monitor(Some(&path), false, 0.0)
            .unwrap()
            .unwrap();
        // One monitor per history.
        let second = Recorder::for_monitor(Some(&path), false, 0.0).unwrap_err();
        assert!(matches!(second, HistoryError::Busy { .. }), "{second}");
        rec.close(1.0).unwrap();
        assert!(path.exists());
        Recorder::for_monitor(Some(&path), false, 2.0)
            .unwrap()
            .unwrap()
            .close(3.0)
            .unwrap();
    }

    #[test]
    fn non_finite_times_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let rec = Recorder::open(
            &dir.path().join("h.sqlite3"),
            0.0,
            RecorderOptions::default(),
        )
        .unwrap();
        rec.record(Sample::new(f64::NAN, State::Good, Verdict::Good));
        rec.record(Pause {
            t_unix: f64::INFINITY,
            kind: PauseKind::Paused,
        });
        rec.record(Sample::new(1.0, State::Good, Verdict::Good));
        let st = rec.close(2.0).unwrap();
        assert_eq!((st.written, st.dropped_samples, st.lost_records), (1, 1, 1));
    }

    #[test]
    fn flush_commits_before_the_interval() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let options = RecorderOptions {
            commit_interval: Duration::from_secs(3600),
            ..RecorderOptions::default()
        };
        let rec = Recorder::open(&path, 0.0, options).unwrap();
        rec.record(Sample::new(1.0, State::Good, Verdict::Good));
        rec.flush().unwrap();
        // A second connection sees it while the recorder is still open.
        let log = History::open_existing(&path)
            .unwrap()
            .load(0.0, 10.0)
            .unwrap();
        assert_eq!(log.samples.len(), 1);
        assert_eq!(log.sessions[0].ended, Some(1.0));
        drop(rec);
    }

    #[test]
    fn drop_without_close_still_writes_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        {
            let rec = Recorder::open(&path, 0.0, RecorderOptions::default()).unwrap();
            for i in 0..50 {
                rec.record(Sample::new(i as f64, State::Good, Verdict::Good));
            }
        }
        let log = History::open_existing(&path)
            .unwrap()
            .load(0.0, 100.0)
            .unwrap();
        assert_eq!(log.samples.len(), 50);
        assert_eq!(log.sessions[0].ended, Some(49.0));
    }
}
