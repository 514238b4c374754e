//! Video files, decoded by the `ffmpeg` command and piped as raw RGB.
//!
//! `ffprobe` tells the size and frame rate first; then `ffmpeg` writes
//! `width x height x 3` bytes per frame to a pipe, which is read frame by
//! frame into one reused buffer. Frames the loop skips are read and dropped
//! without being copied into images. The child is killed when the source is
//! dropped.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

use image::RgbImage;
use serde::Deserialize;

use super::{CaptureError, FrameSource, Timing};
use crate::frame::Frame;

/// What `ffprobe` says about a video's first video stream, as ffmpeg will
/// deliver it (rotation applied).
#[derive(Clone, Debug, PartialEq)]
pub struct VideoInfo {
    pub width: u32,
    pub height: u32,
    /// Frames per second (average rate; the nominal rate when that is unknown).
    pub fps: f64,
    /// Frame count when the container records it.
    pub frames: Option<u64>,
    /// Length in seconds when known.
    pub duration_s: Option<f64>,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<ProbeStream>,
    format: Option<ProbeFormat>,
}

#[derive(Deserialize)]
struct ProbeStream {
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    nb_frames: Option<String>,
    duration: Option<String>,
    #[serde(default)]
    tags: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    side_data_list: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct ProbeFormat {
    duration: Option<String>,
}

fn rate(text: Option<&str>) -> Option<f64> {
    let t = text?;
    let v = match t.split_once('/') {
        Some((n, d)) => n.trim().parse::<f64>().ok()? / d.trim().parse::<f64>().ok()?,
        None => t.trim().parse().ok()?,
    };
    (v.is_finite() && v > 0.0 && v <= 1000.0).then_some(v)
}

/// Reads `ffprobe -of json` output (see [`probe`] for the fields asked for).
pub fn parse_probe(json: &str) -> Result<VideoInfo, String> {
    let p: Probe =
        serde_json::from_str(json).map_err(|e| format!("unexpected ffprobe output: {e}"))?;
    let s = p
        .streams
        .into_iter()
        .next()
        .ok_or("it has no video stream")?;
    let (Some(mut width), Some(mut height)) = (s.width, s.height) else {
        return Err("its video stream has no size".to_string());
    };
    if width == 0 || height == 0 || width > 16384 || height > 16384 {
        return Err(format!("its video size {width}x{height} is unusable"));
    }
    let rotation = s
        .side_data_list
        .iter()
        .find_map(|d| d.get("rotation").and_then(serde_json::Value::as_f64))
        .or_else(|| s.tags.get("rotate").and_then(|r| r.parse().ok()))
        .unwrap_or(0.0);
    if (rotation.rem_euclid(180.0) - 90.0).abs() < 1.0 {
        std::mem::swap(&mut width, &mut height);
    }
    let fps = rate(s.avg_frame_rate.as_deref())
        .or_else(|| rate(s.r_frame_rate.as_deref()))
        .ok_or("its frame rate is unknown")?;
    let frames = s.nb_frames.and_then(|n| n.parse().ok()).filter(|&n| n > 0);
    let duration_s = s
        .duration
        .or(p.format.and_then(|f| f.duration))
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0);
    Ok(VideoInfo {
        width,
        height,
        fps,
        frames,
        duration_s,
    })
}

fn spawn_error(program: Program, path: &Path, e: std::io::Error) -> CaptureError {
    if e.kind() == std::io::ErrorKind::NotFound {
        CaptureError::FfmpegMissing {
            program: program.name().to_string(),
        }
    } else {
        CaptureError::VideoIo {
            path: path.to_path_buf(),
            step: program.cannot_run(),
            source: e,
        }
    }
}

/// The FFmpeg program being started.
#[derive(Clone, Copy)]
enum Program {
    Ffprobe,
    Ffmpeg,
}

