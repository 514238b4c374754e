//! The live loop: `hunch` (watch and prompt) and `hunch stretch ID` (coach
//! one stretch now).
//!
//! This is the one place where the stages meet. Each turn: wait until the
//! next inference is due (on the source's clock), take the newest frame,
//! find the pose, judge it, advance the state machine with the frame's time,
//! then tell the user (window or terminal status, notifications, hooks,
//! events) and the history. Clocks are read here and only here; every stage
//! below is given the times.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use image::RgbImage;

use crate::capture::{self, Backoff, FrameSource, Timing};
use crate::cli::{Cli, StretchArgs};
use crate::coach::{Coach, CoachResult, CoachStatus, Phase};
use crate::config::MonitorSettings;
use crate::events::{CameraStatus, Event, EventWriter, Ticker};
use crate::frame::Frame;
use crate::history::{self, Recorder};
use crate::hooks::{HookContext, HookEvent, Hooks};
use crate::landmarks::Pose;
use crate::notify::Notifier;
use crate::pose::{Mode, PoseConfig, PoseEstimator};
use crate::posture::{
    self, Assessment, Judgement, Measurement, Profile, State, StateMachine, Thresholds, Verdict,
    View,
};
use crate::render::{
    CalibrationView, CoachPanel, Countdown, Gauge, OverlayModel, PromptCard, Renderer, SummaryCard,
};
use crate::schedule::Scheduler;
use crate::status::StatusLine;
use crate::stretches::{self, Need, Stretch};
use crate::window::{Key, Window};

/// Seconds of upright frames `c` records for a calibration.
pub const CALIBRATION_SECONDS: f64 = 5.0;
/// Seconds the prompt card is shown before the coach starts following.
pub const PROMPT_LEAD_SECONDS: f64 = 10.0;
/// A coached stretch not finished after this long is recorded as skipped.
pub const COACH_MAX_SECONDS: f64 = 240.0;
/// Seconds the end-of-stretch summary stays up.
pub const SUMMARY_SECONDS: f64 = 6.0;
/// Initial window size.
const WINDOW_SIZE: (u32, u32) = (960, 640);

/// How the notice offering `hunch routine` starts (cleared with its prompt).
const ROUTINE_NOTICE: &str = "Slumping keeps coming back";

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

pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Pose estimator settings from the flags.
pub fn pose_config(cli: &Cli) -> PoseConfig {
    crate::settings::pose(&cli.common)
}

/// The profile path from `--profile`, else the default one.
pub fn profile_path(cli: &Cli) -> anyhow::Result<PathBuf> {
    match &cli.common.posture.profile {
        Some(p) => Ok(p.clone()),
        None => Ok(posture::default_profile_path()?),
    }
}

/// Loads the calibration profile if there is one. An explicit `--profile`
/// that does not exist is an error; a missing default profile is not.
pub fn load_profile(cli: &Cli) -> anyhow::Result<Option<Profile>> {
    let path = profile_path(cli)?;
    if !path.exists() {
        anyhow::ensure!(
            cli.common.posture.profile.is_none(),
            "no calibration profile at the given path; make one with `hunch calibrate --profile PATH`: {}",
            path.display()
        );
        return Ok(None);
    }
    Ok(Some(Profile::load(&path)?))
}

/// Where a prompt is in its life.
enum PromptStage {
    /// The card is up; the coach starts when the lead time is over.
    Card { since: f64 },
    /// The coach follows the stretch.
    Coaching {
        coach: Box<Coach>,
        status: CoachStatus,
    },
}

/// A stretch suggestion in progress.
struct ActivePrompt {
    id: u64,
    stretch: &'static Stretch,
    need: Need,
    reason: String,
    stage: PromptStage,
}

/// A finished stretch's card, shown briefly.
struct Shown {
    card: SummaryCard,
    until: f64,
}

/// Calibration in progress: measurements gathered since `since`.
struct Calibrating {
    since: f64,
    measurements: Vec<Measurement>,
}

/// Everything that reports to the user and the history.
struct Outputs {
    events: Option<EventWriter>,
    hooks: Hooks,
    notifier: Notifier,
    history: Option<Recorder>,
    status: Option<StatusLine>,
    /// Unix time of source time 0.
    unix_offset: f64,
}

impl Outputs {
    fn unix(&self, t: f64) -> f64 {
        self.unix_offset + t
    }

    fn event(&mut self, event: &Event) {
        if let Some(w) = &mut self.events
            && let Err(e) = w.write(event)
        {
            tracing::warn!("{e}");
        }
    }

    fn record(&self, record: impl Into<history::Record>) {
        if let Some(h) = &self.history {
            h.record(record);
        }
    }
}

/// The monitor's whole state between frames.
struct Monitor {
    settings: MonitorSettings,
    thresholds: Thresholds,
    forced_view: Option<View>,
    profile: Option<Profile>,
    profile_path: PathBuf,
    machine: StateMachine,
    scheduler: Scheduler,
    ticker: Ticker,
    out: Outputs,
    prompt: Option<ActivePrompt>,
    next_prompt_id: u64,
    recent_stretches: Vec<&'static str>,
    /// What was prompted when, for `--stretch-repeat-minutes` and
    /// `--stretch-minutes-per-hour`.
    prompt_log: crate::schedule::PromptLog,
    /// `--routine-after`: when to offer `hunch routine`.
    routine_offer: crate::routine::Offer,
    summary: Option<Shown>,
    calibrating: Option<Calibrating>,
    last: Option<Assessment>,
    last_pose: Option<Pose>,
    mirror: bool,
    show_help: bool,
    paused: bool,
    notice: Option<String>,
    fps: f32,
    pipeline_ms: f32,
    last_inference: Option<f64>,
    canvas_dump: Option<CanvasDump>,
}

/// `HUNCH_DEBUG_CANVAS_DIR=DIR` (for the window test; not a user setting):
/// every canvas handed to the window is also saved as `DIR/NNNNNN.png`,
/// after it was presented, so a screenshot can be compared with exactly
/// what was drawn.
struct CanvasDump {
    dir: PathBuf,
    seq: u64,
}

