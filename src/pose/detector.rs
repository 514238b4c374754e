//! Decoding the BlazePose detector's raw output into person detections.
//!
//! Reproduces MediaPipe's `TensorsToDetectionsCalculator` (with the pose
//! detector's options), its weighted `NonMaxSuppressionCalculator` and
//! `DetectionLetterboxRemovalCalculator`:
//!
//! - score = sigmoid(clamp(logit, -100, 100)); anchors scoring below the
//!   minimum (0.5) are dropped;
//! - box and keypoints are offsets in 224-px units from the anchor centre
//!   (values are x, y, w, h, then 4 x/y keypoints: "reverse output order");
//! - overlapping detections (IoU > 0.3) are merged into their best one by a
//!   score-weighted average of boxes and keypoints;
//! - coordinates are mapped from the letterboxed square back to frame pixels.

use super::anchors::Anchor;
use super::region::Roi;

/// Values per anchor in the boxes tensor: box (4) + 4 keypoints x 2.
pub const NUM_COORDS: usize = 12;
/// Keypoints per detection.
pub const NUM_KEYPOINTS: usize = 4;

/// The detector's decoding options (MediaPipe's `pose_detection_cpu` values by default).
#[derive(Clone, Debug)]
pub struct DetectorOptions {
    /// Input size in pixels the raw offsets are expressed in (224).
    pub input_size: f32,
    /// Minimum score to keep an anchor (MediaPipe's `min_detection_confidence`, 0.5).
    pub min_score: f32,
    /// Logits are clamped to +-this before the sigmoid (100).
    pub score_clipping: f32,
    /// IoU above which detections are merged (0.3).
    pub nms_threshold: f32,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        DetectorOptions {
            input_size: 224.0,
            min_score: 0.5,
            score_clipping: 100.0,
            nms_threshold: 0.3,
        }
    }
}

/// One detected person. Coordinates are normalised to the detector input
/// (0..1) until [`Detection::to_frame`] maps them to frame pixels.
///
/// Keypoints: 0 mid-hip, 1 a point on the circle enclosing the whole body,
/// 2 mid-shoulder, 3 a point on the circle enclosing the upper body.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub score: f32,
    pub xmin: f32,
    pub ymin: f32,
    pub xmax: f32,
    pub ymax: f32,
    pub keypoints: [(f32, f32); NUM_KEYPOINTS],
}

/// MediaPipe's score activation: a sigmoid of the clamped logit.
pub fn score_from_logit(logit: f32, clipping: f32) -> f32 {
    let x = if logit.is_nan() {
        -clipping
    } else {
        logit.clamp(-clipping, clipping)
    };
    1.0 / (1.0 + (-x).exp())
}

/// Decodes every anchor scoring at least `min_score` into `out` (cleared first).
///
/// `boxes` holds `anchors.len() * NUM_COORDS` values, `scores` one logit per
/// anchor; shorter tensors decode only the anchors they cover.
pub fn decode(
    boxes: &[f32],
    scores: &[f32],
    anchors: &[Anchor],
    options: &DetectorOptions,
    out: &mut Vec<Detection>,
) {
    out.clear();
    let n = anchors
        .len()
        .min(scores.len())
        .min(boxes.len() / NUM_COORDS);
    let s = options.input_size;
    for i in 0..n {
        let score = score_from_logit(scores[i], options.score_clipping);
        // Also drops NaN scores.
        if score.is_nan() || score < options.min_score {
            continue;
        }
        let a = anchors[i];
        let raw = &boxes[i * NUM_COORDS..(i + 1) * NUM_COORDS];
        let xc = raw[0] / s + a.x;
        let yc = raw[1] / s + a.y;
        let w = raw[2] / s;
        let h = raw[3] / s;
        let mut keypoints = [(0.0, 0.0); NUM_KEYPOINTS];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = (raw[4 + 2 * k] / s + a.x, raw[5 + 2 * k] / s + a.y);
        }
        let det = Detection {
            score,
            xmin: xc - w / 2.0,
            ymin: yc - h / 2.0,
            xmax: xc + w / 2.0,
            ymax: yc + h / 2.0,
            keypoints,
        };
        if det.is_finite() {
            out.push(det);
        }
    }
}

impl Detection {
    fn is_finite(&self) -> bool {
        [self.score, self.xmin, self.ymin, self.xmax, self.ymax]
            .iter()
            .chain(self.keypoints.iter().flat_map(|(x, y)| [x, y]))
            .all(|v| v.is_finite())
    }

