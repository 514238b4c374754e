//! Desktop notifications for headless runs (notify-rust: D-Bus on Linux,
//! the notification centre on macOS, toasts on Windows).
//!
//! Sending happens on a background thread, because a D-Bus call can wait
//! for seconds when no notification daemon answers. The first failure (for
//! example no session bus, as over SSH or in a container) is reported once
//! as a warning and notifications are then switched off; the monitor goes on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread::JoinHandle;

/// How notifications went so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotifyStatus {
    /// Notifications the desktop accepted.
    pub sent: u32,
    /// True once a notification failed (they are then off).
    pub unavailable: bool,
}

#[derive(Default)]
struct Counters {
    sent: AtomicU32,
    unavailable: AtomicBool,
}

struct Note {
    summary: String,
    body: String,
    kind: NoteKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NoteKind {
    /// A notice, without buttons.
    Notice,
    /// A prompt: offer its actions (done, snooze, another).
    Prompt,
    /// The prompt's stretch swapped: replaces the prompt's notification,
    /// with the same buttons.
    Swap,
}

/// Where a prompt notification's buttons send their commands: the same
/// commands as the window's keys, through the desktop's channel.
#[derive(Clone)]
pub struct PromptActions {
    pub sender: crate::desktop::Sender,
    /// How long the snooze button snoozes (`--snooze-minutes`).
    pub snooze: std::time::Duration,
    /// Offer "another" (not headless: there a prompt is a notice, with no
    /// stretch to swap).
    pub another: bool,
}

/// Sends desktop notifications without ever blocking the caller.
pub struct Notifier {
    tx: Option<SyncSender<Note>>,
    worker: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
}

impl Notifier {
    /// A notifier; with `enabled` false it does nothing.
    pub fn new(enabled: bool) -> Notifier {
        Notifier::with_actions(enabled, None)
    }

