// The distillation loss, separate so that tests can check it on fixed tensors.
#pragma once

#include <string>

#include <ATen/ATen.h>

namespace kdw {

struct DistillLoss {
  at::Tensor total;    ///< alpha * ce + (1 - alpha) * distill
  at::Tensor ce;       ///< cross-entropy against the gold labels (mean over the batch)
  at::Tensor distill;  ///< the teacher term
};

/// kind "mse": mean squared error between student and teacher logits (mean over all elements,
/// as torch.nn.MSELoss); kind "kl": KL(teacher_T || student_T) with both softened by
/// `temperature`, batch-mean, times T^2 (Hinton et al. 2015). Throws kdw::UsageError on another
/// kind.
DistillLoss distill_loss(const at::Tensor& student_logits, const at::Tensor& teacher_logits,
                         const at::Tensor& gold, double alpha, double temperature,
                         const std::string& kind);

}  // namespace kdw
