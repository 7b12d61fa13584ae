#include "dist/broadcast_state.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <sstream>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include "core/error.h"
#include "core/printable.h"
#include "core/torch_compat.h"
#include "dist/dist_context.h"

namespace kdw::dist {
namespace {

// The `root` rank's `bytes` on every rank: their length first, so the others can make room.
std::string broadcast_bytes(DistContext& dist, const std::string& bytes, int root) {
  at::Tensor size = at::full({1}, int64_t(bytes.size()), at::kLong);
  dist.broadcast(size, root);
  const int64_t n = size.item<int64_t>();
  if (n == 0) return {};
  at::Tensor data = at::empty({n}, at::kByte);
  if (dist.rank() == root) std::memcpy(data.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  dist.broadcast(data, root);
  return std::string(reinterpret_cast<const char*>(data.data_ptr<uint8_t>()), std::size_t(n));
}

// One line per tensor: its name, a tab, its dtype and shape ("Float [3, 4]").
std::vector<std::pair<std::string, std::string>> describe(const NamedTensors& tensors) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, t] : tensors) {
    std::ostringstream kind;
    kind << t.scalar_type() << ' ' << t.sizes();
    out.emplace_back(name, kind.str());
  }
  return out;
}

std::string join(const std::vector<std::pair<std::string, std::string>>& lines) {
  std::string text;
  for (const auto& [name, kind] : lines) text += name + '\t' + kind + '\n';
  return text;
}

std::vector<std::pair<std::string, std::string>> split(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    out.emplace_back(line.substr(0, tab), tab == std::string::npos ? "" : line.substr(tab + 1));
  }
  return out;
}

// What is wrong with this rank's tensors against rank 0's ("" when they match): the first
// tensor whose name, dtype or shape differs, or a missing or extra one.
std::string mismatch(const std::vector<std::pair<std::string, std::string>>& mine,
                     const std::vector<std::pair<std::string, std::string>>& root) {
  for (std::size_t i = 0; i < std::max(mine.size(), root.size()); ++i) {
    if (i >= root.size())
      return "has tensor " + printable(mine[i].first) + ", which rank 0 has not (" +
             std::to_string(mine.size()) + " tensors against " + std::to_string(root.size()) + ")";
    if (i >= mine.size())
      return "lacks rank 0's tensor " + printable(root[i].first) + " (" +
             std::to_string(mine.size()) + " tensors against " + std::to_string(root.size()) + ")";
    if (mine[i].first != root[i].first)
      return "has tensor " + printable(mine[i].first) + " where rank 0 has " +
             printable(root[i].first);
    if (mine[i].second != root[i].second)
      return "has tensor " + printable(mine[i].first) + " as " + mine[i].second + ", rank 0 as " +
             root[i].second;
  }
  return {};
}

template <class ParamState, class Optimizer>
void broadcast_adam(DistContext& dist, Optimizer& optimizer, const NamedTensors& params) {
  if (!dist.distributed()) return;
  c10::NoGradGuard no_grad;
  at::Tensor steps = at::zeros({int64_t(params.size())}, at::kLong);
  int64_t* step = steps.data_ptr<int64_t>();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto it = optimizer.state().find(compat::optimizer_state_key(params[i].second));
    if (it != optimizer.state().end()) step[i] = static_cast<const ParamState&>(*it->second).step();
  }
  std::string none;
  broadcast_from_rank0(dist, {{"optimizer step counts", steps}}, none);
  NamedTensors moments;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const at::Tensor& param = params[i].second;
    const auto key = compat::optimizer_state_key(param);
    if (step[i] == 0) {
      optimizer.state().erase(key);
      continue;
    }
    auto& slot = optimizer.state()[key];
    if (!slot) {
      auto fresh = std::make_unique<ParamState>();
      fresh->exp_avg(at::zeros_like(param));
      fresh->exp_avg_sq(at::zeros_like(param));
      slot = std::move(fresh);
    }
    auto& s = static_cast<ParamState&>(*slot);
    s.step(step[i]);
    moments.emplace_back(params[i].first + ".exp_avg", s.exp_avg());
    moments.emplace_back(params[i].first + ".exp_avg_sq", s.exp_avg_sq());
  }
  broadcast_from_rank0(dist, moments, none);
}

}  // namespace

void broadcast_from_rank0(DistContext& dist, const NamedTensors& tensors, std::string& text) {
  if (!dist.distributed()) return;
  c10::NoGradGuard no_grad;
  const auto mine = describe(tensors);
  const auto root = split(broadcast_bytes(dist, dist.is_writer() ? join(mine) : "", 0));
  const std::string problem = mismatch(mine, root);
  // Every rank learns which ranks differ; the first of them tells the others why.
  std::vector<at::Tensor> differs{at::zeros({dist.world()}, at::kFloat)};
  if (!problem.empty()) differs[0][dist.rank()] = 1;
  dist.all_reduce_mean(differs);
  for (int r = 0; r < dist.world(); ++r)
    if (differs[0][r].item<float>() > 0)
      throw Error("rank " + std::to_string(r) + " " + broadcast_bytes(dist, problem, r) +
                  ": every rank must hold the same model (start them with the same options)");
  for (const auto& [name, t] : tensors) {
    at::Tensor data = t.is_contiguous() ? t : t.contiguous();
    dist.broadcast(data);
    if (!data.is_same(t)) t.copy_(data);
  }
  text = broadcast_bytes(dist, dist.is_writer() ? text : std::string(), 0);
}

void broadcast_optimizer_state(DistContext& dist, torch::optim::Adam& optimizer,
                               const NamedTensors& params) {
  broadcast_adam<torch::optim::AdamParamState>(dist, optimizer, params);
}

void broadcast_optimizer_state(DistContext& dist, torch::optim::AdamW& optimizer,
                               const NamedTensors& params) {
  broadcast_adam<torch::optim::AdamWParamState>(dist, optimizer, params);
}

}  // namespace kdw::dist
