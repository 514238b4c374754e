//! Headless plumbing with real processes: hooks run without a shell (or
//! with one when asked), get the state in their environment, and never
//! hold up the caller.

#![cfg(unix)]

use crate::common::processes_with;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hunch::hooks::{HookCommand, HookConfig, HookContext, HookEvent, Hooks};
use hunch::posture::State;

fn wait_for(path: &Path) -> String {
    // Hooks run in the background; give them up to 20 s on a loaded machine.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with("END\n")
        {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the hook never wrote {}", path.display());
}

fn script(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("record env.sh");
    std::fs::write(&p, "#!/bin/sh\n{ env | grep '^HUNCH_' | sort; printf 'ARG=%s\\n' \"$2\"; echo END; } > \"$1\"\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn ctx(event: HookEvent) -> HookContext {
    HookContext {
        event,
        state: State::ForwardHead,
        previous: State::Good,
        state_seconds: 31.0,
        stretch: (event == HookEvent::Prompt).then(|| "chin_tuck".to_string()),
    }
}

#[test]
fn hooks_run_without_a_shell_with_the_state_in_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let s = script(dir.path());
    let out = dir.path().join("out file.txt");
    // Quoted words with spaces survive; `$HOME` is not expanded without a shell.
    let command = format!("'{}' '{}' '$HOME stays'", s.display(), out.display());
    let mut hooks = Hooks::new(&HookConfig {
        on_prompt: hook("--on-prompt", command, false),
        ..HookConfig::default()
    });
    assert!(hooks.has(HookEvent::Prompt) && !hooks.has(HookEvent::Slouch));
    hooks.fire(&ctx(HookEvent::Slouch)); // no --on-slouch: nothing runs
    hooks.fire(&ctx(HookEvent::Prompt));
    let text = wait_for(&out);
    assert!(text.contains("HUNCH_EVENT=prompt\n"), "{text}");
    assert!(text.contains("HUNCH_STATE=forward_head\n"), "{text}");
    assert!(text.contains("HUNCH_PREVIOUS_STATE=good\n"), "{text}");
    assert!(text.contains("HUNCH_STATE_SECONDS=31.0\n"), "{text}");
    assert!(text.contains("HUNCH_STRETCH=chin_tuck\n"), "{text}");
    assert!(text.contains("ARG=$HOME stays\n"), "{text}");
}

#[test]
fn hook_shell_runs_through_sh() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shell.txt");
    let command = format!(
        "echo \"$HUNCH_EVENT:$HUNCH_STATE\" > '{}' && echo END >> '{}'",
        out.display(),
        out.display()
    );
    let mut hooks = Hooks::new(&HookConfig {
        on_recover: hook("--on-recover", command, true),
        ..HookConfig::default()
    });
    let mut c = ctx(HookEvent::Recover);
    c.state = State::Good;
    c.previous = State::ForwardHead;
    hooks.fire(&c);
    assert_eq!(wait_for(&out), "recover:good\nEND\n");
}

#[test]
fn firing_does_not_wait_for_the_hook() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("slow.txt");
    let command = format!("sleep 1; echo END > '{}'", out.display());
    let mut hooks = Hooks::new(&HookConfig {
        on_slouch: hook("--on-slouch", command, true),
        ..HookConfig::default()
    });
    hooks.fire(&ctx(HookEvent::Slouch));
    assert!(
        !out.exists(),
        "fire returned only after the hook had finished"
    );
    assert_eq!(wait_for(&out), "END\n");
}

#[test]
fn a_missing_program_or_failing_hook_does_not_stop_anything() {
    let mut hooks = Hooks::new(&HookConfig {
        on_slouch: hook("--on-slouch", "/no/such/program --flag", false),
        on_recover: hook("--on-recover", "false", false),
        ..HookConfig::default()
    });
    for _ in 0..40 {
        hooks.fire(&ctx(HookEvent::Slouch));
        hooks.fire(&ctx(HookEvent::Recover));
    }
    drop(hooks);
}

/// An `--on-*` command as the settings parse it.
fn hook(flag: &'static str, command: impl AsRef<str>, shell: bool) -> Option<HookCommand> {
    Some(HookCommand::parse(flag, command.as_ref(), shell).unwrap())
}

/// Waits (up to 20 s on a loaded machine) until no process has `marker`.
fn wait_gone(marker: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if processes_with(marker).is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("still running: {:?}", processes_with(marker));
}

fn wait_exists(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the hook never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_hook_past_its_time_limit_is_stopped_with_everything_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let started = dir.path().join("started");
    // A marker only this test's processes carry.
    let marker = format!("1001.{}1", std::process::id());
    // The shell starts one sleep in the background and waits on another.
    let command = format!(
        "touch '{}'; sleep {marker} & sleep {marker}; wait",
        started.display()
    );
    let mut hooks = Hooks::new(&HookConfig {
        on_slouch: hook("--on-slouch", command, true),
        timeout_s: Some(0.5),
        ..HookConfig::default()
    });
    hooks.fire(&ctx(HookEvent::Slouch));
    wait_exists(&started);
    // The hooks are still alive: the time limit alone stops both sleeps.
    wait_gone(&marker);
    drop(hooks);
}

#[test]
fn no_hook_outlives_the_hooks() {
    let dir = tempfile::tempdir().unwrap();
    let started = dir.path().join("started");
    let sleep_marker = format!("1001.{}2", std::process::id());
    let yes_marker = format!("hunch-test-yes-{}", std::process::id());
    let mut hooks = Hooks::new(&HookConfig {
        on_slouch: hook(
            "--on-slouch",
            format!(
                "touch '{}'; sleep {sleep_marker} & sleep {sleep_marker}",
                started.display()
            ),
            true,
        ),
        // Floods its output, which goes to the log (bounded).
        on_recover: hook("--on-recover", format!("yes {yes_marker}"), true),
        ..HookConfig::default()
    });
    hooks.fire(&ctx(HookEvent::Slouch));
    hooks.fire(&ctx(HookEvent::Recover));
    wait_exists(&started);
    let start = Instant::now();
    while processes_with(&yes_marker).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(20), "yes never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Well within the 30 s limit: only the exit stops them.
    drop(hooks);
    wait_gone(&sleep_marker);
    wait_gone(&yes_marker);
}
