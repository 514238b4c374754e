//! How often to run pose inference: the main lever on CPU use.
//!
//! Posture changes over seconds, not milliseconds, so the monitor runs
//! inference at a low base rate (`--fps`), briefly faster while the state is
//! changing (so a transition is confirmed quickly and the window follows the
//! user) or while a stretch is being coached (to follow the movement), and
//! slower while the user is away or hunch is snoozed. While paused there is
//! no inference at all. Pure: the time is passed in.

use crate::posture::State;

/// The rates, in inferences per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatePolicy {
    /// The usual rate (`--fps`).
    pub base_fps: f64,
    /// While a stretch is coached (reps need a fine time resolution).
    pub fast_fps: f64,
    /// While the state is changing: enough samples to settle the change
    /// within the onset delay, without the cost of the coaching rate.
    pub change_fps: f64,
    /// While away or snoozed.
    pub idle_fps: f64,
    /// Seconds the fast rate lasts after the last sign of change.
    pub fast_hold_s: f64,
}

/// Default `--fps`. Posture changes over seconds; at 2 inferences a second
/// the 5 s onset delay still sees 10 frames, and the whole monitor stays near
/// 3% of one core (`hunch bench cpu`, README).
pub const DEFAULT_FPS: f64 = 2.0;
/// Highest `--fps` accepted.
pub const MAX_FPS: f64 = 30.0;
/// Lowest `--fps` accepted: one inference every 10 s. Slower would leave
/// the monitor blind for longer than a slouch takes to be confirmed.
pub const MIN_FPS: f64 = 0.1;

impl Default for RatePolicy {
    fn default() -> Self {
        RatePolicy::with_base(DEFAULT_FPS)
    }
}

impl RatePolicy {
    /// The policy for a base rate: fast (coaching) is 2.5 x base (at least
    /// 10, at most 30), changing is 2 x base (at most fast), idle is a
    /// quarter of base (at least 1, at most base), the changing rate holds
    /// for 3 s. A nonsensical base falls back to the default.
    pub fn with_base(base_fps: f64) -> Self {
        let base = if base_fps.is_finite() && base_fps > 0.0 {
            base_fps.clamp(MIN_FPS, MAX_FPS)
        } else {
            DEFAULT_FPS
        };
        let fast_fps = (base * 2.5).clamp(10.0_f64.min(MAX_FPS), MAX_FPS).max(base);
        RatePolicy {
            base_fps: base,
            fast_fps,
            change_fps: (base * 2.0).min(fast_fps),
            idle_fps: (base / 4.0).clamp(1.0_f64.min(base), base),
            fast_hold_s: 3.0,
        }
    }

    /// The rate for a situation; `None` while paused (no inference).
    pub fn fps(&self, a: &Activity) -> Option<f64> {
        if a.paused {
            return None;
        }
        let rate = if a.coaching {
            self.fast_fps
        } else if a.changing {
            self.change_fps
        } else if a.idle {
            self.idle_fps
        } else {
            self.base_fps
        };
        Some(sane_rate(rate))
    }
}

fn sane_rate(r: f64) -> f64 {
    if r.is_finite() && r > 0.0 {
        r.clamp(0.05, MAX_FPS)
    } else {
        DEFAULT_FPS
    }
}

/// What the loop is doing, as far as the rate is concerned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// The state changed recently, or the frames disagree with the state.
    pub changing: bool,
    /// A stretch is being coached.
    pub coaching: bool,
    /// Nobody there, or snoozed: check rarely.
    pub idle: bool,
    /// Paused: the camera is released, no inference.
    pub paused: bool,
}

/// Tracks recent change and turns the policy into inference times.
#[derive(Clone, Debug)]
pub struct Scheduler {
    policy: RatePolicy,
    last_change_s: Option<f64>,
}

impl Scheduler {
    pub fn new(policy: RatePolicy) -> Self {
        Scheduler {
            policy,
            last_change_s: None,
        }
    }

    pub fn policy(&self) -> &RatePolicy {
        &self.policy
    }

