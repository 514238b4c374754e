//! Finding and loading the ONNX Runtime shared library (an edge of the program).
//!
//! hunch links ONNX Runtime at run time (`ort`'s `load-dynamic`), so the same
//! binary works wherever a compatible `libonnxruntime` can be found. The
//! search order is: `--ort-lib PATH`, `$ORT_DYLIB_PATH`, beside the
//! executable, then where `scripts/setup.sh` puts it (the user's data dir).
//! Nothing is downloaded at run time.
//!
//! Telemetry: the ONNX Runtime builds on PyPI (1.31.1 included) have
//! Microsoft's telemetry compiled in. On Linux it writes a device id and a
//! "ProcessInfo" event (executable path, OS, CPU model, memory) to
//! `~/.cache/Microsoft/DeveloperTools/.onnxruntime/`, queued for upload, as
//! soon as the ONNX Runtime environment is created: before
//! `with_telemetry(false)` can apply. The only switch that stops it is
//! `ORT_DISABLE_TELEMETRY=1` in the process environment before ONNX Runtime
//! initialises ([`disable_telemetry`]). The `hunch` binary sets it as the
//! first thing in `main`; [`init`] makes sure of it again for every other
//! user of the library (tests, benches, examples).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The ONNX Runtime release hunch is built and tested against.
pub const ORT_VERSION: &str = "1.31.1";

/// The command that installs the library where hunch looks for it.
pub const FIX_COMMAND: &str = "scripts/setup.sh (or pass --ort-lib PATH / set ORT_DYLIB_PATH)";

/// Why ONNX Runtime could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("ONNX Runtime library not found; run {FIX_COMMAND}; tried: {}", list(.tried))]
    NotFound { tried: Vec<PathBuf> },
    #[error("ONNX Runtime library could not be loaded ({source}); run {FIX_COMMAND}; tried: {}", list(.tried))]
    Unusable {
        #[source]
        source: LoadError,
        tried: Vec<PathBuf>,
    },
}

/// Why a found library could not be used: opening it, or starting ONNX
/// Runtime's environment in it (said as ort says it).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Library(#[from] ort::LoadDynamicError),
    #[error(transparent)]
    Environment(#[from] ort::Error),
}

use crate::paths::list;

/// The library's file name on this platform.
pub fn library_file_name() -> &'static str {
    if cfg!(target_os = "windows") {
        "onnxruntime.dll"
    } else if cfg!(target_os = "macos") {
        "libonnxruntime.dylib"
    } else {
        "libonnxruntime.so"
    }
}

/// Where `scripts/setup.sh` installs the library: `<data dir>/hunch/onnxruntime/`.
pub fn installed_library_path() -> Option<PathBuf> {
    crate::paths::data_dir().map(|d| d.join("onnxruntime").join(library_file_name()))
}

/// The candidate paths in search order. Explicit choices (flag, environment)
/// are returned even when they do not exist, so the error can name them.
pub fn candidates(flag: Option<&Path>, env: Option<&Path>, exe_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = flag {
        out.push(p.to_path_buf());
    }
    if let Some(p) = env {
        out.push(p.to_path_buf());
    }
    if let Some(dir) = exe_dir {
        out.push(dir.join(library_file_name()));
        out.push(dir.join(format!("{}.{ORT_VERSION}", library_file_name())));
    }
    if let Some(p) = installed_library_path() {
        out.push(p);
    }
    out
}

/// ONNX Runtime, loaded: the library's path and the process-wide environment
/// every session is created in.
pub struct Runtime {
    pub path: PathBuf,
    pub env: ort::environment::Environment,
}

static LOADED: OnceLock<Runtime> = OnceLock::new();

/// The environment variable that keeps ONNX Runtime from writing (and
/// queueing for upload) telemetry, and the value that switches it off.
/// (`ORT_TELEMETRY_DISABLED` does not work in 1.31.1.)
pub const TELEMETRY_OFF: (&str, &str) = ("ORT_DISABLE_TELEMETRY", "1");

/// True when the process environment already switches telemetry off.
pub fn telemetry_disabled() -> bool {
    std::env::var_os(TELEMETRY_OFF.0).is_some_and(|v| v == TELEMETRY_OFF.1)
}

/// Sets `ORT_DISABLE_TELEMETRY=1` in this process's environment (whatever
/// the caller's environment said), so ONNX Runtime never records telemetry.
///
/// # Safety
///
/// Changing the environment is only sound while no other thread reads or
/// writes it through the C library (`getenv`, `setenv`): call it at the very
/// start of `main`, before any thread is started. Rust's own environment
/// functions are serialised by the standard library, but C code (ONNX
/// Runtime, SQLite, the time zone code) is not.
pub unsafe fn disable_telemetry() {
    if !telemetry_disabled() {
        // SAFETY: the caller guarantees no other thread touches the
        // environment now (see above).
        unsafe { std::env::set_var(TELEMETRY_OFF.0, TELEMETRY_OFF.1) };
    }
}

