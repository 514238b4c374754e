//! The overlay: what the window shows, drawn into a plain RGB buffer.
//!
//! Rendering is a pure function of an [`OverlayModel`] (the picture, the pose,
//! the state and everything the user should see) and the canvas size, so it
//! is tested and written to PNG (`hunch analyze --render DIR`) without a
//! window. The model is a view model: the other stages fill it from their own
//! types, and nothing here reaches into their internals.
//!
//! Layout, top to bottom: a status bar in the state's colour (state in words,
//! how long, a bar filling towards the stretch prompt), an optional notice
//! line, the picture (letterboxed, mirrored by default) with the skeleton
//! over it, the two Upper Cross gauges (below the picture, or beside it when
//! the window is wide), and a quiet footer (keys, view, frames per second,
//! pipeline time). Cards (calibration, stretch prompt, coach, summary, keys)
//! are drawn over the picture. Sizes scale with the canvas, so it reads at
//! 640x480 and at 1920x1080 alike.
//!
//! Keep one [`Renderer`] and one canvas between frames: glyphs are rasterised
//! once and the picture scaler's tables are reused, so a steady-state frame
//! allocates nothing frame-sized.

mod bars;
mod cards;
pub mod compact;
mod gauges;
mod layout;
mod model;
mod picture;
mod raster;
mod text;
pub mod theme;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use image::RgbImage;

use crate::landmarks::{Landmark, Pose, UPPER_BODY_EDGES, idx};
use crate::posture::{State, View};

use raster::{Canvas, Rect, Rgb, ScaleScratch};
use text::{Style, Text};
use theme::*;

use bars::*;
use cards::*;
use gauges::*;
use picture::*;

pub use gauges::{head_alarm, shoulders_alarm};
pub use layout::Layout;
pub use model::{
    CalibrationView, CoachPanel, Countdown, Gauge, OverlayModel, PromptCard, SummaryCard,
};

/// Why rendering or saving a rendered frame failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "the embedded DejaVu font could not be read: this build of hunch is damaged; reinstall it"
    )]
    Font,
    #[error("cannot write the rendered frame ({source}): check that the folder exists and is writable: {}", path.display())]
    Save {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
}

/// Draws overlays; keep one between frames (it caches glyphs and scaler tables).
pub struct Renderer {
    text: Text,
    scratch: ScaleScratch,
}

/// A landmark drawn at full strength from this confidence up…
const SURE: f32 = 0.5;
/// …faint from this one, and not at all below it.
const UNSURE: f32 = 0.2;

/// A point on the canvas.
type Point = (f32, f32);

/// Arms, shoulders and trunk: the shared upper-body edges without the face
/// and neck (the neck is drawn by view, see [`Renderer::render`]).
fn body_bones() -> impl Iterator<Item = (usize, usize)> {
    UPPER_BODY_EDGES
        .iter()
        .copied()
        .filter(|&(a, b)| !is_face(a) && !is_face(b))
}

fn is_face(i: usize) -> bool {
    i <= idx::MOUTH_RIGHT
}

/// Drawing opacity for a landmark from its visibility and presence.
pub fn landmark_alpha(lm: &Landmark) -> f32 {
    // f32::min ignores NaN: a NaN confidence must not count as sure.
    let v = lm.visibility.min(lm.presence);
    let sane = [lm.visibility, lm.presence, lm.x, lm.y]
        .iter()
        .all(|v| v.is_finite());
    if !sane {
        0.0
    } else if v >= SURE {
        1.0
    } else if v >= UNSURE {
        0.35
    } else {
        0.0
    }
}

/// "12 s", "3 min 05 s", "25 min", "1 h 05 min".
pub fn format_duration(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "0 s".to_string();
    }
    let t = s.floor() as u64;
    if t < 60 {
        format!("{t} s")
    } else if t < 600 {
        format!("{} min {:02} s", t / 60, t % 60)
    } else if t < 3600 {
        format!("{} min", t / 60)
    } else {
        format!("{} h {:02} min", t / 3600, (t % 3600) / 60)
    }
}

/// "25 s" below a minute, "1:05" above.
fn format_clock(s: f32) -> String {
    if !s.is_finite() || s <= 0.0 {
        return "0 s".to_string();
    }
    let t = s.ceil() as u64;
    if t < 60 {
        format!("{t} s")
    } else {
        format!("{}:{:02}", t / 60, t % 60)
    }
}

/// One frame's drawing context.
struct Ctx<'c, 't> {
    c: Canvas<'c>,
    t: &'t mut Text,
    s: f32,
}

