//! The compact overlay (about 320x180, always on top beside the user's
//! work): a header in the state colour with the state in words and its
//! duration, a small picture of the camera with the skeleton, the two
//! angles against their limits, and condensed forms of the prompt card
//! (stretch, dose, keys), the coach (rep counter) and the summary.
//!
//! [`super::Renderer::render`] draws this layout for canvases too small for
//! the full one ([`wanted`]), so a shrunken full window reads well too.

use image::RgbImage;

use super::raster::{Canvas, Rect, Rgb, ScaleScratch};
use super::text::{Style, Text};
use super::theme::*;
use super::{CalibrationView, Gauge, OverlayModel, format_duration};
use crate::landmarks::{UPPER_BODY_EDGES, idx};
use crate::posture::State;

/// True when a `w` x `h` canvas gets the compact layout.
pub fn wanted(w: u32, h: u32) -> bool {
    w <= 420 && h <= 260
}

/// A point on the canvas.
type Point = (f32, f32);

/// The design size; other sizes scale from it.
const BASE: (f32, f32) = (320.0, 180.0);

struct Cx<'c, 't> {
    c: Canvas<'c>,
    t: &'t mut Text,
    s: f32,
}

impl Cx<'_, '_> {
    fn u(&self, v: f32) -> f32 {
        v * self.s
    }
    fn text(&mut self, x: f32, y: f32, s: &str, size: f32, bold: bool, color: Rgb) -> f32 {
        let size = self.u(size);
        self.t
            .draw(&mut self.c, x, y, s, Style::new(size, bold, color))
    }
    fn measure(&self, s: &str, size: f32, bold: bool) -> f32 {
        self.t.measure(s, self.u(size), bold)
    }
    fn lh(&self, size: f32, bold: bool) -> f32 {
        self.t.line_height(self.u(size), bold)
    }
    fn fit(&self, s: &str, size: f32, bold: bool, w: f32) -> String {
        self.t.fit(s, self.u(size), bold, w.max(0.0))
    }
    /// Text right-aligned at `right`.
    fn text_right(&mut self, right: f32, y: f32, s: &str, size: f32, bold: bool, color: Rgb) {
        let w = self.measure(s, size, bold);
        self.text(right - w, y, s, size, bold, color);
    }
    fn bar(&mut self, r: Rect, frac: f32, fill: Rgb) {
        let frac = if frac.is_finite() {
            frac.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.c.round_rect(r, r.h / 2.0, TRACK, 1.0);
        if frac > 0.0 {
            let w = (r.w * frac).max(r.h);
            self.c
                .round_rect(Rect::new(r.x, r.y, w, r.h), r.h / 2.0, fill, 1.0);
        }
    }
    /// A key cap and its caption; returns the x after them.
    fn key(&mut self, x: f32, y: f32, cap: &str, caption: &str) -> f32 {
        let size = 9.5;
        let pad = self.u(4.0);
        let w = self.measure(cap, size, true) + 2.0 * pad;
        let h = self.lh(size, true) + self.u(2.0);
        self.c
            .round_rect(Rect::new(x, y, w, h), self.u(3.0), TRACK, 1.0);
        self.text(x + pad, y + self.u(1.0), cap, size, true, TEXT);
        let cx = x + w + self.u(4.0);
        let cw = self.text(cx, y + self.u(1.0), caption, size, false, MUTED);
        cx + cw + self.u(10.0)
    }
}

/// Where `v` sits on a gauge's scale, 0 (best end) to 1 (worst end).
fn position(g: &Gauge, v: f32) -> f32 {
    let span = g.max - g.min;
    if !v.is_finite() || !span.is_finite() || span.abs() < 1e-9 {
        return 0.0;
    }
    let t = ((v - g.min) / span).clamp(0.0, 1.0);
    if g.worse_when_lower { 1.0 - t } else { t }
}

fn degrees(v: f32, unit: &str) -> String {
    if !v.is_finite() {
        "—".to_string()
    } else if unit == "%" {
        format!("{v:+.0}%")
    } else {
        format!("{v:.0}{unit}")
    }
}

/// Draws the compact layout of `m` over the whole of `canvas`.
pub(super) fn render(
    text: &mut Text,
    scratch: &mut ScaleScratch,
    m: &OverlayModel,
    canvas: &mut RgbImage,
) {
    let (w, h) = canvas.dimensions();
    if w < 8 || h < 8 {
        Canvas::new(canvas).clear(state_colour(m.state));
        return;
    }
    let (wf, hf) = (w as f32, h as f32);
    let s = (wf / BASE.0).min(hf / BASE.1);
    let mut cx = Cx {
        c: Canvas::new(canvas),
        t: text,
        s,
    };
    cx.c.clear(BACKGROUND);
    let colour = state_colour(m.state);

    // Header: the state colour, the state in words, how long.
    let head_h = cx.u(34.0).round();
    cx.c.fill_rect(Rect::new(0.0, 0.0, wf, head_h), colour, 1.0);
    let on = text_on(colour);
    let title = if m.coach.is_some() {
        "Stretching".to_string()
    } else if m.prompt.is_some() {
        "Time to stretch".to_string()
    } else {
        m.state.label().to_string()
    };
    let pad = cx.u(12.0);
    let ty = (head_h - cx.lh(15.0, true)) / 2.0;
    let dur = format_duration(m.state_seconds);
    let dur_w = cx.measure(&dur, 11.5, false);
    let title = cx.fit(&title, 15.0, true, wf - 3.0 * pad - dur_w);
    cx.text(pad, ty, &title, 15.0, true, on);
    let dy = (head_h - cx.lh(11.5, false)) / 2.0;
    cx.text_right(wf - pad, dy, &dur, 11.5, false, on);
    // Persistence towards a prompt: a thin line along the header's foot.
    if m.prompt_progress > 0.0 && m.prompt.is_none() && m.coach.is_none() {
        let k = m.prompt_progress.clamp(0.0, 1.0);
        let lh = cx.u(3.0).max(1.0);
        cx.c.fill_rect(
            Rect::new(0.0, head_h - lh, wf * k, lh),
            lighten(colour, 0.45),
            1.0,
        );
    }

    // The picture with the skeleton, on the left.
    let m_out = cx.u(10.0);
    let foot_h = cx.u(26.0);
    let body = Rect::new(
        m_out,
        head_h + m_out,
        wf - 2.0 * m_out,
        hf - head_h - m_out - foot_h,
    );
    let pic_h = body.h.max(1.0);
    let pic = Rect::new(body.x, body.y, (pic_h * 4.0 / 3.0).min(body.w * 0.5), pic_h).snapped();
    draw_picture(&mut cx, m, pic, scratch);
    let col = Rect::new(
        pic.right() + cx.u(10.0),
        body.y,
        body.right() - pic.right() - cx.u(10.0),
        body.h,
    );

    if let Some(c) = &m.coach {
        draw_coach(&mut cx, c, col, colour);
    } else if let Some(p) = &m.prompt {
        draw_prompt(&mut cx, p, col);
    } else if let Some(sm) = &m.summary {
        draw_summary(&mut cx, sm, col);
    } else if m.state == State::Paused {
        cx.text(col.x, col.y + cx.u(6.0), "Paused", 14.0, true, TEXT);
        let l = cx.fit("The camera is off.", 10.5, false, col.w);
        cx.text(col.x, col.y + cx.u(28.0), &l, 10.5, false, MUTED);
        let l = cx.fit("Space resumes.", 10.5, false, col.w);
        cx.text(col.x, col.y + cx.u(44.0), &l, 10.5, false, MUTED);
    } else if let CalibrationView::Calibrating { progress } = m.calibration {
        cx.text(col.x, col.y + cx.u(6.0), "Calibrating", 13.0, true, INFO);
        let l = cx.fit("Sit upright, hold still", 10.0, false, col.w);
        cx.text(col.x, col.y + cx.u(26.0), &l, 10.0, false, MUTED);
        cx.bar(
            Rect::new(col.x, col.y + cx.u(48.0), col.w, cx.u(6.0)),
            progress,
            INFO,
        );
    } else {
        draw_gauges(&mut cx, m, col);
    }

    // Foot: a notice, or the keys that matter now.
    let fy = hf - foot_h + (foot_h - cx.lh(9.5, true) - cx.u(2.0)) / 2.0 - cx.u(2.0);
    cx.c.set_clip(Some(Rect::new(0.0, hf - foot_h, wf, foot_h)));
    if let Some(n) = &m.notice {
        let n = cx.fit(n, 10.0, false, wf - 2.0 * m_out);
        cx.text(m_out, fy + cx.u(1.0), &n, 10.0, false, CAUTION);
    } else if m.prompt.is_some() || m.coach.is_some() {
        let x = cx.key(m_out, fy, "d", "done");
        let x = cx.key(x, fy, "n", "another");
        cx.key(x, fy, "s", "snooze");
    } else {
        let pause = if m.state == State::Paused {
            "resume"
        } else {
            "pause"
        };
        let x = cx.key(m_out, fy, "space", pause);
        let x = cx.key(x, fy, "k", "full view");
        cx.key(x, fy, "q", "quit");
    }
    cx.c.set_clip(None);
}

fn draw_picture(cx: &mut Cx, m: &OverlayModel, r: Rect, scratch: &mut ScaleScratch) {
    if r.w < 2.0 || r.h < 2.0 {
        return;
    }
    let busy = m.prompt.is_some() || m.summary.is_some();
    let (bright, grey) = match m.state {
        State::Paused => (0.35, 0.85),
        State::Snoozed => (0.85, 0.7),
        _ if busy => (0.7, 0.0),
        _ => (1.0, 0.0),
    };
    if m.frame.width() == 0 || m.frame.height() == 0 {
        cx.c.fill_rect(r, PANEL, 1.0);
    } else {
        cx.c.blit_scaled(m.frame, r, m.mirror, bright, grey, scratch);
    }
    if m.state != State::Paused {
        draw_skeleton(cx, m, r);
    }
    // Rounded corners: the background over what lies outside the radius.
    let rad = cx.u(7.0).round().max(1.0);
    let n = rad as i32;
    let (x0, y0, x1, y1) = (
        r.x as i32,
        r.y as i32,
        r.right() as i32 - 1,
        r.bottom() as i32 - 1,
    );
    for dy in 0..n {
        for dx in 0..n {
            // Distance of this pixel's centre from the corner circle's centre.
            let d = ((n - dx) as f32 - 0.5).hypot((n - dy) as f32 - 0.5);
            let a = (d - rad + 0.5).clamp(0.0, 1.0);
            if a > 0.0 {
                for (x, y) in [
                    (x0 + dx, y0 + dy),
                    (x1 - dx, y0 + dy),
                    (x0 + dx, y1 - dy),
                    (x1 - dx, y1 - dy),
                ] {
                    cx.c.blend(x, y, BACKGROUND, a);
                }
            }
        }
    }
}

fn draw_skeleton(cx: &mut Cx, m: &OverlayModel, r: Rect) {
    let Some(pose) = m.pose else { return };
    let (pw, ph) = if pose.image_width > 0 && pose.image_height > 0 {
        (pose.image_width as f32, pose.image_height as f32)
    } else {
        (m.frame.width() as f32, m.frame.height() as f32)
    };
    if pw <= 0.0 || ph <= 0.0 {
        return;
    }
    let pt = |i: usize| {
        let lm = &pose.landmarks[i];
        let mut nx = lm.x / pw;
        if m.mirror {
            nx = 1.0 - nx;
        }
        (r.x + nx * r.w, r.y + lm.y / ph * r.h)
    };
    let alpha = |i: usize| super::landmark_alpha(&pose.landmarks[i]);
    let colour = lighten(state_colour(m.state), 0.15);
    let width = cx.u(2.2).max(1.0);
    cx.c.set_clip(Some(r));
    let face = |i: usize| i <= idx::MOUTH_RIGHT;
    let mut bones: Vec<(Point, Point, f32)> = UPPER_BODY_EDGES
        .iter()
        .filter(|&&(a, b)| !face(a) && !face(b))
        .map(|&(a, b)| (pt(a), pt(b), alpha(a).min(alpha(b))))
        .collect();
    bones.push(super::picture::front_neck(pt, alpha));
    for &(a, b, al) in &bones {
        if al > 0.0 {
            cx.c.line(a, b, width + cx.u(2.0), [0, 0, 0], 0.35 * al);
        }
    }
    for &(a, b, al) in &bones {
        if al > 0.0 {
            cx.c.line(a, b, width, colour, al);
        }
    }
    for i in [
        idx::LEFT_SHOULDER,
        idx::RIGHT_SHOULDER,
        idx::LEFT_ELBOW,
        idx::RIGHT_ELBOW,
        idx::LEFT_WRIST,
        idx::RIGHT_WRIST,
        idx::LEFT_EAR,
        idx::RIGHT_EAR,
        idx::NOSE,
    ] {
        let a = alpha(i);
        if a > 0.0 {
            cx.c.disc(pt(i), cx.u(2.6).max(1.2), colour, a);
        }
    }
    cx.c.set_clip(None);
}

fn draw_gauges(cx: &mut Cx, m: &OverlayModel, col: Rect) {
    let gauges: Vec<&Gauge> = [&m.head, &m.shoulders].into_iter().flatten().collect();
    if gauges.is_empty() {
        let (title, line) = match m.calibration {
            CalibrationView::NotCalibrated => ("Not calibrated", "Sit upright and press c"),
            _ => ("Looking for you", "Sit in view of the camera"),
        };
        cx.text(col.x, col.y + cx.u(6.0), title, 12.5, true, TEXT);
        let l = cx.fit(line, 10.0, false, col.w);
        cx.text(col.x, col.y + cx.u(26.0), &l, 10.0, false, MUTED);
        return;
    }
    let block = cx.u(46.0);
    for (i, g) in gauges.into_iter().enumerate() {
        let y = col.y + cx.u(2.0) + block * i as f32;
        let past = g.past_threshold();
        let tone = if !g.reliable {
            MUTED
        } else if past {
            WARN
        } else {
            OK
        };
        let value = degrees(g.value, &g.unit);
        let vw = cx.measure(&value, 13.0, true);
        let label = cx.fit(&g.label, 10.0, false, col.w - vw - cx.u(6.0));
        cx.text(col.x, y + cx.u(3.0), &label, 10.0, false, MUTED);
        cx.text_right(col.right(), y, &value, 13.0, true, tone);
        let bar = Rect::new(col.x, y + cx.u(20.0), col.w, cx.u(7.0));
        cx.c.round_rect(bar, bar.h / 2.0, TRACK, 1.0);
        // The part of the scale past the limit, tinted as in the full window.
        if let Some(t) = g.threshold.filter(|t| t.is_finite()) {
            let x = bar.x + bar.w * position(g, t);
            cx.c.set_clip(Some(Rect::new(
                x,
                bar.y - 1.0,
                bar.right() - x + 1.0,
                bar.h + 2.0,
            )));
            cx.c.round_rect(bar, bar.h / 2.0, WARN, 0.3);
            cx.c.set_clip(None);
        }
        let k = position(g, g.value);
        if g.value.is_finite() {
            let w = (bar.w * k).max(bar.h);
            cx.c.round_rect(Rect::new(bar.x, bar.y, w, bar.h), bar.h / 2.0, tone, 1.0);
        }
        if let Some(t) = g.threshold.filter(|t| t.is_finite()) {
            let x = bar.x + bar.w * position(g, t);
            cx.c.fill_rect(
                Rect::new(
                    x - cx.u(1.0),
                    bar.y - cx.u(3.0),
                    cx.u(2.0).max(1.0),
                    bar.h + cx.u(6.0),
                ),
                TEXT,
                0.9,
            );
            let lim = format!("limit {}", degrees(t, &g.unit));
            cx.text_right(
                col.right(),
                bar.bottom() + cx.u(2.0),
                &lim,
                8.5,
                false,
                MUTED,
            );
        }
        if let Some(b) = g.baseline.filter(|b| b.is_finite()) {
            let x = bar.x + bar.w * position(g, b);
            cx.c.disc(
                (x, bar.y + bar.h / 2.0),
                cx.u(2.0).max(1.0),
                BACKGROUND,
                0.9,
            );
        }
    }
}

fn draw_prompt(cx: &mut Cx, p: &super::PromptCard, col: Rect) {
    let size = 13.0;
    let lines = cx.t.wrap(&p.title, cx.u(size), true, col.w);
    let mut y = col.y + cx.u(1.0);
    for l in lines.iter().take(2) {
        let l = cx.fit(l, size, true, col.w);
        cx.text(col.x, y, &l, size, true, TEXT);
        y += cx.lh(size, true);
    }
    y += cx.u(3.0);
    let dose = cx.fit(&p.dose, 10.5, false, col.w);
    cx.text(col.x, y, &dose, 10.5, false, CAUTION);
    y += cx.lh(10.5, false) + cx.u(2.0);
    // What it needs, else why it is offered.
    let line = if p.equipment.is_empty() || p.equipment == "none" {
        p.reason.clone()
    } else {
        format!("Needs: {}", p.equipment)
    };
    let line = cx.fit(&line, 9.5, false, col.w);
    cx.text(col.x, y, &line, 9.5, false, MUTED);
    if let Some(c) = &p.countdown {
        let k = if c.total_s > 0.0 {
            1.0 - c.remaining_s / c.total_s
        } else {
            1.0
        };
        let by = col.bottom() - cx.u(7.0);
        let cap = format!("coach starts in {:.0} s", c.remaining_s.max(0.0).ceil());
        let cap = cx.fit(&cap, 9.0, false, col.w);
        cx.text(
            col.x,
            by - cx.lh(9.0, false) - cx.u(2.0),
            &cap,
            9.0,
            false,
            MUTED,
        );
        cx.bar(Rect::new(col.x, by, col.w, cx.u(5.0)), k, CAUTION);
    }
}

fn draw_coach(cx: &mut Cx, c: &super::CoachPanel, col: Rect, colour: Rgb) {
    let title = cx.fit(&c.title, 11.5, true, col.w);
    cx.text(col.x, col.y, &title, 11.5, true, TEXT);
    let big = match (c.reps_target, c.hold_remaining_s, c.time_remaining_s) {
        (Some(t), _, _) => format!("{} / {}", c.reps_done, t),
        (None, Some(h), _) => format!("{:.0} s", h.max(0.0).ceil()),
        (None, None, Some(t)) => format!("{:.0} s", t.max(0.0).ceil()),
        (None, None, None) => format!("{}", c.reps_done),
    };
    let accent = if c.paused {
        MUTED
    } else {
        lighten(colour, 0.2)
    };
    let by = col.y + cx.u(18.0);
    let bw = cx.text(col.x, by, &big, 28.0, true, accent);
    if c.reps_target.is_some() {
        cx.text(
            col.x + bw + cx.u(6.0),
            by + cx.u(15.0),
            c.rep_word,
            10.0,
            false,
            MUTED,
        );
    }
    let hint = c.hint.clone().unwrap_or_else(|| {
        if c.verified {
            "Checked by the camera".into()
        } else {
            "Follow along".into()
        }
    });
    let hint = cx.fit(&hint, 9.5, false, col.w);
    cx.text(col.x, col.bottom() - cx.u(20.0), &hint, 9.5, false, MUTED);
    cx.bar(
        Rect::new(col.x, col.bottom() - cx.u(6.0), col.w, cx.u(5.0)),
        c.progress,
        accent,
    );
}

fn draw_summary(cx: &mut Cx, sm: &super::SummaryCard, col: Rect) {
    let tone = if sm.verified { OK } else { TEXT };
    let t = cx.fit(&sm.title, 12.5, true, col.w);
    cx.text(col.x, col.y, &t, 12.5, true, tone);
    let mut y = col.y + cx.u(22.0);
    for l in sm.lines.iter().take(4) {
        let l = cx.fit(l, 10.0, false, col.w);
        cx.text(col.x, y, &l, 10.0, false, MUTED);
        y += cx.lh(10.0, false) + cx.u(2.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_layout_only_for_small_canvases() {
        assert!(wanted(320, 180));
        assert!(wanted(160, 120));
        assert!(!wanted(640, 480));
        assert!(!wanted(3000, 200));
        assert!(!wanted(200, 3000));
    }

    #[test]
    fn header_is_the_state_colour_at_any_small_size() {
        let frame = RgbImage::new(64, 48);
        let mut text = Text::new().unwrap();
        let mut scratch = ScaleScratch::default();
        for state in [State::Good, State::Slouch, State::Paused] {
            let mut m = OverlayModel::new(&frame);
            m.state = state;
            for (w, h) in [(320, 180), (400, 225), (1, 1)] {
                let mut canvas = RgbImage::new(w, h);
                render(&mut text, &mut scratch, &m, &mut canvas);
                assert_eq!(canvas.get_pixel(w - 1, 0).0, state_colour(state), "{w}x{h}");
            }
            // Odd shapes draw without panicking.
            for (w, h) in [(9, 200), (420, 8), (8, 8)] {
                render(&mut text, &mut scratch, &m, &mut RgbImage::new(w, h));
            }
        }
    }
}
