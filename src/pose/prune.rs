//! Cutting an ONNX model down to the outputs we read.
//!
//! ONNX Runtime computes every node of a graph whatever outputs are asked
//! for. BlazePose's landmark models also predict a 256x256 segmentation
//! mask we never use, and that branch is about half of the full model's
//! work (measured: 16.5 ms -> 8.8 ms per run on one core). So before the
//! session is made, the graph is rewritten in memory to keep only the nodes
//! the wanted outputs depend on, with their initializers. The model file
//! itself (checked by sha256) is untouched.
//!
//! This edits the protobuf wire format directly (ModelProto.graph = 7;
//! GraphProto.node = 1, initializer = 5, output = 12, value_info = 13;
//! NodeProto.input = 1, output = 2, op_type = 4; ValueInfoProto.name = 1;
//! TensorProto.name = 8), copying every other field byte for byte.

use std::collections::HashSet;

/// Why a model could not be pruned (the caller then uses it whole).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PruneError {
    #[error("not a valid ONNX protobuf ({0})")]
    Malformed(&'static str),
    #[error("the graph has no output named {0}")]
    NoSuchOutput(String),
    #[error("the graph has control flow ({0}), which is not pruned")]
    ControlFlow(String),
}

const WIRE_VARINT: u8 = 0;
const WIRE_I64: u8 = 1;
const WIRE_LEN: u8 = 2;
const WIRE_I32: u8 = 5;

/// One field of a protobuf message: its number, wire type, the whole
/// encoded field (key included) and, for length-delimited fields, the payload.
#[derive(Clone, Copy, Debug)]
struct Field<'a> {
    number: u64,
    wire: u8,
    raw: &'a [u8],
    payload: &'a [u8],
}

fn read_varint(buf: &[u8], pos: &mut usize) -> Result<u64, PruneError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *buf
            .get(*pos)
            .ok_or(PruneError::Malformed("truncated varint"))?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(PruneError::Malformed("varint too long"))
}

fn write_varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn fields(buf: &[u8]) -> Result<Vec<Field<'_>>, PruneError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let start = pos;
        let key = read_varint(buf, &mut pos)?;
        let number = key >> 3;
        let wire = (key & 7) as u8;
        let mut payload: &[u8] = &[];
        match wire {
            WIRE_VARINT => {
                read_varint(buf, &mut pos)?;
            }
            WIRE_I64 => pos += 8,
            WIRE_I32 => pos += 4,
            WIRE_LEN => {
                let len = usize::try_from(read_varint(buf, &mut pos)?)
                    .map_err(|_| PruneError::Malformed("length too large"))?;
                let end = pos
                    .checked_add(len)
                    .ok_or(PruneError::Malformed("length too large"))?;
                payload = buf
                    .get(pos..end)
                    .ok_or(PruneError::Malformed("truncated field"))?;
                pos = end;
            }
            _ => return Err(PruneError::Malformed("unsupported wire type")),
        }
        let raw = buf
            .get(start..pos)
            .ok_or(PruneError::Malformed("truncated field"))?;
        out.push(Field {
            number,
            wire,
            raw,
            payload,
        });
    }
    Ok(out)
}

fn strings(msg: &[u8], number: u64) -> Result<Vec<&str>, PruneError> {
    Ok(fields(msg)?
        .into_iter()
        .filter(|f| f.number == number && f.wire == WIRE_LEN)
        .map(|f| std::str::from_utf8(f.payload).unwrap_or(""))
        .collect())
}

fn first_string(msg: &[u8], number: u64) -> Result<&str, PruneError> {
    Ok(strings(msg, number)?.first().copied().unwrap_or(""))
}

fn push_len_field(number: u64, payload: &[u8], out: &mut Vec<u8>) {
    write_varint((number << 3) | u64::from(WIRE_LEN), out);
    write_varint(payload.len() as u64, out);
    out.extend_from_slice(payload);
}

mod tag {
    pub const MODEL_GRAPH: u64 = 7;
    pub const GRAPH_NODE: u64 = 1;
    pub const GRAPH_INITIALIZER: u64 = 5;
    pub const GRAPH_OUTPUT: u64 = 12;
    pub const GRAPH_VALUE_INFO: u64 = 13;
    pub const NODE_INPUT: u64 = 1;
    pub const NODE_OUTPUT: u64 = 2;
    pub const NODE_OP_TYPE: u64 = 4;
    pub const VALUE_INFO_NAME: u64 = 1;
    pub const TENSOR_NAME: u64 = 8;
}

