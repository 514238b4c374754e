//! The live window: shows rendered overlay frames and reports key presses.
//!
//! A thin edge around minifb (X11; on Wayland desktops through XWayland).
//! The caller renders at [`Window::size`] with [`crate::render`], hands the
//! canvas to [`Window::present`], and reads [`Window::keys_pressed`]. No
//! minifb type appears in this module's public API.

use image::RgbImage;

use crate::render::to_u32_buffer;

pub use crate::keys::Key;

/// Which of the two windows is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowMode {
    /// The resizable 960x640 window.
    #[default]
    Full,
    /// The small borderless always-on-top overlay.
    Compact,
}

/// Size of the compact overlay.
pub const COMPACT_SIZE: (u32, u32) = (320, 180);

/// Why the window could not be opened or drawn to.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error(
        "cannot open the window: no display (DISPLAY is not set); run with --no-window for a terminal status instead"
    )]
    NoDisplay,
    #[error(
        "cannot open the window ({source}): is an X server running on DISPLAY={display}? Run with --no-window for a terminal status instead"
    )]
    Open {
        #[source]
        source: minifb::Error,
        display: String,
    },
    #[error(
        "cannot draw to the window ({source}); run with --no-window for a terminal status instead"
    )]
    Update {
        #[source]
        source: minifb::Error,
    },
}

/// An open window: the full, resizable one or the compact overlay, or
/// none while hidden (the tray shows it again).
pub struct Window {
    inner: Option<minifb::Window>,
    buf: Vec<u32>,
    title: String,
    mode: WindowMode,
    /// Full window size to reopen with.
    full_size: (u32, u32),
    /// Where the compact overlay was last put (screen coordinates).
    compact_pos: Option<(i32, i32)>,
    /// A drag of the borderless overlay: the mouse where it was pressed.
    drag: Option<(f32, f32)>,
}

impl std::fmt::Debug for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Window")
            .field("size", &self.size())
            .finish()
    }
}

fn display() -> Option<String> {
    std::env::var("DISPLAY")
        .ok()
        .filter(|d| !d.trim().is_empty())
}

impl Window {
    /// Opens a resizable window of `width` x `height` pixels titled `title`.
    pub fn open(title: &str, width: u32, height: u32) -> Result<Window, WindowError> {
        let mut w = Window::hidden(title, WindowMode::Full, (width, height), None);
        w.show()?;
        Ok(w)
    }

    /// A window that is not shown yet ([`Window::show`] opens it): `mode`,
    /// the full window's size, and where the compact overlay goes.
    pub fn hidden(
        title: &str,
        mode: WindowMode,
        full_size: (u32, u32),
        compact_pos: Option<(i32, i32)>,
    ) -> Window {
        Window {
            inner: None,
            buf: Vec::new(),
            title: title.to_string(),
            mode,
            full_size,
            compact_pos,
            drag: None,
        }
    }

    /// Opens the window in its mode (nothing when it is shown already).
    pub fn show(&mut self) -> Result<(), WindowError> {
        if self.inner.is_some() {
            return Ok(());
        }
        let Some(disp) = display() else {
            return Err(WindowError::NoDisplay);
        };
        let (opts, (width, height)) = match self.mode {
            WindowMode::Full => (
                minifb::WindowOptions {
                    resize: true,
                    scale_mode: minifb::ScaleMode::AspectRatioStretch,
                    ..minifb::WindowOptions::default()
                },
                self.full_size,
            ),
            WindowMode::Compact => (
                minifb::WindowOptions {
                    borderless: true,
                    topmost: true,
                    resize: false,
                    ..minifb::WindowOptions::default()
                },
                COMPACT_SIZE,
            ),
        };
        let (w, h) = (
            width.clamp(160, 8192) as usize,
            height.clamp(120, 8192) as usize,
        );
        let mut inner =
            minifb::Window::new(&self.title, w, h, opts).map_err(|e| WindowError::Open {
                source: e,
                display: disp,
            })?;
        if self.mode == WindowMode::Compact {
            if let Some((x, y)) = self.compact_pos {
                inner.set_position(x as isize, y as isize);
            }
            // minifb's `topmost` does nothing on X11: ask the window manager.
            crate::desktop::keep_above(inner.get_window_handle() as usize as u64);
        }
        self.inner = Some(inner);
        self.drag = None;
        Ok(())
    }

    /// Closes the window but keeps its mode and place; it still counts as
    /// open ([`Window::is_open`]) and draws nothing until shown again.
    pub fn hide(&mut self) {
        self.remember_position();
        self.inner = None;
    }

    /// True while hidden.
    pub fn is_hidden(&self) -> bool {
        self.inner.is_none()
    }

    /// The mode shown (or to show).
    pub fn mode(&self) -> WindowMode {
        self.mode
    }

    /// Switches to `mode`, reopening the window if it is shown.
    pub fn set_mode(&mut self, mode: WindowMode) -> Result<(), WindowError> {
        if mode == self.mode {
            return Ok(());
        }
        let shown = !self.is_hidden();
        self.hide();
        self.mode = mode;
        if shown { self.show() } else { Ok(()) }
    }

    /// Where the compact overlay is (or was last), in screen coordinates.
    pub fn compact_position(&mut self) -> Option<(i32, i32)> {
        self.remember_position();
        self.compact_pos
    }

    fn remember_position(&mut self) {
        if self.mode == WindowMode::Compact
            && let Some(w) = &self.inner
        {
            let (x, y) = w.get_position();
            self.compact_pos = Some((x as i32, y as i32));
        }
    }

