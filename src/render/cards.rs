//! The cards drawn over the picture: calibration, stretch prompt, coach,
//! summary and keys.

use super::*;

pub(super) fn draw_calibration(cx: &mut Ctx, cal: CalibrationView, l: &Layout) {
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
pub(super) fn draw_coach(cx: &mut Ctx, c: &CoachPanel, r: Rect) {
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
pub(super) fn coach_pass(cx: &mut Ctx, c: &CoachPanel, r: Rect, draw: bool) -> f32 {
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
pub(super) fn prompt_card_pass(
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

pub(super) fn draw_prompt(
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

pub(super) fn draw_summary(cx: &mut Ctx, sm: &SummaryCard, l: &Layout) {
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

pub(super) fn draw_help(cx: &mut Ctx, l: &Layout, ctx: crate::keys::KeyContext) {
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
