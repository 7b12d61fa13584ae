#include "core/device.h"

#include <torch/cuda.h>

#include "core/error.h"

namespace kdw {

bool cuda_available() {
  return torch::cuda::is_available();
}

c10::Device parse_device_name(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "cuda") {
    if (!cuda_available())
      throw Error(
          "device cuda: this LibTorch build has no CUDA or this machine no usable CUDA GPU; use "
          "cpu");
    return c10::Device(c10::kCUDA, 0);
  }
  throw UsageError("unknown device '" + name + "' (valid: cpu, cuda)");
}

}  // namespace kdw
