//! The instant judgement of one frame: metrics (and the user's baseline) in,
//! a verdict and the readings behind it out.
//!
//! Each condition is judged from one 3D angle, the same in every view (see
//! [`super::metrics`]): forward head from `forward_head_deg`, rounded
//! shoulders from `rounded_shoulders_deg`, looking down from
//! `head_flexion_deg`. Every signal is a [`Reading`] in degrees with its
//! enter and exit values, and maps linearly onto a common *level*: 1 at the
//! enter value, 0.5 at the exit value. The frame shows the condition when its
//! level reaches 1; the state machine smooths the levels and applies the
//! hysteresis (on at 1, off at 0.5).
//!
//! With a calibration profile each angle is judged by its change from the
//! user's upright baseline (the `--forward-head-deg`, `--rounded-shoulders-deg`
//! and `--looking-down-deg` pairs). Without one, absolute limits derived from
//! the clinical forward-head cut-off and the shared photos apply
//! ([`FORWARD_HEAD_MIN_DEG`], [`ROUNDED_SHOULDERS_MAX_DEG`],
//! [`DEFAULT_HEAD_FLEXION_DEG`]).
//!
//! A frame is `uncertain` only when the forward-head angle could not be
//! measured (ears, shoulders or nose unsure, no world landmarks), never
//! because of the camera's angle. Looking down is reported only when neither
//! slumping condition is on: someone hunched forward and looking down is
//! slumping, and head flexion is measured against the neck, so tilting the
//! whole neck forward does not read as looking down.

use serde::{Deserialize, Serialize};

use super::metrics::Measurement;
use super::profile::Profile;
use super::thresholds::Thresholds;
use super::{Verdict, View};

/// Level at which a condition starts.
pub const ENTER_LEVEL: f64 = 1.0;
/// Level at or below which a condition ends (hysteresis).
pub const EXIT_LEVEL: f64 = 0.5;

/// Without calibration: the forward-head angle below which the head counts as
/// forward, degrees. The clinical rule is a 2D craniovertebral angle (C7 to
/// tragus) under 50 degrees. On the shared side-view photos (`ssb`, 120
/// upright and forward-head photos) this 3D angle follows the 2D side-view
/// angle as `3d = 13.8 + 0.893 * 2d` (MediaPipe's landmarks; 58.4 at 2D 50),
/// and any limit from 55 to 62 sorts those photos exactly as the 2D rule
/// does. Upright sitters in the shared data measure 64 to 83 degrees.
pub const FORWARD_HEAD_MIN_DEG: f64 = 58.0;
/// Without calibration: the forward-head angle above which forward head ends.
pub const FORWARD_HEAD_MIN_EXIT_DEG: f64 = 62.0;
/// Without calibration: the rounded-shoulder angle above which the shoulders
/// count as rounded, degrees. Upright sitters differ a lot (-12 to 16 degrees
/// in the shared photos, by how they sit back in the chair), so the limit sits
/// well above that spread: it catches a deep slump (28 to 54 degrees) only.
pub const ROUNDED_SHOULDERS_MAX_DEG: f64 = 25.0;
/// Without calibration: the rounded-shoulder angle below which rounded
/// shoulders end.
pub const ROUNDED_SHOULDERS_MAX_EXIT_DEG: f64 = 20.0;
/// Without calibration: the head flexion assumed for an upright sitter
/// looking at a screen, degrees (the shared upright photos measure -9 to 0
/// as medians per person); looking down is judged as a rise above it.
pub const DEFAULT_HEAD_FLEXION_DEG: f64 = 0.0;

/// Unit of a reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Deg,
    /// Percent change from the baseline.
    Pct,
    Cm,
}

/// One signal in display units: the value now, the user's baseline, and the
/// values at which the condition starts (`enter`) and ends (`exit`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub value: f64,
    /// `None` when judged against an absolute threshold (no calibration).
    pub baseline: Option<f64>,
    pub enter: f64,
    pub exit: f64,
    pub unit: Unit,
}

