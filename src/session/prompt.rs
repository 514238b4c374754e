//! The prompt's life (card, coach, summary) and runs of stretches (a
//! routine, or `hunch stretch`'s one): raising a prompt, choosing the
//! stretch within the frequency limits, moving a prompt along, closing it
//! and moving a run on. Pure, like the rest of the session.

use super::*;

impl Session {
    pub(super) fn raise_prompt(
        &mut self,
        t: f64,
        state: State,
        slumped_s: f64,
        out: &mut Vec<Event>,
    ) {
        if self.prompt.is_some() || self.run.is_some() || !matches!(self.mode, Mode::Monitor) {
            return;
        }
        let need = match state {
            State::ForwardHead => Need::ForwardHead,
            State::RoundedShoulders => Need::RoundedShoulders,
            _ => Need::Both,
        };
        let Some(stretch) = self.pick(t, need) else {
            return;
        };
        let mut reason = format!(
            "{} for {}",
            state.label(),
            crate::render::format_duration(slumped_s)
        );
        self.routine_offered = false;
        if self
            .routine_offer
            .on_prompt(local_day(self.cfg.start_unix + t))
        {
            // Slumping keeps coming back: offer the whole routine as well.
            let offer = if self.cfg.headless {
                self.routine_offer.text()
            } else {
                self.routine_offer.window_text()
            };
            reason = format!("{reason}; {offer}");
            self.notice = Some(format!("{ROUTINE_NOTICE}: {offer}"));
            self.routine_offered = !self.cfg.headless;
        }
        let id = self.next_prompt_id;
        self.next_prompt_id += 1;
        out.push(Event::Prompt {
            t,
            stretch: stretch.id.clone(),
            reason: reason.clone(),
            about: PromptAbout {
                id,
                name: stretch.name.clone(),
                dose: stretch.dose.label_counting(stretch.rep_word()),
                state,
                slumped_s,
            },
        });
        let prompt = ActivePrompt {
            id,
            stretch,
            need,
            reason,
            stage: Stage::Card {
                since: t,
                lead: PROMPT_LEAD_SECONDS,
            },
            rule: EndRule {
                timer_done: false,
                max_s: Some(COACH_MAX_SECONDS),
            },
            announce_at_coach: false,
        };
        if self.cfg.headless {
            // Nobody can follow along in a window: the prompt is a notice,
            // which the notification's buttons may still answer.
            self.machine.prompt_acknowledged(t);
            self.noticed = Some(prompt);
            return;
        }
        self.prompt = Some(prompt);
    }

