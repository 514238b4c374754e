//! The camera path on a real V4L2 driver: the kernel's `vivid` virtual camera
//! in a small QEMU VM (tests/camera_vm/vm.sh), with this build's `hunch`
//! run inside by tests/camera_vm/guest.sh. The VM boots once for all the
//! tests here; each test judges the evidence the guest left in the shared
//! folder. Where the machine cannot run the VM (not Linux on x86_64, no apt
//! to install QEMU) every test prints one SKIPPED line and checks nothing.
//!
//! Under QEMU's software emulation inference takes many seconds a frame, so
//! the guest uses `--model lite --fps 0.2` and these tests assert camera
//! behaviour only, never posture.

// Test code, where a failed unwrap is a failed test: the no-unwrap rule
// (Cargo.toml [lints]) is for the program.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use hunch::capture::convert::{PixelFormat, to_rgb};
use image::RgbImage;
use serde_json::Value;

const HARNESS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/camera_vm");

/// The shared results folder of the one VM run, or why there is none.
fn vm() -> Option<&'static Path> {
    static RUN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match RUN.get_or_init(boot) {
        Ok(dir) => Some(dir),
        Err(reason) => {
            eprintln!("SKIPPED: camera VM: {reason}");
            None
        }
    }
}

fn boot() -> Result<PathBuf, String> {
    let share = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("camera-vm");
    // HUNCH_CAMERA_VM_REUSE=1 judges the last complete run again without a
    // new boot (for working on these tests).
    if std::env::var_os("HUNCH_CAMERA_VM_REUSE").is_some_and(|v| v == "1")
        && std::fs::read_to_string(share.join("rc")).is_ok_and(|rc| rc.trim() == "0")
    {
        println!("camera VM: judging the previous run in {}", share.display());
        return Ok(share);
    }
    let setup = Command::new(format!("{HARNESS}/vm.sh"))
        .arg("setup")
        .output()
        .map_err(|e| format!("cannot run {HARNESS}/vm.sh ({e})"))?;
    let said = String::from_utf8_lossy(&setup.stdout).trim().to_string();
    if setup.status.code() == Some(77) {
        return Err(said.trim_start_matches("SKIP: ").to_string());
    }
    assert!(
        setup.status.success(),
        "camera VM setup failed: {said}\n{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    assert!(
        !share.to_string_lossy().contains(char::is_whitespace),
        "the camera VM cannot share a folder whose path has spaces: {}",
        share.display()
    );
    let _ = std::fs::remove_dir_all(&share);
    std::fs::create_dir_all(&share).unwrap();
    // The guest sees the host's root read-only at the same paths: this
    // build's binary, the models beside the sources and ONNX Runtime.
    let ort = std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .or_else(hunch::runtime::installed_library_path)
        .filter(|p| p.exists())
        .expect("ONNX Runtime is not installed: run scripts/setup.sh");
    let cmd = format!(
        "export HUNCH='{}' ORT_DYLIB_PATH='{}'\nexec /bin/sh '{HARNESS}/guest.sh'\n",
        env!("CARGO_BIN_EXE_hunch"),
        ort.display()
    );
    std::fs::write(share.join("cmd.sh"), cmd).unwrap();
    let started = Instant::now();
    let run = Command::new(format!("{HARNESS}/vm.sh"))
        .arg("run")
        .arg(&share)
        .output()
        .expect("cannot run vm.sh");
    let seconds = started.elapsed().as_secs_f64();
    let log = std::fs::read_to_string(share.join("out.log")).unwrap_or_default();
    println!("camera VM: booted, ran the scenarios and powered off in {seconds:.0} s\n{log}");
    assert!(
        run.status.success(),
        "the camera VM run failed ({}): {}\n--- guest log ---\n{log}\n--- console: {}",
        run.status,
        String::from_utf8_lossy(&run.stderr),
        share.join("console.log").display()
    );
    Ok(share)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("the guest left no {name} ({e})"))
}

