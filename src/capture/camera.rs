//! The camera: device listing, format choice, fault messages, and a capture
//! thread that keeps only the newest frame.
//!
//! The device is opened and read on its own thread (nokhwa's camera types are
//! not `Send`). That thread copies each raw frame into a one-frame slot,
//! overwriting the previous one, and never converts: conversion to RGB
//! happens only for the frames the loop asks for, so a 30 fps camera costs a
//! copy per frame, not a JPEG decode per frame.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::convert::{self, PixelFormat};
use super::{CaptureError, FrameSource, Resolution, Timing};
use crate::frame::Frame;

/// Which camera the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CameraSelector {
    /// By the index `hunch cameras` shows (on Linux, N of /dev/videoN).
    Index(u32),
    /// By (part of) its name, case-insensitively.
    Name(String),
}

impl CameraSelector {
    /// All digits is an index, anything else a name.
    pub fn parse(text: &str) -> CameraSelector {
        let t = text.trim();
        match t.parse::<u32>() {
            Ok(i) => CameraSelector::Index(i),
            Err(_) => CameraSelector::Name(t.to_string()),
        }
    }
}

impl std::fmt::Display for CameraSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CameraSelector::Index(i) => write!(f, "{i}"),
            CameraSelector::Name(n) => write!(f, "\"{n}\""),
        }
    }
}

/// A camera the system reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CameraInfo {
    /// The index `--camera` takes.
    pub index: u32,
    /// The name the driver gives.
    pub name: String,
    /// Backend details (on Linux the device path).
    pub description: String,
}

/// One way a camera can deliver frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FormatInfo {
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl std::fmt::Display for FormatInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}x{} @{} fps",
            self.format, self.width, self.height, self.fps
        )
    }
}

/// The device path or label used in messages.
pub(crate) fn device_label(index: u32) -> String {
    if cfg!(target_os = "linux") {
        format!("/dev/video{index}")
    } else {
        format!("camera {index}")
    }
}

