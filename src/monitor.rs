//! The live commands' edge: `hunch` (watch and prompt), `hunch stretch ID`
//! (coach one stretch now), and the runs `hunch routine` and camera
//! calibration start. They take typed [`Settings`]; here the outputs are
//! chosen and a pure [`Session`] is handed to the one driver
//! ([`crate::driver::drive`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::driver::{Live, Outputs, drive};
use crate::events::{EventWriter, Sink};
use crate::history::{HistoryClock, HistorySink};
use crate::hooks::Hooks;
use crate::notify::Notifier;
use crate::posture::Profile;
use crate::session::{Mode, Session, SessionConfig};
use crate::settings::{MonitorSettings, PostureSettings, Settings};
use crate::status::StatusLine;
use crate::stretches::Stretch;

pub use crate::session::{
    CALIBRATION_SECONDS, COACH_MAX_SECONDS, PROMPT_LEAD_SECONDS, SUMMARY_SECONDS, coach_panel,
    gauge, gauges, prompt_card, summary_card,
};

/// Loads the calibration profile if there is one. An explicit `--profile`
/// that does not exist is an error; a missing default profile is not.
pub fn load_profile(posture: &PostureSettings) -> anyhow::Result<Option<Profile>> {
    let path = posture.profile_path()?;
    if !path.exists() {
        anyhow::ensure!(
            posture.profile.is_none(),
            "no calibration profile at the given path; make one with `hunch calibrate --profile PATH`: {}",
            path.display()
        );
        return Ok(None);
    }
    Ok(Some(Profile::load(&path)?))
}

/// The session's settings.
fn session_config(
    posture: PostureSettings,
    monitor: MonitorSettings,
    profile: Option<Profile>,
    start_unix: f64,
) -> SessionConfig {
    SessionConfig {
        headless: monitor.no_window,
        monitor,
        thresholds: posture.thresholds,
        state: posture.state,
        view: posture.view,
        profile,
        start_unix,
    }
}

/// `--events`, when given.
fn events_sink(settings: &MonitorSettings) -> anyhow::Result<Option<Box<dyn Sink>>> {
    Ok(match settings.events.as_deref() {
        Some(target) => Some(Box::new(EventWriter::open(target)?)),
        None => None,
    })
}

/// `hunch`: watch the camera (or `--input`) and prompt when slumping persists.
pub fn run(all: Settings) -> anyhow::Result<ExitCode> {
    let profile = load_profile(&all.posture)?;
    let profile_path = all.posture.profile_path()?;
    // `--events` appends: never to hunch's own files or to the input.
    let settings = &all.monitor;
    if let Some(target) = settings.events.as_deref().filter(|t| *t != "-") {
        let mut protected = all.own_files();
        if let Some(input) = &settings.source.input {
            protected.add("the --input", input);
        }
        protected.check("--events", Path::new(target))?;
    }
    // Models and ONNX Runtime first: their errors say how to fix the install.
    let mut live = Live::open(&all.pose, settings, "hunch", Some(settings.desktop))?;
    // The tray and the screen lock (before the session starts, so a lock
    // right at the start is heard).
    let seam = crate::desktop::seam::Seam::start(
        settings.desktop,
        settings.history.clone(),
        live.window.as_ref(),
    );
    // The prompt notification's buttons act like the keys.
    let actions = crate::notify::PromptActions {
        sender: seam.sender(),
        snooze: std::time::Duration::from_secs_f64(settings.snooze_minutes * 60.0),
        another: !settings.no_window,
    };
    let outside: Box<dyn crate::driver::Outside> = Box::new(seam);
    // The order the outputs hear each event in.
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    sinks.extend(events_sink(settings)?);
    sinks.push(Box::new(Hooks::new(&settings.hooks)));
    sinks.push(Box::new(Notifier::with_actions(
        settings.notifications,
        Some(actions),
    )));
    if let Some(h) = live.history.take() {
        let clock = HistoryClock::Session {
            unix_offset: live.start_unix,
        };
        sinks.push(Box::new(HistorySink::new(h, clock)));
    }
    if settings.no_window {
        sinks.push(Box::new(StatusLine::stderr()));
    }
    tracing::info!("watching {}", live.source.describe());
    let cfg = session_config(all.posture, all.monitor, profile, live.start_unix);
    let mut session = Session::new(Mode::Monitor, cfg);
    let mut out = Outputs {
        sinks,
        profile_path: Some(profile_path),
        outside: Some(outside),
    };
    let result = drive(&mut session, &mut live, &mut out);
    for e in out.close() {
        eprintln!("hunch: {e}");
    }
    result?;
    Ok(ExitCode::SUCCESS)
}

/// Runs a command's session (`hunch stretch`, `hunch routine`, camera
/// calibration) to its end with the command's outputs: `--events`, the
/// status line when headless, and the history on the wall clock (a
/// recording may play faster than life). Returns the finished session.
pub(crate) fn run_command(
    all: Settings,
    mode: Mode,
    title: &str,
    profile_path: Option<PathBuf>,
) -> anyhow::Result<Session> {
    let settings = &all.monitor;
    let mut live = Live::open(&all.pose, settings, title, None)?;
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    sinks.extend(events_sink(settings)?);
    if let Some(h) = live.history.take() {
        sinks.push(Box::new(HistorySink::new(h, HistoryClock::Wall)));
    }
    if settings.no_window {
        sinks.push(Box::new(StatusLine::stderr()));
    }
    let profile = match mode {
        Mode::Calibrate { .. } => None,
        Mode::Monitor | Mode::Stretch(_) | Mode::Routine(_) => load_profile(&all.posture)?,
    };
    let cfg = session_config(all.posture, all.monitor, profile, live.start_unix);
    let mut session = Session::new(mode, cfg);
    let mut out = Outputs {
        sinks,
        profile_path,
        outside: None,
    };
    drive(&mut session, &mut live, &mut out)?;
    if let Some(e) = out.close().into_iter().next() {
        return Err(e);
    }
    Ok(session)
}

/// `hunch stretch ID`: coach one stretch now, from the camera or `--input`
/// (the settings already carry the command's `--input` and `--no-window`).
pub fn run_stretch(settings: Settings, stretch: &'static Stretch) -> anyhow::Result<ExitCode> {
    let session = run_command(settings, Mode::Stretch(stretch), "hunch: stretch", None)?;
    let line = match session.done().first() {
        Some(d) => summary_card(d.stretch, &d.result).lines.join("; "),
        None => "Skipped".to_string(),
    };
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}
