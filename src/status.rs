//! The one-line terminal status of `--no-window` runs, on standard error
//! (standard output may carry `--events -`). On a terminal the line is
//! rewritten in place whenever the text changes; in a log (not a terminal)
//! a line is written only when its key (say the state and the note, not the
//! ticking clock) changes.

use std::io::{IsTerminal, Write};

use crate::posture::State;

/// Formats seconds as `m:ss` (or `h:mm:ss`).
pub fn clock(seconds: f64) -> String {
    let s = if seconds.is_finite() {
        seconds.max(0.0) as u64
    } else {
        0
    };
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The status text: state, how long, inference rate, and a note (a lost
/// camera, a snooze ending...).
pub fn status_text(state: State, state_s: f64, fps: f64, note: Option<&str>) -> String {
    let mut t = format!("{} for {} · {:.1} fps", state.label(), clock(state_s), fps);
    if let Some(n) = note.filter(|n| !n.is_empty()) {
        t.push_str(" · ");
        t.push_str(n);
    }
    t
}

/// Writes the status line.
pub struct StatusLine {
    out: Box<dyn Write + Send>,
    in_place: bool,
    last: String,
    last_key: Option<String>,
    shown: bool,
}

impl StatusLine {
    /// On standard error, rewritten in place when that is a terminal.
    pub fn stderr() -> StatusLine {
        let tty = std::io::stderr().is_terminal();
        StatusLine::new(Box::new(std::io::stderr()), tty)
    }

    /// On any writer; `in_place` rewrites one line with a carriage return.
    pub fn new(out: Box<dyn Write + Send>, in_place: bool) -> StatusLine {
        StatusLine {
            out,
            in_place,
            last: String::new(),
            last_key: None,
            shown: false,
        }
    }

    /// Shows `text`. On a terminal it replaces the line when the text
    /// changed; in a log it is written when `key` changed. Write errors are
    /// ignored: a status line is not worth stopping for.
    pub fn update(&mut self, key: &str, text: &str) {
        let changed = if self.in_place {
            text != self.last
        } else {
            self.last_key.as_deref() != Some(key)
        };
        if !changed {
            return;
        }
        self.last_key = Some(key.to_string());
        let _ = if self.in_place {
            // Pad over the remains of a longer previous line.
            let pad = self
                .last
                .chars()
                .count()
                .saturating_sub(text.chars().count());
            write!(self.out, "\r{text}{}", " ".repeat(pad))
        } else {
            writeln!(self.out, "{text}")
        };
        let _ = self.out.flush();
        self.last = text.to_string();
        self.shown = true;
    }

    /// Ends the line so later output starts on a fresh one.
    pub fn finish(&mut self) {
        if self.in_place && self.shown {
            let _ = writeln!(self.out);
            let _ = self.out.flush();
        }
        self.shown = false;
        self.last.clear();
        self.last_key = None;
    }
}

impl Drop for StatusLine {
    fn drop(&mut self) {
        self.finish();
    }
}

impl crate::events::Sink for StatusLine {
    fn accept(&mut self, event: &crate::events::Event) {
        use crate::events::Event;
        match event {
            Event::Status { key, text, .. } => self.update(key, text),
            Event::Stop { .. } => self.finish(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl Buf {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn clock_and_text() {
        assert_eq!(clock(0.0), "0:00");
        assert_eq!(clock(75.9), "1:15");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(clock(f64::NAN), "0:00");
        assert_eq!(
            status_text(
                State::ForwardHead,
                42.0,
                4.0,
                Some("camera lost, retrying in 4 s")
            ),
            "Forward head for 0:42 · 4.0 fps · camera lost, retrying in 4 s"
        );
        assert_eq!(
            status_text(State::Good, 5.0, 2.5, None),
            "Good for 0:05 · 2.5 fps"
        );
    }

    #[test]
    fn terminal_line_is_rewritten_in_place() {
        let buf = Buf::default();
        let mut s = StatusLine::new(Box::new(buf.clone()), true);
        s.update("good", "Good for 0:05");
        s.update("good", "Good for 0:05");
        s.update("away", "Away");
        s.finish();
        assert_eq!(buf.text(), "\rGood for 0:05\rAway         \n");
    }

    #[test]
    fn logs_get_a_line_per_change() {
        let buf = Buf::default();
        let mut s = StatusLine::new(Box::new(buf.clone()), false);
        s.update("good", "Good for 0:01");
        s.update("good", "Good for 0:02");
        s.update("away", "Away for 0:00");
        drop(s);
        assert_eq!(buf.text(), "Good for 0:01\nAway for 0:00\n");
    }
}
