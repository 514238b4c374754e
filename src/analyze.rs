//! `hunch analyze`: find the pose in images, folders of images and videos.
//!
//! Stills run in still mode (detector every time, no smoothing); the frames
//! of a video run in video mode (tracking and smoothing, the detector only
//! when the person is lost), starting afresh for each video. With `--json`
//! each frame becomes one JSON object on its own line of stdout:
//!
//! ```text
//! {"source": "<input path as given>", "frame": 0, "time_s": 0.0,
//!  "pose": null | {"landmarks": [[x_px, y_px, z, visibility] x 33],
//!                  "world": [[x, y, z] x 33], "presence": 0..1}}
//! ```
//!
//! Landmarks are in BlazePose's 33-point order, in pixels of the original,
//! upright frame (`z` on the scale of `x`); world landmarks in metres. For a
//! folder, `source` is the image's path inside it. Later stages add fields
//! to [`FrameRecord::extra`].
//!
//! An input that cannot be read gives one error line on stderr and the rest
//! still run; the exit code is 1 if anything failed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use image::RgbImage;
use serde::Serialize;

use crate::capture::{self, FrameSource, ImageSource, InputKind, Timing, VideoSource};
use crate::frame::load_image;
use crate::landmarks::Pose;
use crate::output::Protected;
use crate::pose::{Mode, PoseEstimator, StageTimings};
use crate::posture;
use crate::settings::{AnalyzeSettings, Settings};

/// Why `hunch analyze` stopped (an input that cannot be read is a line on
/// stderr, not an error: the other inputs still run).
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("cannot write the results ({0})")]
    Write(#[source] std::io::Error),
    #[error("cannot create the render folder ({source}): {}", path.display())]
    RenderDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The pose part of a frame's JSON line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PoseRecord {
    /// 33 x [x_px, y_px, z, visibility].
    pub landmarks: Vec<[f32; 4]>,
    /// 33 x [x, y, z] in metres, origin between the hips.
    pub world: Vec<[f32; 3]>,
    /// The model's pose flag (0..1).
    pub presence: f32,
}

impl From<&Pose> for PoseRecord {
    fn from(p: &Pose) -> Self {
        PoseRecord {
            landmarks: p
                .landmarks
                .iter()
                .map(|l| [l.x, l.y, l.z, l.visibility])
                .collect(),
            world: p.world.to_vec(),
            presence: p.presence,
        }
    }
}

/// One frame's JSON line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrameRecord {
    /// The input path as given (for a folder: the image's path in it).
    pub source: String,
    /// Frame index in a video; 0 for stills.
    pub frame: u64,
    /// Seconds into a video; 0 for stills.
    pub time_s: f64,
    /// `null` when nobody was found.
    pub pose: Option<PoseRecord>,
    /// Fields added by later stages (view, metrics, verdict...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One analysed frame, as handed to the visitor of [`analyze_inputs`].
#[derive(Debug)]
pub struct AnalyzedFrame<'a> {
    /// The input path as given (for a folder: the image's path in it).
    pub source: &'a Path,
    pub frame: u64,
    pub time_s: f64,
    pub image: &'a RgbImage,
    pub pose: Option<&'a Pose>,
    pub timings: StageTimings,
    /// True for the frames of a video (judged over time), false for stills.
    pub video: bool,
}

impl AnalyzedFrame<'_> {
    /// The frame's JSON record (without extra fields).
    pub fn record(&self) -> FrameRecord {
        FrameRecord {
            source: self.source.display().to_string(),
            frame: self.frame,
            time_s: self.time_s,
            pose: self.pose.map(PoseRecord::from),
            extra: serde_json::Map::new(),
        }
    }
}

/// What a visitor tells [`analyze_inputs`] after a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Stop everything (e.g. stdout was closed).
    Stop,
}

