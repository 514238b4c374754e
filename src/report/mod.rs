//! Posture reports from the history: pure functions from loaded rows
//! ([`Log`]) to a [`Summary`], then text ([`text`]), a chart ([`chart`]) or
//! CSV ([`export`]).
//!
//! How the figures are counted (all from the per-second samples):
//!
//! - **Coverage.** Each sample stands for the time until the next sample of
//!   its session, when that is at most [`MAX_GAP_S`] away; otherwise (the
//!   last sample, or a gap such as a suspended laptop) for
//!   [`SAMPLE_PERIOD_S`]. Gaps therefore never count as monitored.
//! - **Time monitored** is the coverage of every sample except those in the
//!   `paused` and `snoozed` states. Time away from the desk counts as
//!   monitored (hunch was watching) but not towards posture.
//! - **Upright %** is the time in `good` divided by the time whose posture
//!   was judged: `good` plus the slumped states (`forward_head`,
//!   `rounded_shoulders`, `slouch`). `looking_down` (glancing at the
//!   keyboard is not slouching), `uncertain`, `away`, `paused` and `snoozed`
//!   count towards neither and are reported separately.
//! - **Slouch episodes** are maximal runs of slumped samples within one
//!   session, broken by any other state or by a gap; an episode's length is
//!   its coverage, and it belongs to the day it started.
//! - **Readings** (forward head, rounded shoulders) are averaged over judged
//!   samples only. The deviation is reading minus baseline;
//!   "toward threshold" rescales it so that 0 is the calibrated baseline and
//!   1 the alarm threshold, whichever side of the baseline the threshold is,
//!   which makes days comparable across recalibrations and units.
//! - **Trend**: a least-squares line through each day's mean "toward
//!   threshold" (days with at least [`MIN_TREND_SAMPLES`] judged samples).
//!   Over the span of the days, a fall of at least [`TREND_STEP`] is
//!   improving, a rise of as much is worsening, less is steady; fewer than
//!   three such days is not enough to tell.
//!
//! Days are calendar days in the time zone passed in (the user's local zone
//! for `hunch report`, UTC in tests).

pub mod chart;
pub mod export;
pub mod text;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;

use chrono::{DateTime, Days, NaiveDate, TimeZone};
use serde::Serialize;

use crate::history::{Log, Outcome, PauseKind, Sample};
use crate::posture::State;

/// Seconds a sample stands for when the next one is not close (the recorder's period).
pub const SAMPLE_PERIOD_S: f64 = 1.0;
/// Longest gap between two samples that still counts as continuous monitoring.
pub const MAX_GAP_S: f64 = 5.0;
/// Judged samples a day needs to count towards the trend (five minutes).
pub const MIN_TREND_SAMPLES: usize = 300;
/// Change in "toward threshold" over the period that counts as a trend.
pub const TREND_STEP: f64 = 0.1;

/// What can go wrong making a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{flag}: '{value}' is not a date; write it as YYYY-MM-DD, for example 2025-03-01")]
    BadDate { flag: &'static str, value: String },
    #[error("--days must be from 1 to {MAX_DAYS} (100 years)")]
    NoDays,
    #[error("{flag}: {date} is after today; nothing can have been recorded then")]
    FutureDate { flag: &'static str, date: NaiveDate },
    #[error("cannot draw the chart ({reason}); try another --png path: {}", path.display())]
    Chart {
        #[source]
        reason: chart::ChartError,
        path: std::path::PathBuf,
    },
    #[error("cannot write {what} ({source}); check the folder exists and is writable: {}", path.display())]
    Write {
        what: &'static str,
        source: std::io::Error,
        path: std::path::PathBuf,
    },
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// The longest `--days` a report covers: 100 years.
pub const MAX_DAYS: u32 = 36_500;

/// Parses a `YYYY-MM-DD` date given to `flag`.
pub fn parse_date(flag: &'static str, value: &str) -> Result<NaiveDate, ReportError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| ReportError::BadDate {
        flag,
        value: value.to_string(),
    })
}

/// Unix seconds of the first instant of `date` in `tz` (local midnight, or
/// the first hour that exists when a clock change skips midnight).
pub fn day_start<Tz: TimeZone>(date: NaiveDate, tz: &Tz) -> f64 {
    for h in 0..24 {
        let Some(naive) = date.and_hms_opt(h, 0, 0) else {
            continue;
        };
        if let Some(dt) = tz.from_local_datetime(&naive).earliest() {
            return dt.timestamp() as f64;
        }
    }
    // Unreachable for real zones; UTC midnight is a sane stand-in.
    date.and_hms_opt(0, 0, 0)
        .map(|n| n.and_utc().timestamp() as f64)
        .unwrap_or(0.0)
}

