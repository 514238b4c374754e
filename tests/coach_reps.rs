//! The stretch coach on real people: MediaPipe's landmarks for real sitting
//! photos (../shared/data), moved along each stretch's path over time at a
//! webcam's inference rate, with Gaussian noise on every landmark. Landmarks
//! pushed outside the picture lose their visibility, as they would.
//!
//! The noise table in the report comes from
//! `cargo test --test coach_reps -- --ignored --nocapture noise_table`.

use std::collections::BTreeMap;

use hunch::coach::synth::{Move, RepTiming, apply, body_scale, jitter, set_amount};
use hunch::coach::{Coach, CoachStatus, Outcome, PauseReason, Phase, detectors};
use hunch::landmarks::Pose;
use hunch::stretches::{self, Dose, Stretch, Verify};
use hunch::testdata::{load_reference, shared_data_or_skip};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;

const FRONT_LAPTOP: &str = "posture/front-ekam-1023/Photo-on-2025-10-23-at-9.08-PM-3.jpg";
const FRONT_SMALL: &str =
    "posture/front-slouching-or-not/low-isSlouching__high-notSlouching/sample-1542640808958-0.jpg";
const SIDE: &str = "posture/side-ssb/SSB_STRAIGHT1.jpg";

/// The real poses by name, or `None` (skipped) without the shared data.
fn poses(what: &str) -> Option<BTreeMap<&'static str, Pose>> {
    let dir = shared_data_or_skip(what)?;
    let refs = load_reference(&dir).expect("mediapipe_reference.json loads");
    let mut out = BTreeMap::new();
    for key in [FRONT_LAPTOP, FRONT_SMALL, SIDE] {
        let pose = refs
            .get(key)
            .and_then(|r| r.pose.clone())
            .unwrap_or_else(|| panic!("{key} has no pose in the reference"));
        out.insert(key, pose);
    }
    Some(out)
}

/// The same person sitting further from the camera: scaled by `k` about the
/// bottom centre of the picture.
fn sit_back(p: &Pose, k: f32) -> Pose {
    let mut q = p.clone();
    let (cx, cy) = (p.image_width as f32 / 2.0, p.image_height as f32);
    for l in q.landmarks.iter_mut() {
        l.x = cx + (l.x - cx) * k;
        l.y = cy + (l.y - cy) * k;
    }
    q
}

/// Landmarks outside the picture are not visible.
fn clip_to_frame(mut p: Pose) -> Pose {
    let (w, h) = (p.image_width as f32, p.image_height as f32);
    for l in p.landmarks.iter_mut() {
        if !(0.0..w).contains(&l.x) || !(0.0..h).contains(&l.y) {
            l.visibility = l.visibility.min(0.1);
            l.presence = l.presence.min(0.1);
        }
    }
    p
}

fn stretch(id: &str) -> Stretch {
    stretches::find(id).expect("library stretch").clone()
}

fn hold_of(s: &Stretch) -> f64 {
    match s.dose {
        Dose::Reps { hold_s, .. } => hold_s,
        Dose::Hold { seconds } => seconds,
    }
}

fn target(s: &Stretch) -> u32 {
    match s.dose {
        Dose::Reps { reps, .. } => reps,
        Dose::Hold { .. } => 0,
    }
}

fn move_for(s: &Stretch) -> Move {
    match s.verify {
        Verify::ChinTuck => Move::ChinTuck,
        Verify::ShoulderRoll => Move::Shrug,
        Verify::WallAngel => Move::WallAngel,
        Verify::ThoracicExtension => Move::Thoracic,
        Verify::BrueggerHold | Verify::None => Move::Bruegger,
    }
}

