#!/usr/bin/env bash
# Every verb once on the demo data, short, on the CPU: what crashed under LibTorch 2.x before
# (fine-tuning past epoch 1, bf16 logits, prepare into an existing workspace). Exits non-zero on
# any failure or crash. Usage: scripts/torch2-pipeline.sh KDW_BINARY WORKSPACE
set -euo pipefail
kdw=$1
ws=$2
src=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$ws"
step() { printf '\n== %s\n' "$*"; }
newest_run() { find "$ws" -maxdepth 1 -type d -name '[0-9][0-9][0-9][0-9]-*___*' | sort | tail -n 1; }

step "prepare, then prepare again into the existing workspace"
for _ in 1 2; do
  "$kdw" prepare --input "$src/resources/demo/fortunes_ru.csv" --workspace "$ws" \
    --bert_vocab "$src/resources/demo/bert/vocab.txt"
done
mkdir -p "$ws/files/bert/demo_bert"
cp "$src"/resources/demo/bert/{config.json,vocab.txt} "$ws/files/bert/demo_bert/"
for precision in bfloat16 float32; do
  step "finetune, 2 epochs, $precision"
  "$kdw" finetune --workspace "$ws" --bert_path "$ws/files/bert/demo_bert" --epochs 2 \
    --lr 5e-4 --batch_size 32 --max_seq_len 64 --precision "$precision"
  step "logits, $precision"
  "$kdw" logits --workspace "$ws" --precision "$precision" --force
done
student=(--hidden_size 64 --emb_dim 32 --epochs 2 --batch_size 32 --lr 2e-3)
step "distill stack_LSTM"
"$kdw" distill --data_path "$ws" --model_type stack_LSTM "${student[@]}"
step "distill stack_biLSTM with group lasso"
"$kdw" distill --data_path "$ws" --model_type stack_biLSTM "${student[@]}" \
  --group_lasso 2e-3 --iss_threshold 0.05
run=$(newest_run)
step "compress with evaluation"
"$kdw" compress --restore_path "$run" --show_weight --cut_model --keep 16 --data_path "$ws"
step "evaluate the cut model"
"$kdw" distill --data_path "$ws" --model_type stack_biLSTM \
  --restore_model_path "$run/cut_model_distill_stack_biLSTM.pt"
step "export"
"$kdw" export --model "$run/cut_model_distill_stack_biLSTM.pt" --output "$run/export"
step "pipeline passed"
