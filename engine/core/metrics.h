// Classification metrics shared by teacher and student evaluation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kdw {

struct ClassificationMetrics {
  int64_t samples = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  std::vector<double> precision;            ///< per class
  std::vector<double> recall;               ///< per class
  std::vector<double> f1;                   ///< per class
  std::vector<std::vector<int64_t>> confusion;  ///< confusion[gold][predicted]

  /// {"samples", "accuracy", "macro_f1", "precision", "recall", "f1", "confusion"}
  nlohmann::json to_json() const;
};

/// Metrics over `gold` and `predicted` class indices in [0, num_classes). A class with no gold
/// and no predicted samples is left out of the macro average.
ClassificationMetrics classification_metrics(const std::vector<int64_t>& gold,
                                             const std::vector<int64_t>& predicted,
                                             int64_t num_classes);

}  // namespace kdw
