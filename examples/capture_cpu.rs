//! The CPU cost of capture alone: a real-time replay of a 640x480 clip made
//! from the shared photos, frames taken at the default inference rate,
//! no inference. Measured from outside with the same /proc harness as
//! `hunch bench cpu`, so the two figures add up.
//!
//! ```text
//! cargo run --example capture_cpu -- [SECONDS] [FPS]
//! ```

// A measurement tool, never shipped: the no-unwrap rule (Cargo.toml
// [lints]) is for the program.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::OsString;
use std::time::{Duration, Instant};

use hunch::capture::clip::{ClipSpec, Segment, make_clip};
use hunch::capture::{SourceConfig, Timing, open_source};
use hunch::cpubench::{format_report, measure};
use hunch::schedule::{RatePolicy, Scheduler};

fn replay(path: &str, seconds: f64, fps: f64) -> anyhow::Result<()> {
    let rate = RatePolicy::with_base(fps);
    let cfg = SourceConfig {
        input: Some(path.into()),
        realtime: true,
        max_fps: Some(rate.fast_fps),
        ..SourceConfig::default()
    };
    let mut src = open_source(&cfg)?;
    assert_eq!(src.timing(), Timing::Realtime);
    let sched = Scheduler::new(rate);
    let start = Instant::now();
    let mut want = 0.0;
    let mut frames = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        let wait = want - start.elapsed().as_secs_f64();
        if wait > 0.0 {
            std::thread::sleep(Duration::from_secs_f64(wait));
        }
        let Some(frame) = src.next_frame(want)? else {
            break;
        };
        frames += 1;
        let activity = sched.activity(frame.time_s, hunch::posture::State::Good, false);
        want = sched
            .next_inference_s(frame.time_s, frame.time_s, &activity)
            .unwrap_or(frame.time_s + 1.0);
    }
    eprintln!("{frames} frames taken");
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let seconds: f64 = args[3].parse()?;
        let fps: f64 = args[4].parse()?;
        return replay(&args[2], seconds + 5.0, fps);
    }
    let seconds: f64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(60.0);
    let fps: f64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(4.0);
    let Some(data) = hunch::testdata::shared_data_or_skip("capture CPU benchmark") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let clip = dir.path().join("replay.mp4");
    let mut spec = ClipSpec::default();
    let mut t = 0.0;
    while t < seconds + 15.0 {
        spec.segments.push(Segment::new("good", 15.0));
        spec.segments.push(Segment::new("forward_head", 15.0));
        t += 30.0;
    }
    make_clip(&data, &spec, &clip)?;
    let exe = std::env::current_exe()?;
    let child: Vec<OsString> = vec![
        "--child".into(),
        clip.clone().into(),
        seconds.to_string().into(),
        fps.to_string().into(),
    ];
    let report = measure(&exe, &child, seconds)?;
    println!(
        "{}",
        format_report(
            &report,
            &format!(
                "capture only: real-time replay of a 640x480 30 fps clip, frames taken at {fps} fps"
            )
        )
    );
    Ok(())
}
