//! Anti-aliased drawing on an RGB canvas: the few shapes the overlay needs.
//!
//! imageproc draws one-pixel anti-aliased lines and hard-edged shapes, and it
//! blends only into RGBA images; the overlay needs thick lines with round caps,
//! rounded translucent cards and rings on a plain RGB buffer. Each shape here
//! is a signed distance evaluated only where it can be non-zero (per row, the
//! x range the shape can reach), so a long diagonal bone costs its own area,
//! not its bounding box's.

use image::RgbImage;

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// An axis-aligned rectangle in canvas pixels (floating point).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect {
            x,
            y,
            w: w.max(0.0),
            h: h.max(0.0),
        }
    }
    pub fn right(&self) -> f32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }
    pub fn cx(&self) -> f32 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f32 {
        self.y + self.h / 2.0
    }
    /// The rectangle shrunk by `d` on every side (never negative).
    pub fn inset(&self, d: f32) -> Rect {
        Rect::new(self.x + d, self.y + d, self.w - 2.0 * d, self.h - 2.0 * d)
    }
    /// True when the point lies inside.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }
    /// The rectangle snapped outwards-consistently to whole pixels.
    pub fn snapped(&self) -> Rect {
        let x0 = self.x.round();
        let y0 = self.y.round();
        Rect::new(
            x0,
            y0,
            self.right().round() - x0,
            self.bottom().round() - y0,
        )
    }
}

/// Mixes `c` over `dst` with coverage `a` (0..1).
#[inline]
pub fn mix(dst: Rgb, c: Rgb, a: f32) -> Rgb {
    let a = a.clamp(0.0, 1.0);
    let m = |d: u8, s: u8| (d as f32 + (s as f32 - d as f32) * a + 0.5) as u8;
    [m(dst[0], c[0]), m(dst[1], c[1]), m(dst[2], c[2])]
}

/// One horizontal tap of the bilinear scaler: two source columns and the
/// weight (0..=256) of the second.
#[derive(Clone, Copy, Debug, Default)]
struct Tap {
    i0: u32,
    i1: u32,
    w1: u32,
}

/// Scratch space for the picture scaler, kept between frames so that a
/// steady-state frame allocates nothing: the column taps and two
/// horizontally scaled source rows.
#[derive(Debug, Default)]
pub struct ScaleScratch {
    taps: Vec<Tap>,
    rows: [Vec<u8>; 2],
    /// Which source row each of `rows` holds.
    held: [Option<usize>; 2],
}

impl ScaleScratch {
    /// Scales source row `src_row` horizontally into `rows[slot]` unless it is there already.
    fn fill(&mut self, slot: usize, src_row: usize, row: &[u8]) {
        if self.held[slot] == Some(src_row) {
            return;
        }
        let out = &mut self.rows[slot];
        out.resize(self.taps.len() * 3, 0);
        for (o, t) in out.chunks_exact_mut(3).zip(self.taps.iter()) {
            let (a0, a1) = (t.i0 as usize * 3, t.i1 as usize * 3);
            let (Some(p0), Some(p1)) = (row.get(a0..a0 + 3), row.get(a1..a1 + 3)) else {
                continue;
            };
            let w0 = 256 - t.w1;
            for ch in 0..3 {
                o[ch] = ((p0[ch] as u32 * w0 + p1[ch] as u32 * t.w1 + 128) >> 8) as u8;
            }
        }
        self.held[slot] = Some(src_row);
    }
}

/// A drawing surface over an [`RgbImage`], with a clip rectangle.
pub struct Canvas<'a> {
    px: &'a mut [u8],
    w: i32,
    h: i32,
    clip: (i32, i32, i32, i32),
}

