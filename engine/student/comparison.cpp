#include "student/comparison.h"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_read.h"
#include "core/log.h"

namespace fs = std::filesystem;

namespace kdw {

namespace {

std::optional<double> split_accuracy(const nlohmann::json& summary, const char* split) {
  const auto splits = summary.value("splits", nlohmann::json::object());
  if (!splits.contains(split) || !splits[split].is_object()) return std::nullopt;
  const auto& s = splits[split];
  if (!s.contains("accuracy") || !s["accuracy"].is_number()) return std::nullopt;
  return s["accuracy"].get<double>();
}

}  // namespace

void add_comparison(DistillReport& r, const fs::path& data_dir, const fs::path& run_dir,
                    const DistillOptions& o) {
  try {
    const fs::path logits = data_dir / "logits" / "logits.json";
    if (fs::exists(logits)) {
      const nlohmann::json summary = read_json_file(logits);
      r.teacher_dev_accuracy = split_accuracy(summary, "dev");
      r.teacher_test_accuracy = split_accuracy(summary, "test");
    }
  } catch (const std::exception& e) {
    log::warn("teacher scores not recorded: {}", e.what());
  }
  if (o.alpha >= 1.0) return;  // this run is the label-only baseline itself
  // Run folders are named by their start time: the newest label-only sibling comes last.
  std::vector<fs::path> runs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run_dir.parent_path(), ec))
    if (entry.is_directory(ec) && entry.path() != run_dir) runs.push_back(entry.path());
  std::sort(runs.rbegin(), runs.rend());
  for (const fs::path& run : runs) {
    try {
      if (!fs::exists(run / "config.json") || !fs::exists(run / "result.json")) continue;
      const nlohmann::json config = read_json_file(run / "config.json");
      if (config.value("alpha", 0.0) < 1.0 ||
          config.value("model_type", std::string()) != student_type_name(o.model_type) ||
          config.value("data_dir", std::string()) != data_dir.string())
        continue;
      const DistillReport base = read_distill_report(run / "result.json");
      if (!base.dev || !base.test) continue;
      r.baseline = {{"run", run.filename().string()},
                    {"dev_accuracy", base.dev->accuracy},
                    {"test_accuracy", base.test->accuracy}};
      return;
    } catch (const std::exception&) {
      continue;  // a damaged neighbour is no baseline
    }
  }
}

}  // namespace kdw
