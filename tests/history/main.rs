//! The history and the reports built from it.
//!
//! One test binary for several former ones (each links the whole crate, so
//! fewer binaries build and link faster); `cargo test --test history MODULE`
//! runs one module.

// Test code, where a failed unwrap is a failed test: the no-unwrap rule
// (Cargo.toml [lints]) is for the program.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod data_safety;
mod history_chart;
mod history_cli;
mod history_crash;
mod history_disk_full;
mod history_migration;
mod history_prune;
mod history_report;
mod history_support;
mod report_messages;
