//! What each camera-checked stretch looks like in the measurements.
//!
//! Every detector turns the smoothed [`Measures`] of a frame and the person's
//! start [`Baseline`] into a reading in units of the *nominal movement* (0 =
//! start position, 1 = the movement below), which a [`RepCounter`] (or, for
//! Brügger's hold, a [`HoldTimer`]) follows with hysteresis: a rep starts at
//! 0.6 and ends below 0.25. The nominal movements are deliberately smaller
//! than a full stretch, so a real rep clears them comfortably.
//!
//! [`RepCounter`]: super::reps::RepCounter
//! [`HoldTimer`]: super::reps::HoldTimer

use crate::posture::View;

use super::measure::{Baseline, Measures};
use super::reps::Sample;

/// Chin tuck, front view: the head looks this much smaller against the
/// shoulders (head width / shoulder width falls 5 %, about 3 cm back at
/// laptop distance)...
pub const CHIN_TUCK_FRONT_SHRINK: f32 = 0.05;
/// ...and, together, the ears rise this far over the shoulders (shoulder widths).
pub const CHIN_TUCK_FRONT_RISE: f32 = 0.04;
/// Chin tuck, side view: the ears move this far back over the shoulders
/// (shoulder widths, about 3 cm).
pub const CHIN_TUCK_SIDE_BACK: f32 = 0.08;
/// The nose dropping this much against the ears (scale units) is a nod, not a tuck.
pub const NOD_LIMIT: f32 = 0.06;
/// Side view: the ears dropping this much towards the shoulders is a slump, not a tuck.
pub const HEAD_DROP_LIMIT: f32 = 0.05;
/// Shrug: shoulders rise this far (shoulder widths, about 4 cm) towards the ears.
pub const SHRUG_LIFT: f32 = 0.10;
/// Wall angels: both wrists this far above the ears (shoulder widths) = a full Y.
/// 0.6 of it (0.45) is above the top of the head.
pub const WALL_ANGEL_TOP: f32 = 0.75;
/// Wall angels, front view: each elbow at least this far from the body's
/// midline (0.5 = over its shoulder) counts as "elbows out".
pub const ELBOW_OUT_MIN: f32 = 0.5;
/// Thoracic extension, front view: shoulder width and head width both shrink
/// by this fraction (leaning back about 8 cm at laptop distance).
pub const THORACIC_FRONT_SHRINK: f32 = 0.15;
/// Thoracic extension, side view: shoulders and ears both move this far back
/// (shoulder widths, about 9 cm).
pub const THORACIC_SIDE_BACK: f32 = 0.25;
/// Brügger's hold: leaning towards the camera by this fraction (front) or
/// shoulders this far forward (side, shoulder widths) breaks the position.
pub const BRUEGGER_FORWARD_LIMIT: f32 = 0.04;

/// Rotational stretch: the shoulder line turned at least this far (degrees,
/// about the vertical, against the start) is in position. Seated trunk
/// rotation reaches about 45 degrees (thoracolumbar rotation 0–45, Norkin &
/// White after the AAOS); a gentle twist towards the back hand clears 20 with
/// room, and glancing round at the room (head only) does not turn the shoulders.
pub const ROTATION_IN_DEG: f32 = 20.0;
/// ...and stays in position down to this.
pub const ROTATION_KEEP_DEG: f32 = 14.0;
/// Neck rolls: the head (nose) must be at least this far (shoulder widths)
/// from the centre of its recent path for its angle to count, so a still
/// head's jitter never turns circles.
pub const NECK_ROLL_MIN_RADIUS: f32 = 0.06;

/// Pixels from the ears down to the shoulders.
fn gap_px(m: &Measures) -> f32 {
    m.shoulder_y - m.ear_y
}

/// Pixels the ears are ahead of the shoulders (side view), measured square to
/// the trunk (hips to shoulders) when the start position had the hips in view,
/// else square to the vertical, so leaning the whole body back is not a tuck.
/// A frame without hips borrows the start's trunk direction.
fn fwd_px(m: &Measures, b: &Baseline) -> f32 {
    let bt = b.m.trunk;
    let up = if !(bt[0].is_finite() && bt[1].is_finite()) {
        [0.0, -1.0]
    } else if m.trunk[0].is_finite() && m.trunk[1].is_finite() {
        m.trunk
    } else {
        bt
    };
    // Forward, square to `up`: (−up.y, up.x) points to +x for an upright trunk.
    let fwd = [-up[1] * b.facing, up[0] * b.facing];
    (m.ear_x - m.shoulder_x) * fwd[0] + (m.ear_y - m.shoulder_y) * fwd[1]
}

