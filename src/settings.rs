//! Typed settings, built once from the flags (with the config file and the
//! `HUNCH_*` environment already layered under them by [`crate::config`]).
//!
//! This is the one place where `cli` types become each stage's settings:
//! parse, don't validate. [`Settings::build`] checks every value while it
//! turns it into its typed form (a resolution, a camera selector, the
//! thresholds, the timings) and reports every problem at once, naming the
//! flag; nothing downstream parses or checks a flag again. The commands take
//! a [`Settings`] (and their own part: [`AnalyzeSettings`],
//! [`Calibration`], [`RoutineSettings`], [`CpuBenchSettings`]), the stages
//! a [`PoseConfig`], [`PostureSettings`] or [`MonitorSettings`]; none of
//! them imports `cli`, clap or `config`.
//!
//! Every flag's default is written once: as a constant of the stage that
//! uses it (or here), and [`default_text`] turns it into the words the
//! flag's help and `hunch config` show.

use std::path::PathBuf;

use crate::capture::{CameraSelector, Resolution, SourceConfig};
use crate::cli::{
    AnalyzeArgs, BenchArgs, CalibrateArgs, Cli, CommonArgs, MonitorArgs, PostureArgs, RoutineArgs,
    ViewArg,
};
use crate::hooks::{HookCommand, HookConfig};
use crate::output::Protected;
use crate::pose::PoseConfig;
use crate::posture::thresholds::StateOverrides;
use crate::posture::{PostureError, StateConfig, Thresholds, View};
use crate::routine::{Gear, RoutineError};
use crate::schedule::{self, RatePolicy};

/// Everything a run needs, defaults applied and validated.
#[derive(Clone, Debug)]
pub struct Settings {
    pub pose: PoseConfig,
    pub posture: PostureSettings,
    pub monitor: MonitorSettings,
    /// The config file consulted (`--config`, `$HUNCH_CONFIG` or the
    /// default one), found or not: hunch never writes over it.
    pub config_file: Option<PathBuf>,
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
    /// The calibration profile's path: `--profile`, else the default one.
    pub fn profile_path(&self) -> Result<PathBuf, PostureError> {
        match &self.profile {
            Some(p) => Ok(p.clone()),
            None => crate::posture::default_profile_path(),
        }
    }
}

/// Typed settings for the live monitor, defaults applied.
#[derive(Clone, Debug)]
pub struct MonitorSettings {
    pub source: SourceConfig,
    /// Base inference rate.
    pub rate: RatePolicy,
    pub no_window: bool,
    pub mirror: bool,
    pub snooze_minutes: f64,
    /// How often stretches may be prompted.
    pub stretch_limits: schedule::StretchLimits,
    /// `--routine-after`: offer the routine at this many prompts a day.
    pub routine_after: u32,
    pub hooks: HookConfig,
    /// `--events` target (`-` for stdout).
    pub events: Option<String>,
    /// Desktop notifications (headless runs).
    pub notifications: bool,
    /// `--history PATH` (None: the default place).
    pub history: Option<PathBuf>,
    /// `--no-history`.
    pub no_history: bool,
    /// The tray, the screen lock and the window's modes (`--compact`,
    /// `--tray-only`, `--no-tray`, `--no-lock-pause`).
    pub desktop: DesktopSettings,
}

/// How hunch lives beside the user's work (the monitor only; `hunch
/// stretch` and the other commands open a plain window).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DesktopSettings {
    /// `--compact`: start in the compact overlay.
    pub compact: bool,
    /// `--tray-only`: start with the window hidden (the tray shows it).
    pub tray_only: bool,
    /// Show the tray icon (not `--no-tray`).
    pub tray: bool,
    /// Pause while the screen is locked (not `--no-lock-pause`).
    pub lock_pause: bool,
}

/// Default `--snooze-minutes`.
pub const DEFAULT_SNOOZE_MINUTES: f64 = 30.0;
/// Default `hunch calibrate --seconds`.
pub const DEFAULT_CALIBRATE_SECONDS: f64 = 5.0;

