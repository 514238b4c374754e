//! Fidelity against MediaPipe 0.10.14 itself, on every image of the shared
//! data set (`../shared/data/mediapipe_reference.json`).
//!
//! Metric, per image: the mean pixel distance between our landmarks 0-16
//! (head, shoulders, arms) and MediaPipe's, divided by MediaPipe's shoulder
//! width (landmarks 11-12) in that image. The full model must find a pose in
//! exactly the images where MediaPipe did, with median, p90 and max bounded
//! a little above today's figures; the lite model is bounded the same way
//! against the same reference (see the constants).

use std::path::Path;

use hunch::landmarks::Pose;
use hunch::models::ModelChoice;
use hunch::pose::{Mode, PoseConfig, PoseEstimator};
use hunch::testdata::{Reference, load_reference, shared_data_or_skip};

const COMPARED: std::ops::Range<usize> = 0..17;

struct Row {
    key: String,
    /// `None`: MediaPipe found a pose and we did not.
    error: Option<f32>,
}

/// Mean distance of landmarks 0-16 over the reference shoulder width.
fn normalized_error(ours: &Pose, reference: &Pose) -> f32 {
    let (sx, sy) = reference.xy(11);
    let (tx, ty) = reference.xy(12);
    let shoulder = (sx - tx).hypot(sy - ty).max(1.0);
    let sum: f32 = COMPARED
        .map(|i| {
            let (ax, ay) = ours.xy(i);
            let (bx, by) = reference.xy(i);
            (ax - bx).hypot(ay - by)
        })
        .sum();
    sum / COMPARED.len() as f32 / shoulder
}

