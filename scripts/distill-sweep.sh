#!/usr/bin/env bash
# A sweep of student settings on the demo data (the study behind docs/distillation.md's choice of
# the demo's settings): for each seed one teacher (as scripts/demo.sh trains it), its logits with
# each augmentation factor the variants need, two baselines per hidden size (label-only and
# distilled without copies), and every variant of VARIANTS_FILE: an augmented student, its cut
# (compress --cut_model) and the cut trained on. Prints one table row per variant: mean over the
# seeds of the kept epoch's dev accuracy, the best dense epoch's, the cut's after training on,
# its LSTM parameters, and the shares of the teacher. Needs kdw, bash and python3.
#
#   scripts/distill-sweep.sh VARIANTS_FILE [-j N] [--seeds "1 2 3"] [--device cpu|cuda]
#                            [--kdw PATH] [--workspace DIR] [--no_baselines]
# VARIANTS_FILE: one variant a line, `name K hidden student-flags... :: train-on-flags...`
# (# starts a comment). The model type is stack_biLSTM; --hidden_size comes from `hidden`.
# TABLE_ONLY=1: only print the table of the runs already in --workspace (e.g. after a timeout).
# TEACHER_EPOCHS, BASE_EPOCHS (default 12): the teachers' and the baselines' epochs.
set -euo pipefail
cd "$(dirname "$0")/.."
variants_file=$1
shift
jobs_max=2 seeds="1 2 3" dev=() baselines=1 kdw=build/app/kdw/kdw root=sweep-workspace
while [ $# -gt 0 ]; do
  case $1 in
    -j) jobs_max=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --device) dev=(--device "$2"); shift 2 ;;
    --kdw) kdw=$2; shift 2 ;;
    --workspace) root=$2; shift 2 ;;
    --no_baselines) baselines=0; shift ;;
    *) echo "distill-sweep.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
kdw=$(cd "$(dirname "$kdw")" && pwd)/$(basename "$kdw")
mkdir -p "$root"
root=$(cd "$root" && pwd)
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
teacher=(--epochs ${TEACHER_EPOCHS:-12} --lr 5e-4 --batch_size 16)
base_student=(--emb_dim 100 --batch_size 32 --lr 2e-3)

mapfile -t variants < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$variants_file")
factors=$(for v in "${variants[@]}"; do set -- $v; echo "$2"; done | sort -un | tr '\n' ' ')
hiddens=$(for v in "${variants[@]}"; do set -- $v; echo "$3"; done | sort -un | tr '\n' ' ')

running=0
spawn() {  # LOG COMMAND...: runs in the background, at most jobs_max at once
  local out=$1
  shift
  if [ "$running" -ge "$jobs_max" ]; then wait -n || true; running=$((running - 1)); fi
  ("$@") >"$out" 2>&1 &
  running=$((running + 1))
}
drain() { while [ "$running" -gt 0 ]; do wait -n || true; running=$((running - 1)); done; }
run_in() { find "$1" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | sort | tail -n 1; }

if [ -z "${TABLE_ONLY:-}" ]; then
log "data"
"$kdw" prepare --input resources/demo/fortunes_ru.csv --workspace "$root/base" \
  --bert_vocab resources/demo/bert/vocab.txt --threads 1 >"$root/prepare.log" 2>&1
teacher_job() {  # seed
  local ws=$root/seed$1
  "$kdw" finetune --workspace "$ws" --bert_path "$ws/files/bert/demo_bert" --seed "$1" \
    "${teacher[@]}" --threads 1 "${dev[@]}"
  for k in $factors; do
    cp -r "$ws" "$ws-k$k"
    "$kdw" logits --workspace "$ws-k$k" --augment "$k" --augment_seed "$1" --threads 1 "${dev[@]}"
  done
}
log "teachers and logits (factors: $factors)"
for s in $seeds; do
  ws=$root/seed$s
  rm -rf "$ws" "$ws"-k*
  mkdir -p "$ws/files/bert/demo_bert" "$root/logs"
  cp -r "$root/base/files/data" "$ws/files/"
  cp resources/demo/bert/config.json resources/demo/bert/vocab.txt "$ws/files/bert/demo_bert/"
  spawn "$root/logs/teacher-$s.log" teacher_job "$s"
done
drain

