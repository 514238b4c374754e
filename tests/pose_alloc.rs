//! The steady state allocates nothing frame-sized: after warm-up, a frame
//! through the pose pipeline (still or video mode) makes no heap allocation
//! of 16 KiB or more on the Rust side (model inputs and outputs are reused;
//! ONNX Runtime keeps its own arena).
//!
//! On a real person (`pose/pose.jpg` from ../shared/data) every frame must
//! find the pose, and video mode must take the tracking path (the previous
//! frame's region, no detector run) after the first frame, so the steady
//! state measured is the one a webcam session lives in. Without the data only
//! the detector-and-whole-frame path on a plain frame is checked, and the
//! test says it skipped the rest.

// Test code, where a failed unwrap is a failed test: the no-unwrap rule
// (Cargo.toml [lints]) is for the program.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use hunch::pose::{Mode, PoseConfig, PoseEstimator, RegionSource};
use image::{Rgb, RgbImage};

struct Counting;

static LARGE: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
const LARGE_BYTES: usize = 16 * 1024;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

fn note(size: usize) {
    if size >= LARGE_BYTES {
        LARGE.fetch_add(1, Ordering::Relaxed);
        LARGEST.fetch_max(size, Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// A frame with a person when the shared data is there (`true`), else a
/// plain one (which still runs the detector and the whole-frame fallback
/// every time).
fn frame() -> (RgbImage, bool) {
    match hunch::testdata::shared_data_or_skip("pose_alloc on a real person (tracking path)") {
        Some(d) => (
            hunch::frame::load_image(&d.join("pose/pose.jpg")).expect("pose/pose.jpg loads"),
            true,
        ),
        None => (RgbImage::from_pixel(640, 480, Rgb([90, 120, 150])), false),
    }
}

#[test]
fn steady_state_makes_no_frame_sized_allocations() {
    let (img, person) = frame();
    let mut est = PoseEstimator::new(&PoseConfig::default()).expect("pose estimator starts");
    for (name, video) in [("still", false), ("video", true)] {
        let mode = |i: usize| {
            if video {
                Mode::Video {
                    t_s: i as f64 / 30.0,
                }
            } else {
                Mode::Still
            }
        };
        for i in 0..3 {
            est.estimate(&img, mode(i)).unwrap();
        }
        LARGE.store(0, Ordering::Relaxed);
        LARGEST.store(0, Ordering::Relaxed);
        for i in 3..13 {
            let found = est.estimate(&img, mode(i)).unwrap().is_some();
            if person {
                assert!(found, "{name} mode lost the person in frame {i}");
                if video {
                    assert_eq!(
                        est.last_timings().detector_runs,
                        0,
                        "video frame {i} ran the detector instead of tracking"
                    );
                    assert!(
                        matches!(est.last_region(), Some((_, RegionSource::Tracking))),
                        "video frame {i} did not come from tracking: {:?}",
                        est.last_region().map(|r| r.1)
                    );
                }
            }
        }
        assert_eq!(
            LARGE.load(Ordering::Relaxed),
            0,
            "{name} mode allocated {} buffers of >= 16 KiB over 10 frames (largest {} bytes)",
            LARGE.load(Ordering::Relaxed),
            LARGEST.load(Ordering::Relaxed)
        );
    }
}
