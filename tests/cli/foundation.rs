//! The foundation's promises, checked through the real binary: bad models,
//! bad ONNX Runtime libraries and bad flags each give one clear line and a
//! failing exit code, never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hunch() -> Command {
    let mut c = crate::common::hunch();
    // Keep the user's environment from steering the search.
    c.env_remove("ORT_DYLIB_PATH").env_remove("HUNCH_MODELS");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_one_line_failure(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "expected one line, got: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// A copy of the models folder that a test may damage.
fn copy_models(to: &Path) {
    for entry in std::fs::read_dir(models_dir()).unwrap().flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "onnx") {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn unknown_flag_exits_2_with_clap_message() {
    let o = hunch().arg("--no-such-flag").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("unexpected argument '--no-such-flag'"),
        "{err}"
    );
}

#[test]
fn help_and_version_work() {
    let o = hunch().arg("--help").output().unwrap();
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    for flag in ["--input", "--models", "--ort-lib", "--model", "--no-window"] {
        assert!(out.contains(flag), "help lacks {flag}");
    }
    let o = hunch().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("hunch "));
}

#[test]
fn missing_ort_library_names_every_path_and_the_fix() {
    let o = hunch()
        .args(["--ort-lib", "/nonexistent/libonnxruntime.so"])
        .output()
        .unwrap();
    let err = assert_one_line_failure(&o);
    assert!(err.contains("ONNX Runtime library not found"), "{err}");
    assert!(err.contains("/nonexistent/libonnxruntime.so"), "{err}");
    assert!(err.contains("scripts/setup.sh"), "{err}");
}

#[test]
fn ort_dylib_path_is_honoured_and_named() {
    let o = hunch()
        .env("ORT_DYLIB_PATH", "/nowhere/libonnxruntime.so.1.31.1")
        .output()
        .unwrap();
    let err = assert_one_line_failure(&o);
    assert!(err.contains("/nowhere/libonnxruntime.so.1.31.1"), "{err}");
}

#[test]
fn a_file_that_is_not_a_library_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("libonnxruntime.so");
    std::fs::write(&fake, b"this is not a shared library").unwrap();
    let o = hunch().arg("--ort-lib").arg(&fake).output().unwrap();
    let err = assert_one_line_failure(&o);
    assert!(err.contains("could not be loaded"), "{err}");
    assert!(err.contains(fake.to_str().unwrap()), "{err}");
}

/// Builds a shared library that looks like ONNX Runtime 1.10 to the loader.
fn old_version_library(dir: &Path) -> Option<PathBuf> {
    let src = dir.join("fake_ort.c");
    std::fs::write(
        &src,
        r#"
typedef struct { const void* (*GetApi)(unsigned); const char* (*GetVersionString)(void); } OrtApiBase;
static const void* get_api(unsigned v) { (void)v; return 0; }
static const char* version(void) { return "1.10.0"; }
static const OrtApiBase base = { get_api, version };
const OrtApiBase* OrtGetApiBase(void) { return &base; }
"#,
    )
    .ok()?;
    let lib = dir.join("libonnxruntime.so");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()
        .ok()?;
    status.success().then_some(lib)
}

#[test]
fn wrong_version_library_is_refused_with_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let Some(lib) = old_version_library(dir.path()) else {
        hunch::testdata::note_skip(
            hunch::testdata::SkipReason::Other,
            "wrong_version_library_is_refused_with_its_version",
            "no C compiler (cc) to build a fake library",
        );
        return;
    };
    let o = hunch().arg("--ort-lib").arg(&lib).output().unwrap();
    let err = assert_one_line_failure(&o);
    assert!(err.contains("1.10.0"), "{err}");
    assert!(err.contains("scripts/setup.sh"), "{err}");
}

#[test]
fn missing_models_list_the_paths_tried() {
    let dir = tempfile::tempdir().unwrap();
    let o = hunch().arg("--models").arg(dir.path()).output().unwrap();
    let err = assert_one_line_failure(&o);
    assert!(err.contains("not found"), "{err}");
    assert!(
        err.contains(&dir.path().join("pose_detection.onnx").display().to_string()),
        "{err}"
    );
}

#[test]
fn truncated_model_is_refused_before_onnx_runtime_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_models(dir.path());
    let victim = dir.path().join("pose_landmark_full.onnx");
    let bytes = std::fs::read(&victim).unwrap();
    std::fs::write(&victim, &bytes[..bytes.len() / 2]).unwrap();
    let o = hunch().arg("--models").arg(dir.path()).output().unwrap();
    let err = assert_one_line_failure(&o);
    assert!(err.contains("corrupt or truncated"), "{err}");
    assert!(err.ends_with(&format!("{}\n", victim.display())), "{err}");
}

#[test]
fn altered_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    copy_models(dir.path());
    let victim = dir.path().join("pose_detection.onnx");
    let mut bytes = std::fs::read(&victim).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&victim, &bytes).unwrap();
    let o = hunch().arg("--models").arg(dir.path()).output().unwrap();
    let err = assert_one_line_failure(&o);
    assert!(err.contains("corrupt or truncated"), "{err}");
}

#[test]
fn no_camera_says_so_and_suggests_input() {
    let has_camera = std::fs::read_dir("/dev")
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("video"))
        })
        .unwrap_or(false);
    if has_camera {
        hunch::testdata::note_skip(
            hunch::testdata::SkipReason::Other,
            "no_camera_says_so_and_suggests_input",
            "this machine has a camera",
        );
        return;
    }
    let o = hunch()
        .args(["--no-window", "--no-history"])
        .output()
        .unwrap();
    let err = assert_one_line_failure(&o);
    assert!(err.contains("camera"), "{err}");
    assert!(err.contains("--input FILE"), "{err}");
}