/// The calendar date of `t_unix` in `tz`.
pub fn local_date<Tz: TimeZone>(t_unix: f64, tz: &Tz) -> NaiveDate {
    to_datetime(t_unix, tz).date_naive()
}

fn to_datetime<Tz: TimeZone>(t_unix: f64, tz: &Tz) -> DateTime<Tz> {
    let t = if t_unix.is_finite() { t_unix } else { 0.0 };
    let secs = t.floor();
    let nanos = ((t - secs) * 1e9).clamp(0.0, 999_999_999.0) as u32;
    DateTime::from_timestamp(secs.clamp(-8e12, 8e12) as i64, nanos)
        .unwrap_or_default()
        .with_timezone(tz)
}

/// RFC 3339 time (to the second) of `t_unix` in `tz`, with its UTC offset.
pub fn rfc3339<Tz: TimeZone>(t_unix: f64, tz: &Tz) -> String
where
    Tz::Offset: Display,
{
    to_datetime(t_unix, tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Default `--days`.
pub const DEFAULT_DAYS: u32 = 7;

/// The report's time range `[from, to)` for `--since DATE` or `--days N`
/// (the last N calendar days including today; [`DEFAULT_DAYS`] when
/// neither is given),
/// ending at `now`.
pub fn range<Tz: TimeZone>(
    since: Option<&str>,
    days: Option<u32>,
    now: f64,
    tz: &Tz,
) -> Result<(f64, f64), ReportError> {
    let today = local_date(now, tz);
    let first = match (since, days) {
        (Some(s), _) => {
            let d = parse_date("--since", s)?;
            if d > today {
                return Err(ReportError::FutureDate {
                    flag: "--since",
                    date: d,
                });
            }
            d
        }
        (None, n) => {
            let n = n.unwrap_or(DEFAULT_DAYS);
            if !(1..=MAX_DAYS).contains(&n) {
                return Err(ReportError::NoDays);
            }
            today
                .checked_sub_days(Days::new(u64::from(n - 1)))
                .unwrap_or(NaiveDate::MIN)
        }
    };
    Ok((day_start(first, tz), now))
}

/// The report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Start of the range, RFC 3339 in the report's time zone.
    pub from: String,
    /// End of the range (exclusive).
    pub to: String,
    pub from_unix: f64,
    pub to_unix: f64,
    /// Sessions (runs of the monitor) with samples in the range.
    pub sessions: usize,
    pub samples: usize,
    /// Seconds monitored (not paused or snoozed).
    pub monitored_s: f64,
    /// Calendar days with any monitoring.
    pub days_monitored: usize,
    /// Share of judged time spent upright, in percent; `None` when nothing was judged.
    pub upright_pct: Option<f64>,
    /// Where the time went.
    pub time: TimeBreakdown,
    pub episodes: Episodes,
    pub prompts: PromptStats,
    /// `hunch routine` runs (their stretches also count in `prompts`).
    pub routines: RoutineStats,
    pub pauses: PauseStats,
    /// Calibrations done in the range.
    pub calibrations: usize,
    pub forward_head: MetricSummary,
    pub rounded_shoulders: MetricSummary,
    /// One entry per calendar day with samples, oldest first.
    pub days: Vec<DaySummary>,
    /// Rows in the file this hunch could not read (from a newer version, say).
    pub skipped_rows: usize,
}

/// Seconds per kind of state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct TimeBreakdown {
    pub upright_s: f64,
    pub slumped_s: f64,
    pub forward_head_s: f64,
    pub rounded_shoulders_s: f64,
    pub slouch_s: f64,
    pub looking_down_s: f64,
    pub uncertain_s: f64,
    pub away_s: f64,
    pub paused_s: f64,
    pub snoozed_s: f64,
}

impl TimeBreakdown {
    fn add(&mut self, state: State, s: f64) {
        match state {
            State::Good => self.upright_s += s,
            State::ForwardHead => self.forward_head_s += s,
            State::RoundedShoulders => self.rounded_shoulders_s += s,
            State::Slouch => self.slouch_s += s,
            State::LookingDown => self.looking_down_s += s,
            State::Uncertain => self.uncertain_s += s,
            State::Away => self.away_s += s,
            State::Paused => self.paused_s += s,
            State::Snoozed => self.snoozed_s += s,
        }
        if state.is_slumped() {
            self.slumped_s += s;
        }
    }

    /// Time whose posture was judged: upright plus slumped.
    pub fn judged_s(&self) -> f64 {
        self.upright_s + self.slumped_s
    }

