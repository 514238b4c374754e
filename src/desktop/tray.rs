//! The tray icon: a StatusNotifierItem on the session bus (ksni, pure Rust;
//! KDE, GNOME with the AppIndicator extension, XFCE, waybar... show it).
//!
//! Its colour follows the monitor's [`Indicator`]; its menu sends
//! [`Command`]s. Nothing here blocks the monitor: ksni serves D-Bus from its
//! own thread, and the menu only queues commands.

use std::time::Duration;

use ksni::blocking::TrayMethods;
use ksni::menu::{MenuItem, StandardItem, SubMenu};

use super::{Command, Indicator, Sender, TrayStatus};

/// Why there is no tray icon.
#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    #[error(
        "no tray icon: the desktop offers no tray (StatusNotifierItem) host ({0}); hunch goes on without it (the window's keys do the same; --no-tray silences this)"
    )]
    Unavailable(#[source] ksni::Error),
}

/// The icon sizes offered; hosts pick the nearest.
const SIZES: [i32; 3] = [22, 32, 64];

/// Id of the item (also its `Id` property).
pub const ID: &str = "hunch";

struct Item {
    tx: Sender,
    status: TrayStatus,
}

/// The tray icon while it is up.
pub struct Tray {
    handle: ksni::blocking::Handle<ItemHandle>,
}

/// ksni's view of [`Item`] (a newtype so the trait impl stays private).
pub struct ItemHandle(Item);

impl Tray {
    /// Registers the icon with the desktop's tray (the session bus's
    /// `org.kde.StatusNotifierWatcher`).
    pub fn start(tx: Sender, status: TrayStatus) -> Result<Tray, TrayError> {
        let item = ItemHandle(Item { tx, status });
        let handle = item.spawn().map_err(TrayError::Unavailable)?;
        tracing::info!("tray icon up");
        Ok(Tray { handle })
    }

    /// True while the icon is registered.
    pub fn is_up(&self) -> bool {
        !self.handle.is_closed()
    }

    /// Shows `status` (colour, tooltip, menu).
    pub fn show(&self, status: TrayStatus) {
        self.handle.update(move |t| t.0.status = status);
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        self.handle.shutdown().wait();
    }
}

/// The icon: a disc in the indicator's colour with a small seated figure,
/// upright when all is well, bent when slumping, two bars when paused.
/// ARGB32, network byte order, as StatusNotifierItem wants it.
pub fn icon(indicator: Indicator, size: i32) -> ksni::Icon {
    let n = size.max(1) as usize;
    let s = n as f32;
    let bg = indicator.colour();
    let fg = [255u8, 255, 255];
    let mut data = Vec::with_capacity(n * n * 4);
    // Coverage by 4x4 supersampling of simple shapes.
    for py in 0..n {
        for px in 0..n {
            let (mut disc, mut mark) = (0.0f32, 0.0f32);
            for sy in 0..4 {
                for sx in 0..4 {
                    let x = (px as f32 + (sx as f32 + 0.5) / 4.0) / s;
                    let y = (py as f32 + (sy as f32 + 0.5) / 4.0) / s;
                    let inside = (x - 0.5).hypot(y - 0.5) <= 0.47;
                    if inside {
                        disc += 1.0 / 16.0;
                        if in_mark(indicator, x, y) {
                            mark += 1.0 / 16.0;
                        }
                    }
                }
            }
            let mix = |a: u8, b: u8| {
                let k = if disc > 0.0 { mark / disc } else { 0.0 };
                (f32::from(a) * (1.0 - k) + f32::from(b) * k).round() as u8
            };
            data.extend_from_slice(&[
                (disc * 255.0).round() as u8,
                mix(bg[0], fg[0]),
                mix(bg[1], fg[1]),
                mix(bg[2], fg[2]),
            ]);
        }
    }
    ksni::Icon {
        width: size,
        height: size,
        data,
    }
}

