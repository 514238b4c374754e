//! `--on-slouch`, `--on-recover`, `--on-prompt`: user commands run when the
//! posture state changes.
//!
//! A command is split into words like a shell would (quotes, backslashes)
//! and run directly, without a shell, unless `--hook-shell` asks for
//! `sh -c` (Windows: `cmd /C`). The state goes in environment variables:
//!
//! | variable | value |
//! |---|---|
//! | `HUNCH_EVENT` | `slouch`, `recover` or `prompt` |
//! | `HUNCH_STATE` | the state now (`forward_head`, `good`, ...) |
//! | `HUNCH_PREVIOUS_STATE` | the state before |
//! | `HUNCH_STATE_SECONDS` | seconds in the state that triggered the hook (the slumped one for `recover`) |
//! | `HUNCH_STRETCH` | the suggested stretch (prompts only) |
//!
//! Commands are started and reaped on a background thread, so a slow or
//! hanging hook never holds up the monitor. A hook that cannot start or
//! fails is reported once per hook, not on every event. Its standard output
//! is discarded (it must not mix with `--events -`); its errors show.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::posture::State;

/// Which hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HookEvent {
    /// Slumping started (`--on-slouch`).
    Slouch,
    /// Posture recovered (`--on-recover`).
    Recover,
    /// A stretch was prompted (`--on-prompt`).
    Prompt,
}

impl HookEvent {
    /// The value of `HUNCH_EVENT`.
    pub fn name(self) -> &'static str {
        match self {
            HookEvent::Slouch => "slouch",
            HookEvent::Recover => "recover",
            HookEvent::Prompt => "prompt",
        }
    }

    /// The flag that sets this hook.
    pub fn flag(self) -> &'static str {
        match self {
            HookEvent::Slouch => "--on-slouch",
            HookEvent::Recover => "--on-recover",
            HookEvent::Prompt => "--on-prompt",
        }
    }
}

/// What a hook is told.
#[derive(Clone, Debug, PartialEq)]
pub struct HookContext {
    pub event: HookEvent,
    pub state: State,
    pub previous: State,
    /// Seconds spent in the state that triggered the hook.
    pub state_seconds: f64,
    /// The stretch suggested, for prompts.
    pub stretch: Option<String>,
}

fn state_name(s: State) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl HookContext {
    /// The environment variables the command gets.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("HUNCH_EVENT", self.event.name().to_string()),
            ("HUNCH_STATE", state_name(self.state)),
            ("HUNCH_PREVIOUS_STATE", state_name(self.previous)),
            (
                "HUNCH_STATE_SECONDS",
                if self.state_seconds.is_finite() {
                    format!("{:.1}", self.state_seconds.max(0.0))
                } else {
                    "0.0".to_string()
                },
            ),
        ];
        if let Some(s) = &self.stretch {
            v.push(("HUNCH_STRETCH", s.clone()));
        }
        v
    }
}

/// A hook command could not be understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HookError {
    #[error("{flag} is empty: give a command, e.g. {flag} 'notify-send \"Sit up\"'")]
    Empty { flag: &'static str },
    #[error(
        "{flag} has an unbalanced quote or a trailing backslash; quote it like a shell command: {command}"
    )]
    Unparsable { flag: &'static str, command: String },
}

/// How one hook runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookCommand {
    pub program: String,
    pub args: Vec<String>,
}

impl HookCommand {
    /// Splits `command` into words (no shell), or wraps it for the shell.
    pub fn parse(flag: &'static str, command: &str, shell: bool) -> Result<HookCommand, HookError> {
        if command.trim().is_empty() {
            return Err(HookError::Empty { flag });
        }
        if shell {
            let (program, switch) = if cfg!(windows) {
                ("cmd", "/C")
            } else {
                ("sh", "-c")
            };
            return Ok(HookCommand {
                program: program.to_string(),
                args: vec![switch.to_string(), command.to_string()],
            });
        }
        let mut words = shlex::split(command)
            .ok_or_else(|| HookError::Unparsable {
                flag,
                command: command.to_string(),
            })?
            .into_iter();
        let program = words.next().ok_or(HookError::Empty { flag })?;
        Ok(HookCommand {
            program,
            args: words.collect(),
        })
    }
}

