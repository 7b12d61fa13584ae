#!/bin/sh
# Screenshots of every panel of the built kdw-gui (builds nothing).
#   scripts/screenshots.sh [BUILD_DIR] [WORKSPACE] [OUT_DIR]
# Runs kdw-gui --screenshot-dir under the offscreen platform: it opens each panel, lets it settle
# and saves welcome.png, data.png, ... Without a workspace only the welcome page is taken.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
workspace=${2:-}
out=${3:-$here/docs/screenshots}
exe=$build/app/gui/kdw-gui
[ -x "$exe" ] || { echo "$exe: not built (cmake --build $build --target kdw-gui)" >&2; exit 1; }
mkdir -p "$out"
# A private settings folder, so screenshots neither use nor change the user's preferences.
XDG_CONFIG_HOME=$(mktemp -d)
export XDG_CONFIG_HOME
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT
if [ -n "$workspace" ]; then
  QT_QPA_PLATFORM=offscreen "$exe" --workspace "$workspace" --screenshot-dir "$out"
else
  QT_QPA_PLATFORM=offscreen "$exe" --screenshot-dir "$out"
fi
# Keep them small for the README.
if command -v mogrify >/dev/null 2>&1; then
  mogrify -strip -colors 256 "$out"/*.png 2>/dev/null || true
fi
ls -l "$out"