/// The default of each top-level or global flag that has one (the flags
/// `hunch config` lists), by long name, in the words its help
/// (`[default: ...]`) and `hunch config` show; `None` for a flag without a
/// default. Read from the constants the settings apply, so a
/// default is written once.
pub fn default_text(long: &str) -> Option<String> {
    let state = StateConfig::default();
    let source = SourceConfig::default();
    let num = |v: f64| v.to_string();
    Some(match long {
        "models" => "$HUNCH_MODELS, beside the program, the source tree's models/, your data dir"
            .to_string(),
        "ort-lib" => "$ORT_DYLIB_PATH, beside the program, then where scripts/setup.sh installs it"
            .to_string(),
        "model" => PoseConfig::default().model.name().to_string(),
        "threads" => PoseConfig::default().threads.to_string(),
        "config" => "hunch/config.toml in your config dir".to_string(),
        "profile" => "hunch/profile.toml in your config dir".to_string(),
        "view" => "auto".to_string(),
        "slouch-seconds" => num(state.slouch_s),
        "smoothing-seconds" => num(state.smoothing_s),
        "onset-seconds" => num(state.onset_s),
        "cooldown-minutes" => num(state.cooldown_s / 60.0),
        "away-seconds" => num(state.away_s),
        "camera" => "the first that works".to_string(),
        "resolution" => source.resolution.to_string(),
        "camera-fps" => source.camera_fps.to_string(),
        "fps" => num(schedule::DEFAULT_FPS),
        "image-seconds" => num(source.image_seconds),
        "snooze-minutes" => num(DEFAULT_SNOOZE_MINUTES),
        "stretch-repeat-minutes" => num(schedule::DEFAULT_STRETCH_REPEAT_MINUTES),
        "stretch-minutes-per-hour" => num(schedule::DEFAULT_STRETCH_MINUTES_PER_HOUR),
        "routine-after" => crate::routine::DEFAULT_ROUTINE_AFTER.to_string(),
        "hook-timeout" => num(crate::hooks::DEFAULT_TIMEOUT_S),
        "history" => "hunch/history.sqlite3 in your data dir".to_string(),
        "compact" => "the mode hunch was last in".to_string(),
        other => return crate::cli::ThresholdArgs::default_text(other).map(str::to_string),
    })
}

/// A top-level or global flag's help: `text` and, when the flag has one,
/// its default from [`default_text`].
pub fn help(text: &str, long: &str) -> String {
    match default_text(long) {
        Some(d) => with_default(text, d),
        None => text.to_string(),
    }
}

/// A flag's help with its default (a subcommand's flag names its constant).
pub fn with_default(text: &str, default: impl std::fmt::Display) -> String {
    format!("{text} [default: {default}]")
}

/// Where a flag's value came from, for the messages: `None` when it is the
/// default, else words like `flag` or `env HUNCH_FPS`.
pub type Origin<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The problems found while the flags become settings, each naming its
/// flag and (through `origin`) where its value came from.
struct Check<'a> {
    errors: Vec<String>,
    origin: Origin<'a>,
}

