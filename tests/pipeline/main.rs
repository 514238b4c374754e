//! The stages on real data and their properties: capture, pose, posture, coach,
//! render.
//!
//! One test binary for several former ones (each links the whole crate, so
//! fewer binaries build and link faster); `cargo test --test pipeline MODULE`
//! runs one module.

// Test code, where a failed unwrap is a failed test: the no-unwrap rule
// (Cargo.toml [lints]) is for the program.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod capture_headless;
mod capture_sources;
mod closeup;
mod coach_floor;
mod coach_kinematics;
mod coach_reps;
mod pose_fidelity;
mod pose_pipeline;
mod posture_eval;
mod posture_eval_pipeline;
mod posture_props;
mod render_overlay;
mod v3;
