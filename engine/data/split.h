// Stratified train/dev/test split, deterministic in the seed on every platform (own PRNG and
// shuffle rather than std::shuffle, whose algorithm the standard leaves open).
#pragma once

#include <cstdint>
#include <vector>

#include "data/prepare.h"

namespace kdw {

/// For each sample (label index per sample, labels in [0, num_labels)) the split it goes to:
/// 0 train, 1 dev, 2 test. Per class, the counts follow the ratios (rounded); a split with a
/// non-zero ratio gets at least one sample of a class when the class has enough samples.
std::vector<int8_t> stratified_split(const std::vector<int32_t>& labels, int32_t num_labels,
                                     const SplitRatios& ratios, uint64_t seed);

/// How many of `n` samples go to train, dev and test.
void split_counts(int64_t n, const SplitRatios& ratios, int64_t counts[3]);

}  // namespace kdw
