#!/bin/sh
# Screenshots of every panel of the built kdw-gui (builds nothing).
#   scripts/screenshots.sh [BUILD_DIR] [WORKSPACE] [OUT_DIR]
# Runs kdw-gui --screenshot-dir under the offscreen platform. With a workspace it takes a tour:
# welcome, data (the demo file loaded), teacher, logits, distill (the newest run's curves),
# compress (the newest run open, weak units picked by the threshold, then Cut & Evaluate, which
# writes cut_model_distill_*.pt and cut_report.json into that run), runs (the newest run's
# curves), compare (the two newest runs), distill-live (a short training run caught in progress;
# its run folder goes to a temporary directory).
# Each picture is taken at every size of KDW_SCREENSHOT_SIZES (default "1024x700 1600x1000") and
# saved as NAME-WxH.png (data-1024x700.png, ...).
# Without a workspace only welcome is taken. The workspace should hold two or more runs; a
# picture whose state cannot come (no runs, a panel still off) is skipped at once and named.
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
shots=$(mktemp -d)
trap 'rm -rf "$XDG_CONFIG_HOME" "$shots"' EXIT
for size in ${KDW_SCREENSHOT_SIZES:-1024x700 1600x1000}; do
  rm -f "$shots"/*.png
  if [ -n "$workspace" ]; then
    QT_QPA_PLATFORM=offscreen "$exe" --workspace "$workspace" --screenshot-dir "$shots" \
      --screenshot-size "$size"
  else
    QT_QPA_PLATFORM=offscreen "$exe" --screenshot-dir "$shots" --screenshot-size "$size"
  fi
  for f in "$shots"/*.png; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .png)
    mv "$f" "$out/$name-$size.png"
  done
done
# Keep them small for the README: a 256-colour palette (pngquant, else ImageMagick; without
# either the PNGs stay as Qt wrote them, about 2-3 times larger).
if command -v pngquant >/dev/null 2>&1; then
  for f in "$out"/*-*x*.png; do
    pngquant --force --skip-if-larger --quality 60-95 --speed 1 --strip --output "$f" "$f" || true
  done
elif command -v mogrify >/dev/null 2>&1; then
  mogrify -strip -colors 256 "$out"/*-*x*.png 2>/dev/null || true
else
  echo "note: neither pngquant nor ImageMagick found; PNGs are not reduced" >&2
fi
ls -l "$out"/*-*x*.png
