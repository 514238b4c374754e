//! The live session, pure: every decision of `hunch`, `hunch stretch`,
//! `hunch routine` and camera calibration, driven by inputs and answering
//! with events. No I/O and no clock: each input carries its time (seconds on
//! the session clock), and the driver ([`crate::driver`]) feeds it frames,
//! keys, camera changes and outside commands, hands the events to the
//! outputs ([`crate::events::Sink`]) and draws [`Session::overlay`].
//!
//! The session owns the posture state machine, the inference schedule, the
//! prompt lifecycle (card, then coach, then summary), runs of stretches (a
//! routine, or the one stretch of `hunch stretch`), calibration and the
//! window's state (mirror, help, pause, notice).

mod prompt;
mod view;

#[cfg(test)]
mod tests;

use std::time::{SystemTime, UNIX_EPOCH};

use crate::coach::{Coach, CoachResult, CoachStatus, Phase};
use crate::events::{CameraStatus, Event, PromptAbout, Readings, Ticker};
use crate::history::{Outcome, PauseKind};
use crate::keys::{Key, KeyContext};
use crate::landmarks::Pose;
use crate::posture::{
    self, Assessment, Profile, State, StateConfig, StateMachine, Thresholds, Verdict, View,
};
use crate::schedule::{PromptLog, Scheduler};
use crate::settings::MonitorSettings;
use crate::stretches::{self, Equipment, Need, Stretch};

pub use view::{coach_panel, gauge, gauges, prompt_card, summary_card};

/// Seconds of upright frames `c` records for a calibration.
pub const CALIBRATION_SECONDS: f64 = 5.0;
/// Seconds the prompt card is shown before the coach starts following.
pub const PROMPT_LEAD_SECONDS: f64 = 10.0;
/// A coached stretch not finished after this long is recorded as skipped.
pub const COACH_MAX_SECONDS: f64 = 240.0;
/// Seconds the end-of-stretch summary stays up.
pub const SUMMARY_SECONDS: f64 = 6.0;
/// Seconds a routine's summary of the last stretch stays over the next card.
pub const ROUTINE_SUMMARY_SECONDS: f64 = 3.0;
/// Frames a second while calibrating from the camera (`hunch calibrate`).
pub const CALIBRATE_FPS: f64 = 5.0;

/// How the notice offering the routine starts (cleared with its prompt).
const ROUTINE_NOTICE: &str = "Slumping keeps coming back";

/// Unix time now: for the driver and the outputs, never the session.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Days since the epoch in the local time zone, for once-a-day decisions.
fn local_day(t_unix: f64) -> i64 {
    use chrono::TimeZone;
    let secs = t_unix.floor() as i64;
    match chrono::Local.timestamp_opt(secs, 0) {
        chrono::LocalResult::Single(d) | chrono::LocalResult::Ambiguous(d, _) => {
            (secs + i64::from(d.offset().local_minus_utc())).div_euclid(86_400)
        }
        chrono::LocalResult::None => secs.div_euclid(86_400),
    }
}

/// One input, with its time on the session clock.
// A frame's pose is moved in once per inference; boxing it would allocate
// every frame for the sake of the rare small inputs.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Input {
    /// An inference: the pose found in the frame taken at `t` (None: nobody).
    Frame { t: f64, pose: Option<Pose> },
    /// A key press.
    Key { key: Key, t: f64 },
    /// The camera went away, came back, or is still gone after a retry.
    Camera { change: CameraChange, t: f64 },
    /// A command from outside the window (the desktop's tray or a signal).
    External { command: Command, t: f64 },
}

/// What happened to the camera (the driver retries it).
#[derive(Clone, Debug, PartialEq)]
pub enum CameraChange {
    Lost {
        message: String,
    },
    Back {
        message: String,
    },
    /// A retry failed: `notice` says so.
    StillGone {
        notice: String,
    },
}

/// A command from outside the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    Pause,
    Resume,
    /// Snooze prompts for this many seconds.
    Snooze {
        seconds: f64,
    },
    Calibrate,
    /// Offer a stretch now, whatever the posture.
    StretchNow,
    Quit,
}

