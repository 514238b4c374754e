//! The one key map: what each key does, the key's name on the keyboard, and
//! the words the window shows for it (the footer, the help card, the side
//! panel and the prompt card all read this table). Adding a key is one row
//! in [`BINDINGS`], one [`Key`] variant and its handling in the session.

/// What a key press asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// `space`: pause or resume (the camera is released while paused).
    PauseResume,
    /// `s`: snooze prompts for `--snooze-minutes`.
    Snooze,
    /// `c`: calibrate.
    Calibrate,
    /// `d`: the stretch is done.
    Done,
    /// `n`: another stretch (in a routine: skip to the next).
    Another,
    /// `r`: start the routine the prompt offers.
    Routine,
    /// `m`: mirror the picture on or off.
    Mirror,
    /// `q` or Esc: quit.
    Quit,
    /// `h`: show or hide the keys.
    Help,
    /// `k`: switch between the full window and the compact overlay (the
    /// desktop handles it, not the session).
    Compact,
}

/// Where the user is, which decides the keys that apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyContext {
    /// Watching.
    #[default]
    Monitor,
    /// A stretch prompt is up; `routine` when it offers the routine.
    Prompt { routine: bool },
    /// A routine runs (its own keys: done, skip).
    Routine,
    /// `hunch stretch`: one stretch.
    Stretch,
}

/// One key: its names on the keyboard (lower case, as the window reports
/// them), the name shown, a word for the footer, a line for the help card,
/// and a word for the prompt card (per context).
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub key: Key,
    pub names: &'static [&'static str],
    pub shown: &'static str,
    pub short: &'static str,
    pub help: &'static str,
}

/// Every key, in the order the help card lists them.
pub const BINDINGS: [Binding; 10] = [
    Binding {
        key: Key::PauseResume,
        names: &["space"],
        shown: "space",
        short: "pause",
        help: "Pause / resume (camera off)",
    },
    Binding {
        key: Key::Snooze,
        names: &["s"],
        shown: "s",
        short: "snooze",
        help: "Snooze prompts",
    },
    Binding {
        key: Key::Calibrate,
        names: &["c"],
        shown: "c",
        short: "calibrate",
        help: "Calibrate (sit upright, hold still)",
    },
    Binding {
        key: Key::Done,
        names: &["d"],
        shown: "d",
        short: "done",
        help: "Stretch done",
    },
    Binding {
        key: Key::Another,
        names: &["n"],
        shown: "n",
        short: "another",
        help: "Another stretch",
    },
    Binding {
        key: Key::Routine,
        names: &["r"],
        shown: "r",
        short: "routine",
        help: "Start the routine (when offered)",
    },
    Binding {
        key: Key::Mirror,
        names: &["m"],
        shown: "m",
        short: "mirror",
        help: "Mirror the picture",
    },
    Binding {
        key: Key::Compact,
        names: &["k"],
        shown: "k",
        short: "compact",
        help: "Compact overlay / full window",
    },
    Binding {
        key: Key::Help,
        names: &["h", "f1"],
        shown: "h",
        short: "keys",
        help: "Show / hide keys",
    },
    Binding {
        key: Key::Quit,
        names: &["q", "escape"],
        shown: "q",
        short: "quit",
        help: "Quit (or Esc)",
    },
];

/// The key a keyboard key's name (lower case: "d", "space", "escape",
/// "f1") stands for.
pub fn from_name(name: &str) -> Option<Key> {
    BINDINGS
        .iter()
        .find(|b| b.names.contains(&name))
        .map(|b| b.key)
}

fn binding(key: Key) -> &'static Binding {
    // Every key has a row: `every_key_has_one_binding` checks it.
    BINDINGS
        .iter()
        .find(|b| b.key == key)
        .unwrap_or(&BINDINGS[BINDINGS.len() - 1])
}

/// What a key does in `ctx`, in a word (None: it does nothing there).
pub fn word(key: Key, ctx: KeyContext) -> Option<&'static str> {
    let run = matches!(ctx, KeyContext::Routine | KeyContext::Stretch);
    match key {
        Key::PauseResume | Key::Snooze | Key::Calibrate if run => None,
        Key::Another if ctx == KeyContext::Routine => Some("skip"),
        Key::Another if ctx == KeyContext::Stretch => None,
        Key::Routine if ctx != (KeyContext::Prompt { routine: true }) => None,
        Key::Routine => Some("start the routine"),
        // Only the monitor has the compact overlay.
        Key::Compact if run => None,
        Key::Compact
        | Key::PauseResume
        | Key::Snooze
        | Key::Calibrate
        | Key::Done
        | Key::Another
        | Key::Mirror
        | Key::Quit
        | Key::Help => Some(binding(key).short),
    }
}

/// The help card's rows for `ctx`: (key shown, what it does).
pub fn help_rows(ctx: KeyContext) -> Vec<(&'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| word(b.key, ctx).is_some())
        .map(|b| match (b.key, ctx) {
            (Key::Another, KeyContext::Routine) => (b.shown, "Skip to the next stretch"),
            (Key::Done, KeyContext::Routine | KeyContext::Stretch) => (b.shown, "Stretch done"),
            _ => (b.shown, b.help),
        })
        .collect()
}

