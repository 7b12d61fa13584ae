#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs packages, builds, builds the .deb,
# installs it and runs the installed kdw, then runs every test with ctest; then builds the readers'
# fuzz harnesses (build-fuzz/, clang + ASan/UBSan) and runs each for a few seconds with their
# past findings (scripts/fuzz.sh runs them long).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
scripts/check-package.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 900
cd ..
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKDW_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)"
cd build-fuzz
ctest --output-on-failure -j"$(nproc)" --timeout 300
