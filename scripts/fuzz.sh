#!/usr/bin/env bash
# Builds the libFuzzer harnesses of every file reader (build-fuzz/, clang, ASan + UBSan; see
# docs/reliability.md, "Fuzzing") and runs them one after another, each until it has executed
# KDW_FUZZ_RUNS inputs (default 1,000,000) or SECONDS have passed, whichever comes first.
# Prints executions, coverage (libFuzzer's cov = edges, ft = features) and findings per harness;
# exits 1 when any harness found something (the input is kept in build-fuzz/fuzz-out/).
# The corpus grows across runs in build-fuzz/fuzz-corpus/<harness>/.
#
#   scripts/fuzz.sh [SECONDS (default 600)] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
[ $# -gt 0 ] && shift
runs=${KDW_FUZZ_RUNS:-1000000}
build=build-fuzz

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKDW_FUZZ=ON >/dev/null
if [ $# -gt 0 ]; then
  # Only the named harnesses and the seed tool: on a busy machine the others take many minutes.
  cmake --build "$build" --target kdw_fuzz_seeds "$@"
else
  cmake --build "$build"
fi
seeds=$build/fuzz-seeds
out=$build/fuzz-out
mkdir -p "$out"
"$build/tests/fuzz/kdw_fuzz_seeds" "$seeds" tests/fixtures >/dev/null

if [ $# -gt 0 ]; then
  harnesses=("$@")
else
  mapfile -t harnesses < <(cd "$build/tests/fuzz" && ls fuzz_* | sort)
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1
printf '%-22s %10s %8s %7s %7s %8s  %s\n' harness executions seconds cov ft corpus findings
total_findings=0
for h in "${harnesses[@]}"; do
  corpus=$build/fuzz-corpus/$h
  mkdir -p "$corpus"
  rm -f "$out/$h"-*
  start=$(date +%s)
  set +e
  "$build/tests/fuzz/$h" -max_total_time="$seconds" -runs="$runs" -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 -timeout=20 -print_final_stats=1 -artifact_prefix="$out/$h-" \
    "$corpus" "$seeds/$h" >"$out/$h.log" 2>&1
  rc=$?
  set -e
  elapsed=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$h.log" | tail -1)
  stats=$(grep -E '^#[0-9]+.*cov: ' "$out/$h.log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$stats")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$stats")
  [ -z "$execs" ] && execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$stats")
  files=$(find "$corpus" -type f | wc -l)
  found=$(find "$out" -maxdepth 1 -name "$h-*" -type f | wc -l)
  if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then found=1; fi
  what=0
  if [ "$found" -gt 0 ]; then
    what="$found: $(grep -m1 -E 'ERROR: |runtime error|terminate called|out-of-memory|timeout' \
      "$out/$h.log" | cut -c1-120) (log: $out/$h.log)"
  fi
  printf '%-22s %10s %8s %7s %7s %8s  %s\n' "$h" "${execs:-?}" "$elapsed" "${cov:-?}" \
    "${ft:-?}" "$files" "$what"
  total_findings=$((total_findings + found))
done
echo "findings: $total_findings"
[ "$total_findings" -eq 0 ]
