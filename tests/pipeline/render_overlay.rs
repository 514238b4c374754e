//! The overlay drawn over real frames from ../shared/data, checked region by
//! region: the status bar in the state's colour, skeleton pixels at the
//! (mirrored) landmark positions, the prompt card only when the model asks
//! for it, and the calibration invitation only when not calibrated, at
//! 640x480 and at 1920x1080.
//!
//! Set HUNCH_RENDER_GALLERY=DIR to keep every rendered PNG for a look.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hunch::landmarks::{Pose, idx};
use hunch::posture::{State, View};
use hunch::render::theme::{self, state_colour};
use hunch::render::{
    CalibrationView, CoachPanel, Countdown, Gauge, Layout, OverlayModel, PromptCard, Renderer,
    SummaryCard, landmark_alpha, save_png,
};
use image::{Rgb, RgbImage};

const SIDE_GOOD: &str = "posture/side-ssb/SSB_STRAIGHT1.jpg";
const SIDE_FORWARD: &str = "posture/side-ssb/SSB_TECH_NECK1.jpg";
const FRONT_GOOD: &str = "posture/front-ekam-1023/Photo-on-2025-10-23-at-9.08-PM-3.jpg";
const FRONT_SLOUCH: &str = "posture/front-ekam-1023/Photo-on-2025-10-23-at-9.07-PM.jpg";

const SIZES: [(u32, u32); 2] = [(640, 480), (1920, 1080)];

struct Data {
    dir: PathBuf,
    refs: BTreeMap<String, hunch::testdata::Reference>,
}

fn data(what: &str) -> Option<Data> {
    let dir = hunch::testdata::shared_data_or_skip(what)?;
    let refs = hunch::testdata::load_reference(&dir).unwrap();
    Some(Data { dir, refs })
}

impl Data {
    fn frame(&self, key: &str) -> (RgbImage, Pose) {
        let img = hunch::frame::load_image(&self.dir.join(key)).unwrap();
        let pose = self.refs[key].pose.clone().expect("reference pose");
        assert_eq!(
            (img.width(), img.height()),
            (pose.image_width, pose.image_height)
        );
        (img, pose)
    }
}

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

fn cva_gauge(value: f32) -> Gauge {
    Gauge {
        label: "Forward head (CVA)".into(),
        value,
        baseline: Some(52.0),
        threshold: Some(46.0),
        unit: "°".into(),
        min: 25.0,
        max: 65.0,
        worse_when_lower: true,
        reliable: true,
    }
}

fn shoulder_gauge_side(value: f32) -> Gauge {
    Gauge {
        label: "Rounded shoulders".into(),
        value,
        baseline: Some(14.0),
        threshold: Some(22.0),
        unit: "°".into(),
        min: 0.0,
        max: 40.0,
        worse_when_lower: false,
        reliable: true,
    }
}

fn head_gauge_front(value: f32) -> Gauge {
    Gauge {
        label: "Forward head".into(),
        value,
        baseline: Some(0.0),
        threshold: Some(12.0),
        unit: "%".into(),
        min: -10.0,
        max: 30.0,
        worse_when_lower: false,
        reliable: true,
    }
}

fn shoulder_gauge_front(value: f32) -> Gauge {
    Gauge {
        label: "Rounded shoulders".into(),
        value,
        baseline: Some(0.0),
        threshold: Some(-8.0),
        unit: "%".into(),
        min: -25.0,
        max: 5.0,
        worse_when_lower: true,
        reliable: true,
    }
}

