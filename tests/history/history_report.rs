//! A replayed three-day history, and the report's figures checked against
//! what was fed in (worked out by hand from the script in history_support).

use crate::history_support::*;
use chrono::Utc;
use hunch::history::History;
use hunch::report::{self, TrendDirection};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    outside_days(&path);
    three_days(&path);
    (dir, path)
}

/// Monday 00:00 to Thursday 00:00 UTC.
const FROM: f64 = MON_2025_03_03;
const TO: f64 = MON_2025_03_03 + 3.0 * DAY;

#[test]
fn report_figures_match_the_replayed_session() {
    let (_dir, path) = fixture();
    let h = History::open_existing(&path).unwrap();
    let log = h.load(FROM, TO).unwrap();
    assert_eq!(log.transitions.len(), 10 + 3 + 2);
    let s = report::summarize(&log, FROM, TO, &Utc);

    assert_eq!(s.from, "2025-03-03T00:00:00+00:00");
    assert_eq!(s.to, "2025-03-06T00:00:00+00:00");
    assert_eq!(s.sessions, 3);
    assert_eq!(s.samples, 1775 + 1820 + 1830);
    // Paused and snoozed time, and the ten-minute gap, are not monitoring.
    assert_eq!(s.monitored_s, 1715.0 + 1700.0 + 1830.0);
    assert_eq!(s.days_monitored, 3);

    let t = &s.time;
    assert_eq!(t.upright_s, 1300.0 + 1500.0 + 1800.0);
    assert_eq!(t.forward_head_s, 150.0);
    assert_eq!(t.slouch_s, 290.0);
    assert_eq!(t.rounded_shoulders_s, 45.0);
    assert_eq!(t.slumped_s, 485.0);
    assert_eq!(t.looking_down_s, 60.0);
    assert_eq!(t.away_s, 100.0);
    assert_eq!(t.paused_s, 60.0);
    assert_eq!(t.snoozed_s, 120.0);
    assert_eq!(t.uncertain_s, 0.0);
    assert!(close(s.upright_pct.unwrap(), 100.0 * 4600.0 / 5085.0));

    let e = &s.episodes;
    assert_eq!(e.count, 5);
    assert_eq!(e.total_s, 485.0);
    assert_eq!(e.median_s, Some(90.0));
    assert_eq!(e.longest_s, Some(200.0));
    assert_eq!(
        e.longest_start.as_deref(),
        Some("2025-03-04T14:16:40+00:00")
    );

    let p = &s.prompts;
    assert_eq!(p.shown, 5);
    assert_eq!(p.done_verified, 1);
    assert_eq!(p.verified_reps, 8);
    // Wednesday's prompt was snoozed, then done: the last outcome counts.
    assert_eq!(p.done_unverified, 1);
    assert_eq!(p.stretches_done, 2);
    assert_eq!(p.skipped, 1);
    assert_eq!(p.snoozed, 1);
    assert_eq!(p.no_outcome, 1);

    assert_eq!(
        (s.pauses.paused, s.pauses.resumed, s.pauses.snoozed),
        (1, 2, 1)
    );
    assert_eq!(s.calibrations, 1);
    assert_eq!(s.skipped_rows, 0);

    // Per day.
    let dates: Vec<&str> = s.days.iter().map(|d| d.date.as_str()).collect();
    assert_eq!(dates, ["2025-03-03", "2025-03-04", "2025-03-05"]);
    let [mon, tue, wed] = &s.days[..] else {
        panic!("three days")
    };
    assert_eq!(
        (mon.monitored_s, tue.monitored_s, wed.monitored_s),
        (1715.0, 1700.0, 1830.0)
    );
    assert!(close(mon.upright_pct.unwrap(), 100.0 * 1300.0 / 1555.0));
    assert!(close(tue.upright_pct.unwrap(), 100.0 * 1500.0 / 1700.0));
    assert!(close(wed.upright_pct.unwrap(), 100.0 * 1800.0 / 1830.0));
    assert_eq!((mon.episodes, tue.episodes, wed.episodes), (3, 1, 1));
    assert_eq!(mon.longest_episode_s, Some(120.0));
    assert_eq!((mon.prompts, tue.prompts, wed.prompts), (2, 2, 1));
    assert_eq!(
        (mon.stretches_done, tue.stretches_done, wed.stretches_done),
        (1, 0, 1)
    );

    // Readings over judged samples only (looking down, away, paused left out).
    let fh_dev = [1305.0 / 1555.0, 1000.0 / 1700.0, 150.0 / 1830.0];
    let rs_dev = [18.15 / 1555.0, 37.0 / 1700.0, 1.2 / 1830.0];
    for (i, d) in s.days.iter().enumerate() {
        assert_eq!(d.forward_head.samples, [1555, 1700, 1830][i]);
        assert!(close(d.forward_head.mean_baseline.unwrap(), FH_BASE));
        assert!(close(d.forward_head.mean_deviation.unwrap(), fh_dev[i]));
        assert!(close(d.forward_head.mean.unwrap(), FH_BASE + fh_dev[i]));
        assert!(close(
            d.forward_head.mean_toward_threshold.unwrap(),
            fh_dev[i] / (FH_THR - FH_BASE)
        ));
        assert!(close(
            d.rounded_shoulders.mean_deviation.unwrap(),
            rs_dev[i]
        ));
        assert!(close(
            d.rounded_shoulders.mean_toward_threshold.unwrap(),
            rs_dev[i] / (RS_THR - RS_BASE)
        ));
    }
    assert!(close(
        s.forward_head.mean_deviation.unwrap(),
        (1305.0 + 1000.0 + 150.0) / 5085.0
    ));

    // Trend: with three consecutive days the fitted change is last minus first.
    let fh = &s.forward_head.trend;
    assert_eq!(fh.days, 3);
    assert_eq!(fh.direction, TrendDirection::Improving);
    assert!(close(fh.change.unwrap(), (fh_dev[2] - fh_dev[0]) / 4.0));
    let rs = &s.rounded_shoulders.trend;
    assert!(close(rs.change.unwrap(), (rs_dev[2] - rs_dev[0]) / 0.1));
    assert_eq!(rs.direction, TrendDirection::Improving);
}