fn percentile(sorted: &[f32], p: f64) -> f32 {
    if sorted.is_empty() {
        return f32::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn evaluate(data: &Path, model: ModelChoice) -> (Vec<Row>, usize) {
    let reference = load_reference(data).expect("mediapipe_reference.json readable");
    let mut estimator = PoseEstimator::new(&PoseConfig {
        model,
        ..PoseConfig::default()
    })
    .expect("pose estimator starts");
    let mut rows = Vec::new();
    let mut extra = 0;
    for (
        key,
        Reference {
            width,
            height,
            pose,
        },
    ) in &reference
    {
        let image = hunch::frame::load_image(&data.join(key)).expect("shared image loads");
        assert_eq!(
            (image.width(), image.height()),
            (*width, *height),
            "{key}: size differs from the reference (EXIF?)"
        );
        let ours = estimator
            .estimate(&image, Mode::Still)
            .expect("estimate runs");
        match (pose, ours) {
            (Some(r), Some(o)) => rows.push(Row {
                key: key.clone(),
                error: Some(normalized_error(&o, r)),
            }),
            (Some(_), None) => rows.push(Row {
                key: key.clone(),
                error: None,
            }),
            (None, Some(_)) => extra += 1,
            (None, None) => {}
        }
    }
    (rows, extra)
}

/// One model's figures over the whole data set.
struct Figures {
    /// Images where MediaPipe found a pose.
    with_pose: usize,
    /// Of those, where we found one too.
    found: usize,
    /// Images where we found a pose and MediaPipe did not.
    extra: usize,
    median: f32,
    p90: f32,
    max: f32,
}

fn report(model: ModelChoice) -> Option<Figures> {
    let data = shared_data_or_skip("pose fidelity against MediaPipe")?;
    let (rows, extra) = evaluate(&data, model);
    let missed: Vec<&str> = rows
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| r.key.as_str())
        .collect();
    let mut scored: Vec<(&str, f32)> = rows
        .iter()
        .filter_map(|r| r.error.map(|e| (r.key.as_str(), e)))
        .collect();
    scored.sort_by(|a, b| a.1.total_cmp(&b.1));
    let errors: Vec<f32> = scored.iter().map(|s| s.1).collect();
    let f = Figures {
        with_pose: rows.len(),
        found: scored.len(),
        extra,
        median: percentile(&errors, 0.5),
        p90: percentile(&errors, 0.9),
        max: percentile(&errors, 1.0),
    };
    eprintln!(
        "pose fidelity ({model:?}): {} images with a MediaPipe pose, found {}, missed {}, extra {extra}; \
         error/shoulder width: median {:.4}, p90 {:.4}, max {:.4}",
        f.with_pose,
        f.found,
        missed.len(),
        f.median,
        f.p90,
        f.max,
    );
    for (key, e) in scored.iter().rev().take(5) {
        eprintln!("  worst: {e:.4} {key}");
    }
    for key in &missed {
        eprintln!("  missed: {key}");
    }
    Some(f)
}

/// MediaPipe found a pose in this many images of the shared set
/// (`mediapipe_reference.json`): a lost image fails the count.
const WITH_POSE: usize = 278;

/// Today's figures (full model, `cargo test --release --test pipeline pose_fidelity --
/// --nocapture`): median 0.0001, p90 0.0007, max 0.0049 shoulder widths, i.e.
/// the same model on the same crops gives MediaPipe's landmarks to a fraction
/// of a pixel. The bounds leave a modest margin for float differences between
/// builds and ONNX Runtime versions, and no room for a systematic shift: one
/// pixel on every landmark is 0.02 shoulder widths at the set's median
/// shoulder width (53 px: the side views show the shoulders nearly end on),
/// forty times the median bound.
const FULL_MEDIAN_MAX: f32 = 0.0005;
const FULL_P90_MAX: f32 = 0.002;
const FULL_MAX_MAX: f32 = 0.01;

#[test]
fn full_model_matches_mediapipe() {
    let Some(f) = report(ModelChoice::Full) else {
        return;
    };
    assert_eq!(f.with_pose, WITH_POSE, "images with a MediaPipe pose");
    assert_eq!(f.found, f.with_pose, "MediaPipe found poses we did not");
    // Today one image where MediaPipe finds nobody gets a pose from our
    // rescue path (upper body, whole frame); more would be a change.
    assert!(
        f.extra <= 1,
        "we found poses in {} images where MediaPipe found none",
        f.extra
    );
    assert!(
        f.median <= FULL_MEDIAN_MAX,
        "median normalised error {:.4} > {FULL_MEDIAN_MAX}",
        f.median
    );
    assert!(
        f.p90 <= FULL_P90_MAX,
        "p90 normalised error {:.4} > {FULL_P90_MAX}",
        f.p90
    );
    assert!(
        f.max <= FULL_MAX_MAX,
        "max normalised error {:.4} > {FULL_MAX_MAX}",
        f.max
    );
}

/// The lite model is a different, smaller network than MediaPipe's default
/// (full), and the shared data has no MediaPipe lite reference, so it is held
/// to the full model's reference with bounds from what it does today:
/// median 0.21, p90 0.65, max 5.5 shoulder widths. Most of that is the side
/// views, whose end-on shoulders (20–50 px) make every pixel count heavily,
/// and whose worst photos (head down in a cap) the lite model reads
/// differently. The bounds are about 1.5 times today's median and p90: a
/// lite path that goes wrong (a wrong crop, a misread output tensor, the
/// wrong model file) moves landmarks by whole shoulder widths on most photos
/// and fails them; the max is not bounded, since one hard photo decides it.
const LITE_MEDIAN_MAX: f32 = 0.3;
const LITE_P90_MAX: f32 = 1.0;

#[test]
fn lite_model_stays_close_to_mediapipe_full() {
    let Some(f) = report(ModelChoice::Lite) else {
        return;
    };
    assert_eq!(f.with_pose, WITH_POSE, "images with a MediaPipe pose");
    assert_eq!(
        f.found, f.with_pose,
        "MediaPipe found poses the lite model did not"
    );
    assert!(
        f.median <= LITE_MEDIAN_MAX,
        "lite median normalised error {:.4} > {LITE_MEDIAN_MAX}",
        f.median
    );
    assert!(
        f.p90 <= LITE_P90_MAX,
        "lite p90 normalised error {:.4} > {LITE_P90_MAX}",
        f.p90
    );
}
