#include "student/loss.h"

#include "core/error.h"

namespace kdw {

DistillLoss distill_loss(const at::Tensor& student_logits, const at::Tensor& teacher_logits,
                         const at::Tensor& gold, double alpha, double temperature,
                         const std::string& kind) {
  DistillLoss out;
  out.ce = at::nll_loss(at::log_softmax(student_logits, 1), gold);
  if (kind == "mse") {
    out.distill = at::mse_loss(student_logits, teacher_logits);
  } else if (kind == "kl") {
    if (!(temperature > 0)) throw UsageError("temperature must be > 0");
    const auto log_p_student = at::log_softmax(student_logits / temperature, 1);
    const auto log_p_teacher = at::log_softmax(teacher_logits / temperature, 1);
    out.distill = (log_p_teacher.exp() * (log_p_teacher - log_p_student)).sum(1).mean() *
                  (temperature * temperature);
  } else {
    throw UsageError("unknown distill_loss '" + kind + "' (valid: mse, kl)");
  }
  out.total = alpha * out.ce + (1.0 - alpha) * out.distill;
  return out;
}

}  // namespace kdw
