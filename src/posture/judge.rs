//! The instant judgement of one frame: metrics (and the user's baseline) in,
//! a verdict and the readings behind it out.
//!
//! Each condition (forward head, rounded shoulders, looking down) is judged
//! from one or more signals. Every signal is a [`Reading`] in display units
//! with its enter and exit values, and maps linearly onto a common *level*:
//! 1 at the enter value, 0.5 at the exit value (so it is 0 about as far on
//! the good side of the exit as the exit is from the enter). A condition's
//! level is the highest level of its signals; the frame shows the condition
//! when it reaches 1. The state machine smooths the levels and applies the
//! hysteresis (on at 1, off at 0.5).
//!
//! Rules: a side-view judgement needs the CVA (ear and shoulder of the side
//! nearer the camera, plus the nose to tell which way the face points); a
//! front-view judgement needs the ear height (both ears and shoulders), the
//! head pitch (the nose) and a calibration profile. Rounded
//! shoulders and looking down are judged where their landmarks are seen and
//! otherwise left out (`None` level). Looking down is reported only when the
//! head and shoulders have stayed put: it never counts as slumping.

use serde::{Deserialize, Serialize};

use super::metrics::{Measurement, Metrics};
use super::profile::Profile;
use super::thresholds::Thresholds;
use super::{Verdict, View};

/// Level at which a condition starts.
pub const ENTER_LEVEL: f64 = 1.0;
/// Level at or below which a condition ends (hysteresis).
pub const EXIT_LEVEL: f64 = 0.5;

/// Side view without a profile: the trunk lean assumed for an upright
/// sitter, degrees (typing upright leans a few degrees forward).
pub const DEFAULT_TRUNK_LEAN_DEG: f64 = 5.0;
/// Side view without a profile: the ear-to-nose pitch assumed for someone
/// looking at a screen, degrees (upright sitters in the shared side-view
/// photos measure 9 to 24 degrees).
pub const DEFAULT_SIDE_PITCH_DEG: f64 = 20.0;

/// Largest difference of body yaw from the profile's (degrees) for which the
/// front-view ratios stay comparable; past it the view has changed.
pub const MAX_YAW_CHANGE_DEG: f64 = 20.0;

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
    /// `None` when judged against an absolute (clinical) threshold.
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
    /// Front and oblique views are judged only against a calibration.
    NeedsCalibration,
    /// The view differs from the one the profile was calibrated in.
    ViewChanged,
    /// The profile lacks the baseline this view's judgement needs.
    ProfileIncomplete,
}

impl UncertainReason {
    /// The reason in words, for the window and the terminal.
    pub fn message(self) -> &'static str {
        match self {
            UncertainReason::LandmarksUnsure => "head and shoulders not clearly seen",
            UncertainReason::NeedsCalibration => {
                "front view needs calibration: sit upright and run hunch calibrate"
            }
            UncertainReason::ViewChanged => "the camera view differs from the calibration",
            UncertainReason::ProfileIncomplete => {
                "the profile lacks this view's baseline: run hunch calibrate again"
            }
        }
    }
}

/// The judgement of one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub verdict: Verdict,
    /// The view whose rules were applied (the profile's when there is one).
    pub view: View,
    /// Set when `verdict` is `uncertain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<UncertainReason>,
    pub levels: Levels,
    /// The main forward-head reading, for a gauge: side view, CVA in degrees;
    /// front view, ear height as percent change from the baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_head: Option<Reading>,
    /// The main rounded-shoulders reading: side view, trunk lean in degrees;
    /// front view, shoulder width over ear width as percent change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounded_shoulders: Option<Reading>,
    /// The looking-down reading: head pitch in degrees.
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
fn rising(value: f64, base: f64, enter: f64, exit: f64, unit: Unit) -> Reading {
    Reading {
        value,
        baseline: Some(base),
        enter: base + enter,
        exit: base + exit,
        unit,
    }
}

/// Lower-is-worse reading at `value` against `base - enter` / `base - exit`.
fn falling(value: f64, base: f64, enter: f64, exit: f64, unit: Unit) -> Reading {
    Reading {
        value,
        baseline: Some(base),
        enter: base - enter,
        exit: base - exit,
        unit,
    }
}

/// Percent change of `value` from `base`; `None` for a baseline that cannot
/// be divided by (zero, negative or not a number).
fn pct_change(value: f64, base: f64) -> Option<f64> {
    (base.is_finite() && base > 1e-6 && value.is_finite()).then(|| (value / base - 1.0) * 100.0)
}

