//! The small time-driven machines the detectors are built from: an
//! exponential smoother, a repetition counter with hysteresis and debounce,
//! and a hold timer. All take the time in seconds; none reads a clock.

/// Exponential moving average with a time constant, robust to uneven frame
/// spacing: `v += (1 - exp(-dt / tau)) * (x - v)`.
///
/// A non-finite input or a gap longer than `reset_after_s` restarts it (the
/// next value is taken as is), so a lost landmark never drags stale values
/// along.
#[derive(Clone, Debug)]
pub struct Ema {
    tau_s: f64,
    reset_after_s: f64,
    state: Option<(f64, f32)>,
}

impl Ema {
    pub fn new(tau_s: f64, reset_after_s: f64) -> Self {
        Ema {
            tau_s: tau_s.max(1e-6),
            reset_after_s,
            state: None,
        }
    }

    /// Feeds `x` at time `t`; returns the smoothed value (NaN for a NaN input).
    pub fn update(&mut self, t: f64, x: f32) -> f32 {
        if !x.is_finite() || !t.is_finite() {
            self.state = None;
            return f32::NAN;
        }
        let v = match self.state {
            Some((t0, v)) if t >= t0 && t - t0 <= self.reset_after_s => {
                let alpha = 1.0 - (-(t - t0) / self.tau_s).exp();
                v + (alpha as f32) * (x - v)
            }
            _ => x,
        };
        self.state = Some((t, v));
        v
    }

    pub fn reset(&mut self) {
        self.state = None;
    }
}

/// One frame's reading for a [`RepCounter`], in units of the nominal full
/// movement (0 = start position, 1 = a full rep's end position).
///
/// `up` decides leaving the start position, `down` decides coming back; most
/// detectors pass the same value twice, but e.g. wall angels need both hands up
/// (`up` = the lower hand) and both hands down (`down` = the higher hand).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub up: f32,
    pub down: f32,
}

impl Sample {
    pub fn same(v: f32) -> Self {
        Sample { up: v, down: v }
    }
}

/// Thresholds and timings of a [`RepCounter`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RepConfig {
    /// `up` at or above this (for `debounce_s`) enters the end position.
    pub enter: f32,
    /// `down` at or below this (for `debounce_s`) returns to the start.
    /// Must be below `enter`: the gap is the hysteresis band.
    pub exit: f32,
    /// How long a crossing must last (consecutive frames) to count.
    pub debounce_s: f64,
    /// How long coming back must last while the hold is not yet complete:
    /// longer, so a noisy dip does not end a hold early (a real early release
    /// is still seen, just later).
    pub hold_debounce_s: f64,
    /// Time the end position must be held for the rep to count.
    pub min_hold_s: f64,
    /// Shortest whole rep (leaving the start to coming back) that counts.
    pub min_rep_s: f64,
}

impl RepConfig {
    /// The thresholds every detector uses, in units of its nominal movement.
    pub const fn standard(min_hold_s: f64, min_rep_s: f64) -> Self {
        RepConfig {
            enter: 0.6,
            exit: 0.25,
            debounce_s: 0.25,
            hold_debounce_s: 0.5,
            min_hold_s,
            min_rep_s,
        }
    }
}

/// What one update of a [`RepCounter`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepEvent {
    None,
    /// Reached the end position.
    Entered,
    /// Has held the end position long enough.
    HoldReached,
    /// Came back after a good rep: counted.
    Counted,
    /// Came back before the hold was complete: not counted.
    ReleasedEarly,
    /// Came back, but the whole rep was quicker than `min_rep_s`: not counted.
    TooQuick,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum RepState {
    Start,
    End {
        entered_at: f64,
        hold_announced: bool,
    },
}

/// Counts repetitions of a movement from a normalised signal.
///
/// Two thresholds with a band between them (hysteresis): leaving the start
/// needs `up >= enter`, coming back needs `down <= exit`, and each crossing
/// must persist for `debounce_s` of consecutive frames (`hold_debounce_s` to
/// come back before the hold is complete), so jitter inside the band or a
/// single-frame spike never changes state. A rep counts on the way
/// back, only if the end position was held `min_hold_s` and the whole rep took
/// at least `min_rep_s`.
#[derive(Clone, Debug)]
pub struct RepCounter {
    cfg: RepConfig,
    state: RepState,
    reps: u32,
    /// When the signal last left the start band (`up > exit`) while at the start.
    left_start_at: Option<f64>,
    /// Start of the current run of frames past the next threshold.
    crossing_since: Option<f64>,
    last_t: Option<f64>,
}

