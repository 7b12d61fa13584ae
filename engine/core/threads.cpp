#include "core/threads.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/log.h"

namespace kdw {

int apply_thread_count(int requested) {
  int n = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
  n = std::max(n, 1);
  at::set_num_threads(n);
  return at::get_num_threads();
}

double measure_matmul_gflops() {
  const int64_t n = 256;
  at::Tensor a = at::randn({n, n});
  at::Tensor b = at::randn({n, n});
  at::mm(a, b);  // warm-up
  int reps = 0;
  const auto start = std::chrono::steady_clock::now();
  double seconds = 0;
  do {
    at::mm(a, b);
    ++reps;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (seconds < 0.05);
  return 2.0 * n * n * n * reps / seconds / 1e9;
}

void warn_if_blas_slow() {
  const double gflops = measure_matmul_gflops();
  // Reference (netlib) BLAS runs at ~3 GFLOP/s here, OpenBLAS at 60+ per core.
  if (gflops < 10.0) {
    log::warn(
        "matrix multiplication runs at {:.1f} GFLOP/s: LibTorch is probably using the reference "
        "BLAS; install libopenblas0-openmp for a ~20x speed-up",
        gflops);
  }
}

}  // namespace kdw
