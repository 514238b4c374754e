//! The view model: what the overlay shows, filled by the other stages.

use super::*;

/// One Upper Cross reading as a gauge.
///
/// The gauge always reads left = better, right = worse: with
/// `worse_when_lower` (the craniovertebral angle, where a smaller angle means
/// the head is further forward) the axis is flipped.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    /// What is measured, e.g. "Forward head".
    pub label: String,
    /// The current reading (non-finite = no reading).
    pub value: f32,
    /// The user's calibrated upright value.
    pub baseline: Option<f32>,
    /// The value past which the reading counts as slumped.
    pub threshold: Option<f32>,
    /// "°" or "%".
    pub unit: String,
    /// Value at one end of the scale.
    pub min: f32,
    /// Value at the other end of the scale.
    pub max: f32,
    /// True when smaller values are worse (e.g. the CVA proxy in degrees).
    pub worse_when_lower: bool,
    /// False when the landmarks behind the reading are unsure.
    pub reliable: bool,
}

impl Gauge {
    /// True when the value is past the threshold on the worse side.
    pub fn past_threshold(&self) -> bool {
        match self.threshold {
            Some(t) if self.value.is_finite() && t.is_finite() => {
                if self.worse_when_lower {
                    self.value < t
                } else {
                    self.value > t
                }
            }
            _ => false,
        }
    }

    /// Where `v` sits on the scale, 0 (best end) to 1 (worst end).
    pub(super) fn position(&self, v: f32) -> f32 {
        let span = self.max - self.min;
        if !v.is_finite() || !span.is_finite() || span.abs() < 1e-9 {
            return 0.0;
        }
        let t = ((v - self.min) / span).clamp(0.0, 1.0);
        if self.worse_when_lower { 1.0 - t } else { t }
    }

    pub(super) fn format(&self, v: f32) -> String {
        if !v.is_finite() {
            return "—".to_string();
        }
        match self.unit.as_str() {
            "%" => format!("{:+.0}%", v),
            "°" => format!("{:.0}°", v),
            u => format!("{:.1}{}", v, u),
        }
    }
}

/// A countdown shown as a ring.
#[derive(Clone, Debug, PartialEq)]
pub struct Countdown {
    pub remaining_s: f32,
    pub total_s: f32,
    /// A word or two under the ring, e.g. "left" or "starts in".
    pub caption: String,
}

/// The stretch prompt shown over the picture when slumping persists.
#[derive(Clone, Debug, PartialEq)]
pub struct PromptCard {
    /// The stretch's name, e.g. "Chin tucks".
    pub title: String,
    /// Why now, e.g. "Forward head for 35 s".
    pub reason: String,
    /// Short sentences, in order.
    pub steps: Vec<String>,
    /// How long or how many, e.g. "10 reps, hold 3 s".
    pub dose: String,
    pub countdown: Option<Countdown>,
    /// The safety line.
    pub safety: String,
    /// What is needed, e.g. "No equipment" or "A doorway".
    pub equipment: String,
}

/// The live coach while a stretch is being done.
#[derive(Clone, Debug, PartialEq)]
pub struct CoachPanel {
    pub title: String,
    pub reps_done: u32,
    /// `None` for a timed stretch.
    pub reps_target: Option<u32>,
    /// Seconds left of the current hold.
    pub hold_remaining_s: Option<f32>,
    /// Seconds left of the whole stretch.
    pub time_remaining_s: Option<f32>,
    /// A correction or encouragement, e.g. "Tuck a little further".
    pub hint: Option<String>,
    /// True when the camera sees the movement being done.
    pub verified: bool,
    pub paused: bool,
    /// 0..1 of the whole stretch.
    pub progress: f32,
    /// What one repetition is called ("reps"; neck rolls: "circles").
    pub rep_word: &'static str,
}

/// A short card after a stretch ends.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryCard {
    pub title: String,
    pub lines: Vec<String>,
    /// True when the camera saw the stretch done.
    pub verified: bool,
}

/// Where calibration stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CalibrationView {
    NotCalibrated,
    /// Recording the upright baseline; progress 0..1.
    Calibrating {
        progress: f32,
    },
    Calibrated,
}

/// Everything the overlay shows for one frame.
#[derive(Clone)]
pub struct OverlayModel<'a> {
    /// The camera picture as captured (0x0 when there is none, e.g. paused).
    pub frame: &'a RgbImage,
    /// Landmarks in `frame`'s pixels.
    pub pose: Option<&'a Pose>,
    /// Show the picture (and the skeleton) as in a mirror.
    pub mirror: bool,
    pub state: State,
    /// How long the state has lasted.
    pub state_seconds: f64,
    /// 0..1 towards the stretch prompt (the persistence timer).
    pub prompt_progress: f32,
    pub view: Option<View>,
    pub fps: f32,
    /// Pipeline time per frame in milliseconds.
    pub pipeline_ms: f32,
    /// Forward head: the forward-head angle (degrees, every view).
    pub head: Option<Gauge>,
    /// Rounded shoulders: the rounded-shoulder angle (degrees, every view).
    pub shoulders: Option<Gauge>,
    pub prompt: Option<PromptCard>,
    pub coach: Option<CoachPanel>,
    pub calibration: CalibrationView,
    /// A one-line notice, e.g. "Camera lost — retrying in 4 s".
    pub notice: Option<String>,
    pub show_help: bool,
    pub summary: Option<SummaryCard>,
    /// Which keys apply (the footer, help and cards list them from
    /// [`crate::keys`]).
    pub keys: crate::keys::KeyContext,
    /// During a stretch or routine: what is going on, shown in the status
    /// bar instead of the posture state.
    pub activity: Option<String>,
}

impl std::fmt::Debug for OverlayModel<'_> {
    /// Everything but the pixels (the picture is given by its size).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OverlayModel")
            .field("frame", &self.frame.dimensions())
            .field("pose", &self.pose.is_some())
            .field("mirror", &self.mirror)
            .field("state", &self.state)
            .field("state_seconds", &self.state_seconds)
            .field("prompt_progress", &self.prompt_progress)
            .field("view", &self.view)
            .field("fps", &self.fps)
            .field("pipeline_ms", &self.pipeline_ms)
            .field("head", &self.head)
            .field("shoulders", &self.shoulders)
            .field("prompt", &self.prompt)
            .field("coach", &self.coach)
            .field("calibration", &self.calibration)
            .field("notice", &self.notice)
            .field("show_help", &self.show_help)
            .field("summary", &self.summary)
            .field("keys", &self.keys)
            .field("activity", &self.activity)
            .finish()
    }
}

impl<'a> OverlayModel<'a> {
    /// A model showing `frame` in the Good state with nothing else on it.
    pub fn new(frame: &'a RgbImage) -> OverlayModel<'a> {
        OverlayModel {
            frame,
            pose: None,
            mirror: true,
            state: State::Good,
            state_seconds: 0.0,
            prompt_progress: 0.0,
            view: None,
            fps: 0.0,
            pipeline_ms: 0.0,
            head: None,
            shoulders: None,
            prompt: None,
            coach: None,
            calibration: CalibrationView::Calibrated,
            notice: None,
            show_help: false,
            summary: None,
            keys: crate::keys::KeyContext::Monitor,
            activity: None,
        }
    }
}
