//! Stills played as a sequence: a folder of images, a text file listing
//! images, or one image. Each still stands for a fixed interval, so the
//! timers downstream see a plausible clock.

use std::path::{Path, PathBuf};

use super::{CaptureError, FrameSource, Timing};
use crate::frame::{Frame, is_image_path, load_image};

/// Stills in order, `interval_s` apart.
pub struct ImageSource {
    origin: PathBuf,
    paths: Vec<PathBuf>,
    interval_s: f64,
    timing: Timing,
    next: usize,
    /// Some picture was returned (so unreadable ones were only left out).
    returned_any: bool,
    /// The last picture that could not be read, reported if none could.
    failed_at_end: Option<crate::frame::FrameError>,
}

/// Orders names as people do: `frame2` before `frame10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let na = trim_zeros(&a[..da]);
                let nb = trim_zeros(&b[..db]);
                let ord = na
                    .len()
                    .cmp(&nb.len())
                    .then_with(|| na.cmp(nb))
                    .then(da.cmp(&db));
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                let ord = x
                    .to_ascii_lowercase()
                    .cmp(&y.to_ascii_lowercase())
                    .then(x.cmp(y));
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let z = d.iter().take_while(|&&c| c == b'0').count();
    &d[z..]
}

fn sane_interval(s: f64) -> f64 {
    if s.is_finite() && s > 0.0 { s } else { 1.0 }
}

impl ImageSource {
    /// Every image in a folder (not its subfolders), in natural name order.
    pub fn from_dir(
        dir: &Path,
        interval_s: f64,
        timing: Timing,
    ) -> Result<ImageSource, CaptureError> {
        let entries = std::fs::read_dir(dir).map_err(|e| CaptureError::InputUnreadable {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && is_image_path(p))
            .collect();
        paths.sort_by(|a, b| {
            natural_cmp(
                &a.file_name().unwrap_or_default().to_string_lossy(),
                &b.file_name().unwrap_or_default().to_string_lossy(),
            )
        });
        Self::from_paths(dir, paths, interval_s, timing)
    }

    /// The images a text file lists, one path per line (relative paths are
    /// taken from the list's folder; blank lines and `#` comments skipped).
    pub fn from_list(
        list: &Path,
        interval_s: f64,
        timing: Timing,
    ) -> Result<ImageSource, CaptureError> {
        let text = std::fs::read_to_string(list).map_err(|e| CaptureError::InputUnreadable {
            path: list.to_path_buf(),
            source: e,
        })?;
        let base = list.parent().unwrap_or(Path::new("."));
        let paths = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| base.join(l))
            .collect();
        Self::from_paths(list, paths, interval_s, timing)
    }

    /// These images, in this order. `origin` names the input in messages.
    pub fn from_paths(
        origin: &Path,
        paths: Vec<PathBuf>,
        interval_s: f64,
        timing: Timing,
    ) -> Result<ImageSource, CaptureError> {
        if paths.is_empty() {
            return Err(CaptureError::NoImages {
                path: origin.to_path_buf(),
            });
        }
        Ok(ImageSource {
            origin: origin.to_path_buf(),
            paths,
            interval_s: sane_interval(interval_s),
            timing,
            next: 0,
            returned_any: false,
            failed_at_end: None,
        })
    }

    /// The images, in play order.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }
}