/// The hooks as configured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HookConfig {
    pub on_slouch: Option<String>,
    pub on_recover: Option<String>,
    pub on_prompt: Option<String>,
    /// Run through the shell (`--hook-shell`).
    pub shell: bool,
}

struct Job {
    event: HookEvent,
    command: HookCommand,
    env: Vec<(&'static str, String)>,
}

/// Runs hooks in the background. Dropping it stops the runner thread after
/// it has reaped what already finished; hooks still running are left to
/// finish on their own.
pub struct Hooks {
    slouch: Option<HookCommand>,
    recover: Option<HookCommand>,
    prompt: Option<HookCommand>,
    tx: Option<SyncSender<Job>>,
    runner: Option<JoinHandle<()>>,
    dropped_warned: bool,
}

impl Hooks {
    /// Checks the commands and, if any is set, starts the runner thread.
    pub fn new(config: &HookConfig) -> Result<Hooks, HookError> {
        let parse = |event: HookEvent, c: &Option<String>| {
            c.as_deref()
                .map(|c| HookCommand::parse(event.flag(), c, config.shell))
                .transpose()
        };
        let slouch = parse(HookEvent::Slouch, &config.on_slouch)?;
        let recover = parse(HookEvent::Recover, &config.on_recover)?;
        let prompt = parse(HookEvent::Prompt, &config.on_prompt)?;
        let mut hooks = Hooks {
            slouch,
            recover,
            prompt,
            tx: None,
            runner: None,
            dropped_warned: false,
        };
        if hooks.slouch.is_some() || hooks.recover.is_some() || hooks.prompt.is_some() {
            let (tx, rx) = mpsc::sync_channel::<Job>(16);
            let runner = std::thread::Builder::new()
                .name("hooks".to_string())
                .spawn(move || run_jobs(&rx));
            match runner {
                Ok(h) => {
                    hooks.tx = Some(tx);
                    hooks.runner = Some(h);
                }
                Err(e) => tracing::warn!("hooks disabled: cannot start their thread: {e}"),
            }
        }
        Ok(hooks)
    }

    /// True when this event has a command.
    pub fn has(&self, event: HookEvent) -> bool {
        self.command(event).is_some()
    }

    fn command(&self, event: HookEvent) -> Option<&HookCommand> {
        match event {
            HookEvent::Slouch => self.slouch.as_ref(),
            HookEvent::Recover => self.recover.as_ref(),
            HookEvent::Prompt => self.prompt.as_ref(),
        }
    }

