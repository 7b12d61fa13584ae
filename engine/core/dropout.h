// Inverted dropout with a cheap random mask. at::dropout on the CPU draws every element from a
// Mersenne twister (about 25 ns an element on the 2-core machine, against 0.1 ns for a multiply),
// which made dropout about 15 % of a BERT-base fine-tuning step. Here the mask is a hash of the
// element's index and a per-call seed drawn from ATen's default generator: vectorised, the
// same under at::manual_seed, and never stored (the backward pass recomputes it).
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace kdw {

/// As at::dropout(x, p, train): in training, each element is zeroed with probability p and the
/// others scaled by 1 / (1 - p); otherwise (or with p == 0) x itself. Differentiable in x.
/// CPU float tensors use the hashed mask; other devices and dtypes go to at::dropout.
at::Tensor dropout(const at::Tensor& x, double p, bool train);

/// While it lives, the hashed masks of this thread's dropout calls treat a tensor's row 0 as row
/// `first_row` of a larger batch, so a data-parallel rank's shard gets the masks its rows have
/// in the whole global batch (given the same per-row shape, the same seeds and so the same
/// number of calls). 0 outside any scope.
class DropoutRowOffset {
 public:
  explicit DropoutRowOffset(int64_t first_row);
  ~DropoutRowOffset();
  DropoutRowOffset(const DropoutRowOffset&) = delete;
  DropoutRowOffset& operator=(const DropoutRowOffset&) = delete;

 private:
  int64_t saved_;
};

}  // namespace kdw
