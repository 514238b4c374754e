//! The side panel with the two Upper Cross gauges.

use super::*;

/// The gauges (and, during a stretch, the coach): below the picture, or in
/// the column beside it on a wide window. Returns true when the column also
/// lists the keys.
pub(super) fn draw_panel(cx: &mut Ctx, m: &OverlayModel, l: &Layout) -> bool {
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

pub(super) fn posture_state(state: State) -> Option<State> {
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
pub(super) fn gauge_colour(g: &Gauge, alarm: Option<bool>) -> Rgb {
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
pub(super) fn draw_gauge(
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
pub(super) fn gauge_verdict(g: &Gauge) -> String {
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