    fn upright_pct(&self) -> Option<f64> {
        let judged = self.judged_s();
        // The fraction first: u / (u + s) never rounds above 1, whereas
        // 100 * u / u can come out as 100.00000000000001.
        (judged > 0.0).then(|| 100.0 * (self.upright_s / judged))
    }
}

/// Slouch episodes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Episodes {
    pub count: usize,
    pub total_s: f64,
    pub median_s: Option<f64>,
    pub longest_s: Option<f64>,
    /// When the longest began, RFC 3339.
    pub longest_start: Option<String>,
}

/// Prompts and what became of them (the last outcome of each prompt counts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PromptStats {
    pub shown: usize,
    /// Done, verified or not.
    pub stretches_done: usize,
    pub done_verified: usize,
    /// Repetitions counted in the verified stretches.
    pub verified_reps: u64,
    pub done_unverified: usize,
    pub skipped: usize,
    pub snoozed: usize,
    /// Shown, but no outcome recorded (closed, or hunch stopped).
    pub no_outcome: usize,
}

/// Guided routines (`hunch routine`) in the range: each run is one session
/// whose prompts carry [`crate::routine::REASON_PREFIX`] reasons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoutineStats {
    pub runs: usize,
    /// Stretches offered in those runs...
    pub stretches: usize,
    /// ...done (verified or not)...
    pub done: usize,
    /// ...and of those, checked by the camera.
    pub done_verified: usize,
}

/// Pauses and snoozes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PauseStats {
    pub paused: usize,
    pub resumed: usize,
    pub snoozed: usize,
}

/// A reading over the whole range.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricSummary {
    /// Mean of reading minus baseline, in the reading's units.
    pub mean_deviation: Option<f64>,
    /// Mean distance from baseline (0) to threshold (1).
    pub mean_toward_threshold: Option<f64>,
    pub trend: Trend,
}

/// Whether a reading is getting better over the days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    Improving,
    Steady,
    Worsening,
    NotEnoughData,
}

/// The trend of a reading's daily mean "toward threshold".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    pub direction: TrendDirection,
    /// Days that entered the fit.
    pub days: usize,
    /// Slope of the fit, per day.
    pub per_day: Option<f64>,
    /// Fitted change from the first to the last of those days.
    pub change: Option<f64>,
}

/// One calendar day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DaySummary {
    /// YYYY-MM-DD in the report's time zone.
    pub date: String,
    pub monitored_s: f64,
    pub upright_pct: Option<f64>,
    pub time: TimeBreakdown,
    /// Slouch episodes that started this day.
    pub episodes: usize,
    pub longest_episode_s: Option<f64>,
    pub prompts: usize,
    pub stretches_done: usize,
    pub forward_head: MetricDay,
    pub rounded_shoulders: MetricDay,
}

/// A reading over one day (judged samples only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MetricDay {
    pub samples: usize,
    pub mean: Option<f64>,
    pub mean_baseline: Option<f64>,
    pub mean_deviation: Option<f64>,
    pub mean_toward_threshold: Option<f64>,
}

/// A slouch episode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Episode {
    pub session_id: i64,
    /// Time of its first sample.
    pub start: f64,
    /// End of its last sample's coverage.
    pub end: f64,
    /// Covered seconds.
    pub duration_s: f64,
}

/// A sample with the time it stands for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Covered<'a> {
    pub session_id: i64,
    pub sample: &'a Sample,
    pub cover_s: f64,
}

/// Samples in `[from, to)` in session-then-time order, each with its coverage.
pub(crate) fn covered(log: &Log, from: f64, to: f64) -> Vec<Covered<'_>> {
    let mut rows: Vec<Covered<'_>> = log
        .samples
        .iter()
        .filter(|s| s.record.t_unix >= from && s.record.t_unix < to)
        .map(|s| Covered {
            session_id: s.session_id,
            sample: &s.record,
            cover_s: SAMPLE_PERIOD_S,
        })
        .collect();
    rows.sort_by(|a, b| {
        a.session_id
            .cmp(&b.session_id)
            .then(a.sample.t_unix.total_cmp(&b.sample.t_unix))
    });
    for i in 0..rows.len().saturating_sub(1) {
        let (a, b) = (&rows[i], &rows[i + 1]);
        if a.session_id == b.session_id {
            let dt = b.sample.t_unix - a.sample.t_unix;
            if (0.0..=MAX_GAP_S).contains(&dt) {
                rows[i].cover_s = dt;
            }
        }
    }
    rows
}

