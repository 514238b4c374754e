//! `hunch report` and `hunch history prune` from the command line. They
//! must work without ONNX Runtime or the models, so both are pointed at
//! nothing here.

use std::path::Path;
use std::process::Output;

use crate::history_support::*;

fn hunch(args: &[&str]) -> Output {
    crate::common::hunch_offline().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixture() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    outside_days(&path);
    three_days(&path);
    let p = path.display().to_string();
    (dir, p)
}

fn json_report(args: &[&str]) -> serde_json::Value {
    let o = hunch(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)))
}

#[test]
fn report_json_from_the_command_line() {
    let (_dir, p) = fixture();
    // From Monday to now: the three days plus Thursday's five slumped minutes.
    let v = json_report(&["report", "--history", &p, "--since", "2025-03-03", "--json"]);
    assert_eq!(v["from"], "2025-03-03T00:00:00+00:00");
    assert_eq!(v["monitored_s"], 5245.0 + 300.0);
    assert_eq!(v["sessions"], 4);
    assert_eq!(v["episodes"]["count"], 6);
    assert_eq!(v["episodes"]["longest_s"], 300.0);
    assert_eq!(v["prompts"]["shown"], 6);
    assert_eq!(v["prompts"]["no_outcome"], 2);
    assert_eq!(v["days"].as_array().unwrap().len(), 4);
    // The flag before the subcommand works too.
    let v2 = json_report(&["--history", &p, "report", "--since", "2025-03-03", "--json"]);
    assert_eq!(v2["monitored_s"], v["monitored_s"]);
}

#[test]
fn report_text_csv_and_png() {
    let (dir, p) = fixture();
    let csv = dir.path().join("samples.csv");
    let png = dir.path().join("chart.png");
    let o = hunch(&[
        "report",
        "--history",
        &p,
        "--since",
        "2025-03-01",
        "--csv",
        &csv.display().to_string(),
        "--png",
        &png.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("Posture report, Sat 1 Mar 2025 to "),
        "{text}"
    );
    assert!(text.contains("Slouch episodes  7,"), "{text}");
    let rows = std::fs::read_to_string(&csv).unwrap().lines().count();
    assert_eq!(rows, 1 + 300 + 5425 + 300);
    assert!(stderr(&o).contains(&format!("Wrote 6025 samples to {}", csv.display())));
    let img = image::open(&png).unwrap();
    assert_eq!((img.width(), img.height()), (1200, 1000));
}

#[test]
fn report_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sqlite3");
    let m = missing.display().to_string();
    let o = hunch(&["report", "--history", &m]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.starts_with("hunch: no history recorded yet"), "{e}");
    assert!(e.trim_end().ends_with(&m), "{e}");
    assert!(!missing.exists(), "a report must not create a history");

    let (_dir, p) = fixture();
    let o = hunch(&["report", "--history", &p, "--since", "2025-13-01"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--since: '2025-13-01' is not a date; write it as YYYY-MM-DD"));
    let o = hunch(&["report", "--history", &p, "--days", "0"]);
    assert!(!o.status.success());
    // --since and --days together is a usage error.
    let o = hunch(&[
        "report",
        "--history",
        &p,
        "--since",
        "2025-03-01",
        "--days",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn prune_from_the_command_line() {
    let (_dir, p) = fixture();
    let o = hunch(&[
        "history",
        "--history",
        &p,
        "prune",
        "--before",
        "2025-03-04",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // Sunday's 300 and Monday's 1775 samples.
    assert!(
        out.starts_with(
            "Deleted everything recorded before 2025-03-04 (local time): 2075 samples,"
        ),
        "{out}"
    );
    assert!(out.trim_end().ends_with(&p), "{out}");
    let v = json_report(&["report", "--history", &p, "--since", "2025-03-01", "--json"]);
    assert_eq!(v["monitored_s"], 1700.0 + 1830.0 + 300.0);
    assert_eq!(v["days"][0]["date"], "2025-03-04");

    // Again: nothing left to delete.
    let o = hunch(&[
        "history",
        "prune",
        "--before",
        "2025-03-04",
        "--history",
        &p,
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("Nothing was recorded before 2025-03-04"));

    // A bad date, and a missing file (which must not be created).
    let o = hunch(&["history", "--history", &p, "prune", "--before", "yesterday"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--before: 'yesterday' is not a date"));
    let missing = Path::new(&p).with_file_name("other.sqlite3");
    let o = hunch(&[
        "history",
        "--history",
        &missing.display().to_string(),
        "prune",
        "--before",
        "2025-03-04",
    ]);
    assert!(!o.status.success());
    assert!(!missing.exists());
}
