//! The stretch coach: follows one stretch through the pose stream and says
//! whether it was done.
//!
//! Feed [`Coach::update`] every pose (or `None` when there was no person) with
//! its time in seconds; it returns a [`CoachStatus`] for the window (phase, rep
//! counter, hold timer, a short hint). Key `d` is [`Coach::mark_done`], skipping
//! is [`Coach::skip`], and [`Coach::result`] is what the history records.
//!
//! Camera-checked stretches first take the person's start position (about a
//! second, or a reference pose given up front), then a detector per stretch
//! (see [`detectors`]) compares each smoothed frame against it, normalised by
//! body size. Reps are counted by a [`reps::RepCounter`] with hysteresis,
//! debounce, a minimum hold and a minimum rep time; Brügger's hold by a
//! [`reps::HoldTimer`] that only runs while the position is right. If the
//! person leaves the frame, or their head and shoulders are unclear, the coach
//! pauses; back after more than [`RECALIBRATE_AFTER_S`], it drops the rep in
//! progress and, if they now sit elsewhere (see [`MOVED_SCALE`],
//! [`MOVED_SHIFT`]), takes the start position again. Stretches the camera
//! cannot see run a timer and record the user's word, labelled as not
//! verified. The floor stretches (cat-cow, child's pose) run the timer too,
//! while [`floor`] looks for them: while the camera sees the person in
//! position (within [`FLOOR_FOLLOW_S`]) the count or hold replaces the timer,
//! and the whole dose seen is done and verified; otherwise `d` (or the
//! timer, in a routine) records them done, not verified. No clock is read
//! here.

pub mod detectors;
pub mod floor;
pub mod measure;
pub mod reps;
#[cfg(test)]
mod synth;
#[cfg(test)]
mod testpose;

use serde::Serialize;

use crate::landmarks::Pose;
use crate::posture::View;
use crate::stretches::{Dose, Stretch, Verify};

use measure::{Baseline, Calibrator, N_MEASURES, Unusable};
use reps::{CircleCounter, Ema, HoldTimer, RepConfig, RepCounter, RepEvent};

/// Away (or unclear) longer than this, the movement in progress is dropped and
/// the start position checked again.
pub const RECALIBRATE_AFTER_S: f64 = 2.0;
/// Time constant of the smoothing applied to every measurement for rep
/// counting (more would delay the count and merge reps with short rests)...
pub const SMOOTHING_TAU_S: f64 = 0.3;
/// ...and for Brügger's hold, which has no reps to merge.
pub const SLOW_SMOOTHING_TAU_S: f64 = 0.5;
/// How long a threshold crossing must last, for reps...
pub const DEBOUNCE_S: f64 = 0.25;
/// ...and to get into or out of Brügger's position.
pub const SLOW_DEBOUNCE_S: f64 = 0.4;
/// How long a one-off hint (too quick, released early) stays up.
const FLASH_S: f64 = 2.0;
/// Resting part-way into a rep this long earns a "further" hint.
const PARTIAL_HINT_AFTER_S: f64 = 0.8;
/// Hands that vanish after a reading this high were on their way up (out of
/// the top of the picture), not down into the lap.
const LOST_FROM: f32 = 0.1;
/// Readings at or above this (but short of entering) are part-way.
const PARTIAL_FROM: f32 = 0.3;

/// Why the coach is paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// Nobody in the picture.
    NoPerson,
    /// Someone, but the head or shoulders are not clearly visible.
    LandmarksUnclear,
}

/// Where the coach is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Taking the start position.
    Ready,
    /// Following the stretch (or running the timer).
    Active,
    /// In a hold that is counting down.
    Holding,
    Paused(PauseReason),
    Finished,
}

/// What the window shows for the coach.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoachStatus {
    pub phase: Phase,
    pub reps_done: u32,
    /// 0 for holds and timers.
    pub reps_target: u32,
    /// Seconds of hold left: in a rep's end position, or of Brügger's hold.
    pub hold_remaining_s: Option<f64>,
    /// Seconds left on an unverified stretch's timer.
    pub time_remaining_s: Option<f64>,
    /// One short instruction, e.g. "Tuck your chin further back".
    pub hint: Option<String>,
    /// True when the camera checks this stretch.
    pub verified: bool,
    /// 0..1 of the dose done (of the time, for timers).
    pub progress: f32,
}

/// How a stretch ended, for the history.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The camera saw the whole dose: `reps` counted, or `held_s` held.
    DoneVerified {
        reps: u32,
        held_s: f64,
    },
    /// A stretch the camera cannot see, which the user marked done.
    DoneUnverified,
    Skipped,
    /// Ended (or not ended yet) short of the dose; what was seen.
    Incomplete {
        reps: u32,
        held_s: f64,
    },
}

/// One stretch's record for the session history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoachResult {
    pub stretch_id: String,
    pub outcome: Outcome,
    /// From the start to the end (or to the last update).
    pub duration_s: f64,
    /// True when the camera checked the stretch.
    pub verified: bool,
}