fn bruegger_prompt() -> PromptCard {
    PromptCard {
        title: "Brügger's relief position".into(),
        reason: "Slouching for 35 s".into(),
        steps: vec![
            "Sit on the front edge of your chair, feet apart and turned slightly out.".into(),
            "Let your arms hang, then turn your palms forward and thumbs back.".into(),
            "Lift your chest, tuck your chin and draw your shoulder blades down and back.".into(),
            "Breathe slowly into your belly while you hold.".into(),
        ],
        dose: "3 × 10 s hold".into(),
        countdown: Some(Countdown {
            remaining_s: 42.0,
            total_s: 60.0,
            caption: "to start".into(),
        }),
        safety: "Stop if it hurts. Numbness, tingling or pain spreading into the arms: see a professional.".into(),
        equipment: "Chair".into(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shot {
    GoodSide,
    ForwardHeadSide,
    SlouchPrompt,
    CoachMidSet,
    NotCalibrated,
    Calibrating,
    Away,
    Paused,
    Snoozed,
    LookingDownNotice,
    Help,
    Summary,
}

const ALL_SHOTS: [Shot; 12] = [
    Shot::GoodSide,
    Shot::ForwardHeadSide,
    Shot::SlouchPrompt,
    Shot::CoachMidSet,
    Shot::NotCalibrated,
    Shot::Calibrating,
    Shot::Away,
    Shot::Paused,
    Shot::Snoozed,
    Shot::LookingDownNotice,
    Shot::Help,
    Shot::Summary,
];

impl Shot {
    fn key(self) -> &'static str {
        match self {
            Shot::GoodSide | Shot::Help => SIDE_GOOD,
            Shot::ForwardHeadSide | Shot::Snoozed => SIDE_FORWARD,
            Shot::SlouchPrompt | Shot::LookingDownNotice => FRONT_SLOUCH,
            _ => FRONT_GOOD,
        }
    }
}

/// Fills the model for one shot.
fn shot<'a>(
    which: Shot,
    frame: &'a RgbImage,
    pose: &'a Pose,
    empty: &'a RgbImage,
) -> OverlayModel<'a> {
    let mut m = OverlayModel::new(frame);
    m.pose = Some(pose);
    m.fps = 4.0;
    m.pipeline_ms = 23.0;
    match which {
        Shot::GoodSide => {
            m.view = Some(View::Side);
            m.state = State::Good;
            m.state_seconds = 754.0;
            m.head = Some(cva_gauge(51.0));
            m.shoulders = Some(shoulder_gauge_side(15.0));
        }
        Shot::ForwardHeadSide => {
            m.view = Some(View::Side);
            m.state = State::ForwardHead;
            m.state_seconds = 21.0;
            m.prompt_progress = 0.7;
            m.head = Some(cva_gauge(41.0));
            m.shoulders = Some(shoulder_gauge_side(19.0));
        }
        Shot::SlouchPrompt => {
            m.view = Some(View::Front);
            m.state = State::Slouch;
            m.state_seconds = 35.0;
            m.prompt_progress = 1.0;
            m.head = Some(head_gauge_front(18.0));
            m.shoulders = Some(shoulder_gauge_front(-11.0));
            m.prompt = Some(bruegger_prompt());
        }
        Shot::CoachMidSet => {
            m.view = Some(View::Front);
            m.state = State::Good;
            m.state_seconds = 48.0;
            m.head = Some(head_gauge_front(3.0));
            m.shoulders = Some(shoulder_gauge_front(-2.0));
            m.coach = Some(CoachPanel {
                title: "Chin tucks".into(),
                reps_done: 4,
                reps_target: Some(10),
                hold_remaining_s: Some(2.0),
                time_remaining_s: Some(50.0),
                hint: Some("Slide your chin straight back, eyes level.".into()),
                verified: true,
                paused: false,
                progress: 0.4,
                rep_word: "reps",
            });
        }
        Shot::NotCalibrated => {
            m.view = Some(View::Front);
            m.state = State::Uncertain;
            m.state_seconds = 6.0;
            m.calibration = CalibrationView::NotCalibrated;
            let mut h = head_gauge_front(f32::NAN);
            h.baseline = None;
            h.threshold = None;
            m.head = Some(h);
        }
        Shot::Calibrating => {
            m.view = Some(View::Front);
            m.state = State::Uncertain;
            m.state_seconds = 3.0;
            m.calibration = CalibrationView::Calibrating { progress: 0.6 };
        }
        Shot::Away => {
            m.pose = None;
            m.view = Some(View::Front);
            m.state = State::Away;
            m.state_seconds = 185.0;
        }
        Shot::Paused => {
            m.frame = empty;
            m.pose = None;
            m.state = State::Paused;
            m.state_seconds = 320.0;
            m.fps = 0.0;
            m.pipeline_ms = 0.0;
        }
        Shot::Snoozed => {
            m.view = Some(View::Side);
            m.state = State::Snoozed;
            m.state_seconds = 240.0;
            m.notice = Some("Snoozed until 14:35 (30 minutes)".into());
            m.head = Some(cva_gauge(44.0));
            m.shoulders = Some(shoulder_gauge_side(17.0));
        }
        Shot::LookingDownNotice => {
            m.view = Some(View::Front);
            m.state = State::LookingDown;
            m.state_seconds = 14.0;
            m.notice = Some("Camera lost — retrying in 4 s".into());
            m.head = Some(Gauge {
                reliable: false,
                ..head_gauge_front(9.0)
            });
            m.shoulders = Some(shoulder_gauge_front(-4.0));
        }
        Shot::Help => {
            m.view = Some(View::Side);
            m.show_help = true;
            m.head = Some(cva_gauge(50.0));
            m.shoulders = Some(shoulder_gauge_side(13.0));
        }
        Shot::Summary => {
            m.view = Some(View::Front);
            m.head = Some(head_gauge_front(1.0));
            m.shoulders = Some(shoulder_gauge_front(0.0));
            m.summary = Some(SummaryCard {
                title: "Chin tucks done".into(),
                lines: vec![
                    "10 of 10 reps, each held 3 s.".into(),
                    "Your head sits 6% further back than before the stretch.".into(),
                ],
                verified: true,
            });
        }
    }
    m
}

