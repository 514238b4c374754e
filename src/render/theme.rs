//! Colours: a dark, calm frame around the picture, muted state colours that
//! stay pleasant for hours (no alarm red for a mild slump).

use crate::posture::State;

use super::raster::Rgb;

/// Behind the picture and around it.
pub const BACKGROUND: Rgb = [20, 22, 26];
/// Panels (gauges, footer).
pub const PANEL: Rgb = [30, 33, 38];
/// Cards drawn over the picture.
pub const CARD: Rgb = [27, 30, 35];
/// Gauge tracks and other quiet shapes.
pub const TRACK: Rgb = [58, 63, 71];
/// Main text on dark.
pub const TEXT: Rgb = [236, 238, 241];
/// Secondary text on dark.
pub const MUTED: Rgb = [150, 157, 167];
/// Dark text for light backgrounds.
pub const INK: Rgb = [24, 26, 30];
/// Calibration and information accents.
pub const INFO: Rgb = [104, 152, 214];
/// Cautions (the safety line, notices).
pub const CAUTION: Rgb = [232, 190, 110];
/// A reading inside the user's limit.
pub const OK: Rgb = [110, 184, 132];
/// A reading past the user's limit.
pub const WARN: Rgb = [226, 168, 86];

/// The colour of a state: status bar, skeleton and accents.
pub fn state_colour(state: State) -> Rgb {
    match state {
        State::Good => [92, 163, 116],
        State::ForwardHead => [216, 163, 82],
        State::RoundedShoulders => [212, 150, 86],
        State::Slouch => [207, 116, 90],
        State::LookingDown => [96, 148, 184],
        State::Uncertain => [128, 135, 146],
        State::Away => [92, 104, 126],
        State::Paused => [106, 100, 130],
        State::Snoozed => [148, 132, 186],
    }
}

/// Relative luminance (WCAG) of an sRGB colour.
pub fn luminance(c: Rgb) -> f32 {
    let lin = |v: u8| {
        let v = v as f32 / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG contrast ratio between two colours (1..21).
pub fn contrast(a: Rgb, b: Rgb) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Text colour (light or dark) that reads best on `bg`.
pub fn text_on(bg: Rgb) -> Rgb {
    if contrast(TEXT, bg) >= contrast(INK, bg) {
        TEXT
    } else {
        INK
    }
}

/// `c` moved towards white by `k` (0..1).
pub fn lighten(c: Rgb, k: f32) -> Rgb {
    super::raster::mix(c, [255, 255, 255], k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_is_readable_on_every_state_colour() {
        for s in State::ALL {
            let bg = state_colour(s);
            let c = contrast(text_on(bg), bg);
            assert!(c >= 4.5, "{s:?}: contrast {c}");
        }
    }

    #[test]
    fn states_that_mean_different_things_look_different() {
        let d = |a: Rgb, b: Rgb| {
            (0..3)
                .map(|i| (a[i] as i32 - b[i] as i32).abs())
                .sum::<i32>()
        };
        let good = state_colour(State::Good);
        for s in [
            State::ForwardHead,
            State::Slouch,
            State::Away,
            State::Paused,
        ] {
            assert!(d(good, state_colour(s)) > 60, "{s:?}");
        }
        assert!(
            d(
                state_colour(State::ForwardHead),
                state_colour(State::Slouch)
            ) > 50
        );
    }
}
