#!/usr/bin/env bash
# Convert MediaPipe BlazePose TFLite models to ONNX, verify them against TFLite
# and rewrite manifest.json + README.md. Usage: models/convert.sh [--heavy] [--image PATH]
# Creates models/.venv from requirements.txt when missing or out of date;
# downloads are cached in models/.cache/ (both gitignored).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
export PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$here/.cache"

if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    py="${PYTHON:-python3}"
    if ! "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        echo "convert.sh: $py is not Python 3.11 (set PYTHON=python3.11)" >&2
        exit 1
    fi
    [[ -x "$venv/bin/python" ]] || "$py" -m venv "$venv"
    # Wheels are kept in .cache/wheels so a rebuilt venv needs no downloads.
    wheels="$here/.cache/wheels"
    mkdir -p "$wheels"
    echo "convert.sh: installing requirements.txt into $venv"
    if ! "$venv/bin/python" -m pip install --quiet --no-index --find-links "$wheels" \
            -r requirements.txt 2>/dev/null; then
        "$venv/bin/python" -m pip download --quiet --only-binary=:all: -d "$wheels" -r requirements.txt
        "$venv/bin/python" -m pip install --quiet --no-index --find-links "$wheels" -r requirements.txt
    fi
    echo "$want" > "$stamp"
fi

exec "$venv/bin/python" "$here/convert.py" "$@"
