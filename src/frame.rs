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
pub fn load_image(path: &Path) -> Result<RgbImage, FrameError> {
    let open_err = |source| FrameError::Open {
        path: path.to_path_buf(),
        source,
    };
    let decode_err = |source| FrameError::Decode {
        path: path.to_path_buf(),
        source,
    };
    let reader = ImageReader::open(path)
        .map_err(open_err)?
        .with_guessed_format()
        .map_err(open_err)?;
    let mut decoder = reader.into_decoder().map_err(decode_err)?;
    // A broken EXIF block is no reason to refuse the picture: use it as stored.
    let orientation = decoder.orientation().ok();
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(decode_err)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img.into_rgb8())
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
    fn image_extensions_are_case_insensitive() {
        assert!(is_image_path(Path::new("a/B.JPG")));
        assert!(!is_image_path(Path::new("a/b.mp4")));
        assert!(!is_image_path(Path::new("a/noext")));
    }
}
