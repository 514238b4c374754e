//! Posture judgement: landmarks in, a verdict per frame and a state over time.
//!
//! Pure logic, driven by the landmarks and the timestamps passed in:
//!
//! ```text
//! Pose ─measure─▶ Measurement ─judge(profile, thresholds)─▶ Judgement ─StateMachine::update(t)─▶ State, Events
//!                 (view, metrics)                           (verdict, levels, gauge readings)
//! ```
//!
//! - [`metrics`]: the per-frame metrics and view detection ([`measure`]).
//! - [`judge`](mod@judge): the instant verdict against the user's baseline ([`judge()`]).
//! - [`profile`]: the calibration profile ([`Profile::calibrate`], load, save).
//! - [`thresholds`]: the thresholds and timings, their defaults and flags.
//! - [`state`]: the state machine over time ([`StateMachine`]).
//! - [`eval`]: the labelled-photo evaluation.
//!
//! A typical caller (the monitor, `hunch analyze`):
//!
//! ```
//! use hunch::posture::{self, StateConfig, StateMachine, Thresholds};
//! # let pose: Option<hunch::landmarks::Pose> = None;
//! let thresholds = Thresholds::default();
//! let mut machine = StateMachine::new(StateConfig::default());
//! let a = posture::judge_pose(pose.as_ref(), None, None, &thresholds);
//! let events = machine.update(0.25, Some(&a.judgement));
//! assert_eq!(a.judgement.verdict, posture::Verdict::NoPerson);
//! assert!(events.is_empty());
//! ```

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::landmarks::Pose;

#[cfg(any(test, feature = "testkit"))]
pub mod eval;
pub mod judge;
pub mod metrics;
pub mod profile;
pub mod state;
pub mod thresholds;

pub use judge::{Judgement, Levels, Reading, UncertainReason, Unit, judge};
pub use metrics::{Measurement, Metrics, Reliability, detect_view, measure, measure_nobody};
pub use profile::{Profile, Shots};
pub use state::{Event, EventKind, StateMachine, WireError};
pub use thresholds::{StateConfig, ThresholdOverrides, Thresholds};

/// What can go wrong in the posture stage. Messages say what failed, why and
/// what to do, with the path last.
#[derive(Debug, thiserror::Error)]
pub enum PostureError {
    #[error(
        "calibration failed: only {got} of {total} {what} showed your head and shoulders clearly enough (need {need}); sit upright in view of the camera, with your ears and shoulders visible, and try again"
    )]
    TooFewFrames {
        got: usize,
        total: usize,
        need: usize,
        /// What was counted: "frames" or "photos".
        what: &'static str,
    },
    #[error(
        "cannot read the calibration profile ({source}); run `hunch calibrate` to make one: {path}"
    )]
    ProfileRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the calibration profile is damaged ({message}); run `hunch calibrate` again: {path}")]
    ProfileParse { path: PathBuf, message: String },
    #[error(
        "the calibration profile has version {found}, newer than this hunch understands; update hunch or run `hunch calibrate` again: {path}"
    )]
    ProfileVersion { path: PathBuf, found: u32 },
    #[error(
        "cannot write the calibration profile ({source}); check the folder's permissions or pass --profile PATH: {path}"
    )]
    ProfileWrite {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no configuration folder is known for this user (is HOME set?); pass --profile PATH")]
    NoConfigDir,
    #[error("{flag} {value} is not usable: it {why}")]
    BadValue {
        flag: &'static str,
        value: f64,
        why: &'static str,
    },
    #[error(
        "{exit_flag} ({exit}) must be {side} {enter_flag} ({enter}), so that posture has to recover past the alarm point before the alarm ends; change one of them"
    )]
    ExitPastEnter {
        enter_flag: &'static str,
        enter: f64,
        exit_flag: &'static str,
        exit: f64,
        side: &'static str,
    },
}

