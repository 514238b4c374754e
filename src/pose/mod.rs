//! The pose stage: BlazePose's two models, run the way MediaPipe's Pose
//! solution runs them, turning a frame into 33 landmarks.
//!
//! ```text
//! frame ─▶ letterbox 224² ─▶ detector ─▶ decode + weighted NMS ─▶ best person
//!            (warp)          (session)    (detector)                   │
//!                                                                      ▼
//!   pose ◀─ project to frame ◀─ decode + heatmap refine ◀─ landmark model ◀─ crop 256²
//!          (decode)               (decode)                 (session)        (region, warp)
//! ```
//!
//! - **Stills** ([`Mode::Still`]): detector, then the landmark model on the
//!   rotated square around the best detection (centre keypoint 0, size from
//!   keypoint 1, scaled 1.25).
//! - **Video** ([`Mode::Video`]): the region comes from the previous frame's
//!   auxiliary landmarks (33, 34), so the detector only runs when tracking
//!   is lost (pose flag below 0.5); landmarks are smoothed over time with
//!   MediaPipe's One Euro filters ([`filter`]).
//! - **Rescue**: when the full-body region loses the person (slumped over
//!   the desk, close up), the detector's upper-body region (keypoints 2, 3)
//!   is tried; when the detector finds nobody (close-up frontal webcam
//!   frames defeat it now and then), the whole frame. The landmark model's
//!   pose flag decides whether a person is there: no person gives `None`,
//!   never invented points (order in [`PoseEstimator::estimate`]).
//!
//! On the same pixels the results match MediaPipe 0.10.14's to a median of
//! 0.0002 shoulder widths (`tests/pipeline/pose_fidelity.rs`): the crops are
//! bit-exact with OpenCV's, and every constant was checked against the
//! graphs shipped in MediaPipe's wheel (one of them, the heatmap window,
//! against its output, see [`decode::HEATMAP_KERNEL`]). The graphs are
//! pruned to the outputs we read ([`prune`]), which halves the landmark
//! model's work.
//!
//! All pre- and post-processing ([`anchors`], [`detector`], [`region`],
//! [`warp`], [`decode`], [`filter`]) is pure Rust and tested without ONNX
//! Runtime; only [`session`] touches it. Buffers are made once per
//! estimator, so the steady state allocates nothing frame-sized.

pub mod anchors;
#[cfg(any(test, feature = "testkit"))]
pub mod bench;
pub mod decode;
pub mod detector;
pub mod filter;
pub mod prune;
pub mod region;
pub mod session;
pub mod warp;

use std::path::PathBuf;
use std::time::Instant;

use image::RgbImage;

use crate::landmarks::{Landmark, NUM_LANDMARKS, Pose};
use crate::models::{self, ModelChoice, ModelError};
use crate::runtime::{self, RuntimeError};

use decode::{AUX_CENTER, AUX_SCALE, CropLandmark, NUM_MODEL_LANDMARKS};
use detector::{Detection, DetectorOptions};
use filter::PoseSmoother;
use region::Roi;
use session::ModelSession;
use warp::{Border, ValueRange, WarpError};

/// Side of the detector's input.
pub const DETECTOR_SIZE: usize = 224;
/// Side of the landmark model's input.
pub const LANDMARK_SIZE: usize = 256;
/// Intra-op threads of the (pruned) landmark model, whatever `--threads`
/// says: its convolutions are too small to gain from a second thread
/// without spinning workers (measured 8.0 ms on one thread, 8.3-8.5 ms on
/// two), while the detector does gain (10.1 -> 8.8 ms).
pub const LANDMARK_THREADS: usize = 1;
/// Pose flag needed to accept landmarks (MediaPipe's `min_tracking_confidence`).
pub const PRESENCE_THRESHOLD: f32 = 0.5;

/// What the pose stage needs to start.
#[derive(Clone, Debug, PartialEq)]
pub struct PoseConfig {
    /// Landmark model.
    pub model: ModelChoice,
    /// ONNX Runtime intra-op threads for the detector (at least 1). The
    /// landmark model always runs on [`LANDMARK_THREADS`].
    pub threads: usize,
    /// `--models`: where the ONNX files are (None: the usual search path).
    pub models_dir: Option<PathBuf>,
    /// `--ort-lib`: the ONNX Runtime library (None: the usual search path).
    pub ort_lib: Option<PathBuf>,
}

