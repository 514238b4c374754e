//! `hunch analyze`: the JSON line contract, posture fields, events over a
//! video, `--render`, and bad inputs that do not stop the rest.

use std::process::Command;

use hunch::capture::clip;
use hunch::testdata::shared_data_or_skip;
use serde_json::Value;

use crate::common::hunch;

/// Runs hunch, asserts it succeeded, and returns its stdout's JSON lines.
fn json_ok(cmd: &mut Command) -> Vec<Value> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&out.stdout)
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

#[test]
fn stills_give_pose_view_metrics_and_verdict() {
    let Some(data) = shared_data_or_skip("stills_give_pose_view_metrics_and_verdict") else {
        return;
    };
    let ssb = data.join("posture/side-ssb");
    let good = ssb.join("SSB_STRAIGHT1.jpg");
    let bad = ssb.join("SSB_TECH_NECK1.jpg");
    let lines = json_ok(hunch().args(["analyze", "--json"]).arg(&good).arg(&bad));
    assert_eq!(lines.len(), 2);
    for (line, path, verdict) in [
        (&lines[0], &good, "good"),
        (&lines[1], &bad, "forward_head"),
    ] {
        assert_eq!(line["source"], path.display().to_string());
        assert_eq!(line["frame"], 0);
        assert_eq!(line["time_s"], 0.0);
        assert_eq!(line["pose"]["landmarks"].as_array().unwrap().len(), 33);
        assert_eq!(line["pose"]["world"].as_array().unwrap().len(), 33);
        assert_eq!(line["view"], "side");
        assert!(
            line["metrics"]["cva_deg"].as_f64().is_some(),
            "{}",
            line["metrics"]
        );
        assert_eq!(line["verdict"], verdict);
        assert!(line.get("events").is_none(), "stills have no events");
    }
}

#[test]
fn an_unreadable_input_fails_alone() {
    let Some(data) = shared_data_or_skip("an_unreadable_input_fails_alone") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.jpg");
    std::fs::write(&broken, b"not a jpeg").unwrap();
    let good = data.join("posture/side-ssb/SSB_STRAIGHT1.jpg");
    let out = hunch()
        .args(["analyze", "--json"])
        .arg(&broken)
        .arg("/nonexistent/photo.jpg")
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 1, "the good input still ran");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.contains("broken.jpg") && err.contains("/nonexistent/photo.jpg"),
        "{err}"
    );
}

#[test]
fn a_photo_without_a_person_has_no_pose_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("wall.png");
    image::RgbImage::from_pixel(320, 240, image::Rgb([200, 200, 190]))
        .save(&blank)
        .unwrap();
    let lines = json_ok(hunch().args(["analyze", "--json"]).arg(&blank));
    assert!(lines[0]["pose"].is_null());
    assert_eq!(lines[0]["verdict"], "no_person");
}

#[test]
fn a_front_view_is_judged_against_the_profile_from_calibrate() {
    let Some(data) =
        shared_data_or_skip("a_front_view_is_judged_against_the_profile_from_calibrate")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.toml");
    let front = data.join("posture/front-ekam-1023");
    let labels = hunch::testdata::load_labels(&data).unwrap();
    let mut good: Vec<_> = labels
        .iter()
        .filter(|r| r.subject == "ekam-1023" && r.label == "good")
        .map(|r| data.join("posture").join(&r.path))
        .collect();
    good.sort();
    let slouch: Vec<_> = labels
        .iter()
        .filter(|r| r.subject == "ekam-1023" && r.label == "slouch_forward")
        .map(|r| data.join("posture").join(&r.path))
        .collect();
    assert!(good.len() >= 4 && !slouch.is_empty(), "{}", front.display());
    let out = hunch()
        .args(["--no-history", "calibrate", "--profile"])
        .arg(&profile)
        .arg("--input")
        .args(&good[..3])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Without the profile the front view is judged against the general
    // limits, from both angles...
    let out = hunch()
        .args(["analyze", "--json"])
        .arg(&slouch[0])
        .output()
        .unwrap();
    let line = &json_lines(&out.stdout)[0];
    assert_ne!(line["verdict"], "uncertain", "{line}");
    assert!(line["metrics"]["forward_head_deg"].is_f64(), "{line}");
    assert!(line["metrics"]["rounded_shoulders_deg"].is_f64(), "{line}");
    // ...with it, the held-out good photo is good and the slouches are not.
    let out = hunch()
        .args(["analyze", "--json", "--profile"])
        .arg(&profile)
        .arg(&good[3])
        .args(&slouch)
        .output()
        .unwrap();
    let lines = json_lines(&out.stdout);
    assert_eq!(lines[0]["verdict"], "good", "{}", lines[0]["metrics"]);
    for l in &lines[1..] {
        let v = l["verdict"].as_str().unwrap();
        assert!(
            ["forward_head", "rounded_shoulders", "slouch"].contains(&v),
            "{v}: {}",
            l["metrics"]
        );
    }
}

#[test]
fn a_video_carries_state_machine_events_and_renders() {
    let Some(data) = shared_data_or_skip("a_video_carries_state_machine_events_and_renders") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    let mut spec = clip::good_slouch_good(6.0, 20.0);
    spec.fps = 5;
    clip::make_clip(&data, &spec, &path).unwrap();
    let render = dir.path().join("frames");
    let lines = json_ok(
        hunch()
            .args(["analyze", "--json", "--slouch-seconds", "8", "--render"])
            .arg(&render)
            .arg(&path),
    );
    assert!(lines.len() >= 150, "{} frames", lines.len());
    assert!(lines.iter().all(|l| l["state"].is_string()));
    let events: Vec<&Value> = lines
        .iter()
        .filter_map(|l| l["events"].as_array())
        .flatten()
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "state" && e["to"] == "forward_head"),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e["kind"] == "prompt"), "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "state" && e["from"] == "forward_head" && e["to"] == "good"),
        "{events:?}"
    );
    let pngs = std::fs::read_dir(&render).unwrap().count();
    assert_eq!(pngs, lines.len(), "one PNG per frame");
    let first = image::open(render.join("clip_000000.png")).unwrap();
    assert_eq!((first.width(), first.height()), (960, 640));
}
