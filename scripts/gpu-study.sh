#!/usr/bin/env bash
# One call on the CUDA machine (see scripts/gpu-check.sh for its setup: .gpu/ copied from the
# workplace's shared/gpu): builds kdw against PyTorch's LibTorch, runs the parity check, then
# the distillation study of docs/distillation.md on the GPU (scripts/distill-study.sh, one
# variant per augmentation factor, side by side) while gpu-check.sh runs the pipeline steps on
# the GPU, keeping going after a failure. Everything lands in OUT_DIR as it runs.
#   scripts/gpu-study.sh OUT_DIR [AUGMENT_FACTORS="4 16"] [STUDY_SECONDS=420]
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "$1" && cd "$1" && pwd)
factors=${2:-4 16}
limit=${3:-420}
build=/tmp/kdw-gpu-build
export KDW_GPU_WORKSPACE=/tmp/kdw-gpu-ws KDW_GPU_LOGS=$out/steps EPOCHS=${EPOCHS:-1}

start=$(date +%s)
KDW_GPU_BUILD_ONLY=1 scripts/gpu-check.sh .gpu "$build" >"$out/1-build-parity.log" 2>&1
echo "== build + parity: exit $? after $(($(date +%s) - start)) s"
tail -n 15 "$out/1-build-parity.log"
[ -x "$build/app/kdw/kdw" ] || exit 1

pids=()
for k in $factors; do
  timeout "$limit" bash .gpu/with-deps.sh scripts/distill-study.sh -j 9 --device cuda \
    --augment "$k" --kdw "$build/app/kdw/kdw" --workspace "/tmp/study-k$k" \
    >"$out/2-study-k$k.log" 2>&1 &
  pids+=($!)
done
KDW_GPU_SKIP_BUILD=1 KDW_GPU_KEEP_GOING=1 timeout "$limit" scripts/gpu-check.sh .gpu "$build" \
  >"$out/3-check.log" 2>&1
echo "== gpu-check: exit $? after $(($(date +%s) - start)) s"
grep -E "^== |^FAIL|time " "$out/3-check.log" | tail -n 60
for i in "${!pids[@]}"; do
  wait "${pids[$i]}"
  echo "== study (pid ${pids[$i]}): exit $? after $(($(date +%s) - start)) s"
done
for k in $factors; do
  echo "== study, $k augmented copies"
  cat "/tmp/study-k$k/study.md" 2>/dev/null || tail -n 20 "$out/2-study-k$k.log"
  cp "/tmp/study-k$k/study.md" "$out/study-k$k.md" 2>/dev/null
done
# Every run's result.json and logs, small enough to come back.
tar czf "$out/study-runs.tgz" -C /tmp --exclude='*.pt' --exclude='*.npy' --exclude='*.png' \
  $(cd /tmp && ls -d study-k* 2>/dev/null) 2>/dev/null
tar czf "$out/steps.tgz" -C "$out" steps 2>/dev/null && rm -rf "$out/steps"
