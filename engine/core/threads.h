// LibTorch's intra-op thread count. It starts at 1 in containers (OpenMP's default there), so
// every entry point applies the user's setting, defaulting to the machine's core count.
#pragma once

#include <string>

namespace kdw {

/// Threads per core accepted at most: more only adds contention (100,000 requested threads
/// once started 3,600 and made no progress).
constexpr int kMaxThreadsPerCore = 4;

/// The machine's core count (at least 1).
int core_count();
/// Most threads accepted: kMaxThreadsPerCore x core_count().
int max_thread_count();

/// Throws kdw::UsageError unless `requested` is 0 (all cores) or 1..max_thread_count().
void check_thread_count(int requested);

/// Applies `requested` threads (0: all cores) to LibTorch; returns the count used. Throws as
/// check_thread_count.
int apply_thread_count(int requested);

/// Float32 matmul speed in GFLOP/s, measured in ~50 ms (benchmarks report it).
double measure_matmul_gflops();

/// The file that provides the BLAS sgemm LibTorch calls (resolved through symlinks), or empty
/// when no shared library exports it (a BLAS linked statically into LibTorch, as in PyTorch's
/// LibTorch builds with MKL).
std::string loaded_blas_file();

/// Whether `file` (a resolved path) is the reference (netlib) BLAS: a libblas.so / librefblas
/// that is not from OpenBLAS, BLIS, ATLAS, MKL or FlexiBLAS (Debian keeps netlib's in .../blas/).
bool is_reference_blas(const std::string& file);

/// The OPENBLAS_CORETYPE to suggest when OpenBLAS runs the generic kernels of `corename`
/// ("Prescott": what OpenBLAS 0.3.21 picks on a CPU it does not recognise, e.g. a virtual
/// machine's "Intel Xeon Processor") although the CPU has AVX-512 ("SkylakeX") or AVX2
/// ("Haswell"); empty when the kernels fit. The student's epoch on the demo ran 2.5x faster
/// with SkylakeX than with Prescott (docs/distillation.md, "Demo settings").
std::string better_openblas_core(const std::string& corename, bool avx2, bool avx512);

/// Logs a warning when LibTorch's sgemm comes from the reference BLAS (~20x slower than
/// OpenBLAS), or from OpenBLAS's generic kernels on a CPU that has faster ones
/// (better_openblas_core). Decided by which library is loaded, not by timing, so a busy machine or
/// --threads 1 raise no false alarm.
void warn_if_blas_slow();

}  // namespace kdw
