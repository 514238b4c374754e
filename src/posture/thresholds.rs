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

use super::PostureError;

/// Every enter/exit threshold pair, declared once: for each pair the enter
/// then the exit value, each with its field docs, field name, flag (without
/// `--`), default in degrees and the flag's help text. [`Thresholds`], its
/// defaults, overrides and validation are made from this list below, and the
/// flags (`cli::ThresholdArgs`, with `[default: N]` in their help, which
/// `hunch config` shows) from the same list, so a new threshold is one entry
/// here (and a line in the README's flag list).
macro_rules! threshold_list {
    ($then:ident) => {
        $then! {
            /// Drop of the forward-head angle below the baseline that means
            /// forward head, degrees.
            forward_head_deg, "forward-head-deg", 10,
                "Drop of the forward-head angle below your calibrated baseline that counts as forward head (every view)";
            /// Forward-head drop below which forward head ends, degrees.
            forward_head_exit_deg, "forward-head-exit-deg", 6,
                "Forward-head angle drop below which forward head ends";

            /// Rise of the rounded-shoulder angle above the baseline that
            /// means rounded shoulders, degrees.
            rounded_shoulders_deg, "rounded-shoulders-deg", 10,
                "Rise of the rounded-shoulder angle above your calibrated baseline that counts as rounded shoulders (every view)";
            /// Rounded-shoulder rise below which rounded shoulders end, degrees.
            rounded_shoulders_exit_deg, "rounded-shoulders-exit-deg", 6,
                "Rounded-shoulder angle rise below which rounded shoulders end";

            /// Rise of the head flexion (head pitch against the neck) that
            /// counts as looking down, degrees. 15: reading a screen to
            /// looking at a keyboard is a 20-30 degree pitch; nodding while
            /// talking stays under 10.
            looking_down_deg, "looking-down-deg", 15,
                "Head flexion beyond your baseline that counts as looking down (never as slumping)";
            /// Head-flexion rise below which looking down ends, degrees.
            looking_down_exit_deg, "looking-down-exit-deg", 10,
                "Head flexion rise below which looking down ends";
        }
    };
}
pub(crate) use threshold_list;

/// Makes [`Thresholds`] and [`ThresholdOverrides`] from [`threshold_list!`].
macro_rules! define_thresholds {
    ($(
        $(#[$edoc:meta])* $enter:ident, $eflag:literal, $edef:literal, $ehelp:literal;
        $(#[$xdoc:meta])* $exit:ident, $xflag:literal, $xdef:literal, $xhelp:literal;
    )*) => {
        /// Posture thresholds (see the module docs for the enter/exit convention).
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct Thresholds {
            $(
                $(#[$edoc])*
                pub $enter: f64,
                $(#[$xdoc])*
                pub $exit: f64,
            )*
        }

        impl Default for Thresholds {
            fn default() -> Self {
                Thresholds {
                    $( $enter: f64::from($edef), $exit: f64::from($xdef), )*
                }
            }
        }

        /// The thresholds that were set (by a flag, the config file or the
        /// environment); `None` keeps the default.
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct ThresholdOverrides {
            $( pub $enter: Option<f64>, pub $exit: Option<f64>, )*
        }

        impl Thresholds {
            /// The defaults with every value given in `o` applied, validated.
            pub fn with_overrides(o: &ThresholdOverrides) -> Result<Thresholds, PostureError> {
                let d = Thresholds::default();
                let t = Thresholds {
                    $( $enter: o.$enter.unwrap_or(d.$enter), $exit: o.$exit.unwrap_or(d.$exit), )*
                };
                t.validate()?;
                Ok(t)
            }

            /// Every enter/exit pair with its flags.
            fn pairs(&self) -> Vec<Pair> {
                vec![ $( (concat!("--", $eflag), self.$enter, concat!("--", $xflag), self.$exit), )* ]
            }
        }
    };
}
threshold_list!(define_thresholds);

/// One enter/exit pair for validation: (enter flag, enter, exit flag, exit).
type Pair = (&'static str, f64, &'static str, f64);

impl Thresholds {
    /// Checks that every value is a finite number, every deviation positive,
    /// and every exit value on the recovered side of its enter value.
    pub fn validate(&self) -> Result<(), PostureError> {
        for (enter_flag, enter, exit_flag, exit) in self.pairs() {
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

/// The state-machine timings that were set; `None` keeps the default.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StateOverrides {
    /// `--smoothing-seconds`.
    pub smoothing_s: Option<f64>,
    /// `--onset-seconds`.
    pub onset_s: Option<f64>,
    /// `--slouch-seconds`.
    pub slouch_s: Option<f64>,
    /// `--cooldown-minutes`, in seconds.
    pub cooldown_s: Option<f64>,
    /// `--away-seconds`.
    pub away_s: Option<f64>,
}

impl StateConfig {
    /// The defaults with every timing given in `o` applied, validated.
    pub fn with_overrides(o: &StateOverrides) -> Result<StateConfig, PostureError> {
        let d = StateConfig::default();
        let c = StateConfig {
            smoothing_s: o.smoothing_s.unwrap_or(d.smoothing_s),
            onset_s: o.onset_s.unwrap_or(d.onset_s),
            slouch_s: o.slouch_s.unwrap_or(d.slouch_s),
            cooldown_s: o.cooldown_s.unwrap_or(d.cooldown_s),
            away_s: o.away_s.unwrap_or(d.away_s),
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
            Thresholds::with_overrides(&ThresholdOverrides::default()),
            Ok(Thresholds::default())
        );
        assert_eq!(Thresholds::default().forward_head_deg, 10.0);
        assert_eq!(Thresholds::default().looking_down_exit_deg, 10.0);
    }

    #[test]
    fn overrides_replace_defaults() {
        let o = ThresholdOverrides {
            forward_head_deg: Some(12.0),
            ..ThresholdOverrides::default()
        };
        let t = Thresholds::with_overrides(&o);
        assert_eq!(t.as_ref().map(|t| t.forward_head_deg), Ok(12.0));
        assert_eq!(t.map(|t| t.forward_head_exit_deg), Ok(6.0));
        let c = StateConfig::with_overrides(&StateOverrides {
            cooldown_s: Some(120.0),
            slouch_s: Some(45.0),
            ..StateOverrides::default()
        });
        assert_eq!(c.as_ref().map(|c| c.cooldown_s), Ok(120.0));
        assert_eq!(c.map(|c| c.slouch_s), Ok(45.0));
    }

    #[test]
    fn exit_past_enter_names_both_flags() {
        let o = ThresholdOverrides {
            forward_head_exit_deg: Some(11.0),
            ..ThresholdOverrides::default()
        };
        let e = Thresholds::with_overrides(&o).unwrap_err();
        assert_eq!(
            e.flags(),
            vec!["--forward-head-exit-deg", "--forward-head-deg"]
        );
        let e = e.to_string();
        assert!(e.contains("--forward-head-exit-deg"), "{e}");
        assert!(e.contains("--forward-head-deg"), "{e}");
    }

    #[test]
    fn nonsense_values_are_refused() {
        for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0] {
            let o = ThresholdOverrides {
                looking_down_deg: Some(bad),
                ..ThresholdOverrides::default()
            };
            assert!(Thresholds::with_overrides(&o).is_err(), "{bad}");
            let o = StateOverrides {
                slouch_s: Some(bad),
                ..StateOverrides::default()
            };
            let e = StateConfig::with_overrides(&o).unwrap_err();
            assert_eq!(e.flags(), vec!["--slouch-seconds"], "{bad}");
        }
    }
}