/// One frame read by a detector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// `None` when this frame cannot be judged (e.g. hands out of view).
    pub sample: Option<Sample>,
    /// Why the frame cannot be judged, or what is wrong with the form.
    pub hint: Option<&'static str>,
}

impl Reading {
    fn value(v: f32) -> Self {
        Reading {
            sample: v.is_finite().then_some(Sample::same(v)),
            hint: None,
        }
    }
    fn unjudged(hint: &'static str) -> Self {
        Reading {
            sample: None,
            hint: Some(hint),
        }
    }
}

pub const HINT_FACE_CAMERA: &str = "Face the camera so your head and shoulders are clear";
pub const HINT_NO_NOD: &str = "Keep your eyes level: slide back, don't nod";
pub const HINT_HEAD_UP: &str = "Keep your head up: slide it back, don't drop it";
pub const HINT_SHOW_HANDS: &str = "Raise your hands into view: elbows out, hands by your head";
pub const HINT_HANDS_LOST: &str = "Sit back so the camera sees both hands above your head";
pub const HINT_ELBOWS_OUT: &str = "Keep your elbows out to the sides";
pub const HINT_TUCK_CHIN: &str = "Tuck your chin gently back";
pub const HINT_SHOULDERS_DOWN: &str = "Let your shoulders drop away from your ears";
pub const HINT_SIT_BACK: &str = "Sit tall with your shoulders back, not leaning forward";

/// Two cues that must move together: their mean, but at most the smaller
/// plus [`ONE_CUE_MAX`]. One cue alone (a head turn shrinks the head; sitting
/// taller raises the ears) thus never reaches the 0.6 that starts a rep, while
/// noise in one cue of a real movement costs less than taking the minimum.
pub fn together(a: f32, b: f32) -> f32 {
    ((a + b) / 2.0).min(min_nan(a, b) + ONE_CUE_MAX)
}

/// The smaller of two values, NaN if either is (`f32::min` drops a NaN).
fn min_nan(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.min(b)
    }
}

/// See [`together`].
pub const ONE_CUE_MAX: f32 = 0.25;

/// How far a chin tuck has gone, in nominal tucks, with a form hint.
///
/// Front view (landmarks 0–10 and 11–12): the head shrinking,
/// `(1 − head_size / head_size₀) / 0.05`, and the ears rising,
/// `(rise − rise₀) / 0.04`, must change [`together`] to start a rep, and the
/// rep is back when either is (the smaller). Side view: the ears
/// moving back over the shoulders by 0.08 shoulder widths (square to the
/// trunk when the hips are in view), unless the head
/// drops (the ear-to-shoulder gap shrinks by more than 0.05). Side-view
/// offsets are in pixels over the start's scale. Either view: a nod (`nose_drop − nose_drop₀
/// > 0.06`) reads as 0.
pub fn chin_tuck(m: &Measures, b: &Baseline) -> Reading {
    let bm = &b.m;
    let nodding = m.nose_drop - bm.nose_drop > NOD_LIMIT;
    let (v, back) = match b.view {
        View::Side => {
            // Pixel offsets over the start's scale: the side scale (ear to
            // shoulder) itself changes as the head moves.
            if (gap_px(bm) - gap_px(m)) / bm.scale > HEAD_DROP_LIMIT {
                return Reading {
                    sample: Some(Sample::same(0.0)),
                    hint: Some(HINT_HEAD_UP),
                };
            }
            let v = (fwd_px(bm, b) - fwd_px(m, b)) / bm.scale / CHIN_TUCK_SIDE_BACK;
            (v, v)
        }
        View::Front | View::Oblique => {
            if !m.head_size.is_finite() || !bm.head_size.is_finite() {
                return Reading::unjudged(HINT_FACE_CAMERA);
            }
            let shrink = (1.0 - m.head_size / bm.head_size) / CHIN_TUCK_FRONT_SHRINK;
            let rise = (m.rise - bm.rise) / CHIN_TUCK_FRONT_RISE;
            // In together, back when either cue is back.
            (together(shrink, rise), min_nan(shrink, rise))
        }
    };
    if !v.is_finite() || !back.is_finite() {
        return Reading::unjudged(HINT_FACE_CAMERA);
    }
    if nodding {
        return Reading {
            sample: Some(Sample::same(0.0)),
            hint: Some(HINT_NO_NOD),
        };
    }
    Reading {
        sample: Some(Sample { up: v, down: back }),
        hint: None,
    }
}