/// The footer's lines for `ctx`, longest first: the window shows the first
/// that fits.
pub fn footer_options(ctx: KeyContext) -> Vec<String> {
    let line = |keys: &[Key]| {
        keys.iter()
            .filter_map(|&k| word(k, ctx).map(|w| format!("{} {w}", binding(k).shown)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let all: Vec<Key> = BINDINGS.iter().map(|b| b.key).collect();
    let mut short = vec![
        Key::PauseResume,
        Key::Snooze,
        Key::Calibrate,
        Key::Done,
        Key::Another,
    ];
    if matches!(ctx, KeyContext::Routine | KeyContext::Stretch) {
        short.retain(|k| word(*k, ctx).is_some());
    } else {
        short.truncate(3);
    }
    vec![
        line(&all),
        format!("{} · h all keys · q quit", line(&short)),
        match ctx {
            KeyContext::Routine | KeyContext::Stretch => "h keys · d done · q quit".to_string(),
            KeyContext::Monitor | KeyContext::Prompt { .. } => {
                "h keys · space pause · q quit".to_string()
            }
        },
        "h keys".to_string(),
    ]
}

/// The keys a prompt or routine card lists: (key shown, word).
pub fn card_keys(ctx: KeyContext) -> Vec<(&'static str, &'static str)> {
    let keys: &[Key] = match ctx {
        KeyContext::Prompt { routine: true } => {
            &[Key::Routine, Key::Done, Key::Another, Key::Snooze]
        }
        KeyContext::Prompt { routine: false } | KeyContext::Monitor => {
            &[Key::Done, Key::Another, Key::Snooze]
        }
        KeyContext::Routine => &[Key::Done, Key::Another, Key::Quit],
        KeyContext::Stretch => &[Key::Done, Key::Quit],
    };
    keys.iter()
        .filter_map(|&k| word(k, ctx).map(|w| (binding(k).shown, w)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_one_binding_and_names_are_unique() {
        for k in [
            Key::PauseResume,
            Key::Snooze,
            Key::Calibrate,
            Key::Done,
            Key::Another,
            Key::Routine,
            Key::Mirror,
            Key::Quit,
            Key::Help,
            Key::Compact,
        ] {
            assert_eq!(BINDINGS.iter().filter(|b| b.key == k).count(), 1, "{k:?}");
        }
        let mut names: Vec<&str> = BINDINGS
            .iter()
            .flat_map(|b| b.names.iter().copied())
            .collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a keyboard key bound twice");
    }

    #[test]
    fn names_map_to_the_documented_actions() {
        assert_eq!(from_name("space"), Some(Key::PauseResume));
        assert_eq!(from_name("s"), Some(Key::Snooze));
        assert_eq!(from_name("c"), Some(Key::Calibrate));
        assert_eq!(from_name("d"), Some(Key::Done));
        assert_eq!(from_name("n"), Some(Key::Another));
        assert_eq!(from_name("r"), Some(Key::Routine));
        assert_eq!(from_name("m"), Some(Key::Mirror));
        assert_eq!(from_name("q"), Some(Key::Quit));
        assert_eq!(from_name("escape"), Some(Key::Quit));
        assert_eq!(from_name("h"), Some(Key::Help));
        assert_eq!(from_name("f1"), Some(Key::Help));
        assert_eq!(from_name("k"), Some(Key::Compact));
        assert_eq!(from_name("x"), None);
    }

    #[test]
    fn the_monitor_footer_is_as_before() {
        let f = footer_options(KeyContext::Monitor);
        assert_eq!(
            f[0],
            "space pause · s snooze · c calibrate · d done · n another · m mirror · k compact · h keys · q quit"
        );
        assert_eq!(
            f[1],
            "space pause · s snooze · c calibrate · h all keys · q quit"
        );
        assert_eq!(f[2], "h keys · space pause · q quit");
        assert_eq!(f[3], "h keys");
        assert_eq!(
            card_keys(KeyContext::Prompt { routine: false }),
            [("d", "done"), ("n", "another"), ("s", "snooze")]
        );
    }

    #[test]
    fn a_routine_shows_its_own_keys() {
        let cards = card_keys(KeyContext::Routine);
        assert_eq!(cards, [("d", "done"), ("n", "skip"), ("q", "quit")]);
        let f = footer_options(KeyContext::Routine);
        assert!(
            !f[0].contains("snooze") && !f[0].contains("pause"),
            "{}",
            f[0]
        );
        assert!(f[0].contains("n skip"), "{}", f[0]);
        assert!(
            help_rows(KeyContext::Routine)
                .iter()
                .all(|(k, _)| *k != "s")
        );
        assert_eq!(
            card_keys(KeyContext::Prompt { routine: true })[0],
            ("r", "start the routine")
        );
        assert!(word(Key::Routine, KeyContext::Monitor).is_none());
    }
}