/// What the session is for.
#[derive(Clone, Debug)]
pub enum Mode {
    /// `hunch`: watch and prompt.
    Monitor,
    /// `hunch stretch ID`: coach one stretch, then end.
    Stretch(&'static Stretch),
    /// `hunch routine`: the planned stretches in order, then end.
    Routine(Vec<Planned>),
    /// `hunch calibrate` from the camera: record `seconds`, then end.
    Calibrate { seconds: f64 },
}

/// One stretch of a routine and the section of the routine it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct Planned {
    pub stretch: &'static Stretch,
    pub section: &'static str,
}

/// Everything the session is set up with.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    pub monitor: MonitorSettings,
    pub thresholds: Thresholds,
    pub state: StateConfig,
    /// `--view`, when forced.
    pub view: Option<View>,
    pub profile: Option<Profile>,
    /// Unix time of session time 0 (for once-a-day decisions and profiles).
    pub start_unix: f64,
    /// True when nobody can press a key (no window).
    pub headless: bool,
}

/// A finished stretch of a run.
#[derive(Clone, Debug)]
pub struct Done {
    pub stretch: &'static Stretch,
    pub result: CoachResult,
}

/// Where a prompt is in its life.
enum Stage {
    /// The card is up; the coach starts when `lead` seconds are over.
    Card { since: f64, lead: f64 },
    /// The coach follows the stretch.
    Coaching {
        coach: Box<Coach>,
        status: CoachStatus,
    },
}

/// How a coached stretch ends besides finishing.
#[derive(Clone, Copy, Debug)]
struct EndRule {
    /// A timer that ran out means done (nobody may be there to press d).
    timer_done: bool,
    /// Longest before it is recorded as skipped.
    max_s: Option<f64>,
}

/// A stretch suggestion (or a stretch of a run) in progress.
struct ActivePrompt {
    id: u64,
    stretch: &'static Stretch,
    need: Need,
    reason: String,
    stage: Stage,
    rule: EndRule,
    /// The prompt event is still to be sent (a run's stretches announce
    /// themselves when their coach starts).
    announce_at_coach: bool,
}

/// What kind of run of stretches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunKind {
    /// `hunch stretch`.
    One,
    /// A routine (`hunch routine`, or accepted from a monitor prompt).
    Routine,
}

/// A run of stretches in progress.
struct Run {
    kind: RunKind,
    plan: Vec<Planned>,
    /// The plan entry now under way.
    next: usize,
    done: Vec<Done>,
    /// End the session when the run ends (the commands; not the monitor).
    end_session: bool,
    /// The posture state machine was paused for a floor stretch.
    floor_pause: bool,
}

/// A finished stretch's card, shown briefly.
struct Shown {
    card: crate::render::SummaryCard,
    until: f64,
}

/// Calibration in progress: measurements gathered since `since`.
struct Calibrating {
    since: f64,
    seconds: f64,
    measurements: Vec<posture::Measurement>,
    frames: usize,
}

/// How a calibration ended, for `hunch calibrate`.
#[derive(Debug)]
pub enum CalibrationEnd {
    /// The profile, and the frames looked at.
    Done {
        profile: Box<Profile>,
        frames: usize,
    },
    Failed {
        error: posture::PostureError,
        frames: usize,
    },
    /// The profile was made but could not be saved.
    NotSaved(posture::PostureError),
}

