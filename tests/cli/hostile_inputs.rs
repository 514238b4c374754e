//! Inputs that used to hang or misbehave (issue 13), each through the real
//! binary: named pipes, names that look like ffmpeg options, images that
//! claim a huge size, files cut short, GIFs, and folders with bad files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use hunch::testdata::shared_data_or_skip;

fn hunch() -> Command {
    let mut cmd = crate::common::hunch();
    cmd.stdin(Stdio::null());
    cmd
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

/// Runs ffmpeg with these arguments (quietly, overwriting); panics if it fails.
fn ffmpeg(args: &[&str], out: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg {args:?}");
}

/// A synthetic test-pattern video (no person in it).
fn test_video(out: &Path, frames: u32, fps: u32, extra: &[&str]) {
    let src = format!("testsrc=size=160x120:rate={fps}");
    let n = frames.to_string();
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        &src,
        "-frames:v",
        &n,
        "-pix_fmt",
        "yuv420p",
    ];
    args.extend_from_slice(extra);
    ffmpeg(&args, out);
}

fn blank_png(path: &Path) {
    image::RgbImage::from_pixel(96, 72, image::Rgb([200, 200, 190]))
        .save(path)
        .unwrap();
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
}

/// True when some process has the FIFO open for reading (or is blocked
/// opening it): a non-blocking open for writing then succeeds instead of
/// failing with ENXIO. It also releases a reader stuck in its open.
#[cfg(unix)]
fn fifo_has_a_reader(path: &Path) -> bool {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .is_ok()
}

/// Runs the command to its end, failing (and killing it) the moment anything
/// opens the FIFO: the old behaviour read it, then had ffprobe block on it.
#[cfg(unix)]
fn run_never_opening(mut cmd: Command, fifo: &Path) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if fifo_has_a_reader(fifo) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("hunch opened the named pipe: {}", stderr(&out));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_at_once_and_nothing_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stream.mp4");
    mkfifo(&fifo);
    let mut analyze = hunch();
    analyze.args(["analyze", "--json"]).arg(&fifo);
    let out = run_never_opening(analyze, &fifo);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("named pipe") && err.trim_end().ends_with("stream.mp4"),
        "{err}"
    );

    let mut monitor = hunch();
    monitor
        .args(["--no-history", "--no-window", "--input"])
        .arg(&fifo);
    let out = run_never_opening(monitor, &fifo);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("named pipe"), "{}", stderr(&out));
    // No ffprobe or ffmpeg was started on it, so none can be left behind.
    assert!(!fifo_has_a_reader(&fifo));
}

#[test]
fn names_that_look_like_ffmpeg_options_are_read_as_files() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["-report", "-version"] {
        test_video(&dir.path().join("clip.mp4"), 3, 5, &[]);
        std::fs::rename(dir.path().join("clip.mp4"), dir.path().join(name)).unwrap();
        let out = hunch()
            .current_dir(dir.path())
            .args(["analyze", "--json", "--", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 3, "{name}: three frames");
        assert_eq!(lines[0]["source"], name);
    }
    // `-report` would have made ffprobe/ffmpeg write a log file here.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["-report", "-version"]);
}

#[test]
fn an_image_claiming_a_huge_size_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.png");
    // 46000 x 46000 would be 6.3 GB decoded; the file is a few dozen bytes.
    std::fs::write(&huge, hunch::testdata::png_claiming(46_000, 46_000)).unwrap();
    let out = hunch()
        .args(["analyze", "--json"])
        .arg(&huge)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("46000x46000") && err.trim_end().ends_with("huge.png"),
        "{err}"
    );
}