impl Program {
    fn name(self) -> &'static str {
        match self {
            Program::Ffprobe => "ffprobe",
            Program::Ffmpeg => "ffmpeg",
        }
    }

    /// The step, as [`CaptureError::VideoIo`] says it.
    fn cannot_run(self) -> &'static str {
        match self {
            Program::Ffprobe => "cannot run ffprobe: ",
            Program::Ffmpeg => "cannot run ffmpeg: ",
        }
    }
}

fn first_line(text: &str) -> String {
    // ffmpeg prefixes its lines with the path; keep the part that explains.
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let line = line.rsplit_once(": ").map_or(line, |(_, why)| why);
    if line.is_empty() {
        "ffmpeg gave no reason".to_string()
    } else {
        line.to_string()
    }
}

/// The path as ffmpeg and ffprobe must be given it: with the `file:`
/// protocol, so that no name is read as an option (`-report`, `-version`)
/// or as another protocol (`http:x.mp4`, `concat:a|b`).
pub fn ffmpeg_url(path: &Path) -> std::ffi::OsString {
    let mut url = std::ffi::OsString::from("file:");
    url.push(path.as_os_str());
    url
}

/// Asks `ffprobe` for the size and frame rate of a video file.
pub fn probe(path: &Path) -> Result<VideoInfo, CaptureError> {
    let out = Command::new(Program::Ffprobe.name())
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:stream_tags=rotate:stream_side_data=rotation:format=duration",
            "-of",
            "json",
        ])
        .arg(ffmpeg_url(path))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(Program::Ffprobe, path, e))?;
    let not_video = |reason: String| CaptureError::NotAVideo {
        path: path.to_path_buf(),
        reason,
    };
    if !out.status.success() {
        return Err(not_video(first_line(&String::from_utf8_lossy(&out.stderr))));
    }
    parse_probe(&String::from_utf8_lossy(&out.stdout)).map_err(not_video)
}

/// The one warning for a video that ffmpeg finished without failing but
/// that looks damaged: ffmpeg reported decoding errors (it only prints
/// errors here), the stream ended well short of the frames the container
/// promised, or it ended part-way through a frame. `None` for a clean end.
/// `delivered` counts the frames read, at `out_fps`.
pub fn damage_warning(
    info: &VideoInfo,
    out_fps: f64,
    delivered: u64,
    partial_frame: bool,
    ffmpeg_errors: &str,
) -> Option<String> {
    // Frames expected at the delivered rate: from the container's count when
    // it is delivered as is, else from the length.
    let expected = if (out_fps - info.fps).abs() < 1e-6 {
        info.frames
            .map(|n| n as f64)
            .or(info.duration_s.map(|d| d * info.fps))
    } else {
        info.duration_s.map(|d| d * out_fps)
    };
    let short = expected.filter(|&e| (delivered as f64) < 0.9 * e - 1.0);
    let errors = !ffmpeg_errors.trim().is_empty();
    if short.is_none() && !errors && !partial_frame {
        return None;
    }
    let mut what = match short {
        Some(e) => format!(
            "the video ended after {delivered} of about {} frames",
            e.round() as u64
        ),
        None if partial_frame => "the video's last frame was cut short".to_string(),
        None => format!("the video decoded with errors, {delivered} frames read"),
    };
    if errors {
        what.push_str(&format!(" (ffmpeg: {})", first_line(ffmpeg_errors)));
    }
    Some(format!(
        "{what}; the file may be damaged or cut short, so results may be wrong"
    ))
}

/// A video file played through ffmpeg.
pub struct VideoSource {
    path: PathBuf,
    info: VideoInfo,
    /// Rate of the frames ffmpeg delivers (lower than the file's when capped).
    out_fps: f64,
    timing: Timing,
    child: Child,
    stdout: ChildStdout,
    stderr: Arc<Mutex<String>>,
    /// The thread collecting `stderr`, joined at the end of the video.
    stderr_reader: Option<std::thread::JoinHandle<()>>,
    buf: Vec<u8>,
    next_index: u64,
    finished: bool,
}

