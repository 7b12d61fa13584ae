#!/usr/bin/env bash
# Checks KD Workbench on a CUDA machine: builds the engine and `kdw` against PyTorch's LibTorch
# ($TORCH_PREFIX, GUI off), runs the demo pipeline with --device cuda for every verb, compares
# the GPU's results with the CPU's where that is cheap, prints each step's time and throughput,
# and exits non-zero on the first failure (a crash, a wrong result, cuDNN's weight-copy warning).
#
# It first runs bench_gpu --parity: a tiny BERT and both students on the CPU and the GPU with the
# same weights (outputs, fused vs explicit attention, weights after clipped optimizer steps).
#
# The CUDA machine has no network and lacks the non-Torch build dependencies: copy the
# workplace's shared/gpu folder (debs/ and with-deps.sh) into .gpu/ of the checkout (git ignores
# it) and run from the checkout:
#   scripts/gpu-check.sh [GPU_DIR=.gpu] [BUILD_DIR=/tmp/kdw-gpu-build]
# Environment: TORCH_PREFIX (default: python3's torch.utils.cmake_prefix_path, as with-deps.sh
# finds it), KDW_GPU_WORKSPACE (default: /tmp/kdw-gpu-ws, removed first), JOBS (default: nproc),
# KDW_GPU_SKIP_BUILD=1 to reuse BUILD_DIR, KDW_GPU_BUILD_ONLY=1 to stop after the build and the
# parity check, KDW_GPU_KEEP_GOING=1 to run every step and list the failures at the end (exit 1
# if any), KDW_GPU_LOGS (default: $KDW_GPU_WORKSPACE.logs), EPOCHS (default 3) for teachers and
# students.
# KDW_GPU_DEVICE=cpu runs the same steps with "cuda" replaced by "cpu": only to check this
# script itself on a machine without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
gpu_dir=$(cd "${1:-.gpu}" && pwd)
build=${2:-/tmp/kdw-gpu-build}
ws=${KDW_GPU_WORKSPACE:-/tmp/kdw-gpu-ws}
jobs=${JOBS:-$(nproc)}
gpu=${KDW_GPU_DEVICE:-cuda}
epochs=${EPOCHS:-3}
caller_torch_prefix=${TORCH_PREFIX:-}
[ -f "$gpu_dir/with-deps.sh" ] || { echo "gpu-check: $gpu_dir/with-deps.sh missing (copy shared/gpu to .gpu/)" >&2; exit 1; }

# Runs a command with the deps' environment; with-deps.sh sets TORCH_PREFIX from python3, a
# prefix given by the caller wins.
deps() { KDW_CALLER_TORCH_PREFIX="$caller_torch_prefix" bash "$gpu_dir/with-deps.sh" "$@"; }

step_no=0
failures=()
fail() {
  echo "FAIL: $*" >&2
  if [ "${KDW_GPU_KEEP_GOING:-0}" = 1 ]; then
    failures+=("$*")
    return 0
  fi
  exit 1
}
# step NAME SAMPLES -- COMMAND...: runs COMMAND (in the deps' environment), logs to
# $ws.logs/NN-name.log, prints wall time and SAMPLES/s (SAMPLES 0: no rate).
step() {
  local name=$1 samples=$2
  shift 3
  step_no=$((step_no + 1))
  local log
  log=$(printf '%s/%02d-%s.log' "$logs" "$step_no" "$name")
  printf '\n== %02d %s\n' "$step_no" "$name"
  local start end rc=0
  start=$(date +%s.%N)
  deps "$@" >"$log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  tail -n 4 "$log"
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -ge 128 ] && echo "(killed by signal $((rc - 128)): a crash)"
    fail "$name exited with $rc; log: $log"
    return 0
  fi
  # cuDNN copies the LSTM weights on every call when they are not one chunk (the student packs
  # them when it moves to the GPU).
  if grep -q "not part of single contiguous chunk" "$log"; then
    fail "$name: cuDNN warned that the LSTM weights are not one contiguous chunk; log: $log"
  fi
  awk -v s="$start" -v e="$end" -v n="$samples" 'BEGIN {
    t = e - s; if (n > 0) printf "time %.1f s, %d samples, %.0f samples/s (wall, with start-up)\n", t, n, n / t;
    else printf "time %.1f s\n", t }'
}

