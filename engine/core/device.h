// Where tensors live: the CPU, or the first CUDA GPU when this LibTorch build and machine have one.
#pragma once

#include <string>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace kdw {

/// True when LibTorch was built with CUDA and sees at least one usable GPU.
bool cuda_available();

/// Number of CUDA GPUs LibTorch sees (0 without CUDA).
int cuda_device_count();
/// The GPU "cuda" means from now on in this process (default 0): a distributed job's rank uses
/// the GPU of its LOCAL_RANK (dist/dist_context.cpp).
void set_cuda_device_index(int index);

/// "cpu" or "cuda" (the first GPU, or the one set_cuda_device_index chose). "cuda" without a usable
/// GPU is a kdw::Error that says so in one line; any other name is a kdw::UsageError listing the
/// valid ones.
c10::Device parse_device_name(const std::string& name);

/// `host` (a CPU tensor) on `device`. To a GPU it goes through page-locked memory without
/// waiting: an ordinary copy from pageable memory first waits for every kernel queued on the
/// GPU, which in a training loop means the next batch cannot be queued while this one runs.
/// The staging buffer is not reused before the copy has finished (LibTorch's host allocator
/// records the copy).
at::Tensor to_device(const at::Tensor& host, const c10::Device& device);

}  // namespace kdw
