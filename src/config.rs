//! Configuration layers: every flag can also come from `HUNCH_*` environment
//! variables and from a TOML config file. Precedence: flag > environment >
//! file > default.
//!
//! - The file (`--config PATH` or `$HUNCH_CONFIG`, else `hunch/config.toml`
//!   in the user's config dir) takes the long flag names as keys:
//!   `slouch-seconds = 20`, `no-window = true`, `camera = "BRIO"`,
//!   `verbose = 1`. An unknown key or a value of the wrong kind is an error
//!   naming the key and its line.
//! - The environment takes `HUNCH_` and the flag name in upper snake case:
//!   `HUNCH_SLOUCH_SECONDS=20`, `HUNCH_NO_WINDOW=1` (also true/yes/on;
//!   0/false/no/off turn a switch off). Empty variables count as unset.
//!
//! The layering is generic: it reads the flags from clap's definition of
//! [`Cli`], so flags added later are layered without changes here. It works
//! by turning the file and environment values into command-line words placed
//! before the real ones (a key already given as a flag is not added again),
//! then parsing the whole with clap. Only the top-level and global flags can
//! be configured this way, not the flags of subcommands.
//!
//! After layering, [`Settings::build`] turns the values into typed settings,
//! checking them together; its errors name the flags, to which this module
//! adds where each value came from.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::settings::Settings;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The command line.
    Flag,
    /// An environment variable.
    Env { var: String },
    /// The config file, at this line.
    File { path: PathBuf, line: usize },
    /// Nobody set it.
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::Env { var } => write!(f, "env {var}"),
            Source::File { path, line } => write!(f, "file {}:{line}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// Why the configuration could not be put together.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A command-line error (or `--help`/`--version`): let clap print it.
    #[error(transparent)]
    Clap(#[from] clap::Error),
    #[error("cannot read the config file ({source}): check the path or pass another --config: {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file line {line}: {message}; fix that line: {}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("config file line {line}: unknown key \"{key}\"{hint}; keys are the long flag names (see hunch --help): {}", path.display())]
    UnknownKey {
        path: PathBuf,
        line: usize,
        key: String,
        hint: String,
    },
    #[error("config file line {line}: {key}: {message}; fix that line: {}", path.display())]
    FileValue {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("{origin}: {message}")]
    BadValue { origin: String, message: String },
    #[error("invalid configuration: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// The merged flags and where each came from.
#[derive(Debug)]
pub struct Layered {
    /// The flags after layering.
    pub cli: Cli,
    /// The same, as typed settings (checked once, while they were built).
    pub settings: Settings,
    /// clap's view of the same (for printing any flag generically).
    pub matches: clap::ArgMatches,
    /// For every configurable flag (keyed by its long name), its source.
    pub sources: BTreeMap<String, Source>,
    /// The config file consulted, whether it was found, and why this path.
    pub file: Option<PathBuf>,
    pub file_found: bool,
    pub file_source: Source,
}

impl Layered {
    /// The source of a flag's value (by long name).
    pub fn source(&self, long: &str) -> Source {
        self.sources.get(long).cloned().unwrap_or(Source::Default)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Switch,
    Count,
    Value { multi: bool },
}

#[derive(Clone, Debug)]
struct Spec {
    id: String,
    long: String,
    kind: Kind,
}

fn specs() -> Vec<Spec> {
    let cmd = Cli::command();
    cmd.get_arguments()
        .filter(|a| !a.is_positional())
        .filter_map(|a| {
            let long = a.get_long()?.to_string();
            if matches!(long.as_str(), "help" | "version") {
                return None;
            }
            let kind = match a.get_action() {
                ArgAction::SetTrue | ArgAction::SetFalse => Kind::Switch,
                ArgAction::Count => Kind::Count,
                ArgAction::Set | ArgAction::Append => Kind::Value {
                    multi: matches!(a.get_action(), ArgAction::Append)
                        || a.get_num_args().is_some_and(|r| r.max_values() > 1),
                },
                _ => return None,
            };
            Some(Spec {
                id: a.get_id().to_string(),
                long,
                kind,
            })
        })
        .collect()
}

/// The environment variable for a flag: `HUNCH_` + upper snake case.
pub fn env_var_name(long: &str) -> String {
    format!("HUNCH_{}", long.to_ascii_uppercase().replace('-', "_"))
}

fn parse_switch(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn flag_words(spec: &Spec, on: bool) -> Vec<OsString> {
    if on {
        vec![format!("--{}", spec.long).into()]
    } else {
        Vec::new()
    }
}

/// `--flag=value`, one word, so values starting with `-` stay values.
fn value_word(spec: &Spec, value: &str) -> OsString {
    format!("--{}={value}", spec.long).into()
}

fn count_words(spec: &Spec, n: u64) -> Vec<OsString> {
    (0..n.min(8))
        .map(|_| format!("--{}", spec.long).into())
        .collect()
}

/// The command-line words for an environment value.
fn env_words(spec: &Spec, var: &str, value: &str) -> Result<Vec<OsString>, ConfigError> {
    let bad = |message: String| ConfigError::BadValue {
        origin: var.to_string(),
        message,
    };
    match spec.kind {
        Kind::Switch => parse_switch(value)
            .map(|on| flag_words(spec, on))
            .ok_or_else(|| {
                bad(format!(
                    "\"{value}\" is not on or off; use 1/true/yes/on or 0/false/no/off"
                ))
            }),
        Kind::Count => match (value.trim().parse::<u64>(), parse_switch(value)) {
            (Ok(n), _) => Ok(count_words(spec, n)),
            (_, Some(on)) => Ok(count_words(spec, u64::from(on))),
            _ => Err(bad(format!("\"{value}\" is not a number"))),
        },
        Kind::Value { .. } => Ok(vec![value_word(spec, value)]),
    }
}

fn scalar_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

/// The command-line words for a file value, or why it does not fit.
fn file_words(spec: &Spec, value: &toml::Value) -> Result<Vec<OsString>, String> {
    match spec.kind {
        Kind::Switch => match value {
            toml::Value::Boolean(b) => Ok(flag_words(spec, *b)),
            other => Err(format!("expects true or false, not {}", other.type_str())),
        },
        Kind::Count => match value {
            toml::Value::Integer(n) if *n >= 0 => Ok(count_words(spec, *n as u64)),
            toml::Value::Boolean(b) => Ok(count_words(spec, u64::from(*b))),
            other => Err(format!("expects a number from 0 up, not {other}")),
        },
        Kind::Value { multi } => {
            let flag = OsString::from(format!("--{}", spec.long));
            match value {
                toml::Value::Array(items) if multi => {
                    let mut words = vec![flag];
                    for item in items {
                        words.push(
                            scalar_text(item)
                                .ok_or("expects a list of plain values")?
                                .into(),
                        );
                    }
                    Ok(words)
                }
                toml::Value::Array(_) => Err("expects one value, not a list".to_string()),
                toml::Value::Table(_) => Err("expects a value, not a table".to_string()),
                // One word, so that a negative number stays a value.
                v => Ok(vec![value_word(spec, &scalar_text(v).unwrap_or_default())]),
            }
        }
    }
}

/// Checks words alone with clap; the error is clap's first line.
fn check_words(prog: &OsString, words: &[OsString]) -> Result<(), String> {
    let mut argv = vec![prog.clone()];
    argv.extend(words.iter().cloned());
    Cli::command()
        .try_get_matches_from(argv)
        .map(|_| ())
        .map_err(|e| {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid value").trim();
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        })
}

/// The TOML reader's message, with the one it gives for a whole number too
/// big for 64 bits ("invalid type: integer `N` as i128, expected any valid
/// TOML value") put in words.
fn plain_toml_message(message: &str) -> String {
    let message = message.trim();
    let too_big = message
        .strip_prefix("invalid type: integer `")
        .and_then(|rest| rest.split_once('`'))
        .filter(|(_, rest)| rest.starts_with(" as i128"));
    match too_big {
        Some((number, _)) => format!(
            "the number {number} is too large (whole numbers must lie between {} and {})",
            i64::MIN,
            i64::MAX
        ),
        None => message.to_string(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// One key of the file: its words and line.
struct FileEntry {
    words: Vec<OsString>,
    line: usize,
}

fn read_file(
    path: &Path,
    text: &str,
    specs: &[Spec],
    prog: &OsString,
) -> Result<BTreeMap<String, FileEntry>, ConfigError> {
    let spans = toml::de::DeTable::parse(text).map_err(|e| ConfigError::Syntax {
        path: path.to_path_buf(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })?;
    let values: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.to_path_buf(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: plain_toml_message(e.message()),
    })?;
    let mut out = BTreeMap::new();
    for (key, _) in spans.get_ref().iter() {
        let name: &str = key.get_ref();
        let line = line_of(text, key.span().start);
        let Some(spec) = specs.iter().find(|s| s.long == name && name != "config") else {
            let hint = if name == "config" {
                " (the config file cannot name another config file)".to_string()
            } else {
                specs
                    .iter()
                    .map(|s| (edit_distance(name, &s.long), &s.long))
                    .filter(|(d, l)| *d <= 2 || 3 * *d <= l.len())
                    .min()
                    .map(|(_, l)| format!(" (did you mean \"{l}\"?)"))
                    .unwrap_or_default()
            };
            return Err(ConfigError::UnknownKey {
                path: path.to_path_buf(),
                line,
                key: name.to_string(),
                hint,
            });
        };
        let bad = |message: String| ConfigError::FileValue {
            path: path.to_path_buf(),
            line,
            key: name.to_string(),
            message,
        };
        let value = values
            .get(name)
            .ok_or_else(|| bad("the value could not be read".to_string()))?;
        let words = file_words(spec, value).map_err(bad)?;
        check_words(prog, &words).map_err(bad)?;
        out.insert(spec.long.clone(), FileEntry { words, line });
    }
    Ok(out)
}

/// The default config file: `hunch/config.toml` in the user's config dir.
pub fn default_config_path() -> Option<PathBuf> {
    crate::paths::config_dir().map(|d| d.join("config.toml"))
}

/// Layers the config file and environment under the command line `argv`
/// (with the program name first) and validates the result. `env` looks up
/// environment variables (pass `std::env::var_os` outside tests);
/// `default_file` is read when neither `--config` nor `HUNCH_CONFIG` names
/// a file (a missing default file is fine, a missing named one is not).
pub fn load(
    argv: Vec<OsString>,
    env: &dyn Fn(&str) -> Option<OsString>,
    default_file: Option<PathBuf>,
) -> Result<Layered, ConfigError> {
    let prog = argv.first().cloned().unwrap_or_else(|| "hunch".into());
    let real = Cli::command().try_get_matches_from(argv.clone())?;
    let specs = specs();
    let from_cli = |id: &str| real.value_source(id) == Some(ValueSource::CommandLine);
    let env_value = |var: &str| {
        env(var)
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.trim().is_empty())
    };

    // Which file.
    let config_var = env_var_name("config");
    let (file, file_source, explicit) = if from_cli("config") {
        (
            real.get_one::<PathBuf>("config").cloned(),
            Source::Flag,
            true,
        )
    } else if let Some(p) = env_value(&config_var) {
        (
            Some(PathBuf::from(p)),
            Source::Env { var: config_var },
            true,
        )
    } else {
        (default_file, Source::Default, false)
    };
    let mut file_found = false;
    let mut file_entries = BTreeMap::new();
    if let Some(path) = &file {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                file_found = true;
                file_entries = read_file(path, &text, &specs, &prog)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {}
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.clone(),
                    source: e,
                });
            }
        }
    }

    // Choose a layer per flag; collect the words.
    let mut file_words_all: Vec<OsString> = Vec::new();
    let mut env_words_all: Vec<OsString> = Vec::new();
    let mut chosen: BTreeMap<String, (Source, bool)> = BTreeMap::new();
    for spec in specs.iter().filter(|s| s.long != "config") {
        let var = env_var_name(&spec.long);
        let (source, words) = if from_cli(&spec.id) {
            (Source::Flag, Vec::new())
        } else if let Some(v) = env_value(&var) {
            let words = env_words(spec, &var, &v)?;
            check_words(&prog, &words).map_err(|message| ConfigError::BadValue {
                origin: var.clone(),
                message,
            })?;
            (Source::Env { var }, words)
        } else if let (Some(entry), Some(path)) = (file_entries.get(&spec.long), &file) {
            (
                Source::File {
                    path: path.clone(),
                    line: entry.line,
                },
                entry.words.clone(),
            )
        } else {
            (Source::Default, Vec::new())
        };
        let emitted = !words.is_empty();
        match &source {
            Source::Env { .. } => env_words_all.extend(words),
            Source::File { .. } => file_words_all.extend(words),
            _ => {}
        }
        chosen.insert(spec.long.clone(), (source, emitted));
    }
    if from_cli("config") || file_source != Source::Default {
        chosen.insert("config".to_string(), (file_source.clone(), true));
    }

    let mut merged = vec![prog];
    merged.extend(file_words_all);
    merged.extend(env_words_all);
    merged.extend(argv.into_iter().skip(1));
    let matches = Cli::command().try_get_matches_from(merged)?;
    let cli = Cli::from_arg_matches(&matches)?;

    let mut sources = BTreeMap::new();
    for spec in &specs {
        let (source, emitted) = chosen
            .get(&spec.long)
            .cloned()
            .unwrap_or((Source::Default, false));
        // A value that a later word overrode (--realtime then --no-realtime)
        // is back at its default.
        let overridden = emitted
            && matches!(
                matches.value_source(&spec.id),
                None | Some(ValueSource::DefaultValue)
            );
        sources.insert(
            spec.long.clone(),
            if overridden { Source::Default } else { source },
        );
    }
    // Every value checked once, as it becomes a typed setting; each
    // problem names the flag and where its value came from.
    let origin = |long: &str| match sources.get(long) {
        None | Some(Source::Default) => None,
        Some(s) => Some(s.to_string()),
    };
    let settings = Settings::build(&cli, file.clone(), &origin).map_err(ConfigError::Invalid)?;
    Ok(Layered {
        cli,
        settings,
        matches,
        sources,
        file,
        file_found,
        file_source,
    })
}

/// [`load`] from this process's arguments and environment.
pub fn load_from_process() -> Result<Layered, ConfigError> {
    load(
        std::env::args_os().collect(),
        &|k| std::env::var_os(k),
        default_config_path(),
    )
}

fn toml_value(text: &str) -> String {
    if text == "true" || text == "false" || text.parse::<f64>().is_ok_and(f64::is_finite) {
        text.to_string()
    } else {
        toml::Value::String(text.to_string()).to_string()
    }
}

/// Writes the effective configuration as a TOML file would hold it, each
/// value with its source; unset values as comments.
pub fn write_effective(out: &mut dyn std::io::Write, layered: &Layered) -> std::io::Result<()> {
    writeln!(
        out,
        "# hunch: effective configuration (flag > HUNCH_* environment > config file > default)"
    )?;
    writeln!(
        out,
        "# keys are the long flag names; each is also read from HUNCH_<KEY> (e.g. HUNCH_SLOUCH_SECONDS)"
    )?;
    match &layered.file {
        Some(p) => writeln!(
            out,
            "# config file: {} ({}{})",
            p.display(),
            if layered.file_found {
                "read"
            } else {
                "not found"
            },
            match &layered.file_source {
                Source::Default => String::new(),
                s => format!(", chosen by {s}"),
            }
        )?,
        None => writeln!(out, "# config file: none (no config dir on this system)")?,
    }
    let m = &layered.matches;
    let specs = specs();
    let width = specs.iter().map(|s| s.long.len()).max().unwrap_or(10);
    for spec in &specs {
        if spec.long == "config" {
            continue;
        }
        let source = layered.source(&spec.long);
        let value: Option<String> = match spec.kind {
            Kind::Switch => Some(m.get_flag(&spec.id).to_string()),
            Kind::Count => Some(m.get_count(&spec.id).to_string()),
            Kind::Value { .. } => m.get_raw(&spec.id).map(|vals| {
                vals.map(|v| v.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
        };
        let pad = width - spec.long.len();
        match (value, &source) {
            (Some(v), _) => {
                let line = format!("{}{} = {}", spec.long, " ".repeat(pad), toml_value(&v));
                writeln!(out, "{line:<50} # {source}")?;
            }
            (None, _) => {
                let default = crate::settings::default_text(&spec.long)
                    .map(|d| format!("default: {d}"))
                    .unwrap_or_else(|| "not set".to_string());
                writeln!(out, "# {}{} = ({default})", spec.long, " ".repeat(pad))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Env(HashMap<String, String>);

    impl Env {
        fn new(pairs: &[(&str, &str)]) -> Env {
            Env(pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect())
        }
        fn get(&self, k: &str) -> Option<OsString> {
            self.0.get(k).map(OsString::from)
        }
    }

    fn run(
        args: &[&str],
        env: &[(&str, &str)],
        file: Option<&str>,
    ) -> Result<Layered, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        let env = Env::new(env);
        let mut argv: Vec<OsString> = vec!["hunch".into()];
        argv.extend(args.iter().map(OsString::from));
        load(argv, &|k| env.get(k), Some(path))
    }

    fn ok(args: &[&str], env: &[(&str, &str)], file: Option<&str>) -> Layered {
        run(args, env, file).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn each_layer_beats_the_one_below() {
        let file =
            "fps = 3\nslouch-seconds = 20\ncamera = \"file-cam\"\nresolution = \"320x240\"\n";
        let env = [("HUNCH_FPS", "2.5"), ("HUNCH_CAMERA", "env-cam")];
        let l = ok(&["--camera", "flag-cam"], &env, Some(file));
        assert_eq!(l.cli.monitor.camera.as_deref(), Some("flag-cam"));
        assert_eq!(l.source("camera"), Source::Flag);
        assert_eq!(l.cli.monitor.fps, Some(2.5));
        assert_eq!(
            l.source("fps"),
            Source::Env {
                var: "HUNCH_FPS".into()
            }
        );
        assert_eq!(l.cli.common.posture.slouch_seconds, Some(20.0));
        assert!(matches!(
            l.source("slouch-seconds"),
            Source::File { line: 2, .. }
        ));
        assert_eq!(l.cli.monitor.resolution.as_deref(), Some("320x240"));
        assert_eq!(l.cli.monitor.snooze_minutes, None);
        assert_eq!(l.source("snooze-minutes"), Source::Default);
        assert!(l.file_found);
    }

    #[test]
    fn switches_can_be_turned_off_by_a_higher_layer() {
        let l = ok(
            &[],
            &[("HUNCH_NO_WINDOW", "off")],
            Some("no-window = true\n"),
        );
        assert!(!l.cli.monitor.no_window);
        assert_eq!(
            l.source("no-window"),
            Source::Env {
                var: "HUNCH_NO_WINDOW".into()
            }
        );
        let l = ok(&[], &[], Some("no-window = true\n"));
        assert!(l.cli.monitor.no_window);
        let l = ok(&[], &[("HUNCH_NO_WINDOW", "yes")], None);
        assert!(l.cli.monitor.no_window);
        // The later of an overriding pair wins: flag over file.
        let l = ok(&["--no-realtime"], &[], Some("realtime = true\n"));
        assert!(l.cli.monitor.no_realtime && !l.cli.monitor.realtime);
        assert_eq!(l.source("no-realtime"), Source::Flag);
        let l = ok(
            &[],
            &[("HUNCH_NO_REALTIME", "1")],
            Some("realtime = true\n"),
        );
        assert!(l.cli.monitor.no_realtime && !l.cli.monitor.realtime);
    }

    #[test]
    fn counts_and_globals_after_the_subcommand_layer_too() {
        let l = ok(&[], &[("HUNCH_VERBOSE", "2")], None);
        assert_eq!(l.cli.common.verbose, 2);
        let l = ok(&[], &[], Some("verbose = 1\nmodel = \"lite\"\n"));
        assert_eq!(l.cli.common.verbose, 1);
        // A global flag given after the subcommand still beats the file.
        let l = ok(
            &["config", "--model", "full"],
            &[],
            Some("model = \"lite\"\n"),
        );
        assert_eq!(l.cli.common.model, Some(crate::models::ModelChoice::Full));
        assert_eq!(l.source("model"), Source::Flag);
        assert!(matches!(l.cli.command, Some(crate::cli::Command::Config)));
    }

    #[test]
    fn unknown_keys_name_their_line_and_a_near_miss() {
        let err = run(&[], &[], Some("fps = 3\n\nslouch-secs = 20\n")).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, ConfigError::UnknownKey { line: 3, .. }),
            "{msg}"
        );
        assert!(
            msg.contains("\"slouch-secs\"") && msg.contains("did you mean \"slouch-seconds\""),
            "{msg}"
        );
        assert!(msg.ends_with("config.toml"), "{msg}");
        let err = run(&[], &[], Some("config = \"/x\"\n")).unwrap_err();
        assert!(err.to_string().contains("cannot name another config file"));
        let err = run(&[], &[], Some("[report]\ndays = 3\n")).unwrap_err();
        assert!(
            matches!(err, ConfigError::UnknownKey { line: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn wrong_types_name_key_and_line() {
        let err = run(&[], &[], Some("fps = 3\nno-window = \"yes\"\n")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("line 2") && msg.contains("no-window") && msg.contains("true or false"),
            "{msg}"
        );
        let err = run(&[], &[], Some("fps = \"fast\"\n")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("line 1") && msg.contains("fps") && msg.contains("fast"),
            "{msg}"
        );
        let err = run(&[], &[], Some("view = \"top\"\n")).unwrap_err();
        assert!(err.to_string().contains("top"), "{err}");
        let err = run(&[], &[], Some("fps = [1, 2]\n")).unwrap_err();
        assert!(err.to_string().contains("not a list"), "{err}");
        let err = run(&[], &[], Some("fps = \n")).unwrap_err();
        assert!(matches!(err, ConfigError::Syntax { line: 1, .. }), "{err}");
        let err = run(&[], &[], Some("fps = 2\nthreads = 99999999999999999999\n")).unwrap_err();
        assert!(
            matches!(err, ConfigError::Syntax { line: 2, .. })
                && err
                    .to_string()
                    .contains("99999999999999999999 is too large"),
            "{err}"
        );
        // Negative numbers reach the value checks as numbers.
        let err = run(&[], &[], Some("fps = -1\n")).unwrap_err();
        assert!(
            err.to_string().contains("--fps must be from 0.1 to 30"),
            "{err}"
        );
    }

    #[test]
    fn bad_environment_values_name_the_variable() {
        let err = run(&[], &[("HUNCH_NO_WINDOW", "maybe")], None).unwrap_err();
        assert!(err.to_string().starts_with("HUNCH_NO_WINDOW:"), "{err}");
        let err = run(&[], &[("HUNCH_CAMERA_FPS", "lots")], None).unwrap_err();
        assert!(err.to_string().starts_with("HUNCH_CAMERA_FPS:"), "{err}");
        // Empty and unrelated variables are ignored.
        let l = ok(
            &[],
            &[
                ("HUNCH_FPS", ""),
                ("HUNCH_SHARED_DATA", "/x"),
                ("HUNCH_STATE", "good"),
            ],
            None,
        );
        assert_eq!(l.cli.monitor.fps, None);
    }

    #[test]
    fn values_are_validated_together_naming_flags_and_sources() {
        let err = run(
            &["--camera-fps", "0"],
            &[("HUNCH_FPS", "0")],
            Some("resolution = \"big\"\n"),
        )
        .unwrap_err();
        let ConfigError::Invalid(errors) = &err else {
            panic!("{err}")
        };
        assert_eq!(errors.len(), 3, "{errors:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("--fps must be from 0.1 to 30") && msg.contains("from env HUNCH_FPS"),
            "{msg}"
        );
        assert!(
            msg.contains("--camera-fps must be from 1 to 240 (got 0, from flag)"),
            "{msg}"
        );
        assert!(
            msg.contains("--resolution must be WIDTHxHEIGHT") && msg.contains("config.toml:1"),
            "{msg}"
        );
        let err = run(&["--history", "h.db", "--no-history"], &[], None).unwrap_err();
        assert!(
            err.to_string().contains("--history and --no-history"),
            "{err}"
        );
        let err = run(&["--on-slouch", "say 'oops"], &[], None).unwrap_err();
        assert!(err.to_string().contains("--on-slouch"), "{err}");
        let err = run(&["--slouch-seconds", "NaN"], &[], None).unwrap_err();
        assert!(err.to_string().contains("--slouch-seconds"), "{err}");
        // An exit threshold past its enter threshold names both flags.
        let err = run(
            &["--forward-head-deg", "6"],
            &[],
            Some("forward-head-exit-deg = 9\n"),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("--forward-head-exit-deg (9)") && msg.contains("--forward-head-deg (6)"),
            "{msg}"
        );
        assert!(
            msg.contains("--forward-head-exit-deg from file")
                && msg.contains("--forward-head-deg from flag"),
            "{msg}"
        );
    }

    #[test]
    fn a_named_config_file_must_exist_the_default_need_not() {
        let l = ok(&[], &[], None);
        assert!(!l.file_found);
        let err = run(&["--config", "/nonexistent/hunch.toml"], &[], None).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }), "{err}");
        assert!(err.to_string().ends_with("/nonexistent/hunch.toml"));
        let err = run(&[], &[("HUNCH_CONFIG", "/nonexistent/env.toml")], None).unwrap_err();
        assert!(err.to_string().ends_with("/nonexistent/env.toml"), "{err}");
    }

    #[test]
    fn usage_errors_stay_clap_errors() {
        assert!(matches!(
            run(&["--no-such-flag"], &[], None),
            Err(ConfigError::Clap(_))
        ));
        let e = run(&["--help"], &[], None).unwrap_err();
        assert!(
            matches!(e, ConfigError::Clap(ref c) if c.kind() == clap::error::ErrorKind::DisplayHelp)
        );
    }

    #[test]
    fn every_flag_is_configurable_from_its_env_name() {
        for spec in specs() {
            let var = env_var_name(&spec.long);
            assert!(var.starts_with("HUNCH_") && !var.contains('-'), "{var}");
        }
        assert_eq!(env_var_name("slouch-seconds"), "HUNCH_SLOUCH_SECONDS");
        let longs: Vec<String> = specs().into_iter().map(|s| s.long).collect();
        for l in [
            "fps",
            "camera",
            "no-window",
            "on-slouch",
            "hook-shell",
            "hook-timeout",
            "events",
            "verbose",
            "model",
        ] {
            assert!(longs.iter().any(|x| x == l), "{l} missing from {longs:?}");
        }
    }

    #[test]
    fn effective_configuration_lists_values_and_sources() {
        let l = ok(
            &["--fps", "2"],
            &[("HUNCH_NO_WINDOW", "1")],
            Some("camera = \"BRIO\"\n"),
        );
        let mut out = Vec::new();
        write_effective(&mut out, &l).unwrap();
        let text = String::from_utf8(out).unwrap();
        let line = |key: &str| {
            text.lines()
                .find(|x| x.trim_start_matches("# ").starts_with(&format!("{key} ")))
                .unwrap_or_else(|| panic!("no {key} in\n{text}"))
                .to_string()
        };
        assert!(
            line("fps").contains("= 2") && line("fps").ends_with("# flag"),
            "{text}"
        );
        assert!(
            line("no-window").contains("= true")
                && line("no-window").ends_with("# env HUNCH_NO_WINDOW")
        );
        assert!(line("camera").contains("= \"BRIO\"") && line("camera").contains("config.toml:1"));
        assert!(
            line("snooze-minutes").contains("default: 30"),
            "{}",
            line("snooze-minutes")
        );
        assert!(text.contains("(read)"), "{text}");
    }
}
