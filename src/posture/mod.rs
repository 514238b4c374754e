//! Posture judgement: landmarks in, a verdict per frame and a state over time.
//!
//! The shared vocabulary of the later stages lives here; metrics, calibration
//! and the state machine are in this module's files.

use serde::{Deserialize, Serialize};

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

impl State {
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