impl Reading {
    /// The level of this reading (1 at `enter`, 0.5 at `exit`, linear), or
    /// `None` when it cannot be computed (non-finite values).
    pub fn level(&self) -> Option<f64> {
        let span = self.enter - self.exit;
        let l = EXIT_LEVEL + (ENTER_LEVEL - EXIT_LEVEL) * (self.value - self.exit) / span;
        l.is_finite().then_some(l)
    }

    /// True when the value is past the enter value.
    pub fn entered(&self) -> bool {
        self.level().is_some_and(|l| l >= ENTER_LEVEL)
    }
}

/// A condition's level per frame (see the module docs); `None` when the
/// condition could not be judged in this frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    pub forward_head: Option<f64>,
    pub rounded_shoulders: Option<f64>,
    pub looking_down: Option<f64>,
}

/// Why a frame is `uncertain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UncertainReason {
    /// The landmarks the judgement needs are hidden, unsure or not numbers.
    LandmarksUnsure,
}

impl UncertainReason {
    /// The reason in words, for the window and the terminal.
    pub fn message(self) -> &'static str {
        match self {
            UncertainReason::LandmarksUnsure => "head and shoulders not clearly seen",
        }
    }
}

/// The judgement of one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub verdict: Verdict,
    /// The view the camera sees the user in (for information: the rules are
    /// the same in every view).
    pub view: View,
    /// Set when `verdict` is `uncertain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<UncertainReason>,
    pub levels: Levels,
    /// The forward-head reading: `forward_head_deg`, lower is worse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_head: Option<Reading>,
    /// The rounded-shoulders reading: `rounded_shoulders_deg`, higher is worse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounded_shoulders: Option<Reading>,
    /// The looking-down reading: `head_flexion_deg`, higher is worse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub looking_down: Option<Reading>,
}

impl Judgement {
    /// A judgement for a frame without a person.
    pub fn no_person(view: View) -> Judgement {
        Judgement {
            verdict: Verdict::NoPerson,
            view,
            reason: None,
            levels: Levels::default(),
            forward_head: None,
            rounded_shoulders: None,
            looking_down: None,
        }
    }

    fn uncertain(view: View, reason: UncertainReason) -> Judgement {
        Judgement {
            verdict: Verdict::Uncertain,
            reason: Some(reason),
            ..Judgement::no_person(view)
        }
    }

    /// True when the verdict counts towards a stretch prompt.
    pub fn is_slumped(&self) -> bool {
        matches!(
            self.verdict,
            Verdict::ForwardHead | Verdict::RoundedShoulders | Verdict::Slouch
        )
    }
}

/// Higher-is-worse reading at `value` against `base + enter` / `base + exit`.
fn rising(value: f64, base: f64, enter: f64, exit: f64) -> Reading {
    Reading {
        value,
        baseline: Some(base),
        enter: base + enter,
        exit: base + exit,
        unit: Unit::Deg,
    }
}

/// Lower-is-worse reading at `value` against `base - enter` / `base - exit`.
fn falling(value: f64, base: f64, enter: f64, exit: f64) -> Reading {
    Reading {
        value,
        baseline: Some(base),
        enter: base - enter,
        exit: base - exit,
        unit: Unit::Deg,
    }
}

/// A reading against absolute limits (no baseline).
fn absolute(value: f64, enter: f64, exit: f64) -> Reading {
    Reading {
        value,
        baseline: None,
        enter,
        exit,
        unit: Unit::Deg,
    }
}

