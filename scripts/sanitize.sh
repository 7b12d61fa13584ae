#!/usr/bin/env bash
# The whole test suite built with ASan + UBSan (gcc, -DKDW_SANITIZE=ON) in build-asan/, then run
# by ctest (arguments go to ctest, e.g. -R test_core). Slow: the sanitizers make the tests
# several times slower, so each test's timeout is scaled (KDW_SANITIZE_TIMEOUT_SCALE).
# KDW_BUILD_GUI=OFF in the environment skips the GUI and its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
gui=${KDW_BUILD_GUI:-ON}
# -O1 -g1: what ASan recommends, with line numbers in its reports; compiles faster than -O2 -g
# on the LibTorch headers (the whole build is ~300 steps).
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DKDW_SANITIZE=ON \
  -DKDW_BUILD_GUI="$gui" -DKDW_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$(nproc)"
cd build-asan
# Leaks are not checked: LibTorch and Qt keep allocations until exit by design.
# verify_asan_link_order=0: test_cli_options runs kdw with the reference BLAS in LD_PRELOAD, which
# then comes before the ASan runtime; ASan would refuse to start ("does not come first").
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:verify_asan_link_order=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure -j"$(nproc)" "$@"
