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
#include "student/reports.h"
#include "student/student_model.h"

namespace kdw {

/// Largest hidden_size and emb_dim accepted (a 16384-unit LSTM layer's recurrent matrix alone is
/// 4 GiB); a model that fits these limits must also fit the machine's memory.
constexpr int64_t kMaxStudentWidth = 16384;
/// Largest batch_size accepted for training and evaluation.
constexpr int64_t kMaxBatchSize = 65536;

struct DistillOptions {
  std::filesystem::path data_path;
  StudentType model_type = StudentType::kStackBiLSTM;
  int64_t hidden_size = 1000;
  int num_layers = 2;
  int64_t emb_dim = 300;
  double dropout = 0.1;
  int64_t batch_size = 64;
  int epochs = 10;
  double lr = 1e-3;
  double alpha = 0.5;
  double temperature = 1.0;
  std::string distill_loss = "mse";  ///< or "kl"
  double group_lasso = 0.0;
  double iss_threshold = 0.0;
  /// 0: keep the epoch with the best dev accuracy. > 0: keep the sparsest epoch (fewest non-zero
  /// ISS components) whose dev accuracy is within this much of the best seen, so that training
  /// with group lasso ends on a model the cut can shrink at (almost) no cost.
  double sparse_tolerance = 0.0;
  double max_grad_norm = 5.0;
  uint64_t seed = 42;
  std::string device = "cpu";
  /// Where the run folder goes; empty: the workspace root, or "." for a flat ./data.
  std::filesystem::path output_dir;
  /// Steps between "step" metric records.
  int64_t log_every = 10;

  nlohmann::json to_json() const;
};

/// Trains a student; throws kdw::Error on bad input. A cancel stops training, keeps the best model
/// and writes result.json with "stopped": true, then throws kdw::CancelledWithResult (a Cancelled)
/// whose partial() is the DistillResult of what was done (run folder, best epoch so far).
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
