//! The history on a full disk, through the real binary: a 128 KiB tmpfs
//! holds the session's start and little more. hunch must keep monitoring,
//! say so once, count exactly what it lost, and record the session's end.
//! Needs root (to mount the tmpfs) and ffmpeg; skips with a message without.

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A mounted tmpfs, unmounted on drop.
struct TinyFs(PathBuf);

impl TinyFs {
    fn mount(dir: &Path, size: &str) -> Option<TinyFs> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| TinyFs(dir.to_path_buf()))
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_reported_once_counted_exactly_and_the_session_ends() {
    let dir = tempfile::tempdir().unwrap();
    let Some(fs) = TinyFs::mount(&dir.path().join("tiny"), "128k") else {
        eprintln!("SKIPPED a_full_disk_...: cannot mount a tmpfs (needs root)");
        return;
    };
    // 60 s of an empty grey scene at 2 fps: a sample every second.
    let video = dir.path().join("grey.mp4");
    let made = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("color=c=gray:s=160x120:r=2:d=60")
        .args(["-pix_fmt", "yuv420p"])
        .arg(&video)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("SKIPPED a_full_disk_...: ffmpeg could not make the clip");
        return;
    }
    let history = fs.0.join("history.sqlite3");
    let events = dir.path().join("events.jsonl");
    let out = crate::common::hunch()
        .arg("--input")
        .arg(&video)
        .args(["--no-window", "--no-realtime", "--history"])
        .arg(&history)
        .arg("--events")
        .arg(&events)
        .env("XDG_CONFIG_HOME", dir.path())
        .env_remove("HUNCH_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Said once when it starts, once at exit.
    assert_eq!(
        stderr.matches("history: cannot write").count(),
        1,
        "{stderr}"
    );
    let summary = stderr
        .lines()
        .find(|l| l.contains("of this session could not be saved"))
        .unwrap_or_else(|| panic!("no summary at exit: {stderr}"));
    let lost: u64 = summary
        .split("history: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    // Every per-second metrics event had its sample: each is on file or
    // counted as lost, nothing in between.
    let metrics = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"type\":\"metrics\""))
        .count() as u64;
    let log = hunch::history::History::open_existing(&history)
        .unwrap()
        .load(0.0, 1e12)
        .unwrap();
    eprintln!(
        "{metrics} samples recorded, {} on file, {lost} reported lost: {summary}",
        log.samples.len()
    );
    assert!(lost > 0, "the disk was meant to be full: {summary}");
    assert_eq!(
        log.samples.len() as u64 + lost,
        metrics,
        "{summary}; {} on file",
        log.samples.len()
    );
    // The session's end is on file: its start plus the clip's length.
    assert_eq!(log.sessions.len(), 1);
    let s = &log.sessions[0];
    let ended = s.ended.expect("the session's end was recorded");
    assert!(ended - s.started > 55.0, "{s:?}");
}
