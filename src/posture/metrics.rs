//! Per-frame posture metrics: landmarks in, named numbers out.
//!
//! Every metric is a plain number with its unit in its name, computed from a
//! handful of landmarks. Conventions: image `x` grows to the right and `y`
//! downwards (pixels); world coordinates are metres with `z` smaller nearer the
//! camera. "Reliability" is the smallest `min(visibility, presence)` of the
//! landmarks a metric uses; below [`MIN_RELIABILITY`] (or when any input is not
//! finite) the metric is `None` rather than a guess.
//!
//! The judged metrics are 3D angles from BlazePose's world landmarks
//! (metric, hip-centred), measured in the body's own sagittal plane
//! ([`BodyFrame`]), so they read the same whatever the camera's position:
//! `forward_head_deg`, `rounded_shoulders_deg`, `head_pitch_deg` and
//! `head_flexion_deg`, in every view. The 2D image metrics stay for
//! information (JSON, profile): the side-view geometry (`cva_deg`, the
//! classic 2D craniovertebral angle, only in a true side view;
//! `trunk_lean_deg`, `shoulder_ahead_pct`) and the front-view ratios
//! (front and oblique views).

use serde::{Deserialize, Serialize};

use super::View;
use crate::landmarks::{Pose, idx};

/// Landmarks less sure than this (visibility or presence) are not used.
/// MediaPipe's own drawing utilities use 0.5 as the visibility cut-off; a
/// landmark below it is as likely hidden as seen.
pub const MIN_RELIABILITY: f64 = 0.5;

/// Body yaw (degrees, from the world landmarks) up to which the camera is
/// taken to be in front. Frontal webcam photos in the shared data stay under
/// 15 degrees; turning the torso 30 degrees already shrinks the shoulder width
/// by 13 percent, past which front-view ratios stop being comparable.
pub const FRONT_MAX_YAW_DEG: f64 = 30.0;

/// Body yaw from which the camera is taken to be at the side. True side views
/// in the shared data measure 56 to 89 degrees.
pub const SIDE_MIN_YAW_DEG: f64 = 55.0;

/// Shortest horizontal shoulder line (metres, world landmarks) that defines
/// the body's left-right axis; shorter means the shoulders collapsed onto
/// one point and no sagittal plane can be told.
const MIN_SHOULDER_LINE_M: f64 = 0.02;

/// Smallest forward lead of the nose over the ear midpoint (metres, in the
/// horizontal plane, along the body's forward axis) that tells which way the
/// body faces. The nose tip sits about 10 cm ahead of the ears; under 1 cm
/// the face is turned along the shoulder line and forward cannot be told.
const MIN_FACE_LEAD_M: f64 = 0.01;

/// Smallest distance between two landmarks (pixels) that is used as a scale.
const MIN_SCALE_PX: f64 = 1.0;

macro_rules! define_metrics {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// The metrics of one frame. `None` where the view does not call for
        /// the metric or its landmarks are unsure. Serialised (JSON and the
        /// profile's TOML) without the missing ones.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct Metrics {
            $(
                $(#[$doc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $name: Option<f64>,
            )*
        }

        /// Reliability (0..1) of each metric of [`Metrics`], field by field:
        /// the least sure landmark it uses (0 where it could not be computed).
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct Reliability {
            $(
                #[allow(missing_docs)]
                #[serde(default)]
                pub $name: f64,
            )*
        }

        impl Metrics {
            /// The field names, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// The values, in the order of [`Metrics::NAMES`].
            pub fn values(&self) -> Vec<Option<f64>> {
                vec![$(self.$name),*]
            }

            /// Builds metrics from values in the order of [`Metrics::NAMES`]
            /// (missing trailing values are `None`).
            pub fn from_values(values: &[Option<f64>]) -> Metrics {
                let mut it = values.iter().copied();
                Metrics { $($name: it.next().flatten()),* }
            }
        }

        impl Reliability {
            /// The values, in the order of [`Metrics::NAMES`].
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$name),*]
            }
        }
    };
}

