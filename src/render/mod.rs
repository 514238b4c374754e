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

/// One Upper Cross reading as a gauge.
///
/// The gauge always reads left = better, right = worse: with
/// `worse_when_lower` (the craniovertebral angle, where a smaller angle means
/// the head is further forward) the axis is flipped.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    /// What is measured, e.g. "Forward head".
    pub label: String,
    /// The current reading (non-finite = no reading).
    pub value: f32,
    /// The user's calibrated upright value.
    pub baseline: Option<f32>,
    /// The value past which the reading counts as slumped.
    pub threshold: Option<f32>,
    /// "°" or "%".
    pub unit: String,
    /// Value at one end of the scale.
    pub min: f32,
    /// Value at the other end of the scale.
    pub max: f32,
    /// True when smaller values are worse (e.g. the CVA proxy in degrees).
    pub worse_when_lower: bool,
    /// False when the landmarks behind the reading are unsure.
    pub reliable: bool,
}

impl Gauge {
    /// True when the value is past the threshold on the worse side.
    pub fn past_threshold(&self) -> bool {
        match self.threshold {
            Some(t) if self.value.is_finite() && t.is_finite() => {
                if self.worse_when_lower {
                    self.value < t
                } else {
                    self.value > t
                }
            }
            _ => false,
        }
    }

    /// Where `v` sits on the scale, 0 (best end) to 1 (worst end).
    fn position(&self, v: f32) -> f32 {
        let span = self.max - self.min;
        if !v.is_finite() || !span.is_finite() || span.abs() < 1e-9 {
            return 0.0;
        }
        let t = ((v - self.min) / span).clamp(0.0, 1.0);
        if self.worse_when_lower { 1.0 - t } else { t }
    }

    fn format(&self, v: f32) -> String {
        if !v.is_finite() {
            return "—".to_string();
        }
        match self.unit.as_str() {
            "%" => format!("{:+.0}%", v),
            "°" => format!("{:.0}°", v),
            u => format!("{:.1}{}", v, u),
        }
    }
}

/// A countdown shown as a ring.
#[derive(Clone, Debug, PartialEq)]
pub struct Countdown {
    pub remaining_s: f32,
    pub total_s: f32,
    /// A word or two under the ring, e.g. "left" or "starts in".
    pub caption: String,
}

/// The stretch prompt shown over the picture when slumping persists.
#[derive(Clone, Debug, PartialEq)]
pub struct PromptCard {
    /// The stretch's name, e.g. "Chin tucks".
    pub title: String,
    /// Why now, e.g. "Forward head for 35 s".
    pub reason: String,
    /// Short sentences, in order.
    pub steps: Vec<String>,
    /// How long or how many, e.g. "10 reps, hold 3 s".
    pub dose: String,
    pub countdown: Option<Countdown>,
    /// The safety line.
    pub safety: String,
    /// What is needed, e.g. "No equipment" or "A doorway".
    pub equipment: String,
}

/// The live coach while a stretch is being done.
#[derive(Clone, Debug, PartialEq)]
pub struct CoachPanel {
    pub title: String,
    pub reps_done: u32,
    /// `None` for a timed stretch.
    pub reps_target: Option<u32>,
    /// Seconds left of the current hold.
    pub hold_remaining_s: Option<f32>,
    /// Seconds left of the whole stretch.
    pub time_remaining_s: Option<f32>,
    /// A correction or encouragement, e.g. "Tuck a little further".
    pub hint: Option<String>,
    /// True when the camera sees the movement being done.
    pub verified: bool,
    pub paused: bool,
    /// 0..1 of the whole stretch.
    pub progress: f32,
    /// What one repetition is called ("reps"; neck rolls: "circles").
    pub rep_word: &'static str,
}

/// A short card after a stretch ends.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryCard {
    pub title: String,
    pub lines: Vec<String>,
    /// True when the camera saw the stretch done.
    pub verified: bool,
}

/// Where calibration stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CalibrationView {
    NotCalibrated,
    /// Recording the upright baseline; progress 0..1.
    Calibrating {
        progress: f32,
    },
    Calibrated,
}

/// Everything the overlay shows for one frame.
#[derive(Clone)]
pub struct OverlayModel<'a> {
    /// The camera picture as captured (0x0 when there is none, e.g. paused).
    pub frame: &'a RgbImage,
    /// Landmarks in `frame`'s pixels.
    pub pose: Option<&'a Pose>,
    /// Show the picture (and the skeleton) as in a mirror.
    pub mirror: bool,
    pub state: State,
    /// How long the state has lasted.
    pub state_seconds: f64,
    /// 0..1 towards the stretch prompt (the persistence timer).
    pub prompt_progress: f32,
    pub view: Option<View>,
    pub fps: f32,
    /// Pipeline time per frame in milliseconds.
    pub pipeline_ms: f32,
    /// Forward head: the forward-head angle (degrees, every view).
    pub head: Option<Gauge>,
    /// Rounded shoulders: the rounded-shoulder angle (degrees, every view).
    pub shoulders: Option<Gauge>,
    pub prompt: Option<PromptCard>,
    pub coach: Option<CoachPanel>,
    pub calibration: CalibrationView,
    /// A one-line notice, e.g. "Camera lost — retrying in 4 s".
    pub notice: Option<String>,
    pub show_help: bool,
    pub summary: Option<SummaryCard>,
    /// Which keys apply (the footer, help and cards list them from
    /// [`crate::keys`]).
    pub keys: crate::keys::KeyContext,
    /// During a stretch or routine: what is going on, shown in the status
    /// bar instead of the posture state.
    pub activity: Option<String>,
}

impl std::fmt::Debug for OverlayModel<'_> {
    /// Everything but the pixels (the picture is given by its size).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OverlayModel")
            .field("frame", &self.frame.dimensions())
            .field("pose", &self.pose.is_some())
            .field("mirror", &self.mirror)
            .field("state", &self.state)
            .field("state_seconds", &self.state_seconds)
            .field("prompt_progress", &self.prompt_progress)
            .field("view", &self.view)
            .field("fps", &self.fps)
            .field("pipeline_ms", &self.pipeline_ms)
            .field("head", &self.head)
            .field("shoulders", &self.shoulders)
            .field("prompt", &self.prompt)
            .field("coach", &self.coach)
            .field("calibration", &self.calibration)
            .field("notice", &self.notice)
            .field("show_help", &self.show_help)
            .field("summary", &self.summary)
            .field("keys", &self.keys)
            .field("activity", &self.activity)
            .finish()
    }
}

