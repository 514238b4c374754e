//! What the integration-test binaries share: running the built `hunch`.
//!
//! The shared data (skips, `HUNCH_SKIP_LOG`, `HUNCH_REQUIRE_DATA`) is reached
//! through `hunch::testdata`, which the `testkit` feature builds for tests.
#![allow(dead_code)] // Each test binary uses a different part.

use std::process::Command;

/// The built `hunch` binary, with the caller's `RUST_LOG` removed so a
/// developer's logging setting never changes what a test reads.
pub fn hunch() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hunch"));
    cmd.env_remove("RUST_LOG");
    cmd
}

/// [`hunch`] in UTC and cut off from ONNX Runtime and the models, for the
/// commands that need neither (history, report): one that tried to load
/// them would fail.
pub fn hunch_offline() -> Command {
    let mut cmd = hunch();
    cmd.env("TZ", "UTC")
        .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
        .env("HUNCH_MODELS", "/nonexistent/models");
    cmd
}

/// The name the test harness knows a test by (`module::test`), from the
/// test's `module_path!()` (which starts with the test binary's name) and
/// its function name: for tests that run their own binary again with
/// `--exact NAME`.
pub fn harness_name(module_path: &str, test: &str) -> String {
    match module_path.split_once("::") {
        Some((_, module)) => format!("{module}::{test}"),
        None => test.to_string(),
    }
}

/// Live processes (read from `/proc`) whose command line has `marker` as an argument.
pub fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline
            .split(|b| *b == 0)
            .any(|arg| arg == marker.as_bytes())
        {
            found.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        }
    }
    found
}
