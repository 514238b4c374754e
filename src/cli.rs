//! Command-line flags, as parsed by clap.
//!
//! This module only describes the flags; turning them into a validated
//! configuration (with the config file and `HUNCH_*` environment variables
//! layered underneath) is `config`'s job. Values that have a default are
//! `Option`s here so that the layers can tell "not given" from "given".

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::models::ModelChoice;
use crate::posture::View;
use crate::posture::thresholds::ThresholdOverrides;

/// hunch: a posture monitor that watches for forward head and rounded
/// shoulders through your webcam and coaches the stretches that fix them.
/// Everything stays on your machine.
#[derive(Debug, Parser)]
#[command(
    name = "hunch",
    version,
    args_override_self = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub monitor: MonitorArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every command understands.
#[derive(Debug, Default, Args, Clone)]
pub struct CommonArgs {
    #[arg(long, global = true, value_name = "DIR", help = crate::settings::help("Folder holding the ONNX models", "models"))]
    pub models: Option<PathBuf>,

    #[arg(long, global = true, value_name = "PATH", help = crate::settings::help("Path to the ONNX Runtime shared library (libonnxruntime.so)", "ort-lib"))]
    pub ort_lib: Option<PathBuf>,

    #[arg(long, global = true, value_enum, help = crate::settings::help("Landmark model: lite (faster) or full (MediaPipe's default)", "model"))]
    pub model: Option<ModelChoice>,

    #[arg(long, global = true, value_name = "N", help = crate::settings::help("Inference threads for ONNX Runtime", "threads"))]
    pub threads: Option<usize>,

    #[arg(long, global = true, value_name = "PATH", help = crate::settings::help("Configuration file (TOML; keys are flag names)", "config"))]
    pub config: Option<PathBuf>,

    /// Log more (-v: debug, -vv: trace); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(flatten)]
    pub posture: PostureArgs,
}

/// Which way the camera sees the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ViewArg {
    /// Detect from the landmarks.
    Auto,
    /// Camera in front (laptop webcam).
    Front,
    /// Camera at the side.
    Side,
}

impl ViewArg {
    /// The view to judge in: `None` to detect it.
    pub fn view(self) -> Option<View> {
        match self {
            ViewArg::Auto => None,
            ViewArg::Front => Some(View::Front),
            ViewArg::Side => Some(View::Side),
        }
    }
}

/// How posture is judged.
#[derive(Debug, Default, Args, Clone)]
#[command(next_help_heading = "Posture judgement")]
pub struct PostureArgs {
    #[arg(long, global = true, value_name = "PATH", help = crate::settings::help("Calibration profile to judge against (TOML)", "profile"))]
    pub profile: Option<PathBuf>,

    #[arg(long, global = true, value_enum, help = crate::settings::help("Force the camera view instead of detecting it", "view"))]
    pub view: Option<ViewArg>,

    #[arg(long, global = true, value_name = "SECONDS", help = crate::settings::help("Seconds of continuous slumping before a stretch is suggested", "slouch-seconds"))]
    pub slouch_seconds: Option<f64>,
    /// The thresholds, one flag each, made from the threshold list.
    #[command(flatten)]
    pub thresholds: ThresholdArgs,

    #[arg(long, global = true, value_name = "SECONDS", help = crate::settings::help("Time constant of the smoothing of each frame's judgement", "smoothing-seconds"))]
    pub smoothing_seconds: Option<f64>,

    #[arg(long, global = true, value_name = "SECONDS", help = crate::settings::help("Seconds a posture must hold before the state changes to it", "onset-seconds"))]
    pub onset_seconds: Option<f64>,

    #[arg(long, global = true, value_name = "MINUTES", help = crate::settings::help("Minutes after a stretch prompt before the next one", "cooldown-minutes"))]
    pub cooldown_minutes: Option<f64>,

    #[arg(long, global = true, value_name = "SECONDS", help = crate::settings::help("Seconds without a person before the state is away", "away-seconds"))]
    pub away_seconds: Option<f64>,
}