/// Slouch episodes among covered samples (as returned by [`covered`]).
pub(crate) fn episodes_of(rows: &[Covered<'_>]) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    let mut open: Option<Episode> = None;
    let mut prev: Option<&Covered<'_>> = None;
    for r in rows {
        let continues = prev.is_some_and(|p| {
            p.session_id == r.session_id
                && p.sample.state.is_slumped()
                && r.sample.t_unix - p.sample.t_unix <= MAX_GAP_S
        });
        if !continues {
            out.extend(open.take());
        }
        if r.sample.state.is_slumped() {
            let e = open.get_or_insert(Episode {
                session_id: r.session_id,
                start: r.sample.t_unix,
                end: r.sample.t_unix,
                duration_s: 0.0,
            });
            e.end = r.sample.t_unix + r.cover_s;
            e.duration_s += r.cover_s;
        } else {
            out.extend(open.take());
        }
        prev = Some(r);
    }
    out.extend(open);
    out.sort_by(|a, b| a.start.total_cmp(&b.start));
    out
}

/// Slouch episodes in `[from, to)`.
pub fn episodes(log: &Log, from: f64, to: f64) -> Vec<Episode> {
    episodes_of(&covered(log, from, to))
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Which reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    ForwardHead,
    RoundedShoulders,
}

impl Metric {
    /// Reading, baseline and threshold of this metric in a sample.
    pub fn of(self, s: &Sample) -> (Option<f64>, Option<f64>, Option<f64>) {
        let f = |v: Option<f64>| v.filter(|x| x.is_finite());
        match self {
            Metric::ForwardHead => (
                f(s.forward_head),
                f(s.forward_head_baseline),
                f(s.forward_head_threshold),
            ),
            Metric::RoundedShoulders => (
                f(s.rounded_shoulders),
                f(s.rounded_shoulders_baseline),
                f(s.rounded_shoulders_threshold),
            ),
        }
    }

    /// The metric in words.
    pub fn label(self) -> &'static str {
        match self {
            Metric::ForwardHead => "Forward-head angle (°, lower is worse)",
            Metric::RoundedShoulders => "Rounded-shoulder angle (°, higher is worse)",
        }
    }
}

/// 0 at the baseline, 1 at the threshold.
pub fn toward_threshold(value: f64, baseline: f64, threshold: f64) -> Option<f64> {
    let span = threshold - baseline;
    (span.abs() > 1e-12).then(|| (value - baseline) / span)
}

#[derive(Default)]
struct MetricAcc {
    n: usize,
    sum: f64,
    n_base: usize,
    sum_base: f64,
    sum_dev: f64,
    n_frac: usize,
    sum_frac: f64,
}

impl MetricAcc {
    fn add(&mut self, (v, b, t): (Option<f64>, Option<f64>, Option<f64>)) {
        let Some(v) = v else { return };
        self.n += 1;
        self.sum += v;
        if let Some(b) = b {
            self.n_base += 1;
            self.sum_base += b;
            self.sum_dev += v - b;
            if let Some(f) = t.and_then(|t| toward_threshold(v, b, t)) {
                self.n_frac += 1;
                self.sum_frac += f;
            }
        }
    }

    fn day(&self) -> MetricDay {
        let mean = |s: f64, n: usize| (n > 0).then(|| s / n as f64);
        MetricDay {
            samples: self.n,
            mean: mean(self.sum, self.n),
            mean_baseline: mean(self.sum_base, self.n_base),
            mean_deviation: mean(self.sum_dev, self.n_base),
            mean_toward_threshold: mean(self.sum_frac, self.n_frac),
        }
    }
}

#[derive(Default)]
struct DayAcc {
    time: TimeBreakdown,
    episodes: usize,
    longest: Option<f64>,
    prompts: usize,
    stretches: usize,
    fh: MetricAcc,
    rs: MetricAcc,
}

fn trend(points: &[(f64, f64)]) -> Trend {
    let n = points.len();
    if n < 3 {
        return Trend {
            direction: TrendDirection::NotEnoughData,
            days: n,
            per_day: None,
            change: None,
        };
    }
    let nf = n as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let span = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max)
        - points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    if sxx <= 0.0 || !(sxy / sxx).is_finite() {
        return Trend {
            direction: TrendDirection::NotEnoughData,
            days: n,
            per_day: None,
            change: None,
        };
    }
    let slope = sxy / sxx;
    let change = slope * span;
    let direction = if change <= -TREND_STEP {
        TrendDirection::Improving
    } else if change >= TREND_STEP {
        TrendDirection::Worsening
    } else {
        TrendDirection::Steady
    };
    Trend {
        direction,
        days: n,
        per_day: Some(slope),
        change: Some(change),
    }
}

