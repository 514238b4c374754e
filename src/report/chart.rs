//! `--png`: a chart of the history.
//!
//! Top, one panel per reading for the most recent day with posture in view:
//! the reading over the day (thin: each sample; bold: one-minute mean), the
//! calibrated baseline and the alarm threshold, with slouch episodes shaded.
//! Bottom, the share of time upright for each of the last weeks' days.
//!
//! [`chart_data`] turns the history into plain numbers (pure, tested);
//! [`render`] draws them with plotters into an RGB buffer using the DejaVu
//! font embedded in the binary, so no system fonts are needed.

use std::fmt::Display;
use std::path::Path;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, TimeZone};
use plotters::backend::RGBPixel;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Covered, MAX_GAP_S, Metric, ReportError, SAMPLE_PERIOD_S, covered, day_start, episodes_of,
    local_date,
};
use crate::history::Log;
use crate::posture::State;

/// Chart size in pixels.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 1000;

/// Seconds averaged for the bold line.
pub const SMOOTH_S: f64 = 60.0;

/// The reading's line bridges shorter stretches without a judged sample (a
/// glance at the keyboard); longer ones break it.
pub const BRIDGE_S: f64 = 60.0;

/// One reading over the day, as line segments in (hours since midnight, value).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricTrace {
    /// Each judged sample; a new segment after a gap or a sample not judged.
    pub raw: Vec<Vec<(f64, f64)>>,
    /// Means over [`SMOOTH_S`] windows, same segmentation.
    pub smooth: Vec<Vec<(f64, f64)>>,
    pub baseline: Vec<Vec<(f64, f64)>>,
    pub threshold: Vec<Vec<(f64, f64)>>,
}

impl MetricTrace {
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.raw
            .iter()
            .chain(&self.baseline)
            .chain(&self.threshold)
            .flatten()
            .map(|p| p.1)
    }
}

/// The most recent day with posture in view.
#[derive(Clone, Debug, PartialEq)]
pub struct DayTrace {
    pub date: NaiveDate,
    pub forward_head: MetricTrace,
    pub rounded_shoulders: MetricTrace,
    /// Slouch episodes, (start, end) in hours since midnight.
    pub episodes: Vec<(f64, f64)>,
    /// Hours shown: from the first to the last sample of the day, whole hours.
    pub hours: (f64, f64),
    /// The day's share of judged time upright, in percent.
    pub upright_pct: Option<f64>,
}

/// One day's upright share.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayBar {
    pub date: NaiveDate,
    pub upright_pct: Option<f64>,
}

/// What the chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    pub day: Option<DayTrace>,
    pub bars: Vec<DayBar>,
}

/// Which samples go into the line: those whose posture was judged.
fn judged(state: State) -> bool {
    state == State::Good || state.is_slumped()
}

fn push_point(segs: &mut Vec<Vec<(f64, f64)>>, new_segment: bool, p: (f64, f64)) {
    match segs.last_mut() {
        Some(seg) if !new_segment => seg.push(p),
        _ => segs.push(vec![p]),
    }
}

