//! Desktop notifications for headless runs (notify-rust: D-Bus on Linux,
//! the notification centre on macOS, toasts on Windows).
//!
//! Sending happens on a background thread, because a D-Bus call can wait
//! for seconds when no notification daemon answers. The first failure (for
//! example no session bus, as over SSH or in a container) is reported once
//! as a warning and notifications are then switched off; the monitor goes on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
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
                for note in rx {
                    if counters.unavailable.load(Ordering::SeqCst) {
                        continue;
                    }
                    match show(&note) {
                        Ok(()) => {
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
        if self.counters.unavailable.load(Ordering::SeqCst) {
            return;
        }
        if let Some(tx) = &self.tx {
            let note = Note {
                summary: summary.to_string(),
                body: body.to_string(),
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

fn show(note: &Note) -> Result<(), notify_rust::error::Error> {
    notify_rust::Notification::new()
        .appname("hunch")
        .summary(&note.summary)
        .body(&note.body)
        .timeout(notify_rust::Timeout::Milliseconds(8000))
        .show()
        .map(|_| ())
}

impl crate::events::Sink for Notifier {
    /// A desktop notification for each prompt.
    fn accept(&mut self, event: &crate::events::Event) {
        if let crate::events::Event::Prompt { reason, about, .. } = event {
            self.notify(
                &format!("Time for {}", about.name),
                &format!("{reason}. {}", about.dose),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
