//! Regions of interest: the rotated squares the landmark model looks at.
//!
//! MediaPipe builds the landmark model's crop from two alignment points: a
//! centre and a point whose distance gives the size. From a detection these
//! are keypoints 0 (mid-hip) and 1 (a point on the circle around the whole
//! body); from the previous frame's landmarks they are the auxiliary
//! landmarks 33 and 34, which play the same roles. The rectangle is rotated so
//! that the centre -> scale-point line points up (target angle 90°), made
//! square on its long side and enlarged by 1.25 (MediaPipe 0.10.14's
//! `PoseDetectionToRoi` and `PoseLandmarksToRoi` graphs).
//!
//! Everything here is in frame pixels (x right, y down); rotation is in
//! radians, positive clockwise on screen, as in MediaPipe's `NormalizedRect`.

use std::f32::consts::PI;

/// Scale applied to the alignment box before the landmark model (MediaPipe: 1.25).
pub const ROI_SCALE: f32 = 1.25;
/// Angle the centre -> scale-point vector is rotated to (MediaPipe: 90°).
pub const TARGET_ANGLE: f32 = PI / 2.0;

/// A rotated rectangle in frame pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Roi {
    /// Centre, pixels from the left.
    pub cx: f32,
    /// Centre, pixels from the top.
    pub cy: f32,
    /// Width in pixels (before rotation).
    pub width: f32,
    /// Height in pixels (before rotation).
    pub height: f32,
    /// Rotation in radians, clockwise on screen.
    pub rotation: f32,
}

/// Wraps an angle into [-pi, pi).
pub fn normalize_radians(angle: f32) -> f32 {
    angle - 2.0 * PI * ((angle + PI) / (2.0 * PI)).floor()
}

impl Roi {
    /// MediaPipe's `AlignmentPointsRectsCalculator`: a square centred on
    /// `center`, side twice the distance to `scale_point`, rotated so that the
    /// centre -> scale-point vector points up.
    pub fn from_alignment_points(center: (f32, f32), scale_point: (f32, f32)) -> Roi {
        let (x0, y0) = center;
        let (x1, y1) = scale_point;
        let size = 2.0 * ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        let rotation = normalize_radians(TARGET_ANGLE - (-(y1 - y0)).atan2(x1 - x0));
        Roi {
            cx: x0,
            cy: y0,
            width: size,
            height: size,
            rotation,
        }
    }

    /// MediaPipe's `RectTransformationCalculator` with `square_long`: makes
    /// the rectangle square on its long side, then scales it.
    pub fn squared_and_scaled(self, scale: f32) -> Roi {
        let side = self.width.max(self.height) * scale;
        Roi {
            width: side,
            height: side,
            ..self
        }
    }

    /// The landmark model's region for two alignment points (centre, scale
    /// point): aligned, squared and enlarged by [`ROI_SCALE`].
    pub fn for_landmarks(center: (f32, f32), scale_point: (f32, f32)) -> Roi {
        Roi::from_alignment_points(center, scale_point).squared_and_scaled(ROI_SCALE)
    }

    /// An upright square centred on the frame, as wide as the frame's long
    /// side: the whole picture, letterboxed.
    pub fn whole_frame(width: u32, height: u32) -> Roi {
        let side = width.max(height) as f32;
        Roi {
            cx: width as f32 / 2.0,
            cy: height as f32 / 2.0,
            width: side,
            height: side,
            rotation: 0.0,
        }
    }

    /// True when every field is finite and the sides are positive.
    pub fn is_usable(&self) -> bool {
        [self.cx, self.cy, self.width, self.height, self.rotation]
            .iter()
            .all(|v| v.is_finite())
            && self.width > 0.0
            && self.height > 0.0
    }

    /// Maps a point given in the region's own normalised coordinates (0..1
    /// across, 0..1 down, before rotation) to frame pixels.
    pub fn to_frame(&self, u: f32, v: f32) -> (f32, f32) {
        let (s, c) = self.rotation.sin_cos();
        let x = (u - 0.5) * self.width;
        let y = (v - 0.5) * self.height;
        (self.cx + c * x - s * y, self.cy + s * x + c * y)
    }

    /// The inverse of [`Roi::to_frame`]: frame pixels to normalised region coordinates.
    pub fn from_frame(&self, x: f32, y: f32) -> (f32, f32) {
        let (s, c) = self.rotation.sin_cos();
        let dx = x - self.cx;
        let dy = y - self.cy;
        let lx = c * dx + s * dy;
        let ly = -s * dx + c * dy;
        (lx / self.width + 0.5, ly / self.height + 0.5)
    }