/// How far the shoulders are shrugged, in nominal shrugs: the smaller of the
/// shoulders rising in the picture and the ear-to-shoulder gap closing (both
/// in pixels over the start's scale), over 0.10. Needing both
/// keeps a nod (gap closes, shoulders still) or sitting up taller (everything
/// rises) from counting.
pub fn shrug(m: &Measures, b: &Baseline) -> Reading {
    let bm = &b.m;
    let lifted = (bm.shoulder_y - m.shoulder_y) / bm.scale;
    let closed = (gap_px(bm) - gap_px(m)) / bm.scale;
    let v = min_nan(lifted, closed) / SHRUG_LIFT;
    if v.is_finite() {
        Reading::value(v)
    } else {
        Reading::unjudged(HINT_FACE_CAMERA)
    }
}

/// How far the shoulder line has turned from the start, in degrees (signed:
/// positive one way, negative the other), from the 3D world landmarks.
/// `None` when this frame or the start has no usable world shoulders.
pub fn rotation_deg(m: &Measures, b: &Baseline) -> Option<f32> {
    let d = m.yaw - b.m.yaw;
    if !d.is_finite() {
        return None;
    }
    // Wrap into -180..180.
    Some((d + 540.0).rem_euclid(360.0) - 180.0)
}

/// The rotational stretch judged for one side (`sign` +1 or −1): (strictly
/// in position, still in position), for a [`HoldTimer`].
pub fn rotation_side(turn_deg: Option<f32>, sign: f32) -> Option<(bool, bool)> {
    let d = turn_deg? * sign;
    Some((d >= ROTATION_IN_DEG, d >= ROTATION_KEEP_DEG))
}

/// Wall angels: wrist heights above the ears (landmarks 15, 16 against 7, 8)
/// over 0.75. Going up needs both hands up (`up` = the lower hand) and, in a
/// front view, both elbows (13, 14) out beyond the shoulders; coming down
/// needs both hands down (`down` = the higher hand). Hidden hands cannot be
/// judged.
pub fn wall_angel(m: &Measures, b: &Baseline) -> Reading {
    let [l, r] = m.wrist_up;
    if !l.is_finite() || !r.is_finite() {
        return Reading::unjudged(HINT_SHOW_HANDS);
    }
    let lo = l.min(r) / WALL_ANGEL_TOP;
    let hi = l.max(r) / WALL_ANGEL_TOP;
    let elbows_out = match b.view {
        View::Side => true,
        View::Front | View::Oblique => m.elbow_out.iter().all(|e| *e >= ELBOW_OUT_MIN),
    };
    Reading {
        sample: Some(Sample {
            up: if elbows_out { lo } else { 0.0 },
            down: hi,
        }),
        hint: (!elbows_out && lo >= 0.3).then_some(HINT_ELBOWS_OUT),
    }
}

/// Thoracic extension over the chair back, in nominal leans. Front view: the
/// smaller of the shoulder width and the head width shrinking against the
/// start, over 0.15 (the whole upper body moves away from the camera; a chin
/// tuck alone shrinks only the head). Side view: the smaller of the shoulders'
/// and ears' backward travel, over 0.25 shoulder widths.
pub fn thoracic(m: &Measures, b: &Baseline) -> Reading {
    let bm = &b.m;
    let v = match b.view {
        View::Side => {
            let back_sh = (bm.shoulder_x - m.shoulder_x) * b.facing / bm.scale;
            let back_ear = (bm.ear_x - m.ear_x) * b.facing / bm.scale;
            min_nan(back_sh, back_ear) / THORACIC_SIDE_BACK
        }
        View::Front | View::Oblique => {
            let sh = 1.0 - m.scale / bm.scale;
            let head = 1.0 - m.head_width / bm.head_width;
            min_nan(sh, head) / THORACIC_FRONT_SHRINK
        }
    };
    if v.is_finite() {
        Reading::value(v)
    } else {
        Reading::unjudged(HINT_FACE_CAMERA)
    }
}

