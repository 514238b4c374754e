//! No command overwrites the user's data: outputs never replace the
//! history, the profile, the config or an input; `-` is standard output
//! everywhere; prunes that would remove everything (or the session being
//! recorded) ask for `--yes`; one monitor per history.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::history_support::*;

/// hunch without ONNX Runtime or models (report and history need neither).
fn hunch(args: &[&str]) -> Output {
    crate::common::hunch_offline()
        .args(args)
        .env_remove("HUNCH_CONFIG")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fixture() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    outside_days(&path);
    three_days(&path);
    let p = path.display().to_string();
    (dir, path, p)
}

/// The history's files, byte for byte (the database and its WAL).
fn snapshot(path: &Path) -> Vec<u8> {
    let mut all = std::fs::read(path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    all.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
    all
}

fn refused(o: &Output, flag: &str, what: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    let e = stderr(o);
    assert!(
        e.contains(&format!("{flag} would overwrite {what}")),
        "{flag}: {e}"
    );
    assert_eq!(e.lines().count(), 1, "one line: {e}");
}

#[test]
fn report_outputs_never_replace_the_history_profile_or_config() {
    let (dir, path, p) = fixture();
    let before = snapshot(&path);
    for flag in ["--png", "--csv"] {
        let o = hunch(&["report", "--history", &p, "--since", "2025-03-01", flag, &p]);
        refused(&o, flag, "the history database");
        // Through another name for the same file, too.
        let dotted = dir.path().join(".").join("history.sqlite3");
        let o = hunch(&[
            "report",
            "--history",
            &p,
            "--since",
            "2025-03-01",
            flag,
            &dotted.display().to_string(),
        ]);
        refused(&o, flag, "the history database");
    }
    assert_eq!(snapshot(&path), before, "the history changed");

    let profile = dir.path().join("profile.toml");
    std::fs::write(&profile, "# a profile\n").unwrap();
    let o = hunch(&[
        "report",
        "--history",
        &p,
        "--profile",
        &profile.display().to_string(),
        "--png",
        &profile.display().to_string(),
    ]);
    refused(&o, "--png", "the calibration profile");
    assert_eq!(std::fs::read_to_string(&profile).unwrap(), "# a profile\n");

    let config = dir.path().join("hunch.toml");
    std::fs::write(&config, "fps = 2\n").unwrap();
    let o = hunch(&[
        "report",
        "--history",
        &p,
        "--config",
        &config.display().to_string(),
        "--csv",
        &config.display().to_string(),
    ]);
    refused(&o, "--csv", "the config file");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "fps = 2\n");

    // An ordinary file is replaced, atomically: no temporary file is left.
    let csv = dir.path().join("out.csv");
    std::fs::write(&csv, "old").unwrap();
    let o = hunch(&[
        "report",
        "--history",
        &p,
        "--since",
        "2025-03-01",
        "--csv",
        &csv.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("time,"));
    let debris: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(debris.is_empty(), "{debris:?}");
}

#[test]
fn dash_is_standard_output_for_csv_and_png() {
    let (dir, _path, p) = fixture();
    let o = hunch(&[
        "report",
        "--history",
        &p,
        "--since",
        "2025-03-01",
        "--csv",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("time,t_unix,session,"), "{out:.200}");
    // The same CSV as a file gets.
    let file = dir.path().join("samples.csv");
    let o2 = hunch(&[
        "report",
        "--history",
        &p,
        "--since",
        "2025-03-01",
        "--csv",
        &file.display().to_string(),
    ]);
    assert!(o2.status.success(), "{}", stderr(&o2));
    assert_eq!(out, std::fs::read_to_string(&file).unwrap());
    assert!(out.lines().count() > 5000);
    // The summary goes to stderr, not into the CSV.
    assert!(stderr(&o).contains("Monitored"), "{}", stderr(&o));
    assert!(!dir.path().join("-").exists(), "a file named - was made");

    let o = hunch(&[
        "report",
        "--history",
        &p,
        "--since",
        "2025-03-01",
        "--png",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(image::load_from_memory(&o.stdout).is_ok());

    for args in [
        &["--csv", "-", "--png", "-"][..],
        &["--csv", "-", "--json"][..],
    ] {
        let mut all = vec!["report", "--history", &p];
        all.extend_from_slice(args);
        let o = hunch(&all);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains("both write to standard output"),
            "{}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
}

fn sessions(path: &Path) -> usize {
    hunch::history::History::open_existing(path)
        .unwrap()
        .load(0.0, 1e10)
        .unwrap()
        .sessions
        .len()
}

#[test]
fn prune_dates_are_checked_like_report_dates() {
    let (_dir, path, p) = fixture();
    let before = snapshot(&path);
    for args in [
        ["report", "--history", &p, "--since", "9999-12-31"],
        ["history", "--history", &p, "prune", "--before"],
    ] {
        let mut args = args.to_vec();
        if args[0] == "history" {
            args.push("9999-12-31");
        }
        let o = hunch(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains("9999-12-31 is after today"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(snapshot(&path), before);
}

#[test]
fn a_prune_that_empties_the_history_asks_for_yes() {
    let (_dir, path, p) = fixture();
    let n = sessions(&path);
    assert!(n > 0);
    let o = hunch(&[
        "history",
        "--history",
        &p,
        "prune",
        "--before",
        "2025-04-01",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Would delete everything recorded before 2025-04-01"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("every session in the history; run again with --yes"),
        "{}",
        stderr(&o)
    );
    assert_eq!(sessions(&path), n, "nothing may go without --yes");
    // A prune that leaves sessions needs no --yes.
    let o = hunch(&[
        "history",
        "--history",
        &p,
        "prune",
        "--before",
        "2025-03-04",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(sessions(&path) > 0 && sessions(&path) < n);
    let o = hunch(&[
        "history",
        "--history",
        &p,
        "prune",
        "--before",
        "2025-04-01",
        "--yes",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("Deleted everything"));
    assert_eq!(sessions(&path), 0);
}

#[test]
fn a_prune_that_reaches_the_session_being_recorded_asks_for_yes_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let p = path.display().to_string();
    // A monitor started on Sunday evening is still recording: it holds the
    // lock and its session runs into Monday.
    outside_days(&path);
    let mut lock = hunch::history::RecordingLock::acquire(&path).unwrap();
    let rec = hunch::history::Recorder::open(
        &path,
        MON_2025_03_03 - HOUR,
        hunch::history::RecorderOptions::default(),
    )
    .unwrap();
    lock.note(Some(rec.session_id()));
    feed(
        &rec,
        MON_2025_03_03 - HOUR,
        &[hold(hunch::posture::State::Good, 600, FH_BASE, RS_BASE)],
    );
    rec.flush().unwrap();
    let o = hunch(&[
        "history",
        "--history",
        &p,
        "prune",
        "--before",
        "2025-03-03",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "records of the session a running hunch (process {}) is recording now",
            std::process::id()
        )),
        "{}",
        stderr(&o)
    );
    let o = hunch(&[
        "history",
        "--history",
        &p,
        "prune",
        "--before",
        "2025-03-03",
        "--yes",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The recording session is still there and the monitor goes on into it.
    feed(
        &rec,
        MON_2025_03_03 - HOUR + 600.0,
        &[hold(hunch::posture::State::Good, 10, FH_BASE, RS_BASE)],
    );
    let id = rec.session_id();
    rec.close(MON_2025_03_03 - HOUR + 610.0).unwrap();
    drop(lock);
    let log = hunch::history::History::open_existing(&path)
        .unwrap()
        .load(0.0, 1e10)
        .unwrap();
    assert!(
        log.sessions.iter().any(|s| s.id == id),
        "{:?}",
        log.sessions
    );
    let ours: Vec<_> = log.samples.iter().filter(|s| s.session_id == id).collect();
    assert_eq!(ours.len(), 10);
}

/// The ONNX Runtime library the suite runs against.
fn ort_library() -> PathBuf {
    std::env::var_os("ORT_DYLIB_PATH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(hunch::runtime::installed_library_path)
        .filter(|p| p.is_file())
        .expect("ONNX Runtime is installed (run scripts/setup.sh)")
}

/// A folder with one plain image, as a monitor input.
fn one_image_input(dir: &Path) -> PathBuf {
    let input = dir.join("frames");
    std::fs::create_dir_all(&input).unwrap();
    image::RgbImage::from_pixel(64, 48, image::Rgb([90, 90, 90]))
        .save(input.join("a.png"))
        .unwrap();
    input
}

#[test]
fn a_second_monitor_on_the_same_history_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.sqlite3");
    let input = one_image_input(dir.path());
    let _first = hunch::history::RecordingLock::acquire(&history).unwrap();
    let o = crate::common::hunch()
        .arg("--input")
        .arg(&input)
        .args(["--no-window", "--no-realtime", "--history"])
        .arg(&history)
        .env("ORT_DYLIB_PATH", ort_library())
        .env("XDG_CONFIG_HOME", dir.path())
        .env_remove("HUNCH_CONFIG")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "another hunch (process {}) is already recording into this history",
            std::process::id()
        )),
        "{e}"
    );
    assert!(!history.exists(), "nothing was recorded");
}

#[test]
fn events_never_go_into_the_input_or_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("clip.mp4");
    std::fs::write(&video, b"not really a video").unwrap();
    let history = dir.path().join("h.sqlite3");
    for (target, what) in [(&video, "the --input"), (&history, "the history database")] {
        let o = crate::common::hunch()
            .arg("--input")
            .arg(&video)
            .args(["--no-window", "--history"])
            .arg(&history)
            .arg("--events")
            .arg(target)
            .env("XDG_CONFIG_HOME", dir.path())
            .env_remove("HUNCH_CONFIG")
            .output()
            .unwrap();
        refused(&o, "--events", what);
    }
    assert_eq!(std::fs::read(&video).unwrap(), b"not really a video");
    assert!(!history.exists());
}

#[test]
fn analyze_never_renders_over_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let input = one_image_input(dir.path());
    let before = std::fs::read(input.join("a.png")).unwrap();
    let o = crate::common::hunch()
        .arg("analyze")
        .arg("--render")
        .arg(&input)
        .arg(input.join("a.png"))
        .env("ORT_DYLIB_PATH", ort_library())
        .env("XDG_CONFIG_HOME", dir.path())
        .env_remove("HUNCH_CONFIG")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--render would write into the folder of the input"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(input.join("a.png")).unwrap(), before);
}

#[test]
fn calibration_never_writes_its_profile_over_an_input_or_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let input = one_image_input(dir.path()).join("a.png");
    let before = std::fs::read(&input).unwrap();
    let history = dir.path().join("h.sqlite3");
    std::fs::write(&history, b"history").unwrap();
    for (profile, what) in [(&input, "an input"), (&history, "the history database")] {
        let o = hunch(&[
            "--history",
            &history.display().to_string(),
            "calibrate",
            "--profile",
            &profile.display().to_string(),
            "--input",
            &input.display().to_string(),
        ]);
        refused(&o, "--profile", what);
    }
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert_eq!(std::fs::read(&history).unwrap(), b"history");
}

#[test]
fn render_to_standard_output_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = one_image_input(dir.path()).join("a.png");
    let o = hunch(&["analyze", "--render", "-", &input.display().to_string()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--render needs a folder"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new("-").exists());
}
