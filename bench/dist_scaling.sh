#!/usr/bin/env bash
# Data-parallel scaling (docs/distributed.md, docs/speed.md): samples/s of 1, 2 and 4 local
# processes (`--nproc N --threads 1`) for the teacher (`kdw finetune`, `kdw logits`) and the
# student (`kdw distill`) on the demo data, each beside the single-process figure, and rank 0's
# time waiting on the gradient all-reduce per step (the part not overlapped with backward).
# Figures, not a test: run it on an otherwise idle machine with at least 4 free cores (fewer
# cores oversubscribe the 4-process runs; the script says so).
#   bench/dist_scaling.sh [BUILD_DIR=build] [ROWS=0] [PROCS="1 2 4"]
# ROWS: the first ROWS lines of the demo csv (a record may span lines; 0: the whole file).
# Environment: KDW_BENCH_WS (default /tmp/kdw-dist-bench, removed first), EPOCHS (default 1),
# PARTS (default "finetune logits distill"; logits and distill use the 1-process teacher),
# STUDENT (extra distill options, default a stack_biLSTM of hidden 256, emb 100).
# Beside kdw, PyTorch's DistributedDataParallel on the same model, data, batches and global
# batch (bench/reference/ddp_scaling.py, rows "ddp-..."): DDP=auto (default: when a Python with
# torch.distributed and Gloo is found, else a note and no rows), 1 (required) or 0 (skipped);
# DDP_PYTHON (default: the first of python3, /usr/bin/python3 that has it); DDP_STUDENT
# (default "exact": kdw's padded stack_biLSTM; "exact packed" adds nn.LSTM on packed sequences).
# STUDENT's options are kdw's only: the DDP rows use ddp_scaling.py's defaults, which are the
# default STUDENT's (hidden 256, emb 100, 2 layers, batch 32, lr 2e-3).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rows=${2:-0}
procs=${3:-"1 2 4"}
kdw="$build/app/kdw/kdw"
ws=${KDW_BENCH_WS:-/tmp/kdw-dist-bench}
epochs=${EPOCHS:-1}
read -r -a student <<<"${STUDENT:---model_type stack_biLSTM --hidden_size 256 --emb_dim 100 --batch_size 32 --lr 2e-3}"
[ -x "$kdw" ] || { echo "dist_scaling: $kdw not built" >&2; exit 1; }
cores=$(nproc)
for n in $procs; do
  [ "$n" -le "$cores" ] || echo "note: $n processes on $cores cores oversubscribe: that figure measures contention, not scaling"
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"

rm -rf "$ws"
mkdir -p "$ws"
csv=resources/demo/fortunes_ru.csv
if [ "$rows" -gt 0 ]; then
  head -n $((rows + 1)) "$csv" >"$ws/input.csv"
  csv="$ws/input.csv"
fi
"$kdw" prepare --input "$csv" --workspace "$ws/base" --bert_vocab resources/demo/bert/vocab.txt \
  >"$ws/prepare.log" 2>&1 || { grep '^kdw:' "$ws/prepare.log" >&2; exit 1; }
mkdir -p "$ws/base/files/bert/demo_bert"
cp resources/demo/bert/config.json resources/demo/bert/vocab.txt "$ws/base/files/bert/demo_bert/"
# Samples as prepare counted them: a CSV record may span several lines, so ROWS (lines) is not it.
samples=$(sed -n 's/^samples \([0-9]*\) in .*/\1/p' "$ws/prepare.log" | tail -n 1)
train=$(sed -n 's/^  train: \([0-9]*\).*/\1/p' "$ws/prepare.log" | tail -n 1)

