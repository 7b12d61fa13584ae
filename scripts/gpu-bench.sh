#!/usr/bin/env bash
# Speed on a CUDA GPU at issue 10's shapes, ours beside the Python side on the same card:
# bench_gpu (BERT-base fine-tuning 16 x 128 and inference 64 x 128, float32 and bf16 products;
# stack_biLSTM h=1000 student, batch 64), then bench/reference/bert_train.py with --device cuda
# (Hugging Face's own BertForSequenceClassification when transformers is installed, else the
# plain-PyTorch copy; float32 and bf16 autocast) and bench/reference/student.py's packed biLSTM.
# Figures, not a test. Run scripts/gpu-check.sh first (it builds bench_gpu); same arguments:
#   scripts/gpu-bench.sh [GPU_DIR=.gpu] [BUILD_DIR=/tmp/kdw-gpu-build]
# KDW_GPU_BENCH_PART=ours or =reference runs only that half (default: both).
set -euo pipefail
cd "$(dirname "$0")/.."
gpu_dir=$(cd "${1:-.gpu}" && pwd)
build=${2:-/tmp/kdw-gpu-build}
deps() { bash "$gpu_dir/with-deps.sh" "$@"; }
[ -x "$build/bench/bench_gpu" ] || { echo "gpu-bench: $build/bench/bench_gpu missing; run scripts/gpu-check.sh" >&2; exit 1; }

deps python3 -c 'import torch; print("GPU:", torch.cuda.get_device_name(0), "| PyTorch", torch.__version__, "| CUDA", torch.version.cuda)'
part=${KDW_GPU_BENCH_PART:-all}
if [ "$part" != reference ]; then
  printf '\n== ours (bench_gpu)\n'
  deps "$build/bench/bench_gpu" --device cuda --steps 30
fi
[ "$part" = ours ] && exit 0

hf=
if deps python3 -c 'import transformers' 2>/dev/null; then
  hf=--hf
  deps python3 -c 'import transformers; print("transformers", transformers.__version__)'
else
  echo "(transformers not installed: the reference is bench/reference's plain-PyTorch BERT)"
fi
printf '\n== reference, same card, right after ours\n'
deps python3 bench/reference/bert_train.py --device cuda $hf --steps 30
deps python3 bench/reference/bert_train.py --device cuda $hf --steps 30 --bf16
deps python3 bench/reference/student.py 16 30 1000 packed --device cuda