impl FrameSource for ImageSource {
    fn next_frame(&mut self, not_before_s: f64) -> Result<Option<Frame>, CaptureError> {
        let eps = 0.5 * self.interval_s;
        while self.next < self.paths.len() {
            let index = self.next;
            self.next += 1;
            let time_s = index as f64 * self.interval_s;
            if time_s + eps < not_before_s {
                continue;
            }
            let image = match load_image(&self.paths[index]) {
                Ok(image) => image,
                // One bad picture among many is left out with a line of its
                // own; the run fails only if none could be read at all.
                Err(e) if self.paths.len() > 1 => {
                    tracing::warn!("picture left out: {e}");
                    self.failed_at_end = Some(e);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            self.returned_any = true;
            return Ok(Some(Frame {
                image,
                time_s,
                index: index as u64,
            }));
        }
        match self.failed_at_end.take() {
            Some(e) if !self.returned_any => Err(e.into()),
            _ => Ok(None),
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} images, {} s each: {}",
            self.paths.len(),
            self.interval_s,
            self.origin.display()
        )
    }

    fn timing(&self) -> Timing {
        self.timing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbImage;

    /// A list that cannot be read (here: a folder given as a list): the
    /// I/O error is the cause, said once, in the words it always had.
    #[test]
    fn an_unreadable_list_keeps_the_io_error_as_its_cause() {
        use std::error::Error as _;
        let dir = tempfile::tempdir().unwrap();
        let Err(e) = ImageSource::from_list(dir.path(), 1.0, Timing::Unpaced) else {
            panic!("a folder read as a list");
        };
        assert!(matches!(e, CaptureError::InputUnreadable { .. }), "{e}");
        let cause = e.source().and_then(|c| c.downcast_ref::<std::io::Error>());
        assert_eq!(
            cause.map(std::io::Error::kind),
            Some(std::io::ErrorKind::IsADirectory)
        );
        let said = format!(
            "cannot read input (Is a directory (os error 21)): check permissions: {}",
            dir.path().display()
        );
        assert_eq!(e.to_string(), said);
        assert_eq!(crate::app::error_line(&anyhow::Error::from(e)), said);
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["f10.png", "f2.png", "F1.png", "f02.png", "a.png", "f1b.png"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["a.png", "F1.png", "f1b.png", "f2.png", "f02.png", "f10.png"]
        );
    }

    fn write_images(dir: &Path, names: &[&str]) {
        for (i, n) in names.iter().enumerate() {
            RgbImage::from_pixel(4, 3, image::Rgb([i as u8, 0, 0]))
                .save(dir.join(n))
                .unwrap();
        }
    }

    #[test]
    fn folder_plays_in_order_with_fixed_interval_and_skips() {
        let dir = tempfile::tempdir().unwrap();
        write_images(dir.path(), &["b2.png", "b10.png", "b1.png"]);
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let mut src = ImageSource::from_dir(dir.path(), 2.0, Timing::Unpaced).unwrap();
        let names: Vec<_> = src
            .paths()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["b1.png", "b2.png", "b10.png"]);
        let f = src.next_frame(0.0).unwrap().unwrap();
        assert_eq!((f.index, f.time_s), (0, 0.0));
        assert_eq!(f.image.get_pixel(0, 0).0[0], 2, "b1.png was written third");
        // Asking for t=4 skips b2 (t=2).
        let f = src.next_frame(4.0).unwrap().unwrap();
        assert_eq!((f.index, f.time_s), (2, 4.0));
        assert!(src.next_frame(0.0).unwrap().is_none());
        assert!(src.describe().contains("3 images"));
    }

    #[test]
    fn list_file_resolves_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        write_images(dir.path(), &["x.png", "y.png"]);
        let list = dir.path().join("frames.txt");
        std::fs::write(&list, "# two frames\ny.png\n\n x.png \n").unwrap();
        let mut src = ImageSource::from_list(&list, 1.0, Timing::Realtime).unwrap();
        assert_eq!(src.timing(), Timing::Realtime);
        assert_eq!(
            src.next_frame(0.0)
                .unwrap()
                .unwrap()
                .image
                .get_pixel(0, 0)
                .0[0],
            1
        );
        assert_eq!(
            src.next_frame(0.0)
                .unwrap()
                .unwrap()
                .image
                .get_pixel(0, 0)
                .0[0],
            0
        );
        assert!(src.next_frame(0.0).unwrap().is_none());
    }

    #[test]
    fn empty_folder_and_bad_images_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let err = ImageSource::from_dir(dir.path(), 1.0, Timing::Unpaced)
            .err()
            .unwrap();
        assert!(matches!(err, CaptureError::NoImages { .. }));
        assert!(err.to_string().ends_with(&dir.path().display().to_string()));
        std::fs::write(dir.path().join("broken.jpg"), b"not a jpeg").unwrap();
        let mut src = ImageSource::from_dir(dir.path(), f64::NAN, Timing::Unpaced).unwrap();
        let err = src.next_frame(0.0).unwrap_err();
        assert!(matches!(err, CaptureError::Image(_)), "{err}");
        // Among good pictures, a bad one is left out and the rest play.
        write_images(dir.path(), &["a.png", "c.png"]);
        let mut src = ImageSource::from_dir(dir.path(), 1.0, Timing::Unpaced).unwrap();
        assert_eq!(src.next_frame(0.0).unwrap().unwrap().index, 0);
        assert_eq!(src.next_frame(0.0).unwrap().unwrap().index, 2);
        assert!(src.next_frame(0.0).unwrap().is_none());
        std::fs::write(dir.path().join("d.png"), b"not a png").unwrap();
        let mut src = ImageSource::from_paths(
            dir.path(),
            vec![dir.path().join("broken.jpg"), dir.path().join("d.png")],
            1.0,
            Timing::Unpaced,
        )
        .unwrap();
        assert!(src.next_frame(0.0).is_err(), "none could be read");
        let list = dir.path().join("l.txt");
        std::fs::write(&list, "missing.png\n").unwrap();
        let mut src = ImageSource::from_list(&list, 1.0, Timing::Unpaced).unwrap();
        assert!(matches!(src.next_frame(0.0), Err(CaptureError::Image(_))));
    }
}
