//! Replays a scripted monitoring session into a history, the way the live
//! loop feeds the recorder: one sample a second, a transition at every
//! state change, prompts, outcomes, pauses and calibrations as they happen.
#![allow(dead_code)] // Each test file uses a different part.

use std::path::Path;

use hunch::history::{
    Calibration, Outcome, Pause, PauseKind, Prompt, PromptOutcome, Recorder, RecorderOptions,
    Sample, Transition,
};
use hunch::posture::{State, Verdict, View};

/// Forward head: baseline 10, threshold 14. Rounded shoulders: 0.20 and 0.30.
pub const FH_BASE: f64 = 10.0;
pub const FH_THR: f64 = 14.0;
pub const RS_BASE: f64 = 0.20;
pub const RS_THR: f64 = 0.30;

/// A step of a scripted session.
#[derive(Clone, Debug)]
pub enum Step {
    /// `secs` samples, one a second, in `state` with these readings.
    Hold {
        state: State,
        secs: u32,
        fh: Option<f64>,
        rs: Option<f64>,
    },
    /// No samples for `secs` (laptop asleep).
    Gap(u32),
    Prompt {
        id: u64,
        stretch: &'static str,
    },
    Outcome {
        id: u64,
        outcome: Outcome,
    },
    Pause(PauseKind),
    Calibrate,
}

pub fn hold(state: State, secs: u32, fh: f64, rs: f64) -> Step {
    Step::Hold {
        state,
        secs,
        fh: Some(fh),
        rs: Some(rs),
    }
}

pub fn hold_blind(state: State, secs: u32) -> Step {
    Step::Hold {
        state,
        secs,
        fh: None,
        rs: None,
    }
}

fn verdict_for(state: State) -> Verdict {
    match state {
        State::Good => Verdict::Good,
        State::ForwardHead => Verdict::ForwardHead,
        State::RoundedShoulders => Verdict::RoundedShoulders,
        State::Slouch => Verdict::Slouch,
        State::LookingDown => Verdict::LookingDown,
        State::Away => Verdict::NoPerson,
        State::Uncertain | State::Paused | State::Snoozed => Verdict::Uncertain,
    }
}

/// Replays `steps` as one session starting at `t0`; returns the time after the last step.
pub fn replay(path: &Path, t0: f64, steps: &[Step]) -> f64 {
    let rec = Recorder::open(path, t0, RecorderOptions::default()).unwrap();
    let t = feed(&rec, t0, steps);
    let stats = rec.close(t).unwrap();
    assert_eq!(
        (
            stats.dropped_samples,
            stats.lost_records,
            stats.failed_batches
        ),
        (0, 0, 0)
    );
    t
}

/// Feeds `steps` into a running recorder from `t0`; returns the end time.
pub fn feed(rec: &Recorder, t0: f64, steps: &[Step]) -> f64 {
    let mut t = t0;
    let mut state: Option<State> = None;
    for step in steps {
        match step {
            Step::Hold {
                state: s,
                secs,
                fh,
                rs,
            } => {
                if let Some(prev) = state
                    && prev != *s
                {
                    rec.record(Transition {
                        t_unix: t,
                        from: prev,
                        to: *s,
                    });
                }
                state = Some(*s);
                for k in 0..*secs {
                    if k % 1000 == 999 {
                        // Faster than real time: let the writer catch up.
                        rec.flush().unwrap();
                    }
                    rec.record(Sample {
                        view: Some(View::Front),
                        forward_head: *fh,
                        forward_head_baseline: Some(FH_BASE),
                        forward_head_threshold: Some(FH_THR),
                        rounded_shoulders: *rs,
                        rounded_shoulders_baseline: Some(RS_BASE),
                        rounded_shoulders_threshold: Some(RS_THR),
                        ..Sample::new(t, *s, verdict_for(*s))
                    });
                    t += 1.0;
                }
            }
            Step::Gap(secs) => t += f64::from(*secs),
            Step::Prompt { id, stretch } => rec.record(Prompt {
                t_unix: t,
                prompt_id: *id,
                stretch_id: (*stretch).to_string(),
                reason: "slumped for 30 s".into(),
            }),
            Step::Outcome { id, outcome } => rec.record(PromptOutcome {
                t_unix: t,
                prompt_id: *id,
                outcome: *outcome,
            }),
            Step::Pause(kind) => rec.record(Pause {
                t_unix: t,
                kind: *kind,
            }),
            Step::Calibrate => rec.record(Calibration {
                t_unix: t,
                view: Some(View::Front),
                profile_toml: Some(format!(
                    "forward_head = {FH_BASE}\nrounded_shoulders = {RS_BASE}\n"
                )),
            }),
        }
    }
    t
}