/// A person doing `n` reps of `s` the way people do: varied pace, rests,
/// holds a little past the count and depth (1.1–1.6 times the nominal
/// movement; wall angels 0.9–1.1 of the W-to-Y path).
fn human_reps(s: &Stretch, n: usize, rng: &mut StdRng) -> (Vec<RepTiming>, f32) {
    let reps = (0..n)
        .map(|_| RepTiming {
            rest_s: rng.random_range(0.8..2.0),
            move_s: rng.random_range(0.6..1.4),
            hold_s: hold_of(s) + rng.random_range(0.5..1.5),
            back_s: rng.random_range(0.6..1.4),
        })
        .collect();
    let peak = if s.verify == Verify::WallAngel {
        rng.random_range(0.9..1.1)
    } else {
        rng.random_range(1.1..1.6)
    };
    (reps, peak)
}

struct Run {
    statuses: Vec<CoachStatus>,
    coach: Coach,
}

/// Plays `reps` of `s` from `base` at `fps` with noise `noise` × body scale:
/// 1.5 s still first, 3 s still after.
fn play(
    s: &Stretch,
    base: &Pose,
    reps: &[RepTiming],
    peak: f32,
    fps: f64,
    noise: f32,
    rng: &mut StdRng,
) -> Run {
    let mv = move_for(s);
    let sd = noise * body_scale(base).expect("a usable pose");
    let lead = 1.5;
    let total = lead + reps.iter().map(RepTiming::total).sum::<f64>() + 3.0;
    let mut coach = Coach::new(s, 0.0);
    let mut statuses = Vec::new();
    let mut i = 0;
    loop {
        let t = f64::from(i) / fps;
        if t > total {
            break;
        }
        let p = apply(base, mv, set_amount(reps, peak, t - lead));
        let p = clip_to_frame(jitter(&p, sd, || rng.sample::<f32, _>(StandardNormal)));
        statuses.push(coach.update(t, Some(&p)));
        i += 1;
    }
    Run { statuses, coach }
}

/// The starting pose for a stretch: wall angels begin with the hands up in
/// the W, and need the person far enough back for the Y to fit the picture.
fn start_pose(s: &Stretch, p: &Pose, key: &str) -> Pose {
    if s.verify == Verify::WallAngel {
        let p = sit_back(p, if key == SIDE { 0.7 } else { 0.55 });
        apply(&p, Move::WallAngel, 0.0)
    } else {
        p.clone()
    }
}

const CHECKED: [&str; 4] = [
    "chin_tucks",
    "shoulder_rolls",
    "wall_angels",
    "thoracic_extension",
];

#[test]
fn full_sets_count_exactly_on_real_poses_with_noise() {
    let Some(poses) = poses("coach full sets on real poses") else {
        return;
    };
    let mut runs = 0;
    for id in CHECKED {
        let s = stretch(id);
        for (key, pose) in &poses {
            let base = start_pose(&s, pose, key);
            // A front-view chin tuck is read from the head's apparent size,
            // the noisiest cue: exact to 0.5 % (see the noise table).
            let noise = if id == "chin_tucks" && *key != SIDE {
                0.005
            } else {
                0.01
            };
            for fps in [3.0, 5.0, 10.0] {
                for seed in 0..3 {
                    let mut rng = StdRng::seed_from_u64(seed);
                    let n = target(&s) as usize;
                    let (reps, peak) = human_reps(&s, n, &mut rng);
                    let run = play(&s, &base, &reps, peak, fps, noise, &mut rng);
                    let last = run.statuses.last().unwrap();
                    assert_eq!(
                        last.phase,
                        Phase::Finished,
                        "{id} on {key} at {fps} fps, noise {noise}, seed {seed}: {last:?}"
                    );
                    assert_eq!(
                        run.coach.result().outcome,
                        Outcome::DoneVerified {
                            reps: n as u32,
                            held_s: 0.0
                        }
                    );
                    runs += 1;
                }
            }
        }
    }
    assert_eq!(runs, 4 * 3 * 3 * 3);
}

