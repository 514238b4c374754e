//! Files hunch writes at the user's request (`report --csv/--png`,
//! `--events`, `analyze --render`, the calibration profile): never over
//! hunch's own files (history, profile, config) or over an input, and
//! written atomically (a temporary file in the same folder, then renamed),
//! so a failed or interrupted write never leaves half a file behind.
//!
//! `-` as a path means standard output, everywhere.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where an output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `-`: standard output.
    Stdout,
    File(PathBuf),
}

impl Target {
    /// `-` is standard output; anything else a file.
    pub fn parse(path: &Path) -> Target {
        if path.as_os_str() == "-" {
            Target::Stdout
        } else {
            Target::File(path.to_path_buf())
        }
    }
}

/// Why an output was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{flag} would overwrite {what}; give it another path: {}", path.display())]
    Protected {
        flag: &'static str,
        what: String,
        path: PathBuf,
    },
    #[error("cannot write {what} ({source}); check the folder exists and is writable: {}", path.display())]
    Write {
        what: &'static str,
        #[source]
        source: std::io::Error,
        path: PathBuf,
    },
}

/// Files no output may replace, each with what it is.
#[derive(Clone, Debug, Default)]
pub struct Protected {
    files: Vec<(String, PathBuf)>,
}

impl Protected {
    /// Nothing protected yet.
    pub fn new() -> Protected {
        Protected::default()
    }

    /// Protects `path`, described as `what` ("the history database").
    pub fn add(&mut self, what: impl Into<String>, path: &Path) -> &mut Self {
        self.files.push((what.into(), path.to_path_buf()));
        self
    }

    /// Protects a history database with the files SQLite keeps beside it.
    pub fn add_history(&mut self, path: &Path) -> &mut Self {
        self.add("the history database", path);
        for suffix in ["-wal", "-shm", "-journal", ".lock"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            self.add("the history database", Path::new(&p));
        }
        self
    }

    /// Protects inputs, as given on the command line.
    pub fn add_inputs<'a>(&mut self, inputs: impl IntoIterator<Item = &'a Path>) -> &mut Self {
        for p in inputs {
            self.add("an input", p);
        }
        self
    }

    /// An error if writing `path` (for `flag`) would replace a protected file.
    pub fn check(&self, flag: &'static str, path: &Path) -> Result<(), OutputError> {
        match self.files.iter().find(|(_, p)| same_file(p, path)) {
            Some((what, _)) => Err(OutputError::Protected {
                flag,
                what: what.clone(),
                path: path.to_path_buf(),
            }),
            None => Ok(()),
        }
    }
}

/// True when `a` and `b` name the same file: the same inode when both
/// exist (hard links, symbolic links, `./x` and `x`), else the same
/// absolute path once the folder's links are resolved.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
        #[cfg(not(unix))]
        {
            let _ = (ma, mb);
            return std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok();
        }
    }
    resolved(a) == resolved(b)
}

/// `path` made absolute, with its folder's symbolic links resolved when
/// the folder exists (the file itself may not).
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or(abs.clone()),
        _ => abs,
    }
}

/// Writes a file atomically: `write` fills a temporary file in the same
/// folder, which then replaces `path` in one rename. On any failure `path`
/// is untouched and the temporary file removed. `what` names the output in
/// errors ("the CSV").
pub fn write_atomically<T>(
    path: &Path,
    what: &'static str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
) -> Result<T, OutputError> {
    let err = |source| OutputError::Write {
        what,
        source,
        path: path.to_path_buf(),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".hunch-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As a plain create would make it (the umask still applies).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(err)?;
    let mut out = std::io::BufWriter::new(tmp);
    let value = write(&mut out).map_err(err)?;
    let tmp = out.into_inner().map_err(|e| err(e.into_error()))?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(value)
}

/// Writes to standard output, or atomically to a file; a closed pipe on
/// standard output (`| head`) is not an error.
pub fn write_to<T: Default>(
    target: &Target,
    what: &'static str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
) -> Result<T, OutputError> {
    match target {
        Target::File(path) => write_atomically(path, what, write),
        Target::Stdout => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            let result = write(&mut lock).and_then(|v| lock.flush().map(|()| v));
            match result {
                Ok(v) => Ok(v),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(T::default()),
                Err(source) => Err(OutputError::Write {
                    what,
                    source,
                    path: PathBuf::from("-"),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_is_stdout() {
        assert_eq!(Target::parse(Path::new("-")), Target::Stdout);
        assert_eq!(
            Target::parse(Path::new("./-")),
            Target::File(PathBuf::from("./-"))
        );
    }

    #[test]
    fn the_same_file_under_other_names_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let h = dir.path().join("h.db");
        std::fs::write(&h, "x").unwrap();
        let mut p = Protected::new();
        p.add_history(&h);
        let dotted = dir.path().join(".").join("h.db");
        assert!(p.check("--png", &dotted).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("link.db");
            std::os::unix::fs::symlink(&h, &link).unwrap();
            assert!(p.check("--png", &link).is_err());
            let hard = dir.path().join("hard.db");
            std::fs::hard_link(&h, &hard).unwrap();
            assert!(p.check("--png", &hard).is_err());
        }
        // The write-ahead log that does not exist yet is protected too.
        let e = p
            .check("--csv", &dir.path().join("h.db-wal"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--csv would overwrite the history database"),
            "{e}"
        );
        assert!(p.check("--png", &dir.path().join("chart.png")).is_ok());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_debris() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("out.csv");
        std::fs::write(&f, "old").unwrap();
        let r: Result<(), _> = write_atomically(&f, "the CSV", |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk on fire"))
        });
        assert!(r.unwrap_err().to_string().contains("disk on fire"));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&f, "the CSV", |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