    /// The borderless overlay has no title bar: dragging it moves it.
    fn follow_drag(&mut self) {
        let Some(w) = self
            .inner
            .as_mut()
            .filter(|_| self.mode == WindowMode::Compact)
        else {
            return;
        };
        if !w.get_mouse_down(minifb::MouseButton::Left) {
            self.drag = None;
            return;
        }
        let Some((mx, my)) = w.get_mouse_pos(minifb::MouseMode::Pass) else {
            return;
        };
        match self.drag {
            None => self.drag = Some((mx, my)),
            Some((ax, ay)) => {
                let (dx, dy) = ((mx - ax).round(), (my - ay).round());
                if dx != 0.0 || dy != 0.0 {
                    let (x, y) = w.get_position();
                    w.set_position(x + dx as isize, y + dy as isize);
                }
            }
        }
    }

    /// Shows `canvas` (best rendered at [`Window::size`]; another size is scaled
    /// to fit) and processes window events.
    pub fn present(&mut self, canvas: &RgbImage) -> Result<(), WindowError> {
        let (w, h) = canvas.dimensions();
        if w == 0 || h == 0 {
            self.poll();
            return Ok(());
        }
        let Some(inner) = self.inner.as_mut() else {
            return Ok(());
        };
        to_u32_buffer(canvas, &mut self.buf);
        inner
            .update_with_buffer(&self.buf, w as usize, h as usize)
            .map_err(|e| WindowError::Update { source: e })?;
        self.follow_drag();
        Ok(())
    }

    /// Processes window events (keys, resize, close) without new pixels.
    pub fn poll(&mut self) {
        if let Some(w) = self.inner.as_mut() {
            w.update();
        }
        self.follow_drag();
    }

    /// The drawable size now (it changes when the user resizes the window;
    /// 0 x 0 while hidden, so nothing is drawn).
    pub fn size(&self) -> (u32, u32) {
        let Some(inner) = &self.inner else {
            return (0, 0);
        };
        let (w, h) = inner.get_size();
        (
            w.min(u32::MAX as usize) as u32,
            h.min(u32::MAX as usize) as u32,
        )
    }

    /// The keys pressed since the last [`Window::present`] or [`Window::poll`].
    pub fn keys_pressed(&self) -> Vec<Key> {
        let Some(inner) = &self.inner else {
            return Vec::new();
        };
        inner
            .get_keys_pressed(minifb::KeyRepeat::No)
            .into_iter()
            .filter_map(map_key)
            .collect()
    }

    /// False once the user has closed the window (a hidden window is open).
    pub fn is_open(&self) -> bool {
        self.inner.as_ref().is_none_or(|w| w.is_open())
    }

    /// The X11 window id while shown.
    pub fn x11_id(&self) -> Option<u64> {
        self.inner
            .as_ref()
            .map(|w| w.get_window_handle() as usize as u64)
    }
}

/// The key map's action for a keyboard key, by the key's name (minifb
/// names keys `A`, `Space`, `Escape`, `F1`: lower-cased, they are the names
/// in [`crate::keys::BINDINGS`]).
fn map_key(k: minifb::Key) -> Option<Key> {
    crate::keys::from_name(&format!("{k:?}").to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_the_documented_actions() {
        use minifb::Key as M;
        assert_eq!(map_key(M::Space), Some(Key::PauseResume));
        assert_eq!(map_key(M::S), Some(Key::Snooze));
        assert_eq!(map_key(M::C), Some(Key::Calibrate));
        assert_eq!(map_key(M::D), Some(Key::Done));
        assert_eq!(map_key(M::N), Some(Key::Another));
        assert_eq!(map_key(M::M), Some(Key::Mirror));
        assert_eq!(map_key(M::Q), Some(Key::Quit));
        assert_eq!(map_key(M::Escape), Some(Key::Quit));
        assert_eq!(map_key(M::H), Some(Key::Help));
        assert_eq!(map_key(M::F1), Some(Key::Help));
        assert_eq!(map_key(M::R), Some(Key::Routine));
        assert_eq!(map_key(M::K), Some(Key::Compact));
        assert_eq!(map_key(M::A), None);
        assert_eq!(map_key(M::Enter), None);
    }

    #[test]
    fn no_display_error_is_one_line_and_suggests_no_window() {
        let msg = WindowError::NoDisplay.to_string();
        assert!(!msg.contains('\n'));
        assert!(msg.contains("--no-window"));
    }

    /// minifb's error is kept as the cause, and the line a user sees says
    /// it once, as it did when the cause was flattened into a string.
    #[test]
    fn window_errors_keep_minifb_s_error_as_their_cause() {
        let open = WindowError::Open {
            source: minifb::Error::WindowCreate("no visual".into()),
            display: ":9".into(),
        };
        let update = WindowError::Update {
            source: minifb::Error::UpdateFailed("bad buffer".into()),
        };
        for (e, said) in [
            (
                open,
                "cannot open the window (Failed to create window: no visual): is an X server running on DISPLAY=:9? Run with --no-window for a terminal status instead",
            ),
            (
                update,
                "cannot draw to the window (Failed to Update: bad buffer); run with --no-window for a terminal status instead",
            ),
        ] {
            use std::error::Error as _;
            assert!(e.source().is_some_and(|c| c.is::<minifb::Error>()));
            assert_eq!(e.to_string(), said);
            assert_eq!(crate::app::error_line(&anyhow::Error::from(e)), said);
        }
    }
}