#[test]
fn a_jpeg_cut_short_is_warned_about_once_without_colour() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.jpg");
    image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    })
    .save(&whole)
    .unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.jpg");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = hunch()
        .args(["analyze", "--json"])
        .arg(&whole)
        .arg(&cut)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&out).len(), 2);
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("cut short")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].trim_end().ends_with("cut.jpg"), "{err}");
    // stderr is a pipe here: no colour codes in the WARN line.
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn a_video_cut_short_is_warned_about_once() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.mp4");
    // The index at the front, as phones and web videos have it, so a file
    // cut short still opens and plays part of the way.
    test_video(&whole, 120, 30, &["-movflags", "+faststart"]);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();

    let out = hunch()
        .args(["analyze", "--json"])
        .arg(&whole)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&out).len(), 120);
    assert!(!stderr(&out).contains("damaged"), "{}", stderr(&out));

    let out = hunch()
        .args(["analyze", "--json"])
        .arg(&cut)
        .output()
        .unwrap();
    let err = stderr(&out);
    let frames = json_lines(&out).len();
    assert!(frames < 100, "{frames} frames of the cut file");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("damaged")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains(&format!("after {frames} of about 120 frames"))
            && warnings[0].trim_end().ends_with("cut.mp4"),
        "{err}"
    );
}

#[test]
fn gifs_are_not_taken_for_stills_and_play_as_videos() {
    let dir = tempfile::tempdir().unwrap();
    let gif = dir.path().join("anim.gif");
    test_video(&gif, 2, 5, &["-pix_fmt", "rgb8"]);
    // A folder holding only a GIF has no images hunch decodes, and says which it reads.
    let out = hunch()
        .args(["analyze", "--json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("(jpg, png, webp, bmp)") && !err.contains("gif"),
        "{err}"
    );
    // Named directly, ffmpeg decodes it (at its own constant rate, so an
    // animation's frames may be repeated).
    let out = hunch()
        .args(["analyze", "--json"])
        .arg(&gif)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert!(!lines.is_empty());
    assert_eq!(lines[0]["source"], gif.display().to_string());
}

fn copy_photos(data: &Path, names: &[&str], to: &Path) {
    for n in names {
        std::fs::copy(data.join("posture/side-ssb").join(n), to.join(n)).unwrap();
    }
}

#[test]
fn calibrate_leaves_out_bad_files_in_a_folder_with_a_line_each() {
    let Some(data) =
        shared_data_or_skip("calibrate_leaves_out_bad_files_in_a_folder_with_a_line_each")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    copy_photos(
        &data,
        &[
            "SSB_STRAIGHT1.jpg",
            "SSB_STRAIGHT10.jpg",
            "SSB_STRAIGHT11.jpg",
        ],
        &photos,
    );
    std::fs::write(photos.join("broken.jpg"), b"not a jpeg").unwrap();
    std::fs::write(
        photos.join("huge.png"),
        hunch::testdata::png_claiming(46_000, 46_000),
    )
    .unwrap();
    let profile = dir.path().join("profile.toml");
    let out = hunch()
        .args(["--no-history", "calibrate", "--profile"])
        .arg(&profile)
        .arg("--input")
        .arg(&photos)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let said = String::from_utf8_lossy(&out.stdout);
    // Photos are counted as photos, the two bad ones as not usable.
    assert!(
        said.contains("calibrated from 3 of 5 photos (2 not usable)"),
        "{said}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.contains("broken.jpg") && err.contains("46000x46000"),
        "{err}"
    );
    assert!(profile.is_file());
}

#[test]
fn calibrate_on_a_folder_of_unusable_photos_summarises() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    for i in 0..12 {
        blank_png(&photos.join(format!("wall{i:02}.png")));
    }
    for i in 0..3 {
        std::fs::write(photos.join(format!("bad{i}.jpg")), b"garbage").unwrap();
    }
    let out = hunch()
        .args(["--no-history", "calibrate", "--profile"])
        .arg(dir.path().join("p.toml"))
        .arg("--input")
        .arg(&photos)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    // Five lines of examples, one summary, the error: not one line per photo.
    assert_eq!(lines.len(), 7, "{err}");
    assert!(
        lines[5]
            .contains("left out 15 of 15 photos in all (12 with no person found, 3 unreadable)"),
        "{err}"
    );
    assert!(lines[6].contains("only 0 of 15 photos"), "{err}");
}