impl CoachResult {
    /// The outcome as the session history stores it. Incomplete (the user
    /// pressed `d` before the camera saw the whole dose) is recorded as done
    /// but unverified; a coach closed without `d` should be [`Coach::skip`]ped
    /// first. A verified hold has no reps (0).
    pub fn history_outcome(&self) -> crate::history::Outcome {
        use crate::history::Outcome as H;
        match self.outcome {
            Outcome::DoneVerified { reps, .. } => H::DoneVerified { reps },
            Outcome::DoneUnverified | Outcome::Incomplete { .. } => H::DoneUnverified,
            Outcome::Skipped => H::Skipped,
        }
    }
}

/// Per-detector rep settings and words.
#[derive(Clone, Copy, Debug)]
struct RepKind {
    verify: Verify,
    detect: fn(&measure::Measures, &Baseline) -> detectors::Reading,
    /// Shortest rep that counts, measured on the smoothed signal (about
    /// 0.4 s longer than the movement itself).
    min_rep_s: f64,
    tau_s: f64,
    debounce_s: f64,
    start: &'static str,
    further: &'static str,
    hold: &'static str,
    release: &'static str,
    too_quick: &'static str,
}

const CHIN_TUCK: RepKind = RepKind {
    detect: detectors::chin_tuck,
    verify: Verify::ChinTuck,
    min_rep_s: 1.0,
    tau_s: SMOOTHING_TAU_S,
    debounce_s: DEBOUNCE_S,
    start: "Slide your head straight back",
    further: "Tuck your chin further back",
    hold: "Hold it there",
    release: "Now let your head glide forward",
    too_quick: "Slower: slide back, hold, then relax",
};
const SHOULDER_ROLL: RepKind = RepKind {
    detect: detectors::shrug,
    verify: Verify::ShoulderRoll,
    min_rep_s: 1.0,
    tau_s: SMOOTHING_TAU_S,
    debounce_s: DEBOUNCE_S,
    start: "Lift your shoulders towards your ears",
    further: "Lift your shoulders higher",
    hold: "Hold them up",
    release: "Now roll them back and down",
    too_quick: "Slower: lift, roll back, let go",
};
const WALL_ANGEL: RepKind = RepKind {
    detect: detectors::wall_angel,
    verify: Verify::WallAngel,
    min_rep_s: 1.2,
    tau_s: SMOOTHING_TAU_S,
    debounce_s: DEBOUNCE_S,
    start: "Slide your hands up above your head",
    further: "Higher: hands above your head",
    hold: "Hold the Y",
    release: "Now bring your arms back down to the W",
    too_quick: "Slower: slide up, then back down",
};
const THORACIC: RepKind = RepKind {
    detect: detectors::thoracic,
    verify: Verify::ThoracicExtension,
    min_rep_s: 1.5,
    tau_s: SMOOTHING_TAU_S,
    debounce_s: DEBOUNCE_S,
    start: "Lean your upper back back over the chair",
    further: "Lean back a little further",
    hold: "Hold for a breath",
    release: "Now come back up to sitting tall",
    too_quick: "Slower: lean back, breathe, come up",
};

const SHRUG: RepKind = RepKind {
    detect: detectors::shrug,
    verify: Verify::Shrug,
    min_rep_s: 1.0,
    tau_s: SMOOTHING_TAU_S,
    debounce_s: DEBOUNCE_S,
    start: "Raise your shoulders towards your ears",
    further: "Raise your shoulders higher",
    hold: "Hold them up a moment",
    release: "Now lower them slowly all the way down",
    too_quick: "Slower: up, then all the way down",
};

/// The rep settings of a rep-counted check; `None` for the checks that are
/// not counted in reps. Exhaustive on purpose: a new check must choose.
fn rep_kind(v: Verify) -> Option<RepKind> {
    match v {
        Verify::ChinTuck => Some(CHIN_TUCK),
        Verify::ShoulderRoll => Some(SHOULDER_ROLL),
        Verify::WallAngel => Some(WALL_ANGEL),
        Verify::ThoracicExtension => Some(THORACIC),
        Verify::Shrug => Some(SHRUG),
        Verify::BrueggerHold
        | Verify::Rotation
        | Verify::NeckRoll
        | Verify::CatCow
        | Verify::ChildsPose
        | Verify::None => None,
    }
}

/// Time constant of the centre of the head's path for neck rolls (a slow
/// circle takes 4–8 s).
pub const NECK_ROLL_CENTRE_TAU_S: f64 = 1.5;

/// What one frame did to a rep-counted stretch.
struct RepsStep {
    event: RepEvent,
    reps: u32,
    done: bool,
    at_end: bool,
    hold_left: f64,
    partial: bool,
    /// How far into a rep (either hand, for wall angels), when judged.
    reach: Option<f32>,
    form_hint: Option<&'static str>,
}