# python3 with numpy (PyTorch's wheel needs it) compares the .npy files.
compare_npy() {  # A B TOLERANCE
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
import numpy as np
a, b, tol = np.load(sys.argv[1]), np.load(sys.argv[2]), float(sys.argv[3])
diff = float(np.abs(a - b).max()) if a.size else 0.0
agree = float((a.argmax(1) == b.argmax(1)).mean()) if a.size else 1.0
print(f"  {sys.argv[1].split('/')[-1]}: max |gpu - cpu| {diff:.2e}, argmax agreement {agree:.4f}")
sys.exit(0 if a.shape == b.shape and diff <= tol else 1)
EOF
}
# The accuracies a `kdw distill --restore_model_path` log printed (its json: line).
accuracies() {
  python3 -c 'import json,sys
line=[l for l in open(sys.argv[1]) if l.startswith("json: ")][-1]
r=json.loads(line[6:]); print(r["dev"]["accuracy"], r["test"]["accuracy"])' "$1"
}
# samples_per_s of a metrics.jsonl's step records: mean of all but the first (warm-up).
metrics_rate() {
  python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s=[x["samples_per_s"] for x in r if x.get("kind")=="step"]
s=s[1:] or s
print("  training throughput: %.0f samples/s (mean of %d logged windows)" % (sum(s) / len(s), len(s)))' "$1"
}

# ---- build ---------------------------------------------------------------------------------
if [ "${KDW_GPU_SKIP_BUILD:-0}" != 1 ]; then
  printf '== build against %s\n' "${caller_torch_prefix:-the PyTorch of python3}"
  deps bash -c '
    set -euo pipefail
    prefix=${KDW_CALLER_TORCH_PREFIX:-$TORCH_PREFIX}
    [ -n "$prefix" ] || { echo "no TORCH_PREFIX and no python3 torch" >&2; exit 1; }
    cmake -S "$0" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKDW_BUILD_GUI=OFF \
      -DKDW_BUILD_TESTS=OFF -DKDW_BUILD_BENCH=ON \
      -DCMAKE_PREFIX_PATH="$prefix;$KDW_DEPS/usr" -DZLIB_INCLUDE_DIR="$KDW_DEPS/usr/include" \
      -DZLIB_LIBRARY="$KDW_DEPS/usr/lib/x86_64-linux-gnu/libz.a"
    cmake --build "$1" --target kdw bench_gpu -j"$2"' "$root" "$build" "$jobs" ||
    { KDW_GPU_KEEP_GOING=0 fail "build failed"; }
fi
kdw="$build/app/kdw/kdw"
[ -x "$kdw" ] || fail "$kdw not built"
if [ "$gpu" = cuda ]; then
  deps python3 -c 'import torch; assert torch.cuda.is_available(), "python3 torch sees no GPU"
print("GPU:", torch.cuda.get_device_name(0), "| PyTorch", torch.__version__, "| CUDA", torch.version.cuda)'
fi
printf '\n== parity: the same tiny models on the CPU and on %s\n' "$gpu"
deps "$build/bench/bench_gpu" --device "$gpu" --parity || fail "parity: the GPU computes something else than the CPU"
[ "${KDW_GPU_BUILD_ONLY:-0}" = 1 ] && exit 0

# ---- data and the two teachers ---------------------------------------------------------------
logs=${KDW_GPU_LOGS:-$ws.logs}
rm -rf "$ws" "$ws.bf16" "$ws.cpu" "$ws.logits-cpu" "$logs"
mkdir -p "$logs"
samples=$(($(wc -l <resources/demo/fortunes_ru.csv) - 1))
train=$((samples * 6 / 10))
student=(--hidden_size 256 --emb_dim 100 --epochs "$epochs" --batch_size 32 --lr 2e-3 --group_lasso 2e-3
         --iss_threshold 0.05)
student_cpu=(--hidden_size 256 --emb_dim 100 --epochs 1 --batch_size 32 --lr 2e-3)
newest_run() { find "$ws" -maxdepth 1 -type d -name '[0-9][0-9][0-9][0-9]-*___*' | sort | tail -n 1; }

