//! Camera pixel formats to RGB.
//!
//! Webcams hand over MJPEG (a JPEG per frame) or YUYV (4:2:2 luma/chroma),
//! sometimes NV12, grey or raw RGB/BGR. Everything past capture wants 8-bit
//! RGB, so each format is converted here, as pure functions over byte slices
//! that never panic on short or odd-sized buffers.

use image::RgbImage;

/// How a camera lays out the bytes of one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// Motion JPEG: every frame is a complete JPEG.
    Mjpeg,
    /// Packed 4:2:2 `Y0 U Y1 V`, two pixels in four bytes (BT.601, limited range).
    Yuyv,
    /// A full-size Y plane, then an interleaved half-size `U V` plane.
    Nv12,
    /// 8-bit grey.
    Gray,
    /// Packed 8-bit RGB.
    Rgb,
    /// Packed 8-bit BGR.
    Bgr,
}

impl PixelFormat {
    /// The format's usual name (V4L2 FourCC style).
    pub fn name(self) -> &'static str {
        match self {
            PixelFormat::Mjpeg => "MJPEG",
            PixelFormat::Yuyv => "YUYV",
            PixelFormat::Nv12 => "NV12",
            PixelFormat::Gray => "GRAY",
            PixelFormat::Rgb => "RGB",
            PixelFormat::Bgr => "BGR",
        }
    }

    /// Bytes one uncompressed frame of this size needs; `None` for MJPEG
    /// (variable) or on overflow.
    pub fn frame_bytes(self, width: u32, height: u32) -> Option<usize> {
        let px = (width as usize).checked_mul(height as usize)?;
        match self {
            PixelFormat::Mjpeg => None,
            PixelFormat::Yuyv => px.checked_mul(2),
            PixelFormat::Nv12 => {
                let chroma =
                    (width.div_ceil(2) as usize).checked_mul(height.div_ceil(2) as usize)?;
                px.checked_add(chroma.checked_mul(2)?)
            }
            PixelFormat::Gray => Some(px),
            PixelFormat::Rgb | PixelFormat::Bgr => px.checked_mul(3),
        }
    }
}

impl std::fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a frame could not be turned into RGB.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{format} frame of {width}x{height} needs {expected} bytes but the camera sent {got}")]
    Short {
        format: PixelFormat,
        width: u32,
        height: u32,
        expected: usize,
        got: usize,
    },
    #[error("{format} frame has an impossible size {width}x{height}")]
    BadSize {
        format: PixelFormat,
        width: u32,
        height: u32,
    },
    #[error("cannot decode MJPEG frame: {0}")]
    Jpeg(#[source] image::ImageError),
}

/// Converts one frame to RGB. MJPEG frames take their size from the JPEG
/// itself; the other formats need `width` x `height` and at least as many
/// bytes as [`PixelFormat::frame_bytes`] (extra trailing bytes are ignored).
pub fn to_rgb(
    format: PixelFormat,
    width: u32,
    height: u32,
    data: &[u8],
) -> Result<RgbImage, ConvertError> {
    if format == PixelFormat::Mjpeg {
        let patched = with_standard_huffman_tables(data);
        let jpeg = patched.as_deref().unwrap_or(data);
        return image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
            .map(|img| img.into_rgb8())
            .map_err(ConvertError::Jpeg);
    }
    let bad_size = ConvertError::BadSize {
        format,
        width,
        height,
    };
    if width == 0 || height == 0 {
        return Err(bad_size);
    }
    let expected = format.frame_bytes(width, height).ok_or(bad_size)?;
    if data.len() < expected {
        return Err(ConvertError::Short {
            format,
            width,
            height,
            expected,
            got: data.len(),
        });
    }
    let data = &data[..expected];
    let (w, h) = (width as usize, height as usize);
    let mut out = vec![0u8; w * h * 3];
    match format {
        // Decoded above; nothing to copy.
        PixelFormat::Mjpeg => {}
        PixelFormat::Rgb => out.copy_from_slice(data),
        PixelFormat::Bgr => {
            for (o, i) in out.chunks_exact_mut(3).zip(data.chunks_exact(3)) {
                o.copy_from_slice(&[i[2], i[1], i[0]]);
            }
        }
        PixelFormat::Gray => {
            for (o, &g) in out.chunks_exact_mut(3).zip(data) {
                o.copy_from_slice(&[g, g, g]);
            }
        }
        PixelFormat::Yuyv => yuyv_to_rgb(w, h, data, &mut out),
        PixelFormat::Nv12 => nv12_to_rgb(w, h, data, &mut out),
    }
    RgbImage::from_raw(width, height, out).ok_or(ConvertError::BadSize {
        format,
        width,
        height,
    })
}

