//! The calibration profile: the user's upright baseline, as a TOML file.
//!
//! ```toml
//! version = 2
//! view = "side"
//! frames = 20
//! created_unix = 1732190000.0
//!
//! [baseline]
//! body_yaw_deg = 84.3
//! forward_head_deg = 71.3
//! ...
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::metrics::{Measurement, Metrics};
use super::{PostureError, View};

/// The profile format this build writes and reads. Version 2 added the 3D
/// angles (`forward_head_deg`, ...); a version 1 profile lacks them and is
/// refused with a request to calibrate again.
pub const PROFILE_VERSION: u32 = 2;

/// Fewest usable frames a calibration from a camera or video accepts. Three
/// is the least for which a median rejects one odd frame; the camera
/// calibration records many more.
pub const MIN_CALIBRATION_FRAMES: usize = 3;

/// Fewest usable photos a calibration from photos accepts: a user gives a
/// handful of photos, and one blurred or cut-off photo among three must not
/// refuse the calibration. Two photos give their mean as the baseline.
pub const MIN_CALIBRATION_PHOTOS: usize = 2;

/// What the calibration measurements were taken from: it sets how many are
/// needed and how they are counted in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shots {
    /// Frames of a camera or video ([`MIN_CALIBRATION_FRAMES`]).
    Frames,
    /// Photos ([`MIN_CALIBRATION_PHOTOS`]).
    Photos,
}

impl Shots {
    /// How many usable ones a calibration needs.
    pub fn need(self) -> usize {
        match self {
            Shots::Frames => MIN_CALIBRATION_FRAMES,
            Shots::Photos => MIN_CALIBRATION_PHOTOS,
        }
    }

    /// Their name in messages (plural).
    pub fn noun(self) -> &'static str {
        match self {
            Shots::Frames => "frames",
            Shots::Photos => "photos",
        }
    }
}

/// The user's upright baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Profile format version ([`PROFILE_VERSION`]).
    pub version: u32,
    /// The view the baseline was taken in; judging uses this view's rules.
    pub view: View,
    /// How many frames the baseline is the median of.
    pub frames: usize,
    /// When the profile was made, seconds since the Unix epoch.
    pub created_unix: f64,
    /// Median of each metric over the calibration frames.
    pub baseline: Metrics,
}

/// The metric the judgement cannot do without, in every view: the 3D
/// forward-head angle.
fn key_metric(_view: View, m: &Metrics) -> Option<f64> {
    m.forward_head_deg
}

/// Median of the finite values; `None` when there are none.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.iter().any(|v| !v.is_finite()) || values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

impl Profile {
    /// Builds a profile from measurements of the user sitting upright
    /// (frames of a camera or video: at least [`MIN_CALIBRATION_FRAMES`]
    /// usable ones). See [`Profile::calibrate_from`].
    pub fn calibrate(
        measurements: &[Measurement],
        created_unix: f64,
    ) -> Result<Profile, PostureError> {
        Profile::calibrate_from(measurements, created_unix, Shots::Frames)
    }

