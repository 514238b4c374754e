//! The `hunch` binary: parse the flags (with the config file and `HUNCH_*`
//! environment layered under them) into typed settings, run, report an
//! error once.

use std::process::ExitCode;

use hunch::config::{self, ConfigError};

fn main() -> ExitCode {
    // ONNX Runtime records telemetry unless this is set before it loads
    // (see `hunch::runtime`); set here, first, whatever the caller's
    // environment says.
    // SAFETY: nothing has started a thread yet: this is the first statement
    // of `main`, and hunch has no code that runs before it.
    unsafe { hunch::runtime::disable_telemetry() };
    let layered = match config::load_from_process() {
        Ok(layered) => layered,
        // Usage errors, --help and --version: clap prints and exits.
        Err(ConfigError::Clap(e)) => e.exit(),
        Err(err) => {
            eprintln!("hunch: {err}");
            return ExitCode::from(2);
        }
    };
    hunch::app::init_logging(layered.cli.common.verbose);
    match hunch::app::run(&layered) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("hunch: {}", hunch::app::error_line(&err));
            ExitCode::FAILURE
        }
    }
}