impl VideoSource {
    /// Probes the file and starts ffmpeg. With `max_fps`, ffmpeg drops
    /// frames above that rate before converting them.
    pub fn open(
        path: &Path,
        timing: Timing,
        max_fps: Option<f64>,
    ) -> Result<VideoSource, CaptureError> {
        if !path.exists() {
            return Err(CaptureError::InputMissing {
                path: path.to_path_buf(),
            });
        }
        // Before anything opens it: a named pipe would block the open.
        if let Some(what) = crate::frame::special_file_kind(path) {
            return Err(CaptureError::NotAFile {
                path: path.to_path_buf(),
                what,
            });
        }
        if let Err(e) = std::fs::File::open(path) {
            return Err(CaptureError::InputUnreadable {
                path: path.to_path_buf(),
                source: e,
            });
        }
        let info = probe(path)?;
        let cap = max_fps.filter(|m| m.is_finite() && *m > 0.0 && *m < info.fps);
        let out_fps = cap.unwrap_or(info.fps);
        let mut cmd = Command::new(Program::Ffmpeg.name());
        cmd.args(["-nostdin", "-hide_banner", "-loglevel", "error"])
            // One decoding thread: a few frames a second do not need more,
            // and frame threads would cost memory and wake-ups.
            .args(["-threads", "1"]);
        if cap.is_some_and(|c| 2.0 * c <= info.fps) {
            // Most frames are dropped anyway: do not decode the ones no
            // other frame depends on (about a quarter less decoding work
            // for typical H.264; the frames kept are decoded in full).
            cmd.args(["-skip_frame", "noref"]);
        }
        cmd.arg("-i").arg(ffmpeg_url(path));
        if let Some(c) = cap {
            // `eof_action=pass`: without it the filter drops a video shorter
            // than one output frame (a one-frame clip) entirely.
            cmd.args(["-vf", &format!("fps={c}:eof_action=pass")]);
        }
        cmd.args(["-an", "-sn", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| spawn_error(Program::Ffmpeg, path, e))?;
        let (Some(stdout), Some(mut err_pipe)) = (child.stdout.take(), child.stderr.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(CaptureError::VideoRead {
                path: path.to_path_buf(),
                reason: "ffmpeg's output could not be connected".to_string(),
            });
        };
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        // Keep the end of ffmpeg's complaints for the error message; the
        // thread ends when ffmpeg closes its stderr.
        let stderr_reader = std::thread::Builder::new()
            .name("ffmpeg-stderr".to_string())
            .spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = err_pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
                    s.push_str(&String::from_utf8_lossy(&chunk[..n]));
                    if s.len() > 8192 {
                        let cut = s.len() - 4096;
                        let cut = (cut..s.len()).find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                        s.drain(..cut);
                    }
                }
            })
            .map_err(|e| CaptureError::VideoIo {
                path: path.to_path_buf(),
                step: "cannot start a thread: ",
                source: e,
            })?;
        let frame_bytes = info.width as usize * info.height as usize * 3;
        tracing::info!(
            "video {}: {}x{} at {:.3} fps, delivering {:.3} fps",
            path.display(),
            info.width,
            info.height,
            info.fps,
            out_fps
        );
        Ok(VideoSource {
            path: path.to_path_buf(),
            info,
            out_fps,
            timing,
            child,
            stdout,
            stderr,
            stderr_reader: Some(stderr_reader),
            buf: vec![0; frame_bytes],
            next_index: 0,
            finished: false,
        })
    }

    /// What ffprobe said about the file.
    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// Reads one frame into the buffer; false at the end of the video.
    fn read_frame(&mut self) -> Result<bool, CaptureError> {
        let mut filled = 0;
        while filled < self.buf.len() {
            match self.stdout.read(&mut self.buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(CaptureError::VideoIo {
                        path: self.path.clone(),
                        step: "",
                        source: e,
                    });
                }
            }
        }
        if filled == self.buf.len() {
            return Ok(true);
        }
        // End of stream: a clean end, or ffmpeg failed part-way.
        self.finished = true;
        let status = self.child.wait().map_err(|e| CaptureError::VideoIo {
            path: self.path.clone(),
            step: "",
            source: e,
        })?;
        // ffmpeg has exited, so its stderr is closed: take all of it.
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let text = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        if !status.success() {
            return Err(CaptureError::VideoRead {
                path: self.path.clone(),
                reason: first_line(&text),
            });
        }
        if let Some(warning) =
            damage_warning(&self.info, self.out_fps, self.next_index, filled > 0, &text)
        {
            tracing::warn!("{warning}: {}", self.path.display());
        }
        Ok(false)
    }

    fn time_of(&self, index: u64) -> f64 {
        index as f64 / self.out_fps
    }
}

