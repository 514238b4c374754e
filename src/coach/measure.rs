//! Turning a pose into the body measurements the stretch detectors follow,
//! normalised by body size, and the start-position baseline they compare to.
//!
//! Sizes are in units of the person's **scale**: the shoulder width in a front
//! view (distance between landmarks 11 and 12), and in a side view, where the
//! shoulders overlap, the ear-to-shoulder distance divided by
//! [`SIDE_EAR_SHOULDER_PER_SCALE`] (about what the shoulder width would be).
//! So every threshold means the same at any distance and resolution.

use std::collections::VecDeque;

use crate::landmarks::{Pose, idx};
use crate::posture::View;

/// Landmarks less visible than this are not used.
pub const MIN_VISIBILITY: f32 = 0.5;
/// Poses whose person-presence is lower than this count as nobody there.
pub const MIN_PRESENCE: f32 = 0.5;
/// Side view: ear-to-shoulder distance per shoulder width. In the front-view
/// photos of the shared data the ears sit 0.57–0.64 shoulder widths above the
/// shoulders; the side-view distance also holds the head's forward offset.
pub const SIDE_EAR_SHOULDER_PER_SCALE: f32 = 0.65;
/// Shoulder width over ear-to-shoulder distance at or above this is a front
/// view. In the shared data front views measure 1.56–2.63, side views 0.03–0.94.
pub const FRONT_VIEW_MIN_RATIO: f32 = 1.2;

/// Why a frame cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// No pose, or the model thinks nobody is there.
    NoPerson,
    /// A person, but the head or shoulders are not clearly visible.
    Unclear,
}

/// The landmark geometry of one frame, in pixels (y down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    pub nose: [f32; 2],
    /// Midpoint of the visible ears (one ear if only one is visible).
    pub ear: [f32; 2],
    /// Midpoint of the visible shoulders.
    pub shoulder: [f32; 2],
    /// |11 − 12| when both shoulders are visible.
    pub shoulder_width: Option<f32>,
    /// Mean of |7 − 8| (ears) and |3 − 6| (outer eye corners) when all are visible.
    pub head_width: Option<f32>,
    /// |ear − shoulder| (midpoints).
    pub ear_shoulder: f32,
    /// Left (15) and right (16) wrists, when visible.
    pub wrists: [Option<[f32; 2]>; 2],
    /// Left (13) and right (14) elbows, when visible.
    pub elbows: [Option<[f32; 2]>; 2],
    /// Midpoint of the hips (23, 24) when both are visible.
    pub hip: Option<[f32; 2]>,
    /// Direction of the shoulder line (right to left shoulder) about the
    /// vertical, in degrees, from the 3D world landmarks: 0 square to the
    /// camera, positive when the left shoulder is further from the camera
    /// than the right (world z grows away from the camera). `None` when the
    /// world shoulders are missing or too close together to tell.
    pub shoulder_yaw: Option<f32>,
}

/// World shoulders closer than this (metres, horizontally) cannot tell a yaw.
const MIN_WORLD_SHOULDER_M: f32 = 0.05;

/// The shoulder line's direction about the vertical (see [`Geometry::shoulder_yaw`]).
pub fn shoulder_yaw(pose: &Pose) -> Option<f32> {
    let l = pose.world[idx::LEFT_SHOULDER];
    let r = pose.world[idx::RIGHT_SHOULDER];
    let (dx, dz) = (l[0] - r[0], l[2] - r[2]);
    let len = dx.hypot(dz);
    (len.is_finite() && len >= MIN_WORLD_SHOULDER_M).then(|| dz.atan2(dx).to_degrees())
}

/// Landmarks further than this from the frame (in frame sizes, at least
/// [`MIN_PLAUSIBLE_PX`]) are garbage, not a person.
const PLAUSIBLE_FRAMES: f32 = 4.0;
const MIN_PLAUSIBLE_PX: f32 = 10_000.0;

fn visible(pose: &Pose, i: usize) -> Option<[f32; 2]> {
    let l = &pose.landmarks[i];
    let size = pose.image_width.max(pose.image_height) as f32;
    let bound = (PLAUSIBLE_FRAMES * size).max(MIN_PLAUSIBLE_PX);
    let plausible = l.x.abs() <= bound && l.y.abs() <= bound;
    (plausible && l.visibility >= MIN_VISIBILITY).then_some([l.x, l.y])
}

