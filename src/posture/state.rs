//! The posture state over time: smoothing, hysteresis, onset delay,
//! persistence timer, cooldown, away, paused and snoozed.
//!
//! Driven only by the times passed in (seconds, any origin, never read from
//! a clock): frames whose time is not a number or runs backwards are ignored.
//!
//! Each frame's condition levels (see [`super::judge`]) are smoothed with an
//! exponential moving average whose weight follows the real time between
//! frames (`1 - exp(-dt / smoothing_s)`), so an uneven frame rate smooths the
//! same. A condition turns on when its smoothed level reaches 1 and off only
//! when it falls to 0.5: between the two it keeps its current value, so a
//! posture hovering near a threshold cannot make the state flicker. The state
//! these flags call for must then hold for `onset_s` (to a slumped or
//! looking-down state) or `recover_s` (back to good) before the state changes.
//!
//! Time spent in a slumped state (forward head, rounded shoulders, slouch)
//! adds up; looking down and short uncertain spells pause the count, good
//! posture or leaving resets it. When it reaches `slouch_s` a prompt is
//! raised, unless a prompt was raised or acknowledged less than `cooldown_s`
//! ago.

use serde::{Deserialize, Serialize};

use super::State;
use super::Verdict;
use super::judge::{ENTER_LEVEL, EXIT_LEVEL, Judgement};
use super::thresholds::StateConfig;

/// What kind of thing happened: the `kind` of an [`Event`] in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The state changed (`from`, `to`).
    State,
    /// Slumping lasted long enough: suggest a stretch (`state`, `slumped_s`).
    Prompt,
    /// The user acknowledged a prompt; the cooldown restarts.
    Acknowledged,
}

/// Something that happened at time `t`, each kind with exactly its fields.
///
/// In JSON, one object with `t` first, then `kind`, then the kind's fields:
/// `{"t": 12.5, "kind": "state", "from": "good", "to": "forward_head"}`,
/// `{"t": 42.5, "kind": "prompt", "state": "slouch", "slumped_s": 30.0}` or
/// `{"t": 50.0, "kind": "acknowledged"}` (the order of the struct this enum
/// replaced, which serde's own tagged enums would not keep: they put the tag
/// first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "Wire", try_from = "Wire")]
pub enum Event {
    /// The state changed.
    State { t: f64, from: State, to: State },
    /// Slumping lasted long enough: suggest a stretch.
    Prompt {
        t: f64,
        /// The state the prompt was raised in.
        state: State,
        /// Seconds of slumping behind the prompt.
        slumped_s: f64,
    },
    /// The user acknowledged a prompt; the cooldown restarts.
    Acknowledged { t: f64 },
}

impl Event {
    fn change(t: f64, from: State, to: State) -> Event {
        Event::State { t, from, to }
    }

    /// When it happened.
    pub fn t(&self) -> f64 {
        match *self {
            Event::State { t, .. } | Event::Prompt { t, .. } | Event::Acknowledged { t } => t,
        }
    }

    /// Its kind (the JSON `kind`).
    pub fn kind(&self) -> EventKind {
        match self {
            Event::State { .. } => EventKind::State,
            Event::Prompt { .. } => EventKind::Prompt,
            Event::Acknowledged { .. } => EventKind::Acknowledged,
        }
    }
}

/// An [`Event`] as it is written: the flat object of the documented key
/// order, with the fields a kind does not have left out.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    t: f64,
    kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<State>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<State>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<State>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    slumped_s: Option<f64>,
}

impl From<Event> for Wire {
    fn from(e: Event) -> Wire {
        let mut w = Wire {
            t: e.t(),
            kind: e.kind(),
            from: None,
            to: None,
            state: None,
            slumped_s: None,
        };
        match e {
            Event::State { from, to, .. } => {
                w.from = Some(from);
                w.to = Some(to);
            }
            Event::Prompt {
                state, slumped_s, ..
            } => {
                w.state = Some(state);
                w.slumped_s = Some(slumped_s);
            }
            Event::Acknowledged { .. } => {}
        }
        w
    }
}

/// Why a JSON object is not an [`Event`].
#[derive(Debug, thiserror::Error)]
#[error("a posture event of kind \"{kind}\" {problem}")]
pub struct WireError {
    kind: &'static str,
    problem: &'static str,
}