impl CanvasDump {
    fn from_env() -> Option<CanvasDump> {
        let dir = PathBuf::from(std::env::var_os("HUNCH_DEBUG_CANVAS_DIR")?);
        Some(CanvasDump { dir, seq: 0 })
    }

    /// Saves under a temporary name first, so a reader never sees half a PNG.
    fn save(&mut self, canvas: &RgbImage) {
        self.seq += 1;
        let tmp = self.dir.join(".partial.png");
        let done = crate::render::save_png(canvas, &tmp)
            .map_err(anyhow::Error::from)
            .and_then(|()| {
                Ok(std::fs::rename(
                    &tmp,
                    self.dir.join(format!("{:06}.png", self.seq)),
                )?)
            });
        if let Err(e) = done {
            tracing::warn!("HUNCH_DEBUG_CANVAS_DIR: cannot save the canvas: {e}");
        }
    }
}

/// `hunch`: watch the camera (or `--input`) and prompt when slumping persists.
pub fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let settings = MonitorSettings::from_cli(cli);
    let thresholds = crate::settings::thresholds(&cli.common.posture)?;
    let state_cfg = crate::settings::state_config(&cli.common.posture)?;
    let profile = load_profile(cli)?;
    let profile_path = profile_path(cli)?;
    // `--events` appends: never to hunch's own files or to the input.
    if let Some(target) = settings.events.as_deref().filter(|t| *t != "-") {
        let mut protected = crate::settings::own_files(cli);
        if let Some(input) = &settings.source.input {
            protected.add("the --input", input);
        }
        protected.check("--events", Path::new(target))?;
    }
    // Models and ONNX Runtime first: their errors say how to fix the install.
    let Live {
        mut estimator,
        mut source,
        mut window,
        stop,
        start_unix,
        history,
    } = Live::open(cli, &settings, settings.no_window, "hunch")?;
    let events = settings
        .events
        .as_deref()
        .map(EventWriter::open)
        .transpose()?;
    let hooks = Hooks::new(&settings.hooks)?;
    let notifier = Notifier::new(settings.notifications);
    let status = settings.no_window.then(StatusLine::stderr);
    tracing::info!("watching {}", source.describe());

    let routine_offer = crate::routine::Offer::new(settings.routine_after);
    let mut m = Monitor {
        scheduler: Scheduler::new(settings.rate),
        mirror: settings.mirror,
        settings,
        thresholds,
        forced_view: crate::settings::view(&cli.common.posture),
        profile,
        profile_path,
        machine: StateMachine::new(state_cfg),
        ticker: Ticker::new(1.0),
        out: Outputs {
            events,
            hooks,
            notifier,
            history,
            status,
            unix_offset: start_unix,
        },
        prompt: None,
        next_prompt_id: 1,
        recent_stretches: Vec::new(),
        prompt_log: crate::schedule::PromptLog::default(),
        routine_offer,
        summary: None,
        calibrating: None,
        last: None,
        last_pose: None,
        show_help: false,
        paused: false,
        notice: None,
        fps: 0.0,
        pipeline_ms: 0.0,
        last_inference: None,
        canvas_dump: CanvasDump::from_env(),
    };
    let description = source.describe();
    m.out.event(&Event::Start {
        t: 0.0,
        source: description,
    });
    let result = m.run_loop(source.as_mut(), &mut estimator, window.as_mut(), &stop);
    let end_t = session_now(source.as_ref(), m.last_inference.unwrap_or(0.0));
    m.finish(end_t);
    source.release();
    result?;
    Ok(ExitCode::SUCCESS)
}

/// What both live commands open, in the order whose errors help most:
/// models and ONNX Runtime, the source, the window, then the history.
pub(crate) struct Live {
    pub(crate) estimator: PoseEstimator,
    pub(crate) source: Box<dyn FrameSource>,
    pub(crate) window: Option<Window>,
    pub(crate) stop: std::sync::Arc<AtomicBool>,
    pub(crate) start_unix: f64,
    pub(crate) history: Option<Recorder>,
}

impl Live {
    pub(crate) fn open(
        cli: &Cli,
        settings: &MonitorSettings,
        no_window: bool,
        title: &str,
    ) -> anyhow::Result<Live> {
        let estimator = PoseEstimator::new(&pose_config(cli))?;
        let source = capture::open_source(&settings.source)?;
        let window = if no_window {
            None
        } else {
            Some(Window::open(title, WINDOW_SIZE.0, WINDOW_SIZE.1)?)
        };
        let stop = crate::shutdown::stop_flag()?;
        let start_unix = unix_now();
        let history = Recorder::for_monitor(
            cli.monitor.history.as_deref(),
            cli.monitor.no_history,
            start_unix,
        )?;
        Ok(Live {
            estimator,
            source,
            window,
            stop,
            start_unix,
            history,
        })
    }
}

/// A renderer when there is a window to draw in.
pub(crate) fn renderer_for(window: Option<&Window>) -> anyhow::Result<Option<Renderer>> {
    Ok(match window {
        Some(_) => Some(Renderer::new()?),
        None => None,
    })
}

impl Pacer {
    pub(crate) fn new(timing: Timing) -> Pacer {
        Pacer {
            timing,
            started: Instant::now(),
            first_t: None,
        }
    }
}

/// Paces the loop against the wall clock for sources that need it.
pub(crate) struct Pacer {
    timing: Timing,
    started: Instant,
    /// Source time of the first frame, for recordings.
    pub(crate) first_t: Option<f64>,
}

