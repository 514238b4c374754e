#!/usr/bin/env bash
# The test command: installs what is missing (first time only), then checks
# formatting, lints and runs the whole test suite (window tests under Xvfb).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --quiet
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
xvfb-run -a -s "-screen 0 1280x800x24" cargo test --all-targets --quiet
# Doc tests are not covered by --all-targets.
cargo test --doc --quiet
