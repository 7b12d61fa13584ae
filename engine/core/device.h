// Where tensors live: the CPU, or the first CUDA GPU when this LibTorch build and machine have one.
#pragma once

#include <string>

#include <c10/core/Device.h>

namespace kdw {

/// True when LibTorch was built with CUDA and sees at least one usable GPU.
bool cuda_available();

/// "cpu" or "cuda" (the first GPU). "cuda" without a usable GPU is a kdw::Error that says so in
/// one line; any other name is a kdw::UsageError listing the valid ones.
c10::Device parse_device_name(const std::string& name);

}  // namespace kdw
