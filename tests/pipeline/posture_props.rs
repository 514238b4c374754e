//! Properties of the posture stage: hysteresis holds the state inside the
//! band, a mirrored pose measures the same, and broken numbers give
//! `uncertain` rather than a panic or a guess.

use hunch::landmarks::{Landmark, NUM_LANDMARKS, Pose, idx};
use hunch::posture::judge::{ENTER_LEVEL, EXIT_LEVEL, Levels};
use hunch::posture::{
    self, EventKind, Judgement, Measurement, Profile, State, StateConfig, StateMachine, Thresholds,
    Verdict, View,
};
use proptest::prelude::*;

fn blank() -> Pose {
    Pose {
        landmarks: [Landmark {
            x: 0.0,
            y: 0.0,
            z: 0.0,
            visibility: 0.95,
            presence: 0.95,
        }; NUM_LANDMARKS],
        world: [[0.0; 3]; NUM_LANDMARKS],
        presence: 1.0,
        image_width: 640,
        image_height: 480,
    }
}

fn put(p: &mut Pose, i: usize, x: f64, y: f64, w: [f64; 3]) {
    p.landmarks[i].x = x as f32;
    p.landmarks[i].y = y as f32;
    p.world[i] = [w[0] as f32, w[1] as f32, w[2] as f32];
}

/// A seated person facing the camera; `drop` lowers the head (px), `fwd`
/// brings it forward (m), `pitch` drops the nose (px), `narrow` pulls the
/// shoulders in (px each).
fn front(drop: f64, fwd: f64, pitch: f64, narrow: f64) -> Pose {
    let mut p = blank();
    let ey = 180.0 + drop;
    put(
        &mut p,
        idx::LEFT_SHOULDER,
        420.0 - narrow,
        300.0,
        [0.2, -0.5, 0.0],
    );
    put(
        &mut p,
        idx::RIGHT_SHOULDER,
        220.0 + narrow,
        300.0,
        [-0.2, -0.5, 0.0],
    );
    put(&mut p, idx::LEFT_EAR, 360.0, ey, [0.07, -0.7, -0.04 - fwd]);
    put(
        &mut p,
        idx::RIGHT_EAR,
        280.0,
        ey,
        [-0.07, -0.7, -0.04 - fwd],
    );
    put(
        &mut p,
        idx::NOSE,
        320.0,
        ey + 6.0 + pitch,
        [0.0, -0.7, -0.14 - fwd],
    );
    put(&mut p, idx::LEFT_EYE, 335.0, ey - 5.0, [0.03, -0.72, -0.12]);
    put(
        &mut p,
        idx::RIGHT_EYE,
        305.0,
        ey - 5.0,
        [-0.03, -0.72, -0.12],
    );
    put(&mut p, idx::LEFT_HIP, 400.0, 460.0, [0.1, 0.0, 0.0]);
    put(&mut p, idx::RIGHT_HIP, 240.0, 460.0, [-0.1, 0.0, 0.0]);
    p
}

/// A seated person seen side on, facing +x, left side nearer the camera.
fn side(cva: f64, lean: f64, pitch: f64) -> Pose {
    let mut p = blank();
    let (hx, hy) = (300.0, 420.0);
    let (sx, sy) = (
        hx + 200.0 * lean.to_radians().sin(),
        hy - 200.0 * lean.to_radians().cos(),
    );
    let (ex, ey) = (
        sx + 100.0 * cva.to_radians().cos(),
        sy - 100.0 * cva.to_radians().sin(),
    );
    let (nx, ny) = (
        ex + 45.0 * pitch.to_radians().cos(),
        ey + 45.0 * pitch.to_radians().sin(),
    );
    put(&mut p, idx::LEFT_HIP, hx, hy, [0.0, 0.0, -0.1]);
    put(&mut p, idx::RIGHT_HIP, hx - 4.0, hy, [0.0, 0.0, 0.1]);
    put(&mut p, idx::LEFT_SHOULDER, sx, sy, [0.0, -0.5, -0.18]);
    put(
        &mut p,
        idx::RIGHT_SHOULDER,
        sx - 6.0,
        sy + 2.0,
        [0.01, -0.5, 0.18],
    );
    put(&mut p, idx::LEFT_EAR, ex, ey, [0.05, -0.7, -0.08]);
    put(
        &mut p,
        idx::RIGHT_EAR,
        ex - 4.0,
        ey + 1.0,
        [0.05, -0.7, 0.08],
    );
    put(&mut p, idx::NOSE, nx, ny, [0.15, -0.7, 0.0]);
    p
}

