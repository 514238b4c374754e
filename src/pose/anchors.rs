//! SSD anchors for the BlazePose detector.
//!
//! The detector predicts, for each of 2254 fixed anchors, a box and four
//! keypoints relative to the anchor centre. The anchors are those MediaPipe's
//! `SsdAnchorsCalculator` generates for `pose_detection_cpu`: 224x224 input,
//! 5 layers with strides 8, 16, 32, 32, 32, aspect ratio 1.0 plus the
//! interpolated scale (so 2 anchors per layer and cell), anchor offset 0.5 and
//! fixed anchor size (every anchor is 1x1 in normalised units, so only the
//! centres matter). Consecutive layers with the same stride share their cells,
//! which gives 28²·2 + 14²·2 + 7²·6 = 2254 anchors.

/// One anchor centre, normalised to the 224x224 input (0..1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anchor {
    pub x: f32,
    pub y: f32,
}

/// Options of MediaPipe's SSD anchor generator that matter with fixed-size anchors.
#[derive(Clone, Debug)]
pub struct AnchorOptions {
    pub input_width: u32,
    pub input_height: u32,
    pub strides: Vec<u32>,
    /// Anchors per layer and cell: the aspect ratios plus the interpolated scale.
    pub anchors_per_layer: usize,
    pub offset_x: f32,
    pub offset_y: f32,
}

impl AnchorOptions {
    /// The options of MediaPipe's pose detector.
    pub fn pose_detection() -> Self {
        AnchorOptions {
            input_width: 224,
            input_height: 224,
            strides: vec![8, 16, 32, 32, 32],
            // aspect_ratios: [1.0] plus interpolated_scale_aspect_ratio 1.0.
            anchors_per_layer: 2,
            offset_x: 0.5,
            offset_y: 0.5,
        }
    }
}

/// Number of anchors of the pose detector.
pub const NUM_POSE_ANCHORS: usize = 2254;

/// Generates the anchor centres in MediaPipe's order: layer groups by stride,
/// then rows, then columns, then anchors of the cell.
pub fn generate(options: &AnchorOptions) -> Vec<Anchor> {
    let mut out = Vec::new();
    let strides = &options.strides;
    let mut layer = 0;
    while layer < strides.len() {
        // Layers that share a stride share the feature map: their anchors are
        // emitted together for each cell.
        let mut last = layer;
        while last < strides.len() && strides[last] == strides[layer] {
            last += 1;
        }
        let per_cell = (last - layer) * options.anchors_per_layer;
        let stride = strides[layer].max(1);
        let fm_h = options.input_height.div_ceil(stride);
        let fm_w = options.input_width.div_ceil(stride);
        for y in 0..fm_h {
            let cy = (y as f32 + options.offset_y) / fm_h as f32;
            for x in 0..fm_w {
                let cx = (x as f32 + options.offset_x) / fm_w as f32;
                out.extend(std::iter::repeat_n(Anchor { x: cx, y: cy }, per_cell));
            }
        }
        layer = last;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pose_detector_has_2254_anchors() {
        let a = generate(&AnchorOptions::pose_detection());
        assert_eq!(a.len(), NUM_POSE_ANCHORS);
    }

    #[test]
    fn anchors_follow_mediapipe_order() {
        let a = generate(&AnchorOptions::pose_detection());
        // First layer: 28x28 cells, 2 anchors each, row-major.
        assert_eq!(
            a[0],
            Anchor {
                x: 0.5 / 28.0,
                y: 0.5 / 28.0
            }
        );
        assert_eq!(a[1], a[0]);
        assert_eq!(
            a[2],
            Anchor {
                x: 1.5 / 28.0,
                y: 0.5 / 28.0
            }
        );
        assert_eq!(
            a[56],
            Anchor {
                x: 0.5 / 28.0,
                y: 1.5 / 28.0
            }
        );
        // Second layer starts after 28*28*2 anchors: 14x14 cells.
        assert_eq!(
            a[1568],
            Anchor {
                x: 0.5 / 14.0,
                y: 0.5 / 14.0
            }
        );
        // The three stride-32 layers share 7x7 cells with 6 anchors each.
        let start = 1568 + 392;
        assert!(a[start..start + 6].iter().all(|p| *p
            == Anchor {
                x: 0.5 / 7.0,
                y: 0.5 / 7.0
            }));
        assert_eq!(
            a[start + 6],
            Anchor {
                x: 1.5 / 7.0,
                y: 0.5 / 7.0
            }
        );
        assert_eq!(
            a[NUM_POSE_ANCHORS - 1],
            Anchor {
                x: 6.5 / 7.0,
                y: 6.5 / 7.0
            }
        );
    }

    #[test]
    fn all_anchor_centres_are_inside_the_input() {
        for p in generate(&AnchorOptions::pose_detection()) {
            assert!(p.x > 0.0 && p.x < 1.0 && p.y > 0.0 && p.y < 1.0);
        }
    }
}
