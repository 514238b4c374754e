//! Runs each command: the glue between the flags and the pipeline stages.
//! The flags arrive already turned into [`Settings`] (by `config`, once);
//! here each command's own flags become its settings, and the commands
//! take only those.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{BenchArgs, BenchWhat, Command, HistoryAction, HistoryCmd, ReportArgs};
use crate::config::Layered;
use crate::history::History;
use crate::output::Target;
use crate::report;
use crate::settings::{AnalyzeSettings, Calibration, CpuBenchSettings, RoutineSettings, Settings};
use crate::{analyze, capture, config, cpubench};

/// Sets up logging to stderr: warnings by default, more with `-v`; `RUST_LOG` wins.
/// Colours only when stderr is a terminal (never in a log file or a pipe).
pub fn init_logging(verbose: u8) {
    use std::io::IsTerminal;
    let default = match verbose {
        0 => "warn",
        1 => "hunch=debug,warn",
        _ => "hunch=trace,info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// The one line `hunch: ...` shows for an error: the message, then the
/// causes in its chain up to the first one the text already quotes. Most of
/// hunch's messages quote their cause (which then stands for the rest of
/// the chain below it); printing the chain as well would say it two or three
/// times. A bare context (`anyhow::Context`) still gets its cause added.
pub fn error_line(err: &anyhow::Error) -> String {
    let mut line = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if line.contains(&text) {
            break;
        }
        line.push_str(": ");
        line.push_str(&text);
    }
    line
}

/// Runs the command the flags ask for, with the settings made from them.
pub fn run(layered: &Layered) -> anyhow::Result<ExitCode> {
    let settings = &layered.settings;
    match &layered.cli.command {
        None => crate::monitor::run(settings.clone()),
        Some(Command::Cameras) => cameras(),
        Some(Command::Autostart(args)) => crate::desktop::autostart::run(
            args.action.into(),
            crate::desktop::autostart::StartMode::new(args.compact, args.tray_only),
        ),
        Some(Command::Config) => show_config(layered),
        Some(Command::Bench(b)) if b.what == BenchWhat::Cpu => {
            cpubench::run(settings, &CpuBenchSettings::from_args(b)?)
        }
        Some(Command::Stretches) => list_stretches(),
        Some(Command::Report(args)) => report(args, settings),
        Some(Command::History(cmd)) => history(cmd, settings.monitor.history.as_deref()),
        Some(Command::Stretch(args)) => {
            let stretch = crate::stretches::find(&args.id)?;
            let live = settings
                .clone()
                .watching(args.input.as_ref(), args.no_window);
            crate::monitor::run_stretch(live, stretch)
        }
        Some(Command::Routine(args)) => {
            let routine = RoutineSettings::from_args(args)?;
            let live = settings
                .clone()
                .watching(args.input.as_ref(), args.no_window);
            crate::routine::run(live, &routine)
        }
        Some(Command::Calibrate(args)) => {
            crate::calibrate::run(settings, &Calibration::from_args(args)?)
        }
        Some(Command::Bench(b)) => bench_pipeline(settings, b),
        Some(Command::Analyze(args)) => analyze::run(settings, &AnalyzeSettings::from(args)),
    }
}

/// `hunch stretches`: prints the stretch library (needs no models or camera).
fn list_stretches() -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let table = crate::stretches::format_table(crate::stretches::library()?);
    match std::io::stdout().lock().write_all(table.as_bytes()) {
        // A closed pipe (`hunch stretches | head`) is not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("could not write the stretch list to stdout")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// `hunch cameras`: every camera with its index, name and formats.
fn cameras() -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    capture::print_cameras(&mut out)?;
    Ok(ExitCode::SUCCESS)
}

/// `hunch config`: the effective configuration and where each value came from.
fn show_config(layered: &Layered) -> anyhow::Result<ExitCode> {
    match config::write_effective(&mut std::io::stdout().lock(), layered) {
        // `hunch config | head` closing the pipe early is not a failure.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// `hunch bench pipeline`: per-frame pose pipeline time, video and still mode.
/// A developer benchmark: built with the `testkit` feature only.
#[cfg(feature = "testkit")]
fn bench_pipeline(settings: &Settings, args: &BenchArgs) -> anyhow::Result<ExitCode> {
    /// Timed passes per mode.
    const PIPELINE_REPS: usize = 3;
    let input = match &args.input {
        Some(p) => p.clone(),
        None => crate::testdata::shared_data_dir()
            .map(|d| d.join("video/pose_squats.mp4"))
            .filter(|p| p.is_file())
            .context("no input to measure on: pass --input VIDEO (or a folder of images)")?,
    };
    crate::pose::bench::run(&settings.pose, &input, PIPELINE_REPS)?;
    Ok(ExitCode::SUCCESS)
}

/// Release builds leave the pipeline benchmark (and the test data it reads)
/// out: say how to run it.
#[cfg(not(feature = "testkit"))]
fn bench_pipeline(_settings: &Settings, _args: &BenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!(
        "hunch bench pipeline is a developer benchmark, not part of this build: run it from the source tree with cargo run --release --features testkit -- bench pipeline"
    )
}

/// Reads the clock once, for the commands that report "up to now".
fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Days of upright bars the chart shows, whatever the report's range.
const CHART_BAR_DAYS: u32 = 28;

/// `hunch report`: summary as text or JSON, optionally a chart and a CSV.
/// Needs neither ONNX Runtime nor the models.
fn report(args: &ReportArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let tz = chrono::Local;
    let now = now_unix();
    let (from, to) = report::range(args.since.as_deref(), args.days, now, &tz)?;
    let path = History::resolve_path(
        args.history
            .as_deref()
            .or(settings.monitor.history.as_deref()),
    )?;
    // Outputs are checked before anything is read or written: never over
    // the history, the profile or the config, and at most one to stdout.
    let mut protected = settings.own_files();
    protected.add_history(&path);
    let csv = args.csv.as_deref().map(Target::parse);
    let png = args.png.as_deref().map(Target::parse);
    if let Some(Target::File(p)) = &csv {
        protected.check("--csv", p)?;
    }
    if let Some(Target::File(p)) = &png {
        protected.check("--png", p)?;
        if let Some(Target::File(c)) = &csv {
            anyhow::ensure!(
                !crate::output::same_file(c, p),
                "--csv and --png name the same file; give each its own path: {}",
                p.display()
            );
        }
    }
    let csv_to_stdout = csv == Some(Target::Stdout);
    let png_to_stdout = png == Some(Target::Stdout);
    anyhow::ensure!(
        !(csv_to_stdout && png_to_stdout),
        "--csv - and --png - would both write to standard output; give one of them a file"
    );
    anyhow::ensure!(
        !(args.json && (csv_to_stdout || png_to_stdout)),
        "--json and --{} - would both write to standard output; give --{} a file",
        if csv_to_stdout { "csv" } else { "png" },
        if csv_to_stdout { "csv" } else { "png" }
    );
    let history = History::open_existing(&path)?;
    let log = history.load(from, to)?;
    let summary = report::summarize(&log, from, to, &tz);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else if csv_to_stdout || png_to_stdout {
        // Standard output carries the CSV or the PNG; the summary goes aside.
        eprint!("{}", report::text::render(&summary));
    } else {
        print!("{}", report::text::render(&summary));
    }
    if let Some(target) = &csv {
        let n = crate::output::write_to(target, "the CSV", |w| {
            report::export::write_csv(&log, from, to, &tz, w)
        })?;
        if let Target::File(p) = target {
            eprintln!("Wrote {n} samples to {}", p.display());
        }
    }
    if let Some(target) = &png {
        // The bars cover four weeks, which may reach back before `from`.
        let (first, _) = report::chart::bar_days_range(&log, from, to, &tz, CHART_BAR_DAYS);
        let bars_from = report::day_start(first, &tz);
        let longer;
        let chart_log = if bars_from < from {
            longer = history.load(bars_from, to)?;
            &longer
        } else {
            &log
        };
        let data = report::chart::chart_data(chart_log, from, to, &tz, CHART_BAR_DAYS);
        let png_path = args.png.clone().unwrap_or_default();
        let bytes =
            report::chart::png_bytes(&data).map_err(|reason| report::ReportError::Chart {
                reason,
                path: png_path,
            })?;
        crate::output::write_to(target, "the chart", |w| w.write_all(&bytes))?;
        if let Target::File(p) = target {
            eprintln!("Drew the chart to {}", p.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hunch history ...`.
fn history(cmd: &HistoryCmd, top_level_history: Option<&Path>) -> anyhow::Result<ExitCode> {
    let path = History::resolve_path(cmd.history.as_deref().or(top_level_history))?;
    match &cmd.action {
        HistoryAction::Prune { before, yes } => {
            let tz = chrono::Local;
            // Dates as `report --since` takes them: a date after today is a
            // mistake, not a way to delete everything.
            let date = report::parse_date("--before", before)?;
            let today = report::local_date(now_unix(), &tz);
            if date > today {
                return Err(report::ReportError::FutureDate {
                    flag: "--before",
                    date,
                }
                .into());
            }
            let cut = report::day_start(date, &tz);
            let mut history = History::open_existing(&path)?;
            // A monitor recording now keeps its session (its rows before
            // the cut still go).
            let recording = crate::history::RecordingLock::holder(&path);
            let keep = recording.and_then(|r| r.session_id);
            let plan = history.prune_plan(cut, keep)?;
            let everything = plan.pruned.sessions > 0 && plan.sessions_left == 0;
            let current = recording.is_some() && plan.kept_session_rows > 0;
            if plan.pruned.total() > 0 && (everything || current) && !yes {
                let what = if everything {
                    "every session in the history".to_string()
                } else {
                    format!(
                        "{} records of the session a running hunch{} is recording now",
                        plan.kept_session_rows,
                        recording
                            .and_then(|r| r.pid)
                            .map(|p| format!(" (process {p})"))
                            .unwrap_or_default()
                    )
                };
                println!(
                    "Would delete everything recorded before {date} (local time): {}, from {}",
                    counts(&plan.pruned),
                    path.display()
                );
                eprintln!(
                    "hunch: nothing deleted: this would remove {what}; run again with --yes to delete it"
                );
                return Ok(ExitCode::FAILURE);
            }
            let p = history.prune(cut, keep)?;
            if p.total() == 0 {
                println!(
                    "Nothing was recorded before {date} (local time); the history is unchanged: {}",
                    path.display()
                );
            } else {
                println!(
                    "Deleted everything recorded before {date} (local time): {}, from {}",
                    counts(&p),
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// "12 samples, 3 state changes, ..." for a prune.
fn counts(p: &crate::history::Pruned) -> String {
    format!(
        "{} samples, {} state changes, {} prompts, {} outcomes, {} calibrations, {} pauses, {} sessions",
        p.samples, p.transitions, p.prompts, p.outcomes, p.calibrations, p.pauses, p.sessions
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_line_says_each_cause_once() {
        let io = std::io::Error::other("disk on fire");
        // A message that quotes its cause, wrapped again by anyhow: once.
        let quoted = crate::report::ReportError::Write {
            what: "the CSV",
            source: io,
            path: "x.csv".into(),
        };
        let err = anyhow::Error::from(quoted);
        let line = error_line(&err);
        assert_eq!(line.matches("disk on fire").count(), 1, "{line}");
        assert!(line.ends_with("x.csv"), "{line}");
        // A context that does not quote its cause keeps it.
        let err = anyhow::Error::from(std::io::Error::other("pipe closed")).context("cannot write");
        assert_eq!(error_line(&err), "cannot write: pipe closed");
        // SQLite's error quoted by the message, with its own lower-level
        // cause ("Error code 26: ...") below it: said once.
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a database\n".repeat(100)).unwrap();
        let err = anyhow::Error::from(crate::history::History::open_existing(&text).err().unwrap());
        let line = error_line(&err);
        assert_eq!(line.matches("file is not a database").count(), 1, "{line}");
        assert!(!line.contains("Error code"), "{line}");
        assert!(line.ends_with("notes.txt"), "{line}");
    }
}
