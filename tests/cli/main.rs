//! Command-line tests: each module runs the built `hunch` binary (or the library)
//! for one command or concern.
//!
//! One test binary for several former ones (each links the whole crate, so
//! fewer binaries build and link faster); `cargo test --test cli MODULE`
//! runs one module.

// Test code, where a failed unwrap is a failed test: the no-unwrap rule
// (Cargo.toml [lints]) is for the program.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod analyze_cli;
mod analyze_contract;
mod calibrate_cli;
mod coach_cli;
mod config_precedence;
mod foundation;
mod hooks_cli;
mod hostile_inputs;
mod monitor_e2e;
mod privacy;
mod stretch_cli;
mod window_xvfb;
