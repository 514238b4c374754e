//! Close-up frames: the face near the lens, the shoulders cut off. The
//! frontal photos of `ekam-1023` are cropped around the face (located by
//! MediaPipe's reference landmarks) so that the face fills the frame; the
//! pipeline must still find the person (through its face-anchored and
//! zoomed-out rescues) and judge what it sees or say `uncertain`, never
//! `no_person`.
//!
//! `cargo test --test pipeline closeup -- --nocapture` prints each crop's verdict.

use hunch::frame::load_image;
use hunch::landmarks::idx;
use hunch::pose::{Mode, PoseConfig, PoseEstimator, RegionSource};
use hunch::posture::{self, Thresholds, Verdict};
use hunch::testdata;

#[test]
fn a_face_filling_the_frame_is_never_nobody() {
    let Some(dir) = testdata::shared_data_or_skip("close-up frames") else {
        return;
    };
    let reference = testdata::load_reference(&dir).unwrap();
    let labels = testdata::load_labels(&dir).unwrap();
    let mut estimator = PoseEstimator::new(&PoseConfig::default()).unwrap();
    let th = Thresholds::default();
    let (mut judged, mut rescued) = (0, 0);
    // Upright and slumped photos: the head faces the lens. (The head_tilt
    // photos are left out: with the head thrown back, a crop around the nose
    // shows a chin and a neck, not a face.)
    for row in labels.iter().filter(|r| {
        r.subject == "ekam-1023" && ["good", "slouch_forward"].contains(&r.label.as_str())
    }) {
        let key = format!("posture/{}", row.path);
        let Some(pose) = reference.get(&key).and_then(|r| r.pose.clone()) else {
            continue;
        };
        let image = load_image(&dir.join(&key)).unwrap();
        let nose = pose.landmarks[idx::NOSE];
        let (le, re) = (
            pose.landmarks[idx::LEFT_EAR],
            pose.landmarks[idx::RIGHT_EAR],
        );
        // The face's width across the picture.
        let ears = (le.x - re.x).abs();
        // Face widths across the crop: 2.0 leaves the shoulders' tops in, 1.5 and 1.2
        // only the face and chin.
        for k in [2.0f32, 1.5, 1.2] {
            let (w, h) = (ears * k * 1.33, ears * k);
            let x = (nose.x - w / 2.0).max(0.0) as u32;
            let y = (nose.y - h * 0.55).max(0.0) as u32;
            let w = (w as u32).min(image.width() - x);
            let h = (h as u32).min(image.height() - y);
            let crop = image::imageops::crop_imm(&image, x, y, w, h).to_image();
            let found = estimator.estimate(&crop, Mode::Still).unwrap();
            rescued += usize::from(estimator.last_region().is_some_and(|r| {
                matches!(
                    r.1,
                    RegionSource::FaceAnchored | RegionSource::ZoomedOut | RegionSource::WholeFrame
                )
            }));
            let a = posture::judge_pose(found.as_ref(), None, None, &th);
            println!(
                "{} x{k}: {:?} ({:?})",
                row.path,
                a.judgement.verdict,
                estimator.last_region().map(|r| r.1)
            );
            assert_ne!(
                a.judgement.verdict,
                Verdict::NoPerson,
                "{} cropped to {w}x{h} (face {k} widths): nobody found",
                row.path
            );
            judged += 1;
        }
    }
    assert!(judged >= 16, "only {judged} crops");
    // At least one crop is one the detector's regions lose: the rescues are
    // what found it.
    assert!(rescued >= 1, "no crop needed a rescue");
}