fn events(dir: &Path, name: &str) -> Vec<Value> {
    read(dir, name)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
        .collect()
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

fn start_source(dir: &Path, name: &str) -> String {
    let ev = events(dir, name);
    let start = of_type(&ev, "start");
    assert_eq!(start.len(), 1, "{name}: {ev:?}");
    start[0]["source"].as_str().unwrap().to_string()
}

fn rc(dir: &Path, name: &str) -> i32 {
    read(dir, &format!("{name}.rc")).trim().parse().unwrap()
}

fn t(e: &Value) -> f64 {
    e["t"].as_f64().unwrap()
}

/// `key value...` lines of a guest file.
fn fields(text: &str, key: &str) -> Vec<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key).map(str::to_string))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect()
}

#[test]
fn cameras_lists_vivid_with_its_formats_and_sizes() {
    let Some(dir) = vm() else { return };
    let text = read(dir, "cameras.txt");
    assert_eq!(rc(dir, "cameras"), 0, "{}", read(dir, "cameras.err"));
    assert!(
        text.lines().next().unwrap_or("").starts_with("0  vivid"),
        "{text}"
    );
    for kind in ["YUYV", "NV12", "RGB", "BGR"] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{kind}:")))
            .unwrap_or_else(|| panic!("no {kind} line: {text}"));
        for mode in ["1280x720@25", "640x480@25", "640x480@5", "320x180@60"] {
            assert!(line.contains(mode), "{kind} lacks {mode}: {line}");
        }
    }
}

#[test]
fn the_nearest_offered_mode_is_chosen_and_named_in_the_start_event() {
    let Some(dir) = vm() else { return };
    // vivid was left in GREY by v4l2-ctl, which nokhwa cannot name:
    // hunch switched it to a format it can read.
    let err = read(dir, "res720.err");
    assert!(
        err.contains("was left in GREY; switching it to YUYV"),
        "{err}"
    );
    // Offered exactly. nokhwa lists it at up to 25 fps, which vivid cannot
    // keep at that size (it gives 12.5, which nokhwa cannot represent), so
    // the nearest listed rate it keeps is used.
    let s = start_source(dir, "res720.jsonl");
    assert!(s.ends_with("YUYV 1280x720 @10 fps"), "{s}");
    // Not offered: 320x180 is nearest (640x360 is far further).
    let s = start_source(dir, "res333.jsonl");
    assert!(s.ends_with("YUYV 320x180 @30 fps"), "{s}");
    // 60 fps is not offered at 640x480: 25 is the nearest.
    let s = start_source(dir, "main.jsonl");
    assert!(s.ends_with("YUYV 640x480 @25 fps"), "{s}");
}

#[test]
fn ctrl_c_exits_0_with_the_session_closed() {
    let Some(dir) = vm() else { return };
    for run in ["res720", "main"] {
        assert_eq!(rc(dir, run), 0, "{}", read(dir, &format!("{run}.err")));
        let ev = events(dir, &format!("{run}.jsonl"));
        assert_eq!(ev.last().unwrap()["type"], "stop", "{run}: {ev:?}");
    }
}

#[test]
fn a_second_hunch_on_the_busy_camera_says_so_in_one_line() {
    let Some(dir) = vm() else { return };
    let err = read(dir, "busy.err");
    assert_ne!(rc(dir, "busy"), 0, "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("hunch:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("camera is busy") && errors[0].ends_with("/dev/video0"),
        "{err}"
    );
    let events = std::fs::read_to_string(dir.join("busy.jsonl")).unwrap_or_default();
    assert!(!events.contains("\"start\""), "it never started: {events}");
    let secs = read(dir, "busy.seconds");
    let (a, b) = secs.trim().split_once(" - ").unwrap();
    let took = a.parse::<f64>().unwrap() - b.parse::<f64>().unwrap();
    println!("camera VM: the busy hunch exited after {took:.1} s (model loading included)");
}

