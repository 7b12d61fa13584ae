#include "core/adamw_step.h"

#include <cmath>
#include <map>
#include <stdexcept>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/torch_compat.h"

namespace kdw {
namespace {

struct StepScalars {
  float decay;  // 1 - lr * weight_decay
  float beta1, beta2, one_minus_beta1, one_minus_beta2;
  float bias_correction2_sqrt;
  float eps;
  float neg_step_size;  // -lr / bias_correction1
  float grad_scale;
};

// The arithmetic of torch::optim::AdamW::step(), element by element, in float. Memory-bound once
// vectorised: cloned for AVX-512 and AVX2 (picked at load time) so a portable build still uses
// the wide registers; -fno-math-errno on this file lets the square root vectorise.
__attribute__((target_clones("avx512f", "avx2", "default"))) void update_range(
    int64_t begin, int64_t end, float* __restrict p, const float* __restrict g, float* __restrict m,
    float* __restrict v, const StepScalars s) {
  for (int64_t k = begin; k < end; ++k) {
    const float grad = g[k] * s.grad_scale;
    const float decayed = p[k] * s.decay;
    const float m_k = m[k] * s.beta1 + s.one_minus_beta1 * grad;
    const float v_k = v[k] * s.beta2 + s.one_minus_beta2 * grad * grad;
    m[k] = m_k;
    v[k] = v_k;
    p[k] = decayed + s.neg_step_size * (m_k / (std::sqrt(v_k) / s.bias_correction2_sqrt + s.eps));
  }
}

// The state of `p` in `optimizer`, made (step 0, zero moments) on first use, under the key
// torch::optim::AdamW uses, so that its save()/load() and step() see it.
torch::optim::AdamWParamState& adamw_state(torch::optim::AdamW& optimizer, const at::Tensor& p) {
  auto& slot = optimizer.state()[compat::optimizer_state_key(p)];
  if (!slot) {
    auto fresh = std::make_unique<torch::optim::AdamWParamState>();
    fresh->step(0);
    fresh->exp_avg(at::zeros_like(p, at::MemoryFormat::Preserve));
    fresh->exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
    slot = std::move(fresh);
  }
  return static_cast<torch::optim::AdamWParamState&>(*slot);
}

}  // namespace

GradClip grad_clip(const std::vector<at::Tensor>& params, double max_norm) {
  at::NoGradGuard no_grad;
  GradClip clip;
  // The norms stay where the gradients are and come back in one transfer: on a GPU one
  // synchronisation per step instead of one per tensor.
  std::vector<at::Tensor> norms;
  for (const auto& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().norm().to(at::kDouble));
  if (!norms.empty()) clip.total_norm = at::stack(norms).norm().item<double>();
  if (max_norm > 0) clip.scale = std::min(1.0, max_norm / (clip.total_norm + 1e-6));
  return clip;
}

void clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm) {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty() || max_norm <= 0) return;
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
  for (const auto& g : grads) norms.push_back(g.norm());
  const at::Tensor factor =
      at::stack(norms).norm().add_(1e-6).reciprocal_().mul_(max_norm).clamp_max_(1.0);
  for (auto& g : grads) g.mul_(factor);
}

void fused_adamw_step(torch::optim::AdamW& optimizer, double grad_scale) {
  at::NoGradGuard no_grad;
  for (auto& group : optimizer.param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    if (options.amsgrad())
      throw std::invalid_argument("fused_adamw_step: amsgrad is not supported");
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& state = adamw_state(optimizer, p);
      state.step(state.step() + 1);
      const auto [beta1, beta2] = options.betas();
      const double decay = 1 - options.lr() * options.weight_decay();
      const double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, double(state.step())));
      const double step_size = options.lr() / (1 - std::pow(beta1, double(state.step())));
      at::Tensor grad = p.grad();
      at::Tensor m = state.exp_avg(), v = state.exp_avg_sq();
      const bool fused = p.device().is_cpu() && p.scalar_type() == at::kFloat &&
                         p.is_contiguous() && !grad.is_sparse() && grad.is_contiguous() &&
                         m.is_contiguous() && v.is_contiguous() &&
                         grad.scalar_type() == at::kFloat && m.scalar_type() == at::kFloat &&
                         v.scalar_type() == at::kFloat;
      if (fused) {
        const StepScalars s{float(decay),         float(beta1),      float(beta2),
                            float(1 - beta1),     float(1 - beta2),  float(bias_correction2_sqrt),
                            float(options.eps()), float(-step_size), float(grad_scale)};
        float* pp = p.data_ptr<float>();
        const float* gp = grad.data_ptr<float>();
        float* mp = m.data_ptr<float>();
        float* vp = v.data_ptr<float>();
        at::parallel_for(0, p.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
          update_range(begin, end, pp, gp, mp, vp, s);
        });
        continue;
      }
      // Anything else (CUDA, other dtypes): the same formula with tensor operations.
      if (grad_scale != 1.0) grad = grad * grad_scale;
      if (decay != 1.0) p.mul_(decay);
      m.mul_(beta1).add_(grad, 1 - beta1);
      v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      p.addcdiv_(m, (v.sqrt() / bias_correction2_sqrt).add_(options.eps()), -step_size);
    }
  }
}