impl<'a> OverlayModel<'a> {
    /// A model showing `frame` in the Good state with nothing else on it.
    pub fn new(frame: &'a RgbImage) -> OverlayModel<'a> {
        OverlayModel {
            frame,
            pose: None,
            mirror: true,
            state: State::Good,
            state_seconds: 0.0,
            prompt_progress: 0.0,
            view: None,
            fps: 0.0,
            pipeline_ms: 0.0,
            head: None,
            shoulders: None,
            prompt: None,
            coach: None,
            calibration: CalibrationView::Calibrated,
            notice: None,
            show_help: false,
            summary: None,
            keys: crate::keys::KeyContext::Monitor,
            activity: None,
        }
    }
}

/// Where things go on a canvas of a given size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    /// Size factor: 1 at 640x480.
    pub scale: f32,
    /// The status bar across the top.
    pub bar: Rect,
    /// The notice line under the bar, when there is a notice.
    pub notice: Option<Rect>,
    /// The space the picture is fitted into.
    pub frame_area: Rect,
    /// The picture itself (letterboxed inside `frame_area`).
    pub frame: Rect,
    /// The gauge panel.
    pub panel: Rect,
    /// True when the panel is beside the picture rather than below it.
    pub side_panel: bool,
    /// The footer line.
    pub footer: Rect,
}

impl Layout {
    /// The layout `model` gets on a `width` x `height` canvas.
    pub fn for_model(model: &OverlayModel, width: u32, height: u32) -> Layout {
        Layout::new(
            width,
            height,
            model.frame.width(),
            model.frame.height(),
            model.notice.is_some(),
            model.coach.is_some(),
        )
    }

    /// The layout for a `width` x `height` canvas showing a `frame_w` x
    /// `frame_h` picture (0x0 is laid out as 4:3), with a notice line or not,
    /// and with the stretch coach (which takes a taller bottom panel) or not.
    pub fn new(
        width: u32,
        height: u32,
        frame_w: u32,
        frame_h: u32,
        notice: bool,
        coaching: bool,
    ) -> Layout {
        let (w, h) = (width as f32, height as f32);
        let base = (w / 640.0).min(h / 480.0);
        let scale = if base > 1.0 { base.powf(0.8) } else { base }.max(0.55);
        let (fw, fh) = if frame_w == 0 || frame_h == 0 {
            (4.0, 3.0)
        } else {
            (frame_w as f32, frame_h as f32)
        };
        // Each band takes what it needs of what is left, so a tiny canvas
        // still gets a layout inside it.
        let bar_h = (46.0 * scale).round().min(h);
        let bar = Rect::new(0.0, 0.0, w, bar_h);
        let notice_h = if notice { (28.0 * scale).round() } else { 0.0 }.min(h - bar_h);
        let notice = notice.then(|| Rect::new(0.0, bar_h, w, notice_h));
        let top = bar_h + notice_h;
        let footer_h = (24.0 * scale).round().min(h - top);
        let body = Rect::new(0.0, top, w, h - top - footer_h);
        let footer = Rect::new(0.0, body.bottom(), w, footer_h);

        let fit = |area: Rect| {
            let k = (area.w / fw).min(area.h / fh).max(0.0);
            let (pw, ph) = ((fw * k).round(), (fh * k).round());
            (
                k,
                Rect::new(
                    (area.x + (area.w - pw) / 2.0).round(),
                    (area.y + (area.h - ph) / 2.0).round(),
                    pw,
                    ph,
                ),
            )
        };
        let panel_h = (if coaching { 112.0 } else { 76.0 } * scale)
            .round()
            .min(body.h);
        let below_area = Rect::new(body.x, body.y, body.w, body.h - panel_h);
        let below_panel = Rect::new(body.x, below_area.bottom(), body.w, panel_h);
        let side_w = (300.0 * scale).round().min(w * 0.4);
        let beside_area = Rect::new(body.x, body.y, body.w - side_w, body.h);
        let beside_panel = Rect::new(beside_area.right(), body.y, side_w, body.h);
        let (k_below, f_below) = fit(below_area);
        let (k_beside, f_beside) = fit(beside_area);
        let side_panel = k_beside > k_below * 1.02;
        let (frame_area, frame, panel) = if side_panel {
            (beside_area, f_beside, beside_panel)
        } else {
            (below_area, f_below, below_panel)
        };
        Layout {
            scale,
            bar,
            notice,
            frame_area,
            frame,
            panel,
            side_panel,
            footer,
        }
    }

    /// Where landmark pixel (x, y) of a `pose_w` x `pose_h` picture lands on
    /// the canvas (mirrored when `mirror`).
    pub fn map_point(&self, x: f32, y: f32, pose_w: u32, pose_h: u32, mirror: bool) -> (f32, f32) {
        let (pw, ph) = (pose_w.max(1) as f32, pose_h.max(1) as f32);
        let mut nx = x / pw;
        if mirror {
            nx = 1.0 - nx;
        }
        (
            self.frame.x + nx * self.frame.w,
            self.frame.y + y / ph * self.frame.h,
        )
    }
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

// ---------------------------------------------------------------------------
// The pieces, in drawing order.

fn draw_picture(cx: &mut Ctx, m: &OverlayModel, l: &Layout, scratch: &mut ScaleScratch) {
    let dimmed = m.prompt.is_some() || m.summary.is_some() || m.show_help;
    let (bright, grey) = match m.state {
        State::Paused => (0.35, 0.85),
        State::Snoozed => (0.85, 0.7),
        _ if dimmed => (0.5, 0.0),
        _ => (1.0, 0.0),
    };
    if m.frame.width() == 0 || m.frame.height() == 0 {
        cx.c.fill_rect(l.frame, PANEL, 1.0);
        return;
    }
    cx.c.blit_scaled(m.frame, l.frame, m.mirror, bright, grey, scratch);
}

/// The skeleton: arms, shoulders and trunk as bones; the head as ear and
/// nose points with a neck line. In side view the neck runs from the near
/// shoulder to the near ear (the line whose angle is the CVA proxy, marked
/// with an arc); otherwise from between the shoulders to between the ears.
fn draw_skeleton(cx: &mut Ctx, m: &OverlayModel, l: &Layout) {
    let Some(pose) = m.pose else { return };
    let (pw, ph) = if pose.image_width > 0 && pose.image_height > 0 {
        (pose.image_width, pose.image_height)
    } else {
        (m.frame.width(), m.frame.height())
    };
    if pw == 0 || ph == 0 {
        return;
    }
    let dim = if m.prompt.is_some() || m.summary.is_some() || m.show_help {
        0.45
    } else {
        1.0
    };
    let colour = lighten(state_colour(m.state), 0.12);
    let pt = |i: usize| {
        let lm = &pose.landmarks[i];
        l.map_point(lm.x, lm.y, pw, ph, m.mirror)
    };
    let alpha = |i: usize| landmark_alpha(&pose.landmarks[i]) * dim;
    let mid = |a: (f32, f32), b: (f32, f32)| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);

