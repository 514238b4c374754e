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
//! - [`cli`]: the flags; `config` layers the config file and environment under them.
//! - [`frame`]: the picture type and still loading (EXIF orientation applied first).
//! - [`landmarks`]: the 33-point pose that flows from `pose` to every later stage.
//! - [`models`] and [`runtime`]: finding and checking the ONNX models and ONNX Runtime.
//! - [`app`]: dispatches each command to its stage.

pub mod app;
pub mod cli;
pub mod frame;
pub mod landmarks;
pub mod models;
pub mod paths;
pub mod pose;
pub mod posture;
pub mod runtime;
#[doc(hidden)]
pub mod testdata;
