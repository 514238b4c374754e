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
//! fails is reported once per hook, not on every event. Each hook runs in
//! its own process group and is stopped, with everything it started, when
//! it runs longer than `--hook-timeout` (30 s by default) or when hunch
//! exits. Its output goes to the log, a few lines at most per run (standard
//! output at `-v`, errors as warnings), never to hunch's standard output
//! (it must not mix with `--events -`).

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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

/// The hooks as configured: each command already parsed (the settings
/// parse `--on-*` once, with `--hook-shell`, and report a bad one there).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HookConfig {
    pub on_slouch: Option<HookCommand>,
    pub on_recover: Option<HookCommand>,
    pub on_prompt: Option<HookCommand>,
    /// Seconds a hook may run before it is stopped (`--hook-timeout`);
    /// `None` for [`DEFAULT_TIMEOUT_S`].
    pub timeout_s: Option<f64>,
}

impl HookConfig {
    /// The time limit of one hook run.
    pub fn timeout(&self) -> Duration {
        let s = self
            .timeout_s
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(DEFAULT_TIMEOUT_S);
        Duration::try_from_secs_f64(s).unwrap_or(Duration::from_secs(30))
    }
}

struct Job {
    event: HookEvent,
    command: HookCommand,
    env: Vec<(&'static str, String)>,
}

/// Default `--hook-timeout`, in seconds.
pub const DEFAULT_TIMEOUT_S: f64 = 30.0;

/// Lines of output logged per stream per hook run; the rest is read and
/// dropped (with one line saying how much).
const MAX_LOG_LINES: usize = 20;
/// Characters kept of one line of hook output.
const MAX_LINE_CHARS: usize = 200;
/// After SIGTERM, how long a hook gets before SIGKILL.
const KILL_GRACE: Duration = Duration::from_millis(500);
/// At exit, how long hooks still running may take to finish on their own.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// Runs hooks in the background. Each hook runs in its own process group,
/// is stopped (the whole group: SIGTERM, then SIGKILL) when it runs past
/// `--hook-timeout`, and its output goes to the log. Dropping it gives hooks
/// still running a second to finish, then stops and reaps every one, so
/// none outlives hunch.
pub struct Hooks {
    slouch: Option<HookCommand>,
    recover: Option<HookCommand>,
    prompt: Option<HookCommand>,
    tx: Option<SyncSender<Job>>,
    runner: Option<JoinHandle<()>>,
    dropped_warned: bool,
}

impl Hooks {
    /// Starts the runner thread if any command is set.
    pub fn new(config: &HookConfig) -> Hooks {
        let HookConfig {
            on_slouch: slouch,
            on_recover: recover,
            on_prompt: prompt,
            ..
        } = config.clone();
        let mut hooks = Hooks {
            slouch,
            recover,
            prompt,
            tx: None,
            runner: None,
            dropped_warned: false,
        };
        let timeout = config.timeout();
        if hooks.slouch.is_some() || hooks.recover.is_some() || hooks.prompt.is_some() {
            let (tx, rx) = mpsc::sync_channel::<Job>(16);
            let runner = std::thread::Builder::new()
                .name("hooks".to_string())
                .spawn(move || run_jobs(&rx, timeout));
            match runner {
                Ok(h) => {
                    hooks.tx = Some(tx);
                    hooks.runner = Some(h);
                }
                Err(e) => tracing::warn!("hooks disabled: cannot start their thread: {e}"),
            }
        }
        hooks
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

/// One hook process, running.
struct Running {
    event: HookEvent,
    program: String,
    child: Child,
    started: Instant,
    /// When SIGTERM was sent (the timeout passed, or hunch is exiting).
    terminated: Option<Instant>,
}

impl Running {
    /// Signals the hook's whole process group (its children too).
    fn signal_group(&self, signal: Signal) {
        #[cfg(unix)]
        {
            if let Ok(pid) = i32::try_from(self.child.id()) {
                // The group may already be gone; nothing to do then.
                let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), signal.nix());
            }
        }
        #[cfg(not(unix))]
        {
            let _ = signal;
        }
    }

