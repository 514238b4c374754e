//! The picture and the skeleton over it.

use super::*;

pub(super) fn draw_picture(cx: &mut Ctx, m: &OverlayModel, l: &Layout, scratch: &mut ScaleScratch) {
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
pub(super) fn draw_skeleton(cx: &mut Ctx, m: &OverlayModel, l: &Layout) {
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
        let (neck_base, head, a) = front_neck(pt, alpha);
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
pub(super) fn draw_cva_marker(
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

/// The neck seen from the front: one bone from between the shoulders to
/// between the ears, as faint as the least sure of those four landmarks.
/// Shared by the full picture and the compact overlay so both draw it alike.
pub(super) fn front_neck(
    pt: impl Fn(usize) -> Point,
    alpha: impl Fn(usize) -> f32,
) -> (Point, Point, f32) {
    let mid = |a: Point, b: Point| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
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
    (neck_base, head, a)
}
