//! `prune_before`: old rows go, newer ones stay, and the deleted data is gone
//! from the file itself (not just unlinked from the tables).

use crate::history_support::*;
use hunch::history::{History, Recorder, RecorderOptions, Sample};
use hunch::posture::{State, Verdict};

const MARKER: &str = "PRIVATE-MARKER-7f3a";

fn file_contains(path: &std::path::Path, needle: &str) -> bool {
    let mut hay = std::fs::read(path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", path.display())) {
        hay.extend(wal);
    }
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn prune_deletes_everything_before_the_cut_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    three_days(&path);
    // A marked session on the Sunday before.
    let rec = Recorder::open(&path, MON_2025_03_03 - 600.0, RecorderOptions::default()).unwrap();
    for i in 0..300 {
        rec.record(Sample {
            metrics_json: Some(format!("{{\"note\":\"{MARKER}\"}}")),
            ..Sample::new(
                MON_2025_03_03 - 600.0 + i as f64,
                State::Good,
                Verdict::Good,
            )
        });
    }
    rec.close(MON_2025_03_03 - 300.0).unwrap();
    assert!(file_contains(&path, MARKER));

    let mut h = History::open_existing(&path).unwrap();
    let before_all = h.load(f64::MIN, f64::MAX).unwrap();
    // Cut at Tuesday 00:00: the marked Sunday session and Monday go.
    let cut = MON_2025_03_03 + DAY;
    let p = h.prune_before(cut).unwrap();
    assert_eq!(p.samples, 300 + 1775);
    assert_eq!(p.sessions, 2);
    assert_eq!(p.transitions, 10);
    assert_eq!(p.prompts, 2);
    assert_eq!(p.outcomes, 2);
    assert_eq!(p.pauses, 2);
    assert_eq!(p.calibrations, 0);
    // One baselines-and-thresholds record per deleted session.
    assert_eq!(p.levels, 2);

    let after = h.load(f64::MIN, f64::MAX).unwrap();
    assert!(after.samples.iter().all(|s| s.record.t_unix >= cut));
    assert_eq!(after.samples.len(), before_all.samples.len() - 300 - 1775);
    assert_eq!(after.sessions.len(), 2);
    assert_eq!(after.calibrations.len(), 1);
    assert!(h.integrity_ok().unwrap());
    drop(h);
    assert!(
        !file_contains(&path, MARKER),
        "pruned data is still in the file"
    );

    // Pruning again at the same date deletes nothing.
    let mut h = History::open_existing(&path).unwrap();
    assert_eq!(h.prune_before(cut).unwrap().total(), 0);
}

#[test]
fn a_session_running_across_the_cut_keeps_its_later_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    // From 23:50 to 00:10.
    let t0 = MON_2025_03_03 - 600.0;
    replay(&path, t0, &[hold(State::Good, 1200, 10.0, 0.2)]);
    let mut h = History::open_existing(&path).unwrap();
    let p = h.prune_before(MON_2025_03_03).unwrap();
    assert_eq!((p.samples, p.sessions, p.levels), (600, 0, 0));
    let log = h.load(f64::MIN, f64::MAX).unwrap();
    assert_eq!(log.samples.len(), 600);
    // The baselines recorded before the cut still apply to the samples after it.
    assert!(log.samples.iter().all(|s| {
        let r = &s.record;
        r.forward_head_baseline == Some(FH_BASE) && r.rounded_shoulders_threshold == Some(RS_THR)
    }));
    assert_eq!(log.sessions.len(), 1);
}