define_metrics! {
    /// How far the shoulders are turned away from the image plane, degrees:
    /// 0 facing the camera, 90 side on. World landmarks: both shoulders,
    /// `atan2(|dz|, |dx|)` of the left-to-right shoulder vector.
    body_yaw_deg,
    /// Every view. Forward-head angle, degrees, a 3D craniovertebral-style
    /// angle from the world landmarks: `atan2(up, forward)` of the ear
    /// midpoint relative to the shoulder midpoint in the body's own sagittal
    /// plane (see [`BodyFrame`]). 90 = ears straight above the shoulders;
    /// lower = head further forward. Landmarks: both ears, both shoulders
    /// (world), the nose (which way is forward).
    forward_head_deg,
    /// Every view. Rounded-shoulder angle, degrees, a 3D forward-shoulder
    /// angle: `atan2(forward, up)` of the shoulder midpoint relative to the
    /// hip centre in the body's sagittal plane. 0 = shoulders straight above
    /// the hips; higher = shoulders carried forward (rounding, thoracic
    /// slump). The hip centre is the origin of BlazePose's world landmarks:
    /// measured when the hips are seen, the model's estimate from the upper
    /// body when they are hidden, so the reading never needs the hips in
    /// view. Reliability: the shoulders and the nose only.
    rounded_shoulders_deg,
    /// Every view. Head pitch, degrees, positive = looking down: `atan2(down,
    /// forward)` of the nose relative to the ear midpoint in the body's
    /// sagittal plane, so a face turned towards an oblique camera does not
    /// read as pitched. Landmarks: nose, both ears, both shoulders (world).
    head_pitch_deg,
    /// Every view. Head flexion against the neck, degrees:
    /// `head_pitch_deg + forward_head_deg - 90`. Tilting the whole neck
    /// forward lowers the forward-head angle and raises the pitch by the
    /// same amount, leaving this unchanged; it rises only when the head tips
    /// down on an otherwise still neck, which is what looking down is.
    head_flexion_deg,
    /// Side view. Craniovertebral-angle proxy, degrees: the angle between the
    /// horizontal and the line from the visible shoulder to the visible ear,
    /// measured on the side the face points to: `atan2(shoulder.y - ear.y,
    /// (ear.x - shoulder.x) * facing)`. 90 = ear straight above the shoulder;
    /// smaller = head further forward. Clinical CVA uses C7 and the tragus
    /// (below about 50 degrees is the usual forward-head cut-off); the
    /// shoulder sits lower and more forward than C7, so this proxy reads
    /// higher for the same posture. Landmarks: ear, shoulder (nearer side),
    /// nose (which way the face points).
    cva_deg,
    /// Side view. Forward lean of the trunk, degrees from vertical, positive
    /// forward: `atan2((shoulder.x - hip.x) * facing, hip.y - shoulder.y)`.
    /// Landmarks: shoulder, hip (nearer side), nose and ear (facing).
    trunk_lean_deg,
    /// Side view. How far the shoulder sits ahead of the line from the hip to
    /// the ear (the seated plumb line), percent of the hip-ear distance,
    /// positive forward. Rounded shoulders push it up; a forward head alone
    /// pulls it down (the line tilts forward with the ear). Landmarks: ear,
    /// shoulder, hip (nearer side), nose (facing).
    shoulder_ahead_pct,
    /// Front view. Height of the ears' midpoint above the shoulder line,
    /// measured perpendicular to that line, divided by the shoulder width.
    /// Falls as the head drops forward. Landmarks: both ears and shoulders.
    ear_height_ratio,
    /// Front view. Height of the nose above the shoulder line divided by the
    /// shoulder width ("nose drop"); falls when the head drops forward and
    /// when looking down. Landmarks: nose and both shoulders.
    nose_height_ratio,
    /// Front view. Ear-to-ear distance over shoulder-to-shoulder distance.
    /// Grows as the head comes towards the camera and as the shoulders round
    /// (narrow); its reciprocal is the rounded-shoulders signal. Landmarks:
    /// both ears and shoulders.
    head_width_ratio,
    /// Front view. How far the ears' midpoint is in front of the shoulders'
    /// midpoint, centimetres, from the world landmarks: `(shoulders.z -
    /// ears.z) * 100`. Grows as the head comes forward.
    head_forward_cm,
    /// Front view, only when the hips are seen. How far the shoulders'
    /// midpoint is in front of the hips' midpoint, centimetres, from the
    /// world landmarks: `(hips.z - shoulders.z) * 100`.
    shoulder_forward_cm,
    /// Front view. Tilt of the line between the ears against the horizontal,
    /// degrees, positive when the left ear (landmark 7) is higher.
    head_tilt_deg,
    /// Front view. Tilt of the shoulder line against the horizontal, degrees,
    /// positive when the left shoulder (landmark 11) is higher.
    shoulder_tilt_deg,
}

/// What [`measure`] found in one pose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The view the metrics were computed for (forced or detected).
    pub view: View,
    /// True when the caller forced the view rather than letting it be detected.
    pub view_forced: bool,
    /// The metrics.
    pub metrics: Metrics,
    /// How sure each metric is.
    pub reliability: Reliability,
}

/// One landmark as f64, with its reliability (0 when not finite).
#[derive(Clone, Copy, Debug)]
struct Pt {
    x: f64,
    y: f64,
    rel: f64,
}

impl Pt {
    fn mid(a: Pt, b: Pt) -> Pt {
        Pt {
            x: (a.x + b.x) / 2.0,
            y: (a.y + b.y) / 2.0,
            rel: a.rel.min(b.rel),
        }
    }

    fn dist(self, o: Pt) -> f64 {
        (self.x - o.x).hypot(self.y - o.y)
    }
}

/// Reads the pose once, with every non-finite value made unusable.
struct Geo<'a> {
    pose: &'a Pose,
}