fn mid(a: Option<[f32; 2]>, b: Option<[f32; 2]>) -> Option<[f32; 2]> {
    match (a, b) {
        (Some(a), Some(b)) => Some([(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]),
        (Some(p), None) | (None, Some(p)) => Some(p),
        (None, None) => None,
    }
}

fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// The usable geometry of a frame, or why there is none.
pub fn geometry(pose: Option<&Pose>) -> Result<Geometry, Unusable> {
    let pose = pose.ok_or(Unusable::NoPerson)?;
    if pose.presence.is_nan() || pose.presence < MIN_PRESENCE {
        return Err(Unusable::NoPerson);
    }
    let nose = visible(pose, idx::NOSE).ok_or(Unusable::Unclear)?;
    let (le, re) = (visible(pose, idx::LEFT_EAR), visible(pose, idx::RIGHT_EAR));
    let (ls, rs) = (
        visible(pose, idx::LEFT_SHOULDER),
        visible(pose, idx::RIGHT_SHOULDER),
    );
    let ear = mid(le, re).ok_or(Unusable::Unclear)?;
    let shoulder = mid(ls, rs).ok_or(Unusable::Unclear)?;
    let ear_shoulder = dist(ear, shoulder);
    if !(ear_shoulder.is_finite() && ear_shoulder >= 1.0) {
        return Err(Unusable::Unclear);
    }
    let shoulder_width = ls
        .zip(rs)
        .map(|(a, b)| dist(a, b))
        .filter(|w| w.is_finite() && *w >= 1.0);
    let eyes = visible(pose, idx::LEFT_EYE_OUTER).zip(visible(pose, idx::RIGHT_EYE_OUTER));
    let head_width = le
        .zip(re)
        .zip(eyes)
        .map(|((a, b), (c, d))| (dist(a, b) + dist(c, d)) / 2.0)
        .filter(|w| w.is_finite() && *w >= 1.0);
    Ok(Geometry {
        nose,
        ear,
        shoulder,
        shoulder_width,
        head_width,
        ear_shoulder,
        wrists: [
            visible(pose, idx::LEFT_WRIST),
            visible(pose, idx::RIGHT_WRIST),
        ],
        elbows: [
            visible(pose, idx::LEFT_ELBOW),
            visible(pose, idx::RIGHT_ELBOW),
        ],
        hip: visible(pose, idx::LEFT_HIP)
            .zip(visible(pose, idx::RIGHT_HIP))
            .map(|(a, b)| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]),
        shoulder_yaw: shoulder_yaw(pose),
    })
}

/// Front or side, from the shoulder width against the ear-to-shoulder distance
/// (see [`FRONT_VIEW_MIN_RATIO`]).
pub fn guess_view(g: &Geometry) -> View {
    match g.shoulder_width {
        Some(w) if w / g.ear_shoulder >= FRONT_VIEW_MIN_RATIO => View::Front,
        _ => View::Side,
    }
}

/// Number of fields in [`Measures`].
pub const N_MEASURES: usize = 19;

/// One frame's measurements. Pixel positions stay in pixels; everything else
/// is in units of `scale`. NaN marks what this frame cannot tell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measures {
    /// Body size in pixels: shoulder width (front) or ear–shoulder / 0.65 (side).
    pub scale: f32,
    /// Head width in pixels (see [`Geometry::head_width`]).
    pub head_width: f32,
    /// head_width / scale: the apparent head size against the shoulders.
    pub head_size: f32,
    /// (shoulder.y − ear.y) / scale: how high the ears sit over the shoulders.
    pub rise: f32,
    /// (ear.x − shoulder.x) · facing / scale: how far the ears are ahead of
    /// the shoulders (side view; facing = +1 when the nose points to +x).
    pub fwd: f32,
    /// (nose.y − ear.y) / scale: grows when the head nods down.
    pub nose_drop: f32,
    pub ear_x: f32,
    pub ear_y: f32,
    pub shoulder_x: f32,
    pub shoulder_y: f32,
    /// (ear.y − wrist.y) / scale per wrist (left, right): above the ears > 0.
    pub wrist_up: [f32; 2],
    /// |elbow.x − shoulder.x| / scale per elbow: 0.5 is straight over a shoulder.
    pub elbow_out: [f32; 2],
    /// Unit vector from the hips up to the shoulders (NaN without both hips,
    /// or when they are implausibly close to the shoulders).
    pub trunk: [f32; 2],
    /// Shoulder-line yaw in degrees (see [`Geometry::shoulder_yaw`]).
    pub yaw: f32,
    /// (nose − shoulder midpoint) / scale: where the head is around the neck.
    pub head_x: f32,
    pub head_y: f32,
}

impl Measures {
    pub fn to_array(&self) -> [f32; N_MEASURES] {
        [
            self.scale,
            self.head_width,
            self.head_size,
            self.rise,
            self.fwd,
            self.nose_drop,
            self.ear_x,
            self.ear_y,
            self.shoulder_x,
            self.shoulder_y,
            self.wrist_up[0],
            self.wrist_up[1],
            self.elbow_out[0],
            self.elbow_out[1],
            self.trunk[0],
            self.trunk[1],
            self.yaw,
            self.head_x,
            self.head_y,
        ]
    }

