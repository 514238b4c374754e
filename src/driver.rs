//! The one driver of the live session: the edge where clocks, the camera,
//! the pose model, the window and the outputs meet. `hunch`, `hunch
//! stretch`, `hunch routine` and camera calibration all run through
//! [`drive`], so all get the same pacing, keys, window and camera-loss
//! recovery.
//!
//! Each turn: keys (and outside commands) first, so a pause never waits for
//! a frame; while paused or while the camera is lost, retry it with back-off
//! and keep the window alive; else wait until the session's next frame is
//! due (on the source's clock), take the newest frame, find the pose, and
//! hand it to the [`Session`]. Every event the session answers with goes to
//! every [`Sink`]. Clocks are read here and only here.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use image::RgbImage;

use crate::capture::{self, Backoff, FrameSource, Timing};
use crate::events::{CameraStatus, Event, Sink};
use crate::frame::Frame;
use crate::history::Recorder;
use crate::keys::Key;
use crate::pose::{Mode, PoseConfig, PoseEstimator};
use crate::render::Renderer;
use crate::session::{CameraChange, Input, Session, unix_now};
use crate::settings::{DesktopSettings, MonitorSettings};
use crate::window::Window;

/// Initial window size.
const WINDOW_SIZE: (u32, u32) = (960, 640);

/// What a live command opens, in the order whose errors help most: models
/// and ONNX Runtime, the source, the window, then the history.
pub struct Live {
    pub estimator: PoseEstimator,
    pub source: Box<dyn FrameSource>,
    pub window: Option<Window>,
    pub stop: std::sync::Arc<AtomicBool>,
    /// Unix time of session time 0.
    pub start_unix: f64,
    pub history: Option<Recorder>,
}