impl<'a> Geo<'a> {
    fn pt(&self, i: usize) -> Pt {
        let lm = &self.pose.landmarks[i];
        let (x, y) = (f64::from(lm.x), f64::from(lm.y));
        let (vis, pres) = (f64::from(lm.visibility), f64::from(lm.presence));
        // Anything not a finite number makes the landmark unusable.
        let rel = if [x, y, vis, pres].iter().all(|v| v.is_finite()) {
            vis.min(pres).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Pt { x, y, rel }
    }

    /// World point `i` when the world landmarks are usable.
    fn world(&self, i: usize) -> Option<[f64; 3]> {
        let w = self.pose.world[i];
        let p = [f64::from(w[0]), f64::from(w[1]), f64::from(w[2])];
        p.iter().all(|v| v.is_finite()).then_some(p)
    }

    /// False when the world landmarks are absent (all zero) or broken.
    fn world_usable(&self) -> bool {
        let mut any_nonzero = false;
        for w in &self.pose.world {
            for v in w {
                if !v.is_finite() {
                    return false;
                }
                any_nonzero |= *v != 0.0;
            }
        }
        any_nonzero
    }
}

/// True for a finite distance long enough to divide by.
fn usable_scale(v: f64) -> bool {
    v.is_finite() && v >= MIN_SCALE_PX
}

/// A metric value with its reliability; `None` value when unusable.
fn gate(value: f64, rel: f64) -> (Option<f64>, f64) {
    let rel = if rel.is_finite() { rel } else { 0.0 };
    if value.is_finite() && rel >= MIN_RELIABILITY {
        (Some(value), rel)
    } else {
        (None, rel)
    }
}

/// Unit normal of the line `a -> b` that points up in the image (negative y).
fn up_normal(a: Pt, b: Pt) -> Option<(f64, f64)> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    if !usable_scale(len) {
        return None;
    }
    let (nx, ny) = (-dy / len, dx / len);
    Some(if ny <= 0.0 { (nx, ny) } else { (-nx, -ny) })
}

/// Tilt of the line from `right` to `left` against the horizontal, degrees,
/// positive when `left` is higher in the image.
fn tilt_deg(left: Pt, right: Pt) -> f64 {
    (right.y - left.y)
        .atan2((left.x - right.x).abs())
        .to_degrees()
}

/// Body yaw from the world shoulders, degrees (0 facing the camera).
fn body_yaw(g: &Geo) -> Option<f64> {
    if !g.world_usable() {
        return None;
    }
    let l = g.world(idx::LEFT_SHOULDER)?;
    let r = g.world(idx::RIGHT_SHOULDER)?;
    let (dx, dz) = ((l[0] - r[0]).abs(), (l[2] - r[2]).abs());
    if dx.hypot(dz) < 1e-6 {
        return None;
    }
    Some(dz.atan2(dx).to_degrees())
}

/// The view the landmarks show, if they show one.
///
/// From the world body yaw when available (see [`FRONT_MAX_YAW_DEG`] and
/// [`SIDE_MIN_YAW_DEG`]); otherwise from the image alone: the shoulders'
/// horizontal spread over the ear-to-shoulder distance, about 1.6 to 2.6 in
/// frontal photos and under 1 side on.
pub fn detect_view(pose: &Pose) -> Option<View> {
    let g = Geo { pose };
    let (ls, rs) = (g.pt(idx::LEFT_SHOULDER), g.pt(idx::RIGHT_SHOULDER));
    if ls.rel.min(rs.rel) < MIN_RELIABILITY {
        return None;
    }
    if let Some(yaw) = body_yaw(&g) {
        return Some(view_from_yaw(yaw));
    }
    let (le, re) = (g.pt(idx::LEFT_EAR), g.pt(idx::RIGHT_EAR));
    if le.rel.min(re.rel) < MIN_RELIABILITY {
        return None;
    }
    let neck = Pt::mid(le, re).dist(Pt::mid(ls, rs));
    if !usable_scale(neck) {
        return None;
    }
    let spread = (ls.x - rs.x).abs() / neck;
    Some(if spread >= 1.2 {
        View::Front
    } else if spread <= 0.6 {
        View::Side
    } else {
        View::Oblique
    })
}

fn view_from_yaw(yaw: f64) -> View {
    if yaw <= FRONT_MAX_YAW_DEG {
        View::Front
    } else if yaw >= SIDE_MIN_YAW_DEG {
        View::Side
    } else {
        View::Oblique
    }
}

/// The measurement of a frame without a person: nothing measured. Lets a
/// calibration count a photo in which nobody was found.
pub fn measure_nobody(view: Option<View>) -> Measurement {
    Measurement {
        view: view.unwrap_or(View::Front),
        view_forced: view.is_some(),
        metrics: Metrics::default(),
        reliability: Reliability::default(),
    }
}

/// Measures one pose. `view`: `Some` forces the view, `None` detects it
/// (falling back to `Front` when it cannot be told; the metrics are then
/// missing anyway). Never panics: unusable landmarks give `None` metrics.
pub fn measure(pose: &Pose, view: Option<View>) -> Measurement {
    let g = Geo { pose };
    let view_forced = view.is_some();
    let view = view.or_else(|| detect_view(pose)).unwrap_or(View::Front);
    let mut m = Metrics::default();
    let mut r = Reliability::default();

    let (ls, rs) = (g.pt(idx::LEFT_SHOULDER), g.pt(idx::RIGHT_SHOULDER));
    if let Some(yaw) = body_yaw(&g) {
        (m.body_yaw_deg, r.body_yaw_deg) = gate(yaw, ls.rel.min(rs.rel));
    }
    if let Some(body) = BodyFrame::new(&g) {
        body.angles(&g, &mut m, &mut r);
    }
    if matches!(view, View::Front | View::Oblique) {
        front_metrics(&g, &mut m, &mut r);
    }
    if matches!(view, View::Side | View::Oblique) {
        side_metrics(&g, view, &mut m, &mut r);
    }
    Measurement {
        view,
        view_forced,
        metrics: m,
        reliability: r,
    }
}

