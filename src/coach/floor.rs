//! The floor stretches the camera may happen to see: cat-cow on all fours and
//! child's pose.
//!
//! They are done away from the desk, so most of the time the webcam does not
//! see them and the coach runs a timer; when it does see the person on the
//! floor, these detectors count the cat-cow repetitions and time the child's
//! pose hold, and the stretch is recorded as checked by the camera.
//!
//! Everything is judged on the 3D **world** landmarks (metres, origin between
//! the hips, y down as in the picture), so it works whichever way the person
//! faces the camera (side on, diagonal); it assumes the camera is upright and
//! roughly level, so that the picture's down is the floor's down. A frame is
//! only judged when the shoulders, the hips and one side's arm and leg are
//! clearly visible (a person on all fours seen side on hides the far limbs);
//! otherwise the detectors give up on that frame ([`FloorBody::from_pose`] is
//! `None`).
//!
//! - **All fours**: the trunk (hips to shoulders) within [`TRUNK_LEVEL_DEG`]
//!   of horizontal, the arm (shoulder to wrist) and the thigh (hip to knee)
//!   each within [`LIMB_VERTICAL_DEG`] of vertical: hands under shoulders,
//!   knees under hips.
//! - **Cat-cow**: the head's direction (the mean of ears and nose) from the
//!   shoulders, measured against
//!   the trunk axis in the plane of the trunk and the vertical
//!   ([`FloorBody::head_deg`]: positive = head raised, cow; negative = head
//!   dropped, cat). A [`SwingCounter`] counts the alternation: the signal
//!   must swing [`CAT_COW_SWING_DEG`] away from its last extreme to change
//!   side, and a cat and a cow make one repetition. A still person, whose
//!   head angle only jitters, never swings that far.
//! - **Child's pose**: hips back on the heels (knee angle at most
//!   [`CHILD_KNEE_MAX_DEG`]), trunk folded over the thighs (hip angle at
//!   most [`CHILD_HIP_MAX_DEG`]), head at or below the hips and the hands
//!   reaching forward past the shoulders, held for the dose by a
//!   [`HoldTimer`](super::reps::HoldTimer).

use crate::landmarks::{Pose, idx};

use super::reps::Ema;

/// Landmarks less visible than this are not used.
pub const MIN_VISIBILITY: f32 = 0.5;
/// All fours: the trunk at most this far from horizontal. With the hips and
/// shoulders flexed about 90 degrees over hands and knees the trunk is level;
/// the margin allows hands a little ahead, a low camera, and a rounded back.
pub const TRUNK_LEVEL_DEG: f32 = 30.0;
/// All fours: the arm and the thigh each at most this far from vertical.
pub const LIMB_VERTICAL_DEG: f32 = 30.0;
/// Cat-cow: how far (degrees) the head angle must swing from its last
/// extreme to count as the other position. A gentle cat-cow moves the head
/// through 50 degrees or more (cervical flexion and extension each reach 45,
/// Norkin & White after the AAOS), so each half clears 20 with room; the
/// jitter of a still head's smoothed angle is a few degrees.
pub const CAT_COW_SWING_DEG: f32 = 20.0;
/// Time constant of the head angle's smoothing (a slow cat-cow takes 4 s
/// or more a cycle).
pub const HEAD_SMOOTHING_TAU_S: f64 = 0.5;
/// Off all fours (or unseen) longer than this, the half repetition in
/// progress is dropped.
pub const FLOOR_GAP_S: f64 = 2.0;
/// Child's pose: the knee angle (thigh against shin) at most this, strictly
/// (knee flexion at least 125 degrees: sitting back on the heels is about
/// 150)...
pub const CHILD_KNEE_MAX_DEG: f32 = 55.0;
/// ...and the hip angle (trunk against thigh) at most this (hip flexion at
/// least 120 degrees: folded over the thighs is 130 or more).
pub const CHILD_HIP_MAX_DEG: f32 = 60.0;
/// Child's pose, still acceptably held: each angle up to this much larger.
pub const CHILD_KEEP_MARGIN_DEG: f32 = 15.0;
/// Child's pose: the wrists at least this far (trunk lengths) ahead of the
/// shoulders along the trunk: arms reaching forward.
pub const CHILD_ARMS_FORWARD: f32 = 0.3;
/// The trunk (hip centre to shoulder centre) must measure within this range
/// (metres) for the world landmarks to be believed.
const TRUNK_M: std::ops::RangeInclusive<f32> = 0.2..=1.2;

