//! Judgement thresholds and state-machine timings, with their defaults and
//! the flags that set them.
//!
//! One pair of flags per condition, in degrees, the same in every view: each
//! is a change of one 3D angle from the user's calibrated upright baseline
//! (without a profile the absolute limits in [`super::judge`] apply). The
//! frame counts as slumped past the *enter* value and stops counting only
//! once back inside the *exit* value, so a posture hovering near the line
//! does not flip the state.
//!
//! The defaults come from the spread of upright photos, not from any one
//! photo: on the shared labelled photos (our own pipeline's landmarks,
//! calibrated on each person's first three upright photos) upright photos of
//! one sitter stay within about 7 degrees of the baseline on both angles,
//! and clinical studies put forward-head groups 5-10 degrees of CVA below
//! controls with a measurement error of 3-5 degrees. Each default sits clear
//! of the upright spread: a missed mild slump costs less than a nagging
//! monitor.

use crate::cli::PostureArgs;

use super::PostureError;

/// Posture thresholds (see the module docs for the enter/exit convention).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Thresholds {
    /// Drop of the forward-head angle below the baseline that means forward
    /// head, degrees (10).
    pub forward_head_deg: f64,
    /// Forward-head drop below which forward head ends, degrees (6).
    pub forward_head_exit_deg: f64,
    /// Rise of the rounded-shoulder angle above the baseline that means
    /// rounded shoulders, degrees (10).
    pub rounded_shoulders_deg: f64,
    /// Rounded-shoulder rise below which rounded shoulders end, degrees (6).
    pub rounded_shoulders_exit_deg: f64,
    /// Rise of the head flexion (head pitch against the neck) that counts as
    /// looking down, degrees. 15: reading a screen to looking at a keyboard
    /// is a 20-30 degree pitch; nodding while talking stays under 10.
    pub looking_down_deg: f64,
    /// Head-flexion rise below which looking down ends, degrees (10).
    pub looking_down_exit_deg: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            forward_head_deg: 10.0,
            forward_head_exit_deg: 6.0,
            rounded_shoulders_deg: 10.0,
            rounded_shoulders_exit_deg: 6.0,
            looking_down_deg: 15.0,
            looking_down_exit_deg: 10.0,
        }
    }
}

/// One enter/exit pair for validation: (enter flag, enter, exit flag, exit).
type Pair = (&'static str, f64, &'static str, f64);

impl Thresholds {
    /// The defaults with every flag given in `args` applied, validated.
    pub fn from_args(args: &PostureArgs) -> Result<Thresholds, PostureError> {
        let d = Thresholds::default();
        let t = Thresholds {
            forward_head_deg: args.forward_head_deg.unwrap_or(d.forward_head_deg),
            forward_head_exit_deg: args
                .forward_head_exit_deg
                .unwrap_or(d.forward_head_exit_deg),
            rounded_shoulders_deg: args
                .rounded_shoulders_deg
                .unwrap_or(d.rounded_shoulders_deg),
            rounded_shoulders_exit_deg: args
                .rounded_shoulders_exit_deg
                .unwrap_or(d.rounded_shoulders_exit_deg),
            looking_down_deg: args.looking_down_deg.unwrap_or(d.looking_down_deg),
            looking_down_exit_deg: args
                .looking_down_exit_deg
                .unwrap_or(d.looking_down_exit_deg),
        };
        t.validate()?;
        Ok(t)
    }

    /// Checks that every value is a finite number, every deviation positive,
    /// and every exit value on the recovered side of its enter value.
    pub fn validate(&self) -> Result<(), PostureError> {
        let deviations: [Pair; 3] = [
            (
                "--forward-head-deg",
                self.forward_head_deg,
                "--forward-head-exit-deg",
                self.forward_head_exit_deg,
            ),
            (
                "--rounded-shoulders-deg",
                self.rounded_shoulders_deg,
                "--rounded-shoulders-exit-deg",
                self.rounded_shoulders_exit_deg,
            ),
            (
                "--looking-down-deg",
                self.looking_down_deg,
                "--looking-down-exit-deg",
                self.looking_down_exit_deg,
            ),
        ];
        for (enter_flag, enter, exit_flag, exit) in deviations {
            positive(enter_flag, enter)?;
            if !(exit.is_finite() && exit >= 0.0) {
                return Err(PostureError::BadValue {
                    flag: exit_flag,
                    value: exit,
                    why: "must be a number, zero or more",
                });
            }
            if exit >= enter {
                return Err(PostureError::ExitPastEnter {
                    enter_flag,
                    enter,
                    exit_flag,
                    exit,
                    side: "below",
                });
            }
        }
        Ok(())
    }
}