/// Makes [`ThresholdArgs`] from `posture::thresholds`' list: one flag per
/// threshold, with its default in the help.
macro_rules! threshold_args {
    ($(
        $(#[$edoc:meta])* $enter:ident, $eflag:literal, $edef:literal, $ehelp:literal;
        $(#[$xdoc:meta])* $exit:ident, $xflag:literal, $xdef:literal, $xhelp:literal;
    )*) => {
        /// The posture thresholds' flags.
        #[derive(Debug, Default, Args, Clone)]
        pub struct ThresholdArgs {
            $(
                #[arg(
                    long = $eflag,
                    global = true,
                    value_name = "DEG",
                    help = concat!($ehelp, " [default: ", stringify!($edef), "]")
                )]
                pub $enter: Option<f64>,
                #[arg(
                    long = $xflag,
                    global = true,
                    value_name = "DEG",
                    help = concat!($xhelp, " [default: ", stringify!($xdef), "]")
                )]
                pub $exit: Option<f64>,
            )*
        }

        impl ThresholdArgs {
            /// A threshold flag's default, as its help shows it.
            pub fn default_text(long: &str) -> Option<&'static str> {
                match long {
                    $( $eflag => Some(stringify!($edef)), $xflag => Some(stringify!($xdef)), )*
                    _ => None,
                }
            }

            /// The thresholds given, for the posture stage.
            pub fn overrides(&self) -> ThresholdOverrides {
                ThresholdOverrides {
                    $( $enter: self.$enter, $exit: self.$exit, )*
                }
            }
        }
    };
}
crate::posture::thresholds::threshold_list!(threshold_args);

/// Flags for the live monitor (the default command).
#[derive(Debug, Default, Args, Clone)]
#[command(next_help_heading = "Monitoring")]
pub struct MonitorArgs {
    /// Watch a video file or a folder of images instead of the camera
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    #[arg(long, value_name = "N|NAME", help = crate::settings::help("Camera to use, by index or (part of) its name, as `hunch cameras` lists them", "camera"))]
    pub camera: Option<String>,

    #[arg(long, value_name = "WxH", help = crate::settings::help("Camera resolution", "resolution"))]
    pub resolution: Option<String>,

    #[arg(long, value_name = "FPS", help = crate::settings::help("Frame rate to ask the camera for", "camera-fps"))]
    pub camera_fps: Option<u32>,

    #[arg(long, value_name = "FPS", help = crate::settings::help("Pose inference rate in frames per second (faster briefly while your posture changes or a stretch is coached, slower while away)", "fps"))]
    pub fps: Option<f64>,

    /// Play --input at its own frame rate (the default with --input)
    #[arg(long, overrides_with = "no_realtime")]
    pub realtime: bool,

    /// Process --input as fast as possible
    #[arg(long, overrides_with = "realtime")]
    pub no_realtime: bool,

    #[arg(long, value_name = "SECONDS", help = crate::settings::help("Seconds each still stands for when --input is a folder or list of images", "image-seconds"))]
    pub image_seconds: Option<f64>,

    /// Run without a window: a one-line terminal status and desktop notifications
    #[arg(long)]
    pub no_window: bool,

    /// Do not mirror the camera picture in the window
    #[arg(long)]
    pub no_mirror: bool,

    #[arg(long, value_name = "MINUTES", help = crate::settings::help("Minutes a snooze (key s) lasts", "snooze-minutes"))]
    pub snooze_minutes: Option<f64>,

    #[arg(long, value_name = "MINUTES", help = crate::settings::help("Minutes before the same stretch is offered again", "stretch-repeat-minutes"))]
    pub stretch_repeat_minutes: Option<f64>,

    #[arg(long, value_name = "MINUTES", help = crate::settings::help("Most minutes of prompted stretching in any hour", "stretch-minutes-per-hour"))]
    pub stretch_minutes_per_hour: Option<f64>,

    #[arg(long, value_name = "N", help = crate::settings::help("Offer `hunch routine` at this many stretch prompts in a day (0: never)", "routine-after"))]
    pub routine_after: Option<u32>,

    /// Command to run when slumping starts (state in HUNCH_* environment variables)
    #[arg(long, value_name = "CMD")]
    pub on_slouch: Option<String>,

    /// Command to run when posture recovers
    #[arg(long, value_name = "CMD")]
    pub on_recover: Option<String>,

    /// Command to run when a stretch is prompted
    #[arg(long, value_name = "CMD")]
    pub on_prompt: Option<String>,