    /// Starts the hook for `ctx.event`, if one is set. Never blocks: if 16
    /// hooks are already waiting to start, this one is dropped (with a
    /// warning, once).
    pub fn fire(&mut self, ctx: &HookContext) {
        let (Some(command), Some(tx)) = (self.command(ctx.event).cloned(), self.tx.as_ref()) else {
            return;
        };
        let job = Job {
            event: ctx.event,
            command,
            env: ctx.env(),
        };
        match tx.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                if !self.dropped_warned {
                    tracing::warn!(
                        "hooks are piling up; skipping {} this time",
                        ctx.event.flag()
                    );
                    self.dropped_warned = true;
                }
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

impl Drop for Hooks {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.runner.take() {
            let _ = h.join();
        }
    }
}

fn run_jobs(rx: &mpsc::Receiver<Job>) {
    let mut running: Vec<(HookEvent, String, Child)> = Vec::new();
    let mut warned: HashSet<HookEvent> = HashSet::new();
    let mut warn_once = |event: HookEvent, msg: String| {
        if warned.insert(event) {
            tracing::warn!("{msg} (further failures of this hook are not reported)");
        }
    };
    loop {
        let job = match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(job) => Some(job),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if let Some(job) = job {
            let mut cmd = Command::new(&job.command.program);
            cmd.args(&job.command.args)
                .envs(job.env.iter().map(|(k, v)| (*k, v.as_str())))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit());
            match cmd.spawn() {
                Ok(child) => running.push((job.event, job.command.program.clone(), child)),
                Err(e) => warn_once(
                    job.event,
                    format!(
                        "{} could not start \"{}\" ({e}); check the command is installed and on PATH",
                        job.event.flag(),
                        job.command.program
                    ),
                ),
            }
        }
        running.retain_mut(|(event, program, child)| match child.try_wait() {
            Ok(None) => true,
            Ok(Some(status)) => {
                if !status.success() {
                    warn_once(
                        *event,
                        format!("{} \"{program}\" failed ({status})", event.flag()),
                    );
                }
                false
            }
            Err(_) => false,
        });
    }
    // Reap what has finished; leave the rest running.
    for (_, _, mut child) in running {
        let _ = child.try_wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_like_a_shell_without_one() {
        let c = HookCommand::parse(
            "--on-slouch",
            r#"notify-send "Sit up" 'now please' a\ b"#,
            false,
        )
        .unwrap();
        assert_eq!(c.program, "notify-send");
        assert_eq!(c.args, ["Sit up", "now please", "a b"]);
        let c = HookCommand::parse("--on-slouch", "echo $HOME > x", false).unwrap();
        assert_eq!(
            c.args,
            ["$HOME", ">", "x"],
            "no shell: no expansion, no redirection"
        );
        let c = HookCommand::parse("--on-slouch", "echo $HOME > x", true).unwrap();
        if cfg!(unix) {
            assert_eq!(
                (c.program.as_str(), c.args.as_slice()),
                ("sh", &["-c".to_string(), "echo $HOME > x".to_string()][..])
            );
        }
    }

    #[test]
    fn bad_commands_name_their_flag() {
        let e = HookCommand::parse("--on-prompt", "say 'unbalanced", false).unwrap_err();
        assert!(e.to_string().starts_with("--on-prompt"), "{e}");
        let e = HookCommand::parse("--on-recover", "  ", false).unwrap_err();
        assert_eq!(
            e,
            HookError::Empty {
                flag: "--on-recover"
            }
        );
        let e = Hooks::new(&HookConfig {
            on_slouch: Some("ok".into()),
            on_recover: Some("\"".into()),
            ..HookConfig::default()
        })
        .err()
        .unwrap();
        assert!(e.to_string().contains("--on-recover"));
    }

    #[test]
    fn context_becomes_environment() {
        let ctx = HookContext {
            event: HookEvent::Prompt,
            state: State::ForwardHead,
            previous: State::Good,
            state_seconds: 31.04,
            stretch: Some("chin_tuck".into()),
        };
        let env = ctx.env();
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("HUNCH_EVENT"), Some("prompt"));
        assert_eq!(get("HUNCH_STATE"), Some("forward_head"));
        assert_eq!(get("HUNCH_PREVIOUS_STATE"), Some("good"));
        assert_eq!(get("HUNCH_STATE_SECONDS"), Some("31.0"));
        assert_eq!(get("HUNCH_STRETCH"), Some("chin_tuck"));
        let no_stretch = HookContext {
            stretch: None,
            state_seconds: f64::NAN,
            ..ctx
        };
        assert!(!no_stretch.env().iter().any(|(k, _)| *k == "HUNCH_STRETCH"));
        assert!(
            no_stretch
                .env()
                .contains(&("HUNCH_STATE_SECONDS", "0.0".to_string()))
        );
    }

    #[test]
    fn no_hooks_no_thread() {
        let mut h = Hooks::new(&HookConfig::default()).unwrap();
        assert!(h.runner.is_none());
        assert!(!h.has(HookEvent::Slouch));
        h.fire(&HookContext {
            event: HookEvent::Slouch,
            state: State::Slouch,
            previous: State::Good,
            state_seconds: 1.0,
            stretch: None,
        });
    }
}