    // (from, to, opacity, width factor)
    let mut bones: Vec<(Point, Point, f32, f32)> = body_bones()
        .map(|(a, b)| (pt(a), pt(b), alpha(a).min(alpha(b)), 1.0))
        .collect();
    let mut joints: Vec<usize> = vec![
        idx::LEFT_SHOULDER,
        idx::RIGHT_SHOULDER,
        idx::LEFT_ELBOW,
        idx::RIGHT_ELBOW,
        idx::LEFT_WRIST,
        idx::RIGHT_WRIST,
        idx::LEFT_HIP,
        idx::RIGHT_HIP,
        idx::NOSE,
    ];
    let mut cva: Option<(Point, Point, f32)> = None;
    let sides = [
        (idx::LEFT_EAR, idx::LEFT_SHOULDER),
        (idx::RIGHT_EAR, idx::RIGHT_SHOULDER),
    ];
    if m.view == Some(View::Side) {
        // The side nearer the camera: the surer ear and shoulder.
        let sure = |(e, s): (usize, usize)| {
            pose.landmarks[e]
                .visibility
                .min(pose.landmarks[s].visibility)
        };
        let (ear, sh) = if sure(sides[1]) > sure(sides[0]) {
            sides[1]
        } else {
            sides[0]
        };
        let a = alpha(ear).min(alpha(sh));
        bones.push((pt(sh), pt(ear), a, 1.0));
        joints.push(ear);
        if a >= dim * 0.99 {
            cva = Some((pt(sh), pt(ear), a));
        }
    } else {
        let a = [
            idx::LEFT_EAR,
            idx::RIGHT_EAR,
            idx::LEFT_SHOULDER,
            idx::RIGHT_SHOULDER,
        ]
        .iter()
        .map(|&i| alpha(i))
        .fold(1.0f32, f32::min);
        let neck_base = mid(pt(idx::LEFT_SHOULDER), pt(idx::RIGHT_SHOULDER));
        let head = mid(pt(idx::LEFT_EAR), pt(idx::RIGHT_EAR));
        bones.push((neck_base, head, a, 1.0));
        joints.push(idx::LEFT_EAR);
        joints.push(idx::RIGHT_EAR);
    }

    cx.c.set_clip(Some(l.frame));
    let bone = cx.u(4.0).max(2.0);
    // A dark halo first, so the bones read on any background.
    for &(p0, p1, a, k) in &bones {
        if a > 0.0 {
            cx.c.line(p0, p1, bone * k + cx.u(3.0), [0, 0, 0], 0.35 * a);
        }
    }
    for &(p0, p1, a, k) in &bones {
        if a > 0.0 {
            cx.c.line(p0, p1, bone * k, colour, a);
        }
    }
    if let Some((sh, ear, a)) = cva {
        draw_cva_marker(cx, m, sh, ear, a, colour);
    }
    for i in joints {
        let a = alpha(i);
        if a <= 0.0 {
            continue;
        }
        let r = if i == idx::NOSE { cx.u(3.5) } else { cx.u(4.5) }.max(1.5);
        let p = pt(i);
        cx.c.disc(p, r + cx.u(1.2), [0, 0, 0], 0.35 * a);
        cx.c.disc(p, r, [250, 250, 250], a);
        cx.c.disc(p, r * 0.55, colour, a);
    }
    cx.c.set_clip(None);
}

/// In side view: the angle between the horizontal through the shoulder and
/// the shoulder-to-ear line (the craniovertebral angle's proxy), as a dashed
/// horizontal, an arc and the head gauge's reading.
fn draw_cva_marker(
    cx: &mut Ctx,
    m: &OverlayModel,
    sh: (f32, f32),
    ear: (f32, f32),
    a: f32,
    colour: Rgb,
) {
    let (dx, dy) = (ear.0 - sh.0, ear.1 - sh.1);
    let len = (dx * dx + dy * dy).sqrt();
    if !len.is_finite() || len < cx.u(20.0) || dy >= 0.0 {
        return;
    }
    let dir = if dx >= 0.0 { 1.0 } else { -1.0 };
    let reach = len * 0.9;
    let w = cx.u(2.0).max(1.5);
    cx.c.dashed_line(
        sh,
        (sh.0 + dir * reach, sh.1),
        w,
        cx.u(6.0),
        cx.u(5.0),
        [250, 250, 250],
        0.8 * a,
    );
    // Turns clockwise from twelve o'clock: the horizontal is 0.25 (right) or
    // 0.75 (left); the ear line sits `theta` above it.
    let theta = (-dy).atan2(dx.abs()) / std::f32::consts::TAU;
    let r = (len * 0.45).max(cx.u(14.0));
    let (from, sweep) = if dir > 0.0 {
        (0.25 - theta, theta)
    } else {
        (0.75, theta)
    };
    cx.c.arc(sh, r, w, from, sweep, [250, 250, 250], 0.9 * a);
    let reading = m
        .head
        .as_ref()
        .filter(|g| g.unit == "°" && g.value.is_finite())
        .map(|g| g.format(g.value))
        .unwrap_or_else(|| format!("{:.0}°", theta * 360.0));
    // The number sits just outside the arc, halfway round it.
    let half = (theta * std::f32::consts::TAU) / 2.0;
    let rr = r + cx.u(18.0);
    let (lx, ly) = (sh.0 + dir * rr * half.cos(), sh.1 - rr * half.sin());
    let size = cx.u(15.0);
    let tw = cx.measure(&reading, size, true);
    let th = cx.lh(size, true);
    let bx = Rect::new(
        lx - tw / 2.0 - cx.u(6.0),
        ly - th / 2.0 - cx.u(2.0),
        tw + cx.u(12.0),
        th + cx.u(4.0),
    );
    cx.c.round_rect(bx, bx.h / 2.0, CARD, 0.75 * a);
    cx.text_alpha(
        bx.x + cx.u(6.0),
        bx.y + cx.u(2.0),
        &reading,
        Style::new(size, true, colour),
        a,
    );
}

fn draw_status_bar(cx: &mut Ctx, m: &OverlayModel, l: &Layout) {
    let r = l.bar;
    let bg = state_colour(m.state);
    cx.c.fill_rect(r, bg, 1.0);
    let fg = text_on(bg);
    let pad = cx.u(14.0);
    let big = cx.u(21.0);
    let small = cx.u(14.0);

    // Right: the bar filling towards the prompt.
    let mut right_edge = r.right() - pad;
    let show_progress = m.state.is_slumped() || m.prompt_progress > 0.0;
    let progressing = show_progress && !matches!(m.state, State::Paused | State::Snoozed);
    if progressing {
        let bw = cx.u(110.0);
        let bh = cx.u(8.0).max(4.0);
        let bar = Rect::new(right_edge - bw, r.cy() - bh / 2.0, bw, bh);
        cx.progress(bar, m.prompt_progress, fg, 0.22, fg);
        let cap = "stretch";
        let cw = cx.measure(cap, small, false);
        let x = bar.x - cw - cx.u(8.0);
        cx.text_alpha(
            x,
            r.cy() - cx.lh(small, false) / 2.0,
            cap,
            Style::new(small, false, fg),
            0.8,
        );
        right_edge = x - cx.u(12.0);
    }

    // Left: a dot, the state in words, then how long.
    let dot_r = cx.u(6.0);
    cx.c.disc((r.x + pad + dot_r, r.cy()), dot_r, fg, 0.9);
    let x = r.x + pad + 2.0 * dot_r + cx.u(10.0);
    let label_top = r.cy() - cx.lh(big, true) / 2.0;
    // During a stretch or routine the bar says what is going on, not how
    // long a posture state has lasted.
    let label = m.activity.as_deref().unwrap_or(m.state.label());
    let label = cx.t.fit(label, big, true, (right_edge - x).max(0.0));
    let lw = cx.text(x, label_top, &label, big, true, fg);
    let mut detail = format!("for {}", format_duration(m.state_seconds));
    match m.state {
        _ if m.activity.is_some() => detail.clear(),
        State::LookingDown | State::Uncertain => detail.push_str(" · not counted"),
        State::Away => detail.push_str(" · timers on hold"),
        _ => {}
    }
    let dx = x + lw + cx.u(10.0);
    let avail = right_edge - dx;
    if avail > cx.u(30.0) {
        let detail = cx.t.fit(&detail, small, false, avail);
        let base = label_top + cx.t.ascent(big, true);
        let y = base - cx.t.ascent(small, false);
        cx.text_alpha(dx, y, &detail, Style::new(small, false, fg), 0.85);
    }
}

