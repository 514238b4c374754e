//! Coach tests on made-up poses moved along each stretch's path.

use proptest::prelude::*;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;

use super::synth::{Move, RepTiming, apply, body_scale, jitter, set_amount};
use super::testpose::{front_pose, side_pose};
use super::*;
use crate::stretches::{self, Dose};

fn stretch(id: &str) -> Stretch {
    stretches::find(id).unwrap().clone()
}

/// The library stretch with its rep target raised, so a set never finishes early.
fn with_target(id: &str, reps: u32) -> Stretch {
    let mut s = stretch(id);
    if let Dose::Reps { hold_s, .. } = s.dose {
        s.dose = Dose::Reps { reps, hold_s };
    }
    s
}

fn hold_of(s: &Stretch) -> f64 {
    match s.dose {
        Dose::Reps { hold_s, .. } => hold_s,
        Dose::Hold { seconds } => seconds,
    }
}

fn mv_for(s: &Stretch) -> Move {
    match s.verify {
        Verify::ChinTuck => Move::ChinTuck,
        Verify::ShoulderRoll | Verify::Shrug => Move::Shrug,
        Verify::WallAngel => Move::WallAngel,
        Verify::ThoracicExtension => Move::Thoracic,
        Verify::BrueggerHold => Move::Bruegger,
        // Not made by `synth`: tested on forward kinematics (tests/pipeline/coach_reps.rs,
        // coach_floor.rs).
        Verify::Rotation
        | Verify::NeckRoll
        | Verify::CatCow
        | Verify::ChildsPose
        | Verify::None => Move::ChinTuck,
    }
}

struct Set {
    base: Pose,
    mv: Move,
    reps: Vec<RepTiming>,
    peak: f32,
    fps: f64,
    /// Noise sd as a fraction of the body scale.
    noise: f32,
    seed: u64,
    /// Still before the first rep (the coach takes the start position).
    lead_in_s: f64,
    tail_s: f64,
}

impl Set {
    fn regular(base: Pose, s: &Stretch, n: usize) -> Set {
        let mv = mv_for(s);
        Set {
            base,
            mv,
            reps: vec![
                RepTiming {
                    rest_s: 1.0,
                    move_s: 0.8,
                    hold_s: hold_of(s) + 0.8,
                    back_s: 0.8,
                };
                n
            ],
            peak: if mv == Move::WallAngel { 1.0 } else { 1.4 },
            fps: 5.0,
            noise: 0.0,
            seed: 1,
            lead_in_s: 1.5,
            tail_s: 2.0,
        }
    }

    fn duration(&self) -> f64 {
        self.lead_in_s + self.reps.iter().map(RepTiming::total).sum::<f64>() + self.tail_s
    }

    fn frames(&self) -> Vec<(f64, Pose)> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let sd = self.noise * body_scale(&self.base).unwrap();
        let n = (self.duration() * self.fps).ceil() as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / self.fps;
                let a = set_amount(&self.reps, self.peak, t - self.lead_in_s);
                let p = apply(&self.base, self.mv, a);
                (t, jitter(&p, sd, || rng.sample::<f32, _>(StandardNormal)))
            })
            .collect()
    }
}

fn run(coach: &mut Coach, frames: &[(f64, Pose)]) -> Vec<CoachStatus> {
    frames
        .iter()
        .map(|(t, p)| coach.update(*t, Some(p)))
        .collect()
}

#[test]
fn every_checked_stretch_counts_a_full_set_front_and_side() {
    for id in [
        "chin_tucks",
        "shoulder_rolls",
        "wall_angels",
        "thoracic_extension",
    ] {
        for base in [front_pose(), side_pose()] {
            let s = stretch(id);
            let Dose::Reps { reps, .. } = s.dose else {
                panic!("{id} is not a rep stretch")
            };
            let set = Set::regular(base, &s, reps as usize);
            let mut c = Coach::new(&s, 0.0);
            let statuses = run(&mut c, &set.frames());
            let last = statuses.last().unwrap();
            assert_eq!(last.phase, Phase::Finished, "{id}: {last:?}");
            assert_eq!(last.reps_done, reps, "{id}");
            assert_eq!(
                c.result().outcome,
                Outcome::DoneVerified { reps, held_s: 0.0 }
            );
            assert!(statuses[0].phase == Phase::Ready);
            if hold_of(&s) > 0.0 {
                assert!(statuses.iter().any(|s| s.phase == Phase::Holding), "{id}");
            }
        }
    }
}