#[derive(Clone, Debug)]
enum Engine {
    /// Not checked by the camera.
    Timer {
        seconds: f64,
    },
    Reps {
        kind: RepKind,
        counter: RepCounter,
        target: u32,
    },
    Hold {
        timer: HoldTimer,
        seconds: f64,
    },
    /// A hold on each side in turn (rotational stretch): side 0 turns one
    /// way (positive yaw), side 1 the other.
    Sides {
        timers: [HoldTimer; 2],
        seconds: f64,
    },
    /// Circles of the head around the neck.
    Circles {
        counter: CircleCounter,
        target: u32,
    },
    /// A floor stretch: a timer, and checked when the camera happens to see it.
    Floor {
        /// The timer.
        seconds: f64,
        watch: FloorWatch,
        /// The last time the camera saw the person in position.
        seen_t: Option<f64>,
    },
}

/// What the camera looks for during a floor stretch.
#[derive(Clone, Debug)]
enum FloorWatch {
    CatCow {
        counter: floor::CatCowCounter,
        target: u32,
    },
    Child {
        timer: HoldTimer,
        seconds: f64,
    },
}

/// A floor stretch counts as followed by the camera while it saw the person
/// in position within this many seconds: the card shows the count (or the
/// hold) instead of the timer, and the timer does not end it.
pub const FLOOR_FOLLOW_S: f64 = 3.0;

/// Follows one stretch. See the module documentation.
#[derive(Clone, Debug)]
pub struct Coach {
    stretch: Stretch,
    start_t: f64,
    last_t: f64,
    forced_view: Option<View>,
    engine: Engine,
    calibrator: Calibrator,
    baseline: Option<Baseline>,
    smoother: Vec<Ema>,
    /// Time of the last usable frame.
    last_seen_t: Option<f64>,
    partial_since: Option<f64>,
    /// How far into a rep the last judged frame was.
    last_reach: f32,
    flash: Option<(&'static str, f64)>,
    finished: Option<(f64, Outcome)>,
    status: CoachStatus,
}

/// True when the person in `g` sits clearly elsewhere than at the start: body
/// size changed by more than [`MOVED_SCALE`] or the shoulders moved more than
/// [`MOVED_SHIFT`] body sizes (or the start's view cannot be measured).
fn moved_since(g: &measure::Geometry, b: &Baseline) -> bool {
    let Some(m) = measure::measure(g, b.view, b.facing) else {
        return true;
    };
    let size = m.scale / b.m.scale;
    let shift = (m.shoulder_x - b.m.shoulder_x).hypot(m.shoulder_y - b.m.shoulder_y) / b.m.scale;
    !((1.0 - MOVED_SCALE..=1.0 + MOVED_SCALE).contains(&size) && shift <= MOVED_SHIFT)
}

/// Back after an absence with the body size changed by more than this
/// fraction, the person sits elsewhere: the start position is taken again.
pub const MOVED_SCALE: f32 = 0.08;
/// Likewise for the shoulders moved more than this many body sizes.
pub const MOVED_SHIFT: f32 = 0.25;

fn finite_or(v: f64, fallback: f64) -> f64 {
    if v.is_finite() { v } else { fallback }
}

impl Coach {
    /// A coach for `stretch`, started at `start_t` seconds.
    pub fn new(stretch: &Stretch, start_t: f64) -> Self {
        let start_t = finite_or(start_t, 0.0);
        let rep = |kind: RepKind, reps: u32, hold_s: f64| Engine::Reps {
            kind,
            counter: RepCounter::new(RepConfig {
                debounce_s: kind.debounce_s,
                ..RepConfig::standard(hold_s, kind.min_rep_s)
            }),
            target: reps,
        };
        let hold_of = |dose: Dose| match dose {
            Dose::Hold { seconds } => seconds,
            Dose::Reps { reps, hold_s } => f64::from(reps) * hold_s.max(1.0),
        };
        let engine = match stretch.verify {
            // Not checked: a timer for about the whole dose.
            Verify::None => Engine::Timer {
                seconds: stretch.estimated_s(),
            },
            Verify::CatCow => Engine::Floor {
                seconds: stretch.estimated_s(),
                watch: FloorWatch::CatCow {
                    counter: floor::CatCowCounter::default(),
                    target: match stretch.dose {
                        Dose::Reps { reps, .. } => reps,
                        Dose::Hold { .. } => 1,
                    },
                },
                seen_t: None,
            },
            Verify::ChildsPose => Engine::Floor {
                seconds: stretch.estimated_s(),
                watch: FloorWatch::Child {
                    timer: HoldTimer::new(SLOW_DEBOUNCE_S, 0.5),
                    seconds: hold_of(stretch.dose),
                },
                seen_t: None,
            },
            Verify::BrueggerHold => Engine::Hold {
                timer: HoldTimer::new(SLOW_DEBOUNCE_S, 0.5),
                seconds: hold_of(stretch.dose),
            },
            Verify::Rotation => Engine::Sides {
                timers: [
                    HoldTimer::new(SLOW_DEBOUNCE_S, 0.5),
                    HoldTimer::new(SLOW_DEBOUNCE_S, 0.5),
                ],
                seconds: hold_of(stretch.dose),
            },
            Verify::NeckRoll => Engine::Circles {
                counter: CircleCounter::new(
                    NECK_ROLL_CENTRE_TAU_S,
                    detectors::NECK_ROLL_MIN_RADIUS,
                ),
                target: match stretch.dose {
                    Dose::Reps { reps, .. } => reps,
                    Dose::Hold { .. } => 1,
                },
            },
            Verify::ChinTuck
            | Verify::ShoulderRoll
            | Verify::WallAngel
            | Verify::ThoracicExtension
            | Verify::Shrug => {
                let kind = rep_kind(stretch.verify).unwrap_or(THORACIC);
                match stretch.dose {
                    Dose::Reps { reps, hold_s } => rep(kind, reps, hold_s),
                    // Checked movement given as a duration: one long hold.
                    Dose::Hold { seconds } => rep(kind, 1, seconds),
                }
            }
        };
        let verified = !matches!(engine, Engine::Timer { .. } | Engine::Floor { .. });
        let tau_s = match &engine {
            Engine::Reps { kind, .. } => kind.tau_s,
            Engine::Hold { .. }
            | Engine::Timer { .. }
            | Engine::Sides { .. }
            | Engine::Circles { .. }
            | Engine::Floor { .. } => SLOW_SMOOTHING_TAU_S,
        };
        let mut coach = Coach {
            stretch: stretch.clone(),
            start_t,
            last_t: start_t,
            forced_view: None,
            engine,
            calibrator: Calibrator::default(),
            baseline: None,
            smoother: vec![Ema::new(tau_s, 1.0); N_MEASURES],
            last_seen_t: None,
            partial_since: None,
            last_reach: 0.0,
            flash: None,
            finished: None,
            status: CoachStatus {
                phase: if verified {
                    Phase::Ready
                } else {
                    Phase::Active
                },
                reps_done: 0,
                reps_target: 0,
                hold_remaining_s: None,
                time_remaining_s: None,
                hint: None,
                verified,
                progress: 0.0,
            },
        };
        coach.status = coach.compose(start_t, None, None);
        coach
    }

