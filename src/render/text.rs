//! Text with the embedded DejaVu Sans faces, through ab_glyph.
//!
//! Glyphs are rasterised once per (face, size, quarter-pixel offset) and kept
//! as coverage masks, so a steady-state frame draws text without outlining or
//! allocating anything.

use std::collections::HashMap;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};

use super::RenderError;
use super::raster::{Canvas, Rgb};

static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Beyond this many cached glyphs the cache starts over (a long run of
/// window resizes would otherwise keep every size ever used).
const CACHE_LIMIT: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct GlyphKey {
    bold: bool,
    /// Size in half pixels.
    size_q: u16,
    id: u16,
    /// Horizontal offset in quarter pixels (0..4).
    sub: u8,
}

#[derive(Debug)]
struct GlyphMask {
    left: i32,
    top: i32,
    w: u32,
    cov: Vec<u8>,
}

/// How a run of text looks.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    pub color: Rgb,
}

impl Style {
    pub fn new(size: f32, bold: bool, color: Rgb) -> Style {
        Style { size, bold, color }
    }
}

/// The two faces and the glyph cache.
pub struct Text {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    cache: HashMap<GlyphKey, Option<GlyphMask>>,
}

impl Text {
    pub fn new() -> Result<Text, RenderError> {
        let regular = FontRef::try_from_slice(REGULAR_TTF).map_err(|_| RenderError::Font)?;
        let bold = FontRef::try_from_slice(BOLD_TTF).map_err(|_| RenderError::Font)?;
        Ok(Text {
            regular,
            bold,
            cache: HashMap::new(),
        })
    }