impl Pacer {
    /// Waits until source time `want` is due, keeping the window alive.
    /// Returns false when the user asked to stop meanwhile.
    pub(crate) fn wait_until(
        &mut self,
        want: f64,
        source: &dyn FrameSource,
        window: &mut Option<&mut Window>,
        keys: &mut Vec<Key>,
        stop: &AtomicBool,
    ) -> bool {
        loop {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            let remaining = match self.timing {
                Timing::Unpaced => 0.0,
                Timing::Live => source.clock_s().map_or(0.0, |now| want - now),
                Timing::Realtime => match self.first_t {
                    None => 0.0,
                    Some(first) => (want - first) - self.started.elapsed().as_secs_f64(),
                },
            };
            if remaining <= 0.0 {
                return true;
            }
            std::thread::sleep(Duration::from_secs_f64(remaining.min(0.05)));
            if let Some(w) = window.as_deref_mut() {
                w.poll();
                keys.extend(w.keys_pressed());
                if !keys.is_empty() || !w.is_open() {
                    return true;
                }
            }
        }
    }
}

/// Now on the session clock: the source's own clock for a live camera
/// (it keeps running while no frame arrives), else `fallback` (the time of
/// the last frame, for recordings, whose time stands still between frames).
fn session_now(source: &dyn FrameSource, fallback: f64) -> f64 {
    source.clock_s().map_or(fallback, |now| now.max(fallback))
}

/// What a retry of a lost camera came to.
#[derive(Debug)]
enum Retry {
    /// No attempt due yet.
    NotDue,
    /// The camera is back: the event to report.
    Back(Event),
    /// Still gone: the notice to show.
    StillGone(String),
}

/// Follows a live camera through an outage: when it was lost, when to try
/// again (with back-off), and the `camera` events with the session times at
/// which things happened.
struct CameraWatch {
    backoff: Backoff,
    lost_at: Option<f64>,
}

impl CameraWatch {
    fn new(backoff: Backoff) -> CameraWatch {
        CameraWatch {
            backoff,
            lost_at: None,
        }
    }

    fn is_lost(&self) -> bool {
        self.lost_at.is_some()
    }

    /// The camera failed at `now`: schedules the first retry and returns the
    /// `lost` event.
    fn lost(&mut self, now: f64, error: &capture::CaptureError) -> Event {
        self.lost_at = Some(now);
        self.backoff.failed(now);
        Event::Camera {
            t: now,
            status: CameraStatus::Lost,
            message: error.to_string(),
        }
    }

    /// Seconds until the next attempt is due (0 when due or not lost).
    fn seconds_to_next_try(&self, now: f64) -> f64 {
        match (self.lost_at, self.backoff.next_attempt_s()) {
            (Some(_), Some(next)) => (next - now).max(0.0),
            _ => 0.0,
        }
    }

    /// Tries to take the camera back if an attempt is due at `now`.
    fn poll(&mut self, now: f64, source: &mut dyn FrameSource) -> Retry {
        let Some(lost_at) = self.lost_at else {
            return Retry::NotDue;
        };
        if !self.backoff.due(now) {
            return Retry::NotDue;
        }
        match source.resume() {
            Ok(()) => {
                self.backoff.succeeded();
                self.lost_at = None;
                // Opening takes time: the camera is back when it answered.
                let t = session_now(source, now);
                tracing::info!("camera back after {:.1} s", t - lost_at);
                Retry::Back(Event::Camera {
                    t,
                    status: CameraStatus::Back,
                    message: format!("camera is back after {:.1} s", t - lost_at),
                })
            }
            Err(e) => {
                self.backoff.failed(now);
                let next = self.seconds_to_next_try(now);
                tracing::info!(
                    "camera still gone after {:.1} s ({e}); next try in {next:.0} s",
                    now - lost_at
                );
                Retry::StillGone(format!("Camera lost ({e}); retrying"))
            }
        }
    }
}