/// Unix seconds of 2025-03-03 (a Monday) 00:00 UTC.
pub const MON_2025_03_03: f64 = 1_740_960_000.0;
pub const DAY: f64 = 86_400.0;
pub const HOUR: f64 = 3_600.0;

/// The three-day history the report tests check figure by figure (see
/// tests/history/history_report.rs for the expected values, worked out by hand).
pub fn three_days(path: &Path) {
    use State::*;
    // Monday 09:00.
    replay(
        path,
        MON_2025_03_03 + 9.0 * HOUR,
        &[
            hold(Good, 600, 10.0, 0.20),
            hold(ForwardHead, 120, 15.0, 0.22),
            Step::Prompt {
                id: 1,
                stretch: "chin_tuck",
            },
            hold(Good, 300, 10.4, 0.20),
            Step::Outcome {
                id: 1,
                outcome: Outcome::DoneVerified { reps: 8 },
            },
            hold(LookingDown, 60, 20.0, 0.25),
            hold(Slouch, 90, 16.0, 0.32),
            Step::Prompt {
                id: 2,
                stretch: "doorway_pec_stretch",
            },
            hold(Good, 200, 10.0, 0.20),
            Step::Outcome {
                id: 2,
                outcome: Outcome::Skipped,
            },
            hold_blind(Away, 100),
            hold(Good, 100, 10.0, 0.20),
            Step::Pause(PauseKind::Paused),
            hold_blind(Paused, 60),
            Step::Pause(PauseKind::Resumed),
            hold(RoundedShoulders, 45, 11.0, 0.31),
            hold(Good, 100, 10.0, 0.20),
        ],
    );
    // Tuesday 14:00, with the laptop asleep for ten minutes.
    replay(
        path,
        MON_2025_03_03 + DAY + 14.0 * HOUR,
        &[
            Step::Calibrate,
            hold(Good, 1000, 10.0, 0.21),
            hold(Slouch, 200, 15.0, 0.31),
            Step::Prompt {
                id: 1,
                stretch: "chin_tuck",
            },
            Step::Outcome {
                id: 1,
                outcome: Outcome::Snoozed,
            },
            Step::Pause(PauseKind::Snoozed),
            hold_blind(Snoozed, 120),
            Step::Pause(PauseKind::Resumed),
            hold(Good, 300, 10.0, 0.21),
            Step::Gap(600),
            hold(Good, 200, 10.0, 0.21),
            Step::Prompt {
                id: 2,
                stretch: "wall_angel",
            },
        ],
    );
    // Wednesday 08:30.
    replay(
        path,
        MON_2025_03_03 + 2.0 * DAY + 8.5 * HOUR,
        &[
            hold(Good, 1200, 10.0, 0.20),
            hold(ForwardHead, 30, 15.0, 0.24),
            Step::Prompt {
                id: 1,
                stretch: "chin_tuck",
            },
            Step::Outcome {
                id: 1,
                outcome: Outcome::Snoozed,
            },
            hold(Good, 600, 10.0, 0.20),
            Step::Outcome {
                id: 1,
                outcome: Outcome::DoneUnverified,
            },
        ],
    );
}

/// Sessions just outside the three days (Sunday evening, Thursday morning),
/// which a report on Monday to Wednesday must leave out.
pub fn outside_days(path: &Path) {
    use State::*;
    replay(
        path,
        MON_2025_03_03 - 2.0 * HOUR,
        &[hold(Slouch, 300, 18.0, 0.4)],
    );
    replay(
        path,
        MON_2025_03_03 + 3.0 * DAY + 9.0 * HOUR,
        &[
            hold(Slouch, 300, 18.0, 0.4),
            Step::Prompt {
                id: 1,
                stretch: "chin_tuck",
            },
        ],
    );
}