fn trace(rows: &[&Covered<'_>], metric: Metric, midnight: f64) -> MetricTrace {
    let mut m = MetricTrace::default();
    let hours = |t: f64| (t - midnight) / 3600.0;
    // The reading's line breaks at a new session, or after more than
    // BRIDGE_S without a judged sample.
    let mut prev: Option<(i64, f64)> = None;
    let mut window: Vec<(f64, f64)> = Vec::new();
    let mut window_start = f64::NEG_INFINITY;
    let mut smooth_break = true;
    let flush = |window: &mut Vec<(f64, f64)>, m: &mut MetricTrace, brk: bool| {
        if window.is_empty() {
            return;
        }
        let n = window.len() as f64;
        let t = window.iter().map(|p| p.0).sum::<f64>() / n;
        let v = window.iter().map(|p| p.1).sum::<f64>() / n;
        push_point(&mut m.smooth, brk, (hours(t), v));
        window.clear();
    };
    let mut prev_any: Option<(i64, f64)> = None;
    for r in rows {
        let s = r.sample;
        let (v, b, th) = metric.of(s);
        let x = hours(s.t_unix);
        // Baseline and threshold are levels that hold through glances down
        // and absences: they break only where monitoring did.
        let level_break =
            prev_any.is_none_or(|(sid, t)| sid != r.session_id || s.t_unix - t > MAX_GAP_S);
        prev_any = Some((r.session_id, s.t_unix));
        let last_of = |segs: &Vec<Vec<(f64, f64)>>| segs.last().and_then(|s| s.last()).map(|p| p.1);
        for (val, segs) in [(b, &mut m.baseline), (th, &mut m.threshold)] {
            if let Some(val) = val {
                if !level_break && last_of(segs) != Some(val) {
                    // A recalibration: end the old level here, start the new.
                    push_point(segs, false, (x, last_of(segs).unwrap_or(val)));
                }
                push_point(segs, level_break, (x, val));
            }
        }
        // The reading itself only where posture was judged.
        let Some(v) = v.filter(|_| judged(s.state)) else {
            continue;
        };
        let breaks = level_break
            || prev.is_none_or(|(sid, t)| sid != r.session_id || s.t_unix - t > BRIDGE_S);
        push_point(&mut m.raw, breaks, (x, v));
        if breaks || s.t_unix - window_start >= SMOOTH_S {
            flush(&mut window, &mut m, smooth_break);
            smooth_break = breaks;
            window_start = s.t_unix;
        }
        window.push((s.t_unix, v));
        prev = Some((r.session_id, s.t_unix));
    }
    flush(&mut window, &mut m, smooth_break);
    m
}

/// The last day in `[from, to)` with posture in view.
fn last_judged_day<Tz: TimeZone>(log: &Log, from: f64, to: f64, tz: &Tz) -> Option<NaiveDate> {
    log.samples
        .iter()
        .filter(|s| s.record.t_unix >= from && s.record.t_unix < to && judged(s.record.state))
        .map(|s| s.record.t_unix)
        .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.max(t))))
        .map(|t| local_date(t, tz))
}

/// The days the bars cover: `bar_days` days ending on the last day with
/// posture in view in `[from, to)` (the day the top panels show), or on the
/// day of `to` when there is none.
pub fn bar_days_range<Tz: TimeZone>(
    log: &Log,
    from: f64,
    to: f64,
    tz: &Tz,
    bar_days: u32,
) -> (NaiveDate, NaiveDate) {
    let last = last_judged_day(log, from, to, tz).unwrap_or_else(|| local_date(to - 1e-3, tz));
    let first = last
        .checked_sub_days(Days::new(u64::from(bar_days.max(1) - 1)))
        .unwrap_or(last);
    (first, last)
}