/// The body's own frame, from the world landmarks: the left-right axis is
/// the horizontal (x, z) direction of the shoulder line; *forward* is the
/// horizontal direction perpendicular to it, on the side the nose points
/// (nose minus ear midpoint); *up* is minus world `y`. The sagittal plane is
/// spanned by forward and up. Angles measured in it do not depend on where
/// the camera stands (yaw), on the image's scale, or on mirroring.
#[derive(Clone, Copy, Debug)]
pub struct BodyFrame {
    /// Shoulder midpoint (world, metres).
    shoulders: [f64; 3],
    /// Ear midpoint (world, metres).
    ears: [f64; 3],
    /// Unit forward direction in the horizontal plane: (x, z).
    forward: (f64, f64),
    /// Least reliability of the ears, shoulders and nose.
    rel: f64,
}

/// Reliability of a left-right pair: that of the better side. The world
/// model places a hidden side by the body's symmetry, so one seen side is
/// enough; the world points themselves must still be finite numbers.
fn pair_rel(a: Pt, b: Pt) -> f64 {
    a.rel.max(b.rel)
}

impl BodyFrame {
    /// The frame of `g`'s pose; `None` without usable world landmarks, with
    /// unsure ears, shoulders or nose, or when forward cannot be told.
    fn new(g: &Geo) -> Option<BodyFrame> {
        if !g.world_usable() {
            return None;
        }
        let rel = pair_rel(g.pt(idx::LEFT_EAR), g.pt(idx::RIGHT_EAR))
            .min(pair_rel(
                g.pt(idx::LEFT_SHOULDER),
                g.pt(idx::RIGHT_SHOULDER),
            ))
            .min(g.pt(idx::NOSE).rel);
        if rel < MIN_RELIABILITY {
            return None;
        }
        let (ls, rs) = (g.world(idx::LEFT_SHOULDER)?, g.world(idx::RIGHT_SHOULDER)?);
        let (le, re) = (g.world(idx::LEFT_EAR)?, g.world(idx::RIGHT_EAR)?);
        let nose = g.world(idx::NOSE)?;
        let mid = |a: [f64; 3], b: [f64; 3]| {
            [
                (a[0] + b[0]) / 2.0,
                (a[1] + b[1]) / 2.0,
                (a[2] + b[2]) / 2.0,
            ]
        };
        let (shoulders, ears) = (mid(ls, rs), mid(le, re));
        let (sx, sz) = (ls[0] - rs[0], ls[2] - rs[2]);
        let len = sx.hypot(sz);
        if !(len.is_finite() && len >= MIN_SHOULDER_LINE_M) {
            return None;
        }
        let (mut fx, mut fz) = (-sz / len, sx / len);
        let lead = (nose[0] - ears[0]) * fx + (nose[2] - ears[2]) * fz;
        if !lead.is_finite() || lead.abs() < MIN_FACE_LEAD_M {
            return None;
        }
        if lead < 0.0 {
            (fx, fz) = (-fx, -fz);
        }
        Some(BodyFrame {
            shoulders,
            ears,
            forward: (fx, fz),
            rel,
        })
    }

    /// `(forward, up)` of `p` relative to `origin`, metres.
    fn sagittal(&self, p: [f64; 3], origin: [f64; 3]) -> (f64, f64) {
        let (fx, fz) = self.forward;
        (
            (p[0] - origin[0]) * fx + (p[2] - origin[2]) * fz,
            origin[1] - p[1],
        )
    }

    /// Fills the 3D angles: forward head, rounded shoulders, head pitch and
    /// head flexion.
    fn angles(&self, g: &Geo, m: &mut Metrics, r: &mut Reliability) {
        let (fwd, up) = self.sagittal(self.ears, self.shoulders);
        let fh = up.atan2(fwd).to_degrees();
        (m.forward_head_deg, r.forward_head_deg) = gate(fh, self.rel);
        // The hip centre is the world origin; the hip landmarks' midpoint
        // is used when the model placed them (it is then the same point).
        let hips = match (g.world(idx::LEFT_HIP), g.world(idx::RIGHT_HIP)) {
            (Some(a), Some(b)) => [
                (a[0] + b[0]) / 2.0,
                (a[1] + b[1]) / 2.0,
                (a[2] + b[2]) / 2.0,
            ],
            _ => [0.0; 3],
        };
        let (fwd, up) = self.sagittal(self.shoulders, hips);
        let rs = fwd.atan2(up).to_degrees();
        (m.rounded_shoulders_deg, r.rounded_shoulders_deg) = gate(rs, self.rel);
        if let Some(nose) = g.world(idx::NOSE) {
            let (fwd, up) = self.sagittal(nose, self.ears);
            let pitch = (-up).atan2(fwd).to_degrees();
            (m.head_pitch_deg, r.head_pitch_deg) = gate(pitch, self.rel);
            (m.head_flexion_deg, r.head_flexion_deg) = gate(pitch + fh - 90.0, self.rel);
        }
    }
}