impl Ctx<'_, '_> {
    /// A base size (at 640x480) in pixels for this canvas.
    fn u(&self, v: f32) -> f32 {
        v * self.s
    }
    fn text(&mut self, x: f32, y: f32, s: &str, size: f32, bold: bool, color: Rgb) -> f32 {
        self.t
            .draw(&mut self.c, x, y, s, Style::new(size, bold, color))
    }
    fn text_alpha(&mut self, x: f32, y: f32, s: &str, st: Style, a: f32) -> f32 {
        self.t.draw_alpha(&mut self.c, x, y, s, st, a)
    }
    fn measure(&self, s: &str, size: f32, bold: bool) -> f32 {
        self.t.measure(s, size, bold)
    }
    fn lh(&self, size: f32, bold: bool) -> f32 {
        self.t.line_height(size, bold)
    }
    /// A key cap with `label`; returns its width.
    fn keycap(&mut self, x: f32, y: f32, label: &str, size: f32, draw: bool) -> f32 {
        let pad = size * 0.45;
        let w = self.measure(label, size, true) + 2.0 * pad;
        if draw {
            let h = self.lh(size, true) + size * 0.2;
            self.c
                .round_rect(Rect::new(x, y, w, h), size * 0.3, TRACK, 1.0);
            self.text(x + pad, y + size * 0.1, label, size, true, TEXT);
        }
        w
    }
    /// A card with a shadow and a coloured top edge.
    fn card(&mut self, r: Rect, accent: Rgb) {
        let rad = self.u(10.0);
        let off = self.u(3.0).max(1.0);
        // The shadow shows only to the right and below: draw it only there.
        let shadow = Rect::new(r.x + off, r.y + off, r.w, r.h);
        self.c.set_clip(Some(Rect::new(
            r.right() - rad,
            r.y + off,
            rad + off + 1.0,
            r.h + off + 1.0,
        )));
        self.c.round_rect(shadow, rad, [0, 0, 0], 0.35);
        self.c.set_clip(Some(Rect::new(
            r.x + off,
            r.bottom() - rad,
            r.w - 2.0 * rad - off,
            rad + off + 1.0,
        )));
        self.c.round_rect(shadow, rad, [0, 0, 0], 0.35);
        let edge = self.u(4.0).max(2.0).round();
        self.c
            .set_clip(Some(Rect::new(r.x - 1.0, r.y - 1.0, r.w + 2.0, edge + 1.0)));
        self.c.round_rect(r, rad, accent, 1.0);
        self.c.set_clip(Some(Rect::new(
            r.x - 1.0,
            r.y + edge,
            r.w + 2.0,
            r.h - edge + 1.0,
        )));
        self.c.round_rect(r, rad, CARD, 1.0);
        self.c.set_clip(None);
    }
    /// A rounded progress bar.
    fn progress(&mut self, r: Rect, frac: f32, track: Rgb, track_a: f32, fill: Rgb) {
        let frac = if frac.is_finite() {
            frac.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.c.round_rect(r, r.h / 2.0, track, track_a);
        if frac > 0.0 {
            let w = (r.w * frac).max(r.h);
            self.c
                .round_rect(Rect::new(r.x, r.y, w, r.h), r.h / 2.0, fill, 1.0);
        }
    }
}

impl Renderer {
    /// Loads the embedded font faces.
    pub fn new() -> Result<Renderer, RenderError> {
        Ok(Renderer {
            text: Text::new()?,
            scratch: ScaleScratch::default(),
        })
    }

    /// Draws `model` over the whole of `canvas` (any size).
    pub fn render(&mut self, model: &OverlayModel, canvas: &mut RgbImage) {
        let (w, h) = canvas.dimensions();
        if w == 0 || h == 0 {
            return;
        }
        if compact::wanted(w, h) {
            compact::render(&mut self.text, &mut self.scratch, model, canvas);
            return;
        }
        let l = Layout::for_model(model, w, h);
        let mut cx = Ctx {
            c: Canvas::new(canvas),
            t: &mut self.text,
            s: l.scale,
        };
        cx.c.clear(BACKGROUND);
        draw_picture(&mut cx, model, &l, &mut self.scratch);
        if model.state != State::Paused {
            draw_skeleton(&mut cx, model, &l);
        }
        draw_status_bar(&mut cx, model, &l);
        if let (Some(n), Some(r)) = (&model.notice, l.notice) {
            draw_notice(&mut cx, n, r);
        }
        let keys_listed = draw_panel(&mut cx, model, &l);
        draw_footer(&mut cx, model, &l, keys_listed);
        draw_state_overlay(&mut cx, model, &l);
        match model.calibration {
            CalibrationView::Calibrated => {}
            cal => draw_calibration(&mut cx, cal, &l),
        }
        if let Some(p) = &model.prompt {
            draw_prompt(&mut cx, p, model.state, &l, model.keys);
        }
        if let Some(sm) = &model.summary {
            draw_summary(&mut cx, sm, &l);
        }
        if model.show_help {
            draw_help(&mut cx, &l, model.keys);
        }
    }
}

thread_local! {
    static RENDERER: RefCell<Option<Renderer>> = const { RefCell::new(None) };
}

/// Draws `model` into `canvas` with a renderer kept per thread.
pub fn render(model: &OverlayModel, canvas: &mut RgbImage) -> Result<(), RenderError> {
    RENDERER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(Renderer::new()?);
        }
        if let Some(r) = slot.as_mut() {
            r.render(model, canvas);
        }
        Ok(())
    })
}