    pub fn from_array(a: [f32; N_MEASURES]) -> Self {
        Measures {
            scale: a[0],
            head_width: a[1],
            head_size: a[2],
            rise: a[3],
            fwd: a[4],
            nose_drop: a[5],
            ear_x: a[6],
            ear_y: a[7],
            shoulder_x: a[8],
            shoulder_y: a[9],
            wrist_up: [a[10], a[11]],
            elbow_out: [a[12], a[13]],
            trunk: [a[14], a[15]],
            yaw: a[16],
            head_x: a[17],
            head_y: a[18],
        }
    }
}

/// The scale for `view` (see the module notes), if this frame has it.
pub fn scale(g: &Geometry, view: View) -> Option<f32> {
    let s = match view {
        View::Side => g.ear_shoulder / SIDE_EAR_SHOULDER_PER_SCALE,
        View::Front | View::Oblique => g.shoulder_width?,
    };
    (s.is_finite() && s >= 1.0).then_some(s)
}

/// The measurements of `g` seen from `view`; `None` when the view's scale
/// is not available (front view with a shoulder hidden).
pub fn measure(g: &Geometry, view: View, facing: f32) -> Option<Measures> {
    let s = scale(g, view)?;
    let head_width = g.head_width.unwrap_or(f32::NAN);
    let wrist_up = g
        .wrists
        .map(|w| w.map_or(f32::NAN, |w| (g.ear[1] - w[1]) / s));
    let elbow_out = g
        .elbows
        .map(|e| e.map_or(f32::NAN, |e| (e[0] - g.shoulder[0]).abs() / s));
    let trunk = g
        .hip
        .map(|h| [g.shoulder[0] - h[0], g.shoulder[1] - h[1]])
        .and_then(|[dx, dy]| {
            let len = dx.hypot(dy);
            (len.is_finite() && len >= 0.5 * g.ear_shoulder).then_some([dx / len, dy / len])
        })
        .unwrap_or([f32::NAN; 2]);
    Some(Measures {
        scale: s,
        head_width,
        head_size: head_width / s,
        rise: (g.shoulder[1] - g.ear[1]) / s,
        fwd: (g.ear[0] - g.shoulder[0]) * facing / s,
        nose_drop: (g.nose[1] - g.ear[1]) / s,
        ear_x: g.ear[0],
        ear_y: g.ear[1],
        shoulder_x: g.shoulder[0],
        shoulder_y: g.shoulder[1],
        wrist_up,
        elbow_out,
        trunk,
        yaw: g.shoulder_yaw.unwrap_or(f32::NAN),
        head_x: (g.nose[0] - g.shoulder[0]) / s,
        head_y: (g.nose[1] - g.shoulder[1]) / s,
    })
}

/// The person's start position: what the detectors compare against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Baseline {
    pub view: View,
    /// +1 when the nose points to +x of the ears (side view), else −1.
    pub facing: f32,
    /// Median of each measurement over the calibration frames.
    pub m: Measures,
}