fn draw_notice(cx: &mut Ctx, notice: &str, r: Rect) {
    cx.c.fill_rect(r, raster::mix(PANEL, CAUTION, 0.16), 1.0);
    let size = cx.u(14.0);
    let pad = cx.u(14.0);
    let s = cx.t.fit(notice, size, false, r.w - 2.0 * pad);
    let y = r.cy() - cx.lh(size, false) / 2.0;
    cx.text(r.x + pad, y, &s, size, false, lighten(CAUTION, 0.3));
}

/// The gauges (and, during a stretch, the coach): below the picture, or in
/// the column beside it on a wide window. Returns true when the column also
/// lists the keys.
fn draw_panel(cx: &mut Ctx, m: &OverlayModel, l: &Layout) -> bool {
    let p = l.panel;
    cx.c.fill_rect(p, PANEL, 1.0);
    let gap = cx.u(8.0);
    let head_label = "Forward head";
    let shoulder_label = "Rounded shoulders";
    let mut keys_listed = false;
    if l.side_panel {
        let mut y = p.y + gap;
        let inner_w = p.w - 2.0 * gap;
        if let Some(coach) = &m.coach {
            let h = coach_pass(cx, coach, Rect::new(p.x + gap, y, inner_w, 0.0), false);
            let r = Rect::new(p.x + gap, y, inner_w, h);
            draw_coach(cx, coach, r);
            y = r.bottom() + gap;
        }
        let gh = cx.u(100.0);
        let g1 = Rect::new(p.x + gap, y, inner_w, gh);
        let g2 = Rect::new(g1.x, g1.bottom() + gap, g1.w, gh);
        if g2.bottom() <= p.bottom() {
            draw_gauge(
                cx,
                m.head.as_ref(),
                head_label,
                g1,
                true,
                head_alarm(m.state),
            );
            draw_gauge(
                cx,
                m.shoulders.as_ref(),
                shoulder_label,
                g2,
                true,
                shoulders_alarm(m.state),
            );
        }
        // The keys, where there is room for them.
        let size = cx.u(12.5);
        let row = cx.lh(size, true) + cx.u(9.0);
        let keys = crate::keys::help_rows(m.keys);
        let list_h = row * keys.len() as f32 + cx.u(28.0);
        let top = p.bottom() - list_h;
        if top > g2.bottom() + gap {
            keys_listed = true;
            let x = p.x + cx.u(16.0);
            cx.text(x, top, "Keys", cx.u(13.0), true, MUTED);
            let mut y = top + cx.u(24.0);
            let cap_w = cx.u(58.0);
            for (k, what) in keys {
                cx.keycap(x, y, k, size, true);
                let t = cx.t.fit(what, size, false, p.right() - x - cap_w - gap);
                cx.text(x + cap_w, y + size * 0.1, &t, size, false, MUTED);
                y += row;
            }
        }
    } else if let Some(coach) = &m.coach {
        // While coaching, the coach takes the strip under the picture, so the
        // picture (the user's head and shoulders) stays clear.
        let r = Rect::new(
            p.x + gap,
            p.y + gap * 0.75,
            p.w - 2.0 * gap,
            p.h - 1.5 * gap,
        );
        draw_coach(cx, coach, r);
    } else {
        let gw = (p.w - 3.0 * gap) / 2.0;
        let g1 = Rect::new(p.x + gap, p.y + gap * 0.75, gw, p.h - 1.5 * gap);
        let g2 = Rect::new(g1.right() + gap, g1.y, gw, g1.h);
        draw_gauge(
            cx,
            m.head.as_ref(),
            head_label,
            g1,
            false,
            head_alarm(m.state),
        );
        draw_gauge(
            cx,
            m.shoulders.as_ref(),
            shoulder_label,
            g2,
            false,
            shoulders_alarm(m.state),
        );
    }
    keys_listed
}

/// Whether the state has forward head on (`None` for the states that say
/// nothing about posture: uncertain, away, paused, snoozed).
pub fn head_alarm(state: State) -> Option<bool> {
    posture_state(state).map(|s| matches!(s, State::ForwardHead | State::Slouch))
}

/// Whether the state has rounded shoulders on (`None` as for [`head_alarm`]).
pub fn shoulders_alarm(state: State) -> Option<bool> {
    posture_state(state).map(|s| matches!(s, State::RoundedShoulders | State::Slouch))
}

fn posture_state(state: State) -> Option<State> {
    matches!(
        state,
        State::Good
            | State::ForwardHead
            | State::RoundedShoulders
            | State::Slouch
            | State::LookingDown
    )
    .then_some(state)
}

/// The colour of a gauge's value and dot: the state's verdict on this
/// condition when the state has one (so the dot agrees with the status bar
/// through the onset delay and the hysteresis band), else whether the
/// reading is past its limit.
fn gauge_colour(g: &Gauge, alarm: Option<bool>) -> Rgb {
    if !g.reliable || !g.value.is_finite() {
        MUTED
    } else if alarm.unwrap_or_else(|| g.past_threshold()) {
        WARN
    } else if g.threshold.is_some() {
        OK
    } else {
        TEXT
    }
}

