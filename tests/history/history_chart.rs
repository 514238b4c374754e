//! The chart, drawn from a realistic three-week history: office days with
//! fatigue building through each session, glances at the keyboard, coffee
//! breaks, prompts and a slow improvement over the weeks.
//!
//! The PNG is left at target/tmp/history-chart.png for people to look at.

use crate::history_support::{DAY, HOUR, MON_2025_03_03};
use chrono::Utc;
use hunch::history::{
    History, Outcome, Prompt, PromptOutcome, Recorder, RecorderOptions, Sample, Transition,
};
use hunch::posture::{State, Verdict, View};
use hunch::report;

/// A small deterministic generator (xorshift), so the picture is the same every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        // Sum of uniforms: close enough to a bell for noise.
        (0..6).map(|_| self.next()).sum::<f64>() - 3.0
    }
}

const FH_BASE: f64 = 12.0;
const FH_THR: f64 = 20.0;
const RS_BASE: f64 = 1.00;
const RS_THR: f64 = 1.12;

/// One working session from `t0`, `secs` long; `skill` (0..1) grows over
/// the weeks and slows the slump.
fn session(path: &std::path::Path, rng: &mut Rng, t0: f64, secs: u32, skill: f64) {
    let rec = Recorder::open(path, t0, RecorderOptions::default()).unwrap();
    let mut state = State::Good;
    let mut fatigue = 0.0f64; // head: 0 upright .. 1 fully slumped
    let mut shoulders = 0.0f64; // shoulders drift on their own, more slowly
    let mut over = 0u32; // seconds the smoothed readings are over threshold
    let mut under = 0u32;
    let mut away_left = 0u32;
    let mut look_left = 0u32;
    let mut slumped_for = 0u32;
    let mut prompt_id = 0u64;
    let mut pending: Option<(u64, f64)> = None;
    let (mut fh_s, mut rs_s) = (FH_BASE, RS_BASE);
    for k in 0..secs {
        let t = t0 + f64::from(k);
        if k % 1000 == 999 {
            // Replaying far faster than real time: let the writer catch up
            // (the live loop, at one sample a second, never needs this).
            rec.flush().unwrap();
        }
        // Slump builds with time; a prompt or a stretch resets it.
        fatigue =
            (fatigue + (0.0009 - 0.0006 * skill) * (1.0 + 0.5 * rng.normal())).clamp(0.0, 1.2);
        shoulders =
            (shoulders + (0.0005 - 0.0002 * skill) * (1.0 + 0.8 * rng.normal())).clamp(0.0, 1.3);
        if away_left == 0 && rng.next() < 1.0 / 2400.0 {
            away_left = 120 + (rng.next() * 400.0) as u32;
            fatigue *= 0.3;
            shoulders *= 0.5;
        }
        if look_left == 0 && rng.next() < 1.0 / 300.0 {
            look_left = 4 + (rng.next() * 20.0) as u32;
        }
        let fh = FH_BASE + 11.0 * fatigue + 0.9 * rng.normal();
        let rs = RS_BASE + 0.14 * shoulders + 0.012 * rng.normal();
        fh_s += (fh - fh_s) * 0.2;
        rs_s += (rs - rs_s) * 0.2;
        let new_state = if away_left > 0 {
            away_left -= 1;
            State::Away
        } else if look_left > 0 {
            look_left -= 1;
            State::LookingDown
        } else {
            let (f, r) = (fh_s > FH_THR, rs_s > RS_THR);
            if f || r {
                over += 1;
                under = 0;
            } else {
                under += 1;
                over = 0;
            }
            if state.is_slumped() && under < 5 || !state.is_slumped() && over >= 8 {
                match (f, r) {
                    (true, true) => State::Slouch,
                    (true, false) => State::ForwardHead,
                    (false, true) => State::RoundedShoulders,
                    // Hysteresis: stay in the slumped state until 5 s under.
                    _ => {
                        if state.is_slumped() {
                            state
                        } else {
                            State::Good
                        }
                    }
                }
            } else {
                State::Good
            }
        };
        if new_state != state {
            rec.record(Transition {
                t_unix: t,
                from: state,
                to: new_state,
            });
            state = new_state;
        }
        slumped_for = if state.is_slumped() {
            slumped_for + 1
        } else {
            0
        };
        if slumped_for == 30 && pending.is_none() {
            prompt_id += 1;
            rec.record(Prompt {
                t_unix: t,
                prompt_id,
                stretch_id: "chin_tuck".into(),
                reason: "slumped for 30 s".into(),
            });
            pending = Some((prompt_id, t));
        }
        if let Some((id, tp)) = pending
            && t - tp >= 20.0
        {
            let u = rng.next();
            let outcome = if u < 0.45 + 0.3 * skill {
                fatigue = 0.0;
                shoulders = 0.0;
                Outcome::DoneVerified {
                    reps: 5 + (u * 10.0) as u32,
                }
            } else if u < 0.8 {
                fatigue *= 0.5;
                shoulders *= 0.5;
                Outcome::DoneUnverified
            } else if u < 0.9 {
                Outcome::Skipped
            } else {
                Outcome::Snoozed
            };
            rec.record(PromptOutcome {
                t_unix: t,
                prompt_id: id,
                outcome,
            });
            pending = None;
        }
        let seen = state != State::Away;
        rec.record(Sample {
            view: seen.then_some(View::Front),
            forward_head: seen.then_some(fh),
            forward_head_baseline: Some(FH_BASE),
            forward_head_threshold: Some(FH_THR),
            rounded_shoulders: seen.then_some(rs),
            rounded_shoulders_baseline: Some(RS_BASE),
            rounded_shoulders_threshold: Some(RS_THR),
            ..Sample::new(
                t,
                state,
                if seen {
                    Verdict::Good
                } else {
                    Verdict::NoPerson
                },
            )
        });
    }
    let stats = rec.close(t0 + f64::from(secs)).unwrap();
    assert_eq!((stats.dropped_samples, stats.lost_records), (0, 0));
}

