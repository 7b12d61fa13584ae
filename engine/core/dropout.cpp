#include "core/dropout.h"

#include <cmath>
#include <cstdint>
#include <mutex>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

namespace kdw {
namespace {

// A 32-bit integer hash with full avalanche ("lowbias32", Chris Wellons); two rounds keyed by
// the 64-bit seed decorrelate masks of successive calls.
inline uint32_t mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

thread_local int64_t t_first_row = 0;  // DropoutRowOffset

// out[k] = keep(k) ? in[k] * scale : 0, keep(k) when the hash of base + k is at or above
// `threshold` (= p * 2^32). Cloned for AVX-512 and AVX2, picked at load time.
__attribute__((target_clones("avx512f", "avx2", "default"))) void apply_mask(
    int64_t begin, int64_t end, const float* __restrict in, float* __restrict out, uint64_t seed,
    uint32_t threshold, float scale, int64_t base) {
  const auto seed_lo = static_cast<uint32_t>(seed), seed_hi = static_cast<uint32_t>(seed >> 32);
  for (int64_t k = begin; k < end; ++k) {
    const uint32_t h = mix(mix(static_cast<uint32_t>(base + k) ^ seed_lo) + seed_hi);
    out[k] = h >= threshold ? in[k] * scale : 0.0f;
  }
}

// The element index of x's first element in the global batch (DropoutRowOffset).
int64_t mask_base(const at::Tensor& x) {
  if (t_first_row == 0 || x.dim() == 0 || x.size(0) == 0) return 0;
  return t_first_row * (x.numel() / x.size(0));
}

at::Tensor masked(const at::Tensor& x, uint64_t seed, double p, int64_t base) {
  const at::Tensor in = x.contiguous();
  at::Tensor out = at::empty_like(in);
  const auto threshold = static_cast<uint32_t>(std::min(p * 4294967296.0, 4294967295.0));
  const auto scale = static_cast<float>(1.0 / (1.0 - p));
  const float* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, in.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
    apply_mask(begin, end, src, dst, seed, threshold, scale, base);
  });
  return out;
}

uint64_t next_seed() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get<at::CPUGeneratorImpl>()->random64();
}

struct DropoutFunction : public torch::autograd::Function<DropoutFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, double p) {
    const uint64_t seed = next_seed();
    const int64_t base = mask_base(x);
    ctx->saved_data["seed"] = static_cast<int64_t>(seed);
    ctx->saved_data["p"] = p;
    ctx->saved_data["base"] = base;
    return masked(x, seed, p, base);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const auto seed = static_cast<uint64_t>(ctx->saved_data["seed"].toInt());
    return {masked(grad[0], seed, ctx->saved_data["p"].toDouble(), ctx->saved_data["base"].toInt()),
            at::Tensor()};
  }
};

}  // namespace

at::Tensor dropout(const at::Tensor& x, double p, bool train) {
  if (!train || p <= 0) return x;
  if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || p >= 1 ||
      x.numel() > (int64_t(1) << 32))
    return at::dropout(x, p, train);
  if (at::GradMode::is_enabled() && x.requires_grad()) return DropoutFunction::apply(x, p);
  return masked(x, next_seed(), p, mask_base(x));
}

DropoutRowOffset::DropoutRowOffset(int64_t first_row) : saved_(t_first_row) {
  t_first_row = first_row;
}

DropoutRowOffset::~DropoutRowOffset() {
  t_first_row = saved_;
}

}  // namespace kdw