fn near(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    (0..3).all(|i| (a[i] as i32 - b[i] as i32).abs() <= tol)
}

fn count_colour(img: &RgbImage, r: (f32, f32, f32, f32), c: [u8; 3], tol: i32) -> usize {
    let (x0, y0, x1, y1) = (
        r.0.max(0.0) as u32,
        r.1.max(0.0) as u32,
        (r.2 as u32).min(img.width()),
        (r.3 as u32).min(img.height()),
    );
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            if near(img.get_pixel(x, y).0, c, tol) {
                n += 1;
            }
        }
    }
    n
}

fn render_to(r: &mut Renderer, m: &OverlayModel, size: (u32, u32)) -> RgbImage {
    let mut canvas = RgbImage::new(size.0, size.1);
    r.render(m, &mut canvas);
    canvas
}

#[test]
fn every_state_renders_on_real_frames_and_is_saved_as_png() {
    let Some(d) = data("render gallery") else {
        return;
    };
    let (_keep, dir) = out_dir();
    let mut r = Renderer::new().unwrap();
    let empty = RgbImage::new(0, 0);
    for s in ALL_SHOTS {
        let (img, pose) = d.frame(s.key());
        let m = shot(s, &img, &pose, &empty);
        for size in SIZES.iter().copied().chain([(480, 360), (1280, 720)]) {
            let canvas = render_to(&mut r, &m, size);
            let path = dir.join(format!("{s:?}-{}x{}.png", size.0, size.1));
            save_png(&canvas, &path).unwrap();
            let back = image::open(&path).unwrap().into_rgb8();
            assert_eq!(back.dimensions(), size);
            // The status bar carries the state's colour at its left end.
            let l = Layout::for_model(&m, size.0, size.1);
            let y = (l.bar.h * 0.15) as u32;
            assert_eq!(
                back.get_pixel(1, y).0,
                state_colour(m.state),
                "{s:?} {size:?}"
            );
        }
    }
}

/// Skeleton pixels around the shoulders' positions on the canvas: the white
/// joint rim and the state-coloured centre.
fn joint_drawn(canvas: &RgbImage, at: (f32, f32), state: State) -> bool {
    let colour = theme::lighten(state_colour(state), 0.12);
    let r = 8.0;
    let area = (at.0 - r, at.1 - r, at.0 + r, at.1 + r);
    count_colour(canvas, area, [250, 250, 250], 6) >= 3
        && count_colour(canvas, area, colour, 10) >= 2
}

