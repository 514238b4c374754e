//! What the session looks like: the window's [`OverlayModel`], the cards
//! and panels of a stretch, the gauges, and the status line of a run. Pure.

use image::RgbImage;

use super::{ActivePrompt, Run, Session, Stage};
use crate::coach::{CoachResult, CoachStatus, Outcome, Phase};
use crate::posture::{self, Judgement};
use crate::render::{
    CalibrationView, CoachPanel, Countdown, Gauge, OverlayModel, PromptCard, SummaryCard,
};
use crate::stretches::{self, Stretch};

/// The window's picture model at the session's last inference.
pub(super) fn overlay<'a>(s: &'a Session, frame: &'a RgbImage) -> OverlayModel<'a> {
    let t = s.last_inference.unwrap_or(0.0);
    let mut model = OverlayModel::new(frame);
    model.pose = if s.paused { None } else { s.last_pose.as_ref() };
    model.mirror = s.mirror;
    model.state = s.machine.state();
    model.state_seconds = (t - s.machine.state_since().unwrap_or(t)).max(0.0);
    model.prompt_progress = s.machine.prompt_progress();
    model.view = s
        .last
        .as_ref()
        .and_then(|a| a.measurement.as_ref())
        .map(|m| m.view);
    model.fps = s.fps;
    if let Some(j) = s.last.as_ref().map(|a| &a.judgement) {
        (model.head, model.shoulders) = gauges(j);
    }
    model.calibration = match (&s.calibrating, &s.cfg.profile) {
        (Some(c), _) => CalibrationView::Calibrating {
            progress: ((t - c.since) / c.seconds).clamp(0.0, 1.0) as f32,
        },
        (None, Some(_)) => CalibrationView::Calibrated,
        // Every view is judged without calibration (general limits) once
        // a person is seen; until then the card invites calibrating. A
        // stretch or routine needs no calibration.
        (None, None) if model.head.is_some() || s.run.is_some() => CalibrationView::Calibrated,
        (None, None) => CalibrationView::NotCalibrated,
    };
    model.notice = s.notice.clone();
    model.show_help = s.show_help;
    model.summary = s.summary.as_ref().map(|sh| sh.card.clone());
    if let Some(p) = &s.prompt {
        let header = s.run.as_ref().map(run_header);
        match &p.stage {
            Stage::Card { since, lead } => {
                let reason = header.as_deref().unwrap_or(&p.reason);
                let mut card = prompt_card(p.stretch, reason, lead - (t - since));
                if let Some(c) = &mut card.countdown {
                    c.total_s = *lead as f32;
                }
                model.prompt = Some(card);
            }
            Stage::Coaching { status, .. } => {
                model.coach = Some(coach_panel(p.stretch, status));
                if s.run.is_some() {
                    // A run's last summary only shows over the next card.
                    model.summary = None;
                }
            }
        }
        // The status bar says where the run is (the card repeats it).
        model.activity = header;
    }
    if s.run.is_some() {
        model.prompt_progress = 0.0;
        if !s.paused && model.state == crate::posture::State::Paused {
            // A floor stretch pauses the judging (no gauges); the user did
            // not pause.
            model.state = crate::posture::State::Good;
            (model.head, model.shoulders) = (None, None);
        }
    }
    model.keys = s.key_context();
    model
}

/// "Routine 2 of 8 · warm-up": where a run is.
fn run_header(run: &Run) -> String {
    match run.kind {
        super::RunKind::One => match run.plan.first() {
            Some(p) => format!("Stretch: {}", p.stretch.name),
            None => "Stretch".to_string(),
        },
        super::RunKind::Routine => {
            let section = run.plan.get(run.next).map_or("", |p| p.section);
            format!(
                "Routine {} of {} · {section}",
                (run.next + 1).min(run.plan.len()),
                run.plan.len()
            )
        }
    }
}

/// The status line of a run (`hunch stretch`, `hunch routine`).
pub(super) fn run_status_text(one: bool, run: &Run, p: &ActivePrompt, t: f64) -> String {
    let stretch = p.stretch;
    if one {
        let Stage::Coaching { status, .. } = &p.stage else {
            return stretch.name.clone();
        };
        let text = match (
            status.reps_target,
            status.hold_remaining_s,
            status.time_remaining_s,
        ) {
            (n, _, _) if n > 0 => format!(
                "{}: {}/{} {}",
                stretch.name,
                status.reps_done,
                n,
                stretch.rep_word()
            ),
            (_, Some(h), _) => format!("{}: hold {:.0} s", stretch.name, h),
            (_, _, Some(r)) => format!("{}: {:.0} s left (press d when done)", stretch.name, r),
            _ => stretch.name.clone(),
        };
        let hint = status
            .hint
            .as_deref()
            .map(|h| format!(" — {h}"))
            .unwrap_or_default();
        return format!("{text}{hint}");
    }
    let header = run_header(run);
    match &p.stage {
        Stage::Card { since, lead } => format!(
            "{header}: next {} ({}) in {:.0} s",
            stretch.name,
            stretch.dose_label(),
            (lead - (t - since)).max(0.0)
        ),
        Stage::Coaching { status: st, .. } => {
            let what = match (st.reps_target, st.hold_remaining_s, st.time_remaining_s) {
                (n, _, _) if n > 0 => format!("{}/{}", st.reps_done, n),
                (_, Some(h), _) => format!("hold {h:.0} s"),
                (_, _, Some(r)) => format!("{r:.0} s left"),
                _ => String::new(),
            };
            let hint = st.hint.as_deref().unwrap_or("");
            format!("{header}: {} {what} — {hint}", stretch.name)
        }
    }
}