#[test]
fn still_noisy_people_count_nothing_on_real_poses() {
    let Some(poses) = poses("coach still people on real poses") else {
        return;
    };
    for id in CHECKED {
        let s = stretch(id);
        for (key, pose) in &poses {
            let base = start_pose(&s, pose, key);
            for seed in 0..3 {
                let mut rng = StdRng::seed_from_u64(100 + seed);
                // A minute of sitting still, at 5 fps, 1.5 % noise.
                let reps = [RepTiming {
                    rest_s: 60.0,
                    move_s: 1.0,
                    hold_s: 1.0,
                    back_s: 1.0,
                }];
                let run = play(&s, &base, &reps, 0.0, 5.0, 0.015, &mut rng);
                let last = run.statuses.last().unwrap();
                assert_eq!(last.reps_done, 0, "{id} on {key}, seed {seed}");
                assert_eq!(last.phase, Phase::Active, "{id} on {key}");
            }
        }
    }
}

#[test]
fn leaving_the_frame_mid_set_pauses_and_resumes() {
    let Some(poses) = poses("coach pause and resume on real poses") else {
        return;
    };
    let s = stretch("chin_tucks");
    for key in [FRONT_LAPTOP, SIDE] {
        let base = &poses[key];
        let mut rng = StdRng::seed_from_u64(7);
        let (reps, peak) = human_reps(&s, 10, &mut rng);
        let sd = 0.01 * body_scale(base).unwrap();
        // Away for 5 s after the fourth rep, just before the fifth starts.
        let lead = 1.5;
        let away_from =
            lead + reps[..4].iter().map(RepTiming::total).sum::<f64>() + reps[4].rest_s - 0.1;
        let away_to = away_from + 5.0;
        let total = lead + reps.iter().map(RepTiming::total).sum::<f64>() + 5.0 + 3.0;
        let mut coach = Coach::new(&s, 0.0);
        let mut paused = 0;
        let mut t = 0.0;
        while t < total {
            let st = if (away_from..away_to).contains(&t) {
                coach.update(t, None)
            } else {
                let set_t = if t >= away_to { t - 5.0 } else { t };
                let p = apply(base, Move::ChinTuck, set_amount(&reps, peak, set_t - lead));
                let p = clip_to_frame(jitter(&p, sd, || rng.sample::<f32, _>(StandardNormal)));
                coach.update(t, Some(&p))
            };
            if (away_from..away_to).contains(&t) {
                assert_eq!(st.phase, Phase::Paused(PauseReason::NoPerson), "{key}");
                assert_eq!(st.reps_done, 4, "{key}");
                paused += 1;
            }
            t += 0.2;
        }
        assert!(paused >= 24);
        assert_eq!(coach.status().phase, Phase::Finished, "{key}");
        assert_eq!(coach.status().reps_done, 10, "{key}");
    }
}

#[test]
fn bruegger_hold_counts_only_while_held_on_real_poses() {
    let Some(poses) = poses("coach Brügger hold on real poses") else {
        return;
    };
    let s = stretch("brueggers_relief");
    let seconds = hold_of(&s);
    for (key, base) in &poses {
        let mut rng = StdRng::seed_from_u64(3);
        let sd = 0.01 * body_scale(base).unwrap();
        let mut coach = Coach::new(&s, 0.0);
        let mut t = 0.0;
        let mut frame = |coach: &mut Coach, t: f64, p: &Pose| {
            let p = clip_to_frame(jitter(p, sd, || rng.sample::<f32, _>(StandardNormal)));
            coach.update(t, Some(&p))
        };
        // Sitting as before: the clock does not run.
        while t < 15.0 {
            frame(&mut coach, t, base);
            t += 0.25;
        }
        let st = coach.status().clone();
        assert_eq!(st.hold_remaining_s, Some(seconds), "{key}: {st:?}");
        assert_eq!(st.hint.as_deref(), Some(detectors::HINT_TUCK_CHIN), "{key}");
        // In position: the clock runs to the end.
        let held = apply(base, Move::Bruegger, 1.3);
        let started = t;
        while coach.status().phase != Phase::Finished && t < 60.0 {
            frame(&mut coach, t, &held);
            t += 0.25;
        }
        assert_eq!(coach.status().phase, Phase::Finished, "{key}");
        let took = t - started;
        assert!(
            took >= seconds && took < seconds + 2.0,
            "{key}: {took} s for a {seconds} s hold"
        );
    }
}