fn front_metrics(g: &Geo, m: &mut Metrics, r: &mut Reliability) {
    let (ls, rs) = (g.pt(idx::LEFT_SHOULDER), g.pt(idx::RIGHT_SHOULDER));
    let (le, re) = (g.pt(idx::LEFT_EAR), g.pt(idx::RIGHT_EAR));
    let nose = g.pt(idx::NOSE);
    let (sm, em) = (Pt::mid(ls, rs), Pt::mid(le, re));
    let sw = ls.dist(rs);
    let ew = le.dist(re);

    if let Some((nx, ny)) = up_normal(rs, ls) {
        let above = |p: Pt| ((p.x - sm.x) * nx + (p.y - sm.y) * ny) / sw;
        (m.ear_height_ratio, r.ear_height_ratio) = gate(above(em), sm.rel.min(em.rel));
        (m.nose_height_ratio, r.nose_height_ratio) = gate(above(nose), sm.rel.min(nose.rel));
        if ew >= MIN_SCALE_PX {
            (m.head_width_ratio, r.head_width_ratio) = gate(ew / sw, sm.rel.min(em.rel));
        }
        (m.shoulder_tilt_deg, r.shoulder_tilt_deg) = gate(tilt_deg(ls, rs), sm.rel);
    }
    if up_normal(re, le).is_some() {
        (m.head_tilt_deg, r.head_tilt_deg) = gate(tilt_deg(le, re), em.rel);
    }
    if g.world_usable() {
        let wmid =
            |a: usize, b: usize| -> Option<f64> { Some((g.world(a)?[2] + g.world(b)?[2]) / 2.0) };
        if let (Some(sz), Some(ez)) = (
            wmid(idx::LEFT_SHOULDER, idx::RIGHT_SHOULDER),
            wmid(idx::LEFT_EAR, idx::RIGHT_EAR),
        ) {
            (m.head_forward_cm, r.head_forward_cm) = gate((sz - ez) * 100.0, sm.rel.min(em.rel));
            let hm = Pt::mid(g.pt(idx::LEFT_HIP), g.pt(idx::RIGHT_HIP));
            if let Some(hz) = wmid(idx::LEFT_HIP, idx::RIGHT_HIP) {
                (m.shoulder_forward_cm, r.shoulder_forward_cm) =
                    gate((hz - sz) * 100.0, sm.rel.min(hm.rel));
            }
        }
    }
}

/// The shoulder, ear and hip of the side nearer the camera (by world depth,
/// else by reliability); the midpoint of both sides when they cannot be told
/// apart, so that a mirrored pose measures the same.
fn near_side(g: &Geo) -> (Pt, Pt, Pt) {
    let left = (
        g.pt(idx::LEFT_SHOULDER),
        g.pt(idx::LEFT_EAR),
        g.pt(idx::LEFT_HIP),
    );
    let right = (
        g.pt(idx::RIGHT_SHOULDER),
        g.pt(idx::RIGHT_EAR),
        g.pt(idx::RIGHT_HIP),
    );
    let depth = |s: usize, e: usize| -> Option<f64> { Some(g.world(s)?[2] + g.world(e)?[2]) };
    let by_depth = if g.world_usable() {
        match (
            depth(idx::LEFT_SHOULDER, idx::LEFT_EAR),
            depth(idx::RIGHT_SHOULDER, idx::RIGHT_EAR),
        ) {
            (Some(l), Some(r)) if (l - r).abs() > 1e-6 => Some(l < r),
            _ => None,
        }
    } else {
        None
    };
    let left_nearer = by_depth.or_else(|| {
        let (lr, rr) = (left.0.rel + left.1.rel, right.0.rel + right.1.rel);
        ((lr - rr).abs() > 1e-6).then_some(lr > rr)
    });
    match left_nearer {
        Some(true) => left,
        Some(false) => right,
        None => (
            Pt::mid(left.0, right.0),
            Pt::mid(left.1, right.1),
            Pt::mid(left.2, right.2),
        ),
    }
}