/// Runs the pose stage over every frame of every input, in order, calling
/// `visit` per frame and `on_error` with a one-line message per failure
/// (the input's path last). Returns true if anything failed.
pub fn analyze_inputs(
    inputs: &[PathBuf],
    estimator: &mut PoseEstimator,
    mut visit: impl FnMut(&AnalyzedFrame) -> Flow,
    mut on_error: impl FnMut(&str),
) -> bool {
    let mut failed = false;
    for input in inputs {
        let mut fail = |msg: String| {
            failed = true;
            on_error(&msg);
        };
        let kind = match capture::input_kind(input) {
            Ok(k) => k,
            Err(e) => {
                fail(e.to_string());
                continue;
            }
        };
        let flow = match kind {
            InputKind::Video => analyze_video(input, estimator, &mut visit, &mut fail),
            InputKind::Image => analyze_still(input, estimator, &mut visit, &mut fail),
            InputKind::ImageDir | InputKind::ImageList => {
                let listed = if kind == InputKind::ImageDir {
                    ImageSource::from_dir(input, 1.0, Timing::Unpaced)
                } else {
                    ImageSource::from_list(input, 1.0, Timing::Unpaced)
                };
                match listed {
                    Ok(src) => {
                        let mut flow = Flow::Continue;
                        for path in src.paths() {
                            flow = analyze_still(path, estimator, &mut visit, &mut fail);
                            if flow == Flow::Stop {
                                break;
                            }
                        }
                        flow
                    }
                    Err(e) => {
                        fail(e.to_string());
                        Flow::Continue
                    }
                }
            }
        };
        if flow == Flow::Stop {
            break;
        }
    }
    failed
}

fn analyze_still(
    path: &Path,
    estimator: &mut PoseEstimator,
    visit: &mut impl FnMut(&AnalyzedFrame) -> Flow,
    fail: &mut impl FnMut(String),
) -> Flow {
    let image = match load_image(path) {
        Ok(i) => i,
        Err(e) => {
            fail(e.to_string());
            return Flow::Continue;
        }
    };
    match estimator.estimate(&image, Mode::Still) {
        Ok(pose) => visit(&AnalyzedFrame {
            source: path,
            frame: 0,
            time_s: 0.0,
            image: &image,
            pose: pose.as_ref(),
            timings: estimator.last_timings(),
            video: false,
        }),
        Err(e) => {
            fail(format!("{e}: {}", path.display()));
            Flow::Continue
        }
    }
}

fn analyze_video(
    path: &Path,
    estimator: &mut PoseEstimator,
    visit: &mut impl FnMut(&AnalyzedFrame) -> Flow,
    fail: &mut impl FnMut(String),
) -> Flow {
    let mut source = match VideoSource::open(path, Timing::Unpaced, None) {
        Ok(s) => s,
        Err(e) => {
            fail(e.to_string());
            return Flow::Continue;
        }
    };
    estimator.reset();
    loop {
        let frame = match source.next_frame(0.0) {
            Ok(Some(f)) => f,
            Ok(None) => return Flow::Continue,
            Err(e) => {
                fail(e.to_string());
                return Flow::Continue;
            }
        };
        let mode = Mode::Video { t_s: frame.time_s };
        match estimator.estimate(&frame.image, mode) {
            Ok(pose) => {
                let flow = visit(&AnalyzedFrame {
                    source: path,
                    frame: frame.index,
                    time_s: frame.time_s,
                    image: &frame.image,
                    pose: pose.as_ref(),
                    timings: estimator.last_timings(),
                    video: true,
                });
                if flow == Flow::Stop {
                    return Flow::Stop;
                }
            }
            Err(e) => {
                fail(format!("{e} (frame {}): {}", frame.index, path.display()));
                return Flow::Continue;
            }
        }
    }
}

