#!/usr/bin/env python3
"""Times MediaPipe 0.10.14's Python Pose solution per frame, the way
`hunch bench pipeline` times ours, on the same frames.

    python3 benches/compare_mediapipe.py --input VIDEO_OR_IMAGE_DIR [--reps 3]

Creates benches/.venv (Python 3.11) with mediapipe==0.10.14 the first time,
using models/.cache/mediapipe-0.10.14-*.whl when present (the file
models/convert.sh downloads), and re-runs itself inside it.

Frames are decoded before timing: videos with the ffmpeg command as raw RGB
(as hunch does), images with PIL after EXIF orientation (libjpeg-turbo, the
decoder hunch's stills match). Both modes use `model_complexity=1` (the full
landmark model):

- video: `static_image_mode=False` (tracking; the detector runs only when
  the person is lost), a fresh solution per pass, frames in order;
- still: `static_image_mode=True` (detector + landmarks on every frame).

One untimed warm-up pass, then REPS timed passes. Prints one line per mode:
    mediapipe mode=video model=full frames=65 reps=3 median_ms=... mean_ms=... p90_ms=... found=65
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(HERE, ".venv")
VENV_PY = os.path.join(VENV, "bin", "python")
MEDIAPIPE = "mediapipe==0.10.14"


def ensure_venv():
    """Re-executes this script inside benches/.venv, creating it if needed."""
    if os.path.abspath(sys.prefix) == os.path.abspath(VENV):
        return
    if not os.path.exists(VENV_PY):
        python = None
        for candidate in ("python3.11", "python3"):
            try:
                out = subprocess.run(
                    [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
                    capture_output=True, text=True, check=True)
                if out.stdout.strip() == "True":
                    python = candidate
                    break
            except (OSError, subprocess.CalledProcessError):
                continue
        if python is None:
            sys.exit("compare_mediapipe: mediapipe 0.10.14 needs Python 3.11; install python3.11")
        print("compare_mediapipe: creating benches/.venv with " + MEDIAPIPE, file=sys.stderr)
        subprocess.run([python, "-m", "venv", VENV], check=True)
        wheels = sorted(glob.glob(os.path.join(ROOT, "models", ".cache", "mediapipe-0.10.14-*.whl")))
        spec = wheels[0] if wheels else MEDIAPIPE
        # mediapipe 0.10.14 is built against numpy 1.x.
        subprocess.run([VENV_PY, "-m", "pip", "install", "--quiet", spec, "numpy<2", "pillow"],
                       check=True)
    os.execv(VENV_PY, [VENV_PY] + sys.argv)


def video_frames(path):
    import numpy as np
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height,avg_frame_rate", "-of", "json", path],
        capture_output=True, text=True, check=True)
    stream = json.loads(probe.stdout)["streams"][0]
    num, den = stream.get("avg_frame_rate", "30/1").split("/")
    fps = float(num) / float(den) if float(den) else 30.0
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-threads", "1", "-i", path,
         "-an", "-sn", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True).stdout
    w, h = int(stream["width"]), int(stream["height"])
    n = len(raw) // (w * h * 3)
    if n * w * h * 3 != len(raw):
        # ffmpeg rotated the picture (rotation metadata): swap the sides.
        w, h = h, w
        n = len(raw) // (w * h * 3)
    frames = np.frombuffer(raw[: n * w * h * 3], np.uint8).reshape(n, h, w, 3)
    return [np.ascontiguousarray(f) for f in frames], fps


IMAGE_EXT = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif")


def image_frames(path):
    import numpy as np
    from PIL import Image, ImageOps
    if os.path.isdir(path):
        files = sorted(f for f in glob.glob(os.path.join(path, "*")) if f.lower().endswith(IMAGE_EXT))
    else:
        files = [path]
    frames = []
    for f in files:
        with Image.open(f) as im:
            frames.append(np.asarray(ImageOps.exif_transpose(im).convert("RGB")).copy())
    return frames, 30.0


def summarize(times_s):
    ms = sorted(t * 1000.0 for t in times_s)
    pick = lambda p: ms[round((len(ms) - 1) * p)]
    return pick(0.5), sum(ms) / len(ms), pick(0.9)


def time_mode(frames, static, reps):
    import mediapipe as mp
    times = []
    found = 0
    for rep in range(reps + 1):
        with mp.solutions.pose.Pose(static_image_mode=static, model_complexity=1) as pose:
            for f in frames:
                start = time.perf_counter()
                result = pose.process(f)
                elapsed = time.perf_counter() - start
                if rep == 0:
                    found += result.pose_landmarks is not None
                else:
                    times.append(elapsed)
    return summarize(times), found


def main():
    ensure_venv()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", required=True, help="video file, image or folder of images")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("GLOG_minloglevel", "2")
    is_images = os.path.isdir(args.input) or args.input.lower().endswith(IMAGE_EXT)
    frames, _ = image_frames(args.input) if is_images else video_frames(args.input)
    if not frames:
        sys.exit(f"compare_mediapipe: no frames in {args.input}")
    for mode, static in (("video", False), ("still", True)):
        (median, mean, p90), found = time_mode(frames, static, args.reps)
        print(f"mediapipe mode={mode} model=full frames={len(frames)} reps={args.reps} "
              f"median_ms={median:.3f} mean_ms={mean:.3f} p90_ms={p90:.3f} found={found}",
              flush=True)


if __name__ == "__main__":
    main()
