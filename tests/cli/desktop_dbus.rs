//! The tray icon and the pause on screen lock over a real, private D-Bus
//! session bus (`dbus-daemon`, installed by scripts/setup.sh):
//!
//! - a test watcher registers as `org.kde.StatusNotifierWatcher`, sees
//!   hunch's item register, reads its title, status and icon while a
//!   replayed clip goes from good posture to slumping to a prompt, and
//!   clicks its menu items (pause, resume, snooze, quit); the events show
//!   the monitor obeying;
//! - a test screen saver emits `ActiveChanged(true/false)`; the events show
//!   the camera released and the session paused, then resumed;
//! - with no bus at all, one warning each and the run completes.
//!
//! The clips come from ../shared/data (skipped with a note without it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use hunch::capture::clip;
use hunch::desktop::Indicator;
use hunch::testdata::{SkipReason, note_skip, shared_data_or_skip};
use serde_json::Value;
use zbus::blocking::Connection;
use zbus::zvariant::{OwnedValue, Value as V};

/// A private session bus; stopped when dropped.
struct Bus {
    child: Child,
    address: String,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn private_bus(what: &str) -> Option<Bus> {
    let child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            note_skip(
                SkipReason::Other,
                what,
                &format!("cannot run dbus-daemon ({e}); scripts/setup.sh installs it"),
            );
            return None;
        }
    };
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().to_string();
    assert!(address.starts_with("unix:"), "dbus-daemon said {line:?}");
    Some(Bus { child, address })
}

fn connect(bus: &Bus) -> Connection {
    zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .build()
        .unwrap()
}

/// A connection to the private bus that serves `obj` at `path` under the
/// well-known `name` (a stand-in for a desktop service).
fn serve_on(
    bus: &Bus,
    path: &str,
    name: &str,
    obj: impl zbus::object_server::Interface,
) -> Connection {
    zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .serve_at(path, obj)
        .unwrap()
        .name(name)
        .unwrap()
        .build()
        .unwrap()
}

/// Thresholds short enough that the test clips reach a prompt: slumping
/// counts after 2 s, and 6 s of it asks for a stretch.
const PROMPT_FLAGS: &[&str] = &["--onset-seconds", "2", "--slouch-seconds", "6"];

/// hunch running with `--events -`; its events collected as they come.
struct Hunch {
    child: Child,
    events: Arc<Mutex<Vec<Value>>>,
    stderr: PathBuf,
    _dir: tempfile::TempDir,
}

