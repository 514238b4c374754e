//! Pause on screen lock: listens for the screen saver's `ActiveChanged`
//! signal on the session bus (`org.freedesktop.ScreenSaver`, and GNOME's
//! `org.gnome.ScreenSaver`, which sends the same signal), and for logind's
//! `Lock`/`Unlock` of this session on the system bus where logind runs.
//! Each becomes [`Command::Locked`] or [`Command::Unlocked`].

use zbus::blocking::{Connection, MessageIterator};
use zbus::message::Type;
use zbus::zvariant::OwnedObjectPath;

use super::{Command, Sender};

/// The listener threads (they end with the process or their bus).
pub struct Listener {
    _threads: Vec<std::thread::JoinHandle<()>>,
}

impl Listener {
    /// Starts listening on whichever buses are there; None (after one
    /// warning) when neither is.
    pub fn start(tx: Sender) -> Option<Listener> {
        let mut threads = Vec::new();
        match screensaver(tx.clone()) {
            Ok(t) => threads.push(t),
            Err(e) => tracing::warn!(
                "no pause on screen lock: cannot listen to the screen saver on the session bus ({e}); hunch keeps watching while the screen is locked (--no-lock-pause silences this)"
            ),
        }
        match logind(tx) {
            Ok(t) => threads.push(t),
            // Many desktops (and containers) have no logind: the session
            // bus's screen saver is the main source anyway.
            Err(e) => tracing::debug!("no logind lock signals: {e}"),
        }
        (!threads.is_empty()).then_some(Listener { _threads: threads })
    }
}

fn spawn(
    name: &str,
    f: impl FnOnce() + Send + 'static,
) -> zbus::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .map_err(|e| zbus::Error::Failure(e.to_string()))
}

/// `ActiveChanged(bool)` from any `*.ScreenSaver` interface.
fn screensaver(tx: Sender) -> zbus::Result<std::thread::JoinHandle<()>> {
    let conn = Connection::session()?;
    let rule = zbus::MatchRule::builder()
        .msg_type(Type::Signal)
        .member("ActiveChanged")?
        .build();
    let messages = MessageIterator::for_match_rule(rule, &conn, Some(16))?;
    spawn("lock-session", move || {
        let _conn = conn;
        for msg in messages.flatten() {
            let header = msg.header();
            let from_saver = header
                .interface()
                .is_some_and(|i| i.as_str().ends_with(".ScreenSaver"));
            if !from_saver {
                continue;
            }
            if let Ok(active) = msg.body().deserialize::<bool>() {
                tracing::info!("screen saver active: {active}");
                tx.send(if active {
                    Command::Locked
                } else {
                    Command::Unlocked
                });
            }
        }
    })
}

/// logind's `Lock` and `Unlock` signals for this process's session.
fn logind(tx: Sender) -> zbus::Result<std::thread::JoinHandle<()>> {
    let conn = Connection::system()?;
    let reply = conn.call_method(
        Some("org.freedesktop.login1"),
        "/org/freedesktop/login1",
        Some("org.freedesktop.login1.Manager"),
        "GetSessionByPID",
        &(std::process::id()),
    )?;
    let session: OwnedObjectPath = reply.body().deserialize()?;
    let rule = zbus::MatchRule::builder()
        .msg_type(Type::Signal)
        .interface("org.freedesktop.login1.Session")?
        .path(session.clone())?
        .build();
    let messages = MessageIterator::for_match_rule(rule, &conn, Some(16))?;
    spawn("lock-logind", move || {
        let _conn = conn;
        for msg in messages.flatten() {
            let cmd = match msg.header().member().map(|m| m.as_str()) {
                Some("Lock") => Command::Locked,
                Some("Unlock") => Command::Unlocked,
                _ => continue,
            };
            tracing::info!("logind: {cmd:?} ({})", session.as_str());
            tx.send(cmd);
        }
    })
}