#[test]
fn a_still_noisy_person_counts_nothing() {
    for id in ["chin_tucks", "shoulder_rolls", "thoracic_extension"] {
        for base in [front_pose(), side_pose()] {
            let s = stretch(id);
            for seed in 0..5 {
                let mut set = Set::regular(base.clone(), &s, 0);
                set.tail_s = 60.0;
                set.noise = 0.01;
                set.seed = seed;
                let mut c = Coach::new(&s, 0.0);
                let statuses = run(&mut c, &set.frames());
                let last = statuses.last().unwrap();
                assert_eq!(last.reps_done, 0, "{id} seed {seed}");
                assert_eq!(last.phase, Phase::Active);
                assert!(last.hint.is_some());
            }
        }
    }
}

#[test]
fn part_way_movements_do_not_count_and_ask_for_more() {
    // A tuck held at 0.45 of the nominal: inside the hysteresis band.
    let s = stretch("chin_tucks");
    let mut set = Set::regular(front_pose(), &s, 6);
    set.peak = 0.45;
    set.noise = 0.002;
    let mut c = Coach::new(&s, 0.0);
    let statuses = run(&mut c, &set.frames());
    assert_eq!(statuses.last().unwrap().reps_done, 0);
    assert!(
        statuses
            .iter()
            .any(|s| s.hint.as_deref() == Some(CHIN_TUCK.further))
    );
}

#[test]
fn quick_reps_and_early_releases_do_not_count() {
    let s = stretch("chin_tucks");
    let mut set = Set::regular(front_pose(), &s, 5);
    // Held 1 s of the 3 s asked.
    for r in &mut set.reps {
        r.hold_s = 1.0;
    }
    let mut c = Coach::new(&s, 0.0);
    let statuses = run(&mut c, &set.frames());
    assert_eq!(statuses.last().unwrap().reps_done, 0);
    assert!(
        statuses
            .iter()
            .any(|s| s.hint.as_deref() == Some("Hold until the timer runs out"))
    );

    let s = stretch("shoulder_rolls");
    let mut set = Set::regular(front_pose(), &s, 8);
    set.fps = 15.0;
    for r in &mut set.reps {
        // Twitches: up and down within 0.45 s.
        *r = RepTiming {
            rest_s: 0.8,
            move_s: 0.1,
            hold_s: 0.25,
            back_s: 0.1,
        };
    }
    let mut c = Coach::new(&s, 0.0);
    let statuses = run(&mut c, &set.frames());
    assert_eq!(statuses.last().unwrap().reps_done, 0);
    assert!(
        statuses
            .iter()
            .any(|s| s.hint.as_deref() == Some(SHOULDER_ROLL.too_quick))
    );
}

#[test]
fn leaving_the_frame_pauses_and_a_long_absence_retakes_the_start() {
    let s = with_target("chin_tucks", 20);
    let first = Set::regular(front_pose(), &s, 3);
    let mut c = Coach::new(&s, 0.0);
    let mut t0 = 0.0;
    for (t, p) in first.frames() {
        c.update(t, Some(&p));
        t0 = t;
    }
    assert_eq!(c.status().reps_done, 3);
    // Away for 4 s: paused, nothing counted.
    for i in 1..=20 {
        let st = c.update(t0 + f64::from(i) * 0.2, None);
        assert_eq!(st.phase, Phase::Paused(PauseReason::NoPerson));
        assert_eq!(st.hint.as_deref(), Some("Step back into view"));
        assert_eq!(st.reps_done, 3);
    }
    t0 += 4.2;
    // Back, sitting further away: the start position is taken again.
    let mut moved = front_pose();
    for l in moved.landmarks.iter_mut() {
        l.x = l.x * 0.85 + 40.0;
        l.y = l.y * 0.85 + 20.0;
    }
    let second = Set::regular(moved, &s, 3);
    let statuses: Vec<CoachStatus> = second
        .frames()
        .iter()
        .map(|(t, p)| c.update(t0 + t, Some(p)))
        .collect();
    assert_eq!(statuses[0].phase, Phase::Ready);
    assert_eq!(c.status().reps_done, 6, "{:?}", c.status());
}

