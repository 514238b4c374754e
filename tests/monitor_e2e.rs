//! End to end: `hunch --input <video> --no-window --events -` on a clip made
//! from real photos of a person sitting well, then with their head forward,
//! then well again. The events must report one slouch episode (entered after
//! the forward-head frames start, prompted after `--slouch-seconds`) and the
//! recovery after it.

use std::process::Command;

use hunch::capture::clip;
use hunch::testdata::shared_data_or_skip;
use serde_json::Value;

fn run_events(clip: &std::path::Path, extra: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_hunch"))
        .arg("--input")
        .arg(clip)
        .args([
            "--no-window",
            "--no-history",
            "--events",
            "-",
            "--no-realtime",
        ])
        .args(extra)
        .env_remove("HUNCH_CONFIG")
        .env("XDG_CONFIG_HOME", clip.parent().unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "hunch failed: {stderr}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

#[test]
fn slouch_episode_is_reported_then_recovery() {
    let Some(data) = shared_data_or_skip("slouch_episode_is_reported_then_recovery") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good_slouch_good.mp4");
    // 15 s upright, 40 s head forward, 15 s upright.
    let placed = clip::make_clip(&data, &clip::good_slouch_good(15.0, 40.0), &path).unwrap();
    let slouch = placed.iter().find(|p| p.label == "forward_head").unwrap();
    let events = run_events(&path, &["--slouch-seconds", "20"]);

    assert_eq!(events.first().unwrap()["type"], "start");
    assert_eq!(events.last().unwrap()["type"], "stop");
    let states = of_type(&events, "state");
    let into_slump: Vec<_> = states
        .iter()
        .filter(|e| e["to"] == "forward_head" || e["to"] == "slouch")
        .collect();
    assert_eq!(
        into_slump.len(),
        1,
        "one slouch episode expected: {states:?}"
    );
    let entered = into_slump[0]["t"].as_f64().unwrap();
    assert!(
        entered >= slouch.start_s && entered <= slouch.start_s + 10.0,
        "slumping reported at {entered}, frames start at {}",
        slouch.start_s
    );
    assert_eq!(into_slump[0]["from"], "good");

    let prompts = of_type(&events, "prompt");
    assert_eq!(prompts.len(), 1, "{prompts:?}");
    let prompted = prompts[0]["t"].as_f64().unwrap();
    assert!(
        prompted >= slouch.start_s + 20.0 && prompted < slouch.end_s,
        "prompt at {prompted}"
    );
    assert_eq!(
        prompts[0]["stretch"], "chin_tucks",
        "forward head is met with chin tucks"
    );

    let recovered: Vec<_> = states
        .iter()
        .filter(|e| e["to"] == "good" && e["t"].as_f64().unwrap() > entered)
        .collect();
    assert_eq!(recovered.len(), 1, "{states:?}");
    let back = recovered[0]["t"].as_f64().unwrap();
    assert!(
        back >= slouch.end_s && back <= slouch.end_s + 8.0,
        "recovered at {back}"
    );
    assert!(recovered[0]["seconds_in_previous"].as_f64().unwrap() >= 30.0);

    // Metrics come about once a second, judged in the side view.
    let metrics = of_type(&events, "metrics");
    assert!(metrics.len() >= 60, "{} metrics lines", metrics.len());
    assert!(
        metrics
            .iter()
            .all(|m| m["view"] == "side" || m["view"].is_null())
    );
}

#[test]
fn a_short_slump_raises_no_prompt() {
    let Some(data) = shared_data_or_skip("a_short_slump_raises_no_prompt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.mp4");
    clip::make_clip(&data, &clip::good_slouch_good(10.0, 15.0), &path).unwrap();
    let events = run_events(&path, &["--slouch-seconds", "30"]);
    assert!(
        of_type(&events, "prompt").is_empty(),
        "no prompt for 15 s of slumping"
    );
}