/// The live session's whole state between inputs.
pub struct Session {
    mode: Mode,
    cfg: SessionConfig,
    machine: StateMachine,
    scheduler: Scheduler,
    ticker: Ticker,
    prompt: Option<ActivePrompt>,
    /// Headless: the last prompt, announced only (a notification's done
    /// or snooze button may still answer it).
    noticed: Option<ActivePrompt>,
    run: Option<Run>,
    next_prompt_id: u64,
    recent_stretches: Vec<&'static str>,
    /// What was prompted when, for `--stretch-repeat-minutes` and
    /// `--stretch-minutes-per-hour`.
    prompt_log: PromptLog,
    /// `--routine-after`: when to offer the routine.
    routine_offer: crate::routine::Offer,
    /// The routine offered with the prompt now up (r accepts it).
    routine_offered: bool,
    summary: Option<Shown>,
    calibrating: Option<Calibrating>,
    calibration_end: Option<CalibrationEnd>,
    /// The profile before the last calibration (restored if saving fails).
    previous_profile: Option<Option<Profile>>,
    last: Option<Assessment>,
    last_pose: Option<Pose>,
    mirror: bool,
    show_help: bool,
    paused: bool,
    quit: bool,
    notice: Option<String>,
    fps: f32,
    last_inference: Option<f64>,
    next_due: f64,
    started: bool,
    /// Ending: a run does not move on to its next stretch.
    finishing: bool,
}

impl Session {
    pub fn new(mode: Mode, cfg: SessionConfig) -> Session {
        let routine_offer = crate::routine::Offer::new(cfg.monitor.routine_after);
        Session {
            machine: StateMachine::new(cfg.state.clone()),
            scheduler: Scheduler::new(cfg.monitor.rate),
            ticker: Ticker::new(1.0),
            mirror: cfg.monitor.mirror,
            mode,
            cfg,
            prompt: None,
            noticed: None,
            run: None,
            next_prompt_id: 1,
            recent_stretches: Vec::new(),
            prompt_log: PromptLog::default(),
            routine_offer,
            routine_offered: false,
            summary: None,
            calibrating: None,
            calibration_end: None,
            previous_profile: None,
            last: None,
            last_pose: None,
            show_help: false,
            paused: false,
            quit: false,
            notice: None,
            fps: 0.0,
            last_inference: None,
            next_due: 0.0,
            started: false,
            finishing: false,
        }
    }

    /// The `start` event: the session reads from `source`.
    pub fn start(&mut self, source: String) -> Vec<Event> {
        vec![Event::Start { t: 0.0, source }]
    }

    /// Handles one input and says what happened.
    pub fn handle(&mut self, input: Input) -> Vec<Event> {
        let mut out = Vec::new();
        match input {
            Input::Frame { t, pose } => self.frame(t, pose, &mut out),
            Input::Key { key, t } => self.key(key, t, &mut out),
            Input::Camera { change, t } => self.camera(change, t, &mut out),
            Input::External { command, t } => self.command(command, t, &mut out),
        }
        out
    }

    /// Ends the session at `t`: a stretch under way is skipped (with the
    /// rest of a run), then `stop`.
    pub fn finish(&mut self, t: f64) -> Vec<Event> {
        let mut out = Vec::new();
        if !self.started && matches!(self.mode, Mode::Stretch(_) | Mode::Routine(_)) {
            // No frame came: the run's stretches are all skipped.
            self.started = true;
            self.begin(t, &mut out);
        }
        self.finishing = true;
        let in_run = self.run.is_some();
        if let Some(p) = &mut self.prompt {
            let r = match &mut p.stage {
                Stage::Coaching { coach, .. } => Some(coach.skip(t)),
                // A run's card counts as reached; a monitor prompt's card
                // was never answered.
                Stage::Card { .. } if in_run => Some(Coach::new(p.stretch, t).skip(t)),
                Stage::Card { .. } => None,
            };
            if let Some(r) = r {
                self.end_prompt(t, Some(r), &mut out);
            }
        }
        // Whatever a run did not reach is skipped.
        while let Some(p) = self
            .run
            .as_ref()
            .and_then(|run| run.plan.get(run.next).copied())
        {
            self.start_run_stretch(t, p, &mut out);
            let r = Coach::new(p.stretch, t).skip(t);
            self.end_prompt(t, Some(r), &mut out);
        }
        out.push(Event::Stop { t });
        out
    }

    /// True once the session wants to end (q, a finished command).
    pub fn wants_quit(&self) -> bool {
        self.quit
    }

    /// True while the camera should be released (paused).
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Source time at which the next frame is wanted.
    pub fn next_frame_due(&self) -> f64 {
        self.next_due
    }

    /// Time of the last inference (None before the first).
    pub fn last_inference(&self) -> Option<f64> {
        self.last_inference
    }