impl Check<'_> {
    /// `, from SOURCE` for a flag whose value is not the default.
    fn from(&self, long: &str) -> String {
        (self.origin)(long)
            .map(|s| format!(", from {s}"))
            .unwrap_or_default()
    }

    /// `v` when it is above 0 and at most `max`; else the problem is noted
    /// and `default` stands in.
    fn positive(&mut self, long: &str, v: Option<f64>, max: f64, default: f64) -> f64 {
        match v {
            Some(v) if !(v.is_finite() && v > 0.0 && v <= max) => {
                let from = self.from(long);
                self.errors.push(format!(
                    "--{long} must be above 0 and at most {max} (got {v}{from})"
                ));
                default
            }
            Some(v) => v,
            None => default,
        }
    }

    /// `v` when `ok`; else `problem` (which the value's source is added
    /// to) is noted and `default` stands in.
    fn within<T: Copy>(
        &mut self,
        long: &str,
        v: Option<T>,
        ok: impl Fn(T) -> bool,
        problem: impl Fn(T, String) -> String,
        default: T,
    ) -> T {
        match v {
            Some(v) if !ok(v) => {
                let from = self.from(long);
                self.errors.push(problem(v, from));
                default
            }
            Some(v) => v,
            None => default,
        }
    }

    /// An `--on-*` command, parsed (with `--hook-shell` applied).
    fn hook(
        &mut self,
        long: &str,
        flag: &'static str,
        cmd: &Option<String>,
        shell: bool,
    ) -> Option<HookCommand> {
        match HookCommand::parse(flag, cmd.as_deref()?, shell) {
            Ok(command) => Some(command),
            Err(e) => {
                let from = self.from(long);
                self.errors.push(format!("{e}{from}"));
                None
            }
        }
    }

    /// A posture stage's error: it names its flags, to which the sources
    /// are added here.
    fn posture(&mut self, e: PostureError) {
        let msg = e.to_string();
        let origins: Vec<String> = e
            .flags()
            .into_iter()
            .map(|flag| flag.trim_start_matches("--"))
            .filter_map(|long| (self.origin)(long).map(|s| format!("--{long} from {s}")))
            .collect();
        if origins.is_empty() {
            self.errors.push(msg);
        } else {
            self.errors.push(format!("{msg} ({})", origins.join(", ")));
        }
    }
}

impl Settings {
    /// The settings the flags ask for, every value checked as it is turned
    /// into its typed form; all problems at once, each naming its flag and
    /// (through `origin`) where its value came from.
    pub fn build(
        cli: &Cli,
        config_file: Option<PathBuf>,
        origin: Origin<'_>,
    ) -> Result<Settings, Vec<String>> {
        let mut check = Check {
            errors: Vec::new(),
            origin,
        };
        let monitor = monitor_settings(&mut check, &cli.monitor);
        let pose = pose_settings(&mut check, &cli.common);
        let posture = posture_settings(&mut check, &cli.common.posture);
        match posture {
            Some(posture) if check.errors.is_empty() => Ok(Settings {
                pose,
                posture,
                monitor,
                config_file,
            }),
            _ => Err(check.errors),
        }
    }

    /// [`Settings::build`] for flags not layered by `config` (tests): the
    /// config file is `--config` or the default one, and messages name no
    /// sources.
    pub fn from_cli(cli: &Cli) -> Result<Settings, Vec<String>> {
        let file = cli
            .common
            .config
            .clone()
            .or_else(crate::config::default_config_path);
        Settings::build(cli, file, &|_| None)
    }

    /// The settings of a command that watches its own `--input` and
    /// `--no-window` (`hunch stretch`, `hunch routine`).
    pub fn watching(mut self, input: Option<&PathBuf>, no_window: bool) -> Settings {
        if let Some(input) = input {
            self.monitor.source.input = Some(input.clone());
        }
        self.monitor.no_window = no_window || self.monitor.no_window;
        self
    }

    /// Protects hunch's own files: the history (unless `--no-history`), the
    /// calibration profile and the config file.
    pub fn own_files(&self) -> Protected {
        let mut p = self.history_and_config();
        if let Ok(prof) = self.posture.profile_path() {
            p.add("the calibration profile", &prof);
        }
        p
    }

    /// The history and the config file (what the profile, itself an output
    /// of calibration, must not replace).
    pub fn history_and_config(&self) -> Protected {
        let mut p = Protected::new();
        if let Ok(h) = crate::history::History::resolve_path(self.monitor.history.as_deref()) {
            p.add_history(&h);
        }
        if let Some(c) = &self.config_file {
            p.add("the config file", c);
        }
        p
    }
}

impl From<crate::cli::AutostartAction> for crate::desktop::autostart::Action {
    fn from(a: crate::cli::AutostartAction) -> Self {
        use crate::cli::AutostartAction as A;
        match a {
            A::Enable => Self::Enable,
            A::Disable => Self::Disable,
            A::Status => Self::Status,
        }
    }
}

