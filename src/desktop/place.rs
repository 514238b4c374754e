//! The window's mode (full or compact) and the compact overlay's position,
//! remembered between runs in `hunch/window.toml` in the config dir.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::window::WindowMode;

/// What is remembered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The mode the window was in when hunch last stopped.
    #[serde(default)]
    pub mode: WindowMode,
    /// Where the compact overlay was (screen coordinates of its corner).
    #[serde(default)]
    pub compact_x: Option<i32>,
    #[serde(default)]
    pub compact_y: Option<i32>,
}

/// `hunch/window.toml` in the config dir.
pub fn default_path() -> Option<PathBuf> {
    crate::paths::config_dir().map(|d| d.join("window.toml"))
}

impl Place {
    /// The compact overlay's remembered position.
    pub fn compact_pos(&self) -> Option<(i32, i32)> {
        Some((self.compact_x?, self.compact_y?))
    }

    /// Reads `path`; a missing or unreadable file means the defaults (a
    /// damaged file is only logged: it holds nothing worth stopping for).
    pub fn load(path: &Path) -> Place {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(
                    "ignoring the remembered window place ({e}); it is rewritten on exit: {}",
                    path.display()
                );
                Place::default()
            }),
            Err(_) => Place::default(),
        }
    }

    /// Writes `path` (through a temporary file, so it is never half written).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("toml.partial");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_round_trips_and_defaults_when_missing_or_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hunch/window.toml");
        assert_eq!(Place::load(&path), Place::default());
        let p = Place {
            mode: WindowMode::Compact,
            compact_x: Some(1200),
            compact_y: Some(-4),
        };
        p.save(&path).unwrap();
        assert_eq!(Place::load(&path), p);
        assert_eq!(p.compact_pos(), Some((1200, -4)));
        std::fs::write(&path, "mode = 3").unwrap();
        assert_eq!(Place::load(&path), Place::default());
    }
}
