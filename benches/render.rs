//! Overlay render time per frame at 640x480 and 1920x1080, from a 640x480
//! camera frame, with and without the stretch prompt card; and the 0RGB
//! conversion for minifb.
//!
//! cargo bench --bench render

// Benchmark code, never shipped: the no-unwrap rule (Cargo.toml [lints])
// is for the program.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hunch::landmarks::{Landmark, NUM_LANDMARKS, Pose, idx};
use hunch::posture::{State, View};
use hunch::render::{Countdown, Gauge, OverlayModel, PromptCard, Renderer, to_u32_buffer};
use image::{Rgb, RgbImage};

fn frame() -> RgbImage {
    RgbImage::from_fn(640, 480, |x, y| {
        Rgb([(x / 3) as u8, (y / 2) as u8, ((x + y) / 5) as u8])
    })
}

fn pose() -> Pose {
    let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
    let mut put = |i: usize, x: f32, y: f32| {
        landmarks[i] = Landmark {
            x,
            y,
            z: 0.0,
            visibility: 0.99,
            presence: 0.99,
        }
    };
    put(idx::NOSE, 320.0, 170.0);
    put(idx::LEFT_EAR, 360.0, 160.0);
    put(idx::RIGHT_EAR, 280.0, 160.0);
    put(idx::LEFT_SHOULDER, 420.0, 300.0);
    put(idx::RIGHT_SHOULDER, 220.0, 300.0);
    put(idx::LEFT_ELBOW, 450.0, 420.0);
    put(idx::RIGHT_ELBOW, 190.0, 420.0);
    put(idx::LEFT_WRIST, 380.0, 470.0);
    put(idx::RIGHT_WRIST, 260.0, 470.0);
    Pose {
        landmarks,
        world: [[0.0; 3]; NUM_LANDMARKS],
        presence: 1.0,
        image_width: 640,
        image_height: 480,
    }
}

fn gauge(label: &str, value: f32) -> Gauge {
    Gauge {
        label: label.into(),
        value,
        baseline: Some(0.0),
        threshold: Some(12.0),
        unit: "%".into(),
        min: -10.0,
        max: 30.0,
        worse_when_lower: false,
        reliable: true,
    }
}

fn prompt() -> PromptCard {
    PromptCard {
        title: "Chin tucks".into(),
        reason: "Forward head for 35 s".into(),
        steps: vec![
            "Sit tall and look straight ahead.".into(),
            "Slide your chin straight back, keeping your eyes level.".into(),
            "Hold, then let it glide forward again.".into(),
        ],
        dose: "10 reps, hold 3 s".into(),
        countdown: Some(Countdown {
            remaining_s: 20.0,
            total_s: 30.0,
            caption: "left".into(),
        }),
        safety: "Stop if it hurts. Numbness, tingling or pain spreading into the arms: see a professional.".into(),
        equipment: "No equipment".into(),
    }
}

fn bench(c: &mut Criterion) {
    let frame = frame();
    let pose = pose();
    let mut renderer = Renderer::new().expect("embedded font");
    let mut model = OverlayModel::new(&frame);
    model.pose = Some(&pose);
    model.state = State::ForwardHead;
    model.state_seconds = 21.0;
    model.prompt_progress = 0.6;
    model.view = Some(View::Front);
    model.fps = 4.0;
    model.pipeline_ms = 22.0;
    model.head = Some(gauge("Forward head", 15.0));
    model.shoulders = Some(gauge("Rounded shoulders", 3.0));
    let mut with_prompt = model.clone();
    with_prompt.prompt = Some(prompt());

    for (w, h) in [(640u32, 480u32), (1920, 1080)] {
        let mut canvas = RgbImage::new(w, h);
        c.bench_function(&format!("render {w}x{h}"), |b| {
            b.iter(|| renderer.render(black_box(&model), &mut canvas))
        });
        c.bench_function(&format!("render {w}x{h} with prompt card"), |b| {
            b.iter(|| renderer.render(black_box(&with_prompt), &mut canvas))
        });
        let mut buf = Vec::new();
        c.bench_function(&format!("to_u32_buffer {w}x{h}"), |b| {
            b.iter(|| to_u32_buffer(black_box(&canvas), &mut buf))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
