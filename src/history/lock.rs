//! One recorder per history: the monitor holds an exclusive lock on
//! `<history>.lock` while it records, so a second monitor on the same file
//! is refused (two would count the same minutes twice) and `hunch history
//! prune` knows which session is still being recorded.
//!
//! The lock is the operating system's advisory file lock: it goes away with
//! the process, however that ends, so a crash never leaves a stale lock.
//! The file itself stays (deleting it would race with the next monitor); it
//! holds the recording process id and session id, for messages.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::HistoryError;

/// The lock file beside a history: `history.sqlite3.lock`.
pub fn lock_path(history: &Path) -> PathBuf {
    let mut p = history.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// Held while a monitor records into a history.
#[derive(Debug)]
pub struct RecordingLock {
    file: File,
    path: PathBuf,
}

/// Who is recording into a history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recording {
    pub pid: Option<u32>,
    /// The session being recorded, once it is known.
    pub session_id: Option<i64>,
}

fn parse(text: &str) -> Recording {
    let mut words = text.split_whitespace();
    Recording {
        pid: words.next().and_then(|w| w.parse().ok()),
        session_id: words.next().and_then(|w| w.parse().ok()),
    }
}

impl RecordingLock {
    /// Takes the lock for the history at `history`, or
    /// [`HistoryError::Busy`] when another process holds it.
    pub fn acquire(history: &Path) -> Result<RecordingLock, HistoryError> {
        let path = lock_path(history);
        let lock_err = |source| HistoryError::Lock {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| HistoryError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(lock_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(HistoryError::Busy {
                    pid: parse(&text).pid,
                    path: history.to_path_buf(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(lock_err(e)),
        }
        let mut lock = RecordingLock { file, path };
        lock.note(None);
        Ok(lock)
    }

    /// Writes who holds the lock (this process, and its session once known).
    pub fn note(&mut self, session_id: Option<i64>) {
        let text = match session_id {
            Some(id) => format!("{} {id}\n", std::process::id()),
            None => format!("{}\n", std::process::id()),
        };
        // Only for messages: a failure here changes nothing.
        let _ = self
            .file
            .set_len(0)
            .and_then(|()| self.file.rewind())
            .and_then(|()| self.file.write_all(text.as_bytes()));
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who records into the history at `history` right now, if anyone.
    pub fn holder(history: &Path) -> Option<Recording> {
        let mut file = File::open(lock_path(history)).ok()?;
        match file.try_lock_shared() {
            Ok(()) => None,
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                Some(parse(&text))
            }
            Err(TryLockError::Error(_)) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_recorder_per_history() {
        let dir = tempfile::tempdir().unwrap();
        let h = dir.path().join("h.sqlite3");
        assert_eq!(RecordingLock::holder(&h), None);
        let mut first = RecordingLock::acquire(&h).unwrap();
        first.note(Some(7));
        let e = RecordingLock::acquire(&h).unwrap_err();
        assert!(matches!(e, HistoryError::Busy { pid: Some(p), .. } if p == std::process::id()));
        assert!(e.to_string().contains("already recording"), "{e}");
        assert_eq!(
            RecordingLock::holder(&h),
            Some(Recording {
                pid: Some(std::process::id()),
                session_id: Some(7)
            })
        );
        // Another history is another lock.
        let _other = RecordingLock::acquire(&dir.path().join("g.sqlite3")).unwrap();
        drop(first);
        assert_eq!(RecordingLock::holder(&h), None);
        let _again = RecordingLock::acquire(&h).unwrap();
    }
}