/// The Huffman tables of JPEG Annex K.3 (the "typical" tables) as one DHT
/// segment: DC and AC for luminance (ids 0) and chrominance (ids 1).
fn standard_dht() -> Vec<u8> {
    const DC_LUMA_BITS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const DC_CHROMA_BITS: [u8; 16] = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    const DC_VALUES: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const AC_LUMA_BITS: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
    const AC_LUMA_VALUES: [u8; 162] = [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61,
        0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52,
        0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25,
        0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45,
        0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
        0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
        0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
        0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
        0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3,
        0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8,
        0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ];
    const AC_CHROMA_BITS: [u8; 16] = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
    const AC_CHROMA_VALUES: [u8; 162] = [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61,
        0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33,
        0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18,
        0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44,
        0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63,
        0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
        0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
        0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4,
        0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca,
        0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7,
        0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ];
    let tables: [(u8, &[u8; 16], &[u8]); 4] = [
        (0x00, &DC_LUMA_BITS, &DC_VALUES),
        (0x10, &AC_LUMA_BITS, &AC_LUMA_VALUES),
        (0x01, &DC_CHROMA_BITS, &DC_VALUES),
        (0x11, &AC_CHROMA_BITS, &AC_CHROMA_VALUES),
    ];
    let len: usize = 2 + tables.iter().map(|(_, _, v)| 17 + v.len()).sum::<usize>();
    let mut seg = vec![0xFF, 0xC4, (len >> 8) as u8, (len & 0xFF) as u8];
    for (id, bits, values) in tables {
        seg.push(id);
        seg.extend_from_slice(bits);
        seg.extend_from_slice(values);
    }
    seg
}

/// Many webcams send MJPEG frames without Huffman tables (DHT), relying on
/// the standard ones, which JPEG decoders for files do not assume. Returns
/// the frame with the standard tables inserted before the scan, or `None`
/// when it has tables already (or is not a JPEG this can patch).
pub fn with_standard_huffman_tables(jpeg: &[u8]) -> Option<Vec<u8>> {
    if jpeg.get(..2) != Some(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        if jpeg[i] != 0xFF {
            return None;
        }
        let marker = jpeg[i + 1];
        match marker {
            0xFF => i += 1, // fill byte
            0xC4 => return None,
            0xDA => {
                let dht = standard_dht();
                let mut out = Vec::with_capacity(jpeg.len() + dht.len());
                out.extend_from_slice(&jpeg[..i]);
                out.extend_from_slice(&dht);
                out.extend_from_slice(&jpeg[i..]);
                return Some(out);
            }
            0x01 | 0xD0..=0xD7 => i += 2,
            _ => {
                let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
                i += 2 + len;
            }
        }
    }
    None
}

/// One BT.601 limited-range YUV sample to RGB, in integer arithmetic:
/// `C = Y - 16, D = U - 128, E = V - 128`,
/// `R = (298C + 409E + 128) >> 8`, `G = (298C - 100D - 208E + 128) >> 8`,
/// `B = (298C + 516D + 128) >> 8`, each clamped to 0..=255.
#[inline]
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = 298 * (i32::from(y) - 16);
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clamp = |x: i32| (x >> 8).clamp(0, 255) as u8;
    [
        clamp(c + 409 * e + 128),
        clamp(c - 100 * d - 208 * e + 128),
        clamp(c + 516 * d + 128),
    ]
}

