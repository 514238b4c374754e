//! The real window under Xvfb: drive it through a short video (decoded by the
//! ffmpeg CLI), present every rendered frame, take a screenshot of the X
//! screen with ImageMagick's `import`, and check that the screen shows what
//! was rendered: the status bar in the state's colour across the top of the
//! window and the skeleton's joints.
//!
//! `./test.sh` runs the tests under `xvfb-run`; without DISPLAY this skips.
//! Set HUNCH_RENDER_GALLERY=DIR to keep the screenshot.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hunch::landmarks::{Landmark, NUM_LANDMARKS, Pose};
use hunch::posture::{State, View};
use hunch::render::theme::state_colour;
use hunch::render::{Gauge, Layout, OverlayModel, Renderer};
use hunch::window::Window;
use image::RgbImage;

fn video_size(path: &Path) -> (u32, u32) {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs (scripts/setup.sh installs ffmpeg)");
    assert!(out.status.success(), "ffprobe failed on {}", path.display());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.trim().split(',').map(|v| v.parse::<u32>().unwrap());
    (it.next().unwrap(), it.next().unwrap())
}

/// Every frame of `path` as RGB, through `ffmpeg ... -f rawvideo -pix_fmt rgb24 -`.
fn decode(path: &Path) -> Vec<RgbImage> {
    let (w, h) = video_size(path);
    let mut child = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-i"])
        .arg(path)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("ffmpeg runs");
    let mut stdout = child.stdout.take().unwrap();
    let mut frames = Vec::new();
    loop {
        let mut buf = vec![0u8; (w * h * 3) as usize];
        match stdout.read_exact(&mut buf) {
            Ok(()) => frames.push(RgbImage::from_raw(w, h, buf).unwrap()),
            Err(_) => break,
        }
    }
    assert!(child.wait().unwrap().success());
    frames
}

/// The reference landmarks of pose_squats.mp4 (x, y, z in pixels per frame).
fn reference_poses(path: &Path, w: u32, h: u32) -> Vec<Pose> {
    let raw: Vec<Vec<[f32; 3]>> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    raw.into_iter()
        .map(|f| {
            let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
            for (lm, p) in landmarks.iter_mut().zip(f) {
                *lm = Landmark {
                    x: p[0],
                    y: p[1],
                    z: p[2],
                    visibility: 1.0,
                    presence: 1.0,
                };
            }
            Pose {
                landmarks,
                world: [[0.0; 3]; NUM_LANDMARKS],
                presence: 1.0,
                image_width: w,
                image_height: h,
            }
        })
        .collect()
}

fn screenshot(to: &Path) -> RgbImage {
    let st = Command::new("import")
        .args(["-window", "root"])
        .arg(to)
        .status()
        .expect("ImageMagick's import runs (scripts/setup.sh installs imagemagick)");
    assert!(st.success(), "import -window root failed");
    image::open(to).unwrap().into_rgb8()
}

/// One window test on the X screen at a time: two windows could overlap.
static SCREEN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn screen() -> std::sync::MutexGuard<'static, ()> {
    SCREEN.lock().unwrap_or_else(|p| p.into_inner())
}

fn near(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    (0..3).all(|i| (a[i] as i32 - b[i] as i32).abs() <= tol)
}

/// The window's top left, found by its status bar: the first row where the
/// state's colour runs across 90 % of the window's width `w` (the root
/// window around it is black).
fn find_bar(shot: &RgbImage, bar: [u8; 3], w: u32) -> Option<(u32, u32)> {
    let (sw, sh) = shot.dimensions();
    for y in 0..sh {
        let mut run = 0;
        for x in 0..sw {
            if near(shot.get_pixel(x, y).0, bar, 3) {
                run += 1;
                if run as f32 >= 0.9 * w as f32 {
                    return Some((x + 1 - run, y));
                }
            } else {
                run = 0;
            }
        }
    }
    None
}