fn side_metrics(g: &Geo, view: View, m: &mut Metrics, r: &mut Reliability) {
    let (sh, ear, hip) = near_side(g);
    let nose = g.pt(idx::NOSE);
    let neck = ear.dist(sh);
    if !usable_scale(neck) {
        return;
    }
    // Which way the face points along x: the nose is well ahead of the ear
    // side on. Too small a lead means the face is turned to the camera.
    let lead = nose.x - ear.x;
    if !lead.is_finite() || lead.abs() < 0.1 * neck {
        return;
    }
    let facing = lead.signum();
    let face_rel = nose.rel.min(ear.rel);

    if view == View::Side {
        let cva = (sh.y - ear.y).atan2((ear.x - sh.x) * facing).to_degrees();
        (m.cva_deg, r.cva_deg) = gate(cva, face_rel.min(sh.rel));
    }

    let torso = sh.dist(hip);
    if torso >= MIN_SCALE_PX {
        let lean = ((sh.x - hip.x) * facing).atan2(hip.y - sh.y).to_degrees();
        (m.trunk_lean_deg, r.trunk_lean_deg) = gate(lean, face_rel.min(sh.rel).min(hip.rel));
    }
    let plumb = ear.dist(hip);
    if plumb >= MIN_SCALE_PX {
        // Perpendicular offset of the shoulder from the hip->ear line, with
        // the normal chosen to point the way the face points.
        let (ux, uy) = ((ear.x - hip.x) / plumb, (ear.y - hip.y) / plumb);
        let (mut nx, mut ny) = (-uy, ux);
        if nx * facing < 0.0 {
            (nx, ny) = (-nx, -ny);
        }
        let ahead = ((sh.x - hip.x) * nx + (sh.y - hip.y) * ny) / plumb * 100.0;
        let rel = face_rel.min(sh.rel).min(hip.rel);
        (m.shoulder_ahead_pct, r.shoulder_ahead_pct) = gate(ahead, rel);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::landmarks::{Landmark, NUM_LANDMARKS};

    /// A pose with every landmark at `(x, y)` pixels and `world` metres, all sure.
    pub(crate) fn blank_pose() -> Pose {
        Pose {
            landmarks: [Landmark {
                x: 0.0,
                y: 0.0,
                z: 0.0,
                visibility: 0.99,
                presence: 0.99,
            }; NUM_LANDMARKS],
            world: [[0.0; 3]; NUM_LANDMARKS],
            presence: 1.0,
            image_width: 640,
            image_height: 480,
        }
    }

    pub(crate) fn set(p: &mut Pose, i: usize, x: f32, y: f32, w: [f32; 3]) {
        p.landmarks[i].x = x;
        p.landmarks[i].y = y;
        p.world[i] = w;
    }

    /// Metres per pixel in the made-up poses: the world landmarks follow the
    /// image geometry at this scale, so 3D and 2D angles agree.
    const M_PER_PX: f32 = 0.002;

    /// A person facing the camera: shoulders 200 px apart at y = 300, ears
    /// 80 px apart at y = 300 - ear_h and `head_fwd_m` metres nearer the
    /// camera than the shoulders, nose `nose_drop` px below the ear line and
    /// 10 cm ahead of the ears. World: x right, y down, z away from the
    /// camera, hip centre at the origin (image y = 600).
    pub(crate) fn front_pose(ear_h: f32, head_fwd_m: f32, nose_drop: f32) -> Pose {
        let mut p = blank_pose();
        let k = M_PER_PX;
        let w = |x: f32, y: f32, z: f32| [(x - 320.0) * k, (y - 600.0) * k, z];
        set(
            &mut p,
            idx::LEFT_SHOULDER,
            420.0,
            300.0,
            w(420.0, 300.0, 0.0),
        );
        set(
            &mut p,
            idx::RIGHT_SHOULDER,
            220.0,
            300.0,
            w(220.0, 300.0, 0.0),
        );
        let ey = 300.0 - ear_h;
        set(&mut p, idx::LEFT_EAR, 360.0, ey, w(360.0, ey, -head_fwd_m));
        set(&mut p, idx::RIGHT_EAR, 280.0, ey, w(280.0, ey, -head_fwd_m));
        let ny = ey + nose_drop;
        set(
            &mut p,
            idx::NOSE,
            320.0,
            ny,
            w(320.0, ny, -0.1 - head_fwd_m),
        );
        let eye_z = -0.08 - head_fwd_m;
        set(
            &mut p,
            idx::LEFT_EYE,
            335.0,
            ey - 5.0,
            w(335.0, ey - 5.0, eye_z),
        );
        set(
            &mut p,
            idx::RIGHT_EYE,
            305.0,
            ey - 5.0,
            w(305.0, ey - 5.0, eye_z),
        );
        set(&mut p, idx::LEFT_HIP, 400.0, 600.0, w(400.0, 600.0, 0.0));
        set(&mut p, idx::RIGHT_HIP, 240.0, 600.0, w(240.0, 600.0, 0.0));
        p
    }

    /// A person seen from their left, facing +x: hip at (300, 400), shoulder
    /// `lean_deg` ahead of vertical 200 px above, ear at `cva_deg` from the
    /// shoulder 100 px away, nose 40 px ahead of the ear and `pitch_deg` down.
    /// World: the image geometry at [`M_PER_PX`], hip centre at the origin,
    /// left side nearer the camera (smaller z).
    pub(crate) fn side_pose(cva_deg: f64, lean_deg: f64, pitch_deg: f64) -> Pose {
        let mut p = blank_pose();
        let (hx, hy) = (300.0f64, 400.0f64);
        let (sx, sy) = (
            hx + 200.0 * lean_deg.to_radians().sin(),
            hy - 200.0 * lean_deg.to_radians().cos(),
        );
        let (ex, ey) = (
            sx + 100.0 * cva_deg.to_radians().cos(),
            sy - 100.0 * cva_deg.to_radians().sin(),
        );
        let (nx, ny) = (
            ex + 40.0 * pitch_deg.to_radians().cos(),
            ey + 40.0 * pitch_deg.to_radians().sin(),
        );
        let f = |v: f64| v as f32;
        let k = f64::from(M_PER_PX);
        let w = |x: f64, y: f64, z: f64| [f((x - hx) * k), f((y - hy) * k), f(z)];
        set(&mut p, idx::LEFT_HIP, f(hx), f(hy), w(hx, hy, -0.1));
        set(&mut p, idx::RIGHT_HIP, f(hx), f(hy), w(hx, hy, 0.1));
        set(&mut p, idx::LEFT_SHOULDER, f(sx), f(sy), w(sx, sy, -0.18));
        set(
            &mut p,
            idx::RIGHT_SHOULDER,
            f(sx) - 5.0,
            f(sy),
            w(sx, sy, 0.18),
        );
        set(&mut p, idx::LEFT_EAR, f(ex), f(ey), w(ex, ey, -0.08));
        set(&mut p, idx::RIGHT_EAR, f(ex) - 3.0, f(ey), w(ex, ey, 0.08));
        set(&mut p, idx::NOSE, f(nx), f(ny), w(nx, ny, 0.0));
        p
    }

    fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= tol)
    }

    #[test]
    fn front_view_is_detected_and_side_view_too() {
        assert_eq!(
            detect_view(&front_pose(120.0, 0.05, 10.0)),
            Some(View::Front)
        );
        assert_eq!(detect_view(&side_pose(65.0, 0.0, 20.0)), Some(View::Side));
    }

    #[test]
    fn view_falls_back_to_the_image_without_world_landmarks() {
        let mut p = front_pose(120.0, 0.05, 10.0);
        p.world = [[0.0; 3]; NUM_LANDMARKS];
        assert_eq!(detect_view(&p), Some(View::Front));
        let mut s = side_pose(65.0, 0.0, 20.0);
        s.world = [[0.0; 3]; NUM_LANDMARKS];
        assert_eq!(detect_view(&s), Some(View::Side));
    }

    #[test]
    fn body_yaw_reads_the_shoulder_line_angle() {
        let mut p = front_pose(120.0, 0.05, 10.0);
        // Right shoulder 0.4 m further from the camera than the left, 0.4 m apart in x.
        p.world[idx::RIGHT_SHOULDER] = [-0.2, -0.5, 0.4];
        p.world[idx::LEFT_SHOULDER] = [0.2, -0.5, 0.0];
        let m = measure(&p, None);
        assert!(close(m.metrics.body_yaw_deg, 45.0, 1e-6));
        assert_eq!(m.view, View::Oblique);
    }

    #[test]
    fn cva_trunk_and_pitch_are_measured_side_on() {
        let m = measure(&side_pose(62.0, 7.0, 25.0), None);
        assert_eq!(m.view, View::Side);
        assert!(
            close(m.metrics.cva_deg, 62.0, 0.3),
            "{:?}",
            m.metrics.cva_deg
        );
        assert!(close(m.metrics.trunk_lean_deg, 7.0, 0.3));
        assert!(close(m.metrics.head_pitch_deg, 25.0, 0.5));
        // Front-only metrics are not computed side on.
        assert_eq!(m.metrics.ear_height_ratio, None);
    }

    #[test]
    fn angles_3d_follow_the_body_in_side_and_front_views() {
        let m = measure(&side_pose(62.0, 7.0, 25.0), None).metrics;
        assert!(close(m.forward_head_deg, 62.0, 0.01), "{m:?}");
        assert!(close(m.rounded_shoulders_deg, 7.0, 0.01), "{m:?}");
        assert!(close(m.head_pitch_deg, 25.0, 0.01), "{m:?}");
        assert!(close(m.head_flexion_deg, 25.0 + 62.0 - 90.0, 0.01), "{m:?}");
        // Front: ears 24 cm above and 5 cm ahead of the shoulders; shoulders
        // 60 cm straight above the hips.
        let m = measure(&front_pose(120.0, 0.05, 16.0), None).metrics;
        assert!(close(
            m.forward_head_deg,
            0.24f64.atan2(0.05).to_degrees(),
            1e-3
        ));
        assert!(close(m.rounded_shoulders_deg, 0.0, 1e-3), "{m:?}");
        // An oblique view gets them too.
        let m = measure(&side_pose(62.0, 7.0, 25.0), Some(View::Oblique)).metrics;
        assert!(m.forward_head_deg.is_some() && m.rounded_shoulders_deg.is_some());
    }

    #[test]
    fn hidden_hips_still_give_the_rounded_shoulder_angle() {
        let mut p = side_pose(62.0, 7.0, 25.0);
        for i in [idx::LEFT_HIP, idx::RIGHT_HIP] {
            p.landmarks[i].visibility = 0.05;
        }
        let m = measure(&p, None).metrics;
        assert!(close(m.rounded_shoulders_deg, 7.0, 0.01), "{m:?}");
        assert_eq!(m.trunk_lean_deg, None);
    }

    #[test]
    fn no_world_landmarks_or_no_face_direction_give_no_3d_angle() {
        let mut p = side_pose(62.0, 7.0, 25.0);
        p.world = [[0.0; 3]; NUM_LANDMARKS];
        let m = measure(&p, None).metrics;
        assert_eq!(m.forward_head_deg, None);
        assert!(m.cva_deg.is_some());
        // Nose level with the ears along the shoulder line: facing unknown.
        let mut p = side_pose(62.0, 7.0, 25.0);
        p.world[idx::NOSE] = p.world[idx::LEFT_EAR];
        p.world[idx::NOSE][2] -= 0.1;
        let mid_x = (p.world[idx::LEFT_EAR][0] + p.world[idx::RIGHT_EAR][0]) / 2.0;
        p.world[idx::NOSE][0] = mid_x;
        assert_eq!(measure(&p, None).metrics.forward_head_deg, None);
    }

    #[test]
    fn cva_above_90_when_the_ear_is_behind_the_shoulder() {
        let m = measure(&side_pose(100.0, 0.0, 10.0), None);
        assert!(close(m.metrics.cva_deg, 100.0, 0.3));
    }

    #[test]
    fn shoulder_ahead_of_the_plumb_line() {
        // Ear straight above the hip: the plumb line is vertical, and a
        // shoulder 20 px ahead of it on a 300 px line is 6.7 percent ahead.
        let mut p = blank_pose();
        set(&mut p, idx::LEFT_HIP, 300.0, 400.0, [0.0, 0.0, -0.1]);
        set(&mut p, idx::RIGHT_HIP, 300.0, 400.0, [0.0, 0.0, 0.1]);
        set(&mut p, idx::LEFT_SHOULDER, 320.0, 200.0, [0.0, -0.5, -0.2]);
        set(&mut p, idx::RIGHT_SHOULDER, 318.0, 200.0, [0.0, -0.5, 0.2]);
        set(&mut p, idx::LEFT_EAR, 300.0, 100.0, [0.0, -0.7, -0.1]);
        set(&mut p, idx::RIGHT_EAR, 300.0, 100.0, [0.0, -0.7, 0.1]);
        set(&mut p, idx::NOSE, 340.0, 110.0, [0.1, -0.7, 0.0]);
        let m = measure(&p, Some(View::Side));
        assert!(close(
            m.metrics.shoulder_ahead_pct,
            20.0 / 300.0 * 100.0,
            1e-3
        ));
        // Facing the other way: the shoulder is now behind the line.
        p.landmarks[idx::NOSE].x = 260.0;
        let m = measure(&p, Some(View::Side));
        assert!(close(
            m.metrics.shoulder_ahead_pct,
            -20.0 / 300.0 * 100.0,
            1e-3
        ));
    }

    #[test]
    fn front_ratios_follow_the_geometry() {
        let m = measure(&front_pose(120.0, 0.05, 16.0), None);
        assert_eq!(m.view, View::Front);
        assert!(close(m.metrics.ear_height_ratio, 120.0 / 200.0, 1e-9));
        assert!(close(m.metrics.nose_height_ratio, 104.0 / 200.0, 1e-9));
        assert!(close(m.metrics.head_width_ratio, 80.0 / 200.0, 1e-9));
        assert!(close(m.metrics.head_forward_cm, 5.0, 1e-4));
        // Nose 16 px (3.2 cm) below the ears and 10 cm ahead of them.
        assert!(close(
            m.metrics.head_pitch_deg,
            0.032f64.atan2(0.1).to_degrees(),
            1e-3
        ));
        assert!(close(m.metrics.head_tilt_deg, 0.0, 1e-9));
        assert!(close(m.metrics.shoulder_tilt_deg, 0.0, 1e-9));
        assert!(m.metrics.shoulder_forward_cm.is_some());
        assert_eq!(m.metrics.cva_deg, None);
    }

    #[test]
    fn ear_height_is_measured_across_a_tilted_shoulder_line() {
        // Rotate the whole front pose by 20 degrees about the shoulder midpoint:
        // the ratios must not change.
        let p = front_pose(120.0, 0.05, 16.0);
        let mut q = p.clone();
        let (cx, cy, a) = (320.0f32, 300.0f32, 20f32.to_radians());
        for lm in q.landmarks.iter_mut() {
            let (dx, dy) = (lm.x - cx, lm.y - cy);
            lm.x = cx + dx * a.cos() - dy * a.sin();
            lm.y = cy + dx * a.sin() + dy * a.cos();
        }
        let (mp, mq) = (measure(&p, None).metrics, measure(&q, None).metrics);
        assert!(close(
            mq.ear_height_ratio,
            mp.ear_height_ratio.unwrap_or(0.0),
            1e-4
        ));
        assert!(close(
            mq.head_pitch_deg,
            mp.head_pitch_deg.unwrap_or(0.0),
            1e-3
        ));
        // The left side went down (positive angle is clockwise in image coordinates).
        assert!(close(mq.shoulder_tilt_deg, -20.0, 1e-3));
        assert!(close(mq.head_tilt_deg, -20.0, 1e-3));
    }

    #[test]
    fn head_tilt_sign_follows_the_left_ear() {
        let mut p = front_pose(120.0, 0.05, 16.0);
        p.landmarks[idx::LEFT_EAR].y -= 20.0;
        let m = measure(&p, None);
        assert!(m.metrics.head_tilt_deg.is_some_and(|t| t > 10.0));
    }

    #[test]
    fn unsure_landmarks_give_no_metric() {
        let mut p = front_pose(120.0, 0.05, 16.0);
        p.landmarks[idx::LEFT_EAR].visibility = 0.2;
        let m = measure(&p, None);
        assert_eq!(m.metrics.ear_height_ratio, None);
        assert!((m.reliability.ear_height_ratio - 0.2).abs() < 1e-6);
        assert!(m.metrics.nose_height_ratio.is_some());
    }

    #[test]
    fn hidden_hips_give_no_trunk_lean() {
        let mut p = side_pose(62.0, 7.0, 25.0);
        p.landmarks[idx::LEFT_HIP].visibility = 0.1;
        p.landmarks[idx::RIGHT_HIP].visibility = 0.1;
        let m = measure(&p, None);
        assert_eq!(m.metrics.trunk_lean_deg, None);
        assert!(m.metrics.cva_deg.is_some());
    }

    #[test]
    fn metrics_round_trip_through_their_value_list() {
        let m = measure(&front_pose(120.0, 0.05, 16.0), None).metrics;
        assert_eq!(Metrics::from_values(&m.values()), m);
        assert_eq!(Metrics::NAMES.len(), m.values().len());
    }

    #[test]
    fn missing_metrics_are_left_out_of_json() {
        let m = measure(&side_pose(62.0, 7.0, 25.0), None).metrics;
        let j = serde_json::to_value(&m).unwrap_or_default();
        assert!(j.get("cva_deg").is_some());
        assert!(j.get("ear_height_ratio").is_none());
    }
}
