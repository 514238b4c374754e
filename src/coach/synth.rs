//! Synthetic stretch movement made from a real pose, for tests and
//! evaluations: moves the relevant landmarks of a still pose along a
//! stretch's path. `amount` is in the detectors' nominal units (1.0 = the
//! nominal movement in [`super::detectors`]); for wall angels it is the
//! position along the path from the W (0) to the Y (1).

use crate::landmarks::{Pose, idx};
use crate::posture::View;

use super::detectors::{
    CHIN_TUCK_FRONT_RISE, CHIN_TUCK_FRONT_SHRINK, CHIN_TUCK_SIDE_BACK, SHRUG_LIFT,
    THORACIC_FRONT_SHRINK, THORACIC_SIDE_BACK,
};
use super::measure::{geometry, guess_view, scale};

/// A movement [`apply`] can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Head back: smaller and higher (front), ears back (side).
    ChinTuck,
    /// Shoulders and arms up.
    Shrug,
    /// Arms from a W (0) to a Y (1), both hands, elbows out.
    WallAngel,
    /// Upper body leaning back: away from the camera (front), about the hips (side).
    Thoracic,
    /// Chin tuck with the shoulders settled slightly down.
    Bruegger,
}

const HEAD: std::ops::RangeInclusive<usize> = idx::NOSE..=idx::MOUTH_RIGHT;
const UPPER: std::ops::RangeInclusive<usize> = idx::NOSE..=idx::RIGHT_THUMB;

/// `base` moved by `amount` of `mv`. A pose without usable head and
/// shoulders comes back unchanged.
pub fn apply(base: &Pose, mv: Move, amount: f32) -> Pose {
    let mut p = base.clone();
    let Ok(g) = geometry(Some(base)) else {
        return p;
    };
    let view = guess_view(&g);
    let Some(s) = scale(&g, view) else {
        return p;
    };
    let facing = if g.nose[0] >= g.ear[0] { 1.0 } else { -1.0 };
    let lm = &mut p.landmarks;
    match mv {
        Move::ChinTuck | Move::Bruegger => {
            match view {
                View::Side => {
                    for i in HEAD {
                        lm[i].x -= facing * CHIN_TUCK_SIDE_BACK * amount * s;
                        lm[i].y -= 0.01 * amount * s;
                    }
                }
                View::Front | View::Oblique => {
                    let k = 1.0 - CHIN_TUCK_FRONT_SHRINK * amount;
                    let [cx, cy] = g.ear;
                    for i in HEAD {
                        lm[i].x = cx + (lm[i].x - cx) * k;
                        lm[i].y = cy + (lm[i].y - cy) * k - CHIN_TUCK_FRONT_RISE * amount * s;
                    }
                }
            }
            if mv == Move::Bruegger {
                for l in &mut lm[idx::LEFT_SHOULDER..=idx::RIGHT_THUMB] {
                    l.y += 0.02 * s;
                }
            }
        }
        Move::Shrug => {
            for l in &mut lm[idx::LEFT_SHOULDER..=idx::RIGHT_THUMB] {
                l.y -= SHRUG_LIFT * amount * s;
            }
        }
        Move::WallAngel => {
            let a = amount.clamp(0.0, 1.5);
            let lerp = |w: f32, y: f32| w + (y - w) * a;
            let [sx, sy] = g.shoulder;
            let ey = g.ear[1];
            let sides: [(usize, usize, f32); 2] = match view {
                // Person's left is on the picture's right (+x) when facing the camera.
                View::Front | View::Oblique => [
                    (idx::LEFT_ELBOW, idx::LEFT_WRIST, 1.0),
                    (idx::RIGHT_ELBOW, idx::RIGHT_WRIST, -1.0),
                ],
                View::Side => [
                    (idx::LEFT_ELBOW, idx::LEFT_WRIST, 0.0),
                    (idx::RIGHT_ELBOW, idx::RIGHT_WRIST, 0.0),
                ],
            };
            for (e, w, dir) in sides {
                let (ex, ey_, wx, wy) = if view == View::Side {
                    (
                        sx + facing * lerp(0.05, 0.1) * s,
                        sy + lerp(-0.05, -0.55) * s,
                        sx + facing * lerp(0.1, 0.15) * s,
                        ey + lerp(0.05, -0.85) * s,
                    )
                } else {
                    (
                        sx + dir * lerp(0.8, 0.75) * s,
                        sy + lerp(-0.05, -0.55) * s,
                        sx + dir * lerp(0.85, 0.95) * s,
                        ey + lerp(0.05, -0.85) * s,
                    )
                };
                for (i, x, y) in [(e, ex, ey_), (w, wx, wy)] {
                    lm[i].x = x;
                    lm[i].y = y;
                    lm[i].visibility = 0.95;
                    lm[i].presence = 0.95;
                }
                // Hand points follow the wrist.
                let hand = if w == idx::LEFT_WRIST {
                    [idx::LEFT_PINKY, idx::LEFT_INDEX, idx::LEFT_THUMB]
                } else {
                    [idx::RIGHT_PINKY, idx::RIGHT_INDEX, idx::RIGHT_THUMB]
                };
                for h in hand {
                    lm[h].x = wx;
                    lm[h].y = wy - 0.08 * s;
                    lm[h].visibility = 0.9;
                    lm[h].presence = 0.9;
                }
            }
        }
        Move::Thoracic => {
            let pivot = g.hip.unwrap_or([g.shoulder[0], g.shoulder[1] + 1.2 * s]);
            match view {
                View::Front | View::Oblique => {
                    // Moving away from a camera that faces the person: the
                    // upper body shrinks towards the picture's centre.
                    let k = 1.0 - THORACIC_FRONT_SHRINK * amount;
                    let (cx, cy) = (
                        base.image_width as f32 / 2.0,
                        base.image_height as f32 / 2.0,
                    );
                    for i in UPPER {
                        lm[i].x = cx + (lm[i].x - cx) * k;
                        lm[i].y = cy + (lm[i].y - cy) * k;
                    }
                }
                View::Side => {
                    // Rotate about the hips so the shoulders go back by the nominal amount.
                    let r = (g.shoulder[0] - pivot[0]).hypot(g.shoulder[1] - pivot[1]);
                    let back = (THORACIC_SIDE_BACK * amount * s / r).clamp(-1.0, 1.0);
                    let ang = -facing * back.asin();
                    let (sin, cos) = (ang.sin(), ang.cos());
                    for i in UPPER {
                        let (dx, dy) = (lm[i].x - pivot[0], lm[i].y - pivot[1]);
                        // y is down: a positive angle turns the top of the body to +x.
                        lm[i].x = pivot[0] + dx * cos - dy * sin;
                        lm[i].y = pivot[1] + dx * sin + dy * cos;
                    }
                }
            }
        }
    }
    p
}

