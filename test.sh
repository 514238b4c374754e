#!/usr/bin/env bash
# The test command: installs what is missing (first time only), then checks
# formatting, lints and runs the whole test suite (window tests under Xvfb).
#
# Tests that need ../shared/data skip when it is absent; every skip is noted
# in a file (HUNCH_SKIP_LOG) and counted on the last lines, so a run without
# the data never reads as a full pass. HUNCH_REQUIRE_DATA=1 (set by CI) makes
# such a skip a failure.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --quiet
# The camera tests' VM (tests/camera_vm.rs): installs QEMU and Debian's kernel
# the first time; prints one SKIP line where this machine cannot run it.
tests/camera_vm/vm.sh setup || [ $? = 77 ]
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings

HUNCH_SKIP_LOG="$(mktemp -t hunch-skips.XXXXXX)"
export HUNCH_SKIP_LOG
skip_summary() {
    local status=$? data other
    data=$(grep -c '^data' "$HUNCH_SKIP_LOG" || true)
    other=$(grep -c '^other' "$HUNCH_SKIP_LOG" || true)
    if [ "$other" -gt 0 ]; then
        echo "$other tests skipped for other reasons:"
        grep '^other' "$HUNCH_SKIP_LOG" | cut -f2- | sed 's/^/  /'
    fi
    echo "$data tests skipped: shared data absent"
    if [ "$data" -gt 0 ] && [ "${HUNCH_REQUIRE_DATA:-}" = 1 ]; then
        echo "HUNCH_REQUIRE_DATA=1: the shared data must be present (../shared/data or HUNCH_SHARED_DATA)"
        status=1
    fi
    rm -f "$HUNCH_SKIP_LOG"
    exit "$status"
}
trap skip_summary EXIT

xvfb-run -a -s "-screen 0 1280x800x24" cargo test --all-targets --no-fail-fast --quiet
# Doc tests are not covered by --all-targets.
cargo test --doc --quiet
