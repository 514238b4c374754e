//! The pose data that flows from the pose stage to everything after it.
//!
//! BlazePose gives 33 body landmarks. They are stored in image pixels of the
//! original, orientation-corrected frame (x right, y down), with `z` on the
//! same scale as `x` (smaller = nearer the camera, origin at the mid-hip), plus
//! metric "world" coordinates in metres centred between the hips.

/// Number of body landmarks in BlazePose's topology.
pub const NUM_LANDMARKS: usize = 33;

/// Landmark indices in BlazePose's 33-point order.
pub mod idx {
    pub const NOSE: usize = 0;
    pub const LEFT_EYE_INNER: usize = 1;
    pub const LEFT_EYE: usize = 2;
    pub const LEFT_EYE_OUTER: usize = 3;
    pub const RIGHT_EYE_INNER: usize = 4;
    pub const RIGHT_EYE: usize = 5;
    pub const RIGHT_EYE_OUTER: usize = 6;
    pub const LEFT_EAR: usize = 7;
    pub const RIGHT_EAR: usize = 8;
    pub const MOUTH_LEFT: usize = 9;
    pub const MOUTH_RIGHT: usize = 10;
    pub const LEFT_SHOULDER: usize = 11;
    pub const RIGHT_SHOULDER: usize = 12;
    pub const LEFT_ELBOW: usize = 13;
    pub const RIGHT_ELBOW: usize = 14;
    pub const LEFT_WRIST: usize = 15;
    pub const RIGHT_WRIST: usize = 16;
    pub const LEFT_PINKY: usize = 17;
    pub const RIGHT_PINKY: usize = 18;
    pub const LEFT_INDEX: usize = 19;
    pub const RIGHT_INDEX: usize = 20;
    pub const LEFT_THUMB: usize = 21;
    pub const RIGHT_THUMB: usize = 22;
    pub const LEFT_HIP: usize = 23;
    pub const RIGHT_HIP: usize = 24;
    pub const LEFT_KNEE: usize = 25;
    pub const RIGHT_KNEE: usize = 26;
    pub const LEFT_ANKLE: usize = 27;
    pub const RIGHT_ANKLE: usize = 28;
    pub const LEFT_HEEL: usize = 29;
    pub const RIGHT_HEEL: usize = 30;
    pub const LEFT_FOOT_INDEX: usize = 31;
    pub const RIGHT_FOOT_INDEX: usize = 32;
}

/// The pairs that swap when a pose is mirrored left to right.
pub const MIRROR_PAIRS: [(usize, usize); 16] = [
    (idx::LEFT_EYE_INNER, idx::RIGHT_EYE_INNER),
    (idx::LEFT_EYE, idx::RIGHT_EYE),
    (idx::LEFT_EYE_OUTER, idx::RIGHT_EYE_OUTER),
    (idx::LEFT_EAR, idx::RIGHT_EAR),
    (idx::MOUTH_LEFT, idx::MOUTH_RIGHT),
    (idx::LEFT_SHOULDER, idx::RIGHT_SHOULDER),
    (idx::LEFT_ELBOW, idx::RIGHT_ELBOW),
    (idx::LEFT_WRIST, idx::RIGHT_WRIST),
    (idx::LEFT_PINKY, idx::RIGHT_PINKY),
    (idx::LEFT_INDEX, idx::RIGHT_INDEX),
    (idx::LEFT_THUMB, idx::RIGHT_THUMB),
    (idx::LEFT_HIP, idx::RIGHT_HIP),
    (idx::LEFT_KNEE, idx::RIGHT_KNEE),
    (idx::LEFT_ANKLE, idx::RIGHT_ANKLE),
    (idx::LEFT_HEEL, idx::RIGHT_HEEL),
    (idx::LEFT_FOOT_INDEX, idx::RIGHT_FOOT_INDEX),
];