impl Monitor {
    fn run_loop(
        &mut self,
        source: &mut dyn FrameSource,
        estimator: &mut PoseEstimator,
        mut window: Option<&mut Window>,
        stop: &AtomicBool,
    ) -> anyhow::Result<()> {
        let mut renderer = renderer_for(window.as_deref())?;
        let mut canvas = RgbImage::new(0, 0);
        let mut frame = Frame {
            image: RgbImage::new(0, 0),
            time_s: 0.0,
            index: 0,
        };
        let mut pacer = Pacer::new(source.timing());
        let mut watch = CameraWatch::new(Backoff::new(1.0, 30.0));
        let mut keys = Vec::new();
        let mut next_t = 0.0_f64;
        loop {
            if stop.load(Ordering::Relaxed) || window.as_deref().is_some_and(|w| !w.is_open()) {
                return Ok(());
            }
            // Now on the session clock: a camera's clock runs on while no
            // frame arrives (paused, lost); a recording's stands still.
            let now = session_now(source, self.last_inference.unwrap_or(0.0).max(frame.time_s));
            // Keys first, so a pause never waits for a frame.
            for key in keys.drain(..) {
                if !self.on_key(key, now, source)? {
                    return Ok(());
                }
            }
            if self.paused || watch.is_lost() {
                if watch.is_lost() {
                    match watch.poll(now, source) {
                        Retry::NotDue => {}
                        Retry::Back(event) => {
                            self.notice = None;
                            self.out.event(&event);
                        }
                        Retry::StillGone(notice) => {
                            self.notice = Some(notice);
                            self.camera_status(now);
                        }
                    }
                }
                // Sleep only until the next retry (or a key) is due.
                let wait = watch.seconds_to_next_try(now).clamp(0.01, 0.05);
                std::thread::sleep(Duration::from_secs_f64(wait));
                self.present(
                    &mut window,
                    renderer.as_mut(),
                    &mut canvas,
                    &frame,
                    &mut keys,
                )?;
                continue;
            }
            if !pacer.wait_until(next_t, source, &mut window, &mut keys, stop) {
                return Ok(());
            }
            if !keys.is_empty() {
                continue;
            }
            let started = Instant::now();
            let got = match source.next_frame(next_t) {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(()),
                Err(e) if e.is_retryable() => {
                    // The loss is noticed now, not at the last frame.
                    let now = session_now(source, now);
                    self.notice = Some(format!("Camera lost ({e}); retrying"));
                    self.out.event(&watch.lost(now, &e));
                    self.camera_status(now);
                    tracing::warn!("{e}");
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            frame = got;
            pacer.first_t.get_or_insert(frame.time_s);
            let t = frame.time_s;
            let pose = estimator.estimate(&frame.image, Mode::Video { t_s: t })?;
            self.pipeline_ms = (estimator.last_timings().total_s * 1000.0) as f32;
            self.step(t, pose);
            if let Some(last) = self.last_inference {
                let dt = (t - last).max(1e-3);
                self.fps = if self.fps == 0.0 {
                    (1.0 / dt) as f32
                } else {
                    0.8 * self.fps + 0.2 * (1.0 / dt) as f32
                };
            }
            self.last_inference = Some(t);
            let activity = self
                .scheduler
                .activity(t, self.machine.state(), self.coaching());
            next_t = self
                .scheduler
                .next_inference_s(t, t, &activity)
                .unwrap_or(t + 1.0);
            tracing::trace!(
                t,
                next_t,
                changing = activity.changing,
                took_ms = started.elapsed().as_secs_f64() * 1000.0,
                "turn"
            );
            self.present(
                &mut window,
                renderer.as_mut(),
                &mut canvas,
                &frame,
                &mut keys,
            )?;
        }
    }

    fn coaching(&self) -> bool {
        matches!(
            self.prompt,
            Some(ActivePrompt {
                stage: PromptStage::Coaching { .. },
                ..
            })
        )
    }

    /// One inference's worth of judgement and reporting, at source time `t`.
    fn step(&mut self, t: f64, pose: Option<Pose>) {
        let assessment = posture::judge_pose(
            pose.as_ref(),
            self.forced_view,
            self.profile.as_ref(),
            &self.thresholds,
        );
        if let Some(cal) = &mut self.calibrating {
            if let Some(m) = &assessment.measurement {
                cal.measurements.push(m.clone());
            }
            if t - cal.since >= CALIBRATION_SECONDS {
                self.finish_calibration(t);
            }
        }
        let before = self.machine.state();
        let before_since = self.machine.state_since().unwrap_or(t);
        let events = self.machine.update(t, Some(&assessment.judgement));
        let changed = !events.is_empty();
        let verdict_differs = !verdict_matches(assessment.judgement.verdict, self.machine.state());
        self.scheduler.observe(t, changed || verdict_differs);
        for ev in events {
            self.on_state_event(&ev, before, before_since);
        }
        self.advance_prompt(t, pose.as_ref());
        if self.summary.as_ref().is_some_and(|s| t >= s.until) {
            self.summary = None;
        }
        if self.ticker.due(t) {
            self.per_second(t, &assessment.judgement, assessment.measurement.as_ref());
        }
        self.last = Some(assessment);
        self.last_pose = pose;
    }

    fn on_state_event(&mut self, ev: &posture::Event, before: State, before_since: f64) {
        match ev.kind {
            posture::EventKind::State => {
                let (Some(from), Some(to)) = (ev.from, ev.to) else {
                    return;
                };
                self.out.event(&Event::State {
                    t: ev.t,
                    from,
                    to,
                    seconds_in_previous: (ev.t - before_since).max(0.0),
                });
                self.out.record(history::Transition {
                    t_unix: self.out.unix(ev.t),
                    from,
                    to,
                });
                let hook = if to.is_slumped() && !from.is_slumped() {
                    Some(HookEvent::Slouch)
                } else if from.is_slumped()
                    && !to.is_slumped()
                    && to != State::Paused
                    && to != State::Snoozed
                {
                    Some(HookEvent::Recover)
                } else {
                    None
                };
                if let Some(event) = hook {
                    self.out.hooks.fire(&HookContext {
                        event,
                        state: to,
                        previous: from,
                        state_seconds: (ev.t - before_since).max(0.0),
                        stretch: None,
                    });
                }
            }
            posture::EventKind::Prompt => {
                let state = ev.state.unwrap_or(before);
                self.raise_prompt(ev.t, state, ev.slumped_s.unwrap_or(0.0));
            }
            posture::EventKind::Acknowledged => {}
        }
    }

    fn raise_prompt(&mut self, t: f64, state: State, slumped_s: f64) {
        if self.prompt.is_some() {
            return;
        }
        let need = match state {
            State::ForwardHead => Need::ForwardHead,
            State::RoundedShoulders => Need::RoundedShoulders,
            _ => Need::Both,
        };
        let Some(stretch) = self.pick(t, need) else {
            return;
        };
        let mut reason = format!(
            "{} for {}",
            state.label(),
            crate::render::format_duration(slumped_s)
        );
        if self.routine_offer.on_prompt(local_day(self.out.unix(t))) {
            // Slumping keeps coming back: offer the whole routine as well.
            let offer = self.routine_offer.text();
            reason = format!("{reason}; {offer}");
            self.notice = Some(format!("{ROUTINE_NOTICE}: {offer}"));
        }
        let id = self.next_prompt_id;
        self.next_prompt_id += 1;
        self.out.event(&Event::Prompt {
            t,
            stretch: stretch.id.clone(),
            reason: reason.clone(),
        });
        self.out.record(history::Prompt {
            t_unix: self.out.unix(t),
            prompt_id: id,
            stretch_id: stretch.id.clone(),
            reason: reason.clone(),
        });
        self.out.hooks.fire(&HookContext {
            event: HookEvent::Prompt,
            state,
            previous: state,
            state_seconds: slumped_s,
            stretch: Some(stretch.id.clone()),
        });
        self.out.notifier.notify(
            &format!("Time for {}", stretch.name),
            &format!("{reason}. {}", stretch.dose.label()),
        );
        if self.settings.no_window {
            // Nobody can press a key to follow along: the prompt is a notice.
            self.machine.prompt_acknowledged(t);
            return;
        }
        self.prompt = Some(ActivePrompt {
            id,
            stretch,
            need,
            reason,
            stage: PromptStage::Card { since: t },
        });
    }

    /// The stretch to offer at `t`, within the frequency limits (none: no prompt).
    fn pick(&mut self, t: f64, need: Need) -> Option<&'static Stretch> {
        let limits = self.settings.stretch_limits;
        let log = &self.prompt_log;
        let stretch = stretches::choose_allowed(
            stretches::library().ok()?,
            need,
            &self.recent_stretches,
            |s| log.allows(&limits, t, &s.id, s.estimated_s()),
        )?;
        self.prompt_log
            .record(t, &stretch.id, stretch.estimated_s());
        self.recent_stretches.push(stretch.id.as_str());
        if self.recent_stretches.len() > 6 {
            self.recent_stretches.remove(0);
        }
        Some(stretch)
    }

    /// Moves a prompt along: card, then coach, then summary.
    fn advance_prompt(&mut self, t: f64, pose: Option<&Pose>) {
        let Some(prompt) = &mut self.prompt else {
            return;
        };
        match &mut prompt.stage {
            PromptStage::Card { since } => {
                if t - *since >= PROMPT_LEAD_SECONDS {
                    let mut coach = Coach::new(prompt.stretch, t);
                    if let Some(view) = self.last.as_ref().map(|a| a.judgement.view) {
                        coach = coach.with_view(view);
                    }
                    let status = coach.update(t, pose);
                    prompt.stage = PromptStage::Coaching {
                        coach: Box::new(coach),
                        status,
                    };
                }
            }
            PromptStage::Coaching { coach, status } => {
                *status = coach.update(t, pose);
                if status.phase == Phase::Finished {
                    let result = coach.result();
                    self.end_prompt(t, Some(result));
                } else if t - coach_start(coach, t) > COACH_MAX_SECONDS {
                    let result = coach.skip(t);
                    self.end_prompt(t, Some(result));
                }
            }
        }
    }

    /// Closes the prompt with the coach's result (None: snoozed).
    fn end_prompt(&mut self, t: f64, result: Option<CoachResult>) {
        let Some(prompt) = self.prompt.take() else {
            return;
        };
        if self
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with(ROUTINE_NOTICE))
        {
            self.notice = None;
        }
        let outcome = match &result {
            Some(r) => r.history_outcome(),
            None => history::Outcome::Snoozed,
        };
        self.out.record(history::PromptOutcome {
            t_unix: self.out.unix(t),
            prompt_id: prompt.id,
            outcome,
        });
        if let Some(r) = result {
            self.out.event(&Event::Stretch {
                t,
                stretch: r.stretch_id.clone(),
                result: serde_json::to_value(&r).unwrap_or_default(),
            });
            self.summary = Some(Shown {
                card: summary_card(prompt.stretch, &r),
                until: t + SUMMARY_SECONDS,
            });
        }
        self.machine.prompt_acknowledged(t);
    }