# Mean samples_per_s of a metrics.jsonl's step records, the first (warm-up) left out.
rate() {
  python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s=[x["samples_per_s"] for x in r if x.get("kind")=="step"]
s=s[1:] or s
print("%.0f" % (sum(s)/len(s)) if s else "-")' "$1" 2>/dev/null || echo -
}
# Rank 0's "gradient all-reduce: X ms waited per step" line, with the MB all-reduced per step
# against the dense gradient's MB (an embedding travels as its touched rows).
wait_ms() {
  local ms mb
  ms=$(sed -n 's/.*gradient all-reduce: \([0-9.]*\) ms waited per step.*/\1/p' "$1" | tail -n 1)
  mb=$(sed -n 's/.*, \([0-9]*\) bytes a step (the dense gradient: \([0-9]*\) bytes).*/\1 \2/p' "$1" |
    tail -n 1 | awk 'NF == 2 { printf "%.2f/%.2f MB", $1 / 1e6, $2 / 1e6 }')
  echo "$ms${mb:+ ($mb)}"
}
now() { date +%s.%N; }
per_s() { python3 -c 'import sys; print("%.0f" % (float(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))' "$@"; }
# row WHAT N RATE WAIT BASE: one line of the table, with the ratio to the 1-process figure.
row() {
  local ratio=-
  if [ "$3" != - ] && [ "$5" != - ] && [ -n "$5" ]; then
    ratio=$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$3" "$5")
  fi
  printf '%-13s %5s %12s %10s %16s\n' "$1" "$2" "$3" "x$ratio" "${4:--}"
}

# ---- PyTorch DDP beside kdw (bench/reference/ddp_scaling.py) -------------------------------------
ddp=${DDP:-auto}
ddp_py=
has_ddp() { "$1" -c 'import torch.distributed as d, numpy; assert d.is_available() and d.is_gloo_available()' 2>/dev/null; }
if [ "$ddp" != 0 ]; then
  for py in ${DDP_PYTHON:-python3 /usr/bin/python3}; do
    if command -v "$py" >/dev/null && has_ddp "$py"; then ddp_py=$py; break; fi
  done
  if [ -z "$ddp_py" ]; then
    [ "$ddp" = 1 ] && { echo "dist_scaling: no Python with torch.distributed and Gloo (DDP=1; set DDP_PYTHON)" >&2; exit 1; }
    echo "note: no Python with torch.distributed and Gloo (Debian: python3-torch; or set DDP_PYTHON): no ddp rows"
  else
    echo "ddp: $("$ddp_py" -c 'import torch; print("PyTorch", torch.__version__)') ($ddp_py)"
  fi
fi
declare -A kdw_rate ddp_rate
# ddp_field LOG EXPR: EXPR of rank 0's JSON line r (the last line of LOG that is one).
ddp_field() {
  python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null || echo -
}
# ddp_rows PART LABEL WORKSPACE [ddp_scaling.py options]: the DDP rows of one part, one per process count.
ddp_rows() {
  local part=$1 label=$2 dir=$3 n out r mb base=
  shift 3
  [ -n "$ddp_py" ] || return 0
  for n in $procs; do
    out="$ws/ddp-$label-$n.log"
    if "$ddp_py" bench/reference/ddp_scaling.py "$part" "$dir" --nproc "$n" --threads 1 \
      --epochs "$epochs" "$@" >"$out" 2>&1; then
      r=$(ddp_field "$out" '"%.0f" % r["samples_per_s"]')
      mb=$(ddp_field "$out" '"%.2f" % (r["gradient_bytes"] / 1e6)')
      [ "$n" = 1 ] && base=$r
      ddp_rate[$label.$n]=$r
      # DDP all-reduces every gradient dense; its wait is inside backward, not measured apart.
      if [ "$n" = 1 ]; then row "ddp-$label" "$n" "$r" "" "$base"; else row "ddp-$label" "$n" "$r" "- ($mb/$mb MB)" "$base"; fi
    else
      row "ddp-$label" "$n" - "failed: $(tail -n 1 "$out")" ""
    fi
  done
}
printf '\n%-13s %5s %12s %10s %16s\n' what procs samples/s "vs 1 proc" "all-reduce ms/step (sent/dense MB)"

