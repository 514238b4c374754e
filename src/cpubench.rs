//! `hunch bench cpu`: CPU and memory of the whole monitor on a real-time
//! replay, measured from outside.
//!
//! It runs `hunch --input VIDEO --no-window --no-history --realtime` (or
//! `--compact` / `--tray-only` instead of `--no-window` when given before
//! `bench`) as a child for N seconds and samples `/proc/<pid>/stat` (user + system CPU
//! ticks, plus those of the ffmpeg decoder it runs) and `/proc/<pid>/status`
//! (`VmRSS`, `VmHWM`) once a second. It reports the average share of one core
//! after a short warm-up (model loading is a one-off) and over the whole run,
//! and the peak resident memory. Linux only (it reads /proc).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::settings::{CpuBenchSettings, Settings};

/// CPU times of one process, from `/proc/<pid>/stat`, in clock ticks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcStat {
    pub pid: u32,
    pub comm: String,
    pub ppid: u32,
    pub utime: u64,
    pub stime: u64,
    /// CPU of children the process has waited for.
    pub cutime: u64,
    pub cstime: u64,
}

impl ProcStat {
    /// Own CPU plus that of reaped children, in ticks.
    pub fn total_ticks(&self) -> u64 {
        self.utime + self.stime + self.cutime + self.cstime
    }
}

/// Parses `/proc/<pid>/stat`. The command name is in parentheses and may
/// itself hold spaces and parentheses, so fields are counted from the last `)`.
pub fn parse_stat(text: &str) -> Option<ProcStat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let pid = text[..open].trim().parse().ok()?;
    let comm = text.get(open + 1..close)?.to_string();
    // After ")": state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
    let rest: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    let field = |n: usize| rest.get(n - 3).and_then(|s| s.parse::<i64>().ok());
    let ticks = |n: usize| field(n).map(|v| v.max(0) as u64);
    Some(ProcStat {
        pid,
        comm,
        ppid: field(4)?.max(0) as u32,
        utime: ticks(14)?,
        stime: ticks(15)?,
        cutime: ticks(16)?,
        cstime: ticks(17)?,
    })
}

/// Memory of one process, from `/proc/<pid>/status`, in KiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcMem {
    /// Resident now.
    pub rss_kb: u64,
    /// Peak resident ("high water mark").
    pub hwm_kb: u64,
}

/// Parses `VmRSS` and `VmHWM` from `/proc/<pid>/status`.
pub fn parse_status(text: &str) -> Option<ProcMem> {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some(ProcMem {
        rss_kb: get("VmRSS:")?,
        hwm_kb: get("VmHWM:")?,
    })
}

/// Share of one core: CPU seconds over wall seconds, in percent.
pub fn cpu_percent(cpu_s: f64, wall_s: f64) -> f64 {
    if wall_s > 0.0 && cpu_s.is_finite() {
        100.0 * cpu_s / wall_s
    } else {
        0.0
    }
}

fn read_stat(pid: u32) -> Option<ProcStat> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

fn read_mem(pid: u32) -> Option<ProcMem> {
    parse_status(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// Processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<ProcStat> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(read_stat)
        .filter(|s| s.ppid == pid)
        .collect()
}

fn clock_ticks_per_s() -> f64 {
    #[cfg(unix)]
    if let Ok(Some(t)) = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        && t > 0
    {
        return t as f64;
    }
    100.0
}

/// One look at the monitor and its children.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    pub wall_s: f64,
    /// CPU seconds of the monitor (with reaped children).
    pub main_cpu_s: f64,
    /// CPU seconds of its live children (ffmpeg).
    pub child_cpu_s: f64,
    pub main: ProcMem,
    pub child_rss_kb: u64,
}