impl TryFrom<Wire> for Event {
    type Error = WireError;

    fn try_from(w: Wire) -> Result<Event, WireError> {
        let bad = |kind, problem| WireError { kind, problem };
        match (w.kind, w.from, w.to, w.state, w.slumped_s) {
            (EventKind::State, Some(from), Some(to), None, None) => {
                Ok(Event::State { t: w.t, from, to })
            }
            (EventKind::State, ..) => Err(bad("state", "needs `from` and `to`, nothing else")),
            (EventKind::Prompt, None, None, Some(state), Some(slumped_s)) => Ok(Event::Prompt {
                t: w.t,
                state,
                slumped_s,
            }),
            (EventKind::Prompt, ..) => {
                Err(bad("prompt", "needs `state` and `slumped_s`, nothing else"))
            }
            (EventKind::Acknowledged, None, None, None, None) => Ok(Event::Acknowledged { t: w.t }),
            (EventKind::Acknowledged, ..) => Err(bad("acknowledged", "has only `t` and `kind`")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Active,
    Paused,
    Snoozed { until: f64 },
}

/// One smoothed condition level with its hysteresis flag.
#[derive(Clone, Copy, Debug, Default)]
struct Channel {
    smoothed: Option<f64>,
    last_seen: f64,
    on: bool,
}

impl Channel {
    fn update(&mut self, t: f64, level: Option<f64>, alpha: f64, forget_after: f64) {
        match level.filter(|l| l.is_finite()) {
            Some(l) => {
                self.smoothed = Some(self.smoothed.map_or(l, |s| s + alpha * (l - s)));
                self.last_seen = t;
            }
            // Not judged in this frame (e.g. hips hidden for a moment): keep
            // the last value for a while, then forget it.
            None if t - self.last_seen > forget_after => self.smoothed = None,
            None => {}
        }
        self.on = match self.smoothed {
            Some(s) if self.on => s > EXIT_LEVEL,
            Some(s) => s >= ENTER_LEVEL,
            None => false,
        };
    }
}

/// The monitor's posture state over time.
#[derive(Clone, Debug)]
pub struct StateMachine {
    cfg: StateConfig,
    state: State,
    since: Option<f64>,
    mode: Mode,
    last_t: Option<f64>,
    forward_head: Channel,
    rounded_shoulders: Channel,
    looking_down: Channel,
    /// The state the flags call for and since when.
    pending: Option<(State, f64)>,
    absent_since: Option<f64>,
    unsure_since: Option<f64>,
    slumped_s: f64,
    cooldown_until: f64,
}

impl StateMachine {
    /// A machine in the `uncertain` state, before any frame.
    pub fn new(cfg: StateConfig) -> StateMachine {
        StateMachine {
            cfg,
            state: State::Uncertain,
            since: None,
            mode: Mode::Active,
            last_t: None,
            forward_head: Channel::default(),
            rounded_shoulders: Channel::default(),
            looking_down: Channel::default(),
            pending: None,
            absent_since: None,
            unsure_since: None,
            slumped_s: 0.0,
            cooldown_until: f64::NEG_INFINITY,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// When the current state began (`None` before the first frame).
    pub fn state_since(&self) -> Option<f64> {
        self.since
    }

    /// Progress of the persistence timer towards a prompt, 0..1 (for the
    /// overlay bar).
    pub fn prompt_progress(&self) -> f32 {
        (self.slumped_s / self.cfg.slouch_s).clamp(0.0, 1.0) as f32
    }

    /// The timings this machine runs with.
    pub fn config(&self) -> &StateConfig {
        &self.cfg
    }

    /// Feeds one frame at time `t_s`: its judgement, or `None` when no person
    /// was found (a judgement with verdict `no_person` counts the same).
    /// Returns what happened.
    pub fn update(&mut self, t_s: f64, judgement: Option<&Judgement>) -> Vec<Event> {
        let mut events = Vec::new();
        let Some(dt) = self.advance(t_s) else {
            return events;
        };
        match self.mode {
            Mode::Paused => return events,
            Mode::Snoozed { until } if t_s < until => return events,
            Mode::Snoozed { .. } => {
                self.mode = Mode::Active;
                self.reset();
                self.set_state(t_s, State::Uncertain, &mut events);
            }
            Mode::Active => {}
        }
        match judgement.filter(|j| j.verdict != Verdict::NoPerson) {
            None => {
                self.unsure_since = None;
                let since = *self.absent_since.get_or_insert(t_s);
                if t_s - since >= self.cfg.away_s && self.state != State::Away {
                    self.reset();
                    self.set_state(t_s, State::Away, &mut events);
                }
            }
            Some(j) if j.verdict == Verdict::Uncertain => {
                self.absent_since = None;
                let since = *self.unsure_since.get_or_insert(t_s);
                if t_s - since >= self.cfg.uncertain_s && self.state != State::Uncertain {
                    self.pending = None;
                    self.set_state(t_s, State::Uncertain, &mut events);
                }
            }
            Some(j) => {
                self.absent_since = None;
                self.unsure_since = None;
                self.follow(t_s, dt, j, &mut events);
            }
        }
        if self.state == State::Good {
            self.slumped_s = 0.0;
        }
        self.slumped_s = self.slumped_s.min(self.cfg.slouch_s);
        if self.state.is_slumped()
            && self.slumped_s >= self.cfg.slouch_s
            && t_s >= self.cooldown_until
        {
            events.push(Event::Prompt {
                t: t_s,
                state: self.state,
                slumped_s: self.slumped_s,
            });
            self.cooldown_until = t_s + self.cfg.cooldown_s;
            self.slumped_s = 0.0;
        }
        events
    }

    /// Stops judging until [`StateMachine::resume`]; the state is `paused`.
    pub fn pause(&mut self, t_s: f64) -> Vec<Event> {
        let mut events = Vec::new();
        if self.advance(t_s).is_some() && self.mode != Mode::Paused {
            self.mode = Mode::Paused;
            self.reset();
            self.set_state(t_s, State::Paused, &mut events);
        }
        events
    }

    /// Ends a pause or a snooze; the state is `uncertain` until frames decide.
    pub fn resume(&mut self, t_s: f64) -> Vec<Event> {
        let mut events = Vec::new();
        if self.advance(t_s).is_some() && self.mode != Mode::Active {
            self.mode = Mode::Active;
            self.reset();
            self.set_state(t_s, State::Uncertain, &mut events);
        }
        events
    }

    /// Stops judging and prompting until `until_s` (the first frame at or
    /// after it resumes); the state is `snoozed`.
    pub fn snooze(&mut self, t_s: f64, until_s: f64) -> Vec<Event> {
        let mut events = Vec::new();
        if self.advance(t_s).is_some() && until_s.is_finite() {
            self.mode = Mode::Snoozed { until: until_s };
            self.reset();
            self.set_state(t_s, State::Snoozed, &mut events);
        }
        events
    }

    /// The user answered a prompt: restart the cooldown and the persistence
    /// timer.
    pub fn prompt_acknowledged(&mut self, t_s: f64) -> Vec<Event> {
        if self.advance(t_s).is_none() {
            return Vec::new();
        }
        self.cooldown_until = t_s + self.cfg.cooldown_s;
        self.slumped_s = 0.0;
        vec![Event::Acknowledged { t: t_s }]
    }

    /// Accepts time `t` if it is a number and not earlier than the last one;
    /// returns the seconds since the last accepted time.
    fn advance(&mut self, t: f64) -> Option<f64> {
        if !t.is_finite() {
            return None;
        }
        let dt = match self.last_t {
            Some(last) if t < last => return None,
            Some(last) => t - last,
            None => 0.0,
        };
        self.last_t = Some(t);
        self.since.get_or_insert(t);
        Some(dt)
    }

    /// Forgets the smoothing, the flags and the slumping so far.
    fn reset(&mut self) {
        self.forward_head = Channel::default();
        self.rounded_shoulders = Channel::default();
        self.looking_down = Channel::default();
        self.pending = None;
        self.absent_since = None;
        self.unsure_since = None;
        self.slumped_s = 0.0;
    }

    fn set_state(&mut self, t: f64, to: State, events: &mut Vec<Event>) {
        if to != self.state {
            events.push(Event::change(t, self.state, to));
            self.state = to;
            self.since = Some(t);
        }
    }

    /// Smooths a usable frame's levels and moves towards the state they call for.
    fn follow(&mut self, t: f64, dt: f64, j: &Judgement, events: &mut Vec<Event>) {
        let alpha = if self.cfg.smoothing_s > 0.0 {
            1.0 - (-dt / self.cfg.smoothing_s).exp()
        } else {
            1.0
        };
        if self.state.is_slumped() {
            // Only frames that show the slump count, and a stalled camera
            // must not count as minutes of slumping.
            self.slumped_s += dt.min(self.cfg.uncertain_s.max(1.0));
        }
        let forget = self.cfg.uncertain_s;
        self.forward_head
            .update(t, j.levels.forward_head, alpha, forget);
        self.rounded_shoulders
            .update(t, j.levels.rounded_shoulders, alpha, forget);
        self.looking_down
            .update(t, j.levels.looking_down, alpha, forget);
        let wanted = match (
            self.forward_head.on,
            self.rounded_shoulders.on,
            self.looking_down.on,
        ) {
            (true, true, _) => State::Slouch,
            (true, false, _) => State::ForwardHead,
            (false, true, _) => State::RoundedShoulders,
            (false, false, true) => State::LookingDown,
            (false, false, false) => State::Good,
        };
        if wanted == self.state {
            self.pending = None;
            return;
        }
        let since = match self.pending {
            Some((p, since)) if p == wanted => since,
            _ => {
                self.pending = Some((wanted, t));
                t
            }
        };
        let delay = if wanted.is_slumped() || wanted == State::LookingDown {
            self.cfg.onset_s
        } else {
            self.cfg.recover_s
        };
        if t - since >= delay {
            if wanted.is_slumped() && !self.state.is_slumped() {
                // The slumping began when it was first seen, not when the
                // onset delay ran out.
                self.slumped_s += t - since;
            }
            self.pending = None;
            self.set_state(t, wanted, events);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::View;
    use crate::posture::judge::Levels;

    pub(crate) fn frame(fh: f64, rs: Option<f64>, ld: Option<f64>) -> Judgement {
        let verdict = if fh >= 1.0 {
            Verdict::ForwardHead
        } else {
            Verdict::Good
        };
        Judgement {
            verdict,
            view: View::Side,
            reason: None,
            levels: Levels {
                forward_head: Some(fh),
                rounded_shoulders: rs,
                looking_down: ld,
            },
            forward_head: None,
            rounded_shoulders: None,
            looking_down: None,
        }
    }

    fn uncertain() -> Judgement {
        Judgement {
            verdict: Verdict::Uncertain,
            ..frame(0.0, None, None)
        }
    }

    /// Runs frames every `step` seconds from `t0` to `t1` (exclusive).
    fn run(
        sm: &mut StateMachine,
        t0: f64,
        t1: f64,
        step: f64,
        j: Option<&Judgement>,
    ) -> Vec<Event> {
        let mut out = Vec::new();
        let mut t = t0;
        while t < t1 {
            out.extend(sm.update(t, j));
            t += step;
        }
        out
    }

    fn changes(events: &[Event]) -> Vec<(State, State)> {
        events
            .iter()
            .filter_map(|e| match *e {
                Event::State { from, to, .. } => Some((from, to)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn good_posture_settles_to_good_after_the_recovery_time() {
        let mut sm = StateMachine::new(StateConfig::default());
        let good = frame(0.2, Some(0.1), Some(0.0));
        let ev = run(&mut sm, 0.0, 1.0, 0.25, Some(&good));
        assert!(ev.is_empty());
        let ev = run(&mut sm, 1.0, 2.0, 0.25, Some(&good));
        assert_eq!(changes(&ev), vec![(State::Uncertain, State::Good)]);
        assert_eq!(ev[0].t(), 1.5);
        assert_eq!(sm.state_since(), Some(1.5));
    }

    #[test]
    fn slumping_needs_the_onset_delay_then_prompts_after_slouch_seconds() {
        let cfg = StateConfig::default();
        let mut sm = StateMachine::new(cfg.clone());
        let good = frame(0.2, None, None);
        let bad = frame(1.6, None, None);
        run(&mut sm, 0.0, 10.0, 0.25, Some(&good));
        assert_eq!(sm.state(), State::Good);
        // A 3-second slump (shorter than the 5 s onset) changes nothing.
        let ev = run(&mut sm, 10.0, 13.0, 0.25, Some(&bad));
        assert!(changes(&ev).is_empty());
        run(&mut sm, 13.0, 20.0, 0.25, Some(&good));
        assert_eq!(sm.state(), State::Good);
        // A long slump: forward head after the smoothing catches up plus the onset.
        let ev = run(&mut sm, 20.0, 60.0, 0.25, Some(&bad));
        let ch: Vec<_> = ev.iter().filter(|e| e.kind() == EventKind::State).collect();
        assert_eq!(ch.len(), 1);
        assert!(matches!(
            ch[0],
            Event::State {
                to: State::ForwardHead,
                ..
            }
        ));
        assert!(ch[0].t() > 25.0 && ch[0].t() < 27.0, "{}", ch[0].t());
        let prompts: Vec<_> = ev
            .iter()
            .filter(|e| e.kind() == EventKind::Prompt)
            .collect();
        assert_eq!(prompts.len(), 1);
        // 30 s after the slump was first seen, within the smoothing delay.
        assert!(
            prompts[0].t() > 50.0 && prompts[0].t() < 52.0,
            "{}",
            prompts[0].t()
        );
        assert!(matches!(
            prompts[0],
            Event::Prompt {
                state: State::ForwardHead,
                ..
            }
        ));
        // The cooldown holds back the next prompt for ten minutes.
        let ev = run(&mut sm, 60.0, 600.0, 1.0, Some(&bad));
        assert!(ev.iter().all(|e| e.kind() != EventKind::Prompt));
        let ev = run(&mut sm, 600.0, 700.0, 1.0, Some(&bad));
        assert_eq!(
            ev.iter().filter(|e| e.kind() == EventKind::Prompt).count(),
            1
        );
    }

    #[test]
    fn looking_down_never_prompts() {
        let mut sm = StateMachine::new(StateConfig::default());
        let down = frame(0.3, Some(0.2), Some(2.0));
        let ev = run(&mut sm, 0.0, 300.0, 0.25, Some(&down));
        assert_eq!(sm.state(), State::LookingDown);
        assert!(ev.iter().all(|e| e.kind() != EventKind::Prompt));
        assert_eq!(sm.prompt_progress(), 0.0);
    }

    #[test]
    fn both_conditions_make_a_slouch() {
        let mut sm = StateMachine::new(StateConfig::default());
        run(&mut sm, 0.0, 20.0, 0.25, Some(&frame(1.5, Some(1.5), None)));
        assert_eq!(sm.state(), State::Slouch);
    }

    #[test]
    fn nobody_for_a_while_is_away_and_resets_the_timer() {
        let mut sm = StateMachine::new(StateConfig::default());
        run(&mut sm, 0.0, 20.0, 0.25, Some(&frame(1.5, None, None)));
        assert_eq!(sm.state(), State::ForwardHead);
        assert!(sm.prompt_progress() > 0.3);
        let ev = run(&mut sm, 20.0, 29.0, 0.25, None);
        assert!(changes(&ev).is_empty());
        let ev = run(&mut sm, 29.0, 31.0, 0.25, None);
        assert_eq!(changes(&ev), vec![(State::ForwardHead, State::Away)]);
        assert_eq!(sm.prompt_progress(), 0.0);
    }

    #[test]
    fn a_few_unsure_frames_keep_the_state() {
        let mut sm = StateMachine::new(StateConfig::default());
        run(&mut sm, 0.0, 10.0, 0.25, Some(&frame(0.1, None, None)));
        assert_eq!(sm.state(), State::Good);
        let u = uncertain();
        let ev = run(&mut sm, 10.0, 12.0, 0.25, Some(&u));
        assert!(ev.is_empty());
        let ev = run(&mut sm, 12.0, 14.0, 0.25, Some(&u));
        assert_eq!(changes(&ev), vec![(State::Good, State::Uncertain)]);
    }

    #[test]
    fn pause_snooze_and_resume() {
        let mut sm = StateMachine::new(StateConfig::default());
        let bad = frame(1.5, None, None);
        run(&mut sm, 0.0, 20.0, 0.25, Some(&bad));
        let ev = sm.pause(20.0);
        assert_eq!(changes(&ev), vec![(State::ForwardHead, State::Paused)]);
        assert!(run(&mut sm, 20.0, 100.0, 1.0, Some(&bad)).is_empty());
        let ev = sm.resume(100.0);
        assert_eq!(changes(&ev), vec![(State::Paused, State::Uncertain)]);
        sm.snooze(101.0, 200.0);
        assert_eq!(sm.state(), State::Snoozed);
        assert!(run(&mut sm, 101.0, 200.0, 1.0, Some(&bad)).is_empty());
        let ev = sm.update(200.0, Some(&bad));
        assert_eq!(changes(&ev), vec![(State::Snoozed, State::Uncertain)]);
    }

    #[test]
    fn acknowledging_a_prompt_starts_the_cooldown() {
        let cfg = StateConfig {
            cooldown_s: 100.0,
            ..StateConfig::default()
        };
        let mut sm = StateMachine::new(cfg);
        let bad = frame(1.5, None, None);
        run(&mut sm, 0.0, 20.0, 0.25, Some(&bad));
        let ev = sm.prompt_acknowledged(20.0);
        assert_eq!(ev, vec![Event::Acknowledged { t: 20.0 }]);
        assert_eq!(sm.prompt_progress(), 0.0);
        let ev = run(&mut sm, 20.0, 119.0, 0.25, Some(&bad));
        assert!(ev.iter().all(|e| e.kind() != EventKind::Prompt));
        let ev = run(&mut sm, 119.0, 125.0, 0.25, Some(&bad));
        assert_eq!(
            ev.iter().filter(|e| e.kind() == EventKind::Prompt).count(),
            1
        );
    }

    #[test]
    fn time_that_is_not_a_number_or_runs_back_is_ignored() {
        let mut sm = StateMachine::new(StateConfig::default());
        let good = frame(0.1, None, None);
        run(&mut sm, 0.0, 5.0, 0.25, Some(&good));
        assert!(sm.update(f64::NAN, None).is_empty());
        assert!(sm.update(f64::INFINITY, None).is_empty());
        assert!(sm.update(1.0, None).is_empty());
        assert_eq!(sm.state(), State::Good);
        assert!(sm.pause(f64::NAN).is_empty());
    }

    /// Each kind as the JSON it has always been (`t`, then `kind`, then the
    /// kind's own fields, nothing else), and back to the same event.
    #[test]
    fn each_event_round_trips_through_json_in_the_documented_order() {
        let cases = [
            (
                Event::change(12.5, State::Good, State::ForwardHead),
                r#"{"t":12.5,"kind":"state","from":"good","to":"forward_head"}"#,
            ),
            (
                Event::Prompt {
                    t: 42.5,
                    state: State::Slouch,
                    slumped_s: 30.0,
                },
                r#"{"t":42.5,"kind":"prompt","state":"slouch","slumped_s":30.0}"#,
            ),
            (
                Event::Acknowledged { t: 50.0 },
                r#"{"t":50.0,"kind":"acknowledged"}"#,
            ),
        ];
        for (event, json) in cases {
            assert_eq!(serde_json::to_string(&event).unwrap(), json);
            assert_eq!(serde_json::from_str::<Event>(json).unwrap(), event);
        }
    }

    /// Objects with a kind's fields missing, or another kind's fields, are
    /// not events (the struct this enum replaced accepted them).
    #[test]
    fn json_with_the_wrong_fields_for_its_kind_is_refused() {
        for json in [
            r#"{"t":1.0,"kind":"state","from":"good"}"#,
            r#"{"t":1.0,"kind":"state","from":"good","to":"slouch","slumped_s":3.0}"#,
            r#"{"t":1.0,"kind":"prompt","state":"slouch"}"#,
            r#"{"t":1.0,"kind":"prompt","from":"good","state":"slouch","slumped_s":3.0}"#,
            r#"{"t":1.0,"kind":"acknowledged","state":"slouch"}"#,
            r#"{"t":1.0,"kind":"acknowledged","extra":1}"#,
            r#"{"kind":"acknowledged"}"#,
        ] {
            let err = serde_json::from_str::<Event>(json).unwrap_err();
            assert!(!err.to_string().is_empty(), "{json}");
        }
        let err = serde_json::from_str::<Event>(r#"{"t":1.0,"kind":"state"}"#).unwrap_err();
        assert!(err.to_string().contains("needs `from` and `to`"), "{err}");
    }
}