#[test]
fn window_shows_a_video_with_its_overlay() {
    if std::env::var_os("DISPLAY").is_none() {
        hunch::testdata::note_skip(
            hunch::testdata::SkipReason::Other,
            "window test",
            "no DISPLAY (run it under xvfb-run, as ./test.sh does)",
        );
        return;
    }
    let Some(data) = hunch::testdata::shared_data_or_skip("window test") else {
        return;
    };
    let _screen = screen();
    let video = data.join("video/pose_squats.mp4");
    let frames = decode(&video);
    assert!(frames.len() >= 30, "only {} frames decoded", frames.len());
    let (vw, vh) = frames[0].dimensions();
    let poses = reference_poses(&data.join("video/pose_squats.full.json"), vw, vh);

    // HUNCH_WINDOW_TEST_SIZE=WxH tries another window size (the X screen must hold it).
    let (ow, oh) = std::env::var("HUNCH_WINDOW_TEST_SIZE")
        .ok()
        .and_then(|s| {
            let (a, b) = s.split_once('x')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .unwrap_or((640u32, 480u32));
    let mut window = Window::open("hunch (test)", ow, oh).expect("window opens under Xvfb");
    let (w, h) = window.size();
    assert_eq!((w, h), (ow, oh));
    let mut renderer = Renderer::new().unwrap();
    let mut canvas = RgbImage::new(w, h);
    let mut last_state = State::Good;
    for (i, frame) in frames.iter().enumerate() {
        // A short story: good, then the head drifts forward and the prompt bar fills.
        let t = i as f64 / 5.0;
        let forward = i >= frames.len() / 2;
        let mut m = OverlayModel::new(frame);
        m.pose = poses.get(i);
        m.view = Some(View::Front);
        m.state = if forward {
            State::ForwardHead
        } else {
            State::Good
        };
        m.state_seconds = if forward {
            t - frames.len() as f64 / 10.0
        } else {
            t
        };
        m.prompt_progress = if forward {
            0.1 + (i as f32 / frames.len() as f32) * 0.6
        } else {
            0.0
        };
        m.fps = 5.0;
        m.pipeline_ms = 21.0;
        m.head = Some(Gauge {
            label: "Forward head".into(),
            value: if forward { 16.0 } else { 4.0 },
            baseline: Some(0.0),
            threshold: Some(12.0),
            unit: "%".into(),
            min: -10.0,
            max: 30.0,
            worse_when_lower: false,
            reliable: true,
        });
        let (cw, ch) = window.size();
        if canvas.dimensions() != (cw, ch) {
            canvas = RgbImage::new(cw, ch);
        }
        renderer.render(&m, &mut canvas);
        window.present(&canvas).unwrap();
        assert!(window.is_open());
        assert!(window.keys_pressed().is_empty(), "nobody pressed a key");
        last_state = m.state;
    }
    let (keep, dir): (Option<tempfile::TempDir>, PathBuf) =
        match std::env::var_os("HUNCH_RENDER_GALLERY") {
            Some(d) => (None, PathBuf::from(d)),
            None => {
                let t = tempfile::tempdir().unwrap();
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
    std::fs::create_dir_all(&dir).unwrap();
    // The X server draws the last frame when it gets to it: present it again
    // and look until the status bar is there (a condition, not a time). A
    // window that never shows it fails after a bounded number of looks.
    let bar = state_colour(last_state);
    let mut looks = 0;
    let (shot, (wx, wy)) = loop {
        window.present(&canvas).unwrap();
        let shot = screenshot(&dir.join("xvfb-window-screenshot.png"));
        if let Some(at) = find_bar(&shot, bar, w) {
            break (shot, at);
        }
        looks += 1;
        assert!(
            looks < 50,
            "no status bar in the state's colour on the screen after {looks} screenshots"
        );
    };
    drop(keep);
    let (sw, sh) = shot.dimensions();
    let l = Layout::new(w, h, vw, vh, false, false);
    // Text interrupts the colour in some rows; most of each bar row is still bar.
    let bar_rows = (wy..sh)
        .take_while(|&y| {
            (wx..wx + w)
                .filter(|&x| near(shot.get_pixel(x, y).0, bar, 3))
                .count() as f32
                >= 0.4 * w as f32
        })
        .count();
    assert!(
        (bar_rows as f32 - l.bar.h).abs() <= 3.0,
        "status bar is {bar_rows} rows high, expected {}",
        l.bar.h
    );
    assert!(
        wx + w <= sw && wy + h <= sh,
        "window at ({wx}, {wy}) runs off the screen"
    );
    // Nothing of the bar's colour above the window.
    if wy > 2 {
        assert!(!near(shot.get_pixel(wx + w / 2, wy - 2).0, bar, 3));
    }
    // The skeleton's white joint rims over the picture, near the last pose's shoulders.
    let pose = &poses[frames.len() - 1];
    let mut joints = 0;
    for i in [11, 12] {
        let lm = &pose.landmarks[i];
        let (px, py) = l.map_point(lm.x, lm.y, vw, vh, true);
        let (px, py) = (px as i64, py as i64);
        for dy in -8..=8 {
            for dx in -8..=8 {
                let (x, y) = (wx as i64 + px + dx, wy as i64 + py + dy);
                if x >= 0
                    && y >= 0
                    && near(shot.get_pixel(x as u32, y as u32).0, [250, 250, 250], 6)
                {
                    joints += 1;
                }
            }
        }
    }
    assert!(
        joints >= 6,
        "no joint rims at the shoulders ({joints} white pixels)"
    );
}

/// Where `canvas` sits on the screen: the top left whose first canvas row
/// matches the screen exactly over 90 % of its width.
fn locate(shot: &RgbImage, canvas: &RgbImage) -> Option<(u32, u32)> {
    let (sw, sh) = shot.dimensions();
    let (w, h) = canvas.dimensions();
    let first = canvas.get_pixel(0, 0).0;
    for y in 0..=sh.saturating_sub(h) {
        for x in 0..=sw.saturating_sub(w) {
            if shot.get_pixel(x, y).0 != first {
                continue;
            }
            let same = (0..w)
                .filter(|&i| near(shot.get_pixel(x + i, y).0, canvas.get_pixel(i, 0).0, 2))
                .count();
            if same as f32 >= 0.9 * w as f32 {
                return Some((x, y));
            }
        }
    }
    None
}

/// Share of the canvas's pixels that the screen shows within `tol` per channel
/// at `(x, y)`, and the largest channel difference.
fn agreement(shot: &RgbImage, canvas: &RgbImage, (x, y): (u32, u32), tol: i32) -> (f64, i32) {
    let (w, h) = canvas.dimensions();
    let mut same = 0u64;
    let mut worst = 0;
    for cy in 0..h {
        for cx in 0..w {
            let a = shot.get_pixel(x + cx, y + cy).0;
            let b = canvas.get_pixel(cx, cy).0;
            let d = (0..3)
                .map(|i| (a[i] as i32 - b[i] as i32).abs())
                .max()
                .unwrap_or(0);
            worst = worst.max(d);
            if d <= tol {
                same += 1;
            }
        }
    }
    (same as f64 / (w as u64 * h as u64) as f64, worst)
}

/// Share of the window's pixels that must equal the canvas (within 2 levels
/// per channel). Today every pixel does; a picture shifted by two pixels in
/// the window leaves 0.2 % of them wrong.
const MIN_AGREEMENT: f64 = 0.9999;

/// The newest canvas the monitor saved, by its sequence number.
fn newest_canvas(dir: &Path) -> Option<(u64, PathBuf)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            let n: u64 = p.file_stem()?.to_str()?.parse().ok()?;
            (p.extension()? == "png").then_some((n, p))
        })
        .max()
}

fn signal(child: &std::process::Child, sig: &str) {
    let st = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success(), "kill {sig} failed");
}