fn positive(flag: &'static str, v: f64) -> Result<(), PostureError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(PostureError::BadValue {
            flag,
            value: v,
            why: "must be a number above zero",
        })
    }
}

/// Timings of the state machine, in seconds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StateConfig {
    /// Time constant of the exponential smoothing of each judgement level
    /// (`--smoothing-seconds`, default 1.5). At the default 4 inference
    /// frames a second this averages about 6 frames: enough to calm landmark
    /// jitter, short enough to follow a real change within 2-3 seconds.
    pub smoothing_s: f64,
    /// How long a slumped (or looking-down) posture must hold before the
    /// state changes to it (`--onset-seconds`, default 5): reaching for a
    /// cup or stretching does not count.
    pub onset_s: f64,
    /// How long a better posture must hold before the state returns to good
    /// (default 1.5 s, shorter than the onset: recovery is shown promptly).
    pub recover_s: f64,
    /// Seconds of continuous slumping before a stretch is prompted
    /// (`--slouch-seconds`, default 30).
    pub slouch_s: f64,
    /// Quiet time after a prompt or its acknowledgement during which no new
    /// prompt is raised (`--cooldown-minutes`, default 10 minutes).
    pub cooldown_s: f64,
    /// Seconds without a person before the state becomes away
    /// (`--away-seconds`, default 10).
    pub away_s: f64,
    /// Seconds of unusable frames before the state becomes uncertain
    /// (default 3): a few bad frames keep the last state.
    pub uncertain_s: f64,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            smoothing_s: 1.5,
            onset_s: 5.0,
            recover_s: 1.5,
            slouch_s: 30.0,
            cooldown_s: 600.0,
            away_s: 10.0,
            uncertain_s: 3.0,
        }
    }
}

impl StateConfig {
    /// The defaults with the flags given in `args` applied, validated.
    pub fn from_args(args: &PostureArgs) -> Result<StateConfig, PostureError> {
        let d = StateConfig::default();
        let c = StateConfig {
            smoothing_s: args.smoothing_seconds.unwrap_or(d.smoothing_s),
            onset_s: args.onset_seconds.unwrap_or(d.onset_s),
            slouch_s: args.slouch_seconds.unwrap_or(d.slouch_s),
            cooldown_s: args.cooldown_minutes.map_or(d.cooldown_s, |m| m * 60.0),
            away_s: args.away_seconds.unwrap_or(d.away_s),
            ..d
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks that every timing is a finite number of seconds, zero or more
    /// (the slouch time must be above zero).
    pub fn validate(&self) -> Result<(), PostureError> {
        for (flag, v) in [
            ("--smoothing-seconds", self.smoothing_s),
            ("--onset-seconds", self.onset_s),
            ("recovery time", self.recover_s),
            ("--cooldown-minutes", self.cooldown_s),
            ("--away-seconds", self.away_s),
            ("uncertain time", self.uncertain_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(PostureError::BadValue {
                    flag,
                    value: v,
                    why: "must be a number, zero or more",
                });
            }
        }
        positive("--slouch-seconds", self.slouch_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Thresholds::default().validate(), Ok(()));
        assert_eq!(StateConfig::default().validate(), Ok(()));
        assert_eq!(
            Thresholds::from_args(&PostureArgs::default()),
            Ok(Thresholds::default())
        );
    }

    #[test]
    fn flags_override_defaults() {
        let args = PostureArgs {
            forward_head_deg: Some(12.0),
            cooldown_minutes: Some(2.0),
            slouch_seconds: Some(45.0),
            ..PostureArgs::default()
        };
        assert_eq!(
            Thresholds::from_args(&args).map(|t| t.forward_head_deg),
            Ok(12.0)
        );
        let c = StateConfig::from_args(&args);
        assert_eq!(c.as_ref().map(|c| c.cooldown_s), Ok(120.0));
        assert_eq!(c.map(|c| c.slouch_s), Ok(45.0));
    }

    #[test]
    fn exit_past_enter_names_both_flags() {
        let args = PostureArgs {
            forward_head_exit_deg: Some(11.0),
            ..PostureArgs::default()
        };
        let e = Thresholds::from_args(&args).unwrap_err().to_string();
        assert!(e.contains("--forward-head-exit-deg"), "{e}");
        assert!(e.contains("--forward-head-deg"), "{e}");
    }

    #[test]
    fn nonsense_values_are_refused() {
        for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0] {
            let args = PostureArgs {
                looking_down_deg: Some(bad),
                ..PostureArgs::default()
            };
            assert!(Thresholds::from_args(&args).is_err(), "{bad}");
            let args = PostureArgs {
                slouch_seconds: Some(bad),
                ..PostureArgs::default()
            };
            assert!(StateConfig::from_args(&args).is_err(), "{bad}");
        }
    }
}
