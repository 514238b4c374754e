//! Schema migrations: a version-1 file, built here by hand with the SQL that
//! hunch's first schema used, is upgraded in place with its rows intact.

use hunch::history::{History, Recorder, RecorderOptions, SCHEMA_VERSION, Sample};
use hunch::posture::{State, Verdict};
use rusqlite::Connection;

const V1_SCHEMA: &str = "
CREATE TABLE sessions (id INTEGER PRIMARY KEY, started REAL NOT NULL, ended REAL, app_version TEXT NOT NULL);
CREATE TABLE samples (session_id INTEGER NOT NULL, t REAL NOT NULL, state TEXT NOT NULL, verdict TEXT NOT NULL, view TEXT,
    forward_head REAL, forward_head_baseline REAL, forward_head_threshold REAL,
    rounded_shoulders REAL, rounded_shoulders_baseline REAL, rounded_shoulders_threshold REAL);
CREATE TABLE transitions (session_id INTEGER NOT NULL, t REAL NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL);
CREATE TABLE prompts (session_id INTEGER NOT NULL, t REAL NOT NULL, prompt_id INTEGER NOT NULL, stretch_id TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE prompt_outcomes (session_id INTEGER NOT NULL, t REAL NOT NULL, prompt_id INTEGER NOT NULL, outcome TEXT NOT NULL, reps INTEGER);
CREATE TABLE calibrations (session_id INTEGER NOT NULL, t REAL NOT NULL, view TEXT, profile_toml TEXT);
CREATE TABLE pauses (session_id INTEGER NOT NULL, t REAL NOT NULL, kind TEXT NOT NULL);
PRAGMA user_version = 1;
";

#[test]
fn a_version_1_file_is_upgraded_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(V1_SCHEMA).unwrap();
        c.execute_batch(
            "INSERT INTO sessions VALUES (1, 100.0, 160.0, '0.0.9');
             INSERT INTO samples VALUES (1, 101.0, 'good', 'good', 'front', 10.5, 10.0, 14.0, 0.2, 0.2, 0.3);
             INSERT INTO samples VALUES (1, 102.0, 'slouch', 'slouch', 'front', 15.0, 10.0, 14.0, 0.35, 0.2, 0.3);
             INSERT INTO samples VALUES (1, 103.0, 'good', 'good', 'front', 11.0, 10.0, 14.0, 0.2, 0.2, 0.3);
             -- Recalibrated at 104: new baselines and thresholds.
             INSERT INTO samples VALUES (1, 104.0, 'good', 'good', 'front', 11.0, 11.0, 15.0, 0.2, 0.25, 0.33);
             INSERT INTO samples VALUES (1, 105.0, 'uncertain', 'uncertain', NULL, NULL, 11.0, 15.0, NULL, 0.25, 0.33);
             -- A second session, back on the first values.
             INSERT INTO sessions VALUES (2, 200.0, 210.0, '0.0.9');
             INSERT INTO samples VALUES (2, 201.0, 'good', 'good', 'side', 10.5, 10.0, 14.0, 0.2, 0.2, 0.3);
             INSERT INTO transitions VALUES (1, 101.5, 'good', 'slouch');
             INSERT INTO prompts VALUES (1, 103.0, 1, 'chin_tuck', 'slouching');
             INSERT INTO prompt_outcomes VALUES (1, 130.0, 1, 'done_verified', 6);
             INSERT INTO pauses VALUES (1, 150.0, 'paused');",
        )
        .unwrap();
    }

    let h = History::open(&path).unwrap();
    assert_eq!(SCHEMA_VERSION, 2);
    assert_eq!(h.schema_version().unwrap(), 2);
    assert!(h.integrity_ok().unwrap());
    let log = h.load(0.0, 1000.0).unwrap();
    assert_eq!(log.sessions.len(), 2);
    assert_eq!(log.sessions[0].app_version, "0.0.9");
    assert_eq!(log.samples.len(), 6);
    let s = &log.samples[1].record;
    assert_eq!(s.state, State::Slouch);
    assert_eq!(s.forward_head, Some(15.0));
    assert_eq!(s.rounded_shoulders_threshold, Some(0.3));
    // The column version 2 added is there, empty for the old rows.
    assert_eq!(s.metrics_json, None);
    // Every sample keeps the baselines and thresholds it was recorded with.
    let levels: Vec<[Option<f64>; 4]> = log
        .samples
        .iter()
        .map(|s| {
            let r = &s.record;
            [
                r.forward_head_baseline,
                r.forward_head_threshold,
                r.rounded_shoulders_baseline,
                r.rounded_shoulders_threshold,
            ]
        })
        .collect();
    let first = [Some(10.0), Some(14.0), Some(0.2), Some(0.3)];
    let second = [Some(11.0), Some(15.0), Some(0.25), Some(0.33)];
    assert_eq!(levels, [first, first, first, second, second, first]);
    assert_eq!(log.samples[4].record.forward_head, None);
    assert_eq!(log.transitions.len(), 1);
    assert_eq!(log.prompts.len(), 1);
    assert_eq!(log.outcomes.len(), 1);
    assert_eq!(log.pauses.len(), 1);
    drop(h);

    // Levels are stored once per change, not per sample; the indexes exist.
    let c = Connection::open(&path).unwrap();
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM levels", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
    let idx: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'samples_t'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(idx, 1);
    drop(c);

    // And new sessions write the new column into the upgraded file.
    let rec = Recorder::open(&path, 300.0, RecorderOptions::default()).unwrap();
    rec.record(Sample {
        metrics_json: Some(r#"{"neck_deg":31.0}"#.into()),
        ..Sample::new(301.0, State::Good, Verdict::Good)
    });
    rec.close(302.0).unwrap();
    let log = History::open_existing(&path)
        .unwrap()
        .load(300.0, 400.0)
        .unwrap();
    assert_eq!(
        log.samples[0].record.metrics_json.as_deref(),
        Some(r#"{"neck_deg":31.0}"#)
    );
    assert_eq!(log.sessions[0].id, 3);
}

#[test]
fn an_empty_file_is_set_up_from_scratch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.sqlite3");
    std::fs::write(&path, b"").unwrap();
    let h = History::open(&path).unwrap();
    assert_eq!(h.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_file_from_a_newer_hunch_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let err = History::open(&path).unwrap_err().to_string();
    assert!(err.contains("newer hunch"), "{err}");
    let c = Connection::open(&path).unwrap();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);
}