fn prune_graph(graph: &[u8], keep: &[&str]) -> Result<Vec<u8>, PruneError> {
    let graph_fields = fields(graph)?;
    let outputs: Vec<&str> = graph_fields
        .iter()
        .filter(|f| f.number == tag::GRAPH_OUTPUT && f.wire == WIRE_LEN)
        .map(|f| first_string(f.payload, tag::VALUE_INFO_NAME))
        .collect::<Result<_, _>>()?;
    for k in keep {
        if !outputs.contains(k) {
            return Err(PruneError::NoSuchOutput((*k).to_string()));
        }
    }
    // Walk the nodes backwards from the wanted outputs (ONNX lists nodes in
    // topological order), collecting every value they need.
    let nodes: Vec<&Field> = graph_fields
        .iter()
        .filter(|f| f.number == tag::GRAPH_NODE && f.wire == WIRE_LEN)
        .collect();
    let mut needed: HashSet<&str> = keep.iter().copied().collect();
    let mut keep_node = vec![false; nodes.len()];
    for (i, node) in nodes.iter().enumerate().rev() {
        let op = first_string(node.payload, tag::NODE_OP_TYPE)?;
        if matches!(op, "If" | "Loop" | "Scan") {
            return Err(PruneError::ControlFlow(op.to_string()));
        }
        let outs = strings(node.payload, tag::NODE_OUTPUT)?;
        if outs.iter().any(|o| needed.contains(o)) {
            keep_node[i] = true;
            needed.extend(strings(node.payload, tag::NODE_INPUT)?);
        }
    }
    let mut out = Vec::with_capacity(graph.len());
    let mut node_i = 0;
    for f in &graph_fields {
        let keep_field = match (f.number, f.wire) {
            (tag::GRAPH_NODE, WIRE_LEN) => {
                node_i += 1;
                keep_node[node_i - 1]
            }
            (tag::GRAPH_INITIALIZER, WIRE_LEN) => {
                needed.contains(first_string(f.payload, tag::TENSOR_NAME)?)
            }
            (tag::GRAPH_OUTPUT, WIRE_LEN) => {
                keep.contains(&first_string(f.payload, tag::VALUE_INFO_NAME)?)
            }
            (tag::GRAPH_VALUE_INFO, WIRE_LEN) => {
                needed.contains(first_string(f.payload, tag::VALUE_INFO_NAME)?)
            }
            _ => true,
        };
        if keep_field {
            out.extend_from_slice(f.raw);
        }
    }
    Ok(out)
}

/// Returns `model` (ONNX ModelProto bytes) with only the nodes, initializers
/// and outputs needed to compute the graph outputs named in `keep`.
pub fn prune_outputs(model: &[u8], keep: &[&str]) -> Result<Vec<u8>, PruneError> {
    let model_fields = fields(model)?;
    let mut out = Vec::with_capacity(model.len());
    let mut seen_graph = false;
    for f in &model_fields {
        if f.number == tag::MODEL_GRAPH && f.wire == WIRE_LEN {
            seen_graph = true;
            let graph = prune_graph(f.payload, keep)?;
            push_len_field(tag::MODEL_GRAPH, &graph, &mut out);
        } else {
            out.extend_from_slice(f.raw);
        }
    }
    if !seen_graph {
        return Err(PruneError::Malformed("no graph"));
    }
    Ok(out)
}