/// One human-readable line for a frame.
pub fn summary_line(f: &AnalyzedFrame) -> String {
    let at = if f.frame == 0 && f.time_s == 0.0 {
        String::new()
    } else {
        format!(" [frame {}, {:.2} s]", f.frame, f.time_s)
    };
    let ms = f.timings.total_s * 1000.0;
    match f.pose {
        None => format!("{}{at}: no pose ({ms:.1} ms)", f.source.display()),
        Some(p) => {
            let (nx, ny) = p.xy(crate::landmarks::idx::NOSE);
            let (lx, ly) = p.xy(crate::landmarks::idx::LEFT_SHOULDER);
            let (rx, ry) = p.xy(crate::landmarks::idx::RIGHT_SHOULDER);
            format!(
                "{}{at}: pose (presence {:.2}) nose ({nx:.0}, {ny:.0}) shoulders ({lx:.0}, {ly:.0}) ({rx:.0}, {ry:.0}) px ({ms:.1} ms)",
                f.source.display(),
                p.presence,
            )
        }
    }
}

/// `hunch analyze`.
pub fn run(settings: &Settings, args: &AnalyzeSettings) -> anyhow::Result<ExitCode> {
    let mut judge = Judge::new(&settings.posture)?;
    let mut render = match &args.render {
        // As the window shows it: mirrored unless --no-mirror.
        Some(dir) => Some(RenderTo::new(
            dir,
            settings.monitor.mirror,
            &args.inputs,
            settings.own_files(),
        )?),
        None => None,
    };
    let mut estimator = PoseEstimator::new(&settings.pose)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut write_failed: Option<std::io::Error> = None;
    let mut render_failed: Option<anyhow::Error> = None;
    let failed = analyze_inputs(
        &args.inputs,
        &mut estimator,
        |frame| {
            let judged = judge.frame(frame);
            if let Some(r) = &mut render
                && let Err(e) = r.frame(frame, &judged)
            {
                render_failed = Some(e);
                return Flow::Stop;
            }
            let written = if args.json {
                let mut record = frame.record();
                judged.add_to(&mut record.extra);
                serde_json::to_writer(&mut out, &record)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out))
            } else {
                writeln!(out, "{} — {}", summary_line(frame), judged.words())
            };
            // Lines go out as they are made, so a long video shows progress.
            match written.and_then(|()| out.flush()) {
                Ok(()) => Flow::Continue,
                Err(e) => {
                    write_failed = Some(e);
                    Flow::Stop
                }
            }
        },
        |msg| eprintln!("hunch: {msg}"),
    );
    if let Some(e) = render_failed {
        return Err(e);
    }
    match write_failed {
        // `hunch analyze ... | head` closing the pipe early is not a failure.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Some(e) => return Err(AnalyzeError::Write(e).into()),
        None => {}
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Posture judgement of analysed frames: the instant verdict of each frame
/// and, over a video's frames, the state machine's events.
struct Judge {
    thresholds: posture::Thresholds,
    state_cfg: posture::StateConfig,
    profile: Option<posture::Profile>,
    view: Option<posture::View>,
    /// The video being judged over time, and its state machine.
    stream: Option<(PathBuf, posture::StateMachine)>,
}

/// One frame's judgement.
struct Judged {
    assessment: posture::Assessment,
    events: Vec<posture::Event>,
    state: Option<posture::State>,
    prompt_progress: f32,
    state_seconds: f64,
}

impl Judge {
    fn new(posture: &crate::settings::PostureSettings) -> anyhow::Result<Judge> {
        Ok(Judge {
            thresholds: posture.thresholds.clone(),
            state_cfg: posture.state.clone(),
            // Only an explicit --profile: a still analysis should not silently
            // depend on whatever calibration the user last made.
            profile: match &posture.profile {
                Some(_) => crate::monitor::load_profile(posture)?,
                None => None,
            },
            view: posture.view,
            stream: None,
        })
    }

    fn frame(&mut self, f: &AnalyzedFrame) -> Judged {
        let assessment =
            posture::judge_pose(f.pose, self.view, self.profile.as_ref(), &self.thresholds);
        if !f.video {
            self.stream = None;
            return Judged {
                assessment,
                events: Vec::new(),
                state: None,
                prompt_progress: 0.0,
                state_seconds: 0.0,
            };
        }
        if self.stream.as_ref().is_none_or(|(p, _)| p != f.source) {
            self.stream = Some((
                f.source.to_path_buf(),
                posture::StateMachine::new(self.state_cfg.clone()),
            ));
        }
        let (events, state, progress, since) = match &mut self.stream {
            Some((_, machine)) => {
                let events = machine.update(f.time_s, Some(&assessment.judgement));
                (
                    events,
                    Some(machine.state()),
                    machine.prompt_progress(),
                    machine.state_since().unwrap_or(f.time_s),
                )
            }
            None => (Vec::new(), None, 0.0, f.time_s),
        };
        Judged {
            assessment,
            events,
            state,
            prompt_progress: progress,
            state_seconds: (f.time_s - since).max(0.0),
        }
    }
}

impl Judged {
    /// Adds `view`, `metrics`, `verdict` (and for videos `state` and
    /// `events`) to a frame's JSON line.
    fn add_to(&self, extra: &mut serde_json::Map<String, serde_json::Value>) {
        use serde_json::{Value, to_value};
        let m = self.assessment.measurement.as_ref();
        let view = m.map(|m| m.view);
        extra.insert("view".into(), to_value(view).unwrap_or(Value::Null));
        let metrics = m
            .and_then(|m| to_value(&m.metrics).ok())
            .unwrap_or_else(|| Value::Object(Default::default()));
        extra.insert("metrics".into(), metrics);
        extra.insert(
            "verdict".into(),
            to_value(self.assessment.judgement.verdict).unwrap_or(Value::Null),
        );
        if let Some(state) = self.state {
            extra.insert("state".into(), to_value(state).unwrap_or(Value::Null));
            if !self.events.is_empty() {
                extra.insert(
                    "events".into(),
                    to_value(&self.events).unwrap_or(Value::Null),
                );
            }
        }
    }

    /// The verdict in words, for the plain-text output.
    fn words(&self) -> String {
        let j = &self.assessment.judgement;
        let v = match j.reason {
            Some(r) => format!("{} ({})", to_words(j.verdict), r.message()),
            None => to_words(j.verdict),
        };
        match self.state {
            Some(s) => format!("{v} (state: {})", s.label()),
            None => v,
        }
    }
}

fn to_words(v: posture::Verdict) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

/// `--render DIR`: what the window would show, one PNG per frame.
struct RenderTo {
    dir: PathBuf,
    mirror: bool,
    /// hunch's own files, which no frame may be written over.
    protected: Protected,
    renderer: crate::render::Renderer,
    canvas: RgbImage,
}

/// The window's size when it opens, which `--render` draws at.
const RENDER_SIZE: (u32, u32) = (960, 640);

impl RenderTo {
    fn new(
        dir: &Path,
        mirror: bool,
        inputs: &[PathBuf],
        protected: Protected,
    ) -> anyhow::Result<RenderTo> {
        anyhow::ensure!(
            dir.as_os_str() != "-",
            "--render needs a folder: one PNG per frame cannot go to standard output (-)"
        );
        // Frames are named after their inputs: written into a folder that
        // holds inputs, `a.jpg`'s frame would replace an input `a.png`.
        for input in inputs {
            let folder = if input.is_dir() {
                Some(input.as_path())
            } else {
                input.parent().map(|p| {
                    if p.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        p
                    }
                })
            };
            if let Some(folder) = folder
                && dir.is_dir()
                && crate::output::same_file(folder, dir)
            {
                anyhow::bail!(
                    "--render would write into the folder of the input {}; give it another folder: {}",
                    input.display(),
                    dir.display()
                );
            }
        }
        std::fs::create_dir_all(dir).map_err(|source| AnalyzeError::RenderDir {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(RenderTo {
            dir: dir.to_path_buf(),
            mirror,
            protected,
            renderer: crate::render::Renderer::new()?,
            canvas: RgbImage::new(RENDER_SIZE.0, RENDER_SIZE.1),
        })
    }

    fn frame(&mut self, f: &AnalyzedFrame, j: &Judged) -> anyhow::Result<()> {
        let mut model = crate::render::OverlayModel::new(f.image);
        model.pose = f.pose;
        model.mirror = self.mirror;
        model.state = j
            .state
            .unwrap_or_else(|| j.assessment.judgement.verdict.into());
        model.state_seconds = j.state_seconds;
        model.prompt_progress = j.prompt_progress;
        model.view = j.assessment.measurement.as_ref().map(|m| m.view);
        model.pipeline_ms = (f.timings.total_s * 1000.0) as f32;
        (model.head, model.shoulders) = crate::monitor::gauges(&j.assessment.judgement);
        model.calibration = crate::render::CalibrationView::Calibrated;
        self.renderer.render(&model, &mut self.canvas);
        let stem = f
            .source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = if f.video {
            format!("{stem}_{:06}.png", f.frame)
        } else {
            format!("{stem}.png")
        };
        let path = self.dir.join(name);
        self.protected.check("--render", &path)?;
        if crate::output::same_file(f.source, &path) {
            anyhow::bail!(
                "--render would overwrite its input; give it another folder: {}",
                path.display()
            );
        }
        crate::render::save_png(&self.canvas, &path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::{Landmark, NUM_LANDMARKS};

    fn pose() -> Pose {
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for (i, l) in landmarks.iter_mut().enumerate() {
            *l = Landmark {
                x: i as f32,
                y: 2.0 * i as f32,
                z: -1.0,
                visibility: 0.5,
                presence: 0.9,
            };
        }
        Pose {
            landmarks,
            world: [[0.1, 0.2, 0.3]; NUM_LANDMARKS],
            presence: 0.97,
            image_width: 64,
            image_height: 48,
        }
    }

    #[test]
    fn json_line_follows_the_contract() {
        let p = pose();
        let image = RgbImage::new(64, 48);
        let f = AnalyzedFrame {
            source: Path::new("dir/a.jpg"),
            frame: 0,
            time_s: 0.0,
            image: &image,
            pose: Some(&p),
            timings: StageTimings::default(),
            video: false,
        };
        let v: serde_json::Value = serde_json::to_value(f.record()).unwrap();
        assert_eq!(v["source"], "dir/a.jpg");
        assert_eq!(v["frame"], 0);
        assert_eq!(v["time_s"], 0.0);
        let lms = v["pose"]["landmarks"].as_array().unwrap();
        assert_eq!(lms.len(), 33);
        assert_eq!(lms[2], serde_json::json!([2.0, 4.0, -1.0, 0.5]));
        assert_eq!(v["pose"]["world"].as_array().unwrap().len(), 33);
        assert!((v["pose"]["presence"].as_f64().unwrap() - 0.97).abs() < 1e-6);
        assert_eq!(v.as_object().unwrap().len(), 4);
    }

    #[test]
    fn no_pose_is_null_and_extra_fields_flatten() {
        let image = RgbImage::new(4, 4);
        let f = AnalyzedFrame {
            source: Path::new("v.mp4"),
            frame: 7,
            time_s: 0.25,
            image: &image,
            pose: None,
            timings: StageTimings::default(),
            video: true,
        };
        let mut r = f.record();
        r.extra.insert("view".into(), serde_json::json!("front"));
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert!(v["pose"].is_null());
        assert_eq!(v["frame"], 7);
        assert_eq!(v["view"], "front");
        assert!(summary_line(&f).contains("[frame 7, 0.25 s]: no pose"));
    }
}
