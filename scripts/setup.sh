#!/usr/bin/env bash
# Installs what hunch needs to build, run and test, once; quick when run again.
#
#   - Debian packages: libclang (nokhwa's V4L bindings are generated at build
#     time), ffmpeg (video files), xvfb + xauth + imagemagick (window tests and
#     screenshots), libx11-6 + libxcursor1 (loaded by the window at run time),
#     dbus-daemon (a private session bus for the tray and screen-lock tests),
#     x11-utils (xwininfo, xprop: the compact window test).
#   - ONNX Runtime 1.31.1, taken from PyPI's onnxruntime wheel (no download
#     from anywhere else), into ~/.local/share/hunch/onnxruntime/.
#
# Usage: scripts/setup.sh [--quiet]
set -euo pipefail

ORT_VERSION=1.31.1
quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1
say() { [ "$quiet" = 1 ] || echo "setup: $*" >&2; }

data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
ort_dir="$data_home/hunch/onnxruntime"
ort_lib="$ort_dir/libonnxruntime.so"

# --- Debian packages -------------------------------------------------------
need_pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in libclang1-14 ffmpeg xvfb xauth imagemagick libx11-6 libxcursor1 dbus-daemon x11-utils python3-pip; do
  if [ "$pkg" = python3-pip ] && python3 -m pip --version >/dev/null 2>&1; then continue; fi
  have_pkg "$pkg" || need_pkgs+=("$pkg")
done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: please install these packages with your package manager: ${need_pkgs[*]}" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "setup: run as root, or install: apt-get install ${need_pkgs[*]}" >&2
      exit 1
    fi
  fi
  say "installing Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# --- ONNX Runtime ----------------------------------------------------------
if [ -f "$ort_lib" ] && [ -f "$ort_dir/VERSION" ] && [ "$(cat "$ort_dir/VERSION")" = "$ORT_VERSION" ]; then
  say "ONNX Runtime $ORT_VERSION already in $ort_dir"
else
  say "fetching ONNX Runtime $ORT_VERSION from PyPI's onnxruntime wheel"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux_2_28_x86_64 \
    "onnxruntime==$ORT_VERSION" -d "$tmp"
  mkdir -p "$ort_dir"
  python3 - "$tmp" "$ort_dir" "$ORT_VERSION" <<'PY'
import glob, shutil, sys, zipfile
tmp, dest, version = sys.argv[1:]
wheel = glob.glob(f"{tmp}/onnxruntime-*.whl")[0]
name = f"onnxruntime/capi/libonnxruntime.so.{version}"
with zipfile.ZipFile(wheel) as z, z.open(name) as src, open(f"{dest}/libonnxruntime.so.tmp", "wb") as out:
    shutil.copyfileobj(src, out)
PY
  mv "$ort_dir/libonnxruntime.so.tmp" "$ort_lib"
  echo "$ORT_VERSION" > "$ort_dir/VERSION"
  say "installed $ort_lib"
fi