    /// Run the --on-* commands through the shell (sh -c; Windows: cmd /C) instead of directly
    #[arg(long)]
    pub hook_shell: bool,

    #[arg(long, value_name = "SECONDS", help = crate::settings::help("Seconds an --on-* command may run before it (and everything it started) is stopped", "hook-timeout"))]
    pub hook_timeout: Option<f64>,

    /// Write state changes and per-second metrics as JSON lines to FILE (- for stdout)
    #[arg(long, value_name = "FILE|-")]
    pub events: Option<String>,

    #[arg(long, value_name = "PATH", help = crate::settings::help("History database", "history"))]
    pub history: Option<PathBuf>,

    /// Keep no history
    #[arg(long)]
    pub no_history: bool,

    #[arg(long, conflicts_with_all = ["no_window", "tray_only"], help = crate::settings::help("Start in the compact always-on-top overlay (320x180) instead of the full window; key k switches while running", "compact"))]
    pub compact: bool,

    /// Start with no window, only the tray icon (its menu shows the window); prompts come as notifications
    #[arg(long, conflicts_with_all = ["no_window", "no_tray"])]
    pub tray_only: bool,

    /// No tray icon (closing the window then quits)
    #[arg(long)]
    pub no_tray: bool,

    /// Keep watching while the screen is locked (by default the camera is released and the session paused until unlock)
    #[arg(long)]
    pub no_lock_pause: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find poses (and judge posture) in images, folders of images or videos
    Analyze(AnalyzeArgs),
    /// Record your upright baseline from the camera or from --input images
    Calibrate(CalibrateArgs),
    /// List the cameras hunch can use
    Cameras,
    /// Print the effective configuration and where each value came from
    Config,
    /// List the stretches hunch can suggest
    Stretches,
    /// Start a guided stretch now
    Stretch(StretchArgs),
    /// Run the whole upper-back routine now, in the articles' order
    Routine(RoutineArgs),
    /// Summarise your posture history
    Report(ReportArgs),
    /// Manage the posture history
    History(HistoryCmd),
    /// Measure speed, CPU and memory
    Bench(BenchArgs),
    /// Start hunch at login (an XDG autostart entry), or stop doing so
    Autostart(AutostartArgs),
}

/// `hunch autostart`.
#[derive(Debug, Args)]
pub struct AutostartArgs {
    /// enable: write the autostart entry (and a menu entry and icon); disable: remove it; status: show it
    #[arg(value_enum)]
    pub action: AutostartAction,

    /// Start in the compact overlay
    #[arg(long, conflicts_with = "tray_only")]
    pub compact: bool,

    /// Start with only the tray icon
    #[arg(long)]
    pub tray_only: bool,
}

/// What `hunch autostart` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AutostartAction {
    Enable,
    Disable,
    Status,
}

/// `hunch analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Write one JSON object per frame per line to stdout
    #[arg(long)]
    pub json: bool,

    /// Also write what the window would show for each frame, as PNG, into DIR
    #[arg(long, value_name = "DIR")]
    pub render: Option<PathBuf>,

    /// Image files, folders of images, or video files
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// `hunch calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Calibrate from these images (or a video) instead of the camera
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub input: Vec<PathBuf>,

    #[arg(long, value_name = "SECONDS", help = crate::settings::with_default("Seconds of camera frames to record", crate::settings::DEFAULT_CALIBRATE_SECONDS))]
    pub seconds: Option<f64>,
}

/// `hunch stretch`.
#[derive(Debug, Args)]
pub struct StretchArgs {
    /// Stretch id, as listed by `hunch stretches`
    pub id: String,

    /// Follow the stretch in a video file instead of the camera
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Run without a window
    #[arg(long)]
    pub no_window: bool,
}

/// `hunch routine`.
#[derive(Debug, Args)]
pub struct RoutineArgs {
    #[arg(long, value_name = "N", help = crate::settings::with_default("Fit the routine into about this many minutes (stretches are left out, the order kept)", "all of it"))]
    pub minutes: Option<f64>,

    /// Leave out the floor stretches (cat-cow, child's pose)
    #[arg(long)]
    pub no_floor: bool,

    /// What you have: ball, peanut, roller (self-massage against a wall), doorway
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub equipment: Vec<String>,

