// cut_report.json, typed: what a cut removed and what it changed, where the selection came from,
// and (with data) the evaluation before and after. One JSON mapping (to_json / from_json); the
// CLI's summary, the GUI's Cut & Evaluate results and the Runs browser read it through this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "student/reports.h"

namespace kdw {

struct LayerCut {
  int layer = 0;
  std::string direction;  ///< "fwd" / "bwd"
  int64_t hidden_before = 0, hidden_after = 0, removed = 0;
};

struct CutEvaluation {
  EvaluateReport before, after;
};

struct CutReport {
  std::string model_type;
  int64_t parameters_before = 0, parameters_after = 0;
  int64_t bytes_before = 0, bytes_after = 0;  ///< of the parameters in memory
  double size_ratio = 1.0;                    ///< parameters after / before
  std::string hidden_before, hidden_after;    ///< per-layer sizes as text
  std::vector<LayerCut> layers;
  int64_t removed_total = 0;
  nlohmann::json removed = nlohmann::json::array();  ///< the components-file "remove" list

  std::string model_file, cut_model_file;
  nlohmann::json norms;  ///< per layer/direction: units, min, median, max
  /// How the components were chosen: "threshold", "keep", "components" (a file or the GUI's
  /// picks: the list is in `removed`) or "iss_training" (what the run's training zeroed).
  std::string chosen_by;
  /// "threshold": the threshold; "iss_training": the run's iss_threshold (absent: exactly zero).
  std::optional<double> threshold;
  std::optional<int64_t> keep;
  std::optional<CutEvaluation> evaluation;
};

void to_json(nlohmann::json& j, const LayerCut& c);
void from_json(const nlohmann::json& j, LayerCut& c);
void to_json(nlohmann::json& j, const CutReport& r);
void from_json(const nlohmann::json& j, CutReport& r);

/// Reads cut_report.json; a file that is not such an object is an Error naming it.
CutReport read_cut_report(const std::filesystem::path& file);

}  // namespace kdw