#[test]
fn an_unplugged_camera_is_lost_retried_with_backoff_and_back_with_real_times() {
    let Some(dir) = vm() else { return };
    let ev = events(dir, "main.jsonl");
    let cams = of_type(&ev, "camera");
    assert!(cams.len() >= 2, "{cams:?}");
    let (lost, back) = (cams[0], cams[1]);
    assert_eq!(lost["status"], "lost");
    assert_eq!(back["status"], "back");
    assert!(
        lost["message"]
            .as_str()
            .unwrap()
            .ends_with("retrying until it comes back: /dev/video0"),
        "{lost}"
    );
    let outage = t(back) - t(lost);
    // The guest saw the `lost` line before it re-plugged, and the device
    // was gone from the unplug until the `back` line appeared.
    let o = read(dir, "outage.txt");
    let at = |k: &str| fields(&o, k)[0];
    let least = at("replugged") - at("lost_seen");
    let most = at("back_seen") - at("unplugged");
    println!("camera VM: outage in the events {outage:.2} s; device gone {least:.2}..{most:.2} s");
    assert!(
        outage >= least && outage <= most,
        "lost at {} and back at {}: {outage:.2} s, but the device was gone between {least:.2} and {most:.2} s",
        t(lost),
        t(back)
    );
    // Retries at growing intervals while it was gone.
    let err = read(dir, "main.err");
    let delays: Vec<f64> = err
        .lines()
        .filter(|l| l.contains("camera still gone"))
        .map(|l| {
            let tail = l.rsplit("next try in ").next().unwrap();
            tail.split_whitespace().next().unwrap().parse().unwrap()
        })
        .collect();
    assert!(!delays.is_empty(), "no retries logged: {err}");
    assert!(
        delays.windows(2).all(|w| w[1] > w[0]),
        "back-off grows: {delays:?}"
    );
    // Waiting costs next to no CPU (no busy loop).
    let w = fields(&o, "waiting_cpu_s");
    let share = (w[0] / w[1]) / (w[3] - w[2]);
    println!(
        "camera VM: CPU while the camera was gone: {:.1}%",
        share * 100.0
    );
    assert!(share < 0.1, "{:.0}% of a CPU while waiting", share * 100.0);
    // The loop went on: a judged frame after the camera came back, and no
    // frame from before the outage handed over after it.
    assert!(
        of_type(&ev, "metrics").iter().any(|m| t(m) > t(back)),
        "{ev:?}"
    );
    for pair in ev.windows(2) {
        assert!(t(&pair[1]) >= t(&pair[0]), "time ran backwards: {pair:?}");
    }
}

#[test]
fn an_injected_fatal_streaming_error_is_a_lost_camera_that_comes_back() {
    let Some(dir) = vm() else { return };
    assert_eq!(rc(dir, "inject"), 0, "{}", read(dir, "inject.out"));
    let ev = events(dir, "main.jsonl");
    let cams = of_type(&ev, "camera");
    let status: Vec<&str> = cams.iter().map(|c| c["status"].as_str().unwrap()).collect();
    // The first pair is the unplug; the second the injected error.
    assert_eq!(status, ["lost", "back", "lost", "back"], "{cams:?}");
    let (lost, back) = (cams[2], cams[3]);
    let message = lost["message"].as_str().unwrap();
    assert!(message.starts_with("lost the camera ("), "{message}");
    assert!(t(back) > t(lost), "{lost} {back}");
    assert_eq!(rc(dir, "main"), 0, "no panic, a clean exit");
    assert!(!read(dir, "main.err").contains("panicked"));
}

#[test]
fn capture_thread_cpu_is_measured() {
    let Some(dir) = vm() else { return };
    let c = read(dir, "cpu.txt");
    let cap = fields(&c, "capture_thread_cpu_s");
    let all = fields(&c, "process_cpu_s");
    let wall = fields(&c, "wall_s");
    let secs = wall[1] - wall[0];
    let pct = |v: &[f64]| 100.0 * v[0] / v[1] / secs;
    println!(
        "camera VM: at 640x480 YUYV 25 fps with --fps 0.2 the capture thread used {:.1}% of a CPU, the whole process {:.1}% (over {secs:.0} s, emulated)",
        pct(&cap),
        pct(&all)
    );
    assert!(pct(&cap) <= pct(&all) + 1.0);
}