    /// Judges the camera as `view` instead of telling it from the landmarks.
    pub fn with_view(mut self, view: View) -> Self {
        self.forced_view = Some(view);
        self
    }

    /// Uses `pose` as the start position instead of taking it from the first
    /// second of frames (ignored when the pose is unusable). Call after
    /// [`Coach::with_view`] if both are used.
    pub fn with_reference(mut self, pose: &Pose) -> Self {
        if let Ok(g) = measure::geometry(Some(pose)) {
            self.baseline = measure::baseline_from(&[g], self.forced_view);
        }
        self
    }

    pub fn stretch(&self) -> &Stretch {
        &self.stretch
    }

    /// The status of the last update.
    pub fn status(&self) -> &CoachStatus {
        &self.status
    }

    pub fn is_finished(&self) -> bool {
        self.finished.is_some()
    }

    /// The start position in use, once taken.
    pub fn baseline(&self) -> Option<&Baseline> {
        self.baseline.as_ref()
    }

    /// Feeds one frame: its time and its pose (`None` = nobody found). Frames
    /// with a non-finite or earlier time than the last are ignored.
    pub fn update(&mut self, t: f64, pose: Option<&Pose>) -> CoachStatus {
        if self.finished.is_some() || !t.is_finite() || t < self.last_t {
            return self.status.clone();
        }
        self.last_t = t;
        self.status = match self.engine {
            Engine::Timer { .. } => self.compose(t, None, None),
            Engine::Floor { .. } => self.update_floor(t, pose),
            Engine::Reps { .. }
            | Engine::Hold { .. }
            | Engine::Sides { .. }
            | Engine::Circles { .. } => self.update_verified(t, pose),
        };
        self.status.clone()
    }

    /// A floor stretch: the timer runs; the detectors look for the person in
    /// position on the floor and, if they see the whole dose, it is done and
    /// checked. No start position: the positions are judged absolutely.
    fn update_floor(&mut self, t: f64, pose: Option<&Pose>) -> CoachStatus {
        let Engine::Floor { watch, seen_t, .. } = &mut self.engine else {
            return self.compose(t, None, None);
        };
        let (seen, done, hint) = match watch {
            FloorWatch::CatCow { counter, target } => {
                let seen = counter.update(t, pose);
                let reps = counter.reps();
                let hint = if counter.half() {
                    "Now the other way, slowly"
                } else if reps == 0 {
                    "Breathe out and round your back up, head down (cat)"
                } else {
                    "Good: keep moving slowly between cat and cow"
                };
                let done = (reps >= *target).then_some(Outcome::DoneVerified { reps, held_s: 0.0 });
                (seen, done, hint)
            }
            FloorWatch::Child { timer, seconds } => {
                let judged = pose
                    .and_then(floor::FloorBody::from_pose)
                    .and_then(|b| b.childs_pose());
                timer.update(t, judged);
                let held_s = timer.held_s();
                let hint = if timer.in_position() {
                    "Rest there and breathe slowly into your back"
                } else {
                    "Sit back towards your heels, arms forward, head down"
                };
                let done =
                    (held_s >= *seconds).then_some(Outcome::DoneVerified { reps: 0, held_s });
                (timer.in_position(), done, hint)
            }
        };
        if seen {
            *seen_t = Some(t);
        }
        if let Some(outcome) = done {
            self.finish(t, outcome);
        }
        self.compose(t, None, Some(hint))
    }