    fn terminate(&mut self, now: Instant) {
        if self.terminated.is_none() {
            self.signal_group(Signal::Term);
            self.terminated = Some(now);
        }
    }

    fn kill(&mut self) {
        self.signal_group(Signal::Kill);
        let _ = self.child.kill();
    }
}

#[derive(Clone, Copy)]
enum Signal {
    Term,
    Kill,
}

#[cfg(unix)]
impl Signal {
    fn nix(self) -> nix::sys::signal::Signal {
        match self {
            Signal::Term => nix::sys::signal::Signal::SIGTERM,
            Signal::Kill => nix::sys::signal::Signal::SIGKILL,
        }
    }
}

fn spawn(job: &Job) -> std::io::Result<Child> {
    let mut cmd = Command::new(&job.command.program);
    cmd.args(&job.command.args)
        .envs(job.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group, so a timeout or hunch's exit can stop the
        // hook and whatever it started, and Ctrl-C in hunch's terminal goes
        // to hunch, which then stops its hooks itself.
        cmd.process_group(0);
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // If hunch is killed outright (SIGKILL, the OOM killer) it cannot
        // stop its hooks: the kernel does, for the hook itself, when the
        // thread that started it (the long-lived hooks thread) ends. What a
        // shell hook starts in turn is not covered (README, limits).
        let hunch = std::process::id();
        // SAFETY: between fork and exec the closure makes only two system
        // calls, prctl and getppid, both async-signal-safe, and allocates
        // nothing on its success path.
        unsafe {
            cmd.pre_exec(move || {
                nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
                // hunch died before the signal was set: do not run at all.
                if nix::unistd::getppid().as_raw() as u32 != hunch {
                    return Err(std::io::Error::other("hunch has ended"));
                }
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn()?;
    let flag = job.event.flag();
    if let Some(out) = child.stdout.take() {
        log_output(flag, "output", out);
    }
    if let Some(err) = child.stderr.take() {
        log_output(flag, "error output", err);
    }
    Ok(child)
}

/// Copies a hook's output stream to the log, bounded: at most
/// [`MAX_LOG_LINES`] lines of at most [`MAX_LINE_CHARS`] characters; the
/// rest is read (so the hook never blocks on a full pipe) and counted. The
/// thread ends when every process holding the pipe has closed it.
fn log_output(flag: &'static str, what: &'static str, stream: impl Read + Send + 'static) {
    let spawned = std::thread::Builder::new()
        .name("hook-output".to_string())
        .spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut line = Vec::new();
            let mut shown = 0usize;
            let mut dropped = 0usize;
            loop {
                line.clear();
                // Lines are read in bounded pieces: a hook printing one
                // endless line must not fill the memory.
                match (&mut reader).take(64 * 1024).read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if shown < MAX_LOG_LINES {
                    let text = String::from_utf8_lossy(&line);
                    let text = text.trim_end();
                    let cut: String = text.chars().take(MAX_LINE_CHARS).collect();
                    let more = if cut.len() < text.len() { " ..." } else { "" };
                    if what == "output" {
                        tracing::info!("{flag} {what}: {cut}{more}");
                    } else {
                        tracing::warn!("{flag} {what}: {cut}{more}");
                    }
                    shown += 1;
                } else {
                    dropped += 1;
                }
            }
            if dropped > 0 {
                tracing::info!("{flag}: {dropped} more lines of {what} not logged");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("{flag}: cannot read its {what} ({e}); it is discarded");
    }
}

fn run_jobs(rx: &mpsc::Receiver<Job>, timeout: Duration) {
    let mut running: Vec<Running> = Vec::new();
    let mut warned: HashSet<HookEvent> = HashSet::new();
    let mut warn_once = |event: HookEvent, msg: String| {
        if warned.insert(event) {
            tracing::warn!("{msg} (further failures of this hook are not reported)");
        }
    };
    loop {
        let job = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(job) => Some(job),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if let Some(job) = job {
            match spawn(&job) {
                Ok(child) => running.push(Running {
                    event: job.event,
                    program: job.command.program.clone(),
                    child,
                    started: Instant::now(),
                    terminated: None,
                }),
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
        let now = Instant::now();
        running.retain_mut(|r| {
            if !reap(r, &mut warn_once) {
                return false;
            }
            match r.terminated {
                None if now.duration_since(r.started) >= timeout => {
                    warn_once(
                        r.event,
                        format!(
                            "{} \"{}\" ran longer than --hook-timeout ({} s) and was stopped",
                            r.event.flag(),
                            r.program,
                            timeout.as_secs_f64()
                        ),
                    );
                    r.terminate(now);
                }
                Some(at) if now.duration_since(at) >= KILL_GRACE => r.kill(),
                _ => {}
            }
            true
        });
    }
    stop_all(running);
}

/// Reaps a finished hook (reporting a failure); true while it still runs.
fn reap(r: &mut Running, warn_once: &mut impl FnMut(HookEvent, String)) -> bool {
    match r.child.try_wait() {
        Ok(None) => true,
        Ok(Some(status)) => {
            // Stopped by us: already reported as a timeout (or hunch is exiting).
            if !status.success() && r.terminated.is_none() {
                warn_once(
                    r.event,
                    format!("{} \"{}\" failed ({status})", r.event.flag(), r.program),
                );
            }
            // Whatever it left running in its group goes too.
            r.signal_group(Signal::Kill);
            false
        }
        Err(_) => false,
    }
}

/// At exit: hooks still running get [`EXIT_GRACE`] to finish, then their
/// process groups are terminated, killed and every hook reaped.
fn stop_all(mut running: Vec<Running>) {
    let mut ignore = |_: HookEvent, _: String| {};
    let start = Instant::now();
    while !running.is_empty() && start.elapsed() < EXIT_GRACE {
        running.retain_mut(|r| reap(r, &mut ignore));
        if !running.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    if running.is_empty() {
        return;
    }
    tracing::info!("stopping {} hook(s) still running at exit", running.len());
    let now = Instant::now();
    for r in &mut running {
        r.terminate(now);
    }
    while !running.is_empty() && now.elapsed() < KILL_GRACE {
        running.retain_mut(|r| reap(r, &mut ignore));
        if !running.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    for mut r in running {
        r.kill();
        let _ = r.child.wait();
    }
}

impl crate::events::Sink for Hooks {
    /// `--on-slouch` when slumping starts, `--on-recover` when it ends (not
    /// by a pause or snooze), `--on-prompt` for each prompt.
    fn accept(&mut self, event: &crate::events::Event) {
        use crate::events::Event;
        let ctx = match event {
            Event::State {
                from,
                to,
                seconds_in_previous,
                ..
            } => {
                let (from, to) = (*from, *to);
                let event = if to.is_slumped() && !from.is_slumped() {
                    HookEvent::Slouch
                } else if from.is_slumped()
                    && !to.is_slumped()
                    && to != State::Paused
                    && to != State::Snoozed
                {
                    HookEvent::Recover
                } else {
                    return;
                };
                HookContext {
                    event,
                    state: to,
                    previous: from,
                    state_seconds: *seconds_in_previous,
                    stretch: None,
                }
            }
            Event::Prompt { stretch, about, .. } => HookContext {
                event: HookEvent::Prompt,
                state: about.state,
                previous: about.state,
                state_seconds: about.slumped_s,
                stretch: Some(stretch.clone()),
            },
            _ => return,
        };
        self.fire(&ctx);
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
        let mut h = Hooks::new(&HookConfig::default());
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
