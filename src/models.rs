//! The ONNX model files: which ones exist, where they are found, and checking
//! that the bytes are the ones `models/convert.sh` produced.
//!
//! `models/manifest.json` (written by the conversion script) is compiled in,
//! so a truncated or corrupted file is refused at load with a clear message
//! instead of failing deep inside ONNX Runtime.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The landmark model to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelChoice {
    /// BlazePose lite: fastest, a little less precise.
    Lite,
    /// BlazePose full: MediaPipe's default.
    Full,
}

impl ModelChoice {
    /// The model's name as `--model` takes it.
    pub fn name(self) -> &'static str {
        match self {
            ModelChoice::Lite => "lite",
            ModelChoice::Full => "full",
        }
    }

    /// The manifest name of the landmark model.
    pub fn landmark_model(self) -> &'static str {
        match self {
            ModelChoice::Lite => LANDMARK_LITE,
            ModelChoice::Full => LANDMARK_FULL,
        }
    }
}

/// Manifest name of the pose detector.
pub const DETECTOR: &str = "pose_detection";
/// Manifest name of the lite landmark model.
pub const LANDMARK_LITE: &str = "pose_landmark_lite";
/// Manifest name of the full landmark model.
pub const LANDMARK_FULL: &str = "pose_landmark_full";

/// One tensor's name and shape as recorded in the manifest.
#[derive(Clone, Debug, Deserialize)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<i64>,
    #[serde(default)]
    pub dtype: String,
}

/// One model as recorded in the manifest.
#[derive(Clone, Debug, Deserialize)]
pub struct ModelSpec {
    pub name: String,
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub inputs: Vec<TensorSpec>,
    pub outputs: Vec<TensorSpec>,
    #[serde(default)]
    pub roles: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub license: String,
}

impl ModelSpec {
    /// The output name that plays `role` (e.g. "scores", "landmarks").
    pub fn output_for(&self, role: &str) -> Result<&str, ModelError> {
        self.roles.get(role).map(String::as_str).ok_or_else(|| {
            ModelError::Manifest(format!("model {} has no output for role {role}", self.name))
        })
    }
}

#[derive(Debug, Deserialize)]
struct Manifest {
    models: Vec<ModelSpec>,
}

/// Why a model could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model {name} not found; pass --models DIR or set HUNCH_MODELS; tried: {}", list(.tried))]
    NotFound { name: String, tried: Vec<PathBuf> },
    #[error("cannot read model ({source}); check permissions or reinstall: {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "model file is corrupt or truncated ({size} bytes, sha256 {actual}; expected {expected_size} bytes, sha256 {expected}); restore it with `git checkout -- models/` or rerun models/convert.sh: {}",
        path.display()
    )]
    Corrupt {
        path: PathBuf,
        size: u64,
        actual: String,
        expected_size: u64,
        expected: String,
    },
    #[error("model manifest problem: {0}")]
    Manifest(String),
    /// The manifest built into hunch is not valid JSON (kept for every
    /// caller: the parse happens once).
    #[error("model manifest problem: {0}")]
    ManifestParse(#[source] std::sync::Arc<serde_json::Error>),
}

use crate::paths::list;

static MANIFEST: OnceLock<Result<Manifest, std::sync::Arc<serde_json::Error>>> = OnceLock::new();

fn manifest() -> Result<&'static Manifest, ModelError> {
    MANIFEST
        .get_or_init(|| {
            serde_json::from_str(include_str!("../models/manifest.json"))
                .map_err(std::sync::Arc::new)
        })
        .as_ref()
        .map_err(|e| ModelError::ManifestParse(e.clone()))
}

/// The manifest entry for `name`.
pub fn spec(name: &str) -> Result<&'static ModelSpec, ModelError> {
    manifest()?
        .models
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| {
            ModelError::Manifest(format!("no model named {name} in models/manifest.json"))
        })
}

/// Folders searched for models, in order: `--models`, `$HUNCH_MODELS`, beside
/// the executable (and its `models/`), the source tree's `models/` (for
/// `cargo run`), the user's data dir.
pub fn search_dirs(flag: Option<&Path>) -> Vec<PathBuf> {
    let env = std::env::var_os("HUNCH_MODELS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf));
    candidate_dirs(flag, env.as_deref(), exe_dir.as_deref())
}

/// [`search_dirs`] with its inputs passed in.
pub fn candidate_dirs(
    flag: Option<&Path>,
    env: Option<&Path>,
    exe_dir: Option<&Path>,
) -> Vec<PathBuf> {
    // An explicit choice is the only place looked: silently using another
    // copy would hide the user's mistake.
    if let Some(p) = flag.or(env) {
        return vec![p.to_path_buf()];
    }
    let mut out = Vec::new();
    if let Some(d) = exe_dir {
        out.push(d.to_path_buf());
        out.push(d.join("models"));
    }
    out.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("models"));
    if let Some(d) = crate::paths::data_dir() {
        out.push(d.join("models"));
    }
    out
}

