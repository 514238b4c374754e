//! The pose pipeline end to end, with ONNX Runtime and the real models:
//! nobody in empty frames, still and video behaviour, tracking, and a video
//! of real motion against tfjs-models' BlazePose-full expectations.

use std::path::Path;

use hunch::landmarks::Pose;
use hunch::pose::{Mode, PoseConfig, PoseEstimator, RegionSource};
use hunch::testdata::shared_data_or_skip;
use image::{Rgb, RgbImage};

fn estimator() -> PoseEstimator {
    PoseEstimator::new(&PoseConfig::default())
        .expect("pose estimator starts (run scripts/setup.sh)")
}

fn mean_distance(a: &Pose, b: &Pose, range: std::ops::Range<usize>) -> f32 {
    let n = range.len() as f32;
    range
        .map(|i| {
            let (ax, ay) = a.xy(i);
            let (bx, by) = b.xy(i);
            (ax - bx).hypot(ay - by)
        })
        .sum::<f32>()
        / n
}

#[test]
fn empty_frames_have_nobody() {
    let mut est = estimator();
    let gray = RgbImage::from_pixel(640, 480, Rgb([128, 128, 128]));
    let noise = RgbImage::from_fn(320, 240, |x, y| {
        let v = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)).wrapping_mul(2246822519) >> 24;
        Rgb([v as u8, (v >> 1) as u8, (v * 3) as u8])
    });
    let black = RgbImage::new(1280, 720);
    for img in [&gray, &noise, &black] {
        assert!(est.estimate(img, Mode::Still).unwrap().is_none());
        for i in 0..3 {
            let t = i as f64 / 30.0;
            assert!(est.estimate(img, Mode::Video { t_s: t }).unwrap().is_none());
        }
    }
    // Degenerate sizes are no error and nobody.
    assert!(
        est.estimate(&RgbImage::new(0, 0), Mode::Still)
            .unwrap()
            .is_none()
    );
    assert!(
        est.estimate(&RgbImage::new(1, 1), Mode::Still)
            .unwrap()
            .is_none()
    );
    assert!(
        est.estimate(&RgbImage::new(1, 500), Mode::Video { t_s: 1.0 })
            .unwrap()
            .is_none()
    );
}

#[test]
fn still_pose_is_in_the_frame_and_deterministic() {
    let Some(data) = shared_data_or_skip("still pose on pose.jpg") else {
        return;
    };
    let img = hunch::frame::load_image(&data.join("pose/pose.jpg")).unwrap();
    let mut est = estimator();
    let a = est.estimate(&img, Mode::Still).unwrap().expect("a person");
    let timings = est.last_timings();
    assert_eq!((timings.detector_runs, timings.landmark_runs), (1, 1));
    assert!(timings.total_s >= timings.detector_s + timings.landmarks_s);
    assert_eq!(est.last_region().unwrap().1, RegionSource::Detection);
    assert_eq!((a.image_width, a.image_height), img.dimensions());
    assert!(a.presence > 0.9);
    // Upright person: nose above shoulders above hips.
    let (_, nose_y) = a.xy(0);
    let (_, shoulder_y) = a.xy(11);
    let (_, hip_y) = a.xy(23);
    assert!(
        nose_y < shoulder_y && shoulder_y < hip_y,
        "{nose_y} {shoulder_y} {hip_y}"
    );
    for lm in &a.landmarks[..25] {
        assert!(
            lm.x >= 0.0 && lm.x < img.width() as f32 && lm.y >= 0.0 && lm.y < img.height() as f32
        );
        assert!((0.0..=1.0).contains(&lm.visibility));
    }
    // World landmarks are metres around the hips.
    assert!(a.world.iter().all(|p| p.iter().all(|v| v.abs() < 2.0)));
    let b = est.estimate(&img, Mode::Still).unwrap().unwrap();
    assert_eq!(a, b, "still mode must not depend on the previous frame");
}

