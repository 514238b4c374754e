//! Capture sources on real files, and every fault path that can be produced
//! on a machine without a camera.

use std::path::{Path, PathBuf};
use std::process::Command;

use hunch::capture::clip::{ClipSpec, Segment, make_clip};
use hunch::capture::{
    CameraSelector, CaptureError, FrameSource, SourceConfig, Timing, VideoSource, open_source,
};
use hunch::testdata::{SkipReason, note_skip, shared_data_or_skip};

fn no_camera_here() -> bool {
    cfg!(target_os = "linux")
        && !std::fs::read_dir("/dev")
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("video"))
            })
            .unwrap_or(false)
}

fn video_config(path: &Path, realtime: bool) -> SourceConfig {
    SourceConfig {
        input: Some(path.to_path_buf()),
        realtime,
        ..SourceConfig::default()
    }
}

#[test]
fn shared_video_plays_every_frame_at_its_own_times() {
    let Some(data) = shared_data_or_skip("video source on pose_squats.mp4") else {
        return;
    };
    let path = data.join("video/pose_squats.mp4");
    let mut src = open_source(&video_config(&path, false)).unwrap();
    assert_eq!(src.timing(), Timing::Unpaced);
    assert!(src.describe().contains("720x1280"), "{}", src.describe());
    let mut n = 0u64;
    while let Some(f) = src.next_frame(0.0).unwrap() {
        assert_eq!(f.index, n);
        assert!((f.time_s - n as f64 / 5.0).abs() < 1e-9);
        assert_eq!(f.image.dimensions(), (720, 1280));
        n += 1;
    }
    assert_eq!(n, 65, "the file has 65 frames");
    assert!(src.next_frame(0.0).unwrap().is_none(), "stays at the end");
}

#[test]
fn asking_for_a_later_time_skips_frames() {
    let Some(data) = shared_data_or_skip("video skipping") else {
        return;
    };
    let path = data.join("video/pose_squats.mp4");
    let mut src = VideoSource::open(&path, Timing::Realtime, None).unwrap();
    let f = src.next_frame(2.0).unwrap().unwrap();
    assert_eq!((f.index, f.time_s), (10, 2.0));
    let f = src.next_frame(2.35).unwrap().unwrap();
    assert_eq!(
        f.index, 12,
        "the first frame at or after 2.35 s, within half a frame"
    );
    assert!(src.next_frame(1000.0).unwrap().is_none());
}

#[test]
fn a_rate_cap_makes_ffmpeg_drop_frames() {
    let Some(data) = shared_data_or_skip("video rate cap") else {
        return;
    };
    let path = data.join("video/pose_squats.mp4");
    let mut src = VideoSource::open(&path, Timing::Unpaced, Some(2.5)).unwrap();
    let mut times = Vec::new();
    while let Some(f) = src.next_frame(0.0).unwrap() {
        times.push(f.time_s);
    }
    // 13 s at 2.5 fps.
    assert!((32..=34).contains(&times.len()), "{}", times.len());
    assert!((times[1] - 0.4).abs() < 1e-9);
    // A cap above the file's rate changes nothing.
    let src = VideoSource::open(&path, Timing::Unpaced, Some(30.0)).unwrap();
    assert_eq!(src.info().fps, 5.0);
}

#[test]
fn image_folder_plays_as_a_sequence() {
    let Some(data) = shared_data_or_skip("image folder source") else {
        return;
    };
    let dir = data.join("posture/side-chair");
    let cfg = SourceConfig {
        image_seconds: 2.0,
        ..video_config(&dir, true)
    };
    let mut src = open_source(&cfg).unwrap();
    let mut n = 0;
    while let Some(f) = src.next_frame(0.0).unwrap() {
        assert_eq!(f.time_s, 2.0 * n as f64);
        assert!(f.image.width() > 0);
        n += 1;
    }
    assert!(n >= 10, "{n}");
}