parts=${PARTS:-finetune logits distill}
has() { [[ " $parts " == *" $1 "* ]]; }

# ---- teacher: fine-tuning (data parallel where `kdw finetune --nproc` is) ----------------------
# The 1-process teacher is trained in any case: logits and distill need it.
base=
for n in $procs; do
  [ "$n" = 1 ] || has finetune || continue
  w="$ws/ft$n"
  cp -a "$ws/base" "$w"
  log="$ws/finetune-$n.log"
  # One process without --nproc: the figure exists where finetune is not data parallel yet.
  nproc=()
  [ "$n" = 1 ] || nproc=(--nproc "$n")
  if "$kdw" finetune --workspace "$w" --bert_path "$w/files/bert/demo_bert" --epochs "$epochs" \
    --lr 5e-4 --batch_size 16 --threads 1 "${nproc[@]}" >"$log" 2>&1; then
    r=$(rate "$w/files/bert/rubert_finetune/metrics.jsonl")
    [ "$n" = 1 ] && base=$r
    kdw_rate[finetune.$n]=$r
    row finetune "$n" "$r" "$(wait_ms "$log")" "$base"
  else
    row finetune "$n" - "failed: $(grep '^kdw:' "$log" | tail -n 1)" ""
  fi
done

! has finetune || ddp_rows finetune finetune "$ws/base" --bert_config resources/demo/bert/config.json \
  --batch_size 16 --lr 5e-4

# ---- teacher: logits of every split, with the 1-process teacher ---------------------------------
[ -d "$ws/ft1/files/bert/rubert_finetune" ] || { echo "no fine-tuned teacher: stopping" >&2; exit 1; }
if has distill && ! has logits; then
  "$kdw" logits --workspace "$ws/ft1" --threads 2 >"$ws/logits.log" 2>&1
fi
base=
for n in $procs; do
  has logits || break
  log="$ws/logits-$n.log"
  t0=$(now)
  "$kdw" logits --workspace "$ws/ft1" --threads 1 --nproc "$n" --force >"$log" 2>&1
  r=$(per_s "$samples" "$t0" "$(now)")
  [ "$n" = 1 ] && base=$r
  row logits "$n" "$r" "" "$base"
done

# ---- student: distillation -----------------------------------------------------------------------
base=
for n in $procs; do
  has distill || break
  out="$ws/distill$n"
  log="$ws/distill-$n.log"
  "$kdw" distill --data_path "$ws/ft1" "${student[@]}" --epochs "$epochs" --threads 1 \
    --nproc "$n" --output_dir "$out" >"$log" 2>&1
  run=$(find "$out" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  r=$(rate "$run/metrics.jsonl")
  [ "$n" = 1 ] && base=$r
  kdw_rate[distill.$n]=$r
  row distill "$n" "$r" "$(wait_ms "$log")" "$base"
done
if has distill; then
  for s in ${DDP_STUDENT:-exact}; do
    label=distill
    [ "$s" = exact ] || label=$s
    ddp_rows distill "$label" "$ws/ft1" --student "$s"
  done
fi
if [ -n "$ddp_py" ]; then
  # kdw's samples/s over DDP's at each process count (> 1: kdw is faster).
  echo
  for label in finetune distill; do
    line=
    for n in $procs; do
      k=${kdw_rate[$label.$n]:-} d=${ddp_rate[$label.$n]:-}
      [ -n "$k" ] && [ -n "$d" ] && [ "$k" != - ] && [ "$d" != - ] || continue
      line+=" $n: x$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$k" "$d")"
    done
    [ -z "$line" ] || echo "kdw / ddp samples/s, $label:$line"
  done
fi
echo
echo "(samples/s: training = mean of metrics.jsonl's step windows after the first, global batch"
echo " (ddp: the same windows, timed by rank 0 of ddp_scaling.py); logits = $samples samples /"
echo " wall time with start-up; train split: $train samples)"
