#!/bin/sh
# Screenshots of every panel of the built kdw-gui (builds nothing).
#   scripts/screenshots.sh [BUILD_DIR] [WORKSPACE] [OUT_DIR]
# Runs kdw-gui --screenshot-dir under the offscreen platform. With a workspace it takes a tour:
# welcome, data (the demo file loaded), teacher, logits, distill (the newest run's curves),
# compress (the newest run open, weak units picked by the threshold, then Cut & Evaluate, which
# writes cut_model_distill_*.pt and cut_report.json into that run), runs (the newest run's
# curves), compare (the two newest runs), distill-live (a short training run caught in progress;
# its run folder goes to a temporary directory).
# Without a workspace only welcome.png is taken. The workspace should hold two or more runs.
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
# Keep them small for the README: a 256-colour palette (pngquant, else ImageMagick; without
# either the PNGs stay as Qt wrote them, about 2-3 times larger).
if command -v pngquant >/dev/null 2>&1; then
  for f in "$out"/*.png; do
    pngquant --force --skip-if-larger --quality 60-95 --speed 1 --strip --output "$f" "$f" || true
  done
elif command -v mogrify >/dev/null 2>&1; then
  mogrify -strip -colors 256 "$out"/*.png 2>/dev/null || true
else
  echo "note: neither pngquant nor ImageMagick found; PNGs are not reduced" >&2
fi
ls -l "$out"
