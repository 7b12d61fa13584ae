// Catching tensors made on the wrong device without a GPU. A test puts the model and its inputs
// on the meta device (shapes only, no data): a tensor that the engine makes on the CPU by mistake
// then meets meta tensors in some operation, as it would meet CUDA tensors on a GPU. CUDA kernels
// reject such a mix ("Expected all tensors to be on the same device"), but many of LibTorch 1.13's
// meta kernels do not check, and a few operators the engine uses have none. So:
// - DeviceWatch observes every operator call (a RecordFunction callback) and records those whose
//   tensor arguments sit on more than one device (a 0-dim CPU tensor is a scalar, valid anywhere;
//   copies, i.e. tensor.to(device), are the deliberate transfers and are not counted).
//   It also keeps the arguments of chosen operators, e.g. aten::lstm's `train` flag, which only
//   cuDNN cares about.
// - device_watch.cpp registers shape-only meta kernels for those operators (index_select, the
//   embedding backward, layer norm and its backward, where) where the LibTorch in use has none.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <ATen/core/ivalue.h>
#include <ATen/record_function.h>
#include <torch/nn/module.h>

namespace kdw::test {

/// Registers the missing meta kernels (once per process; safe to call again).
void register_meta_kernels();

/// Moves every parameter and buffer of `module` to the meta device in place (same TensorImpls,
/// so members that hold them follow). LibTorch 1.13's Module::to(kMeta) refuses this (set_data
/// finds CPU and meta "incompatible"); this does what set_data does after that check.
void move_to_meta(torch::nn::Module& module);

/// Records mixed-device operator calls while it lives. One at a time.
class DeviceWatch {
 public:
  /// Keeps the arguments of every call of the operators named in `keep_args_of`
  /// (schema names, e.g. "aten::lstm").
  explicit DeviceWatch(std::vector<std::string> keep_args_of = {});
  ~DeviceWatch();
  DeviceWatch(const DeviceWatch&) = delete;
  DeviceWatch& operator=(const DeviceWatch&) = delete;

  /// "aten::index_select on cpu, meta" for every call that mixed devices, in call order.
  std::vector<std::string> mixed() const;
  /// All mixed() lines joined, for a failure message ("" when none).
  std::string mixed_text() const;
  /// The arguments of each call of `op` (one of keep_args_of), in call order.
  std::vector<std::vector<c10::IValue>> calls(const std::string& op) const;

  /// Called by the RecordFunction callback.
  void observe(const at::RecordFunction& fn);

 private:
  std::vector<std::string> keep_args_of_;
  mutable std::mutex mutex_;
  std::vector<std::string> mixed_;
  std::vector<std::pair<std::string, std::vector<c10::IValue>>> calls_;
  at::CallbackHandle handle_;
};

}  // namespace kdw::test
