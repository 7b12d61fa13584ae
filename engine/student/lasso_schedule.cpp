#include "student/lasso_schedule.h"

namespace kdw {

double lasso_weight(double group_lasso, int warmup, int ramp, int epoch) {
  const int after = epoch - warmup;
  if (after <= 0) return 0.0;
  if (after >= ramp) return group_lasso;
  return group_lasso * double(after) / double(ramp);
}

}  // namespace kdw
