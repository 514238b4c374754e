//! Made-up poses for the coach's unit tests (plausible proportions, not data).

use crate::landmarks::{Landmark, NUM_LANDMARKS, Pose, idx};

fn pose(points: &[(usize, f32, f32, f32)]) -> Pose {
    let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
    for &(i, x, y, v) in points {
        landmarks[i] = Landmark {
            x,
            y,
            z: 0.0,
            visibility: v,
            presence: v,
        };
    }
    Pose {
        landmarks,
        world: [[0.0; 3]; NUM_LANDMARKS],
        presence: 1.0,
        image_width: 640,
        image_height: 480,
    }
}

/// A person facing a laptop webcam, head and shoulders in frame, arms below it.
/// Shoulder width 280 px.
pub fn front_pose() -> Pose {
    use idx::*;
    pose(&[
        (NOSE, 320.0, 210.0, 1.0),
        (LEFT_EYE_INNER, 338.0, 182.0, 1.0),
        (LEFT_EYE, 350.0, 182.0, 1.0),
        (LEFT_EYE_OUTER, 361.0, 183.0, 1.0),
        (RIGHT_EYE_INNER, 302.0, 182.0, 1.0),
        (RIGHT_EYE, 290.0, 182.0, 1.0),
        (RIGHT_EYE_OUTER, 279.0, 183.0, 1.0),
        (LEFT_EAR, 382.0, 197.0, 1.0),
        (RIGHT_EAR, 258.0, 197.0, 1.0),
        (MOUTH_LEFT, 336.0, 240.0, 1.0),
        (MOUTH_RIGHT, 304.0, 240.0, 1.0),
        (LEFT_SHOULDER, 460.0, 368.0, 1.0),
        (RIGHT_SHOULDER, 180.0, 366.0, 1.0),
        (LEFT_ELBOW, 500.0, 470.0, 0.3),
        (RIGHT_ELBOW, 140.0, 470.0, 0.3),
        (LEFT_WRIST, 480.0, 560.0, 0.1),
        (RIGHT_WRIST, 160.0, 560.0, 0.1),
        (LEFT_HIP, 410.0, 600.0, 0.0),
        (RIGHT_HIP, 230.0, 600.0, 0.0),
    ])
}

/// A person seen from their right side, facing +x, at a desk.
pub fn side_pose() -> Pose {
    use idx::*;
    pose(&[
        (NOSE, 300.0, 170.0, 1.0),
        (LEFT_EYE_INNER, 290.0, 151.0, 1.0),
        (LEFT_EYE, 288.0, 150.0, 1.0),
        (LEFT_EYE_OUTER, 286.0, 150.0, 1.0),
        (RIGHT_EYE_INNER, 287.0, 151.0, 1.0),
        (RIGHT_EYE, 284.0, 150.0, 1.0),
        (RIGHT_EYE_OUTER, 281.0, 150.0, 1.0),
        (LEFT_EAR, 252.0, 151.0, 1.0),
        (RIGHT_EAR, 247.0, 151.0, 1.0),
        (MOUTH_LEFT, 288.0, 186.0, 1.0),
        (MOUTH_RIGHT, 284.0, 186.0, 1.0),
        (LEFT_SHOULDER, 203.0, 262.0, 1.0),
        (RIGHT_SHOULDER, 195.0, 280.0, 1.0),
        (LEFT_ELBOW, 235.0, 400.0, 0.2),
        (RIGHT_ELBOW, 228.0, 445.0, 0.95),
        (LEFT_WRIST, 330.0, 420.0, 0.2),
        (RIGHT_WRIST, 365.0, 416.0, 0.95),
        (LEFT_HIP, 208.0, 488.0, 0.9),
        (RIGHT_HIP, 202.0, 515.0, 0.9),
    ])
}
