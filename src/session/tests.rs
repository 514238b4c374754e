//! Table tests of the session: the prompt -> coach -> summary lifecycle,
//! snooze, pause, calibration, runs of stretches (the routine inline, floor
//! stretches) and every key, on synthetic side-view poses and given times.

use clap::Parser;

use super::*;
use crate::cli::Cli;
use crate::history::Outcome as HistoryOutcome;
use crate::posture::metrics::tests::side_pose;

/// An upright person seen from the side, and the same with the head forward.
fn upright() -> Pose {
    side_pose(70.0, 0.0, 20.0)
}

fn slumped() -> Pose {
    side_pose(38.0, 0.0, 20.0)
}

fn config(headless: bool) -> SessionConfig {
    let cli = Cli::try_parse_from(["hunch"]).unwrap();
    let settings = crate::settings::Settings::from_cli(&cli).unwrap();
    let mut monitor = settings.monitor;
    monitor.no_window = headless;
    SessionConfig {
        headless,
        monitor,
        thresholds: settings.posture.thresholds,
        state: StateConfig {
            slouch_s: 20.0,
            ..StateConfig::default()
        },
        view: None,
        profile: None,
        start_unix: 1_700_000_000.0,
    }
}

fn monitor(headless: bool) -> Session {
    Session::new(Mode::Monitor, config(headless))
}

/// Feeds frames every `dt` from `from` up to (not including) `to`; returns
/// every event.
fn feed(s: &mut Session, from: f64, to: f64, dt: f64, pose: Option<&Pose>) -> Vec<Event> {
    let mut out = Vec::new();
    let mut t = from;
    while t < to - 1e-9 {
        out.extend(s.handle(Input::Frame {
            t,
            pose: pose.cloned(),
        }));
        t += dt;
    }
    out
}

fn key(s: &mut Session, key: Key, t: f64) -> Vec<Event> {
    s.handle(Input::Key { key, t })
}

fn command(s: &mut Session, command: Command, t: f64) -> Vec<Event> {
    s.handle(Input::External { command, t })
}

fn prompts(events: &[Event]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Prompt { stretch, .. } => Some(stretch.as_str()),
            _ => None,
        })
        .collect()
}

fn outcomes(events: &[Event]) -> Vec<HistoryOutcome> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::PromptEnded { outcome, .. } => Some(*outcome),
            _ => None,
        })
        .collect()
}

fn states(events: &[Event]) -> Vec<State> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::State { to, .. } => Some(*to),
            _ => None,
        })
        .collect()
}

fn pauses(events: &[Event]) -> Vec<PauseKind> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Pause { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect()
}

fn blank() -> image::RgbImage {
    image::RgbImage::new(64, 48)
}

#[test]
fn the_synthetic_poses_judge_as_intended() {
    let cfg = config(true);
    let judge = |p: &Pose| {
        posture::judge_pose(Some(p), None, None, &cfg.thresholds)
            .judgement
            .verdict
    };
    assert_eq!(judge(&upright()), Verdict::Good);
    assert_eq!(judge(&slumped()), Verdict::ForwardHead);
}

