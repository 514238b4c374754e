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
