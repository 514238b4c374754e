//! The compact overlay and autostart:
//!
//! - the compact layout drawn over real frames in the good, slumping,
//!   prompt and coach states, beside the full window's layout (set
//!   HUNCH_RENDER_GALLERY=DIR to keep the PNGs);
//! - `hunch --compact` under Xvfb: the window found with `xwininfo` at
//!   320x180, always on top (`_NET_WM_STATE_ABOVE` by `xprop`), borderless,
//!   its header in the state's colour on a screenshot, and its mode
//!   remembered in the config dir after it quits;
//! - `hunch autostart enable|status|disable` in a temporary XDG home.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hunch::landmarks::Pose;
use hunch::posture::{self, State, Thresholds};
use hunch::render::theme::{lighten, state_colour};
use hunch::render::{CalibrationView, CoachPanel, OverlayModel, Renderer, save_png};
use hunch::testdata::{SkipReason, note_skip, shared_data_or_skip};
use image::RgbImage;

const GOOD: &str = "posture/side-ssb/SSB_STRAIGHT1.jpg";
const SLUMPED: &str = "posture/side-ssb/SSB_TECH_NECK1.jpg";

fn out_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("HUNCH_RENDER_GALLERY") {
        Some(d) => {
            let p = PathBuf::from(d);
            std::fs::create_dir_all(&p).unwrap();
            (None, p)
        }
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    }
}

fn near(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    (0..3).all(|i| (a[i] as i32 - b[i] as i32).abs() <= tol)
}

fn count(img: &RgbImage, area: (u32, u32, u32, u32), c: [u8; 3], tol: i32) -> usize {
    let mut n = 0;
    for y in area.1..area.3.min(img.height()) {
        for x in area.0..area.2.min(img.width()) {
            if near(img.get_pixel(x, y).0, c, tol) {
                n += 1;
            }
        }
    }
    n
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shot {
    Good,
    Slumping,
    Prompt,
    Coach,
}

fn model<'a>(shot: Shot, img: &'a RgbImage, pose: &'a Pose) -> OverlayModel<'a> {
    let a = posture::judge_pose(Some(pose), None, None, &Thresholds::default());
    let mut m = OverlayModel::new(img);
    m.pose = Some(pose);
    m.mirror = true;
    m.calibration = CalibrationView::Calibrated;
    (m.head, m.shoulders) = hunch::monitor::gauges(&a.judgement);
    m.state = State::from(a.judgement.verdict);
    m.state_seconds = 125.0;
    let stretch = &hunch::stretches::library().unwrap()[0];
    match shot {
        Shot::Good | Shot::Slumping => {
            m.prompt_progress = if shot == Shot::Slumping { 0.6 } else { 0.0 };
        }
        Shot::Prompt => {
            m.prompt = Some(hunch::monitor::prompt_card(
                stretch,
                "Forward head for 30 s",
                7.0,
            ));
        }
        Shot::Coach => {
            m.coach = Some(CoachPanel {
                title: stretch.name.clone(),
                reps_done: 3,
                reps_target: Some(8),
                hold_remaining_s: None,
                time_remaining_s: Some(40.0),
                hint: Some("Chin straight back, then hold".into()),
                verified: true,
                paused: false,
                progress: 0.4,
                rep_word: "reps",
            });
        }
    }
    m
}

#[test]
fn compact_overlay_shows_state_gauges_prompt_and_coach_on_real_frames() {
    let Some(dir) = shared_data_or_skip("compact overlay gallery") else {
        return;
    };
    let refs = hunch::testdata::load_reference(&dir).unwrap();
    let (_keep, out) = out_dir();
    let mut r = Renderer::new().unwrap();
    for shot in [Shot::Good, Shot::Slumping, Shot::Prompt, Shot::Coach] {
        let key = if shot == Shot::Good { GOOD } else { SLUMPED };
        let img = hunch::frame::load_image(&dir.join(key)).unwrap();
        let pose = refs[key].pose.clone().unwrap();
        let m = model(shot, &img, &pose);
        if shot == Shot::Good {
            assert_eq!(m.state, State::Good, "{key} is judged good");
        } else {
            assert!(
                m.state.is_slumped(),
                "{key} is judged slumped: {:?}",
                m.state
            );
        }
        let mut compact = RgbImage::new(320, 180);
        r.render(&m, &mut compact);
        let mut full = RgbImage::new(960, 640);
        r.render(&m, &mut full);
        // Side by side, for a look.
        let mut both = RgbImage::from_pixel(960 + 24 + 320, 640, image::Rgb([60, 60, 60]));
        image::imageops::replace(&mut both, &full, 0, 0);
        image::imageops::replace(&mut both, &compact, 984, 0);
        save_png(&both, &out.join(format!("compact-{shot:?}.png"))).unwrap();
        save_png(&compact, &out.join(format!("compact-{shot:?}-320x180.png"))).unwrap();

        let colour = state_colour(m.state);
        // The header carries the state colour across the width.
        assert!(
            count(&compact, (0, 0, 320, 4), colour, 0) >= 320 * 4 * 9 / 10,
            "{shot:?}: header"
        );
        // The skeleton is drawn on the picture (left, below the header).
        assert!(
            count(&compact, (10, 44, 150, 154), lighten(colour, 0.15), 12) >= 20,
            "{shot:?}: skeleton"
        );
        // The right column carries bright text: gauges, card or counter.
        let bright = |img: &RgbImage| {
            let mut n = 0;
            for y in 44..150 {
                for x in 160..310 {
                    let p = img.get_pixel(x, y).0;
                    if p.iter().all(|&v| v > 200) {
                        n += 1;
                    }
                }
            }
            n
        };
        assert!(bright(&compact) > 30, "{shot:?}: column text");
        match shot {
            Shot::Good | Shot::Slumping => {
                // Gauge bars in OK or WARN colour.
                let ok = count(&compact, (160, 60, 310, 150), hunch::render::theme::OK, 0);
                let warn = count(&compact, (160, 60, 310, 150), hunch::render::theme::WARN, 0);
                if shot == Shot::Good {
                    assert!(ok > 100, "good: bars inside their limits ({ok})");
                } else {
                    assert!(warn > 100, "slumping: a bar past its limit ({warn})");
                }
            }
            Shot::Prompt => {
                // The countdown bar in the caution colour, the keys below.
                let caution = hunch::render::theme::CAUTION;
                assert!(count(&compact, (160, 120, 310, 156), caution, 0) > 50);
                assert!(count(&compact, (0, 156, 320, 180), hunch::render::theme::TRACK, 0) > 60);
            }
            Shot::Coach => {
                // The big counter in the state colour's light tint.
                assert!(count(&compact, (160, 60, 310, 100), lighten(colour, 0.2), 10) > 80);
            }
        }
    }
}

fn tool(name: &str, what: &str) -> bool {
    let ok = Command::new(name)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        note_skip(
            SkipReason::Other,
            what,
            &format!("{name} is missing (scripts/setup.sh installs x11-utils)"),
        );
    }
    ok
}

