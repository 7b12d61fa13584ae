// Distillation of a teacher's logits into a student (Tang et al. 2019, "Distilling Task-Specific
// Knowledge from BERT into Simple Neural Networks"), with optional ISS group lasso (Wen et al.
// 2018). See docs/distillation.md for the loss, the input checks and the run folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "student/distill_options.h"
#include "student/reports.h"
#include "student/student_model.h"

namespace kdw {

/// Trains a student; throws kdw::Error on bad input. A cancel stops training, keeps the best model
/// and writes result.json with "stopped": true, then throws kdw::CancelledWithResult (a Cancelled)
/// whose partial<DistillResult>() is the result of what was done (run folder, best epoch so far).
DistillResult run_distill(const DistillOptions& options, JobContext& job);

struct EvaluateOptions {
  std::filesystem::path data_path, model_file;
  std::optional<StudentType> model_type;
  int64_t batch_size = 64;
  std::string device = "cpu";
};

struct EvaluateResult {
  EvaluateReport report;
};

EvaluateResult evaluate_student(const EvaluateOptions& options, JobContext& job);

}  // namespace kdw