#[test]
fn skeleton_is_drawn_at_the_landmarks_and_follows_the_mirror() {
    let Some(d) = data("skeleton placement") else {
        return;
    };
    let mut r = Renderer::new().unwrap();
    let empty = RgbImage::new(0, 0);
    for key in [SIDE_GOOD, FRONT_GOOD] {
        let (img, pose) = d.frame(key);
        for size in SIZES {
            for mirror in [true, false] {
                let mut m = shot(Shot::GoodSide, &img, &pose, &empty);
                m.mirror = mirror;
                let canvas = render_to(&mut r, &m, size);
                let l = Layout::for_model(&m, size.0, size.1);
                let mut checked = 0;
                for i in [idx::LEFT_SHOULDER, idx::RIGHT_SHOULDER, idx::NOSE] {
                    let lm = &pose.landmarks[i];
                    if landmark_alpha(lm) < 1.0 {
                        continue;
                    }
                    let here = l.map_point(lm.x, lm.y, pose.image_width, pose.image_height, mirror);
                    assert!(l.frame.contains(here.0, here.1));
                    assert!(
                        joint_drawn(&canvas, here, m.state),
                        "{key} {size:?} mirror={mirror}: no joint at landmark {i} {here:?}"
                    );
                    // And not at the other side's place, unless that is close by.
                    let there =
                        l.map_point(lm.x, lm.y, pose.image_width, pose.image_height, !mirror);
                    if (there.0 - here.0).abs() > 40.0 {
                        let lone = pose.landmarks.iter().all(|o| {
                            let p =
                                l.map_point(o.x, o.y, pose.image_width, pose.image_height, mirror);
                            (p.0 - there.0).hypot(p.1 - there.1) > 30.0
                        });
                        if lone {
                            assert!(
                                !joint_drawn(&canvas, there, m.state),
                                "{key} mirror={mirror}"
                            );
                        }
                    }
                    checked += 1;
                }
                assert!(checked >= 2, "{key}: too few confident landmarks to check");
            }
        }
    }
}

#[test]
fn unsure_landmarks_are_faint_or_hidden() {
    let Some(d) = data("unsure landmarks") else {
        return;
    };
    let mut r = Renderer::new().unwrap();
    let empty = RgbImage::new(0, 0);
    let (img, pose) = d.frame(FRONT_GOOD);
    let mut doubtful = pose.clone();
    for lm in doubtful.landmarks.iter_mut() {
        lm.visibility = 0.05;
    }
    let size = (640, 480);
    let mut m = shot(Shot::GoodSide, &img, &doubtful, &empty);
    let with = render_to(&mut r, &m, size);
    m.pose = None;
    let without = render_to(&mut r, &m, size);
    assert_eq!(
        with, without,
        "landmarks below 0.2 visibility must not be drawn"
    );
}

/// Pixels of the safety line's colour: only the prompt card uses it over the picture.
fn caution_pixels(canvas: &RgbImage, l: &Layout) -> usize {
    let r = l.frame_area;
    count_colour(canvas, (r.x, r.y, r.right(), r.bottom()), theme::CAUTION, 8)
}

#[test]
fn prompt_card_appears_only_when_the_model_asks_for_it() {
    let Some(d) = data("prompt card") else { return };
    let mut r = Renderer::new().unwrap();
    let empty = RgbImage::new(0, 0);
    let (img, pose) = d.frame(FRONT_SLOUCH);
    for size in SIZES {
        let mut m = shot(Shot::SlouchPrompt, &img, &pose, &empty);
        let l = Layout::for_model(&m, size.0, size.1);
        let with = render_to(&mut r, &m, size);
        m.prompt = None;
        let without = render_to(&mut r, &m, size);
        // The card is dark and opaque at the middle of the picture; the picture is not.
        let (cx, cy) = (l.frame_area.cx() as u32, l.frame_area.cy() as u32);
        let card = |c: &RgbImage| near(c.get_pixel(cx, cy).0, theme::CARD, 12);
        assert!(card(&with), "{size:?}: no card in the middle");
        assert!(
            !card(&without),
            "{size:?}: card-coloured middle without a prompt"
        );
        // Its safety line is there, in the caution colour.
        assert!(caution_pixels(&with, &l) > 40, "{size:?}: no safety line");
        assert_eq!(caution_pixels(&without, &l), 0, "{size:?}");
        // The status bar says the state either way.
        assert_eq!(with.get_pixel(1, 1).0, state_colour(State::Slouch));
        assert_eq!(without.get_pixel(1, 1).0, state_colour(State::Slouch));
    }
}