#[test]
fn wall_angels_too_close_to_the_laptop_ask_to_sit_back() {
    let Some(poses) = poses("coach wall angels out of frame") else {
        return;
    };
    let s = stretch("wall_angels");
    // At the photo's own distance the Y leaves the top of the picture.
    let base = apply(&poses[FRONT_LAPTOP], Move::WallAngel, 0.0);
    let mut rng = StdRng::seed_from_u64(11);
    let (reps, peak) = human_reps(&s, 5, &mut rng);
    let run = play(&s, &base, &reps, peak, 5.0, 0.01, &mut rng);
    assert_eq!(run.statuses.last().unwrap().reps_done, 0);
    assert!(
        run.statuses
            .iter()
            .any(|st| st.hint.as_deref() == Some(detectors::HINT_HANDS_LOST))
    );
}

/// Counted vs expected reps as the noise grows (sd as a fraction of the body
/// scale), per stretch and view, and false reps of a still person.
#[test]
#[ignore = "prints the noise table for the report; takes a minute"]
fn noise_table() {
    let Some(poses) = poses("coach noise table") else {
        return;
    };
    let noises = [0.0f32, 0.005, 0.01, 0.02, 0.03, 0.04];
    // HUNCH_TABLE_ONLY=chin_tucks limits the table to one stretch.
    let only = std::env::var("HUNCH_TABLE_ONLY").ok();
    let checked: Vec<&str> = CHECKED
        .into_iter()
        .filter(|id| only.as_deref().is_none_or(|o| o == *id))
        .collect();
    let seeds = 10;
    println!("reps counted / expected (exact sets), 5 fps, {seeds} seeds per cell");
    print!("{:<20} {:<6}", "stretch", "view");
    for n in noises {
        print!(" {:>13}", format!("{:.1}%", n * 100.0));
    }
    println!();
    for &id in &checked {
        let s = stretch(id);
        for (key, view) in [
            (FRONT_LAPTOP, "front"),
            (FRONT_SMALL, "front2"),
            (SIDE, "side"),
        ] {
            let base = start_pose(&s, &poses[key], key);
            print!("{id:<20} {view:<6}");
            for noise in noises {
                let (mut counted, mut expected, mut exact) = (0, 0, 0);
                for seed in 0..seeds {
                    let mut rng = StdRng::seed_from_u64(1000 + seed);
                    let n = 8;
                    let mut s2 = s.clone();
                    if let Dose::Reps { hold_s, .. } = s.dose {
                        s2.dose = Dose::Reps { reps: 50, hold_s };
                    }
                    let (reps, peak) = human_reps(&s2, n, &mut rng);
                    let run = play(&s2, &base, &reps, peak, 5.0, noise, &mut rng);
                    let got = run.statuses.last().unwrap().reps_done;
                    counted += got;
                    expected += n as u32;
                    exact += u32::from(got == n as u32);
                }
                print!(" {:>13}", format!("{counted}/{expected} ({exact})"));
            }
            println!();
        }
    }
    println!("\nfalse reps of a still person, 2 minutes at 5 fps, {seeds} seeds per cell");
    for &id in &checked {
        let s = stretch(id);
        for (key, view) in [
            (FRONT_LAPTOP, "front"),
            (FRONT_SMALL, "front2"),
            (SIDE, "side"),
        ] {
            let base = start_pose(&s, &poses[key], key);
            print!("{id:<20} {view:<6}");
            for noise in noises {
                let mut false_reps = 0;
                for seed in 0..seeds {
                    let mut rng = StdRng::seed_from_u64(2000 + seed);
                    let still = [RepTiming {
                        rest_s: 120.0,
                        move_s: 1.0,
                        hold_s: 1.0,
                        back_s: 1.0,
                    }];
                    let run = play(&s, &base, &still, 0.0, 5.0, noise, &mut rng);
                    false_reps += run.statuses.last().unwrap().reps_done;
                }
                print!(" {false_reps:>13}");
            }
            println!();
        }
    }
}