impl RepCounter {
    pub fn new(cfg: RepConfig) -> Self {
        RepCounter {
            cfg,
            state: RepState::Start,
            reps: 0,
            left_start_at: None,
            crossing_since: None,
            last_t: None,
        }
    }

    pub fn config(&self) -> &RepConfig {
        &self.cfg
    }

    pub fn reps(&self) -> u32 {
        self.reps
    }

    /// True while in the end position.
    pub fn at_end(&self) -> bool {
        matches!(self.state, RepState::End { .. })
    }

    /// Seconds of hold still needed at time `t` (None when not at the end).
    pub fn hold_remaining(&self, t: f64) -> Option<f64> {
        match self.state {
            RepState::End { entered_at, .. } => {
                Some((self.cfg.min_hold_s - (t - entered_at)).max(0.0))
            }
            RepState::Start => None,
        }
    }

    /// Forgets the rep in progress (after a pause), keeping the count.
    pub fn reset_motion(&mut self) {
        self.state = RepState::Start;
        self.left_start_at = None;
        self.crossing_since = None;
        self.last_t = None;
    }

    /// Feeds one frame. `None` (or a non-finite sample) means this frame could
    /// not be judged: nothing changes, and a crossing in progress must start over.
    /// Frames with a non-finite or earlier time are ignored.
    pub fn update(&mut self, t: f64, sample: Option<Sample>) -> RepEvent {
        if !t.is_finite() || self.last_t.is_some_and(|last| t < last) {
            return RepEvent::None;
        }
        self.last_t = Some(t);
        let Some(s) = sample.filter(|s| s.up.is_finite() && s.down.is_finite()) else {
            self.crossing_since = None;
            return RepEvent::None;
        };
        let cfg = self.cfg;
        match self.state {
            RepState::Start => {
                if s.up > cfg.exit {
                    self.left_start_at.get_or_insert(t);
                } else {
                    self.left_start_at = None;
                }
                if s.up < cfg.enter {
                    self.crossing_since = None;
                    return RepEvent::None;
                }
                let since = *self.crossing_since.get_or_insert(t);
                if t - since < cfg.debounce_s {
                    return RepEvent::None;
                }
                self.crossing_since = None;
                self.state = RepState::End {
                    entered_at: since,
                    hold_announced: false,
                };
                if cfg.min_hold_s <= 0.0 {
                    self.state = RepState::End {
                        entered_at: since,
                        hold_announced: true,
                    };
                }
                RepEvent::Entered
            }
            RepState::End {
                entered_at,
                hold_announced,
            } => {
                if s.down > cfg.exit {
                    self.crossing_since = None;
                    if !hold_announced && t - entered_at >= cfg.min_hold_s {
                        self.state = RepState::End {
                            entered_at,
                            hold_announced: true,
                        };
                        return RepEvent::HoldReached;
                    }
                    return RepEvent::None;
                }
                let since = *self.crossing_since.get_or_insert(t);
                let debounce = if since - entered_at < cfg.min_hold_s {
                    cfg.debounce_s.max(cfg.hold_debounce_s)
                } else {
                    cfg.debounce_s
                };
                if t - since < debounce {
                    return RepEvent::None;
                }
                let held = since - entered_at;
                let rep_len = since - self.left_start_at.unwrap_or(entered_at);
                self.state = RepState::Start;
                self.crossing_since = None;
                self.left_start_at = None;
                if held < cfg.min_hold_s {
                    RepEvent::ReleasedEarly
                } else if rep_len < cfg.min_rep_s {
                    RepEvent::TooQuick
                } else {
                    self.reps += 1;
                    RepEvent::Counted
                }
            }
        }
    }
}

