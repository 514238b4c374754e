//! hunch: a posture monitor for people who work at a computer.
//!
//! The whole flow, one module per stage:
//!
//! ```text
//! capture ──frame──▶ pose ──landmarks──▶ posture ──state, events──▶ render/window, prompts
//!  (camera,          (BlazePose           (metrics vs the user's       (overlay, stretch coach)
//!   video, images)    detector +           calibrated baseline,                 │
//!                     landmark model)      state machine with time)             ▼
//!                                                                            history ─▶ report
//! ```
//!
//! Hardware lives only at the edges, behind small types: the camera and
//! video decoder in [`capture`], ONNX Runtime in [`runtime`] and the pose
//! stage's session wrapper, the window in `window`. Everything between is
//! pure and is driven by data and by timestamps passed in, never read inside.
//!
//! - [`session`]: the live session, pure: state, prompts (card, coach,
//!   summary), runs of stretches, calibration and keys, driven by inputs
//!   (frame, key, camera, command) and answering with [`events::Event`]s.
//! - [`driver`]: the one live loop (pacing, keys, window, camera recovery)
//!   that feeds the session and hands its events to every [`events::Sink`];
//!   [`monitor`] turns the flags into settings and picks the sinks.
//! - [`keys`]: the one key map (window, footer, help card, prompt cards).
//! - [`cli`]: the flags; [`config`] layers the config file and environment under them;
//!   [`settings`] turns them into each stage's typed settings, once.
//! - [`schedule`]: how often to run inference (the main lever on CPU use).
//! - Outputs ([`events::Sink`]s): [`events`] (JSON lines), [`hooks`] (user commands),
//!   [`notify`] (desktop notifications), [`shutdown`] (Ctrl-C), [`status`]
//!   (the one-line terminal status).
//! - [`cpubench`]: `hunch bench cpu`, CPU and memory of the whole monitor.
//! - [`frame`]: the picture type and still loading (EXIF orientation applied first).
//! - [`landmarks`]: the 33-point pose that flows from `pose` to every later stage.
//! - [`models`] and [`runtime`]: finding and checking the ONNX models and ONNX Runtime.
//! - [`stretches`]: the stretch library and which stretch to suggest.
//! - [`coach`]: follows a stretch through the pose stream and checks it was done.
//! - [`history`]: the local session history (SQLite) and the live loop's recorder.
//! - [`report`]: `hunch report`'s summary, text, chart and CSV from the history.
//! - [`output`]: files written for the user: never over hunch's own files or
//!   an input, always atomically; `-` is standard output.
//! - [`app`]: dispatches each command to its stage.

pub mod analyze;
pub mod app;
pub mod calibrate;
pub mod capture;
pub mod cli;
pub mod coach;
pub mod config;
pub mod cpubench;
pub mod desktop;
pub mod driver;
pub mod events;
pub mod frame;
pub mod history;
pub mod hooks;
pub mod keys;
pub mod landmarks;
pub mod models;
pub mod monitor;
pub mod notify;
pub mod output;
pub mod paths;
pub mod pose;
pub mod posture;
pub mod render;
pub mod report;
pub mod routine;
pub mod runtime;
pub mod schedule;
pub mod session;
pub mod settings;
pub mod shutdown;
pub mod status;
pub mod stretches;
#[cfg(any(test, feature = "testkit"))]
#[doc(hidden)]
pub mod testdata;
pub mod window;