type V3 = [f32; 3];

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: V3, b: V3) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn norm(a: V3) -> f32 {
    dot(a, a).sqrt()
}
fn mid(a: V3, b: V3) -> V3 {
    [
        (a[0] + b[0]) / 2.0,
        (a[1] + b[1]) / 2.0,
        (a[2] + b[2]) / 2.0,
    ]
}
fn scale(a: V3, k: f32) -> V3 {
    [a[0] * k, a[1] * k, a[2] * k]
}

/// Angle between two vectors, degrees (NaN when either is zero).
fn angle_deg(a: V3, b: V3) -> f32 {
    let c = dot(a, b) / (norm(a) * norm(b));
    c.clamp(-1.0, 1.0).acos().to_degrees()
}

/// Straight up in world coordinates (y is down).
const UP: V3 = [0.0, -1.0, 0.0];

/// The world landmarks a floor stretch is judged on, for one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FloorBody {
    shoulders: V3,
    hips: V3,
    /// Mean of the ears and the nose.
    head: V3,
    /// The better seen side's shoulder, wrist, hip, knee and ankle.
    shoulder: V3,
    wrist: V3,
    hip: V3,
    knee: V3,
    /// `None` when that side's ankle is not clearly seen.
    ankle: Option<V3>,
}

impl FloorBody {
    /// The body in `pose`, or `None` when it cannot be judged: the shoulders,
    /// hips, ears (one of each pair), the nose and one side's shoulder–wrist
    /// and hip–knee not clearly
    /// visible, or world landmarks that are not finite or not body-sized.
    pub fn from_pose(pose: &Pose) -> Option<FloorBody> {
        use idx::*;
        let vis = |i: usize| {
            let l = &pose.landmarks[i];
            let v = l.visibility.min(l.presence);
            if v.is_finite() { v } else { 0.0 }
        };
        let w = |i: usize| pose.world[i];
        let seen_pair = |a: usize, b: usize| vis(a).max(vis(b)) >= MIN_VISIBILITY;
        if !(seen_pair(LEFT_SHOULDER, RIGHT_SHOULDER)
            && seen_pair(LEFT_HIP, RIGHT_HIP)
            && seen_pair(LEFT_EAR, RIGHT_EAR)
            && vis(NOSE) >= MIN_VISIBILITY)
        {
            return None;
        }
        let sides = [
            (LEFT_SHOULDER, LEFT_WRIST, LEFT_HIP, LEFT_KNEE, LEFT_ANKLE),
            (
                RIGHT_SHOULDER,
                RIGHT_WRIST,
                RIGHT_HIP,
                RIGHT_KNEE,
                RIGHT_ANKLE,
            ),
        ];
        let chain_vis = |s: &(usize, usize, usize, usize, usize)| {
            vis(s.0).min(vis(s.1)).min(vis(s.2)).min(vis(s.3))
        };
        let best = if chain_vis(&sides[0]) >= chain_vis(&sides[1]) {
            sides[0]
        } else {
            sides[1]
        };
        if chain_vis(&best) < MIN_VISIBILITY {
            return None;
        }
        let (sh, wr, hp, kn, an) = best;
        let body = FloorBody {
            shoulders: mid(w(LEFT_SHOULDER), w(RIGHT_SHOULDER)),
            hips: mid(w(LEFT_HIP), w(RIGHT_HIP)),
            head: scale(
                [0, 1, 2].map(|k| w(LEFT_EAR)[k] + w(RIGHT_EAR)[k] + w(NOSE)[k]),
                1.0 / 3.0,
            ),
            shoulder: w(sh),
            wrist: w(wr),
            hip: w(hp),
            knee: w(kn),
            ankle: (vis(an) >= MIN_VISIBILITY).then_some(w(an)),
        };
        let all = [
            body.shoulders,
            body.hips,
            body.head,
            body.shoulder,
            body.wrist,
            body.hip,
            body.knee,
        ];
        let finite = all
            .iter()
            .chain(body.ankle.iter())
            .all(|p| p.iter().all(|c| c.is_finite()));
        (finite && TRUNK_M.contains(&body.trunk_len())).then_some(body)
    }

