//! Where frames come from: a camera, a video file, or a folder or list of
//! images, behind one [`FrameSource`] trait so the rest of the program cannot
//! tell them apart.
//!
//! - [`CameraSource`] captures on its own thread (nokhwa: V4L2 on Linux,
//!   AVFoundation on macOS, Media Foundation on Windows) and keeps only the
//!   newest raw frame in a one-frame slot, so slow inference never builds a
//!   queue of stale frames; the frame is converted to RGB only when asked for.
//! - [`VideoSource`] pipes the file through the `ffmpeg` command as raw RGB.
//! - [`ImageSource`] plays stills at a fixed interval.
//!
//! # Driving a source
//!
//! Every frame carries `time_s`, seconds on the source's own clock (camera:
//! since it was opened; video: frame index / frame rate; images: index x
//! interval). The loop decides *when* it wants a frame and asks for the first
//! one at or after that time:
//!
//! ```no_run
//! # use hunch::capture::{open_source, SourceConfig, Timing};
//! # fn main() -> Result<(), hunch::capture::CaptureError> {
//! let mut source = open_source(&SourceConfig::default())?;
//! let mut want_s = 0.0;
//! while let Some(frame) = source.next_frame(want_s)? {
//!     if source.timing() != Timing::Unpaced {
//!         // wait (pumping the window) until the wall clock reaches frame.time_s
//!     }
//!     // ... infer on frame ...
//!     want_s = frame.time_s + 0.25; // from schedule::Scheduler
//! }
//! # Ok(()) }
//! ```
//!
//! A camera that is unplugged mid-run makes `next_frame` return an error for
//! which [`CaptureError::is_retryable`] is true; the loop then calls
//! [`FrameSource::resume`] on the times a [`Backoff`] gives until it works.

mod camera;
#[doc(hidden)]
#[cfg(any(test, feature = "testkit"))]
pub mod clip;
pub mod convert;
mod images;
mod video;

use std::path::{Path, PathBuf};

#[cfg(test)]
pub(crate) use camera::fake;
pub use camera::{
    CameraInfo, CameraSelector, CameraSource, FormatInfo, camera_formats, candidates,
    choose_format, classify_open_error, list_cameras, print_cameras, write_camera_list,
};
pub use images::ImageSource;
pub use video::{VideoInfo, VideoSource};

use crate::frame::{Frame, FrameError};

/// How the loop should pace a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// Frames arrive in real time by themselves (a camera).
    Live,
    /// Recorded frames to be shown at their own times: wait for the wall clock.
    Realtime,
    /// Recorded frames to be processed as fast as possible.
    Unpaced,
}

/// A source of frames. Implementations must be cheap to poll and must never
/// queue up old frames.
pub trait FrameSource: Send {
    /// The first frame at or after `not_before_s` on the source's clock,
    /// skipping (without converting) the frames before it. Returns `None` at
    /// the end of a recording. A live camera returns its newest frame not yet
    /// returned, waiting for one if none is newer.
    fn next_frame(&mut self, not_before_s: f64) -> Result<Option<Frame>, CaptureError>;

    /// One line for the user: what this source is and its format.
    fn describe(&self) -> String;

    /// How the loop should pace this source.
    fn timing(&self) -> Timing;

    /// Lets go of the device while paused (the camera light goes off).
    /// Recordings keep their place. Idempotent.
    fn release(&mut self) {}

    /// Now on the source's clock for a live source (a camera), whose frames
    /// arrive by themselves: the loop waits until this reaches the time it
    /// wants before asking. `None` for recordings.
    fn clock_s(&self) -> Option<f64> {
        None
    }

    /// Takes the device again after [`release`](Self::release) or after a
    /// retryable error. The source's clock keeps running across the gap.
    fn resume(&mut self) -> Result<(), CaptureError> {
        Ok(())
    }
}

