// What a weights file says about one tensor without its bytes: enough to check a checkpoint
// against a model's shapes before (or instead of) loading it.
#pragma once

#include <string>
#include <vector>

#include <c10/core/ScalarType.h>

namespace kdw {

struct TensorInfo {
  std::string name;
  at::ScalarType dtype = at::kFloat;
  std::vector<int64_t> shape;
};

}  // namespace kdw
