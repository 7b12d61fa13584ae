// The group lasso's schedule (Wen et al. 2018 learn the sparsity gradually): a dense warm-up,
// then a linear ramp to the full weight.
#pragma once

namespace kdw {

/// The lasso weight in `epoch` (1-based): 0 during the first `warmup` epochs, then
/// group_lasso * r / ramp in the r-th epoch after them (r = 1..ramp), then group_lasso.
double lasso_weight(double group_lasso, int warmup, int ramp, int epoch);

}  // namespace kdw
