//! `hunch stretches` from the command line: lists the library without
//! needing ONNX Runtime, the models or a camera.

use hunch::stretches;

#[test]
fn stretches_lists_the_library_without_models_or_runtime() {
    let out = crate::common::hunch()
        .arg("stretches")
        // Point everything the monitor would need at nothing.
        .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
        .env("HUNCH_MODELS", "/nonexistent/models")
        .args(["--models", "/nonexistent/models"])
        .output()
        .expect("the hunch binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "unexpected stderr: {stderr}");
    let header = stdout.lines().next().unwrap();
    for col in ["ID", "NAME", "DOSE", "EQUIPMENT", "CAMERA", "TARGETS"] {
        assert!(header.contains(col), "{header}");
    }
    for s in stretches::library().unwrap() {
        let row = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(s.id.as_str()))
            .unwrap_or_else(|| panic!("{} missing from:\n{stdout}", s.id));
        let cols: Vec<&str> = row
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(cols[1], s.name, "{row}");
        // yes, no, or "if seen" for the floor stretches the camera may see.
        assert_eq!(cols[4], s.verify.camera().label(), "{row}");
    }
    assert!(stdout.contains("hunch stretch ID"));
    assert!(stdout.contains(stretches::SAFETY_LINE));
}

#[test]
fn stretches_rejects_stray_arguments() {
    let out = crate::common::hunch()
        .args(["stretches", "extra"])
        .output()
        .expect("the hunch binary runs");
    assert_eq!(out.status.code(), Some(2));
}