#[test]
fn calibration_invitation_shows_until_calibrated() {
    let Some(d) = data("calibration card") else {
        return;
    };
    let mut r = Renderer::new().unwrap();
    let empty = RgbImage::new(0, 0);
    let (img, pose) = d.frame(FRONT_GOOD);
    for size in SIZES {
        let mut m = shot(Shot::NotCalibrated, &img, &pose, &empty);
        let l = Layout::for_model(&m, size.0, size.1);
        let area = l.frame_area;
        let lower = (area.x, area.cy(), area.right(), area.bottom());
        let info = |c: &RgbImage| count_colour(c, lower, theme::INFO, 6);
        let invite = render_to(&mut r, &m, size);
        m.calibration = CalibrationView::Calibrating { progress: 0.5 };
        let calibrating = render_to(&mut r, &m, size);
        m.calibration = CalibrationView::Calibrated;
        let done = render_to(&mut r, &m, size);
        let accent_min = (area.w.min(470.0 * l.scale) * 2.0) as usize;
        assert!(info(&invite) > accent_min, "{size:?}: no invitation card");
        assert!(
            info(&calibrating) > info(&invite),
            "{size:?}: no progress bar while calibrating"
        );
        assert_eq!(
            info(&done),
            0,
            "{size:?}: calibration card after calibrating"
        );
    }
}

#[test]
fn rendering_odd_inputs_does_not_panic() {
    let mut r = Renderer::new().unwrap();
    let frame = RgbImage::from_pixel(3, 2, Rgb([90, 90, 90]));
    let mut pose = Pose {
        landmarks: [Default::default(); 33],
        world: [[0.0; 3]; 33],
        presence: 1.0,
        image_width: 0,
        image_height: 0,
    };
    for (i, lm) in pose.landmarks.iter_mut().enumerate() {
        lm.x = [f32::NAN, f32::INFINITY, -1e30, 1e30, 1.0][i % 5];
        lm.y = [1.0, f32::NAN, 1e30, -5.0, 0.5][i % 5];
        lm.visibility = 1.0;
        lm.presence = 1.0;
    }
    let mut m = OverlayModel::new(&frame);
    m.pose = Some(&pose);
    m.state_seconds = f64::NAN;
    m.prompt_progress = f32::INFINITY;
    m.fps = f32::NAN;
    m.head = Some(Gauge {
        min: 5.0,
        max: 5.0,
        ..cva_gauge(f32::NAN)
    });
    m.shoulders = Some(Gauge {
        threshold: Some(f32::INFINITY),
        ..shoulder_gauge_side(1e30)
    });
    m.prompt = Some(PromptCard {
        steps: vec!["x".repeat(500); 30],
        ..bruegger_prompt()
    });
    m.coach = Some(CoachPanel {
        title: String::new(),
        reps_done: u32::MAX,
        reps_target: Some(0),
        hold_remaining_s: Some(f32::NAN),
        time_remaining_s: Some(-3.0),
        hint: Some(String::new()),
        verified: false,
        paused: true,
        progress: f32::NAN,
        rep_word: "reps",
    });
    m.calibration = CalibrationView::Calibrating { progress: f32::NAN };
    m.notice = Some("n".repeat(1000));
    m.show_help = true;
    for size in [
        (1, 1),
        (7, 5),
        (160, 120),
        (640, 480),
        (3000, 200),
        (200, 3000),
    ] {
        let mut canvas = RgbImage::new(size.0, size.1);
        r.render(&m, &mut canvas);
    }
    let mut canvas = RgbImage::new(0, 0);
    r.render(&m, &mut canvas);
}

#[test]
fn free_function_and_u32_conversion_agree_with_the_renderer() {
    let frame = RgbImage::from_pixel(64, 48, Rgb([10, 200, 30]));
    let m = OverlayModel::new(&frame);
    let mut a = RgbImage::new(320, 240);
    hunch::render::render(&m, &mut a).unwrap();
    let mut b = RgbImage::new(320, 240);
    Renderer::new().unwrap().render(&m, &mut b);
    assert_eq!(a, b);
    let mut buf = Vec::new();
    hunch::render::to_u32_buffer(&a, &mut buf);
    assert_eq!(buf.len(), 320 * 240);
    let p = a.get_pixel(5, 7).0;
    assert_eq!(
        buf[7 * 320 + 5],
        (p[0] as u32) << 16 | (p[1] as u32) << 8 | p[2] as u32
    );
    let cap = buf.capacity();
    hunch::render::to_u32_buffer(&a, &mut buf);
    assert_eq!(buf.capacity(), cap, "the buffer is reused");
}

#[test]
fn save_png_reports_the_path_on_failure() {
    let canvas = RgbImage::new(4, 4);
    let err = save_png(&canvas, Path::new("/nonexistent-dir/x.png")).unwrap_err();
    assert!(err.to_string().ends_with("/nonexistent-dir/x.png"), "{err}");
}