#[test]
fn slumping_for_slouch_seconds_prompts_then_card_coach_and_summary() {
    let mut s = monitor(false);
    let mut ev = feed(&mut s, 0.0, 10.0, 0.5, Some(&upright()));
    assert!(states(&ev).contains(&State::Good), "{ev:?}");
    // Slumped: the state follows after the onset, the prompt after
    // --slouch-seconds of it.
    // Frame by frame until the prompt comes.
    ev.clear();
    let mut t = 10.0;
    while prompts(&ev).is_empty() && t < 60.0 {
        ev.extend(feed(&mut s, t, t + 0.5, 0.5, Some(&slumped())));
        t += 0.5;
    }
    assert!(states(&ev).contains(&State::ForwardHead), "{ev:?}");
    let p: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Prompt {
                t, stretch, about, ..
            } => Some((*t, stretch.clone(), about.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(p.len(), 1, "{ev:?}");
    let (t_prompt, stretch, about) = &p[0];
    assert_eq!(stretch, "chin_tucks");
    assert_eq!(about.id, 1);
    assert_eq!(about.state, State::ForwardHead);
    assert!(about.slumped_s >= 20.0);
    // The card is up, with the prompt's keys.
    assert_eq!(s.key_context(), KeyContext::Prompt { routine: false });
    let img = blank();
    assert!(s.overlay(&img).prompt.is_some());
    // After the lead time the coach follows.
    let t0 = *t_prompt;
    feed(
        &mut s,
        t0 + 0.5,
        t0 + PROMPT_LEAD_SECONDS + 1.0,
        0.5,
        Some(&upright()),
    );
    {
        let m = s.overlay(&img);
        assert!(m.prompt.is_none() && m.coach.is_some());
    }
    // d: done; the summary shows, then goes.
    let t1 = t0 + PROMPT_LEAD_SECONDS + 1.0;
    let ev = key(&mut s, Key::Done, t1);
    assert_eq!(outcomes(&ev).len(), 1, "{ev:?}");
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::Stretch { stretch, .. } if stretch == "chin_tucks"))
    );
    assert!(s.overlay(&img).summary.is_some());
    assert_eq!(s.key_context(), KeyContext::Monitor);
    feed(
        &mut s,
        t1,
        t1 + SUMMARY_SECONDS + 1.0,
        0.5,
        Some(&upright()),
    );
    assert!(s.overlay(&img).summary.is_none());
}

#[test]
fn headless_prompts_are_notices_without_a_card() {
    let mut s = monitor(true);
    feed(&mut s, 0.0, 10.0, 0.5, Some(&upright()));
    let ev = feed(&mut s, 10.0, 45.0, 0.5, Some(&slumped()));
    assert_eq!(prompts(&ev), ["chin_tucks"]);
    assert!(outcomes(&ev).is_empty());
    assert_eq!(s.key_context(), KeyContext::Monitor);
    // The status line (headless) hears the state once a second.
    assert!(ev.iter().any(
        |e| matches!(e, Event::Status { key: "status", text, .. } if text.starts_with("Forward head for"))
    ));
}

#[test]
fn metrics_come_once_a_second() {
    let mut s = monitor(true);
    let ev = feed(&mut s, 0.0, 10.0, 0.25, Some(&upright()));
    let n = ev
        .iter()
        .filter(|e| matches!(e, Event::Metrics { .. }))
        .count();
    assert_eq!(n, 10);
}

#[test]
fn the_coach_gives_up_after_its_longest() {
    let mut s = monitor(false);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    let ev = command(&mut s, Command::StretchNow, 2.0);
    assert_eq!(prompts(&ev).len(), 1);
    let ev = feed(
        &mut s,
        2.0,
        2.0 + PROMPT_LEAD_SECONDS + COACH_MAX_SECONDS + 5.0,
        1.0,
        None,
    );
    assert_eq!(outcomes(&ev), [HistoryOutcome::Skipped], "{ev:?}");
}

#[test]
fn snooze_ends_the_prompt_and_holds_the_state() {
    let mut s = monitor(false);
    feed(&mut s, 0.0, 5.0, 0.5, Some(&upright()));
    command(&mut s, Command::StretchNow, 5.0);
    let ev = key(&mut s, Key::Snooze, 6.0);
    assert_eq!(outcomes(&ev), [HistoryOutcome::Snoozed]);
    assert_eq!(pauses(&ev), [PauseKind::Snoozed]);
    assert!(!ev.iter().any(|e| matches!(e, Event::Stretch { .. })));
    assert_eq!(s.state(), State::Snoozed);
    assert_eq!(
        s.overlay(&blank()).notice.as_deref(),
        Some("Snoozed for 30 min")
    );
    // Slumping while snoozed prompts nothing; the snooze ends by itself.
    let ev = feed(&mut s, 6.0, 60.0, 0.5, Some(&slumped()));
    assert!(prompts(&ev).is_empty());
    let ev = feed(
        &mut s,
        30.0 * 60.0 + 6.0,
        30.0 * 60.0 + 8.0,
        0.5,
        Some(&upright()),
    );
    assert!(states(&ev).contains(&State::Uncertain), "{ev:?}");
    // A snooze from outside takes its own length.
    let mut s = monitor(false);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    let ev = command(&mut s, Command::Snooze { seconds: 600.0 }, 2.0);
    assert_eq!(pauses(&ev), [PauseKind::Snoozed]);
    assert_eq!(
        s.overlay(&blank()).notice.as_deref(),
        Some("Snoozed for 10 min")
    );
}

