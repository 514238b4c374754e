//! Runs each command: the glue between the flags and the pipeline stages.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{Cli, Command};
use crate::models::{self, ModelChoice};
use crate::runtime;

/// Sets up logging to stderr: warnings by default, more with `-v`; `RUST_LOG` wins.
pub fn init_logging(verbose: u8) {
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
        .with_target(false)
        .try_init();
}

/// Runs the command the flags ask for.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => monitor(&cli),
        Some(Command::Stretches) => list_stretches(),
        Some(Command::Analyze(_))
        | Some(Command::Calibrate(_))
        | Some(Command::Cameras)
        | Some(Command::Config)
        | Some(Command::Stretch(_))
        | Some(Command::Report(_))
        | Some(Command::History(_))
        | Some(Command::Bench(_)) => {
            anyhow::bail!("this command is not available in this build yet")
        }
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

/// Loads ONNX Runtime and checks that the detector and landmark models are
/// present, intact and accepted by it.
pub fn check_models(
    ort_lib: Option<&Path>,
    models_dir: Option<&Path>,
    choice: ModelChoice,
) -> anyhow::Result<()> {
    let rt = runtime::init(ort_lib)?;
    let dirs = models::search_dirs(models_dir);
    for name in [models::DETECTOR, choice.landmark_model()] {
        let bytes = models::load(name, &dirs)?;
        ort::session::Session::builder(&rt.env)
            .and_then(|mut b| b.commit_from_memory(&bytes))
            .with_context(|| {
                format!("ONNX Runtime refused model {name}; rerun models/convert.sh")
            })?;
    }
    Ok(())
}

fn monitor(cli: &Cli) -> anyhow::Result<ExitCode> {
    let choice = cli.common.model.unwrap_or(ModelChoice::Full);
    check_models(
        cli.common.ort_lib.as_deref(),
        cli.common.models.as_deref(),
        choice,
    )?;
    if cli.monitor.input.is_none() && !any_camera() {
        anyhow::bail!(
            "no camera found (no /dev/video* device); to watch a recording instead, run: hunch --input FILE"
        );
    }
    anyhow::bail!("live monitoring is not available in this build yet")
}

fn any_camera() -> bool {
    std::fs::read_dir("/dev")
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("video"))
        })
        .unwrap_or(false)
}
