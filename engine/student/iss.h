// ISS components (Wen et al., ICLR 2018): one group per hidden unit per layer and direction
// holding everything that unit owns: its rows in all four gate blocks of weight_ih, weight_hh,
// bias_ih, bias_hh, its column in its own weight_hh, and its column in whatever reads its output
// (next layer's weight_ih of BOTH directions, or classifier.weight). Forward units come first in
// the reader's input, backward units after. A group's norm is the L2 norm of the union of these
// elements (each weight counted once).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "student/student_model.h"

namespace kdw {

struct IssLayerNorms {
  int layer;
  int direction;        ///< 0 fwd, 1 bwd
  torch::Tensor norms;  ///< [H], differentiable
};

/// A group whose norm is at most this is zero: an all-zero group's norm is the epsilon (1e-8) that
/// keeps its gradient finite.
constexpr double kZeroGroupNorm = 1e-7;

/// One entry per (layer, direction), layers in order, forward before backward.
std::vector<IssLayerNorms> iss_group_norms(const StudentModelImpl& model);
/// Sum of all group norms (the group lasso term).
torch::Tensor group_lasso_penalty(const StudentModelImpl& model);
/// remove[i] is a bool [H] mask for the i-th (layer, direction) in iss_group_norms order: zeroes
/// those components in place (no grad). Used by the threshold option during training and by the
/// compress tests.
void zero_iss_components(StudentModelImpl& model, const std::vector<torch::Tensor>& remove);
/// Count per layer/dir of components whose norm exceeds `threshold`.
std::vector<std::vector<int64_t>> alive_components(const StudentModelImpl& model, double threshold);

}  // namespace kdw