    fn per_second(&mut self, t: f64, j: &Judgement, m: Option<&Measurement>) {
        let state = self.machine.state();
        let metrics = m
            .and_then(|m| serde_json::to_value(&m.metrics).ok())
            .unwrap_or(serde_json::Value::Null);
        self.out.event(&Event::Metrics {
            t,
            state,
            verdict: j.verdict,
            view: m.map(|m| m.view),
            metrics: metrics.clone(),
        });
        let mut sample = history::Sample::new(self.out.unix(t), state, j.verdict);
        sample.view = m.map(|m| m.view);
        if let Some(r) = j.forward_head {
            sample.forward_head = Some(r.value);
            sample.forward_head_baseline = r.baseline;
            sample.forward_head_threshold = Some(r.enter);
        }
        if let Some(r) = j.rounded_shoulders {
            sample.rounded_shoulders = Some(r.value);
            sample.rounded_shoulders_baseline = r.baseline;
            sample.rounded_shoulders_threshold = Some(r.enter);
        }
        if !metrics.is_null() {
            sample.metrics_json = Some(metrics.to_string());
        }
        self.out.record(sample);
        if let Some(status) = &mut self.out.status {
            let since = self.machine.state_since().unwrap_or(t);
            let note = self.notice.clone().or_else(|| {
                self.profile.is_none().then(|| {
                    "not calibrated: general limits; run `hunch calibrate` for yours".to_string()
                })
            });
            let text =
                crate::status::status_text(state, t - since, f64::from(self.fps), note.as_deref());
            status.update("status", &text);
        }
    }

    /// Shows the camera notice on the status line (headless runs) while
    /// no frame arrives to update it.
    fn camera_status(&mut self, t: f64) {
        let state = self.machine.state();
        let since = self.machine.state_since().unwrap_or(t);
        if let Some(status) = &mut self.out.status {
            let text = crate::status::status_text(
                state,
                t - since,
                f64::from(self.fps),
                self.notice.as_deref(),
            );
            status.update("camera lost", &text);
        }
    }

    fn start_calibration(&mut self, t: f64) {
        self.calibrating = Some(Calibrating {
            since: t,
            measurements: Vec::new(),
        });
        self.notice = Some("Calibrating: sit upright and look at the screen".into());
    }

    fn finish_calibration(&mut self, t: f64) {
        let Some(cal) = self.calibrating.take() else {
            return;
        };
        match Profile::calibrate(&cal.measurements, self.out.unix(t)).and_then(|p| {
            p.save(&self.profile_path)?;
            Ok(p)
        }) {
            Ok(p) => {
                self.out.record(history::Calibration {
                    t_unix: self.out.unix(t),
                    view: Some(p.view),
                    profile_toml: toml::to_string(&p).ok(),
                });
                self.notice = Some(format!("Calibrated: {}", p.summary()));
                self.profile = Some(p);
            }
            Err(e) => {
                self.notice = Some(format!("Calibration failed: {e}"));
            }
        }
    }

