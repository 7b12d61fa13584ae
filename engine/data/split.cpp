#include "data/split.h"

#include <cstdlib>
#include <sstream>

#include "core/error.h"

namespace kdw {

SplitRatios parse_split(const std::string& text) {
  const std::string usage =
      "split '" + text + "': expected three non-negative integers summing to 100, e.g. 60:20:20";
  int values[3] = {0, 0, 0};
  std::size_t pos = 0;
  for (int k = 0; k < 3; ++k) {
    const std::size_t end = text.find(':', pos);
    if ((k < 2) != (end != std::string::npos)) throw UsageError(usage);
    const std::string part = text.substr(pos, end == std::string::npos ? end : end - pos);
    if (part.empty() || part.size() > 3 ||
        part.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError(usage);
    }
    values[k] = std::atoi(part.c_str());
    pos = end + 1;
  }
  if (values[0] + values[1] + values[2] != 100) throw UsageError(usage);
  return {values[0], values[1], values[2]};
}

void split_counts(int64_t n, const SplitRatios& ratios, int64_t counts[3]) {
  const int r[3] = {ratios.train, ratios.dev, ratios.test};
  // Cumulative rounding: the counts always sum to n.
  const int64_t a = (n * r[0] + 50) / 100;
  const int64_t b = (n * (r[0] + r[1]) + 50) / 100;
  counts[0] = a;
  counts[1] = b - a;
  counts[2] = n - b;
  // Every split that should have data gets a sample of this class if another split can spare one.
  for (int k = 0; k < 3; ++k) {
    if (r[k] == 0 || counts[k] > 0) continue;
    int largest = 0;
    for (int j = 1; j < 3; ++j) {
      if (counts[j] > counts[largest]) largest = j;
    }
    if (counts[largest] > 1) {
      --counts[largest];
      ++counts[k];
    }
  }
}

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Uniform in [0, bound) without modulo bias (rejection sampling).
uint64_t below(uint64_t& state, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x = 0;
  do {
    x = splitmix64(state);
  } while (x >= limit);
  return x % bound;
}

}  // namespace

std::vector<int8_t> stratified_split(const std::vector<int32_t>& labels, int32_t num_labels,
                                     const SplitRatios& ratios, uint64_t seed) {
  std::vector<std::vector<int64_t>> members(num_labels);
  for (std::size_t i = 0; i < labels.size(); ++i) members[labels[i]].push_back(int64_t(i));
  std::vector<int8_t> split(labels.size(), 0);
  for (int32_t label = 0; label < num_labels; ++label) {
    auto& m = members[label];
    // One stream per class, so a class's split does not depend on the other classes.
    uint64_t state = seed ^ (0xD1B54A32D192ED03ULL * uint64_t(label + 1));
    for (std::size_t i = m.size(); i > 1; --i) std::swap(m[i - 1], m[below(state, i)]);
    int64_t counts[3];
    split_counts(static_cast<int64_t>(m.size()), ratios, counts);
    std::size_t k = 0;
    for (int s = 0; s < 3; ++s) {
      for (int64_t c = 0; c < counts[s]; ++c) split[m[k++]] = static_cast<int8_t>(s);
    }
  }
  return split;
}

}  // namespace kdw
