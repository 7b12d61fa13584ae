#!/usr/bin/env bash
# Everything issue 10 asks of a CUDA machine, in the order that gives the most if time runs out:
# build + parity (gpu-check.sh with KDW_GPU_BUILD_ONLY), our speed figures (bench_gpu), the
# demo pipeline on the GPU with every step run even after a failure (gpu-check.sh, keeping
# going), then the PyTorch / Hugging Face reference on the same card. Each part's output goes to
# its own file in OUT_DIR as it runs, so a run cut short still leaves what it did.
#   scripts/gpu-all.sh OUT_DIR [GPU_DIR=.gpu] [BUILD_DIR=/tmp/kdw-gpu-build]
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "$1" && cd "$1" && pwd)
gpu_dir=${2:-.gpu}
build=${3:-/tmp/kdw-gpu-build}
export KDW_GPU_WORKSPACE=${KDW_GPU_WORKSPACE:-/tmp/kdw-gpu-ws} KDW_GPU_LOGS=${KDW_GPU_LOGS:-$out/steps}
export EPOCHS=${EPOCHS:-2}
part() {  # NAME COMMAND...: runs COMMAND, output to OUT_DIR/NAME.log, prints its tail and time
  local name=$1 start rc
  shift
  start=$(date +%s)
  "$@" >"$out/$name.log" 2>&1
  rc=$?
  echo "== $name: exit $rc after $(($(date +%s) - start)) s" | tee -a "$out/$name.log"
  tail -n 25 "$out/$name.log"
  return 0
}
part 1-build-parity env KDW_GPU_BUILD_ONLY=1 scripts/gpu-check.sh "$gpu_dir" "$build"
[ -x "$build/app/kdw/kdw" ] || { echo "gpu-all: no kdw built; see $out/1-build-parity.log"; exit 1; }
part 2-bench-ours env KDW_GPU_BENCH_PART=ours scripts/gpu-bench.sh "$gpu_dir" "$build"
part 3-check env KDW_GPU_SKIP_BUILD=1 KDW_GPU_KEEP_GOING=1 scripts/gpu-check.sh "$gpu_dir" "$build"
part 4-bench-reference env KDW_GPU_BENCH_PART=reference scripts/gpu-bench.sh "$gpu_dir" "$build"