    /// Handles a key; false means quit.
    fn on_key(&mut self, key: Key, t: f64, source: &mut dyn FrameSource) -> anyhow::Result<bool> {
        match key {
            Key::Quit => return Ok(false),
            Key::Help => self.show_help = !self.show_help,
            Key::Mirror => self.mirror = !self.mirror,
            Key::PauseResume => {
                self.paused = !self.paused;
                let kind = if self.paused {
                    source.release();
                    self.machine.pause(t);
                    history::PauseKind::Paused
                } else {
                    source
                        .resume()
                        .context("cannot take the camera back after the pause")?;
                    self.machine.resume(t);
                    history::PauseKind::Resumed
                };
                self.out.record(history::Pause {
                    t_unix: self.out.unix(t),
                    kind,
                });
            }
            Key::Snooze => {
                let until = t + self.settings.snooze_minutes * 60.0;
                self.machine.snooze(t, until);
                if self.prompt.is_some() {
                    self.end_prompt(t, None);
                }
                self.out.record(history::Pause {
                    t_unix: self.out.unix(t),
                    kind: history::PauseKind::Snoozed,
                });
                self.notice = Some(format!("Snoozed for {} min", self.settings.snooze_minutes));
            }
            Key::Calibrate => self.start_calibration(t),
            Key::Done => {
                if let Some(prompt) = &mut self.prompt {
                    let result = match &mut prompt.stage {
                        PromptStage::Coaching { coach, .. } => coach.mark_done(t),
                        PromptStage::Card { .. } => Coach::new(prompt.stretch, t).mark_done(t),
                    };
                    self.end_prompt(t, Some(result));
                }
            }
            Key::Another => {
                if let Some(need) = self.prompt.as_ref().map(|p| p.need)
                    && let Some(stretch) = self.pick(t, need)
                    && let Some(prompt) = &mut self.prompt
                {
                    prompt.stretch = stretch;
                    prompt.stage = PromptStage::Card { since: t };
                }
            }
        }
        Ok(true)
    }

    fn present(
        &mut self,
        window: &mut Option<&mut Window>,
        renderer: Option<&mut Renderer>,
        canvas: &mut RgbImage,
        frame: &Frame,
        keys: &mut Vec<Key>,
    ) -> anyhow::Result<()> {
        let (Some(w), Some(renderer)) = (window.as_deref_mut(), renderer) else {
            return Ok(());
        };
        let (cw, ch) = w.size();
        if canvas.dimensions() != (cw, ch) {
            *canvas = RgbImage::new(cw, ch);
        }
        let t = self.last_inference.unwrap_or(0.0);
        let model = self.overlay(frame, t);
        renderer.render(&model, canvas);
        w.present(canvas)?;
        if let Some(dump) = &mut self.canvas_dump {
            dump.save(canvas);
        }
        keys.extend(w.keys_pressed());
        Ok(())
    }

    fn overlay<'a>(&'a self, frame: &'a Frame, t: f64) -> OverlayModel<'a> {
        let mut model = OverlayModel::new(&frame.image);
        model.pose = if self.paused {
            None
        } else {
            self.last_pose.as_ref()
        };
        model.mirror = self.mirror;
        model.state = self.machine.state();
        model.state_seconds = (t - self.machine.state_since().unwrap_or(t)).max(0.0);
        model.prompt_progress = self.machine.prompt_progress();
        model.view = self
            .last
            .as_ref()
            .and_then(|a| a.measurement.as_ref())
            .map(|m| m.view);
        model.fps = self.fps;
        model.pipeline_ms = self.pipeline_ms;
        if let Some(j) = self.last.as_ref().map(|a| &a.judgement) {
            (model.head, model.shoulders) = gauges(j);
        }
        model.calibration = match (&self.calibrating, &self.profile) {
            (Some(c), _) => CalibrationView::Calibrating {
                progress: ((t - c.since) / CALIBRATION_SECONDS).clamp(0.0, 1.0) as f32,
            },
            (None, Some(_)) => CalibrationView::Calibrated,
            // Every view is judged without calibration (general limits) once
            // a person is seen; until then the card invites calibrating.
            (None, None) if model.head.is_some() => CalibrationView::Calibrated,
            (None, None) => CalibrationView::NotCalibrated,
        };
        model.notice = self.notice.clone();
        model.show_help = self.show_help;
        model.summary = self.summary.as_ref().map(|s| s.card.clone());
        if let Some(p) = &self.prompt {
            match &p.stage {
                PromptStage::Card { since } => {
                    model.prompt = Some(prompt_card(
                        p.stretch,
                        &p.reason,
                        PROMPT_LEAD_SECONDS - (t - since),
                    ));
                }
                PromptStage::Coaching { status, .. } => {
                    model.coach = Some(coach_panel(p.stretch, status));
                }
            }
        }
        model
    }

    fn finish(&mut self, t: f64) {
        if let Some(p) = &mut self.prompt
            && let PromptStage::Coaching { coach, .. } = &mut p.stage
        {
            let r = coach.skip(t);
            self.end_prompt(t, Some(r));
        }
        self.out.event(&Event::Stop { t });
        if let Some(status) = &mut self.out.status {
            status.finish();
        }
        if let Some(h) = self.out.history.take()
            && let Err(e) = h.close(self.out.unix(t))
        {
            eprintln!("hunch: {e}");
        }
    }
}

fn coach_start(coach: &Coach, t: f64) -> f64 {
    t - coach.result().duration_s
}

/// True when the frame's verdict agrees with the state (no change pending).
fn verdict_matches(v: Verdict, s: State) -> bool {
    State::from(v) == s
}

/// The forward-head and rounded-shoulder gauges for a judgement: each shows
/// the very reading its condition is judged on, so the gauge's colour (past
/// its limit or not) always agrees with the verdict it drives.
pub fn gauges(j: &Judgement) -> (Option<Gauge>, Option<Gauge>) {
    // A reading whose alarm sits below its all-clear gets worse downwards.
    let lower_is_worse = |r: &posture::Reading| r.enter < r.exit;
    (
        j.forward_head
            .map(|r| gauge("Forward head", &r, lower_is_worse(&r))),
        j.rounded_shoulders
            .map(|r| gauge("Rounded shoulders", &r, lower_is_worse(&r))),
    )
}