    /// Builds a profile from measurements of the user sitting upright.
    ///
    /// A measurement is usable when its forward-head angle was measured (the
    /// judgement is the same in every view, so every usable one counts); each
    /// baseline metric is the median over the usable ones, and the profile's
    /// view is the one most of them show (for information). Refuses fewer
    /// usable measurements than `shots` needs, naming them as it counts them
    /// ("2 of 3 photos").
    pub fn calibrate_from(
        measurements: &[Measurement],
        created_unix: f64,
        shots: Shots,
    ) -> Result<Profile, PostureError> {
        let frames: Vec<&Measurement> = measurements
            .iter()
            .filter(|m| key_metric(m.view, &m.metrics).is_some_and(f64::is_finite))
            .collect();
        if frames.len() < shots.need() {
            return Err(PostureError::TooFewFrames {
                got: frames.len(),
                total: measurements.len(),
                need: shots.need(),
                what: shots.noun(),
            });
        }
        let mut by_view: BTreeMap<u8, (View, usize)> = BTreeMap::new();
        for m in &frames {
            let key = match m.view {
                View::Front => 0,
                View::Side => 1,
                View::Oblique => 2,
            };
            by_view.entry(key).or_insert((m.view, 0)).1 += 1;
        }
        // Most frames wins; ties go to front, then side (the BTreeMap order).
        let view = by_view
            .into_values()
            .reduce(|a, b| if b.1 > a.1 { b } else { a })
            .map_or(View::Front, |(v, _)| v);
        let columns: Vec<Vec<Option<f64>>> = frames.iter().map(|m| m.metrics.values()).collect();
        let medians: Vec<Option<f64>> = (0..Metrics::NAMES.len())
            .map(|i| {
                let mut vals: Vec<f64> = columns.iter().filter_map(|c| c[i]).collect();
                // A metric seen in under half the frames is not a baseline.
                if vals.len() * 2 < frames.len() {
                    None
                } else {
                    median(&mut vals)
                }
            })
            .collect();
        Ok(Profile {
            version: PROFILE_VERSION,
            view,
            frames: frames.len(),
            created_unix: if created_unix.is_finite() {
                created_unix
            } else {
                0.0
            },
            baseline: Metrics::from_values(&medians),
        })
    }

    /// The baseline in a line of words, for `hunch calibrate` to print,
    /// e.g. `side view: forward-head angle 71.3 deg, rounded-shoulder angle
    /// 2.2 deg, head flexion -0.5 deg`.
    pub fn summary(&self) -> String {
        let b = &self.baseline;
        let parts: Vec<String> = [
            ("forward-head angle", b.forward_head_deg, "deg"),
            ("rounded-shoulder angle", b.rounded_shoulders_deg, "deg"),
            ("head flexion", b.head_flexion_deg, "deg"),
        ]
        .iter()
        .filter_map(|(name, v, unit)| v.map(|v| format!("{name} {v:.1} {unit}")))
        .collect();
        let view = match self.view {
            View::Front => "front",
            View::Side => "side",
            View::Oblique => "oblique",
        };
        format!("{view} view: {}", parts.join(", "))
    }