/// The chart's numbers: the last day with posture in view within
/// `[from, to)`, and upright bars for the `bar_days` days ending on that day
/// (see [`bar_days_range`]; `log` should reach back to their start, whatever
/// `from` says).
pub fn chart_data<Tz: TimeZone>(log: &Log, from: f64, to: f64, tz: &Tz, bar_days: u32) -> ChartData
where
    Tz::Offset: Display,
{
    let (first_bar, last_day) = bar_days_range(log, from, to, tz, bar_days);
    let bar_rows = covered(log, day_start(first_bar, tz), to);
    let mut bars: Vec<DayBar> = Vec::new();
    let mut d = first_bar;
    while d <= last_day {
        bars.push(DayBar {
            date: d,
            upright_pct: None,
        });
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    let mut acc = vec![(0.0f64, 0.0f64); bars.len()];
    for r in &bar_rows {
        let i = (local_date(r.sample.t_unix, tz) - first_bar).num_days();
        if let Some(a) = usize::try_from(i).ok().and_then(|i| acc.get_mut(i)) {
            if r.sample.state == State::Good {
                a.0 += r.cover_s;
            }
            if judged(r.sample.state) {
                a.1 += r.cover_s;
            }
        }
    }
    for (bar, (up, all)) in bars.iter_mut().zip(acc) {
        bar.upright_pct = (all > 0.0).then(|| 100.0 * (up / all));
    }

    let rows = covered(log, from, to);
    let date = last_judged_day(log, from, to, tz);
    let day = date.map(|date| {
        let midnight = day_start(date, tz);
        let day_rows: Vec<&Covered<'_>> = rows
            .iter()
            .filter(|r| local_date(r.sample.t_unix, tz) == date)
            .collect();
        let owned: Vec<Covered<'_>> = day_rows.iter().map(|r| **r).collect();
        let episodes = episodes_of(&owned)
            .iter()
            .map(|e| ((e.start - midnight) / 3600.0, (e.end - midnight) / 3600.0))
            .collect();
        let first = day_rows
            .iter()
            .map(|r| r.sample.t_unix)
            .fold(f64::INFINITY, f64::min);
        let last = day_rows
            .iter()
            .map(|r| r.sample.t_unix + SAMPLE_PERIOD_S)
            .fold(f64::NEG_INFINITY, f64::max);
        let h0 = ((first - midnight) / 3600.0).floor().clamp(0.0, 24.0);
        let h1 = ((last - midnight) / 3600.0).ceil().clamp(h0 + 1.0, 25.0);
        let (up, all) = day_rows.iter().fold((0.0, 0.0), |(up, all), r| {
            let good = if r.sample.state == State::Good {
                r.cover_s
            } else {
                0.0
            };
            let j = if judged(r.sample.state) {
                r.cover_s
            } else {
                0.0
            };
            (up + good, all + j)
        });
        DayTrace {
            date,
            upright_pct: (all > 0.0).then(|| 100.0 * (up / all)),
            forward_head: trace(&day_rows, Metric::ForwardHead, midnight),
            rounded_shoulders: trace(&day_rows, Metric::RoundedShoulders, midnight),
            episodes,
            hours: (h0, h1),
        }
    });
    ChartData { day, bars }
}

const FONT: &str = "sans-serif";

fn register_fonts() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = DONE.get_or_init(|| {
        let regular: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        let bold: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
        plotters::style::register_font(FONT, FontStyle::Normal, regular)
            .and_then(|()| plotters::style::register_font(FONT, FontStyle::Bold, bold))
            .is_ok()
    });
    if *ok { Ok(()) } else { Err(ChartError::Font) }
}

const RAW_LINE: RGBColor = RGBColor(170, 195, 225);
const SMOOTH_LINE: RGBColor = RGBColor(20, 60, 130);
const BASELINE: RGBColor = RGBColor(60, 150, 80);
const THRESHOLD: RGBColor = RGBColor(205, 60, 40);
const EPISODE: RGBColor = RGBColor(245, 150, 40);
const BAR: RGBColor = RGBColor(70, 150, 110);
const GRID: RGBColor = RGBColor(225, 225, 225);
const TEXT: RGBColor = RGBColor(40, 40, 40);

fn clock(h: f64) -> String {
    let m = (h * 60.0).round() as i64;
    format!("{:02}:{:02}", m.div_euclid(60) % 24, m.rem_euclid(60))
}

type Area<'a> = DrawingArea<BitMapBackend<'a, RGBPixel>, plotters::coord::Shift>;

/// The bitmap backend's error (plotters does not name its type).
type BitMapBackendError = <BitMapBackend<'static, RGBPixel> as DrawingBackend>::ErrorType;