/// The real monitor on a clip, under Xvfb: with `HUNCH_DEBUG_CANVAS_DIR` it
/// saves every canvas it hands to the window. The test freezes the process
/// (SIGSTOP) once a few frames are up, takes a screenshot, and compares the
/// window's region pixel by pixel with the newest saved canvas. Stopped just
/// between presenting and saving, the screen can be one frame ahead of the
/// file: then it lets the monitor run to its next frame and looks again.
#[test]
fn the_window_shows_exactly_what_the_monitor_drew() {
    if std::env::var_os("DISPLAY").is_none() {
        hunch::testdata::note_skip(
            hunch::testdata::SkipReason::Other,
            "monitor window test",
            "no DISPLAY (run it under xvfb-run, as ./test.sh does)",
        );
        return;
    }
    let Some(data) = hunch::testdata::shared_data_or_skip("monitor window test") else {
        return;
    };
    let _screen = screen();
    let tmp = tempfile::tempdir().unwrap();
    let clip_path = tmp.path().join("sitting.mp4");
    hunch::capture::clip::make_clip(
        &data,
        &hunch::capture::clip::good_slouch_good(20.0, 20.0),
        &clip_path,
    )
    .unwrap();
    let canvases = tmp.path().join("canvases");
    std::fs::create_dir_all(&canvases).unwrap();
    let mut child = crate::common::hunch()
        .arg("--input")
        .arg(&clip_path)
        .arg("--no-history")
        .env("HUNCH_DEBUG_CANVAS_DIR", &canvases)
        .env_remove("HUNCH_CONFIG")
        .env("XDG_CONFIG_HOME", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut result = None;
    for attempt in 0..5 {
        // Wait for a canvas newer than any seen so far (at least the third).
        let after = result.as_ref().map_or(2, |(n, _, _)| *n);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("hunch ended ({status}) before showing enough frames");
            }
            if newest_canvas(&canvases).is_some_and(|(n, _)| n > after) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        signal(&child, "-STOP");
        let (n, path) = newest_canvas(&canvases).unwrap();
        let canvas = image::open(&path).unwrap().into_rgb8();
        let shot = screenshot(&tmp.path().join(format!("shot-{attempt}.png")));
        let found = locate(&shot, &canvas).map(|at| (at, agreement(&shot, &canvas, at, 2)));
        signal(&child, "-CONT");
        if let Some(g) = std::env::var_os("HUNCH_RENDER_GALLERY") {
            let g = PathBuf::from(g);
            std::fs::create_dir_all(&g).unwrap();
            shot.save(g.join("xvfb-monitor-screenshot.png")).unwrap();
            canvas.save(g.join("xvfb-monitor-canvas.png")).unwrap();
        }
        let matched = found.is_some_and(|(_, (share, _))| share >= MIN_AGREEMENT);
        result = Some((n, found, canvas.dimensions()));
        if matched {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let (n, found, (w, h)) = result.unwrap();
    let ((x, y), (share, worst)) =
        found.unwrap_or_else(|| panic!("canvas {n} ({w}x{h}) is nowhere on the screen"));
    eprintln!(
        "canvas {n} ({w}x{h}) at ({x}, {y}): {:.4} % of pixels within 2 levels, largest difference {worst}",
        share * 100.0
    );
    assert!(
        share >= MIN_AGREEMENT,
        "the window at ({x}, {y}) differs from canvas {n}: only {:.3} % of pixels agree (largest difference {worst})",
        share * 100.0
    );
}