    /// Follow the routine in a video file (or folder of images) instead of the camera
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Run without a window
    #[arg(long)]
    pub no_window: bool,
}

/// `hunch report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report from this date on (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", conflicts_with = "days")]
    pub since: Option<String>,

    #[arg(long, value_name = "N", help = crate::settings::with_default("Report on the last N days", crate::report::DEFAULT_DAYS))]
    pub days: Option<u32>,

    /// Draw a chart to this PNG file
    #[arg(long, value_name = "PATH")]
    pub png: Option<PathBuf>,

    /// Export the samples as CSV to this file
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,

    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,

    #[arg(long, value_name = "PATH", help = crate::settings::help("History database", "history"))]
    pub history: Option<PathBuf>,
}

/// `hunch history`.
#[derive(Debug, Args)]
pub struct HistoryCmd {
    #[command(subcommand)]
    pub action: HistoryAction,

    #[arg(long, value_name = "PATH", global = true, help = crate::settings::help("History database", "history"))]
    pub history: Option<PathBuf>,
}

/// What to do with the history.
#[derive(Debug, Subcommand)]
pub enum HistoryAction {
    /// Delete everything recorded before DATE (YYYY-MM-DD)
    Prune {
        #[arg(long, value_name = "DATE")]
        before: String,

        /// Delete even when that removes every session, or part of the one being recorded now (without it, such a prune only shows what would go)
        #[arg(long)]
        yes: bool,
    },
}

/// `hunch bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to measure
    #[arg(value_enum, default_value = "pipeline")]
    pub what: BenchWhat,

    /// Video or images to measure on
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Seconds to run for (cpu benchmark)
    #[arg(long, value_name = "SECONDS", default_value = "60")]
    pub seconds: f64,
}

/// Benchmarks `hunch bench` can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BenchWhat {
    /// Per-frame pose pipeline time, video and still mode
    Pipeline,
    /// CPU and memory of the whole monitor on a real-time replay
    Cpu,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn unknown_flag_is_a_usage_error() {
        let e = Cli::try_parse_from(["hunch", "--no-such-flag"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn analyze_takes_inputs_and_global_flags_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "hunch", "analyze", "--json", "--model", "lite", "a.jpg", "dir",
        ])
        .unwrap();
        assert_eq!(cli.common.model, Some(ModelChoice::Lite));
        match cli.command {
            Some(Command::Analyze(a)) => {
                assert!(a.json);
                assert_eq!(a.inputs, vec![PathBuf::from("a.jpg"), PathBuf::from("dir")]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn analyze_needs_an_input() {
        assert!(Cli::try_parse_from(["hunch", "analyze"]).is_err());
    }

    #[test]
    fn desktop_flags_parse_and_exclude_each_other() {
        let cli = Cli::try_parse_from(["hunch", "--compact", "--no-lock-pause"]).unwrap();
        assert!(cli.monitor.compact && cli.monitor.no_lock_pause);
        assert!(!cli.monitor.tray_only && !cli.monitor.no_tray);
        let cli = Cli::try_parse_from(["hunch", "--tray-only"]).unwrap();
        assert!(cli.monitor.tray_only);
        assert!(
            Cli::try_parse_from(["hunch", "--no-tray"])
                .unwrap()
                .monitor
                .no_tray
        );
        assert!(Cli::try_parse_from(["hunch", "--compact", "--no-window"]).is_err());
        assert!(Cli::try_parse_from(["hunch", "--compact", "--tray-only"]).is_err());
        assert!(Cli::try_parse_from(["hunch", "--tray-only", "--no-tray"]).is_err());
    }

    #[test]
    fn autostart_takes_an_action_and_a_mode() {
        let cli = Cli::try_parse_from(["hunch", "autostart", "enable", "--compact"]).unwrap();
        match cli.command {
            Some(Command::Autostart(a)) => {
                assert_eq!(a.action, AutostartAction::Enable);
                assert!(a.compact && !a.tray_only);
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["hunch", "autostart"]).is_err());
        assert!(Cli::try_parse_from(["hunch", "autostart", "on"]).is_err());
    }

    #[test]
    fn later_flag_wins() {
        let cli = Cli::try_parse_from(["hunch", "--fps", "2", "--fps", "3"]).unwrap();
        assert_eq!(cli.monitor.fps, Some(3.0));
    }
}