/// One gauge in `r`; with `detail`, a line under it says where the reading
/// stands against the user's limit. `alarm`: the state's verdict on this
/// condition (see [`gauge_colour`]).
fn draw_gauge(
    cx: &mut Ctx,
    g: Option<&Gauge>,
    fallback_label: &str,
    r: Rect,
    detail: bool,
    alarm: Option<bool>,
) {
    cx.c.round_rect(r, cx.u(8.0), BACKGROUND, 0.55);
    let pad = cx.u(10.0);
    let label_size = cx.u(13.0);
    let value_size = cx.u(18.0);
    let tick_size = cx.u(11.0);
    let x0 = r.x + pad;
    let x1 = r.right() - pad;
    let top = r.y + pad * 0.8;

    let Some(g) = g.filter(|g| g.value.is_finite()) else {
        let label = g.map_or(fallback_label, |g| g.label.as_str());
        let label = cx.t.fit(label, label_size, false, (x1 - x0) * 0.6);
        cx.text(x0, top, &label, label_size, false, MUTED);
        let s = "no reading";
        let w = cx.measure(s, label_size, false);
        cx.text(x1 - w, top, s, label_size, false, MUTED);
        let track = Rect::new(x0, r.y + pad + cx.u(26.0), x1 - x0, cx.u(8.0).max(4.0));
        cx.c.round_rect(track, track.h / 2.0, TRACK, 0.5);
        return;
    };
    let has_value = g.value.is_finite();
    let past = g.past_threshold();
    let vcol = gauge_colour(g, alarm);
    let vtext = g.format(g.value);
    let vw = cx.measure(&vtext, value_size, true);
    let vy = top + cx.t.ascent(label_size, false) - cx.t.ascent(value_size, true);
    cx.text(x1 - vw, vy, &vtext, value_size, true, vcol);
    let mut label = g.label.clone();
    if !g.reliable {
        label.push_str(" · unsure");
    }
    let label = cx.t.fit(&label, label_size, false, x1 - x0 - vw - pad);
    cx.text(x0, top, &label, label_size, false, TEXT);

    // The track: left is better, right is worse; the zone past the limit is tinted.
    let th = cx.u(8.0).max(4.0);
    let ty = r.y + pad + cx.u(26.0);
    let track = Rect::new(x0, ty, x1 - x0, th);
    let xat = |v: f32| x0 + g.position(v) * (x1 - x0);
    cx.c.round_rect(track, th / 2.0, TRACK, 1.0);
    if let Some(t) = g.threshold.filter(|t| t.is_finite()) {
        let tx = xat(t);
        cx.c.set_clip(Some(Rect::new(tx, ty - 1.0, x1 - tx + 1.0, th + 2.0)));
        cx.c.round_rect(track, th / 2.0, WARN, 0.35);
        cx.c.set_clip(None);
    }
    if has_value {
        let vx = xat(g.value);
        let fill_a = if g.reliable { 0.8 } else { 0.35 };
        cx.c.round_rect(
            Rect::new(x0, ty, (vx - x0).max(th), th),
            th / 2.0,
            vcol,
            fill_a,
        );
    }
    let tick_h = th + cx.u(8.0);
    let tick_w = cx.u(2.0).max(1.5);
    let mut labels: Vec<(f32, String, Rgb)> = Vec::new();
    if let Some(b) = g.baseline.filter(|b| b.is_finite()) {
        let bx = xat(b);
        cx.c.line(
            (bx, ty + th / 2.0 - tick_h / 2.0),
            (bx, ty + th / 2.0 + tick_h / 2.0),
            tick_w,
            TEXT,
            0.9,
        );
        labels.push((
            bx,
            format!("you {}", g.format(b).trim_start_matches('+')),
            TEXT,
        ));
    }
    if let Some(t) = g.threshold.filter(|t| t.is_finite()) {
        let tx = xat(t);
        cx.c.line(
            (tx, ty + th / 2.0 - tick_h / 2.0),
            (tx, ty + th / 2.0 + tick_h / 2.0),
            tick_w,
            WARN,
            1.0,
        );
        labels.push((tx, format!("limit {}", g.format(t)), WARN));
    }
    if has_value {
        let vx = xat(g.value);
        let kr = cx.u(6.5);
        cx.c.disc((vx, ty + th / 2.0), kr + cx.u(1.5), BACKGROUND, 0.8);
        cx.c.disc((vx, ty + th / 2.0), kr, vcol, 1.0);
    }
    // Marker labels under the track, pushed apart when they would overlap.
    let ly = ty + th + cx.u(6.0);
    if ly + cx.lh(tick_size, false) <= r.bottom() + 1.0 {
        labels.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut spans: Vec<(f32, f32)> = labels
            .iter()
            .map(|(x, s, _)| {
                let w = cx.measure(s, tick_size, false);
                ((x - w / 2.0).clamp(x0, (x1 - w).max(x0)), w)
            })
            .collect();
        if spans.len() == 2 {
            let gapx = cx.u(8.0);
            let overlap = spans[0].0 + spans[0].1 + gapx - spans[1].0;
            if overlap > 0.0 {
                spans[0].0 = (spans[0].0 - overlap / 2.0).max(x0);
                spans[1].0 = (spans[0].0 + spans[0].1 + gapx).min((x1 - spans[1].1).max(x0));
            }
        }
        for ((_, s, col), (sx, _)) in labels.iter().zip(spans) {
            cx.text_alpha(sx, ly, s, Style::new(tick_size, false, *col), 0.85);
        }
        if labels.is_empty() {
            let s =
                cx.t.fit("calibrate to set your limit", tick_size, false, x1 - x0);
            cx.text_alpha(x0, ly, &s, Style::new(tick_size, false, MUTED), 0.85);
        }
    }
    if detail {
        let size = cx.u(12.5);
        let y = ly + cx.lh(tick_size, false) + cx.u(6.0);
        if y + cx.lh(size, false) <= r.bottom() {
            let s = gauge_verdict(g);
            let s = cx.t.fit(&s, size, false, x1 - x0);
            cx.text(
                x0,
                y,
                &s,
                size,
                false,
                if past && g.reliable { WARN } else { MUTED },
            );
        }
    }
}

/// Where a reading stands, in words: "Within your limit", "4° past your limit".
fn gauge_verdict(g: &Gauge) -> String {
    if !g.reliable {
        return "Landmarks unsure: not judged".to_string();
    }
    match g.threshold.filter(|t| t.is_finite()) {
        None => "No limit yet: calibrate (c)".to_string(),
        Some(t) => {
            let by = (g.value - t).abs();
            let unit = g.unit.as_str();
            if g.past_threshold() {
                format!("{by:.0}{unit} past your limit")
            } else if by < 0.5 {
                "At your limit".to_string()
            } else {
                format!("Within your limit ({by:.0}{unit} to spare)")
            }
        }
    }
}

/// Keys on the left (unless the side column lists them), then view, frames
/// per second and pipeline time on the right, small and quiet.
fn draw_footer(cx: &mut Ctx, m: &OverlayModel, l: &Layout, keys_listed: bool) {
    let r = l.footer;
    if r.h <= 0.0 {
        return;
    }
    cx.c.fill_rect(r, BACKGROUND, 1.0);
    let size = cx.u(12.0);
    let pad = cx.u(12.0);
    let y = r.cy() - cx.lh(size, false) / 2.0;
    let mut parts: Vec<String> = Vec::new();
    match m.view {
        Some(View::Front) => parts.push("front view".into()),
        Some(View::Side) => parts.push("side view".into()),
        Some(View::Oblique) => parts.push("oblique view".into()),
        None => {}
    }
    if m.fps.is_finite() && m.fps > 0.0 {
        parts.push(format!("{:.1} fps", m.fps));
    }
    if m.pipeline_ms.is_finite() && m.pipeline_ms > 0.0 {
        parts.push(format!("{:.0} ms/frame", m.pipeline_ms));
    }
    let stats = parts.join(" · ");
    let sw = cx.measure(&stats, size, false);
    cx.text(r.right() - pad - sw, y, &stats, size, false, MUTED);
    if keys_listed {
        return;
    }
    let avail = r.w - 3.0 * pad - sw;
    let options = crate::keys::footer_options(m.keys);
    if let Some(s) = options.iter().find(|s| cx.measure(s, size, false) <= avail) {
        cx.text(r.x + pad, y, s, size, false, MUTED);
    }
}

