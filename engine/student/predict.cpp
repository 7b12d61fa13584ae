#include "student/predict.h"

#include <torch/utils.h>

#include "core/batching.h"
#include "core/device.h"
#include "core/error.h"
#include "student/distill_data.h"

namespace kdw {

at::Tensor predict_logits(StudentModelImpl& model, const RaggedSplit& split, int64_t batch_size,
                          const at::Device& device) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  at::Tensor out = at::zeros({split.size(), model.arch().num_labels()}, at::kFloat);
  for (const auto& index : bucketed_batches(split.lengths(), batch_size, false, 0)) {
    const Batch b = make_batch(split, index);
    const at::Tensor logits = model.forward(b.ids.to(device), b.lengths.to(device)).to(at::kCPU);
    out.index_copy_(0, at::tensor(index, at::kLong), logits);
  }
  model.train(was_training);
  return out;
}

ClassificationMetrics evaluate_split(StudentModelImpl& model, const RaggedSplit& split,
                                     int64_t batch_size, const at::Device& device) {
  const at::Tensor pred = predict_logits(model, split, batch_size, device).argmax(1).contiguous();
  const std::vector<int64_t> predicted(pred.data_ptr<int64_t>(),
                                       pred.data_ptr<int64_t>() + pred.numel());
  return classification_metrics(split.labels, predicted, model.arch().num_labels());
}

at::Device parse_student_device(const std::string& name) {
  return parse_device_name(name);
}

}  // namespace kdw
