#include "core/threads.h"

#include <dlfcn.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "core/log.h"

namespace kdw {

int core_count() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int max_thread_count() {
  return kMaxThreadsPerCore * core_count();
}

void check_thread_count(int requested) {
  if (requested < 0 || requested > max_thread_count())
    throw UsageError("threads must be 0 (all cores) or 1.." + std::to_string(max_thread_count()) +
                     " (" + std::to_string(kMaxThreadsPerCore) + " x " +
                     std::to_string(core_count()) + " cores): got " + std::to_string(requested));
}

int apply_thread_count(int requested) {
  check_thread_count(requested);
  at::set_num_threads(requested > 0 ? requested : core_count());
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

std::string loaded_blas_file() {
  // The global lookup finds the definition LibTorch's own sgemm_ reference binds to.
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info info{};
  if (!symbol || !dladdr(symbol, &info) || !info.dli_fname) return {};
  std::error_code ec;
  const std::filesystem::path resolved = std::filesystem::canonical(info.dli_fname, ec);
  return ec ? std::string(info.dli_fname) : resolved.string();
}

bool is_reference_blas(const std::string& file) {
  std::string lower = file;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* fast : {"openblas", "blis", "atlas", "mkl", "flexiblas", "accelerate"})
    if (lower.find(fast) != std::string::npos) return false;
  const std::string name = std::filesystem::path(lower).filename().string();
  return name.rfind("libblas.so", 0) == 0 || name.rfind("librefblas", 0) == 0;
}

std::string better_openblas_core(const std::string& corename, bool avx2, bool avx512) {
  std::string lower = corename;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // OpenBLAS's fallbacks for x86-64 CPUs it cannot name: SSE3-era kernels.
  for (const char* generic : {"prescott", "core2", "katmai", "coppermine", "northwood", "banias"})
    if (lower == generic) return avx512 ? "SkylakeX" : avx2 ? "Haswell" : "";
  return {};
}

void warn_if_blas_slow() {
  const std::string file = loaded_blas_file();
  log::debug("BLAS sgemm from {}", file.empty() ? "a library linked into LibTorch" : file);
  if (is_reference_blas(file))
    log::warn(
        "LibTorch uses the reference BLAS ({}), about 20x slower than OpenBLAS: install "
        "libopenblas0-openmp (or select it with update-alternatives --config "
        "libblas.so.3-x86_64-linux-gnu)",
        file);
  // OpenBLAS picks its kernels when it is loaded (before main), so only the environment of the
  // next start can change them.
  using Corename = char* (*)();
  const auto corename = reinterpret_cast<Corename>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!corename || std::getenv("OPENBLAS_CORETYPE")) return;
#if defined(__x86_64__) || defined(__i386__)
  const char* name = corename();
  const std::string better =
      better_openblas_core(name ? name : "", __builtin_cpu_supports("avx2") != 0,
                           __builtin_cpu_supports("avx512f") != 0);
  if (!better.empty())
    log::warn(
        "OpenBLAS did not recognise this CPU and runs its generic {} kernels, 2-3x slower than "
        "its {} kernels: start with OPENBLAS_CORETYPE={} set in the environment",
        name, better, better);
#endif
}

}  // namespace kdw