fn available_list(cams: &[CameraInfo]) -> String {
    cams.iter()
        .map(|c| format!("{} ({})", c.index, c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The camera indices to try, in order, for a selection: the one index
/// asked for, every camera whose name matches, or every camera.
pub fn candidates(
    selector: Option<&CameraSelector>,
    available: &[CameraInfo],
) -> Result<Vec<u32>, CaptureError> {
    if available.is_empty() {
        return Err(CaptureError::NoCamera {
            detail: if cfg!(target_os = "linux") {
                " (no /dev/video* device)".to_string()
            } else {
                String::new()
            },
        });
    }
    match selector {
        None => Ok(available.iter().map(|c| c.index).collect()),
        Some(CameraSelector::Index(i)) => {
            if available.iter().any(|c| c.index == *i) {
                Ok(vec![*i])
            } else {
                Err(CaptureError::BadCameraIndex {
                    index: *i,
                    available: available_list(available),
                })
            }
        }
        Some(CameraSelector::Name(name)) => {
            let needle = name.to_lowercase();
            let found: Vec<u32> = available
                .iter()
                .filter(|c| c.name.to_lowercase().contains(&needle))
                .map(|c| c.index)
                .collect();
            if found.is_empty() {
                Err(CaptureError::NoCameraNamed {
                    name: name.clone(),
                    available: available_list(available),
                })
            } else {
                Ok(found)
            }
        }
    }
}

fn format_rank(f: PixelFormat) -> u8 {
    // YUYV converts cheaply and has no compression artefacts; MJPEG is what
    // most cameras need for higher resolutions and rates.
    match f {
        PixelFormat::Yuyv => 0,
        PixelFormat::Mjpeg => 1,
        PixelFormat::Nv12 => 2,
        PixelFormat::Rgb => 3,
        PixelFormat::Bgr => 4,
        PixelFormat::Gray => 5,
    }
}

/// Picks the offered format nearest the wish: nearest resolution first
/// (sum of width and height differences), then nearest frame rate (with
/// rates below the wish counted double, so 30 beats 15 when 25 is asked),
/// then the cheaper pixel format.
pub fn choose_format(offered: &[FormatInfo], want: Resolution, fps: u32) -> Option<FormatInfo> {
    offered
        .iter()
        .filter(|f| f.width > 0 && f.height > 0 && f.fps > 0)
        .min_by_key(|f| {
            let res = f.width.abs_diff(want.width) as u64 + f.height.abs_diff(want.height) as u64;
            let fps_cost = if f.fps >= fps {
                (f.fps - fps) as u64
            } else {
                2 * (fps - f.fps) as u64
            };
            (res, fps_cost, format_rank(f.format))
        })
        .copied()
}

/// Turns a backend's open error text into one clear message.
pub fn classify_open_error(device: &str, text: &str) -> CaptureError {
    let t = text.to_lowercase();
    let device = device.to_string();
    if t.contains("os error 13") || t.contains("permission denied") || t.contains("access denied") {
        CaptureError::CameraPermission { device }
    } else if t.contains("os error 16") || t.contains("busy") || t.contains("in use") {
        CaptureError::CameraBusy { device }
    } else if t.contains("os error 2)")
        || t.contains("os error 19")
        || t.contains("no such file")
        || t.contains("no such device")
    {
        CaptureError::NoCamera {
            detail: format!(" at {device}"),
        }
    } else if t.contains("fufill") || t.contains("fulfill") {
        CaptureError::NoUsableFormat {
            device,
            formats: "none".to_string(),
        }
    } else {
        CaptureError::CameraOpen {
            device,
            reason: text.trim().to_string(),
        }
    }
}

/// A camera streaming raw frames, used on the capture thread only.
pub trait RawCamera {
    /// The format frames come in.
    fn format(&self) -> FormatInfo;
    /// Waits for the next frame and hands its bytes to `take`; an error
    /// means the camera is gone.
    fn read(&mut self, take: &mut dyn FnMut(&[u8])) -> Result<(), String>;
}

/// Lists and opens cameras: the platform's (nokhwa) or a test double.
pub trait CameraBackend: Send + Sync {
    /// The cameras present.
    fn list(&self) -> Result<Vec<CameraInfo>, CaptureError>;
    /// Opens one at the format nearest the wish and starts streaming.
    /// Called on the capture thread.
    fn open(
        &self,
        index: u32,
        want: Resolution,
        fps: u32,
    ) -> Result<Box<dyn RawCamera>, CaptureError>;
}

/// The platform's cameras, through nokhwa.
pub struct SystemCameras;

impl CameraBackend for SystemCameras {
    fn list(&self) -> Result<Vec<CameraInfo>, CaptureError> {
        backend::query()
    }

    fn open(
        &self,
        index: u32,
        want: Resolution,
        fps: u32,
    ) -> Result<Box<dyn RawCamera>, CaptureError> {
        Ok(Box::new(backend::open(index, want, fps)?))
    }
}

/// The cameras the system reports, in index order.
pub fn list_cameras() -> Result<Vec<CameraInfo>, CaptureError> {
    let mut cams = backend::query()?;
    cams.sort_by_key(|c| c.index);
    Ok(cams)
}

/// The formats a camera offers (opens it briefly).
pub fn camera_formats(index: u32) -> Result<Vec<FormatInfo>, CaptureError> {
    backend::formats(index)
}

/// Writes what `hunch cameras` shows: for each camera its index, name and
/// formats (grouped by pixel format), or a line saying there is none.
pub fn write_camera_list(
    out: &mut dyn std::io::Write,
    cams: &[(CameraInfo, Result<Vec<FormatInfo>, CaptureError>)],
) -> std::io::Result<()> {
    if cams.is_empty() {
        writeln!(
            out,
            "No cameras found{}. To watch a recording instead, run: hunch --input FILE",
            if cfg!(target_os = "linux") {
                " (no /dev/video* device)"
            } else {
                ""
            }
        )?;
        return Ok(());
    }
    for (cam, formats) in cams {
        writeln!(out, "{}  {}  ({})", cam.index, cam.name, cam.description)?;
        match formats {
            Ok(f) if f.is_empty() => writeln!(out, "     no video formats (a metadata node?)")?,
            Ok(f) => {
                let mut kinds: Vec<PixelFormat> = f.iter().map(|x| x.format).collect();
                kinds.sort_by_key(|k| format_rank(*k));
                kinds.dedup();
                for kind in kinds {
                    let mut modes: Vec<(u32, u32, u32)> = f
                        .iter()
                        .filter(|x| x.format == kind)
                        .map(|x| (x.width, x.height, x.fps))
                        .collect();
                    modes.sort_unstable_by_key(|m| {
                        std::cmp::Reverse((u64::from(m.0) * u64::from(m.1), m.2))
                    });
                    modes.dedup();
                    let text: Vec<String> = modes
                        .iter()
                        .map(|(w, h, r)| format!("{w}x{h}@{r}"))
                        .collect();
                    writeln!(out, "     {kind}: {}", text.join(" "))?;
                }
            }
            Err(e) => writeln!(out, "     formats unknown: {e}")?,
        }
    }
    Ok(())
}

/// Lists every camera with its formats on `out`.
pub fn print_cameras(out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let cams = list_cameras()?;
    let listed: Vec<_> = cams
        .into_iter()
        .map(|c| {
            let f = camera_formats(c.index);
            (c, f)
        })
        .collect();
    write_camera_list(out, &listed)?;
    Ok(())
}

/// The newest raw frame, shared between the capture thread and the reader.
#[derive(Default)]
struct Slot {
    data: Vec<u8>,
    seq: u64,
    time_s: f64,
    /// Set by the capture thread when the camera failed; it then exits.
    error: Option<String>,
}

struct Shared {
    slot: Mutex<Slot>,
    fresh: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        // A panic in the other thread while holding the lock leaves plain
        // bytes behind; they are still fine to read.
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct Worker {
    stop: Arc<AtomicBool>,
    done: mpsc::Receiver<()>,
    handle: JoinHandle<()>,
}

/// A live camera. See the module docs for the threading.
pub struct CameraSource {
    backend: Arc<dyn CameraBackend>,
    selector: Option<CameraSelector>,
    resolution: Resolution,
    fps: u32,
    index: u32,
    name: String,
    format: FormatInfo,
    origin: Instant,
    shared: Arc<Shared>,
    worker: Option<Worker>,
    last_seq: u64,
    scratch: Vec<u8>,
    stall_timeout: Duration,
}

impl CameraSource {
    /// Opens the selected camera (or the first that works) at the format
    /// nearest `resolution` and `fps`, and starts capturing.
    pub fn open(
        selector: Option<CameraSelector>,
        resolution: Resolution,
        fps: u32,
    ) -> Result<CameraSource, CaptureError> {
        Self::open_with(Arc::new(SystemCameras), selector, resolution, fps)
    }

    /// [`open`](Self::open) through another backend (tests).
    pub fn open_with(
        backend: Arc<dyn CameraBackend>,
        selector: Option<CameraSelector>,
        resolution: Resolution,
        fps: u32,
    ) -> Result<CameraSource, CaptureError> {
        let mut cams = backend.list()?;
        cams.sort_by_key(|c| c.index);
        let order = candidates(selector.as_ref(), &cams)?;
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            fresh: Condvar::new(),
        });
        let origin = Instant::now();
        let mut first_err = None;
        for index in order {
            match start_worker(&backend, index, resolution, fps, &shared, origin) {
                Ok((worker, format)) => {
                    let name = cams
                        .iter()
                        .find(|c| c.index == index)
                        .map(|c| c.name.clone())
                        .unwrap_or_default();
                    tracing::info!("camera {index} ({name}): {format}");
                    return Ok(CameraSource {
                        backend,
                        selector,
                        resolution,
                        fps,
                        index,
                        name,
                        format,
                        origin,
                        shared,
                        worker: Some(worker),
                        last_seq: 0,
                        scratch: Vec::new(),
                        stall_timeout: Duration::from_secs(5),
                    });
                }
                Err(e) => {
                    tracing::debug!("camera {index}: {e}");
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or(CaptureError::NoCamera {
            detail: String::new(),
        }))
    }

    /// The format in use.
    pub fn format(&self) -> FormatInfo {
        self.format
    }

    /// How long `next_frame` waits for a frame before giving up with
    /// [`CaptureError::CameraStalled`] (default 5 s).
    pub fn set_stall_timeout(&mut self, timeout: Duration) {
        self.stall_timeout = timeout;
    }

    /// True while the capture thread runs (not released, not lost).
    pub fn is_capturing(&self) -> bool {
        self.worker.is_some()
    }

    fn stop_worker(&mut self) {
        if let Some(w) = self.worker.take() {
            w.stop.store(true, Ordering::SeqCst);
            // A healthy camera delivers within a frame time; a hung driver
            // must not hang the program, so give up waiting after 2 s.
            if w.done.recv_timeout(Duration::from_secs(2)).is_ok() {
                let _ = w.handle.join();
            } else {
                tracing::warn!("camera thread did not stop in time; leaving it behind");
            }
        }
    }

    fn lost(&self, reason: String) -> CaptureError {
        CaptureError::CameraLost {
            device: device_label(self.index),
            reason,
        }
    }
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self, not_before_s: f64) -> Result<Option<Frame>, CaptureError> {
        if self.worker.is_none() {
            self.resume()?;
        }
        let frame_interval = 1.0 / f64::from(self.format.fps.max(1));
        let want = if not_before_s.is_finite() {
            not_before_s - frame_interval
        } else {
            0.0
        };
        let wait_from = Instant::now();
        let until_want = Duration::from_secs_f64(
            (want - self.origin.elapsed().as_secs_f64()).clamp(0.0, 3600.0),
        );
        let deadline = wait_from + until_want + self.stall_timeout;
        loop {
            let (seq, time_s) = {
                let mut slot = self.shared.lock();
                loop {
                    if let Some(reason) = slot.error.take() {
                        drop(slot);
                        self.stop_worker();
                        return Err(self.lost(reason));
                    }
                    if slot.seq > self.last_seq && slot.time_s >= want {
                        break;
                    }
                    let now = Instant::now();
                    if now >= deadline {
                        drop(slot);
                        self.stop_worker();
                        return Err(CaptureError::CameraStalled {
                            device: device_label(self.index),
                            seconds: self.stall_timeout.as_secs_f64(),
                        });
                    }
                    slot = self
                        .shared
                        .fresh
                        .wait_timeout(slot, deadline - now)
                        .map(|(g, _)| g)
                        .unwrap_or_else(|p| p.into_inner().0);
                }
                std::mem::swap(&mut slot.data, &mut self.scratch);
                (slot.seq, slot.time_s)
            };
            self.last_seq = seq;
            let f = self.format;
            match convert::to_rgb(f.format, f.width, f.height, &self.scratch) {
                Ok(image) => {
                    return Ok(Some(Frame {
                        image,
                        time_s,
                        index: seq,
                    }));
                }
                // A damaged frame now and then is normal on USB; take the next.
                Err(e) => tracing::debug!("skipping a camera frame: {e}"),
            }
        }
    }

    fn describe(&self) -> String {
        format!("camera {} ({}) {}", self.index, self.name, self.format)
    }

    fn timing(&self) -> Timing {
        Timing::Live
    }

    fn release(&mut self) {
        self.stop_worker();
    }

    fn resume(&mut self) -> Result<(), CaptureError> {
        if self.worker.is_some() {
            return Ok(());
        }
        // A frame left from before the gap is not handed over after it.
        self.last_seq = self.shared.lock().seq;
        // The same device if it is there; after an unplug it may come back
        // under another index, so fall back to the original selection.
        let mut cams = self.backend.list()?;
        cams.sort_by_key(|c| c.index);
        let order = if cams.iter().any(|c| c.index == self.index) {
            vec![self.index]
        } else {
            candidates(self.selector.as_ref(), &cams)?
        };
        let mut first_err = None;
        for index in order {
            match start_worker(
                &self.backend,
                index,
                self.resolution,
                self.fps,
                &self.shared,
                self.origin,
            ) {
                Ok((worker, format)) => {
                    self.index = index;
                    self.format = format;
                    self.worker = Some(worker);
                    if let Some(c) = cams.iter().find(|c| c.index == index) {
                        self.name = c.name.clone();
                    }
                    return Ok(());
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or(CaptureError::NoCamera {
            detail: String::new(),
        }))
    }

    fn clock_s(&self) -> Option<f64> {
        Some(self.origin.elapsed().as_secs_f64())
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        self.stop_worker();
    }
}

/// Starts a capture thread for one camera and waits for it to open.
fn start_worker(
    backend: &Arc<dyn CameraBackend>,
    index: u32,
    resolution: Resolution,
    fps: u32,
    shared: &Arc<Shared>,
    origin: Instant,
) -> Result<(Worker, FormatInfo), CaptureError> {
    let (opened_tx, opened_rx) = mpsc::sync_channel::<Result<FormatInfo, CaptureError>>(1);
    let (done_tx, done_rx) = mpsc::sync_channel::<()>(1);
    let stop = Arc::new(AtomicBool::new(false));
    shared.lock().error = None;
    let thread_stop = Arc::clone(&stop);
    let thread_shared = Arc::clone(shared);
    let thread_backend = Arc::clone(backend);
    let handle = std::thread::Builder::new()
        .name(format!("camera-{index}"))
        .spawn(move || {
            capture_thread(
                thread_backend.as_ref(),
                index,
                resolution,
                fps,
                &thread_shared,
                origin,
                &thread_stop,
                &opened_tx,
            );
            let _ = done_tx.send(());
        })
        .map_err(|source| CaptureError::CameraThread {
            device: device_label(index),
            source,
        })?;
    let worker = Worker {
        stop,
        done: done_rx,
        handle,
    };
    match opened_rx.recv_timeout(Duration::from_secs(15)) {
        Ok(Ok(format)) => Ok((worker, format)),
        Ok(Err(e)) => {
            let _ = worker.handle.join();
            Err(e)
        }
        Err(_) => {
            worker.stop.store(true, Ordering::SeqCst);
            Err(CaptureError::CameraOpen {
                device: device_label(index),
                reason: "it did not answer within 15 s".to_string(),
            })
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn capture_thread(
    backend: &dyn CameraBackend,
    index: u32,
    resolution: Resolution,
    fps: u32,
    shared: &Shared,
    origin: Instant,
    stop: &AtomicBool,
    opened: &mpsc::SyncSender<Result<FormatInfo, CaptureError>>,
) {
    let mut cam = match backend.open(index, resolution, fps) {
        Ok(c) => c,
        Err(e) => {
            let _ = opened.send(Err(e));
            return;
        }
    };
    if opened.send(Ok(cam.format())).is_err() {
        return;
    }
    while !stop.load(Ordering::SeqCst) {
        let result = cam.read(&mut |bytes| {
            let time_s = origin.elapsed().as_secs_f64();
            let mut slot = shared.lock();
            slot.data.clear();
            slot.data.extend_from_slice(bytes);
            slot.seq += 1;
            slot.time_s = time_s;
        });
        match result {
            Ok(()) => shared.fresh.notify_all(),
            Err(reason) => {
                shared.lock().error = Some(reason);
                shared.fresh.notify_all();
                break;
            }
        }
    }
    // Dropping the camera stops the stream and closes the device.
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod backend {
    use nokhwa::Camera;
    use nokhwa::utils::{
        ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    };

    use super::{
        CameraInfo, FormatInfo, RawCamera, choose_format, classify_open_error, device_label,
    };
    use crate::capture::convert::PixelFormat;
    use crate::capture::{CaptureError, Resolution};

    const ALL_FORMATS: [FrameFormat; 6] = [
        FrameFormat::MJPEG,
        FrameFormat::YUYV,
        FrameFormat::NV12,
        FrameFormat::GRAY,
        FrameFormat::RAWRGB,
        FrameFormat::RAWBGR,
    ];

    fn init() -> Result<(), CaptureError> {
        static INIT: std::sync::Once = std::sync::Once::new();
        // On macOS this asks for camera permission; elsewhere it does nothing.
        INIT.call_once(|| nokhwa::nokhwa_initialize(|_| {}));
        if nokhwa::nokhwa_check() {
            Ok(())
        } else {
            Err(CaptureError::CameraPermission {
                device: "allow hunch (or your terminal) in System Settings > Privacy & Security > Camera".to_string(),
            })
        }
    }

    fn pixel(f: FrameFormat) -> PixelFormat {
        match f {
            FrameFormat::MJPEG => PixelFormat::Mjpeg,
            FrameFormat::YUYV => PixelFormat::Yuyv,
            FrameFormat::NV12 => PixelFormat::Nv12,
            FrameFormat::GRAY => PixelFormat::Gray,
            FrameFormat::RAWRGB => PixelFormat::Rgb,
            FrameFormat::RAWBGR => PixelFormat::Bgr,
        }
    }

    fn frame_format(f: PixelFormat) -> FrameFormat {
        match f {
            PixelFormat::Mjpeg => FrameFormat::MJPEG,
            PixelFormat::Yuyv => FrameFormat::YUYV,
            PixelFormat::Nv12 => FrameFormat::NV12,
            PixelFormat::Gray => FrameFormat::GRAY,
            PixelFormat::Rgb => FrameFormat::RAWRGB,
            PixelFormat::Bgr => FrameFormat::RAWBGR,
        }
    }

    fn info(f: &CameraFormat) -> FormatInfo {
        FormatInfo {
            format: pixel(f.format()),
            width: f.width(),
            height: f.height(),
            fps: f.frame_rate(),
        }
    }

    pub fn query() -> Result<Vec<CameraInfo>, CaptureError> {
        init()?;
        match nokhwa::query(ApiBackend::Auto) {
            Ok(list) => Ok(list
                .iter()
                .filter_map(|c| match c.index() {
                    CameraIndex::Index(i) => Some(CameraInfo {
                        index: *i,
                        name: c.human_name(),
                        description: c.description().to_string(),
                    }),
                    CameraIndex::String(_) => None,
                })
                .collect()),
            Err(e) => Err(classify_open_error("the camera list", &e.to_string())),
        }
    }

    fn open_camera(index: u32) -> Result<Camera, CaptureError> {
        init()?;
        let request = RequestedFormat::with_formats(RequestedFormatType::None, &ALL_FORMATS);
        let open = || Camera::new(CameraIndex::Index(index), request);
        let mut opened = open();
        // nokhwa cannot open a device left (by another program) in a pixel
        // format it has no name for (UYVY, GREY...) or at a fractional frame
        // rate (12.5 fps); each reset fixes what the last attempt tripped on.
        for _ in 0..3 {
            match &opened {
                Err(e)
                    if (e.to_string().contains("FrameFormat")
                        || e.to_string().contains("FrameRate"))
                        && reset_device_mode(index) =>
                {
                    opened = open();
                }
                _ => break,
            }
        }
        opened.map_err(|e| classify_open_error(&device_label(index), &e.to_string()))
    }

    /// Puts the device into a mode nokhwa can open: the first pixel format
    /// it can read (in hunch's order of preference) and a whole frame rate.
    /// True when it changed something.
    #[cfg(target_os = "linux")]
    fn reset_device_mode(index: u32) -> bool {
        use v4l::frameinterval::FrameIntervalEnum;
        use v4l::video::Capture;
        let Ok(dev) = v4l::Device::new(index as usize) else {
            return false;
        };
        let (Ok(offered), Ok(mut format)) = (dev.enum_formats(), dev.format()) else {
            return false;
        };
        let Some(fourcc) = [b"YUYV", b"MJPG", b"NV12", b"RGB3", b"BGR3"]
            .into_iter()
            .map(v4l::FourCC::new)
            .find(|f| offered.iter().any(|o| o.fourcc == *f))
        else {
            return false;
        };
        let mut changed = false;
        if format.fourcc != fourcc {
            tracing::info!(
                "camera {index} was left in {}; switching it to {fourcc}",
                format.fourcc
            );
            format.fourcc = fourcc;
            match dev.set_format(&format) {
                Ok(set) => format = set,
                Err(_) => return false,
            }
            changed = true;
        }
        let whole = |n: u32, d: u32| n == 1 && d > 0;
        if dev
            .params()
            .is_ok_and(|p| !whole(p.interval.numerator, p.interval.denominator))
        {
            // The fastest whole rate up to 30 fps, else the slowest whole one.
            let rates: Vec<u32> = dev
                .enum_frameintervals(format.fourcc, format.width, format.height)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|i| match i.interval {
                    FrameIntervalEnum::Discrete(f) if whole(f.numerator, f.denominator) => {
                        Some(f.denominator)
                    }
                    _ => None,
                })
                .collect();
            let fps = rates
                .iter()
                .copied()
                .filter(|r| *r <= 30)
                .max()
                .or_else(|| rates.iter().copied().min());
            if let Some(fps) = fps {
                tracing::info!(
                    "camera {index} was left at a fractional frame rate; asking for {fps} fps"
                );
                changed |= dev
                    .set_params(&v4l::video::capture::Parameters::with_fps(fps))
                    .is_ok();
            }
        }
        changed
    }

    #[cfg(not(target_os = "linux"))]
    fn reset_device_mode(_index: u32) -> bool {
        false
    }

    fn offered(cam: &mut Camera, index: u32) -> Result<Vec<FormatInfo>, CaptureError> {
        cam.compatible_camera_formats()
            .map(|v| v.iter().map(info).collect())
            .map_err(|e| classify_open_error(&device_label(index), &e.to_string()))
    }

    pub fn formats(index: u32) -> Result<Vec<FormatInfo>, CaptureError> {
        let mut cam = open_camera(index)?;
        offered(&mut cam, index)
    }

    /// An open, streaming camera.
    pub struct Opened {
        cam: Camera,
        format: FormatInfo,
    }

    impl RawCamera for Opened {
        fn format(&self) -> FormatInfo {
            self.format
        }

        fn read(&mut self, take: &mut dyn FnMut(&[u8])) -> Result<(), String> {
            let bytes = self.cam.frame_raw().map_err(|e| e.to_string())?;
            take(&bytes);
            Ok(())
        }
    }

    impl Drop for Opened {
        fn drop(&mut self) {
            let _ = self.cam.stop_stream();
        }
    }

    pub fn open(index: u32, want: Resolution, fps: u32) -> Result<Opened, CaptureError> {
        let device = device_label(index);
        let mut cam = open_camera(index)?;
        let offered = offered(&mut cam, index)?;
        let chosen =
            choose_format(&offered, want, fps).ok_or_else(|| CaptureError::NoUsableFormat {
                device: device.clone(),
                formats: if offered.is_empty() {
                    "none".to_string()
                } else {
                    offered
                        .iter()
                        .map(|f| f.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })?;
        if info(&cam.camera_format()) != chosen {
            // nokhwa may list a rate the driver cannot keep at that size
            // (vivid: 1280x720 at 25 fps, where it gives 12.5, which nokhwa
            // then refuses): fall back to the next offered rates.
            let mut rates: Vec<u32> = offered
                .iter()
                .filter(|f| {
                    (f.format, f.width, f.height) == (chosen.format, chosen.width, chosen.height)
                })
                .map(|f| f.fps)
                .collect();
            rates.sort_unstable_by_key(|r| (r.abs_diff(chosen.fps), std::cmp::Reverse(*r)));
            rates.dedup();
            let mut result = Ok(());
            for rate in rates {
                let wanted = CameraFormat::new_from(
                    chosen.width,
                    chosen.height,
                    frame_format(chosen.format),
                    rate,
                );
                let request =
                    RequestedFormat::with_formats(RequestedFormatType::Exact(wanted), &ALL_FORMATS);
                result = cam.set_camera_requset(request).map(|_| ());
                match &result {
                    Err(e) if e.to_string().contains("FrameRate") => {
                        tracing::info!("camera {index}: {} at {rate} fps failed: {e}", chosen);
                        drop(cam);
                        reset_device_mode(index);
                        cam = open_camera(index)?;
                    }
                    _ => break,
                }
            }
            result.map_err(|e| classify_open_error(&device, &e.to_string()))?;
        }
        cam.open_stream()
            .map_err(|e| classify_open_error(&device, &e.to_string()))?;
        let format = info(&cam.camera_format());
        Ok(Opened { cam, format })
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod backend {
    use super::{CameraInfo, FormatInfo, RawCamera};
    use crate::capture::{CaptureError, Resolution};

    pub fn query() -> Result<Vec<CameraInfo>, CaptureError> {
        Err(CaptureError::Unsupported)
    }

    pub fn formats(_index: u32) -> Result<Vec<FormatInfo>, CaptureError> {
        Err(CaptureError::Unsupported)
    }

    pub struct Opened;

    impl RawCamera for Opened {
        fn format(&self) -> FormatInfo {
            FormatInfo {
                format: crate::capture::convert::PixelFormat::Rgb,
                width: 0,
                height: 0,
                fps: 0,
            }
        }

        fn read(&mut self, _take: &mut dyn FnMut(&[u8])) -> Result<(), String> {
            Err("cameras are not supported on this platform".to_string())
        }
    }

    pub fn open(_index: u32, _want: Resolution, _fps: u32) -> Result<Opened, CaptureError> {
        Err(CaptureError::Unsupported)
    }
}

/// A camera backend for tests: two cameras of 2x1 RGB frames whose first
/// pixel carries the frame number, with switches for faults.
#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use std::sync::atomic::{AtomicU64, AtomicUsize};

    pub(crate) fn cams() -> Vec<CameraInfo> {
        vec![
            CameraInfo {
                index: 0,
                name: "Integrated Camera: Integrated C".into(),
                description: "/dev/video0".into(),
            },
            CameraInfo {
                index: 2,
                name: "Logitech BRIO".into(),
                description: "/dev/video2".into(),
            },
        ]
    }

    pub(crate) struct Fake {
        pub cams: Vec<CameraInfo>,
        pub opens: AtomicUsize,
        pub active: Arc<AtomicUsize>,
        pub fail_first_after: Option<u64>,
        pub open_error: Option<String>,
        pub period: Duration,
        pub hang_first: bool,
        /// While set, reads fail and opens find no device (an unplug).
        pub unplugged: Arc<AtomicBool>,
        /// Frames handed over by every camera opened so far.
        pub produced: Arc<AtomicU64>,
    }

    impl Fake {
        pub(crate) fn new() -> Fake {
            Fake {
                cams: cams(),
                opens: AtomicUsize::new(0),
                active: Arc::new(AtomicUsize::new(0)),
                fail_first_after: None,
                open_error: None,
                period: Duration::from_millis(2),
                hang_first: false,
                unplugged: Arc::new(AtomicBool::new(false)),
                produced: Arc::new(AtomicU64::new(0)),
            }
        }
    }

    struct FakeCam {
        n: u64,
        fail_after: Option<u64>,
        hang: bool,
        period: Duration,
        active: Arc<AtomicUsize>,
        unplugged: Arc<AtomicBool>,
        produced: Arc<AtomicU64>,
    }

    impl RawCamera for FakeCam {
        fn format(&self) -> FormatInfo {
            FormatInfo {
                format: PixelFormat::Rgb,
                width: 2,
                height: 1,
                fps: 100,
            }
        }

        fn read(&mut self, take: &mut dyn FnMut(&[u8])) -> Result<(), String> {
            std::thread::sleep(if self.hang {
                Duration::from_secs(3)
            } else {
                self.period
            });
            self.n += 1;
            if self.unplugged.load(Ordering::SeqCst) || self.fail_after.is_some_and(|f| self.n > f)
            {
                return Err("No such device (os error 19)".to_string());
            }
            // Pixel 0 carries the frame number (mod 256).
            take(&[self.n as u8, 0, 0, 0, 0, 0]);
            self.produced.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    impl Drop for FakeCam {
        fn drop(&mut self) {
            self.active.fetch_sub(1, Ordering::SeqCst);
        }
    }

    impl CameraBackend for Fake {
        fn list(&self) -> Result<Vec<CameraInfo>, CaptureError> {
            Ok(self.cams.clone())
        }

        fn open(
            &self,
            index: u32,
            _want: Resolution,
            _fps: u32,
        ) -> Result<Box<dyn RawCamera>, CaptureError> {
            let first = self.opens.fetch_add(1, Ordering::SeqCst) == 0;
            if let Some(e) = &self.open_error {
                return Err(classify_open_error(&device_label(index), e));
            }
            if self.unplugged.load(Ordering::SeqCst) {
                return Err(classify_open_error(
                    &device_label(index),
                    "Could not open device: No such file or directory (os error 2)",
                ));
            }
            self.active.fetch_add(1, Ordering::SeqCst);
            Ok(Box::new(FakeCam {
                n: 0,
                fail_after: if first { self.fail_first_after } else { None },
                hang: first && self.hang_first,
                period: self.period,
                active: Arc::clone(&self.active),
                unplugged: Arc::clone(&self.unplugged),
                produced: Arc::clone(&self.produced),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::cams;
    use super::*;

    #[test]
    fn selector_parses_indices_and_names() {
        assert_eq!(CameraSelector::parse("2"), CameraSelector::Index(2));
        assert_eq!(CameraSelector::parse(" 0 "), CameraSelector::Index(0));
        assert_eq!(
            CameraSelector::parse("brio"),
            CameraSelector::Name("brio".into())
        );
        assert_eq!(
            CameraSelector::parse("-1"),
            CameraSelector::Name("-1".into())
        );
    }

    #[test]
    fn no_device_is_one_clear_line() {
        let err = candidates(None, &[]).unwrap_err();
        assert!(matches!(err, CaptureError::NoCamera { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("hunch cameras") && msg.contains("--input FILE"),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
        let err = candidates(Some(&CameraSelector::Index(0)), &[]).unwrap_err();
        assert!(matches!(err, CaptureError::NoCamera { .. }));
    }

    #[test]
    fn bad_index_lists_the_available_cameras() {
        let err = candidates(Some(&CameraSelector::Index(1)), &cams()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CaptureError::BadCameraIndex { index: 1, .. }));
        assert!(
            msg.contains("0 (Integrated Camera: Integrated C), 2 (Logitech BRIO)"),
            "{msg}"
        );
    }

    #[test]
    fn names_match_case_insensitive_substrings() {
        let sel = CameraSelector::Name("brio".into());
        assert_eq!(candidates(Some(&sel), &cams()).unwrap(), vec![2]);
        let sel = CameraSelector::Name("CAMERA".into());
        assert_eq!(candidates(Some(&sel), &cams()).unwrap(), vec![0]);
        let sel = CameraSelector::Name("c".into());
        assert_eq!(candidates(Some(&sel), &cams()).unwrap(), vec![0, 2]);
        let sel = CameraSelector::Name("facetime".into());
        let err = candidates(Some(&sel), &cams()).unwrap_err();
        assert!(matches!(err, CaptureError::NoCameraNamed { .. }));
        assert!(err.to_string().contains("Logitech BRIO"));
        assert_eq!(candidates(None, &cams()).unwrap(), vec![0, 2]);
    }

    fn f(format: PixelFormat, width: u32, height: u32, fps: u32) -> FormatInfo {
        FormatInfo {
            format,
            width,
            height,
            fps,
        }
    }

    #[test]
    fn format_choice_prefers_resolution_then_rate_then_yuyv() {
        let offered = [
            f(PixelFormat::Mjpeg, 1920, 1080, 30),
            f(PixelFormat::Mjpeg, 640, 480, 30),
            f(PixelFormat::Yuyv, 640, 480, 30),
            f(PixelFormat::Yuyv, 640, 480, 15),
            f(PixelFormat::Yuyv, 1920, 1080, 5),
        ];
        let want = Resolution::default();
        assert_eq!(
            choose_format(&offered, want, 30),
            Some(f(PixelFormat::Yuyv, 640, 480, 30))
        );
        assert_eq!(
            choose_format(&offered, want, 15),
            Some(f(PixelFormat::Yuyv, 640, 480, 15))
        );
        let hd = Resolution {
            width: 1920,
            height: 1080,
        };
        assert_eq!(
            choose_format(&offered, hd, 30),
            Some(f(PixelFormat::Mjpeg, 1920, 1080, 30))
        );
        // Nothing exact: nearest resolution wins.
        let odd = Resolution {
            width: 800,
            height: 600,
        };
        assert_eq!(choose_format(&offered, odd, 30).map(|x| x.width), Some(640));
        assert_eq!(choose_format(&[], want, 30), None);
        assert_eq!(
            choose_format(&[f(PixelFormat::Gray, 0, 0, 0)], want, 30),
            None
        );
    }

    #[test]
    fn open_errors_are_classified() {
        let d = "/dev/video0";
        let perm = classify_open_error(
            d,
            "Could not open device 0: V4L2 Error: Permission denied (os error 13)",
        );
        assert!(matches!(perm, CaptureError::CameraPermission { .. }));
        assert!(perm.to_string().contains("video group"), "{perm}");
        assert!(perm.to_string().ends_with(d));
        let busy = classify_open_error(
            d,
            "Could not open device stream: Device or resource busy (os error 16)",
        );
        assert!(matches!(busy, CaptureError::CameraBusy { .. }));
        assert!(busy.to_string().contains("another program"));
        let gone = classify_open_error(
            d,
            "Could not open device 0: V4L2 Error: No such file or directory (os error 2)",
        );
        assert!(matches!(gone, CaptureError::NoCamera { .. }));
        assert!(gone.to_string().contains("/dev/video0"));
        let meta = classify_open_error(
            d,
            "Could not get device property CameraFormat: Failed to Fufill",
        );
        assert!(matches!(meta, CaptureError::NoUsableFormat { .. }));
        let other = classify_open_error(d, "Inappropriate ioctl for device (os error 25)");
        assert!(matches!(other, CaptureError::CameraOpen { .. }));
        for e in [perm, busy, gone, meta, other] {
            assert!(!e.to_string().contains('\n'));
        }
    }

    #[test]
    fn camera_list_shows_formats_or_says_none() {
        let mut out = Vec::new();
        write_camera_list(&mut out, &[]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("No cameras found"), "{text}");
        assert_eq!(text.lines().count(), 1);

        let listed = vec![
            (
                cams()[0].clone(),
                Ok(vec![
                    f(PixelFormat::Mjpeg, 1280, 720, 30),
                    f(PixelFormat::Yuyv, 640, 480, 30),
                    f(PixelFormat::Mjpeg, 640, 480, 30),
                ]),
            ),
            (
                cams()[1].clone(),
                Err(CaptureError::CameraBusy {
                    device: "/dev/video2".into(),
                }),
            ),
        ];
        let mut out = Vec::new();
        write_camera_list(&mut out, &listed).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("0  Integrated Camera"), "{text}");
        assert!(text.contains("YUYV: 640x480@30"), "{text}");
        assert!(text.contains("MJPEG: 1280x720@30 640x480@30"), "{text}");
        assert!(text.contains("2  Logitech BRIO"), "{text}");
        assert!(text.contains("busy"), "{text}");
    }

    #[test]
    fn this_machine_without_cameras_reports_no_camera() {
        // The build machine has no /dev/video*; where one exists this test
        // says so and checks nothing about it.
        let present = std::fs::read_dir("/dev")
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("video"))
            })
            .unwrap_or(false);
        if present || !cfg!(target_os = "linux") {
            eprintln!("SKIPPED: this machine has a camera device");
            return;
        }
        assert_eq!(list_cameras().unwrap(), vec![]);
        let err = CameraSource::open(None, Resolution::default(), 30)
            .err()
            .unwrap();
        assert!(matches!(err, CaptureError::NoCamera { .. }), "{err}");
        let err = CameraSource::open(Some(CameraSelector::Index(3)), Resolution::default(), 30)
            .err()
            .unwrap();
        assert!(matches!(err, CaptureError::NoCamera { .. }), "{err}");
    }

    use super::fake::Fake;

    fn open_fake(
        fake: Fake,
        selector: Option<CameraSelector>,
    ) -> (
        Result<CameraSource, CaptureError>,
        Arc<std::sync::atomic::AtomicUsize>,
    ) {
        let active = Arc::clone(&fake.active);
        (
            CameraSource::open_with(Arc::new(fake), selector, Resolution::default(), 30),
            active,
        )
    }

    #[test]
    fn only_the_newest_frame_is_handed_over() {
        let fake = Fake::new();
        let produced = Arc::clone(&fake.produced);
        let (src, _) = open_fake(fake, None);
        let mut src = src.unwrap();
        let a = src.next_frame(0.0).unwrap().unwrap();
        assert_eq!(
            a.image.get_pixel(0, 0).0[0],
            a.index as u8,
            "pixels belong to the frame"
        );
        // Wait until the camera has delivered two more frames (however slow
        // the machine), not for a fixed time.
        while produced.load(Ordering::SeqCst) < a.index + 2 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let b = src.next_frame(0.0).unwrap().unwrap();
        assert!(
            b.index > a.index + 1,
            "stale frames were queued: {} then {}",
            a.index,
            b.index
        );
        assert_eq!(b.image.get_pixel(0, 0).0[0], b.index as u8);
        assert!(b.time_s > a.time_s);
        assert_eq!(src.timing(), Timing::Live);
        assert!(src.clock_s().unwrap() >= b.time_s);
    }

    #[test]
    fn a_lost_camera_is_retryable_and_comes_back_on_the_same_clock() {
        let mut fake = Fake::new();
        fake.fail_first_after = Some(5);
        let (src, active) = open_fake(fake, None);
        let mut src = src.unwrap();
        let mut last_t = 0.0;
        let err = loop {
            match src.next_frame(0.0) {
                Ok(Some(f)) => last_t = f.time_s,
                Ok(None) => panic!("a camera does not end"),
                Err(e) => break e,
            }
        };
        assert!(matches!(err, CaptureError::CameraLost { .. }), "{err}");
        assert!(err.is_retryable());
        assert!(err.to_string().contains("No such device"), "{err}");
        assert!(!src.is_capturing());
        assert_eq!(
            active.load(Ordering::SeqCst),
            0,
            "the lost camera was let go"
        );
        src.resume().unwrap();
        let f = src.next_frame(0.0).unwrap().unwrap();
        assert!(f.time_s >= last_t, "the clock runs on across the gap");
    }

    #[test]
    fn no_frame_from_before_an_outage_is_handed_over_after_it() {
        let fake = Fake::new();
        let unplugged = Arc::clone(&fake.unplugged);
        let (src, _) = open_fake(fake, None);
        let mut src = src.unwrap();
        src.next_frame(0.0).unwrap().unwrap();
        // Frames arrive that nobody takes, then the camera goes.
        std::thread::sleep(Duration::from_millis(50));
        unplugged.store(true, Ordering::SeqCst);
        while src.shared.lock().error.is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let err = src.next_frame(0.0).err();
        assert!(
            matches!(err, Some(CaptureError::CameraLost { .. })),
            "{err:?}"
        );
        unplugged.store(false, Ordering::SeqCst);
        let resumed_at = src.clock_s().unwrap();
        src.resume().unwrap();
        let f = src.next_frame(0.0).unwrap().unwrap();
        assert!(
            f.time_s >= resumed_at,
            "a frame of {} s handed over after resuming at {resumed_at} s",
            f.time_s
        );
    }

    #[test]
    fn release_lets_go_of_the_device_and_next_frame_takes_it_again() {
        let (src, active) = open_fake(Fake::new(), None);
        let mut src = src.unwrap();
        assert_eq!(active.load(Ordering::SeqCst), 1);
        src.release();
        src.release();
        assert_eq!(active.load(Ordering::SeqCst), 0);
        assert!(!src.is_capturing());
        assert!(src.next_frame(0.0).unwrap().is_some());
        assert_eq!(active.load(Ordering::SeqCst), 1);
        drop(src);
        assert_eq!(
            active.load(Ordering::SeqCst),
            0,
            "dropping releases the camera"
        );
    }

    #[test]
    fn busy_and_permission_faults_at_open_are_clear() {
        let mut fake = Fake::new();
        fake.open_error =
            Some("Could not open device stream: Device or resource busy (os error 16)".into());
        let (r, _) = open_fake(fake, Some(CameraSelector::Index(2)));
        let err = r.err().unwrap();
        assert!(matches!(err, CaptureError::CameraBusy { .. }), "{err}");
        assert!(err.to_string().ends_with("/dev/video2") || !cfg!(target_os = "linux"));
        let mut fake = Fake::new();
        fake.open_error = Some("V4L2 Error: Permission denied (os error 13)".into());
        let (r, _) = open_fake(fake, None);
        assert!(matches!(
            r.err().unwrap(),
            CaptureError::CameraPermission { .. }
        ));
    }

    #[test]
    fn a_silent_camera_stalls_with_a_retryable_error() {
        let mut fake = Fake::new();
        fake.hang_first = true;
        let (src, _) = open_fake(fake, None);
        let mut src = src.unwrap();
        src.set_stall_timeout(Duration::from_millis(200));
        let err = src.next_frame(0.0).unwrap_err();
        assert!(matches!(err, CaptureError::CameraStalled { .. }), "{err}");
        assert!(err.is_retryable());
    }

    #[test]
    fn cameras_are_chosen_by_name_and_bad_indices_listed() {
        let (src, _) = open_fake(Fake::new(), Some(CameraSelector::Name("brio".into())));
        let src = src.unwrap();
        assert!(
            src.describe().contains("Logitech BRIO"),
            "{}",
            src.describe()
        );
        assert!(src.describe().starts_with("camera 2"));
        let (r, _) = open_fake(Fake::new(), Some(CameraSelector::Index(7)));
        let err = r.err().unwrap();
        assert!(
            matches!(err, CaptureError::BadCameraIndex { index: 7, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("0 (Integrated Camera"), "{err}");
    }
}