/// Brügger's relief position, judged as (strictly in position, still
/// acceptably in position) plus what to fix: the chin tucked (≥ 0.6 nominal
/// tucks; keep ≥ 0.2), the shoulders down (shrug ≤ 0.3; keep ≤ 0.5) and not
/// leaning forward (front: shoulder width grown ≤ 4 %, keep ≤ 7 %; side:
/// shoulders ≤ 0.04 shoulder widths ahead of the start, keep ≤ 0.07).
/// The front view cannot see the shoulders go back, only that they do not
/// come forward.
pub fn bruegger(m: &Measures, b: &Baseline) -> (Option<(bool, bool)>, Option<&'static str>) {
    let tuck = chin_tuck(m, b);
    let Some(t) = tuck.sample.map(|s| s.up) else {
        return (None, tuck.hint);
    };
    let Some(lift) = shrug(m, b).sample.map(|s| s.up) else {
        return (None, Some(HINT_FACE_CAMERA));
    };
    let bm = &b.m;
    let forward = match b.view {
        View::Side => (m.shoulder_x - bm.shoulder_x) * b.facing / bm.scale,
        View::Front | View::Oblique => m.scale / bm.scale - 1.0,
    };
    if !forward.is_finite() {
        return (None, Some(HINT_FACE_CAMERA));
    }
    let good = t >= 0.6 && lift <= 0.3 && forward <= BRUEGGER_FORWARD_LIMIT;
    let ok = t >= 0.2 && lift <= 0.5 && forward <= BRUEGGER_FORWARD_LIMIT + 0.03;
    // Shoulders first: a shrug also closes the ear-to-shoulder gap, which a
    // front view reads as an untucked chin.
    let hint = if good {
        None
    } else if lift > 0.3 {
        Some(HINT_SHOULDERS_DOWN)
    } else if tuck.hint.is_some() {
        tuck.hint
    } else if t < 0.6 {
        Some(HINT_TUCK_CHIN)
    } else {
        Some(HINT_SIT_BACK)
    };
    (Some((good, ok)), hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coach::measure::{baseline_from, geometry, measure};
    use crate::coach::synth::{Move, apply};
    use crate::coach::testpose::{front_pose, side_pose};
    use crate::landmarks::Pose;

    fn read(f: fn(&Measures, &Baseline) -> Reading, base: &Pose, moved: &Pose) -> Reading {
        let b = baseline_from(&[geometry(Some(base)).unwrap()], None).unwrap();
        let g = geometry(Some(moved)).unwrap();
        let m = measure(&g, b.view, b.facing).unwrap();
        f(&m, &b)
    }

    fn up(r: Reading) -> f32 {
        r.sample.unwrap().up
    }

    #[test]
    fn each_movement_reads_as_its_nominal_amount() {
        for base in [front_pose(), side_pose()] {
            let view = guess(&base);
            for (mv, f) in [
                (
                    Move::ChinTuck,
                    chin_tuck as fn(&Measures, &Baseline) -> Reading,
                ),
                (Move::Shrug, shrug),
                (Move::Thoracic, thoracic),
            ] {
                let still = up(read(f, &base, &base));
                assert!(still.abs() < 1e-3, "{mv:?} {view:?} still {still}");
                let r = up(read(f, &base, &apply(&base, mv, 1.0)));
                assert!((r - 1.0).abs() < 0.15, "{mv:?} {view:?} reads {r}");
            }
        }
    }

    fn guess(p: &Pose) -> View {
        crate::coach::measure::guess_view(&geometry(Some(p)).unwrap())
    }

    #[test]
    fn other_movements_do_not_read_as_a_chin_tuck() {
        for base in [front_pose(), side_pose()] {
            for mv in [Move::Shrug, Move::Thoracic] {
                let r = up(read(chin_tuck, &base, &apply(&base, mv, 1.5)));
                assert!(r < 0.25, "{mv:?} reads as a tuck: {r}");
            }
        }
        // A nod: the nose drops against the ears.
        let base = front_pose();
        let mut nod = apply(&base, Move::ChinTuck, 1.5);
        nod.landmarks[0].y += 0.1 * 280.0;
        let r = read(chin_tuck, &base, &nod);
        assert_eq!(up(r), 0.0);
        assert_eq!(r.hint, Some(HINT_NO_NOD));
    }

    #[test]
    fn other_movements_do_not_read_as_a_shrug_or_a_lean() {
        for base in [front_pose(), side_pose()] {
            let r = up(read(shrug, &base, &apply(&base, Move::ChinTuck, 1.5)));
            assert!(r < 0.25, "tuck reads as shrug: {r}");
            let r = up(read(thoracic, &base, &apply(&base, Move::ChinTuck, 1.5)));
            assert!(r < 0.25, "tuck reads as lean: {r}");
            let r = up(read(thoracic, &base, &apply(&base, Move::Shrug, 1.5)));
            assert!(r < 0.25, "shrug reads as lean: {r}");
        }
        // Whole upper body higher in the picture (sitting up): not a shrug.
        let base = front_pose();
        let mut taller = base.clone();
        for l in taller.landmarks.iter_mut() {
            l.y -= 40.0;
        }
        assert!(up(read(shrug, &base, &taller)).abs() < 1e-3);
    }

    #[test]
    fn one_cue_alone_never_starts_a_rep() {
        for big in [0.6f32, 1.0, 5.0, 1e6] {
            assert!(together(big, 0.0) < 0.6);
            assert!(together(0.0, big) < 0.6);
        }
        assert_eq!(together(1.0, 1.0), 1.0);
        assert_eq!(together(0.8, 1.2), 1.0);
        assert!(together(f32::NAN, 1.0).is_nan());
    }

    #[test]
    fn wall_angels_need_both_hands_up_and_elbows_out() {
        let base = front_pose();
        let w = apply(&base, Move::WallAngel, 0.0);
        let y = apply(&base, Move::WallAngel, 1.0);
        let rw = read(wall_angel, &base, &w).sample.unwrap();
        let ry = read(wall_angel, &base, &y).sample.unwrap();
        assert!(rw.up < 0.25 && rw.down < 0.25, "{rw:?}");
        assert!(ry.up > 1.0 && ry.down > 1.0, "{ry:?}");
        // One hand up only: cannot enter; the other hand still up: cannot leave.
        let mut one = y.clone();
        one.landmarks[15] = w.landmarks[15];
        let r = read(wall_angel, &base, &one).sample.unwrap();
        assert!(r.up < 0.25 && r.down > 1.0);
        // Elbows pulled in: no entry, and a hint.
        let mut narrow = y.clone();
        narrow.landmarks[13].x = 330.0;
        narrow.landmarks[14].x = 310.0;
        let r = read(wall_angel, &base, &narrow);
        assert_eq!(r.sample.unwrap().up, 0.0);
        assert_eq!(r.hint, Some(HINT_ELBOWS_OUT));
        // Arms out of view (the start photo): cannot judge.
        let r = read(wall_angel, &base, &base);
        assert!(r.sample.is_none());
        assert_eq!(r.hint, Some(HINT_SHOW_HANDS));
    }

    #[test]
    fn bruegger_position_needs_tuck_shoulders_down_and_no_lean() {
        for base in [front_pose(), side_pose()] {
            let b = baseline_from(&[geometry(Some(&base)).unwrap()], None).unwrap();
            let judge = |p: &Pose| {
                let m = measure(&geometry(Some(p)).unwrap(), b.view, b.facing).unwrap();
                bruegger(&m, &b)
            };
            assert_eq!(judge(&base), (Some((false, false)), Some(HINT_TUCK_CHIN)));
            let good = apply(&base, Move::Bruegger, 1.0);
            assert_eq!(judge(&good), (Some((true, true)), None));
            let shrugged = apply(&good, Move::Shrug, 1.0);
            assert_eq!(judge(&shrugged).1, Some(HINT_SHOULDERS_DOWN));
        }
    }
}