impl Default for PoseConfig {
    fn default() -> Self {
        PoseConfig {
            model: DEFAULT_MODEL,
            threads: 1,
            models_dir: None,
            ort_lib: None,
        }
    }
}

/// The landmark model used when none is chosen: `full`, MediaPipe's default.
/// It matches MediaPipe's reference far better than `lite` on our photos
/// (see the fidelity test) while still beating MediaPipe's speed.
pub const DEFAULT_MODEL: ModelChoice = ModelChoice::Full;

/// How a frame relates to the ones before it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// An independent picture: always detect, never smooth.
    Still,
    /// A frame of a stream taken at `t_s` seconds: track and smooth.
    Video { t_s: f64 },
}

/// Where the last frame's time went, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageTimings {
    /// Detector: letterbox, inference and decoding (0 when it did not run).
    pub detector_s: f64,
    /// Landmark model: crops, inference and decoding, for every attempt.
    pub landmarks_s: f64,
    /// Whole call of [`PoseEstimator::estimate`].
    pub total_s: f64,
    /// How often the detector ran (0 or 1).
    pub detector_runs: u32,
    /// How often the landmark model ran (1 normally; up to 6 with the rescues).
    pub landmark_runs: u32,
}

/// Why the pose stage failed.
#[derive(Debug, thiserror::Error)]
pub enum PoseError {
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(
        "ONNX Runtime could not load model {model} ({source}); rerun models/convert.sh or check --ort-lib"
    )]
    Load {
        model: String,
        #[source]
        source: ort::Error,
    },
    #[error(
        "ONNX Runtime failed running model {model} ({source}); try --threads 1 or reinstall with scripts/setup.sh"
    )]
    Inference {
        model: String,
        #[source]
        source: ort::Error,
    },
    #[error(
        "ONNX Runtime failed running model {model} (output {output} missing); try --threads 1 or reinstall with scripts/setup.sh"
    )]
    MissingOutput { model: String, output: String },
    #[error(
        "model {model} output {output} has {got} values, expected {expected}; rerun models/convert.sh"
    )]
    OutputShape {
        model: String,
        output: String,
        expected: usize,
        got: usize,
    },
    #[error(transparent)]
    Warp(#[from] WarpError),
}

/// How the region the landmark model looked at was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionSource {
    /// From the previous video frame's landmarks (no detector run).
    Tracking,
    /// From the detector's full-body keypoints, as MediaPipe does.
    Detection,
    /// From the detector's upper-body keypoints (rescue).
    UpperBody,
    /// Anchored on the detector's face box, reaching below it for the
    /// shoulders (rescue for close-ups: the face fills the frame and the
    /// shoulders are cut off).
    FaceAnchored,
    /// The whole frame (rescue when the detector found nobody).
    WholeFrame,
    /// The whole frame zoomed out, its top kept at the region's top (rescue
    /// for close-ups the detector missed: the face gets the size and place a
    /// head has in an upper-body crop).
    ZoomedOut,
}

/// Side of the face-anchored rescue region, in face-box sizes. In an
/// upper-body crop as the landmark model sees it (shoulder line across the
/// lower half) the head is about a quarter of the side.
pub const FACE_ANCHOR_SCALE: f32 = 4.0;

/// How far below the face box's centre the face-anchored region's centre
/// sits, in face-box sizes: the shoulders sit about 1.5 face heights below
/// the face's centre, so the region is centred between face and shoulders.
pub const FACE_ANCHOR_DROP: f32 = 1.0;

/// Side of the zoomed-out whole-frame rescue, in frame long sides.
pub const ZOOM_OUT_SCALE: f32 = 3.0;

/// The face-anchored rescue region for a detection (see
/// [`RegionSource::FaceAnchored`]).
pub fn face_anchored_region(det: &Detection) -> Roi {
    let size = (det.xmax - det.xmin).max(det.ymax - det.ymin);
    let side = size * FACE_ANCHOR_SCALE;
    Roi {
        cx: (det.xmin + det.xmax) / 2.0,
        cy: (det.ymin + det.ymax) / 2.0 + size * FACE_ANCHOR_DROP,
        width: side,
        height: side,
        rotation: 0.0,
    }
}

/// Smallest distance between the eyes, as a share of the frame's width, of
/// a face that "fills the frame" (a face near the lens: eyes 6.5 cm apart 40
/// cm from a webcam with a 60 degree field of view span about a seventh of
/// the frame; a face filling it, far more).
pub const CLOSE_FACE_MIN_EYES: f32 = 0.1;