impl Hunch {
    fn start(bus_address: &str, args: &[&str], clip: &Path) -> Hunch {
        let dir = tempfile::tempdir().unwrap();
        let stderr = dir.path().join("stderr.txt");
        let mut child = Command::new(env!("CARGO_BIN_EXE_hunch"))
            .arg("--input")
            .arg(clip)
            .args(["--no-history", "--events", "-"])
            .args(args)
            .env_remove("HUNCH_CONFIG")
            .env("XDG_CONFIG_HOME", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
            // Never the machine's own system bus (logind).
            .env(
                "DBUS_SYSTEM_BUS_ADDRESS",
                format!("unix:path={}", dir.path().join("no-system-bus").display()),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().unwrap();
        let sink = Arc::clone(&events);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("bad event line {line}: {e}"));
                sink.lock().unwrap().push(v);
            }
        });
        Hunch {
            child,
            events,
            stderr,
            _dir: dir,
        }
    }

    fn events(&self) -> Vec<Value> {
        self.events.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits until `done` holds; fails if hunch ends first.
    fn wait_for(&mut self, what: &str, mut done: impl FnMut(&mut Hunch) -> bool) {
        loop {
            if done(self) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                // Its last events may still be on the way.
                std::thread::sleep(std::time::Duration::from_millis(200));
                if done(self) {
                    return;
                }
                panic!(
                    "hunch ended ({status}) before {what}; events: {:#?}\nstderr: {}",
                    self.events(),
                    self.stderr()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    fn has_event(&self, f: impl Fn(&Value) -> bool) -> bool {
        self.events().iter().any(f)
    }

    fn finish(mut self) -> (Vec<Value>, String) {
        let status = self.child.wait().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(status.success(), "hunch failed: {}", self.stderr());
        (self.events(), self.stderr())
    }
}

impl Drop for Hunch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn camera(status: &'static str) -> impl Fn(&Value) -> bool {
    move |e| e["type"] == "camera" && e["status"] == status
}

fn state_to(to: &'static str) -> impl Fn(&Value) -> bool {
    move |e| e["type"] == "state" && e["to"] == to
}

/// A clip of `good_s` upright, `slouch_s` head forward, `good_s` upright.
fn make_clip(data: &Path, dir: &Path, good_s: f64, slouch_s: f64) -> PathBuf {
    let path = dir.join("clip.mp4");
    clip::make_clip(data, &clip::good_slouch_good(good_s, slouch_s), &path).unwrap();
    path
}

// --- The test watcher ------------------------------------------------------

#[derive(Clone, Default)]
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: &str) {
        self.items.lock().unwrap().push(service.to_string());
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }
}

/// A property of the item (`org.kde.StatusNotifierItem`).
fn item_property(conn: &Connection, item: &str, name: &str) -> OwnedValue {
    let reply = conn
        .call_method(
            Some(item),
            "/StatusNotifierItem",
            Some("org.freedesktop.DBus.Properties"),
            "Get",
            &("org.kde.StatusNotifierItem", name),
        )
        .unwrap();
    reply.body().deserialize().unwrap()
}

fn string_property(conn: &Connection, item: &str, name: &str) -> String {
    match &*item_property(conn, item, name) {
        V::Str(s) => s.to_string(),
        other => panic!("{name} is {other:?}"),
    }
}

fn unwrap_variant<'a, 'b>(v: &'a V<'b>) -> &'a V<'b> {
    match v {
        V::Value(inner) => unwrap_variant(inner),
        v => v,
    }
}

/// The colour beside the mark of the 32 px icon (ARGB, network order).
fn icon_colour(conn: &Connection, item: &str) -> [u8; 3] {
    let icons = item_property(conn, item, "IconPixmap");
    let V::Array(list) = unwrap_variant(&icons) else {
        panic!("IconPixmap is {icons:?}")
    };
    for icon in list.inner() {
        let V::Structure(s) = unwrap_variant(icon) else {
            panic!("icon {icon:?}")
        };
        let f = s.fields();
        let (V::I32(w), V::I32(_h), V::Array(bytes)) = (&f[0], &f[1], &f[2]) else {
            panic!("icon fields {f:?}")
        };
        if *w != 32 {
            continue;
        }
        let px = |i: usize| match bytes.inner()[i] {
            V::U8(b) => b,
            ref o => panic!("{o:?}"),
        };
        let i = (16 * 32 + 6) * 4;
        assert_eq!(px(i), 255, "opaque");
        return [px(i + 1), px(i + 2), px(i + 3)];
    }
    panic!("no 32 px icon");
}

/// The menu's items: (id, label), depth first.
fn menu_items(conn: &Connection, item: &str) -> Vec<(i32, String)> {
    let reply = conn
        .call_method(
            Some(item),
            "/MenuBar",
            Some("com.canonical.dbusmenu"),
            "GetLayout",
            &(0i32, -1i32, Vec::<String>::new()),
        )
        .unwrap();
    type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
    let (_rev, (_id, _props, children)): (u32, Layout) = reply.body().deserialize().unwrap();
    let mut out = Vec::new();
    fn walk(v: &V, out: &mut Vec<(i32, String)>) {
        let V::Structure(s) = unwrap_variant(v) else {
            return;
        };
        let f = s.fields();
        let (V::I32(id), V::Dict(props), V::Array(kids)) = (&f[0], &f[1], &f[2]) else {
            return;
        };
        for (k, val) in props.iter() {
            if let (V::Str(k), V::Str(label)) = (unwrap_variant(k), unwrap_variant(val))
                && k.as_str() == "label"
            {
                out.push((*id, label.to_string()));
            }
        }
        for kid in kids.inner() {
            walk(kid, out);
        }
    }
    for c in &children {
        walk(c, &mut out);
    }
    out
}

fn click(conn: &Connection, item: &str, label: &str) {
    let items = menu_items(conn, item);
    let id = items
        .iter()
        .find(|(_, l)| l == label)
        .unwrap_or_else(|| panic!("no menu item {label:?} in {items:?}"))
        .0;
    conn.call_method(
        Some(item),
        "/MenuBar",
        Some("com.canonical.dbusmenu"),
        "Event",
        &(id, "clicked", V::from(0i32), 0u32),
    )
    .unwrap();
}

#[test]
fn tray_icon_follows_the_state_and_its_menu_drives_the_monitor() {
    let Some(data) = shared_data_or_skip("tray icon over D-Bus") else {
        return;
    };
    let Some(bus) = private_bus("tray icon over D-Bus") else {
        return;
    };
    let watcher = Watcher::default();
    let items = Arc::clone(&watcher.items);
    let conn = serve_on(
        &bus,
        "/StatusNotifierWatcher",
        "org.kde.StatusNotifierWatcher",
        watcher,
    );
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(&data, dir.path(), 8.0, 40.0);
    // Tray only: no window shown, so no display is needed, and the prompt
    // stays up (with a window it could be answered from).
    let mut h = Hunch::start(
        &bus.address,
        &[&["--tray-only", "--no-lock-pause"], PROMPT_FLAGS].concat(),
        &clip,
    );
    h.wait_for("the item registers", |_| !items.lock().unwrap().is_empty());
    let item = items.lock().unwrap()[0].clone();
    assert!(item.starts_with("org.kde.StatusNotifierItem-"), "{item}");
    assert_eq!(string_property(&conn, &item, "Id"), "hunch");

    h.wait_for("good posture in the tray", |_| {
        string_property(&conn, &item, "Title") == "hunch: Good posture"
    });
    assert_eq!(icon_colour(&conn, &item), Indicator::Good.colour());
    assert_eq!(string_property(&conn, &item, "Status"), "Active");

    h.wait_for("slumping in the tray", |_| {
        string_property(&conn, &item, "Title") != "hunch: Good posture"
    });
    let title = string_property(&conn, &item, "Title");
    assert!(
        title == "hunch: Slumping" || title == "hunch: Time to stretch",
        "{title}"
    );
    h.wait_for("the prompt in the tray", |_| {
        string_property(&conn, &item, "Title") == "hunch: Time to stretch"
    });
    assert_eq!(string_property(&conn, &item, "Status"), "NeedsAttention");
    assert_eq!(icon_colour(&conn, &item), Indicator::Prompting.colour());
    assert!(h.has_event(|e| e["type"] == "prompt"));

    // The menu: pause releases the camera and pauses.
    let labels: Vec<String> = menu_items(&conn, &item).into_iter().map(|i| i.1).collect();
    for l in [
        "Show window",
        "Compact / full window",
        "Pause",
        "Snooze",
        "15 minutes",
        "30 minutes",
        "1 hour",
        "Until tomorrow",
        "Calibrate",
        "Stretch now",
        "Today's report",
        "Quit",
    ] {
        assert!(labels.iter().any(|x| x == l), "{l} missing from {labels:?}");
    }
    click(&conn, &item, "Pause");
    h.wait_for("the pause", |h| {
        h.has_event(state_to("paused")) && h.has_event(camera("released"))
    });
    h.wait_for("paused in the tray", |_| {
        string_property(&conn, &item, "Title") == "hunch: Paused"
    });
    assert_eq!(icon_colour(&conn, &item), Indicator::Paused.colour());

    click(&conn, &item, "Resume");
    h.wait_for("the resume", |h| h.has_event(camera("back")));

    click(&conn, &item, "15 minutes");
    h.wait_for("the snooze", |h| h.has_event(state_to("snoozed")));

    click(&conn, &item, "Quit");
    let (events, stderr) = h.finish();
    assert_eq!(events.last().unwrap()["type"], "stop", "{stderr}");
    // In order: prompt, paused (camera released), back, snoozed.
    let pos = |f: &dyn Fn(&Value) -> bool| events.iter().position(f).unwrap();
    let prompt = pos(&|e| e["type"] == "prompt");
    let paused = pos(&state_to("paused"));
    let released = pos(&camera("released"));
    let back = pos(&camera("back"));
    let snoozed = pos(&state_to("snoozed"));
    assert!(prompt < paused && paused < back && released < back && back < snoozed);
    assert!(!stderr.contains("no tray icon"), "{stderr}");
}

#[test]
fn screen_lock_releases_the_camera_and_unlock_takes_it_back() {
    let Some(data) = shared_data_or_skip("pause on screen lock") else {
        return;
    };
    let Some(bus) = private_bus("pause on screen lock") else {
        return;
    };
    let saver = connect(&bus);
    saver.request_name("org.freedesktop.ScreenSaver").unwrap();
    let emit = |active: bool| {
        saver
            .emit_signal(
                None::<&str>,
                "/org/freedesktop/ScreenSaver",
                "org.freedesktop.ScreenSaver",
                "ActiveChanged",
                &(active,),
            )
            .unwrap();
    };
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(&data, dir.path(), 10.0, 4.0);

    let mut h = Hunch::start(&bus.address, &["--no-window", "--no-tray"], &clip);
    // hunch listens before it writes its start event.
    h.wait_for("the start", |h| h.has_event(|e| e["type"] == "start"));
    emit(true);
    h.wait_for("the lock's pause", |h| {
        h.has_event(camera("released")) && h.has_event(state_to("paused"))
    });
    emit(false);
    h.wait_for("the unlock's resume", |h| h.has_event(camera("back")));
    let (events, stderr) = h.finish();
    let released = events.iter().find(|e| camera("released")(e)).unwrap();
    assert!(
        released["message"]
            .as_str()
            .unwrap()
            .contains("screen locked"),
        "{released}"
    );
    let back = events.iter().position(camera("back")).unwrap();
    let resumed = events
        .iter()
        .position(|e| e["type"] == "state" && e["from"] == "paused")
        .unwrap();
    assert!(resumed < back || resumed == back + 1, "{events:#?}");
    // After the unlock the monitor judges again.
    assert!(
        events[back..].iter().any(|e| e["type"] == "metrics"),
        "{events:#?}"
    );
    assert!(!stderr.contains("no pause on screen lock"), "{stderr}");

    // With --no-lock-pause the lock changes nothing.
    let mut h = Hunch::start(
        &bus.address,
        &["--no-window", "--no-tray", "--no-lock-pause"],
        &clip,
    );
    h.wait_for("the start", |h| h.has_event(|e| e["type"] == "start"));
    emit(true);
    let (events, _) = h.finish();
    assert!(!events.iter().any(camera("released")), "{events:#?}");
    assert!(!events.iter().any(state_to("paused")), "{events:#?}");
}

#[test]
fn without_a_bus_one_warning_each_and_the_run_completes() {
    let Some(data) = shared_data_or_skip("desktop without a bus") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(&data, dir.path(), 2.0, 2.0);
    let nowhere = format!("unix:path={}", dir.path().join("no-bus").display());
    let h = Hunch::start(&nowhere, &["--no-window", "--no-realtime"], &clip);
    let (events, stderr) = h.finish();
    assert_eq!(events.last().unwrap()["type"], "stop");
    assert!(events.iter().any(|e| e["type"] == "metrics"));
    assert_eq!(stderr.matches("no tray icon").count(), 1, "{stderr}");
    assert_eq!(
        stderr.matches("no pause on screen lock").count(),
        1,
        "{stderr}"
    );
}

// --- A test notification server -----------------------------------------

/// One notification as the server received it.
#[derive(Clone, Debug)]
struct Shown {
    id: u32,
    /// The notification it replaces (0: none).
    replaces: u32,
    summary: String,
    actions: Vec<String>,
}

#[derive(Clone, Default)]
struct Notifications {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: &str,
        replaces_id: u32,
        _app_icon: &str,
        summary: &str,
        _body: &str,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        // A replacement keeps the id it replaces (the specification).
        let id = match replaces_id {
            0 => shown.len() as u32 + 1,
            id => id,
        };
        shown.push(Shown {
            id,
            replaces: replaces_id,
            summary: summary.to_string(),
            actions,
        });
        id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_server_information(&self) -> (String, String, String, String) {
        ("test".into(), "hunch".into(), "1".into(), "1.2".into())
    }
}

#[test]
fn the_prompt_notification_buttons_act_like_the_keys() {
    let Some(data) = shared_data_or_skip("prompt notification buttons") else {
        return;
    };
    let Some(bus) = private_bus("prompt notification buttons") else {
        return;
    };
    let server = Notifications::default();
    let shown = Arc::clone(&server.shown);
    let conn = serve_on(
        &bus,
        "/org/freedesktop/Notifications",
        "org.freedesktop.Notifications",
        server,
    );
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(&data, dir.path(), 8.0, 20.0);
    // Headless: prompts go out as notifications.
    let mut h = Hunch::start(
        &bus.address,
        &[
            &["--no-window", "--no-tray", "--no-lock-pause"],
            PROMPT_FLAGS,
        ]
        .concat(),
        &clip,
    );
    h.wait_for("the prompt's notification", |_| {
        shown
            .lock()
            .unwrap()
            .iter()
            .any(|n| n.summary.starts_with("Time for"))
    });
    let note = shown
        .lock()
        .unwrap()
        .iter()
        .find(|n| n.summary.starts_with("Time for"))
        .cloned()
        .unwrap();
    // Actions come as id, label pairs.
    let ids: Vec<&str> = note.actions.iter().step_by(2).map(String::as_str).collect();
    // Headless, a prompt is a notice: done or snooze (no stretch to swap).
    assert_eq!(ids, ["done", "snooze"], "{note:?}");
    assert!(
        !h.has_event(|e| e["type"] == "stretch"),
        "no stretch before the button"
    );
    // The user clicks "done" on the notification.
    click_until(
        &mut h,
        &conn,
        note.id,
        "done",
        "the stretch marked done",
        |h| h.has_event(|e| e["type"] == "stretch"),
    );
    let (events, stderr) = h.finish();
    let prompt = events.iter().find(|e| e["type"] == "prompt").unwrap();
    let stretch = events.iter().find(|e| e["type"] == "stretch").unwrap();
    assert_eq!(stretch["stretch"], prompt["stretch"], "{stretch}\n{stderr}");
}

/// The user clicks `action` on notification `id`, again until `heard`
/// holds (hunch starts listening for clicks just after showing it).
fn click_until(
    h: &mut Hunch,
    conn: &Connection,
    id: u32,
    action: &str,
    what: &str,
    mut heard: impl FnMut(&mut Hunch) -> bool,
) {
    h.wait_for(what, |h| {
        conn.emit_signal(
            None::<&str>,
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications",
            "ActionInvoked",
            &(id, action),
        )
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        heard(h)
    });
}

#[test]
fn another_from_the_notification_replaces_it_with_the_new_stretch() {
    let Some(data) = shared_data_or_skip("prompt notification swap") else {
        return;
    };
    let Some(bus) = private_bus("prompt notification swap") else {
        return;
    };
    let server = Notifications::default();
    let shown = Arc::clone(&server.shown);
    let conn = serve_on(
        &bus,
        "/org/freedesktop/Notifications",
        "org.freedesktop.Notifications",
        server,
    );
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(&data, dir.path(), 8.0, 24.0);
    // Tray only: the card is hidden, so the notification is where the user
    // sees the prompt and swaps its stretch.
    let mut h = Hunch::start(
        &bus.address,
        &[&["--tray-only", "--no-lock-pause"], PROMPT_FLAGS].concat(),
        &clip,
    );
    let prompts = || -> Vec<Shown> {
        shown
            .lock()
            .unwrap()
            .iter()
            .filter(|n| n.summary.starts_with("Time for"))
            .cloned()
            .collect()
    };
    h.wait_for("the prompt's notification", |_| !prompts().is_empty());
    let first = prompts()[0].clone();
    let ids: Vec<&str> = first
        .actions
        .iter()
        .step_by(2)
        .map(String::as_str)
        .collect();
    assert_eq!(ids, ["done", "snooze", "another"], "{first:?}");
    click_until(&mut h, &conn, first.id, "another", "the swap", |_| {
        prompts().len() > 1
    });
    let swaps = prompts()[1..].to_vec();
    for n in &swaps {
        assert_eq!(n.replaces, first.id, "replaced in place: {n:?}");
        assert_eq!(n.id, first.id);
        assert_eq!(n.actions, first.actions, "the same buttons");
    }
    let last = swaps.last().unwrap().clone();
    click_until(
        &mut h,
        &conn,
        first.id,
        "done",
        "the stretch marked done",
        |h| h.has_event(|e| e["type"] == "stretch"),
    );
    let (events, stderr) = h.finish();
    let prompt = events.iter().find(|e| e["type"] == "prompt").unwrap();
    let done: Vec<&Value> = events.iter().filter(|e| e["type"] == "stretch").collect();
    assert_eq!(done.len(), 1, "one click, one stretch: {done:?}\n{stderr}");
    let stretch = done[0]["stretch"].as_str().unwrap();
    let name = &hunch::stretches::find(stretch).unwrap().name;
    assert_eq!(last.summary, format!("Time for {name}"), "{stderr}");
    // Each swap names a stretch other than the one it replaced.
    let mut before = first.summary.clone();
    for n in &swaps {
        assert_ne!(n.summary, before, "another stretch");
        before = n.summary.clone();
    }
    assert!(prompt["stretch"].is_string(), "{prompt}");
}