/// Serialises the first loads, so the environment is changed at most once
/// and never by two threads at the same time.
static LOADING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Loads ONNX Runtime once for the whole process.
///
/// `flag` is `--ort-lib`. An explicit `--ort-lib` or `$ORT_DYLIB_PATH` that
/// fails is an error even if a later candidate would work: the user asked for
/// that file.
pub fn init(flag: Option<&Path>) -> Result<&'static Runtime, RuntimeError> {
    if let Some(p) = LOADED.get() {
        return Ok(p);
    }
    let _loading = LOADING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(p) = LOADED.get() {
        return Ok(p);
    }
    if !telemetry_disabled() {
        // The `hunch` binary has already set the variable in `main`, while
        // single-threaded, so this only runs when the library is used from
        // elsewhere (a test harness, a bench, an example). It must happen
        // before ONNX Runtime is loaded, or its first telemetry event is
        // already written.
        //
        // SAFETY: not provably alone here: a test harness runs other tests
        // on other threads. Rust code reading the environment takes the
        // standard library's lock, and `LOADING` keeps hunch from changing it
        // twice at once; what remains is C code calling `getenv` on another
        // thread in the same instant, before ONNX Runtime (the one C library
        // here that would care) is even loaded. Producing telemetry is the
        // worse, certain harm; this window is narrow and only outside the
        // binary.
        unsafe { disable_telemetry() };
    }
    let env = std::env::var_os("ORT_DYLIB_PATH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf));
    let tried = candidates(flag, env.as_deref(), exe_dir.as_deref());
    let explicit = usize::from(flag.is_some()) + usize::from(env.is_some());
    for (i, path) in tried.iter().enumerate() {
        if !path.is_file() {
            if i < explicit {
                return Err(RuntimeError::NotFound {
                    tried: tried[..=i].to_vec(),
                });
            }
            continue;
        }
        match load(path) {
            Ok(env) => {
                tracing::debug!(path = %path.display(), "loaded ONNX Runtime");
                return Ok(LOADED.get_or_init(|| Runtime {
                    path: path.clone(),
                    env,
                }));
            }
            Err(source) => {
                return Err(RuntimeError::Unusable {
                    source,
                    tried: tried[..=i].to_vec(),
                });
            }
        }
    }
    Err(RuntimeError::NotFound { tried })
}

fn load(path: &Path) -> Result<ort::environment::Environment, LoadError> {
    Ok(ort::init_from(path)?
        .with_name("hunch")
        // Nothing leaves the user's machine.
        .with_telemetry(false)
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ort's load error is the cause, quoted once in the one line a user
    /// sees (as when it was a string). Built by hand: dlopening a file here
    /// would depend on whether another test loaded ONNX Runtime first
    /// (tests/cli/foundation.rs tries a real non-library file).
    #[test]
    fn an_unusable_library_keeps_ort_s_error_as_its_cause() {
        use std::error::Error as _;
        let fake = PathBuf::from("/x/libonnxruntime.so");
        let source = LoadError::from(ort::LoadDynamicError::MissingApi { path: fake.clone() });
        let cause = source.to_string();
        assert_eq!(
            cause,
            "/x/libonnxruntime.so does not export `OrtGetApiBase`"
        );
        let e = RuntimeError::Unusable {
            source,
            tried: vec![fake],
        };
        assert!(
            e.source()
                .is_some_and(|c| c.is::<LoadError>() && c.to_string() == cause)
        );
        let said = format!(
            "ONNX Runtime library could not be loaded ({cause}); run {FIX_COMMAND}; tried: /x/libonnxruntime.so"
        );
        assert_eq!(e.to_string(), said);
        assert_eq!(crate::app::error_line(&anyhow::Error::from(e)), said);
    }

    #[test]
    fn candidates_keep_search_order() {
        let c = candidates(
            Some(Path::new("/flag/lib.so")),
            Some(Path::new("/env/lib.so")),
            Some(Path::new("/exe")),
        );
        assert_eq!(c[0], PathBuf::from("/flag/lib.so"));
        assert_eq!(c[1], PathBuf::from("/env/lib.so"));
        assert_eq!(c[2], Path::new("/exe").join(library_file_name()));
        assert!(c.len() >= 4);
    }

    #[test]
    fn error_names_every_path_and_the_fix() {
        let e = RuntimeError::NotFound {
            tried: vec![PathBuf::from("/a/x.so"), PathBuf::from("/b/y.so")],
        };
        let s = e.to_string();
        assert!(s.contains("/a/x.so") && s.contains("/b/y.so") && s.contains("scripts/setup.sh"));
        assert!(!s.contains('\n'));
    }
}
