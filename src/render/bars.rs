//! The status bar, the notice line, the footer and the state overlay.

use super::*;

pub(super) fn draw_status_bar(cx: &mut Ctx, m: &OverlayModel, l: &Layout) {
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

pub(super) fn draw_notice(cx: &mut Ctx, notice: &str, r: Rect) {
    cx.c.fill_rect(r, raster::mix(PANEL, CAUTION, 0.16), 1.0);
    let size = cx.u(14.0);
    let pad = cx.u(14.0);
    let s = cx.t.fit(notice, size, false, r.w - 2.0 * pad);
    let y = r.cy() - cx.lh(size, false) / 2.0;
    cx.text(r.x + pad, y, &s, size, false, lighten(CAUTION, 0.3));
}

/// Keys on the left (unless the side column lists them), then view, frames
/// per second and pipeline time on the right, small and quiet.
pub(super) fn draw_footer(cx: &mut Ctx, m: &OverlayModel, l: &Layout, keys_listed: bool) {
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
pub(super) fn draw_state_overlay(cx: &mut Ctx, m: &OverlayModel, l: &Layout) {
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