/// Paused: a word over the darkened picture. Snoozed and away: a quiet pill.
fn draw_state_overlay(cx: &mut Ctx, m: &OverlayModel, l: &Layout) {
    let area = l.frame_area;
    match m.state {
        State::Paused => {
            let title = "Paused";
            let sub = "The camera is off. Press space to resume.";
            let big = cx.u(34.0);
            let small = cx.u(15.0);
            let icon_h = cx.u(34.0);
            let total = icon_h + cx.u(14.0) + cx.lh(big, true) + cx.u(6.0) + cx.lh(small, false);
            let mut y = area.cy() - total / 2.0;
            let col = lighten(state_colour(m.state), 0.35);
            let bw = cx.u(9.0);
            let gap = cx.u(9.0);
            for k in [-1.0f32, 1.0] {
                let x = area.cx() + k * (gap / 2.0 + bw / 2.0) - bw / 2.0;
                cx.c.round_rect(Rect::new(x, y, bw, icon_h), bw / 2.0, col, 1.0);
            }
            y += icon_h + cx.u(14.0);
            let tw = cx.measure(title, big, true);
            cx.text(area.cx() - tw / 2.0, y, title, big, true, TEXT);
            y += cx.lh(big, true) + cx.u(6.0);
            let sub = cx.t.fit(sub, small, false, area.w - cx.u(20.0));
            let sw = cx.measure(&sub, small, false);
            cx.text(area.cx() - sw / 2.0, y, &sub, small, false, MUTED);
        }
        State::Snoozed | State::Away => {
            let (s, icon) = if m.state == State::Snoozed {
                ("Snoozed: no stretch prompts for now", true)
            } else {
                ("Nobody in view: timers on hold", false)
            };
            let size = cx.u(15.0);
            let icon_w = if icon { cx.u(22.0) } else { 0.0 };
            let s = cx.t.fit(s, size, false, area.w - cx.u(60.0) - icon_w);
            let w = cx.measure(&s, size, false) + cx.u(28.0) + icon_w;
            let h = cx.lh(size, false) + cx.u(14.0);
            let r = Rect::new(area.cx() - w / 2.0, area.y + cx.u(14.0), w, h);
            cx.c.round_rect(r, h / 2.0, CARD, 0.88);
            if icon {
                let c = (r.x + cx.u(14.0) + cx.u(7.0), r.cy());
                let rad = cx.u(7.5);
                let col = lighten(state_colour(State::Snoozed), 0.35);
                cx.c.crescent(
                    c,
                    rad,
                    (c.0 + rad * 0.5, c.1 - rad * 0.3),
                    rad * 0.8,
                    col,
                    1.0,
                );
            }
            cx.text(
                r.x + cx.u(14.0) + icon_w,
                r.y + cx.u(7.0),
                &s,
                size,
                false,
                TEXT,
            );
        }
        _ => {}
    }
}