/// Why frames could not be had. Each message is one line: what failed, why,
/// what to do, path last.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(
        "no camera found{detail}: plug one in and check `hunch cameras`, or watch a recording with `hunch --input FILE`"
    )]
    NoCamera { detail: String },
    #[error("no camera with index {index}; available: {available} (see `hunch cameras`)")]
    BadCameraIndex { index: u32, available: String },
    #[error(
        "no camera whose name contains \"{name}\"; available: {available} (see `hunch cameras`)"
    )]
    NoCameraNamed { name: String, available: String },
    #[error(
        "permission denied opening the camera: add yourself to the video group (sudo usermod -aG video $USER) and log in again: {device}"
    )]
    CameraPermission { device: String },
    #[error(
        "the camera is busy: another program (a video call, another hunch?) is using it; close it and retry: {device}"
    )]
    CameraBusy { device: String },
    #[error(
        "cannot open the camera ({reason}): check `hunch cameras` or try another --camera: {device}"
    )]
    CameraOpen { device: String, reason: String },
    /// The thread that reads the camera could not be started.
    #[error(
        "cannot open the camera (cannot start the capture thread: {source}): check `hunch cameras` or try another --camera: {device}"
    )]
    CameraThread {
        device: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the camera offers no format hunch can read (it has: {formats}); try another --camera: {device}"
    )]
    NoUsableFormat { device: String, formats: String },
    #[error("lost the camera ({reason}); retrying until it comes back: {device}")]
    CameraLost { device: String, reason: String },
    #[error("the camera sent no frame for {seconds:.0} s; retrying: {device}")]
    CameraStalled { device: String, seconds: f64 },
    #[error(
        "cameras are not supported on this platform; watch a recording with `hunch --input FILE`"
    )]
    Unsupported,
    #[error(
        "{program} not found: install FFmpeg (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg) to read videos, or pass a folder of images"
    )]
    FfmpegMissing { program: String },
    #[error("input not found: check the path: {}", path.display())]
    InputMissing { path: PathBuf },
    #[error("cannot read input ({source}): check permissions: {}", path.display())]
    InputUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("not a video hunch can read ({reason}); pass a video file, an image folder or a list of images: {}", path.display())]
    NotAVideo { path: PathBuf, reason: String },
    #[error("video decoding failed ({reason}); the file may be damaged: {}", path.display())]
    VideoRead { path: PathBuf, reason: String },
    /// Reading the video failed on an I/O error (`step` says where, if
    /// anywhere but reading the decoded frames).
    #[error("video decoding failed ({step}{source}); the file may be damaged: {}", path.display())]
    VideoIo {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("no images (jpg, png, webp, bmp) found; pass a folder or a list of image files: {}", path.display())]
    NoImages { path: PathBuf },
    #[error(
        "the input is {what}, not a file: hunch reads a video twice (once for its size, once to decode it), which a pipe or device cannot give; save the stream to a file first (and use --camera for a camera): {}",
        path.display()
    )]
    NotAFile { path: PathBuf, what: &'static str },
    #[error(transparent)]
    Image(#[from] FrameError),
}

impl CaptureError {
    /// True for faults that may go away by themselves (a camera unplugged or
    /// stalled mid-run): the loop should retry with [`Backoff`] and keep the
    /// session going. Everything else should end the run.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            CaptureError::CameraLost { .. }
                | CaptureError::CameraStalled { .. }
                | CaptureError::CameraBusy { .. }
                | CaptureError::NoCamera { .. }
        )
    }
}

/// Camera resolution, width by height in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolution {
    pub width: u32,
    pub height: u32,
}

impl Resolution {
    /// Parses `WxH` (also `W*H` or `WXH`), both between 16 and 8192.
    pub fn parse(text: &str) -> Option<Resolution> {
        let (w, h) = text.trim().split_once(['x', 'X', '*', '×'])?;
        let width: u32 = w.trim().parse().ok()?;
        let height: u32 = h.trim().parse().ok()?;
        let ok = |v: u32| (16..=8192).contains(&v);
        (ok(width) && ok(height)).then_some(Resolution { width, height })
    }
}

impl Default for Resolution {
    fn default() -> Self {
        Resolution {
            width: 640,
            height: 480,
        }
    }
}

impl std::fmt::Display for Resolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// Everything needed to open a source.
#[derive(Clone, Debug)]
pub struct SourceConfig {
    /// A video file, a folder of images, an image, or a text file listing
    /// images; `None` for the camera.
    pub input: Option<PathBuf>,
    /// Which camera; `None` for the first that works.
    pub camera: Option<CameraSelector>,
    /// Camera resolution asked for (the nearest offered is used).
    pub resolution: Resolution,
    /// Camera frame rate asked for (the nearest offered is used).
    pub camera_fps: u32,
    /// Pace recordings at their own frame rate (else as fast as possible).
    pub realtime: bool,
    /// Seconds each still stands for.
    pub image_seconds: f64,
    /// Have ffmpeg drop frames above this rate (saves decoding and copying
    /// frames the loop would skip anyway); `None` keeps every frame.
    pub max_fps: Option<f64>,
}

