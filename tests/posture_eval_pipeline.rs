//! The whole judgement chain on our own pose pipeline: the labelled sitting
//! photos go through hunch's BlazePose (still mode, default model), then the
//! same per-subject evaluation as `posture_eval` (calibrate on each subject's
//! first three `good` photos, judge the rest, one set of defaults).
//!
//! Run with the table printed:
//! `cargo test --release --test posture_eval_pipeline -- --nocapture`

use std::collections::BTreeMap;

use hunch::frame::load_image;
use hunch::landmarks::Pose;
use hunch::pose::{Mode, PoseConfig, PoseEstimator};
use hunch::posture::Thresholds;
use hunch::posture::eval;
use hunch::testdata;

#[test]
fn labelled_photos_per_subject_with_our_landmarks() {
    let Some(dir) = testdata::shared_data_or_skip("posture evaluation on our own landmarks") else {
        return;
    };
    let labels = testdata::load_labels(&dir).unwrap();
    // The two subjects with targets, plus the chair set; `son`'s labels are
    // doubled in the shared copy (see tests/posture_eval.rs).
    let subjects = ["ssb", "ekam-1023"];
    let labels: Vec<_> = labels
        .into_iter()
        .filter(|r| subjects.contains(&r.subject.as_str()))
        .collect();
    let mut estimator = PoseEstimator::new(&PoseConfig::default()).unwrap();
    let mut poses: BTreeMap<String, Option<Pose>> = BTreeMap::new();
    for row in &labels {
        let image = load_image(&dir.join("posture").join(&row.path)).unwrap();
        let pose = estimator.estimate(&image, Mode::Still).unwrap();
        poses.insert(row.path.clone(), pose);
    }
    let report = eval::evaluate(&poses, &labels, &Thresholds::default());
    println!("{report}");
    for subject in subjects {
        let s = report
            .subject(subject)
            .unwrap_or_else(|| panic!("no result for {subject}"));
        let ba = s
            .balanced_accuracy()
            .unwrap_or_else(|| panic!("no balanced accuracy for {subject}\n{report}"));
        // The figure with the photos it rests on: ekam-1023 has 4 good photos,
        // 3 of them spent on calibration, so its score rests on 5 photos.
        let counts = format!(
            "{subject}: balanced accuracy {ba:.3} on {} good / {} slumped photos",
            s.good.total(),
            s.slumped.total()
        );
        println!("{counts}");
        assert!(ba >= 0.95, "{counts} (our landmarks)\n{report}");
    }
}
