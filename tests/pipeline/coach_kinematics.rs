//! Stretch movement made by forward kinematics, independently of the coach.
//!
//! The coach's own generator (`hunch::coach::synth`) moves landmarks by the
//! detectors' nominal amounts, so a test built on it only shows that the
//! detectors agree with themselves. This one shares no constant and no
//! measurement with the coach: it takes a real photo's MediaPipe landmarks
//! (image pixels and world metres), turns joints by anatomical angles in 3D,
//! and projects the result through a pinhole camera fitted to the photo.
//!
//! Ranges of motion the angles stay within (degrees, from the neutral
//! position), as tabulated by Norkin & White, *Measurement of Joint Motion:
//! A Guide to Goniometry* (after the American Academy of Orthopaedic
//! Surgeons, *Joint Motion: Method of Measuring and Recording*, 1965):
//! cervical flexion 0–45 and extension 0–45; thoracolumbar extension 0–25;
//! shoulder abduction 0–180; elbow flexion 0–150. Shoulder-girdle elevation
//! at the sternoclavicular joint reaches about 45 (depression about 10):
//! Neumann, *Kinesiology of the Musculoskeletal System*, ch. 5.
//!
//! - A chin tuck (cervical retraction) is lower-cervical extension with
//!   equal upper-cervical flexion, so the head slides back and stays level
//!   (Ordway et al., "Cervical flexion, extension, protrusion, and
//!   retraction: a radiographic segmental analysis", Spine 24(3), 1999).
//!   Modelled as the head turning about C7 by the extension angle and back
//!   about the ears by the flexion angle. C7 is not a landmark: it is put
//!   [`C7_BEHIND_M`] behind and [`C7_ABOVE_M`] above the shoulder joints
//!   (an estimate from surface anatomy: the vertebra prominens at the base
//!   of the neck, behind the line of the shoulders).
//! - A shrug is elevation of each clavicle about its sternoclavicular joint
//!   (taken between the shoulders); the arm hangs from the shoulder and
//!   moves with it.
//! - Wall angels move the arms in the body's frontal plane: shoulder
//!   abduction with elbow flexion, from a W (upper arms out, forearms up)
//!   to a Y (arms overhead). Segment lengths relative to the biacromial
//!   breadth follow ANSUR II's adult male means (Gordon et al., 2014:
//!   acromion–radiale about 0.81, radiale–stylion about 0.65 of the
//!   biacromial breadth); the photo's shoulder landmarks stand in for the
//!   breadth.
//! - Thoracic extension over the chair back turns the upper body (head,
//!   shoulders, arms) backwards about the hips.
//! - Trunk rotation (the rotational stretch) turns the upper body (head,
//!   shoulders, arms) about the vertical through the hips. Thoracolumbar
//!   rotation reaches 0–45 degrees each way (Norkin & White, after the AAOS).
//! - Neck circumduction (neck rolls) tips the head about C7 by a fixed
//!   angle in a direction that goes round: flexion (chin down), lateral
//!   flexion to one side, extension, lateral flexion to the other. Cervical
//!   flexion and extension reach 0–45 degrees and lateral flexion 0–45
//!   (Norkin & White, after the AAOS); a gentle roll uses about half.
//!
//! The camera: a pinhole with a 65° horizontal field of view (a typical
//! laptop webcam), whose distance and offset are fitted so that MediaPipe's
//! world landmarks of the head and shoulders project onto its image
//! landmarks. What the fit does not explain (MediaPipe's world and image
//! outputs disagree by a few pixels) is kept per landmark and added back,
//! scaled with depth, so the start pose is the photo's pose exactly.

use hunch::landmarks::Pose;

use crate::v3::*;

/// `v` turned by `deg` about the unit `axis` (Rodrigues' formula).
fn rotate(v: V3, axis: V3, deg: f32) -> V3 {
    let (s, c) = deg.to_radians().sin_cos();
    add(
        add(mul(v, c), mul(cross(axis, v), s)),
        mul(axis, dot(axis, v) * (1.0 - c)),
    )
}

fn rotate_about(p: V3, pivot: V3, axis: V3, deg: f32) -> V3 {
    add(pivot, rotate(sub(p, pivot), axis, deg))
}

/// Where C7 sits from the midpoint of the shoulder joints (metres, along the
/// body's backward and upward directions): an estimate, see the module notes.
pub const C7_BEHIND_M: f32 = 0.06;
pub const C7_ABOVE_M: f32 = 0.03;
/// Horizontal field of view of the assumed webcam.
pub const HFOV_DEG: f32 = 65.0;
/// Upper arm (acromion–radiale) and forearm (radiale–stylion) over the
/// biacromial breadth (ANSUR II male means, see the module notes).
const UPPER_ARM_PER_BREADTH: f32 = 0.81;
const FOREARM_PER_BREADTH: f32 = 0.65;
/// Wrist to the knuckles, over the biacromial breadth (hand length is about
/// 0.108 of stature, the breadth about 0.23: Drillis & Contini 1966, ANSUR II).
const HAND_PER_BREADTH: f32 = 0.4;

