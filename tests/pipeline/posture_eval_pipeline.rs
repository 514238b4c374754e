//! The whole judgement chain on our own pose pipeline: the labelled sitting
//! photos go through hunch's BlazePose (still mode, default model), then the
//! same per-subject evaluation as `posture_eval` (calibrate on each subject's
//! first three usable `good` photos, judge the rest, one set of defaults).
//!
//! Also measured here, on the same landmarks: how often the two posture
//! angles are read where the ears and shoulders are visible (per view), the
//! false-alarm rate on photos that are not forward head (`leaning_back`,
//! `head_tilt`), the rate of `looking_down` on upright photos, and how the
//! angles move from upright to slumped per subject.
//!
//! Run with the tables printed:
//! `cargo test --release --test pipeline posture_eval_pipeline -- --nocapture`

use std::collections::BTreeMap;

use hunch::frame::load_image;
use hunch::landmarks::{Pose, idx};
use hunch::pose::{Mode, PoseConfig, PoseEstimator};
use hunch::posture::eval::{self, EvalMode, EvalReport};
use hunch::posture::metrics::MIN_RELIABILITY;
use hunch::posture::{self, Thresholds, View};
use hunch::testdata::{self, LabelRow};

/// Subjects that keep both classes after calibration: the targets.
const TARGETS: [&str; 2] = ["ssb", "ekam-1023"];

fn poses_of(dir: &std::path::Path, labels: &[LabelRow]) -> BTreeMap<String, Option<Pose>> {
    let mut estimator = PoseEstimator::new(&PoseConfig::default()).unwrap();
    let mut poses = BTreeMap::new();
    for row in labels {
        if poses.contains_key(&row.path) {
            continue;
        }
        let image = load_image(&dir.join("posture").join(&row.path)).unwrap();
        let pose = estimator.estimate(&image, Mode::Still).unwrap();
        poses.insert(row.path.clone(), pose);
    }
    poses
}

/// Share of the photos with `label` (over every subject) judged slumped.
fn slumped_rate(report: &EvalReport, label: &str) -> (usize, usize) {
    report
        .subjects
        .iter()
        .filter_map(|s| s.other.get(label))
        .fold((0, 0), |(n, t), c| (n + c.slumped(), t + c.total()))
}

/// Both ears and both shoulders visible.
fn ears_and_shoulders_seen(p: &Pose) -> bool {
    [
        idx::LEFT_EAR,
        idx::RIGHT_EAR,
        idx::LEFT_SHOULDER,
        idx::RIGHT_SHOULDER,
    ]
    .iter()
    .all(|&i| f64::from(p.landmarks[i].visibility.min(p.landmarks[i].presence)) >= MIN_RELIABILITY)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    posture::profile::median(&mut v)
}

#[test]
fn labelled_photos_per_subject_with_our_landmarks() {
    let Some(dir) = testdata::shared_data_or_skip("posture evaluation on our own landmarks") else {
        return;
    };
    let labels = testdata::load_labels(&dir).unwrap();
    let poses = poses_of(&dir, &labels);
    let th = Thresholds::default();

    let report = eval::evaluate(&poses, &labels, &th);
    println!("Calibrated on each subject's first 3 usable good photos:\n{report}");
    let uncalibrated = eval::evaluate_with(&poses, &labels, &th, EvalMode::Uncalibrated);
    println!("Without calibration (general limits):\n{uncalibrated}");

    // Coverage of the two angles where the ears and shoulders are seen.
    let mut coverage: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for pose in poses.values().flatten() {
        if !ears_and_shoulders_seen(pose) {
            continue;
        }
        let m = posture::measure(pose, None);
        let view = match m.view {
            View::Front => "front",
            View::Side => "side",
            View::Oblique => "oblique",
        };
        let both =
            m.metrics.forward_head_deg.is_some() && m.metrics.rounded_shoulders_deg.is_some();
        let e = coverage.entry(view).or_default();
        e.0 += usize::from(both);
        e.1 += 1;
    }
    println!("Both angles read, photos with ears and shoulders seen, by view:");
    for (view, (n, t)) in &coverage {
        println!("  {view:<8} {n}/{t}");
    }

    // How the angles move from upright to slumped, per subject.
    println!("Median angles (deg), upright -> slumped, per subject (n upright / n slumped):");
    for subject in ["ssb", "ekam-1023", "son", "nvv"] {
        let of = |labels_wanted: &[&str], f: fn(&posture::Metrics) -> Option<f64>| -> Vec<f64> {
            labels
                .iter()
                .filter(|r| r.subject == subject && labels_wanted.contains(&r.label.as_str()))
                .filter_map(|r| poses.get(&r.path).cloned().flatten())
                .filter_map(|p| f(&posture::measure(&p, None).metrics))
                .collect()
        };
        let fh = |m: &posture::Metrics| m.forward_head_deg;
        let rs = |m: &posture::Metrics| m.rounded_shoulders_deg;
        let (g_fh, s_fh) = (of(eval::GOOD_LABELS, fh), of(eval::SLUMPED_LABELS, fh));
        let (g_rs, s_rs) = (of(eval::GOOD_LABELS, rs), of(eval::SLUMPED_LABELS, rs));
        let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.1}"));
        println!(
            "  {subject:<10} forward head {} -> {}, rounded shoulders {} -> {}  ({}/{})",
            f(median(g_fh.clone())),
            f(median(s_fh.clone())),
            f(median(g_rs)),
            f(median(s_rs)),
            g_fh.len(),
            s_fh.len()
        );
    }

    // False alarms on photos that are not slumped forward, and looking down
    // on upright ones.
    for label in ["leaning_back", "head_tilt"] {
        let (n, t) = slumped_rate(&report, label);
        println!("Judged slumped among {label} photos (calibrated): {n}/{t}");
        assert!(t > 0, "no {label} photos");
        assert!(
            n * 10 <= t,
            "{label}: {n} of {t} photos judged slumped\n{report}"
        );
    }
    let (ld, good) = report.subjects.iter().fold((0, 0), |(a, b), s| {
        (a + s.good.looking_down, b + s.good.total())
    });
    println!("Judged looking down among upright photos (calibrated): {ld}/{good}");
    let (ld_u, good_u) = uncalibrated.subjects.iter().fold((0, 0), |(a, b), s| {
        (a + s.good.looking_down, b + s.good.total())
    });
    println!("Judged looking down among upright photos (uncalibrated): {ld_u}/{good_u}");
    assert!(
        ld * 20 <= good,
        "{ld} of {good} upright photos looking down"
    );

    for (view, (n, t)) in &coverage {
        assert!(
            *n as f64 >= 0.95 * *t as f64,
            "{view}: both angles in only {n} of {t} photos"
        );
    }
    for subject in TARGETS {
        let s = report
            .subject(subject)
            .unwrap_or_else(|| panic!("no result for {subject}"));
        let ba = s
            .balanced_accuracy()
            .unwrap_or_else(|| panic!("no balanced accuracy for {subject}\n{report}"));
        assert!(
            ba >= 0.95,
            "{subject}: balanced accuracy {ba:.3} on our landmarks ({} good / {} slumped)\n{report}",
            s.good.total(),
            s.slumped.total()
        );
    }
    // The uncalibrated general limit holds where the clinical rule applies.
    let ssb = uncalibrated
        .subject("ssb")
        .and_then(|s| s.balanced_accuracy())
        .unwrap_or(0.0);
    assert!(
        ssb >= 0.95,
        "ssb without calibration: {ssb:.3}\n{uncalibrated}"
    );
}
