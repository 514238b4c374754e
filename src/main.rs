//! The `hunch` binary: parse the flags (with the config file and `HUNCH_*`
//! environment layered under them), run, report an error once.

use std::process::ExitCode;

use hunch::config::{self, ConfigError};

fn main() -> ExitCode {
    let cli = match config::load_from_process() {
        Ok(layered) => layered.cli,
        // Usage errors, --help and --version: clap prints and exits.
        Err(ConfigError::Clap(e)) => e.exit(),
        Err(err) => {
            eprintln!("hunch: {err}");
            return ExitCode::from(2);
        }
    };
    hunch::app::init_logging(cli.common.verbose);
    match hunch::app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("hunch: {}", hunch::app::error_line(&err));
            ExitCode::FAILURE
        }
    }
}