step prepare 0 -- "$kdw" prepare --input resources/demo/fortunes_ru.csv --workspace "$ws" \
  --bert_vocab resources/demo/bert/vocab.txt
mkdir -p "$ws/files/bert/demo_bert"
cp resources/demo/bert/config.json resources/demo/bert/vocab.txt "$ws/files/bert/demo_bert/"
cp -a "$ws" "$ws.bf16"

# The crash seen on this machine before (PyTorch's LibTorch answering std::filesystem calls)
# hit the CPU as well: a CPU fine-tune of two epochs saves, checkpoints and cleans up.
cp -a "$ws" "$ws.cpu"
step finetune-cpu $((train * 2)) -- "$kdw" finetune --workspace "$ws.cpu" \
  --bert_path "$ws.cpu/files/bert/demo_bert" --epochs 2 --lr 5e-4 --batch_size 16 --device cpu
rm -rf "$ws.cpu"

step finetune-float32 $((train * epochs)) -- "$kdw" finetune --workspace "$ws" \
  --bert_path "$ws/files/bert/demo_bert" --epochs "$epochs" --lr 5e-4 --batch_size 16 --device "$gpu"
metrics_rate "$ws/files/bert/rubert_finetune/metrics.jsonl" || true
step finetune-bfloat16 $((train * epochs)) -- "$kdw" finetune --workspace "$ws.bf16" \
  --bert_path "$ws.bf16/files/bert/demo_bert" --epochs "$epochs" --lr 5e-4 --batch_size 16 \
  --device "$gpu" --precision bfloat16
metrics_rate "$ws.bf16/files/bert/rubert_finetune/metrics.jsonl" || true

# ---- logits: GPU (both precisions) against the CPU, same teacher ------------------------------
# The teacher trained on the GPU evaluated on the CPU: a GPU-trained model loads on the CPU.
step logits-cpu "$samples" -- "$kdw" logits --workspace "$ws" --device cpu
mkdir -p "$ws.logits-cpu"
cp "$ws/files/data/logits/"*.npy "$ws.logits-cpu/"
step logits-cuda-bfloat16 "$samples" -- "$kdw" logits --workspace "$ws" --device "$gpu" \
  --precision bfloat16 --force
# bf16 products round differently: only a loose bound against float32 on the CPU.
for f in "$ws.logits-cpu/"*.npy; do
  compare_npy "$ws/files/data/logits/$(basename "$f")" "$f" 0.5 ||
    fail "bfloat16 logits on the GPU far from float32's on the CPU"
done
step logits-cuda-float32 "$samples" -- "$kdw" logits --workspace "$ws" --device "$gpu" --force
for f in "$ws.logits-cpu/"*.npy; do
  compare_npy "$ws/files/data/logits/$(basename "$f")" "$f" 1e-3 ||
    fail "float32 logits on the GPU differ from the CPU's"
done
# The bf16-trained teacher, on its own workspace.
step logits-bf16-teacher-cuda "$samples" -- "$kdw" logits --workspace "$ws.bf16" --device "$gpu" \
  --precision bfloat16

# ---- students ------------------------------------------------------------------------------
step distill-biLSTM-cuda $((train * epochs)) -- "$kdw" distill --data_path "$ws" \
  --model_type stack_biLSTM "${student[@]}" --device "$gpu"
run_bi=$(newest_run || true)
metrics_rate "$run_bi/metrics.jsonl" || true
step distill-LSTM-cuda $((train * epochs)) -- "$kdw" distill --data_path "$ws" \
  --model_type stack_LSTM "${student[@]}" --device "$gpu"
run_uni=$(newest_run)
metrics_rate "$run_uni/metrics.jsonl" || true
# A distributed job of one rank over NCCL (this machine has one GPU, and NCCL refuses two ranks on
# one GPU): it goes through NCCL's all-reduces and must end like the single process above.
dist_backend=nccl
[ "$gpu" = cuda ] || dist_backend=gloo
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "distill-LSTM-$dist_backend-1rank" $((train * epochs)) -- env WORLD_SIZE=1 RANK=0 LOCAL_RANK=0 \
  MASTER_ADDR=127.0.0.1 MASTER_PORT="$port" "$kdw" distill --data_path "$ws" \
  --model_type stack_LSTM "${student[@]}" --device "$gpu" --dist_backend "$dist_backend"
