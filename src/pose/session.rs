//! The ONNX Runtime edge: one model, one session, buffers made once.
//!
//! The session is created once; its input tensor and the outputs we read are
//! allocated once and reused on every run (ONNX Runtime writes into the
//! preallocated outputs), so inference allocates nothing frame-sized. Only
//! the outputs asked for are computed: the graph is pruned to them before
//! the session is made ([`prune`]), so the landmark model's segmentation
//! mask, which we never use, costs nothing.

use ort::session::builder::GraphOptimizationLevel;
use ort::session::{HasSelectedOutputs, OutputSelector, RunOptions, Session};
use ort::value::Tensor;

use crate::models::{self, ModelSpec};
use crate::runtime::Runtime;

use super::{PoseError, prune};

/// A loaded model with its reusable input and output buffers.
pub struct ModelSession {
    name: String,
    session: Session,
    input: Tensor<f32>,
    input_len: usize,
    run_options: RunOptions<HasSelectedOutputs>,
    /// Selected output names and their element counts, in request order.
    outputs: Vec<(String, usize)>,
}

fn load_err(model: &str) -> impl Fn(ort::Error) -> PoseError + '_ {
    move |e| PoseError::Load {
        model: model.to_string(),
        source: e,
    }
}

fn configure(
    b: ort::session::builder::SessionBuilder,
    threads: usize,
) -> Result<ort::session::builder::SessionBuilder, ort::Error> {
    Ok(b.with_optimization_level(GraphOptimizationLevel::All)?
        .with_intra_threads(threads.max(1))?
        .with_inter_threads(1)?
        // A monitor idles between frames: spinning threads would burn that time.
        .with_intra_op_spinning(false)?
        .with_inter_op_spinning(false)?)
}

fn numel(shape: &[i64]) -> usize {
    shape.iter().map(|&d| d.max(1) as usize).product()
}

impl ModelSession {
    /// Loads model `name` (checked against the manifest) from `dirs` and
    /// prepares to compute the outputs that play `roles` (manifest roles).
    pub fn open(
        rt: &Runtime,
        name: &str,
        dirs: &[std::path::PathBuf],
        roles: &[&str],
        threads: usize,
    ) -> Result<Self, PoseError> {
        let spec: &ModelSpec = models::spec(name)?;
        let bytes = models::load(name, dirs)?;
        let err = load_err(name);
        let wanted: Vec<&str> = roles
            .iter()
            .map(|role| spec.output_for(role))
            .collect::<Result<_, _>>()?;
        // Drop the graph branches whose outputs we never read (the landmark
        // models' segmentation mask is half their work).
        let pruned = match prune::prune_outputs(&bytes, &wanted) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!("running model {name} whole: cannot prune it ({e})");
                None
            }
        };
        let session = Session::builder(&rt.env)
            .map_err(&err)
            .and_then(|b| configure(b, threads).map_err(&err))?
            .commit_from_memory(pruned.as_deref().unwrap_or(&bytes))
            .map_err(&err)?;

        let input_spec = spec.inputs.first().ok_or_else(|| {
            PoseError::Model(models::ModelError::Manifest(format!(
                "model {name} lists no input"
            )))
        })?;
        let input_shape: Vec<usize> = input_spec
            .shape
            .iter()
            .map(|&d| d.max(1) as usize)
            .collect();
        let input =
            Tensor::<f32>::new(session.allocator(), input_shape.as_slice()).map_err(&err)?;

        let mut selector = OutputSelector::no_default();
        let mut outputs = Vec::new();
        for out_name in wanted {
            let out_spec = spec
                .outputs
                .iter()
                .find(|o| o.name == out_name)
                .ok_or_else(|| {
                    PoseError::Model(models::ModelError::Manifest(format!(
                        "model {name} has no output {out_name}"
                    )))
                })?;
            let shape: Vec<usize> = out_spec.shape.iter().map(|&d| d.max(1) as usize).collect();
            let buf = Tensor::<f32>::new(session.allocator(), shape.as_slice()).map_err(&err)?;
            selector = selector.with(out_name).preallocate(out_name, buf);
            outputs.push((out_name.to_string(), numel(&out_spec.shape)));
        }
        let run_options = RunOptions::new().map_err(&err)?.with_outputs(selector);
        Ok(ModelSession {
            name: name.to_string(),
            session,
            input,
            input_len: numel(&input_spec.shape),
            run_options,
            outputs,
        })
    }

    /// The input buffer (NHWC floats) to fill before [`ModelSession::run`].
    pub fn input_mut(&mut self) -> &mut [f32] {
        let (_, data) = self.input.extract_tensor_mut();
        data
    }

    /// Number of input values.
    pub fn input_len(&self) -> usize {
        self.input_len
    }

    /// Runs the model and hands the selected outputs, in the order of the
    /// roles given to [`ModelSession::open`], to `read`.
    pub fn run<R>(&mut self, read: impl FnOnce(&[&[f32]]) -> R) -> Result<R, PoseError> {
        let name = &self.name;
        let outputs = self
            .session
            .run_with_options(ort::inputs![&self.input], &self.run_options)
            .map_err(|e| PoseError::Inference {
                model: name.clone(),
                source: e,
            })?;
        let mut slices: [&[f32]; 8] = [&[]; 8];
        for (i, (out_name, len)) in self.outputs.iter().enumerate().take(slices.len()) {
            let value = outputs
                .get(out_name.as_str())
                .ok_or_else(|| PoseError::MissingOutput {
                    model: name.clone(),
                    output: out_name.clone(),
                })?;
            let (_, data) =
                value
                    .try_extract_tensor::<f32>()
                    .map_err(|e| PoseError::Inference {
                        model: name.clone(),
                        source: e,
                    })?;
            if data.len() != *len {
                return Err(PoseError::OutputShape {
                    model: name.clone(),
                    output: out_name.clone(),
                    expected: *len,
                    got: data.len(),
                });
            }
            slices[i] = data;
        }
        Ok(read(&slices[..self.outputs.len().min(slices.len())]))
    }
}

impl std::fmt::Debug for ModelSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelSession")
            .field("name", &self.name)
            .field("outputs", &self.outputs)
            .finish()
    }
}