/// Summarises everything in `log` with `from <= t < to`; days are calendar
/// days in `tz`.
pub fn summarize<Tz: TimeZone>(log: &Log, from: f64, to: f64, tz: &Tz) -> Summary
where
    Tz::Offset: Display,
{
    let rows = covered(log, from, to);
    let eps = episodes_of(&rows);

    let mut time = TimeBreakdown::default();
    let mut days: BTreeMap<NaiveDate, DayAcc> = BTreeMap::new();
    let mut fh_all = MetricAcc::default();
    let mut rs_all = MetricAcc::default();
    let mut sessions: Vec<i64> = Vec::new();
    for r in &rows {
        let s = r.sample;
        time.add(s.state, r.cover_s);
        let day = days.entry(local_date(s.t_unix, tz)).or_default();
        day.time.add(s.state, r.cover_s);
        if s.state == State::Good || s.state.is_slumped() {
            day.fh.add(Metric::ForwardHead.of(s));
            day.rs.add(Metric::RoundedShoulders.of(s));
            fh_all.add(Metric::ForwardHead.of(s));
            rs_all.add(Metric::RoundedShoulders.of(s));
        }
        if sessions.last() != Some(&r.session_id) {
            sessions.push(r.session_id);
        }
    }
    for e in &eps {
        let day = days.entry(local_date(e.start, tz)).or_default();
        day.episodes += 1;
        day.longest = Some(day.longest.map_or(e.duration_s, |l| l.max(e.duration_s)));
    }

    // Prompts in range, with the last outcome recorded for each.
    let mut last_outcome: HashMap<(i64, u64), (f64, Outcome)> = HashMap::new();
    for o in &log.outcomes {
        let key = (o.session_id, o.record.prompt_id);
        let newer = last_outcome
            .get(&key)
            .is_none_or(|(t, _)| o.record.t_unix >= *t);
        if newer {
            last_outcome.insert(key, (o.record.t_unix, o.record.outcome));
        }
    }
    let mut prompts = PromptStats::default();
    let mut routines = RoutineStats::default();
    let mut routine_sessions = std::collections::HashSet::new();
    for p in log
        .prompts
        .iter()
        .filter(|p| p.record.t_unix >= from && p.record.t_unix < to)
        .filter(|p| p.record.reason.starts_with(crate::routine::REASON_PREFIX))
    {
        routine_sessions.insert(p.session_id);
        routines.stretches += 1;
        match last_outcome.get(&(p.session_id, p.record.prompt_id)) {
            Some((_, Outcome::DoneVerified { .. })) => {
                routines.done += 1;
                routines.done_verified += 1;
            }
            Some((_, Outcome::DoneUnverified)) => routines.done += 1,
            _ => {}
        }
    }
    routines.runs = routine_sessions.len();
    for p in log
        .prompts
        .iter()
        .filter(|p| p.record.t_unix >= from && p.record.t_unix < to)
    {
        prompts.shown += 1;
        let day = days.entry(local_date(p.record.t_unix, tz)).or_default();
        day.prompts += 1;
        match last_outcome.get(&(p.session_id, p.record.prompt_id)) {
            Some((_, Outcome::DoneVerified { reps })) => {
                prompts.done_verified += 1;
                prompts.verified_reps += u64::from(*reps);
                day.stretches += 1;
            }
            Some((_, Outcome::DoneUnverified)) => {
                prompts.done_unverified += 1;
                day.stretches += 1;
            }
            Some((_, Outcome::Skipped)) => prompts.skipped += 1,
            Some((_, Outcome::Snoozed)) => prompts.snoozed += 1,
            None => prompts.no_outcome += 1,
        }
    }
    prompts.stretches_done = prompts.done_verified + prompts.done_unverified;

    let mut pauses = PauseStats::default();
    for p in log
        .pauses
        .iter()
        .filter(|p| p.record.t_unix >= from && p.record.t_unix < to)
    {
        match p.record.kind {
            PauseKind::Paused => pauses.paused += 1,
            PauseKind::Resumed => pauses.resumed += 1,
            PauseKind::Snoozed => pauses.snoozed += 1,
        }
    }
    let calibrations = log
        .calibrations
        .iter()
        .filter(|c| c.record.t_unix >= from && c.record.t_unix < to)
        .count();

    let not_paused =
        |t: &TimeBreakdown| t.upright_s + t.slumped_s + t.looking_down_s + t.uncertain_s + t.away_s;

    let mut day_list = Vec::new();
    let mut fh_points = Vec::new();
    let mut rs_points = Vec::new();
    let first_day = days.keys().next().copied();
    for (date, d) in &days {
        let fh = d.fh.day();
        let rs = d.rs.day();
        let x = first_day.map_or(0.0, |f| (*date - f).num_days() as f64);
        for (m, acc, pts) in [(fh, &d.fh, &mut fh_points), (rs, &d.rs, &mut rs_points)] {
            if let Some(v) = m.mean_toward_threshold
                && acc.n_frac >= MIN_TREND_SAMPLES
            {
                pts.push((x, v));
            }
        }
        day_list.push(DaySummary {
            date: date.format("%Y-%m-%d").to_string(),
            monitored_s: not_paused(&d.time),
            upright_pct: d.time.upright_pct(),
            time: d.time,
            episodes: d.episodes,
            longest_episode_s: d.longest,
            prompts: d.prompts,
            stretches_done: d.stretches,
            forward_head: fh,
            rounded_shoulders: rs,
        });
    }
    // Days that only have prompts (no samples) are not monitoring days.
    let days_monitored = day_list.iter().filter(|d| d.monitored_s > 0.0).count();

    let mut lengths: Vec<f64> = eps.iter().map(|e| e.duration_s).collect();
    let longest = eps
        .iter()
        .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
    let episodes = Episodes {
        count: eps.len(),
        // Summed from +0.0: Rust's sum of no floats is -0.0, which JSON shows as such.
        total_s: lengths.iter().fold(0.0, |total, s| total + s),
        median_s: median(&mut lengths),
        longest_s: longest.map(|e| e.duration_s),
        longest_start: longest.map(|e| rfc3339(e.start, tz)),
    };

    let metric_summary = |acc: &MetricAcc, pts: &[(f64, f64)]| {
        let d = acc.day();
        MetricSummary {
            mean_deviation: d.mean_deviation,
            mean_toward_threshold: d.mean_toward_threshold,
            trend: trend(pts),
        }
    };

    Summary {
        from: rfc3339(from, tz),
        to: rfc3339(to, tz),
        from_unix: from,
        to_unix: to,
        sessions: sessions.len(),
        samples: rows.len(),
        monitored_s: not_paused(&time),
        days_monitored,
        upright_pct: time.upright_pct(),
        time,
        episodes,
        prompts,
        routines,
        pauses,
        calibrations,
        forward_head: metric_summary(&fh_all, &fh_points),
        rounded_shoulders: metric_summary(&rs_all, &rs_points),
        days: day_list,
        skipped_rows: log.skipped_rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Stored;
    use crate::posture::Verdict;
    use chrono::Utc;

    fn log_of(states: &[(f64, State)]) -> Log {
        Log {
            samples: states
                .iter()
                .map(|&(t, s)| Stored {
                    session_id: 1,
                    record: Sample::new(t, s, Verdict::Good),
                })
                .collect(),
            ..Log::default()
        }
    }

    #[test]
    fn routines_are_counted_per_session_from_their_reasons() {
        use crate::history::{Outcome as H, Prompt, PromptOutcome};
        let prompt = |session_id, id: u64, reason: String| Stored {
            session_id,
            record: Prompt {
                t_unix: 10.0 + id as f64,
                prompt_id: id,
                stretch_id: "neck_rolls".into(),
                reason,
            },
        };
        let outcome = |session_id, id: u64, outcome| Stored {
            session_id,
            record: PromptOutcome {
                t_unix: 50.0 + id as f64,
                prompt_id: id,
                outcome,
            },
        };
        let log = Log {
            prompts: vec![
                prompt(1, 1, crate::routine::history_reason(1, 2)),
                prompt(1, 2, crate::routine::history_reason(2, 2)),
                prompt(2, 1, crate::routine::history_reason(1, 1)),
                prompt(3, 1, "forward head for 30 s".into()),
            ],
            outcomes: vec![
                outcome(1, 1, H::DoneVerified { reps: 5 }),
                outcome(1, 2, H::Skipped),
                outcome(2, 1, H::DoneUnverified),
                outcome(3, 1, H::DoneVerified { reps: 10 }),
            ],
            ..Log::default()
        };
        let s = summarize(&log, 0.0, 1000.0, &Utc);
        assert_eq!(
            s.routines,
            RoutineStats {
                runs: 2,
                stretches: 3,
                done: 2,
                done_verified: 1
            }
        );
        assert_eq!(s.prompts.shown, 4);
        assert!(crate::report::text::render(&s).contains("Routines         2 runs: 2 of 3"));
    }

    #[test]
    fn coverage_skips_gaps() {
        // 0,1,2 then a 100 s gap, then 102, 103.
        let log = log_of(&[
            (0.0, State::Good),
            (1.0, State::Good),
            (2.0, State::Good),
            (102.0, State::Good),
            (103.0, State::Good),
        ]);
        let s = summarize(&log, 0.0, 1000.0, &Utc);
        assert_eq!(s.monitored_s, 5.0);
        assert_eq!(s.upright_pct, Some(100.0));
    }

    #[test]
    fn coverage_follows_irregular_sampling() {
        let log = log_of(&[(0.0, State::Good), (2.5, State::Slouch), (3.0, State::Good)]);
        let s = summarize(&log, 0.0, 10.0, &Utc);
        // 2.5 + 0.5 + 1 (last sample, nominal period).
        assert_eq!(s.monitored_s, 4.0);
        assert_eq!(s.time.slouch_s, 0.5);
        assert_eq!(s.episodes.count, 1);
        assert_eq!(s.episodes.longest_s, Some(0.5));
    }

    #[test]
    fn episodes_are_maximal_slumped_runs() {
        use State::*;
        let states = [
            Good,
            ForwardHead,
            Slouch,
            RoundedShoulders,
            Good,
            Slouch,
            LookingDown,
            Slouch,
            Slouch,
        ];
        let log = log_of(
            &states
                .iter()
                .enumerate()
                .map(|(i, s)| (i as f64, *s))
                .collect::<Vec<_>>(),
        );
        let e = episodes(&log, 0.0, 100.0);
        let lens: Vec<f64> = e.iter().map(|e| e.duration_s).collect();
        assert_eq!(lens, vec![3.0, 1.0, 2.0]);
        assert_eq!(e[0].start, 1.0);
        assert_eq!(e[0].end, 4.0);
        let s = summarize(&log, 0.0, 100.0, &Utc);
        assert_eq!(s.episodes.median_s, Some(2.0));
        assert_eq!(s.episodes.longest_s, Some(3.0));
        assert_eq!(
            s.episodes.longest_start.as_deref(),
            Some("1970-01-01T00:00:01+00:00")
        );
    }

    #[test]
    fn a_gap_or_a_new_session_ends_an_episode() {
        let mut log = log_of(&[
            (0.0, State::Slouch),
            (1.0, State::Slouch),
            (60.0, State::Slouch),
        ]);
        log.samples.push(Stored {
            session_id: 2,
            record: Sample::new(61.0, State::Slouch, Verdict::Slouch),
        });
        let lens: Vec<f64> = episodes(&log, 0.0, 100.0)
            .iter()
            .map(|e| e.duration_s)
            .collect();
        assert_eq!(lens, vec![2.0, 1.0, 1.0]);
    }

    #[test]
    fn upright_ignores_looking_down_away_and_paused() {
        use State::*;
        let mut v = Vec::new();
        let mut t = 0.0;
        for (s, n) in [
            (Good, 30),
            (Slouch, 10),
            (LookingDown, 20),
            (Away, 15),
            (Paused, 25),
            (Uncertain, 5),
        ] {
            for _ in 0..n {
                v.push((t, s));
                t += 1.0;
            }
        }
        let s = summarize(&log_of(&v), 0.0, 1e6, &Utc);
        assert_eq!(s.upright_pct, Some(75.0));
        assert_eq!(s.monitored_s, 80.0);
        assert_eq!(s.time.paused_s, 25.0);
        assert_eq!(s.time.looking_down_s, 20.0);
    }

    #[test]
    fn empty_log_gives_an_empty_summary() {
        let s = summarize(&Log::default(), 0.0, 10.0, &Utc);
        assert_eq!(s.samples, 0);
        assert_eq!(s.upright_pct, None);
        assert_eq!(s.episodes.median_s, None);
        assert_eq!(
            s.forward_head.trend.direction,
            TrendDirection::NotEnoughData
        );
        assert!(s.days.is_empty());
    }

    #[test]
    fn nan_and_huge_inputs_do_not_panic() {
        let mut log = log_of(&[(f64::MAX, State::Good), (-1e300, State::Slouch)]);
        log.samples[0].record.forward_head = Some(f64::NAN);
        log.samples[0].record.forward_head_baseline = Some(f64::INFINITY);
        let s = summarize(&log, f64::MIN, f64::INFINITY, &Utc);
        assert_eq!(s.samples, 2);
        let _ = text::render(&s);
    }

    #[test]
    fn toward_threshold_works_either_side_of_the_baseline() {
        assert_eq!(toward_threshold(12.0, 10.0, 14.0), Some(0.5));
        // A metric that falls as posture worsens (an angle, say).
        assert_eq!(toward_threshold(45.0, 50.0, 40.0), Some(0.5));
        assert_eq!(toward_threshold(1.0, 1.0, 1.0), None);
    }

    #[test]
    fn trend_direction_from_the_fitted_change() {
        let down: Vec<(f64, f64)> = (0..5).map(|d| (d as f64, 0.8 - 0.05 * d as f64)).collect();
        let t = trend(&down);
        assert_eq!(t.direction, TrendDirection::Improving);
        assert!((t.change.unwrap() + 0.2).abs() < 1e-12);
        let flat: Vec<(f64, f64)> = (0..5).map(|d| (d as f64, 0.5 + 0.01 * d as f64)).collect();
        assert_eq!(trend(&flat).direction, TrendDirection::Steady);
        let up: Vec<(f64, f64)> = (0..4).map(|d| (d as f64, 0.2 * d as f64)).collect();
        assert_eq!(trend(&up).direction, TrendDirection::Worsening);
        assert_eq!(trend(&up[..2]).direction, TrendDirection::NotEnoughData);
    }

    #[test]
    fn range_for_days_and_since() {
        // 2025-03-10 15:00 UTC.
        let now = 1_741_618_800.0;
        let (from, to) = range(None, Some(1), now, &Utc).unwrap();
        assert_eq!(to, now);
        assert_eq!(rfc3339(from, &Utc), "2025-03-10T00:00:00+00:00");
        let (from, _) = range(None, None, now, &Utc).unwrap();
        assert_eq!(rfc3339(from, &Utc), "2025-03-04T00:00:00+00:00");
        let (from, _) = range(Some("2025-02-01"), None, now, &Utc).unwrap();
        assert_eq!(rfc3339(from, &Utc), "2025-02-01T00:00:00+00:00");
        let tz = chrono::FixedOffset::east_opt(2 * 3600).unwrap();
        let (from, _) = range(Some("2025-02-01"), None, now, &tz).unwrap();
        assert_eq!(rfc3339(from, &tz), "2025-02-01T00:00:00+02:00");
        assert!(matches!(
            range(Some("2025-02-30"), None, now, &Utc),
            Err(ReportError::BadDate { .. })
        ));
        assert!(matches!(
            range(Some("2025-04-01"), None, now, &Utc),
            Err(ReportError::FutureDate { .. })
        ));
        assert!(matches!(
            range(None, Some(0), now, &Utc),
            Err(ReportError::NoDays)
        ));
        // Far past a calendar chrono can print sensibly: refused, not year -251540.
        let err = range(None, Some(u32::MAX), now, &Utc).unwrap_err();
        assert!(err.to_string().contains("1 to 36500"), "{err}");
        let (from, _) = range(None, Some(MAX_DAYS), now, &Utc).unwrap();
        assert!(
            rfc3339(from, &Utc).starts_with("1925-"),
            "{}",
            rfc3339(from, &Utc)
        );
    }

    /// The case the property below once found: all the judged time upright,
    /// where 100 * u / u rounded to 100.00000000000001.
    #[test]
    fn an_all_upright_share_is_exactly_100() {
        use State::*;
        let mut t = 0.0;
        let mut v = Vec::new();
        for (dt, s) in [
            (3.50374730230216, LookingDown),
            (6.325514562636853, LookingDown),
            (1.7777177222536356, LookingDown),
            (0.7834155005011689, Good),
            (3.6933036349378146, LookingDown),
        ] {
            t += dt;
            v.push((t, s));
        }
        let s = summarize(&log_of(&v), 0.0, 1e9, &Utc);
        assert_eq!(s.upright_pct, Some(100.0));
    }

    proptest::proptest! {
        #[test]
        fn figures_stay_in_bounds(
            steps in proptest::collection::vec((0.0f64..8.0, 0usize..9), 0..200)
        ) {
            let all = State::ALL;
            let mut t = 0.0;
            let mut v = Vec::new();
            for (dt, s) in steps {
                t += dt;
                v.push((t, all[s]));
            }
            let log = log_of(&v);
            let s = summarize(&log, 0.0, 1e9, &Utc);
            if let Some(p) = s.upright_pct {
                proptest::prop_assert!((0.0..=100.0).contains(&p));
            }
            let covered_total = s.monitored_s + s.time.paused_s + s.time.snoozed_s;
            proptest::prop_assert!(covered_total <= v.len() as f64 * MAX_GAP_S + 1e-9);
            proptest::prop_assert!(s.episodes.total_s <= s.time.slumped_s + 1e-9);
            proptest::prop_assert!((s.episodes.total_s - s.time.slumped_s).abs() < 1e-9);
            if let (Some(m), Some(l)) = (s.episodes.median_s, s.episodes.longest_s) {
                proptest::prop_assert!(m <= l);
            }
        }
    }
}