impl Default for SourceConfig {
    fn default() -> Self {
        SourceConfig {
            input: None,
            camera: None,
            resolution: Resolution::default(),
            camera_fps: 30,
            realtime: true,
            image_seconds: 1.0,
            max_fps: None,
        }
    }
}

/// What kind of file an input path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A folder of images.
    ImageDir,
    /// A single still.
    Image,
    /// A text file with one image path per line (`.txt`, `.lst`, `.list`).
    ImageList,
    /// Anything else: handed to ffmpeg.
    Video,
}

/// Decides how an input path is read. Errors when it does not exist.
pub fn input_kind(path: &Path) -> Result<InputKind, CaptureError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CaptureError::InputMissing {
            path: path.to_path_buf(),
        },
        _ => CaptureError::InputUnreadable {
            path: path.to_path_buf(),
            source: e,
        },
    })?;
    if meta.is_dir() {
        return Ok(InputKind::ImageDir);
    }
    if let Some(what) = crate::frame::special_file_kind(path) {
        return Err(CaptureError::NotAFile {
            path: path.to_path_buf(),
            what,
        });
    }
    if crate::frame::is_image_path(path) {
        return Ok(InputKind::Image);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("txt" | "lst" | "list")) {
        return Ok(InputKind::ImageList);
    }
    Ok(InputKind::Video)
}

/// Opens the source the configuration asks for.
pub fn open_source(config: &SourceConfig) -> Result<Box<dyn FrameSource>, CaptureError> {
    let timing = if config.realtime {
        Timing::Realtime
    } else {
        Timing::Unpaced
    };
    let Some(path) = &config.input else {
        return Ok(Box::new(CameraSource::open(
            config.camera.clone(),
            config.resolution,
            config.camera_fps,
        )?));
    };
    Ok(match input_kind(path)? {
        InputKind::ImageDir => Box::new(ImageSource::from_dir(path, config.image_seconds, timing)?),
        InputKind::Image => Box::new(ImageSource::from_paths(
            path,
            vec![path.clone()],
            config.image_seconds,
            timing,
        )?),
        InputKind::ImageList => {
            Box::new(ImageSource::from_list(path, config.image_seconds, timing)?)
        }
        InputKind::Video => Box::new(VideoSource::open(path, timing, config.max_fps)?),
    })
}

/// Retry timing for a lost camera: wait `initial_s`, then twice as long after
/// each failure, up to `max_s`. Times are passed in.
#[derive(Clone, Debug)]
pub struct Backoff {
    initial_s: f64,
    max_s: f64,
    delay_s: f64,
    next_s: Option<f64>,
    failures: u32,
}

impl Backoff {
    /// A back-off starting at `initial_s` and capped at `max_s` (both made
    /// finite and at least 0.05 s).
    pub fn new(initial_s: f64, max_s: f64) -> Self {
        let sane = |v: f64, d: f64| if v.is_finite() { v.max(0.05) } else { d };
        let initial_s = sane(initial_s, 1.0);
        let max_s = sane(max_s, 30.0).max(initial_s);
        Backoff {
            initial_s,
            max_s,
            delay_s: initial_s,
            next_s: None,
            failures: 0,
        }
    }

    /// Records a failed attempt (or the loss itself) at `now_s` and schedules
    /// the next attempt.
    pub fn failed(&mut self, now_s: f64) {
        self.next_s = Some(now_s + self.delay_s);
        self.delay_s = (self.delay_s * 2.0).min(self.max_s);
        self.failures = self.failures.saturating_add(1);
    }

    /// True when an attempt is due (always true before any failure).
    pub fn due(&self, now_s: f64) -> bool {
        self.next_s.is_none_or(|t| now_s >= t)
    }

    /// When the next attempt is due, if a failure was recorded.
    pub fn next_attempt_s(&self) -> Option<f64> {
        self.next_s
    }

    /// Failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Forgets the failures after a success.
    pub fn succeeded(&mut self) {
        self.delay_s = self.initial_s;
        self.next_s = None;
        self.failures = 0;
    }
}