    /// The stretches a run finished (the one of `hunch stretch`, a routine's).
    pub fn done(&self) -> &[Done] {
        self.run.as_ref().map_or(&[], |r| r.done.as_slice())
    }

    /// How a calibration from the camera ended (`hunch calibrate`).
    pub fn calibration_end(&self) -> Option<&CalibrationEnd> {
        self.calibration_end.as_ref()
    }

    /// Takes how the calibration ended, errors and all, for the caller to
    /// report once.
    pub fn take_calibration_end(&mut self) -> Option<CalibrationEnd> {
        self.calibration_end.take()
    }

    /// The profile could not be saved: the calibration did not happen.
    pub fn calibration_failed(&mut self, error: posture::PostureError) {
        if let Some(previous) = self.previous_profile.take() {
            self.cfg.profile = previous;
        }
        self.notice = Some(format!("Calibration failed: {error}"));
        self.calibration_end = Some(CalibrationEnd::NotSaved(error));
    }

    /// Which keys apply now (the window lists them from the key map).
    pub fn key_context(&self) -> KeyContext {
        match (&self.run, &self.prompt) {
            (Some(r), _) if r.kind == RunKind::One => KeyContext::Stretch,
            (Some(_), _) => KeyContext::Routine,
            (None, Some(_)) => KeyContext::Prompt {
                routine: self.routine_offered,
            },
            (None, None) => KeyContext::Monitor,
        }
    }

    /// The state machine's state.
    pub fn state(&self) -> State {
        self.machine.state()
    }

    fn frame(&mut self, t: f64, pose: Option<Pose>, out: &mut Vec<Event>) {
        if !self.started {
            self.started = true;
            self.begin(t, out);
        }
        let assessment = posture::judge_pose(
            pose.as_ref(),
            self.cfg.view,
            self.cfg.profile.as_ref(),
            &self.cfg.thresholds,
        );
        if let Some(cal) = &mut self.calibrating {
            cal.frames += 1;
            if let Some(m) = &assessment.measurement {
                cal.measurements.push(m.clone());
            }
            if t - cal.since >= cal.seconds {
                self.finish_calibration(t, out);
            }
        }
        // Only the monitor reports posture; a stretch or routine keeps the
        // state (for the window's colours) without telling anyone.
        let watching = matches!(self.mode, Mode::Monitor);
        let before_since = self.machine.state_since().unwrap_or(t);
        let events = self.machine.update(t, Some(&assessment.judgement));
        let changed = !events.is_empty();
        let verdict_differs = !verdict_matches(assessment.judgement.verdict, self.machine.state());
        self.scheduler.observe(t, changed || verdict_differs);
        if watching {
            for ev in events {
                self.on_state_event(&ev, before_since, out);
            }
        }
        self.advance_prompt(t, pose.as_ref(), out);
        if self.summary.as_ref().is_some_and(|s| t >= s.until) {
            self.summary = None;
        }
        if watching && self.ticker.due(t) {
            self.per_second(t, &assessment, out);
        }
        if self.run.is_some() {
            self.run_status(t, out);
        }
        self.calibrate_status(t, out);
        self.last = Some(assessment);
        self.last_pose = pose;
        if let Some(last) = self.last_inference {
            let dt = (t - last).max(1e-3);
            self.fps = if self.fps == 0.0 {
                (1.0 / dt) as f32
            } else {
                0.8 * self.fps + 0.2 * (1.0 / dt) as f32
            };
        }
        self.last_inference = Some(t);
        self.next_due = match self.mode {
            // A routine inside the monitor is coached at the coach's rate.
            Mode::Monitor if self.run.is_some() => {
                t + 1.0 / self.cfg.monitor.rate.fast_fps.max(1.0)
            }
            Mode::Monitor => {
                let activity = self
                    .scheduler
                    .activity(t, self.machine.state(), self.coaching());
                self.scheduler
                    .next_inference_s(t, t, &activity)
                    .unwrap_or(t + 1.0)
            }
            Mode::Calibrate { .. } => t + 1.0 / CALIBRATE_FPS,
            Mode::Stretch(_) | Mode::Routine(_) => {
                t + 1.0 / self.cfg.monitor.rate.fast_fps.max(1.0)
            }
        };
    }

