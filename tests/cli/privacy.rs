//! Nothing leaves the machine: ONNX Runtime's telemetry stays off for every
//! command that loads it, whatever the caller's environment says.
//!
//! The PyPI build of ONNX Runtime 1.31.1 writes a telemetry event to
//! `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` when its environment is
//! created, unless `ORT_DISABLE_TELEMETRY=1` is set before it loads. It keeps
//! quiet when it sees `CI` set, so `CI` is removed for the child here.

use std::path::{Path, PathBuf};

use image::{Rgb, RgbImage};

/// The ONNX Runtime library the suite runs against, found with the real HOME
/// (the child gets a temporary one).
fn ort_library() -> PathBuf {
    std::env::var_os("ORT_DYLIB_PATH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(hunch::runtime::installed_library_path)
        .filter(|p| p.is_file())
        .expect("ONNX Runtime is installed (run scripts/setup.sh)")
}

/// Every file and folder under `dir`, for the failure message.
fn everything_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

/// Runs `hunch analyze --json` on a plain image (ONNX Runtime loads and
/// runs the detector) with a fresh HOME and `CI` removed; `telemetry_var` is
/// what the caller's environment says about `ORT_DISABLE_TELEMETRY`.
/// Returns what appeared under `$HOME/.cache/Microsoft`.
fn analyze_with_fresh_home(telemetry_var: Option<&str>) -> Vec<PathBuf> {
    let home = tempfile::tempdir().unwrap();
    let image = home.path().join("gray.png");
    RgbImage::from_pixel(320, 240, Rgb([128, 128, 128]))
        .save(&image)
        .unwrap();
    let mut cmd = crate::common::hunch();
    cmd.args(["analyze", "--json"])
        .arg(&image)
        .env("HOME", home.path())
        .env("ORT_DYLIB_PATH", ort_library())
        .env_remove("CI")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME");
    match telemetry_var {
        Some(v) => cmd.env("ORT_DISABLE_TELEMETRY", v),
        None => cmd.env_remove("ORT_DISABLE_TELEMETRY"),
    };
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // ONNX Runtime really ran: one JSON line for the image, nobody in it.
    let line: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(line["source"], image.display().to_string(), "{stdout}");
    assert!(line["pose"].is_null(), "{stdout}");
    everything_under(&home.path().join(".cache/Microsoft"))
}

#[test]
fn onnx_runtime_writes_no_telemetry() {
    let made = analyze_with_fresh_home(None);
    assert!(made.is_empty(), "ONNX Runtime telemetry written: {made:?}");
}

#[test]
fn onnx_runtime_writes_no_telemetry_even_when_asked_to() {
    let made = analyze_with_fresh_home(Some("0"));
    assert!(made.is_empty(), "ONNX Runtime telemetry written: {made:?}");
}

#[test]
fn the_library_switches_telemetry_off_before_loading_onnx_runtime() {
    // Tests, benches and examples use the library without `main`: loading
    // ONNX Runtime must set the switch itself.
    hunch::runtime::init(Some(&ort_library())).unwrap();
    assert!(hunch::runtime::telemetry_disabled());
}