/// A command's own flags that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("--seconds must be above 0 (got {0})")]
    CalibrateSeconds(f64),
    #[error("--seconds must be at least 5 for a CPU measurement")]
    BenchSeconds(f64),
    #[error(transparent)]
    Routine(#[from] RoutineError),
}

/// `hunch analyze`'s own flags.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalyzeSettings {
    /// `--json`: one JSON object per frame per line.
    pub json: bool,
    /// `--render DIR`: also draw each frame as the window would.
    pub render: Option<PathBuf>,
    /// The images, folders and videos to analyse.
    pub inputs: Vec<PathBuf>,
}

impl From<&AnalyzeArgs> for AnalyzeSettings {
    fn from(a: &AnalyzeArgs) -> Self {
        AnalyzeSettings {
            json: a.json,
            render: a.render.clone(),
            inputs: a.inputs.clone(),
        }
    }
}

/// What `hunch calibrate` calibrates from.
#[derive(Clone, Debug, PartialEq)]
pub enum Calibration {
    /// `--input`: photos, folders of photos or videos.
    Inputs(Vec<PathBuf>),
    /// The camera, for this many seconds (`--seconds`).
    Camera { seconds: f64 },
}

impl Calibration {
    /// `hunch calibrate`'s flags, checked.
    pub fn from_args(a: &CalibrateArgs) -> Result<Calibration, SettingsError> {
        if !a.input.is_empty() {
            return Ok(Calibration::Inputs(a.input.clone()));
        }
        let seconds = a.seconds.unwrap_or(DEFAULT_CALIBRATE_SECONDS);
        if !(seconds.is_finite() && seconds > 0.0) {
            return Err(SettingsError::CalibrateSeconds(seconds));
        }
        Ok(Calibration::Camera { seconds })
    }

    /// The inputs (none for the camera).
    pub fn inputs(&self) -> &[PathBuf] {
        match self {
            Calibration::Inputs(i) => i,
            Calibration::Camera { .. } => &[],
        }
    }
}

/// `hunch routine`'s own flags (its `--input` and `--no-window` go into the
/// monitor settings through [`Settings::watching`]).
#[derive(Clone, Debug, PartialEq)]
pub struct RoutineSettings {
    /// `--minutes`: fit the routine into about this long.
    pub minutes: Option<f64>,
    /// Floor stretches in (not `--no-floor`).
    pub floor: bool,
    /// `--equipment`.
    pub gear: Gear,
}

impl RoutineSettings {
    /// `hunch routine`'s flags, checked.
    pub fn from_args(a: &RoutineArgs) -> Result<RoutineSettings, SettingsError> {
        Ok(RoutineSettings {
            minutes: a.minutes,
            floor: !a.no_floor,
            gear: Gear::parse(&a.equipment)?,
        })
    }
}

/// `hunch bench cpu`'s own flags.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuBenchSettings {
    /// `--input`: the video to replay (None: made from the test data).
    pub input: Option<PathBuf>,
    /// `--seconds` to measure for, at least 5.
    pub seconds: f64,
}

impl CpuBenchSettings {
    /// `hunch bench cpu`'s flags, checked.
    pub fn from_args(a: &BenchArgs) -> Result<CpuBenchSettings, SettingsError> {
        if !(a.seconds.is_finite() && a.seconds >= 5.0) {
            return Err(SettingsError::BenchSeconds(a.seconds));
        }
        Ok(CpuBenchSettings {
            input: a.input.clone(),
            seconds: a.seconds,
        })
    }
}

/// The pose stage's settings (`--model`, `--threads`, where the models and
/// ONNX Runtime are).
fn pose_settings(check: &mut Check, common: &CommonArgs) -> PoseConfig {
    let defaults = PoseConfig::default();
    let threads = check.within(
        "threads",
        common.threads,
        |t| (1..=256).contains(&t),
        |t, from| format!("--threads must be from 1 to 256 (got {t}{from})"),
        defaults.threads,
    );
    PoseConfig {
        model: common.model.unwrap_or(defaults.model),
        threads,
        models_dir: common.models.clone(),
        ort_lib: common.ort_lib.clone(),
    }
}