    /// What the mode does at the first frame.
    fn begin(&mut self, t: f64, out: &mut Vec<Event>) {
        match self.mode.clone() {
            Mode::Monitor => {}
            Mode::Stretch(stretch) => self.start_run(
                t,
                RunKind::One,
                vec![Planned {
                    stretch,
                    section: "",
                }],
                true,
                out,
            ),
            Mode::Routine(plan) => self.start_run(t, RunKind::Routine, plan, true, out),
            Mode::Calibrate { seconds } => self.start_calibration(t, seconds),
        }
    }

    fn coaching(&self) -> bool {
        matches!(
            self.prompt,
            Some(ActivePrompt {
                stage: Stage::Coaching { .. },
                ..
            })
        )
    }

    /// Changes the state machine outside a frame (pause, resume, snooze);
    /// the monitor reports the state change like any other.
    fn machine_change(
        &mut self,
        t: f64,
        out: &mut Vec<Event>,
        change: impl FnOnce(&mut StateMachine) -> Vec<posture::Event>,
    ) {
        let before_since = self.machine.state_since().unwrap_or(t);
        let events = change(&mut self.machine);
        if matches!(self.mode, Mode::Monitor) {
            for ev in events {
                self.on_state_event(&ev, before_since, out);
            }
        }
    }

    fn on_state_event(&mut self, ev: &posture::Event, before_since: f64, out: &mut Vec<Event>) {
        match *ev {
            posture::Event::State { t, from, to } => out.push(Event::State {
                t,
                from,
                to,
                seconds_in_previous: (t - before_since).max(0.0),
            }),
            posture::Event::Prompt {
                t,
                state,
                slumped_s,
            } => self.raise_prompt(t, state, slumped_s, out),
            posture::Event::Acknowledged { .. } => {}
        }
    }

    fn per_second(&mut self, t: f64, a: &Assessment, out: &mut Vec<Event>) {
        let state = self.machine.state();
        let j = &a.judgement;
        let m = a.measurement.as_ref();
        out.push(Event::Metrics {
            t,
            state,
            verdict: j.verdict,
            view: m.map(|m| m.view),
            metrics: m
                .and_then(|m| serde_json::to_value(&m.metrics).ok())
                .unwrap_or(serde_json::Value::Null),
            readings: Readings {
                forward_head: j.forward_head,
                rounded_shoulders: j.rounded_shoulders,
            },
        });
        if self.run.is_none() {
            let note = self.notice.clone().or_else(|| {
                self.cfg.profile.is_none().then(|| {
                    "not calibrated: general limits; run `hunch calibrate` for yours".to_string()
                })
            });
            let since = self.machine.state_since().unwrap_or(t);
            out.push(Event::Status {
                t,
                key: "status",
                text: crate::status::status_text(
                    state,
                    t - since,
                    f64::from(self.fps),
                    note.as_deref(),
                ),
            });
        }
    }

    /// `hunch calibrate`'s status line: frames so far and seconds left.
    fn calibrate_status(&self, t: f64, out: &mut Vec<Event>) {
        if let (Some(c), Mode::Calibrate { .. }) = (&self.calibrating, &self.mode) {
            out.push(Event::Status {
                t,
                key: "calibrate",
                text: format!(
                    "calibrating: {} frames, {:.0} s left",
                    c.measurements.len(),
                    (c.seconds - (t - c.since)).max(0.0)
                ),
            });
        }
    }

    /// The status line of a run: what is up and how far it got.
    fn run_status(&self, t: f64, out: &mut Vec<Event>) {
        let (Some(run), Some(p)) = (&self.run, &self.prompt) else {
            return;
        };
        let text = view::run_status_text(run.kind == RunKind::One, run, p, t);
        let key = match run.kind {
            RunKind::One => "coach",
            RunKind::Routine => "routine",
        };
        out.push(Event::Status { t, key, text });
    }

