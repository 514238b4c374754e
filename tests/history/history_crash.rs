//! Crash safety: a writer process is killed with SIGKILL in the middle of
//! writing, three times over the same file. After each kill the file must
//! pass SQLite's integrity check and hold every record up to the last
//! committed batch, with nothing torn: exactly a prefix of what was written.
//!
//! The test re-runs its own binary as the writer (selected by an
//! environment variable), so the writer is the real `Recorder`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use hunch::history::{History, Recorder, RecorderOptions, Sample, Transition};
use hunch::posture::{State, Verdict, View};

const CHILD_PATH: &str = "HUNCH_TEST_CRASH_WRITER_PATH";
const CHILD_START: &str = "HUNCH_TEST_CRASH_WRITER_START";
const FLUSH_EVERY: u64 = 500;
const TRANSITION_EVERY: u64 = 50;

fn state_of(i: u64) -> State {
    if (i / TRANSITION_EVERY).is_multiple_of(2) {
        State::Good
    } else {
        State::Slouch
    }
}

fn sample_of(i: u64) -> Sample {
    Sample {
        view: Some(View::Side),
        forward_head: Some(i as f64 * 0.25),
        forward_head_baseline: Some(10.0),
        forward_head_threshold: Some(14.0),
        rounded_shoulders: Some((i % 97) as f64),
        metrics_json: Some(format!("{{\"i\":{i}}}")),
        ..Sample::new(i as f64, state_of(i), Verdict::Good)
    }
}

/// The writer: records forever (until killed), printing the index of the
/// last record of each batch it has seen committed.
fn writer(path: &Path, start: u64) {
    let options = RecorderOptions {
        commit_interval: Duration::from_millis(20),
        ..RecorderOptions::default()
    };
    let rec = Recorder::open(path, start as f64, options).unwrap();
    for i in start..start + 50_000_000 {
        if i.is_multiple_of(TRANSITION_EVERY) {
            rec.record(Transition {
                t_unix: i as f64,
                from: state_of(i.saturating_sub(1)),
                to: state_of(i),
            });
        }
        rec.record(sample_of(i));
        if (i + 1).is_multiple_of(FLUSH_EVERY) {
            rec.flush().unwrap();
            assert_eq!(rec.stats().dropped_samples, 0);
            println!("{i}");
        }
    }
}

#[test]
fn kill_9_mid_write_keeps_the_file_intact_up_to_the_last_batch() {
    if let (Some(path), Some(start)) = (std::env::var_os(CHILD_PATH), std::env::var_os(CHILD_START))
    {
        let start = start.to_string_lossy().parse().unwrap();
        writer(Path::new(&path), start);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let exe = std::env::current_exe().unwrap();
    let mut next = 0u64;
    for round in 0..3u64 {
        let mut child = Command::new(&exe)
            .args([
                &crate::common::harness_name(
                    module_path!(),
                    "kill_9_mid_write_keeps_the_file_intact_up_to_the_last_batch",
                ),
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_PATH, &path)
            .env(CHILD_START, next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        // Read its acknowledgements on a thread that keeps reading until
        // the writer dies, so the writer never blocks or fails on its stdout.
        let stdout = child.stdout.take().unwrap();
        let (ack_tx, ack_rx) = std::sync::mpsc::channel::<u64>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(i) = line.trim().parse::<u64>() {
                    let _ = ack_tx.send(i);
                }
            }
        });
        // Let it commit a good number of batches first.
        let target = next + 20 * FLUSH_EVERY + round * 777;
        let mut acked: Option<u64> = None;
        while acked.is_none_or(|a| a < target) {
            acked = Some(
                ack_rx
                    .recv_timeout(Duration::from_secs(60))
                    .expect("the writer stopped acknowledging"),
            );
        }
        // Let it run on through a few more batches, so the kill lands while
        // it writes (at a different point each round), then SIGKILL it, like
        // `kill -9`: no destructor, no flush.
        std::thread::sleep(Duration::from_millis([5, 23, 61][round as usize]));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        reader.join().unwrap();
        // Acknowledgements that arrived before the kill count too.
        let acked = ack_rx.try_iter().last().or(acked).unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "the writer should die of SIGKILL: {status}"
        );
        assert!(
            Path::new(&format!("{}-wal", path.display())).exists(),
            "WAL mode: a crashed writer leaves its log behind"
        );

        let h = History::open_existing(&path).unwrap();
        assert!(
            h.integrity_ok().unwrap(),
            "round {round}: integrity check failed"
        );
        let log = h.load(f64::MIN, f64::MAX).unwrap();
        let n = log.samples.len() as u64;
        assert!(
            n > acked,
            "round {round}: {n} samples, but 0..={acked} were committed"
        );
        // Exactly a prefix: sample i is the i-th written, intact.
        for (i, s) in log.samples.iter().enumerate() {
            assert_eq!(s.record, sample_of(i as u64), "round {round}, sample {i}");
        }
        // Transitions: one before each multiple of 50 written; the batch may
        // have ended just after the transition, before its sample.
        let ts: Vec<u64> = log
            .transitions
            .iter()
            .map(|t| t.record.t_unix as u64)
            .collect();
        let mut want: Vec<u64> = (0..n)
            .filter(|i| i.is_multiple_of(TRANSITION_EVERY))
            .collect();
        if ts.len() == want.len() + 1 && n.is_multiple_of(TRANSITION_EVERY) {
            want.push(n);
        }
        assert_eq!(ts, want, "round {round}");
        assert_eq!(log.sessions.len() as u64, round + 1);
        // A crashed session's end is its last committed record.
        let last = log.sessions.last().unwrap();
        let last_t = ts.last().copied().unwrap_or(0).max(n - 1) as f64;
        assert_eq!(last.ended, Some(last_t), "round {round}");
        eprintln!("round {round}: committed 0..={acked} acknowledged, {n} samples found intact");
        next = n;
    }
}
