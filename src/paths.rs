//! Where hunch keeps its files on the user's machine.
//!
//! Everything lives in the platform's per-user directories (on Linux
//! `~/.config/hunch` and `~/.local/share/hunch`), so nothing leaves the
//! machine and deleting those folders removes every trace.

use std::path::PathBuf;

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "hunch")
}

/// Per-user data folder (history database, ONNX Runtime installed by setup).
pub fn data_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

/// Per-user configuration folder (config file, calibration profile).
pub fn config_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().to_path_buf())
}

/// Paths joined for a one-line message: `a, b, c`.
pub fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