#[test]
fn pause_and_resume_by_key_and_by_command() {
    let mut s = monitor(false);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    let ev = key(&mut s, Key::PauseResume, 2.0);
    assert_eq!(pauses(&ev), [PauseKind::Paused]);
    assert!(s.is_paused());
    assert_eq!(s.state(), State::Paused);
    assert!(
        s.overlay(&blank()).pose.is_none(),
        "no skeleton while paused"
    );
    // Pausing twice from outside changes nothing.
    assert!(command(&mut s, Command::Pause, 3.0).is_empty());
    let ev = key(&mut s, Key::PauseResume, 4.0);
    assert_eq!(pauses(&ev), [PauseKind::Resumed]);
    assert!(!s.is_paused());
    assert_eq!(s.state(), State::Uncertain);
    assert!(command(&mut s, Command::Resume, 5.0).is_empty());
    assert_eq!(
        pauses(&command(&mut s, Command::Pause, 6.0)),
        [PauseKind::Paused]
    );
    assert_eq!(
        pauses(&command(&mut s, Command::Resume, 7.0)),
        [PauseKind::Resumed]
    );
}

#[test]
fn calibration_records_a_profile_after_its_seconds() {
    let mut s = monitor(false);
    feed(&mut s, 0.0, 1.0, 0.5, Some(&upright()));
    assert!(key(&mut s, Key::Calibrate, 1.0).is_empty());
    assert!(matches!(
        s.overlay(&blank()).calibration,
        crate::render::CalibrationView::Calibrating { .. }
    ));
    let ev = feed(
        &mut s,
        1.0,
        1.0 + CALIBRATION_SECONDS + 0.5,
        0.25,
        Some(&upright()),
    );
    let profiles: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Calibrated { profile, .. } => Some(profile),
            _ => None,
        })
        .collect();
    assert_eq!(profiles.len(), 1, "{ev:?}");
    assert_eq!(profiles[0].view, View::Side);
    let notice = s.overlay(&blank()).notice.unwrap_or_default();
    assert!(notice.starts_with("Calibrated: "), "{notice}");
    // When the driver cannot save it, the calibration did not happen.
    s.calibration_failed(posture::PostureError::ProfileWrite {
        path: "/full/profile.toml".into(),
        source: std::io::Error::other("disk full"),
    });
    assert!(s.cfg.profile.is_none());
    let notice = s.overlay(&blank()).notice.unwrap_or_default();
    assert!(notice.starts_with("Calibration failed: "), "{notice}");
    assert!(notice.contains("disk full"), "{notice}");
    let Some(CalibrationEnd::NotSaved(e)) = s.take_calibration_end() else {
        panic!("not saved");
    };
    // The cause stays the cause, for the one line that reports it.
    assert_eq!(
        std::error::Error::source(&e).map(|c| c.to_string()),
        Some("disk full".to_string())
    );
    assert!(s.calibration_end().is_none(), "taken");
}

#[test]
fn calibration_without_a_person_fails_with_a_notice() {
    let mut s = monitor(false);
    command(&mut s, Command::Calibrate, 0.0);
    let ev = feed(&mut s, 0.0, CALIBRATION_SECONDS + 0.5, 0.25, None);
    assert!(!ev.iter().any(|e| matches!(e, Event::Calibrated { .. })));
    let notice = s.overlay(&blank()).notice.unwrap_or_default();
    assert!(notice.starts_with("Calibration failed"), "{notice}");
}