/// Why the chart could not be drawn (the `reason` of
/// [`ReportError::Chart`]), keeping the drawing library's error as the cause.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// plotters' font parser refused the embedded font (it gives no detail).
    #[error("the embedded font could not be read")]
    Font,
    #[error("{0}")]
    Backend(#[source] BitMapBackendError),
    #[error("{0}")]
    Draw(#[source] DrawingAreaErrorKind<BitMapBackendError>),
    #[error("the drawing has the wrong size")]
    Size,
    #[error("{0}")]
    Encode(#[source] image::ImageError),
}

impl From<DrawingAreaErrorKind<BitMapBackendError>> for ChartError {
    fn from(e: DrawingAreaErrorKind<BitMapBackendError>) -> ChartError {
        ChartError::Draw(e)
    }
}

fn metric_panel(
    area: &Area<'_>,
    day: &DayTrace,
    metric: Metric,
    trace: &MetricTrace,
) -> Result<(), ChartError> {
    let (lo, hi) = trace
        .values()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let title = format!(
        "{} — {}{}",
        metric.label(),
        day.date.format("%A %-d %B %Y"),
        match (day.upright_pct, day.episodes.len()) {
            (Some(p), n) => format!(
                ": {p:.0}% upright, {n} slouch episode{}",
                if n == 1 { "" } else { "s" }
            ),
            (None, _) => String::new(),
        }
    );
    if !lo.is_finite() || !hi.is_finite() || !(hi - lo).is_finite() {
        area.draw(&Text::new(
            format!("{title}: no usable reading recorded"),
            (60, 40),
            (FONT, 18).into_font().color(&TEXT),
        ))?;
        return Ok(());
    }
    let pad = ((hi - lo) * 0.08).max(1e-6);
    let (y0, y1) = (lo - pad, hi + pad);
    let span = y1 - y0;
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.05 {
        2
    } else {
        3
    };
    let (x0, x1) = day.hours;
    let mut chart = ChartBuilder::on(area)
        .caption(
            title,
            (FONT, 20).into_font().style(FontStyle::Bold).color(&TEXT),
        )
        .margin_left(10)
        .margin_right(20)
        .margin_top(5)
        .x_label_area_size(28)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let hours = (x1 - x0).max(1.0);
    let step = if hours <= 3.0 {
        0.5
    } else if hours <= 8.0 {
        1.0
    } else {
        2.0
    };
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_labels(((hours / step) as usize + 1).min(25))
        .x_label_formatter(&|h| clock(*h))
        .y_labels(6)
        .y_label_formatter(&|v| format!("{v:.decimals$}"))
        .label_style((FONT, 14).into_font().color(&TEXT))
        .axis_style(RGBColor(150, 150, 150))
        .draw()?;

    chart.draw_series(day.episodes.iter().map(|&(s, e)| {
        // At least two pixels wide, so that short episodes still show.
        let min_w = 2.0 * (x1 - x0) / f64::from(WIDTH);
        let e = e.max(s + min_w);
        Rectangle::new([(s, y0), (e, y1)], EPISODE.mix(0.45).filled())
    }))?;
    let mut draw_segments =
        |segs: &[Vec<(f64, f64)>], style: ShapeStyle| -> Result<(), ChartError> {
            for seg in segs {
                chart.draw_series(LineSeries::new(seg.iter().copied(), style))?;
            }
            Ok(())
        };
    draw_segments(&trace.baseline, BASELINE.stroke_width(2))?;
    draw_segments(&trace.threshold, THRESHOLD.stroke_width(2))?;
    draw_segments(&trace.raw, RAW_LINE.stroke_width(1))?;
    draw_segments(&trace.smooth, SMOOTH_LINE.stroke_width(2))?;
    Ok(())
}

/// The legend, once for both reading panels, as one row.
fn legend_row(area: &Area<'_>) -> Result<(), ChartError> {
    let font = (FONT, 15).into_font().color(&TEXT);
    let items: [(&str, ShapeStyle, bool); 5] = [
        ("each second", RAW_LINE.stroke_width(2), false),
        ("one-minute mean", SMOOTH_LINE.stroke_width(3), false),
        ("your calibrated posture", BASELINE.stroke_width(3), false),
        ("alarm threshold", THRESHOLD.stroke_width(3), false),
        ("slouch episode", EPISODE.mix(0.45).filled(), true),
    ];
    let mut x = 80;
    let y = 12;
    for (label, style, block) in items {
        if block {
            area.draw(&Rectangle::new([(x, y - 7), (x + 22, y + 7)], style))?;
        } else {
            area.draw(&PathElement::new([(x, y), (x + 22, y)], style))?;
        }
        area.draw(&Text::new(label, (x + 28, y - 8), font.clone()))?;
        let (w, _) = area.estimate_text_size(label, &font)?;
        x += 28 + w as i32 + 30;
    }
    Ok(())
}

fn bars_panel(area: &Area<'_>, bars: &[DayBar]) -> Result<(), ChartError> {
    let n = bars.len().max(1);
    let title = match (bars.first(), bars.last()) {
        (Some(a), Some(b)) => format!(
            "Time upright, per day — {} to {}",
            a.date.format("%-d %b"),
            b.date.format("%-d %b %Y")
        ),
        _ => "Time upright, per day".to_string(),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            title,
            (FONT, 20).into_font().style(FontStyle::Bold).color(&TEXT),
        )
        .margin_left(10)
        .margin_right(20)
        .margin_top(5)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..100f64)?;
    let label_every = n.div_ceil(14).max(1);
    let dates: Vec<NaiveDate> = bars.iter().map(|b| b.date).collect();
    let fmt_day = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        let i = i as usize;
        match dates.get(i) {
            Some(d) if (n - 1 - i).is_multiple_of(label_every) => {
                if d.day() == 1 || i == 0 {
                    d.format("%-d %b").to_string()
                } else if d.weekday() == chrono::Weekday::Mon || n <= 14 {
                    d.format("%a %-d").to_string()
                } else {
                    d.format("%-d").to_string()
                }
            }
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_labels(n + 1)
        .x_label_formatter(&fmt_day)
        .y_labels(6)
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .label_style((FONT, 13).into_font().color(&TEXT))
        .axis_style(RGBColor(150, 150, 150))
        .draw()?;
    if bars.iter().all(|b| b.upright_pct.is_none()) {
        let (x, y) = area.get_pixel_range();
        area.draw(&Text::new(
            "No posture in view on these days.",
            ((x.end - x.start) / 2, (y.end - y.start) / 2),
            (FONT, 18)
                .into_font()
                .color(&TEXT)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    let w = 0.36;
    chart.draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
        b.upright_pct.map(|p| {
            let x = i as f64;
            Rectangle::new([(x - w, 0.0), (x + w, p)], BAR.filled())
        })
    }))?;
    // The value, centred at the top of its bar: white inside tall bars,
    // dark above short ones.
    let size = if n > 21 { 12 } else { 14 };
    let inside = (FONT, size)
        .into_font()
        .color(&WHITE)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let above = (FONT, size)
        .into_font()
        .color(&TEXT)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    chart.draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
        b.upright_pct.map(|p| {
            let (style, y) = if p > 15.0 {
                (inside.clone(), p - 1.5)
            } else {
                (above.clone(), p + 1.5)
            };
            Text::new(format!("{p:.0}"), (i as f64, y), style)
        })
    }))?;
    Ok(())
}

