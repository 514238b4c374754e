//! The live window: shows rendered overlay frames and reports key presses.
//!
//! A thin edge around minifb (X11; on Wayland desktops through XWayland).
//! The caller renders at [`Window::size`] with [`crate::render`], hands the
//! canvas to [`Window::present`], and reads [`Window::keys_pressed`]. No
//! minifb type appears in this module's public API.

use image::RgbImage;

use crate::render::to_u32_buffer;

pub use crate::keys::Key;

/// Why the window could not be opened or drawn to.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error(
        "cannot open the window: no display (DISPLAY is not set); run with --no-window for a terminal status instead"
    )]
    NoDisplay,
    #[error(
        "cannot open the window ({reason}): is an X server running on DISPLAY={display}? Run with --no-window for a terminal status instead"
    )]
    Open { reason: String, display: String },
    #[error(
        "cannot draw to the window ({reason}); run with --no-window for a terminal status instead"
    )]
    Update { reason: String },
}

/// An open, resizable window.
pub struct Window {
    inner: minifb::Window,
    buf: Vec<u32>,
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
        let Some(disp) = display() else {
            return Err(WindowError::NoDisplay);
        };
        let opts = minifb::WindowOptions {
            resize: true,
            scale_mode: minifb::ScaleMode::AspectRatioStretch,
            ..minifb::WindowOptions::default()
        };
        let (w, h) = (
            width.clamp(160, 8192) as usize,
            height.clamp(120, 8192) as usize,
        );
        let inner = minifb::Window::new(title, w, h, opts).map_err(|e| WindowError::Open {
            reason: e.to_string(),
            display: disp,
        })?;
        Ok(Window {
            inner,
            buf: Vec::new(),
        })
    }

    /// Shows `canvas` (best rendered at [`Window::size`]; another size is scaled
    /// to fit) and processes window events.
    pub fn present(&mut self, canvas: &RgbImage) -> Result<(), WindowError> {
        let (w, h) = canvas.dimensions();
        if w == 0 || h == 0 {
            self.poll();
            return Ok(());
        }
        to_u32_buffer(canvas, &mut self.buf);
        self.inner
            .update_with_buffer(&self.buf, w as usize, h as usize)
            .map_err(|e| WindowError::Update {
                reason: e.to_string(),
            })
    }

    /// Processes window events (keys, resize, close) without new pixels.
    pub fn poll(&mut self) {
        self.inner.update();
    }

    /// The drawable size now (it changes when the user resizes the window).
    pub fn size(&self) -> (u32, u32) {
        let (w, h) = self.inner.get_size();
        (
            w.min(u32::MAX as usize) as u32,
            h.min(u32::MAX as usize) as u32,
        )
    }

    /// The keys pressed since the last [`Window::present`] or [`Window::poll`].
    pub fn keys_pressed(&self) -> Vec<Key> {
        self.inner
            .get_keys_pressed(minifb::KeyRepeat::No)
            .into_iter()
            .filter_map(map_key)
            .collect()
    }

    /// False once the user has closed the window.
    pub fn is_open(&self) -> bool {
        self.inner.is_open()
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
        assert_eq!(map_key(M::A), None);
        assert_eq!(map_key(M::Enter), None);
    }

    #[test]
    fn no_display_error_is_one_line_and_suggests_no_window() {
        let msg = WindowError::NoDisplay.to_string();
        assert!(!msg.contains('\n'));
        assert!(msg.contains("--no-window"));
    }
}
