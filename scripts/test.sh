#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs packages, builds, builds the .deb,
# installs it and runs the installed kdw, then runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
scripts/check-package.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 900