/// Highest level of the readings that have one.
fn max_level(readings: &[Option<Reading>]) -> Option<f64> {
    readings
        .iter()
        .flatten()
        .filter_map(Reading::level)
        .reduce(f64::max)
}

/// Judges one measurement against the profile (if any) and the thresholds.
///
/// Without a profile, side view uses absolute thresholds (`cva_min_deg`, a
/// default trunk lean and head pitch); front and oblique views give
/// `uncertain` with [`UncertainReason::NeedsCalibration`]. With a profile,
/// the profile's view decides the rules; a measurement whose view does not
/// fit it gives `uncertain` with [`UncertainReason::ViewChanged`].
pub fn judge(m: &Measurement, profile: Option<&Profile>, th: &Thresholds) -> Judgement {
    let view = profile.map_or(m.view, |p| p.view);
    if let Some(p) = profile
        && !view_fits(m, p)
    {
        return Judgement::uncertain(view, UncertainReason::ViewChanged);
    }
    let base = profile.map(|p| &p.baseline);
    match view {
        View::Side => judge_side(&m.metrics, base, th),
        View::Front | View::Oblique => match base {
            Some(b) => judge_front(&m.metrics, b, view, th),
            None => Judgement::uncertain(view, UncertainReason::NeedsCalibration),
        },
    }
}

/// Does the measurement's view fit the profile's? A forced view always does;
/// otherwise the detected view must match, with some slack between front and
/// oblique when the body yaw stays close to the calibrated one.
fn view_fits(m: &Measurement, p: &Profile) -> bool {
    if m.view_forced || m.view == p.view {
        return true;
    }
    let near_yaw = match (m.metrics.body_yaw_deg, p.baseline.body_yaw_deg) {
        (Some(a), Some(b)) => (a - b).abs() <= MAX_YAW_CHANGE_DEG,
        _ => false,
    };
    // Side rules need the side metrics, front rules the front ones; an
    // oblique measurement carries both.
    near_yaw
        && match p.view {
            View::Side => m.view == View::Oblique,
            View::Front | View::Oblique => m.view != View::Side,
        }
}

fn judge_side(m: &Metrics, base: Option<&Metrics>, th: &Thresholds) -> Judgement {
    let Some(cva) = m.cva_deg else {
        return Judgement::uncertain(View::Side, UncertainReason::LandmarksUnsure);
    };
    let fh = match base {
        Some(b) => match b.cva_deg {
            Some(bc) => falling(
                cva,
                bc,
                th.forward_head_deg,
                th.forward_head_exit_deg,
                Unit::Deg,
            ),
            None => {
                return Judgement::uncertain(View::Side, UncertainReason::ProfileIncomplete);
            }
        },
        None => Reading {
            value: cva,
            baseline: None,
            enter: th.cva_min_deg,
            exit: th.cva_exit_deg,
            unit: Unit::Deg,
        },
    };
    let (lean_base, pitch_base) = match base {
        Some(b) => (b.trunk_lean_deg, b.head_pitch_deg),
        None => (Some(DEFAULT_TRUNK_LEAN_DEG), Some(DEFAULT_SIDE_PITCH_DEG)),
    };
    let lean = m.trunk_lean_deg.zip(lean_base).map(|(v, b)| {
        rising(
            v,
            b,
            th.rounded_shoulders_deg,
            th.rounded_shoulders_exit_deg,
            Unit::Deg,
        )
    });
    // The shoulder's lead over the plumb line has no population norm: it is
    // judged only against the user's own baseline.
    let ahead = m
        .shoulder_ahead_pct
        .zip(base.and_then(|b| b.shoulder_ahead_pct))
        .map(|(v, b)| {
            rising(
                v,
                b,
                th.shoulder_ahead_pct,
                th.shoulder_ahead_exit_pct,
                Unit::Pct,
            )
        });
    let pitch = m.head_pitch_deg.zip(pitch_base).map(|(v, b)| {
        rising(
            v,
            b,
            th.looking_down_deg,
            th.looking_down_exit_deg,
            Unit::Deg,
        )
    });
    let levels = Levels {
        forward_head: fh.level(),
        rounded_shoulders: max_level(&[lean, ahead]),
        looking_down: pitch.and_then(|p| p.level()),
    };
    decide(View::Side, levels, Some(fh), lean.or(ahead), pitch)
}

