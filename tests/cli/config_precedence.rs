//! Configuration precedence through the real binary: flag > HUNCH_* env >
//! config file > default, as `hunch config` reports it.

use std::path::Path;
use std::process::Output;

/// Runs `hunch` with only the given HUNCH_* variables (the test's own are
/// removed) and a config dir that holds nothing.
fn hunch(args: &[&str], env: &[(&str, &str)], home: &Path) -> Output {
    let mut cmd = crate::common::hunch();
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("HUNCH_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .args(args)
        .envs(env.iter().copied());
    cmd.output().unwrap()
}

fn line<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find(|l| l.trim_start_matches("# ").starts_with(&format!("{key} ")))
        .unwrap_or_else(|| panic!("no line for {key} in\n{text}"))
}

#[test]
fn flag_beats_env_beats_file_beats_default() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("hunch.toml");
    std::fs::write(
        &file,
        "# my settings\nfps = 3\nslouch-seconds = 20\ncamera = \"file-cam\"\nno-window = true\n",
    )
    .unwrap();
    let cfg = file.to_str().unwrap();
    let out = hunch(
        &["--config", cfg, "--camera", "flag-cam", "config"],
        &[("HUNCH_FPS", "2.5"), ("HUNCH_CAMERA", "env-cam")],
        home.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let camera = line(&text, "camera");
    assert!(
        camera.contains("\"flag-cam\"") && camera.ends_with("# flag"),
        "{camera}"
    );
    let fps = line(&text, "fps");
    assert!(
        fps.contains("= 2.5") && fps.ends_with("# env HUNCH_FPS"),
        "{fps}"
    );
    let slouch = line(&text, "slouch-seconds");
    assert!(
        slouch.contains("= 20") && slouch.ends_with(&format!("# file {cfg}:3")),
        "{slouch}"
    );
    let window = line(&text, "no-window");
    assert!(
        window.contains("= true") && window.contains(cfg),
        "{window}"
    );
    let snooze = line(&text, "snooze-minutes");
    assert!(
        snooze.starts_with("# ") && snooze.contains("default: 30"),
        "{snooze}"
    );
    assert!(
        text.contains(&format!("config file: {cfg} (read, chosen by flag)")),
        "{text}"
    );
}

#[test]
fn env_names_the_config_file_and_the_default_file_is_found() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".config/hunch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "fps = 2\n").unwrap();
    let other = home.path().join("other.toml");
    std::fs::write(&other, "fps = 5\n").unwrap();

    let out = hunch(&["config"], &[], home.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(line(&text, "fps").contains("= 2"), "{text}");
    assert!(line(&text, "fps").contains("hunch/config.toml:1"), "{text}");

    let out = hunch(
        &["config"],
        &[("HUNCH_CONFIG", other.to_str().unwrap())],
        home.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(line(&text, "fps").contains("= 5"), "{text}");
    assert!(text.contains("chosen by env HUNCH_CONFIG"), "{text}");
}

#[test]
fn bad_files_and_values_fail_with_one_line_and_code_2() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("c.toml");
    std::fs::write(&file, "fps = 3\nno_window = true\n").unwrap();
    let out = hunch(
        &["--config", file.to_str().unwrap(), "config"],
        &[],
        home.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 2")
            && err.contains("no_window")
            && err.contains("did you mean \"no-window\""),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let out = hunch(&["config"], &[("HUNCH_FPS", "-1")], home.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--fps must be from 0.1 to 30") && err.contains("HUNCH_FPS"),
        "{err}"
    );

    // Usage errors keep clap's code and message.
    let out = hunch(&["--fps"], &[], home.path());
    assert_eq!(out.status.code(), Some(2));
}

/// Issue 13: config values name the real problem, in one line.
#[test]
fn config_file_numbers_name_the_real_problem() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("c.toml");
    let run = |text: &str, extra: &[&str]| {
        std::fs::write(&file, text).unwrap();
        let mut args = vec!["--config", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push("config");
        let out = hunch(&args, &[], home.path());
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        err
    };
    // A negative number is a value out of range, not "an unexpected argument".
    let err = run("fps = -1\n", &[]);
    assert!(
        err.contains("--fps must be from 0.1 to 30") && err.contains("(got -1, from file"),
        "{err}"
    );
    assert!(!err.contains("unexpected argument"), "{err}");
    // A number too big for TOML says so.
    let err = run("fps = 99999999999999999999\n", &[]);
    assert!(err.contains("line 1") && err.contains("too large"), "{err}");
    // A rate so low the monitor would never look again is refused, from any layer.
    let err = run("", &["--fps", "0.0000000001"]);
    assert!(
        err.contains("--fps must be from 0.1 to 30 inferences a second (got 0.0000000001"),
        "{err}"
    );
}