    fn update_verified(&mut self, t: f64, pose: Option<&Pose>) -> CoachStatus {
        let geometry = match measure::geometry(pose) {
            Ok(g) => g,
            Err(why) => return self.pause(t, why),
        };
        if let Some(seen) = self.last_seen_t
            && t - seen > RECALIBRATE_AFTER_S
        {
            // Back after a while: if they sat down elsewhere, take the start again.
            let moved = self.baseline.is_none_or(|b| moved_since(&geometry, &b));
            self.restart_motion(moved);
            self.last_seen_t = None;
        }
        if self.baseline.is_none() {
            // The view is told from both shoulders: without them (unless the
            // side view is forced) the start position would be a guess.
            if geometry.shoulder_width.is_none() && self.forced_view != Some(View::Side) {
                return self.pause(t, Unusable::Unclear);
            }
            self.baseline = self.calibrator.push(t, geometry, self.forced_view);
            if self.baseline.is_none() {
                self.last_seen_t = Some(t);
                return self.compose(t, None, Some("Sit as you are and hold still a moment"));
            }
        }
        let Some(b) = self.baseline else {
            return self.compose(t, None, None);
        };
        let Some(raw) = measure::measure(&geometry, b.view, b.facing) else {
            return self.pause(t, Unusable::Unclear);
        };
        self.last_seen_t = Some(t);
        let mut smoothed = [0.0; N_MEASURES];
        for ((s, ema), x) in smoothed
            .iter_mut()
            .zip(self.smoother.iter_mut())
            .zip(raw.to_array())
        {
            *s = ema.update(t, x);
        }
        let m = measure::Measures::from_array(smoothed);
        let (kind, counted) = match &mut self.engine {
            Engine::Timer { .. } | Engine::Floor { .. } => return self.compose(t, None, None),
            Engine::Hold { timer, seconds } => {
                let (judged, hint) = detectors::bruegger(&m, &b);
                timer.update(t, judged);
                let held_s = timer.held_s();
                if held_s >= *seconds {
                    self.finish(t, Outcome::DoneVerified { reps: 0, held_s });
                    return self.compose(t, None, None);
                }
                let hint = if timer.in_position() {
                    Some("Hold it and breathe slowly")
                } else {
                    hint
                };
                return self.compose(t, None, hint);
            }
            Engine::Sides { timers, seconds } => {
                let turn = detectors::rotation_deg(&m, &b);
                for (timer, sign) in timers.iter_mut().zip([1.0, -1.0]) {
                    timer.update(t, detectors::rotation_side(turn, sign));
                }
                let done = timers.iter().map(|x| x.held_s() >= *seconds);
                let done: Vec<bool> = done.collect();
                if done.iter().all(|d| *d) {
                    let held_s = timers
                        .iter()
                        .map(HoldTimer::held_s)
                        .fold(f64::MAX, f64::min);
                    self.finish(t, Outcome::DoneVerified { reps: 2, held_s });
                    return self.compose(t, None, None);
                }
                let hint = if turn.is_none() {
                    detectors::HINT_FACE_CAMERA
                } else if timers.iter().any(HoldTimer::in_position) {
                    "Hold the turn and breathe"
                } else if done.iter().any(|d| *d) {
                    "Now swap hands and turn the other way"
                } else {
                    "Hand on the opposite shoulder, other on your back: turn towards it"
                };
                return self.compose(t, None, Some(hint));
            }
            Engine::Circles { .. } if b.view == View::Side => {
                // From the side a roll is a line (forward and back): the
                // sideways half of the circle is depth, which 2D cannot see.
                return self.compose(t, None, Some(detectors::HINT_FACE_CAMERA));
            }
            Engine::Circles { counter, target } => {
                let p = [m.head_x, m.head_y];
                counter.update(t, Some(p));
                if counter.circles() >= *target {
                    let reps = counter.circles();
                    self.finish(t, Outcome::DoneVerified { reps, held_s: 0.0 });
                    return self.compose(t, None, None);
                }
                let hint = if counter.partial() > 0.0 {
                    "Slowly on round, back to where you started"
                } else {
                    "Tip your head to one shoulder, then roll it forward and round"
                };
                return self.compose(t, None, Some(hint));
            }
            Engine::Reps {
                kind,
                counter,
                target,
            } => {
                let reading = (kind.detect)(&m, &b);
                let event = counter.update(t, reading.sample);
                let at_end = counter.at_end();
                let partial = !at_end
                    && reading
                        .sample
                        .is_some_and(|s| s.up >= PARTIAL_FROM && s.up < counter.config().enter);
                let counted = RepsStep {
                    event,
                    reps: counter.reps(),
                    done: counter.reps() >= *target,
                    at_end,
                    hold_left: counter.hold_remaining(t).unwrap_or(0.0),
                    partial,
                    reach: reading.sample.map(|s| s.up.max(s.down)),
                    form_hint: reading.hint,
                };
                (*kind, counted)
            }
        };
        match counted.event {
            RepEvent::TooQuick => self.flash = Some((kind.too_quick, t + FLASH_S)),
            RepEvent::ReleasedEarly => {
                self.flash = Some(("Hold until the timer runs out", t + FLASH_S));
            }
            RepEvent::Counted | RepEvent::Entered => self.flash = None,
            RepEvent::None | RepEvent::HoldReached => {}
        }
        if counted.done {
            self.finish(
                t,
                Outcome::DoneVerified {
                    reps: counted.reps,
                    held_s: 0.0,
                },
            );
            return self.compose(t, None, None);
        }
        // Part-way into a rep for a while: ask for more.
        if counted.partial {
            self.partial_since.get_or_insert(t);
        } else {
            self.partial_since = None;
        }
        let flash = self.flash.filter(|(_, until)| t < *until).map(|(h, _)| h);
        let state_hint = if counted.at_end {
            if counted.hold_left > 0.0 {
                kind.hold
            } else {
                kind.release
            }
        } else if self
            .partial_since
            .is_some_and(|since| t - since >= PARTIAL_HINT_AFTER_S)
        {
            kind.further
        } else {
            kind.start
        };
        // Hands vanishing on the way up left the top of the picture.
        let lost = counted.reach.is_none()
            && self.last_reach >= LOST_FROM
            && kind.verify == Verify::WallAngel;
        if let Some(r) = counted.reach {
            self.last_reach = r;
        }
        let form_hint = if lost {
            Some(detectors::HINT_HANDS_LOST)
        } else {
            counted.form_hint
        };
        let hint = form_hint.or(flash).or(Some(state_hint));
        self.compose(t, None, hint)
    }