bool has_multi_tensor_adamw(const at::Device& device) {
#if KDW_TORCH_AT_LEAST(2, 4)
  return device.is_cuda() || device.is_cpu();
#elif KDW_TORCH_AT_LEAST(2, 1)
  return device.is_cuda();
#else
  (void)device;
  return false;
#endif
}

void multi_tensor_clip_step(torch::optim::AdamW& optimizer, const std::vector<at::Tensor>& params,
                            double max_grad_norm) {
  std::vector<at::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return;
  if (!has_multi_tensor_adamw(grads.front().device()))
    throw std::logic_error("multi_tensor_clip_step: no multi-tensor AdamW kernel on " +
                           grads.front().device().str() + " in this LibTorch");
#if KDW_TORCH_AT_LEAST(2, 1)
  at::NoGradGuard no_grad;
  // The kernel divides every gradient by `unscale`: clipping is max(1, (norm + 1e-6) / max_norm),
  // the reciprocal of grad_clip's factor, computed where the gradients are.
  c10::optional<at::Tensor> unscale;
  if (max_grad_norm > 0) {
    const at::Tensor total = at::stack(at::_foreach_norm(grads, 2)).norm();
    unscale = total.add(1e-6).div_(max_grad_norm).clamp_min_(1.0);
  }
  for (auto& group : optimizer.param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    if (options.amsgrad())
      throw std::invalid_argument("multi_tensor_clip_step: amsgrad is not supported");
    std::vector<at::Tensor> ps, gs, ms, vs, steps;
    // The kernel reads each parameter's step count (after this step) from a float tensor on the
    // device; parameters at the same count share one.
    std::map<int64_t, at::Tensor> step_tensors;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& state = adamw_state(optimizer, p);
      state.step(state.step() + 1);
      at::Tensor& step = step_tensors[state.step()];
      if (!step.defined()) step = at::full({}, double(state.step()), p.options().dtype(at::kFloat));
      ps.push_back(p);
      gs.push_back(p.grad());
      ms.push_back(state.exp_avg());
      vs.push_back(state.exp_avg_sq());
      steps.push_back(step);
    }
    if (ps.empty()) continue;
    const auto [beta1, beta2] = options.betas();
    at::_fused_adamw_(ps, gs, ms, vs, {}, steps, options.lr(), beta1, beta2, options.weight_decay(),
                      options.eps(), /*amsgrad=*/false,
                      /*maximize=*/false, unscale, /*found_inf=*/{});
  }
#else
  (void)optimizer;
  (void)max_grad_norm;
#endif
}

void clip_step_and_clear(torch::optim::AdamW& optimizer, const std::vector<at::Tensor>& params,
                         double max_grad_norm) {
  // On the CPU fused_adamw_step stays: it is what bench_adamw measured, on every LibTorch line;
  // on a GPU the multi-tensor kernel keeps the device fed.
  const bool on_cpu = params.empty() || params.front().device().is_cpu();
  if (!on_cpu && has_multi_tensor_adamw(params.front().device())) {
    multi_tensor_clip_step(optimizer, params, max_grad_norm);
  } else {
    const GradClip clip = grad_clip(params, max_grad_norm);
    fused_adamw_step(optimizer, clip.scale);
  }
  clear_grads(params);
}

void clear_grads(const std::vector<at::Tensor>& params) {
  for (const auto& p : params)
    if (p.grad().defined()) p.mutable_grad().reset();
}

}  // namespace kdw