const NOSE: usize = 0;
const HEAD_LAST: usize = 10;
const L_SHOULDER: usize = 11;
const R_SHOULDER: usize = 12;
const UPPER_LAST: usize = 22;
const L_EAR: usize = 7;
const R_EAR: usize = 8;
const L_HIP: usize = 23;
const R_HIP: usize = 24;

/// Arms in the frontal plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arms {
    /// Shoulder abduction: 0 hanging, 90 out to the side, 180 overhead.
    pub abduction_deg: f32,
    /// Elbow flexion: 0 straight; the forearm turns further up and in.
    pub elbow_flexion_deg: f32,
}

/// Joint angles away from the photo's posture (all 0: the photo itself).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Angles {
    /// Lower-cervical extension, equal to the upper-cervical flexion.
    pub retraction_deg: f32,
    /// Sternoclavicular elevation of both shoulders (negative: depression).
    pub shoulder_elevation_deg: f32,
    /// Arms placed in the frontal plane; `None` leaves the photo's arms.
    pub arms: Option<Arms>,
    /// Upper body turned backwards about the hips.
    pub trunk_extension_deg: f32,
    /// The whole person this many metres further from the camera.
    pub sit_back_m: f32,
    /// Upper body turned about the vertical through the hips (positive: the
    /// left shoulder goes back).
    pub trunk_rotation_deg: f32,
    /// Head tipped about C7 by this angle...
    pub neck_tilt_deg: f32,
    /// ...towards this direction: 0 forward (flexion), 90 to the person's
    /// left (lateral flexion), 180 back (extension), 270 to the right.
    pub neck_tilt_dir_deg: f32,
}

impl Angles {
    /// `self` moved `u` of the way (0..1) towards `to`.
    pub fn towards(&self, to: &Angles, u: f32) -> Angles {
        let l = |a: f32, b: f32| a + (b - a) * u;
        Angles {
            retraction_deg: l(self.retraction_deg, to.retraction_deg),
            shoulder_elevation_deg: l(self.shoulder_elevation_deg, to.shoulder_elevation_deg),
            arms: match (self.arms, to.arms) {
                (Some(a), Some(b)) => Some(Arms {
                    abduction_deg: l(a.abduction_deg, b.abduction_deg),
                    elbow_flexion_deg: l(a.elbow_flexion_deg, b.elbow_flexion_deg),
                }),
                (a, b) => b.or(a),
            },
            trunk_extension_deg: l(self.trunk_extension_deg, to.trunk_extension_deg),
            sit_back_m: l(self.sit_back_m, to.sit_back_m),
            trunk_rotation_deg: l(self.trunk_rotation_deg, to.trunk_rotation_deg),
            neck_tilt_deg: l(self.neck_tilt_deg, to.neck_tilt_deg),
            neck_tilt_dir_deg: l(self.neck_tilt_dir_deg, to.neck_tilt_dir_deg),
        }
    }
}

/// A real person from a photo, ready to be moved.
pub struct Body {
    start: Pose,
    world: [V3; 33],
    f: f32,
    c: [f32; 2],
    t: V3,
    resid: [[f32; 2]; 33],
    /// The person's left, up and forward (world, unit).
    lat: V3,
    up: V3,
    fwd: V3,
    /// Sign of a turn about `lat` that takes the top of the body backwards.
    ext: f32,
    /// Biacromial breadth (world metres).
    breadth: f32,
}

