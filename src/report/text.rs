//! The report as text for the terminal.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate};

use super::{MetricDay, MetricSummary, Summary, TrendDirection};

/// A duration in words: "45 s", "3 min 20 s", "2 h 05 min".
pub fn duration(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "–".into();
    }
    let total = s.round() as u64;
    let (h, m, sec) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min {sec:02} s")
    } else {
        format!("{sec} s")
    }
}

fn pct(p: Option<f64>) -> String {
    p.map_or("–".into(), |p| format!("{p:.0}%"))
}

/// "Mon 6 May 2025" for an RFC 3339 time (in the zone it carries).
fn day_of(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|d| d.format("%a %-d %b %Y").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn day_time_of(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|d| d.format("%a %-d %b %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn short_date(date: &str) -> String {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| d.format("%a %-d %b").to_string())
        .unwrap_or_else(|_| date.to_string())
}

fn toward(m: &MetricDay) -> String {
    m.mean_toward_threshold
        .map_or("–".into(), |f| format!("{:.0}%", 100.0 * f))
}

const NOT_ENOUGH_DAYS: &str =
    "not enough days yet to tell (needs 3 days with 5 min of posture in view)";

fn trend_line(name: &str, m: &MetricSummary) -> String {
    let t = &m.trend;
    let change = t.change.unwrap_or(0.0) * 100.0;
    let towards = if change < 0.0 {
        "closer to your calibrated posture"
    } else {
        "closer to the alarm threshold"
    };
    let detail = format!(
        "the daily mean moved {:.0} points {towards} across {} days",
        change.abs(),
        t.days
    );
    match t.direction {
        TrendDirection::Improving => format!("{name}: improving ({detail})"),
        TrendDirection::Worsening => format!("{name}: getting worse ({detail})"),
        TrendDirection::Steady => format!("{name}: steady ({detail})"),
        TrendDirection::NotEnoughData => format!("{name}: {NOT_ENOUGH_DAYS}"),
    }
}

/// The summary as a readable page.
pub fn render(s: &Summary) -> String {
    let mut o = String::new();
    let last_day = DateTime::parse_from_rfc3339(&s.to)
        .ok()
        .and_then(|d| {
            // `to` is exclusive; name the day of the last instant.
            d.checked_sub_signed(chrono::TimeDelta::seconds(1))
        })
        .map(|d| d.format("%a %-d %b %Y").to_string())
        .unwrap_or_else(|| s.to.clone());
    let _ = writeln!(o, "Posture report, {} to {}", day_of(&s.from), last_day);
    let _ = writeln!(o);
    if s.samples == 0 {
        let _ = writeln!(
            o,
            "Nothing was recorded in this period. hunch records while it monitors; try a longer --days."
        );
        routines_line(&mut o, s);
        return o;
    }
    let t = &s.time;
    let _ = writeln!(
        o,
        "  Monitored        {} over {} day{}, {} session{}",
        duration(s.monitored_s),
        s.days_monitored,
        plural(s.days_monitored),
        s.sessions,
        plural(s.sessions)
    );
    let mut not_judged = Vec::new();
    for (label, v) in [
        ("looking down", t.looking_down_s),
        ("away", t.away_s),
        ("uncertain", t.uncertain_s),
    ] {
        if v > 0.0 {
            not_judged.push(format!("{label} {}", duration(v)));
        }
    }
    let _ = writeln!(
        o,
        "  Upright          {} of {} with your posture in view{}",
        pct(s.upright_pct),
        duration(t.judged_s()),
        if not_judged.is_empty() {
            String::new()
        } else {
            format!(" (not counted: {})", not_judged.join(", "))
        }
    );
    let e = &s.episodes;
    if e.count == 0 {
        let _ = writeln!(o, "  Slouch episodes  none");
    } else {
        let _ = writeln!(
            o,
            "  Slouch episodes  {}, {} in all; median {}, longest {} ({})",
            e.count,
            duration(e.total_s),
            duration(e.median_s.unwrap_or(0.0)),
            duration(e.longest_s.unwrap_or(0.0)),
            e.longest_start
                .as_deref()
                .map(day_time_of)
                .unwrap_or_default()
        );
        let _ = writeln!(
            o,
            "                   forward head {}, rounded shoulders {}, both {}",
            duration(t.forward_head_s),
            duration(t.rounded_shoulders_s),
            duration(t.slouch_s)
        );
    }
    let p = &s.prompts;
    if p.shown == 0 {
        let _ = writeln!(o, "  Stretch prompts  none");
    } else {
        let mut parts = vec![format!(
            "{} stretch{} done ({} verified, {} reps; {} unverified)",
            p.stretches_done,
            if p.stretches_done == 1 { "" } else { "es" },
            p.done_verified,
            p.verified_reps,
            p.done_unverified
        )];
        for (label, n) in [
            ("skipped", p.skipped),
            ("snoozed", p.snoozed),
            ("no answer", p.no_outcome),
        ] {
            if n > 0 {
                parts.push(format!("{n} {label}"));
            }
        }
        let _ = writeln!(
            o,
            "  Stretch prompts  {} shown: {}",
            p.shown,
            parts.join(", ")
        );
    }
    routines_line(&mut o, s);
    let pa = &s.pauses;
    if pa.paused + pa.snoozed + s.calibrations > 0 {
        let _ = writeln!(
            o,
            "  Pauses           {} pause{}, {} snooze{} ({} paused, {} snoozed); {} calibration{}",
            pa.paused,
            plural(pa.paused),
            pa.snoozed,
            plural(pa.snoozed),
            duration(t.paused_s),
            duration(t.snoozed_s),
            s.calibrations,
            plural(s.calibrations)
        );
    }

    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {:<11} {:>11} {:>8} {:>9} {:>12} {:>9} {:>8}",
        "Day", "Monitored", "Upright", "Episodes", "Longest", "Fwd head", "Rounded"
    );
    for d in &s.days {
        let _ = writeln!(
            o,
            "  {:<11} {:>11} {:>8} {:>9} {:>12} {:>9} {:>8}",
            short_date(&d.date),
            duration(d.monitored_s),
            pct(d.upright_pct),
            d.episodes,
            d.longest_episode_s.map_or("–".into(), duration),
            toward(&d.forward_head),
            toward(&d.rounded_shoulders),
        );
    }
    let _ = writeln!(
        o,
        "  (Fwd head, Rounded: mean reading while in view, 0% = your calibrated posture, 100% = alarm threshold)"
    );
    let _ = writeln!(o);
    if s.forward_head.trend.direction == TrendDirection::NotEnoughData
        && s.rounded_shoulders.trend.direction == TrendDirection::NotEnoughData
    {
        // One line for both, rather than the same sentence twice.
        let _ = writeln!(o, "  Trend  {NOT_ENOUGH_DAYS}");
    } else {
        let _ = writeln!(
            o,
            "  Trend  {}",
            trend_line("forward head", &s.forward_head)
        );
        let _ = writeln!(
            o,
            "         {}",
            trend_line("rounded shoulders", &s.rounded_shoulders)
        );
    }
    if s.skipped_rows > 0 {
        let _ = writeln!(
            o,
            "\n  ({} rows written by a newer hunch were left out.)",
            s.skipped_rows
        );
    }
    o
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The `hunch routine` runs, when there were any.
fn routines_line(o: &mut String, s: &Summary) {
    let r = &s.routines;
    if r.runs > 0 {
        let _ = writeln!(
            o,
            "  Routines         {} run{}: {} of {} stretches done ({} checked by the camera)",
            r.runs,
            plural(r.runs),
            r.done,
            r.stretches,
            r.done_verified
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(0.0), "0 s");
        assert_eq!(duration(45.2), "45 s");
        assert_eq!(duration(200.0), "3 min 20 s");
        assert_eq!(duration(7500.0), "2 h 05 min");
        assert_eq!(duration(f64::NAN), "–");
    }
}