first_k=${factors%% *}
variant_job() {  # seed name K hidden flags... :: train-on flags...
  local seed=$1 name=$2 k=$3 hidden=$4
  shift 4
  local flags=() train_on=()
  while [ $# -gt 0 ] && [ "$1" != "::" ]; do flags+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  train_on=("$@")
  local ws=$root/seed$seed-k$k out=$root/runs/$name/seed$seed
  rm -rf "$out"
  mkdir -p "$out/student" "$out/cut"
  "$kdw" distill --data_path "$ws" --model_type stack_biLSTM --seed "$seed" "${base_student[@]}" \
    --hidden_size "$hidden" "${flags[@]}" --output_dir "$out/student" --threads 1 "${dev[@]}"
  case $name in label-* | plain-*) return 0 ;; esac
  local run
  run=$(run_in "$out/student")
  "$kdw" compress --restore_path "$run" --cut_model --data_path "$ws" --threads 1 "${dev[@]}"
  "$kdw" distill --data_path "$ws" --model_type stack_biLSTM --seed "$seed" "${train_on[@]}" \
    --restore_model_path "$run/cut_model_distill_stack_biLSTM.pt" --output_dir "$out/cut" \
    --threads 1 "${dev[@]}"
}
log "students: ${#variants[@]} variants + baselines (hidden: $hiddens)"
for s in $seeds; do
  for v in "${variants[@]}"; do
    set -- $v
    spawn "$root/logs/$1-$s.log" variant_job "$s" $v
  done
  for h in $hiddens; do
    [ "$baselines" = 1 ] || break
    spawn "$root/logs/label-h$h-$s.log" variant_job "$s" "label-h$h" "$first_k" "$h" \
      --epochs "${BASE_EPOCHS:-12}" --alpha 1 --augmented=false
    spawn "$root/logs/plain-h$h-$s.log" variant_job "$s" "plain-h$h" "$first_k" "$h" \
      --epochs "${BASE_EPOCHS:-12}" --augmented=false
  done
done
drain
fi
log "table"
python3 - "$root" "$variants_file" <<'EOF'
import json, sys, pathlib, statistics as st
root = pathlib.Path(sys.argv[1])
def lstm_params(arch):
    inp, n = arch["emb_dim"], 0
    for f, b in arch["hidden"]:
        n += 4 * f * (inp + f + 2) + (4 * b * (inp + b + 2) if b else 0)
        inp = f + b
    return n
def one(run_dir):
    runs = sorted(p for p in run_dir.iterdir() if p.name[0].isdigit())
    if not runs: return None
    r = runs[-1]
    if not (r / "result.json").exists(): return None
    res = json.loads((r / "result.json").read_text())
    if res.get("stopped") or "test" not in res: return None  # a run cut short (e.g. a timeout)
    cfg = json.loads((r / "config.json").read_text())
    epochs = [json.loads(l) for l in (r / "metrics.jsonl").read_text().splitlines() if '"kind":"epoch"' in l]
    full = max(sum(sum(x) for x in e.get("alive") or [[0]]) for e in epochs)
    # dense: no unit zeroed yet (the lasso may already be on but has not cut anything)
    dense = [e["dev"]["accuracy"] for e in epochs if sum(sum(x) for x in e.get("alive") or [[0]]) == full]
    return dict(dev=res["dev"]["accuracy"], test=res["test"]["accuracy"],
                teacher=res.get("teacher_dev_accuracy"), params=lstm_params(cfg["arch"]),
                best=max(e["dev"]["accuracy"] for e in epochs),
                best_dense=max(dense) if dense else None, kept=res.get("best_epoch"),
                epochs=[(round(e["dev"]["accuracy"], 3), sum(sum(x) for x in e.get("alive") or [[0]])) for e in epochs])
def ms(xs, d=3):
    xs = [x for x in xs if x is not None]
    if not xs: return "–"
    return f"{st.mean(xs):.{d}f} ± {st.stdev(xs) if len(xs) > 1 else 0:.{d}f}"
print("| variant | seeds | teacher | student (kept) | best epoch | best dense | cut, trained on | cut - best epoch | LSTM params (cut) | fewer | kept % teacher | cut % teacher |")
print("| --- " * 12 + "|")
for d in sorted((root / "runs").iterdir()):
    seeds = sorted(d.iterdir())
    pairs = [(one(s / "student"), one(s / "cut") if (s / "cut").exists() else None) for s in seeds]
    pairs = [(x, c) for x, c in pairs if x]
    stu, cut = [x for x, _ in pairs], [c for _, c in pairs]
    if not stu: print(f"| {d.name} | failed |"); continue
    cutd = [c for c in cut if c]
    full = stu[0]["params"]
    # against the best epoch of any kind: stricter than the best dense one when the lasso helps
    gap = [c["dev"] - s["best"] for s, c in zip(stu, cut) if c]
    fewer = f"{100 * (1 - st.mean(c['params'] for c in cutd) / full):.0f}%" if cutd else "–"
    cut_share = f"{100 * st.mean(c['dev'] / s['teacher'] for s, c in zip(stu, cut) if c):.0f}" if cutd else "–"
    n = f"{len(stu)}" if len(cutd) in (0, len(stu)) else f"{len(stu)} (cut {len(cutd)})"
    print(f"| {d.name} | {n} | {ms([s['teacher'] for s in stu])} | {ms([s['dev'] for s in stu])} | {ms([s['best'] for s in stu])} | "
          f"{ms([s['best_dense'] for s in stu])} | {ms([c['dev'] for c in cutd])} | {ms(gap)} | "
          f"{ms([c['params'] for c in cutd], 0) if cutd else full} | {fewer} | "
          f"{100 * st.mean(s['dev'] / s['teacher'] for s in stu):.0f} | {cut_share} |")
print()
for d in sorted((root / "runs").iterdir()):
    for s in sorted(d.iterdir()):
        x = one(s / "student")
        c = one(s / "cut") if (s / "cut").exists() else None
        if x: print(d.name, s.name, "kept", x["kept"], "epochs", x["epochs"], "cut", c and c["epochs"])
EOF
