#!/usr/bin/env bash
# Configures and builds into ./build (KDW_BUILD_GUI=OFF in the environment for engine + CLI only).
set -euo pipefail
cd "$(dirname "$0")/.."
gui=${KDW_BUILD_GUI:-ON}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKDW_BUILD_GUI="$gui" >/dev/null
cmake --build build -j"$(nproc)"