impl PostureError {
    /// The flags (`--name`) a bad value came from, in the order the message
    /// names them: data for `config` to add where each value was set.
    pub fn flags(&self) -> Vec<&'static str> {
        match self {
            PostureError::BadValue { flag, .. } if flag.starts_with("--") => vec![*flag],
            PostureError::ExitPastEnter {
                enter_flag,
                exit_flag,
                ..
            } => vec![*exit_flag, *enter_flag],
            _ => Vec::new(),
        }
    }
}

impl PartialEq for PostureError {
    /// Errors compare by their message (the I/O sources do not compare).
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

/// Where the calibration profile lives unless `--profile` says otherwise:
/// `hunch/profile.toml` in the user's config folder.
pub fn default_profile_path() -> Result<PathBuf, PostureError> {
    crate::paths::config_dir()
        .map(|d| d.join("profile.toml"))
        .ok_or(PostureError::NoConfigDir)
}

/// One frame's measurement (when there is a person) and judgement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub measurement: Option<Measurement>,
    pub judgement: Judgement,
}

/// Poses whose person-presence score is below this are treated as no person.
pub const MIN_PERSON_PRESENCE: f32 = 0.5;

/// Measures and judges one frame's pose; `None` (or a pose whose presence is
/// below [`MIN_PERSON_PRESENCE`]) gives [`Verdict::NoPerson`]. `view`: `Some`
/// forces the view, `None` detects it.
pub fn judge_pose(
    pose: Option<&Pose>,
    view: Option<View>,
    profile: Option<&Profile>,
    thresholds: &Thresholds,
) -> Assessment {
    let fallback_view = view.or(profile.map(|p| p.view)).unwrap_or(View::Front);
    match pose.filter(|p| p.presence >= MIN_PERSON_PRESENCE) {
        None => Assessment {
            measurement: None,
            judgement: Judgement::no_person(fallback_view),
        },
        Some(p) => {
            let m = measure(p, view);
            let judgement = judge(&m, profile, thresholds);
            Assessment {
                measurement: Some(m),
                judgement,
            }
        }
    }
}

/// Which way the camera sees the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Front,
    Side,
    Oblique,
}

/// The instant judgement of one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Good,
    ForwardHead,
    RoundedShoulders,
    /// Forward head and rounded shoulders together.
    Slouch,
    LookingDown,
    Uncertain,
    NoPerson,
}

/// The monitor's state over time (after smoothing, hysteresis and timers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Good,
    ForwardHead,
    RoundedShoulders,
    /// Forward head and rounded shoulders together.
    Slouch,
    LookingDown,
    Uncertain,
    Away,
    Paused,
    Snoozed,
}

impl From<Verdict> for State {
    /// The state a frame's verdict points to (no person means away).
    fn from(v: Verdict) -> State {
        match v {
            Verdict::Good => State::Good,
            Verdict::ForwardHead => State::ForwardHead,
            Verdict::RoundedShoulders => State::RoundedShoulders,
            Verdict::Slouch => State::Slouch,
            Verdict::LookingDown => State::LookingDown,
            Verdict::Uncertain => State::Uncertain,
            Verdict::NoPerson => State::Away,
        }
    }
}

impl State {
    /// Every state, in declaration order (for tables and tests). The match
    /// in [`State::label`] is exhaustive; keep this list beside it.
    pub const ALL: [State; 9] = [
        State::Good,
        State::ForwardHead,
        State::RoundedShoulders,
        State::Slouch,
        State::LookingDown,
        State::Uncertain,
        State::Away,
        State::Paused,
        State::Snoozed,
    ];

    /// The state in words, as the window and terminal show it.
    pub fn label(self) -> &'static str {
        match self {
            State::Good => "Good",
            State::ForwardHead => "Forward head",
            State::RoundedShoulders => "Rounded shoulders",
            State::Slouch => "Slouching",
            State::LookingDown => "Looking down",
            State::Uncertain => "Uncertain",
            State::Away => "Away",
            State::Paused => "Paused",
            State::Snoozed => "Snoozed",
        }
    }

    /// True for the states that count towards a stretch prompt.
    pub fn is_slumped(self) -> bool {
        matches!(
            self,
            State::ForwardHead | State::RoundedShoulders | State::Slouch
        )
    }
}