    fn pause(&mut self, t: f64, why: Unusable) -> CoachStatus {
        match &mut self.engine {
            Engine::Reps { counter, .. } => {
                // A gap breaks any crossing in progress.
                counter.update(t, None);
            }
            Engine::Hold { timer, .. } => timer.update(t, None),
            Engine::Sides { timers, .. } => timers.iter_mut().for_each(|x| x.update(t, None)),
            Engine::Circles { counter, .. } => {
                counter.update(t, None);
            }
            Engine::Timer { .. } | Engine::Floor { .. } => {}
        }
        let reason = match why {
            Unusable::NoPerson => PauseReason::NoPerson,
            Unusable::Unclear => PauseReason::LandmarksUnclear,
        };
        let hint = match reason {
            PauseReason::NoPerson => "Step back into view",
            PauseReason::LandmarksUnclear => "Move so the camera sees your head and shoulders",
        };
        self.compose(t, Some(Phase::Paused(reason)), Some(hint))
    }

    /// Forgets the movement in progress; with `recalibrate`, also the start position.
    fn restart_motion(&mut self, recalibrate: bool) {
        match &mut self.engine {
            Engine::Reps { counter, .. } => counter.reset_motion(),
            Engine::Hold { timer, .. } => timer.reset_motion(),
            Engine::Sides { timers, .. } => timers.iter_mut().for_each(HoldTimer::reset_motion),
            Engine::Circles { counter, .. } => counter.reset_motion(),
            Engine::Timer { .. } | Engine::Floor { .. } => {}
        }
        for e in &mut self.smoother {
            e.reset();
        }
        self.partial_since = None;
        self.last_reach = 0.0;
        self.flash = None;
        if recalibrate {
            self.baseline = None;
            self.calibrator.clear();
        }
    }

    fn finish(&mut self, t: f64, outcome: Outcome) {
        if self.finished.is_none() {
            self.finished = Some((t, outcome));
        }
    }

    /// Counts and times so far, as an outcome short of the dose.
    fn so_far(&self) -> Outcome {
        match &self.engine {
            Engine::Reps { counter, .. } => Outcome::Incomplete {
                reps: counter.reps(),
                held_s: 0.0,
            },
            Engine::Hold { timer, .. } => Outcome::Incomplete {
                reps: 0,
                held_s: timer.held_s(),
            },
            Engine::Sides { timers, seconds } => Outcome::Incomplete {
                reps: timers.iter().filter(|x| x.held_s() >= *seconds).count() as u32,
                held_s: timers.iter().map(HoldTimer::held_s).fold(0.0, f64::max),
            },
            Engine::Circles { counter, .. } => Outcome::Incomplete {
                reps: counter.circles(),
                held_s: 0.0,
            },
            Engine::Timer { .. } => Outcome::Incomplete {
                reps: 0,
                held_s: 0.0,
            },
            Engine::Floor { watch, .. } => match watch {
                FloorWatch::CatCow { counter, .. } => Outcome::Incomplete {
                    reps: counter.reps(),
                    held_s: 0.0,
                },
                FloorWatch::Child { timer, .. } => Outcome::Incomplete {
                    reps: 0,
                    held_s: timer.held_s(),
                },
            },
        }
    }