/// True when `run` found the nose and both eyes, seen, the eyes at least
/// [`CLOSE_FACE_MIN_EYES`] of the frame apart: what the zoomed-out rescue is
/// for, and what a phantom found in an empty frame is not.
fn face_fills_frame(run: &LandmarkRun, frame_width: u32) -> bool {
    use crate::landmarks::idx;
    let at = |i: usize| decode::project(&run.crop[i], &run.roi);
    let (nose, l, r) = (at(idx::NOSE), at(idx::LEFT_EYE), at(idx::RIGHT_EYE));
    let seen = |lm: &Landmark| lm.visibility.min(lm.presence) >= 0.5;
    let span = (l.x - r.x).hypot(l.y - r.y);
    seen(&nose) && seen(&l) && seen(&r) && span >= CLOSE_FACE_MIN_EYES * frame_width as f32
}

/// The zoomed-out whole-frame rescue region (see [`RegionSource::ZoomedOut`]):
/// a square [`ZOOM_OUT_SCALE`] times the frame's long side, its top at the
/// frame's top, centred across.
pub fn zoomed_out_region(width: u32, height: u32) -> Roi {
    let side = width.max(height) as f32 * ZOOM_OUT_SCALE;
    Roi {
        cx: width as f32 / 2.0,
        cy: side / 2.0,
        width: side,
        height: side,
        rotation: 0.0,
    }
}

/// Scale of the upper-body rescue region (MediaPipe's old upper-body
/// pipeline used 1.5; on our photos 1.25 and 1.5 rescue the same frames and
/// 1.5 agrees better with the full-body result).
pub const UPPER_BODY_SCALE: f32 = 1.5;

/// What one landmark-model run produced.
#[derive(Clone, Copy, Debug)]
struct LandmarkRun {
    roi: Roi,
    source: RegionSource,
    presence: f32,
    crop: [CropLandmark; NUM_MODEL_LANDMARKS],
    world: [f32; NUM_MODEL_LANDMARKS * 3],
}

impl LandmarkRun {
    /// The auxiliary alignment landmarks (33, 34) in frame pixels.
    fn aux(&self) -> (Landmark, Landmark) {
        (
            decode::project(&self.crop[AUX_CENTER], &self.roi),
            decode::project(&self.crop[AUX_SCALE], &self.roi),
        )
    }

    /// The region the auxiliary landmarks give for the next look.
    fn aux_region(&self) -> Roi {
        let (a, b) = self.aux();
        Roi::for_landmarks((a.x, a.y), (b.x, b.y))
    }
}

/// Where the landmark model's heatmap output is laid out (H, W, C).
#[derive(Clone, Copy, Debug)]
struct HeatmapShape {
    h: usize,
    w: usize,
    c: usize,
}

/// BlazePose, ready to run: two ONNX sessions, their buffers and the
/// tracking state of the current stream.
#[derive(Debug)]
pub struct PoseEstimator {
    detector: ModelSession,
    landmarker: ModelSession,
    heatmap: HeatmapShape,
    anchors: Vec<anchors::Anchor>,
    detector_options: DetectorOptions,
    decoded: Vec<Detection>,
    merged: Vec<Detection>,
    scratch: Vec<usize>,
    /// The region to look at in the next video frame, from this frame's landmarks.
    track: Option<Roi>,
    /// Frame size the tracking state belongs to.
    track_size: (u32, u32),
    smoother: PoseSmoother,
    timings: StageTimings,
    last_detection: Option<Detection>,
    last_region: Option<(Roi, RegionSource)>,
}

