//! `hunch autostart enable|disable|status`: an XDG autostart entry
//! (`~/.config/autostart/hunch.desktop`) that starts the monitor the way the
//! user chose (full window, compact overlay or tray only: the flags are
//! saved in its `Exec` line), plus a menu entry and an icon so hunch appears
//! in application menus (`~/.local/share/applications/hunch.desktop`,
//! `~/.local/share/icons/hicolor/scalable/apps/hunch.svg`).
//!
//! `XDG_CONFIG_HOME` and `XDG_DATA_HOME` move these as the XDG spec says.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The menu entry (its `Exec` line is replaced by the program's path).
pub const DESKTOP_ENTRY: &str = include_str!("../../assets/hunch.desktop");
/// The application icon.
pub const ICON_SVG: &str = include_str!("../../assets/hunch.svg");

/// Why an autostart entry could not be written or removed.
#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    #[error("cannot find your home folder (HOME is not set); set HOME or XDG_CONFIG_HOME")]
    NoHome,
    #[error("cannot find the hunch program ({0})")]
    Exe(#[source] std::io::Error),
    #[error("cannot {what} ({source}); check the folder is writable: {}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where the files go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// `$XDG_CONFIG_HOME/autostart/hunch.desktop`.
    pub autostart: PathBuf,
    /// `$XDG_DATA_HOME/applications/hunch.desktop`.
    pub menu: PathBuf,
    /// `$XDG_DATA_HOME/icons/hicolor/scalable/apps/hunch.svg`.
    pub icon: PathBuf,
}

impl Paths {
    /// The user's XDG folders.
    pub fn for_user() -> Result<Paths, AutostartError> {
        let dirs = directories::BaseDirs::new().ok_or(AutostartError::NoHome)?;
        Ok(Paths::under(dirs.config_dir(), dirs.data_dir()))
    }

    /// Under explicit config and data folders.
    pub fn under(config: &Path, data: &Path) -> Paths {
        Paths {
            autostart: config.join("autostart/hunch.desktop"),
            menu: data.join("applications/hunch.desktop"),
            icon: data.join("icons/hicolor/scalable/apps/hunch.svg"),
        }
    }
}

/// Quotes one argument of an `Exec` line (Desktop Entry spec: reserved
/// characters inside double quotes, with `"`, `` ` ``, `$` and `\`
/// escaped; `%` doubled as field codes are expanded).
pub fn exec_quote(arg: &str) -> String {
    let arg = arg.replace('%', "%%");
    let reserved = |c: char| c.is_whitespace() || "\"'\\><~|&;$*?#()`".contains(c);
    if !arg.is_empty() && !arg.chars().any(reserved) {
        return arg;
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The `Exec` line's words for `exe` with the chosen mode's flags.
pub fn exec_line(exe: &Path, flags: &[&str]) -> String {
    let mut words = vec![exec_quote(&exe.to_string_lossy())];
    words.extend(flags.iter().map(|f| exec_quote(f)));
    words.join(" ")
}

/// `entry` (a desktop entry) with its `Exec` line set to `exec`, and for the
/// autostart entry, the lines that make desktops start it at login.
pub fn with_exec(entry: &str, exec: &str, autostart: bool) -> String {
    let mut out = String::new();
    for line in entry.lines() {
        if line.starts_with("Exec=") {
            out.push_str("Exec=");
            out.push_str(exec);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if autostart {
        out.push_str("X-GNOME-Autostart-enabled=true\nX-GNOME-Autostart-Delay=5\n");
    }
    out
}

/// What `hunch autostart` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Write the autostart entry (and a menu entry and icon).
    Enable,
    /// Remove it.
    Disable,
    /// Show it.
    Status,
}

/// How the autostarted hunch starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartMode {
    Window,
    /// `--compact`.
    Compact,
    /// `--tray-only` (wins over `--compact`).
    TrayOnly,
}

impl StartMode {
    /// The mode `--compact` and `--tray-only` ask for.
    pub fn new(compact: bool, tray_only: bool) -> StartMode {
        if tray_only {
            StartMode::TrayOnly
        } else if compact {
            StartMode::Compact
        } else {
            StartMode::Window
        }
    }
}

/// The flags saved for a mode.
pub fn mode_flags(mode: StartMode) -> Vec<&'static str> {
    match mode {
        StartMode::TrayOnly => vec!["--tray-only"],
        StartMode::Compact => vec!["--compact"],
        StartMode::Window => Vec::new(),
    }
}

fn write(path: &Path, text: &str, what: &'static str) -> Result<(), AutostartError> {
    let io = |source| AutostartError::Io {
        what,
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)
}

/// Writes the autostart entry, the menu entry and the icon.
pub fn enable(paths: &Paths, exe: &Path, flags: &[&str]) -> Result<(), AutostartError> {
    let exec = exec_line(exe, flags);
    write(
        &paths.autostart,
        &with_exec(DESKTOP_ENTRY, &exec, true),
        "write the autostart entry",
    )?;
    write(
        &paths.menu,
        &with_exec(DESKTOP_ENTRY, &exec_line(exe, &[]), false),
        "write the menu entry",
    )?;
    write(&paths.icon, ICON_SVG, "write the icon")
}

/// Removes the autostart entry (the menu entry and icon stay: hunch is
/// still installed). True when there was one.
pub fn disable(paths: &Paths) -> Result<bool, AutostartError> {
    match std::fs::remove_file(&paths.autostart) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(AutostartError::Io {
            what: "remove the autostart entry",
            path: paths.autostart.clone(),
            source,
        }),
    }
}

