#include "core/threads.h"

#include <dlfcn.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <chrono>
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

void warn_if_blas_slow() {
  const std::string file = loaded_blas_file();
  log::debug("BLAS sgemm from {}", file.empty() ? "a library linked into LibTorch" : file);
  if (is_reference_blas(file))
    log::warn(
        "LibTorch uses the reference BLAS ({}), about 20x slower than OpenBLAS: install "
        "libopenblas0-openmp (or select it with update-alternatives --config "
        "libblas.so.3-x86_64-linux-gnu)",
        file);
}

}  // namespace kdw