impl PoseEstimator {
    /// Loads ONNX Runtime and both models and prepares every buffer.
    pub fn new(config: &PoseConfig) -> Result<Self, PoseError> {
        let rt = runtime::init(config.ort_lib.as_deref())?;
        let dirs = models::search_dirs(config.models_dir.as_deref());
        let threads = config.threads.max(1);
        let detector =
            ModelSession::open(rt, models::DETECTOR, &dirs, &["boxes", "scores"], threads)?;
        let name = config.model.landmark_model();
        let landmarker = ModelSession::open(
            rt,
            name,
            &dirs,
            &["landmarks", "pose_flag", "heatmap", "world"],
            LANDMARK_THREADS,
        )?;
        let heatmap = heatmap_shape(name)?;
        check_input(&detector, models::DETECTOR, DETECTOR_SIZE)?;
        check_input(&landmarker, name, LANDMARK_SIZE)?;
        Ok(PoseEstimator {
            detector,
            landmarker,
            heatmap,
            anchors: anchors::generate(&anchors::AnchorOptions::pose_detection()),
            detector_options: DetectorOptions::default(),
            decoded: Vec::with_capacity(anchors::NUM_POSE_ANCHORS),
            merged: Vec::with_capacity(8),
            scratch: Vec::with_capacity(anchors::NUM_POSE_ANCHORS),
            track: None,
            track_size: (0, 0),
            smoother: PoseSmoother::default(),
            timings: StageTimings::default(),
            last_detection: None,
            last_region: None,
        })
    }

    /// Forgets the tracked region and the smoothing history (a new stream).
    pub fn reset(&mut self) {
        self.track = None;
        self.smoother.reset();
    }

    /// Where the last [`PoseEstimator::estimate`] spent its time.
    pub fn last_timings(&self) -> StageTimings {
        self.timings
    }

    /// The detector's best person in the last frame (frame pixels), if the detector ran and found one.
    pub fn last_detection(&self) -> Option<Detection> {
        self.last_detection
    }

    /// The region the landmark model looked at for the last pose found,
    /// and how it was found.
    pub fn last_region(&self) -> Option<(Roi, RegionSource)> {
        self.last_region
    }

    /// Finds the pose in `image` (upright RGB). `None` when nobody is there.
    ///
    /// In video mode the previous frame's region is tried first. Otherwise
    /// (and when tracking loses the person, in the same frame) the first
    /// region whose pose flag reaches [`PRESENCE_THRESHOLD`] wins: the
    /// detector's full-body region (as MediaPipe), its upper-body region
    /// (scaled [`UPPER_BODY_SCALE`]), then the whole frame; a rescue is
    /// re-cropped once on its own auxiliary landmarks.
    pub fn estimate(&mut self, image: &RgbImage, mode: Mode) -> Result<Option<Pose>, PoseError> {
        let start = Instant::now();
        self.timings = StageTimings::default();
        self.last_detection = None;
        self.last_region = None;
        let result = self.estimate_inner(image, mode);
        if !matches!(result, Ok(Some(_))) && matches!(mode, Mode::Video { .. }) {
            self.reset();
        }
        self.timings.total_s = start.elapsed().as_secs_f64();
        result
    }

    fn estimate_inner(&mut self, image: &RgbImage, mode: Mode) -> Result<Option<Pose>, PoseError> {
        let size = image.dimensions();
        if size.0 == 0 || size.1 == 0 {
            return Ok(None);
        }
        let found = match mode {
            Mode::Still => self.find(image)?,
            Mode::Video { .. } => {
                if self.track_size != size {
                    self.reset();
                    self.track_size = size;
                }
                let tracked = match self.track.take() {
                    Some(roi) => Some(self.landmarks_in(image, roi, RegionSource::Tracking)?)
                        .filter(|r| r.presence >= PRESENCE_THRESHOLD),
                    None => None,
                };
                match tracked {
                    Some(r) => Some(r),
                    None => {
                        // Lost (or never had) the person: start over this very frame.
                        self.smoother.reset();
                        self.find(image)?
                    }
                }
            }
        };
        let Some(run) = found else {
            return Ok(None);
        };
        self.last_region = Some((run.roi, run.source));
        tracing::debug!(source = ?run.source, presence = run.presence, "pose found");
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for (lm, crop) in landmarks.iter_mut().zip(run.crop.iter()) {
            *lm = decode::project(crop, &run.roi);
        }
        let mut world = decode::project_world(&run.world, &run.roi);
        if let Mode::Video { t_s } = mode {
            let (a, b) = run.aux();
            // MediaPipe measures speeds relative to the body size: the side
            // of the alignment square of the unsmoothed auxiliary points.
            let object_scale = 2.0 * (b.x - a.x).hypot(b.y - a.y);
            let mut aux = [[a.x, a.y, a.z], [b.x, b.y, b.z]];
            self.smoother
                .apply(t_s, object_scale, &mut landmarks, &mut world, &mut aux);
            let next = Roi::for_landmarks((aux[0][0], aux[0][1]), (aux[1][0], aux[1][1]));
            self.track = next.is_usable().then_some(next);
        }
        Ok(Some(Pose {
            landmarks,
            world,
            presence: run.presence,
            image_width: size.0,
            image_height: size.1,
        }))
    }

