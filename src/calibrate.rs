//! `hunch calibrate`: record the user's upright baseline into a profile.
//!
//! From `--input` (photos, folders of photos, or a video of the user sitting
//! upright) or, by default, from a few seconds of the camera. Each frame's
//! metrics are measured and the profile keeps their medians.

use std::path::Path;
use std::process::ExitCode;

use crate::capture::{self, InputKind, SourceConfig};
use crate::frame::load_image;
use crate::pose::{Mode, PoseEstimator};
use crate::posture::{self, Measurement, Profile, Shots, View};
use crate::session::CalibrationEnd;
use crate::settings::{Calibration, Settings};
/// Camera frames per second used while calibrating.
const CAMERA_FPS: f64 = 5.0;

/// Runs `hunch calibrate`.
pub fn run(settings: &Settings, from: &Calibration) -> anyhow::Result<ExitCode> {
    let path = settings.posture.profile_path()?;
    // The profile is this command's output: never over the history, the
    // config or an input.
    settings
        .history_and_config()
        .add_inputs(from.inputs().iter().map(std::path::PathBuf::as_path))
        .check("--profile", &path)?;
    let inputs = match from {
        Calibration::Camera { seconds } => return from_camera(settings, *seconds, path),
        Calibration::Inputs(inputs) => inputs,
    };
    let view = settings.posture.view;
    let mut estimator = PoseEstimator::new(&settings.pose)?;
    let mut tally = Tally::default();
    let (measurements, shots) = {
        let mut all = Vec::new();
        // Photos are counted as photos; any video makes them frames.
        let mut shots = Shots::Photos;
        for input in inputs {
            let (m, s) = from_input(input, &mut estimator, view, &mut tally)?;
            all.extend(m);
            if s == Shots::Frames {
                shots = Shots::Frames;
            }
        }
        (all, shots)
    };
    tally.summarise();
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let profile = match Profile::calibrate_from(&measurements, created, shots) {
        Ok(p) => p,
        // Count every frame looked at, not only those with a person in them.
        Err(posture::PostureError::TooFewFrames {
            got, need, what, ..
        }) => {
            return Err(posture::PostureError::TooFewFrames {
                got,
                total: tally.frames.max(measurements.len()),
                need,
                what,
            }
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    profile.save(&path)?;
    // The profile is what was asked for; the history entry is a note, so
    // a history that cannot take it is said once and does not fail this.
    let recorded = crate::history::Recorder::for_note(
        settings.monitor.history.as_deref(),
        settings.monitor.no_history,
        created,
    )
    .and_then(|recorder| match recorder {
        Some(h) => {
            h.record(crate::history::Calibration {
                t_unix: created,
                view: Some(profile.view),
                profile_toml: toml::to_string(&profile).ok(),
            });
            h.close(created).map(|_| ())
        }
        None => Ok(()),
    });
    if let Err(e) = recorded {
        tracing::warn!("the calibration is saved but not recorded in the history: {e}");
    }
    println!("{}", calibrated_line(&profile, measurements.len(), shots));
    println!("saved to {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Lines about left-out photos printed before only counting them.
const SKIP_LINES: usize = 5;

/// Frames looked at, and photos left out (and why), for the messages.
#[derive(Debug, Default)]
struct Tally {
    frames: usize,
    no_person: usize,
    unreadable: usize,
}

impl Tally {
    fn left_out(&self) -> usize {
        self.no_person + self.unreadable
    }

    /// A photo left out: one line each for the first few, then counted.
    fn skip(&mut self, unreadable: bool, line: impl FnOnce() -> String) {
        if self.left_out() < SKIP_LINES {
            eprintln!("hunch: {}", line());
        }
        if unreadable {
            self.unreadable += 1;
        } else {
            self.no_person += 1;
        }
    }

    /// One line for everything left out beyond the lines already printed.
    fn summarise(&self) {
        if self.left_out() > SKIP_LINES {
            eprintln!(
                "hunch: left out {} of {} photos in all ({} with no person found, {} unreadable)",
                self.left_out(),
                self.frames,
                self.no_person,
                self.unreadable
            );
        }
    }
}

/// The line `hunch calibrate` prints on success, counting what it was given:
/// "calibrated from 2 of 3 photos (1 not usable): side view: ...".
pub fn calibrated_line(profile: &Profile, total: usize, shots: Shots) -> String {
    let noun = shots.noun();
    let left_out = total.saturating_sub(profile.frames);
    let note = if left_out > 0 {
        format!(" ({left_out} not usable)")
    } else {
        String::new()
    };
    format!(
        "calibrated from {} of {total} {noun}{note}: {}",
        profile.frames,
        profile.summary()
    )
}

/// Measurements from one `--input` (a photo, a folder of photos, or a
/// video), and whether they are photos or frames. A photo without a person
/// still counts (as not usable), so that messages count every photo given.
/// In a folder or list, photos that cannot be read are left out (and count
/// as not usable); a single photo that cannot be read is an error.
fn from_input(
    input: &Path,
    estimator: &mut PoseEstimator,
    view: Option<View>,
    tally: &mut Tally,
) -> anyhow::Result<(Vec<Measurement>, Shots)> {
    let mut out = Vec::new();
    let kind = capture::input_kind(input)?;
    if kind == InputKind::Video {
        let config = SourceConfig {
            input: Some(input.to_path_buf()),
            realtime: false,
            max_fps: Some(CAMERA_FPS),
            ..SourceConfig::default()
        };
        let mut source = capture::open_source(&config)?;
        estimator.reset();
        let mut want = 0.0;
        while let Some(frame) = source.next_frame(want)? {
            tally.frames += 1;
            let pose = estimator.estimate(&frame.image, Mode::Video { t_s: frame.time_s })?;
            out.extend(pose.map(|p| posture::measure(&p, view)));
            want = frame.time_s + 1.0 / CAMERA_FPS;
        }
        return Ok((out, Shots::Frames));
    }
    // Folders play in the same (natural) order as everywhere else.
    let paths = match kind {
        InputKind::ImageDir => {
            capture::ImageSource::from_dir(input, 1.0, capture::Timing::Unpaced)?
                .paths()
                .to_vec()
        }
        InputKind::ImageList => {
            capture::ImageSource::from_list(input, 1.0, capture::Timing::Unpaced)?
                .paths()
                .to_vec()
        }
        InputKind::Image | InputKind::Video => vec![input.to_path_buf()],
    };
    let single = kind == InputKind::Image;
    for p in paths {
        tally.frames += 1;
        let img = match load_image(&p) {
            Ok(img) => img,
            Err(e) if !single => {
                tally.skip(true, || format!("photo left out: {e}"));
                out.push(posture::measure_nobody(view));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        match estimator.estimate(&img, Mode::Still)? {
            Some(pose) => out.push(posture::measure(&pose, view)),
            None => {
                tally.skip(false, || {
                    format!("no person found, photo left out: {}", p.display())
                });
                out.push(posture::measure_nobody(view));
            }
        }
    }
    Ok((out, Shots::Photos))
}

/// Calibrates from the camera over `seconds`: the live session's own
/// calibration, run by the one driver (so the camera gets the monitor's
/// pacing and recovery), at [`crate::session::CALIBRATE_FPS`].
/// `seconds` is above zero ([`Calibration`] checked it).
fn from_camera(
    settings: &Settings,
    seconds: f64,
    path: std::path::PathBuf,
) -> anyhow::Result<ExitCode> {
    let mut settings = settings.clone();
    settings.monitor.no_window = true;
    eprintln!("Sit upright and look at the screen for {seconds:.0} seconds...");
    let mut session = crate::monitor::run_command(
        settings,
        crate::session::Mode::Calibrate { seconds },
        "hunch: calibrate",
        Some(path.clone()),
    )?;
    match session.take_calibration_end() {
        Some(CalibrationEnd::Done { profile, frames }) => {
            println!("{}", calibrated_line(&profile, frames, Shots::Frames));
            println!("saved to {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(CalibrationEnd::Failed {
            error:
                posture::PostureError::TooFewFrames {
                    got, need, what, ..
                },
            frames,
        }) => Err(posture::PostureError::TooFewFrames {
            got,
            total: frames,
            need,
            what,
        }
        .into()),
        Some(CalibrationEnd::Failed { error, .. } | CalibrationEnd::NotSaved(error)) => {
            Err(error.into())
        }
        None => Err(anyhow::anyhow!(
            "calibration did not finish: the camera stopped before {seconds:.0} s of frames; check the camera and try again"
        )),
    }
}