    /// The stretch to offer at `t`, within the frequency limits (none: no prompt).
    pub(super) fn pick(&mut self, t: f64, need: Need) -> Option<&'static Stretch> {
        let limits = self.cfg.monitor.stretch_limits;
        let log = &self.prompt_log;
        let stretch = stretches::choose_allowed(
            stretches::library().ok()?,
            need,
            &self.recent_stretches,
            |s| log.allows(&limits, t, &s.id, s.estimated_s()),
        )?;
        self.prompt_log
            .record(t, &stretch.id, stretch.estimated_s());
        self.recent_stretches.push(stretch.id.as_str());
        if self.recent_stretches.len() > 6 {
            self.recent_stretches.remove(0);
        }
        Some(stretch)
    }

    /// Starts a run of stretches at `t`.
    pub(super) fn start_run(
        &mut self,
        t: f64,
        kind: RunKind,
        plan: Vec<Planned>,
        end_session: bool,
        out: &mut Vec<Event>,
    ) {
        let first = plan.first().copied();
        self.run = Some(Run {
            kind,
            plan,
            next: 0,
            done: Vec::new(),
            end_session,
            floor_pause: false,
        });
        match first {
            Some(p) => self.start_run_stretch(t, p, out),
            None => self.end_run(t),
        }
    }

    /// Puts the run's stretch `p` up (card, or straight to the coach for
    /// `hunch stretch`). Floor stretches pause the posture judgement: the
    /// user is away from the desk on purpose.
    pub(super) fn start_run_stretch(&mut self, t: f64, p: Planned, out: &mut Vec<Event>) {
        let Some(run) = &mut self.run else {
            return;
        };
        let id = self.next_prompt_id;
        self.next_prompt_id += 1;
        let n = run.plan.len();
        let k = run.next + 1;
        let (reason, stage, rule) = match run.kind {
            RunKind::One => (
                "started with `hunch stretch`".to_string(),
                {
                    let coach = Coach::new(p.stretch, t);
                    Stage::Coaching {
                        status: coach.status().clone(),
                        coach: Box::new(coach),
                    }
                },
                EndRule {
                    timer_done: self.cfg.headless,
                    max_s: None,
                },
            ),
            RunKind::Routine => (
                crate::routine::history_reason(k, n),
                Stage::Card {
                    since: t,
                    lead: crate::routine::LEAD_S,
                },
                EndRule {
                    timer_done: true,
                    max_s: Some(crate::routine::max_seconds(p.stretch)),
                },
            ),
        };
        let floor = p.stretch.equipment == Equipment::Floor;
        if floor && !run.floor_pause && matches!(self.mode, Mode::Monitor) {
            run.floor_pause = true;
            hold_for_floor(&mut self.machine, t);
        }
        let announce_now = run.kind == RunKind::One;
        self.prompt = Some(ActivePrompt {
            id,
            stretch: p.stretch,
            need: Need::Both,
            reason,
            stage,
            rule,
            announce_at_coach: !announce_now,
        });
        if announce_now {
            self.announce(t, out);
        }
    }

    /// Sends the prompt event of the stretch now up.
    pub(super) fn announce(&mut self, t: f64, out: &mut Vec<Event>) {
        let state = self.machine.state();
        let Some(p) = &mut self.prompt else {
            return;
        };
        p.announce_at_coach = false;
        out.push(Event::Prompt {
            t,
            stretch: p.stretch.id.clone(),
            reason: p.reason.clone(),
            about: PromptAbout {
                id: p.id,
                name: p.stretch.name.clone(),
                dose: p.stretch.dose.label_counting(p.stretch.rep_word()),
                state,
                slumped_s: 0.0,
            },
        });
    }

    /// Moves a prompt along: card, then coach, then summary.
    pub(super) fn advance_prompt(&mut self, t: f64, pose: Option<&Pose>, out: &mut Vec<Event>) {
        let Some(prompt) = &mut self.prompt else {
            return;
        };
        match &mut prompt.stage {
            Stage::Card { since, lead } => {
                if t - *since >= *lead {
                    let mut coach = Coach::new(prompt.stretch, t);
                    // The view of the last judgement (before this frame's).
                    if let Some(view) = self.last.as_ref().map(|a| a.judgement.view) {
                        coach = coach.with_view(view);
                    }
                    let status = coach.update(t, pose);
                    prompt.stage = Stage::Coaching {
                        coach: Box::new(coach),
                        status,
                    };
                    if prompt.announce_at_coach {
                        self.announce(t, out);
                    }
                }
            }
            Stage::Coaching { coach, status } => {
                *status = coach.update(t, pose);
                let result = if status.phase == Phase::Finished {
                    Some(coach.result())
                } else if prompt.rule.timer_done && status.time_remaining_s == Some(0.0) {
                    // Timed, not checked: the time ran out, so it is done.
                    Some(coach.mark_done(t))
                } else if prompt
                    .rule
                    .max_s
                    .is_some_and(|max| coach.result().duration_s > max)
                {
                    Some(coach.skip(t))
                } else {
                    None
                };
                if let Some(r) = result {
                    self.end_prompt(t, Some(r), out);
                }
            }
        }
    }

    /// Closes the prompt with the coach's result (None: snoozed), and moves
    /// a run on to its next stretch.
    pub(super) fn end_prompt(&mut self, t: f64, result: Option<CoachResult>, out: &mut Vec<Event>) {
        if self.prompt.as_ref().is_some_and(|p| p.announce_at_coach) {
            // A run's stretch ended on its card: announce it first.
            self.announce(t, out);
        }
        let Some(prompt) = self.prompt.take() else {
            return;
        };
        self.close_prompt(t, prompt, result, out);
    }

    pub(super) fn close_prompt(
        &mut self,
        t: f64,
        prompt: ActivePrompt,
        result: Option<CoachResult>,
        out: &mut Vec<Event>,
    ) {
        if self
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with(ROUTINE_NOTICE))
        {
            self.notice = None;
        }
        self.routine_offered = false;
        out.push(Event::PromptEnded {
            t,
            prompt_id: prompt.id,
            outcome: match &result {
                Some(r) => r.history_outcome(),
                None => Outcome::Snoozed,
            },
        });
        let in_run = self.run.is_some();
        if let Some(r) = &result {
            out.push(Event::Stretch {
                t,
                stretch: r.stretch_id.clone(),
                result: serde_json::to_value(r).unwrap_or_default(),
            });
            let until = t + if in_run {
                ROUTINE_SUMMARY_SECONDS
            } else {
                SUMMARY_SECONDS
            };
            self.summary = Some(Shown {
                card: summary_card(prompt.stretch, r),
                until,
            });
        }
        let Some(run) = &mut self.run else {
            self.machine.prompt_acknowledged(t);
            return;
        };
        if let Some(r) = result {
            run.done.push(Done {
                stretch: prompt.stretch,
                result: r,
            });
        }
        run.next += 1;
        let leaving_floor = run.floor_pause
            && run
                .plan
                .get(run.next)
                .is_none_or(|p| p.stretch.equipment != Equipment::Floor);
        if leaving_floor {
            run.floor_pause = false;
            release_floor_hold(&mut self.machine, t);
        }
        match run.plan.get(run.next).copied() {
            Some(_) if self.finishing => {}
            Some(p) => self.start_run_stretch(t, p, out),
            None => self.end_run(t),
        }
    }

    /// The run is over: the commands end; the monitor goes on watching.
    pub(super) fn end_run(&mut self, t: f64) {
        let Some(run) = self.run.take() else {
            return;
        };
        if run.floor_pause {
            release_floor_hold(&mut self.machine, t);
        }
        if run.end_session {
            self.quit = true;
            // Keep the results for the caller.
            self.run = Some(Run {
                plan: Vec::new(),
                next: 0,
                ..run
            });
        } else {
            if run.kind == RunKind::Routine {
                self.notice = Some(crate::routine::summary_line(
                    &run.done
                        .iter()
                        .map(|d| d.result.clone())
                        .collect::<Vec<_>>(),
                ));
            }
            self.machine.prompt_acknowledged(t);
        }
    }

    /// The user took up the routine offered with the prompt: it replaces
    /// the prompt's stretch.
    pub(super) fn accept_routine(&mut self, t: f64, out: &mut Vec<Event>) {
        let Ok(plan) = crate::routine::offered_plan() else {
            return;
        };
        if let Some(p) = self.prompt.take() {
            // The prompt is answered by the routine (its first stretch).
            out.push(Event::PromptEnded {
                t,
                prompt_id: p.id,
                outcome: Outcome::Skipped,
            });
        }
        if self
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with(ROUTINE_NOTICE))
        {
            self.notice = None;
        }
        self.routine_offered = false;
        self.start_run(t, RunKind::Routine, plan, false, out);
    }
}

/// A floor stretch takes the user away from the desk, so the state machine
/// is held: the time away counts as neither slumping nor away. This is the
/// one pause that bypasses `Session::machine_change` on purpose: it is not
/// the user's pause, so it reports no state event and the history shows the
/// stretch, not a pause.
fn hold_for_floor(machine: &mut StateMachine, t: f64) {
    let _silent = machine.pause(t);
}

/// Ends [`hold_for_floor`]; as silent as the hold.
fn release_floor_hold(machine: &mut StateMachine, t: f64) {
    let _silent = machine.resume(t);
}