/// A gauge for a posture reading.
pub fn gauge(label: &str, r: &posture::Reading, worse_when_lower: bool) -> Gauge {
    let unit = match r.unit {
        posture::Unit::Deg => "°",
        posture::Unit::Pct => "%",
        posture::Unit::Cm => " cm",
    };
    // A scale wide enough to show the baseline, the limit and room past it.
    let typical = match r.unit {
        posture::Unit::Deg => 15.0,
        posture::Unit::Pct => 25.0,
        posture::Unit::Cm => 8.0,
    };
    let good_side = if worse_when_lower { 1.0 } else { -1.0 };
    let base = r.baseline.unwrap_or(r.enter + good_side * typical * 0.6);
    let pad = ((r.enter - base).abs() * 1.5).max(typical * 0.5);
    let (min, max) = (base.min(r.enter) - pad, base.max(r.enter) + pad);
    Gauge {
        label: label.to_string(),
        value: r.value as f32,
        baseline: r.baseline.map(|b| b as f32),
        threshold: Some(r.enter as f32),
        unit: unit.to_string(),
        min: min as f32,
        max: max as f32,
        worse_when_lower,
        reliable: r.value.is_finite(),
    }
}

/// The prompt card for a stretch.
pub fn prompt_card(stretch: &Stretch, reason: &str, remaining_s: f64) -> PromptCard {
    PromptCard {
        title: stretch.name.clone(),
        reason: reason.to_string(),
        steps: stretch.steps.clone(),
        dose: stretch.dose_label(),
        countdown: Some(Countdown {
            remaining_s: remaining_s.max(0.0) as f32,
            total_s: PROMPT_LEAD_SECONDS as f32,
            caption: "to start".into(),
        }),
        safety: stretches::SAFETY_LINE.to_string(),
        equipment: stretch.equipment.label().to_string(),
    }
}

/// The coach panel for a stretch in progress.
pub fn coach_panel(stretch: &Stretch, s: &CoachStatus) -> CoachPanel {
    CoachPanel {
        title: stretch.name.clone(),
        reps_done: s.reps_done,
        reps_target: (s.reps_target > 0).then_some(s.reps_target),
        hold_remaining_s: s.hold_remaining_s.map(|v| v as f32),
        time_remaining_s: s.time_remaining_s.map(|v| v as f32),
        hint: s.hint.clone(),
        verified: s.verified,
        paused: matches!(s.phase, Phase::Paused(_)),
        progress: s.progress,
    }
}

pub(crate) fn summary_card(stretch: &Stretch, r: &CoachResult) -> SummaryCard {
    let line = match &r.outcome {
        crate::coach::Outcome::DoneVerified { reps, held_s } => {
            if *reps > 0 {
                format!("{reps} reps seen by the camera")
            } else {
                format!("Held {:.0} s, seen by the camera", held_s)
            }
        }
        crate::coach::Outcome::DoneUnverified => "Done (not checked by the camera)".to_string(),
        crate::coach::Outcome::Skipped => "Skipped".to_string(),
        crate::coach::Outcome::Incomplete { reps, .. } => format!("Stopped after {reps} reps"),
    };
    SummaryCard {
        title: stretch.name.clone(),
        lines: vec![
            line,
            format!("Took {}", crate::render::format_duration(r.duration_s)),
        ],
        verified: r.verified,
    }
}