/// Either kind of pose, with every landmark jittered.
fn any_pose() -> impl Strategy<Value = Pose> {
    let base = prop_oneof![
        (-30.0..30.0f64, -0.05..0.08f64, -10.0..30.0f64, 0.0..30.0f64)
            .prop_map(|(d, f, p, n)| front(d, f, p, n)),
        (35.0..95.0f64, -15.0..35.0f64, -5.0..50.0f64).prop_map(|(c, l, p)| side(c, l, p)),
    ];
    (
        base,
        proptest::collection::vec((-6.0..6.0f32, -6.0..6.0f32, 0.3..1.0f32), NUM_LANDMARKS),
    )
        .prop_map(|(mut p, jitter)| {
            for (lm, (dx, dy, v)) in p.landmarks.iter_mut().zip(jitter) {
                lm.x += dx;
                lm.y += dy;
                lm.visibility = v;
                lm.presence = v.max(0.6);
            }
            p
        })
}

/// A seated body built in its own frame (x right, y down, z backwards,
/// metres, hip centre at the origin) with the given forward-head angle,
/// rounded-shoulder angle and head pitch, turned by `yaw` degrees about the
/// vertical axis, each world point jittered by up to 1 cm, and projected
/// onto a 640x480 image (orthographic, 500 px per metre).
fn body(fh: f64, rs: f64, pitch: f64, yaw: f64, jitter: &[(f64, f64, f64)]) -> Pose {
    let mut p = blank();
    let (fh, rs, pitch) = (fh.to_radians(), rs.to_radians(), pitch.to_radians());
    // Forward is -z (towards the camera at yaw 0).
    let sh = [0.0, -0.5 * rs.cos(), -0.5 * rs.sin()];
    let ear = [0.0, sh[1] - 0.13 * fh.sin(), sh[2] - 0.13 * fh.cos()];
    let nose = [0.0, ear[1] + 0.1 * pitch.sin(), ear[2] - 0.1 * pitch.cos()];
    let at = |c: [f64; 3], dx: f64| [c[0] + dx, c[1], c[2]];
    let points = [
        (idx::LEFT_SHOULDER, at(sh, 0.19)),
        (idx::RIGHT_SHOULDER, at(sh, -0.19)),
        (idx::LEFT_EAR, at(ear, 0.075)),
        (idx::RIGHT_EAR, at(ear, -0.075)),
        (idx::NOSE, nose),
        (idx::LEFT_HIP, [0.1, 0.0, 0.0]),
        (idx::RIGHT_HIP, [-0.1, 0.0, 0.0]),
    ];
    let (s, c) = yaw.to_radians().sin_cos();
    for (k, (i, w)) in points.into_iter().enumerate() {
        let (jx, jy, jz) = jitter.get(k).copied().unwrap_or_default();
        let w = [w[0] + jx, w[1] + jy, w[2] + jz];
        let r = [w[0] * c + w[2] * s, w[1], -w[0] * s + w[2] * c];
        put(&mut p, i, 320.0 + 500.0 * r[0], 400.0 + 500.0 * r[1], r);
    }
    p
}

/// Bodies at any camera yaw, with world jitter.
fn any_body() -> impl Strategy<Value = Pose> {
    (
        35.0..100.0f64,
        -20.0..40.0f64,
        -10.0..50.0f64,
        0.0..360.0f64,
        proptest::collection::vec((-0.01..0.01f64, -0.01..0.01f64, -0.01..0.01f64), 7),
    )
        .prop_map(|(fh, rs, pitch, yaw, j)| body(fh, rs, pitch, yaw, &j))
}

/// The 3D angles of a measurement, by name.
fn angles(m: &Measurement) -> [(&'static str, Option<f64>); 4] {
    let x = &m.metrics;
    [
        ("forward_head_deg", x.forward_head_deg),
        ("rounded_shoulders_deg", x.rounded_shoulders_deg),
        ("head_pitch_deg", x.head_pitch_deg),
        ("head_flexion_deg", x.head_flexion_deg),
    ]
}

/// The pose with the image scaled by `k` and the world by `kw`.
fn scaled(p: &Pose, k: f32, kw: f32) -> Pose {
    let mut q = p.clone();
    for lm in q.landmarks.iter_mut() {
        lm.x *= k;
        lm.y *= k;
    }
    for w in q.world.iter_mut() {
        for v in w.iter_mut() {
            *v *= kw;
        }
    }
    q.image_width = (p.image_width as f32 * k) as u32;
    q.image_height = (p.image_height as f32 * k) as u32;
    q
}

/// The pose with the world turned by `deg` about the vertical axis.
fn yawed(p: &Pose, deg: f32) -> Pose {
    let mut q = p.clone();
    let (s, c) = deg.to_radians().sin_cos();
    for w in q.world.iter_mut() {
        *w = [w[0] * c + w[2] * s, w[1], -w[0] * s + w[2] * c];
    }
    q
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-3 * (1.0 + a.abs().max(b.abs())),
        _ => false,
    }
}

