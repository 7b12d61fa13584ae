// Rank 0's state on every rank: how a distributed job resumes (docs/distributed.md). Only rank
// 0's workspace holds the checkpoint, so rank 0 reads it and hands the weights, the optimizer's
// state and the position to the others, which hold tensors of the same names and shapes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

namespace torch::optim {
class Adam;
class AdamW;
}  // namespace torch::optim

namespace kdw::dist {

class DistContext;

/// Tensors by name ("encoder.layer.0.attention.self.query.weight"), as a model lists them.
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/// Rank 0's values of `tensors` (copied into every other rank's tensors in place) and of
/// `text` (e.g. a position as JSON), on every rank. Every rank passes tensors of the same names,
/// shapes and dtypes in the same order: rank 0 first sends their description, every rank compares
/// it with its own, and when a rank's differ every rank throws the same kdw::Error naming that
/// rank and its first tensor that differs, before any value travels. Nothing in one process.
void broadcast_from_rank0(DistContext& dist, const NamedTensors& tensors, std::string& text);

/// Rank 0's Adam (AdamW) state of `params` on every rank: each parameter's step count and, for
/// those that have them on rank 0 (all after the first step, none before), its moments. A rank
/// without state for a parameter gets it; a rank with state where rank 0 has none loses it.
void broadcast_optimizer_state(DistContext& dist, torch::optim::Adam& optimizer,
                               const NamedTensors& params);
void broadcast_optimizer_state(DistContext& dist, torch::optim::AdamW& optimizer,
                               const NamedTensors& params);

}  // namespace kdw::dist