#[test]
fn calibrate_mode_ends_the_session_with_its_result() {
    let mut s = Session::new(Mode::Calibrate { seconds: 2.0 }, config(true));
    let ev = feed(&mut s, 0.0, 1.0, 0.2, Some(&upright()));
    assert!(!s.wants_quit());
    assert!(ev.iter().any(
        |e| matches!(e, Event::Status { key: "calibrate", text, .. } if text.starts_with("calibrating: "))
    ));
    assert!(
        !ev.iter().any(|e| matches!(e, Event::Metrics { .. })),
        "no samples"
    );
    let last = s.last_inference().unwrap();
    assert!((s.next_frame_due() - (last + 1.0 / CALIBRATE_FPS)).abs() < 1e-9);
    feed(&mut s, 1.0, 2.5, 0.2, Some(&upright()));
    assert!(s.wants_quit());
    match s.calibration_end() {
        Some(CalibrationEnd::Done { frames, .. }) => assert!(*frames >= 10, "{frames}"),
        other => panic!("{other:?}"),
    }
}

/// Every key in the monitor, by what it changes.
#[test]
fn every_key_does_what_the_key_map_says() {
    type Check = fn(&mut Session, &[Event]);
    let table: [(Key, bool, Check); 9] = [
        (Key::Quit, false, |s, _| assert!(s.wants_quit())),
        (Key::Help, false, |s, _| {
            assert!(s.overlay(&blank()).show_help)
        }),
        (Key::Mirror, false, |s, _| {
            assert!(!s.overlay(&blank()).mirror)
        }),
        (Key::PauseResume, false, |s, ev| {
            assert!(s.is_paused());
            assert_eq!(pauses(ev), [PauseKind::Paused]);
        }),
        (Key::Snooze, false, |s, ev| {
            assert_eq!(s.state(), State::Snoozed);
            assert_eq!(pauses(ev), [PauseKind::Snoozed]);
        }),
        (Key::Calibrate, false, |s, _| {
            assert!(s.calibrating.is_some());
        }),
        (Key::Done, true, |s, ev| {
            assert_eq!(outcomes(ev), [HistoryOutcome::DoneUnverified]);
            assert!(s.prompt.is_none());
        }),
        (Key::Another, true, |s, ev| {
            let p = s.prompt.as_ref().unwrap();
            assert_ne!(p.stretch.id, "shoulder_rolls", "another stretch");
            assert!(matches!(p.stage, Stage::Card { since, .. } if since == 3.0));
            // The swap is told (the notification names the new stretch),
            // for the same prompt; nothing ends.
            let [Event::PromptSwapped { t, about, .. }] = ev else {
                panic!("{ev:?}");
            };
            assert_eq!(*t, 3.0);
            assert_eq!(about.id, p.id);
            assert_eq!(about.name, p.stretch.name);
        }),
        // Not offered: r does nothing.
        (Key::Routine, true, |s, ev| {
            assert!(ev.is_empty());
            assert!(s.run.is_none());
        }),
    ];
    for (k, with_prompt, check) in table {
        let mut s = monitor(false);
        feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
        if with_prompt {
            // In the good state a stretch now serves both needs.
            let ev = command(&mut s, Command::StretchNow, 2.0);
            assert_eq!(prompts(&ev), ["shoulder_rolls"], "{k:?}");
        }
        let ev = key(&mut s, k, 3.0);
        check(&mut s, &ev);
    }
}