#[test]
fn missing_input_is_one_clear_line_with_the_path_last() {
    let err = open_source(&video_config(Path::new("/no/such/clip.mp4"), true))
        .err()
        .unwrap();
    assert!(matches!(err, CaptureError::InputMissing { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.ends_with("/no/such/clip.mp4") && !msg.contains('\n'),
        "{msg}"
    );
}

#[test]
fn non_video_and_damaged_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.csv");
    std::fs::write(&text, "a,b,c\n1,2,3\n").unwrap();
    let err = open_source(&video_config(&text, true)).err().unwrap();
    assert!(matches!(err, CaptureError::NotAVideo { .. }), "{err}");
    assert!(err.to_string().contains("Invalid data"), "{err}");
    assert!(err.to_string().ends_with("notes.csv"));

    let garbage = dir.path().join("clip.mp4");
    std::fs::write(&garbage, vec![0x42u8; 4096]).unwrap();
    let err = open_source(&video_config(&garbage, true)).err().unwrap();
    assert!(matches!(err, CaptureError::NotAVideo { .. }), "{err}");

    let Some(data) = shared_data_or_skip("damaged video") else {
        return;
    };
    // The first 20 kB of a real MP4: header present, index (moov) missing.
    let bytes = std::fs::read(data.join("video/pose_squats.mp4")).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..20_000]).unwrap();
    match VideoSource::open(&cut, Timing::Unpaced, None) {
        Err(e) => assert!(
            matches!(
                e,
                CaptureError::NotAVideo { .. } | CaptureError::VideoRead { .. }
            ),
            "{e}"
        ),
        Ok(mut src) => {
            // ffprobe accepted it; decoding must then end or fail cleanly.
            let mut frames = 0;
            loop {
                match src.next_frame(0.0) {
                    Ok(Some(_)) => frames += 1,
                    Ok(None) => break,
                    Err(e) => {
                        assert!(
                            matches!(
                                e,
                                CaptureError::VideoRead { .. } | CaptureError::VideoIo { .. }
                            ),
                            "{e}"
                        );
                        break;
                    }
                }
            }
            assert!(frames < 65);
        }
    }
}

#[test]
fn missing_ffmpeg_names_the_package() {
    // Runs itself again with a PATH that has no ffmpeg.
    if let Some(video) = std::env::var_os("HUNCH_TEST_VIDEO_WITHOUT_FFMPEG") {
        let err = VideoSource::open(Path::new(&video), Timing::Unpaced, None)
            .err()
            .unwrap();
        assert!(matches!(err, CaptureError::FfmpegMissing { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("apt install ffmpeg") && !msg.contains('\n'),
            "{msg}"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("clip.mp4");
    std::fs::write(&video, b"anything").unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &crate::common::harness_name(module_path!(), "missing_ffmpeg_names_the_package"),
            "--nocapture",
        ])
        .env("PATH", dir.path())
        .env("HUNCH_TEST_VIDEO_WITHOUT_FFMPEG", &video)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_camera_device_is_one_clear_line() {
    if !no_camera_here() {
        note_skip(
            SkipReason::Other,
            "no camera test",
            "this machine has a camera",
        );
        return;
    }
    for camera in [
        None,
        Some(CameraSelector::Index(0)),
        Some(CameraSelector::Index(3)),
    ] {
        let cfg = SourceConfig {
            camera,
            ..SourceConfig::default()
        };
        let err = open_source(&cfg).err().unwrap();
        assert!(matches!(err, CaptureError::NoCamera { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("hunch cameras") && msg.contains("--input FILE"),
            "{msg}"
        );
    }
}

#[test]
fn hunch_cameras_says_none_found() {
    if !no_camera_here() {
        note_skip(
            SkipReason::Other,
            "no camera test",
            "this machine has a camera",
        );
        return;
    }
    let out = crate::common::hunch()
        .arg("cameras")
        .env("HUNCH_CONFIG", "/dev/null")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("No cameras found") && stdout.contains("--input FILE"),
        "{stdout}"
    );
}

fn mean_abs_diff(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    let small = |i: &image::RgbImage| {
        image::imageops::resize(i, 64, 48, image::imageops::FilterType::Triangle)
    };
    let (a, b) = (small(a), small(b));
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

#[test]
fn clips_from_real_photos_hold_each_label_where_placed() {
    let Some(data) = shared_data_or_skip("clip from real photos") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clip.mp4");
    let spec = ClipSpec {
        segments: vec![
            Segment::new("good", 3.0),
            Segment::new("forward_head", 4.0),
            Segment::new("good", 2.0),
        ],
        fps: 10,
        ..ClipSpec::default()
    };
    let placed = make_clip(&data, &spec, &out).unwrap();
    assert_eq!(placed.len(), 3);
    assert_eq!((placed[1].start_s, placed[1].end_s), (3.0, 7.0));
    assert_eq!(placed[1].photos.len(), 4);
    let mut src = VideoSource::open(&out, Timing::Unpaced, None).unwrap();
    assert_eq!((src.info().width, src.info().height), (640, 480));
    assert_eq!(src.info().fps, 10.0);
    let photo = |p: &PathBuf| hunch::frame::load_image(p).unwrap();
    // Mid-photo frames match the photo placed there better than the others.
    for (t, seg, k) in [(1.5, 0, 1), (4.5, 1, 1), (7.5, 2, 0)] {
        let f = src.next_frame(t).unwrap().unwrap();
        let own = mean_abs_diff(&f.image, &photo(&placed[seg].photos[k].1));
        let other_seg = if seg == 1 { 0 } else { 1 };
        let other = mean_abs_diff(&f.image, &photo(&placed[other_seg].photos[k].1));
        assert!(
            own < 8.0 && own < other,
            "t={t}: own {own:.2} other {other:.2}"
        );
    }
    let mut n = 0;
    while src.next_frame(0.0).unwrap().is_some() {
        n += 1;
    }
    assert!((10..=16).contains(&n), "frames after 7.5 s: {n}");
}
