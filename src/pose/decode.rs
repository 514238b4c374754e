//! Decoding the BlazePose landmark model's raw output.
//!
//! Reproduces MediaPipe 0.10.14's `TensorsToPoseLandmarksAndSegmentation`
//! and `PoseLandmarksAndSegmentationInverseProjection` graphs:
//!
//! - 39 landmarks of (x, y, z, visibility, presence) in 256-crop pixels;
//!   x, y, z are divided by 256 (z by the width, like x) and visibility and
//!   presence go through a sigmoid;
//! - each landmark is moved to the score-weighted centre of its heatmap
//!   (64x64x39, sigmoid) in a 9x9 window around it, when the window's best
//!   score reaches 0.5;
//! - the crop-normalised points are projected back into the frame through
//!   the region's rotation and size; z is scaled by the region's width, so it
//!   ends up "in pixels like x";
//! - world landmarks (metres, hip-centred) are rotated by the region's
//!   rotation about z.

use crate::landmarks::{Landmark, NUM_LANDMARKS};

use super::region::Roi;

/// Landmarks the model outputs: 33 body landmarks and 6 auxiliary ones.
pub const NUM_MODEL_LANDMARKS: usize = 39;
/// Values per landmark in the landmark tensor.
pub const VALUES_PER_LANDMARK: usize = 5;
/// Auxiliary landmark at the body centre (alignment centre for tracking).
pub const AUX_CENTER: usize = 33;
/// Auxiliary landmark on the enclosing circle (alignment scale point for tracking).
pub const AUX_SCALE: usize = 34;
/// Side of the landmark model's input in pixels.
pub const CROP_SIZE: f32 = 256.0;
/// Window of the heatmap refinement: 9.
///
/// MediaPipe 0.10.14's graph asks for 7, but its output matches a 9x9
/// window (the calculator's default) to within 0.1 px on the same crop,
/// while a 7x7 window is off by up to 4 px; we match what it does.
pub const HEATMAP_KERNEL: usize = 9;
/// Minimum heatmap confidence to refine a landmark (MediaPipe: 0.5).
pub const HEATMAP_MIN_CONFIDENCE: f32 = 0.5;

/// A landmark in the crop's normalised coordinates (0..1 across the crop).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CropLandmark {
    pub x: f32,
    pub y: f32,
    /// Depth, normalised by the crop width like x.
    pub z: f32,
    pub visibility: f32,
    pub presence: f32,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Decodes the landmark tensor (39 x 5 values) into crop-normalised landmarks.
/// Missing values (a short tensor) leave the landmark at its default.
pub fn decode_landmarks(raw: &[f32], out: &mut [CropLandmark; NUM_MODEL_LANDMARKS]) {
    for (i, lm) in out.iter_mut().enumerate() {
        let Some(v) = raw.get(i * VALUES_PER_LANDMARK..(i + 1) * VALUES_PER_LANDMARK) else {
            *lm = CropLandmark::default();
            continue;
        };
        *lm = CropLandmark {
            x: v[0] / CROP_SIZE,
            y: v[1] / CROP_SIZE,
            z: v[2] / CROP_SIZE,
            visibility: sigmoid(v[3]),
            presence: sigmoid(v[4]),
        };
    }
}

/// MediaPipe's `RefineLandmarksFromHeatmapCalculator`: moves each landmark to
/// the sigmoid-weighted mean position in a `kernel` x `kernel` window of its
/// heatmap channel (HWC layout, `channels` = landmarks), if the window's
/// highest confidence is at least `min_confidence`.
///
/// MediaPipe's bounds check compares the column with the height where it
/// means the row; we keep that quirk (it only matters for landmarks below
/// the crop) so the results match.
pub fn refine_from_heatmap(
    landmarks: &mut [CropLandmark],
    heatmap: &[f32],
    height: usize,
    width: usize,
    channels: usize,
    kernel: usize,
    min_confidence: f32,
) {
    if heatmap.len() < height * width * channels || channels < landmarks.len() {
        return;
    }
    let (h, w) = (height as i64, width as i64);
    let offset = (kernel as i64 - 1) / 2;
    for (li, lm) in landmarks.iter_mut().enumerate() {
        if !(lm.x.is_finite() && lm.y.is_finite()) {
            continue;
        }
        // C++ float -> int conversion truncates towards zero.
        let col = (lm.x * width as f32) as i64;
        let row = (lm.y * height as f32) as i64;
        if col < 0 || col >= w || row < 0 || col >= h {
            continue;
        }
        let (c0, c1) = ((col - offset).max(0), (col + offset + 1).min(w));
        let (r0, r1) = ((row - offset).max(0), (row + offset + 1).min(h));
        let mut sum = 0.0f32;
        let mut wcol = 0.0f32;
        let mut wrow = 0.0f32;
        let mut max_conf = 0.0f32;
        for r in r0..r1 {
            for c in c0..c1 {
                let idx = (r * w + c) as usize * channels + li;
                let conf = sigmoid(heatmap[idx]);
                sum += conf;
                max_conf = max_conf.max(conf);
                wcol += c as f32 * conf;
                wrow += r as f32 * conf;
            }
        }
        if max_conf >= min_confidence && sum > 0.0 {
            lm.x = wcol / width as f32 / sum;
            lm.y = wrow / height as f32 / sum;
        }
    }
}