impl Default for Backoff {
    /// 1 s, doubling up to 30 s.
    fn default() -> Self {
        Backoff::new(1.0, 30.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn resolution_parses_common_forms() {
        assert_eq!(
            Resolution::parse("1280x720"),
            Some(Resolution {
                width: 1280,
                height: 720
            })
        );
        assert_eq!(
            Resolution::parse(" 640 X 480 ")
                .map(|r| r.to_string())
                .as_deref(),
            Some("640x480")
        );
        for bad in [
            "",
            "640",
            "x480",
            "640x",
            "0x0",
            "640x-480",
            "abcxdef",
            "99999x480",
        ] {
            assert_eq!(Resolution::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(1.0, 5.0);
        assert!(b.due(0.0));
        b.failed(10.0);
        assert!(!b.due(10.5));
        assert!(b.due(11.0));
        b.failed(11.0);
        assert_eq!(b.next_attempt_s(), Some(13.0));
        b.failed(13.0);
        assert_eq!(b.next_attempt_s(), Some(17.0));
        b.failed(17.0);
        assert_eq!(b.next_attempt_s(), Some(22.0), "capped at 5 s");
        assert_eq!(b.failures(), 4);
        b.succeeded();
        assert!(b.due(0.0));
        b.failed(100.0);
        assert_eq!(b.next_attempt_s(), Some(101.0));
    }

    #[test]
    fn backoff_survives_nonsense() {
        let mut b = Backoff::new(f64::NAN, -3.0);
        b.failed(0.0);
        let t = b.next_attempt_s().unwrap();
        assert!(t.is_finite() && t > 0.0);
    }

    proptest! {
        #[test]
        fn backoff_delays_grow_and_stay_capped(
            initial in 0.01f64..10.0, max in 0.01f64..100.0, n in 1usize..40,
        ) {
            let mut b = Backoff::new(initial, max);
            let mut now = 0.0;
            let mut last_delay = 0.0;
            for _ in 0..n {
                b.failed(now);
                let next = b.next_attempt_s().unwrap();
                let delay = next - now;
                prop_assert!(delay >= last_delay - 1e-9);
                prop_assert!(delay <= max.max(initial).max(0.05) + 1e-9);
                prop_assert!(delay >= 0.05 - 1e-12);
                last_delay = delay;
                now = next;
            }
        }
    }

    #[test]
    fn input_kind_sorts_paths() {
        let dir = tempfile::tempdir().unwrap();
        let img = dir.path().join("a.JPG");
        let list = dir.path().join("frames.txt");
        let vid = dir.path().join("clip.mp4");
        for p in [&img, &list, &vid] {
            std::fs::write(p, b"x").unwrap();
        }
        assert_eq!(input_kind(dir.path()).unwrap(), InputKind::ImageDir);
        assert_eq!(input_kind(&img).unwrap(), InputKind::Image);
        assert_eq!(input_kind(&list).unwrap(), InputKind::ImageList);
        assert_eq!(input_kind(&vid).unwrap(), InputKind::Video);
        #[cfg(unix)]
        {
            // A named pipe is refused from its type alone: opening it (as
            // reading or probing would) waits for a writer for ever.
            let fifo = dir.path().join("stream.mp4");
            let made = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap();
            assert!(made.success());
            let err = input_kind(&fifo).unwrap_err();
            assert!(matches!(err, CaptureError::NotAFile { .. }), "{err}");
            assert!(err.to_string().contains("named pipe"), "{err}");
            assert!(matches!(
                input_kind(Path::new("/dev/null")),
                Err(CaptureError::NotAFile {
                    what: "a device",
                    ..
                })
            ));
        }
        let missing = dir.path().join("nope.mp4");
        let err = input_kind(&missing).unwrap_err();
        assert!(matches!(err, CaptureError::InputMissing { .. }));
        assert!(err.to_string().ends_with("nope.mp4"), "{err}");
    }

    #[test]
    fn only_camera_faults_are_retryable() {
        let thread = CaptureError::CameraThread {
            device: "/dev/video0".into(),
            source: std::io::Error::other("no threads left"),
        };
        assert!(!thread.is_retryable());
        let said = "cannot open the camera (cannot start the capture thread: no threads left): check `hunch cameras` or try another --camera: /dev/video0";
        assert_eq!(thread.to_string(), said);
        assert!(std::error::Error::source(&thread).is_some());
        assert_eq!(crate::app::error_line(&anyhow::Error::from(thread)), said);
        let lost = CaptureError::CameraLost {
            device: "/dev/video0".into(),
            reason: "No such device".into(),
        };
        assert!(lost.is_retryable());
        let missing = CaptureError::InputMissing { path: "x".into() };
        assert!(!missing.is_retryable());
        assert!(
            !CaptureError::BadCameraIndex {
                index: 3,
                available: "0".into()
            }
            .is_retryable()
        );
    }
}
