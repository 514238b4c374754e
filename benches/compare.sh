#!/usr/bin/env bash
# Our pose pipeline against MediaPipe 0.10.14's Python Pose solution: same
# full model, same frames, same machine, same run; video (tracking) and
# still mode; ours with 1 and 2 threads. Prints per-frame medians and the
# ratio ours / MediaPipe (targets: <= 0.6 video, <= 0.7 still).
#
#   benches/compare.sh [INPUT] [ROUNDS]
#
# INPUT: a video or a folder of images [default: ../shared/data/video/pose_squats.mp4]
# ROUNDS: how often to alternate ours and MediaPipe; medians of the rounds
#         are compared, which evens out other load on the machine [default: 3]
set -euo pipefail
cd "$(dirname "$0")/.."
INPUT=${1:-../shared/data/video/pose_squats.mp4}
ROUNDS=${2:-3}
[ -e "$INPUT" ] || { echo "compare.sh: input not found: $INPUT" >&2; exit 1; }

# `hunch bench pipeline` is test kit: built with the testkit feature (this
# replaces target/release/hunch with a build that has it).
cargo build --release --features testkit --quiet
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for round in $(seq "$ROUNDS"); do
    echo "round $round/$ROUNDS..." >&2
    for threads in 1 2; do
        target/release/hunch --threads "$threads" bench pipeline --input "$INPUT" | sed "s/^/round=$round /" >>"$out"
    done
    python3 benches/compare_mediapipe.py --input "$INPUT" | sed "s/^/round=$round /" >>"$out"
done

python3 - "$out" <<'EOF'
import statistics, sys
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    d = dict(kv.split("=", 1) for kv in f if "=" in kv)
    d["who"] = f[1]
    rows.append(d)
def med(who, mode, threads=None):
    v = [float(r["median_ms"]) for r in rows
         if r["who"] == who and r["mode"] == mode and (threads is None or r.get("threads") == threads)]
    return statistics.median(v), v
print(f"{'mode':6} {'who':22} {'ms/frame (median of rounds)':>28}  rounds")
target = {"video": 0.6, "still": 0.7}
for mode in ("video", "still"):
    mp, mpv = med("mediapipe", mode)
    print(f"{mode:6} {'mediapipe 0.10.14':22} {mp:28.2f}  {' '.join(f'{x:.1f}' for x in mpv)}")
    for t in ("1", "2"):
        ours, ov = med("pipeline", mode, t)
        ratio = ours / mp
        ok = "ok" if ratio <= target[mode] else "MISSES"
        print(f"{mode:6} {'hunch, ' + t + ' thread(s)':22} {ours:28.2f}  {' '.join(f'{x:.1f}' for x in ov)}"
              f"   ratio {ratio:.2f} (target <= {target[mode]}: {ok})")
EOF
