#include "core/batching.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>

namespace kdw {

std::vector<std::vector<int64_t>> bucketed_batches(const std::vector<int64_t>& lengths,
                                                   int64_t batch_size, bool shuffle,
                                                   uint64_t seed, int64_t pool_batches) {
  if (batch_size <= 0) throw std::invalid_argument("batch size must be positive");
  std::vector<int64_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  const auto by_length = [&](int64_t a, int64_t b) { return lengths[a] < lengths[b]; };
  const int64_t pool = shuffle ? batch_size * std::max<int64_t>(pool_batches, 1)
                               : static_cast<int64_t>(order.size());
  if (shuffle) std::shuffle(order.begin(), order.end(), rng);
  std::vector<std::vector<int64_t>> batches;
  for (int64_t start = 0; start < static_cast<int64_t>(order.size()); start += pool) {
    const int64_t end = std::min<int64_t>(start + pool, order.size());
    std::stable_sort(order.begin() + start, order.begin() + end, by_length);
    for (int64_t b = start; b < end; b += batch_size)
      batches.emplace_back(order.begin() + b, order.begin() + std::min(b + batch_size, end));
  }
  if (shuffle) std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

}  // namespace kdw
