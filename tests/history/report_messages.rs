//! `hunch report` on histories that are not what they should be, and the
//! report's own wording (issue 13): each message names the real problem.
//! No ONNX Runtime or models are needed, so both are pointed at nothing.

use std::process::{Command, Output};

use crate::history_support::*;

fn hunch(args: &[&str]) -> Output {
    base().args(args).output().unwrap()
}

fn base() -> Command {
    crate::common::hunch_offline()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `hunch report --history PATH`; expects a one-line failure and returns it.
fn report_fails(path: &str) -> String {
    let o = hunch(&["report", "--history", path]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let e = stderr(&o);
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(e.trim_end().ends_with(path), "{e}");
    assert!(!e.contains("no history recorded yet"), "{e}");
    assert!(!e.contains("move the file away"), "{e}");
    e
}

#[test]
fn a_history_path_that_is_no_history_file_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().display().to_string();
    let e = report_fails(&folder);
    assert!(e.contains("the history path is a folder"), "{e}");

    let e = report_fails("/dev/zero");
    assert!(e.contains("the history path is a device"), "{e}");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "my notes, not a database\n".repeat(200)).unwrap();
    let e = report_fails(&text.display().to_string());
    assert!(
        e.contains("not a history database") && e.contains("left as it is"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "my notes, not a database\n".repeat(200),
        "the file is untouched"
    );
}

/// A history that can be read but not written: as a user without write
/// permission (root writes anything, so root runs the report as `nobody`).
#[cfg(unix)]
#[test]
fn a_read_only_history_is_called_read_only_never_to_be_moved_away() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    three_days(&path);
    let p = path.display().to_string();
    let before = std::fs::read(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    // A file this process made is owned by its effective user.
    let is_root = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(&path).unwrap().uid() == 0
    };
    let o = if is_root {
        let exe = std::path::Path::new(env!("CARGO_BIN_EXE_hunch"));
        // `nobody` must be able to reach the binary and the history.
        let reachable = exe
            .ancestors()
            .chain(dir.path().ancestors())
            .filter(|a| !a.as_os_str().is_empty())
            .all(|a| std::fs::metadata(a).is_ok_and(|m| m.permissions().mode() & 0o001 != 0));
        if !reachable || Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!(
                "SKIPPED a_read_only_history_is_called_read_only: running as root without setpriv or a path `nobody` can reach"
            );
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            return;
        }
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(exe)
            .args(["report", "--history", &p, "--since", "2025-03-03", "--json"])
            .env("TZ", "UTC")
            .env("HOME", "/nonexistent")
            .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
            .env("HUNCH_MODELS", "/nonexistent/models")
            .env_remove("RUST_LOG");
        cmd.output().unwrap()
    } else {
        hunch(&["report", "--history", &p, "--since", "2025-03-03", "--json"])
    };
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let e = stderr(&o);
    assert!(!e.contains("move the file away"), "{e}");
    if !o.status.success() {
        assert!(e.contains("read-only"), "{e}");
        assert!(e.trim_end().ends_with(&p), "{e}");
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is untouched"
    );
}

#[test]
fn days_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    three_days(&path);
    let p = path.display().to_string();
    let o = hunch(&["report", "--history", &p, "--days", "4294967295"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("--days must be from 1 to 36500"), "{e}");
    assert!(stdout(&o).is_empty(), "no report for year -251540");
    let o = hunch(&["report", "--history", &p, "--days", "36500"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn no_negative_zero_in_json_and_no_line_twice_in_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    three_days(&path);
    let p = path.display().to_string();
    // Nothing after the three days: no slouch episode at all.
    for since in ["2025-03-10", "2025-03-03"] {
        let o = hunch(&["report", "--history", &p, "--since", since, "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(
            json["episodes"]["total_s"].to_string(),
            if since == "2025-03-10" {
                "0.0"
            } else {
                "485.0"
            }
        );
        let mut zeros = Vec::new();
        negative_zeros(&json, "", &mut zeros);
        assert!(zeros.is_empty(), "-0.0 at {zeros:?}");
        let o = hunch(&["report", "--history", &p, "--since", since]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = stdout(&o);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        for l in &lines {
            assert_eq!(
                lines.iter().filter(|m| *m == l).count(),
                1,
                "printed twice: {l}\n{text}"
            );
        }
    }
}

/// Where a JSON value holds -0.0.
fn negative_zeros(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Number(n)
            if n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()) =>
        {
            out.push(at.to_string());
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                negative_zeros(item, &format!("{at}[{i}]"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                negative_zeros(item, &format!("{at}.{k}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn too_few_days_for_a_trend_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    three_days(&path);
    let p = path.display().to_string();
    // One day: neither trend can be told.
    let o = hunch(&["report", "--history", &p, "--since", "2025-03-05"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.matches("not enough days yet").count(), 1, "{text}");
    assert!(
        text.contains("  Trend  not enough days yet to tell"),
        "{text}"
    );
    // Three days: both trends, one line each.
    let o = hunch(&["report", "--history", &p, "--since", "2025-03-03"]);
    let text = stdout(&o);
    assert!(!text.contains("not enough days yet"), "{text}");
    assert!(
        text.contains("Trend  forward head: ") && text.contains("         rounded shoulders: "),
        "{text}"
    );
}

#[test]
fn an_error_says_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    three_days(&path);
    let csv = dir.path().join("no/such/folder/out.csv");
    let o = hunch(&[
        "report",
        "--history",
        &path.display().to_string(),
        "--since",
        "2025-03-03",
        "--csv",
        &csv.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert_eq!(e.matches("No such file or directory").count(), 1, "{e}");
    assert!(e.trim_end().ends_with("out.csv"), "{e}");
}
