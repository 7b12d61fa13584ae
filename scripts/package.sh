#!/usr/bin/env bash
# Builds the Debian package from ./build (run scripts/build.sh first); prints the .deb's path.
set -euo pipefail
cd "$(dirname "$0")/../build"
cpack -G DEB >/dev/null
ls -1 "$PWD"/kdw_*.deb | tail -n 1