/// Converts `canvas` to minifb's 0RGB pixels in `buf`, reusing its allocation.
pub fn to_u32_buffer(canvas: &RgbImage, buf: &mut Vec<u32>) {
    let raw = canvas.as_raw();
    buf.resize(raw.len() / 3, 0);
    for (o, p) in buf.iter_mut().zip(raw.chunks_exact(3)) {
        *o = (p[0] as u32) << 16 | (p[1] as u32) << 8 | p[2] as u32;
    }
}

/// Writes a rendered canvas as PNG.
pub fn save_png(canvas: &RgbImage, path: &Path) -> Result<(), RenderError> {
    let err = |source| RenderError::Save {
        path: path.to_path_buf(),
        source,
    };
    let mut png = Vec::new();
    canvas
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(err)?;
    // Atomically: a reader never sees half a frame.
    crate::output::write_atomically(path, "the rendered frame", |w| w.write_all(&png)).map_err(
        |e| match e {
            crate::output::OutputError::Write { source, .. } => {
                err(image::ImageError::IoError(source))
            }
            other => err(image::ImageError::IoError(std::io::Error::other(
                other.to_string(),
            ))),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gauge(value: f32, worse_when_lower: bool) -> Gauge {
        Gauge {
            label: "g".into(),
            value,
            baseline: Some(50.0),
            threshold: Some(if worse_when_lower { 45.0 } else { 55.0 }),
            unit: "°".into(),
            min: 20.0,
            max: 70.0,
            worse_when_lower,
            reliable: true,
        }
    }

    #[test]
    fn gauges_read_left_better_right_worse() {
        // CVA: smaller is worse, so it sits further right.
        let cva = gauge(40.0, true);
        assert!(cva.position(40.0) > cva.position(50.0));
        assert!(cva.past_threshold());
        assert!(!gauge(47.0, true).past_threshold());
        let sh = gauge(60.0, false);
        assert!(sh.position(60.0) > sh.position(50.0));
        assert!(sh.past_threshold());
        assert_eq!(sh.position(1e9), 1.0);
        assert_eq!(sh.position(f32::NAN), 0.0);
        let flat = Gauge {
            min: 3.0,
            max: 3.0,
            ..sh
        };
        assert_eq!(flat.position(3.0), 0.0);
    }

    #[test]
    fn the_dot_colour_follows_the_state_it_drives() {
        // Past the limit, but the onset delay keeps the state good: green.
        let past = gauge(40.0, true);
        assert!(past.past_threshold());
        assert_eq!(gauge_colour(&past, head_alarm(State::Good)), OK);
        // Back inside the limit, but still in the hysteresis band of a
        // slouch: the state still has the condition on, so warn.
        let inside = gauge(47.0, true);
        assert_eq!(gauge_colour(&inside, shoulders_alarm(State::Slouch)), WARN);
        assert_eq!(
            gauge_colour(&inside, head_alarm(State::RoundedShoulders)),
            OK
        );
        // States that say nothing about posture fall back to the reading.
        assert_eq!(gauge_colour(&past, head_alarm(State::Uncertain)), WARN);
        assert_eq!(gauge_colour(&inside, head_alarm(State::Away)), OK);
    }

    #[test]
    fn gauge_values_are_formatted_with_their_unit() {
        assert_eq!(gauge(41.4, true).format(41.4), "41°");
        let pct = Gauge {
            unit: "%".into(),
            ..gauge(0.0, false)
        };
        assert_eq!(pct.format(12.2), "+12%");
        assert_eq!(pct.format(-8.0), "-8%");
        assert_eq!(pct.format(f32::NAN), "—");
    }

    #[test]
    fn verdict_words_follow_the_limit() {
        assert_eq!(gauge_verdict(&gauge(40.0, true)), "5° past your limit");
        assert_eq!(
            gauge_verdict(&gauge(50.0, true)),
            "Within your limit (5° to spare)"
        );
        let no_limit = Gauge {
            threshold: None,
            ..gauge(50.0, true)
        };
        assert!(gauge_verdict(&no_limit).contains("calibrate"));
        let unsure = Gauge {
            reliable: false,
            ..gauge(40.0, true)
        };
        assert!(gauge_verdict(&unsure).contains("unsure"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(0.4), "0 s");
        assert_eq!(format_duration(59.9), "59 s");
        assert_eq!(format_duration(65.0), "1 min 05 s");
        assert_eq!(format_duration(754.0), "12 min");
        assert_eq!(format_duration(3900.0), "1 h 05 min");
        assert_eq!(format_duration(f64::NAN), "0 s");
        assert_eq!(format_duration(-3.0), "0 s");
        assert_eq!(format_clock(25.2), "26 s");
        assert_eq!(format_clock(65.0), "1:05");
    }

    #[test]
    fn unsure_landmarks_fade_then_vanish() {
        let lm = |v: f32| Landmark {
            x: 1.0,
            y: 1.0,
            z: 0.0,
            visibility: v,
            presence: 1.0,
        };
        assert_eq!(landmark_alpha(&lm(0.9)), 1.0);
        let faint = landmark_alpha(&lm(0.3));
        assert!(faint > 0.0 && faint < 1.0);
        assert_eq!(landmark_alpha(&lm(0.1)), 0.0);
        assert_eq!(landmark_alpha(&lm(f32::NAN)), 0.0);
        let mut out = lm(0.9);
        out.presence = 0.05;
        assert_eq!(landmark_alpha(&out), 0.0, "outside the frame");
    }

    #[test]
    fn text_grows_with_the_window_but_less_than_the_window() {
        let small = Layout::new(640, 480, 640, 480, false, false);
        let big = Layout::new(1920, 1080, 640, 480, false, false);
        assert_eq!(small.scale, 1.0);
        assert!(big.scale > 1.6 && big.scale < 2.25, "{}", big.scale);
        // The wide window puts the gauges beside the picture.
        assert!(!small.side_panel);
        assert!(big.side_panel);
    }

    #[test]
    fn coaching_takes_a_taller_strip_under_the_picture() {
        let plain = Layout::new(640, 480, 640, 480, false, false);
        let coach = Layout::new(640, 480, 640, 480, false, true);
        assert!(coach.panel.h > plain.panel.h);
        assert!(coach.frame.h < plain.frame.h);
    }

    proptest! {
        #[test]
        fn layout_stays_inside_the_canvas_and_keeps_the_picture_shape(
            w in 1u32..4000, h in 1u32..3000, fw in 0u32..4000, fh in 0u32..4000,
            notice: bool, coaching: bool,
        ) {
            let l = Layout::new(w, h, fw, fh, notice, coaching);
            let (cw, ch) = (w as f32 + 0.5, h as f32 + 0.5);
            for r in [l.bar, l.frame_area, l.frame, l.panel, l.footer] {
                prop_assert!(r.x >= -0.5 && r.y >= -0.5, "{r:?}");
                prop_assert!(r.right() <= cw && r.bottom() <= ch, "{r:?} in {w}x{h}");
            }
            prop_assert!(l.frame.x >= l.frame_area.x - 0.5);
            prop_assert!(l.frame.right() <= l.frame_area.right() + 0.5);
            prop_assert!(l.frame.bottom() <= l.frame_area.bottom() + 0.5);
            // The picture and the panel do not overlap.
            let overlap_x = l.frame.x < l.panel.right() - 0.5 && l.panel.x < l.frame.right() - 0.5;
            let overlap_y = l.frame.y < l.panel.bottom() - 0.5 && l.panel.y < l.frame.bottom() - 0.5;
            prop_assert!(!(overlap_x && overlap_y), "{:?} {:?}", l.frame, l.panel);
            if fw > 0 && fh > 0 && l.frame.w >= 40.0 && l.frame.h >= 40.0 {
                let want = fw as f32 / fh as f32;
                let got = l.frame.w / l.frame.h;
                prop_assert!((got / want - 1.0).abs() < 0.05, "aspect {got} vs {want}");
            }
        }

        #[test]
        fn mirroring_flips_landmarks_about_the_picture_centre(
            x in 0.0f32..640.0, y in 0.0f32..480.0, w in 100u32..2000, h in 100u32..1500,
        ) {
            let l = Layout::new(w, h, 640, 480, false, false);
            let a = l.map_point(x, y, 640, 480, false);
            let b = l.map_point(x, y, 640, 480, true);
            prop_assert!((a.0 + b.0 - (2.0 * l.frame.x + l.frame.w)).abs() < 1e-2);
            prop_assert_eq!(a.1, b.1);
            prop_assert!(l.frame.contains(a.0.min(l.frame.right() - 0.01), a.1.min(l.frame.bottom() - 0.01)));
        }
    }
}
