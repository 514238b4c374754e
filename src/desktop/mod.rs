//! Living beside the user's work: the tray icon, pause on screen lock, the
//! compact overlay's remembered place, autostart.
//!
//! Everything here reaches the monitor through one narrow seam: a
//! [`Command`] sent on a bounded channel ([`Desktop::drain`], read once per
//! turn of the live loop) and the [`TrayStatus`] the monitor publishes back
//! ([`Desktop::publish`], sent to the tray only when it changed). The tray's
//! menu, the lock listener and the window keys all speak [`Command`].
//!
//! No session bus, no tray host or no screen-saver service: one warning
//! each, and the monitor goes on without them.

pub mod autostart;
#[cfg(target_os = "linux")]
pub mod lock;
pub mod place;
pub mod seam;
#[cfg(target_os = "linux")]
pub mod tray;
#[cfg(target_os = "linux")]
mod x11;

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::time::Duration;

use crate::posture::State;

/// What the desktop (tray menu, screen lock, keys) asks the monitor to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Pause,
    Resume,
    /// Stop prompting for this long.
    Snooze(Duration),
    /// Stop prompting until local midnight.
    SnoozeUntilTomorrow,
    Calibrate,
    /// Offer a stretch now, whatever the posture.
    StretchNow,
    /// Show today's report (a notification and the terminal).
    Report,
    Quit,
    ShowWindow,
    HideWindow,
    /// Switch between the full window and the compact overlay.
    ToggleCompact,
    /// The prompt's notification: the stretch is done.
    Done,
    /// The prompt's notification: another stretch.
    Another,
    /// The screen was locked: release the camera.
    Locked,
    /// The screen was unlocked: take the camera back.
    Unlocked,
}

/// How many commands may wait; more are dropped (a user cannot click that
/// fast, and the loop drains every turn).
const QUEUE: usize = 32;

/// Sends commands to the monitor; cheap to clone, never blocks.
#[derive(Clone, Debug)]
pub struct Sender(SyncSender<Command>);

impl Sender {
    /// Queues `cmd`; false when the queue is full or the monitor is gone.
    pub fn send(&self, cmd: Command) -> bool {
        match self.0.try_send(cmd) {
            Ok(()) => true,
            Err(TrySendError::Full(c)) => {
                tracing::warn!("desktop command dropped (the monitor is busy): {c:?}");
                false
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }
}

/// The six looks of the tray icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Indicator {
    Good,
    Slumping,
    Prompting,
    Paused,
    Away,
    CameraLost,
}

impl Indicator {
    /// The indicator for a monitor state.
    pub fn of(state: State, prompting: bool, camera_lost: bool) -> Indicator {
        if camera_lost {
            return Indicator::CameraLost;
        }
        // A paused session is paused, whatever prompt waits.
        if matches!(state, State::Paused | State::Snoozed) {
            return Indicator::Paused;
        }
        if prompting {
            return Indicator::Prompting;
        }
        match state {
            State::Good | State::LookingDown => Indicator::Good,
            State::ForwardHead | State::RoundedShoulders | State::Slouch => Indicator::Slumping,
            State::Paused | State::Snoozed => Indicator::Paused,
            State::Away | State::Uncertain => Indicator::Away,
        }
    }

    /// The icon's colour: the window's state colours, so both agree.
    pub fn colour(self) -> [u8; 3] {
        use crate::render::theme::state_colour;
        match self {
            Indicator::Good => state_colour(State::Good),
            Indicator::Slumping => state_colour(State::Slouch),
            Indicator::Prompting => [232, 190, 110],
            Indicator::Paused => state_colour(State::Paused),
            Indicator::Away => state_colour(State::Away),
            Indicator::CameraLost => [120, 120, 120],
        }
    }

    /// In words, for the tooltip and the tests.
    pub fn words(self) -> &'static str {
        match self {
            Indicator::Good => "Good posture",
            Indicator::Slumping => "Slumping",
            Indicator::Prompting => "Time to stretch",
            Indicator::Paused => "Paused",
            Indicator::Away => "Away",
            Indicator::CameraLost => "Camera lost",
        }
    }
}

/// What the tray shows; published by the monitor once per turn.
#[derive(Clone, Debug, PartialEq)]
pub struct TrayStatus {
    pub indicator: Indicator,
    /// The state in words ("Slouch", "Good"...), for the tooltip.
    pub state: String,
    /// Paused by the user or the lock (the menu offers resume).
    pub paused: bool,
    /// The window is shown.
    pub window_shown: bool,
    /// A window exists at all (not `--no-window`).
    pub has_window: bool,
}

