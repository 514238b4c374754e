//! `hunch stretch ID`: coaching one stretch from a recording, headless.

use hunch::capture::clip;
use hunch::testdata::shared_data_or_skip;

use crate::common::hunch;

#[test]
fn an_unknown_stretch_is_a_clear_error() {
    let out = hunch()
        .args(["--no-history", "stretch", "no_such_stretch", "--no-window"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no_such_stretch"), "{err}");
    assert!(err.contains("hunch stretches"), "{err}");
}

#[test]
fn a_timed_stretch_runs_to_its_end_and_is_not_claimed_verified() {
    let Some(data) =
        shared_data_or_skip("a_timed_stretch_runs_to_its_end_and_is_not_claimed_verified")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sitting.mp4");
    let spec = clip::ClipSpec {
        segments: vec![clip::Segment::new("good", 40.0)],
        ..clip::ClipSpec::default()
    };
    clip::make_clip(&data, &spec, &path).unwrap();
    let history = dir.path().join("h.sqlite3");
    let out = hunch()
        .args(["--no-realtime", "--history"])
        .arg(&history)
        .args(["stretch", "doorway_stretch", "--no-window", "--input"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("not checked by the camera"), "{stdout}");
    // The result reached the history.
    let report = hunch()
        .args(["report", "--json", "--days", "1", "--history"])
        .arg(&history)
        .output()
        .unwrap();
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    // Exactly one stretch, done and not verified: the field is always
    // present (0 without the write), so its count is what proves the write.
    let prompts = &json["prompts"];
    assert_eq!(prompts["done_unverified"], 1, "{prompts}");
    assert_eq!(prompts["done_verified"], 0, "{prompts}");
    assert_eq!(prompts["stretches_done"], 1, "{prompts}");
}
