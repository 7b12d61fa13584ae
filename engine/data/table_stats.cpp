#include <algorithm>
#include <map>

#include "data/prepare.h"
#include "data/prepare_rows.h"

namespace kdw {

TableStats table_stats(const Table& table, int text_col, int label_col, int bins) {
  TableStats stats;
  std::map<std::string, int64_t> classes;
  std::vector<int64_t> lengths;
  lengths.reserve(table.rows.size());
  for (const auto& row : table.rows) {
    if (label_col >= 0 && label_col < static_cast<int>(row.size())) ++classes[trim(row[label_col])];
    int64_t words = 0;
    if (text_col >= 0 && text_col < static_cast<int>(row.size())) {
      bool in_word = false;
      for (const char c : row[text_col]) {
        const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        words += !space && !in_word;
        in_word = !space;
      }
    }
    lengths.push_back(words);
  }
  stats.class_counts.assign(classes.begin(), classes.end());
  bins = std::max(bins, 1);
  if (lengths.empty()) {
    stats.length_histogram.assign(bins, 0);
    return stats;
  }
  // Bin width from the 99th percentile, so one very long text does not squash the chart.
  std::vector<int64_t> sorted = lengths;
  const std::size_t p99 = std::min(sorted.size() - 1, sorted.size() * 99 / 100);
  std::nth_element(sorted.begin(), sorted.begin() + p99, sorted.end());
  const int64_t top = sorted[p99] + 1;
  stats.length_bin_width = std::max<int64_t>(1, (top + bins - 1) / bins);
  stats.length_histogram.assign(bins, 0);
  for (const int64_t len : lengths) {
    ++stats.length_histogram[std::min<int64_t>(len / stats.length_bin_width, bins - 1)];
  }
  return stats;
}

}  // namespace kdw