/// A folder and its list, for the monitor: it plays on past a bad picture.
fn folder_with_a_bad_picture(dir: &Path) -> PathBuf {
    let photos = dir.join("frames");
    std::fs::create_dir(&photos).unwrap();
    blank_png(&photos.join("a.png"));
    std::fs::write(photos.join("b.png"), b"not a png").unwrap();
    blank_png(&photos.join("c.png"));
    photos
}

#[test]
fn the_monitor_plays_a_folder_past_a_bad_picture() {
    let dir = tempfile::tempdir().unwrap();
    let photos = folder_with_a_bad_picture(dir.path());
    let out = hunch()
        .args(["--no-history", "--no-window", "--no-realtime", "--input"])
        .arg(&photos)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let bad: Vec<&str> = err.lines().filter(|l| l.contains("b.png")).collect();
    assert_eq!(bad.len(), 1, "{err}");
    assert!(bad[0].contains("left out"), "{err}");
}

#[test]
fn a_one_frame_video_gives_its_frame_at_a_capped_rate() {
    use hunch::capture::{FrameSource, Timing, VideoSource};
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.mp4");
    test_video(&one, 1, 25, &[]);
    // The monitor and calibrate cap the rate; the cap used to drop the only frame.
    for cap in [None, Some(10.0), Some(5.0)] {
        let mut src = VideoSource::open(&one, Timing::Unpaced, cap).unwrap();
        let frame = src.next_frame(0.0).unwrap();
        assert!(frame.is_some(), "cap {cap:?}: no frame");
        assert!(src.next_frame(0.0).unwrap().is_none());
    }
}

#[test]
fn calibrate_from_one_frame_videos() {
    let Some(data) = shared_data_or_skip("calibrate_from_one_frame_videos") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut videos = Vec::new();
    for (i, name) in [
        "SSB_STRAIGHT1.jpg",
        "SSB_STRAIGHT10.jpg",
        "SSB_STRAIGHT11.jpg",
    ]
    .iter()
    .enumerate()
    {
        let photo = data.join("posture/side-ssb").join(name);
        let video = dir.path().join(format!("still{i}.mp4"));
        ffmpeg(
            &[
                "-i",
                &photo.display().to_string(),
                "-frames:v",
                "1",
                "-vf",
                "scale=trunc(iw/2)*2:trunc(ih/2)*2",
                "-pix_fmt",
                "yuv420p",
            ],
            &video,
        );
        videos.push(video);
    }
    let out = hunch()
        .args(["--no-history", "calibrate", "--profile"])
        .arg(dir.path().join("p.toml"))
        .arg("--input")
        .args(&videos)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("calibrated from 3 of 3 frames"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_profile_with_an_impossible_baseline_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("wall.png");
    blank_png(&photo);
    let profile = dir.path().join("profile.toml");
    for (baseline, says) in [
        (
            "ear_height_ratio = 0",
            "baseline ear_height_ratio = 0 is impossible",
        ),
        (
            "ear_height_ratio = nan",
            "baseline ear_height_ratio = NaN is impossible",
        ),
        (
            "ear_height_ratio = inf",
            "baseline ear_height_ratio = inf is impossible",
        ),
    ] {
        std::fs::write(
            &profile,
            format!("version = 1\nview = \"front\"\nframes = 3\ncreated_unix = 0.0\n[baseline]\n{baseline}\n"),
        )
        .unwrap();
        let out = hunch()
            .args(["analyze", "--json", "--profile"])
            .arg(&profile)
            .arg(&photo)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.contains(says) && err.trim_end().ends_with("profile.toml"),
            "{baseline}: {err}"
        );
    }
}
