// The row stage of data preparation: cleaning every row of the table and settling the label set.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "data/clean.h"
#include "data/table.h"

namespace kdw {

inline constexpr int64_t kCheckEvery = 4096;  // rows between cancel checks / progress events

/// `s` without leading and trailing spaces, tabs and line ends.
std::string trim(std::string_view s);

// Samples after cleaning: parallel arrays, one entry per kept row.
struct Samples {
  std::vector<std::string> texts;
  std::vector<int32_t> labels;  // index into label_names
  std::vector<int64_t> rows;    // data row in the input file
  std::vector<std::string> label_names;
};

struct Counts {
  int64_t rows_read = 0, rows_skipped = 0, dropped_no_label = 0, dropped_empty = 0,
          dropped_duplicate = 0, duplicate_label_conflicts = 0, dropped_rare_class = 0;
};

/// Cleans every row, moving cells out of the table and freeing it as it goes.
Samples clean_rows(Table& table, int text_col, int label_col, const CleaningOptions& cleaning,
                   Counts& counts, JobContext& job);

/// Drops classes below min_class_samples, sorts the label names and renumbers the samples;
/// returns the dropped classes ({"label", "samples"} each).
nlohmann::json finish_labels(Samples& s, int64_t min_class_samples, Counts& counts);

}  // namespace kdw