/// Draws the chart into an RGB buffer of [`WIDTH`] × [`HEIGHT`].
pub fn draw(data: &ChartData) -> Result<Vec<u8>, ChartError> {
    register_fonts()?;
    let mut buf = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut buf, (WIDTH, HEIGHT))
            .map_err(ChartError::Backend)?;
        let root = backend.into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(
            "hunch — posture history",
            (FONT, 26).into_font().style(FontStyle::Bold).color(&TEXT),
        )?;
        let (_, h) = root.dim_in_pixel();
        let legend = 30;
        let panel = (h as i32 - legend - 10) * 31 / 100;
        let areas = root.split_by_breakpoints(
            Vec::<i32>::new(),
            [legend, legend + panel, legend + 2 * panel + 10],
        );
        if data.day.is_some() {
            legend_row(&areas[0])?;
        }
        let areas = &areas[1..];
        match &data.day {
            Some(day) => {
                metric_panel(&areas[0], day, Metric::ForwardHead, &day.forward_head)?;
                metric_panel(
                    &areas[1],
                    day,
                    Metric::RoundedShoulders,
                    &day.rounded_shoulders,
                )?;
            }
            None => {
                areas[0].draw(&Text::new(
                    "No posture readings in this period.",
                    (60, 60),
                    (FONT, 20).into_font().color(&TEXT),
                ))?;
            }
        }
        bars_panel(&areas[2], &data.bars)?;
        root.present()?;
    }
    Ok(buf)
}

