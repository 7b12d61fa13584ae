// LibTorch's intra-op thread count. It starts at 1 in containers (OpenMP's default there), so
// every entry point applies the user's setting, defaulting to the machine's core count.
#pragma once

namespace kdw {

/// Applies `requested` threads (<= 0: hardware concurrency) to LibTorch; returns the count used.
int apply_thread_count(int requested);

/// Float32 matmul speed in GFLOP/s, measured in ~50 ms.
double measure_matmul_gflops();

/// Logs a warning when BLAS is implausibly slow (reference BLAS instead of OpenBLAS).
void warn_if_blas_slow();

}  // namespace kdw