    /// Rotates a vector (e.g. a world landmark's x, y) by the region's rotation.
    pub fn rotate(&self, x: f32, y: f32) -> (f32, f32) {
        let (s, c) = self.rotation.sin_cos();
        (c * x - s * y, s * x + c * y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f32, b: f32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn upright_person_gives_no_rotation() {
        // Scale point straight above the centre: already "up".
        let r = Roi::from_alignment_points((100.0, 200.0), (100.0, 150.0));
        assert!(close(r.rotation, 0.0, 1e-6), "{r:?}");
        assert!(close(r.width, 100.0, 1e-4) && close(r.height, 100.0, 1e-4));
        assert_eq!((r.cx, r.cy), (100.0, 200.0));
    }

    #[test]
    fn person_lying_right_is_rotated_a_quarter_turn() {
        // Scale point to the right: the body points right; rotating the crop
        // by +90° (clockwise) makes it point up in the crop.
        let r = Roi::from_alignment_points((0.0, 0.0), (10.0, 0.0));
        assert!(close(r.rotation, PI / 2.0, 1e-6), "{r:?}");
        // The crop's "up" direction (v decreasing) maps to +x in the frame.
        let (x, y) = r.to_frame(0.5, 0.0);
        assert!(close(x, 10.0, 1e-4) && close(y, 0.0, 1e-4), "{x} {y}");
    }

    #[test]
    fn landmark_region_is_square_and_enlarged() {
        let r = Roi::for_landmarks((50.0, 50.0), (50.0, 10.0));
        assert!(close(r.width, 100.0, 1e-4) && close(r.height, 100.0, 1e-4));
        let r = Roi {
            cx: 0.0,
            cy: 0.0,
            width: 10.0,
            height: 30.0,
            rotation: 0.3,
        }
        .squared_and_scaled(2.0);
        assert_eq!((r.width, r.height, r.rotation), (60.0, 60.0, 0.3));
    }

    #[test]
    fn whole_frame_region_covers_the_frame() {
        let r = Roi::whole_frame(640, 480);
        assert_eq!(r.to_frame(0.0, 0.0), (0.0, -80.0));
        assert_eq!(r.to_frame(1.0, 1.0), (640.0, 560.0));
    }

    #[test]
    fn normalize_radians_wraps() {
        assert!(close(normalize_radians(3.0 * PI / 2.0), -PI / 2.0, 1e-6));
        assert!(close(normalize_radians(-3.0 * PI / 2.0), PI / 2.0, 1e-6));
        assert!(close(normalize_radians(0.25), 0.25, 1e-7));
    }

    #[test]
    fn unusable_regions_are_flagged() {
        let mut r = Roi::whole_frame(10, 10);
        assert!(r.is_usable());
        r.width = 0.0;
        assert!(!r.is_usable());
        r.width = f32::NAN;
        assert!(!r.is_usable());
    }

    proptest! {
        #[test]
        fn frame_round_trip_is_identity(
            cx in -500f32..500.0, cy in -500f32..500.0,
            w in 1f32..1000.0, h in 1f32..1000.0, rot in -4f32..4.0,
            u in -1f32..2.0, v in -1f32..2.0,
        ) {
            let r = Roi { cx, cy, width: w, height: h, rotation: rot };
            let (x, y) = r.to_frame(u, v);
            let (u2, v2) = r.from_frame(x, y);
            prop_assert!(close(u, u2, 1e-3) && close(v, v2, 1e-3), "{u} {v} -> {u2} {v2}");
        }

        #[test]
        fn alignment_rotation_brings_scale_point_up(
            x0 in -500f32..500.0, y0 in -500f32..500.0,
            dx in -300f32..300.0, dy in -300f32..300.0,
        ) {
            prop_assume!(dx.hypot(dy) > 1.0);
            let r = Roi::from_alignment_points((x0, y0), (x0 + dx, y0 + dy));
            // In region coordinates the scale point sits straight above the
            // centre, half a side away (the region is twice the distance).
            let (u, v) = r.from_frame(x0 + dx, y0 + dy);
            prop_assert!(close(u, 0.5, 1e-3) && close(v, 0.0, 1e-3), "{u} {v}");
            prop_assert!(r.rotation >= -PI && r.rotation < PI + 1e-6);
        }

        #[test]
        fn rotation_round_trips(rot in -4f32..4.0, x in -10f32..10.0, y in -10f32..10.0) {
            let r = Roi { cx: 0.0, cy: 0.0, width: 1.0, height: 1.0, rotation: rot };
            let (a, b) = r.rotate(x, y);
            let back = Roi { rotation: -rot, ..r }.rotate(a, b);
            prop_assert!(close(back.0, x, 1e-4) && close(back.1, y, 1e-4));
            prop_assert!(close(a.hypot(b), x.hypot(y), 1e-3));
        }
    }
}
