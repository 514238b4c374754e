//! Hooks through the real binary: a hook that never ends (`sleep 1001`, or
//! `yes` flooding its output) does not outlive hunch.

#![cfg(unix)]

use crate::common::processes_with;
use hunch::capture::clip;
use hunch::testdata::shared_data_or_skip;

#[test]
fn endless_hooks_end_with_hunch() {
    let Some(data) = shared_data_or_skip("endless_hooks_end_with_hunch") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good_slouch_good.mp4");
    // 8 s upright, 25 s head forward, 8 s upright: a slouch and a prompt.
    clip::make_clip(&data, &clip::good_slouch_good(8.0, 25.0), &path).unwrap();
    let slouched = dir.path().join("slouched");
    let prompted = dir.path().join("prompted");
    let sleep_marker = format!("1001.{}3", std::process::id());
    let yes_marker = format!("hunch-cli-yes-{}", std::process::id());
    let out = crate::common::hunch()
        .arg("--input")
        .arg(&path)
        .args([
            "--no-window",
            "--no-history",
            "--no-realtime",
            "--slouch-seconds",
            "5",
            "--hook-shell",
            "--on-slouch",
        ])
        .arg(format!(
            "touch '{}'; sleep {sleep_marker}",
            slouched.display()
        ))
        .arg("--on-prompt")
        .arg(format!("touch '{}'; yes {yes_marker}", prompted.display()))
        .env_remove("HUNCH_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(slouched.exists(), "--on-slouch never ran");
    assert!(prompted.exists(), "--on-prompt never ran");
    // hunch has exited: it must have stopped and reaped its hooks. Killed
    // grandchildren may take a moment to vanish; wait on that, bounded.
    let start = std::time::Instant::now();
    while !(processes_with(&sleep_marker).is_empty() && processes_with(&yes_marker).is_empty()) {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "left running after hunch exited: {:?} {:?}",
            processes_with(&sleep_marker),
            processes_with(&yes_marker)
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // `yes` flooded its output into the log: bounded, so stderr stays small.
    assert!(out.stderr.len() < 20_000, "{} bytes", out.stderr.len());
}

/// A hook outlives nothing, not even a hunch killed outright: the kernel
/// stops it (the parent-death signal) when hunch cannot.
#[cfg(target_os = "linux")]
#[test]
fn a_hook_ends_when_hunch_is_killed() {
    let Some(data) = shared_data_or_skip("a_hook_ends_when_hunch_is_killed") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good_slouch.mp4");
    // 4 s upright, then head forward long enough to still be playing when
    // the test kills hunch.
    clip::make_clip(&data, &clip::good_slouch_good(4.0, 60.0), &path).unwrap();
    let marker = format!("1002.{}4", std::process::id());
    let mut child = crate::common::hunch()
        .arg("--input")
        .arg(&path)
        .args([
            "--no-window",
            "--no-history",
            "--slouch-seconds",
            "2",
            "--on-slouch",
        ])
        .arg(format!("sleep {marker}"))
        .env_remove("HUNCH_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The hook is running (hunch plays the clip in real time: a minute).
    while processes_with(&marker).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "hunch ended before its hook ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL: hunch gets no chance to clean up.
    child.wait().unwrap();
    let start = std::time::Instant::now();
    while !processes_with(&marker).is_empty() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "the hook outlived a killed hunch: {:?}",
            processes_with(&marker)
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