/// A hold that only counts down while the position is right.
///
/// Getting into position needs the strict condition (`good`) for
/// `debounce_s`; leaving it needs the lenient one (`ok`) to fail for
/// `debounce_s`, so wobbling at the edge neither starts nor stops the clock.
/// Time accrues between consecutive judged frames while in position, at most
/// `max_step_s` per frame so a stalled camera cannot credit a long gap.
#[derive(Clone, Debug)]
pub struct HoldTimer {
    debounce_s: f64,
    max_step_s: f64,
    in_position: bool,
    crossing_since: Option<f64>,
    last_t: Option<f64>,
    /// The last frame that was acceptably in position.
    last_ok_t: f64,
    held_s: f64,
}

impl HoldTimer {
    pub fn new(debounce_s: f64, max_step_s: f64) -> Self {
        HoldTimer {
            debounce_s,
            max_step_s,
            in_position: false,
            crossing_since: None,
            last_t: None,
            last_ok_t: 0.0,
            held_s: 0.0,
        }
    }

    pub fn held_s(&self) -> f64 {
        self.held_s
    }

    pub fn in_position(&self) -> bool {
        self.in_position
    }

    /// Forgets the position (after a pause), keeping the time held.
    pub fn reset_motion(&mut self) {
        self.in_position = false;
        self.crossing_since = None;
        self.last_t = None;
    }

