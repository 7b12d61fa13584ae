// A faster optimizer step for large models on the CPU. torch::optim::AdamW::step() makes about
// ten passes over every parameter tensor and allocates two temporaries of its size; for BERT's
// 92M-entry word embedding that is most of a step's memory traffic. fused_adamw_step does the
// same arithmetic in one pass per tensor and keeps its state inside the torch optimizer, so
// save()/load() and torch's own step() stay interchangeable with it.
#pragma once

#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/optim/adamw.h>

namespace kdw {

/// Total L2 norm of the gradients (parameters without a gradient count as zero), as
/// torch::nn::utils::clip_grad_norm_ computes it, and the factor that clips it to `max_norm`:
/// min(1, max_norm / (norm + 1e-6)). max_norm <= 0 means no clipping (factor 1).
struct GradClip {
  double total_norm = 0;
  double scale = 1;
};
GradClip grad_clip(const std::vector<at::Tensor>& params, double max_norm);

/// Clips the gradients in place as torch::nn::utils::clip_grad_norm_ does, but the factor stays
/// on the gradients' device: nothing waits for a GPU (LibTorch's C++ version returns the norm as
/// a number, which does).
void clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm);

/// One step of torch::optim::AdamW on `optimizer`'s parameter groups (decoupled weight decay,
/// bias correction; amsgrad is not supported and throws), with every gradient first multiplied
/// by `grad_scale` (pass GradClip::scale to clip without another pass over the gradients).
void fused_adamw_step(torch::optim::AdamW& optimizer, double grad_scale = 1.0);

/// True when this LibTorch has a multi-tensor AdamW kernel for parameters on `device`
/// (LibTorch >= 2.1 on CUDA, >= 2.4 on the CPU).
bool has_multi_tensor_adamw(const at::Device& device);

/// The same step as grad_clip + fused_adamw_step, as PyTorch's fused AdamW runs it: the norms of
/// all gradients in one multi-tensor kernel, the clip factor kept on the device and folded into
/// one multi-tensor AdamW kernel per group. Nothing waits for the device, so on a GPU the next
/// step is queued while this one runs. Throws std::logic_error where has_multi_tensor_adamw is
/// false.
void multi_tensor_clip_step(torch::optim::AdamW& optimizer, const std::vector<at::Tensor>& params,
                            double max_grad_norm);

/// The end of a training step: clips the gradients to `max_grad_norm` (<= 0: no clipping), one
/// AdamW step with the clip folded in, and the gradients dropped. On a GPU with a multi-tensor
/// kernel (has_multi_tensor_adamw) it is multi_tensor_clip_step and never synchronises; on the
/// CPU it is grad_clip + fused_adamw_step.
void clip_step_and_clear(torch::optim::AdamW& optimizer, const std::vector<at::Tensor>& params,
                         double max_grad_norm);

/// Drops the gradients instead of zero-filling them: the next backward writes them fresh, which
/// saves a pass over every gradient (PyTorch's zero_grad(set_to_none=True)).
void clear_grads(const std::vector<at::Tensor>& params);

}  // namespace kdw
