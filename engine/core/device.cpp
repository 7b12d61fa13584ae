#include "core/device.h"

#include <ATen/ATen.h>
#include <torch/cuda.h>

#include "core/error.h"

namespace kdw {
namespace {
int g_cuda_index = 0;
}  // namespace

bool cuda_available() {
  return torch::cuda::is_available();
}

int cuda_device_count() {
  return static_cast<int>(torch::cuda::device_count());
}

void set_cuda_device_index(int index) {
  g_cuda_index = index;
}

c10::Device parse_device_name(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "cuda") {
    if (!cuda_available())
      throw Error(
          "device cuda: this LibTorch build has no CUDA or this machine no usable CUDA GPU; use "
          "cpu");
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(g_cuda_index));
  }
  throw UsageError("unknown device '" + name + "' (valid: cpu, cuda)");
}

at::Tensor to_device(const at::Tensor& host, const c10::Device& device) {
  if (host.device() == device) return host;
  if (!device.is_cuda() || !host.is_cpu()) return host.to(device);
  return host.pin_memory().to(device, host.scalar_type(), /*non_blocking=*/true);
}

}  // namespace kdw