fn judge_front(m: &Metrics, b: &Metrics, view: View, th: &Thresholds) -> Judgement {
    let (Some(eh), Some(beh)) = (m.ear_height_ratio, b.ear_height_ratio) else {
        let reason = if m.ear_height_ratio.is_none() {
            UncertainReason::LandmarksUnsure
        } else {
            UncertainReason::ProfileIncomplete
        };
        return Judgement::uncertain(view, reason);
    };
    // The nose tells looking down from slumping: without it no verdict.
    if m.head_pitch_deg.is_none() {
        return Judgement::uncertain(view, UncertainReason::LandmarksUnsure);
    }
    let Some(drop) = pct_change(eh, beh) else {
        return Judgement::uncertain(view, UncertainReason::ProfileIncomplete);
    };
    let fh = falling(
        drop,
        0.0,
        th.forward_head_pct,
        th.forward_head_exit_pct,
        Unit::Pct,
    );
    let depth = m
        .head_forward_cm
        .zip(b.head_forward_cm)
        .map(|(v, bb)| rising(v, bb, th.head_forward_cm, th.head_forward_exit_cm, Unit::Cm));
    // Shoulder width over ear width is the reciprocal of head_width_ratio,
    // so its percent change is base / value - 1.
    let narrowing = m
        .head_width_ratio
        .zip(b.head_width_ratio)
        .and_then(|(v, bb)| pct_change(bb, v))
        .map(|pct| {
            falling(
                pct,
                0.0,
                th.rounded_shoulders_pct,
                th.rounded_shoulders_exit_pct,
                Unit::Pct,
            )
        });
    let shoulders_ahead = m
        .shoulder_forward_cm
        .zip(b.shoulder_forward_cm)
        .map(|(v, bb)| {
            rising(
                v,
                bb,
                th.shoulder_forward_cm,
                th.shoulder_forward_exit_cm,
                Unit::Cm,
            )
        });
    let pitch = m.head_pitch_deg.zip(b.head_pitch_deg).map(|(v, bb)| {
        rising(
            v,
            bb,
            th.looking_down_deg,
            th.looking_down_exit_deg,
            Unit::Deg,
        )
    });
    let levels = Levels {
        forward_head: max_level(&[Some(fh), depth]),
        rounded_shoulders: max_level(&[narrowing, shoulders_ahead]),
        looking_down: pitch.and_then(|p| p.level()),
    };
    decide(view, levels, Some(fh), narrowing.or(shoulders_ahead), pitch)
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
    use crate::posture::measure;
    use crate::posture::metrics::tests::{front_pose, side_pose};

    fn side_profile() -> Profile {
        let ms: Vec<_> = (0..5)
            .map(|i| measure(&side_pose(65.0 + f64::from(i) * 0.2, -2.0, 20.0), None))
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

    #[test]
    fn reading_levels_are_one_at_enter_and_half_at_exit() {
        let r = falling(57.0, 65.0, 8.0, 5.0, Unit::Deg);
        assert_eq!(r.enter, 57.0);
        assert!((r.level().unwrap_or(0.0) - 1.0).abs() < 1e-12);
        let r = falling(60.0, 65.0, 8.0, 5.0, Unit::Deg);
        assert!((r.level().unwrap_or(0.0) - 0.5).abs() < 1e-12);
        let r = rising(30.0, 20.0, 15.0, 10.0, Unit::Deg);
        assert!((r.level().unwrap_or(0.0) - 0.5).abs() < 1e-12);
        assert!(!r.entered());
    }

    #[test]
    fn side_view_against_a_profile() {
        let p = side_profile();
        let th = Thresholds::default();
        let j = judge(&measure(&side_pose(64.0, -1.0, 22.0), None), Some(&p), &th);
        assert_eq!(j.verdict, Verdict::Good);
        let fh = j.forward_head.unwrap_or_else(|| panic!("no reading"));
        assert_eq!(fh.unit, Unit::Deg);
        assert!((fh.baseline.unwrap_or(0.0) - 65.4).abs() < 1e-3);
        assert!((fh.enter - 57.4).abs() < 1e-3);
        assert_eq!(
            verdict(&measure(&side_pose(55.0, -1.0, 22.0), None), Some(&p)),
            Verdict::ForwardHead
        );
        assert_eq!(
            verdict(&measure(&side_pose(64.0, 12.0, 22.0), None), Some(&p)),
            Verdict::RoundedShoulders
        );
        assert_eq!(
            verdict(&measure(&side_pose(50.0, 15.0, 40.0), None), Some(&p)),
            Verdict::Slouch
        );
    }

    #[test]
    fn side_view_looking_down_is_not_slumping() {
        let p = side_profile();
        // The head pitches 25 degrees down while the ear stays above the shoulder.
        let j = judge(
            &measure(&side_pose(64.0, -2.0, 45.0), None),
            Some(&p),
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::LookingDown);
        assert!(!j.is_slumped());
    }

    #[test]
    fn side_view_without_a_profile_uses_the_clinical_cut_off() {
        let j = judge(
            &measure(&side_pose(45.0, 3.0, 20.0), None),
            None,
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::ForwardHead);
        let fh = j.forward_head.unwrap_or_else(|| panic!("no reading"));
        assert_eq!((fh.baseline, fh.enter), (None, 50.0));
        assert_eq!(
            verdict(&measure(&side_pose(60.0, 3.0, 20.0), None), None),
            Verdict::Good
        );
    }

    #[test]
    fn front_view_needs_calibration() {
        let j = judge(
            &measure(&front_pose(120.0, 0.04, 6.0), None),
            None,
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::Uncertain);
        assert_eq!(j.reason, Some(UncertainReason::NeedsCalibration));
    }

    #[test]
    fn front_view_forward_head_from_ear_drop() {
        let p = front_profile();
        assert_eq!(
            verdict(&measure(&front_pose(115.0, 0.04, 6.0), None), Some(&p)),
            Verdict::Good
        );
        // 120 -> 95 px: ear height falls 21 percent.
        let j = judge(
            &measure(&front_pose(95.0, 0.04, 6.0), None),
            Some(&p),
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::ForwardHead);
        let fh = j.forward_head.unwrap_or_else(|| panic!("no reading"));
        assert_eq!(fh.unit, Unit::Pct);
        assert!((fh.value + 100.0 * 25.0 / 120.0).abs() < 1e-6);
        assert_eq!((fh.baseline, fh.enter), (Some(0.0), -15.0));
    }

    #[test]
    fn front_view_forward_head_from_depth_alone() {
        let p = front_profile();
        // Ears 7 cm further ahead of the shoulders than at calibration.
        assert_eq!(
            verdict(&measure(&front_pose(118.0, 0.11, 6.0), None), Some(&p)),
            Verdict::ForwardHead
        );
    }

    #[test]
    fn front_view_looking_down_keeps_the_head_in_place() {
        let p = front_profile();
        // Nose drops 30 px below the ear line; ears stay at their height.
        let j = judge(
            &measure(&front_pose(117.0, 0.045, 36.0), None),
            Some(&p),
            &Thresholds::default(),
        );
        assert_eq!(j.verdict, Verdict::LookingDown, "{j:?}");
        // The same pitch with the head dropped forward is forward head.
        assert_eq!(
            verdict(&measure(&front_pose(90.0, 0.045, 36.0), None), Some(&p)),
            Verdict::ForwardHead
        );
    }

    #[test]
    fn front_view_rounded_shoulders_from_narrowing() {
        let p = front_profile();
        let mut pose = front_pose(120.0, 0.04, 6.0);
        // Shoulders 200 -> 160 px wide around the same centre; ear height
        // kept at 0.6 shoulder widths so only the width changes.
        pose.landmarks[crate::landmarks::idx::LEFT_SHOULDER].x = 400.0;
        pose.landmarks[crate::landmarks::idx::RIGHT_SHOULDER].x = 240.0;
        for i in [
            crate::landmarks::idx::LEFT_EAR,
            crate::landmarks::idx::RIGHT_EAR,
        ] {
            pose.landmarks[i].y = 300.0 - 96.0;
        }
        pose.landmarks[crate::landmarks::idx::NOSE].y = 300.0 - 90.0;
        assert_eq!(
            verdict(&measure(&pose, None), Some(&p)),
            Verdict::RoundedShoulders
        );
    }

    #[test]
    fn a_different_view_than_calibrated_is_uncertain() {
        let p = front_profile();
        let j = judge(
            &measure(&side_pose(65.0, 0.0, 20.0), None),
            Some(&p),
            &Thresholds::default(),
        );
        assert_eq!(j.reason, Some(UncertainReason::ViewChanged));
        // Forcing the view is the user's call.
        let m = measure(&front_pose(118.0, 0.04, 6.0), Some(View::Front));
        assert_eq!(verdict(&m, Some(&p)), Verdict::Good);
    }

    #[test]
    fn unsure_ears_are_uncertain() {
        let p = side_profile();
        let mut pose = side_pose(64.0, -1.0, 22.0);
        pose.landmarks[crate::landmarks::idx::LEFT_EAR].visibility = 0.1;
        pose.landmarks[crate::landmarks::idx::RIGHT_EAR].visibility = 0.1;
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
