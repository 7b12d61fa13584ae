// The training loop of a distillation: epochs of steps, a dev evaluation after each, the kept
// epoch's model saved as it goes. run_distill (distill.cpp) sets it up and reports on it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include <torch/optim/adam.h>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "core/metrics.h"
#include "student/distill_checkpoint.h"
#include "student/distill_data.h"
#include "student/distill_options.h"
#include "student/reports.h"
#include "student/student_model.h"

namespace kdw {

/// metrics.jsonl of a run: one JSON record a line, each also sent to the job. An empty path
/// writes no file (the ranks other than 0 of a distributed job).
class MetricsLog {
 public:
  /// keep_bytes >= 0: a resumed run's file, cut to that length (the checkpoint's epoch) and
  /// appended to; otherwise a new file.
  MetricsLog(std::filesystem::path file, JobContext& job, int64_t keep_bytes = -1);
  void write(const nlohmann::json& record);
  /// The file's length so far.
  int64_t bytes();

 private:
  std::filesystem::path file_;
  std::ofstream out_;
  JobContext& job_;
};

/// What the loop did: how far it got and which epoch it kept.
struct DistillTraining {
  int best_epoch = 0;  ///< 0: no model saved
  std::optional<SplitScores> best_dev;
  bool stopped = false;  ///< cancelled
  std::string failure;   ///< set when training diverged
  int64_t steps = 0;
  int epochs_done = 0;
};

inline SplitScores short_metrics(const ClassificationMetrics& m) {
  return {m.accuracy, m.macro_f1, m.samples};
}

/// Trains `model` for o.epochs on data's train split, saving the kept epoch (see
/// DistillBestEpoch) into `model_file`. A cancel or a divergence ends the loop and is reported
/// in the result, not thrown. With `resume` it goes on after that point's epoch; `checkpoint`
/// (rank 0) is called with the point after each completed epoch (metrics_bytes left to it).
DistillTraining train_student(const DistillOptions& o, const DistillData& data, StudentModel& model,
                              torch::optim::Adam& optimizer, const at::Device& device,
                              const std::filesystem::path& model_file, MetricsLog& log,
                              JobContext& job, const DistillResumePoint* resume = nullptr,
                              const std::function<void(DistillResumePoint&)>& checkpoint = {});

}  // namespace kdw