/// The names of the nodes (by their first output) and graph outputs of a
/// model, for tests and diagnostics.
pub fn describe(model: &[u8]) -> Result<(Vec<String>, Vec<String>), PruneError> {
    let mut nodes = Vec::new();
    let mut outputs = Vec::new();
    for f in fields(model)? {
        if f.number != tag::MODEL_GRAPH || f.wire != WIRE_LEN {
            continue;
        }
        for g in fields(f.payload)? {
            match (g.number, g.wire) {
                (tag::GRAPH_NODE, WIRE_LEN) => nodes.push(
                    strings(g.payload, tag::NODE_OUTPUT)?
                        .first()
                        .copied()
                        .unwrap_or("")
                        .to_string(),
                ),
                (tag::GRAPH_OUTPUT, WIRE_LEN) => {
                    outputs.push(first_string(g.payload, tag::VALUE_INFO_NAME)?.to_string())
                }
                _ => {}
            }
        }
    }
    Ok((nodes, outputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(fields: &[(u64, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (n, p) in fields {
            push_len_field(*n, p, &mut out);
        }
        out
    }

    fn node(op: &str, inputs: &[&str], outputs: &[&str]) -> Vec<u8> {
        let mut f: Vec<(u64, &[u8])> = Vec::new();
        for i in inputs {
            f.push((tag::NODE_INPUT, i.as_bytes()));
        }
        for o in outputs {
            f.push((tag::NODE_OUTPUT, o.as_bytes()));
        }
        f.push((tag::NODE_OP_TYPE, op.as_bytes()));
        msg(&f)
    }

    fn named(number: u64, name: &str) -> Vec<u8> {
        msg(&[(number, name.as_bytes())])
    }

    /// x -> A -> a -> B -> b (output); x -> C(w) -> c (output); plus a varint field.
    fn model(op_c: &str) -> Vec<u8> {
        let a = node("Relu", &["x"], &["a"]);
        let b = node("Relu", &["a"], &["b"]);
        let c = node(op_c, &["x", "w"], &["c"]);
        let w = named(tag::TENSOR_NAME, "w");
        let out_b = named(tag::VALUE_INFO_NAME, "b");
        let out_c = named(tag::VALUE_INFO_NAME, "c");
        let vi_c = named(tag::VALUE_INFO_NAME, "c");
        let graph = msg(&[
            (tag::GRAPH_NODE, &a),
            (tag::GRAPH_NODE, &b),
            (tag::GRAPH_NODE, &c),
            (2, b"g"),
            (tag::GRAPH_INITIALIZER, &w),
            (tag::GRAPH_OUTPUT, &out_b),
            (tag::GRAPH_OUTPUT, &out_c),
            (tag::GRAPH_VALUE_INFO, &vi_c),
        ]);
        let mut m = Vec::new();
        // ir_version = 8 (field 1, varint), before the graph.
        m.extend_from_slice(&[0x08, 0x08]);
        push_len_field(tag::MODEL_GRAPH, &graph, &mut m);
        m
    }

    #[test]
    fn keeps_only_what_the_outputs_need() {
        let m = model("Conv");
        let (nodes, outputs) = describe(&m).unwrap();
        assert_eq!(nodes, ["a", "b", "c"]);
        assert_eq!(outputs, ["b", "c"]);
        let p = prune_outputs(&m, &["b"]).unwrap();
        let (nodes, outputs) = describe(&p).unwrap();
        assert_eq!(nodes, ["a", "b"]);
        assert_eq!(outputs, ["b"]);
        // The initializer only C used and C's value_info are gone; the
        // graph name and the model's other fields are kept byte for byte.
        assert!(p.len() < m.len());
        assert_eq!(&p[..2], &[0x08, 0x08]);
        let graph = fields(&p).unwrap()[1].payload;
        let kinds: Vec<u64> = fields(graph).unwrap().iter().map(|f| f.number).collect();
        assert_eq!(kinds, [1, 1, 2, 12]);
    }

    #[test]
    fn keeping_everything_changes_nothing() {
        let m = model("Conv");
        assert_eq!(prune_outputs(&m, &["b", "c"]).unwrap(), m);
    }

    #[test]
    fn refuses_unknown_outputs_control_flow_and_garbage() {
        let m = model("Conv");
        assert_eq!(
            prune_outputs(&m, &["nope"]),
            Err(PruneError::NoSuchOutput("nope".into()))
        );
        assert!(matches!(
            prune_outputs(&model("If"), &["b"]),
            Err(PruneError::ControlFlow(_))
        ));
        assert!(prune_outputs(&m[..m.len() - 3], &["b"]).is_err());
        assert!(prune_outputs(&[0xff; 12], &["b"]).is_err());
        assert!(prune_outputs(&[], &["b"]).is_err());
    }

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut buf = Vec::new();
            write_varint(v, &mut buf);
            let mut pos = 0;
            assert_eq!(read_varint(&buf, &mut pos).unwrap(), v);
            assert_eq!(pos, buf.len());
        }
    }

    #[test]
    fn real_landmark_model_loses_its_segmentation_branch() {
        let dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models")];
        let Ok(bytes) = crate::models::load(crate::models::LANDMARK_FULL, &dirs) else {
            return;
        };
        let keep = ["Identity", "Identity_1", "Identity_3", "Identity_4"];
        let p = prune_outputs(&bytes, &keep).unwrap();
        let (before, _) = describe(&bytes).unwrap();
        let (after, outputs) = describe(&p).unwrap();
        assert_eq!(outputs, keep);
        assert!(
            after.len() < before.len(),
            "{} -> {}",
            before.len(),
            after.len()
        );
        assert!(p.len() < bytes.len());
    }
}
