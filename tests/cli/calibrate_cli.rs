//! `hunch calibrate --input PHOTOS` writes a profile the monitor then judges against.

use hunch::testdata::shared_data_or_skip;

use crate::common::hunch;

#[test]
fn calibrating_from_photos_writes_a_side_view_profile() {
    let Some(data) = shared_data_or_skip("calibrating_from_photos_writes_a_side_view_profile")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("sub/profile.toml");
    let ssb = data.join("posture/side-ssb");
    let out = hunch()
        .args(["--no-history", "calibrate", "--profile"])
        .arg(&profile)
        .arg("--input")
        .args(
            [
                "SSB_STRAIGHT1.jpg",
                "SSB_STRAIGHT10.jpg",
                "SSB_STRAIGHT11.jpg",
            ]
            .map(|f| ssb.join(f)),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("calibrated from 3 of 3 photos"), "{stdout}");
    let text = std::fs::read_to_string(&profile).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(value["view"].as_str(), Some("side"));
    let cva = value["baseline"]["cva_deg"].as_float().unwrap();
    assert!((55.0..80.0).contains(&cva), "upright CVA {cva}");
    let fh = value["baseline"]["forward_head_deg"].as_float().unwrap();
    assert!(
        (64.0..85.0).contains(&fh),
        "upright forward-head angle {fh}"
    );
    assert!(
        value["baseline"]["rounded_shoulders_deg"]
            .as_float()
            .is_some()
    );
}

#[test]
fn two_usable_photos_of_three_are_enough_and_counted_as_photos() {
    let Some(data) = shared_data_or_skip("two_usable_photos_of_three_are_enough") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.toml");
    let ssb = data.join("posture/side-ssb");
    let out = hunch()
        .args(["--no-history", "calibrate", "--profile"])
        .arg(&profile)
        .arg("--input")
        .args([
            ssb.join("SSB_STRAIGHT1.jpg"),
            empty_photo(dir.path()),
            ssb.join("SSB_STRAIGHT10.jpg"),
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("calibrated from 2 of 3 photos (1 not usable)"),
        "{stdout}"
    );
    assert!(stderr.contains("empty.png"), "{stderr}");
    assert!(profile.exists());
}

/// A plain grey picture: nobody in it.
fn empty_photo(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("empty.png");
    image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]))
        .save(&path)
        .unwrap();
    path
}

#[test]
fn calibrating_needs_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.toml");
    let out = hunch()
        .args(["--no-history", "calibrate", "--profile"])
        .arg(&profile)
        .arg("--input")
        .arg(empty_photo(dir.path()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!profile.exists());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("only 0 of 1 photos"), "{err}");
}

#[test]
fn a_missing_explicit_profile_is_an_error() {
    let out = hunch()
        .args([
            "--no-history",
            "--no-window",
            "--profile",
            "/nonexistent/profile.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hunch calibrate --profile"), "{err}");
}

#[test]
fn calibrating_from_a_folder_and_a_list_uses_every_photo() {
    let Some(data) = shared_data_or_skip("calibrating_from_a_folder_and_a_list_uses_every_photo")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("upright");
    std::fs::create_dir(&photos).unwrap();
    let mut list = String::new();
    for n in [1, 2, 3] {
        let name = format!("SSB_STRAIGHT{n}.jpg");
        std::fs::copy(
            data.join("posture/side-ssb").join(&name),
            photos.join(&name),
        )
        .unwrap();
        list.push_str(&format!("upright/{name}\n"));
    }
    let list_file = dir.path().join("photos.txt");
    std::fs::write(&list_file, list).unwrap();
    for input in [&photos, &list_file] {
        let out = hunch()
            .args(["--no-history", "calibrate", "--profile"])
            .arg(dir.path().join("p.toml"))
            .arg("--input")
            .arg(input)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("calibrated from 3 of 3 photos"), "{stdout}");
    }
}

/// A calibration from photos is recorded in the history even while a
/// monitor holds it (the monitor's lock is for counting minutes once).
#[test]
fn calibrating_beside_a_running_monitor_is_recorded_in_its_history() {
    let Some(data) = shared_data_or_skip("calibrating_beside_a_running_monitor") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.sqlite3");
    // Stands in for the running monitor: it holds the recording lock.
    let monitor = hunch::history::Recorder::for_monitor(Some(&history), false, 1000.0)
        .unwrap()
        .unwrap();
    let ssb = data.join("posture/side-ssb");
    let out = hunch()
        .arg("--history")
        .arg(&history)
        .args(["calibrate", "--profile"])
        .arg(dir.path().join("profile.toml"))
        .arg("--input")
        .args(
            [
                "SSB_STRAIGHT1.jpg",
                "SSB_STRAIGHT10.jpg",
                "SSB_STRAIGHT11.jpg",
            ]
            .map(|f| ssb.join(f)),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("not recorded"), "{stderr}");
    monitor.close(2000.0).unwrap();
    let log = hunch::history::History::open_existing(&history)
        .unwrap()
        .load(f64::MIN, f64::MAX)
        .unwrap();
    assert_eq!(log.calibrations.len(), 1);
    let c = &log.calibrations[0].record;
    assert_eq!(c.view, Some(hunch::posture::View::Side));
    assert!(c.profile_toml.as_deref().unwrap().contains("cva_deg"));
}