/// Judges one measurement against the profile (if any) and the thresholds.
///
/// The same rules in every view. Per angle: against the profile's baseline
/// when the profile has one (`--*-deg` change from it), else against the
/// absolute limits of the module docs. `uncertain` only when the
/// forward-head angle is missing.
pub fn judge(m: &Measurement, profile: Option<&Profile>, th: &Thresholds) -> Judgement {
    let view = m.view;
    let metrics = &m.metrics;
    let base = profile.map(|p| &p.baseline);
    let finite = |v: Option<f64>| v.filter(|v| v.is_finite());
    let Some(fh_deg) = finite(metrics.forward_head_deg) else {
        return Judgement::uncertain(view, UncertainReason::LandmarksUnsure);
    };
    let fh = match base.and_then(|b| finite(b.forward_head_deg)) {
        Some(b) => falling(fh_deg, b, th.forward_head_deg, th.forward_head_exit_deg),
        None => absolute(fh_deg, FORWARD_HEAD_MIN_DEG, FORWARD_HEAD_MIN_EXIT_DEG),
    };
    let rs = finite(metrics.rounded_shoulders_deg).map(|v| {
        match base.and_then(|b| finite(b.rounded_shoulders_deg)) {
            Some(b) => rising(
                v,
                b,
                th.rounded_shoulders_deg,
                th.rounded_shoulders_exit_deg,
            ),
            None => absolute(v, ROUNDED_SHOULDERS_MAX_DEG, ROUNDED_SHOULDERS_MAX_EXIT_DEG),
        }
    });
    let ld = finite(metrics.head_flexion_deg).map(|v| {
        let b = base
            .and_then(|b| finite(b.head_flexion_deg))
            .unwrap_or(DEFAULT_HEAD_FLEXION_DEG);
        rising(v, b, th.looking_down_deg, th.looking_down_exit_deg)
    });
    let levels = Levels {
        forward_head: fh.level(),
        rounded_shoulders: rs.and_then(|r| r.level()),
        looking_down: ld.and_then(|r| r.level()),
    };
    decide(view, levels, Some(fh), rs, ld)
}

