#!/bin/sh
# Runs inside the camera VM (see vm.sh), as root, in the shared results folder.
# Needs HUNCH (the binary under test). Every scenario leaves its evidence in
# files here; tests/camera_vm.rs reads them and judges. Waits are on
# conditions, with generous caps only so a broken binary cannot hang the VM.
set -u
: "${HUNCH:?HUNCH must name the hunch binary}"
export RUST_LOG=hunch=info
# Inference under TCG emulation takes many seconds a frame: the smallest
# model, one frame every few seconds, and no window or history.
# (A variable, not a function: `$!` must be hunch itself, not a subshell.)
LIVE="--no-window --no-history --model lite --fps 0.2"
now() { date +%s.%N; }
# wait_for PID FILE PATTERN [COUNT]: until COUNT (default 1) lines of FILE
# match, or the process ended (or 15 minutes passed: a hung binary).
wait_for() {
  i=0
  while [ "$(cat "$2" 2>/dev/null | grep -c "$3")" -lt "${4:-1}" ]; do
    kill -0 "$1" 2>/dev/null || { echo "guest: hunch ended before $3 in $2"; return 1; }
    i=$((i + 1)); [ "$i" -gt 9000 ] && { echo "guest: gave up waiting for $3 in $2"; return 1; }
    sleep 0.1
  done
}
# stop_hunch PID NAME: Ctrl-C, then its exit status in NAME.rc.
stop_hunch() { kill -INT "$1"; wait "$1"; echo $? > "$2.rc"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo "guest: start $(now)"

# --- listing ---------------------------------------------------------------
"$HUNCH" cameras > cameras.txt 2> cameras.err; echo $? > cameras.rc

# --- raw frames of each pixel format, for the conversion check -------------
mkdir -p raw
for f in YUYV NV12 RGB3 BGR3 GREY; do
  v4l2-ctl -d /dev/video0 -v "width=640,height=480,pixelformat=$f" \
    --stream-mmap --stream-count=1 --stream-skip=2 --stream-to="raw/$f.raw" > /dev/null 2>&1
  v4l2-ctl -d /dev/video0 --get-fmt-video > "raw/$f.fmt" 2>&1
done
echo "guest: raw frames done $(now)"

# --- format choice: 1280x720 (offered up to 25 fps), Ctrl-C exits 0 ----------
# vivid was left in GREY above, a format nokhwa has no name for.
"$HUNCH" $LIVE --resolution 1280x720 --events res720.jsonl > res720.out 2> res720.err &
p=$!
wait_for $p res720.jsonl '"start"'; stop_hunch $p res720
echo "guest: 1280x720 done $(now)"

# --- format choice: 333x222 (not offered) ----------------------------------
"$HUNCH" $LIVE --resolution 333x222 --events res333.jsonl > res333.out 2> res333.err &
p=$!
wait_for $p res333.jsonl '"start"'; kill -KILL $p; wait $p 2>/dev/null
echo "guest: 333x222 done $(now)"

# --- the long run: 60 fps asked (640x480 offers 25) --------------------------
"$HUNCH" $LIVE --camera-fps 60 --events main.jsonl > main.out 2> main.err &
p=$!
wait_for $p main.jsonl '"start"'
# A second hunch on the busy camera.
t0=$(now)
"$HUNCH" $LIVE --events busy.jsonl > busy.out 2> busy.err; echo $? > busy.rc
echo "$(now) - $t0" > busy.seconds
wait_for $p main.jsonl '"metrics"'
# CPU of the capture thread (25 fps, 640x480, every frame copied) and of the
# whole process over 10 s while inference runs at --fps 0.2.
tid=$(grep -l '^camera-' /proc/$p/task/*/comm | head -1 | cut -d/ -f5)
clk=$(getconf CLK_TCK)
c0=$(cpu_ticks "$p/task/$tid"); a0=$(cpu_ticks $p); w0=$(now)
sleep 10
c1=$(cpu_ticks "$p/task/$tid"); a1=$(cpu_ticks $p); w1=$(now)
echo "capture_thread_cpu_s $(( c1 - c0 )) $clk" > cpu.txt
echo "process_cpu_s $(( a1 - a0 )) $clk" >> cpu.txt
echo "wall_s $w0 $w1" >> cpu.txt
# Unplug mid-run; hunch notices at its next turn.
n=$(grep -c '"metrics"' main.jsonl)
echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind
echo "unplugged $(now)" > outage.txt
wait_for $p main.jsonl '"lost"'
echo "lost_seen $(now)" >> outage.txt
l0=$(cpu_ticks $p); lw0=$(now)
sleep 5
l1=$(cpu_ticks $p); lw1=$(now)
echo "waiting_cpu_s $(( l1 - l0 )) $clk $lw0 $lw1" >> outage.txt
echo vivid.0 > /sys/bus/platform/drivers/vivid/bind
echo "replugged $(now)" >> outage.txt
wait_for $p main.jsonl '"back"'
echo "back_seen $(now)" >> outage.txt
echo "guest: outage done $(now) (metrics before unplug: $n)"
# --- a fatal streaming error injected by vivid: lost, reopened, back --------
# (noticed at hunch's next turn, after it judged a frame: the loop goes on)
v4l2-ctl -d /dev/video0 -c inject_fatal_streaming_error=1 > inject.out 2>&1; echo $? > inject.rc
wait_for $p main.jsonl '"lost"' 2
wait_for $p main.jsonl '"back"' 2
echo "guest: injected error done $(now)"
stop_hunch $p main
echo "guest: end $(now)"
