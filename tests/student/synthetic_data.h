// A tiny data folder in the flat ./data layout for distillation tests: tokens/, labels.json,
// logits/. Label = whether word 2 ("good") occurs; the "teacher" logits say so with some noise.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "formats/npy.h"
#include "formats/ragged.h"

namespace kdw::testing {

inline void write_synthetic_data(const std::filesystem::path& data, int64_t train = 48,
                                 int64_t dev = 16, int64_t test = 16, uint32_t seed = 5) {
  namespace fs = std::filesystem;
  fs::create_directories(data / "tokens");
  fs::create_directories(data / "logits");
  std::ofstream(data / "labels.json") << R"(["neg", "pos"])";
  {
    std::ofstream vocab(data / "tokens" / "vocab.txt");
    vocab << "<pad>\n<unk>\n";
    for (int i = 2; i < 20; ++i) vocab << "w" << i << "\n";  // 20 rows: ids 0..19
  }
  std::mt19937 rng(seed);
  const int64_t sizes[3] = {train, dev, test};
  int64_t row = 0;
  for (int s = 0; s < 3; ++s) {
    RaggedSplit split;
    std::vector<float> logits;
    for (int64_t i = 0; i < sizes[s]; ++i) {
      const int len = 1 + int(rng() % 9);
      const int64_t label = int64_t(rng() % 2);
      std::vector<int32_t> ids;
      for (int t = 0; t < len; ++t) ids.push_back(3 + int32_t(rng() % 17));
      if (label) ids[rng() % ids.size()] = 2;
      split.add(ids, label, row++);
      const float noise = float(rng() % 100) / 100.f;
      logits.push_back(label ? -1.f - noise : 1.f + noise);
      logits.push_back(label ? 1.f + noise : -1.f - noise);
    }
    write_ragged_split(data / "tokens", kSplitNames[s], split);
    write_npy(data / "logits" / (std::string(kSplitNames[s]) + ".npy"), logits, {sizes[s], 2});
  }
}

}  // namespace kdw::testing
