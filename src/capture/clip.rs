//! Test and benchmark clips made from real labelled photos (`../shared/data`),
//! with ffmpeg. Never part of the monitor; the clips are written to a
//! temporary folder and never committed.
//!
//! The side-view subject `ssb` (posture/side-ssb) has 30 plain photos each of
//! `good` and `forward_head` (plus cap, mask and headphone variants). A clip
//! is a list of segments, each a label held for some seconds, cycling
//! through that label's photos.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail, ensure};

use crate::capture::images::natural_cmp;

/// One stretch of a clip: photos with this label for this long.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// A label of posture/labels.csv (`good`, `forward_head`, ...).
    pub label: String,
    pub seconds: f64,
}

impl Segment {
    pub fn new(label: &str, seconds: f64) -> Segment {
        Segment {
            label: label.to_string(),
            seconds,
        }
    }
}

/// How to build a clip.
#[derive(Clone, Debug)]
pub struct ClipSpec {
    pub segments: Vec<Segment>,
    /// Seconds each photo is held.
    pub per_image_s: f64,
    /// Frame rate of the clip.
    pub fps: u32,
    /// Output size (photos are scaled and padded to fit).
    pub width: u32,
    pub height: u32,
    /// Only the photos without cap, mask or headphones.
    pub plain_only: bool,
}

impl Default for ClipSpec {
    /// 640x480 at 30 fps, a photo per second, plain photos, no segments.
    fn default() -> Self {
        ClipSpec {
            segments: Vec::new(),
            per_image_s: 1.0,
            fps: 30,
            width: 640,
            height: 480,
            plain_only: true,
        }
    }
}

/// Where each segment landed in the clip.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub label: String,
    pub start_s: f64,
    pub end_s: f64,
    /// The photos shown, in order, with their start times.
    pub photos: Vec<(f64, PathBuf)>,
}

/// Photos of subject `ssb` with `label`, in natural name order.
pub fn ssb_photos(data_dir: &Path, label: &str, plain_only: bool) -> anyhow::Result<Vec<PathBuf>> {
    let rows = crate::testdata::load_labels(data_dir)?;
    let mut paths: Vec<String> = rows
        .into_iter()
        .filter(|r| r.subject == "ssb" && r.label == label && r.path.starts_with("side-ssb/"))
        .map(|r| r.path)
        .filter(|p| {
            !plain_only
                || !["_CAP", "_MASK", "_HEADPHONE"]
                    .iter()
                    .any(|v| p.contains(v))
        })
        .collect();
    paths.sort_by(|a, b| natural_cmp(a, b));
    ensure!(
        !paths.is_empty(),
        "no photos of ssb labelled {label} in posture/labels.csv"
    );
    Ok(paths
        .into_iter()
        .map(|p| data_dir.join("posture").join(p))
        .collect())
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Writes the clip to `out` (an .mp4, H.264) and says where each segment is.
pub fn make_clip(data_dir: &Path, spec: &ClipSpec, out: &Path) -> anyhow::Result<Vec<Placed>> {
    ensure!(
        !spec.segments.is_empty(),
        "a clip needs at least one segment"
    );
    ensure!(
        spec.per_image_s.is_finite() && spec.per_image_s > 0.0,
        "per_image_s must be above 0"
    );
    let mut list = String::from("ffconcat version 1.0\n");
    let mut placed = Vec::new();
    let mut t = 0.0;
    let mut last = None;
    for seg in &spec.segments {
        ensure!(
            seg.seconds.is_finite() && seg.seconds > 0.0,
            "segment {} has no length",
            seg.label
        );
        let photos = ssb_photos(data_dir, &seg.label, spec.plain_only)?;
        let start = t;
        let end = start + seg.seconds;
        let mut shown = Vec::new();
        let mut i = 0;
        while t < end - 1e-9 {
            let hold = spec.per_image_s.min(end - t);
            let p = &photos[i % photos.len()];
            list.push_str(&format!("file {}\nduration {hold}\n", quote(p)));
            shown.push((t, p.clone()));
            last = Some(p.clone());
            t += hold;
            i += 1;
        }
        placed.push(Placed {
            label: seg.label.clone(),
            start_s: start,
            end_s: end,
            photos: shown,
        });
    }
    // The concat demuxer ignores the last entry's duration unless the file
    // is listed once more.
    if let Some(p) = last {
        list.push_str(&format!("file {}\n", quote(&p)));
    }
    let dir = out.parent().unwrap_or(Path::new("."));
    let list_path = dir.join(format!(
        ".{}.ffconcat",
        out.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::write(&list_path, list)
        .with_context(|| format!("cannot write {}", list_path.display()))?;
    let (w, h) = (spec.width, spec.height);
    let filter = format!(
        "scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,fps={},format=yuv420p",
        spec.fps
    );
    let result = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
        ])
        .arg(&list_path)
        .args([
            "-vf", &filter, "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
        ])
        .args(["-t", &format!("{t}")])
        .arg(out)
        .stdin(Stdio::null())
        .output();
    let _ = std::fs::remove_file(&list_path);
    let output = result.context("cannot run ffmpeg (install it: sudo apt install ffmpeg)")?;
    if !output.status.success() {
        bail!(
            "ffmpeg could not make the clip: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(placed)
}

/// The clip the end-to-end test and `hunch bench cpu` use: `good_s` of good
/// posture, `slouch_s` of forward head, then `good_s` of good again.
pub fn good_slouch_good(good_s: f64, slouch_s: f64) -> ClipSpec {
    ClipSpec {
        segments: vec![
            Segment::new("good", good_s),
            Segment::new("forward_head", slouch_s),
            Segment::new("good", good_s),
        ],
        ..ClipSpec::default()
    }
}