    fn face(&self, bold: bool) -> &FontRef<'static> {
        if bold { &self.bold } else { &self.regular }
    }

    fn quantise(size: f32) -> f32 {
        if size.is_finite() {
            (size.clamp(4.0, 400.0) * 2.0).round() / 2.0
        } else {
            12.0
        }
    }

    /// Distance from the top of a line to its baseline.
    pub fn ascent(&self, size: f32, bold: bool) -> f32 {
        self.face(bold)
            .as_scaled(PxScale::from(Self::quantise(size)))
            .ascent()
    }

    /// Height of one line (ascent + descent, no extra gap).
    pub fn line_height(&self, size: f32, bold: bool) -> f32 {
        let f = self
            .face(bold)
            .as_scaled(PxScale::from(Self::quantise(size)));
        f.ascent() - f.descent()
    }

    /// Width of `text` in pixels.
    pub fn measure(&self, text: &str, size: f32, bold: bool) -> f32 {
        let f = self
            .face(bold)
            .as_scaled(PxScale::from(Self::quantise(size)));
        let mut w = 0.0;
        let mut prev: Option<GlyphId> = None;
        for ch in text.chars() {
            let id = f.glyph_id(ch);
            if let Some(p) = prev {
                w += f.kern(p, id);
            }
            w += f.h_advance(id);
            prev = Some(id);
        }
        w
    }

    /// Draws `text` with its line top at `y`, starting at `x`; returns the width.
    pub fn draw(&mut self, canvas: &mut Canvas, x: f32, y: f32, text: &str, style: Style) -> f32 {
        self.draw_alpha(canvas, x, y, text, style, 1.0)
    }

    /// As [`Text::draw`], with an overall opacity.
    pub fn draw_alpha(
        &mut self,
        canvas: &mut Canvas,
        x: f32,
        y: f32,
        text: &str,
        style: Style,
        alpha: f32,
    ) -> f32 {
        if !x.is_finite() || !y.is_finite() {
            return 0.0;
        }
        if self.cache.len() > CACHE_LIMIT {
            self.cache.clear();
        }
        let size = Self::quantise(style.size);
        let size_q = (size * 2.0) as u16;
        let face = if style.bold {
            &self.bold
        } else {
            &self.regular
        };
        let scaled = face.as_scaled(PxScale::from(size));
        let baseline = (y + scaled.ascent()).round() as i32;
        let mut pen = x;
        let mut prev: Option<GlyphId> = None;
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            let whole = pen.floor();
            let sub = ((pen - whole) * 4.0).floor().clamp(0.0, 3.0) as u8;
            let key = GlyphKey {
                bold: style.bold,
                size_q,
                id: id.0,
                sub,
            };
            let mask = self.cache.entry(key).or_insert_with(|| {
                let mut g = id.with_scale(PxScale::from(size));
                g.position = point(sub as f32 / 4.0, 0.0);
                face.outline_glyph(g).map(|og| {
                    let b = og.px_bounds();
                    let w = b.width().max(0.0) as u32;
                    let h = b.height().max(0.0) as u32;
                    let mut cov = vec![0u8; (w * h) as usize];
                    og.draw(|gx, gy, c| {
                        if let Some(p) = cov.get_mut((gy * w + gx) as usize) {
                            *p = (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
                        }
                    });
                    GlyphMask {
                        left: b.min.x as i32,
                        top: b.min.y as i32,
                        w,
                        cov,
                    }
                })
            });
            if let Some(m) = mask {
                canvas.mask(
                    whole as i32 + m.left,
                    baseline + m.top,
                    m.w,
                    &m.cov,
                    style.color,
                    alpha,
                );
            }
            pen += scaled.h_advance(id);
            prev = Some(id);
        }
        pen - x
    }

    /// Breaks `text` into lines no wider than `max_w` at spaces (a single word
    /// wider than that gets a line of its own).
    pub fn wrap(&self, text: &str, size: f32, bold: bool, max_w: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut cur = String::new();
        for word in text.split_whitespace() {
            if cur.is_empty() {
                cur.push_str(word);
                continue;
            }
            let candidate_w = self.measure(&cur, size, bold)
                + self.measure(" ", size, bold)
                + self.measure(word, size, bold);
            if candidate_w <= max_w {
                cur.push(' ');
                cur.push_str(word);
            } else {
                lines.push(std::mem::take(&mut cur));
                cur.push_str(word);
            }
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        lines
    }

    /// `text` cut with an ellipsis so that it fits in `max_w`.
    pub fn fit(&self, text: &str, size: f32, bold: bool, max_w: f32) -> String {
        if self.measure(text, size, bold) <= max_w {
            return text.to_string();
        }
        let mut s: String = text.to_string();
        while !s.is_empty() {
            s.pop();
            let t = format!("{}…", s.trim_end());
            if self.measure(&t, size, bold) <= max_w {
                return t;
            }
        }
        String::new()
    }

    #[cfg(test)]
    pub(crate) fn cached_glyphs(&self) -> usize {
        self.cache.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbImage;

    #[test]
    fn embedded_faces_load_and_measure() {
        let t = Text::new().unwrap();
        let w1 = t.measure("Forward head", 16.0, false);
        let w2 = t.measure("Forward head", 32.0, false);
        assert!(w1 > 50.0 && w1 < 150.0, "{w1}");
        assert!((w2 / w1 - 2.0).abs() < 0.05);
        assert!(t.measure("Good", 16.0, true) > t.measure("Good", 16.0, false));
    }

    #[test]
    fn drawing_marks_pixels_and_caches_glyphs() {
        let mut t = Text::new().unwrap();
        let mut im = RgbImage::new(200, 40);
        let mut c = Canvas::new(&mut im);
        let w = t.draw(
            &mut c,
            4.0,
            4.0,
            "Hello °✓",
            Style::new(20.0, false, [255; 3]),
        );
        assert!(w > 40.0);
        let n = t.cached_glyphs();
        t.draw(
            &mut c,
            4.0,
            4.0,
            "Hello °✓",
            Style::new(20.0, false, [255; 3]),
        );
        assert_eq!(t.cached_glyphs(), n, "second draw should reuse the cache");
        let lit = im.pixels().filter(|p| p.0[0] > 128).count();
        assert!(lit > 100, "{lit}");
    }

    #[test]
    fn wrap_respects_width() {
        let t = Text::new().unwrap();
        let text = "Sit tall, look straight ahead and slide your chin straight back as if making a double chin.";
        let lines = t.wrap(text, 14.0, false, 200.0);
        assert!(lines.len() >= 3);
        for l in &lines {
            assert!(t.measure(l, 14.0, false) <= 200.0 || !l.contains(' '));
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn fit_shortens_with_ellipsis() {
        let t = Text::new().unwrap();
        let s = t.fit("A rather long status line", 14.0, false, 60.0);
        assert!(s.ends_with('…'));
        assert!(t.measure(&s, 14.0, false) <= 60.0);
        assert_eq!(t.fit("ok", 14.0, false, 60.0), "ok");
    }

    #[test]
    fn odd_sizes_and_positions_do_not_panic() {
        let mut t = Text::new().unwrap();
        let mut im = RgbImage::new(10, 10);
        let mut c = Canvas::new(&mut im);
        for size in [f32::NAN, -3.0, 0.0, 1e9] {
            t.draw(&mut c, 0.0, 0.0, "x", Style::new(size, true, [255; 3]));
        }
        t.draw(
            &mut c,
            f32::INFINITY,
            0.0,
            "x",
            Style::new(12.0, false, [255; 3]),
        );
        t.draw(
            &mut c,
            -500.0,
            -500.0,
            "xyz",
            Style::new(12.0, false, [255; 3]),
        );
    }
}