    fn camera(&mut self, change: CameraChange, t: f64, out: &mut Vec<Event>) {
        match change {
            CameraChange::Lost { message } => {
                self.notice = Some(format!("Camera lost ({message}); retrying"));
                out.push(Event::Camera {
                    t,
                    status: CameraStatus::Lost,
                    message,
                });
                self.camera_status(t, out);
            }
            CameraChange::Back { message } => {
                self.notice = None;
                out.push(Event::Camera {
                    t,
                    status: CameraStatus::Back,
                    message,
                });
            }
            CameraChange::StillGone { notice } => {
                self.notice = Some(notice);
                self.camera_status(t, out);
            }
        }
    }

    /// The camera notice on the status line while no frame arrives to
    /// update it.
    fn camera_status(&self, t: f64, out: &mut Vec<Event>) {
        let since = self.machine.state_since().unwrap_or(t);
        out.push(Event::Status {
            t,
            key: "camera lost",
            text: crate::status::status_text(
                self.machine.state(),
                t - since,
                f64::from(self.fps),
                self.notice.as_deref(),
            ),
        });
    }

    fn start_calibration(&mut self, t: f64, seconds: f64) {
        self.calibrating = Some(Calibrating {
            since: t,
            seconds,
            measurements: Vec::new(),
            frames: 0,
        });
        self.notice = Some("Calibrating: sit upright and look at the screen".into());
    }

    fn finish_calibration(&mut self, t: f64, out: &mut Vec<Event>) {
        let Some(cal) = self.calibrating.take() else {
            return;
        };
        let calibrate_mode = matches!(self.mode, Mode::Calibrate { .. });
        match Profile::calibrate(&cal.measurements, self.cfg.start_unix + t) {
            Ok(p) => {
                self.notice = Some(format!("Calibrated: {}", p.summary()));
                self.previous_profile = Some(self.cfg.profile.replace(p.clone()));
                self.calibration_end = Some(CalibrationEnd::Done {
                    profile: Box::new(p.clone()),
                    frames: cal.frames,
                });
                out.push(Event::Calibrated {
                    t,
                    profile: Box::new(p),
                });
            }
            Err(error) => {
                self.notice = Some(format!("Calibration failed: {error}"));
                self.calibration_end = Some(CalibrationEnd::Failed {
                    error,
                    frames: cal.frames,
                });
            }
        }
        if calibrate_mode {
            self.quit = true;
        }
    }

    fn key(&mut self, key: Key, t: f64, out: &mut Vec<Event>) {
        if self.run.is_some() {
            return self.run_key(key, t, out);
        }
        match key {
            Key::Quit => self.quit = true,
            Key::Help => self.show_help = !self.show_help,
            // The desktop's (the driver hands it there first).
            Key::Compact => {}
            Key::Mirror => self.mirror = !self.mirror,
            Key::PauseResume => {
                let command = if self.paused {
                    Command::Resume
                } else {
                    Command::Pause
                };
                self.command(command, t, out);
            }
            Key::Snooze => {
                let minutes = self.cfg.monitor.snooze_minutes;
                self.snooze(t, minutes * 60.0, &format!("{minutes}"), out);
            }
            Key::Calibrate => self.command(Command::Calibrate, t, out),
            Key::Done => {
                if let Some(prompt) = &mut self.prompt {
                    let result = match &mut prompt.stage {
                        Stage::Coaching { coach, .. } => coach.mark_done(t),
                        Stage::Card { .. } => Coach::new(prompt.stretch, t).mark_done(t),
                    };
                    self.end_prompt(t, Some(result), out);
                } else if let Some(p) = self.noticed.take() {
                    // A headless prompt answered from its notification.
                    let result = Coach::new(p.stretch, t).mark_done(t);
                    self.close_prompt(t, p, Some(result), out);
                }
            }
            Key::Another => {
                let state = self.machine.state();
                if let Some(need) = self.prompt.as_ref().map(|p| p.need)
                    && let Some(stretch) = self.pick(t, need)
                    && let Some(prompt) = &mut self.prompt
                {
                    prompt.stretch = stretch;
                    prompt.stage = Stage::Card {
                        since: t,
                        lead: PROMPT_LEAD_SECONDS,
                    };
                    out.push(Event::PromptSwapped {
                        t,
                        reason: prompt.reason.clone(),
                        about: PromptAbout {
                            id: prompt.id,
                            name: stretch.name.clone(),
                            dose: stretch.dose.label_counting(stretch.rep_word()),
                            state,
                            slumped_s: 0.0,
                        },
                    });
                }
            }
            Key::Routine => {
                if self.routine_offered {
                    self.accept_routine(t, out);
                }
            }
        }
    }