    /// A notifier whose prompt notifications carry done, snooze and
    /// another buttons where the notification server supports actions.
    pub fn with_actions(enabled: bool, actions: Option<PromptActions>) -> Notifier {
        let counters = Arc::new(Counters::default());
        let mut n = Notifier {
            tx: None,
            worker: None,
            counters: Arc::clone(&counters),
        };
        if !enabled {
            return n;
        }
        let (tx, rx) = mpsc::sync_channel::<Note>(4);
        let spawned = std::thread::Builder::new()
            .name("notify".to_string())
            .spawn(move || {
                // Asked once, at the first prompt: can the server show buttons?
                let mut buttons: Option<bool> = None;
                // The prompt notification now up, and its number among the
                // prompt notifications: only its buttons act (an older one
                // left on screen, or one replaced by a swap, speaks for a
                // prompt that is over or changed).
                let mut latest: Option<u32> = None;
                let current = Arc::new(AtomicU64::new(0));
                for note in rx {
                    if counters.unavailable.load(Ordering::SeqCst) {
                        continue;
                    }
                    let actions = actions
                        .as_ref()
                        .filter(|_| note.kind != NoteKind::Notice)
                        .filter(|_| *buttons.get_or_insert_with(server_has_actions))
                        .map(|a| Buttons {
                            actions: a.clone(),
                            replaces: latest.filter(|_| note.kind == NoteKind::Swap),
                            current: Arc::clone(&current),
                        });
                    match show(&note, actions) {
                        Ok(shown) => {
                            latest = shown.or(latest);
                            counters.sent.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => {
                            counters.unavailable.store(true, Ordering::SeqCst);
                            tracing::warn!(
                                "desktop notifications are unavailable ({e}); prompts will show in the terminal only"
                            );
                        }
                    }
                }
            });
        match spawned {
            Ok(h) => {
                n.tx = Some(tx);
                n.worker = Some(h);
            }
            Err(e) => {
                tracing::warn!("desktop notifications are off: cannot start their thread: {e}")
            }
        }
        n
    }

    /// Queues a notification. Never blocks; dropped when four are already
    /// waiting or notifications are unavailable.
    pub fn notify(&self, summary: &str, body: &str) {
        self.queue(summary, body, NoteKind::Notice);
    }

    fn queue(&self, summary: &str, body: &str, kind: NoteKind) {
        if self.counters.unavailable.load(Ordering::SeqCst) {
            return;
        }
        if let Some(tx) = &self.tx {
            let note = Note {
                summary: summary.to_string(),
                body: body.to_string(),
                kind,
            };
            match tx.try_send(note) {
                Ok(()) | Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {}
            }
        }
    }

    /// How it went so far.
    pub fn status(&self) -> NotifyStatus {
        NotifyStatus {
            sent: self.counters.sent.load(Ordering::SeqCst),
            unavailable: self.counters.unavailable.load(Ordering::SeqCst),
        }
    }

    /// Sends what is queued, stops the thread and says how it went.
    pub fn finish(mut self) -> NotifyStatus {
        self.stop();
        self.status()
    }

    fn stop(&mut self) {
        self.tx = None;
        if let Some(h) = self.worker.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        self.stop();
    }
}

/// True when the notification server shows buttons (the "actions"
/// capability).
fn server_has_actions() -> bool {
    notify_rust::get_capabilities().is_ok_and(|caps| caps.iter().any(|c| c == "actions"))
}

/// What a prompt notification's buttons need: where to send, which
/// notification it replaces (a swap), and the count that tells the newest.
struct Buttons {
    actions: PromptActions,
    replaces: Option<u32>,
    current: Arc<AtomicU64>,
}

/// Shows a notification; for one with buttons, returns its id.
fn show(note: &Note, buttons: Option<Buttons>) -> Result<Option<u32>, notify_rust::error::Error> {
    let mut n = notify_rust::Notification::new();
    n.appname("hunch")
        .summary(&note.summary)
        .body(&note.body)
        .timeout(notify_rust::Timeout::Milliseconds(8000));
    let Some(Buttons {
        actions,
        replaces,
        current,
    }) = buttons
    else {
        return n.show().map(|_| None);
    };
    for (id, label) in ACTIONS {
        if id != "another" || actions.another {
            n.action(id, label);
        }
    }
    if let Some(id) = replaces {
        n.id(id);
    }
    // A prompt's buttons stay usable while it is shown: wait for the click
    // on a thread of its own (it ends when the notification closes). A
    // replaced notification keeps its id, so the thread that waited on it
    // hears the clicks too: only the newest thread may act on them.
    let handle = n.timeout(notify_rust::Timeout::Never).show()?;
    let shown = handle.id();
    let mine = current.fetch_add(1, Ordering::SeqCst) + 1;
    let spawned = std::thread::Builder::new()
        .name("notify-action".to_string())
        .spawn(move || {
            handle.wait_for_action(|id| {
                if current.load(Ordering::SeqCst) != mine {
                    return;
                }
                if let Some(cmd) = command_for(id, actions.snooze) {
                    actions.sender.send(cmd);
                }
            })
        });
    if let Err(e) = spawned {
        tracing::warn!("the prompt notification's buttons will not work: {e}");
    }
    Ok(Some(shown))
}

/// The prompt notification's buttons: action id and label.
const ACTIONS: [(&str, &str); 3] = [
    ("done", "Done"),
    ("snooze", "Snooze"),
    ("another", "Another"),
];

/// The desktop command a button asks for (closing it asks for nothing).
fn command_for(id: &str, snooze: std::time::Duration) -> Option<crate::desktop::Command> {
    use crate::desktop::Command;
    match id {
        "done" => Some(Command::Done),
        "another" => Some(Command::Another),
        "snooze" => Some(Command::Snooze(snooze)),
        _ => None,
    }
}

impl crate::events::Sink for Notifier {
    /// A desktop notification for each prompt, replaced when its stretch
    /// is swapped.
    fn accept(&mut self, event: &crate::events::Event) {
        use crate::events::Event;
        match event {
            Event::Prompt { reason, about, .. } => self.queue(
                &format!("Time for {}", about.name),
                &format!("{reason}. {}", about.dose),
                NoteKind::Prompt,
            ),
            Event::PromptSwapped { reason, about, .. } => self.queue(
                &format!("Time for {}", about.name),
                &format!("{reason}. {}", about.dose),
                NoteKind::Swap,
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_ask_for_what_the_keys_do() {
        use crate::desktop::Command;
        let snooze = std::time::Duration::from_secs(1800);
        assert_eq!(command_for("done", snooze), Some(Command::Done));
        assert_eq!(command_for("another", snooze), Some(Command::Another));
        assert_eq!(command_for("snooze", snooze), Some(Command::Snooze(snooze)));
        assert_eq!(command_for("__closed", snooze), None);
        for (id, _) in ACTIONS {
            assert!(command_for(id, snooze).is_some(), "{id}");
        }
    }

    #[test]
    fn disabled_notifier_does_nothing() {
        let n = Notifier::new(false);
        n.notify("a", "b");
        assert_eq!(n.finish(), NotifyStatus::default());
    }

    #[test]
    fn without_a_session_bus_it_warns_and_carries_on() {
        let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
            || std::env::var_os("XDG_RUNTIME_DIR")
                .is_some_and(|d| std::path::Path::new(&d).join("bus").exists());
        let n = Notifier::new(true);
        n.notify("Sit up", "forward head for 30 s");
        n.notify("Sit up", "again");
        let status = n.finish();
        if bus || !cfg!(target_os = "linux") {
            eprintln!("SKIPPED the no-bus check: this machine has a session bus ({status:?})");
            return;
        }
        assert!(status.unavailable, "{status:?}");
        assert_eq!(status.sent, 0);
    }
}
