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
    #[error(
        "the image is {width}x{height} pixels, more than the {} megapixels hunch reads; scale it down first: {}",
        MAX_IMAGE_PIXELS / 1_000_000,
        path.display()
    )]
    TooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error(
        "the image path is {what}, not a file; pass an image file: {}",
        path.display()
    )]
    NotAFile { path: PathBuf, what: &'static str },
}

/// Largest still decoded, in pixels (64 megapixels: 192 MB as RGB, above
/// any phone or camera photo). Checked from the header, before decoding, so
/// a small file claiming a huge size cannot take gigabytes of memory.
pub const MAX_IMAGE_PIXELS: u64 = 64_000_000;

/// What kind of non-file a path is, or `None` for a regular file (or a path
/// that cannot be looked at, left to the open that follows to explain).
/// Pipes and devices are refused before they are opened: opening a named
/// pipe waits for a writer forever.
pub fn special_file_kind(path: &Path) -> Option<&'static str> {
    let meta = std::fs::metadata(path).ok()?;
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Some("a device");
        }
    }
    Some("a special file")
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
    if let Some(what) = special_file_kind(path) {
        return Err(FrameError::NotAFile {
            path: path.to_path_buf(),
            what,
        });
    }
    let bytes = std::fs::read(path).map_err(open_err)?;
    let reader = ImageReader::new(std::io::Cursor::new(bytes.as_slice()))
        .with_guessed_format()
        .map_err(open_err)?;
    let is_jpeg = reader.format() == Some(image::ImageFormat::Jpeg);
    let mut decoder = reader.into_decoder().map_err(decode_err)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS {
        return Err(FrameError::TooLarge {
            path: path.to_path_buf(),
            width,
            height,
        });
    }
    if is_jpeg && jpeg_is_cut_short(&bytes) {
        tracing::warn!(
            "the JPEG is cut short (it has no end-of-image marker), so part of the picture is missing and results may be wrong: {}",
            path.display()
        );
    }
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

/// True when a JPEG stream ends before its end-of-image marker (a file cut
/// short in a download or copy). libjpeg pads such a stream with grey and
/// only warns, so the check is made here: after the last start-of-scan
/// marker there must be an end-of-image marker (entropy-coded data escapes
/// every 0xFF byte, so neither marker can appear inside it, and an EXIF
/// thumbnail's markers come before the main image's scans).
fn jpeg_is_cut_short(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(at) => !bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => true,
    }
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
/// Exactly the formats [`load_image`] decodes (other files, GIFs among
/// them, are handed to ffmpeg as videos when named directly).
pub const IMAGE_EXTENSIONS: [&str; 5] = ["jpg", "jpeg", "png", "webp", "bmp"];

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
    fn a_huge_image_is_refused_from_its_header_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("huge.png");
        std::fs::write(&p, crate::testdata::png_claiming(46_000, 46_000)).unwrap();
        let err = load_image(&p).unwrap_err();
        assert!(matches!(err, FrameError::TooLarge { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("46000x46000")
                && msg.contains("64 megapixels")
                && msg.ends_with("huge.png"),
            "{msg}"
        );
        // Just under the limit is not refused for its size (it fails later, as
        // the data is missing, with a decode error).
        std::fs::write(&p, crate::testdata::png_claiming(8_000, 8_000)).unwrap();
        assert!(matches!(load_image(&p), Err(FrameError::Decode { .. })));
    }

    #[test]
    fn a_cut_short_jpeg_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jpg");
        RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 9]))
            .save(&p)
            .unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert!(!jpeg_is_cut_short(&bytes));
        assert!(jpeg_is_cut_short(&bytes[..bytes.len() * 2 / 3]));
        assert!(jpeg_is_cut_short(&bytes[..bytes.len() - 2]));
        // Trailing bytes after the end marker are common and harmless.
        let mut padded = bytes.clone();
        padded.extend([0u8; 16]);
        assert!(!jpeg_is_cut_short(&padded));
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_refused_without_being_opened() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pipe.jpg");
        let made = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap();
        assert!(made.success());
        // Opening it would wait for a writer for ever; the check must not.
        let err = load_image(&p).unwrap_err();
        assert!(err.to_string().contains("named pipe"), "{err}");
        assert_eq!(special_file_kind(dir.path()), Some("a folder"));
        assert_eq!(special_file_kind(Path::new("/nonexistent")), None);
    }

    #[test]
    fn image_extensions_are_case_insensitive() {
        assert!(
            !is_image_path(Path::new("a/b.gif")),
            "no GIF decoder is built in"
        );
        assert!(is_image_path(Path::new("a/B.JPG")));
        assert!(!is_image_path(Path::new("a/b.mp4")));
        assert!(!is_image_path(Path::new("a/noext")));
    }
}
