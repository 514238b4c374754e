//! `--events FILE|-`: state changes and per-second metrics as JSON lines,
//! for scripts and status bars. One JSON object per line, flushed as it is
//! written, so `tail -f` and pipes see each event at once.
//!
//! Every object has `type` and `t` (seconds on the session clock):
//!
//! ```text
//! {"type":"start","t":0.0,"source":"video 640x480 at 30.000 fps: clip.mp4"}
//! {"type":"state","t":12.5,"from":"good","to":"forward_head","seconds_in_previous":12.5}
//! {"type":"metrics","t":13.0,"state":"forward_head","verdict":"forward_head","view":"side","metrics":{...}}
//! {"type":"prompt","t":42.5,"stretch":"chin_tuck","reason":"forward_head for 30 s"}
//! {"type":"stretch","t":80.0,"stretch":"chin_tuck","result":{...}}
//! {"type":"camera","t":90.0,"status":"lost","message":"..."}
//! {"type":"stop","t":120.0}
//! ```
//!
//! [`Event`] is also the one vocabulary every output hears: the session
//! ([`crate::session`]) returns events, and each output (this writer, the
//! history, hooks, notifications, the status line) is a [`Sink`] that takes
//! what it needs from them. Variants after `Stop` and fields marked
//! `serde(skip)` are for the other outputs and never appear in `--events`.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::history::{Outcome, PauseKind};
use crate::posture::{Profile, Reading, State, Verdict, View};

/// One event.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The session started reading from `source`.
    Start { t: f64, source: String },
    /// The state changed.
    State {
        t: f64,
        from: State,
        to: State,
        /// How long the previous state lasted.
        seconds_in_previous: f64,
    },
    /// The latest judgement, once a second. `metrics` is whatever the
    /// posture stage reports (serialised as is; NaN becomes null).
    Metrics {
        t: f64,
        state: State,
        verdict: Verdict,
        view: Option<View>,
        metrics: serde_json::Value,
        /// The readings behind the verdict (for the history's samples).
        #[serde(skip)]
        readings: Readings,
    },
    /// A stretch was suggested.
    Prompt {
        t: f64,
        stretch: String,
        reason: String,
        /// The rest of what the other outputs say about it.
        #[serde(skip)]
        about: PromptAbout,
    },
    /// A coached stretch ended; `result` is the coach's report.
    Stretch {
        t: f64,
        stretch: String,
        result: serde_json::Value,
    },
    /// The camera went away or came back.
    Camera {
        t: f64,
        status: CameraStatus,
        message: String,
    },
    /// The session ended.
    Stop { t: f64 },
    /// The prompt's stretch was swapped for another (`n`, or the
    /// notification's Another button): the notification names the new one.
    #[serde(skip)]
    PromptSwapped {
        t: f64,
        reason: String,
        about: PromptAbout,
    },
    /// What became of prompt `prompt_id` (history only).
    #[serde(skip)]
    PromptEnded {
        t: f64,
        prompt_id: u64,
        outcome: Outcome,
    },
    /// Paused, resumed or snoozed (history only).
    #[serde(skip)]
    Pause { t: f64, kind: PauseKind },
    /// A new baseline was recorded (history only; the driver saves it).
    #[serde(skip)]
    Calibrated { t: f64, profile: Box<Profile> },
    /// The one-line status for headless runs, under `key` (a status line
    /// rewrites its line while the key stays the same).
    #[serde(skip)]
    Status {
        t: f64,
        key: &'static str,
        text: String,
    },
}

impl Event {
    /// True for the events documented for `--events`.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Event::Start { .. }
                | Event::State { .. }
                | Event::Metrics { .. }
                | Event::Prompt { .. }
                | Event::Stretch { .. }
                | Event::Camera { .. }
                | Event::Stop { .. }
        )
    }
}

/// The forward-head and rounded-shoulder readings of a judgement.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Readings {
    pub forward_head: Option<Reading>,
    pub rounded_shoulders: Option<Reading>,
}

/// A prompt's details beyond the `--events` fields.
#[derive(Clone, Debug, PartialEq)]
pub struct PromptAbout {
    /// Numbers the prompt within the session (the history's prompt id).
    pub id: u64,
    /// The stretch's display name and dose.
    pub name: String,
    pub dose: String,
    /// The state it was raised in and how long the slumping lasted.
    pub state: State,
    pub slumped_s: f64,
}

/// An output: hears every event and takes what it needs. Adding an output
/// is one file with one `impl Sink` plus one line where the driver builds
/// its list of sinks.
pub trait Sink {
    /// One event, in the order the session produced them.
    fn accept(&mut self, event: &Event);