    /// True when the dose is one hold (the result's `held_s` is what counts).
    fn is_hold(&self) -> bool {
        matches!(
            self.engine,
            Engine::Hold { .. }
                | Engine::Floor {
                    watch: FloorWatch::Child { .. },
                    ..
                }
        )
    }

    fn end_time(&self, t: f64) -> f64 {
        finite_or(t, self.last_t).max(self.last_t)
    }

    /// Key `d`: the user says they are done. An unverified stretch, or a
    /// floor stretch the camera did not see through, is recorded as done
    /// (unverified); a checked one as done only if the camera saw the whole
    /// dose, otherwise as incomplete with what it saw.
    pub fn mark_done(&mut self, t: f64) -> CoachResult {
        let t = self.end_time(t);
        if self.finished.is_none() {
            let outcome = match &self.engine {
                Engine::Timer { .. } | Engine::Floor { .. } => Outcome::DoneUnverified,
                _ => self.so_far(),
            };
            self.last_t = t;
            self.finish(t, outcome);
            self.status = self.compose(t, None, None);
        }
        self.result()
    }

    /// The user skips the stretch.
    pub fn skip(&mut self, t: f64) -> CoachResult {
        let t = self.end_time(t);
        if self.finished.is_none() {
            self.last_t = t;
            self.finish(t, Outcome::Skipped);
            self.status = self.compose(t, None, None);
        }
        self.result()
    }

    /// One line for the end of the stretch, e.g. "Chin tucks: 10 of 10 reps,
    /// checked by the camera (1:05)".
    pub fn summary(&self) -> String {
        let r = self.result();
        let secs = r.duration_s.round() as u64;
        let took = format!("({}:{:02})", secs / 60, secs % 60);
        let name = &self.stretch.name;
        let of = match &self.engine {
            Engine::Reps { target, .. } => format!(" of {target} reps"),
            Engine::Hold { seconds, .. } => format!(" of {seconds:.0} s"),
            Engine::Sides { seconds, .. } => format!(" of 2 sides ({seconds:.0} s each)"),
            Engine::Circles { target, .. } => format!(" of {target} circles"),
            Engine::Floor { watch, .. } => match watch {
                FloorWatch::CatCow { target, .. } => format!(" of {target} reps"),
                FloorWatch::Child { seconds, .. } => format!(" of {seconds:.0} s"),
            },
            Engine::Timer { .. } => String::new(),
        };
        match r.outcome {
            Outcome::DoneVerified { held_s, .. } if self.is_hold() => {
                format!("{name}: held {held_s:.0} s, checked by the camera {took}")
            }
            Outcome::DoneVerified { reps, .. } => {
                format!("{name}: {reps}{of}, checked by the camera {took}")
            }
            Outcome::DoneUnverified => format!("{name}: done, not checked by the camera {took}"),
            Outcome::Skipped => format!("{name}: skipped"),
            Outcome::Incomplete { reps: 0, held_s }
                if held_s <= 0.0 && matches!(self.engine, Engine::Floor { .. }) =>
            {
                format!("{name}: not finished {took}")
            }
            Outcome::Incomplete { held_s, .. } if self.is_hold() => {
                format!("{name}: held {held_s:.0}{of} {took}")
            }
            Outcome::Incomplete { reps, .. } => match self.engine {
                Engine::Timer { .. } => format!("{name}: not finished {took}"),
                _ => format!("{name}: {reps}{of} seen by the camera {took}"),
            },
        }
    }

    /// What to record: the final outcome, or (while still going) what was
    /// seen so far as incomplete.
    pub fn result(&self) -> CoachResult {
        let (end, outcome) = self.finished.unwrap_or((self.last_t, self.so_far()));
        CoachResult {
            stretch_id: self.stretch.id.clone(),
            outcome,
            duration_s: (end - self.start_t).max(0.0),
            // A floor stretch is checked only if the camera saw it through.
            verified: match self.engine {
                Engine::Floor { .. } => matches!(outcome, Outcome::DoneVerified { .. }),
                _ => self.status.verified,
            },
        }
    }

