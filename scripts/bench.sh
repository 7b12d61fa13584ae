#!/usr/bin/env bash
# Runs every benchmark of bench/ on the built tree (scripts/build.sh first) and prints its figures.
# They are figures, not tests: run them on an otherwise idle machine (PLATFORM.md's reference
# speeds were measured on one). Takes about 15 minutes on 2 cores.
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
run bench_student 2 4 1000 256
run bench_compress --threads 2
run bench_bert
run bench_bert_train 2