    fn trunk(&self) -> V3 {
        sub(self.shoulders, self.hips)
    }

    fn trunk_len(&self) -> f32 {
        norm(self.trunk())
    }

    /// The trunk's angle from horizontal, degrees (0 level, 90 upright).
    pub fn trunk_tilt_deg(&self) -> f32 {
        (90.0 - angle_deg(self.trunk(), UP)).abs()
    }

    /// The arm's (shoulder to wrist) angle from straight down, degrees.
    pub fn arm_from_vertical_deg(&self) -> f32 {
        angle_deg(sub(self.wrist, self.shoulder), scale(UP, -1.0))
    }

    /// The thigh's (hip to knee) angle from straight down, degrees.
    pub fn thigh_from_vertical_deg(&self) -> f32 {
        angle_deg(sub(self.knee, self.hip), scale(UP, -1.0))
    }

    /// The angle at the hip between the trunk and the thigh, degrees (180
    /// standing, 90 on all fours, under 50 folded in child's pose).
    pub fn hip_angle_deg(&self) -> f32 {
        angle_deg(self.trunk(), sub(self.knee, self.hip))
    }

    /// The angle at the knee between thigh and shin, degrees (180 straight,
    /// 90 kneeling upright, about 30 sitting on the heels); `None` without
    /// the ankle.
    pub fn knee_angle_deg(&self) -> Option<f32> {
        self.ankle
            .map(|a| angle_deg(sub(self.hip, self.knee), sub(a, self.knee)))
    }

    /// True on all fours: trunk level, hands under shoulders, knees under hips.
    pub fn on_all_fours(&self) -> bool {
        self.trunk_tilt_deg() <= TRUNK_LEVEL_DEG
            && self.arm_from_vertical_deg() <= LIMB_VERTICAL_DEG
            && self.thigh_from_vertical_deg() <= LIMB_VERTICAL_DEG
    }

    /// The head's direction from the shoulders against the trunk axis, in the
    /// plane of the trunk and the vertical, degrees: 0 in line with the
    /// trunk, positive raised (cow), negative dropped (cat). NaN when the
    /// trunk is vertical (no such plane).
    pub fn head_deg(&self) -> f32 {
        let len = self.trunk_len();
        let t = scale(self.trunk(), 1.0 / len);
        // Up, square to the trunk.
        let u = sub(UP, scale(t, dot(UP, t)));
        let ul = norm(u);
        if ul < 0.2 {
            return f32::NAN;
        }
        let u = scale(u, 1.0 / ul);
        let neck = sub(self.head, self.shoulders);
        dot(neck, u).atan2(dot(neck, t)).to_degrees()
    }

    /// Child's pose judged as (strictly in position, still acceptably in
    /// position), for a hold timer. `None` without the ankle.
    pub fn childs_pose(&self) -> Option<(bool, bool)> {
        let knee = self.knee_angle_deg()?;
        let hip = self.hip_angle_deg();
        let len = self.trunk_len();
        // y grows downwards: positive = the head lower than the hips.
        let head_low = (self.head[1] - self.hips[1]) / len;
        let t = scale(self.trunk(), 1.0 / len);
        let reach = dot(sub(self.wrist, self.shoulder), t) / len;
        let judge = |margin: f32, head_min: f32, reach_min: f32| {
            knee <= CHILD_KNEE_MAX_DEG + margin
                && hip <= CHILD_HIP_MAX_DEG + margin
                && head_low >= head_min
                && reach >= reach_min
        };
        Some((
            judge(0.0, 0.0, CHILD_ARMS_FORWARD),
            judge(CHILD_KEEP_MARGIN_DEG, -0.15, CHILD_ARMS_FORWARD - 0.2),
        ))
    }
}

