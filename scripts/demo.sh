#!/usr/bin/env bash
# The main job on the built-in demo data (resources/demo/fortunes_ru.csv), end to end, in
# ./demo-workspace: install packages, build, then run the pipeline with kdw.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
kdw=build/app/kdw/kdw
ws=${KDW_DEMO_WORKSPACE:-demo-workspace}

echo "== 1. data: import, clean, split 60:20:20, word indices + WordPiece ids"
"$kdw" prepare --input resources/demo/fortunes_ru.csv --workspace "$ws" \
  --bert_vocab resources/demo/bert/vocab.txt
