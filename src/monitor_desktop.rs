//! The monitor's one seam with the desktop ([`crate::desktop`]): once per
//! turn of the live loop, [`Monitor::desktop_tick`] hides a window closed
//! while the tray is up, applies the waiting [`Command`]s through
//! [`Monitor::apply`], and publishes what the tray shows.

use super::Monitor;
use crate::capture::FrameSource;
use crate::cli::Cli;
use crate::desktop::place::{self, Place};
use crate::desktop::{Command, Desktop, Indicator, Options, TrayStatus};
use crate::events::{CameraStatus, Event};
use crate::history;
use crate::window::{Key, Window, WindowMode};

/// The desktop and what the monitor keeps about it.
pub(crate) struct Seam {
    desktop: Desktop,
    /// The pause was the screen lock's (unlock resumes only such a pause).
    lock_paused: bool,
    /// The remembered window place, and where it is kept.
    place: Place,
    place_path: Option<std::path::PathBuf>,
    /// `--history`, for the tray's report.
    history: Option<std::path::PathBuf>,
}

impl Seam {
    /// Queues a command as the tray would (the window's keys).
    pub(crate) fn send(&self, cmd: Command) {
        self.desktop.sender().send(cmd);
    }

    /// Starts the tray and the lock listener as the flags say.
    pub(crate) fn start(cli: &Cli, window: Option<&Window>) -> Seam {
        let m = &cli.monitor;
        let place_path = place::default_path();
        let place = place_path.as_deref().map(Place::load).unwrap_or_default();
        let desktop = Desktop::start(
            Options {
                tray: !m.no_tray,
                lock_pause: !m.no_lock_pause,
            },
            TrayStatus {
                indicator: Indicator::Away,
                state: "Starting".into(),
                paused: false,
                window_shown: window.is_some_and(|w| !w.is_hidden()),
                has_window: window.is_some(),
            },
        );
        Seam {
            desktop,
            lock_paused: false,
            place,
            place_path,
            history: m.history.clone(),
        }
    }
}

/// The monitor's window as the flags and the remembered place say:
/// `--compact`, `--tray-only` (hidden until the tray shows it), else the
/// mode hunch was last in (only for the monitor itself, not `hunch stretch`).
pub(crate) fn open_window(cli: &Cli, title: &str, full_size: (u32, u32)) -> anyhow::Result<Window> {
    let monitor = cli.command.is_none();
    let place = if monitor {
        place::default_path()
            .as_deref()
            .map(Place::load)
            .unwrap_or_default()
    } else {
        Place::default()
    };
    let m = &cli.monitor;
    let mode = if m.compact {
        WindowMode::Compact
    } else {
        place.mode
    };
    let mut w = Window::hidden(title, mode, full_size, place.compact_pos());
    if !(monitor && m.tray_only) {
        w.show()?;
    }
    Ok(w)
}

/// Seconds from `t_unix` to the next local midnight.
fn seconds_to_midnight(t_unix: f64) -> f64 {
    use chrono::TimeZone;
    let local = chrono::Local;
    let next = local
        .timestamp_opt(t_unix.floor() as i64, 0)
        .single()
        .and_then(|now| now.date_naive().succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|n| local.from_local_datetime(&n).earliest());
    next.map_or(86_400.0, |n| (n.timestamp() as f64 - t_unix).max(60.0))
}

impl Monitor {
    /// Once per turn: a closed window with the tray up is hidden, the
    /// desktop's commands are applied, the tray's status published.
    /// False means quit.
    pub(crate) fn desktop_tick(
        &mut self,
        window: &mut Option<&mut Window>,
        source: &mut dyn FrameSource,
        now: f64,
        camera_lost: bool,
    ) -> anyhow::Result<bool> {
        let Some(seam) = &mut self.desktop else {
            return Ok(true);
        };
        if let Some(w) = window.as_deref_mut()
            && !w.is_open()
            && seam.desktop.has_tray()
        {
            w.hide();
            seam.desktop.window_hidden_by_close();
        }
        for cmd in seam.desktop.drain() {
            if !self.apply(cmd, now, window, source)? {
                return Ok(false);
            }
        }
        let status = TrayStatus {
            indicator: Indicator::of(self.machine.state(), self.prompt.is_some(), camera_lost),
            state: self.machine.state().label().to_string(),
            paused: self.paused,
            window_shown: window.as_deref().is_some_and(|w| !w.is_hidden()),
            has_window: window.is_some(),
        };
        if let Some(seam) = &mut self.desktop {
            seam.desktop.publish(status);
        }
        Ok(true)
    }