dist_log="$logs/$(printf %02d "$step_no")-distill-LSTM-$dist_backend-1rank.log"
grep -q "distributed job: 1 ranks over $dist_backend" "$dist_log" ||
  fail "the 1-rank job did not run over $dist_backend; log: $dist_log"
uni_log=$(ls "$logs"/*-distill-LSTM-cuda.log | tail -n 1)  # the single process above
# "best dev: accuracy A, ..." and "test: accuracy B, ..." of both runs, within a point (cuDNN's
# and the embedding's backward kernels sum in an order that may differ from run to run).
python3 - "$uni_log" "$dist_log" <<'EOF2' || fail "the 1-rank $dist_backend job ended unlike the single process"
import re, sys
def acc(path):
    text = open(path).read()
    return [float(re.search(r"^%s: accuracy ([0-9.]+)" % k, text, re.M).group(1)) for k in ("best dev", "test")]
a, b = acc(sys.argv[1]), acc(sys.argv[2])
print("  dev/test accuracy: single process %s, 1-rank job %s" % (a, b))
sys.exit(0 if all(abs(x - y) <= 0.0101 for x, y in zip(a, b)) else 1)
EOF2
# A student trained on the CPU, evaluated on the GPU (the other way round).
step distill-LSTM-cpu "$train" -- "$kdw" distill --data_path "$ws" \
  --model_type stack_LSTM "${student_cpu[@]}" --device cpu
run_cpu=$(newest_run)

# ---- evaluation of saved models on both devices -----------------------------------------------
for spec in "$run_bi stack_biLSTM" "$run_cpu stack_LSTM"; do
  set -- $spec
  model="$1/model_distill_$2.pt"
  step "restore-$2-cuda" 0 -- "$kdw" distill --data_path "$ws" --model_type "$2" \
    --restore_model_path "$model" --device "$gpu"
  acc_gpu=$(accuracies "$logs/$(printf %02d "$step_no")-restore-$2-cuda.log" || echo missing)
  step "restore-$2-cpu" 0 -- "$kdw" distill --data_path "$ws" --model_type "$2" \
    --restore_model_path "$model" --device cpu
  acc_cpu=$(accuracies "$logs/$(printf %02d "$step_no")-restore-$2-cpu.log" || echo missing)
  echo "  dev/test accuracy: $gpu $acc_gpu, cpu $acc_cpu"
  python3 -c 'import sys; g=list(map(float,sys.argv[1].split())); c=list(map(float,sys.argv[2].split()))
sys.exit(0 if all(abs(x-y) <= 0.0101 for x, y in zip(g, c)) else 1)' "$acc_gpu" "$acc_cpu" ||
    fail "$model: accuracy on the GPU and the CPU differ by more than 1 point"
done

# ---- compress (evaluation on the GPU), restore of the cut model, export -----------------------
for run in "$run_bi" "$run_uni"; do
  step "compress-$(basename "$run")" 0 -- "$kdw" compress --restore_path "$run" --show_weight \
    --cut_model --threshold 0.05 --data_path "$ws" --device "$gpu"
done
step restore-cut-cuda 0 -- "$kdw" distill --data_path "$ws" --model_type stack_biLSTM \
  --restore_model_path "$run_bi/cut_model_distill_stack_biLSTM.pt" --device "$gpu"
step export 0 -- "$kdw" export --model "$run_bi/cut_model_distill_stack_biLSTM.pt" \
  --output "$run_bi/export"

if [ "${#failures[@]}" -gt 0 ]; then
  printf '\n== gpu-check FAILED: %d of %d steps\n' "${#failures[@]}" "$step_no"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
printf '\n== gpu-check passed (%d steps; logs in %s)\n' "$step_no" "$logs"
echo "speed at issue 10's shapes, beside PyTorch / Hugging Face: scripts/gpu-bench.sh $gpu_dir $build"
