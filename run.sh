#!/usr/bin/env bash
# The run command: installs what is missing (first time only), builds, starts hunch.
# Any arguments go to hunch, e.g. ./run.sh --input video.mp4
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --quiet
cargo build --release --quiet
exec target/release/hunch "$@"