#[test]
fn the_camera_notice_follows_loss_and_return() {
    let mut s = monitor(true);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    let lost = CameraChange::Lost {
        message: "unplugged".into(),
    };
    let ev = s.handle(Input::Camera {
        change: lost,
        t: 2.5,
    });
    assert!(matches!(
        &ev[0],
        Event::Camera { status: CameraStatus::Lost, message, t } if message == "unplugged" && *t == 2.5
    ));
    assert!(
        matches!(&ev[1], Event::Status { key: "camera lost", text, .. } if text.contains("Camera lost (unplugged); retrying"))
    );
    let still = CameraChange::StillGone {
        notice: "Camera lost (busy); retrying".into(),
    };
    let ev = s.handle(Input::Camera {
        change: still,
        t: 4.0,
    });
    assert_eq!(ev.len(), 1);
    let back = CameraChange::Back {
        message: "camera is back after 3.0 s".into(),
    };
    let ev = s.handle(Input::Camera {
        change: back,
        t: 5.5,
    });
    assert!(matches!(
        &ev[0],
        Event::Camera {
            status: CameraStatus::Back,
            ..
        }
    ));
    assert!(s.overlay(&blank()).notice.is_none());
}

#[test]
fn quitting_while_coaching_skips_the_stretch_then_stops() {
    let mut s = monitor(false);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    command(&mut s, Command::StretchNow, 2.0);
    feed(
        &mut s,
        2.0,
        2.0 + PROMPT_LEAD_SECONDS + 1.0,
        0.5,
        Some(&upright()),
    );
    command(&mut s, Command::Quit, 14.0);
    assert!(s.wants_quit());
    let ev = s.finish(14.0);
    assert_eq!(outcomes(&ev), [HistoryOutcome::Skipped]);
    assert!(matches!(ev.last(), Some(Event::Stop { t }) if *t == 14.0));
    // A card never answered is not recorded.
    let mut s = monitor(false);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    command(&mut s, Command::StretchNow, 2.0);
    let ev = s.finish(3.0);
    assert!(outcomes(&ev).is_empty());
}

#[test]
fn hunch_stretch_coaches_one_stretch_and_ends() {
    let stretch = stretches::find("chin_tucks").unwrap();
    let mut s = Session::new(Mode::Stretch(stretch), config(false));
    let ev = feed(&mut s, 0.0, 1.0, 0.1, Some(&upright()));
    assert_eq!(prompts(&ev), ["chin_tucks"]);
    assert!(
        ev.iter()
            .all(|e| !matches!(e, Event::Metrics { .. } | Event::State { .. })),
        "a stretch is not a posture session: {ev:?}"
    );
    assert!(
        s.overlay(&blank()).coach.is_some(),
        "no card: straight to the coach"
    );
    assert_eq!(s.key_context(), KeyContext::Stretch);
    // Snooze and pause mean nothing here; d ends it.
    assert!(key(&mut s, Key::Snooze, 1.0).is_empty());
    assert!(key(&mut s, Key::PauseResume, 1.0).is_empty());
    let ev = key(&mut s, Key::Done, 1.0);
    assert_eq!(outcomes(&ev), [HistoryOutcome::DoneUnverified]);
    assert!(s.wants_quit());
    assert_eq!(s.done().len(), 1);
    let ev = s.finish(1.0);
    assert!(outcomes(&ev).is_empty(), "recorded once: {ev:?}");
}

#[test]
fn headless_timed_stretch_is_done_when_its_timer_runs_out() {
    let stretch = stretches::find("self_massage").unwrap();
    let mut s = Session::new(Mode::Stretch(stretch), config(true));
    let ev = feed(&mut s, 0.0, stretch.estimated_s() + 2.0, 0.5, None);
    assert_eq!(outcomes(&ev), [HistoryOutcome::DoneUnverified], "{ev:?}");
    assert!(s.wants_quit());
    assert!(ev.iter().any(
        |e| matches!(e, Event::Status { key: "coach", text, .. } if text.contains("s left (press d when done)"))
    ));
}

fn plan(ids: &[&str]) -> Vec<Planned> {
    ids.iter()
        .map(|id| Planned {
            stretch: stretches::find(id).unwrap(),
            section: "warm-up",
        })
        .collect()
}