/// Counts alternations of a signal between two sides with hysteresis: it
/// changes side only after moving `swing` away from its extreme on the
/// current side, and two changes (one low, one high) make one repetition.
#[derive(Clone, Debug)]
pub struct SwingCounter {
    swing: f32,
    gap_s: f64,
    /// Lowest and highest since the last change of side.
    lo: f32,
    hi: f32,
    /// `Some(true)` high, `Some(false)` low, `None` not known yet.
    side: Option<bool>,
    changes: u32,
    last_t: Option<f64>,
}

impl SwingCounter {
    /// A counter changing side after `swing` and forgetting the half
    /// repetition in progress after a gap of `gap_s` without values.
    pub fn new(swing: f32, gap_s: f64) -> Self {
        SwingCounter {
            swing,
            gap_s,
            lo: f32::INFINITY,
            hi: f32::NEG_INFINITY,
            side: None,
            changes: 0,
            last_t: None,
        }
    }

    /// Completed repetitions (a low and a high each).
    pub fn reps(&self) -> u32 {
        self.changes / 2
    }

    /// True when half a repetition is in progress.
    pub fn half(&self) -> bool {
        self.changes % 2 == 1
    }

    /// Feeds one value at `t` (`None`: not judged this frame). Times that go
    /// back are ignored.
    pub fn update(&mut self, t: f64, v: Option<f32>) {
        if !t.is_finite() || self.last_t.is_some_and(|l| t < l) {
            return;
        }
        let Some(v) = v.filter(|v| v.is_finite()) else {
            return;
        };
        if self.last_t.is_some_and(|l| t - l > self.gap_s) {
            self.changes -= self.changes % 2;
            self.side = None;
            self.lo = f32::INFINITY;
            self.hi = f32::NEG_INFINITY;
        }
        self.last_t = Some(t);
        self.lo = self.lo.min(v);
        self.hi = self.hi.max(v);
        let to_high = self.side != Some(true) && v >= self.lo + self.swing;
        let to_low = self.side != Some(false) && v <= self.hi - self.swing;
        if to_high {
            self.side = Some(true);
            self.hi = v;
            self.changes += 1;
        } else if to_low {
            self.side = Some(false);
            self.lo = v;
            self.changes += 1;
        }
    }
}

/// Follows cat-cow: all-fours frames' smoothed head angle into a
/// [`SwingCounter`].
#[derive(Clone, Debug)]
pub struct CatCowCounter {
    smoother: Ema,
    counter: SwingCounter,
}

impl Default for CatCowCounter {
    fn default() -> Self {
        CatCowCounter {
            smoother: Ema::new(HEAD_SMOOTHING_TAU_S, FLOOR_GAP_S),
            counter: SwingCounter::new(CAT_COW_SWING_DEG, FLOOR_GAP_S),
        }
    }
}

impl CatCowCounter {
    /// Feeds one frame; returns true when it showed the person on all fours.
    pub fn update(&mut self, t: f64, pose: Option<&Pose>) -> bool {
        let head = pose
            .and_then(FloorBody::from_pose)
            .filter(FloorBody::on_all_fours)
            .map(|b| b.head_deg())
            .filter(|v| v.is_finite());
        let Some(h) = head else {
            return false;
        };
        let s = self.smoother.update(t, h);
        self.counter.update(t, Some(s));
        true
    }

    pub fn reps(&self) -> u32 {
        self.counter.reps()
    }

