#include "student/iss.h"

#include <torch/utils.h>

#include "core/error.h"

namespace kdw {
namespace {

const char* const kDirNames[2] = {"fwd", "bwd"};

std::string prefix(std::size_t layer, int dir) {
  return "layers." + std::to_string(layer) + "." + kDirNames[dir] + ".";
}

// The reader of layer l's outputs: its weight tensors and the unit's column offset in them.
std::vector<at::Tensor> readers(const StudentModelImpl& m, std::size_t layer) {
  const auto& a = m.arch();
  if (layer + 1 == a.hidden.size()) return {m.param("classifier.weight")};
  std::vector<at::Tensor> r;
  for (int d = 0; d < a.num_directions(); ++d)
    r.push_back(m.param(prefix(layer + 1, d) + "weight_ih"));
  return r;
}

// Sum of squares per unit over the unit's four gate rows: [4H, k] or [4H] -> [H].
at::Tensor gate_rows_sq(const at::Tensor& w, int64_t H) {
  return w.pow(2).reshape({4, H, -1}).sum(at::IntArrayRef{0, 2});
}

}  // namespace

std::vector<IssLayerNorms> iss_group_norms(const StudentModelImpl& model) {
  const auto& a = model.arch();
  std::vector<IssLayerNorms> out;
  for (std::size_t l = 0; l < a.hidden.size(); ++l) {
    const auto read = readers(model, l);
    for (int d = 0; d < a.num_directions(); ++d) {
      const int64_t H = a.hidden[l][d];
      const std::string p = prefix(l, d);
      const at::Tensor w_hh = model.param(p + "weight_hh");
      at::Tensor sq = at::zeros({H}, w_hh.options());
      if (H > 0) {
        sq = gate_rows_sq(model.param(p + "weight_ih"), H) + gate_rows_sq(w_hh, H) +
             gate_rows_sq(model.param(p + "bias_ih"), H) +
             gate_rows_sq(model.param(p + "bias_hh"), H);
        // Own recurrent column, minus the elements already counted in the unit's rows.
        sq = sq + w_hh.pow(2).sum(0) - w_hh.pow(2).reshape({4, H, H}).diagonal(0, 1, 2).sum(0);
        const int64_t offset = d == 0 ? 0 : a.hidden[l][0];
        for (const auto& r : read) sq = sq + r.pow(2).sum(0).narrow(0, offset, H);
      }
      // The epsilon keeps the gradient finite at an all-zero group.
      out.push_back({static_cast<int>(l), d, at::sqrt(sq.clamp_min(0) + 1e-16)});
    }
  }
  return out;
}

torch::Tensor group_lasso_penalty(const StudentModelImpl& model) {
  at::Tensor total;
  for (const auto& g : iss_group_norms(model))
    total = total.defined() ? total + g.norms.sum() : g.norms.sum();
  return total;
}

void zero_iss_components(StudentModelImpl& model, const std::vector<torch::Tensor>& remove) {
  const auto& a = model.arch();
  const std::size_t groups = a.hidden.size() * static_cast<std::size_t>(a.num_directions());
  if (remove.size() != groups)
    throw Error("zero_iss_components: " + std::to_string(remove.size()) + " masks for " +
                std::to_string(groups) + " layer/direction groups");
  torch::NoGradGuard no_grad;
  std::size_t i = 0;
  for (std::size_t l = 0; l < a.hidden.size(); ++l) {
    const auto read = readers(model, l);
    for (int d = 0; d < a.num_directions(); ++d, ++i) {
      const int64_t H = a.hidden[l][d];
      if (remove[i].numel() != H)
        throw Error("zero_iss_components: mask " + std::to_string(i) + " has the wrong size");
      if (H == 0) continue;
      const std::string p = prefix(l, d);
      const at::Tensor keep = remove[i]
                                  .to(at::kCPU, at::kBool)
                                  .logical_not()
                                  .to(model.param(p + "weight_hh").options());
      for (const char* name : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
        at::Tensor w = model.param(p + name);
        w.view({4, H, -1}).mul_(keep.view({1, H, 1}));
      }
      model.param(p + "weight_hh").mul_(keep.view({1, H}));
      const int64_t offset = d == 0 ? 0 : a.hidden[l][0];
      for (auto r : read) r.narrow(1, offset, H).mul_(keep.view({1, H}));
    }
  }
}

std::vector<std::vector<int64_t>> alive_components(const StudentModelImpl& model,
                                                   double threshold) {
  torch::NoGradGuard no_grad;
  const auto& a = model.arch();
  std::vector<std::vector<int64_t>> out(a.hidden.size());
  for (const auto& g : iss_group_norms(model))
    out[static_cast<std::size_t>(g.layer)].push_back(
        (g.norms > std::max(threshold, kZeroGroupNorm)).sum().item<int64_t>());
  return out;
}

}  // namespace kdw