    /// Feeds one frame: `good` = strictly in position, `ok` = still acceptably
    /// in position. `None` = this frame could not be judged (no time accrues).
    pub fn update(&mut self, t: f64, judged: Option<(bool, bool)>) {
        if !t.is_finite() || self.last_t.is_some_and(|last| t < last) {
            return;
        }
        let prev = self.last_t;
        let Some((good, ok)) = judged else {
            self.crossing_since = None;
            self.last_t = None;
            return;
        };
        self.last_t = Some(t);
        if self.in_position {
            if let Some(p) = prev {
                self.held_s += (t - p).clamp(0.0, self.max_step_s);
            }
            if ok {
                self.crossing_since = None;
                self.last_ok_t = t;
            } else {
                let since = *self.crossing_since.get_or_insert(t);
                if t - since >= self.debounce_s {
                    self.in_position = false;
                    self.crossing_since = None;
                    // Take back the time credited since the last good frame.
                    let undo = (t - self.last_ok_t).clamp(0.0, t - since + self.max_step_s);
                    self.held_s = (self.held_s - undo).max(0.0);
                }
            }
        } else if good {
            let since = *self.crossing_since.get_or_insert(t);
            if t - since >= self.debounce_s {
                self.in_position = true;
                self.crossing_since = None;
                self.last_ok_t = t;
                self.held_s += (t - since).min(self.debounce_s + self.max_step_s);
            }
        } else {
            self.crossing_since = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CFG: RepConfig = RepConfig::standard(1.0, 1.5);

    /// Feeds a piecewise signal at `fps`: (duration_s, value) segments.
    fn run(c: &mut RepCounter, fps: f64, segments: &[(f64, f32)]) -> Vec<RepEvent> {
        let mut t = 0.0;
        let mut out = Vec::new();
        for &(dur, v) in segments {
            let end = t + dur;
            while t < end {
                out.push(c.update(t, Some(Sample::same(v))));
                t += 1.0 / fps;
            }
        }
        out
    }

    fn rep(hold: f64) -> [(f64, f32); 3] {
        [(1.0, 0.0), (0.5, 0.4), (hold, 1.0)]
    }

    #[test]
    fn counts_a_held_rep_on_the_way_back() {
        let mut c = RepCounter::new(CFG);
        let mut segs = rep(1.5).to_vec();
        segs.push((1.0, 0.0));
        let ev = run(&mut c, 5.0, &segs);
        assert_eq!(c.reps(), 1);
        assert!(ev.contains(&RepEvent::Entered));
        assert!(ev.contains(&RepEvent::HoldReached));
        assert_eq!(ev.last(), Some(&RepEvent::None));
        assert_eq!(ev.iter().filter(|e| **e == RepEvent::Counted).count(), 1);
    }

    #[test]
    fn early_release_and_quick_reps_do_not_count() {
        let mut c = RepCounter::new(CFG);
        let ev = run(&mut c, 10.0, &[(1.0, 0.0), (0.5, 1.0), (1.0, 0.0)]);
        assert_eq!(c.reps(), 0);
        assert!(ev.contains(&RepEvent::ReleasedEarly));

        let mut c = RepCounter::new(RepConfig::standard(0.0, 1.5));
        let ev = run(&mut c, 10.0, &[(1.0, 0.0), (0.6, 1.0), (1.0, 0.0)]);
        assert_eq!(c.reps(), 0);
        assert!(ev.contains(&RepEvent::TooQuick));
    }

    #[test]
    fn a_single_frame_spike_or_dip_changes_nothing() {
        let mut c = RepCounter::new(RepConfig::standard(0.0, 0.5));
        // 5 fps: one frame at 1.0 is shorter than the debounce.
        run(&mut c, 5.0, &[(1.0, 0.0), (0.2, 1.0), (1.0, 0.0)]);
        assert!(!c.at_end());
        // At the end, a one-frame dip does not end the rep.
        let mut c = RepCounter::new(RepConfig::standard(0.0, 0.5));
        run(
            &mut c,
            5.0,
            &[(1.0, 0.0), (1.0, 1.0), (0.2, 0.0), (1.0, 1.0)],
        );
        assert!(c.at_end());
        assert_eq!(c.reps(), 0);
    }

    #[test]
    fn a_short_dip_does_not_end_a_hold_but_a_real_release_does() {
        let cfg = RepConfig::standard(3.0, 1.0);
        // 0.4 s dip in the middle of a 4 s hold: one rep.
        let mut c = RepCounter::new(cfg);
        run(
            &mut c,
            10.0,
            &[(1.0, 0.0), (1.5, 1.0), (0.4, 0.0), (2.1, 1.0), (1.0, 0.0)],
        );
        assert_eq!(c.reps(), 1);
        // Let go after 1.5 s and stay back: released early, not counted.
        let mut c = RepCounter::new(cfg);
        let ev = run(&mut c, 10.0, &[(1.0, 0.0), (1.5, 1.0), (3.0, 0.0)]);
        assert_eq!(c.reps(), 0);
        assert!(ev.contains(&RepEvent::ReleasedEarly));
    }

    #[test]
    fn unjudged_frames_break_a_crossing_and_nan_is_unjudged() {
        let mut c = RepCounter::new(RepConfig::standard(0.0, 0.0));
        let mut t = 0.0;
        for i in 0..40 {
            let s = if i % 2 == 0 {
                Some(Sample::same(1.0))
            } else {
                Some(Sample::same(f32::NAN))
            };
            assert_eq!(c.update(t, s), RepEvent::None);
            t += 0.2;
        }
        assert!(!c.at_end());
        assert_eq!(c.update(f64::NAN, Some(Sample::same(1.0))), RepEvent::None);
    }

    #[test]
    fn time_going_backwards_is_ignored() {
        let mut c = RepCounter::new(RepConfig::standard(0.0, 0.0));
        c.update(10.0, Some(Sample::same(1.0)));
        assert_eq!(c.update(5.0, Some(Sample::same(1.0))), RepEvent::None);
        assert_eq!(c.update(10.3, Some(Sample::same(1.0))), RepEvent::Entered);
    }

    #[test]
    fn ema_follows_a_step_and_resets_on_gaps_and_nan() {
        let mut e = Ema::new(0.3, 1.0);
        assert_eq!(e.update(0.0, 0.0), 0.0);
        let v = e.update(0.3, 1.0);
        assert!((v - (1.0 - (-1.0f32).exp())).abs() < 1e-5);
        assert_eq!(e.update(5.0, 2.0), 2.0);
        assert!(e.update(5.1, f32::NAN).is_nan());
        assert_eq!(e.update(5.2, 3.0), 3.0);
    }

    #[test]
    fn hold_timer_counts_only_in_position() {
        let mut h = HoldTimer::new(0.25, 0.5);
        let mut t = 0.0;
        let step = |h: &mut HoldTimer, t: &mut f64, n: usize, j: Option<(bool, bool)>| {
            for _ in 0..n {
                h.update(*t, j);
                *t += 0.2;
            }
        };
        step(&mut h, &mut t, 10, Some((false, false)));
        assert_eq!(h.held_s(), 0.0);
        step(&mut h, &mut t, 26, Some((true, true)));
        assert!(h.in_position());
        assert!((h.held_s() - 5.0).abs() < 0.01, "{}", h.held_s());
        // Lenient condition keeps it going.
        step(&mut h, &mut t, 10, Some((false, true)));
        assert!((h.held_s() - 7.0).abs() < 0.01, "{}", h.held_s());
        // Out of position: stops, and the debounce frames are not credited.
        step(&mut h, &mut t, 10, Some((false, false)));
        assert!(!h.in_position());
        assert!((h.held_s() - 7.0).abs() < 0.01, "{}", h.held_s());
        // Unjudged frames: no time accrues.
        step(&mut h, &mut t, 10, None);
        assert!((h.held_s() - 7.0).abs() < 0.01);
    }

    proptest! {
        /// Jitter anywhere inside the hysteresis band never counts, whatever
        /// the frame timing.
        #[test]
        fn jitter_within_the_band_never_counts(
            values in proptest::collection::vec(0.2501f32..0.5999, 1..400),
            dts in proptest::collection::vec(0.01f64..0.6, 400),
        ) {
            let mut c = RepCounter::new(RepConfig::standard(0.0, 0.0));
            let mut t = 0.0;
            for (v, dt) in values.iter().zip(&dts) {
                c.update(t, Some(Sample::same(*v)));
                t += dt;
            }
            prop_assert_eq!(c.reps(), 0);
            prop_assert!(!c.at_end());
        }

        /// Clean reps that respect the timings count exactly.
        #[test]
        fn clean_reps_count_exactly(
            reps in proptest::collection::vec((0.4f64..2.0, 1.0f64..3.0, 0.4f64..2.0, 0.61f32..2.0), 0..12),
            fps in 3.0f64..15.0,
        ) {
            let mut c = RepCounter::new(CFG);
            let mut t = 0.0;
            let dt = 1.0 / fps;
            for &(rest, hold, ramp, amp) in &reps {
                // Rest, ramp up, hold, ramp down (each long enough for the debounce).
                let segs = [(rest + 0.5, 0.0f32, 0.0f32), (ramp, 0.0, amp), (hold + 0.5, amp, amp), (ramp, amp, 0.0)];
                for (dur, a, b) in segs {
                    let t0 = t;
                    while t < t0 + dur {
                        let f = ((t - t0) / dur) as f32;
                        c.update(t, Some(Sample::same(a + (b - a) * f)));
                        t += dt;
                    }
                }
            }
            for _ in 0..10 {
                c.update(t, Some(Sample::same(0.0)));
                t += dt;
            }
            prop_assert_eq!(c.reps() as usize, reps.len());
        }

        /// Reps quicker than the minimum never count, however many.
        #[test]
        fn too_quick_reps_never_count(n in 1usize..20, fps in 5.0f64..30.0, period in 0.5f64..1.4) {
            let mut c = RepCounter::new(RepConfig::standard(0.0, 1.5));
            let mut t = 0.0;
            for _ in 0..n {
                let t0 = t;
                while t < t0 + period {
                    let v = if t - t0 < period / 2.0 { 1.0 } else { 0.0 };
                    c.update(t, Some(Sample::same(v)));
                    t += 1.0 / fps;
                }
            }
            prop_assert_eq!(c.reps(), 0);
        }

        /// No input panics, and the count never exceeds the number of
        /// separate excursions a rep needs.
        #[test]
        fn arbitrary_input_is_safe(
            frames in proptest::collection::vec((proptest::num::f64::ANY, proptest::num::f32::ANY, proptest::num::f32::ANY), 0..300),
        ) {
            let mut c = RepCounter::new(RepConfig::standard(0.5, 1.0));
            let mut h = HoldTimer::new(0.25, 0.5);
            for (t, up, down) in frames {
                c.update(t, Some(Sample { up, down }));
                h.update(t, Some((up > 0.5, down > 0.2)));
            }
            prop_assert!(h.held_s().is_finite() && h.held_s() >= 0.0);
        }
    }
}

/// Counts circles of a point (the head around the neck): the angle of the
/// point about the centre of its recent path (a slow moving average), summed
/// while the point is at least `min_radius` from that centre. Every full turn
/// in either direction is one circle; turning back unwinds the turn in
/// progress. A jump of more than [`CircleCounter::MAX_STEP_RAD`] between
/// frames (passing through the centre, as a nod or a side-to-side tilt does)
/// adds nothing. Gaps (`None`) forget the last angle, not the circles.
#[derive(Clone, Debug)]
pub struct CircleCounter {
    centre: [Ema; 2],
    min_radius: f32,
    last_angle: Option<f32>,
    turned: f32,
    circles: u32,
}

impl CircleCounter {
    /// Largest angle step (radians) between frames that counts.
    pub const MAX_STEP_RAD: f32 = std::f32::consts::FRAC_PI_2;

    /// `centre_tau_s`: time constant of the path's centre; it should be
    /// about a circle's duration or less, so the centre follows a drifting
    /// person but stays inside a circle.
    pub fn new(centre_tau_s: f64, min_radius: f32) -> Self {
        CircleCounter {
            centre: [Ema::new(centre_tau_s, 1.0), Ema::new(centre_tau_s, 1.0)],
            min_radius,
            last_angle: None,
            turned: 0.0,
            circles: 0,
        }
    }

    pub fn circles(&self) -> u32 {
        self.circles
    }

    /// Fraction (0..1) of the circle in progress.
    pub fn partial(&self) -> f32 {
        (self.turned.abs() / std::f32::consts::TAU).clamp(0.0, 1.0)
    }

    /// Forgets the path (after a pause), keeping the circles.
    pub fn reset_motion(&mut self) {
        for c in &mut self.centre {
            c.reset();
        }
        self.last_angle = None;
        self.turned = 0.0;
    }

    /// Feeds one point; returns true when it completed a circle.
    pub fn update(&mut self, t: f64, p: Option<[f32; 2]>) -> bool {
        let Some([x, y]) = p.filter(|[x, y]| x.is_finite() && y.is_finite()) else {
            self.last_angle = None;
            return false;
        };
        let cx = self.centre[0].update(t, x);
        let cy = self.centre[1].update(t, y);
        let (dx, dy) = (x - cx, y - cy);
        if dx.hypot(dy) < self.min_radius {
            self.last_angle = None;
            return false;
        }
        let a = dy.atan2(dx);
        if let Some(last) = self.last_angle {
            let step = (a - last + 3.0 * std::f32::consts::PI).rem_euclid(std::f32::consts::TAU)
                - std::f32::consts::PI;
            if step.abs() <= Self::MAX_STEP_RAD {
                self.turned += step;
            }
        }
        self.last_angle = Some(a);
        if self.turned.abs() >= std::f32::consts::TAU {
            self.turned -= std::f32::consts::TAU * self.turned.signum();
            self.circles += 1;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod circle_tests {
    use super::*;

    fn run(points: impl Iterator<Item = (f64, [f32; 2])>) -> u32 {
        let mut c = CircleCounter::new(1.5, 0.06);
        for (t, p) in points {
            c.update(t, Some(p));
        }
        c.circles()
    }

    #[test]
    fn circles_count_in_either_direction_and_not_when_still() {
        let fps = 30.0;
        let circle = |dir: f32, n: f64| {
            (0..(n * 5.0 * fps) as usize).map(move |i| {
                let t = i as f64 / fps;
                let a = dir * (t / 5.0 * std::f64::consts::TAU) as f32;
                (t, [0.2 * a.cos(), 0.1 * a.sin() + 0.05])
            })
        };
        // The first turn is partly spent settling the centre.
        assert!((4..=5).contains(&run(circle(1.0, 5.2))));
        assert!((4..=5).contains(&run(circle(-1.0, 5.2))));
        let still = (0..600).map(|i| {
            (
                i as f64 / fps,
                [0.01 * ((i * 7919) % 13) as f32 / 13.0, 0.0],
            )
        });
        assert_eq!(run(still), 0);
        // Side to side through the middle, and nodding: no circles.
        let tilt = (0..900).map(|i| {
            let t = i as f64 / fps;
            let a = (t * 1.3).sin() as f32;
            (t, [0.3 * a, 0.1 * a * a])
        });
        assert_eq!(run(tilt), 0);
        let nod = (0..900).map(|i| {
            let t = i as f64 / fps;
            (t, [0.0, 0.2 * (t * 1.3).sin() as f32])
        });
        assert_eq!(run(nod), 0);
    }
}