    /// Applies one desktop command at session time `t`; false means quit.
    pub(crate) fn apply(
        &mut self,
        cmd: Command,
        t: f64,
        window: &mut Option<&mut Window>,
        source: &mut dyn FrameSource,
    ) -> anyhow::Result<bool> {
        tracing::debug!("desktop command {cmd:?}");
        match cmd {
            Command::Quit => return Ok(false),
            Command::Pause => self.set_paused(true, t, source, "paused from the tray")?,
            Command::Resume => {
                self.lock_paused(false);
                self.set_paused(false, t, source, "resumed from the tray")?;
            }
            Command::Locked => {
                if !self.paused {
                    self.set_paused(true, t, source, "screen locked: camera released")?;
                    self.lock_paused(true);
                }
            }
            Command::Unlocked => {
                if self.desktop.as_ref().is_some_and(|s| s.lock_paused) {
                    self.lock_paused(false);
                    self.set_paused(false, t, source, "screen unlocked: camera taken back")?;
                }
            }
            Command::Snooze(d) => self.snooze_for(t, d.as_secs_f64()),
            Command::SnoozeUntilTomorrow => {
                let s = seconds_to_midnight(self.out.unix(t));
                self.snooze_for(t, s);
                self.notice = Some("Snoozed until tomorrow".into());
            }
            Command::Calibrate => return self.on_key(Key::Calibrate, t, source),
            Command::Done => return self.on_key(Key::Done, t, source),
            Command::Another => return self.on_key(Key::Another, t, source),
            Command::StretchNow => {
                if self.paused {
                    self.set_paused(false, t, source, "resumed for a stretch")?;
                }
                let state = self.machine.state();
                let since = self.machine.state_since().unwrap_or(t);
                self.raise_prompt(t, state, t - since);
                match &mut self.prompt {
                    Some(p) => p.reason = "You asked for a stretch".into(),
                    None => {
                        self.notice = Some(
                            "No stretch now: the stretch limits (--stretch-minutes-per-hour) are reached"
                                .into(),
                        );
                    }
                }
            }
            Command::Report => self.report_today(),
            Command::ShowWindow => {
                if let Some(w) = window.as_deref_mut()
                    && let Err(e) = w.show()
                {
                    tracing::warn!("{e}");
                }
            }
            Command::HideWindow => {
                if let Some(w) = window.as_deref_mut() {
                    w.hide();
                }
            }
            Command::ToggleCompact => {
                if let Some(w) = window.as_deref_mut() {
                    let mode = match w.mode() {
                        WindowMode::Full => WindowMode::Compact,
                        WindowMode::Compact => WindowMode::Full,
                    };
                    if let Err(e) = w.set_mode(mode).and_then(|()| w.show()) {
                        tracing::warn!("{e}");
                    }
                    self.remember_place(w);
                }
            }
        }
        Ok(true)
    }

    fn lock_paused(&mut self, on: bool) {
        if let Some(s) = &mut self.desktop {
            s.lock_paused = on;
        }
    }

