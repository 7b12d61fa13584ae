// Statistics of stored teacher logits for the Logits panel (plain C++, runs on a worker).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

struct LogitsHistograms {
  std::vector<int64_t> confidence;  ///< 20 bins of the max softmax over [0, 1]
  std::vector<int64_t> values;      ///< 30 bins of all logit values over [min, max]
  double min = 0, max = 0;
  int64_t rows = 0;
};

/// The histograms of every <split>.npy under `logitsDir`, summed over splits.
LogitsHistograms logitsHistograms(const std::filesystem::path& logitsDir);