/// The white mark inside the disc, in unit coordinates.
fn in_mark(indicator: Indicator, x: f32, y: f32) -> bool {
    let seg = |ax: f32, ay: f32, bx: f32, by: f32, r: f32| {
        let (dx, dy) = (bx - ax, by - ay);
        let t = (((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        (x - (ax + t * dx)).hypot(y - (ay + t * dy)) <= r
    };
    match indicator {
        Indicator::Paused => {
            seg(0.40, 0.32, 0.40, 0.68, 0.055) || seg(0.60, 0.32, 0.60, 0.68, 0.055)
        }
        Indicator::CameraLost | Indicator::Away => {
            seg(0.34, 0.34, 0.66, 0.66, 0.05) || seg(0.66, 0.34, 0.34, 0.66, 0.05)
        }
        Indicator::Slumping | Indicator::Prompting => {
            // Head forward, back rounded.
            (x - 0.62).hypot(y - 0.33) <= 0.095
                || seg(0.40, 0.76, 0.44, 0.55, 0.06)
                || seg(0.44, 0.55, 0.55, 0.44, 0.06)
        }
        Indicator::Good => (x - 0.5).hypot(y - 0.29) <= 0.095 || seg(0.5, 0.44, 0.5, 0.76, 0.06),
    }
}

impl ksni::Tray for ItemHandle {
    fn id(&self) -> String {
        ID.into()
    }

    fn title(&self) -> String {
        format!("hunch: {}", self.0.status.indicator.words())
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::ApplicationStatus
    }

    fn status(&self) -> ksni::Status {
        match self.0.status.indicator {
            Indicator::Prompting => ksni::Status::NeedsAttention,
            _ => ksni::Status::Active,
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        SIZES
            .iter()
            .map(|&s| icon(self.0.status.indicator, s))
            .collect()
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.icon_pixmap()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.title(),
            description: self.0.status.state.clone(),
            ..Default::default()
        }
    }

    /// A click on the icon shows or hides the window.
    fn activate(&mut self, _x: i32, _y: i32) {
        if self.0.status.has_window {
            self.0.tx.send(if self.0.status.window_shown {
                Command::HideWindow
            } else {
                Command::ShowWindow
            });
        }
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let st = &self.0.status;
        let item = |label: &str, cmd: Command| -> MenuItem<Self> {
            StandardItem {
                label: label.into(),
                activate: Box::new(move |t: &mut Self| {
                    t.0.tx.send(cmd.clone());
                }),
                ..Default::default()
            }
            .into()
        };
        let mut menu = Vec::new();
        if st.has_window {
            menu.push(if st.window_shown {
                item("Hide window", Command::HideWindow)
            } else {
                item("Show window", Command::ShowWindow)
            });
            menu.push(item("Compact / full window", Command::ToggleCompact));
            menu.push(MenuItem::Separator);
        }
        menu.push(if st.paused {
            item("Resume", Command::Resume)
        } else {
            item("Pause", Command::Pause)
        });
        let minutes = |m: u64| Command::Snooze(Duration::from_secs(m * 60));
        menu.push(
            SubMenu {
                label: "Snooze".into(),
                submenu: vec![
                    item("15 minutes", minutes(15)),
                    item("30 minutes", minutes(30)),
                    item("1 hour", minutes(60)),
                    item("Until tomorrow", Command::SnoozeUntilTomorrow),
                ],
                ..Default::default()
            }
            .into(),
        );
        menu.push(item("Calibrate", Command::Calibrate));
        menu.push(item("Stretch now", Command::StretchNow));
        menu.push(item("Today's report", Command::Report));
        menu.push(MenuItem::Separator);
        menu.push(item("Quit", Command::Quit));
        menu
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        tracing::info!("the tray host went away ({reason:?}); the icon returns with it");
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ksni's error is the cause; the warning reads as it did.
    #[test]
    fn no_tray_keeps_ksni_s_error_as_its_cause() {
        use std::error::Error as _;
        let e = TrayError::Unavailable(ksni::Error::WontShow);
        let cause = ksni::Error::WontShow.to_string();
        assert!(e.source().is_some_and(|c| c.is::<ksni::Error>()));
        let said = format!(
            "no tray icon: the desktop offers no tray (StatusNotifierItem) host ({cause}); hunch goes on without it (the window's keys do the same; --no-tray silences this)"
        );
        assert_eq!(e.to_string(), said);
        assert_eq!(crate::app::error_line(&anyhow::Error::from(e)), said);
    }

    fn pixel(icon: &ksni::Icon, x: usize, y: usize) -> [u8; 4] {
        let i = (y * icon.width as usize + x) * 4;
        [
            icon.data[i],
            icon.data[i + 1],
            icon.data[i + 2],
            icon.data[i + 3],
        ]
    }

    #[test]
    fn icon_is_a_disc_in_the_indicator_colour() {
        for ind in [Indicator::Good, Indicator::Slumping, Indicator::Paused] {
            let ic = icon(ind, 32);
            assert_eq!(ic.data.len(), 32 * 32 * 4);
            // Transparent corner, opaque disc in the colour beside the mark.
            assert_eq!(pixel(&ic, 0, 0)[0], 0);
            let [a, r, g, b] = pixel(&ic, 6, 16);
            assert_eq!(a, 255);
            assert_eq!([r, g, b], ind.colour());
        }
        // The mark is white: the upright figure's trunk at the centre.
        assert_eq!(
            pixel(&icon(Indicator::Good, 32), 16, 20),
            [255, 255, 255, 255]
        );
    }
}