#[test]
fn hunch_routine_runs_its_plan_with_its_own_keys() {
    let mut s = Session::new(
        Mode::Routine(plan(&["neck_rolls", "shoulder_shrugs", "chin_tucks"])),
        config(false),
    );
    feed(&mut s, 0.0, 1.0, 0.5, Some(&upright()));
    assert_eq!(s.key_context(), KeyContext::Routine);
    {
        let img = blank();
        let m = s.overlay(&img);
        let card = m.prompt.as_ref().unwrap();
        assert_eq!(card.title, "Neck rolls");
        assert_eq!(card.reason, "Routine 1 of 3 · warm-up");
        assert_eq!(card.dose, "5 circles", "neck rolls are counted in circles");
        assert_eq!(m.activity.as_deref(), Some("Routine 1 of 3 · warm-up"));
    }
    // The monitor's keys do nothing in a routine; n skips, d is done.
    for k in [Key::Snooze, Key::PauseResume, Key::Calibrate, Key::Routine] {
        assert!(key(&mut s, k, 1.0).is_empty(), "{k:?}");
    }
    let ev = key(&mut s, Key::Another, 1.0);
    assert_eq!(prompts(&ev), ["neck_rolls"], "announced, then skipped");
    assert_eq!(outcomes(&ev), [HistoryOutcome::Skipped]);
    // Shrugs: the card, then the coach announces it.
    let ev = feed(
        &mut s,
        1.0,
        1.0 + crate::routine::LEAD_S + 0.5,
        0.5,
        Some(&upright()),
    );
    assert_eq!(prompts(&ev), ["shoulder_shrugs"]);
    let ev = key(&mut s, Key::Done, 7.0);
    assert_eq!(outcomes(&ev), [HistoryOutcome::DoneUnverified]);
    // Quit on the last card: it and nothing else is skipped.
    key(&mut s, Key::Quit, 7.5);
    assert!(s.wants_quit());
    let ev = s.finish(7.5);
    assert_eq!(prompts(&ev), ["chin_tucks"]);
    assert_eq!(outcomes(&ev), [HistoryOutcome::Skipped]);
    let reasons: Vec<_> = s.done().iter().map(|d| d.stretch.id.as_str()).collect();
    assert_eq!(reasons, ["neck_rolls", "shoulder_shrugs", "chin_tucks"]);
}

#[test]
fn a_routine_without_frames_records_every_stretch_skipped() {
    let mut s = Session::new(
        Mode::Routine(plan(&["neck_rolls", "chin_tucks"])),
        config(true),
    );
    let ev = s.finish(0.0);
    assert_eq!(prompts(&ev), ["neck_rolls", "chin_tucks"]);
    assert_eq!(outcomes(&ev), [HistoryOutcome::Skipped; 2]);
    let reasons: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Prompt { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, ["routine: 1 of 2", "routine: 2 of 2"]);
}