/// The frame vivid captured in `fourcc`, converted as the capture stage does.
fn converted(dir: &Path, fourcc: &str, format: PixelFormat) -> RgbImage {
    let bytes = std::fs::read(dir.join(format!("raw/{fourcc}.raw")))
        .unwrap_or_else(|e| panic!("no raw {fourcc} frame ({e})"));
    let fmt = read(dir, &format!("raw/{fourcc}.fmt"));
    assert!(fmt.contains(&format!("'{fourcc}'")), "{fmt}");
    assert!(fmt.contains("640/480"), "{fmt}");
    assert_eq!(
        Some(bytes.len()),
        format.frame_bytes(640, 480),
        "{fourcc}: one whole frame"
    );
    to_rgb(format, 640, 480, &bytes).unwrap()
}

/// vivid's default pattern: eight 75% colour bars, 80 pixels wide at 640.
const BARS: [&str; 8] = [
    "white", "yellow", "cyan", "green", "magenta", "red", "blue", "black",
];

/// Pixels well inside bar `i`, below the on-screen text.
fn bar_pixels(i: usize) -> impl Iterator<Item = (u32, u32)> {
    let x0 = i as u32 * 80 + 8;
    (200..470).flat_map(move |y| (x0..x0 + 64).map(move |x| (x, y)))
}

#[test]
fn every_pixel_format_converts_to_vivids_colour_bars() {
    let Some(dir) = vm() else { return };
    let reference = converted(dir, "RGB3", PixelFormat::Rgb);
    // The reference itself shows the bars in order, each uniform.
    for (i, name) in BARS.iter().enumerate() {
        let [r, g, b] = reference
            .get_pixel(i as u32 * 80 + 40, 300)
            .0
            .map(i32::from);
        let hi = |v: i32| v > 150;
        let lo = |v: i32| v < 40;
        let ok = match *name {
            "white" => hi(r) && hi(g) && hi(b),
            "yellow" => hi(r) && hi(g) && lo(b),
            "cyan" => lo(r) && hi(g) && hi(b),
            "green" => lo(r) && hi(g) && lo(b),
            "magenta" => hi(r) && lo(g) && hi(b),
            "red" => hi(r) && lo(g) && lo(b),
            "blue" => lo(r) && lo(g) && hi(b),
            _ => lo(r) && lo(g) && lo(b),
        };
        assert!(ok, "bar {i} should be {name}: {r},{g},{b}");
        for (x, y) in bar_pixels(i) {
            assert_eq!(
                reference.get_pixel(x, y),
                reference.get_pixel(i as u32 * 80 + 40, 300)
            );
        }
    }
    // Each colour format, after conversion, matches it pixel for pixel
    // inside the bars (YUV within rounding of its limited-range BT.601).
    for (fourcc, format, tolerance) in [
        ("BGR3", PixelFormat::Bgr, 0),
        ("YUYV", PixelFormat::Yuyv, 3),
        ("NV12", PixelFormat::Nv12, 3),
    ] {
        let image = converted(dir, fourcc, format);
        for (i, bar) in BARS.iter().enumerate() {
            for (x, y) in bar_pixels(i) {
                let (got, want) = (image.get_pixel(x, y).0, reference.get_pixel(x, y).0);
                let off = (0..3).map(|c| got[c].abs_diff(want[c])).max().unwrap_or(0);
                assert!(
                    off <= tolerance,
                    "{fourcc} at {x},{y} ({bar} bar): {got:?}, want {want:?}"
                );
            }
        }
    }
    // Grey (vivid's own full-range luma): each pixel's level on all three
    // channels, the bars darker from left to right, each uniform.
    let raw = std::fs::read(dir.join("raw/GREY.raw")).unwrap();
    let grey = converted(dir, "GREY", PixelFormat::Gray);
    let mut previous = u8::MAX;
    for i in 0..BARS.len() {
        let level = grey.get_pixel(i as u32 * 80 + 40, 300).0[0];
        assert!(
            i == 0 || level < previous,
            "bar {i}: {level} after {previous}"
        );
        previous = level;
        for (x, y) in bar_pixels(i) {
            let v = raw[(y * 640 + x) as usize];
            assert_eq!(grey.get_pixel(x, y).0, [v; 3], "GREY at {x},{y}");
            assert_eq!(v, level, "GREY bar {i} is uniform at {x},{y}");
        }
    }
}