#[test]
fn a_short_dropout_keeps_the_rep_going() {
    let s = with_target("chin_tucks", 20);
    let set = Set::regular(front_pose(), &s, 4);
    let frames = set.frames();
    let per = set.reps[0].total();
    // 0.6 s without a pose in the middle of each hold.
    let mut c = Coach::new(&s, 0.0);
    for (t, p) in &frames {
        let u = (t - set.lead_in_s).rem_euclid(per);
        let in_gap = *t > set.lead_in_s && (2.8..3.4).contains(&u);
        let st = c.update(*t, if in_gap { None } else { Some(p) });
        if in_gap {
            assert!(matches!(st.phase, Phase::Paused(_)));
        }
    }
    assert_eq!(c.status().reps_done, 4);
}

#[test]
fn unclear_landmarks_pause_instead_of_counting() {
    let s = with_target("shoulder_rolls", 20);
    let set = Set::regular(front_pose(), &s, 5);
    let mut c = Coach::new(&s, 0.0);
    for (t, p) in set.frames() {
        let mut p = p;
        if t > set.lead_in_s {
            p.landmarks[crate::landmarks::idx::LEFT_SHOULDER].visibility = 0.2;
        }
        let st = c.update(t, Some(&p));
        if t > set.lead_in_s {
            assert_eq!(st.phase, Phase::Paused(PauseReason::LandmarksUnclear));
        }
    }
    assert_eq!(c.status().reps_done, 0);
}

#[test]
fn wall_angels_wait_for_the_hands() {
    let s = stretch("wall_angels");
    let mut c = Coach::new(&s, 0.0);
    // Arms down out of view (the still photo): the coach starts but cannot count.
    let mut last = None;
    for i in 0..30 {
        last = Some(c.update(f64::from(i) * 0.2, Some(&front_pose())));
    }
    let last = last.unwrap();
    assert_eq!(last.phase, Phase::Active);
    assert_eq!(last.hint.as_deref(), Some(detectors::HINT_SHOW_HANDS));
}

#[test]
fn bruegger_hold_runs_only_in_position() {
    let s = stretch("brueggers_relief");
    let seconds = hold_of(&s);
    for base in [front_pose(), side_pose()] {
        let mut c = Coach::new(&s, 0.0);
        let mut t = 0.0;
        fn step(c: &mut Coach, t: &mut f64, p: &Pose, secs: f64) -> CoachStatus {
            let mut st = c.status().clone();
            let end = *t + secs;
            while *t < end {
                st = c.update(*t, Some(p));
                *t += 0.2;
            }
            st
        }
        let st = step(&mut c, &mut t, &base, 3.0);
        assert_eq!(st.hold_remaining_s, Some(seconds));
        assert_eq!(st.hint.as_deref(), Some(detectors::HINT_TUCK_CHIN));
        let good = apply(&base, Move::Bruegger, 1.3);
        let st = step(&mut c, &mut t, &good, 8.0);
        assert_eq!(st.phase, Phase::Holding);
        let left = st.hold_remaining_s.unwrap();
        assert!((left - (seconds - 8.0)).abs() < 1.0, "{left}");
        // Shrugging stops the clock and says why.
        // (A front view sees the shrug against the ears, which the tuck
        // raised: it takes a clear one.)
        let shrugged = apply(&good, Move::Shrug, 1.5);
        let st = step(&mut c, &mut t, &shrugged, 5.0);
        assert_eq!(st.phase, Phase::Active);
        assert_eq!(st.hint.as_deref(), Some(detectors::HINT_SHOULDERS_DOWN));
        assert!((st.hold_remaining_s.unwrap() - left).abs() < 0.6);
        // Leaving the frame stops it too.
        for _ in 0..10 {
            t += 0.2;
            c.update(t, None);
        }
        let st = step(&mut c, &mut t, &good, seconds);
        assert_eq!(st.phase, Phase::Finished);
        match c.result().outcome {
            Outcome::DoneVerified { held_s, reps: 0 } => assert!(held_s >= seconds),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn unverified_stretches_run_a_timer_and_trust_the_user() {
    let s = stretch("doorway_stretch");
    let mut c = Coach::new(&s, 100.0);
    let st = c.update(110.0, None);
    assert_eq!(st.phase, Phase::Active);
    assert!(!st.verified);
    assert_eq!(st.time_remaining_s, Some(20.0));
    assert!(st.hint.unwrap().contains("press d"));
    let st = c.update(200.0, Some(&front_pose()));
    assert_eq!(st.time_remaining_s, Some(0.0));
    assert_eq!(st.progress, 1.0);
    let r = c.mark_done(201.0);
    assert_eq!(r.outcome, Outcome::DoneUnverified);
    assert_eq!(r.duration_s, 101.0);
    assert_eq!(c.status().phase, Phase::Finished);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "stretch_id": "doorway_stretch",
            "outcome": {"kind": "done_unverified"},
            "duration_s": 101.0,
            "verified": false
        })
    );
    // Finished is final.
    assert_eq!(c.skip(300.0).outcome, Outcome::DoneUnverified);
}