#[test]
fn video_mode_tracks_without_the_detector_and_resets() {
    let Some(data) = shared_data_or_skip("video tracking on pose.jpg") else {
        return;
    };
    let img = hunch::frame::load_image(&data.join("pose/pose.jpg")).unwrap();
    let mut est = estimator();
    let still = est.estimate(&img, Mode::Still).unwrap().unwrap();
    let mut last = None;
    for i in 0..10 {
        let pose = est
            .estimate(
                &img,
                Mode::Video {
                    t_s: i as f64 / 30.0,
                },
            )
            .unwrap()
            .unwrap();
        let t = est.last_timings();
        if i == 0 {
            assert_eq!(t.detector_runs, 1, "the first frame needs the detector");
        } else {
            assert_eq!(t.detector_runs, 0, "frame {i} should be tracked");
            assert_eq!(est.last_region().unwrap().1, RegionSource::Tracking);
        }
        last = Some(pose);
    }
    // Tracking crops around the landmarks instead of the detection: close,
    // not identical (MediaPipe's video results differ from its stills too).
    let shoulder = (still.xy(11).0 - still.xy(12).0).hypot(still.xy(11).1 - still.xy(12).1);
    let d = mean_distance(&last.unwrap(), &still, 0..17);
    assert!(
        d < 0.1 * shoulder,
        "tracked pose {d:.1} px from the still pose"
    );
    est.reset();
    est.estimate(&img, Mode::Video { t_s: 5.0 })
        .unwrap()
        .unwrap();
    assert_eq!(
        est.last_timings().detector_runs,
        1,
        "reset forgets the track"
    );
    // A frame of another size starts over too.
    let small = image::imageops::resize(&img, 500, 333, image::imageops::FilterType::Triangle);
    est.estimate(&small, Mode::Video { t_s: 5.1 })
        .unwrap()
        .unwrap();
    assert_eq!(est.last_timings().detector_runs, 1);
}

#[test]
fn squats_video_follows_blazepose_full() {
    let Some(data) = shared_data_or_skip("video mode on pose_squats.mp4") else {
        return;
    };
    let frames = hunch::pose::bench::load_frames(&data.join("video/pose_squats.mp4")).unwrap();
    let expected: Vec<Vec<[f32; 3]>> = serde_json::from_str(
        &std::fs::read_to_string(data.join("video/pose_squats.full.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(frames.len(), expected.len());
    let mut est = PoseEstimator::new(&PoseConfig {
        threads: 2,
        ..PoseConfig::default()
    })
    .unwrap();
    let mut errors = Vec::new();
    let mut detector_runs = 0;
    for ((img, t), exp) in frames.iter().zip(&expected) {
        let pose = est
            .estimate(img, Mode::Video { t_s: *t })
            .unwrap()
            .expect("person in every frame");
        detector_runs += est.last_timings().detector_runs;
        let shoulder = (exp[11][0] - exp[12][0])
            .hypot(exp[11][1] - exp[12][1])
            .max(1.0);
        let d: f32 = (0..17)
            .map(|i| (pose.landmarks[i].x - exp[i][0]).hypot(pose.landmarks[i].y - exp[i][1]))
            .sum::<f32>()
            / 17.0;
        errors.push(d / shoulder);
    }
    errors.sort_by(f32::total_cmp);
    let median = errors[errors.len() / 2];
    eprintln!(
        "pose_squats: detector ran {detector_runs}x in {} frames; error vs tfjs BlazePose full / shoulder width: median {median:.4}, max {:.4}",
        frames.len(),
        errors[errors.len() - 1]
    );
    assert!(
        detector_runs <= 2,
        "tracking kept losing the person: {detector_runs} detector runs"
    );
    assert!(median < 0.05, "median {median}");
}

#[test]
fn missing_models_are_a_clear_error() {
    let err = PoseEstimator::new(&PoseConfig {
        models_dir: Some(Path::new("/nonexistent-models").to_path_buf()),
        ..PoseConfig::default()
    })
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("/nonexistent-models") && msg.contains("--models"),
        "{msg}"
    );
}

/// ONNX Runtime's error is the cause of a load or run failure; the line
/// a user sees is the one it was when the cause was a string.
#[test]
fn ort_errors_are_kept_as_the_cause_and_said_once() {
    use std::error::Error as _;
    // ort's errors live in ONNX Runtime: load it first.
    estimator();
    let cases = [
        (
            hunch::pose::PoseError::Load {
                model: "pose_detection".into(),
                source: ort::Error::new("bad graph"),
            },
            "ONNX Runtime could not load model pose_detection (bad graph); rerun models/convert.sh or check --ort-lib",
        ),
        (
            hunch::pose::PoseError::Inference {
                model: "pose_landmark_full".into(),
                source: ort::Error::new("out of memory"),
            },
            "ONNX Runtime failed running model pose_landmark_full (out of memory); try --threads 1 or reinstall with scripts/setup.sh",
        ),
    ];
    for (e, said) in cases {
        assert!(e.source().is_some_and(|c| c.is::<ort::Error>()));
        assert_eq!(e.to_string(), said);
        assert_eq!(hunch::app::error_line(&anyhow::Error::from(e)), said);
    }
    // A missing output has no lower cause; its words are unchanged.
    let missing = hunch::pose::PoseError::MissingOutput {
        model: "pose_landmark_full".into(),
        output: "Identity_1".into(),
    };
    assert!(missing.source().is_none());
    assert_eq!(
        missing.to_string(),
        "ONNX Runtime failed running model pose_landmark_full (output Identity_1 missing); try --threads 1 or reinstall with scripts/setup.sh"
    );
}