/// The saved `Exec` line, when autostart is on.
pub fn status(paths: &Paths) -> Option<String> {
    let text = std::fs::read_to_string(&paths.autostart).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .map(str::to_string)
}

/// `hunch autostart ...`.
pub fn run(action: Action, mode: StartMode) -> anyhow::Result<ExitCode> {
    let paths = Paths::for_user()?;
    match action {
        Action::Enable => {
            let exe = std::env::current_exe().map_err(AutostartError::Exe)?;
            enable(&paths, &exe, &mode_flags(mode))?;
            println!(
                "autostart on: hunch starts at login as `{}`\n  {}\n  menu entry: {}\n  icon: {}",
                exec_line(&exe, &mode_flags(mode)),
                paths.autostart.display(),
                paths.menu.display(),
                paths.icon.display()
            );
        }
        Action::Disable => {
            if disable(&paths)? {
                println!("autostart off: removed {}", paths.autostart.display());
            } else {
                println!(
                    "autostart was already off (no {})",
                    paths.autostart.display()
                );
            }
        }
        Action::Status => match status(&paths) {
            Some(exec) => println!("autostart on: `{exec}` ({})", paths.autostart.display()),
            None => println!("autostart off (no {})", paths.autostart.display()),
        },
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_quoting_follows_the_desktop_entry_spec() {
        assert_eq!(exec_quote("/usr/bin/hunch"), "/usr/bin/hunch");
        assert_eq!(exec_quote("/home/a b/hunch"), "\"/home/a b/hunch\"");
        assert_eq!(exec_quote("/x/$HOME\"q"), "\"/x/\\$HOME\\\"q\"");
        assert_eq!(exec_quote("100%"), "100%%");
        assert_eq!(exec_quote(""), "\"\"");
    }

    #[test]
    fn entry_gets_the_exec_line_and_autostart_keys() {
        let e = with_exec(DESKTOP_ENTRY, "/opt/hunch --compact", true);
        assert!(e.contains("\nExec=/opt/hunch --compact\n"));
        assert_eq!(e.matches("Exec=").count(), 1);
        assert!(e.starts_with("[Desktop Entry]\n"));
        assert!(e.contains("Icon=hunch\n"));
        assert!(e.contains("X-GNOME-Autostart-enabled=true"));
        assert!(!with_exec(DESKTOP_ENTRY, "h", false).contains("Autostart"));
    }

    #[test]
    fn enable_status_disable_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(&dir.path().join("config"), &dir.path().join("data"));
        assert_eq!(status(&paths), None);
        enable(&paths, Path::new("/opt/my apps/hunch"), &["--tray-only"]).unwrap();
        assert_eq!(
            status(&paths).as_deref(),
            Some("\"/opt/my apps/hunch\" --tray-only")
        );
        assert!(paths.menu.is_file() && paths.icon.is_file());
        assert!(disable(&paths).unwrap());
        assert!(!paths.autostart.exists());
        assert!(!disable(&paths).unwrap());
        assert!(paths.menu.is_file(), "the menu entry stays");
    }
}
