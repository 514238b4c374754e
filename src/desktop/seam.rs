//! The monitor's one seam with the desktop: once per turn of the driver's
//! loop, [`Seam::turn`] hides a window closed while the tray is up, applies
//! what concerns the window itself (show, hide, compact, the report), turns
//! the rest of the desktop's [`Command`]s into session inputs, and publishes
//! what the tray shows.

use std::path::PathBuf;

use crate::desktop::place::{self, Place};
use crate::desktop::{Command, Desktop, Indicator, Options, TrayStatus};
use crate::driver::{Asked, Outside};
use crate::keys::{Key, KeyContext};
use crate::session::{self, Input, Session};
use crate::settings::DesktopSettings;
use crate::window::{Window, WindowMode};

/// The desktop and what the monitor keeps about it.
pub struct Seam {
    desktop: Desktop,
    /// The pause was the screen lock's (unlock resumes only such a pause).
    lock_paused: bool,
    /// The remembered window place, and where it is kept.
    place: Place,
    place_path: Option<PathBuf>,
    /// `--history`, for the tray's report.
    history: Option<PathBuf>,
}

impl Seam {
    /// Starts the tray and the lock listener as the settings say.
    pub fn start(
        settings: DesktopSettings,
        history: Option<PathBuf>,
        window: Option<&Window>,
    ) -> Seam {
        let place_path = place::default_path();
        let place = place_path.as_deref().map(Place::load).unwrap_or_default();
        let desktop = Desktop::start(
            Options {
                tray: settings.tray,
                lock_pause: settings.lock_pause,
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
            history,
        }
    }

    /// Sends commands as the tray would (the notification's buttons).
    pub fn sender(&self) -> crate::desktop::Sender {
        self.desktop.sender()
    }

    /// Saves the window's mode and the overlay's place if they changed.
    fn remember_place(&mut self, w: &mut Window) {
        let (compact_x, compact_y) = w.compact_position().unzip();
        let now = Place {
            mode: w.mode(),
            compact_x: compact_x.or(self.place.compact_x),
            compact_y: compact_y.or(self.place.compact_y),
        };
        if now == self.place {
            return;
        }
        self.place = now;
        if let Some(path) = &self.place_path
            && let Err(e) = now.save(path)
        {
            tracing::warn!(
                "cannot remember the window's place ({e}): {}",
                path.display()
            );
        }
    }

    fn toggle_compact(&mut self, window: Option<&mut Window>) {
        let Some(w) = window else { return };
        let mode = match w.mode() {
            WindowMode::Full => WindowMode::Compact,
            WindowMode::Compact => WindowMode::Full,
        };
        if let Err(e) = w.set_mode(mode).and_then(|()| w.show()) {
            tracing::warn!("{e}");
        }
        self.remember_place(w);
    }

    /// One desktop command: what concerns the window is done here; the
    /// rest becomes inputs for the session.
    fn apply(
        &mut self,
        cmd: Command,
        session: &Session,
        window: &mut Option<&mut Window>,
        t: f64,
        asked: &mut Vec<Asked>,
    ) {
        tracing::debug!("desktop command {cmd:?}");
        let mut ask = |command: session::Command, why: &'static str| {
            asked.push(Asked {
                input: Input::External { command, t },
                why: Some(why),
            });
        };
        match cmd {
            Command::Quit => ask(session::Command::Quit, "quit from the tray"),
            Command::Pause => ask(session::Command::Pause, "paused from the tray"),
            Command::Resume => {
                self.lock_paused = false;
                ask(session::Command::Resume, "resumed from the tray");
            }
            Command::Locked => {
                if !session.is_paused() {
                    self.lock_paused = true;
                    ask(session::Command::Pause, "screen locked: camera released");
                }
            }
            Command::Unlocked => {
                if self.lock_paused {
                    self.lock_paused = false;
                    ask(
                        session::Command::Resume,
                        "screen unlocked: camera taken back",
                    );
                }
            }
            Command::Snooze(d) => ask(
                session::Command::Snooze {
                    seconds: d.as_secs_f64(),
                },
                "snoozed from the tray",
            ),
            Command::SnoozeUntilTomorrow => ask(
                session::Command::Snooze {
                    seconds: seconds_to_midnight(session::unix_now()),
                },
                "snoozed until tomorrow",
            ),
            Command::Calibrate => ask(session::Command::Calibrate, "resumed to calibrate"),
            Command::StretchNow => {
                if session.is_paused() {
                    self.lock_paused = false;
                    ask(session::Command::Resume, "resumed for a stretch");
                }
                ask(session::Command::StretchNow, "a stretch now");
            }
            Command::Done => asked.push(Asked {
                input: Input::Key { key: Key::Done, t },
                why: Some("done"),
            }),
            Command::Another => asked.push(Asked {
                input: Input::Key {
                    key: Key::Another,
                    t,
                },
                why: Some("another"),
            }),
            Command::Report => report_today(self.history.clone()),
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
            Command::ToggleCompact => self.toggle_compact(window.as_deref_mut()),
        }
    }
}

impl Outside for Seam {
    fn turn(
        &mut self,
        session: &Session,
        mut window: Option<&mut Window>,
        now: f64,
        camera_lost: bool,
    ) -> Vec<Asked> {
        if let Some(w) = window.as_deref_mut()
            && !w.is_open()
            && self.desktop.has_tray()
        {
            w.hide();
            self.desktop.window_hidden_by_close();
        }
        let mut asked = Vec::new();
        for cmd in self.desktop.drain() {
            self.apply(cmd, session, &mut window, now, &mut asked);
        }
        let state = session.state();
        let prompting = matches!(session.key_context(), KeyContext::Prompt { .. });
        let status = TrayStatus {
            indicator: Indicator::of(state, prompting, camera_lost),
            state: state.label().to_string(),
            paused: session.is_paused(),
            window_shown: window.as_deref().is_some_and(|w| !w.is_hidden()),
            has_window: window.is_some(),
        };
        self.desktop.publish(status);
        asked
    }

    fn key(&mut self, key: Key, window: Option<&mut Window>) -> bool {
        if key != Key::Compact {
            return false;
        }
        self.toggle_compact(window);
        true
    }

    fn finish(&mut self, window: Option<&mut Window>) {
        if let Some(w) = window {
            self.remember_place(w);
        }
    }
}

/// The monitor's window as the settings and the remembered place say:
/// `--compact`, `--tray-only` (hidden until the tray shows it), else the
/// mode hunch was last in.
pub fn open_window(
    settings: DesktopSettings,
    title: &str,
    full_size: (u32, u32),
) -> anyhow::Result<Window> {
    let place = place::default_path()
        .as_deref()
        .map(Place::load)
        .unwrap_or_default();
    let mode = if settings.compact {
        WindowMode::Compact
    } else {
        place.mode
    };
    let mut w = Window::hidden(title, mode, full_size, place.compact_pos());
    if !settings.tray_only {
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

/// Today's report (`hunch report --since TODAY`), printed and shown as a
/// notification, from a thread so the loop never waits for it.
fn report_today(history: Option<PathBuf>) {
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_is_within_a_day_and_a_local_day_change() {
        let t = 1_780_000_000.0;
        let s = seconds_to_midnight(t);
        assert!(s > 0.0 && s <= 25.0 * 3600.0, "{s}");
        let day = |t: f64| {
            chrono::DateTime::from_timestamp(t as i64, 0)
                .map(|d| d.with_timezone(&chrono::Local).date_naive())
        };
        assert_ne!(day(t + s), day(t));
        assert_eq!(day(t + s - 1.0), day(t));
    }
}
