//! `--csv`: the samples of the report's range as CSV, one row per sample.
//!
//! Columns: `time` (RFC 3339 in the report's time zone), `t_unix`,
//! `session`, `state`, `verdict`, `view`, then each reading with its
//! baseline and threshold, then `metrics_json`. Missing values are empty.

use std::fmt::Display;
use std::io::Write;

use chrono::TimeZone;

use super::rfc3339;
use crate::history::{Log, enum_name};

/// The header row.
pub const COLUMNS: [&str; 13] = [
    "time",
    "t_unix",
    "session",
    "state",
    "verdict",
    "view",
    "forward_head",
    "forward_head_baseline",
    "forward_head_threshold",
    "rounded_shoulders",
    "rounded_shoulders_baseline",
    "rounded_shoulders_threshold",
    "metrics_json",
];

/// Writes the samples with `from <= t < to`, in time order; returns how many.
pub fn write_csv<Tz: TimeZone, W: Write>(
    log: &Log,
    from: f64,
    to: f64,
    tz: &Tz,
    out: W,
) -> std::io::Result<usize>
where
    Tz::Offset: Display,
{
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    w.write_record(COLUMNS).map_err(io)?;
    let num = |v: Option<f64>| {
        v.filter(|x| x.is_finite())
            .map(|x| x.to_string())
            .unwrap_or_default()
    };
    let mut n = 0;
    for s in log
        .samples
        .iter()
        .filter(|s| s.record.t_unix >= from && s.record.t_unix < to)
    {
        let r = &s.record;
        w.write_record([
            rfc3339(r.t_unix, tz),
            r.t_unix.to_string(),
            s.session_id.to_string(),
            enum_name(&r.state),
            enum_name(&r.verdict),
            r.view.as_ref().map(enum_name).unwrap_or_default(),
            num(r.forward_head),
            num(r.forward_head_baseline),
            num(r.forward_head_threshold),
            num(r.rounded_shoulders),
            num(r.rounded_shoulders_baseline),
            num(r.rounded_shoulders_threshold),
            r.metrics_json.clone().unwrap_or_default(),
        ])
        .map_err(io)?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}