/// The forward-head and rounded-shoulder gauges for a judgement: each shows
/// the very reading its condition is judged on, so the gauge's colour (past
/// its limit or not) always agrees with the verdict it drives.
pub fn gauges(j: &Judgement) -> (Option<Gauge>, Option<Gauge>) {
    // A reading whose alarm sits below its all-clear gets worse downwards.
    let lower_is_worse = |r: &posture::Reading| r.enter < r.exit;
    (
        j.forward_head
            .map(|r| gauge("Forward head", &r, lower_is_worse(&r))),
        j.rounded_shoulders
            .map(|r| gauge("Rounded shoulders", &r, lower_is_worse(&r))),
    )
}

/// A gauge for a posture reading.
pub fn gauge(label: &str, r: &posture::Reading, worse_when_lower: bool) -> Gauge {
    let unit = match r.unit {
        posture::Unit::Deg => "°",
        posture::Unit::Pct => "%",
        posture::Unit::Cm => " cm",
    };
    // A scale wide enough to show the baseline, the limit and room past it.
    let typical = match r.unit {
        posture::Unit::Deg => 15.0,
        posture::Unit::Pct => 25.0,
        posture::Unit::Cm => 8.0,
    };
    let good_side = if worse_when_lower { 1.0 } else { -1.0 };
    let base = r.baseline.unwrap_or(r.enter + good_side * typical * 0.6);
    let pad = ((r.enter - base).abs() * 1.5).max(typical * 0.5);
    let (min, max) = (base.min(r.enter) - pad, base.max(r.enter) + pad);
    Gauge {
        label: label.to_string(),
        value: r.value as f32,
        baseline: r.baseline.map(|b| b as f32),
        threshold: Some(r.enter as f32),
        unit: unit.to_string(),
        min: min as f32,
        max: max as f32,
        worse_when_lower,
        reliable: r.value.is_finite(),
    }
}

/// The prompt card for a stretch.
pub fn prompt_card(stretch: &Stretch, reason: &str, remaining_s: f64) -> PromptCard {
    PromptCard {
        title: stretch.name.clone(),
        reason: reason.to_string(),
        steps: stretch.steps.clone(),
        dose: stretch.dose_label(),
        countdown: Some(Countdown {
            remaining_s: remaining_s.max(0.0) as f32,
            total_s: super::PROMPT_LEAD_SECONDS as f32,
            caption: "to start".into(),
        }),
        safety: stretches::SAFETY_LINE.to_string(),
        equipment: stretch.equipment.label().to_string(),
    }
}

/// The coach panel for a stretch in progress.
pub fn coach_panel(stretch: &Stretch, s: &CoachStatus) -> CoachPanel {
    CoachPanel {
        title: stretch.name.clone(),
        reps_done: s.reps_done,
        reps_target: (s.reps_target > 0).then_some(s.reps_target),
        hold_remaining_s: s.hold_remaining_s.map(|v| v as f32),
        time_remaining_s: s.time_remaining_s.map(|v| v as f32),
        hint: s.hint.clone(),
        verified: s.verified,
        paused: matches!(s.phase, Phase::Paused(_)),
        progress: s.progress,
        rep_word: stretch.rep_word(),
    }
}

/// The card shown when a stretch ends.
pub fn summary_card(stretch: &Stretch, r: &CoachResult) -> SummaryCard {
    let line = match &r.outcome {
        Outcome::DoneVerified { reps, held_s } => {
            if *reps > 0 {
                format!("{reps} {} seen by the camera", stretch.rep_word())
            } else {
                format!("Held {:.0} s, seen by the camera", held_s)
            }
        }
        Outcome::DoneUnverified => "Done (not checked by the camera)".to_string(),
        Outcome::Skipped => "Skipped".to_string(),
        Outcome::Incomplete { reps, .. } => {
            format!("Stopped after {reps} {}", stretch.rep_word())
        }
    };
    SummaryCard {
        title: stretch.name.clone(),
        lines: vec![
            line,
            format!("Took {}", crate::render::format_duration(r.duration_s)),
        ],
        verified: r.verified,
    }
}
