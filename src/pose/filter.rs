//! Temporal smoothing of landmarks in video mode (never on stills).
//!
//! MediaPipe 0.10.14's `PoseLandmarkFiltering` graph, reproduced:
//!
//! - image landmarks: One Euro filter on x, y, z in pixels with min cutoff
//!   0.05, beta 80, derivative cutoff 1, the speed measured relative to the
//!   body size (`object_scale`: the side of the square spanned by the
//!   auxiliary alignment landmarks);
//! - visibility: low-pass with alpha 0.1;
//! - world landmarks: One Euro with min cutoff 0.1, beta 40, derivative
//!   cutoff 1, unscaled (metres);
//! - auxiliary landmarks (which place the next frame's crop): One Euro with
//!   min cutoff 0.01, beta 10, derivative cutoff 1, relative to body size.
//!
//! One Euro filter (Casiez et al. 2012): an exponential smoother whose
//! cutoff frequency rises with the (smoothed) speed,
//! `cutoff = min_cutoff + beta * |dx/dt * scale|`,
//! `alpha = 1 / (1 + tau / te)` with `tau = 1 / (2 pi cutoff)` and `te` the
//! time since the previous sample. Time is passed in, in seconds.

use crate::landmarks::{Landmark, NUM_LANDMARKS};

/// Exponential smoothing that remembers the last raw input.
#[derive(Clone, Copy, Debug, Default)]
pub struct LowPass {
    last_raw: Option<f64>,
    stored: f64,
}

impl LowPass {
    /// Smooths `value` with weight `alpha` for the new value; the first value passes unchanged.
    pub fn apply(&mut self, value: f64, alpha: f64) -> f64 {
        let out = if self.last_raw.is_some() {
            alpha * value + (1.0 - alpha) * self.stored
        } else {
            value
        };
        self.last_raw = Some(value);
        self.stored = out;
        out
    }
}

/// One Euro filter parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneEuroParams {
    pub min_cutoff: f64,
    pub beta: f64,
    pub derivative_cutoff: f64,
    /// Assumed sample rate before two timestamps are known (MediaPipe: 30).
    pub frequency: f64,
}

impl OneEuroParams {
    /// MediaPipe's pose landmark smoothing.
    pub const LANDMARKS: OneEuroParams = OneEuroParams {
        min_cutoff: 0.05,
        beta: 80.0,
        derivative_cutoff: 1.0,
        frequency: 30.0,
    };
    /// MediaPipe's world landmark smoothing.
    pub const WORLD: OneEuroParams = OneEuroParams {
        min_cutoff: 0.1,
        beta: 40.0,
        derivative_cutoff: 1.0,
        frequency: 30.0,
    };
    /// MediaPipe's auxiliary (crop alignment) landmark smoothing.
    pub const AUXILIARY: OneEuroParams = OneEuroParams {
        min_cutoff: 0.01,
        beta: 10.0,
        derivative_cutoff: 1.0,
        frequency: 30.0,
    };
}

/// A One Euro filter for one scalar.
#[derive(Clone, Copy, Debug)]
pub struct OneEuro {
    params: OneEuroParams,
    frequency: f64,
    last_t: Option<f64>,
    x: LowPass,
    dx: LowPass,
}

impl OneEuro {
    pub fn new(params: OneEuroParams) -> Self {
        OneEuro {
            params,
            frequency: params.frequency,
            last_t: None,
            x: LowPass::default(),
            dx: LowPass::default(),
        }
    }

    fn alpha(&self, cutoff: f64) -> f64 {
        let te = 1.0 / self.frequency;
        let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
        1.0 / (1.0 + tau / te)
    }

    /// Filters `value` taken at `t_s` seconds; `value_scale` converts its
    /// speed into the units `beta` expects (1 / body size for pixels).
    /// Timestamps that do not increase (or are not finite) pass the value through.
    pub fn apply(&mut self, t_s: f64, value_scale: f64, value: f64) -> f64 {
        if !t_s.is_finite() || !value.is_finite() {
            return value;
        }
        if let Some(last) = self.last_t {
            if t_s <= last {
                return value;
            }
            self.frequency = 1.0 / (t_s - last);
        }
        self.last_t = Some(t_s);
        let dvalue = match self.x.last_raw {
            Some(prev) => (value - prev) * value_scale * self.frequency,
            None => 0.0,
        };
        let edvalue = self
            .dx
            .apply(dvalue, self.alpha(self.params.derivative_cutoff));
        let cutoff = self.params.min_cutoff + self.params.beta * edvalue.abs();
        self.x.apply(value, self.alpha(cutoff))
    }
}

/// Filters for a set of 3-D points.
#[derive(Clone, Debug)]
struct PointFilters<const N: usize> {
    axes: [[OneEuro; 3]; N],
}

impl<const N: usize> PointFilters<N> {
    fn new(params: OneEuroParams) -> Self {
        PointFilters {
            axes: [[OneEuro::new(params); 3]; N],
        }
    }

    fn apply(&mut self, t_s: f64, scale: f64, points: &mut [[f32; 3]; N]) {
        for (p, f) in points.iter_mut().zip(self.axes.iter_mut()) {
            for (v, fa) in p.iter_mut().zip(f.iter_mut()) {
                *v = fa.apply(t_s, scale, *v as f64) as f32;
            }
        }
    }
}

/// Visibility low-pass weight (MediaPipe: 0.1).
pub const VISIBILITY_ALPHA: f64 = 0.1;

/// Below this body size (pixels) smoothing is skipped, as in MediaPipe.
const MIN_OBJECT_SCALE: f32 = 1e-6;

