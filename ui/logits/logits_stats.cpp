#include "ui/logits/logits_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "formats/npy.h"
#include "formats/ragged.h"

LogitsHistograms logitsHistograms(const std::filesystem::path& logitsDir) {
  constexpr int kConfidenceBins = 20, kValueBins = 30;
  std::vector<int64_t> confidence(kConfidenceBins, 0), values(kValueBins, 0);
  std::vector<kdw::NpyArray> arrays;
  float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
  for (const char* split : kdw::kSplitNames) {
    const auto file = logitsDir / (std::string(split) + ".npy");
    if (!std::filesystem::exists(file)) continue;
    arrays.push_back(kdw::read_npy(file, kdw::NpyType::kFloat32, 2));
    const kdw::NpyArray& a = arrays.back();
    const float* p = a.data<float>();
    for (int64_t i = 0; i < a.numel(); ++i) {
      if (!std::isfinite(p[i])) continue;
      lo = std::min(lo, p[i]);
      hi = std::max(hi, p[i]);
    }
  }
  if (lo > hi) lo = hi = 0;
  const double width = hi > lo ? double(hi - lo) / kValueBins : 1.0;
  int64_t rows_total = 0;
  for (const kdw::NpyArray& a : arrays) {
    const int64_t rows = a.shape[0], cols = a.shape[1];
    const float* p = a.data<float>();
    for (int64_t r = 0; r < rows && cols > 0; ++r) {
      const float* row = p + r * cols;
      float top = row[0];
      for (int64_t c = 0; c < cols; ++c) {
        top = std::max(top, row[c]);
        if (std::isfinite(row[c]))
          ++values[std::clamp<int64_t>(int64_t((row[c] - lo) / width), 0, kValueBins - 1)];
      }
      double sum = 0;  // softmax max = 1 / sum(exp(x - max))
      for (int64_t c = 0; c < cols; ++c) sum += std::exp(double(row[c] - top));
      const double conf = sum > 0 ? 1.0 / sum : 0.0;
      ++confidence[std::clamp<int64_t>(int64_t(conf * kConfidenceBins), 0, kConfidenceBins - 1)];
    }
    rows_total += rows;
  }
  return {std::move(confidence), std::move(values), lo, hi, rows_total};
}