impl Body {
    /// Fits the camera to `pose` (which must carry MediaPipe world landmarks).
    pub fn new(pose: &Pose) -> Body {
        let world = pose.world;
        let w = pose.image_width as f32;
        let h = pose.image_height as f32;
        let f = w / 2.0 / (HFOV_DEG.to_radians() / 2.0).tan();
        let c = [w / 2.0, h / 2.0];
        // Least squares image ≈ s · world_xy + o over the visible head and
        // shoulders; then s = f / distance and o = c + s · t_xy.
        let used: Vec<usize> = (NOSE..=R_SHOULDER)
            .filter(|&i| pose.landmarks[i].visibility >= 0.5)
            .collect();
        assert!(used.len() >= 4, "too few visible landmarks to fit a camera");
        let n = used.len() as f32;
        let mean = |g: &dyn Fn(usize) -> f32| used.iter().map(|&i| g(i)).sum::<f32>() / n;
        let (mwx, mwy, mwz) = (
            mean(&|i| world[i][0]),
            mean(&|i| world[i][1]),
            mean(&|i| world[i][2]),
        );
        let (mix, miy) = (
            mean(&|i| pose.landmarks[i].x),
            mean(&|i| pose.landmarks[i].y),
        );
        let (mut num, mut den) = (0.0, 0.0);
        for &i in &used {
            let (dx, dy) = (world[i][0] - mwx, world[i][1] - mwy);
            num += dx * (pose.landmarks[i].x - mix) + dy * (pose.landmarks[i].y - miy);
            den += dx * dx + dy * dy;
        }
        let s = num / den;
        assert!(
            s > 0.0,
            "the photo's landmarks do not fit its world landmarks"
        );
        let distance = f / s;
        let t = [
            (mix - s * mwx - c[0]) / s,
            (miy - s * mwy - c[1]) / s,
            distance - mwz,
        ];
        let lat = unit(sub(world[L_SHOULDER], world[R_SHOULDER]));
        let down = [0.0, 1.0, 0.0];
        let up = unit(sub(mul(down, -1.0), mul(lat, -dot(down, lat))));
        let mut fwd = cross(lat, up);
        let ears = mid(world[L_EAR], world[R_EAR]);
        if dot(sub(world[NOSE], ears), fwd) < 0.0 {
            fwd = mul(fwd, -1.0);
        }
        let ext = if dot(rotate(up, lat, 10.0), fwd) < 0.0 {
            1.0
        } else {
            -1.0
        };
        let mut body = Body {
            start: pose.clone(),
            world,
            f,
            c,
            t,
            resid: [[0.0; 2]; 33],
            lat,
            up,
            fwd,
            ext,
            breadth: dot(sub(world[L_SHOULDER], world[R_SHOULDER]), lat),
        };
        for (i, w) in world.iter().enumerate() {
            let p = body.project(*w);
            body.resid[i] = [pose.landmarks[i].x - p[0], pose.landmarks[i].y - p[1]];
        }
        body
    }

    fn depth(&self, p: V3) -> f32 {
        p[2] + self.t[2]
    }

    fn project(&self, p: V3) -> [f32; 2] {
        let z = self.depth(p);
        [
            self.c[0] + self.f * (p[0] + self.t[0]) / z,
            self.c[1] + self.f * (p[1] + self.t[1]) / z,
        ]
    }

    /// Camera to the shoulders, metres.
    pub fn distance_m(&self) -> f32 {
        self.depth(mid(self.world[L_SHOULDER], self.world[R_SHOULDER]))
    }

    /// How far to sit back (metres) to look `k` times as large.
    pub fn sit_back_for(&self, k: f32) -> f32 {
        self.distance_m() * (1.0 / k - 1.0)
    }

    /// The shoulder breadth in pixels at the shoulders' depth, in any view
    /// (a side view hides it; the camera model does not).
    pub fn breadth_px(&self) -> f32 {
        let m = mid(self.world[L_SHOULDER], self.world[R_SHOULDER]);
        self.f * self.breadth / self.depth(m)
    }