impl<'a> Canvas<'a> {
    pub fn new(img: &'a mut RgbImage) -> Canvas<'a> {
        let (w, h) = img.dimensions();
        let (w, h) = (w.min(i32::MAX as u32) as i32, h.min(i32::MAX as u32) as i32);
        let px: &mut [u8] = img;
        Canvas {
            px,
            w,
            h,
            clip: (0, 0, w, h),
        }
    }

    /// Restricts drawing to `r` (inside the canvas); `None` lifts the clip.
    pub fn set_clip(&mut self, r: Option<Rect>) {
        self.clip = match r {
            None => (0, 0, self.w, self.h),
            Some(r) => {
                let r = r.snapped();
                let x0 = (r.x as i32).clamp(0, self.w);
                let y0 = (r.y as i32).clamp(0, self.h);
                let x1 = (r.right() as i32).clamp(x0, self.w);
                let y1 = (r.bottom() as i32).clamp(y0, self.h);
                (x0, y0, x1, y1)
            }
        };
    }

    /// The pixel at (x, y), black outside the canvas.
    #[cfg(test)]
    pub fn get(&self, x: i32, y: i32) -> Rgb {
        if x < 0 || y < 0 || x >= self.w || y >= self.h {
            return [0, 0, 0];
        }
        let i = (y as usize * self.w as usize + x as usize) * 3;
        [self.px[i], self.px[i + 1], self.px[i + 2]]
    }

    #[inline]
    pub fn blend(&mut self, x: i32, y: i32, c: Rgb, a: f32) {
        let (cx0, cy0, cx1, cy1) = self.clip;
        if x < cx0 || y < cy0 || x >= cx1 || y >= cy1 || a.is_nan() || a <= 0.0 {
            return;
        }
        let i = (y as usize * self.w as usize + x as usize) * 3;
        let p = &mut self.px[i..i + 3];
        if a >= 1.0 {
            p.copy_from_slice(&c);
        } else {
            let m = mix([p[0], p[1], p[2]], c, a);
            p.copy_from_slice(&m);
        }
    }

    /// Blends a run of pixels on row `y` from `x0` (inclusive) to `x1` (exclusive).
    fn span(&mut self, y: i32, x0: i32, x1: i32, c: Rgb, a: f32) {
        let (cx0, cy0, cx1, cy1) = self.clip;
        if y < cy0 || y >= cy1 || a.is_nan() || a <= 0.0 {
            return;
        }
        let x0 = x0.max(cx0);
        let x1 = x1.min(cx1);
        if x0 >= x1 {
            return;
        }
        let row = y as usize * self.w as usize;
        let s = &mut self.px[(row + x0 as usize) * 3..(row + x1 as usize) * 3];
        if a >= 1.0 {
            for p in s.chunks_exact_mut(3) {
                p.copy_from_slice(&c);
            }
        } else {
            let k = (a.clamp(0.0, 1.0) * 256.0) as u32;
            let inv = 256 - k;
            for p in s.chunks_exact_mut(3) {
                for j in 0..3 {
                    p[j] = ((p[j] as u32 * inv + c[j] as u32 * k + 128) >> 8) as u8;
                }
            }
        }
    }

    /// Fills the whole canvas (ignoring the clip).
    pub fn clear(&mut self, c: Rgb) {
        let row = self.w as usize * 3;
        if row == 0 || self.px.is_empty() {
            return;
        }
        let (first, rest) = self.px.split_at_mut(row);
        for p in first.chunks_exact_mut(3) {
            p.copy_from_slice(&c);
        }
        for r in rest.chunks_exact_mut(row) {
            r.copy_from_slice(first);
        }
    }

    /// Fills a rectangle snapped to whole pixels.
    pub fn fill_rect(&mut self, r: Rect, c: Rgb, a: f32) {
        if !finite_rect(&r) {
            return;
        }
        let r = r.snapped();
        let y0 = r.y as i32;
        let y1 = r.bottom() as i32;
        let x0 = r.x as i32;
        let x1 = r.right() as i32;
        for y in y0.max(self.clip.1)..y1.min(self.clip.3) {
            self.span(y, x0, x1, c, a);
        }
    }

    /// Fills a rectangle with rounded corners of radius `radius`, anti-aliased.
    pub fn round_rect(&mut self, r: Rect, radius: f32, c: Rgb, a: f32) {
        if !finite_rect(&r) || !radius.is_finite() || r.w <= 0.0 || r.h <= 0.0 {
            return;
        }
        let rad = radius.clamp(0.0, r.w.min(r.h) / 2.0);
        let hw = r.w / 2.0;
        let hh = r.h / 2.0;
        let (mx, my) = (r.cx(), r.cy());
        let y0 = (r.y.floor() as i32).max(self.clip.1);
        let y1 = (r.bottom().ceil() as i32).min(self.clip.3);
        let x0 = r.x.floor() as i32;
        let x1 = r.right().ceil() as i32;
        // Between these columns the distance to the edge depends on y alone.
        let inner0 = ((r.x + rad).ceil() as i32 + 1).min(x1);
        let inner1 = ((r.right() - rad).floor() as i32 - 1).max(inner0);
        for y in y0..y1 {
            let py = y as f32 + 0.5;
            let cov_v = (hh - (py - my).abs() + 0.5).clamp(0.0, 1.0);
            if cov_v > 0.0 {
                self.span(y, inner0, inner1, c, a * cov_v);
            }
            for x in (x0..inner0).chain(inner1..x1) {
                let d = sd_round_rect(x as f32 + 0.5, py, mx, my, hw, hh, rad);
                let cov = (0.5 - d).clamp(0.0, 1.0);
                if cov > 0.0 {
                    self.blend(x, y, c, a * cov);
                }
            }
        }
    }

    /// A line from `p0` to `p1`, `width` pixels thick, with round caps.
    pub fn line(&mut self, p0: (f32, f32), p1: (f32, f32), width: f32, c: Rgb, a: f32) {
        let r = width / 2.0;
        if ![p0.0, p0.1, p1.0, p1.1, r].iter().all(|v| v.is_finite()) || r <= 0.0 {
            return;
        }
        // Refuse absurd geometry (a landmark a million pixels away).
        let lim = 4.0 * (self.w.max(self.h) as f32 + r);
        if [p0.0, p0.1, p1.0, p1.1].iter().any(|v| v.abs() > lim) {
            return;
        }
        let (dx, dy) = (p1.0 - p0.0, p1.1 - p0.1);
        let len2 = dx * dx + dy * dy;
        let ymin = ((p0.1.min(p1.1) - r - 1.0).floor() as i32).max(self.clip.1);
        let ymax = ((p0.1.max(p1.1) + r + 1.0).ceil() as i32).min(self.clip.3);
        for y in ymin..ymax {
            let py = y as f32 + 0.5;
            // The part of the segment within r+1 rows of this one bounds the x range.
            let (t0, t1) = if dy.abs() < 1e-6 {
                (0.0, 1.0)
            } else {
                let ta = (py - r - 1.0 - p0.1) / dy;
                let tb = (py + r + 1.0 - p0.1) / dy;
                (ta.min(tb).clamp(0.0, 1.0), ta.max(tb).clamp(0.0, 1.0))
            };
            let xa = p0.0 + dx * t0;
            let xb = p0.0 + dx * t1;
            let xlo = ((xa.min(xb) - r - 1.0).floor() as i32).max(self.clip.0);
            let xhi = ((xa.max(xb) + r + 1.0).ceil() as i32).min(self.clip.2);
            for x in xlo..xhi {
                let px = x as f32 + 0.5;
                let t = if len2 > 0.0 {
                    (((px - p0.0) * dx + (py - p0.1) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (ex, ey) = (px - (p0.0 + dx * t), py - (p0.1 + dy * t));
                let d = (ex * ex + ey * ey).sqrt();
                let cov = (r + 0.5 - d).clamp(0.0, 1.0);
                if cov > 0.0 {
                    self.blend(x, y, c, a * cov);
                }
            }
        }
    }

    /// A filled disc.
    pub fn disc(&mut self, centre: (f32, f32), radius: f32, c: Rgb, a: f32) {
        self.line(centre, centre, radius * 2.0, c, a);
    }

    /// The part of the disc (`centre`, `r`) outside the disc (`cut`, `cut_r`).
    pub fn crescent(
        &mut self,
        centre: (f32, f32),
        r: f32,
        cut: (f32, f32),
        cut_r: f32,
        c: Rgb,
        a: f32,
    ) {
        if ![centre.0, centre.1, r, cut.0, cut.1, cut_r]
            .iter()
            .all(|v| v.is_finite())
            || r <= 0.0
        {
            return;
        }
        let y0 = ((centre.1 - r - 1.0).floor() as i32).max(self.clip.1);
        let y1 = ((centre.1 + r + 1.0).ceil() as i32).min(self.clip.3);
        let x0 = ((centre.0 - r - 1.0).floor() as i32).max(self.clip.0);
        let x1 = ((centre.0 + r + 1.0).ceil() as i32).min(self.clip.2);
        for y in y0..y1 {
            for x in x0..x1 {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let d = ((px - centre.0).powi(2) + (py - centre.1).powi(2)).sqrt();
                let dc = ((px - cut.0).powi(2) + (py - cut.1).powi(2)).sqrt();
                let cov = (r + 0.5 - d).clamp(0.0, 1.0) * (dc - cut_r + 0.5).clamp(0.0, 1.0);
                if cov > 0.0 {
                    self.blend(x, y, c, a * cov);
                }
            }
        }
    }

    /// A full ring, or an arc of it from twelve o'clock clockwise over `frac`
    /// (0..1) of the circle; outer radius `r`, `thickness` wide.
    pub fn ring(&mut self, centre: (f32, f32), r: f32, thickness: f32, frac: f32, c: Rgb, a: f32) {
        self.arc(centre, r, thickness, 0.0, frac, c, a);
    }

    /// An arc of a ring from `from` to `from + sweep`, both in turns clockwise
    /// from twelve o'clock (0.25 is three o'clock).
    #[allow(clippy::too_many_arguments)]
    pub fn arc(
        &mut self,
        centre: (f32, f32),
        r: f32,
        thickness: f32,
        from: f32,
        sweep: f32,
        c: Rgb,
        a: f32,
    ) {
        if ![centre.0, centre.1, r, thickness, from, sweep]
            .iter()
            .all(|v| v.is_finite())
            || r <= 0.0
        {
            return;
        }
        let sweep = sweep.clamp(0.0, 1.0);
        if sweep <= 0.0 {
            return;
        }
        let from = from.rem_euclid(1.0);
        let mid = r - thickness / 2.0;
        let half = thickness / 2.0;
        let y0 = ((centre.1 - r - 1.0).floor() as i32).max(self.clip.1);
        let y1 = ((centre.1 + r + 1.0).ceil() as i32).min(self.clip.3);
        let x0 = ((centre.0 - r - 1.0).floor() as i32).max(self.clip.0);
        let x1 = ((centre.0 + r + 1.0).ceil() as i32).min(self.clip.2);
        let tau = std::f32::consts::TAU;
        for y in y0..y1 {
            for x in x0..x1 {
                let (ex, ey) = (x as f32 + 0.5 - centre.0, y as f32 + 0.5 - centre.1);
                let d = (ex * ex + ey * ey).sqrt();
                let cov = (half + 0.5 - (d - mid).abs()).clamp(0.0, 1.0);
                if cov <= 0.0 {
                    continue;
                }
                if sweep < 1.0 {
                    // Turns from twelve o'clock, clockwise, 0..1, relative to `from`.
                    let t = (ex.atan2(-ey) / tau - from).rem_euclid(1.0);
                    if t > sweep {
                        continue;
                    }
                }
                self.blend(x, y, c, a * cov);
            }
        }
    }

    /// A dashed line: `dash` pixels drawn, `gap` pixels left out, repeating.
    #[allow(clippy::too_many_arguments)]
    pub fn dashed_line(
        &mut self,
        p0: (f32, f32),
        p1: (f32, f32),
        width: f32,
        dash: f32,
        gap: f32,
        c: Rgb,
        a: f32,
    ) {
        let (dx, dy) = (p1.0 - p0.0, p1.1 - p0.1);
        let len = (dx * dx + dy * dy).sqrt();
        if !len.is_finite()
            || len <= 0.0
            || dash.is_nan()
            || dash <= 0.5
            || gap.is_nan()
            || gap < 0.0
        {
            return;
        }
        let (ux, uy) = (dx / len, dy / len);
        let mut t = 0.0;
        // Bounded: a dash every (dash + gap) pixels of a line already clipped to sane sizes.
        let max_dashes = 4096;
        for _ in 0..max_dashes {
            if t >= len {
                break;
            }
            let e = (t + dash).min(len);
            self.line(
                (p0.0 + ux * t, p0.1 + uy * t),
                (p0.0 + ux * e, p0.1 + uy * e),
                width,
                c,
                a,
            );
            t += dash + gap;
        }
    }

    /// Draws `src` scaled (bilinear) into `dst`, optionally mirrored left to
    /// right, multiplied by `bright` (0..1) and desaturated by `grey` (0..1).
    ///
    /// Separable: each source row is scaled horizontally once into `scratch`
    /// and each output row blends two of those, so upscaling costs about two
    /// multiplications per channel per output pixel.
    pub fn blit_scaled(
        &mut self,
        src: &RgbImage,
        dst: Rect,
        mirror: bool,
        bright: f32,
        grey: f32,
        scratch: &mut ScaleScratch,
    ) {
        let (sw, sh) = src.dimensions();
        if sw == 0 || sh == 0 || !finite_rect(&dst) {
            return;
        }
        let d = dst.snapped();
        let (dx0, dy0) = (d.x as i32, d.y as i32);
        let (dw, dh) = (d.w as i32, d.h as i32);
        if dw <= 0 || dh <= 0 {
            return;
        }
        // Only the columns inside the clip are computed.
        let cx0 = dx0.max(self.clip.0);
        let cx1 = (dx0 + dw).min(self.clip.2);
        if cx0 >= cx1 {
            return;
        }
        scratch.taps.clear();
        scratch.held = [None, None];
        let fx = sw as f32 / dw as f32;
        for x in cx0..cx1 {
            let i = x - dx0;
            let col = if mirror { dw - 1 - i } else { i };
            let s = ((col as f32 + 0.5) * fx - 0.5).clamp(0.0, (sw - 1) as f32);
            let i0 = s.floor() as u32;
            let i1 = (i0 + 1).min(sw - 1);
            let w1 = ((s - i0 as f32) * 256.0) as u32;
            scratch.taps.push(Tap { i0, i1, w1 });
        }
        let bright_k = (bright.clamp(0.0, 1.0) * 256.0) as u32;
        let grey_k = (grey.clamp(0.0, 1.0) * 256.0) as u32;
        let fy = sh as f32 / dh as f32;
        let srcpx: &[u8] = src.as_raw();
        let stride = sw as usize * 3;
        for j in 0..dh {
            let y = dy0 + j;
            if y < self.clip.1 || y >= self.clip.3 {
                continue;
            }
            let s = ((j as f32 + 0.5) * fy - 0.5).clamp(0.0, (sh - 1) as f32);
            let r0 = s.floor() as usize;
            let r1 = (r0 + 1).min(sh as usize - 1);
            let wy1 = ((s - r0 as f32) * 256.0) as u32;
            let wy0 = 256 - wy1;
            // Reuse the rows already scaled: going down, the old second row is the new first.
            if scratch.held[1] == Some(r0) {
                scratch.rows.swap(0, 1);
                scratch.held.swap(0, 1);
            }
            scratch.fill(0, r0, &srcpx[r0 * stride..(r0 + 1) * stride]);
            scratch.fill(1, r1, &srcpx[r1 * stride..(r1 + 1) * stride]);
            let row = y as usize * self.w as usize;
            let out = &mut self.px[(row + cx0 as usize) * 3..(row + cx1 as usize) * 3];
            let (h0, h1) = (&scratch.rows[0], &scratch.rows[1]);
            if wy1 == 0 {
                out.copy_from_slice(h0);
            } else {
                // 16-bit lanes: 255 * 256 + 128 still fits.
                let (w0, w1) = (wy0 as u16, wy1 as u16);
                for ((o, a), b) in out.iter_mut().zip(h0.iter()).zip(h1.iter()) {
                    *o = ((*a as u16 * w0 + *b as u16 * w1 + 128) >> 8) as u8;
                }
            }
            if grey_k > 0 {
                for p in out.chunks_exact_mut(3) {
                    let l = (p[0] as u32 * 77 + p[1] as u32 * 150 + p[2] as u32 * 29) >> 8;
                    for c in p.iter_mut() {
                        *c = ((*c as u32 * (256 - grey_k) + l * grey_k) >> 8) as u8;
                    }
                }
            }
            if bright_k < 256 {
                let k = bright_k as u16;
                for o in out.iter_mut() {
                    *o = ((*o as u16 * k) >> 8) as u8;
                }
            }
        }
    }

    /// Blends an 8-bit coverage mask (`w` wide) at (x, y) in colour `c`.
    pub fn mask(&mut self, x: i32, y: i32, w: u32, cov: &[u8], c: Rgb, a: f32) {
        if w == 0 {
            return;
        }
        for (j, row) in cov.chunks_exact(w as usize).enumerate() {
            let yy = y + j as i32;
            if yy < self.clip.1 || yy >= self.clip.3 {
                continue;
            }
            for (i, &m) in row.iter().enumerate() {
                if m > 0 {
                    self.blend(x + i as i32, yy, c, a * m as f32 / 255.0);
                }
            }
        }
    }
}

fn finite_rect(r: &Rect) -> bool {
    r.x.is_finite() && r.y.is_finite() && r.w.is_finite() && r.h.is_finite()
}

/// Signed distance from (px, py) to a rounded rectangle centred at (mx, my)
/// with half sizes (hw, hh) and corner radius `r` (negative inside).
#[inline]
fn sd_round_rect(px: f32, py: f32, mx: f32, my: f32, hw: f32, hh: f32, r: f32) -> f32 {
    let qx = (px - mx).abs() - (hw - r);
    let qy = (py - my).abs() - (hh - r);
    let ox = qx.max(0.0);
    let oy = qy.max(0.0);
    (ox * ox + oy * oy).sqrt() + qx.max(qy).min(0.0) - r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(w: u32, h: u32) -> RgbImage {
        RgbImage::from_pixel(w, h, image::Rgb([0, 0, 0]))
    }

    #[test]
    fn thick_line_covers_its_axis_and_not_far_away() {
        let mut im = img(100, 100);
        let mut c = Canvas::new(&mut im);
        c.line((10.0, 10.0), (90.0, 90.0), 6.0, [255, 0, 0], 1.0);
        assert_eq!(c.get(50, 50), [255, 0, 0]);
        assert_eq!(c.get(20, 20), [255, 0, 0]);
        assert_eq!(c.get(50, 60), [0, 0, 0]);
        assert_eq!(c.get(95, 95), [0, 0, 0]);
    }

    #[test]
    fn line_edges_are_anti_aliased() {
        let mut im = img(40, 40);
        let mut c = Canvas::new(&mut im);
        c.line((5.0, 20.3), (35.0, 20.3), 3.0, [200, 200, 200], 1.0);
        let partial = (0..40).any(|y| {
            let v = c.get(20, y)[0];
            v > 0 && v < 200
        });
        assert!(partial, "no partially covered pixel across the line");
    }

    #[test]
    fn degenerate_and_non_finite_shapes_draw_nothing_and_do_not_panic() {
        let mut im = img(20, 20);
        let mut c = Canvas::new(&mut im);
        c.line((f32::NAN, 1.0), (5.0, 5.0), 3.0, [255; 3], 1.0);
        c.line((1e30, 1.0), (5.0, 5.0), 3.0, [255; 3], 1.0);
        c.line((1.0, 1.0), (5.0, 5.0), f32::INFINITY, [255; 3], 1.0);
        c.round_rect(Rect::new(0.0, 0.0, f32::NAN, 3.0), 2.0, [255; 3], 1.0);
        c.ring((10.0, 10.0), -3.0, 1.0, 0.5, [255; 3], 1.0);
        c.fill_rect(Rect::new(-100.0, -100.0, 50.0, 50.0), [255; 3], 1.0);
        assert!(im.pixels().all(|p| p.0 == [0, 0, 0]));
    }

    #[test]
    fn round_rect_fills_inside_and_rounds_corners() {
        let mut im = img(60, 40);
        let mut c = Canvas::new(&mut im);
        c.round_rect(Rect::new(10.0, 10.0, 40.0, 20.0), 8.0, [0, 255, 0], 1.0);
        assert_eq!(c.get(30, 20), [0, 255, 0]);
        assert_eq!(c.get(11, 20), [0, 255, 0]);
        assert_eq!(c.get(10, 10), [0, 0, 0], "corner should be cut");
        assert_eq!(c.get(5, 20), [0, 0, 0]);
    }

    #[test]
    fn clip_limits_drawing() {
        let mut im = img(20, 20);
        let mut c = Canvas::new(&mut im);
        c.set_clip(Some(Rect::new(0.0, 0.0, 10.0, 20.0)));
        c.fill_rect(Rect::new(0.0, 0.0, 20.0, 20.0), [9, 9, 9], 1.0);
        assert_eq!(c.get(5, 5), [9, 9, 9]);
        assert_eq!(c.get(15, 5), [0, 0, 0]);
    }

    #[test]
    fn blit_scales_and_mirrors() {
        let src = RgbImage::from_fn(4, 2, |x, _| {
            if x < 2 {
                image::Rgb([255, 0, 0])
            } else {
                image::Rgb([0, 0, 255])
            }
        });
        let mut im = img(8, 4);
        let mut taps = ScaleScratch::default();
        let mut c = Canvas::new(&mut im);
        c.blit_scaled(
            &src,
            Rect::new(0.0, 0.0, 8.0, 4.0),
            false,
            1.0,
            0.0,
            &mut taps,
        );
        assert_eq!(c.get(0, 0), [255, 0, 0]);
        assert_eq!(c.get(7, 3), [0, 0, 255]);
        c.blit_scaled(
            &src,
            Rect::new(0.0, 0.0, 8.0, 4.0),
            true,
            1.0,
            0.0,
            &mut taps,
        );
        assert_eq!(c.get(0, 0), [0, 0, 255]);
        assert_eq!(c.get(7, 3), [255, 0, 0]);
    }

    #[test]
    fn arc_from_three_to_six_o_clock() {
        let mut im = img(41, 41);
        let mut c = Canvas::new(&mut im);
        c.arc((20.5, 20.5), 18.0, 4.0, 0.25, 0.25, [255; 3], 1.0);
        assert_eq!(c.get(31, 31)[0], 255, "between 3 and 6 o'clock");
        assert_eq!(c.get(9, 9)[0], 0, "between 9 and 12 o'clock");
        assert_eq!(c.get(31, 7)[0], 0, "between 12 and 3 o'clock");
    }

    #[test]
    fn dashed_line_has_gaps() {
        let mut im = img(60, 10);
        let mut c = Canvas::new(&mut im);
        c.dashed_line((0.0, 5.0), (60.0, 5.0), 2.0, 6.0, 6.0, [255; 3], 1.0);
        let row: Vec<u8> = (0..60).map(|x| c.get(x, 5)[0]).collect();
        assert_eq!(row[3], 255);
        assert_eq!(row[9], 0);
        assert_eq!(row[15], 255);
    }

    #[test]
    fn ring_arc_covers_only_its_sweep() {
        let mut im = img(41, 41);
        let mut c = Canvas::new(&mut im);
        c.ring((20.5, 20.5), 18.0, 4.0, 0.25, [255; 3], 1.0);
        // Three o'clock is at the end of a quarter sweep; twelve to three is covered.
        assert_eq!(c.get(31, 7)[0], 255, "between 12 and 3 o'clock");
        assert_eq!(
            c.get(20, 36)[0],
            0,
            "six o'clock is outside a quarter sweep"
        );
    }
}