fn draw_calibration(cx: &mut Ctx, cal: CalibrationView, l: &Layout) {
    let area = l.frame_area;
    let m = cx.u(12.0);
    let w = (area.w - 2.0 * m).min(cx.u(470.0));
    let pad = cx.u(16.0);
    let title_size = cx.u(19.0);
    let body_size = cx.u(14.5);
    let inner = w - 2.0 * pad;
    let (title, body, progress) = match cal {
        CalibrationView::NotCalibrated => (
            "Let's learn your upright posture",
            "Sit tall the way you'd like to sit, face the screen, then press C and hold still for a few seconds.",
            None,
        ),
        CalibrationView::Calibrating { progress } => (
            "Calibrating: hold still",
            "Sit upright and look at the screen as you normally do.",
            Some(progress),
        ),
        CalibrationView::Calibrated => return,
    };
    let lines = cx.t.wrap(body, body_size, false, inner);
    let line_h = cx.lh(body_size, false) * 1.15;
    let mut h =
        pad + cx.u(4.0) + cx.lh(title_size, true) + cx.u(8.0) + line_h * lines.len() as f32 + pad;
    let key_h = cx.lh(body_size, true) + cx.u(14.0);
    h += if progress.is_some() {
        cx.u(22.0)
    } else {
        key_h
    };
    let r = Rect::new(area.cx() - w / 2.0, area.bottom() - m - h, w, h);
    cx.card(r, INFO);
    let x = r.x + pad;
    let mut y = r.y + pad + cx.u(4.0);
    let title = cx.t.fit(title, title_size, true, inner);
    cx.text(x, y, &title, title_size, true, TEXT);
    y += cx.lh(title_size, true) + cx.u(8.0);
    for line in &lines {
        cx.text(x, y, line, body_size, false, MUTED);
        y += line_h;
    }
    match progress {
        Some(p) => {
            let p = if p.is_finite() {
                p.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let pct = format!("{:.0}%", p * 100.0);
            let pw = cx.measure(&pct, body_size, true);
            let bar = Rect::new(
                x,
                y + cx.u(8.0),
                inner - pw - cx.u(10.0),
                cx.u(8.0).max(4.0),
            );
            cx.progress(bar, p, TRACK, 1.0, INFO);
            cx.text(
                bar.right() + cx.u(10.0),
                bar.cy() - cx.lh(body_size, true) / 2.0,
                &pct,
                body_size,
                true,
                TEXT,
            );
        }
        None => {
            let yk = y + cx.u(6.0);
            let kw = cx.keycap(x, yk, "C", body_size, true);
            cx.text(
                x + kw + cx.u(8.0),
                yk + body_size * 0.1,
                "start calibration",
                body_size,
                false,
                TEXT,
            );
        }
    }
}

/// Draws the coach into `r`: stacked when `r` is narrow (the side column),
/// in two columns when it is wide (the strip under the picture).
fn draw_coach(cx: &mut Ctx, c: &CoachPanel, r: Rect) {
    let accent = if c.verified { OK } else { INFO };
    cx.c.round_rect(r, cx.u(8.0), BACKGROUND, 0.55);
    let edge = cx.u(3.0).max(2.0);
    cx.c.set_clip(Some(Rect::new(r.x, r.y, edge + cx.u(8.0), r.h)));
    cx.c.round_rect(r, cx.u(8.0), accent, 1.0);
    cx.c.set_clip(Some(Rect::new(r.x + edge, r.y, r.w, r.h)));
    cx.c.round_rect(r, cx.u(8.0), raster::mix(PANEL, BACKGROUND, 0.55), 1.0);
    cx.c.set_clip(Some(r));
    coach_pass(cx, c, r, true);
    cx.c.set_clip(None);
}

/// Lays out (and draws when `draw`) the coach in `r`; returns the height used.
fn coach_pass(cx: &mut Ctx, c: &CoachPanel, r: Rect, draw: bool) -> f32 {
    let accent = if c.verified { OK } else { INFO };
    let pad = cx.u(12.0);
    let wide = r.w > cx.u(440.0) && r.h > 0.0 && r.h < cx.u(160.0);
    let cap = cx.u(11.0);
    let title_size = cx.u(16.0);
    let big = cx.u(28.0);
    let body = cx.u(14.0);
    let body_lh = cx.lh(body, false) * 1.15;
    let x = r.x + pad + cx.u(4.0);
    let left_w = if wide {
        r.w * 0.42
    } else {
        r.w - 2.0 * pad - cx.u(4.0)
    };
    let mut y = r.y + pad;

    // Caption and title.
    let caption = if c.paused {
        "STRETCH · PAUSED"
    } else {
        "STRETCH"
    };
    if draw {
        cx.text(
            x,
            y,
            caption,
            cap,
            true,
            if c.paused { CAUTION } else { accent },
        );
    }
    y += cx.lh(cap, true) + cx.u(2.0);
    let title = cx.t.fit(&c.title, title_size, true, left_w);
    if draw {
        cx.text(x, y, &title, title_size, true, TEXT);
    }
    y += cx.lh(title_size, true) + cx.u(2.0);

    // The big number: reps, or the time left for a timed stretch; the hold beside it.
    let (num, unit) = match c.reps_target {
        Some(t) => (
            format!("{} / {}", c.reps_done.min(9999), t.min(9999)),
            c.rep_word,
        ),
        None => (format_clock(c.time_remaining_s.unwrap_or(0.0)), "left"),
    };
    let nw = cx.measure(&num, big, true);
    let uy = y + cx.t.ascent(big, true) - cx.t.ascent(body, false);
    if draw {
        cx.text(x, y, &num, big, true, TEXT);
    }
    let uw = cx.measure(unit, body, false);
    if draw {
        cx.text(x + nw + cx.u(6.0), uy, unit, body, false, MUTED);
    }
    if let Some(hold) = c.hold_remaining_s.filter(|v| v.is_finite() && *v > 0.0) {
        let hx = x + nw + uw + cx.u(18.0);
        let s = format!("hold {}", format_clock(hold));
        if draw && hx + cx.measure(&s, body, true) <= x + left_w {
            cx.text(hx, uy, &s, body, true, accent);
        }
    }
    y += cx.lh(big, true);

    // Hint and whether the camera sees it: beside (wide) or below (narrow).
    let (hx, mut hy, hw) = if wide {
        let hx = r.x + r.w * 0.46;
        (hx, r.y + pad + cx.u(2.0), r.right() - pad - hx)
    } else {
        y += cx.u(4.0);
        (x, y, left_w)
    };
    let hint_lines = c
        .hint
        .as_deref()
        .map(|h| cx.t.wrap(h, body, false, hw))
        .unwrap_or_default();
    let max_hint = if wide { 2 } else { 4 };
    for line in hint_lines.iter().take(max_hint) {
        if draw {
            cx.text(hx, hy, line, body, false, TEXT);
        }
        hy += body_lh;
    }
    let mut status = if c.verified {
        "✓ The camera sees it".to_string()
    } else {
        "Not seen by the camera: follow along".to_string()
    };
    if c.reps_target.is_some()
        && let Some(t) = c.time_remaining_s.filter(|v| v.is_finite())
    {
        status.push_str(&format!(" · {} left", format_clock(t)));
    }
    let small = body * 0.92;
    let status = cx.t.fit(&status, small, false, hw);
    if draw {
        cx.text(
            hx,
            hy + cx.u(2.0),
            &status,
            small,
            false,
            if c.verified { OK } else { MUTED },
        );
    }
    hy += body_lh + cx.u(2.0);
    let bottom = if wide { y.max(hy) } else { hy };

    // Progress along the bottom.
    let bar_h = cx.u(6.0).max(3.0);
    let by = if wide && r.h > 0.0 {
        r.bottom() - pad - bar_h
    } else {
        bottom + cx.u(6.0)
    };
    if draw {
        let bw = r.right() - pad - x;
        cx.progress(Rect::new(x, by, bw, bar_h), c.progress, TRACK, 1.0, accent);
    }
    by + bar_h + pad - r.y
}

/// Lays the prompt card out (and draws it when `draw`); returns its height.
fn prompt_card_pass(
    cx: &mut Ctx,
    p: &PromptCard,
    accent: Rgb,
    r: Rect,
    (k, draw): (f32, bool),
    keys: &[(&str, &str)],
) -> f32 {
    let sk = cx.s * k;
    let u = move |v: f32| v * sk;
    let pad = u(18.0);
    let inner = r.w - 2.0 * pad;
    let cap = u(12.0);
    let title = u(24.0);
    let body = u(15.0);
    let small = u(13.0);
    let ring_r = if p.countdown.is_some() { u(27.0) } else { 0.0 };
    let head_w = inner
        - if ring_r > 0.0 {
            2.0 * ring_r + u(12.0)
        } else {
            0.0
        };
    let x = r.x + pad;
    let mut y = r.y + pad + u(2.0);
    let top = y;

    if draw {
        cx.text(x, y, "TIME FOR A STRETCH", cap, true, accent);
    }
    y += cx.lh(cap, true) + u(2.0);
    for line in cx.t.wrap(&p.title, title, true, head_w) {
        if draw {
            cx.text(x, y, &line, title, true, TEXT);
        }
        y += cx.lh(title, true);
    }
    y += u(2.0);
    let reason = cx.t.fit(&p.reason, body, false, head_w);
    if draw {
        cx.text(x, y, &reason, body, false, MUTED);
    }
    y += cx.lh(body, false) * 1.2;
    if let Some(cd) = &p.countdown {
        let centre = (r.right() - pad - ring_r, top + ring_r);
        if draw {
            cx.c.ring(centre, ring_r, u(5.0), 1.0, TRACK, 1.0);
            let frac = if cd.total_s > 0.0 {
                cd.remaining_s / cd.total_s
            } else {
                0.0
            };
            cx.c.ring(centre, ring_r, u(5.0), frac, accent, 1.0);
            let s = format_clock(cd.remaining_s);
            let sz = if s.len() > 4 { u(13.0) } else { u(15.0) };
            let sw = cx.measure(&s, sz, true);
            cx.text(
                centre.0 - sw / 2.0,
                centre.1 - cx.lh(sz, true) / 2.0,
                &s,
                sz,
                true,
                TEXT,
            );
            let cw = cx.measure(&cd.caption, small * 0.9, false);
            cx.text(
                centre.0 - cw / 2.0,
                centre.1 + ring_r + u(4.0),
                &cd.caption,
                small * 0.9,
                false,
                MUTED,
            );
        }
        y = y.max(top + 2.0 * ring_r + u(4.0) + cx.lh(small, false));
    }

    // Dose and equipment as chips.
    y += u(6.0);
    let chip_h = cx.lh(small, true) + u(10.0);
    let mut chip_x = x;
    for (s, bold, fill) in [
        (&p.dose, true, raster::mix(CARD, accent, 0.28)),
        (&p.equipment, false, TRACK),
    ] {
        if s.is_empty() {
            continue;
        }
        let s = cx.t.fit(s, small, bold, inner - u(20.0));
        let cw = cx.measure(&s, small, bold) + u(20.0);
        if chip_x + cw > r.x + pad + inner + 0.5 {
            chip_x = x;
            y += chip_h + u(6.0);
        }
        if draw {
            cx.c.round_rect(Rect::new(chip_x, y, cw, chip_h), chip_h / 2.0, fill, 1.0);
            cx.text(chip_x + u(10.0), y + u(5.0), &s, small, bold, TEXT);
        }
        chip_x += cw + u(8.0);
    }
    y += chip_h + u(12.0);

    // Steps, numbered.
    let num_w = u(26.0);
    let step_lh = cx.lh(body, false) * 1.12;
    for (i, step) in p.steps.iter().enumerate() {
        let lines = cx.t.wrap(step, body, false, inner - num_w);
        if draw {
            let rr = u(9.5);
            let c = (x + rr, y + cx.lh(body, false) / 2.0);
            cx.c.disc(c, rr, TRACK, 1.0);
            let n = format!("{}", i + 1);
            let nw = cx.measure(&n, small, true);
            cx.text(
                c.0 - nw / 2.0,
                c.1 - cx.lh(small, true) / 2.0,
                &n,
                small,
                true,
                TEXT,
            );
        }
        for line in &lines {
            if draw {
                cx.text(x + num_w, y, line, body, false, TEXT);
            }
            y += step_lh;
        }
        y += u(5.0);
    }

    // The safety line.
    y += u(4.0);
    if !p.safety.is_empty() {
        let lines = cx.t.wrap(&format!("⚠ {}", p.safety), small, false, inner);
        for line in &lines {
            if draw {
                cx.text(x, y, line, small, false, CAUTION);
            }
            y += cx.lh(small, false) * 1.1;
        }
        y += u(10.0);
    }

    // What the keys do here.
    let mut kx = x;
    for &(k, what) in keys {
        let kw = cx.keycap(kx, y, k, small, draw);
        if draw {
            cx.text(kx + kw + u(6.0), y + small * 0.1, what, small, false, MUTED);
        }
        kx += kw + u(6.0) + cx.measure(what, small, false) + u(18.0);
    }
    y += cx.lh(small, true) + small * 0.2;
    y + pad - r.y
}

fn draw_prompt(
    cx: &mut Ctx,
    p: &PromptCard,
    state: State,
    l: &Layout,
    ctx: crate::keys::KeyContext,
) {
    let keys = crate::keys::card_keys(ctx);
    // The card may use the whole body (picture and gauges), not just the picture.
    let body = Rect::new(
        0.0,
        l.notice.map_or(l.bar.bottom(), |n| n.bottom()),
        l.bar.w,
        l.footer.y - l.notice.map_or(l.bar.bottom(), |n| n.bottom()),
    );
    let m = cx.u(10.0);
    let accent = if state.is_slumped() {
        lighten(state_colour(state), 0.1)
    } else {
        lighten(state_colour(State::ForwardHead), 0.1)
    };
    let avail_h = body.h - 2.0 * m;
    let mut k = 1.0;
    let mut w = (body.w - 2.0 * m).min(cx.u(560.0));
    let mut h = prompt_card_pass(
        cx,
        p,
        accent,
        Rect::new(0.0, 0.0, w, 0.0),
        (k, false),
        &keys,
    );
    // Shrink until it fits (a long stretch on a small window).
    for _ in 0..8 {
        if h <= avail_h {
            break;
        }
        k *= 0.9;
        w = (body.w - 2.0 * m).min(cx.u(560.0) * k.max(0.8));
        h = prompt_card_pass(
            cx,
            p,
            accent,
            Rect::new(0.0, 0.0, w, 0.0),
            (k, false),
            &keys,
        );
    }
    // Over the picture when it fits there, so the gauges stay readable.
    let fa = l.frame_area;
    let place = if h <= fa.h - 2.0 * m && w <= fa.w - 2.0 * m {
        fa
    } else {
        body
    };
    let r = Rect::new(
        (place.cx() - w / 2.0).round(),
        (place.cy() - h / 2.0).max(body.y + m).round(),
        w,
        h,
    );
    cx.card(r, accent);
    cx.c.set_clip(Some(r));
    prompt_card_pass(cx, p, accent, r, (k, true), &keys);
    cx.c.set_clip(None);
}

fn draw_summary(cx: &mut Ctx, sm: &SummaryCard, l: &Layout) {
    let area = l.frame_area;
    let m = cx.u(12.0);
    let w = (area.w - 2.0 * m).min(cx.u(420.0));
    let pad = cx.u(18.0);
    let inner = w - 2.0 * pad;
    let title_size = cx.u(21.0);
    let body = cx.u(15.0);
    let title = if sm.verified {
        format!("✓ {}", sm.title)
    } else {
        sm.title.clone()
    };
    let title_lines = cx.t.wrap(&title, title_size, true, inner);
    let mut lines = Vec::new();
    for l in &sm.lines {
        lines.extend(cx.t.wrap(l, body, false, inner));
    }
    let lh = cx.lh(body, false) * 1.2;
    let h = 2.0 * pad
        + cx.u(4.0)
        + cx.lh(title_size, true) * title_lines.len() as f32
        + cx.u(8.0)
        + lh * lines.len() as f32;
    let r = Rect::new(area.cx() - w / 2.0, area.cy() - h / 2.0, w, h.min(area.h));
    let accent = if sm.verified { OK } else { INFO };
    cx.card(r, accent);
    cx.c.set_clip(Some(r));
    let x = r.x + pad;
    let mut y = r.y + pad + cx.u(4.0);
    for line in &title_lines {
        cx.text(x, y, line, title_size, true, TEXT);
        y += cx.lh(title_size, true);
    }
    y += cx.u(8.0);
    for line in &lines {
        cx.text(x, y, line, body, false, MUTED);
        y += lh;
    }
    cx.c.set_clip(None);
}

fn draw_help(cx: &mut Ctx, l: &Layout, ctx: crate::keys::KeyContext) {
    let keys = crate::keys::help_rows(ctx);
    let area = Rect::new(0.0, l.bar.bottom(), l.bar.w, l.footer.y - l.bar.bottom());
    let size = cx.u(14.5);
    let pad = cx.u(18.0);
    let row = cx.lh(size, true) + cx.u(10.0);
    let cap_w = cx.u(70.0);
    let text_w = keys
        .iter()
        .map(|(_, w)| cx.measure(w, size, false))
        .fold(0.0, f32::max);
    let w = (cap_w + text_w + 2.0 * pad + 2.0).min(area.w - cx.u(20.0));
    let title = cx.u(18.0);
    let h = (2.0 * pad + cx.lh(title, true) + cx.u(10.0) + row * keys.len() as f32).min(area.h);
    let r = Rect::new(area.cx() - w / 2.0, area.cy() - h / 2.0, w, h);
    cx.card(r, INFO);
    cx.c.set_clip(Some(r));
    let x = r.x + pad;
    let mut y = r.y + pad;
    cx.text(x, y, "Keys", title, true, TEXT);
    y += cx.lh(title, true) + cx.u(10.0);
    for (k, what) in keys {
        cx.keycap(x, y, k, size, true);
        let t = cx.t.fit(what, size, false, r.right() - pad - x - cap_w);
        cx.text(x + cap_w, y + size * 0.1, &t, size, false, TEXT);
        y += row;
    }
    cx.c.set_clip(None);
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
