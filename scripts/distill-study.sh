#!/usr/bin/env bash
# The distillation study of docs/distillation.md ("What distillation buys"): on the demo data,
# for each seed, a teacher (fine-tuned from scratch, so it differs per seed), its logits with K
# augmented copies of each training text, and four students:
#   label-only    alpha 1 (the gold labels alone)
#   distilled     the teacher's logits, original train samples only (--augmented=false)
#   augmented     the teacher's logits, originals + augmented copies
#   cut+trained   the augmented student cut (compress --cut_model), then trained on
#                 (distill --restore_model_path CUT --epochs N keeps the cut shape)
# Jobs run in parallel, up to -j N processes of one thread each; at the end a markdown table
# (mean ± sample standard deviation over the seeds) is printed and written to
# <workspace>/study.md. Needs only the kdw CLI, bash and awk (no python, no network).
#
#   scripts/distill-study.sh [-j N] [--quick] [--seeds "1 2 3"] [--augment K] [--device cpu|cuda]
#                            [--kdw PATH] [--workspace DIR] [--table]
# --quick: a tiny setting (1 teacher epoch, 1-epoch students of 32 units) to check the script.
# --table: only print the table of a study already run in --workspace.
# --device: where the teachers and students run (default: the CPU; a GPU runs the jobs side by side).
# The logits are computed once, with --augment: the teacher's logits of the original samples do
# not depend on the copies, so the non-augmented students read the same files with
# --augmented=false.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs_max=2 quick=0 seeds="1 2 3" augment=4 table_only=0 dev=()
kdw=build/app/kdw/kdw root=study-workspace
while [ $# -gt 0 ]; do
  case $1 in
    -j) jobs_max=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --table) table_only=1; shift ;;
    --seeds) seeds=$2; shift 2 ;;
    --augment) augment=$2; shift 2 ;;
    --device) dev=(--device "$2"); shift 2 ;;
    --kdw) kdw=$2; shift 2 ;;
    --workspace) root=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "distill-study.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$kdw" ] || { echo "distill-study.sh: no kdw at $kdw (build it or pass --kdw)" >&2; exit 2; }
kdw=$(cd "$(dirname "$kdw")" && pwd)/$(basename "$kdw")

if [ "$quick" = 1 ]; then
  teacher=(--epochs 1 --lr 5e-4 --batch_size 16)
  student=(--hidden_size 32 --emb_dim 16 --epochs 1 --batch_size 32 --lr 2e-3
           --group_lasso 2e-3 --iss_threshold 0.05)
  train_on=(--epochs 1 --batch_size 32 --lr 1e-3)
else
  # The teacher as in scripts/demo.sh; the students as there, with the lasso schedule: 4 dense
  # epochs, then the lasso's weight rises over 4 epochs.
  teacher=(--epochs 12 --lr 5e-4 --batch_size 16)
  student=(--hidden_size 256 --emb_dim 100 --epochs 12 --batch_size 32 --lr 2e-3
           --group_lasso 2e-3 --lasso_warmup 4 --lasso_ramp 4 --iss_threshold 0.05
           --sparse_tolerance 0.06)
  train_on=(--epochs 4 --batch_size 32 --lr 1e-3)
fi
mkdir -p "$root"
root=$(cd "$root" && pwd)
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Runs "$@" in the background once fewer than jobs_max jobs are running; its output goes to the
# log file named by $job_log.
running=0
spawn() {
  if [ "$running" -ge "$jobs_max" ]; then wait -n || failed=1; running=$((running - 1)); fi
  ("$@") >"$job_log" 2>&1 &
  running=$((running + 1))
}
drain() {
  while [ "$running" -gt 0 ]; do wait -n || failed=1; running=$((running - 1)); done
  if [ "${failed:-0}" = 1 ]; then echo "distill-study.sh: a job failed; see $root/*/logs" >&2; exit 1; fi
}
# The one run folder under $1 (each student has its own --output_dir).
run_in() { find "$1" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | sort | tail -n 1; }

if [ "$table_only" = 0 ]; then
log "1. data: one prepare, copied into a workspace per seed"
"$kdw" prepare --input resources/demo/fortunes_ru.csv --workspace "$root/base" \
  --bert_vocab resources/demo/bert/vocab.txt --threads 1 >"$root/prepare.log" 2>&1

teacher_job() {  # seed: fine-tune the teacher, then its logits with augmented copies
  local ws=$root/seed$1
  "$kdw" finetune --workspace "$ws" --bert_path "$ws/files/bert/demo_bert" --seed "$1" \
    "${teacher[@]}" --threads 1 "${dev[@]}"
  "$kdw" logits --workspace "$ws" --augment "$augment" --augment_seed "$1" --threads 1 "${dev[@]}"
}
log "2. teachers and logits (seeds $seeds, $jobs_max in parallel)"
for s in $seeds; do
  ws=$root/seed$s
  rm -rf "$ws"
  mkdir -p "$ws/files/bert/demo_bert" "$ws/logs"
  cp -r "$root/base/files/data" "$ws/files/"
  cp resources/demo/bert/config.json resources/demo/bert/vocab.txt "$ws/files/bert/demo_bert/"
  job_log=$ws/logs/teacher.log spawn teacher_job "$s"
done
drain