/// `hunch stretch ID`: coach one stretch now, from the camera or `--input`.
pub fn run_stretch(cli: &Cli, args: &StretchArgs) -> anyhow::Result<ExitCode> {
    let stretch = stretches::find(&args.id)?;
    let mut settings = MonitorSettings::from_cli(cli);
    if args.input.is_some() {
        settings.source.input = args.input.clone();
    }
    let no_window = args.no_window || settings.no_window;
    let Live {
        mut estimator,
        mut source,
        mut window,
        stop,
        start_unix,
        history,
    } = Live::open(cli, &settings, no_window, "hunch: stretch")?;
    let mut renderer = renderer_for(window.as_ref())?;
    let mut status_line = no_window.then(StatusLine::stderr);
    let mut canvas = RgbImage::new(0, 0);
    let mut coach: Option<Coach> = None;
    let mut pacer = Pacer::new(source.timing());
    let mut keys = Vec::new();
    let mut next_t = 0.0;
    let step = 1.0 / settings.rate.fast_fps.max(1.0);
    let mut last_t = 0.0;
    let mut result: Option<CoachResult> = None;
    while result.is_none() {
        if !pacer.wait_until(
            next_t,
            source.as_ref(),
            &mut window.as_mut(),
            &mut keys,
            &stop,
        ) {
            break;
        }
        if window.as_ref().is_some_and(|w| !w.is_open()) {
            break;
        }
        let mut quit = false;
        for key in keys.drain(..) {
            match key {
                Key::Quit => quit = true,
                Key::Done => {
                    result = Some(
                        coach
                            .get_or_insert_with(|| Coach::new(stretch, last_t))
                            .mark_done(last_t),
                    )
                }
                _ => {}
            }
        }
        if quit || result.is_some() {
            break;
        }
        let Some(frame) = source.next_frame(next_t)? else {
            break;
        };
        pacer.first_t.get_or_insert(frame.time_s);
        let t = frame.time_s;
        last_t = t;
        let pose = estimator.estimate(&frame.image, Mode::Video { t_s: t })?;
        let c = coach.get_or_insert_with(|| Coach::new(stretch, t));
        let status = c.update(t, pose.as_ref());
        if status.phase == Phase::Finished {
            result = Some(c.result());
        } else if no_window && status.time_remaining_s == Some(0.0) {
            // Headless, nobody can press d: a timer that ran out is done
            // (and recorded as not verified by the camera).
            result = Some(c.mark_done(t));
        }
        if let Some(line) = &mut status_line {
            let text = match (
                status.reps_target,
                status.hold_remaining_s,
                status.time_remaining_s,
            ) {
                (n, _, _) if n > 0 => format!("{}: {}/{} reps", stretch.name, status.reps_done, n),
                (_, Some(h), _) => format!("{}: hold {:.0} s", stretch.name, h),
                (_, _, Some(r)) => format!("{}: {:.0} s left (press d when done)", stretch.name, r),
                _ => stretch.name.clone(),
            };
            let hint = status
                .hint
                .as_deref()
                .map(|h| format!(" — {h}"))
                .unwrap_or_default();
            line.update("coach", &format!("{text}{hint}"));
        }
        if let (Some(w), Some(r)) = (window.as_mut(), renderer.as_mut()) {
            let (cw, ch) = w.size();
            if canvas.dimensions() != (cw, ch) {
                canvas = RgbImage::new(cw, ch);
            }
            let mut model = OverlayModel::new(&frame.image);
            model.pose = pose.as_ref();
            model.mirror = settings.mirror;
            model.calibration = CalibrationView::Calibrated;
            model.coach = Some(coach_panel(stretch, &status));
            r.render(&model, &mut canvas);
            w.present(&canvas)?;
            keys.extend(w.keys_pressed());
        }
        next_t = t + step;
    }
    let result = match result {
        Some(r) => r,
        None => coach
            .get_or_insert_with(|| Coach::new(stretch, last_t))
            .skip(last_t),
    };
    if let Some(line) = &mut status_line {
        line.finish();
    }
    if let Some(h) = history {
        // Wall-clock times: a recording may have been played faster than life.
        let end_unix = unix_now();
        h.record(history::Prompt {
            t_unix: start_unix,
            prompt_id: 1,
            stretch_id: stretch.id.clone(),
            reason: "started with `hunch stretch`".into(),
        });
        h.record(history::PromptOutcome {
            t_unix: end_unix,
            prompt_id: 1,
            outcome: result.history_outcome(),
        });
        h.close(end_unix)?;
    }
    println!("{}", summary_card(stretch, &result).lines.join("; "));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::{Reading, Unit};

    #[test]
    fn gauge_scale_holds_baseline_and_limit_in_order() {
        for (r, lower) in [
            (
                Reading {
                    value: 35.0,
                    baseline: None,
                    enter: 50.0,
                    exit: 53.0,
                    unit: Unit::Deg,
                },
                true,
            ),
            (
                Reading {
                    value: -20.0,
                    baseline: Some(0.0),
                    enter: 15.0,
                    exit: 10.0,
                    unit: Unit::Pct,
                },
                false,
            ),
        ] {
            let g = gauge("x", &r, lower);
            assert!(g.min < g.max);
            let t = g.threshold.unwrap();
            assert!(g.min < t && t < g.max);
            if let Some(b) = g.baseline {
                assert!(g.min < b && b < g.max);
            }
        }
    }

    #[test]
    fn away_matches_no_person_and_looking_down_its_own_verdict() {
        assert!(verdict_matches(Verdict::NoPerson, State::Away));
        assert!(verdict_matches(Verdict::LookingDown, State::LookingDown));
        assert!(!verdict_matches(Verdict::ForwardHead, State::Good));
    }

    /// Waits (polling) until `done` holds, giving up after `limit` polls.
    fn poll_until(limit: u32, mut done: impl FnMut() -> bool) -> bool {
        for _ in 0..limit {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    #[test]
    fn camera_events_carry_the_real_length_of_an_outage() {
        use crate::capture::{CameraSource, Resolution, fake::Fake};
        use std::sync::Arc;
        let fake = Fake::new();
        let unplugged = Arc::clone(&fake.unplugged);
        let mut source =
            CameraSource::open_with(Arc::new(fake), None, Resolution::default(), 30).unwrap();
        let first = source.next_frame(0.0).unwrap().unwrap();
        unplugged.store(true, Ordering::SeqCst);
        let err = loop {
            match source.next_frame(0.0) {
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert!(err.is_retryable(), "{err}");
        let mut watch = CameraWatch::new(Backoff::new(0.05, 0.1));
        let lost = watch.lost(session_now(&source, first.time_s), &err);
        let Event::Camera { t: lost_t, .. } = lost else {
            panic!("{lost:?}")
        };
        assert!(lost_t >= first.time_s);
        // The camera stays away for at least 0.5 s on its own clock, while
        // the watch keeps retrying and failing.
        let mut failures = 0;
        assert!(poll_until(10_000, || {
            let now = session_now(&source, lost_t);
            match watch.poll(now, &mut source) {
                Retry::Back(e) => panic!("back while unplugged: {e:?}"),
                Retry::StillGone(notice) => {
                    assert!(notice.starts_with("Camera lost"), "{notice}");
                    failures += 1;
                }
                Retry::NotDue => {}
            }
            now >= lost_t + 0.5
        }));
        assert!(failures >= 2, "retried {failures} times");
        assert!(watch.is_lost());
        unplugged.store(false, Ordering::SeqCst);
        let mut back = None;
        assert!(poll_until(10_000, || {
            if let Retry::Back(e) = watch.poll(session_now(&source, lost_t), &mut source) {
                back = Some(e);
            }
            back.is_some()
        }));
        let Some(Event::Camera {
            t: back_t,
            status: CameraStatus::Back,
            ..
        }) = back
        else {
            panic!("{back:?}")
        };
        assert!(
            back_t - lost_t >= 0.5,
            "lost at {lost_t}, back at {back_t}: the outage lasted at least 0.5 s"
        );
        assert!(!watch.is_lost());
        let next = source.next_frame(0.0).unwrap().unwrap();
        assert!(
            next.time_s >= back_t - 0.05,
            "frames go on on the same clock"
        );
    }
}