impl FrameSource for VideoSource {
    fn next_frame(&mut self, not_before_s: f64) -> Result<Option<Frame>, CaptureError> {
        // Half a frame of slack so that asking for t = k / fps gets frame k.
        let eps = 0.5 / self.out_fps;
        loop {
            if self.finished {
                return Ok(None);
            }
            if !self.read_frame()? {
                return Ok(None);
            }
            let index = self.next_index;
            self.next_index += 1;
            let time_s = self.time_of(index);
            if time_s + eps < not_before_s {
                continue;
            }
            let data = std::mem::replace(
                &mut self.buf,
                vec![0; self.info.width as usize * self.info.height as usize * 3],
            );
            let image =
                RgbImage::from_raw(self.info.width, self.info.height, data).ok_or_else(|| {
                    CaptureError::VideoRead {
                        path: self.path.clone(),
                        reason: "frame size mismatch".to_string(),
                    }
                })?;
            return Ok(Some(Frame {
                image,
                time_s,
                index,
            }));
        }
    }

    fn describe(&self) -> String {
        let frames = self
            .info
            .frames
            .map(|n| format!(", {n} frames"))
            .unwrap_or_default();
        format!(
            "video {}x{} at {:.3} fps{frames}: {}",
            self.info.width,
            self.info.height,
            self.info.fps,
            self.path.display()
        )
    }

    fn timing(&self) -> Timing {
        self.timing
    }
}

impl Drop for VideoSource {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// I/O failures while reading a video keep the I/O error as their
    /// cause; the words are those the string version had.
    #[test]
    fn video_io_errors_keep_their_cause_and_their_words() {
        use std::error::Error as _;
        let io = || std::io::Error::other("disk gone");
        let cases = [
            (
                spawn_error(Program::Ffmpeg, Path::new("a.mp4"), io()),
                "video decoding failed (cannot run ffmpeg: disk gone); the file may be damaged: a.mp4",
            ),
            (
                spawn_error(Program::Ffprobe, Path::new("a.mp4"), io()),
                "video decoding failed (cannot run ffprobe: disk gone); the file may be damaged: a.mp4",
            ),
            (
                CaptureError::VideoIo {
                    path: "b.mp4".into(),
                    step: "",
                    source: io(),
                },
                "video decoding failed (disk gone); the file may be damaged: b.mp4",
            ),
        ];
        for (e, said) in cases {
            assert!(e.source().is_some_and(|c| c.is::<std::io::Error>()));
            assert_eq!(e.to_string(), said);
            assert_eq!(crate::app::error_line(&anyhow::Error::from(e)), said);
        }
        // ffmpeg missing is still told apart from other start failures.
        let missing = spawn_error(
            Program::Ffmpeg,
            Path::new("a.mp4"),
            std::io::ErrorKind::NotFound.into(),
        );
        assert!(
            matches!(missing, CaptureError::FfmpegMissing { ref program } if program == "ffmpeg")
        );
    }

