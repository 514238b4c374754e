//! Criterion benchmarks of the pose stage's pure pre- and post-processing
//! (no ONNX Runtime): `cargo bench --bench pose_steps`.
//!
//! The whole pipeline against MediaPipe is `benches/compare.sh`.

// Benchmark code, never shipped: the no-unwrap rule (Cargo.toml [lints])
// is for the program.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hunch::landmarks::{Landmark, NUM_LANDMARKS};
use hunch::pose::anchors::{AnchorOptions, generate};
use hunch::pose::decode::{self, CropLandmark, NUM_MODEL_LANDMARKS};
use hunch::pose::detector::{self, DetectorOptions, NUM_COORDS};
use hunch::pose::filter::PoseSmoother;
use hunch::pose::region::Roi;
use hunch::pose::warp::{Border, ValueRange, warp_to_tensor};
use image::{Rgb, RgbImage};

fn frame(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 7 + y) as u8, (x ^ y) as u8, (y * 3) as u8])
    })
}

fn warps(c: &mut Criterion) {
    let img = frame(1280, 720);
    let mut det_in = vec![0f32; 224 * 224 * 3];
    let letterbox = Roi::whole_frame(1280, 720);
    c.bench_function("letterbox 1280x720 -> 224", |b| {
        b.iter(|| {
            warp_to_tensor(
                &img,
                black_box(&letterbox),
                224,
                Border::Zero,
                ValueRange::MINUS_ONE_TO_ONE,
                &mut det_in,
            )
        })
    });
    let mut crop = vec![0f32; 256 * 256 * 3];
    let roi = Roi {
        cx: 600.0,
        cy: 380.0,
        width: 700.0,
        height: 700.0,
        rotation: 0.3,
    };
    c.bench_function("rotated crop 1280x720 -> 256", |b| {
        b.iter(|| {
            warp_to_tensor(
                &img,
                black_box(&roi),
                256,
                Border::Replicate,
                ValueRange::ZERO_TO_ONE,
                &mut crop,
            )
        })
    });
}

fn detector_post(c: &mut Criterion) {
    c.bench_function("generate 2254 anchors", |b| {
        b.iter(|| generate(black_box(&AnchorOptions::pose_detection())))
    });
    let anchors = generate(&AnchorOptions::pose_detection());
    let mut boxes = vec![0f32; anchors.len() * NUM_COORDS];
    let mut scores = vec![-8f32; anchors.len()];
    // A person seen by a few dozen overlapping anchors, as in real output.
    for i in 600..640 {
        scores[i] = 2.0 + (i % 5) as f32 * 0.3;
        let b = &mut boxes[i * NUM_COORDS..(i + 1) * NUM_COORDS];
        b[..4].copy_from_slice(&[(i % 7) as f32, (i % 3) as f32, 80.0, 120.0]);
    }
    let options = DetectorOptions::default();
    let mut decoded = Vec::new();
    let mut merged = Vec::new();
    let mut scratch = Vec::new();
    c.bench_function("decode + weighted NMS", |b| {
        b.iter(|| {
            detector::decode(
                black_box(&boxes),
                black_box(&scores),
                &anchors,
                &options,
                &mut decoded,
            );
            detector::weighted_nms(
                &decoded,
                options.nms_threshold,
                1,
                &mut scratch,
                &mut merged,
            );
            merged.first().copied()
        })
    });
}

fn landmark_post(c: &mut Criterion) {
    let raw: Vec<f32> = (0..NUM_MODEL_LANDMARKS * 5)
        .map(|i| (i * 37 % 256) as f32)
        .collect();
    let heatmap: Vec<f32> = (0..64 * 64 * 39)
        .map(|i| ((i % 97) as f32 - 60.0) / 10.0)
        .collect();
    let roi = Roi {
        cx: 600.0,
        cy: 380.0,
        width: 700.0,
        height: 700.0,
        rotation: 0.3,
    };
    let mut crop = [CropLandmark::default(); NUM_MODEL_LANDMARKS];
    c.bench_function("decode + heatmap refine + project", |b| {
        b.iter(|| {
            decode::decode_landmarks(black_box(&raw), &mut crop);
            decode::refine_from_heatmap(
                &mut crop,
                &heatmap,
                64,
                64,
                39,
                decode::HEATMAP_KERNEL,
                0.5,
            );
            let mut out = [Landmark::default(); NUM_LANDMARKS];
            for (o, l) in out.iter_mut().zip(crop.iter()) {
                *o = decode::project(l, &roi);
            }
            out
        })
    });
    let mut smoother = PoseSmoother::default();
    let mut t = 0.0;
    c.bench_function("One Euro smoothing of a pose", |b| {
        b.iter(|| {
            t += 1.0 / 30.0;
            let mut lms = [Landmark {
                x: 300.0,
                y: 200.0,
                z: -10.0,
                visibility: 0.9,
                presence: 0.9,
            }; NUM_LANDMARKS];
            let mut world = [[0.1f32, 0.2, 0.3]; NUM_LANDMARKS];
            let mut aux = [[300.0f32, 300.0, 0.0], [300.0, 100.0, 0.0]];
            smoother.apply(t, 400.0, &mut lms, &mut world, &mut aux);
            lms
        })
    });
}

criterion_group!(benches, warps, detector_post, landmark_post);
criterion_main!(benches);