    /// The photo's person with `a` applied, as the camera would see it.
    pub fn pose(&self, a: &Angles) -> Pose {
        let mut p = self.world;
        let shoulders = mid(p[L_SHOULDER], p[R_SHOULDER]);
        let mut placed = [false; 33];
        // Arms in the frontal plane from each shoulder.
        if let Some(arms) = a.arms {
            for (sh, side, chain) in [
                (L_SHOULDER, 1.0, [13, 15, 17, 19, 21]),
                (R_SHOULDER, -1.0, [14, 16, 18, 20, 22]),
            ] {
                let dir = |deg: f32| {
                    let (s, c) = deg.to_radians().sin_cos();
                    add(mul(self.up, -c), mul(self.lat, side * s))
                };
                let upper = dir(arms.abduction_deg);
                let fore = dir(arms.abduction_deg + arms.elbow_flexion_deg);
                let elbow = add(p[sh], mul(upper, UPPER_ARM_PER_BREADTH * self.breadth));
                let wrist = add(elbow, mul(fore, FOREARM_PER_BREADTH * self.breadth));
                let knuckles = add(wrist, mul(fore, HAND_PER_BREADTH * self.breadth));
                let thumb = add(wrist, mul(fore, 0.75 * HAND_PER_BREADTH * self.breadth));
                let [e, w, pinky, index, th] = chain;
                for (i, q) in [
                    (e, elbow),
                    (w, wrist),
                    (pinky, knuckles),
                    (index, knuckles),
                    (th, thumb),
                ] {
                    p[i] = q;
                    placed[i] = true;
                }
            }
        }
        // Shoulder-girdle elevation: each acromion turns about the
        // sternoclavicular joints (between the shoulders); the arm follows.
        if a.shoulder_elevation_deg != 0.0 {
            for (sh, chain) in [
                (L_SHOULDER, [13, 15, 17, 19, 21]),
                (R_SHOULDER, [14, 16, 18, 20, 22]),
            ] {
                let turn = |deg: f32| rotate_about(p[sh], shoulders, self.fwd, deg);
                let deg = a.shoulder_elevation_deg.abs();
                let (a1, a2) = (turn(deg), turn(-deg));
                let (higher, lower) = if dot(sub(a1, a2), self.up) > 0.0 {
                    (a1, a2)
                } else {
                    (a2, a1)
                };
                let moved = if a.shoulder_elevation_deg > 0.0 {
                    higher
                } else {
                    lower
                };
                let d = sub(moved, p[sh]);
                p[sh] = moved;
                for i in chain {
                    p[i] = add(p[i], d);
                }
            }
        }
        // Cervical retraction: the head turns about C7 by the extension
        // angle and back by the same flexion about the ears, a translation.
        if a.retraction_deg != 0.0 {
            let c7 = add(
                mid(p[L_SHOULDER], p[R_SHOULDER]),
                add(mul(self.fwd, -C7_BEHIND_M), mul(self.up, C7_ABOVE_M)),
            );
            let ears = mid(p[L_EAR], p[R_EAR]);
            let v = sub(ears, c7);
            let d = sub(rotate(v, self.lat, self.ext * a.retraction_deg), v);
            for q in &mut p[NOSE..=HEAD_LAST] {
                *q = add(*q, d);
            }
        }
        // Neck circumduction: the head tips about C7 towards a direction in
        // the horizontal plane (the axis is square to that direction).
        if a.neck_tilt_deg != 0.0 {
            let c7 = add(
                mid(p[L_SHOULDER], p[R_SHOULDER]),
                add(mul(self.fwd, -C7_BEHIND_M), mul(self.up, C7_ABOVE_M)),
            );
            let (s, c) = a.neck_tilt_dir_deg.to_radians().sin_cos();
            let toward = unit(add(mul(self.fwd, c), mul(self.lat, s)));
            // Turning about up × toward takes the top of the head towards `toward`.
            let axis = unit(cross(self.up, toward));
            let probe = rotate(self.up, axis, 10.0);
            let sign = if dot(probe, toward) > 0.0 { 1.0 } else { -1.0 };
            for q in &mut p[NOSE..=HEAD_LAST] {
                *q = rotate_about(*q, c7, axis, sign * a.neck_tilt_deg);
            }
        }
        // Trunk rotation: head, shoulders and arms turn about the vertical
        // through the hips.
        if a.trunk_rotation_deg != 0.0 {
            let hips = mid(self.world[L_HIP], self.world[R_HIP]);
            // Positive takes the left shoulder backwards.
            let probe = rotate(self.lat, self.up, 10.0);
            let sign = if dot(probe, self.fwd) < 0.0 {
                1.0
            } else {
                -1.0
            };
            for q in &mut p[NOSE..=UPPER_LAST] {
                *q = rotate_about(*q, hips, self.up, sign * a.trunk_rotation_deg);
            }
        }
        // Thoracic extension: head, shoulders and arms turn back about the hips.
        if a.trunk_extension_deg != 0.0 {
            let hips = mid(self.world[L_HIP], self.world[R_HIP]);
            for q in &mut p[NOSE..=UPPER_LAST] {
                *q = rotate_about(*q, hips, self.lat, self.ext * a.trunk_extension_deg);
            }
        }
        for q in p.iter_mut() {
            q[2] += a.sit_back_m;
        }
        let mut out = self.start.clone();
        for i in 0..33 {
            let xy = self.project(p[i]);
            let lm = &mut out.landmarks[i];
            if placed[i] {
                // Placed by the model alone: no photo residual, clearly seen.
                lm.x = xy[0];
                lm.y = xy[1];
                lm.visibility = 0.95;
                lm.presence = 0.95;
            } else {
                let k = self.depth(self.world[i]) / self.depth(p[i]);
                lm.x = xy[0] + self.resid[i][0] * k;
                lm.y = xy[1] + self.resid[i][1] * k;
            }
        }
        out.world = p;
        out
    }
}

/// Minimum-jerk position along a movement, `tau` in 0..1 (Flash & Hogan,
/// "The coordination of arm movements", J. Neurosci. 5(7), 1985).
pub fn minimum_jerk(tau: f64) -> f32 {
    let x = tau.clamp(0.0, 1.0);
    (10.0 * x.powi(3) - 15.0 * x.powi(4) + 6.0 * x.powi(5)) as f32
}