fn median(mut v: Vec<f32>) -> f32 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f32::NAN;
    }
    v.sort_by(f32::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A baseline from a set of frames' geometry (at least one), the view forced
/// or guessed from the frames' median shoulder-to-ear ratio.
pub fn baseline_from(frames: &[Geometry], forced: Option<View>) -> Option<Baseline> {
    if frames.is_empty() {
        return None;
    }
    let view = match forced {
        Some(View::Front) => View::Front,
        Some(View::Side) => View::Side,
        Some(View::Oblique) | None => {
            let ratio = median(
                frames
                    .iter()
                    .map(|g| g.shoulder_width.unwrap_or(0.0) / g.ear_shoulder)
                    .collect(),
            );
            if ratio >= FRONT_VIEW_MIN_RATIO {
                View::Front
            } else {
                View::Side
            }
        }
    };
    let facing_dx = median(frames.iter().map(|g| g.nose[0] - g.ear[0]).collect());
    let facing = if facing_dx < 0.0 { -1.0 } else { 1.0 };
    let measures: Vec<[f32; N_MEASURES]> = frames
        .iter()
        .filter_map(|g| measure(g, view, facing))
        .map(|m| m.to_array())
        .collect();
    if measures.is_empty() {
        return None;
    }
    let mut out = [f32::NAN; N_MEASURES];
    for (k, o) in out.iter_mut().enumerate() {
        *o = median(measures.iter().map(|m| m[k]).collect());
    }
    let m = Measures::from_array(out);
    (m.scale.is_finite() && m.rise.is_finite()).then_some(Baseline { view, facing, m })
}

/// Collects the first usable second of frames and makes the baseline.
#[derive(Clone, Debug, Default)]
pub struct Calibrator {
    frames: VecDeque<(f64, Geometry)>,
}

impl Calibrator {
    /// Frames older than this (seconds before the newest) are dropped.
    pub const WINDOW_S: f64 = 1.2;
    /// The frames must span at least this long...
    pub const MIN_SPAN_S: f64 = 0.8;
    /// ...and be at least this many.
    pub const MIN_FRAMES: usize = 3;

    pub fn clear(&mut self) {
        self.frames.clear();
    }

    /// Adds a frame; returns the baseline once there are enough frames.
    pub fn push(&mut self, t: f64, g: Geometry, forced: Option<View>) -> Option<Baseline> {
        if !t.is_finite() || self.frames.back().is_some_and(|(last, _)| t < *last) {
            return None;
        }
        self.frames.push_back((t, g));
        while self
            .frames
            .front()
            .is_some_and(|(t0, _)| t - t0 > Self::WINDOW_S)
        {
            self.frames.pop_front();
        }
        let span = t - self.frames.front().map_or(t, |(t0, _)| *t0);
        if span < Self::MIN_SPAN_S || self.frames.len() < Self::MIN_FRAMES {
            return None;
        }
        let frames: Vec<Geometry> = self.frames.iter().map(|(_, g)| *g).collect();
        baseline_from(&frames, forced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coach::testpose::{front_pose, side_pose};

    #[test]
    fn views_are_told_apart() {
        let f = geometry(Some(&front_pose())).unwrap();
        assert_eq!(guess_view(&f), View::Front);
        let s = geometry(Some(&side_pose())).unwrap();
        assert_eq!(guess_view(&s), View::Side);
    }

    #[test]
    fn measures_are_independent_of_distance_and_resolution() {
        let p = front_pose();
        let mut q = p.clone();
        for l in q.landmarks.iter_mut() {
            l.x = l.x * 0.5 + 17.0;
            l.y = l.y * 0.5 + 3.0;
        }
        let a = measure(&geometry(Some(&p)).unwrap(), View::Front, 1.0).unwrap();
        let b = measure(&geometry(Some(&q)).unwrap(), View::Front, 1.0).unwrap();
        for (x, y) in [
            (a.head_size, b.head_size),
            (a.rise, b.rise),
            (a.nose_drop, b.nose_drop),
        ] {
            assert!((x - y).abs() < 1e-5);
        }
        assert!((a.scale - 2.0 * b.scale).abs() < 1e-3);
    }

    #[test]
    fn missing_or_hidden_landmarks_are_reported() {
        assert_eq!(geometry(None), Err(Unusable::NoPerson));
        let mut p = front_pose();
        p.presence = f32::NAN;
        assert_eq!(geometry(Some(&p)), Err(Unusable::NoPerson));
        let mut p = front_pose();
        p.landmarks[idx::LEFT_SHOULDER].visibility = 0.1;
        p.landmarks[idx::RIGHT_SHOULDER].visibility = 0.1;
        assert_eq!(geometry(Some(&p)), Err(Unusable::Unclear));
        let mut p = front_pose();
        p.landmarks[idx::NOSE].x = f32::NAN;
        assert_eq!(geometry(Some(&p)), Err(Unusable::Unclear));
        // One shoulder hidden: usable, but a front view has no scale.
        let mut p = front_pose();
        p.landmarks[idx::LEFT_SHOULDER].visibility = 0.1;
        let g = geometry(Some(&p)).unwrap();
        assert!(measure(&g, View::Front, 1.0).is_none());
        assert!(measure(&g, View::Side, 1.0).is_some());
    }

    #[test]
    fn calibration_needs_about_a_second() {
        let g = geometry(Some(&front_pose())).unwrap();
        let mut c = Calibrator::default();
        assert!(c.push(0.0, g, None).is_none());
        assert!(c.push(0.4, g, None).is_none());
        let b = c.push(0.8, g, None).unwrap();
        assert_eq!(b.view, View::Front);
        let direct = measure(&g, View::Front, b.facing).unwrap();
        assert_eq!(b.m.rise, direct.rise);
        // Forced view wins.
        let mut c = Calibrator::default();
        for t in [0.0, 0.5, 1.0] {
            if let Some(b) = c.push(t, g, Some(View::Side)) {
                assert_eq!(b.view, View::Side);
            }
        }
    }

    #[test]
    fn side_facing_follows_the_nose() {
        let g = geometry(Some(&side_pose())).unwrap();
        let b = baseline_from(&[g], None).unwrap();
        assert_eq!(b.facing, 1.0);
        assert!(b.m.fwd > 0.0, "ears ahead of the shoulders: {}", b.m.fwd);
        let g = geometry(Some(&side_pose().mirrored())).unwrap();
        let b2 = baseline_from(&[g], None).unwrap();
        assert_eq!(b2.facing, -1.0);
        assert!((b.m.fwd - b2.m.fwd).abs() < 1e-4);
    }
}
