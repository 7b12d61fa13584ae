#!/usr/bin/env bash
# The main job on the built-in demo data (resources/demo/fortunes_ru.csv), end to end, in
# ./demo-workspace: install packages, build, then run the whole pipeline with kdw:
# data -> teacher -> logits (with augmented copies) -> two students -> their cuts -> the cut models
# trained on -> evaluation -> export.
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
# OpenBLAS 0.3.21 runs its generic Prescott kernels on a CPU it does not recognise (many virtual
# machines), 2-3x slower than the kernels the CPU can run: name those (kdw warns the same).
core=$(OPENBLAS_VERBOSE=2 "$kdw" --version 2>&1 | sed -n 's/^Core: //p')
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ "$core" = Prescott ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
# The student settings: small enough for a CPU demo (each epoch sees the train texts and their
# augmented copies); the group lasso learns the sparsity gradually (dense warm-up epochs, then a
# ramp) so that the cut keeps accuracy. --sparse_tolerance keeps the sparsest epoch within 3 points
# of the best dev accuracy (docs/distillation.md has the study behind these numbers).
student=(--hidden_size 128 --emb_dim 100 --epochs 4 --batch_size 32 --lr 2e-3
         --group_lasso 3e-3 --lasso_warmup 1 --lasso_ramp 2 --iss_threshold 0.05
         --sparse_tolerance 0.03)
# The cut models trained on at their smaller shape, without the lasso (Wen et al. 2018).
train_on=(--epochs 2 --batch_size 32 --lr 1e-3)

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

step "3. logits: the teacher over train/dev/test and over augmented copies of the train texts"
"$kdw" logits --workspace "$ws" --augment 16

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

step "6. training on: each cut model trained further at its smaller shape (a new run folder)"
"$kdw" distill --data_path "$ws" --model_type stack_biLSTM \
  --restore_model_path "$run_bi/cut_model_distill_stack_biLSTM.pt" "${train_on[@]}"
on_bi=$(newest_run)
"$kdw" distill --data_path "$ws" --model_type stack_LSTM \
  --restore_model_path "$run_uni/cut_model_distill_stack_LSTM.pt" "${train_on[@]}"
on_uni=$(newest_run)

step "7. the trained-on cut model evaluated as the original scripts did (kdw distill --restore_model_path)"
"$kdw" distill --data_path "$ws" --model_type stack_biLSTM \
  --restore_model_path "$on_bi/model_distill_stack_biLSTM.pt"

step "8. export of the trained-on cut model for deployment (docs/export.md)"
"$kdw" export --model "$on_bi/model_distill_stack_biLSTM.pt" --output "$on_bi/export"

step "done"
echo "workspace: $ws (open it in the GUI: build/app/gui/kdw-gui --workspace $ws)"
echo "runs: $run_bi $run_uni (students, cut), $on_bi $on_uni (cut models trained on)"