#[test]
fn the_monitor_runs_the_offered_routine_inline_and_pauses_for_the_floor() {
    let mut cfg = config(false);
    cfg.monitor.routine_after = 1;
    let mut s = Session::new(Mode::Monitor, cfg);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    let ev = command(&mut s, Command::StretchNow, 2.0);
    let Some(Event::Prompt { reason, .. }) = ev.first() else {
        panic!("{ev:?}")
    };
    assert!(reason.contains("press r"), "{reason}");
    assert_eq!(s.key_context(), KeyContext::Prompt { routine: true });
    let ev = key(&mut s, Key::Routine, 3.0);
    assert_eq!(
        outcomes(&ev),
        [HistoryOutcome::Skipped],
        "the prompt is answered"
    );
    assert_eq!(s.key_context(), KeyContext::Routine);
    let full = crate::routine::offered_plan().unwrap();
    let floor_at = full.iter().position(|p| p.stretch.id == "cat_cow").unwrap();
    // Skip to cat-cow: the posture judging pauses (not "away").
    let mut t = 3.0;
    for _ in 0..floor_at {
        t += 1.0;
        key(&mut s, Key::Another, t);
    }
    assert_eq!(s.prompt.as_ref().unwrap().stretch.id, "cat_cow");
    assert_eq!(s.state(), State::Paused);
    assert_eq!(s.key_context(), KeyContext::Routine);
    let ev = feed(&mut s, t, t + 10.0, 1.0, None);
    assert!(!states(&ev).contains(&State::Away), "{ev:?}");
    assert_eq!(s.prompt.as_ref().unwrap().stretch.id, "cat_cow");
    // Coached at the coach's rate, not the paused monitor's.
    let fast = s.cfg.monitor.rate.fast_fps;
    let last = s.last_inference().unwrap();
    assert!((s.next_frame_due() - (last + 1.0 / fast)).abs() < 1e-9);
    {
        let img = blank();
        let m = s.overlay(&img);
        assert_eq!(m.state, State::Good, "not shown as paused");
        assert!(
            m.activity.is_some(),
            "the bar tells the routine, not 'Good for 0 s'"
        );
    }
    // Past the floor the judging resumes; at the end the monitor goes on.
    t += 11.0;
    key(&mut s, Key::Another, t);
    assert_eq!(s.state(), State::Uncertain);
    while s.run.is_some() {
        t += 1.0;
        key(&mut s, Key::Another, t);
    }
    assert!(!s.wants_quit());
    assert_eq!(s.key_context(), KeyContext::Monitor);
    let notice = s.overlay(&blank()).notice.unwrap_or_default();
    assert!(notice.starts_with("Routine: 0 of"), "{notice}");
}

#[test]
fn headless_offers_name_the_routine_command() {
    let mut cfg = config(true);
    cfg.monitor.routine_after = 1;
    let mut s = Session::new(Mode::Monitor, cfg);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    let ev = command(&mut s, Command::StretchNow, 2.0);
    let Some(Event::Prompt { reason, .. }) = ev.first() else {
        panic!("{ev:?}")
    };
    assert!(reason.contains("`hunch routine`"), "{reason}");
}

#[test]
fn pause_resume_and_snooze_report_the_state_change() {
    let mut s = monitor(true);
    feed(&mut s, 0.0, 5.0, 0.5, Some(&upright()));
    let ev = command(&mut s, Command::Pause, 5.0);
    assert_eq!(states(&ev), [State::Paused], "{ev:?}");
    assert_eq!(pauses(&ev), [PauseKind::Paused]);
    // Asked twice, nothing more happens.
    assert!(command(&mut s, Command::Pause, 6.0).is_empty());
    let ev = command(&mut s, Command::Resume, 7.0);
    assert_eq!(pauses(&ev), [PauseKind::Resumed]);
    assert!(!states(&ev).is_empty(), "{ev:?}");
    assert_ne!(s.state(), State::Paused);
    let ev = key(&mut s, Key::Snooze, 8.0);
    assert_eq!(states(&ev), [State::Snoozed], "{ev:?}");
}

#[test]
fn a_headless_prompt_can_be_answered_from_its_notification() {
    let mut s = monitor(true);
    feed(&mut s, 0.0, 2.0, 0.5, Some(&upright()));
    let ev = command(&mut s, Command::StretchNow, 2.0);
    assert_eq!(prompts(&ev).len(), 1, "{ev:?}");
    // The notification's done button: recorded done, not seen.
    let ev = key(&mut s, Key::Done, 5.0);
    assert_eq!(outcomes(&ev), [HistoryOutcome::DoneUnverified], "{ev:?}");
    assert!(ev.iter().any(|e| matches!(e, Event::Stretch { .. })));
    // Answered once only.
    assert!(key(&mut s, Key::Done, 6.0).is_empty());
    // Its snooze button ends the notice as snoozed.
    command(&mut s, Command::StretchNow, 7.0);
    let ev = command(&mut s, Command::Snooze { seconds: 600.0 }, 8.0);
    assert_eq!(outcomes(&ev), [HistoryOutcome::Snoozed], "{ev:?}");
}