/// Skeleton edges worth drawing for a seated user (head, shoulders, arms, trunk).
pub const UPPER_BODY_EDGES: [(usize, usize); 14] = [
    (idx::LEFT_EAR, idx::LEFT_EYE),
    (idx::LEFT_EYE, idx::NOSE),
    (idx::NOSE, idx::RIGHT_EYE),
    (idx::RIGHT_EYE, idx::RIGHT_EAR),
    (idx::MOUTH_LEFT, idx::MOUTH_RIGHT),
    (idx::LEFT_SHOULDER, idx::RIGHT_SHOULDER),
    (idx::LEFT_SHOULDER, idx::LEFT_ELBOW),
    (idx::LEFT_ELBOW, idx::LEFT_WRIST),
    (idx::RIGHT_SHOULDER, idx::RIGHT_ELBOW),
    (idx::RIGHT_ELBOW, idx::RIGHT_WRIST),
    (idx::LEFT_SHOULDER, idx::LEFT_HIP),
    (idx::RIGHT_SHOULDER, idx::RIGHT_HIP),
    (idx::LEFT_HIP, idx::RIGHT_HIP),
    (idx::LEFT_EAR, idx::LEFT_SHOULDER),
];

/// One landmark in frame pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Landmark {
    /// Pixels from the left edge of the original frame.
    pub x: f32,
    /// Pixels from the top edge of the original frame.
    pub y: f32,
    /// Depth on the scale of `x`; smaller is nearer the camera.
    pub z: f32,
    /// Probability (0..1) that the landmark is visible (not occluded).
    pub visibility: f32,
    /// Probability (0..1) that the landmark is inside the frame.
    pub presence: f32,
}

/// A whole pose found in one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Pose {
    /// Image-space landmarks, BlazePose order.
    pub landmarks: [Landmark; NUM_LANDMARKS],
    /// World landmarks in metres, origin between the hips, y down.
    pub world: [[f32; 3]; NUM_LANDMARKS],
    /// Probability (0..1) that a person is present (the model's pose flag).
    pub presence: f32,
    /// Width of the frame the pixels refer to.
    pub image_width: u32,
    /// Height of the frame the pixels refer to.
    pub image_height: u32,
}

impl Pose {
    /// The same pose seen in a mirror: x flipped about the frame centre, left
    /// and right landmarks swapped, world x negated.
    pub fn mirrored(&self) -> Pose {
        let mut out = self.clone();
        let w = self.image_width as f32;
        for (lm, world) in out.landmarks.iter_mut().zip(out.world.iter_mut()) {
            lm.x = w - lm.x;
            world[0] = -world[0];
        }
        for (a, b) in MIRROR_PAIRS {
            out.landmarks.swap(a, b);
            out.world.swap(a, b);
        }
        out
    }

    /// Landmark `i` as an (x, y) pixel pair.
    pub fn xy(&self, i: usize) -> (f32, f32) {
        let lm = &self.landmarks[i];
        (lm.x, lm.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Pose {
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        let mut world = [[0.0; 3]; NUM_LANDMARKS];
        for i in 0..NUM_LANDMARKS {
            landmarks[i] = Landmark {
                x: i as f32 * 3.0,
                y: i as f32 * 2.0,
                z: -(i as f32),
                visibility: 0.9,
                presence: 0.95,
            };
            world[i] = [i as f32 * 0.01, 0.2, -0.1];
        }
        Pose {
            landmarks,
            world,
            presence: 1.0,
            image_width: 640,
            image_height: 480,
        }
    }

    #[test]
    fn mirroring_twice_is_identity() {
        let p = sample();
        assert_eq!(p.mirrored().mirrored(), p);
    }

    #[test]
    fn mirroring_swaps_sides_and_flips_x() {
        let p = sample();
        let m = p.mirrored();
        assert_eq!(
            m.landmarks[idx::LEFT_EAR].x,
            640.0 - p.landmarks[idx::RIGHT_EAR].x
        );
        assert_eq!(m.landmarks[idx::NOSE].x, 640.0 - p.landmarks[idx::NOSE].x);
        assert_eq!(
            m.world[idx::LEFT_SHOULDER][0],
            -p.world[idx::RIGHT_SHOULDER][0]
        );
    }
}
