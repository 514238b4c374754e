//! Typed settings, built once from the flags (with the config file and the
//! `HUNCH_*` environment already layered under them by [`crate::config`])
//! and validated.
//!
//! This is the one place where `cli` types become each stage's settings:
//! the stages take a [`PoseConfig`], [`PostureSettings`] or
//! [`MonitorSettings`] and never import `cli`, clap or `config`. Defaults
//! live with the stage that uses them (the thresholds in
//! `posture::thresholds`' list, which also makes their flags).

use std::path::PathBuf;

use crate::cli::{Cli, CommonArgs, PostureArgs, ViewArg};
use crate::config::MonitorSettings;
use crate::output::Protected;
use crate::pose::{DEFAULT_MODEL, PoseConfig};
use crate::posture::thresholds::StateOverrides;
use crate::posture::{PostureError, StateConfig, Thresholds, View};

/// Everything a run needs, defaults applied and validated.
#[derive(Clone, Debug)]
pub struct Settings {
    pub pose: PoseConfig,
    pub posture: PostureSettings,
    pub monitor: MonitorSettings,
}

impl Settings {
    /// The settings the flags ask for (already layered and validated by
    /// `config`); an error names the flag it came from.
    pub fn from_cli(cli: &Cli) -> Result<Settings, PostureError> {
        Ok(Settings {
            pose: pose(&cli.common),
            posture: PostureSettings::from_args(&cli.common.posture)?,
            monitor: MonitorSettings::from_cli(cli),
        })
    }
}

/// How posture is judged.
#[derive(Clone, Debug, PartialEq)]
pub struct PostureSettings {
    pub thresholds: Thresholds,
    pub state: StateConfig,
    /// `--view`: `None` to detect the view from the landmarks.
    pub view: Option<View>,
    /// `--profile`, when given (else the default profile path).
    pub profile: Option<PathBuf>,
}

impl PostureSettings {
    /// The posture flags with the defaults applied, validated.
    pub fn from_args(args: &PostureArgs) -> Result<PostureSettings, PostureError> {
        Ok(PostureSettings {
            thresholds: thresholds(args)?,
            state: state_config(args)?,
            view: view(args),
            profile: args.profile.clone(),
        })
    }
}

/// The pose stage's settings: `--model`, `--threads`, `--models`, `--ort-lib`.
pub fn pose(common: &CommonArgs) -> PoseConfig {
    PoseConfig {
        model: common.model.unwrap_or(DEFAULT_MODEL),
        threads: common.threads.unwrap_or(1).max(1),
        models_dir: common.models.clone(),
        ort_lib: common.ort_lib.clone(),
    }
}

/// The posture thresholds the flags set, validated.
pub fn thresholds(args: &PostureArgs) -> Result<Thresholds, PostureError> {
    Thresholds::with_overrides(&args.thresholds.overrides())
}

/// The state machine's timings the flags set, validated.
pub fn state_config(args: &PostureArgs) -> Result<StateConfig, PostureError> {
    StateConfig::with_overrides(&StateOverrides {
        smoothing_s: args.smoothing_seconds,
        onset_s: args.onset_seconds,
        slouch_s: args.slouch_seconds,
        cooldown_s: args.cooldown_minutes.map(|m| m * 60.0),
        away_s: args.away_seconds,
    })
}

/// The view `--view` asks for: `None` to detect it.
pub fn view(args: &PostureArgs) -> Option<View> {
    args.view.and_then(ViewArg::view)
}

/// Protects hunch's own files as the flags name them: the history (unless
/// `--no-history`), the calibration profile and the config file.
pub fn own_files(cli: &Cli) -> Protected {
    let mut p = history_and_config(cli);
    if let Ok(prof) = crate::monitor::profile_path(cli) {
        p.add("the calibration profile", &prof);
    }
    p
}

/// The history and the config file as the flags name them (what the
/// profile, itself an output of calibration, must not replace).
pub fn history_and_config(cli: &Cli) -> Protected {
    let mut p = Protected::new();
    if let Ok(h) = crate::history::History::resolve_path(cli.monitor.history.as_deref()) {
        p.add_history(&h);
    }
    if let Some(c) = cli
        .common
        .config
        .clone()
        .or_else(crate::config::default_config_path)
    {
        p.add("the config file", &c);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ThresholdArgs;

    #[test]
    fn defaults_apply_where_no_flag_is_given() {
        let s = PostureSettings::from_args(&PostureArgs::default()).unwrap();
        assert_eq!(s.thresholds, Thresholds::default());
        assert_eq!(s.state, StateConfig::default());
        assert_eq!(s.view, None);
        assert_eq!(pose(&CommonArgs::default()), PoseConfig::default());
    }

    #[test]
    fn flags_override_defaults() {
        let args = PostureArgs {
            thresholds: ThresholdArgs {
                forward_head_deg: Some(12.0),
                ..ThresholdArgs::default()
            },
            cooldown_minutes: Some(2.0),
            slouch_seconds: Some(45.0),
            view: Some(ViewArg::Side),
            ..PostureArgs::default()
        };
        let s = PostureSettings::from_args(&args).unwrap();
        assert_eq!(s.thresholds.forward_head_deg, 12.0);
        assert_eq!(s.state.cooldown_s, 120.0);
        assert_eq!(s.state.slouch_s, 45.0);
        assert_eq!(s.view, Some(View::Side));
    }

    #[test]
    fn an_error_names_its_flag_as_data() {
        let args = PostureArgs {
            thresholds: ThresholdArgs {
                looking_down_exit_deg: Some(20.0),
                ..ThresholdArgs::default()
            },
            ..PostureArgs::default()
        };
        let e = PostureSettings::from_args(&args).unwrap_err();
        assert_eq!(
            e.flags(),
            vec!["--looking-down-exit-deg", "--looking-down-deg"]
        );
        let args = PostureArgs {
            away_seconds: Some(-1.0),
            ..PostureArgs::default()
        };
        let e = PostureSettings::from_args(&args).unwrap_err();
        assert_eq!(e.flags(), vec!["--away-seconds"]);
    }
}