    /// Finds a person without tracking. In order, the first region whose
    /// pose flag reaches [`PRESENCE_THRESHOLD`] wins:
    ///
    /// 1. the detector's full-body region (keypoints 0 -> 1), exactly as MediaPipe;
    /// 2. the detector's upper-body region (keypoints 2 -> 3, scaled
    ///    [`UPPER_BODY_SCALE`]): people slumped over a desk or seen close up
    ///    are mostly upper body, and the full-body region can miss them;
    /// 3. a region anchored on the detector's face box and reaching below it
    ///    ([`face_anchored_region`]): a face close to the lens, shoulders cut;
    /// 4. the whole frame (a centred square), when the detector found nobody
    ///    or the regions lost the person;
    /// 5. the whole frame zoomed out, top kept ([`zoomed_out_region`]): a
    ///    face filling the frame that the detector missed.
    ///
    /// A rescue (2 to 5) is followed by one more landmark run on the region
    /// its own auxiliary landmarks give (as tracking would), which brings the
    /// crop back to the framing the model was trained on.
    fn find(&mut self, image: &RgbImage) -> Result<Option<LandmarkRun>, PoseError> {
        if let Some(det) = self.detect(image)? {
            let full_body = Roi::for_landmarks(det.keypoints[0], det.keypoints[1]);
            if full_body.is_usable() {
                let run = self.landmarks_in(image, full_body, RegionSource::Detection)?;
                if run.presence >= PRESENCE_THRESHOLD {
                    return Ok(Some(run));
                }
            }
            let upper_body = Roi::from_alignment_points(det.keypoints[2], det.keypoints[3])
                .squared_and_scaled(UPPER_BODY_SCALE);
            if upper_body.is_usable() {
                let run = self.landmarks_in(image, upper_body, RegionSource::UpperBody)?;
                if run.presence >= PRESENCE_THRESHOLD {
                    return Ok(Some(self.reframe(image, run)?));
                }
            }
            let face = face_anchored_region(&det);
            if face.is_usable() {
                let run = self.landmarks_in(image, face, RegionSource::FaceAnchored)?;
                if run.presence >= PRESENCE_THRESHOLD {
                    return Ok(Some(self.reframe(image, run)?));
                }
            }
        }
        for (roi, source) in [
            (
                Roi::whole_frame(image.width(), image.height()),
                RegionSource::WholeFrame,
            ),
            (
                zoomed_out_region(image.width(), image.height()),
                RegionSource::ZoomedOut,
            ),
        ] {
            let run = self.landmarks_in(image, roi, source)?;
            // Zoomed out, the model is looking mostly at border: it counts
            // only when it found what it is for, a face filling the frame.
            let fits = source != RegionSource::ZoomedOut || face_fills_frame(&run, image.width());
            if run.presence >= PRESENCE_THRESHOLD && fits {
                return Ok(Some(self.reframe(image, run)?));
            }
        }
        Ok(None)
    }

    /// Runs the landmark model again on the region `run`'s auxiliary
    /// landmarks give; keeps `run` if that loses the person.
    fn reframe(&mut self, image: &RgbImage, run: LandmarkRun) -> Result<LandmarkRun, PoseError> {
        let roi = run.aux_region();
        if !roi.is_usable() {
            return Ok(run);
        }
        let second = self.landmarks_in(image, roi, run.source)?;
        Ok(if second.presence >= PRESENCE_THRESHOLD {
            second
        } else {
            run
        })
    }

    /// Runs the detector on the letterboxed frame; the best person, in frame pixels.
    fn detect(&mut self, image: &RgbImage) -> Result<Option<Detection>, PoseError> {
        let start = Instant::now();
        let letterbox = Roi::whole_frame(image.width(), image.height());
        warp::warp_to_tensor(
            image,
            &letterbox,
            DETECTOR_SIZE,
            Border::Zero,
            ValueRange::MINUS_ONE_TO_ONE,
            self.detector.input_mut(),
        )?;
        let anchors = &self.anchors;
        let options = &self.detector_options;
        let decoded = &mut self.decoded;
        let merged = &mut self.merged;
        let scratch = &mut self.scratch;
        self.detector.run(|outs| {
            if let [boxes, scores] = outs {
                detector::decode(boxes, scores, anchors, options, decoded);
                detector::weighted_nms(decoded, options.nms_threshold, 1, scratch, merged);
            } else {
                merged.clear();
            }
        })?;
        self.timings.detector_s += start.elapsed().as_secs_f64();
        self.timings.detector_runs += 1;
        self.last_detection = self.merged.first().map(|d| d.to_frame(&letterbox));
        Ok(self.last_detection)
    }

