#!/usr/bin/env bash
# Runs every benchmark of bench/ on the built tree (scripts/build.sh first) and prints its figures.
# They are figures, not tests: run them on an otherwise idle machine (PLATFORM.md's reference
# speeds were measured on one). Takes about 15 minutes on 2 cores. Where Debian's python3-torch
# (PyTorch 1.13, as the reference) is installed, the reference side is rerun beside ours
# (bench/reference/*.py): this machine's speed swings, so back-to-back ratios are the fair ones.
#   scripts/bench.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
run() {
  printf '\n== %s\n' "$*"
  "$build/bench/$@"
}
run bench_tokenize resources/demo/bert/vocab.txt
run bench_prepare 1000000 --bert
run bench_student 2 16 1000 256
run bench_compress --threads 2
run bench_bert
run bench_adamw 2
run bench_bert_train 2
# Data-parallel scaling of the kdw verbs (1, 2, 4 local processes; a few minutes).
printf '\n== bench/dist_scaling.sh\n'
bench/dist_scaling.sh "$build"
# Debian's python3-torch lives in the system Python, which a PATH python3 may not be.
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import torch' 2>/dev/null; then
    printf '\n== reference (PyTorch in Python), same machine, right after ours\n'
    "$py" bench/reference/bert_train.py 2
    "$py" bench/reference/student.py 2 16 1000 padded
    "$py" bench/reference/student.py 2 2 1000 packed
    break
  fi
done
