#!/usr/bin/env bash
# The test command: installs what is missing (first time only), then checks
# formatting, lints and runs the whole test suite (window tests under Xvfb).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --quiet
# The camera tests' VM (tests/camera_vm.rs): installs QEMU and Debian's kernel
# the first time; prints one SKIP line where this machine cannot run it.
tests/camera_vm/vm.sh setup || [ $? = 77 ]
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
xvfb-run -a -s "-screen 0 1280x800x24" cargo test --all-targets --quiet
# Doc tests are not covered by --all-targets.
cargo test --doc --quiet