/// The posture stage's settings; `None` when a threshold or timing is
/// refused (the posture stage checks its enter/exit pairs itself).
fn posture_settings(check: &mut Check, p: &PostureArgs) -> Option<PostureSettings> {
    let thresholds = Thresholds::with_overrides(&p.thresholds.overrides())
        .map_err(|e| check.posture(e))
        .ok();
    let state = StateConfig::with_overrides(&StateOverrides {
        smoothing_s: p.smoothing_seconds,
        onset_s: p.onset_seconds,
        slouch_s: p.slouch_seconds,
        cooldown_s: p.cooldown_minutes.map(|m| m * 60.0),
        away_s: p.away_seconds,
    })
    .map_err(|e| check.posture(e))
    .ok();
    Some(PostureSettings {
        thresholds: thresholds?,
        state: state?,
        view: p.view.and_then(ViewArg::view),
        profile: p.profile.clone(),
    })
}

/// The live monitor's settings: frame source, pacing, prompts, hooks,
/// outputs and the desktop.
fn monitor_settings(check: &mut Check, m: &MonitorArgs) -> MonitorSettings {
    let fps = check.within(
        "fps",
        m.fps,
        |v: f64| v.is_finite() && (schedule::MIN_FPS..=schedule::MAX_FPS).contains(&v),
        |v, from| {
            format!(
                "--fps must be from {} to {} inferences a second (got {v}{from})",
                schedule::MIN_FPS,
                schedule::MAX_FPS
            )
        },
        schedule::DEFAULT_FPS,
    );
    let snooze_minutes = check.positive(
        "snooze-minutes",
        m.snooze_minutes,
        24.0 * 60.0,
        DEFAULT_SNOOZE_MINUTES,
    );
    let repeat_minutes = check.positive(
        "stretch-repeat-minutes",
        m.stretch_repeat_minutes,
        schedule::MAX_REPEAT_S / 60.0,
        schedule::DEFAULT_STRETCH_REPEAT_MINUTES,
    );
    let per_hour_minutes = check.positive(
        "stretch-minutes-per-hour",
        m.stretch_minutes_per_hour,
        60.0,
        schedule::DEFAULT_STRETCH_MINUTES_PER_HOUR,
    );
    let source_defaults = SourceConfig::default();
    let image_seconds = check.positive(
        "image-seconds",
        m.image_seconds,
        3600.0,
        source_defaults.image_seconds,
    );
    let hook_timeout = check.positive(
        "hook-timeout",
        m.hook_timeout,
        24.0 * 3600.0,
        crate::hooks::DEFAULT_TIMEOUT_S,
    );
    let camera_fps = check.within(
        "camera-fps",
        m.camera_fps,
        |fps| (1..=240).contains(&fps),
        |fps, from| format!("--camera-fps must be from 1 to 240 (got {fps}{from})"),
        source_defaults.camera_fps,
    );
    let resolution = match m.resolution.as_deref().map(|r| (r, Resolution::parse(r))) {
        Some((r, None)) => {
            let from = check.from("resolution");
            check.errors.push(format!(
                "--resolution must be WIDTHxHEIGHT, e.g. 640x480, each 16 to 8192 (got \"{r}\"{from})"
            ));
            source_defaults.resolution
        }
        Some((_, Some(r))) => r,
        None => source_defaults.resolution,
    };
    let camera = match m.camera.as_deref() {
        Some(c) if c.trim().is_empty() => {
            let from = check.from("camera");
            check.errors.push(format!(
                "--camera must be an index or part of a name (got an empty value{from})"
            ));
            None
        }
        c => c.map(CameraSelector::parse),
    };
    if let Some(e) = &m.events
        && e.trim().is_empty()
    {
        let from = check.from("events");
        check.errors.push(format!(
            "--events must be a file or - for standard output{from}"
        ));
    }
    let on_slouch = check.hook("on-slouch", "--on-slouch", &m.on_slouch, m.hook_shell);
    let on_recover = check.hook("on-recover", "--on-recover", &m.on_recover, m.hook_shell);
    let on_prompt = check.hook("on-prompt", "--on-prompt", &m.on_prompt, m.hook_shell);
    if m.history.is_some() && m.no_history {
        let (history, no_history) = (check.from("history"), check.from("no-history"));
        check.errors.push(format!(
            "--history and --no-history contradict each other (--history{history}, --no-history{no_history}); drop one"
        ));
    }
    let rate = RatePolicy::with_base(fps);
    MonitorSettings {
        source: SourceConfig {
            input: m.input.clone(),
            camera,
            resolution,
            camera_fps,
            realtime: !m.no_realtime,
            image_seconds,
            // ffmpeg never needs to deliver more than the fastest rate.
            max_fps: Some(rate.fast_fps),
        },
        rate,
        no_window: m.no_window,
        mirror: !m.no_mirror,
        snooze_minutes,
        stretch_limits: schedule::StretchLimits {
            repeat_s: 60.0 * repeat_minutes,
            per_hour_s: 60.0 * per_hour_minutes,
        },
        routine_after: m
            .routine_after
            .unwrap_or(crate::routine::DEFAULT_ROUTINE_AFTER),
        hooks: HookConfig {
            on_slouch,
            on_recover,
            on_prompt,
            timeout_s: Some(hook_timeout),
        },
        events: m.events.clone(),
        // No window to show prompts in: notifications carry them.
        notifications: m.no_window || m.tray_only,
        history: m.history.clone(),
        no_history: m.no_history,
        desktop: DesktopSettings {
            compact: m.compact,
            tray_only: m.tray_only,
            tray: !m.no_tray,
            lock_pause: !m.no_lock_pause,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    fn build(args: &[&str]) -> Result<Settings, Vec<String>> {
        let mut argv = vec!["hunch"];
        argv.extend(args);
        Settings::from_cli(&Cli::try_parse_from(argv).unwrap())
    }

    #[test]
    fn defaults_apply_where_no_flag_is_given() {
        let s = build(&[]).unwrap();
        assert_eq!(s.posture.thresholds, Thresholds::default());
        assert_eq!(s.posture.state, StateConfig::default());
        assert_eq!(s.posture.view, None);
        assert_eq!(s.pose, PoseConfig::default());
        assert_eq!(s.monitor.rate.base_fps, schedule::DEFAULT_FPS);
        assert_eq!(s.monitor.source.resolution, Resolution::default());
        assert_eq!(s.monitor.source.camera, None);
        assert_eq!(s.monitor.snooze_minutes, DEFAULT_SNOOZE_MINUTES);
        assert_eq!(s.monitor.hooks.timeout(), HookConfig::default().timeout());
        assert!(!s.monitor.notifications);
    }

    #[test]
    fn hook_commands_are_parsed_once_here() {
        let s = build(&[
            "--on-slouch",
            "notify-send 'sit up'",
            "--on-prompt",
            "a && b",
        ])
        .unwrap();
        let slouch = s.monitor.hooks.on_slouch.unwrap();
        assert_eq!(
            (slouch.program.as_str(), slouch.args.as_slice()),
            ("notify-send", &["sit up".to_string()][..])
        );
        // Without --hook-shell, shell syntax is only words.
        assert_eq!(s.monitor.hooks.on_prompt.unwrap().args, ["&&", "b"]);
        assert_eq!(s.monitor.hooks.on_recover, None);
        let shelled = build(&["--hook-shell", "--on-recover", "a && b"]).unwrap();
        assert!(
            shelled
                .monitor
                .hooks
                .on_recover
                .unwrap()
                .args
                .contains(&"a && b".to_string())
        );
        let e = build(&[
            "--on-slouch",
            "ok",
            "--on-recover",
            "\"",
            "--on-prompt",
            " ",
        ])
        .unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("--on-recover"), "{e:?}");
        assert!(e[1].starts_with("--on-prompt"), "{e:?}");
    }

    #[test]
    fn flags_override_defaults() {
        let s = build(&[
            "--forward-head-deg",
            "12",
            "--cooldown-minutes",
            "2",
            "--slouch-seconds",
            "45",
            "--view",
            "side",
            "--input",
            "x.mp4",
            "--no-realtime",
            "--camera",
            "2",
            "--no-window",
            "--fps",
            "3",
            "--resolution",
            "320x240",
        ])
        .unwrap();
        assert_eq!(s.posture.thresholds.forward_head_deg, 12.0);
        assert_eq!(s.posture.state.cooldown_s, 120.0);
        assert_eq!(s.posture.state.slouch_s, 45.0);
        assert_eq!(s.posture.view, Some(View::Side));
        assert!(!s.monitor.source.realtime);
        assert_eq!(s.monitor.source.camera, Some(CameraSelector::Index(2)));
        assert_eq!(
            s.monitor.source.resolution,
            Resolution::parse("320x240").unwrap()
        );
        assert!(s.monitor.notifications && s.monitor.no_window);
        assert_eq!(s.monitor.rate.base_fps, 3.0);
        assert_eq!(s.monitor.source.max_fps, Some(s.monitor.rate.fast_fps));
        let s = build(&["--input", "x.mp4"]).unwrap();
        assert!(
            s.monitor.source.realtime,
            "realtime is the default with --input"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_naming_its_flag() {
        let errors = build(&[
            "--fps",
            "0",
            "--camera-fps",
            "0",
            "--resolution",
            "big",
            "--looking-down-exit-deg",
            "20",
            "--away-seconds=-1",
        ])
        .unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(
            errors[0].starts_with("--fps must be from 0.1 to 30"),
            "{errors:?}"
        );
        assert!(errors[3].contains("--looking-down-exit-deg"), "{errors:?}");
        assert!(errors[4].contains("--away-seconds"), "{errors:?}");
        let e = build(&["--threads", "0"]).unwrap_err();
        assert_eq!(e, vec!["--threads must be from 1 to 256 (got 0)"]);
    }

    #[test]
    fn commands_own_flags_are_checked_once() {
        let cli = Cli::try_parse_from(["hunch", "calibrate", "--seconds", "0"]).unwrap();
        let Some(crate::cli::Command::Calibrate(a)) = &cli.command else {
            panic!("{cli:?}")
        };
        let e = Calibration::from_args(a).unwrap_err();
        assert_eq!(e.to_string(), "--seconds must be above 0 (got 0)");
        let cli = Cli::try_parse_from(["hunch", "calibrate"]).unwrap();
        let Some(crate::cli::Command::Calibrate(a)) = &cli.command else {
            panic!("{cli:?}")
        };
        assert_eq!(
            Calibration::from_args(a).unwrap(),
            Calibration::Camera {
                seconds: DEFAULT_CALIBRATE_SECONDS
            }
        );
        let cli = Cli::try_parse_from(["hunch", "routine", "--equipment", "ball,sofa"]).unwrap();
        let Some(crate::cli::Command::Routine(a)) = &cli.command else {
            panic!("{cli:?}")
        };
        assert!(RoutineSettings::from_args(a).is_err());
    }

    /// Every flag's help shows the default [`default_text`] gives it (and
    /// the flags without one show none), so help, `hunch config` and the
    /// constants cannot drift apart.
    #[test]
    fn help_defaults_come_from_the_one_table() {
        let mut seen = 0;
        let cmd = Cli::command();
        {
            for a in cmd.get_arguments() {
                let (Some(long), Some(h)) = (a.get_long(), a.get_help()) else {
                    continue;
                };
                let h = h.to_string();
                match default_text(long) {
                    Some(d) if !a.get_default_values().is_empty() => {
                        panic!("--{long} has a clap default and a table default {d}")
                    }
                    Some(d) => {
                        assert!(h.ends_with(&format!(" [default: {d}]")), "--{long}: {h}");
                        seen += 1;
                    }
                    None => assert!(!h.contains("[default: "), "--{long}: {h}"),
                }
            }
        }
        assert!(seen >= 30, "{seen}");
    }
}
