//! The `hunch` binary: parse the flags, run, report an error once.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = hunch::cli::Cli::parse();
    hunch::app::init_logging(cli.common.verbose);
    match hunch::app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("hunch: {err:#}");
            ExitCode::FAILURE
        }
    }
}