/// Draws the chart and saves it as PNG at `path` (atomically).
pub fn render(data: &ChartData, path: &Path) -> Result<(), ReportError> {
    let png = png_bytes(data).map_err(|reason| ReportError::Chart {
        reason,
        path: path.to_path_buf(),
    })?;
    crate::output::write_atomically(path, "the chart", |w| w.write_all(&png))?;
    Ok(())
}

/// Draws the chart as PNG file contents.
pub fn png_bytes(data: &ChartData) -> Result<Vec<u8>, ChartError> {
    let buf = draw(data)?;
    let img = image::RgbImage::from_raw(WIDTH, HEIGHT, buf).ok_or(ChartError::Size)?;
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(ChartError::Encode)?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Sample, Stored};
    use crate::posture::Verdict;
    use chrono::Utc;

    /// A chart that cannot be drawn keeps the drawing or encoding library's
    /// error as its cause, said once. The words are those of the string
    /// version, except plotters' errors, said in their own words now
    /// ("Bad layout") instead of Rust's debug form ("LayoutError").
    #[test]
    fn chart_errors_keep_their_cause_and_say_it_once() {
        use std::error::Error as _;
        let encode = image::load_from_memory(b"not an image").unwrap_err();
        let encode_text = encode.to_string();
        let cases = [
            (ChartError::Encode(encode), encode_text),
            (
                ChartError::Draw(DrawingAreaErrorKind::LayoutError),
                "Bad layout".to_string(),
            ),
        ];
        for (reason, cause) in cases {
            let e = ReportError::Chart {
                reason,
                path: "c.png".into(),
            };
            assert!(e.source().and_then(|c| c.source()).is_some(), "{e}");
            let said = format!("cannot draw the chart ({cause}); try another --png path: c.png");
            assert_eq!(e.to_string(), said);
            assert_eq!(crate::app::error_line(&anyhow::Error::from(e)), said);
        }
        let font = ReportError::Chart {
            reason: ChartError::Font,
            path: "c.png".into(),
        };
        assert_eq!(
            font.to_string(),
            "cannot draw the chart (the embedded font could not be read); try another --png path: c.png"
        );
    }

    fn s(t: f64, state: State, fh: f64) -> Stored<Sample> {
        Stored {
            session_id: 1,
            record: Sample {
                forward_head: Some(fh),
                forward_head_baseline: Some(10.0),
                forward_head_threshold: Some(14.0),
                ..Sample::new(t, state, Verdict::Good)
            },
        }
    }

    #[test]
    fn trace_bridges_glances_and_breaks_at_gaps() {
        let day = 86_400.0 * 3.0; // 1970-01-04
        let mut samples = Vec::new();
        for i in 0..10 {
            samples.push(s(day + 3600.0 * 9.0 + i as f64, State::Good, 11.0));
        }
        samples.push(s(day + 3600.0 * 9.0 + 10.0, State::LookingDown, 30.0));
        for i in 11..20 {
            samples.push(s(day + 3600.0 * 9.0 + i as f64, State::Slouch, 15.0));
        }
        // Away for two minutes, then back.
        for i in 20..140 {
            samples.push(s(day + 3600.0 * 9.0 + i as f64, State::Away, 30.0));
        }
        for i in 140..150 {
            samples.push(s(day + 3600.0 * 9.0 + i as f64, State::Good, 11.0));
        }
        // Then the laptop sleeps for ten seconds.
        for i in 160..170 {
            samples.push(s(day + 3600.0 * 9.0 + i as f64, State::Good, 11.0));
        }
        // A sample the day before must not show in the day panel.
        samples.insert(0, s(day - 100.0, State::Good, 12.0));
        let log = Log {
            samples,
            ..Log::default()
        };
        let c = chart_data(&log, 0.0, day + 86_000.0, &Utc, 7);
        let d = c.day.unwrap();
        assert_eq!(d.date, NaiveDate::from_ymd_opt(1970, 1, 4).unwrap());
        // The glance down is bridged (but not drawn); the absence and the
        // sleep break the line.
        let lens: Vec<usize> = d.forward_head.raw.iter().map(Vec::len).collect();
        assert_eq!(lens, vec![19, 10, 10]);
        assert!(d.forward_head.raw.iter().flatten().all(|p| p.1 != 30.0));
        // The levels hold while away, and break only at the sleep.
        let lens: Vec<usize> = d.forward_head.threshold.iter().map(Vec::len).collect();
        assert_eq!(lens, vec![150, 10]);
        assert_eq!(d.hours, (9.0, 10.0));
        assert_eq!(d.episodes.len(), 1);
        assert!((d.episodes[0].0 - (9.0 + 11.0 / 3600.0)).abs() < 1e-9);
        assert_eq!(d.forward_head.threshold[0][0].1, 14.0);
        // Bars: 7 days ending 1970-01-04; the 3rd (1970-01-03) has 100 %,
        // the last 30 of 39 judged seconds.
        assert_eq!(c.bars.len(), 7);
        assert_eq!(c.bars[5].upright_pct, Some(100.0));
        let p = c.bars[6].upright_pct.unwrap();
        assert!((p - 100.0 * 30.0 / 39.0).abs() < 1e-9, "{p}");
        assert_eq!(c.bars[0].upright_pct, None);
    }

    #[test]
    fn a_recalibration_steps_the_threshold_line() {
        let mut samples: Vec<_> = (0..5).map(|i| s(i as f64, State::Good, 11.0)).collect();
        for i in 5..10 {
            let mut x = s(i as f64, State::Good, 11.0);
            x.record.forward_head_threshold = Some(13.0);
            samples.push(x);
        }
        let log = Log {
            samples,
            ..Log::default()
        };
        let d = chart_data(&log, 0.0, 100.0, &Utc, 1).day.unwrap();
        let th: Vec<f64> = d.forward_head.threshold[0].iter().map(|p| p.1).collect();
        assert_eq!(
            th,
            vec![
                14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 13.0, 13.0, 13.0, 13.0, 13.0
            ]
        );
    }

    #[test]
    fn absurd_readings_do_not_break_the_drawing() {
        let mut samples = vec![s(0.0, State::Slouch, 1e300), s(1.0, State::Slouch, -1e300)];
        samples.push(s(2.0, State::Good, f64::NAN));
        samples[1].record.forward_head_threshold = Some(f64::INFINITY);
        let log = Log {
            samples,
            ..Log::default()
        };
        let data = chart_data(&log, 0.0, 10.0, &Utc, 3);
        assert!(draw(&data).is_ok());
        let single = Log {
            samples: vec![s(5.0, State::Good, 11.0)],
            ..Log::default()
        };
        assert!(draw(&chart_data(&single, 0.0, 10.0, &Utc, 1)).is_ok());
    }

    #[test]
    fn bars_end_on_the_day_shown_above() {
        // Data on 1970-01-04 only; the report runs to 1970-02-10.
        let log = Log {
            samples: vec![s(86_400.0 * 3.0 + 100.0, State::Good, 11.0)],
            ..Log::default()
        };
        let (first, last) = bar_days_range(&log, 0.0, 86_400.0 * 40.0, &Utc, 28);
        assert_eq!(last, NaiveDate::from_ymd_opt(1970, 1, 4).unwrap());
        assert_eq!((last - first).num_days(), 27);
        // Without data, they end on the report's last day.
        let (_, last) = bar_days_range(&Log::default(), 0.0, 86_400.0 * 40.0, &Utc, 28);
        assert_eq!(last, NaiveDate::from_ymd_opt(1970, 2, 9).unwrap());
    }

    #[test]
    fn empty_history_still_draws() {
        let data = chart_data(&Log::default(), 0.0, 86_400.0 * 30.0, &Utc, 28);
        assert!(data.day.is_none());
        assert_eq!(data.bars.len(), 28);
        let buf = draw(&data).unwrap();
        assert_eq!(buf.len(), (WIDTH * HEIGHT * 3) as usize);
        // Something besides white was drawn (axes, text).
        assert!(buf.iter().any(|&b| b < 128));
    }
}
