#!/usr/bin/env bash
# Installs the Debian 12 packages KD Workbench needs to build, test and run (as root, or via sudo).
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config ccache
  libtorch-dev libopenblas0-openmp      # OpenBLAS: LibTorch is ~20x slower on the reference BLAS
  libgloo-dev                            # Gloo headers: LibTorch c10d multi-process jobs (engine/dist)
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libqt6test6 libqt6svg6
  libsentencepiece-dev libspdlog-dev nlohmann-json3-dev libutf8proc-dev zlib1g-dev
  libbenchmark-dev
  clang libclang-rt-14-dev               # libFuzzer + ASan/UBSan runtimes (tests/fuzz, scripts/fuzz.sh)
  python3 python3-numpy                  # format interop checks in the tests
  xvfb xauth                             # GUI screenshots
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