    /// Keys during a run: d done, n skip to the next, q quit, m and h as
    /// always; the monitor's pause, snooze and calibrate wait for its end.
    fn run_key(&mut self, key: Key, t: f64, out: &mut Vec<Event>) {
        let ending = |p: &mut ActivePrompt, done: bool| match &mut p.stage {
            Stage::Coaching { coach, .. } if done => coach.mark_done(t),
            Stage::Coaching { coach, .. } => coach.skip(t),
            Stage::Card { .. } if done => Coach::new(p.stretch, t).mark_done(t),
            Stage::Card { .. } => Coach::new(p.stretch, t).skip(t),
        };
        let one = self.run.as_ref().is_some_and(|r| r.kind == RunKind::One);
        match key {
            Key::Quit => {
                self.quit = true;
                // The monitor's routine ends; the monitor quits too.
            }
            Key::Help => self.show_help = !self.show_help,
            // The desktop's (the driver hands it there first).
            Key::Compact => {}
            Key::Mirror => self.mirror = !self.mirror,
            Key::Done => {
                if let Some(p) = &mut self.prompt {
                    let r = ending(p, true);
                    self.end_prompt(t, Some(r), out);
                }
            }
            Key::Another if !one => {
                if let Some(p) = &mut self.prompt {
                    let r = ending(p, false);
                    self.end_prompt(t, Some(r), out);
                }
            }
            Key::Another | Key::PauseResume | Key::Snooze | Key::Calibrate | Key::Routine => {}
        }
    }

    fn command(&mut self, command: Command, t: f64, out: &mut Vec<Event>) {
        match command {
            Command::Quit => self.quit = true,
            Command::Pause if !self.paused => {
                self.paused = true;
                self.machine_change(t, out, |m| m.pause(t));
                out.push(Event::Pause {
                    t,
                    kind: PauseKind::Paused,
                });
            }
            Command::Resume if self.paused => {
                self.paused = false;
                self.machine_change(t, out, |m| m.resume(t));
                out.push(Event::Pause {
                    t,
                    kind: PauseKind::Resumed,
                });
            }
            Command::Pause | Command::Resume => {}
            Command::Snooze { seconds } => {
                let minutes = format!("{:.0}", seconds / 60.0);
                self.snooze(t, seconds, &minutes, out);
            }
            Command::Calibrate => self.start_calibration(t, CALIBRATION_SECONDS),
            Command::StretchNow => {
                if self.prompt.is_none() && self.run.is_none() {
                    let state = self.machine.state();
                    self.raise_prompt(t, state, 0.0, out);
                }
            }
        }
    }

    fn snooze(&mut self, t: f64, seconds: f64, minutes: &str, out: &mut Vec<Event>) {
        self.machine_change(t, out, |m| m.snooze(t, t + seconds));
        if self.prompt.is_some() && self.run.is_none() {
            self.end_prompt(t, None, out);
        } else if let Some(p) = self.noticed.take() {
            self.close_prompt(t, p, None, out);
        }
        out.push(Event::Pause {
            t,
            kind: PauseKind::Snoozed,
        });
        self.notice = Some(format!("Snoozed for {minutes} min"));
    }

    /// The window's picture model at the last inference.
    pub fn overlay<'a>(&'a self, frame: &'a image::RgbImage) -> crate::render::OverlayModel<'a> {
        view::overlay(self, frame)
    }
}

/// True when the frame's verdict agrees with the state (no change pending).
pub fn verdict_matches(v: Verdict, s: State) -> bool {
    State::from(v) == s
}