/// The body scale of a pose in pixels (see [`super::measure`]), if it has one.
pub fn body_scale(pose: &Pose) -> Option<f32> {
    let g = geometry(Some(pose)).ok()?;
    scale(&g, guess_view(&g))
}

/// The timing of one rep, in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RepTiming {
    /// Still at the start position before the rep.
    pub rest_s: f64,
    /// Moving into the end position.
    pub move_s: f64,
    /// Held at the end position.
    pub hold_s: f64,
    /// Moving back to the start.
    pub back_s: f64,
}

impl RepTiming {
    pub fn total(&self) -> f64 {
        self.rest_s + self.move_s + self.hold_s + self.back_s
    }
}

fn smoothstep(x: f64) -> f32 {
    let x = x.clamp(0.0, 1.0);
    (x * x * (3.0 - 2.0 * x)) as f32
}

/// How far into the movement a person doing `reps` one after another is at
/// `t` seconds after starting (0 before, between and after the reps; smooth
/// ramps up to `peak`).
pub fn set_amount(reps: &[RepTiming], peak: f32, t: f64) -> f32 {
    if t < 0.0 {
        return 0.0;
    }
    let mut start = 0.0;
    for r in reps {
        let u = t - start;
        if u < r.total() {
            let u = u - r.rest_s;
            return if u < 0.0 {
                0.0
            } else if u < r.move_s {
                peak * smoothstep(u / r.move_s)
            } else if u < r.move_s + r.hold_s {
                peak
            } else {
                peak * (1.0 - smoothstep((u - r.move_s - r.hold_s) / r.back_s))
            };
        }
        start += r.total();
    }
    0.0
}

/// `pose` with noise added to every landmark's x and y: `sd_px` times what
/// `standard_normal` returns (one call per coordinate).
pub fn jitter(pose: &Pose, sd_px: f32, mut standard_normal: impl FnMut() -> f32) -> Pose {
    let mut p = pose.clone();
    for l in p.landmarks.iter_mut() {
        l.x += sd_px * standard_normal();
        l.y += sd_px * standard_normal();
    }
    p
}
