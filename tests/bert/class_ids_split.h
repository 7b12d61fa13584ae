// Token-id samples whose class shows in their ids: [CLS] + 3..14 ids from the class's own range of
// 40 + [SEP], three classes in turn. A tiny BERT learns them in a few steps; shared by the
// distributed CLI tests and the Teacher panel's workers test.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "formats/ragged.h"

namespace kdw::test {

inline kdw::RaggedSplit class_ids_split(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  kdw::RaggedSplit split;
  for (int i = 0; i < n; ++i) {
    const int label = i % 3;
    std::vector<int32_t> ids{101};
    for (int k = 0, len = 3 + int(rng() % 12); k < len; ++k)
      ids.push_back(1000 + label * 40 + int32_t(rng() % 40));
    ids.push_back(102);
    split.add(ids, label, i);
  }
  return split;
}

}  // namespace kdw::test