    fn compose(&self, t: f64, phase: Option<Phase>, hint: Option<&str>) -> CoachStatus {
        let verified = self.status.verified;
        let mut s = CoachStatus {
            phase: Phase::Active,
            reps_done: 0,
            reps_target: 0,
            hold_remaining_s: None,
            time_remaining_s: None,
            hint: hint.map(str::to_string),
            verified,
            progress: 0.0,
        };
        match &self.engine {
            Engine::Timer { seconds } => {
                let elapsed = (t - self.start_t).max(0.0);
                let left = (seconds - elapsed).max(0.0);
                s.time_remaining_s = Some(left);
                s.progress = (elapsed / seconds.max(1e-9)).clamp(0.0, 1.0) as f32;
                s.hint = Some(
                    if left > 0.0 {
                        "Not checked by the camera: press d when you are done"
                    } else {
                        "Time is up: press d when you are done"
                    }
                    .to_string(),
                );
            }
            Engine::Reps {
                counter, target, ..
            } => {
                s.reps_done = counter.reps();
                s.reps_target = *target;
                if counter.config().min_hold_s > 0.0 {
                    s.hold_remaining_s = counter.hold_remaining(t);
                }
                s.progress = (counter.reps() as f32 / (*target).max(1) as f32).clamp(0.0, 1.0);
                if s.hold_remaining_s.is_some_and(|h| h > 0.0) {
                    s.phase = Phase::Holding;
                }
            }
            Engine::Hold { timer, seconds } => {
                s.hold_remaining_s = Some((seconds - timer.held_s()).max(0.0));
                s.progress = (timer.held_s() / seconds.max(1e-9)).clamp(0.0, 1.0) as f32;
                if timer.in_position() {
                    s.phase = Phase::Holding;
                }
            }
            Engine::Sides { timers, seconds } => {
                let held = [timers[0].held_s(), timers[1].held_s()].map(|h| h.min(*seconds));
                s.reps_done = held.iter().filter(|h| **h >= *seconds).count() as u32;
                s.reps_target = 2;
                // The side in progress: the one being held, else the one further on.
                let cur = match timers.iter().position(HoldTimer::in_position) {
                    Some(i) => i,
                    None if held[0] >= *seconds => 1,
                    None if held[1] >= *seconds => 0,
                    None => usize::from(held[1] > held[0]),
                };
                s.hold_remaining_s = Some((seconds - held[cur]).max(0.0));
                s.progress =
                    ((held[0] + held[1]) / (2.0 * seconds.max(1e-9))).clamp(0.0, 1.0) as f32;
                if timers[cur].in_position() {
                    s.phase = Phase::Holding;
                }
            }
            Engine::Circles { counter, target } => {
                s.reps_done = counter.circles();
                s.reps_target = *target;
                s.progress = (counter.circles() as f32 / (*target).max(1) as f32).clamp(0.0, 1.0);
            }
            Engine::Floor {
                seconds,
                watch,
                seen_t,
            } => {
                let following = seen_t.is_some_and(|seen| t - seen <= FLOOR_FOLLOW_S);
                s.verified = match &self.finished {
                    Some((_, outcome)) => matches!(outcome, Outcome::DoneVerified { .. }),
                    None => following,
                };
                match watch {
                    _ if !following => {
                        let elapsed = (t - self.start_t).max(0.0);
                        let left = (seconds - elapsed).max(0.0);
                        s.time_remaining_s = Some(left);
                        s.progress = (elapsed / seconds.max(1e-9)).clamp(0.0, 1.0) as f32;
                        let what = match watch {
                            FloorWatch::CatCow { .. } => "counts it",
                            FloorWatch::Child { .. } => "times it",
                        };
                        s.hint = Some(if left > 0.0 {
                            format!(
                                "Timed (if the camera sees you side on, it {what}): press d when you are done"
                            )
                        } else {
                            "Time is up: press d when you are done".to_string()
                        });
                    }
                    FloorWatch::CatCow { counter, target } => {
                        s.reps_done = counter.reps();
                        s.reps_target = *target;
                        s.progress =
                            (counter.reps() as f32 / (*target).max(1) as f32).clamp(0.0, 1.0);
                    }
                    FloorWatch::Child { timer, seconds } => {
                        // The hold left, in place of the timer.
                        s.time_remaining_s = Some((seconds - timer.held_s()).max(0.0));
                        s.progress = (timer.held_s() / seconds.max(1e-9)).clamp(0.0, 1.0) as f32;
                        if timer.in_position() {
                            s.phase = Phase::Holding;
                        }
                    }
                }
            }
        }
        if verified && self.baseline.is_none() && !matches!(self.engine, Engine::Floor { .. }) {
            s.phase = Phase::Ready;
        }
        if let Some(p) = phase {
            s.phase = p;
        }
        if let Some((_, outcome)) = &self.finished {
            s.phase = Phase::Finished;
            s.hold_remaining_s = s
                .hold_remaining_s
                .map(|_| 0.0)
                .filter(|_| matches!(self.engine, Engine::Hold { .. }));
            s.hint = Some(
                match outcome {
                    Outcome::DoneVerified { .. } => "Well done",
                    Outcome::DoneUnverified => "Done (not checked by the camera)",
                    Outcome::Skipped => "Skipped",
                    Outcome::Incomplete { .. } => "Stopped before the end",
                }
                .to_string(),
            );
            if matches!(
                outcome,
                Outcome::DoneVerified { .. } | Outcome::DoneUnverified
            ) {
                s.progress = 1.0;
            }
        }
        s
    }
}

#[cfg(test)]
mod tests;