/// Settings for [`Desktop::start`].
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Show a tray icon.
    pub tray: bool,
    /// Pause while the screen is locked.
    pub lock_pause: bool,
}

/// The tray and the lock listener, and the channel they send on.
pub struct Desktop {
    tx: SyncSender<Command>,
    rx: Receiver<Command>,
    #[cfg(target_os = "linux")]
    tray: Option<tray::Tray>,
    #[cfg(target_os = "linux")]
    _lock: Option<lock::Listener>,
    published: Option<TrayStatus>,
    said_hidden: bool,
}

impl Desktop {
    /// Starts what `opts` asks for; what the desktop cannot offer is
    /// warned about once and left out.
    pub fn start(opts: Options, initial: TrayStatus) -> Desktop {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let sender = Sender(tx.clone());
        #[cfg(target_os = "linux")]
        let tray = if opts.tray {
            match tray::Tray::start(sender.clone(), initial.clone()) {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::warn!("{e}");
                    None
                }
            }
        } else {
            None
        };
        #[cfg(target_os = "linux")]
        let lock = if opts.lock_pause {
            lock::Listener::start(sender)
        } else {
            None
        };
        #[cfg(not(target_os = "linux"))]
        let _ = (opts, sender);
        Desktop {
            tx,
            rx,
            #[cfg(target_os = "linux")]
            tray,
            #[cfg(target_os = "linux")]
            _lock: lock,
            published: Some(initial),
            said_hidden: false,
        }
    }

    /// A sender for other sources of commands (notification actions).
    pub fn sender(&self) -> Sender {
        Sender(self.tx.clone())
    }

    /// The commands waiting now, oldest first.
    pub fn drain(&self) -> Vec<Command> {
        self.rx.try_iter().collect()
    }

    /// True when a tray icon is up (closing the window then hides it).
    pub fn has_tray(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.tray.as_ref().is_some_and(tray::Tray::is_up)
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// Shows `status` in the tray if it differs from what it shows.
    pub fn publish(&mut self, status: TrayStatus) {
        if self.published.as_ref() == Some(&status) {
            return;
        }
        #[cfg(target_os = "linux")]
        if let Some(t) = &self.tray {
            t.show(status.clone());
        }
        self.published = Some(status);
    }

    /// The user closed the window while the tray is up: it was hidden.
    /// Says so the first time.
    pub fn window_hidden_by_close(&mut self) {
        if !self.said_hidden {
            self.said_hidden = true;
            eprintln!(
                "hunch: the window is hidden, not closed: hunch keeps watching from the tray (its menu shows the window again, or quits)"
            );
        }
    }
}

/// Keeps the X11 window `id` above the others (the compact overlay); a
/// failure is only logged (the overlay still works, just not on top).
pub fn keep_above(id: u64) {
    #[cfg(target_os = "linux")]
    if let Err(e) = x11::keep_above(id) {
        tracing::warn!("cannot keep the compact window on top: {e}");
    }
    #[cfg(not(target_os = "linux"))]
    let _ = id;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_follows_state_prompt_and_camera() {
        assert_eq!(Indicator::of(State::Good, false, false), Indicator::Good);
        assert_eq!(
            Indicator::of(State::Slouch, false, false),
            Indicator::Slumping
        );
        assert_eq!(
            Indicator::of(State::ForwardHead, true, false),
            Indicator::Prompting
        );
        assert_eq!(
            Indicator::of(State::Paused, false, false),
            Indicator::Paused
        );
        assert_eq!(Indicator::of(State::Away, false, false), Indicator::Away);
        assert_eq!(
            Indicator::of(State::Good, true, true),
            Indicator::CameraLost
        );
    }

    #[test]
    fn indicators_have_distinct_colours() {
        let all = [
            Indicator::Good,
            Indicator::Slumping,
            Indicator::Prompting,
            Indicator::Paused,
            Indicator::Away,
            Indicator::CameraLost,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.colour(), b.colour(), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn commands_queue_is_bounded_and_never_blocks() {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let s = Sender(tx);
        for _ in 0..QUEUE {
            assert!(s.send(Command::Pause));
        }
        assert!(!s.send(Command::Resume));
        assert_eq!(rx.try_iter().count(), QUEUE);
    }
}
