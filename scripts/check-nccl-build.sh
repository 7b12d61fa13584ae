#!/usr/bin/env bash
# Compiles and links kdw's NCCL path (engine/dist, KDW_HAVE_NCCL) against a CUDA LibTorch with
# NCCL, on a machine without a GPU, and runs the dist tests there: Debian 13 (trixie) contrib's
# libtorch-cuda-dev (2.6, built with NCCL), libnccl-dev and libgloo-cuda-dev, and non-free's
# CUDA toolkit (12.4; LibTorch's CMake config needs nvcc), in a chroot of their own
# (libtorch-cuda-dev conflicts with the CPU libtorch-dev of scripts/check-torch2.sh).
#
# What it proves: CMake finds NCCL in Debian's layout and defines KDW_HAVE_NCCL; the NCCL code
# compiles against LibTorch 2.x's ProcessGroupNCCL and links with libtorch_cuda and libnccl;
# the Gloo dist tests pass with the CUDA LibTorch loaded; a one-rank NCCL job on a machine
# without a GPU is refused in one line (test_dist_env's ncclJobOfOneRank).
# What it cannot: nothing runs on CUDA (no GPU, no NVIDIA kernel driver), so no NCCL collective
# runs. On a GPU machine test_dist_env's ncclJobOfOneRank runs a one-rank NCCL all-reduce,
# broadcast and gather; scripts/gpu-check.sh a one-rank NCCL distillation.
#
# cuDNN: Debian's nvidia-cudnn only downloads cuDNN from NVIDIA at install time, so the chroot
# gets an empty package of that name instead (held), and libtorch_cuda's libcudnn.so.9 is a stub
# built here (/usr/local/lib/kdw-cudnn-stub) whose every function prints its name and aborts:
# libtorch_cuda is linked with BIND_NOW, so without it nothing that links LibTorch would load.
# Nothing here may call cuDNN, and nothing does without a GPU.
#
# Needs root and network (debootstrap, ~3 GB of packages). Builds only the dist module and its
# tests (6 min on 2 busy cores); KDW_NCCL_FULL=1 also builds kdw and test_dist_cli (the whole
# engine, 20 min more), runs the dist tests through ctest (test_dist_cli: two kdw processes over
# Gloo) and checks that kdw asked for NCCL without a GPU ends with one line each way. The chroot
# stays in CHROOT_DIR for reruns.
# Usage: sudo scripts/check-nccl-build.sh [CHROOT_DIR]   (default: /var/tmp/kdw-trixie-cuda)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/kdw-trixie-cuda}
jobs=${KDW_JOBS:-2}
full=${KDW_NCCL_FULL:-0}