#[test]
fn skipping_and_stopping_early_are_recorded_as_such() {
    let s = stretch("chin_tucks");
    let set = Set::regular(front_pose(), &s, 3);
    let mut c = Coach::new(&s, 0.0);
    let frames = set.frames();
    run(&mut c, &frames);
    let r = c.result();
    assert_eq!(
        r.outcome,
        Outcome::Incomplete {
            reps: 3,
            held_s: 0.0
        }
    );
    let r = c.mark_done(frames.last().unwrap().0 + 1.0);
    assert_eq!(
        r.outcome,
        Outcome::Incomplete {
            reps: 3,
            held_s: 0.0
        }
    );
    assert!(r.verified);
    let json = serde_json::to_value(r.outcome).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "incomplete", "reps": 3, "held_s": 0.0})
    );

    let mut c = Coach::new(&s, 5.0);
    c.update(6.0, Some(&front_pose()));
    let r = c.skip(9.0);
    assert_eq!(r.outcome, Outcome::Skipped);
    assert_eq!(r.duration_s, 4.0);
    // Updates after the end change nothing.
    assert_eq!(c.update(10.0, Some(&front_pose())).phase, Phase::Finished);
}

#[test]
fn summaries_say_what_was_seen() {
    let s = stretch("chin_tucks");
    let set = Set::regular(front_pose(), &s, 10);
    let mut c = Coach::new(&s, 0.0);
    let frames = set.frames();
    run(&mut c, &frames);
    let line = c.summary();
    assert!(
        line.starts_with("Chin tucks: 10 of 10 reps, checked by the camera ("),
        "{line}"
    );

    let mut c = Coach::new(&s, 0.0);
    run(&mut c, &frames[..frames.len() / 2]);
    c.mark_done(100.0);
    assert_eq!(
        c.summary(),
        "Chin tucks: 4 of 10 reps seen by the camera (1:40)"
    );

    let mut c = Coach::new(&stretch("doorway_stretch"), 0.0);
    c.mark_done(65.0);
    assert_eq!(
        c.summary(),
        "Doorway chest stretch: done, not checked by the camera (1:05)"
    );

    let mut c = Coach::new(&stretch("brueggers_relief"), 0.0);
    c.skip(3.0);
    assert_eq!(c.summary(), "Brügger's relief position: skipped");
}

#[test]
fn results_map_onto_the_history_outcomes() {
    use crate::history::Outcome as H;
    let s = stretch("chin_tucks");
    let set = Set::regular(front_pose(), &s, 10);
    let mut c = Coach::new(&s, 0.0);
    run(&mut c, &set.frames());
    assert_eq!(c.result().history_outcome(), H::DoneVerified { reps: 10 });
    let mut c = Coach::new(&s, 0.0);
    c.mark_done(5.0);
    assert_eq!(c.result().history_outcome(), H::DoneUnverified);
    let mut c = Coach::new(&stretch("doorway_stretch"), 0.0);
    c.mark_done(5.0);
    assert_eq!(c.result().history_outcome(), H::DoneUnverified);
    let mut c = Coach::new(&s, 0.0);
    c.skip(5.0);
    assert_eq!(c.result().history_outcome(), H::Skipped);
}

#[test]
fn bad_times_are_ignored() {
    let s = stretch("shoulder_rolls");
    let mut c = Coach::new(&s, f64::NAN);
    let a = c.update(1.0, Some(&front_pose()));
    assert_eq!(c.update(f64::NAN, Some(&front_pose())), a);
    assert_eq!(c.update(0.5, None), a);
    assert_eq!(c.update(f64::INFINITY, None), a);
    let r = c.skip(f64::NAN);
    assert_eq!(r.duration_s, 1.0);
}

