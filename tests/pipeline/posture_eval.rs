//! Posture judgement on the shared labelled photos, with MediaPipe 0.10.14's
//! landmarks (`mediapipe_reference.json`): per subject, calibrate on the first
//! three `good` photos (sorted by path) and judge the others, with one set of
//! default thresholds for everyone.
//!
//! Run with the table printed:
//! `cargo test --test pipeline posture_eval:: -- --nocapture`

use std::collections::BTreeMap;

use hunch::landmarks::Pose;
use hunch::posture::Thresholds;
use hunch::posture::eval::{self, EvalMode, EvalReport};
use hunch::testdata::{self, LabelRow};

fn reference_poses(dir: &std::path::Path) -> BTreeMap<String, Option<Pose>> {
    let reference = testdata::load_reference(dir)
        .unwrap_or_else(|e| panic!("cannot read mediapipe_reference.json: {e}"));
    reference
        .into_iter()
        .filter_map(|(k, r)| Some((k.strip_prefix("posture/")?.to_string(), r.pose)))
        .collect()
}

/// `front-slouching-or-not` ("son") in the shared labels: the original data
/// set keeps `isSlouching/` and `notSlouching/` photos under the same file
/// names, and the copy flattened the two folders, so 31 of its 34 files are
/// listed twice, as `good` and as `slouch_forward`. The file that survived
/// is the `notSlouching` one: its MediaPipe landmarks match the original
/// set's PoseNet keypoints for `notSlouching/` (nose-to-shoulder gap about
/// 85 px, against 57 px for `isSlouching/`), and the files that exist in
/// only one original folder (high-14 good; middle-17 and -18 slouching) are
/// labelled once. This keeps `good` for the doubly labelled paths.
fn resolve_son_collision(labels: &[LabelRow]) -> Vec<LabelRow> {
    let good: std::collections::BTreeSet<&str> = labels
        .iter()
        .filter(|r| r.subject == "son" && r.label == "good")
        .map(|r| r.path.as_str())
        .collect();
    labels
        .iter()
        .filter(|r| !(r.subject == "son" && r.label != "good" && good.contains(r.path.as_str())))
        .cloned()
        .collect()
}

fn balanced(report: &EvalReport, subject: &str) -> Option<f64> {
    report.subject(subject)?.balanced_accuracy()
}

/// A balanced accuracy with the photos it rests on: `n good / n slumped`.
fn with_counts(report: &EvalReport, subject: &str) -> String {
    let Some(s) = report.subject(subject) else {
        return format!("{subject}: not evaluated");
    };
    let ba = s
        .balanced_accuracy()
        .map_or("-".to_string(), |v| format!("{v:.3}"));
    let (good, slumped) = (s.good.total(), s.slumped.total());
    let few = if good.min(slumped) < 10 {
        " (few photos: one more error moves it a lot)"
    } else {
        ""
    };
    format!("{subject}: balanced accuracy {ba} on {good} good / {slumped} slumped photos{few}")
}

#[test]
fn labelled_photos_per_subject_with_mediapipe_landmarks() {
    let Some(dir) = testdata::shared_data_or_skip("posture evaluation on labelled photos") else {
        return;
    };
    let poses = reference_poses(&dir);
    let labels =
        testdata::load_labels(&dir).unwrap_or_else(|e| panic!("cannot read labels.csv: {e}"));
    let thresholds = Thresholds::default();

    let report = eval::evaluate(&poses, &labels, &thresholds);
    println!("As labelled (paths with two labels left out):\n{report}");

    let uncalibrated = eval::evaluate_with(&poses, &labels, &thresholds, EvalMode::Uncalibrated);
    println!("Without calibration (general limits, every view):\n{uncalibrated}");

    let son_fixed: Vec<LabelRow> = resolve_son_collision(&labels)
        .into_iter()
        .filter(|r| r.subject == "son")
        .collect();
    let son = eval::evaluate(&poses, &son_fixed, &thresholds);
    println!("son with the flattened-folder collision resolved:\n{son}");

    for subject in ["ssb", "ekam-1023"] {
        println!("{}", with_counts(&report, subject));
    }
    println!("{} (uncalibrated)", with_counts(&uncalibrated, "ssb"));
    for subject in ["ssb", "ekam-1023"] {
        let ba = balanced(&report, subject)
            .unwrap_or_else(|| panic!("no balanced accuracy for {subject}:\n{report}"));
        assert!(
            ba >= 0.95,
            "{} < 0.95\n{report}",
            with_counts(&report, subject)
        );
    }
    // son is subtle (224x224, a few percent between classes) and only two of
    // its photos are slumped, so no target; but every photo must be judged.
    let s = son
        .subject("son")
        .unwrap_or_else(|| panic!("son missing:\n{son}"));
    assert!(s.error.is_none(), "{son}");
    assert_eq!(s.good.uncertain + s.slumped.uncertain, 0, "{son}");
    assert_eq!(s.good.total() + s.slumped.total(), 31, "{son}");
    // The general limit (from the clinical CVA rule) holds side on too.
    let ssb = balanced(&uncalibrated, "ssb").unwrap_or(0.0);
    assert!(
        ssb >= 0.95,
        "without calibration, {} < 0.95\n{uncalibrated}",
        with_counts(&uncalibrated, "ssb")
    );
}