/// The whole smoothing state of one video stream.
#[derive(Clone, Debug)]
pub struct PoseSmoother {
    landmarks: PointFilters<NUM_LANDMARKS>,
    visibility: [LowPass; NUM_LANDMARKS],
    world: PointFilters<NUM_LANDMARKS>,
    aux: PointFilters<2>,
}

impl Default for PoseSmoother {
    fn default() -> Self {
        PoseSmoother {
            landmarks: PointFilters::new(OneEuroParams::LANDMARKS),
            visibility: [LowPass::default(); NUM_LANDMARKS],
            world: PointFilters::new(OneEuroParams::WORLD),
            aux: PointFilters::new(OneEuroParams::AUXILIARY),
        }
    }
}

impl PoseSmoother {
    /// Forgets the past (tracking lost or a new stream).
    pub fn reset(&mut self) {
        *self = PoseSmoother::default();
    }

    /// Smooths one frame in place: image landmarks (pixels), world landmarks
    /// (metres) and the two auxiliary alignment points (pixels, x/y/z).
    /// `object_scale` is the body size in pixels the speeds are relative to.
    pub fn apply(
        &mut self,
        t_s: f64,
        object_scale: f32,
        landmarks: &mut [Landmark; NUM_LANDMARKS],
        world: &mut [[f32; 3]; NUM_LANDMARKS],
        aux: &mut [[f32; 3]; 2],
    ) {
        for (lm, f) in landmarks.iter_mut().zip(self.visibility.iter_mut()) {
            lm.visibility = f.apply(lm.visibility as f64, VISIBILITY_ALPHA) as f32;
        }
        self.world.apply(t_s, 1.0, world);
        if object_scale.is_nan() || object_scale < MIN_OBJECT_SCALE {
            return;
        }
        let scale = 1.0 / object_scale as f64;
        let mut pts = [[0.0f32; 3]; NUM_LANDMARKS];
        for (p, lm) in pts.iter_mut().zip(landmarks.iter()) {
            *p = [lm.x, lm.y, lm.z];
        }
        self.landmarks.apply(t_s, scale, &mut pts);
        for (p, lm) in pts.iter().zip(landmarks.iter_mut()) {
            lm.x = p[0];
            lm.y = p[1];
            lm.z = p[2];
        }
        self.aux.apply(t_s, scale, aux);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn low_pass_passes_first_value_then_blends() {
        let mut f = LowPass::default();
        assert_eq!(f.apply(10.0, 0.1), 10.0);
        assert!((f.apply(20.0, 0.1) - 11.0).abs() < 1e-12);
    }

    #[test]
    fn one_euro_holds_a_still_point_and_damps_jitter() {
        let mut f = OneEuro::new(OneEuroParams::LANDMARKS);
        let mut out = Vec::new();
        for i in 0..60 {
            let jitter = if i % 2 == 0 { 1.0 } else { -1.0 };
            out.push(f.apply(i as f64 / 30.0, 1.0 / 200.0, 100.0 + jitter));
        }
        // After settling, the output moves far less than the +-1 px input.
        let tail = &out[30..];
        let spread = tail.iter().cloned().fold(f64::MIN, f64::max)
            - tail.iter().cloned().fold(f64::MAX, f64::min);
        assert!(spread < 1.0, "spread {spread}");
    }

    #[test]
    fn one_euro_follows_fast_motion() {
        let mut f = OneEuro::new(OneEuroParams::LANDMARKS);
        let mut last = 0.0;
        for i in 0..30 {
            // 300 px/s on a 200 px body: fast.
            last = f.apply(i as f64 / 30.0, 1.0 / 200.0, i as f64 * 10.0);
        }
        assert!((last - 290.0).abs() < 15.0, "lags too much: {last}");
    }

    #[test]
    fn repeated_or_bad_timestamps_pass_through() {
        let mut f = OneEuro::new(OneEuroParams::LANDMARKS);
        f.apply(1.0, 1.0, 5.0);
        assert_eq!(f.apply(1.0, 1.0, 7.0), 7.0);
        assert_eq!(f.apply(0.5, 1.0, 8.0), 8.0);
        assert_eq!(f.apply(f64::NAN, 1.0, 9.0), 9.0);
        assert!(f.apply(2.0, 1.0, f64::NAN).is_nan());
    }

    #[test]
    fn smoother_skips_positions_for_tiny_bodies_but_smooths_visibility() {
        let mut s = PoseSmoother::default();
        let mut lms = [Landmark::default(); NUM_LANDMARKS];
        let mut world = [[0.0; 3]; NUM_LANDMARKS];
        let mut aux = [[0.0; 3]; 2];
        lms[0].visibility = 1.0;
        s.apply(0.0, 0.0, &mut lms, &mut world, &mut aux);
        lms[0].visibility = 0.0;
        lms[0].x = 50.0;
        s.apply(0.1, 0.0, &mut lms, &mut world, &mut aux);
        assert_eq!(lms[0].x, 50.0);
        assert!((lms[0].visibility - 0.9).abs() < 1e-6);
    }

    proptest! {
        #[test]
        fn filter_output_stays_within_input_range(
            values in proptest::collection::vec(-1000f64..1000.0, 1..50),
            dt in 0.001f64..1.0,
        ) {
            let mut f = OneEuro::new(OneEuroParams::LANDMARKS);
            let lo = values.iter().cloned().fold(f64::MAX, f64::min);
            let hi = values.iter().cloned().fold(f64::MIN, f64::max);
            for (i, v) in values.iter().enumerate() {
                let out = f.apply(i as f64 * dt, 1.0 / 100.0, *v);
                prop_assert!(out >= lo - 1e-6 && out <= hi + 1e-6);
            }
        }
    }
}
