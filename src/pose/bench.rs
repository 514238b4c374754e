//! `hunch bench pipeline`: how long the pose pipeline takes per frame.
//!
//! All frames are decoded into memory first, so only [`PoseEstimator::estimate`]
//! is timed. Two modes are measured on the same frames:
//!
//! - **video**: the frames in order with their timestamps, as a stream
//!   (tracking: the detector runs only when the person is lost);
//! - **still**: every frame on its own (detector + landmark model each time).
//!
//! Each mode gets one untimed warm-up pass, then `reps` timed passes. One
//! line per mode goes to stdout in `key=value` form, which
//! `benches/compare.sh` reads to set our times against MediaPipe's.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use image::RgbImage;

use super::{Mode, PoseConfig, PoseEstimator};
use crate::capture::{self, FrameSource, ImageSource, InputKind, Timing, VideoSource};
use crate::frame::load_image;

/// Per-frame time statistics of one mode, in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub mode: &'static str,
    pub frames: usize,
    pub median_ms: f64,
    pub mean_ms: f64,
    pub p90_ms: f64,
    /// Frames with a pose found, over one pass.
    pub found: usize,
    /// Detector runs over one pass.
    pub detector_runs: u64,
    /// Landmark model runs over one pass.
    pub landmark_runs: u64,
    /// Mean per frame spent in the detector stage (timed passes).
    pub detector_ms: f64,
    /// Mean per frame spent in the landmark stage (timed passes).
    pub landmarks_ms: f64,
}

/// Summarises per-frame times (seconds) into [`Stats`].
pub fn summarize(mode: &'static str, times_s: &[f64]) -> Stats {
    let mut ms: Vec<f64> = times_s.iter().map(|t| t * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let pick = |p: f64| {
        if ms.is_empty() {
            f64::NAN
        } else {
            ms[((ms.len() - 1) as f64 * p).round() as usize]
        }
    };
    let mean = if ms.is_empty() {
        f64::NAN
    } else {
        ms.iter().sum::<f64>() / ms.len() as f64
    };
    Stats {
        mode,
        frames: ms.len(),
        median_ms: pick(0.5),
        mean_ms: mean,
        p90_ms: pick(0.9),
        found: 0,
        detector_runs: 0,
        landmark_runs: 0,
        detector_ms: 0.0,
        landmarks_ms: 0.0,
    }
}

/// Decodes every frame of `input` (a video, an image, a folder or list of images).
pub fn load_frames(input: &Path) -> anyhow::Result<Vec<(RgbImage, f64)>> {
    let mut out = Vec::new();
    match capture::input_kind(input)? {
        InputKind::Video => {
            let mut source = VideoSource::open(input, Timing::Unpaced, None)?;
            while let Some(frame) = source.next_frame(0.0)? {
                out.push((frame.image, frame.time_s));
            }
        }
        kind => {
            let paths: Vec<PathBuf> = match kind {
                InputKind::ImageDir => ImageSource::from_dir(input, 1.0, Timing::Unpaced)?
                    .paths()
                    .to_vec(),
                InputKind::ImageList => ImageSource::from_list(input, 1.0, Timing::Unpaced)?
                    .paths()
                    .to_vec(),
                _ => vec![input.to_path_buf()],
            };
            for (i, p) in paths.iter().enumerate() {
                out.push((load_image(p)?, i as f64 / 30.0));
            }
        }
    }
    anyhow::ensure!(!out.is_empty(), "no frames in {}", input.display());
    Ok(out)
}

/// Times `estimator` over `frames` in `mode_name` ("video" or "still").
pub fn time_mode(
    estimator: &mut PoseEstimator,
    frames: &[(RgbImage, f64)],
    mode_name: &'static str,
    reps: usize,
) -> anyhow::Result<Stats> {
    let video = mode_name == "video";
    let mut times = Vec::with_capacity(frames.len() * reps);
    let mut counts = (0, 0, 0);
    let mut stage_s = (0.0, 0.0);
    // Pass 0 warms up (and counts); passes 1..=reps are timed.
    for pass in 0..=reps {
        estimator.reset();
        // Each pass continues the clock so the filters see increasing time.
        let offset = pass as f64 * (frames.last().map(|f| f.1).unwrap_or(0.0) + 1.0);
        for (image, t) in frames {
            let mode = if video {
                Mode::Video { t_s: offset + t }
            } else {
                Mode::Still
            };
            let start = Instant::now();
            let pose = estimator.estimate(image, mode)?;
            let elapsed = start.elapsed().as_secs_f64();
            if pass == 0 {
                let tm = estimator.last_timings();
                counts.0 += usize::from(pose.is_some());
                counts.1 += u64::from(tm.detector_runs);
                counts.2 += u64::from(tm.landmark_runs);
            } else {
                let tm = estimator.last_timings();
                stage_s.0 += tm.detector_s;
                stage_s.1 += tm.landmarks_s;
                times.push(elapsed);
            }
        }
    }
    let mut stats = summarize(mode_name, &times);
    stats.found = counts.0;
    stats.detector_runs = counts.1;
    stats.landmark_runs = counts.2;
    let n = times.len().max(1) as f64;
    stats.detector_ms = stage_s.0 * 1000.0 / n;
    stats.landmarks_ms = stage_s.1 * 1000.0 / n;
    Ok(stats)
}

/// One `key=value` line for a mode's stats.
pub fn format_line(stats: &Stats, config: &PoseConfig, reps: usize) -> String {
    format!(
        "pipeline mode={} model={} threads={} frames={} reps={} median_ms={:.3} mean_ms={:.3} p90_ms={:.3} detector_ms={:.3} landmarks_ms={:.3} found={} detector_runs={} landmark_runs={}",
        stats.mode,
        format!("{:?}", config.model).to_lowercase(),
        config.threads,
        stats.frames / reps.max(1),
        reps,
        stats.median_ms,
        stats.mean_ms,
        stats.p90_ms,
        stats.detector_ms,
        stats.landmarks_ms,
        stats.found,
        stats.detector_runs,
        stats.landmark_runs,
    )
}

/// Runs the benchmark and prints one line per mode.
pub fn run(config: &PoseConfig, input: &Path, reps: usize) -> anyhow::Result<Vec<Stats>> {
    let frames = load_frames(input).with_context(|| format!("reading {}", input.display()))?;
    let mut estimator = PoseEstimator::new(config)?;
    let mut out = Vec::new();
    for mode in ["video", "still"] {
        let stats = time_mode(&mut estimator, &frames, mode, reps)?;
        println!("{}", format_line(&stats, config, reps));
        out.push(stats);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_times() {
        let s = summarize("video", &[0.003, 0.001, 0.002, 0.004, 0.005]);
        assert_eq!(s.frames, 5);
        assert!((s.median_ms - 3.0).abs() < 1e-9);
        assert!((s.mean_ms - 3.0).abs() < 1e-9);
        assert!((s.p90_ms - 5.0).abs() < 1e-9);
        assert!(summarize("still", &[]).median_ms.is_nan());
    }

    #[test]
    fn line_is_key_value() {
        let s = summarize("still", &[0.01, 0.02]);
        let line = format_line(&s, &PoseConfig::default(), 2);
        assert!(line.starts_with("pipeline mode=still model=full threads=1 frames=1 reps=2"));
        assert!(line.contains("median_ms="));
    }
}