    fn area(&self) -> f32 {
        (self.xmax - self.xmin).max(0.0) * (self.ymax - self.ymin).max(0.0)
    }

    /// Intersection over union of two boxes (0 when they do not overlap).
    pub fn iou(&self, other: &Detection) -> f32 {
        let ix = self.xmax.min(other.xmax) - self.xmin.max(other.xmin);
        let iy = self.ymax.min(other.ymax) - self.ymin.max(other.ymin);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        let union = self.area() + other.area() - inter;
        if union > 0.0 { inter / union } else { 0.0 }
    }

    /// Maps a detection normalised to the letterboxed input back to frame
    /// pixels; `letterbox` is the square region the detector input covered.
    pub fn to_frame(&self, letterbox: &Roi) -> Detection {
        let map = |x: f32, y: f32| letterbox.to_frame(x, y);
        let (xmin, ymin) = map(self.xmin, self.ymin);
        let (xmax, ymax) = map(self.xmax, self.ymax);
        let mut keypoints = self.keypoints;
        for kp in &mut keypoints {
            *kp = map(kp.0, kp.1);
        }
        Detection {
            score: self.score,
            xmin,
            ymin,
            xmax,
            ymax,
            keypoints,
        }
    }
}

/// MediaPipe's weighted non-maximum suppression: repeatedly takes the best
/// remaining detection and replaces it by the score-weighted average of all
/// remaining detections overlapping it by more than `threshold` IoU (itself
/// included), keeping the best one's score. Returns at most `max` detections,
/// best first. `scratch` is reused working space.
pub fn weighted_nms(
    detections: &[Detection],
    threshold: f32,
    max: usize,
    scratch: &mut Vec<usize>,
    out: &mut Vec<Detection>,
) {
    out.clear();
    scratch.clear();
    scratch.extend(0..detections.len());
    scratch.sort_by(|&a, &b| detections[b].score.total_cmp(&detections[a].score));
    while let Some(&best_i) = scratch.first() {
        if out.len() >= max {
            break;
        }
        let best = detections[best_i];
        let mut total = 0.0f32;
        let mut acc = Detection {
            score: best.score,
            xmin: 0.0,
            ymin: 0.0,
            xmax: 0.0,
            ymax: 0.0,
            keypoints: [(0.0, 0.0); NUM_KEYPOINTS],
        };
        let before = scratch.len();
        scratch.retain(|&i| {
            let d = &detections[i];
            if d.iou(&best) > threshold || i == best_i {
                let s = d.score;
                total += s;
                acc.xmin += d.xmin * s;
                acc.ymin += d.ymin * s;
                acc.xmax += d.xmax * s;
                acc.ymax += d.ymax * s;
                for (a, k) in acc.keypoints.iter_mut().zip(d.keypoints.iter()) {
                    a.0 += k.0 * s;
                    a.1 += k.1 * s;
                }
                false
            } else {
                true
            }
        });
        let merged = if total > 0.0 {
            let mut m = acc;
            m.xmin /= total;
            m.ymin /= total;
            m.xmax /= total;
            m.ymax /= total;
            for k in &mut m.keypoints {
                k.0 /= total;
                k.1 /= total;
            }
            m
        } else {
            best
        };
        out.push(merged);
        if scratch.len() == before {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::anchors::{AnchorOptions, generate};

    fn det(score: f32, x: f32, y: f32, half: f32) -> Detection {
        Detection {
            score,
            xmin: x - half,
            ymin: y - half,
            xmax: x + half,
            ymax: y + half,
            keypoints: [(x, y); NUM_KEYPOINTS],
        }
    }

    #[test]
    fn sigmoid_is_clipped_and_nan_safe() {
        assert_eq!(score_from_logit(0.0, 100.0), 0.5);
        assert_eq!(score_from_logit(1e9, 100.0), score_from_logit(100.0, 100.0));
        assert!(score_from_logit(-1e9, 100.0) < 1e-30);
        assert!(score_from_logit(f32::NAN, 100.0) < 1e-30);
    }

    #[test]
    fn decode_offsets_from_anchor_centres() {
        let anchors = generate(&AnchorOptions::pose_detection());
        let mut boxes = vec![0.0; anchors.len() * NUM_COORDS];
        let mut scores = vec![-10.0; anchors.len()];
        let i = 100;
        scores[i] = 3.0;
        // Box centre 22.4 px right of the anchor, 44.8 px wide and tall.
        boxes[i * NUM_COORDS..(i + 1) * NUM_COORDS].copy_from_slice(&[
            22.4, -11.2, 44.8, 44.8, 0.0, 0.0, 22.4, 0.0, 0.0, 22.4, 0.0, 0.0,
        ]);
        let mut out = Vec::new();
        decode(
            &boxes,
            &scores,
            &anchors,
            &DetectorOptions::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        let d = out[0];
        let a = anchors[i];
        assert!((d.score - 1.0 / (1.0 + (-3.0f32).exp())).abs() < 1e-6);
        assert!(((d.xmin + d.xmax) / 2.0 - (a.x + 0.1)).abs() < 1e-6);
        assert!(((d.ymin + d.ymax) / 2.0 - (a.y - 0.05)).abs() < 1e-6);
        assert!((d.xmax - d.xmin - 0.2).abs() < 1e-6);
        assert_eq!(d.keypoints[0], (a.x, a.y));
        assert!((d.keypoints[1].0 - (a.x + 0.1)).abs() < 1e-6);
        assert!((d.keypoints[2].1 - (a.y + 0.1)).abs() < 1e-6);
    }

    #[test]
    fn decode_ignores_short_tensors_and_nan() {
        let anchors = generate(&AnchorOptions::pose_detection());
        let mut out = vec![det(1.0, 0.0, 0.0, 1.0)];
        decode(
            &[1.0; 5],
            &[5.0; 3],
            &anchors,
            &DetectorOptions::default(),
            &mut out,
        );
        assert!(out.is_empty());
        let boxes = vec![f32::NAN; 2 * NUM_COORDS];
        decode(
            &boxes,
            &[5.0, 5.0],
            &anchors,
            &DetectorOptions::default(),
            &mut out,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn iou_of_identical_disjoint_and_half_overlapping_boxes() {
        let a = det(1.0, 0.5, 0.5, 0.1);
        assert!((a.iou(&a) - 1.0).abs() < 1e-6);
        assert_eq!(a.iou(&det(1.0, 0.9, 0.9, 0.1)), 0.0);
        let b = Detection {
            xmin: a.xmin + 0.1,
            xmax: a.xmax + 0.1,
            ..a
        };
        assert!((a.iou(&b) - 1.0 / 3.0).abs() < 1e-5);
    }

    #[test]
    fn weighted_nms_merges_overlaps_by_score() {
        let dets = vec![
            det(0.6, 0.52, 0.5, 0.1),
            det(0.9, 0.50, 0.5, 0.1),
            det(0.8, 0.2, 0.2, 0.05),
            det(0.3, 0.48, 0.5, 0.1),
        ];
        let mut scratch = Vec::new();
        let mut out = Vec::new();
        weighted_nms(&dets, 0.3, 10, &mut scratch, &mut out);
        assert_eq!(out.len(), 2);
        // The best cluster keeps the best score; its centre is the weighted mean.
        assert_eq!(out[0].score, 0.9);
        let cx = (0.6 * 0.52 + 0.9 * 0.50 + 0.3 * 0.48) / 1.8;
        assert!(((out[0].xmin + out[0].xmax) / 2.0 - cx).abs() < 1e-6);
        assert!((out[0].keypoints[3].0 - cx).abs() < 1e-6);
        assert_eq!(out[1].score, 0.8);
        assert!((out[1].keypoints[0].0 - 0.2).abs() < 1e-6 && (out[1].xmin - 0.15).abs() < 1e-6);
        weighted_nms(&dets, 0.3, 1, &mut scratch, &mut out);
        assert_eq!(out.len(), 1);
        weighted_nms(&[], 0.3, 1, &mut scratch, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn letterbox_removal_maps_to_frame_pixels() {
        // 640x480 frame letterboxed into a 640x640 square: 80 px bands.
        let lb = Roi::whole_frame(640, 480);
        let d = det(0.9, 0.5, 0.5, 0.25).to_frame(&lb);
        assert_eq!(
            (d.xmin, d.ymin, d.xmax, d.ymax),
            (160.0, 80.0, 480.0, 400.0)
        );
        assert_eq!(d.keypoints[0], (320.0, 240.0));
        let d = det(0.9, 0.0, 0.125, 0.0).to_frame(&lb);
        assert_eq!(d.keypoints[0], (0.0, 0.0));
    }
}
