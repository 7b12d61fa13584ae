// Length-bucketed batches: samples of similar length go together so padding (and so wasted
// compute) stays small, while the batch order is still shuffled for training.
#pragma once

#include <cstdint>
#include <vector>

namespace kdw {

/// Splits sample indices 0..lengths.size()-1 into batches of at most `batch_size`.
/// shuffle=false: sorted by length (for inference; restore order with the indices).
/// shuffle=true: samples are shuffled, grouped into pools of `pool_batches` batches, each pool
/// sorted by length and cut into batches, and the batch order shuffled (deterministic in seed).
std::vector<std::vector<int64_t>> bucketed_batches(const std::vector<int64_t>& lengths,
                                                   int64_t batch_size, bool shuffle,
                                                   uint64_t seed, int64_t pool_batches = 50);

}  // namespace kdw