impl Live {
    /// Opens what `settings` ask for; `desktop` (the monitor only) opens
    /// the window in the mode and place the desktop settings say.
    pub fn open(
        pose: &PoseConfig,
        settings: &MonitorSettings,
        title: &str,
        desktop: Option<DesktopSettings>,
    ) -> anyhow::Result<Live> {
        let estimator = PoseEstimator::new(pose)?;
        let source = capture::open_source(&settings.source)?;
        let window = match (settings.no_window, desktop) {
            (true, _) => None,
            (false, Some(d)) => Some(crate::desktop::seam::open_window(d, title, WINDOW_SIZE)?),
            (false, None) => Some(Window::open(title, WINDOW_SIZE.0, WINDOW_SIZE.1)?),
        };
        let stop = crate::shutdown::stop_flag()?;
        let start_unix = unix_now();
        let history =
            Recorder::for_monitor(settings.history.as_deref(), settings.no_history, start_unix)?;
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

/// Where the session's events go.
#[derive(Default)]
pub struct Outputs {
    /// Every output, in the order they hear each event.
    pub sinks: Vec<Box<dyn Sink>>,
    /// Where a new calibration is saved (before any sink hears of it).
    pub profile_path: Option<PathBuf>,
    /// What else the loop consults each turn (the desktop: tray, screen
    /// lock, window modes).
    pub outside: Option<Box<dyn Outside>>,
}

/// An input asked for, and why when it came from outside the window (said
/// in the camera event when it pauses or resumes the session). A key has
/// no reason: the user saw what they pressed.
#[derive(Clone, Debug)]
pub struct Asked {
    pub input: Input,
    pub why: Option<&'static str>,
}

/// Something outside the session the driver consults once per turn.
pub trait Outside {
    /// Before the keys: does what concerns the window itself and returns
    /// the inputs for the session. `camera_lost`: the camera is gone.
    fn turn(
        &mut self,
        session: &Session,
        window: Option<&mut Window>,
        now: f64,
        camera_lost: bool,
    ) -> Vec<Asked>;
    /// A key the session has no use for (the compact toggle); true when
    /// it was used here.
    fn key(&mut self, key: Key, window: Option<&mut Window>) -> bool;
    /// The loop is over (remember the window's place).
    fn finish(&mut self, window: Option<&mut Window>);
}

impl Outputs {
    /// Hands `events` to every sink, saving a new profile first (when it
    /// cannot be saved, the session hears so and no sink hears of it).
    fn dispatch(&mut self, session: &mut Session, events: Vec<Event>) {
        for event in events {
            if let (Event::Calibrated { profile, .. }, Some(path)) = (&event, &self.profile_path)
                && let Err(e) = profile.save(path)
            {
                session.calibration_failed(e);
                continue;
            }
            for sink in &mut self.sinks {
                sink.accept(&event);
            }
        }
    }

    /// Closes every sink (the history last writes and closes its session).
    pub fn close(&mut self) -> Vec<anyhow::Error> {
        self.sinks
            .iter_mut()
            .filter_map(|s| s.close().err())
            .collect()
    }
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

/// Paces the loop against the wall clock for sources that need it.
struct Pacer {
    timing: Timing,
    started: Instant,
    /// Source time of the first frame, for recordings.
    first_t: Option<f64>,
}

impl Pacer {
    fn new(timing: Timing) -> Pacer {
        Pacer {
            timing,
            started: Instant::now(),
            first_t: None,
        }
    }

    /// Waits until source time `want` is due, keeping the window alive.
    /// Returns false when the user asked to stop meanwhile.
    fn wait_until(
        &mut self,
        want: f64,
        source: &dyn FrameSource,
        window: &mut Option<Window>,
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
            if let Some(w) = window.as_mut() {
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
    /// The camera is back at `t`.
    Back { t: f64, message: String },
    /// Still gone: the notice to show.
    StillGone(String),
}

/// Follows a live camera through an outage: when it was lost and when to
/// try again (with back-off), with the session times at which things
/// happened.
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

    /// The camera failed at `now`: schedules the first retry.
    fn lost(&mut self, now: f64) {
        self.lost_at = Some(now);
        self.backoff.failed(now);
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
                Retry::Back {
                    t,
                    message: format!("camera is back after {:.1} s", t - lost_at),
                }
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

/// The window side of the loop: renderer, canvas and the debug dump.
struct Screen {
    renderer: Option<Renderer>,
    canvas: RgbImage,
    dump: Option<CanvasDump>,
}

impl Screen {
    /// Draws the session over `frame` and collects the keys pressed.
    fn present(
        &mut self,
        window: &mut Option<Window>,
        session: &Session,
        frame: &Frame,
        pipeline_ms: f32,
        keys: &mut Vec<Key>,
    ) -> anyhow::Result<()> {
        let (Some(w), Some(renderer)) = (window.as_mut(), self.renderer.as_mut()) else {
            return Ok(());
        };
        let (cw, ch) = w.size();
        if self.canvas.dimensions() != (cw, ch) {
            self.canvas = RgbImage::new(cw, ch);
        }
        let mut model = session.overlay(&frame.image);
        model.pipeline_ms = pipeline_ms;
        renderer.render(&model, &mut self.canvas);
        w.present(&self.canvas)?;
        if let Some(dump) = &mut self.dump {
            dump.save(&self.canvas);
        }
        keys.extend(w.keys_pressed());
        Ok(())
    }
}

/// Runs `session` on `live` until the source ends, the user quits or the
/// session is done; then ends the session (its last events go out too) and
/// releases the source. The outputs are not closed: see [`Outputs::close`].
pub fn drive(session: &mut Session, live: &mut Live, out: &mut Outputs) -> anyhow::Result<()> {
    let start = session.start(live.source.describe());
    out.dispatch(session, start);
    let result = run_loop(session, live, out);
    if let Some(o) = out.outside.as_mut() {
        o.finish(live.window.as_mut());
    }
    let last = session.last_inference().unwrap_or(0.0);
    let end_t = session_now(live.source.as_ref(), last);
    let end = session.finish(end_t);
    out.dispatch(session, end);
    live.source.release();
    result
}

fn run_loop(session: &mut Session, live: &mut Live, out: &mut Outputs) -> anyhow::Result<()> {
    let Live {
        estimator,
        source,
        window,
        stop,
        ..
    } = live;
    let source = source.as_mut();
    let mut screen = Screen {
        renderer: match window {
            Some(_) => Some(Renderer::new()?),
            None => None,
        },
        canvas: RgbImage::new(0, 0),
        dump: CanvasDump::from_env(),
    };
    let mut frame = Frame {
        image: RgbImage::new(0, 0),
        time_s: 0.0,
        index: 0,
    };
    let mut pacer = Pacer::new(source.timing());
    let mut watch = CameraWatch::new(Backoff::new(1.0, 30.0));
    let mut keys = Vec::new();
    let mut released = false;
    let mut pipeline_ms = 0.0_f32;
    loop {
        // Now on the session clock: a camera's clock runs on while no
        // frame arrives (paused, lost); a recording's stands still.
        let now = session_now(
            source,
            session.last_inference().unwrap_or(0.0).max(frame.time_s),
        );
        // The desktop first (it may hide a window just closed), then the
        // keys, so a pause never waits for a frame.
        let mut inputs: Vec<Asked> = match out.outside.as_mut() {
            Some(o) => o.turn(session, window.as_mut(), now, watch.is_lost()),
            None => Vec::new(),
        };
        if stop.load(Ordering::Relaxed) || window.as_ref().is_some_and(|w| !w.is_open()) {
            return Ok(());
        }
        for key in keys.drain(..) {
            if let Some(o) = out.outside.as_mut()
                && o.key(key, window.as_mut())
            {
                continue;
            }
            inputs.push(Asked {
                input: Input::Key { key, t: now },
                why: None,
            });
        }
        for Asked { input, why } in inputs {
            let events = session.handle(input);
            out.dispatch(session, events);
            if session.wants_quit() {
                return Ok(());
            }
            // The camera is released while paused; a pause asked for from
            // outside (the tray, the screen lock) says so in a camera event.
            let change = if session.is_paused() && !released {
                source.release();
                released = true;
                Some(CameraStatus::Released)
            } else if !session.is_paused() && released {
                source
                    .resume()
                    .context("cannot take the camera back after the pause")?;
                released = false;
                Some(CameraStatus::Back)
            } else {
                None
            };
            if let (Some(status), Some(why)) = (change, why) {
                let event = Event::Camera {
                    t: now,
                    status,
                    message: why.to_string(),
                };
                out.dispatch(session, vec![event]);
            }
        }
        if session.is_paused() || watch.is_lost() {
            if watch.is_lost() {
                let change = match watch.poll(now, source) {
                    Retry::NotDue => None,
                    Retry::Back { t, message } => Some((CameraChange::Back { message }, t)),
                    Retry::StillGone(notice) => Some((CameraChange::StillGone { notice }, now)),
                };
                if let Some((change, t)) = change {
                    let events = session.handle(Input::Camera { change, t });
                    out.dispatch(session, events);
                }
            }
            // Sleep only until the next retry (or a key) is due.
            let wait = watch.seconds_to_next_try(now).clamp(0.01, 0.05);
            std::thread::sleep(Duration::from_secs_f64(wait));
            screen.present(window, session, &frame, pipeline_ms, &mut keys)?;
            continue;
        }
        let next_t = session.next_frame_due();
        if !pacer.wait_until(next_t, source, window, &mut keys, stop) {
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
                watch.lost(now);
                let change = CameraChange::Lost {
                    message: e.to_string(),
                };
                let events = session.handle(Input::Camera { change, t: now });
                out.dispatch(session, events);
                tracing::warn!("{e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        frame = got;
        pacer.first_t.get_or_insert(frame.time_s);
        let t = frame.time_s;
        let pose = estimator.estimate(&frame.image, Mode::Video { t_s: t })?;
        pipeline_ms = (estimator.last_timings().total_s * 1000.0) as f32;
        let events = session.handle(Input::Frame { t, pose });
        out.dispatch(session, events);
        tracing::trace!(
            t,
            next_t = session.next_frame_due(),
            took_ms = started.elapsed().as_secs_f64() * 1000.0,
            "turn"
        );
        screen.present(window, session, &frame, pipeline_ms, &mut keys)?;
        if session.wants_quit() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn camera_retries_carry_the_real_length_of_an_outage() {
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
        let lost_t = session_now(&source, first.time_s);
        watch.lost(lost_t);
        assert!(lost_t >= first.time_s);
        // The camera stays away for at least 0.5 s on its own clock, while
        // the watch keeps retrying and failing.
        let mut failures = 0;
        assert!(poll_until(10_000, || {
            let now = session_now(&source, lost_t);
            match watch.poll(now, &mut source) {
                Retry::Back { .. } => panic!("back while unplugged"),
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
            if let Retry::Back { t, .. } = watch.poll(session_now(&source, lost_t), &mut source) {
                back = Some(t);
            }
            back.is_some()
        }));
        let back_t = back.unwrap();
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
