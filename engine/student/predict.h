// Running a student over a split in length-sorted batches (inference mode).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "core/metrics.h"
#include "formats/ragged.h"
#include "student/student_model.h"

namespace kdw {

/// Logits [N, C] (CPU, float32) in the split's sample order.
at::Tensor predict_logits(StudentModelImpl& model, const RaggedSplit& split, int64_t batch_size,
                          const at::Device& device);
/// accuracy, macro-F1, ... of the model on `split`.
ClassificationMetrics evaluate_split(StudentModelImpl& model, const RaggedSplit& split,
                                     int64_t batch_size, const at::Device& device);
/// "cpu" or "cuda"; cuda only when available, else kdw::Error.
at::Device parse_student_device(const std::string& name);

}  // namespace kdw