/// The benchmark's result.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuReport {
    pub wall_s: f64,
    pub warmup_s: f64,
    /// Whole process tree, after the warm-up.
    pub steady_pct: f64,
    /// The monitor alone, after the warm-up.
    pub steady_main_pct: f64,
    /// Whole process tree, from start to end.
    pub overall_pct: f64,
    /// Peak resident memory of the monitor (VmHWM), MB.
    pub peak_rss_mb: f64,
    /// Resident memory of the monitor at the end, MB.
    pub end_rss_mb: f64,
    /// Largest resident memory seen of its children (ffmpeg), MB.
    pub child_peak_rss_mb: f64,
}

/// Turns samples into a report: the steady figures run from the first
/// sample at or after `warmup_s` to the last.
pub fn summarize(samples: &[Sample], warmup_s: f64) -> Option<CpuReport> {
    let last = samples.last()?;
    let first = samples.first()?;
    let warm = samples
        .iter()
        .find(|s| s.wall_s >= warmup_s)
        .unwrap_or(first);
    let tree = |s: &Sample| s.main_cpu_s + s.child_cpu_s;
    let mb = |kb: u64| kb as f64 / 1024.0;
    // Live children's CPU can vanish from the sum when they exit before
    // being reaped; never let the tree total go backwards.
    let steady_cpu = (tree(last) - tree(warm)).max(last.main_cpu_s - warm.main_cpu_s);
    Some(CpuReport {
        wall_s: last.wall_s,
        warmup_s: warm.wall_s,
        steady_pct: cpu_percent(steady_cpu, last.wall_s - warm.wall_s),
        steady_main_pct: cpu_percent(last.main_cpu_s - warm.main_cpu_s, last.wall_s - warm.wall_s),
        overall_pct: cpu_percent(tree(last) - tree(first), last.wall_s - first.wall_s),
        peak_rss_mb: mb(samples.iter().map(|s| s.main.hwm_kb).max().unwrap_or(0)),
        end_rss_mb: mb(last.main.rss_kb),
        child_peak_rss_mb: mb(samples.iter().map(|s| s.child_rss_kb).max().unwrap_or(0)),
    })
}

fn sample(pid: u32, t0: Instant, tick: f64) -> Option<Sample> {
    let main = read_stat(pid)?;
    let mem = read_mem(pid)?;
    let kids = children_of(pid);
    Some(Sample {
        wall_s: t0.elapsed().as_secs_f64(),
        main_cpu_s: main.total_ticks() as f64 / tick,
        child_cpu_s: kids.iter().map(|k| (k.utime + k.stime) as f64 / tick).sum(),
        main: mem,
        child_rss_kb: kids
            .iter()
            .filter_map(|k| read_mem(k.pid))
            .map(|m| m.rss_kb)
            .sum(),
    })
}