    /// Reads a profile written by [`Profile::save`].
    pub fn load(path: &Path) -> Result<Profile, PostureError> {
        let text = std::fs::read_to_string(path).map_err(|source| PostureError::ProfileRead {
            path: path.to_path_buf(),
            source,
        })?;
        let p: Profile = toml::from_str(&text).map_err(|e| PostureError::ProfileParse {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
        if p.version > PROFILE_VERSION {
            return Err(PostureError::ProfileVersion {
                path: path.to_path_buf(),
                found: p.version,
            });
        }
        p.check().map_err(|message| PostureError::ProfileParse {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(p)
    }

    /// Checks that every baseline value is one a measurement can give (a
    /// hand-edited 0, negative ratio, NaN or infinity would make every
    /// verdict uncertain or wrong) and that the view's key metric is there.
    pub fn check(&self) -> Result<(), String> {
        for (name, value) in Metrics::NAMES.iter().zip(self.baseline.values()) {
            let Some(v) = value else { continue };
            let (ok, rule) = match *name {
                _ if !v.is_finite() => (false, "a baseline must be a finite number"),
                // Ratios to the shoulder width: the judgement divides by them.
                "ear_height_ratio" | "head_width_ratio" => {
                    (v > 0.0 && v <= 10.0, "it must be above 0 and at most 10")
                }
                "nose_height_ratio" => ((-10.0..=10.0).contains(&v), "it must be from -10 to 10"),
                "body_yaw_deg" => ((0.0..=90.0).contains(&v), "it must be from 0 to 90 degrees"),
                n if n.ends_with("_deg") => (
                    (-180.0..=180.0).contains(&v),
                    "it must be from -180 to 180 degrees",
                ),
                n if n.ends_with("_cm") => (
                    (-100.0..=100.0).contains(&v),
                    "it must be from -100 to 100 cm",
                ),
                _ => (
                    (-1000.0..=1000.0).contains(&v),
                    "it must be from -1000 to 1000",
                ),
            };
            if !ok {
                return Err(format!("baseline {name} = {v} is impossible: {rule}"));
            }
        }
        if key_metric(self.view, &self.baseline).is_none() {
            return Err(
                "it has no forward-head angle baseline (made by an older hunch?)".to_string(),
            );
        }
        Ok(())
    }

    /// Writes the profile atomically: into a temporary file beside `path`,
    /// then renamed over it. Creates the parent folders.
    pub fn save(&self, path: &Path) -> Result<(), PostureError> {
        let write_err = |source| PostureError::ProfileWrite {
            path: path.to_path_buf(),
            source,
        };
        let text = toml::to_string(self).map_err(|e| PostureError::ProfileWrite {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(write_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::metrics::tests::{front_pose, side_pose};
    use crate::posture::{measure, measure_nobody};

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [1.0, f64::NAN]), None);
    }

    #[test]
    fn calibration_takes_the_median_and_the_view() {
        let ms: Vec<_> = [64.0, 66.0, 90.0, 65.0]
            .iter()
            .map(|&c| measure(&side_pose(c, 0.0, 20.0), None))
            .collect();
        let p = Profile::calibrate(&ms, 1.7e9).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.view, View::Side);
        assert_eq!(p.frames, 4);
        assert!((p.baseline.cva_deg.unwrap_or(0.0) - 65.5).abs() < 0.1);
        assert!((p.baseline.forward_head_deg.unwrap_or(0.0) - 65.5).abs() < 0.1);
        assert_eq!(p.baseline.ear_height_ratio, None);
        let summary = p.summary();
        assert!(
            summary.starts_with("side view: forward-head angle 65."),
            "{summary}"
        );
    }

    #[test]
    fn calibration_uses_the_majority_view() {
        let mut ms: Vec<_> = (0..3)
            .map(|_| measure(&front_pose(120.0, 0.04, 6.0), None))
            .collect();
        ms.push(measure(&side_pose(65.0, 0.0, 20.0), None));
        let p = Profile::calibrate(&ms, 0.0).unwrap_or_else(|e| panic!("{e}"));
        // Every usable frame counts, whatever its view.
        assert_eq!((p.view, p.frames), (View::Front, 4));
    }

    #[test]
    fn photos_are_counted_as_photos_and_two_usable_are_enough() {
        let mut bad = front_pose(120.0, 0.04, 6.0);
        bad.landmarks[crate::landmarks::idx::LEFT_EAR].visibility = 0.0;
        bad.landmarks[crate::landmarks::idx::RIGHT_EAR].visibility = 0.0;
        let ms = vec![
            measure(&front_pose(120.0, 0.04, 6.0), None),
            measure(&bad, None),
            measure(&front_pose(121.0, 0.04, 6.0), None),
        ];
        let p = Profile::calibrate_from(&ms, 0.0, Shots::Photos).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.frames, 2);
        let ms = vec![ms[0].clone(), measure(&bad, None), measure_nobody(None)];
        let e = Profile::calibrate_from(&ms, 0.0, Shots::Photos).unwrap_err();
        assert!(e.to_string().contains("only 1 of 3 photos"), "{e}");
    }

    #[test]
    fn calibration_refuses_too_few_usable_frames() {
        let mut bad = front_pose(120.0, 0.04, 6.0);
        bad.landmarks[crate::landmarks::idx::LEFT_EAR].visibility = 0.0;
        bad.landmarks[crate::landmarks::idx::RIGHT_EAR].visibility = 0.0;
        let ms = vec![
            measure(&front_pose(120.0, 0.04, 6.0), None),
            measure(&front_pose(121.0, 0.04, 6.0), None),
            measure(&bad, None),
        ];
        let e = Profile::calibrate(&ms, 0.0).unwrap_err();
        assert!(
            matches!(
                e,
                PostureError::TooFewFrames {
                    got: 2,
                    total: 3,
                    need: 3,
                    what: "frames"
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("2 of 3 frames"), "{e}");
    }

    #[test]
    fn save_then_load_round_trips_and_creates_folders() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("a/b/profile.toml");
        let ms: Vec<_> = (0..3)
            .map(|_| measure(&front_pose(120.0, 0.04, 6.0), None))
            .collect();
        let p = Profile::calibrate(&ms, 1.5e9).unwrap_or_else(|e| panic!("{e}"));
        p.save(&path).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains("view = \"front\""), "{text}");
        assert!(text.contains("[baseline]"), "{text}");
        assert_eq!(Profile::load(&path).ok(), Some(p));
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    #[test]
    fn load_errors_say_what_to_do_and_name_the_path() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.path().join("none.toml");
        let e = Profile::load(&missing).unwrap_err().to_string();
        assert!(
            e.contains("hunch calibrate") && e.ends_with(&missing.display().to_string()),
            "{e}"
        );

        let garbled = dir.path().join("bad.toml");
        std::fs::write(&garbled, "view = 3").unwrap_or_default();
        let e = Profile::load(&garbled).unwrap_err().to_string();
        assert!(e.ends_with(&garbled.display().to_string()), "{e}");

        let future = dir.path().join("future.toml");
        std::fs::write(
            &future,
            "version = 9\nview = \"side\"\nframes = 3\ncreated_unix = 0.0\n[baseline]\nforward_head_deg = 60.0\n",
        )
        .unwrap_or_default();
        assert!(matches!(
            Profile::load(&future),
            Err(PostureError::ProfileVersion { found: 9, .. })
        ));

        let empty = dir.path().join("empty.toml");
        std::fs::write(
            &empty,
            "version = 1\nview = \"side\"\nframes = 3\ncreated_unix = 0.0\n[baseline]\n",
        )
        .unwrap_or_default();
        assert!(Profile::load(&empty).is_err());
    }

    #[test]
    fn impossible_baselines_are_refused_naming_the_value() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("p.toml");
        let write = |baseline: &str| {
            std::fs::write(
                &path,
                format!(
                    "version = 2\nview = \"front\"\nframes = 3\ncreated_unix = 0.0\n[baseline]\nforward_head_deg = 75.0\n{baseline}\n"
                ),
            )
            .unwrap_or_default();
        };
        for (line, says) in [
            ("ear_height_ratio = 0", "ear_height_ratio = 0 is impossible"),
            (
                "ear_height_ratio = -0.5",
                "ear_height_ratio = -0.5 is impossible",
            ),
            (
                "ear_height_ratio = nan",
                "ear_height_ratio = NaN is impossible",
            ),
            (
                "ear_height_ratio = 0.5\nhead_pitch_deg = inf",
                "head_pitch_deg = inf is impossible",
            ),
            (
                "ear_height_ratio = 0.5\nhead_width_ratio = 0",
                "head_width_ratio = 0 is impossible",
            ),
            (
                "head_flexion_deg = 400.0",
                "head_flexion_deg = 400 is impossible",
            ),
        ] {
            write(line);
            let e = Profile::load(&path).unwrap_err().to_string();
            assert!(e.contains(says), "{line}: {e}");
            assert!(e.ends_with(&path.display().to_string()), "{e}");
        }
        write("ear_height_ratio = 0.5\nhead_width_ratio = 0.6\nhead_pitch_deg = -12.0");
        assert!(Profile::load(&path).is_ok());
        // Without the forward-head angle (the one baseline every view needs).
        std::fs::write(
            &path,
            "version = 2\nview = \"front\"\nframes = 3\ncreated_unix = 0.0\n[baseline]\ncva_deg = 60.0\n",
        )
        .unwrap_or_default();
        let e = Profile::load(&path).unwrap_err().to_string();
        assert!(e.contains("no forward-head angle baseline"), "{e}");
    }
}