    /// True when half a repetition (a cat or a cow) is in progress.
    pub fn half(&self) -> bool {
        self.counter.half()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::{Landmark, NUM_LANDMARKS};
    use proptest::prelude::*;

    /// Made-up proportions (metres), body frame: x forward (towards the
    /// head), y down, z to the person's left. Not data: see
    /// tests/pipeline/coach_floor.rs for real people.
    fn body_points(head_deg: f32) -> [V3; NUM_LANDMARKS] {
        use idx::*;
        let mut p = [[0.0; 3]; NUM_LANDMARKS];
        let (hw, sw) = (0.09, 0.18);
        for (side, z) in [(0usize, 1.0f32), (1, -1.0)] {
            p[LEFT_HIP + side] = [0.0, 0.0, z * hw];
            p[LEFT_KNEE + side] = [0.0, 0.45, z * hw];
            p[LEFT_ANKLE + side] = [-0.42, 0.5, z * hw];
            p[LEFT_SHOULDER + side] = [0.5, 0.0, z * sw];
            p[LEFT_ELBOW + side] = [0.5, 0.28, z * sw];
            p[LEFT_WRIST + side] = [0.5, 0.55, z * sw];
        }
        let (s, c) = head_deg.to_radians().sin_cos();
        for (i, side) in [(LEFT_EAR, 1.0), (RIGHT_EAR, -1.0)] {
            p[i] = [0.5 + 0.2 * c, -0.2 * s, side * 0.07];
        }
        p[NOSE] = [0.5 + 0.3 * c, -0.3 * s, 0.0];
        p
    }

    /// Child's pose: sitting on the heels (knee angle ~25), trunk folded
    /// forward and down over the thighs, arms reaching ahead.
    fn childs_pose_points() -> [V3; NUM_LANDMARKS] {
        use idx::*;
        let mut p = [[0.0; 3]; NUM_LANDMARKS];
        for (side, z) in [(0usize, 1.0f32), (1, -1.0)] {
            p[LEFT_HIP + side] = [0.0, 0.0, z * 0.09];
            p[LEFT_KNEE + side] = [0.42, 0.18, z * 0.09];
            p[LEFT_ANKLE + side] = [-0.02, 0.24, z * 0.09];
            p[LEFT_SHOULDER + side] = [0.45, 0.2, z * 0.18];
            p[LEFT_ELBOW + side] = [0.72, 0.26, z * 0.18];
            p[LEFT_WRIST + side] = [0.98, 0.3, z * 0.18];
        }
        p[LEFT_EAR] = [0.6, 0.2, 0.07];
        p[RIGHT_EAR] = [0.6, 0.2, -0.07];
        p[NOSE] = [0.68, 0.27, 0.0];
        p
    }

    fn pose_of(world: [V3; NUM_LANDMARKS]) -> Pose {
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for (l, w) in landmarks.iter_mut().zip(world) {
            // Any picture: only visibility matters here.
            *l = Landmark {
                x: 300.0 + 400.0 * w[0],
                y: 300.0 + 400.0 * w[1],
                z: 0.0,
                visibility: 0.9,
                presence: 0.9,
            };
        }
        Pose {
            landmarks,
            world,
            presence: 1.0,
            image_width: 640,
            image_height: 480,
        }
    }

    /// The body turned by `yaw` about the vertical, scaled by `k` and moved by `d`.
    fn place(p: [V3; NUM_LANDMARKS], yaw: f32, k: f32, d: V3) -> [V3; NUM_LANDMARKS] {
        let (s, c) = yaw.to_radians().sin_cos();
        p.map(|q| {
            [
                k * (c * q[0] + s * q[2]) + d[0],
                k * q[1] + d[1],
                k * (-s * q[0] + c * q[2]) + d[2],
            ]
        })
    }

    fn body(head_deg: f32) -> FloorBody {
        FloorBody::from_pose(&pose_of(body_points(head_deg))).unwrap()
    }

    #[test]
    fn all_fours_is_recognised_and_head_angle_read() {
        let b = body(10.0);
        assert!(b.on_all_fours());
        assert!(b.trunk_tilt_deg() < 1.0);
        assert!((b.head_deg() - 10.0).abs() < 0.5, "{}", b.head_deg());
        assert!((body(-35.0).head_deg() + 35.0).abs() < 0.5);
        assert!(b.hip_angle_deg() > 80.0 && b.hip_angle_deg() < 100.0);
        assert_eq!(b.childs_pose(), Some((false, false)));
    }

    #[test]
    fn standing_and_sitting_are_not_all_fours() {
        use idx::*;
        // Upright: shoulders straight above the hips.
        let mut p = body_points(10.0);
        for i in [LEFT_SHOULDER, RIGHT_SHOULDER] {
            p[i] = [0.0, -0.5, p[i][2]];
        }
        for i in [LEFT_ELBOW, RIGHT_ELBOW] {
            p[i] = [0.0, -0.22, p[i][2]];
        }
        p[LEFT_EAR] = [0.02, -0.7, 0.07];
        p[RIGHT_EAR] = [0.02, -0.7, -0.07];
        p[LEFT_WRIST][0] = 0.0;
        p[RIGHT_WRIST][0] = 0.0;
        p[LEFT_WRIST][1] = 0.05;
        p[RIGHT_WRIST][1] = 0.05;
        let b = FloorBody::from_pose(&pose_of(p)).unwrap();
        assert!(b.trunk_tilt_deg() > 80.0);
        assert!(!b.on_all_fours());
        assert!(b.head_deg().is_nan());
        // Hands far ahead (a plank or a stretch forward): not all fours.
        let mut p = body_points(10.0);
        p[LEFT_WRIST] = [1.1, 0.3, 0.18];
        p[RIGHT_WRIST] = [1.1, 0.3, -0.18];
        assert!(!FloorBody::from_pose(&pose_of(p)).unwrap().on_all_fours());
    }

    #[test]
    fn unseen_or_broken_bodies_are_given_up() {
        let mut p = pose_of(body_points(0.0));
        p.landmarks[idx::LEFT_HIP].visibility = 0.1;
        p.landmarks[idx::RIGHT_HIP].visibility = 0.2;
        assert!(FloorBody::from_pose(&p).is_none());
        let mut p = pose_of(body_points(0.0));
        for i in [idx::LEFT_KNEE, idx::RIGHT_WRIST] {
            p.landmarks[i].visibility = 0.1;
        }
        assert!(
            FloorBody::from_pose(&p).is_none(),
            "no side has arm and leg"
        );
        let mut p = pose_of(body_points(0.0));
        p.world[idx::LEFT_WRIST][1] = f32::NAN;
        p.landmarks[idx::RIGHT_WRIST].visibility = 0.3;
        assert!(FloorBody::from_pose(&p).is_none());
        // No world landmarks (all zero): not body-sized.
        let mut p = pose_of(body_points(0.0));
        p.world = [[0.0; 3]; NUM_LANDMARKS];
        assert!(FloorBody::from_pose(&p).is_none());
    }

    #[test]
    fn childs_pose_is_recognised() {
        use idx::*;
        let p = childs_pose_points();
        let b = FloorBody::from_pose(&pose_of(p)).unwrap();
        assert!(!b.on_all_fours());
        assert_eq!(b.childs_pose(), Some((true, true)), "{b:?}");
        // Arms back by the sides: not the pose the card asks for.
        let mut q = p;
        q[LEFT_WRIST] = [0.05, 0.22, 0.2];
        q[RIGHT_WRIST] = [0.05, 0.22, -0.2];
        let b = FloorBody::from_pose(&pose_of(q)).unwrap();
        assert_eq!(b.childs_pose().map(|j| j.0), Some(false));
    }

    fn count(values: &[(f64, f32)]) -> u32 {
        let mut c = SwingCounter::new(20.0, 2.0);
        for &(t, v) in values {
            c.update(t, Some(v));
        }
        c.reps()
    }

    #[test]
    fn swings_count_pairs_and_gaps_drop_the_half() {
        let wave = |n: usize, amp: f32| -> Vec<(f64, f32)> {
            (0..n * 40)
                .map(|i| {
                    let t = i as f64 * 0.1;
                    (
                        t,
                        10.0 - amp * (std::f64::consts::TAU * t / 4.0).sin() as f32,
                    )
                })
                .collect()
        };
        for n in 1..6 {
            assert_eq!(count(&wave(n, 30.0)), n as u32);
        }
        // Swings under the threshold never count.
        assert_eq!(count(&wave(5, 9.0)), 0);
        // Half a cycle, a gap, half a cycle: no repetition.
        let mut c = SwingCounter::new(20.0, 2.0);
        for (t, v) in [(0.0, 0.0), (1.0, -30.0), (5.0, 0.0), (6.0, 30.0)] {
            c.update(t, Some(v));
        }
        assert_eq!(c.reps(), 0);
        c.update(7.0, Some(-10.0));
        c.update(8.0, Some(30.0));
        assert_eq!(c.reps(), 1);
    }

    /// Frames of `cycles` cat-cows (head between `lo` and `hi` degrees, 4 s
    /// each) at 10 fps, then 3 s still, under `yaw`, `k`, `d`.
    fn cat_cow_frames(cycles: u32, lo: f32, hi: f32, yaw: f32, k: f32, d: V3) -> Vec<Pose> {
        let n = (cycles * 40 + 30) as usize;
        (0..n)
            .map(|i| {
                let t = i as f32 * 0.1;
                let head = if t < cycles as f32 * 4.0 {
                    let mid = (lo + hi) / 2.0;
                    // Cat first: down, then up, then back to the middle.
                    mid - (hi - lo) / 2.0 * (std::f32::consts::TAU * t / 4.0).sin()
                } else {
                    (lo + hi) / 2.0
                };
                pose_of(place(body_points(head), yaw, k, d))
            })
            .collect()
    }

    fn run(frames: &[Pose]) -> u32 {
        let mut c = CatCowCounter::default();
        for (i, p) in frames.iter().enumerate() {
            c.update(i as f64 * 0.1, Some(p));
        }
        c.reps()
    }

    fn library(id: &str) -> crate::stretches::Stretch {
        crate::stretches::find(id).unwrap().clone()
    }

    #[test]
    fn cat_cow_seen_by_the_camera_is_counted_and_checked() {
        use crate::coach::{Coach, Outcome, Phase};
        let s = library("cat_cow");
        let mut c = Coach::new(&s, 0.0);
        let st = c.update(0.0, None);
        assert!(!st.verified, "timed until the camera sees it");
        assert!(st.time_remaining_s.is_some());
        let frames = cat_cow_frames(8, -30.0, 35.0, 90.0, 1.0, [0.0; 3]);
        let mut last = st;
        for (i, p) in frames.iter().enumerate() {
            last = c.update(0.5 + i as f64 * 0.1, Some(p));
        }
        assert_eq!(last.phase, Phase::Finished);
        assert!(last.verified);
        let r = c.result();
        assert!(r.verified);
        assert_eq!(
            r.outcome,
            Outcome::DoneVerified {
                reps: 8,
                held_s: 0.0
            }
        );
        assert!(
            c.summary().contains("8 of 8 reps, checked by the camera"),
            "{}",
            c.summary()
        );
    }

    #[test]
    fn floor_stretches_unseen_are_timed_and_done_unverified() {
        use crate::coach::{Coach, Outcome};
        for id in ["cat_cow", "childs_pose"] {
            let s = library(id);
            let mut c = Coach::new(&s, 0.0);
            let mut st = c.update(0.0, None);
            for i in 1..=400 {
                st = c.update(f64::from(i) * 0.1, None);
            }
            assert_eq!(st.time_remaining_s, Some(0.0), "{id}");
            assert!(!st.verified);
            let r = c.mark_done(40.0);
            assert_eq!(r.outcome, Outcome::DoneUnverified);
            assert!(!r.verified);
        }
        // Seen for a while (half the reps), then gone: the timer takes over
        // again, and `d` records it as not checked.
        let s = library("cat_cow");
        let mut c = Coach::new(&s, 0.0);
        let frames = cat_cow_frames(3, -30.0, 35.0, 45.0, 1.0, [0.0; 3]);
        let mut t = 0.0;
        for p in &frames {
            t += 0.1;
            let st = c.update(t, Some(p));
            assert!(st.verified, "followed while on all fours");
            assert!(st.time_remaining_s.is_none());
        }
        assert_eq!(c.status().reps_done, 3);
        let st = c.update(t + FLOOR_GAP_S + 2.0, None);
        assert!(!st.verified);
        assert!(st.time_remaining_s.is_some());
        assert_eq!(c.mark_done(t + 5.0).outcome, Outcome::DoneUnverified);
        assert!(!c.result().verified);
    }

    #[test]
    fn childs_pose_hold_is_timed_only_in_position() {
        use crate::coach::{Coach, Outcome, Phase};
        let child = pose_of(childs_pose_points());
        let fours = pose_of(body_points(10.0));
        let s = library("childs_pose");
        // On all fours for the whole time: no hold.
        let mut c = Coach::new(&s, 0.0);
        for i in 0..400 {
            c.update(f64::from(i) * 0.1, Some(&fours));
        }
        assert!(!c.is_finished());
        // Half the hold, then all fours: incomplete; `d` is unverified.
        let mut c = Coach::new(&s, 0.0);
        for i in 0..150 {
            let st = c.update(f64::from(i) * 0.1, Some(&child));
            if i > 10 {
                assert_eq!(st.phase, Phase::Holding);
                assert!(st.verified);
            }
        }
        for i in 150..400 {
            c.update(f64::from(i) * 0.1, Some(&fours));
        }
        assert!(!c.is_finished());
        match c.result().outcome {
            Outcome::Incomplete { held_s, .. } => assert!((13.0..16.0).contains(&held_s)),
            o => panic!("{o:?}"),
        }
        // The whole hold: done and checked.
        let mut c = Coach::new(&s, 0.0);
        for i in 0..400 {
            c.update(f64::from(i) * 0.1, Some(&child));
        }
        assert!(c.is_finished());
        assert!(c.result().verified);
        assert!(
            matches!(c.result().outcome, Outcome::DoneVerified { held_s, .. } if held_s >= 30.0)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

        /// Turning the person about the vertical (any camera side or angle),
        /// scaling and moving them changes neither the recognition nor the count.
        #[test]
        fn count_is_invariant_to_placement(
            cycles in 0u32..5,
            yaw in -180.0f32..180.0,
            k in 0.7f32..1.4,
            dx in -0.5f32..0.5,
            dy in -0.3f32..0.3,
            dz in -0.5f32..0.5,
        ) {
            let frames = cat_cow_frames(cycles, -30.0, 35.0, yaw, k, [dx, dy, dz]);
            prop_assert_eq!(run(&frames), cycles);
        }

        /// A still person on all fours, jitter and all, counts nothing.
        #[test]
        fn still_on_all_fours_counts_zero(
            head in -20.0f32..30.0,
            jitter in 0.0f32..0.012,
            yaw in -180.0f32..180.0,
            seed in any::<u64>(),
        ) {
            use rand::{RngExt, SeedableRng, rngs::StdRng};
            let mut rng = StdRng::seed_from_u64(seed);
            let mut c = CatCowCounter::default();
            for i in 0..600 {
                let mut w = place(body_points(head), yaw, 1.0, [0.0; 3]);
                for q in w.iter_mut() {
                    for v in q.iter_mut() {
                        *v += jitter * (rng.random::<f32>() * 2.0 - 1.0) * 1.7;
                    }
                }
                prop_assert!(c.update(f64::from(i) * 0.1, Some(&pose_of(w))));
            }
            prop_assert_eq!(c.reps(), 0);
        }

        /// Anything in the world landmarks never panics and never counts
        /// more than the frames could hold.
        #[test]
        fn arbitrary_landmarks_do_not_panic(
            vals in proptest::collection::vec(prop_oneof![Just(f32::NAN), Just(f32::INFINITY), -5.0f32..5.0], 99),
        ) {
            let mut w = [[0.0; 3]; NUM_LANDMARKS];
            for (i, v) in vals.iter().enumerate() {
                w[i / 3][i % 3] = *v;
            }
            let p = pose_of(w);
            if let Some(b) = FloorBody::from_pose(&p) {
                let _ = (b.on_all_fours(), b.head_deg(), b.childs_pose());
            }
            let mut c = CatCowCounter::default();
            for i in 0..20 {
                c.update(f64::from(i) * 0.1, Some(&p));
            }
            prop_assert_eq!(c.reps(), 0);
        }
    }
}