#[test]
fn days_follow_the_time_zone_given() {
    let (_dir, path) = fixture();
    let log = History::open_existing(&path)
        .unwrap()
        .load(FROM - DAY, TO + DAY)
        .unwrap();
    // UTC+3: Sunday 22:00 UTC is Monday 01:00, so it joins Monday's figures.
    let tz = chrono::FixedOffset::east_opt(3 * 3600).unwrap();
    let from = report::day_start(chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(), &tz);
    let s = report::summarize(&log, from, from + 3.0 * DAY, &tz);
    assert_eq!(s.from, "2025-03-03T00:00:00+03:00");
    assert_eq!(s.days[0].date, "2025-03-03");
    assert_eq!(s.days[0].monitored_s, 300.0 + 1715.0);
    assert_eq!(s.days[0].episodes, 4);
    assert_eq!(s.monitored_s, 300.0 + 1715.0 + 1700.0 + 1830.0);
}

#[test]
fn text_report_states_the_figures() {
    let (_dir, path) = fixture();
    let log = History::open_existing(&path)
        .unwrap()
        .load(FROM, TO)
        .unwrap();
    let s = report::summarize(&log, FROM, TO, &Utc);
    let text = report::text::render(&s);
    println!("{text}");
    for needle in [
        "Posture report, Mon 3 Mar 2025 to Wed 5 Mar 2025",
        "1 h 27 min over 3 days, 3 sessions", // 5245 s
        "90% of 1 h 24 min",                  // 4600 / 5085; 5085 s judged
        "looking down 1 min 00 s",
        "5, 8 min 05 s in all; median 1 min 30 s, longest 3 min 20 s (Tue 4 Mar 14:16)",
        "5 shown: 2 stretches done (1 verified, 8 reps; 1 unverified), 1 skipped, 1 snoozed, 1 no answer",
        "forward head: improving",
        "rounded shoulders: improving",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // A line per day, with its upright share.
    assert!(text.contains("Mon 3 Mar"));
    assert!(text.contains("84%"), "{text}"); // Monday 1300/1555
}

#[test]
fn json_summary_has_the_documented_fields() {
    let (_dir, path) = fixture();
    let log = History::open_existing(&path)
        .unwrap()
        .load(FROM, TO)
        .unwrap();
    let s = report::summarize(&log, FROM, TO, &Utc);
    let v: serde_json::Value = serde_json::to_value(&s).unwrap();
    assert_eq!(v["monitored_s"], 5245.0);
    assert_eq!(v["episodes"]["count"], 5);
    assert_eq!(v["episodes"]["median_s"], 90.0);
    assert_eq!(v["prompts"]["done_verified"], 1);
    assert_eq!(v["forward_head"]["trend"]["direction"], "improving");
    assert_eq!(v["days"][1]["date"], "2025-03-04");
    assert_eq!(v["days"][1]["time"]["snoozed_s"], 120.0);
}

#[test]
fn csv_export_has_every_sample_in_range() {
    let (_dir, path) = fixture();
    let log = History::open_existing(&path)
        .unwrap()
        .load(FROM - DAY, TO + DAY)
        .unwrap();
    let mut out = Vec::new();
    let n = report::export::write_csv(&log, FROM, TO, &Utc, &mut out).unwrap();
    assert_eq!(n, 5425);
    let text = String::from_utf8(out).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, report::export::COLUMNS);
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 5425);
    let first = &records[0];
    assert_eq!(&first[0], "2025-03-03T09:00:00+00:00");
    assert_eq!(&first[3], "good");
    assert_eq!(&first[5], "front");
    assert_eq!(&first[6], "10");
    assert_eq!(&first[7], "10");
    assert_eq!(&first[8], "14");
    // Away samples have no readings: empty cells.
    let away: Vec<_> = records.iter().filter(|r| &r[3] == "away").collect();
    assert_eq!(away.len(), 100);
    assert!(away.iter().all(|r| r[6].is_empty() && r[9].is_empty()));
    // In time order.
    let ts: Vec<f64> = records.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(ts.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn chart_data_for_the_last_day() {
    let (_dir, path) = fixture();
    let log = History::open_existing(&path)
        .unwrap()
        .load(FROM - 28.0 * DAY, TO)
        .unwrap();
    let c = report::chart::chart_data(&log, FROM, TO, &Utc, 28);
    let day = c.day.as_ref().unwrap();
    assert_eq!(day.date.to_string(), "2025-03-05");
    // 08:30:00 to 09:00:30, in whole hours.
    assert_eq!(day.hours, (8.0, 10.0));
    assert_eq!(day.episodes.len(), 1);
    let (s, e) = day.episodes[0];
    assert!(close(s, 8.5 + 1200.0 / 3600.0) && close(e, 8.5 + 1230.0 / 3600.0));
    let raw: usize = day.forward_head.raw.iter().map(Vec::len).sum();
    assert_eq!(raw, 1830);
    // Bars: 28 days to Wednesday; Sunday's 5 slumped minutes show as 0 %.
    assert_eq!(c.bars.len(), 28);
    let last3: Vec<f64> = c.bars[25..]
        .iter()
        .map(|b| b.upright_pct.unwrap())
        .collect();
    assert!(close(last3[0], 100.0 * 1300.0 / 1555.0));
    assert!(close(last3[2], 100.0 * 1800.0 / 1830.0));
    assert_eq!(c.bars[24].upright_pct, Some(0.0));
    assert!(c.bars[..24].iter().all(|b| b.upright_pct.is_none()));
}
