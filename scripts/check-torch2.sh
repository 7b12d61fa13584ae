#!/usr/bin/env bash
# Builds the engine, the kdw CLI and the engine tests against LibTorch 2.x (CPU) and runs the
# tests and a short demo pipeline, in a Debian 13 (trixie) chroot whose libtorch-dev is 2.x.
# Needs root and network (debootstrap and apt download trixie and its packages, ~1.5 GB); the
# build takes about an hour on 2 shared cores. Without libopenblas0-openmp, Debian's LibTorch
# falls back to the reference BLAS (~20x slower). The chroot stays in CHROOT_DIR for reruns
# (then no network is needed). Usage: sudo scripts/check-torch2.sh [CHROOT_DIR]   (default: /var/tmp/kdw-trixie)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/kdw-trixie}
jobs=${KDW_JOBS:-2}

if [ ! -x "$root/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y debootstrap
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian
fi
mkdir -p "$root/src/kdw"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$root/dev" || mount --rbind /dev "$root/dev"
mountpoint -q "$root/src/kdw" || mount --bind "$src" "$root/src/kdw"
trap 'umount "$root/src/kdw"; umount -R "$root/dev"; umount "$root/proc"' EXIT
cp /etc/resolv.conf "$root/etc/resolv.conf"

chroot "$root" env DEBIAN_FRONTEND=noninteractive KDW_JOBS="$jobs" bash -euo pipefail -c '
  apt-get update -q
  apt-get install -y -q --no-install-recommends cmake ninja-build g++ pkg-config libtorch-dev \
    libspdlog-dev nlohmann-json3-dev libutf8proc-dev zlib1g-dev libsentencepiece-dev \
    qt6-base-dev libqt6test6 python3 python3-numpy libopenblas0-openmp libgloo-dev
  dpkg-query -W -f "\${Package} \${Version}\n" libtorch-dev libspdlog-dev libfmt-dev g++
  cd /src/kdw
  cmake -S . -B /root/build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKDW_BUILD_GUI=OFF \
    -DKDW_BUILD_BENCH=OFF
  cmake --build /root/build -j "$KDW_JOBS"
  (cd /root/build && ctest --output-on-failure -j "$KDW_JOBS")
  scripts/torch2-pipeline.sh /root/build/app/kdw/kdw /root/ws
'
echo "LibTorch 2.x check passed"
