//! Access to the project's shared real-data set (`../shared/data`), for tests,
//! evaluations and benchmarks. Never part of the monitor itself.
//!
//! The data is not in the repository (several sets carry no licence), so
//! everything here returns `None` when it is absent and callers skip with a
//! message saying so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::landmarks::{Landmark, NUM_LANDMARKS, Pose};

/// The shared data folder: `$HUNCH_SHARED_DATA`, else `../shared/data` beside
/// the source tree. `None` when it does not exist.
pub fn shared_data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("HUNCH_SHARED_DATA") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
    };
    dir.is_dir().then_some(dir)
}

/// The shared data folder, or `None` after [`note_skip`] (the caller skips).
///
/// With `HUNCH_REQUIRE_DATA=1` (CI, which always has the data) an absent
/// folder panics instead: a test that would pass without checking anything
/// fails.
#[allow(clippy::panic)] // Test kit only: failing the calling test is the point.
pub fn shared_data_or_skip(what: &str) -> Option<PathBuf> {
    let dir = shared_data_dir();
    if dir.is_none() {
        let why =
            "../shared/data is absent (set HUNCH_SHARED_DATA to the shared data folder to run it)";
        if std::env::var_os("HUNCH_REQUIRE_DATA").is_some_and(|v| v == "1") {
            // Test support only: failing the calling test is the point.
            panic!("{what}: {why}, and HUNCH_REQUIRE_DATA=1 requires it");
        }
        note_skip(SkipReason::DataAbsent, what, why);
    }
    dir
}

/// Why a test did not run its checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// `../shared/data` is absent.
    DataAbsent,
    /// Something else on this machine (no DISPLAY, a camera present, ...).
    Other,
}

/// Tells that a test skips: a `SKIPPED` line on stderr (which the test
/// harness hides for passing tests), and a line appended to the file named
/// by `HUNCH_SKIP_LOG`, which `./test.sh` sets and counts at the end so a
/// skip never looks like a pass.
pub fn note_skip(reason: SkipReason, what: &str, why: &str) {
    eprintln!("SKIPPED {what}: {why}");
    let Some(log) = std::env::var_os("HUNCH_SKIP_LOG") else {
        return;
    };
    let tag = match reason {
        SkipReason::DataAbsent => "data",
        SkipReason::Other => "other",
    };
    let line = format!("{tag}\t{what}: {why}\n");
    // One write with O_APPEND: lines from tests running in parallel do not interleave.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "could not note the skip in HUNCH_SKIP_LOG: {e}: {}",
            Path::new(&log).display()
        );
    }
}

/// CRC-32 as PNG chunks use it, bit by bit: enough for a few test chunks.
fn png_crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A small, well-formed PNG file whose header claims `width` x `height` RGB
/// pixels while its data holds a few bytes: what a hostile or broken file
/// looks like to a decoder that trusts the header.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(png_crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    // 8 bits, RGB, deflate, no filter, no interlace.
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    // A zlib stream of one zero byte.
    chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    );
    chunk(b"IEND", &[]);
    out
}

#[derive(Deserialize)]
struct RawReference {
    width: u32,
    height: u32,
    landmarks: Option<Vec<[f32; 4]>>,
    world: Option<Vec<[f32; 3]>>,
}

/// One image's MediaPipe 0.10.14 result.
#[derive(Clone, Debug)]
pub struct Reference {
    pub width: u32,
    pub height: u32,
    /// `None` where MediaPipe found no pose.
    pub pose: Option<Pose>,
}

/// Loads `mediapipe_reference.json`, keyed by path relative to the data folder.
/// MediaPipe's visibility is copied into both `visibility` and `presence`.
pub fn load_reference(data_dir: &Path) -> anyhow::Result<BTreeMap<String, Reference>> {
    let path = data_dir.join("mediapipe_reference.json");
    let text = std::fs::read_to_string(&path)?;
    let raw: BTreeMap<String, RawReference> = serde_json::from_str(&text)?;
    let mut out = BTreeMap::new();
    for (key, r) in raw {
        let pose = match (r.landmarks, r.world) {
            (Some(lms), Some(world))
                if lms.len() == NUM_LANDMARKS && world.len() == NUM_LANDMARKS =>
            {
                let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
                let mut w = [[0.0; 3]; NUM_LANDMARKS];
                for i in 0..NUM_LANDMARKS {
                    let [x, y, z, v] = lms[i];
                    landmarks[i] = Landmark {
                        x,
                        y,
                        z,
                        visibility: v,
                        presence: v,
                    };
                    w[i] = world[i];
                }
                Some(Pose {
                    landmarks,
                    world: w,
                    presence: 1.0,
                    image_width: r.width,
                    image_height: r.height,
                })
            }
            _ => None,
        };
        out.insert(
            key,
            Reference {
                width: r.width,
                height: r.height,
                pose,
            },
        );
    }
    Ok(out)
}

/// One row of `posture/labels.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelRow {
    /// Path relative to `posture/`.
    pub path: String,
    pub view: String,
    pub subject: String,
    pub label: String,
}

/// Reads `posture/labels.csv` (a plain CSV without quoted fields).
pub fn load_labels(data_dir: &Path) -> anyhow::Result<Vec<LabelRow>> {
    let text = std::fs::read_to_string(data_dir.join("posture/labels.csv"))?;
    let mut rows = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        anyhow::ensure!(f.len() >= 4, "bad labels.csv line: {line}");
        rows.push(LabelRow {
            path: f[0].to_string(),
            view: f[1].to_string(),
            subject: f[2].to_string(),
            label: f[3].to_string(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_crc_matches_the_known_iend_value() {
        assert_eq!(png_crc32(b"IEND"), 0xAE42_6082);
        let png = png_claiming(3, 2);
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(&png[png.len() - 4..], 0xAE42_6082u32.to_be_bytes());
    }
}
