#include "core/pending_losses.h"

#include <ATen/ATen.h>

namespace kdw {

void PendingLosses::add(int64_t step, const at::Tensor& loss, double weight) {
  pending_.push_back({step, weight, loss.detach().reshape({}).to(at::kDouble)});
}

std::vector<PendingLosses::Loss> PendingLosses::take() {
  std::vector<Loss> out;
  if (pending_.empty()) return out;
  std::vector<at::Tensor> values;
  values.reserve(pending_.size());
  for (const auto& p : pending_) values.push_back(p.value);
  const at::Tensor host = at::stack(values).cpu();
  const double* v = host.data_ptr<double>();
  out.reserve(pending_.size());
  for (std::size_t k = 0; k < pending_.size(); ++k)
    out.push_back({pending_[k].step, pending_[k].weight, v[k]});
  pending_.clear();
  return out;
}

}  // namespace kdw
