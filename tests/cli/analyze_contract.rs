//! `hunch analyze` as a user runs it: the JSON-lines contract, stills in a
//! folder, a video, an unreadable file that fails alone, and the exit code.

use std::path::Path;
use std::process::Output;

use hunch::testdata::shared_data_or_skip;

fn hunch(args: &[&str]) -> Output {
    crate::common::hunch()
        .args(args)
        .env("HUNCH_CONFIG", "/dev/null")
        .output()
        .expect("hunch runs")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn check_contract(v: &serde_json::Value) {
    let obj = v.as_object().unwrap();
    assert!(obj["source"].is_string());
    assert!(obj["frame"].is_u64());
    assert!(obj["time_s"].is_f64() || obj["time_s"].is_u64());
    let pose = &obj["pose"];
    if pose.is_null() {
        return;
    }
    let lms = pose["landmarks"].as_array().unwrap();
    assert_eq!(lms.len(), 33);
    assert!(lms.iter().all(|l| l.as_array().unwrap().len() == 4));
    let world = pose["world"].as_array().unwrap();
    assert_eq!(world.len(), 33);
    assert!(world.iter().all(|l| l.as_array().unwrap().len() == 3));
    let p = pose["presence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p));
}

#[test]
fn folder_with_a_broken_file_reports_it_and_analyzes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let blank = image::RgbImage::from_pixel(64, 48, image::Rgb([200, 200, 200]));
    blank.save(dir.path().join("a_blank.png")).unwrap();
    std::fs::write(dir.path().join("b_broken.jpg"), b"this is not a jpeg").unwrap();
    let with_person = shared_data_or_skip("analyze on a photo with a person").map(|d| {
        let p = dir.path().join("c_person.jpg");
        std::fs::copy(d.join("pose/pose.jpg"), &p).unwrap();
        p
    });
    let missing = dir.path().join("nope.png");
    let dir_arg = dir.path().to_str().unwrap();
    let out = hunch(&["analyze", "--json", dir_arg, missing.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed input must fail the run"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("hunch: "))
        .collect();
    assert_eq!(errors.len(), 2, "one line per failed input: {stderr}");
    assert!(errors[0].ends_with("b_broken.jpg"), "{}", errors[0]);
    assert!(errors[1].ends_with("nope.png"), "{}", errors[1]);

    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1 + usize::from(with_person.is_some()));
    for v in &lines {
        check_contract(v);
        assert_eq!(v["frame"], 0);
        assert_eq!(v["time_s"], 0.0);
    }
    assert_eq!(lines[0]["source"], format!("{dir_arg}/a_blank.png"));
    assert!(lines[0]["pose"].is_null(), "nobody in a blank picture");
    if let Some(p) = with_person {
        assert_eq!(lines[1]["source"], p.to_str().unwrap());
        let nose = &lines[1]["pose"]["landmarks"][0];
        assert!(nose[0].as_f64().unwrap() > 0.0 && nose[1].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn video_frames_are_numbered_and_timed() {
    let Some(data) = shared_data_or_skip("analyze on a video") else {
        return;
    };
    let video = data.join("video/pose_squats.mp4");
    let out = hunch(&[
        "analyze",
        "--json",
        "--model",
        "lite",
        video.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 65);
    for (i, v) in lines.iter().enumerate() {
        check_contract(v);
        assert_eq!(v["source"], video.to_str().unwrap());
        assert_eq!(v["frame"], i as u64);
        // 5 frames per second.
        assert!((v["time_s"].as_f64().unwrap() - i as f64 / 5.0).abs() < 1e-6);
        assert!(!v["pose"].is_null(), "frame {i}");
    }
}

#[test]
fn plain_output_is_one_line_per_frame() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.png");
    image::RgbImage::new(32, 32).save(&p).unwrap();
    let out = hunch(&["analyze", p.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("no pose"), "{text}");
    assert!(Path::new(&p).exists());
}