#[test]
fn a_reference_pose_skips_the_start_position() {
    let s = stretch("chin_tucks");
    let mut c = Coach::new(&s, 0.0).with_reference(&front_pose());
    assert!(c.baseline().is_some());
    assert_eq!(c.update(0.0, Some(&front_pose())).phase, Phase::Active);
    let c = Coach::new(&s, 0.0)
        .with_view(View::Side)
        .with_reference(&front_pose());
    assert_eq!(c.baseline().unwrap().view, View::Side);
}

/// Human rep timings; `hold_s` is the time held beyond what the stretch asks.
fn rep_timings() -> impl Strategy<Value = Vec<RepTiming>> {
    proptest::collection::vec(
        (0.8f64..2.0, 0.5f64..1.2, 0.5f64..1.5, 0.5f64..1.2).prop_map(
            |(rest_s, move_s, hold_s, back_s)| RepTiming {
                rest_s,
                move_s,
                hold_s,
                back_s,
            },
        ),
        0..6,
    )
}

fn checked_ids() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("chin_tucks"),
        Just("shoulder_rolls"),
        Just("wall_angels"),
        Just("thoracic_extension"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any set of reps with human timings, at 3–10 fps, with a little noise,
    /// in either view, counts exactly.
    #[test]
    fn reps_count_exactly(
        id in checked_ids(),
        side in any::<bool>(),
        reps in rep_timings(),
        peak in 1.1f32..1.8,
        fps in 3.0f64..10.0,
        seed in any::<u64>(),
    ) {
        let s = with_target(id, 50);
        let base = if side { side_pose() } else { front_pose() };
        let mut set = Set::regular(base, &s, 0);
        set.reps = reps.iter().map(|r| RepTiming { hold_s: r.hold_s + hold_of(&s), ..*r }).collect();
        set.peak = if set.mv == Move::WallAngel { peak.min(1.2) } else { peak };
        set.fps = fps;
        set.noise = 0.003;
        set.seed = seed;
        let mut c = Coach::new(&s, 0.0);
        let statuses = run(&mut c, &set.frames());
        prop_assert_eq!(statuses.last().unwrap().reps_done as usize, set.reps.len());
    }

    /// Jitter within the detectors' bands never counts: a still person with
    /// noise up to 1 % of the shoulder width, at any frame rate.
    #[test]
    fn still_person_counts_zero(
        id in checked_ids(),
        side in any::<bool>(),
        noise in 0.0f32..0.01,
        fps in 3.0f64..10.0,
        seed in any::<u64>(),
    ) {
        let s = stretch(id);
        let base = if side { side_pose() } else { front_pose() };
        // Wall angels: hands held still in the W.
        let base = if id == "wall_angels" { apply(&base, Move::WallAngel, 0.0) } else { base };
        let mut set = Set::regular(base, &s, 0);
        set.noise = noise;
        set.fps = fps;
        set.seed = seed;
        set.tail_s = 40.0;
        let mut c = Coach::new(&s, 0.0);
        let statuses = run(&mut c, &set.frames());
        prop_assert_eq!(statuses.last().unwrap().reps_done, 0);
    }

    /// NaN or infinite landmarks anywhere never panic and never count.
    #[test]
    fn broken_landmarks_never_count(
        id in prop_oneof![checked_ids(), Just("brueggers_relief")],
        breaks in proptest::collection::vec((0usize..33, 0usize..4, prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(-1e30f32)]), 1..40),
        seed in any::<u64>(),
    ) {
        let s = stretch(id);
        let set = Set::regular(front_pose(), &s, 0);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut c = Coach::new(&s, 0.0);
        for i in 0..200 {
            let t = f64::from(i) * 0.2;
            let mut p = set.base.clone();
            if rng.random_bool(0.5) {
                for &(lm, field, v) in &breaks {
                    let l = &mut p.landmarks[lm];
                    match field {
                        0 => l.x = v,
                        1 => l.y = v,
                        2 => l.visibility = v,
                        _ => p.presence = v,
                    }
                }
            }
            let st = c.update(t, Some(&p));
            prop_assert_eq!(st.reps_done, 0);
            prop_assert!(st.progress.is_finite());
            prop_assert!(st.hold_remaining_s.is_none_or(|h| h.is_finite()));
        }
    }
}