    /// Runs the landmark model on `roi`.
    fn landmarks_in(
        &mut self,
        image: &RgbImage,
        roi: Roi,
        source: RegionSource,
    ) -> Result<LandmarkRun, PoseError> {
        let start = Instant::now();
        warp::warp_to_tensor(
            image,
            &roi,
            LANDMARK_SIZE,
            Border::Replicate,
            ValueRange::ZERO_TO_ONE,
            self.landmarker.input_mut(),
        )?;
        let hm = self.heatmap;
        let run = self.landmarker.run(|outs| {
            let mut run = LandmarkRun {
                roi,
                source,
                presence: 0.0,
                crop: [CropLandmark::default(); NUM_MODEL_LANDMARKS],
                world: [0.0; NUM_MODEL_LANDMARKS * 3],
            };
            if let [lms, flag, heat, world] = outs {
                decode::decode_landmarks(lms, &mut run.crop);
                decode::refine_from_heatmap(
                    &mut run.crop,
                    heat,
                    hm.h,
                    hm.w,
                    hm.c,
                    decode::HEATMAP_KERNEL,
                    decode::HEATMAP_MIN_CONFIDENCE,
                );
                // NaN (a broken model) counts as nobody there.
                run.presence = flag
                    .first()
                    .copied()
                    .filter(|p| p.is_finite())
                    .unwrap_or(0.0);
                let n = world.len().min(run.world.len());
                run.world[..n].copy_from_slice(&world[..n]);
            }
            run
        })?;
        self.timings.landmarks_s += start.elapsed().as_secs_f64();
        self.timings.landmark_runs += 1;
        Ok(run)
    }
}

fn heatmap_shape(name: &str) -> Result<HeatmapShape, PoseError> {
    let spec = models::spec(name)?;
    let out = spec.output_for("heatmap")?;
    let shape = spec
        .outputs
        .iter()
        .find(|o| o.name == out)
        .map(|o| o.shape.clone())
        .unwrap_or_default();
    match shape.as_slice() {
        [1, h, w, c] if *c as usize >= NUM_MODEL_LANDMARKS && *h > 0 && *w > 0 => {
            Ok(HeatmapShape {
                h: *h as usize,
                w: *w as usize,
                c: *c as usize,
            })
        }
        _ => Err(PoseError::Model(ModelError::Manifest(format!(
            "model {name}: heatmap shape {shape:?} is not [1, H, W, 39]"
        )))),
    }
}

fn check_input(session: &ModelSession, name: &str, side: usize) -> Result<(), PoseError> {
    let expected = side * side * 3;
    if session.input_len() != expected {
        return Err(PoseError::Model(ModelError::Manifest(format!(
            "model {name} takes {} input values, expected {expected} ({side}x{side}x3 NHWC)",
            session.input_len()
        ))));
    }
    Ok(())
}

#[cfg(test)]
mod rescue_tests {
    use super::*;

    #[test]
    fn the_face_anchored_region_reaches_below_the_face() {
        let det = Detection {
            score: 0.9,
            xmin: 100.0,
            ymin: 50.0,
            xmax: 200.0,
            ymax: 150.0,
            keypoints: [(0.0, 0.0); detector::NUM_KEYPOINTS],
        };
        let r = face_anchored_region(&det);
        assert_eq!((r.cx, r.cy), (150.0, 200.0));
        assert_eq!((r.width, r.height, r.rotation), (400.0, 400.0, 0.0));
        // The face sits in the region's upper part, the shoulders' place below it.
        let (_, v) = r.from_frame(150.0, 100.0);
        assert!((0.1..0.4).contains(&v), "{v}");
    }

    #[test]
    fn the_zoomed_out_region_keeps_the_frame_top() {
        let r = zoomed_out_region(640, 480);
        assert_eq!(r.width, 640.0 * ZOOM_OUT_SCALE);
        assert!((r.cy - r.height / 2.0).abs() < 1e-3);
        assert_eq!(r.cx, 320.0);
        assert!(r.is_usable());
    }
}