fn yuyv_to_rgb(w: usize, h: usize, data: &[u8], out: &mut [u8]) {
    // Rows are `w` pixels; with an odd width the last pixel of a row shares
    // its macropixel with nobody, so walk per row in 4-byte groups of 2 pixels.
    let row_bytes = w * 2;
    for row in 0..h {
        let src = &data[row * row_bytes..(row + 1) * row_bytes];
        let dst = &mut out[row * w * 3..(row + 1) * w * 3];
        for (px2, group) in src.chunks(4).enumerate() {
            let (y0, u, y1, v) = match *group {
                [y0, u, y1, v] => (y0, u, Some(y1), v),
                [y0, u] => (y0, u, None, 128),
                _ => continue,
            };
            let x = px2 * 2;
            dst[x * 3..x * 3 + 3].copy_from_slice(&yuv_to_rgb(y0, u, v));
            if let Some(y1) = y1
                && x + 1 < w
            {
                dst[(x + 1) * 3..(x + 1) * 3 + 3].copy_from_slice(&yuv_to_rgb(y1, u, v));
            }
        }
    }
}

fn nv12_to_rgb(w: usize, h: usize, data: &[u8], out: &mut [u8]) {
    let (luma, chroma) = data.split_at(w * h);
    let cw = w.div_ceil(2);
    for y in 0..h {
        for x in 0..w {
            let ci = ((y / 2) * cw + x / 2) * 2;
            let (u, v) = (chroma[ci], chroma[ci + 1]);
            let o = (y * w + x) * 3;
            out[o..o + 3].copy_from_slice(&yuv_to_rgb(luma[y * w + x], u, v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn limited_range_extremes_are_black_and_white() {
        assert_eq!(yuv_to_rgb(16, 128, 128), [0, 0, 0]);
        assert_eq!(yuv_to_rgb(235, 128, 128), [255, 255, 255]);
        // Mid grey stays neutral.
        let [r, g, b] = yuv_to_rgb(126, 128, 128);
        assert!(r == g && g == b && (127..=128).contains(&r), "{r} {g} {b}");
    }

    #[test]
    fn bt601_primaries_come_out_saturated() {
        // BT.601 limited-range codes of pure red, green and blue.
        let red = yuv_to_rgb(81, 90, 240);
        let green = yuv_to_rgb(145, 54, 34);
        let blue = yuv_to_rgb(41, 240, 110);
        let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 3);
        assert!(close(red, [255, 0, 0]), "{red:?}");
        assert!(close(green, [0, 255, 0]), "{green:?}");
        assert!(close(blue, [0, 0, 255]), "{blue:?}");
    }

    #[test]
    fn yuyv_pairs_share_chroma() {
        // Two pixels: black and white, neutral chroma.
        let img = to_rgb(PixelFormat::Yuyv, 2, 1, &[16, 128, 235, 128]).unwrap();
        assert_eq!(img.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(1, 0).0, [255, 255, 255]);
    }

    #[test]
    fn yuyv_short_buffer_is_an_error_not_a_panic() {
        let err = to_rgb(PixelFormat::Yuyv, 640, 480, &[0; 1000]).unwrap_err();
        assert!(matches!(
            err,
            ConvertError::Short {
                expected: 614_400,
                got: 1000,
                ..
            }
        ));
        assert!(err.to_string().contains("614400"), "{err}");
    }

    #[test]
    fn nv12_planes_map_to_pixels() {
        // 2x2: four luma values, one chroma pair (neutral).
        let img = to_rgb(PixelFormat::Nv12, 2, 2, &[16, 235, 235, 16, 128, 128]).unwrap();
        assert_eq!(img.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(1, 0).0, [255, 255, 255]);
        assert_eq!(img.get_pixel(0, 1).0, [255, 255, 255]);
        assert_eq!(img.get_pixel(1, 1).0, [0, 0, 0]);
    }

    #[test]
    fn bgr_swaps_and_gray_spreads() {
        let img = to_rgb(PixelFormat::Bgr, 1, 1, &[1, 2, 3]).unwrap();
        assert_eq!(img.get_pixel(0, 0).0, [3, 2, 1]);
        let img = to_rgb(PixelFormat::Gray, 2, 1, &[9, 200]).unwrap();
        assert_eq!(img.get_pixel(1, 0).0, [200, 200, 200]);
        let img = to_rgb(PixelFormat::Rgb, 1, 1, &[1, 2, 3, 99]).unwrap();
        assert_eq!(img.get_pixel(0, 0).0, [1, 2, 3]);
    }

    #[test]
    fn zero_size_is_an_error() {
        assert!(matches!(
            to_rgb(PixelFormat::Rgb, 0, 10, &[]),
            Err(ConvertError::BadSize { .. })
        ));
        assert!(matches!(
            to_rgb(PixelFormat::Yuyv, u32::MAX, u32::MAX, &[]),
            Err(ConvertError::BadSize { .. }) | Err(ConvertError::Short { .. })
        ));
    }

    fn jpeg_of(img: &RgbImage) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        img.write_to(&mut buf, image::ImageFormat::Jpeg).unwrap();
        buf.into_inner()
    }

    #[test]
    fn mjpeg_frames_decode_to_their_own_size() {
        let src = RgbImage::from_fn(32, 24, |x, _| image::Rgb([(x * 8) as u8, 100, 50]));
        let img = to_rgb(PixelFormat::Mjpeg, 640, 480, &jpeg_of(&src)).unwrap();
        assert_eq!(img.dimensions(), (32, 24));
        let p = img.get_pixel(16, 12).0;
        assert!(p[0].abs_diff(128) < 12 && p[1].abs_diff(100) < 12, "{p:?}");
    }

    #[test]
    fn mjpeg_without_huffman_tables_decodes() {
        // Many webcams omit the DHT segment and rely on the standard tables.
        let src = RgbImage::from_fn(16, 16, |x, y| {
            image::Rgb([(x * 16) as u8, (y * 16) as u8, 80])
        });
        let jpeg = jpeg_of(&src);
        let mut stripped = Vec::with_capacity(jpeg.len());
        let mut i = 0;
        let mut removed = 0;
        while i + 4 <= jpeg.len() {
            if jpeg[i] == 0xFF && jpeg[i + 1] == 0xC4 {
                let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
                i += 2 + len;
                removed += 1;
                continue;
            }
            if jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA {
                break;
            }
            stripped.push(jpeg[i]);
            i += 1;
        }
        stripped.extend_from_slice(&jpeg[i..]);
        assert!(removed > 0, "the encoder wrote no DHT segment to strip");
        let img = to_rgb(PixelFormat::Mjpeg, 64, 48, &stripped).unwrap();
        // The inserted tables are exactly the encoder's (standard) ones.
        let original = to_rgb(PixelFormat::Mjpeg, 64, 48, &jpeg).unwrap();
        assert_eq!(img, original);
        assert!(
            with_standard_huffman_tables(&jpeg).is_none(),
            "tables present: untouched"
        );
        assert!(with_standard_huffman_tables(b"xx").is_none());
    }

    #[test]
    fn garbage_mjpeg_is_an_error() {
        use std::error::Error as _;
        let Err(e) = to_rgb(PixelFormat::Mjpeg, 640, 480, b"not a jpeg") else {
            panic!("garbage decoded");
        };
        let ConvertError::Jpeg(ref cause) = e else {
            panic!("not a JPEG error: {e}");
        };
        // The decoder's error is the cause, quoted once.
        assert_eq!(e.to_string(), format!("cannot decode MJPEG frame: {cause}"));
        assert!(e.source().is_some_and(|c| c.is::<image::ImageError>()));
    }

    proptest! {
        #[test]
        fn no_input_panics(
            fmt in prop::sample::select(vec![
                PixelFormat::Mjpeg, PixelFormat::Yuyv, PixelFormat::Nv12,
                PixelFormat::Gray, PixelFormat::Rgb, PixelFormat::Bgr,
            ]),
            w in 0u32..9, h in 0u32..9,
            data in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            if let Ok(img) = to_rgb(fmt, w, h, &data)
                && fmt != PixelFormat::Mjpeg
            {
                prop_assert_eq!(img.dimensions(), (w, h));
            }
        }

        #[test]
        fn neutral_chroma_is_grey(y in any::<u8>()) {
            let [r, g, b] = yuv_to_rgb(y, 128, 128);
            prop_assert!(r == g && g == b);
        }
    }
}
