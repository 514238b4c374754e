//! Judgement thresholds and state-machine timings, with their defaults and
//! the flags that set them.
//!
//! Every posture threshold is a deviation from the user's calibrated upright
//! baseline (except `cva_min_deg`, the absolute side-view fallback used
//! without a profile). Each comes as a pair: the frame counts as slumped past
//! the *enter* value and stops counting only once back inside the *exit*
//! value, so a posture hovering near the line does not flip the state.
//!
//! The defaults were chosen from the literature and then checked (not fitted
//! per subject) on the shared labelled photos: upright photos of one sitter
//! vary by up to about 5 degrees of CVA and 13 percent of ear height (across
//! two sessions), slumped ones move 15-40 degrees and 16-38 percent. Each
//! default sits clear of the upright spread, so everyday fidgeting does not
//! raise an alarm: a missed mild slump costs less than a nagging monitor.

use crate::cli::PostureArgs;

use super::PostureError;

/// Posture thresholds (see the module docs for the enter/exit convention).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Thresholds {
    /// Side view: CVA drop below the baseline that means forward head,
    /// degrees. 8: clinical studies find forward-head groups 5-10 degrees
    /// below controls and a measurement error of 3-5 degrees; upright photos
    /// of one sitter spread over 5.5 degrees.
    pub forward_head_deg: f64,
    /// Side view: CVA drop below which forward head ends, degrees (5).
    pub forward_head_exit_deg: f64,
    /// Side view without a profile: absolute CVA below which the head is
    /// forward, degrees. 50: the usual clinical cut-off for C7-tragus CVA;
    /// this proxy (shoulder-ear) reads higher, so the fallback errs towards
    /// silence.
    pub cva_min_deg: f64,
    /// Side view without a profile: absolute CVA above which forward head
    /// ends, degrees (53).
    pub cva_exit_deg: f64,
    /// Front view: drop of the ear height over the shoulders (relative to
    /// the shoulder width) that means forward head, percent of the baseline.
    /// 15: a 4 cm drop of the head for 40 cm shoulders; an upright sitter
    /// varies by up to 13 percent between sessions.
    pub forward_head_pct: f64,
    /// Front view: ear-height drop below which forward head ends, percent (10).
    pub forward_head_exit_pct: f64,
    /// Front view: how much further forward than the baseline the ears may
    /// come (world depth, ears against shoulders) before that alone means
    /// forward head, centimetres. 5: the model's depth wanders by about 2 cm
    /// between upright frames.
    pub head_forward_cm: f64,
    /// Front view: head-forward depth below which forward head ends, cm (3).
    pub head_forward_exit_cm: f64,
    /// Side view: increase of the trunk's forward lean that means rounded
    /// shoulders (the shoulders carried ahead of the hips), degrees. 10:
    /// upright photos of one sitter spread over 6 degrees.
    pub rounded_shoulders_deg: f64,
    /// Side view: trunk-lean increase below which rounded shoulders end (6).
    pub rounded_shoulders_exit_deg: f64,
    /// Side view: increase of the shoulder's lead over the hip-ear line that
    /// means rounded shoulders, percent of the hip-ear distance. 8: upright
    /// photos stay within 3 points of their median.
    pub shoulder_ahead_pct: f64,
    /// Side view: shoulder-lead increase below which rounded shoulders end (5).
    pub shoulder_ahead_exit_pct: f64,
    /// Front view: narrowing of the shoulders against the head (shoulder
    /// width over ear width) that means rounded shoulders, percent. 15:
    /// protraction narrows the shoulders by only a few centimetres, so the
    /// signal is weak and the threshold is kept well above the 10 percent
    /// that head turns and model noise produce.
    pub rounded_shoulders_pct: f64,
    /// Front view: narrowing below which rounded shoulders end, percent (10).
    pub rounded_shoulders_exit_pct: f64,
    /// Front view with the hips in sight: how much further ahead of the hips
    /// than the baseline the shoulders may come, centimetres (6).
    pub shoulder_forward_cm: f64,
    /// Front view: shoulder-forward depth below which rounded shoulders end (4).
    pub shoulder_forward_exit_cm: f64,
    /// Head pitch increase (looking down) that counts as looking down,
    /// degrees. 15: reading a screen to looking at a keyboard is a 20-30
    /// degree pitch; nodding while talking stays under 10.
    pub looking_down_deg: f64,
    /// Head pitch increase below which looking down ends, degrees (10).
    pub looking_down_exit_deg: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            forward_head_deg: 8.0,
            forward_head_exit_deg: 5.0,
            cva_min_deg: 50.0,
            cva_exit_deg: 53.0,
            forward_head_pct: 15.0,
            forward_head_exit_pct: 10.0,
            head_forward_cm: 5.0,
            head_forward_exit_cm: 3.0,
            rounded_shoulders_deg: 10.0,
            rounded_shoulders_exit_deg: 6.0,
            shoulder_ahead_pct: 8.0,
            shoulder_ahead_exit_pct: 5.0,
            rounded_shoulders_pct: 15.0,
            rounded_shoulders_exit_pct: 10.0,
            shoulder_forward_cm: 6.0,
            shoulder_forward_exit_cm: 4.0,
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
            cva_min_deg: args.cva_min_deg.unwrap_or(d.cva_min_deg),
            cva_exit_deg: args.cva_exit_deg.unwrap_or(d.cva_exit_deg),
            forward_head_pct: args.forward_head_pct.unwrap_or(d.forward_head_pct),
            forward_head_exit_pct: args
                .forward_head_exit_pct
                .unwrap_or(d.forward_head_exit_pct),
            head_forward_cm: args.head_forward_cm.unwrap_or(d.head_forward_cm),
            head_forward_exit_cm: args.head_forward_exit_cm.unwrap_or(d.head_forward_exit_cm),
            rounded_shoulders_deg: args
                .rounded_shoulders_deg
                .unwrap_or(d.rounded_shoulders_deg),
            rounded_shoulders_exit_deg: args
                .rounded_shoulders_exit_deg
                .unwrap_or(d.rounded_shoulders_exit_deg),
            shoulder_ahead_pct: args.shoulder_ahead_pct.unwrap_or(d.shoulder_ahead_pct),
            shoulder_ahead_exit_pct: args
                .shoulder_ahead_exit_pct
                .unwrap_or(d.shoulder_ahead_exit_pct),
            rounded_shoulders_pct: args
                .rounded_shoulders_pct
                .unwrap_or(d.rounded_shoulders_pct),
            rounded_shoulders_exit_pct: args
                .rounded_shoulders_exit_pct
                .unwrap_or(d.rounded_shoulders_exit_pct),
            shoulder_forward_cm: args.shoulder_forward_cm.unwrap_or(d.shoulder_forward_cm),
            shoulder_forward_exit_cm: args
                .shoulder_forward_exit_cm
                .unwrap_or(d.shoulder_forward_exit_cm),
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
        let deviations: [Pair; 8] = [
            (
                "--forward-head-deg",
                self.forward_head_deg,
                "--forward-head-exit-deg",
                self.forward_head_exit_deg,
            ),
            (
                "--forward-head-pct",
                self.forward_head_pct,
                "--forward-head-exit-pct",
                self.forward_head_exit_pct,
            ),
            (
                "--head-forward-cm",
                self.head_forward_cm,
                "--head-forward-exit-cm",
                self.head_forward_exit_cm,
            ),
            (
                "--rounded-shoulders-deg",
                self.rounded_shoulders_deg,
                "--rounded-shoulders-exit-deg",
                self.rounded_shoulders_exit_deg,
            ),
            (
                "--shoulder-ahead-pct",
                self.shoulder_ahead_pct,
                "--shoulder-ahead-exit-pct",
                self.shoulder_ahead_exit_pct,
            ),
            (
                "--rounded-shoulders-pct",
                self.rounded_shoulders_pct,
                "--rounded-shoulders-exit-pct",
                self.rounded_shoulders_exit_pct,
            ),
            (
                "--shoulder-forward-cm",
                self.shoulder_forward_cm,
                "--shoulder-forward-exit-cm",
                self.shoulder_forward_exit_cm,
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
        for (flag, v) in [
            ("--cva-min-deg", self.cva_min_deg),
            ("--cva-exit-deg", self.cva_exit_deg),
        ] {
            if !(v.is_finite() && v > 0.0 && v < 180.0) {
                return Err(PostureError::BadValue {
                    flag,
                    value: v,
                    why: "must be an angle between 0 and 180 degrees",
                });
            }
        }
        if self.cva_exit_deg <= self.cva_min_deg {
            return Err(PostureError::ExitPastEnter {
                enter_flag: "--cva-min-deg",
                enter: self.cva_min_deg,
                exit_flag: "--cva-exit-deg",
                exit: self.cva_exit_deg,
                side: "above",
            });
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
            forward_head_exit_deg: Some(9.0),
            ..PostureArgs::default()
        };
        let e = Thresholds::from_args(&args).unwrap_err().to_string();
        assert!(e.contains("--forward-head-exit-deg"), "{e}");
        assert!(e.contains("--forward-head-deg"), "{e}");
        let args = PostureArgs {
            cva_exit_deg: Some(45.0),
            ..PostureArgs::default()
        };
        let e = Thresholds::from_args(&args).unwrap_err().to_string();
        assert!(
            e.contains("--cva-exit-deg") && e.contains("--cva-min-deg"),
            "{e}"
        );
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
