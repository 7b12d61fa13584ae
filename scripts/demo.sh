#!/usr/bin/env bash
# The main job on the built-in demo data (resources/demo/fortunes_ru.csv), end to end, in
# ./demo-workspace: install packages, build, then run the whole pipeline with kdw:
# data -> teacher -> logits -> two students -> compressed student -> its evaluation -> export.
#
# A full RuBERT cannot be shipped, so the demo teacher is a small BERT (2 layers, hidden 128,
# resources/demo/bert/config.json, the fixture's WordPiece vocabulary) trained from scratch on the
# demo texts. With your own RuBERT folder, pass it to `kdw finetune --bert_path` instead.
# The settings are defined once in engine/core/demo_recipe.h: the GUI's "Open demo workspace"
# (ui/shell/demo_pipeline) takes them from there, and tests/ui/shell/test_demo_pipeline checks that the
# flags below match them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
kdw=build/app/kdw/kdw
ws=${KDW_DEMO_WORKSPACE:-demo-workspace}
# The student settings: small enough for a CPU demo; group lasso so that the cut keeps accuracy.
# --sparse_tolerance keeps the sparsest epoch within 6 points of the best dev accuracy: on this
# small, hard data set the lasso costs a few points (docs/compression.md has the numbers).
student=(--hidden_size 256 --emb_dim 100 --epochs 12 --batch_size 32 --lr 2e-3
         --group_lasso 2e-3 --iss_threshold 0.05 --sparse_tolerance 0.06)

step() { printf '\n== %s\n' "$*"; }
# The newest run folder of the workspace (run folders are named by their start time).
newest_run() { find "$ws" -maxdepth 1 -type d -name '[0-9][0-9][0-9][0-9]-*___*' | sort | tail -n 1; }

step "1. data: import, clean, split 60:20:20, word indices + WordPiece ids"
"$kdw" prepare --input resources/demo/fortunes_ru.csv --workspace "$ws" \
  --bert_vocab resources/demo/bert/vocab.txt

step "2. teacher: a small BERT trained from scratch on the demo data (no RuBERT shipped)"
mkdir -p "$ws/files/bert/demo_bert"
cp resources/demo/bert/config.json resources/demo/bert/vocab.txt "$ws/files/bert/demo_bert/"
"$kdw" finetune --workspace "$ws" --bert_path "$ws/files/bert/demo_bert" \
  --epochs 12 --lr 5e-4 --batch_size 16

step "3. logits: the teacher over train/dev/test"
"$kdw" logits --workspace "$ws"

step "4. distillation: stack_biLSTM and stack_LSTM students with ISS group lasso"
"$kdw" distill --data_path "$ws" --model_type stack_biLSTM "${student[@]}"
run_bi=$(newest_run)
"$kdw" distill --data_path "$ws" --model_type stack_LSTM "${student[@]}"
run_uni=$(newest_run)

step "5. compression: weight heatmaps, cut the dead components, evaluate before and after"
for run in "$run_bi" "$run_uni"; do
  "$kdw" compress --restore_path "$run" --show_weight --cut_model --threshold 0.05 \
    --data_path "$ws"
done

step "6. the cut model evaluated as the original scripts did (kdw distill --restore_model_path)"
"$kdw" distill --data_path "$ws" --model_type stack_biLSTM \
  --restore_model_path "$run_bi/cut_model_distill_stack_biLSTM.pt"

step "7. export of the cut model for deployment (docs/export.md)"
"$kdw" export --model "$run_bi/cut_model_distill_stack_biLSTM.pt" --output "$run_bi/export"

step "done"
echo "workspace: $ws (open it in the GUI: build/app/gui/kdw-gui --workspace $ws)"
echo "runs: $run_bi $run_uni"