    /// Tells the scheduler about a result at `now_s`: the state after it, and
    /// whether that inference suggested a change (the state changed, or the
    /// frame's verdict differs from the state, i.e. a transition is pending).
    pub fn observe(&mut self, now_s: f64, suggests_change: bool) {
        if suggests_change && now_s.is_finite() {
            self.last_change_s = Some(now_s);
        }
    }

    /// The activity for a state at `now_s`, with `coaching` from the coach.
    pub fn activity(&self, now_s: f64, state: State, coaching: bool) -> Activity {
        let changing = self
            .last_change_s
            .is_some_and(|t| now_s >= t && now_s - t < self.policy.fast_hold_s);
        Activity {
            changing,
            coaching,
            idle: matches!(state, State::Away | State::Snoozed),
            paused: state == State::Paused,
        }
    }

    /// When to run the next inference, given the start time of the last one
    /// and the time now: one interval after the last, but never in the past
    /// (a slow inference is not made up for with a burst). `None` while
    /// paused.
    pub fn next_inference_s(&self, last_s: f64, now_s: f64, activity: &Activity) -> Option<f64> {
        let fps = self.policy.fps(activity)?;
        let now = if now_s.is_finite() { now_s } else { 0.0 };
        let last = if last_s.is_finite() {
            last_s.min(now)
        } else {
            now
        };
        Some((last + 1.0 / fps).max(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_rates_are_low() {
        let p = RatePolicy::default();
        assert_eq!(p.base_fps, 2.0);
        assert_eq!(p.fast_fps, 10.0);
        assert_eq!(p.change_fps, 4.0);
        assert_eq!(p.idle_fps, 1.0);
        let calm = Activity::default();
        assert_eq!(p.fps(&calm), Some(2.0));
        assert_eq!(
            p.fps(&Activity {
                changing: true,
                ..calm
            }),
            Some(4.0)
        );
        assert_eq!(
            p.fps(&Activity {
                coaching: true,
                idle: true,
                ..calm
            }),
            Some(10.0)
        );
        assert_eq!(p.fps(&Activity { idle: true, ..calm }), Some(1.0));
        assert_eq!(
            p.fps(&Activity {
                paused: true,
                coaching: true,
                ..calm
            }),
            None
        );
    }

    #[test]
    fn change_speeds_up_for_the_hold_then_slows_down() {
        let mut s = Scheduler::new(RatePolicy::default());
        let a = s.activity(10.0, State::Good, false);
        assert!(!a.changing);
        assert_eq!(s.next_inference_s(10.0, 10.0, &a), Some(10.5));
        s.observe(10.0, true);
        let a = s.activity(10.1, State::Good, false);
        assert!(a.changing);
        assert_eq!(s.next_inference_s(10.0, 10.3, &a), Some(10.3));
        assert_eq!(s.next_inference_s(10.05, 10.06, &a), Some(10.3));
        s.observe(10.2, false);
        let a = s.activity(13.5, State::ForwardHead, false);
        assert!(!a.changing, "hold of 3 s is over");
        let a = s.activity(13.5, State::Away, false);
        assert!(a.idle);
        assert_eq!(s.next_inference_s(13.5, 13.5, &a), Some(14.5));
        assert_eq!(
            s.next_inference_s(13.5, 13.5, &s.activity(13.5, State::Paused, false)),
            None
        );
    }

    #[test]
    fn odd_bases_are_tamed() {
        assert_eq!(RatePolicy::with_base(f64::NAN), RatePolicy::default());
        assert_eq!(RatePolicy::with_base(-1.0), RatePolicy::default());
        let slow = RatePolicy::with_base(0.2);
        assert!(slow.idle_fps <= slow.base_fps && slow.base_fps <= slow.fast_fps);
        let fast = RatePolicy::with_base(1000.0);
        assert_eq!(fast.base_fps, MAX_FPS);
        assert_eq!(fast.fast_fps, MAX_FPS);
    }

    fn any_state() -> impl Strategy<Value = State> {
        prop::sample::select(State::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn next_time_is_never_past_and_never_too_far(
            base in prop::num::f64::ANY,
            last in -1e6f64..1e6, ahead in 0f64..100.0,
            state in any_state(), coaching: bool, change_at in prop::option::of(-10f64..10.0),
        ) {
            let mut s = Scheduler::new(RatePolicy::with_base(base));
            let now = last + ahead;
            if let Some(c) = change_at { s.observe(now + c, true); }
            let a = s.activity(now, state, coaching);
            match s.next_inference_s(last, now, &a) {
                None => prop_assert_eq!(state, State::Paused),
                Some(t) => {
                    prop_assert!(t.is_finite());
                    prop_assert!(t >= now);
                    // At most one slowest interval (20 s at the 0.05 fps floor) ahead.
                    prop_assert!(t <= now + 20.0 + 1e-9, "t={} now={} last={}", t, now, last);
                    let fps = s.policy().fps(&a).unwrap();
                    prop_assert!(t <= now.max(last + 1.0 / fps) + 1e-9);
                }
            }
        }

        #[test]
        fn default_policy_checks_at_least_every_second(
            last in -1e3f64..1e3, ahead in 0f64..10.0, state in any_state(), coaching: bool,
        ) {
            let s = Scheduler::new(RatePolicy::default());
            let now = last + ahead;
            if let Some(t) = s.next_inference_s(last, now, &s.activity(now, state, coaching)) {
                prop_assert!(t - now <= 1.0 + 1e-9);
            }
        }

        #[test]
        fn rates_are_ordered(base in 0.01f64..100.0) {
            let p = RatePolicy::with_base(base);
            prop_assert!(p.idle_fps > 0.0);
            prop_assert!(p.idle_fps <= p.base_fps);
            prop_assert!(p.base_fps <= p.change_fps && p.change_fps <= p.fast_fps);
            prop_assert!(p.fast_fps <= MAX_FPS);
        }

        #[test]
        fn non_finite_times_do_not_leak(last in prop::num::f64::ANY, now in prop::num::f64::ANY) {
            let s = Scheduler::new(RatePolicy::default());
            let t = s.next_inference_s(last, now, &Activity::default()).unwrap();
            prop_assert!(t.is_finite());
        }
    }
}

/// Default `--stretch-repeat-minutes`.
pub const DEFAULT_STRETCH_REPEAT_MINUTES: f64 = 60.0;
/// Default `--stretch-minutes-per-hour`.
pub const DEFAULT_STRETCH_MINUTES_PER_HOUR: f64 = 5.0;

/// The articles' "do not repeat too often": how often stretches may be
/// prompted (see [`PromptLog::allows`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StretchLimits {
    /// The same stretch is not offered again within this many seconds.
    pub repeat_s: f64,
    /// Prompted stretching (each stretch's estimated length) in any hour
    /// stays within this many seconds.
    pub per_hour_s: f64,
}

impl Default for StretchLimits {
    fn default() -> Self {
        StretchLimits {
            repeat_s: DEFAULT_STRETCH_REPEAT_MINUTES * 60.0,
            per_hour_s: DEFAULT_STRETCH_MINUTES_PER_HOUR * 60.0,
        }
    }
}

/// What was prompted when, for [`StretchLimits`]. Times are the session
/// clock in seconds, passed in.
#[derive(Clone, Debug, Default)]
pub struct PromptLog {
    /// (time, stretch id, estimated seconds), oldest first.
    offered: std::collections::VecDeque<(f64, String, f64)>,
}

/// The window the per-hour bound looks back over.
const HOUR_S: f64 = 3600.0;

impl PromptLog {
    /// True when offering `id` (about `estimated_s` long) at `now_s` keeps
    /// within `limits`.
    pub fn allows(&self, limits: &StretchLimits, now_s: f64, id: &str, estimated_s: f64) -> bool {
        let recent_same = self
            .offered
            .iter()
            .any(|(t, o, _)| o == id && now_s - t < limits.repeat_s);
        let last_hour: f64 = self
            .offered
            .iter()
            .filter(|(t, _, _)| now_s - t < HOUR_S)
            .map(|(_, _, s)| s)
            .sum();
        !recent_same && last_hour + estimated_s <= limits.per_hour_s
    }

    /// Notes an offer. Entries older than both windows are dropped.
    pub fn record(&mut self, now_s: f64, id: &str, estimated_s: f64) {
        self.offered.push_back((now_s, id.to_string(), estimated_s));
        while self
            .offered
            .front()
            .is_some_and(|(t, _, _)| now_s - t >= HOUR_S.max(MAX_REPEAT_S))
        {
            self.offered.pop_front();
        }
    }

    /// Seconds of prompted stretching in the hour before `now_s`.
    pub fn last_hour_s(&self, now_s: f64) -> f64 {
        self.offered
            .iter()
            .filter(|(t, _, _)| now_s - t < HOUR_S)
            .map(|(_, _, s)| s)
            .sum()
    }
}

/// The longest `--stretch-repeat-minutes` accepted, in seconds (a day):
/// the log keeps entries at least this long.
pub const MAX_REPEAT_S: f64 = 24.0 * 3600.0;

#[cfg(test)]
mod limit_tests {
    use super::*;
    use crate::stretches::{self, Need};

    /// Prompts every minute for a day of slumping: the same stretch never
    /// comes back within the repeat interval, and no hour holds more
    /// prompted stretching than the bound.
    #[test]
    fn prompts_respect_the_repeat_interval_and_the_hourly_bound() {
        let lib = stretches::library().unwrap();
        for (repeat_min, per_hour_min) in [(60.0, 5.0), (20.0, 3.0), (5.0, 10.0)] {
            let limits = StretchLimits {
                repeat_s: repeat_min * 60.0,
                per_hour_s: per_hour_min * 60.0,
            };
            let mut log = PromptLog::default();
            let mut recent: Vec<&str> = Vec::new();
            let mut shown: Vec<(f64, &str, f64)> = Vec::new();
            for minute in 0..(8 * 60) {
                let now = f64::from(minute) * 60.0;
                for need in [Need::ForwardHead, Need::RoundedShoulders, Need::Both] {
                    let pick = stretches::choose_allowed(lib, need, &recent, |s| {
                        log.allows(&limits, now, &s.id, s.estimated_s())
                    });
                    if let Some(s) = pick {
                        log.record(now, &s.id, s.estimated_s());
                        recent.push(&s.id);
                        shown.push((now, &s.id, s.estimated_s()));
                    }
                }
            }
            assert!(
                shown.len() > 8,
                "{repeat_min}/{per_hour_min}: too few prompts"
            );
            for (i, (t, id, _)) in shown.iter().enumerate() {
                for (t2, id2, _) in &shown[i + 1..] {
                    if id == id2 {
                        assert!(t2 - t >= limits.repeat_s, "{id} again after {} s", t2 - t);
                    }
                }
                let hour: f64 = shown
                    .iter()
                    .filter(|(t2, _, _)| *t2 >= *t && *t2 < t + HOUR_S)
                    .map(|(_, _, s)| s)
                    .sum();
                assert!(
                    hour <= limits.per_hour_s + 1e-9,
                    "{hour} s in the hour from {t}"
                );
            }
        }
    }

    #[test]
    fn a_stretch_longer_than_the_hourly_bound_is_never_offered() {
        let limits = StretchLimits {
            repeat_s: 60.0,
            per_hour_s: 30.0,
        };
        let log = PromptLog::default();
        assert!(!log.allows(&limits, 0.0, "a", 31.0));
        assert!(log.allows(&limits, 0.0, "a", 30.0));
    }

    #[test]
    fn the_log_forgets_what_is_older_than_a_day() {
        let mut log = PromptLog::default();
        log.record(0.0, "a", 10.0);
        log.record(MAX_REPEAT_S + 1.0, "b", 10.0);
        assert_eq!(log.offered.len(), 1);
        assert_eq!(log.last_hour_s(MAX_REPEAT_S + 1.0), 10.0);
    }
}