/// Finds model `name` in `dirs`, reads it and checks it against the manifest.
pub fn load(name: &str, dirs: &[PathBuf]) -> Result<Vec<u8>, ModelError> {
    let spec = spec(name)?;
    let tried: Vec<PathBuf> = dirs.iter().map(|d| d.join(&spec.file)).collect();
    let path = tried
        .iter()
        .find(|p| p.is_file())
        .ok_or_else(|| ModelError::NotFound {
            name: name.to_string(),
            tried: tried.clone(),
        })?;
    let bytes = std::fs::read(path).map_err(|source| ModelError::Read {
        path: path.clone(),
        source,
    })?;
    verify(spec, path, &bytes)?;
    Ok(bytes)
}

/// Checks size and sha256 of a model's bytes against its manifest entry.
pub fn verify(spec: &ModelSpec, path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
    let actual = hex::encode(Sha256::digest(bytes));
    if bytes.len() as u64 != spec.size || !actual.eq_ignore_ascii_case(&spec.sha256) {
        return Err(ModelError::Corrupt {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            actual,
            expected_size: spec.size,
            expected: spec.sha256.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest that is not JSON: serde_json's error is the cause, said
    /// once, in the words it had as a string.
    #[test]
    fn a_manifest_parse_error_keeps_its_cause() {
        use std::error::Error as _;
        let parse = serde_json::from_str::<Manifest>("{").unwrap_err();
        let cause = parse.to_string();
        let e = ModelError::ManifestParse(std::sync::Arc::new(parse));
        assert!(e.source().is_some_and(|c| c.to_string() == cause));
        let said = format!("model manifest problem: {cause}");
        assert_eq!(e.to_string(), said);
        assert_eq!(crate::app::error_line(&anyhow::Error::from(e)), said);
        // The manifest built in parses.
        assert!(manifest().is_ok());
    }

    fn fake_spec(bytes: &[u8]) -> ModelSpec {
        ModelSpec {
            name: "m".into(),
            file: "m.onnx".into(),
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as u64,
            inputs: vec![],
            outputs: vec![],
            roles: Default::default(),
            source: String::new(),
            license: String::new(),
        }
    }

    #[test]
    fn verify_accepts_exact_bytes() {
        let b = b"model bytes";
        verify(&fake_spec(b), Path::new("m.onnx"), b).unwrap();
    }

    #[test]
    fn verify_refuses_truncated_and_altered_files() {
        let b = b"model bytes";
        let spec = fake_spec(b);
        let e = verify(&spec, Path::new("/x/m.onnx"), &b[..5]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("corrupt or truncated") && msg.ends_with("/x/m.onnx"),
            "{msg}"
        );
        assert!(verify(&spec, Path::new("m.onnx"), b"model bytez").is_err());
    }

    #[test]
    fn explicit_dir_is_the_only_place_looked() {
        let d = candidate_dirs(
            Some(Path::new("/flag")),
            Some(Path::new("/env")),
            Some(Path::new("/exe")),
        );
        assert_eq!(d, vec![PathBuf::from("/flag")]);
        let d = candidate_dirs(None, Some(Path::new("/env")), None);
        assert_eq!(d, vec![PathBuf::from("/env")]);
        let d = candidate_dirs(None, None, Some(Path::new("/exe")));
        assert_eq!(d[0], PathBuf::from("/exe"));
        assert!(d.iter().any(|p| p.ends_with("models")));
    }

    #[test]
    fn every_manifest_model_is_present_and_intact() {
        let dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("models")];
        for m in &manifest().unwrap().models {
            load(&m.name, &dirs).unwrap();
        }
    }

    #[test]
    fn missing_model_lists_paths_tried() {
        let Ok(spec) = spec(DETECTOR) else {
            return;
        };
        let e = load(DETECTOR, &[PathBuf::from("/nowhere")]).unwrap_err();
        assert!(e.to_string().contains(&format!("/nowhere/{}", spec.file)));
    }
}