/// Projects a crop landmark into frame pixels through `roi`.
pub fn project(lm: &CropLandmark, roi: &Roi) -> Landmark {
    let (x, y) = roi.to_frame(lm.x, lm.y);
    Landmark {
        x,
        y,
        z: lm.z * roi.width,
        visibility: lm.visibility,
        presence: lm.presence,
    }
}

/// Decodes the world tensor (39 x 3 metres) into the 33 body landmarks,
/// rotated by the region's rotation like MediaPipe's `WorldLandmarkProjection`.
pub fn project_world(raw: &[f32], roi: &Roi) -> [[f32; 3]; NUM_LANDMARKS] {
    let mut out = [[0.0; 3]; NUM_LANDMARKS];
    for (i, o) in out.iter_mut().enumerate() {
        if let Some(v) = raw.get(i * 3..i * 3 + 3) {
            let (x, y) = roi.rotate(v[0], v[1]);
            *o = [x, y, v[2]];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_scales_and_activates() {
        let mut raw = vec![0.0; NUM_MODEL_LANDMARKS * VALUES_PER_LANDMARK];
        raw[..5].copy_from_slice(&[128.0, 64.0, -25.6, 0.0, 100.0]);
        let mut out = [CropLandmark::default(); NUM_MODEL_LANDMARKS];
        decode_landmarks(&raw, &mut out);
        assert_eq!(out[0].x, 0.5);
        assert_eq!(out[0].y, 0.25);
        assert!((out[0].z + 0.1).abs() < 1e-7);
        assert_eq!(out[0].visibility, 0.5);
        assert!(out[0].presence > 0.999);
        // A short tensor leaves the rest at default instead of panicking.
        decode_landmarks(&raw[..7], &mut out);
        assert_eq!(out[1], CropLandmark::default());
    }

    fn heatmap_with_peak(row: usize, col: usize, channel: usize) -> Vec<f32> {
        let mut hm = vec![-20.0; 64 * 64 * 39];
        hm[(row * 64 + col) * 39 + channel] = 20.0;
        hm
    }

    #[test]
    fn heatmap_pulls_landmark_to_the_peak() {
        let hm = heatmap_with_peak(10, 12, 3);
        let mut lms = [CropLandmark::default(); NUM_MODEL_LANDMARKS];
        for lm in &mut lms {
            lm.x = 11.0 / 64.0;
            lm.y = 9.5 / 64.0;
        }
        refine_from_heatmap(&mut lms, &hm, 64, 64, 39, 7, 0.5);
        assert!((lms[3].x - 12.0 / 64.0).abs() < 1e-4, "{:?}", lms[3]);
        assert!((lms[3].y - 10.0 / 64.0).abs() < 1e-4);
        // Channels without a confident peak are left alone.
        assert_eq!(lms[2].x, 11.0 / 64.0);
    }

    #[test]
    fn heatmap_ignores_far_peaks_and_outside_points() {
        let hm = heatmap_with_peak(40, 40, 0);
        let mut lms = [CropLandmark {
            x: 0.1,
            y: 0.1,
            ..Default::default()
        }; NUM_MODEL_LANDMARKS];
        refine_from_heatmap(&mut lms, &hm, 64, 64, 39, 7, 0.5);
        assert_eq!(lms[0].x, 0.1);
        let mut lms = [CropLandmark {
            x: 1.5,
            y: f32::NAN,
            ..Default::default()
        }; NUM_MODEL_LANDMARKS];
        refine_from_heatmap(&mut lms, &hm, 64, 64, 39, 7, 0.5);
        assert_eq!(lms[0].x, 1.5);
        // A heatmap of the wrong size is ignored.
        refine_from_heatmap(&mut lms, &hm[..10], 64, 64, 39, 7, 0.5);
    }

    #[test]
    fn projection_uses_region_rotation_and_width_for_z() {
        let roi = Roi {
            cx: 100.0,
            cy: 200.0,
            width: 50.0,
            height: 50.0,
            rotation: std::f32::consts::FRAC_PI_2,
        };
        let lm = CropLandmark {
            x: 0.5,
            y: 0.0,
            z: 0.2,
            visibility: 0.7,
            presence: 0.8,
        };
        let p = project(&lm, &roi);
        assert!(
            (p.x - 125.0).abs() < 1e-4 && (p.y - 200.0).abs() < 1e-4,
            "{p:?}"
        );
        assert_eq!(p.z, 10.0);
        assert_eq!((p.visibility, p.presence), (0.7, 0.8));
    }

    #[test]
    fn world_landmarks_rotate_about_z() {
        let roi = Roi {
            rotation: std::f32::consts::FRAC_PI_2,
            ..Roi::whole_frame(10, 10)
        };
        let mut raw = vec![0.0; 39 * 3];
        raw[..3].copy_from_slice(&[1.0, 0.0, 0.5]);
        let w = project_world(&raw, &roi);
        assert!(w[0][0].abs() < 1e-6 && (w[0][1] - 1.0).abs() < 1e-6 && w[0][2] == 0.5);
        let w = project_world(&raw[..4], &roi);
        assert_eq!(w[1], [0.0; 3]);
    }
}
