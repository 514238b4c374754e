//! Frames: the RGB pictures every source produces, and loading stills.
//!
//! A frame is an [`image::RgbImage`] (8-bit RGB, row-major, no padding) with
//! the time it was taken. Stills are turned upright from their EXIF
//! orientation before anything else sees them, so landmark pixels always
//! refer to the picture as a person sees it.

use std::path::{Path, PathBuf};

use image::{ImageDecoder, ImageReader, RgbImage};

/// One picture from a source, with when it was taken.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The picture, upright.
    pub image: RgbImage,
    /// Seconds since the source started (0 for stills).
    pub time_s: f64,
    /// Position in the source (0 for stills).
    pub index: u64,
}

/// Why a still could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("cannot open image ({source}): check the path and permissions: {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot decode image ({source}): is it a JPEG, PNG, WebP or BMP file? {}", path.display())]
    Decode {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
}

/// Loads a still image as upright RGB, applying its EXIF orientation.
///
/// JPEGs are decoded with libjpeg-turbo's algorithms (through `mozjpeg`),
/// the decoder behind PIL and OpenCV: other decoders differ by a few levels
/// per pixel, which is enough to move BlazePose landmarks by several pixels
/// and makes results incomparable with MediaPipe's. Other formats, and JPEGs
/// libjpeg refuses (e.g. CMYK), go through the `image` crate.
pub fn load_image(path: &Path) -> Result<RgbImage, FrameError> {
    let open_err = |source| FrameError::Open {
        path: path.to_path_buf(),
        source,
    };
    let decode_err = |source| FrameError::Decode {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::read(path).map_err(open_err)?;
    let reader = ImageReader::new(std::io::Cursor::new(bytes.as_slice()))
        .with_guessed_format()
        .map_err(open_err)?;
    let is_jpeg = reader.format() == Some(image::ImageFormat::Jpeg);
    let mut decoder = reader.into_decoder().map_err(decode_err)?;
    // A broken EXIF block is no reason to refuse the picture: use it as stored.
    let orientation = decoder.orientation().ok();
    let mut img = match is_jpeg.then(|| decode_jpeg_like_libjpeg(&bytes)).flatten() {
        Some(rgb) => image::DynamicImage::ImageRgb8(rgb),
        None => image::DynamicImage::from_decoder(decoder).map_err(decode_err)?,
    };
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img.into_rgb8())
}

/// Decodes a JPEG to RGB with libjpeg-turbo's default (accurate integer
/// IDCT, fancy upsampling) algorithms; `None` if libjpeg cannot.
fn decode_jpeg_like_libjpeg(bytes: &[u8]) -> Option<RgbImage> {
    // mozjpeg reports libjpeg errors by unwinding; catch them here.
    std::panic::catch_unwind(|| {
        let mut started = mozjpeg::Decompress::new_mem(bytes).ok()?.rgb().ok()?;
        let (w, h) = (started.width() as u32, started.height() as u32);
        let data: Vec<u8> = started.read_scanlines().ok()?;
        started.finish().ok()?;
        RgbImage::from_raw(w, h, data)
    })
    .ok()
    .flatten()
}

/// File extensions treated as still images when a directory is given.
pub const IMAGE_EXTENSIONS: [&str; 6] = ["jpg", "jpeg", "png", "webp", "bmp", "gif"];

/// True when the path's extension names a still image format.
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_an_open_error_naming_the_path() {
        let err = load_image(Path::new("/nonexistent/x.jpg")).unwrap_err();
        assert!(matches!(err, FrameError::Open { .. }));
        assert!(err.to_string().ends_with("/nonexistent/x.jpg"));
    }

    #[test]
    fn garbage_is_a_decode_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jpg");
        std::fs::write(&p, b"not an image at all").unwrap();
        let err = load_image(&p).unwrap_err();
        assert!(matches!(err, FrameError::Decode { .. }), "{err}");
    }

    #[test]
    fn png_round_trip_keeps_pixels() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.png");
        let img = RgbImage::from_fn(4, 3, |x, y| image::Rgb([x as u8, y as u8, 7]));
        img.save(&p).unwrap();
        assert_eq!(load_image(&p).unwrap(), img);
    }

    #[test]
    fn jpeg_decodes_and_truncated_jpeg_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jpg");
        let img = RgbImage::from_fn(32, 16, |x, y| image::Rgb([x as u8 * 8, y as u8 * 16, 128]));
        img.save(&p).unwrap();
        let back = load_image(&p).unwrap();
        assert_eq!(back.dimensions(), (32, 16));
        // Lossy, but close.
        let diff = back
            .as_raw()
            .iter()
            .zip(img.as_raw())
            .map(|(a, b)| (*a as i32 - *b as i32).abs())
            .max()
            .unwrap();
        assert!(diff < 40, "max diff {diff}");
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 3]).unwrap();
        // libjpeg pads a truncated stream; either a picture or an error, never a panic.
        let _ = load_image(&p);
        std::fs::write(&p, &bytes[..20]).unwrap();
        assert!(load_image(&p).is_err());
    }

    #[test]
    fn image_extensions_are_case_insensitive() {
        assert!(is_image_path(Path::new("a/B.JPG")));
        assert!(!is_image_path(Path::new("a/b.mp4")));
        assert!(!is_image_path(Path::new("a/noext")));
    }
}