fn stop(child: &mut Child) {
    #[cfg(unix)]
    {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        if let Ok(pid) = i32::try_from(child.id())
            && kill(Pid::from_raw(pid), Signal::SIGINT).is_ok()
        {
            for _ in 0..100 {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            tracing::warn!("the monitor did not stop within 10 s of Ctrl-C; killing it");
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `exe` with `args` for `seconds` and measures it.
pub fn measure(exe: &Path, args: &[OsString], seconds: f64) -> anyhow::Result<CpuReport> {
    if !Path::new("/proc/self/stat").exists() {
        bail!("hunch bench cpu reads /proc, which this system does not have (Linux only)");
    }
    let log = tempfile::NamedTempFile::new().context("cannot create a temporary log file")?;
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            log.reopen().context("cannot open the temporary log")?,
        ))
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let pid = child.id();
    let tick = clock_ticks_per_s();
    let t0 = Instant::now();
    let mut samples = Vec::new();
    let mut exited = None;
    while t0.elapsed().as_secs_f64() < seconds {
        if let Some(s) = sample(pid, t0, tick) {
            samples.push(s);
        }
        if let Ok(Some(status)) = child.try_wait() {
            exited = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(1000));
    }
    if exited.is_none()
        && let Some(s) = sample(pid, t0, tick)
    {
        samples.push(s);
    }
    stop(&mut child);
    let log_text = std::fs::read_to_string(log.path()).unwrap_or_default();
    if let Some(status) = exited {
        let ran = t0.elapsed().as_secs_f64();
        if !status.success() || ran < seconds.min(10.0) {
            bail!(
                "the monitor stopped after {ran:.1} s ({status}): {}",
                log_text.trim().lines().last().unwrap_or("no message")
            );
        }
        eprintln!("note: the input ended after {ran:.1} s; figures cover that span");
    }
    summarize(&samples, (seconds / 4.0).min(5.0))
        .context("could not read the monitor's /proc entries")
}

/// The figures as the README shows them.
pub fn format_report(r: &CpuReport, what: &str) -> String {
    format!(
        "{what}\n  CPU, whole process tree: {:.2}% of one core (steady, after {:.0} s warm-up); {:.2}% including start-up\n  CPU, hunch alone: {:.2}% (steady); ffmpeg decoder: {:.2}%\n  memory: peak resident {:.1} MB (VmHWM), {:.1} MB at the end; ffmpeg {:.1} MB\n  over {:.1} s",
        r.steady_pct,
        r.warmup_s,
        r.overall_pct,
        r.steady_main_pct,
        (r.steady_pct - r.steady_main_pct).max(0.0),
        r.peak_rss_mb,
        r.end_rss_mb,
        r.child_peak_rss_mb,
        r.wall_s,
    )
}

/// A clip for the benchmark from the shared data: alternating 15 s of good
/// posture and of forward head, at least `seconds` + 10 s long. Clip making
/// is test kit (the `testkit` feature); release builds need `--input`.
#[cfg(feature = "testkit")]
fn default_clip(dir: &Path, seconds: f64) -> anyhow::Result<PathBuf> {
    let Some(data) = crate::testdata::shared_data_dir() else {
        bail!("no --input given and ../shared/data is absent; pass a 640x480 video with --input");
    };
    eprintln!("making a 640x480 clip from ../shared/data ...");
    let mut spec = crate::capture::clip::ClipSpec::default();
    let mut t = 0.0;
    let mut good = true;
    while t < seconds + 10.0 {
        let label = if good { "good" } else { "forward_head" };
        spec.segments
            .push(crate::capture::clip::Segment::new(label, 15.0));
        t += 15.0;
        good = !good;
    }
    let out = dir.join("bench.mp4");
    crate::capture::clip::make_clip(&data, &spec, &out)?;
    Ok(out)
}

#[cfg(not(feature = "testkit"))]
fn default_clip(_dir: &Path, _seconds: f64) -> anyhow::Result<PathBuf> {
    bail!(
        "no video to replay: pass a 640x480 video of a person sitting with --input VIDEO (from the source tree, cargo run --release --features testkit -- bench cpu makes one from the test data)"
    );
}

/// `hunch bench cpu`.
pub fn run(settings: &Settings, args: &CpuBenchSettings) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let input = match &args.input {
        Some(p) => p.clone(),
        None => default_clip(tmp.path(), args.seconds)?,
    };
    let exe = std::env::current_exe().context("cannot find the hunch program")?;
    // Headless unless `hunch --compact bench cpu` or `--tray-only` asks to
    // measure the monitor the way it runs beside the user's work.
    let desktop = settings.monitor.desktop;
    let mode = if desktop.compact {
        "--compact"
    } else if desktop.tray_only {
        "--tray-only"
    } else {
        "--no-window"
    };
    let mut child_args: Vec<OsString> = vec![
        "--input".into(),
        input.clone().into(),
        mode.into(),
        "--no-history".into(),
        "--realtime".into(),
    ];
    // The child gets the settings that decide its cost (it reads the same
    // config file and environment for the rest).
    let pose = &settings.pose;
    let fps = settings.monitor.rate.base_fps;
    let mut pass = |flag: &str, v: Option<OsString>| {
        if let Some(v) = v {
            child_args.push(flag.into());
            child_args.push(v);
        }
    };
    pass("--models", pose.models_dir.clone().map(Into::into));
    pass("--ort-lib", pose.ort_lib.clone().map(Into::into));
    pass("--model", Some(pose.model.name().into()));
    pass("--threads", Some(pose.threads.to_string().into()));
    pass(
        "--config",
        settings
            .config_file
            .clone()
            .filter(|c| c.is_file())
            .map(Into::into),
    );
    pass(
        "--profile",
        settings.posture.profile.clone().map(Into::into),
    );
    pass("--fps", Some(fps.to_string().into()));
    let info = crate::capture::VideoSource::open(&input, crate::capture::Timing::Unpaced, None)
        .map(|v| {
            let i = v.info();
            format!("{}x{} at {:.0} fps", i.width, i.height, i.fps)
        })
        .unwrap_or_else(|_| "unknown format".to_string());
    let report = measure(&exe, &child_args, args.seconds)?;
    println!(
        "{}",
        format_report(
            &report,
            &format!(
                "hunch bench cpu: real-time replay of {} ({info}), --fps {fps}, {mode}",
                input.display()
            )
        )
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_odd_names_parse() {
        let line = "4242 (hunch (x) y) S 17 4242 17 34816 4242 4194304 5000 0 0 0 150 37 12 3 20 0 5 0 123456 900000000 23000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
        let s = parse_stat(line).unwrap();
        assert_eq!(s.pid, 4242);
        assert_eq!(s.comm, "hunch (x) y");
        assert_eq!(s.ppid, 17);
        assert_eq!((s.utime, s.stime, s.cutime, s.cstime), (150, 37, 12, 3));
        assert_eq!(s.total_ticks(), 202);
        assert_eq!(parse_stat("garbage"), None);
        assert_eq!(parse_stat("1 (x) S 0"), None);
    }

    #[test]
    fn this_process_stat_and_status_parse() {
        if !Path::new("/proc/self/stat").exists() {
            eprintln!("SKIPPED: no /proc here");
            return;
        }
        let me = std::process::id();
        let s = read_stat(me).unwrap();
        assert_eq!(s.pid, me);
        let m = read_mem(me).unwrap();
        assert!(m.rss_kb > 0 && m.hwm_kb >= m.rss_kb, "{m:?}");
    }

    #[test]
    fn status_memory_lines_parse() {
        let text = "Name:\thunch\nVmPeak:\t  900000 kB\nVmHWM:\t   98304 kB\nVmRSS:\t   81920 kB\n";
        assert_eq!(
            parse_status(text),
            Some(ProcMem {
                rss_kb: 81920,
                hwm_kb: 98304
            })
        );
        assert_eq!(parse_status("Name:\tkthread\n"), None);
    }

    fn s(wall_s: f64, main: f64, child: f64, hwm: u64) -> Sample {
        Sample {
            wall_s,
            main_cpu_s: main,
            child_cpu_s: child,
            main: ProcMem {
                rss_kb: hwm / 2,
                hwm_kb: hwm,
            },
            child_rss_kb: 10240,
        }
    }

    #[test]
    fn summary_separates_warmup_from_steady_state() {
        let samples = [
            s(0.0, 0.0, 0.0, 1024),
            s(1.0, 0.8, 0.0, 102_400),
            s(5.0, 1.0, 0.1, 204_800),
            s(65.0, 2.2, 0.7, 204_800),
        ];
        let r = summarize(&samples, 5.0).unwrap();
        assert!((r.steady_pct - 100.0 * 1.8 / 60.0).abs() < 1e-9, "{r:?}");
        assert!((r.steady_main_pct - 2.0).abs() < 1e-9);
        assert!((r.overall_pct - 100.0 * 2.9 / 65.0).abs() < 1e-9);
        assert_eq!(r.peak_rss_mb, 200.0);
        assert_eq!(r.end_rss_mb, 100.0);
        assert_eq!(r.child_peak_rss_mb, 10.0);
        assert_eq!(r.warmup_s, 5.0);
        assert!(summarize(&[], 5.0).is_none());
        assert_eq!(cpu_percent(1.0, 0.0), 0.0);
        let text = format_report(&r, "x");
        assert!(text.contains("3.00% of one core"), "{text}");
    }
}