/// The verdict from the levels: slumping first (forward head and rounded
/// shoulders together make a slouch), then looking down, else good.
fn decide(
    view: View,
    levels: Levels,
    forward_head: Option<Reading>,
    rounded_shoulders: Option<Reading>,
    looking_down: Option<Reading>,
) -> Judgement {
    let on = |l: Option<f64>| l.is_some_and(|l| l >= ENTER_LEVEL);
    let verdict = match (
        on(levels.forward_head),
        on(levels.rounded_shoulders),
        on(levels.looking_down),
    ) {
        (true, true, _) => Verdict::Slouch,
        (true, false, _) => Verdict::ForwardHead,
        (false, true, _) => Verdict::RoundedShoulders,
        (false, false, true) => Verdict::LookingDown,
        (false, false, false) => Verdict::Good,
    };
    if levels.forward_head.is_none() {
        return Judgement::uncertain(view, UncertainReason::LandmarksUnsure);
    }
    Judgement {
        verdict,
        view,
        reason: None,
        levels,
        forward_head,
        rounded_shoulders,
        looking_down,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::idx;
    use crate::posture::measure;
    use crate::posture::metrics::tests::{front_pose, side_pose};

    fn side_profile() -> Profile {
        let ms: Vec<_> = (0..5)
            .map(|i| measure(&side_pose(71.0 + f64::from(i) * 0.2, 2.0, 20.0), None))
            .collect();
        Profile::calibrate(&ms, 0.0).unwrap_or_else(|e| panic!("{e}"))
    }

    fn front_profile() -> Profile {
        let ms: Vec<_> = (0..5)
            .map(|_| measure(&front_pose(120.0, 0.04, 6.0), None))
            .collect();
        Profile::calibrate(&ms, 0.0).unwrap_or_else(|e| panic!("{e}"))
    }

    fn verdict(m: &Measurement, p: Option<&Profile>) -> Verdict {
        judge(m, p, &Thresholds::default()).verdict
    }

    /// The pose turned by `deg` about the vertical axis (world landmarks
    /// only: the judgement reads the world landmarks).
    fn yawed(mut p: crate::landmarks::Pose, deg: f32) -> crate::landmarks::Pose {
        let (s, c) = deg.to_radians().sin_cos();
        for w in p.world.iter_mut() {
            *w = [w[0] * c + w[2] * s, w[1], -w[0] * s + w[2] * c];
        }
        p
    }

    #[test]
    fn reading_levels_are_one_at_enter_and_half_at_exit() {
        let r = falling(57.0, 65.0, 8.0, 5.0);
        assert_eq!(r.enter, 57.0);
        assert!((r.level().unwrap_or(0.0) - 1.0).abs() < 1e-12);
        let r = falling(60.0, 65.0, 8.0, 5.0);
        assert!((r.level().unwrap_or(0.0) - 0.5).abs() < 1e-12);
        let r = rising(30.0, 20.0, 15.0, 10.0);
        assert!((r.level().unwrap_or(0.0) - 0.5).abs() < 1e-12);
        assert!(!r.entered());
    }

    #[test]
    fn side_view_against_a_profile() {
        let p = side_profile();
        let th = Thresholds::default();
        let j = judge(&measure(&side_pose(69.0, 3.0, 20.0), None), Some(&p), &th);
        assert_eq!(j.verdict, Verdict::Good);
        let fh = j.forward_head.unwrap_or_else(|| panic!("no reading"));
        assert_eq!(fh.unit, Unit::Deg);
        assert!((fh.baseline.unwrap_or(0.0) - 71.4).abs() < 0.05, "{fh:?}");
        assert!((fh.enter - 61.4).abs() < 0.05, "{fh:?}");
        let rs = j.rounded_shoulders.unwrap_or_else(|| panic!("no reading"));
        assert!((rs.baseline.unwrap_or(0.0) - 2.0).abs() < 0.05, "{rs:?}");
        assert_eq!(
            verdict(&measure(&side_pose(58.0, 2.0, 33.0), None), Some(&p)),
            Verdict::ForwardHead
        );
        assert_eq!(
            verdict(&measure(&side_pose(70.0, 15.0, 21.0), None), Some(&p)),
            Verdict::RoundedShoulders
        );
        assert_eq!(
            verdict(&measure(&side_pose(52.0, 16.0, 40.0), None), Some(&p)),
            Verdict::Slouch
        );
    }

    #[test]
    fn looking_down_is_the_head_tipping_on_a_still_neck() {
        let p = side_profile();
        // The head pitches 20 degrees down while the ear stays above the shoulder.
        let j = judge(
            &measure(&side_pose(71.0, 2.0, 40.0), None),
            Some(&p),
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::LookingDown);
        assert!(!j.is_slumped());
        // The same pitch from the whole neck tipping forward is forward head.
        assert_eq!(
            verdict(&measure(&side_pose(51.0, 2.0, 40.0), None), Some(&p)),
            Verdict::ForwardHead
        );
        // Hunched and looking down too: slumping, not looking down.
        assert_eq!(
            verdict(&measure(&side_pose(51.0, 16.0, 60.0), None), Some(&p)),
            Verdict::Slouch
        );
    }

    #[test]
    fn without_a_profile_absolute_limits_apply_in_every_view() {
        let j = judge(
            &measure(&side_pose(50.0, 3.0, 20.0), None),
            None,
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::ForwardHead);
        let fh = j.forward_head.unwrap_or_else(|| panic!("no reading"));
        assert_eq!((fh.baseline, fh.enter), (None, FORWARD_HEAD_MIN_DEG));
        assert_eq!(
            verdict(&measure(&side_pose(70.0, 3.0, 20.0), None), None),
            Verdict::Good
        );
        assert_eq!(
            verdict(&measure(&side_pose(70.0, 30.0, 20.0), None), None),
            Verdict::RoundedShoulders
        );
        // Front view needs no calibration any more.
        let m = measure(&front_pose(120.0, 0.04, 6.0), None);
        assert_eq!(m.view, View::Front);
        assert_eq!(verdict(&m, None), Verdict::Good);
        // Ears 20 cm ahead of the shoulders, 24 cm above: 50 degrees.
        assert_eq!(
            verdict(&measure(&front_pose(120.0, 0.2, 6.0), None), None),
            Verdict::ForwardHead
        );
    }

    #[test]
    fn front_view_forward_head_from_the_3d_angle() {
        let p = front_profile();
        assert_eq!(
            verdict(&measure(&front_pose(118.0, 0.05, 6.0), None), Some(&p)),
            Verdict::Good
        );
        // Ears 11 cm further ahead: the angle drops from 80.5 to 58.
        let j = judge(
            &measure(&front_pose(120.0, 0.15, 6.0), None),
            Some(&p),
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::ForwardHead);
        let fh = j.forward_head.unwrap_or_else(|| panic!("no reading"));
        assert_eq!(fh.unit, Unit::Deg);
        assert!(
            (fh.value - 0.24f64.atan2(0.15).to_degrees()).abs() < 0.01,
            "{fh:?}"
        );
    }

    #[test]
    fn front_view_looking_down_keeps_the_head_in_place() {
        let p = front_profile();
        // The nose drops 40 px (8 cm) below the ear line; the ears stay put.
        let j = judge(
            &measure(&front_pose(120.0, 0.04, 46.0), None),
            Some(&p),
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::LookingDown, "{j:?}");
    }

    #[test]
    fn oblique_views_are_judged_like_any_other() {
        let p = front_profile();
        for deg in [35.0, 45.0, -40.0] {
            let m = measure(&yawed(front_pose(120.0, 0.05, 6.0), deg), None);
            assert_eq!(m.view, View::Oblique, "{deg}");
            assert_eq!(verdict(&m, Some(&p)), Verdict::Good, "{deg}");
            let m = measure(&yawed(front_pose(120.0, 0.15, 6.0), deg), None);
            assert_eq!(verdict(&m, Some(&p)), Verdict::ForwardHead, "{deg}");
            // A face turned 40 degrees (towards the camera) is not looking down.
            let mut turned = yawed(front_pose(120.0, 0.05, 6.0), deg);
            let (l, r) = (turned.world[idx::LEFT_EAR], turned.world[idx::RIGHT_EAR]);
            let (mx, mz) = ((l[0] + r[0]) / 2.0, (l[2] + r[2]) / 2.0);
            let (s, c) = 40f32.to_radians().sin_cos();
            let nose = turned.world[idx::NOSE];
            let (dx, dz) = (nose[0] - mx, nose[2] - mz);
            turned.world[idx::NOSE] = [mx + dx * c - dz * s, nose[1], mz + dx * s + dz * c];
            let j = judge(&measure(&turned, None), Some(&p), &Thresholds::default());
            assert_ne!(j.verdict, Verdict::LookingDown, "{deg}: {j:?}");
        }
        // Calibrated side on, judged from the front: still the same rules.
        let side = side_profile();
        let m = measure(&front_pose(120.0, 0.04, 6.0), None);
        assert_ne!(verdict(&m, Some(&side)), Verdict::Uncertain);
    }

    #[test]
    fn unsure_ears_are_uncertain() {
        let p = side_profile();
        let mut pose = side_pose(64.0, -1.0, 22.0);
        pose.landmarks[idx::LEFT_EAR].visibility = 0.1;
        pose.landmarks[idx::RIGHT_EAR].visibility = 0.1;
        let j = judge(&measure(&pose, None), Some(&p), &Thresholds::default());
        assert_eq!(j.verdict, Verdict::Uncertain);
        assert_eq!(j.reason, Some(UncertainReason::LandmarksUnsure));
    }

    #[test]
    fn judgement_serialises_in_snake_case() {
        let j = judge(
            &measure(&side_pose(45.0, 3.0, 20.0), None),
            None,
            &Thresholds::default(),
        );
        let s = serde_json::to_string(&j).unwrap_or_default();
        assert!(s.contains("\"verdict\":\"forward_head\""), "{s}");
        assert!(s.contains("\"unit\":\"deg\""), "{s}");
    }
}