if [ ! -x "$root/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y debootstrap
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian
fi
echo "deb http://deb.debian.org/debian trixie main contrib non-free non-free-firmware" \
  >"$root/etc/apt/sources.list"
mkdir -p "$root/src/kdw"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$root/dev" || mount --rbind /dev "$root/dev"
mountpoint -q "$root/src/kdw" || mount --bind "$src" "$root/src/kdw"
trap 'umount "$root/src/kdw"; umount -R "$root/dev"; umount "$root/proc"' EXIT
cp /etc/resolv.conf "$root/etc/resolv.conf"

chroot "$root" env DEBIAN_FRONTEND=noninteractive KDW_JOBS="$jobs" KDW_NCCL_FULL="$full" \
  bash -euo pipefail -c '
  apt-get update -q
  # The empty stand-in for nvidia-cudnn (see the header).
  if ! dpkg-query -W -f "\${Version}" nvidia-cudnn 2>/dev/null | grep -q kdwdummy; then
    mkdir -p /root/dummy-cudnn/DEBIAN
    printf "%s\n" "Package: nvidia-cudnn" "Version: 9.0.0.312~cuda12+kdwdummy1" \
      "Architecture: amd64" "Maintainer: KD Workbench build check <nobody@localhost>" \
      "Provides: libcudnn.so.9" \
      "Description: DUMMY - satisfies libtorch-cuda'"'"'s dependency; cuDNN is NOT installed" \
      " Lets apt install libtorch-cuda to compile and link against it; nothing using cuDNN runs." \
      >/root/dummy-cudnn/DEBIAN/control
    dpkg-deb --build /root/dummy-cudnn /root/nvidia-cudnn-dummy.deb
    dpkg -i /root/nvidia-cudnn-dummy.deb
    apt-mark hold nvidia-cudnn
  fi
  apt-get install -y -q --no-install-recommends cmake ninja-build g++ pkg-config \
    libtorch-cuda-dev libnccl-dev libgloo-cuda-dev nvidia-cuda-toolkit nvidia-cuda-dev \
    libspdlog-dev nlohmann-json3-dev libutf8proc-dev zlib1g-dev libsentencepiece-dev \
    qt6-base-dev libqt6test6 python3 python3-numpy libopenblas0-openmp
  dpkg-query -W -f "\${Package} \${Version}\n" libtorch-cuda-dev libnccl-dev libcudart12 \
    nvidia-cuda-toolkit libgloo-cuda-dev nvidia-cudnn g++ cmake

  # The cuDNN stub: every symbol libtorch_cuda takes from libcudnn.so.9, each aborting.
  stub=/usr/local/lib/kdw-cudnn-stub
  mkdir -p $stub
  {
    echo "#include <stdio.h>"
    echo "#include <stdlib.h>"
    echo "static void stub(const char* f) {"
    echo "  fprintf(stderr, \"cuDNN stub: %s called, but cuDNN is not installed\\n\", f);"
    echo "  abort();"
    echo "}"
    nm -D --undefined-only /usr/lib/x86_64-linux-gnu/libtorch_cuda.so |
      sed -n "s/^ *U \(cudnn[A-Za-z0-9_]*\)@libcudnn\.so\.9$/\1/p" | sort -u |
      while read -r f; do echo "int $f(void) { stub(\"$f\"); return 1; }"; done
  } >$stub/cudnn_stub.c
  echo "libcudnn.so.9 { global: cudnn*; local: *; };" >$stub/cudnn_stub.map
  gcc -shared -fPIC -O1 -o $stub/libcudnn.so.9 -Wl,-soname,libcudnn.so.9 \
    -Wl,--version-script=$stub/cudnn_stub.map $stub/cudnn_stub.c
  echo $stub >/etc/ld.so.conf.d/kdw-cudnn-stub.conf
  ldconfig
  echo "cuDNN stub: $(grep -c "^int cudnn" $stub/cudnn_stub.c) functions"

  cd /src/kdw
  b=/root/build-nccl
  cmake -S . -B $b -G Ninja -DCMAKE_BUILD_TYPE=Release -DKDW_BUILD_GUI=OFF \
    -DKDW_BUILD_BENCH=OFF | tee /root/configure-nccl.log
  grep -q "^-- NCCL: " /root/configure-nccl.log || { echo "FAIL: no NCCL: line"; exit 1; }
  # (grep -q in a pipe would end its writer early, which pipefail counts as a failure.)
  flags=$(grep -A3 "kdw_dist.dir/dist_context.cpp.o:" $b/build.ninja)
  case "$flags" in *-DKDW_HAVE_NCCL*) ;;
    *) echo "FAIL: KDW_HAVE_NCCL is not defined for dist_context.cpp"; exit 1 ;; esac
  tests="test_dist_env test_grad_reducer test_broadcast_state"
  nice -n 10 cmake --build $b --target kdw_dist $tests -j "$KDW_JOBS"
  nm -C $b/engine/dist/libkdw_dist.a >/root/kdw_dist.nm
  grep -q "U c10d::ProcessGroupNCCL::ProcessGroupNCCL" /root/kdw_dist.nm ||
    { echo "FAIL: libkdw_dist.a does not use ProcessGroupNCCL"; exit 1; }
  ldd $b/tests/dist/test_dist_env | grep -E "libtorch_cuda|libnccl|libcudnn"
  for t in $tests; do
    $b/tests/dist/$t 2>/root/$t.err || { cat /root/$t.err; echo "FAIL: $t"; exit 1; }
    # One line and no CUDA warnings: a machine without a GPU must stay quiet.
    if [ -s /root/$t.err ]; then cat /root/$t.err; echo "FAIL: $t wrote to stderr"; exit 1; fi
  done
  [ "$KDW_NCCL_FULL" = 1 ] || exit 0
  nice -n 10 cmake --build $b --target kdw test_dist_cli -j "$KDW_JOBS"
  (cd $b && ctest -R "^test_(dist_|grad_reducer|broadcast_state)" --output-on-failure)
  # kdw asked for NCCL on a machine without a GPU: one line and the exit code, each way.
  ws=$(mktemp -d)
  expect() {  # expect CODE LINE-START ARGS...
    local code=$1 line=$2 rc=0
    shift 2
    "$b/app/kdw/kdw" logits --workspace "$ws" "$@" 2>/root/kdw.err >/dev/null || rc=$?
    if [ "$rc" != "$code" ] || [ "$(wc -l </root/kdw.err)" != 1 ] ||
      [ "$(head -c ${#line} /root/kdw.err)" != "$line" ]; then
      cat /root/kdw.err
      echo "FAIL: kdw $* (exit $rc, expected $code and one line starting: $line)"
      exit 1
    fi
    cat /root/kdw.err
  }
  RANK=0 WORLD_SIZE=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=29533 expect 1 "kdw: rank 0 has LOCAL_RANK 0" \
    --device cuda --dist_backend nccl
  expect 1 "kdw: --nproc 2 with NCCL needs one GPU per worker" --device cuda --dist_backend nccl \
    --nproc 2
  expect 1 "kdw: device cuda: this LibTorch build has no CUDA" --device cuda --dist_backend nccl
  expect 2 "kdw: dist_backend nccl runs on GPUs only" --device cpu --dist_backend nccl
  rm -rf "$ws"
'
echo "NCCL build check passed (compiled, linked, dist tests ran on the CPU; nothing ran on CUDA)"