/// Three weeks of weekdays from Monday 3 March 2025, mornings and afternoons.
fn three_weeks(path: &std::path::Path) -> f64 {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for d in 0..19 {
        let weekday = d % 7;
        if weekday >= 5 {
            continue;
        }
        let day = MON_2025_03_03 + f64::from(d) * DAY;
        let skill = f64::from(d) / 19.0;
        let start = 8.75 + rng.next() * 0.75;
        session(
            path,
            &mut rng,
            day + start * HOUR,
            (2.5 * HOUR) as u32,
            skill,
        );
        let afternoon = (2.0 * HOUR + rng.next() * HOUR) as u32;
        session(path, &mut rng, day + 13.5 * HOUR, afternoon, skill);
    }
    MON_2025_03_03 + 19.0 * DAY
}

#[test]
fn chart_of_three_weeks_is_drawn() {
    // Kept beside the chart, to try `hunch report --history` on.
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-chart.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let to = three_weeks(&path);
    let from = to - 7.0 * DAY;
    let log = History::open_existing(&path)
        .unwrap()
        .load(to - 28.0 * DAY, to)
        .unwrap();
    let summary = report::summarize(&log, from, to, &Utc);
    println!("{}", report::text::render(&summary));
    let data = report::chart::chart_data(&log, from, to, &Utc, 28);
    let day = data.day.as_ref().unwrap();
    assert_eq!(day.date.to_string(), "2025-03-21"); // the last weekday
    assert!(!day.episodes.is_empty());
    assert_eq!(
        data.bars.iter().filter(|b| b.upright_pct.is_some()).count(),
        15
    );

    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-chart.png");
    report::chart::render(&data, &out).unwrap();
    let img = image::open(&out).unwrap().to_rgb8();
    assert_eq!(
        img.dimensions(),
        (report::chart::WIDTH, report::chart::HEIGHT)
    );
    let count = |y0: u32, y1: u32, pred: &dyn Fn(&image::Rgb<u8>) -> bool| {
        (y0..y1)
            .flat_map(|y| (0..img.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| pred(img.get_pixel(x, y)))
            .count()
    };
    let h = img.height();
    // Episodes shaded (light orange) in the reading panels.
    let shaded = count(0, h * 2 / 3, &|p| {
        p[0] > 240 && p[1] > 200 && p[1] < 235 && p[2] < 210
    });
    assert!(shaded > 2_000, "episode shading: {shaded} px");
    // Bars (green) in the bottom panel.
    let bars = count(h * 2 / 3, h, &|p| p.0 == [70, 150, 110]);
    assert!(bars > 5_000, "bars: {bars} px");
    // Threshold lines (red) in the reading panels.
    let red = count(0, h * 2 / 3, &|p| p.0 == [205, 60, 40]);
    assert!(red > 1_000, "threshold lines: {red} px");
    eprintln!("chart written to {}", out.display());
}
