//! Where things go on a canvas of a given size.

use super::*;

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