    /// Pauses (releasing the camera) or resumes (taking it back), with the
    /// state change, the history's pause and a `camera` event saying why.
    fn set_paused(
        &mut self,
        paused: bool,
        t: f64,
        source: &mut dyn FrameSource,
        why: &str,
    ) -> anyhow::Result<()> {
        if self.paused == paused {
            return Ok(());
        }
        let before = self.machine.state();
        let before_since = self.machine.state_since().unwrap_or(t);
        let (events, kind, status) = if paused {
            source.release();
            (
                self.machine.pause(t),
                history::PauseKind::Paused,
                CameraStatus::Released,
            )
        } else {
            if let Err(e) = source.resume() {
                // Busy or gone after the lock: stay paused, say how to retry.
                self.notice = Some(format!(
                    "Cannot take the camera back ({e}); press space to try again"
                ));
                tracing::warn!("cannot take the camera back after the pause: {e}");
                return Ok(());
            }
            (
                self.machine.resume(t),
                history::PauseKind::Resumed,
                CameraStatus::Back,
            )
        };
        self.paused = paused;
        for ev in &events {
            self.on_state_event(ev, before, before_since);
        }
        self.out.record(history::Pause {
            t_unix: self.out.unix(t),
            kind,
        });
        self.out.event(&Event::Camera {
            t,
            status,
            message: why.to_string(),
        });
        Ok(())
    }

    fn snooze_for(&mut self, t: f64, seconds: f64) {
        let before = self.machine.state();
        let before_since = self.machine.state_since().unwrap_or(t);
        let events = self.machine.snooze(t, t + seconds);
        for ev in &events {
            self.on_state_event(ev, before, before_since);
        }
        if self.prompt.is_some() {
            self.end_prompt(t, None);
        }
        self.out.record(history::Pause {
            t_unix: self.out.unix(t),
            kind: history::PauseKind::Snoozed,
        });
        self.notice = Some(format!(
            "Snoozed for {}",
            crate::render::format_duration(seconds)
        ));
    }

    /// Today's report (`hunch report --since TODAY`), printed and shown as a
    /// notification, from a thread so the loop never waits for it.
    fn report_today(&self) {
        let today = chrono::Local::now().format("%Y-%m-%d").to_string();
        let history = self.desktop.as_ref().and_then(|s| s.history.clone());
        let spawned = std::thread::Builder::new()
            .name("report".into())
            .spawn(move || {
                let exe = match std::env::current_exe() {
                    Ok(e) => e,
                    Err(e) => {
                        tracing::warn!("cannot find the hunch program for the report: {e}");
                        return;
                    }
                };
                let mut cmd = std::process::Command::new(exe);
                cmd.args(["report", "--since", &today]);
                if let Some(h) = history {
                    cmd.arg("--history").arg(h);
                }
                match cmd.output() {
                    Ok(out) => {
                        let text = String::from_utf8_lossy(if out.status.success() {
                            &out.stdout
                        } else {
                            &out.stderr
                        })
                        .into_owned();
                        eprintln!("{text}");
                        let body: String = text.lines().take(8).collect::<Vec<_>>().join("\n");
                        if let Err(e) = notify_rust::Notification::new()
                            .summary("hunch: today")
                            .body(&body)
                            .show()
                        {
                            tracing::info!("the report could not be shown as a notification: {e}");
                        }
                    }
                    Err(e) => tracing::warn!("cannot run hunch report: {e}"),
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot start the report: {e}");
        }
    }

    /// Saves the window's mode and the overlay's place if they changed.
    pub(crate) fn remember_place(&mut self, w: &mut Window) {
        let Some(seam) = &mut self.desktop else {
            return;
        };
        let (compact_x, compact_y) = w.compact_position().unzip();
        let now = Place {
            mode: w.mode(),
            compact_x: compact_x.or(seam.place.compact_x),
            compact_y: compact_y.or(seam.place.compact_y),
        };
        if now == seam.place {
            return;
        }
        seam.place = now;
        if let Some(path) = &seam.place_path
            && let Err(e) = now.save(path)
        {
            tracing::warn!(
                "cannot remember the window's place ({e}): {}",
                path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::local_day;
    use super::*;

    #[test]
    fn midnight_is_within_a_day_and_a_local_day_change() {
        let t = 1_780_000_000.0;
        let s = seconds_to_midnight(t);
        assert!(s > 0.0 && s <= 25.0 * 3600.0, "{s}");
        assert_ne!(local_day(t + s), local_day(t));
        assert_eq!(local_day(t + s - 1.0), local_day(t));
    }
}