fn profile_for(pose: &Pose) -> Option<Profile> {
    let ms: Vec<Measurement> = (0..3).map(|_| posture::measure(pose, None)).collect();
    Profile::calibrate(&ms, 0.0).ok()
}

fn judgement(fh: f64, rs: f64, ld: f64) -> Judgement {
    let on = |l: f64| l >= ENTER_LEVEL;
    let verdict = match (on(fh), on(rs), on(ld)) {
        (true, true, _) => Verdict::Slouch,
        (true, false, _) => Verdict::ForwardHead,
        (false, true, _) => Verdict::RoundedShoulders,
        (false, false, true) => Verdict::LookingDown,
        _ => Verdict::Good,
    };
    Judgement {
        verdict,
        view: View::Side,
        reason: None,
        levels: Levels {
            forward_head: Some(fh),
            rounded_shoulders: Some(rs),
            looking_down: Some(ld),
        },
        forward_head: None,
        rounded_shoulders: None,
        looking_down: None,
    }
}

fn state_changes(events: &[posture::Event]) -> Vec<(State, State)> {
    events
        .iter()
        .filter_map(|e| match *e {
            posture::Event::State { from, to, .. } => Some((from, to)),
            _ => None,
        })
        .collect()
}

/// A level strictly inside the hysteresis band.
fn in_band() -> impl Strategy<Value = f64> {
    (EXIT_LEVEL + 1e-3)..(ENTER_LEVEL - 1e-3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Levels inside the band never change the state, whichever side of the
    /// band the machine came from.
    #[test]
    fn no_flip_flop_inside_the_hysteresis_band(
        start in prop_oneof![Just(0.1f64), Just(1.6f64)],
        frames in proptest::collection::vec((0.01..2.0f64, in_band(), in_band(), in_band()), 1..300),
    ) {
        let mut sm = StateMachine::new(StateConfig::default());
        let mut t = 0.0;
        // Settle: 30 s well below or well above the band on every condition.
        while t < 30.0 {
            sm.update(t, Some(&judgement(start, start, start)));
            t += 0.25;
        }
        let settled = sm.state();
        prop_assert_eq!(settled, if start > 1.0 { State::Slouch } else { State::Good });
        let mut events = Vec::new();
        for (dt, fh, rs, ld) in frames {
            t += dt;
            events.extend(sm.update(t, Some(&judgement(fh, rs, ld))));
        }
        prop_assert_eq!(state_changes(&events), vec![]);
        prop_assert_eq!(sm.state(), settled);
    }

    /// Alternating frames on both sides of the band flip at most as often as
    /// the smoothed level crosses it: never more than once per onset time.
    #[test]
    fn state_changes_are_spaced_by_the_onset_or_recovery_time(
        levels in proptest::collection::vec(0.0..2.0f64, 1..400),
        step in 0.05..1.0f64,
    ) {
        let cfg = StateConfig::default();
        let mut sm = StateMachine::new(cfg.clone());
        let mut changes = Vec::new();
        for (i, l) in levels.iter().enumerate() {
            let t = i as f64 * step;
            for e in sm.update(t, Some(&judgement(*l, 0.0, 0.0))) {
                if e.kind() == EventKind::State {
                    changes.push(e.t());
                }
            }
        }
        for w in changes.windows(2) {
            prop_assert!(w[1] - w[0] >= cfg.recover_s.min(cfg.onset_s) - 1e-9, "{changes:?}");
        }
    }

    /// A left-right mirrored pose gives the same forward-head and
    /// rounded-shoulder values (and the same view and verdict).
    #[test]
    fn mirrored_pose_measures_the_same(pose in any_pose()) {
        let a = posture::measure(&pose, None);
        let b = posture::measure(&pose.mirrored(), None);
        prop_assert_eq!(a.view, b.view);
        let (ma, mb) = (&a.metrics, &b.metrics);
        for (name, x, y) in [
            ("cva_deg", ma.cva_deg, mb.cva_deg),
            ("trunk_lean_deg", ma.trunk_lean_deg, mb.trunk_lean_deg),
            ("shoulder_ahead_pct", ma.shoulder_ahead_pct, mb.shoulder_ahead_pct),
            ("head_pitch_deg", ma.head_pitch_deg, mb.head_pitch_deg),
            ("forward_head_deg", ma.forward_head_deg, mb.forward_head_deg),
            ("rounded_shoulders_deg", ma.rounded_shoulders_deg, mb.rounded_shoulders_deg),
            ("head_flexion_deg", ma.head_flexion_deg, mb.head_flexion_deg),
            ("ear_height_ratio", ma.ear_height_ratio, mb.ear_height_ratio),
            ("nose_height_ratio", ma.nose_height_ratio, mb.nose_height_ratio),
            ("head_width_ratio", ma.head_width_ratio, mb.head_width_ratio),
            ("head_forward_cm", ma.head_forward_cm, mb.head_forward_cm),
            ("shoulder_forward_cm", ma.shoulder_forward_cm, mb.shoulder_forward_cm),
            ("body_yaw_deg", ma.body_yaw_deg, mb.body_yaw_deg),
        ] {
            prop_assert!(close(x, y), "{name}: {x:?} vs {y:?}");
        }
        // Tilts change sign in a mirror.
        prop_assert!(close(ma.head_tilt_deg, mb.head_tilt_deg.map(|v| -v)));
        let th = Thresholds::default();
        let pa = profile_for(&front(0.0, 0.0, 0.0, 0.0));
        let pb = profile_for(&side(65.0, 0.0, 20.0));
        for p in [None, pa.as_ref(), pb.as_ref()] {
            let ja = posture::judge(&a, p, &th);
            let jb = posture::judge(&b, p, &th);
            prop_assert_eq!(ja.verdict, jb.verdict);
        }
    }

    /// The 3D angles are measured in every view, and equal what the body
    /// was built with.
    #[test]
    fn angles_3d_read_back_what_the_body_was_built_with(
        fh in 35.0..100.0f64, rs in -20.0..40.0f64, pitch in -10.0..50.0f64, yaw in 0.0..360.0f64,
    ) {
        let m = posture::measure(&body(fh, rs, pitch, yaw, &[]), None);
        let want = [fh, rs, pitch, pitch + fh - 90.0];
        for ((name, got), want) in angles(&m).into_iter().zip(want) {
            prop_assert!(got.is_some_and(|g| (g - want).abs() < 1e-3), "{name}: {got:?} vs {want} ({:?})", m.view);
        }
    }

    /// The 3D angles (and the verdict) do not change when the pose is
    /// mirrored, the image or the world is scaled, or the camera moves
    /// around the person (world turned about the vertical axis).
    #[test]
    fn angles_3d_are_invariant_to_mirror_scale_and_yaw(
        pose in any_body(),
        k in 0.25..4.0f32,
        kw in 0.5..2.0f32,
        turn in -180.0..180.0f32,
    ) {
        let a = posture::measure(&pose, None);
        prop_assert!(a.metrics.forward_head_deg.is_some());
        let th = Thresholds::default();
        let profile = profile_for(&body(75.0, 5.0, 15.0, 30.0, &[]));
        for (what, q) in [
            ("mirrored", pose.mirrored()),
            ("scaled", scaled(&pose, k, kw)),
            ("yawed", yawed(&pose, turn)),
        ] {
            let b = posture::measure(&q, None);
            for ((name, x), (_, y)) in angles(&a).into_iter().zip(angles(&b)) {
                prop_assert!(close(x, y), "{what} {name}: {x:?} vs {y:?}");
            }
            for p in [None, profile.as_ref()] {
                prop_assert_eq!(posture::judge(&a, p, &th).verdict, posture::judge(&b, p, &th).verdict, "{}", what);
            }
        }
    }

    /// Broken (NaN, infinite) world landmarks, or ears, shoulders or nose
    /// not seen, give no 3D angle rather than a wrong one.
    #[test]
    fn missing_or_broken_landmarks_give_no_3d_angle(
        pose in any_body(),
        group in 0usize..3,
        how in 0usize..3,
    ) {
        let members: &[usize] = match group {
            0 => &[idx::LEFT_EAR, idx::RIGHT_EAR],
            1 => &[idx::LEFT_SHOULDER, idx::RIGHT_SHOULDER],
            _ => &[idx::NOSE],
        };
        let mut broken = pose.clone();
        for &i in members {
            match how {
                0 => broken.world[i][1] = f32::NAN,
                1 => broken.world[i][2] = f32::INFINITY,
                _ => broken.landmarks[i].visibility = 0.1,
            }
        }
        let m = posture::measure(&broken, None);
        for (name, v) in angles(&m) {
            prop_assert!(v.is_none(), "{name}: {v:?}");
        }
        let a = posture::judge_pose(Some(&broken), None, None, &Thresholds::default());
        prop_assert_eq!(a.judgement.verdict, Verdict::Uncertain);
    }

    /// NaN or infinite values in the landmarks the judgement needs give
    /// `uncertain`, with or without a profile, and never a panic.
    #[test]
    fn broken_numbers_in_needed_landmarks_give_uncertain(
        pose in any_pose(),
        group in 0usize..3,
        field in 0usize..4,
        bad in prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(f32::NEG_INFINITY)],
    ) {
        let members: &[usize] = match group {
            0 => &[idx::LEFT_EAR, idx::RIGHT_EAR],
            1 => &[idx::LEFT_SHOULDER, idx::RIGHT_SHOULDER],
            _ => &[idx::NOSE],
        };
        let mut broken = pose.clone();
        for &i in members {
            let lm = &mut broken.landmarks[i];
            match field {
                0 => lm.x = bad,
                1 => lm.y = bad,
                2 => lm.visibility = bad,
                _ => lm.presence = bad,
            }
        }
        let th = Thresholds::default();
        let m = posture::measure(&broken, None);
        for v in m.metrics.values().into_iter().flatten() {
            prop_assert!(v.is_finite());
        }
        let profiles = [
            profile_for(&pose),
            profile_for(&front(0.0, 0.0, 0.0, 0.0)),
            profile_for(&side(65.0, 0.0, 20.0)),
        ];
        for p in [None, profiles[0].as_ref(), profiles[1].as_ref(), profiles[2].as_ref()] {
            let a = posture::judge_pose(Some(&broken), None, p, &th);
            prop_assert_eq!(a.judgement.verdict, Verdict::Uncertain, "{:?}", a.judgement);
            for v in [View::Front, View::Side, View::Oblique] {
                let a = posture::judge_pose(Some(&broken), Some(v), p, &th);
                prop_assert_eq!(a.judgement.verdict, Verdict::Uncertain);
            }
        }
    }

    /// Any mix of broken numbers anywhere (image and world landmarks, the
    /// frame size) never panics and never yields a non-finite metric.
    #[test]
    fn arbitrary_garbage_never_panics(
        pose in any_pose(),
        hits in proptest::collection::vec((0usize..NUM_LANDMARKS, 0usize..8, prop_oneof![
            Just(f32::NAN), Just(f32::INFINITY), Just(f32::NEG_INFINITY), Just(0.0f32),
            Just(f32::MAX), Just(-f32::MAX), Just(1e-30f32),
        ]), 0..40),
        width in prop_oneof![Just(0u32), Just(640u32), Just(u32::MAX)],
    ) {
        let mut p = pose;
        p.image_width = width;
        for (i, f, v) in hits {
            match f {
                0 => p.landmarks[i].x = v,
                1 => p.landmarks[i].y = v,
                2 => p.landmarks[i].visibility = v,
                3 => p.landmarks[i].presence = v,
                4 => p.landmarks[i].z = v,
                k => p.world[i][k - 5] = v,
            }
        }
        let th = Thresholds::default();
        let prof = profile_for(&front(0.0, 0.0, 0.0, 0.0));
        for view in [None, Some(View::Front), Some(View::Side), Some(View::Oblique)] {
            let m = posture::measure(&p, view);
            for v in m.metrics.values().into_iter().flatten() {
                prop_assert!(v.is_finite());
            }
            let _ = posture::judge(&m, None, &th);
            let _ = posture::judge(&m, prof.as_ref(), &th);
            let _ = posture::judge_pose(Some(&p.mirrored()), view, prof.as_ref(), &th);
        }
    }
}

#[test]
fn a_pose_of_nothing_but_nan_is_uncertain() {
    let mut p = blank();
    for lm in p.landmarks.iter_mut() {
        *lm = Landmark {
            x: f32::NAN,
            y: f32::NAN,
            z: f32::NAN,
            visibility: f32::NAN,
            presence: f32::NAN,
        };
    }
    p.world = [[f32::NAN; 3]; NUM_LANDMARKS];
    let a = posture::judge_pose(Some(&p), None, None, &Thresholds::default());
    assert_eq!(a.judgement.verdict, Verdict::Uncertain);
    assert_eq!(
        posture::judge_pose(None, None, None, &Thresholds::default())
            .judgement
            .verdict,
        Verdict::NoPerson
    );
}
