// What distillation and evaluation report, typed, each with ONE JSON mapping (nlohmann's
// to_json / from_json, found by argument lookup): result.json is a DistillReport, the evaluation
// of `kdw distill --restore_model_path` (and of a cut) an EvaluateReport. The CLI, the GUI's job
// results and the Runs browser all go through these mappings instead of reading keys by name.
// Reading is lenient about missing keys (older or interrupted runs) and strict about wrong types.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace kdw {

/// Accuracy, macro-F1 and sample count of one split.
struct SplitScores {
  double accuracy = 0;
  double macro_f1 = 0;
  int64_t samples = 0;
};

/// evaluate_student's report.
struct EvaluateReport {
  std::string model_file, model_type;
  nlohmann::json arch;  ///< StudentArch::to_json
  int64_t parameters = 0;
  int64_t bytes = 0;  ///< of the model file
  SplitScores dev, test;
  double latency_ms_per_sample = 0;  ///< batch 1
};

/// result.json of a distillation run.
struct DistillReport {
  std::string model_type;
  nlohmann::json arch;
  int64_t parameters = 0;
  int epochs_done = 0;
  int64_t steps = 0;
  bool stopped = false;  ///< cancelled: the best model so far is kept
  std::string failed;    ///< why training diverged; empty when it did not
  /// The kept epoch; 0 when no epoch ended (then no model was saved and the fields below are
  /// absent).
  int best_epoch = 0;
  std::optional<SplitScores> dev;  ///< of the kept epoch
  std::string model_file;          ///< file name inside the run folder
  int64_t bytes = 0;
  std::optional<SplitScores> test;  ///< only for a run that ran to its end
  nlohmann::json test_detail;       ///< ClassificationMetrics::to_json of test, or null
  /// The teacher's accuracy on the same dev/test samples (logits.json), when known.
  std::optional<double> teacher_dev_accuracy, teacher_test_accuracy;
  /// The newest label-only run (alpha 1) of the same model type beside this one:
  /// {"run", "dev_accuracy", "test_accuracy"}; null when there is none or this run is one.
  nlohmann::json baseline;
};

/// What run_distill hands back (also when cancelled): the run folder, its model, its report.
struct DistillResult {
  std::filesystem::path run_dir, model_file;
  DistillReport report;
};

void to_json(nlohmann::json& j, const SplitScores& s);
void from_json(const nlohmann::json& j, SplitScores& s);
void to_json(nlohmann::json& j, const EvaluateReport& r);
void from_json(const nlohmann::json& j, EvaluateReport& r);
void to_json(nlohmann::json& j, const DistillReport& r);
void from_json(const nlohmann::json& j, DistillReport& r);
/// {"run_dir", "model_file", "result": DistillReport}
void to_json(nlohmann::json& j, const DistillResult& r);
void from_json(const nlohmann::json& j, DistillResult& r);

/// Reads a report file (result.json); a file that is not such an object is an Error naming it.
DistillReport read_distill_report(const std::filesystem::path& file);

}  // namespace kdw