    #[test]
    fn probe_output_is_parsed() {
        let json = r#"{"programs":[],"streams":[{"width":720,"height":1280,"r_frame_rate":"5/1",
            "avg_frame_rate":"5/1","duration":"13.000000","nb_frames":"65","tags":{}}],
            "format":{"duration":"13.000000"}}"#;
        let info = parse_probe(json).unwrap();
        assert_eq!(
            info,
            VideoInfo {
                width: 720,
                height: 1280,
                fps: 5.0,
                frames: Some(65),
                duration_s: Some(13.0)
            }
        );
    }

    #[test]
    fn ntsc_rates_and_missing_fields() {
        let json = r#"{"streams":[{"width":640,"height":480,"avg_frame_rate":"0/0",
            "r_frame_rate":"30000/1001"}]}"#;
        let info = parse_probe(json).unwrap();
        assert!((info.fps - 29.97).abs() < 0.01);
        assert_eq!(info.frames, None);
        assert_eq!(info.duration_s, None);
    }

    #[test]
    fn rotated_phone_videos_swap_their_size() {
        let side = r#"{"streams":[{"width":1920,"height":1080,"avg_frame_rate":"30/1",
            "side_data_list":[{"rotation":-90}]}]}"#;
        let info = parse_probe(side).unwrap();
        assert_eq!((info.width, info.height), (1080, 1920));
        let tag = r#"{"streams":[{"width":1920,"height":1080,"avg_frame_rate":"30/1",
            "tags":{"rotate":"270"}}]}"#;
        assert_eq!(parse_probe(tag).unwrap().width, 1080);
        let flip = r#"{"streams":[{"width":1920,"height":1080,"avg_frame_rate":"30/1",
            "tags":{"rotate":"180"}}]}"#;
        assert_eq!(parse_probe(flip).unwrap().width, 1920);
    }

    #[test]
    fn probe_failures_say_why() {
        assert_eq!(
            parse_probe(r#"{"streams":[]}"#).unwrap_err(),
            "it has no video stream"
        );
        assert!(parse_probe("{}").is_err());
        assert!(parse_probe("not json").unwrap_err().contains("ffprobe"));
        let no_rate =
            r#"{"streams":[{"width":2,"height":2,"avg_frame_rate":"0/0","r_frame_rate":"0/0"}]}"#;
        assert!(parse_probe(no_rate).unwrap_err().contains("frame rate"));
        let zero = r#"{"streams":[{"width":0,"height":2,"avg_frame_rate":"1/1"}]}"#;
        assert!(parse_probe(zero).is_err());
    }

    #[test]
    fn paths_reach_ffmpeg_as_files_never_options() {
        assert_eq!(ffmpeg_url(Path::new("-report")), "file:-report");
        assert_eq!(ffmpeg_url(Path::new("/v/http:x.mp4")), "file:/v/http:x.mp4");
    }

    #[test]
    fn damaged_videos_are_told_from_clean_ones() {
        let info = VideoInfo {
            width: 64,
            height: 48,
            fps: 30.0,
            frames: Some(120),
            duration_s: Some(4.0),
        };
        assert_eq!(damage_warning(&info, 30.0, 120, false, ""), None);
        assert_eq!(damage_warning(&info, 30.0, 118, false, ""), None);
        let w = damage_warning(&info, 30.0, 29, false, "").unwrap();
        assert!(w.contains("after 29 of about 120 frames"), "{w}");
        // Capped rate: compared with the length.
        assert_eq!(damage_warning(&info, 5.0, 20, false, ""), None);
        assert!(damage_warning(&info, 5.0, 5, false, "").is_some());
        let w = damage_warning(
            &info,
            30.0,
            120,
            false,
            "[h264 @ 0x1] error while decoding MB 3 4\n",
        )
        .unwrap();
        assert!(
            w.contains("(ffmpeg: ") && w.contains("error while decoding MB 3 4"),
            "{w}"
        );
        assert!(damage_warning(&info, 30.0, 120, true, "").is_some());
        // Unknown length: only ffmpeg's word counts.
        let unknown = VideoInfo {
            frames: None,
            duration_s: None,
            ..info
        };
        assert_eq!(damage_warning(&unknown, 30.0, 3, false, ""), None);
    }

    #[test]
    fn ffmpeg_messages_keep_the_reason() {
        assert_eq!(
            first_line(
                "[mov @ 0x1] moov atom not found\n/tmp/x.mp4: Invalid data found when processing input\n"
            ),
            "Invalid data found when processing input"
        );
        assert_eq!(first_line(""), "ffmpeg gave no reason");
    }
}
