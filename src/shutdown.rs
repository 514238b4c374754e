//! Stopping cleanly on Ctrl-C (and SIGTERM/SIGHUP on Unix).
//!
//! The loop polls one shared flag; the signal handler only sets it, so the
//! loop itself releases the camera, flushes the history and exits with 0. A
//! second Ctrl-C while stopping hangs up at once (exit code 130), for when
//! something is stuck.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

static FLAG: OnceLock<Result<Arc<AtomicBool>, String>> = OnceLock::new();

/// The process-wide stop flag, with the signal handler installed on first
/// use. Later calls return the same flag.
pub fn stop_flag() -> anyhow::Result<Arc<AtomicBool>> {
    let result = FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = Arc::clone(&flag);
        ctrlc::set_handler(move || {
            if handler_flag.swap(true, Ordering::SeqCst) {
                eprintln!("\nhunch: stopping now");
                std::process::exit(130);
            }
        })
        .map(|()| flag)
        .map_err(|e| {
            format!("cannot catch Ctrl-C ({e}); stop hunch with q or by closing its window")
        })
    });
    match result {
        Ok(flag) => Ok(Arc::clone(flag)),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// True once a stop was asked for.
pub fn stop_requested(flag: &AtomicBool) -> bool {
    flag.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_installed_once_and_shared() {
        let a = stop_flag().unwrap();
        let b = stop_flag().unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[cfg(unix)]
    #[test]
    fn ctrl_c_sets_the_flag_instead_of_killing_the_process() {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::getpid;
        let flag = stop_flag().unwrap();
        kill(getpid(), Signal::SIGINT).unwrap();
        let start = std::time::Instant::now();
        while !stop_requested(&flag) && start.elapsed().as_secs() < 20 {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(stop_requested(&flag));
    }
}