/// hunch's top-level window: (id, width, height, x, y) from `xwininfo`.
fn find_window() -> Option<(String, u32, u32, i32, i32)> {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let line = line.trim();
        // 0x400001 "hunch": ()  320x180+0+0  +0+0
        if !line.contains("\"hunch\"") {
            continue;
        }
        let id = line.split_whitespace().next()?.to_string();
        let geo = line
            .split_whitespace()
            .find(|w| w.contains('x') && w.contains('+') && !w.starts_with("0x"))?;
        let (size, pos) = geo.split_once('+')?;
        let (w, h) = size.split_once('x')?;
        let (x, y) = pos.split_once('+')?;
        return Some((
            id,
            w.parse().ok()?,
            h.parse().ok()?,
            x.parse().ok()?,
            y.parse().ok()?,
        ));
    }
    None
}

#[test]
fn compact_window_is_small_on_top_and_in_the_state_colour_under_xvfb() {
    let what = "compact window under Xvfb";
    if std::env::var_os("DISPLAY").is_none() {
        note_skip(
            SkipReason::Other,
            what,
            "no DISPLAY (run it under xvfb-run, as ./test.sh does)",
        );
        return;
    }
    let Some(data) = shared_data_or_skip(what) else {
        return;
    };
    if !tool("xwininfo", what) || !tool("xprop", what) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let clip = tmp.path().join("clip.mp4");
    hunch::capture::clip::make_clip(
        &data,
        &hunch::capture::clip::good_slouch_good(20.0, 20.0),
        &clip,
    )
    .unwrap();
    let config = tmp.path().join("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hunch"))
        .arg("--input")
        .arg(&clip)
        .args(["--compact", "--no-tray", "--no-lock-pause", "--no-history"])
        .env_remove("HUNCH_CONFIG")
        .env("XDG_CONFIG_HOME", &config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the window (and for hunch to have drawn a judged frame).
    let found = loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("hunch ended ({status}) before its window showed");
        }
        if let Some(w) = find_window() {
            break w;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let (id, w, h, x, y) = found;
    assert_eq!((w, h), (320, 180), "the compact window's size");
    let prop = |name: &str| {
        let out = Command::new("xprop")
            .args(["-id", &id, name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let state = prop("_NET_WM_STATE");
    assert!(state.contains("_NET_WM_STATE_ABOVE"), "{state}");
    let motif = prop("_MOTIF_WM_HINTS");
    assert!(motif.contains("0x2, 0x0, 0x0"), "borderless: {motif}");

    // The header in a state's colour: wait until the picture is judged.
    let colours: Vec<[u8; 3]> = [
        State::Good,
        State::ForwardHead,
        State::RoundedShoulders,
        State::Slouch,
        State::LookingDown,
        State::Away,
    ]
    .into_iter()
    .map(state_colour)
    .collect();
    let shot_path = tmp.path().join("screen.png");
    let mut seen = None;
    while seen.is_none() {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let st = Command::new("import")
            .args(["-window", "root"])
            .arg(&shot_path)
            .status()
            .unwrap();
        assert!(st.success());
        let shot = image::open(&shot_path).unwrap().into_rgb8();
        let (px, py) = ((x + 2) as u32, (y + 2) as u32);
        let c = shot.get_pixel(px, py).0;
        if colours.contains(&c) && c != state_colour(State::Away) {
            // The whole top row of the window in that colour.
            let run = (0..320)
                .filter(|dx| shot.get_pixel(px - 2 + dx, py).0 == c)
                .count();
            assert!(run >= 316, "header row: {run} of 320 in {c:?}");
            seen = Some(c);
            if let Some(d) = std::env::var_os("HUNCH_RENDER_GALLERY") {
                std::fs::copy(&shot_path, Path::new(&d).join("compact-xvfb.png")).unwrap();
            }
        }
    }
    assert!(
        seen.is_some(),
        "the window never showed a judged state's colour"
    );
    // Quit as Ctrl-C would; the mode and place are remembered.
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let place = std::fs::read_to_string(config.join("hunch/window.toml")).unwrap();
    assert!(place.contains("mode = \"compact\""), "{place}");
    assert!(place.contains("compact_x"), "{place}");
}

#[test]
fn autostart_entries_are_written_shown_and_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_hunch"))
            .arg("autostart")
            .args(args)
            .env_remove("HUNCH_CONFIG")
            .env("HOME", tmp.path())
            .env("XDG_CONFIG_HOME", tmp.path().join("config"))
            .env("XDG_DATA_HOME", tmp.path().join("data"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let entry = tmp.path().join("config/autostart/hunch.desktop");
    let menu = tmp.path().join("data/applications/hunch.desktop");
    let icon = tmp
        .path()
        .join("data/icons/hicolor/scalable/apps/hunch.svg");
    assert!(run(&["status"]).contains("autostart off"));

    let said = run(&["enable", "--tray-only"]);
    assert!(said.contains("autostart on"), "{said}");
    let text = std::fs::read_to_string(&entry).unwrap();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_hunch")).unwrap();
    let exec = text.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap();
    let words = shlex::split(exec).unwrap();
    assert_eq!(std::fs::canonicalize(&words[0]).unwrap(), exe, "{exec}");
    assert_eq!(&words[1..], ["--tray-only"]);
    assert!(text.contains("Type=Application") && text.contains("Icon=hunch"));
    assert!(text.contains("X-GNOME-Autostart-enabled=true"));
    assert!(menu.is_file() && icon.is_file());
    assert!(std::fs::read_to_string(&icon).unwrap().starts_with("<svg"));
    assert!(run(&["status"]).contains("--tray-only"));

    // Enabling again with another mode replaces the entry.
    run(&["enable", "--compact"]);
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(text.contains("--compact") && !text.contains("--tray-only"));

    assert!(run(&["disable"]).contains("removed"));
    assert!(!entry.exists());
    assert!(run(&["status"]).contains("autostart off"));
    assert!(run(&["disable"]).contains("already off"));
    assert!(menu.is_file(), "the menu entry stays");
}