student_job() {  # seed variant
  local ws=$root/seed$1 out=$root/seed$1/runs/$2
  mkdir -p "$out"
  case $2 in
    label) "$kdw" distill --data_path "$ws" --model_type stack_biLSTM --seed "$1" \
             "${student[@]}" --alpha 1 --augmented=false --output_dir "$out" --threads 1 "${dev[@]}" ;;
    distilled) "$kdw" distill --data_path "$ws" --model_type stack_biLSTM --seed "$1" \
             "${student[@]}" --augmented=false --output_dir "$out" --threads 1 "${dev[@]}" ;;
    augmented)
      "$kdw" distill --data_path "$ws" --model_type stack_biLSTM --seed "$1" \
        "${student[@]}" --augmented=true --output_dir "$out" --threads 1 "${dev[@]}"
      local run cut_out=$root/seed$1/runs/cut
      run=$(run_in "$out")
      "$kdw" compress --restore_path "$run" --cut_model --data_path "$ws" --threads 1 "${dev[@]}"
      mkdir -p "$cut_out"
      "$kdw" distill --data_path "$ws" --model_type stack_biLSTM --seed "$1" "${train_on[@]}" \
        --restore_model_path "$run/cut_model_distill_stack_biLSTM.pt" --augmented=true \
        --output_dir "$cut_out" --threads 1 "${dev[@]}" ;;
  esac
}
log "3. students: label-only, distilled, augmented (+ cut and trained on)"
for s in $seeds; do
  for v in augmented distilled label; do  # the longest chain first
    rm -rf "$root/seed$s/runs/$v"
    job_log=$root/seed$s/logs/$v.log spawn student_job "$s" "$v"
  done
done
drain
fi

# --- the table -------------------------------------------------------------------------------
# One line per file: "dev test lstm_params" read from a result.json (pretty-printed JSON,
# flattened first; awk alone, no JSON tool is assumed).
scores() {
  tr -d ' \n' <"$1" | awk '{
    match($0, /"dev":\{"accuracy":[^,}]*/); dev = substr($0, RSTART + 18, RLENGTH - 18)
    match($0, /"test":\{"accuracy":[^,}]*/); test = substr($0, RSTART + 19, RLENGTH - 19)
    match($0, /"emb_dim":[0-9]*/); emb = substr($0, RSTART + 10, RLENGTH - 10)
    match($0, /"hidden":\[\[[0-9,\[\]]*\]\]/); h = substr($0, RSTART + 11, RLENGTH - 13)
    n = split(h, layer, /\],\[/); input = emb; params = 0
    for (l = 1; l <= n; ++l) {
      split(layer[l], u, ","); params += 4 * u[1] * (input + u[1] + 2)
      if (u[2] > 0) params += 4 * u[2] * (input + u[2] + 2)
      input = u[1] + u[2]
    }
    match($0, /"teacher_dev_accuracy":[^,}]*/); tdev = substr($0, RSTART + 23, RLENGTH - 23)
    match($0, /"teacher_test_accuracy":[^,}]*/); ttest = substr($0, RSTART + 24, RLENGTH - 24)
    print dev, test, params, tdev, ttest }'
}
# The best dev accuracy of any epoch of a run (metrics.jsonl; the kept epoch may be a sparser one).
best_dev() {
  grep '"kind":"epoch"' "$1" | awk '{
    match($0, /"dev":\{"accuracy":[^,}]*/); d = substr($0, RSTART + 18, RLENGTH - 18) + 0
    if (d > best) best = d } END { print best }'
}
# mean ± sample standard deviation of column $1 of stdin, with $2 decimals
stat() {
  awk -v c="$1" -v d="$2" '{ x[NR] = $c; s += $c } END {
    m = s / NR; v = 0; for (i = 1; i <= NR; ++i) v += (x[i] - m) ^ 2
    sd = NR > 1 ? sqrt(v / (NR - 1)) : 0
    printf "%." d "f ± %." d "f", m, sd }'
}
table=$root/study.md
{
  echo "| model (stack_biLSTM student) | dev accuracy | test accuracy | LSTM parameters | dev, % of teacher |"
  echo "| --- | --- | --- | --- | --- |"
  for s in $seeds; do scores "$(run_in "$root/seed$s/runs/augmented")/result.json"; done >"$root/teacher.tsv"
  printf '| teacher (demo BERT) | %s | %s | – | 100 |\n' "$(stat 4 3 <"$root/teacher.tsv")" \
    "$(stat 5 3 <"$root/teacher.tsv")"
  for v in label distilled augmented cut; do
    case $v in
      label) name="label-only (alpha 1)" ;; distilled) name="distilled" ;;
      augmented) name="distilled + augmented ($augment copies)" ;;
      cut) name="its cut model, trained on" ;;
    esac
    for s in $seeds; do scores "$(run_in "$root/seed$s/runs/$v")/result.json"; done >"$root/$v.tsv"
    share=$(awk '{ s += $1 / $4 } END { printf "%.0f", 100 * s / NR }' "$root/$v.tsv")
    printf '| %s | %s | %s | %s | %s |\n' "$name" "$(stat 1 3 <"$root/$v.tsv")" \
      "$(stat 2 3 <"$root/$v.tsv")" "$(stat 3 0 <"$root/$v.tsv")" "$share"
    if [ "$v" = augmented ]; then  # what the cut is measured against
      for s in $seeds; do
        echo "$(best_dev "$(run_in "$root/seed$s/runs/$v")/metrics.jsonl") $(cut -d' ' -f4 \
          <<<"$(scores "$(run_in "$root/seed$s/runs/$v")/result.json")")"
      done >"$root/dense.tsv"
      share=$(awk '{ s += $1 / $2 } END { printf "%.0f", 100 * s / NR }' "$root/dense.tsv")
      printf '| … its best dev epoch (any epoch, dense) | %s | – | – | %s |\n' \
        "$(stat 1 3 <"$root/dense.tsv")" "$share"
    fi
  done
  echo
  echo "Seeds: $seeds; $([ "$quick" = 1 ] && echo "quick setting" || echo "full setting"); $(date -u +%Y-%m-%d)."
} >"$table"
log "done: $table"
cat "$table"