    /// The session is over (after `stop`): finish writing.
    fn close(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

impl Sink for EventWriter {
    fn accept(&mut self, event: &Event) {
        if event.is_public()
            && let Err(e) = self.write(event)
        {
            tracing::warn!("{e}");
        }
    }
}

/// What happened to the camera.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CameraStatus {
    Lost,
    Back,
    /// Let go on purpose (a pause, the screen lock); `back` follows.
    Released,
}

/// Why events could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error("cannot open the events file ({source}): check the folder exists and is writable: {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write events ({0}); no more events will be written")]
    Write(#[source] std::io::Error),
    #[error("cannot encode an event: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Writes events as JSON lines. After the first write failure (say, the
/// reader of a pipe went away) it reports that error once and then drops
/// further events silently, so the monitor carries on.
pub struct EventWriter {
    out: Box<dyn Write + Send>,
    broken: bool,
    line: Vec<u8>,
}

impl EventWriter {
    /// `-` for standard output, else a file (appended to, created if needed).
    pub fn open(target: &str) -> Result<EventWriter, EventsError> {
        if target == "-" {
            return Ok(Self::new(Box::new(std::io::stdout())));
        }
        let path = PathBuf::from(target);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| EventsError::Open { path, source })?;
        Ok(Self::new(Box::new(file)))
    }

    /// Writes to any writer (tests, sockets).
    pub fn new(out: Box<dyn Write + Send>) -> EventWriter {
        EventWriter {
            out,
            broken: false,
            line: Vec::with_capacity(512),
        }
    }

    /// Writes one event as one line and flushes it.
    pub fn write(&mut self, event: &Event) -> Result<(), EventsError> {
        self.write_serialized(event)
    }

    /// Writes any serialisable value (an object, for other kinds of event)
    /// as one line and flushes it.
    pub fn write_serialized<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<(), EventsError> {
        if self.broken {
            return Ok(());
        }
        self.line.clear();
        serde_json::to_writer(&mut self.line, value)?;
        self.line.push(b'\n');
        let result = self
            .out
            .write_all(&self.line)
            .and_then(|()| self.out.flush());
        result.map_err(|e| {
            self.broken = true;
            EventsError::Write(e)
        })
    }

    /// True once a write failed.
    pub fn is_broken(&self) -> bool {
        self.broken
    }
}

/// Says when a periodic event (metrics, once a second) is due. Time is
/// passed in.
#[derive(Clone, Debug)]
pub struct Ticker {
    period_s: f64,
    next_s: Option<f64>,
}

impl Ticker {
    /// A ticker firing every `period_s` (at least 0.01 s).
    pub fn new(period_s: f64) -> Ticker {
        let period_s = if period_s.is_finite() {
            period_s.max(0.01)
        } else {
            1.0
        };
        Ticker {
            period_s,
            next_s: None,
        }
    }

    /// True on the first call and then once per period; a late call fires
    /// once, not once per missed period.
    pub fn due(&mut self, now_s: f64) -> bool {
        if !now_s.is_finite() {
            return false;
        }
        match self.next_s {
            Some(next) if now_s < next => false,
            Some(next) => {
                let missed = ((now_s - next) / self.period_s).floor();
                self.next_s = Some(next + (missed + 1.0) * self.period_s);
                true
            }
            None => {
                self.next_s = Some(now_s + self.period_s);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn lines(s: &Shared) -> Vec<serde_json::Value> {
        let bytes = s.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn events_are_one_json_object_per_line() {
        let buf = Shared::default();
        let mut w = EventWriter::new(Box::new(buf.clone()));
        w.write(&Event::State {
            t: 12.5,
            from: State::Good,
            to: State::ForwardHead,
            seconds_in_previous: 12.5,
        })
        .unwrap();
        w.write(&Event::Metrics {
            t: 13.0,
            state: State::ForwardHead,
            verdict: Verdict::ForwardHead,
            view: Some(View::Side),
            metrics: serde_json::json!({"neck_angle_deg": 31.5, "broken": f64::NAN}),
            readings: Readings::default(),
        })
        .unwrap();
        w.write(&Event::Camera {
            t: 14.0,
            status: CameraStatus::Lost,
            message: "lost".into(),
        })
        .unwrap();
        let v = lines(&buf);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0]["type"], "state");
        assert_eq!(v[0]["from"], "good");
        assert_eq!(v[0]["to"], "forward_head");
        assert_eq!(v[1]["type"], "metrics");
        assert_eq!(v[1]["view"], "side");
        assert_eq!(v[1]["metrics"]["neck_angle_deg"], 31.5);
        assert!(v[1]["metrics"]["broken"].is_null());
        assert_eq!(v[2]["status"], "lost");
    }

    struct Failing;
    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_broken_pipe_is_reported_once() {
        let mut w = EventWriter::new(Box::new(Failing));
        let e = Event::Stop { t: 1.0 };
        assert!(matches!(w.write(&e), Err(EventsError::Write(_))));
        assert!(w.is_broken());
        assert!(w.write(&e).is_ok());
    }

    #[test]
    fn file_target_appends_and_bad_folder_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("events.jsonl");
        for t in [1.0, 2.0] {
            let mut w = EventWriter::open(p.to_str().unwrap()).unwrap();
            w.write(&Event::Stop { t }).unwrap();
        }
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            text,
            "{\"type\":\"stop\",\"t\":1.0}\n{\"type\":\"stop\",\"t\":2.0}\n"
        );
        let bad = dir.path().join("no/such/dir/e.jsonl");
        let err = EventWriter::open(bad.to_str().unwrap()).err().unwrap();
        assert!(err.to_string().ends_with("e.jsonl"), "{err}");
    }

    #[test]
    fn ticker_fires_once_per_period_without_bursts() {
        let mut t = Ticker::new(1.0);
        assert!(t.due(0.3));
        assert!(!t.due(0.9));
        assert!(t.due(1.3));
        assert!(!t.due(1.5));
        // Late by several periods: one tick, then back on the grid.
        assert!(t.due(5.7));
        assert!(!t.due(6.2));
        assert!(t.due(6.3));
        assert!(!t.due(f64::NAN));
    }
}
