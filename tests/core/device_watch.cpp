// RecordFunction's inputs() asserts in builds without NDEBUG although LibTorch's release library
// never sets the flag it checks; the inputs themselves are valid in a start callback.
#ifndef NDEBUG
#define NDEBUG
#endif
#include "device_watch.h"

#include <atomic>
#include <set>

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <torch/library.h>

namespace kdw::test {
namespace {

std::atomic<DeviceWatch*> active{nullptr};

void collect_devices(const c10::IValue& v, std::set<std::string>& devices) {
  const auto add = [&](const at::Tensor& t) {
    if (t.defined() && !(t.device().is_cpu() && t.dim() == 0)) devices.insert(t.device().str());
  };
  if (v.isTensor()) {
    add(v.toTensor());
  } else if (v.isTensorList()) {
    for (const at::Tensor& t : v.toTensorVector()) add(t);
  } else if (v.isList()) {
    for (const c10::IValue& item : v.toListRef())
      if (item.isTensor()) add(item.toTensor());
  }
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (DeviceWatch* watch = active.load()) watch->observe(fn);
  return nullptr;
}

// ---- shape-only meta kernels (boxed, so one signature fits LibTorch 1.13 and 2.x) ----------

int64_t int_arg(const c10::IValue& v) {
  return v.isInt() ? v.toInt() : v.toSymInt().expect_int();
}

std::vector<int64_t> ints_arg(const c10::IValue& v) {
  std::vector<int64_t> out;
  for (const c10::IValue& item : v.toListRef()) out.push_back(int_arg(item));
  return out;
}

at::Tensor optional_tensor(const c10::IValue& v) {
  return v.isNone() ? at::Tensor() : v.toTensor();
}

// index_select(Tensor self, int dim, Tensor index) -> Tensor
void index_select_meta(const c10::OperatorHandle&, torch::jit::Stack* stack) {
  const at::Tensor self = torch::jit::peek(*stack, 0, 3).toTensor();
  const int64_t dim = at::maybe_wrap_dim(int_arg(torch::jit::peek(*stack, 1, 3)), self.dim());
  const at::Tensor index = torch::jit::peek(*stack, 2, 3).toTensor();
  std::vector<int64_t> sizes = self.sizes().vec();
  if (!sizes.empty()) sizes[static_cast<std::size_t>(dim)] = index.numel();
  torch::jit::drop(*stack, 3);
  torch::jit::push(*stack, at::empty(sizes, self.options()));
}

// embedding_dense_backward(Tensor grad_output, Tensor indices, SymInt num_weights,
//                          SymInt padding_idx, bool scale_grad_by_freq) -> Tensor
void embedding_dense_backward_meta(const c10::OperatorHandle&, torch::jit::Stack* stack) {
  const at::Tensor grad = torch::jit::peek(*stack, 0, 5).toTensor();
  const int64_t rows = int_arg(torch::jit::peek(*stack, 2, 5));
  torch::jit::drop(*stack, 5);
  torch::jit::push(*stack, at::empty({rows, grad.size(-1)}, grad.options()));
}

// native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight, Tensor? bias,
//                   float eps) -> (Tensor, Tensor, Tensor)
void native_layer_norm_meta(const c10::OperatorHandle&, torch::jit::Stack* stack) {
  const at::Tensor input = torch::jit::peek(*stack, 0, 5).toTensor();
  const auto normalized = ints_arg(torch::jit::peek(*stack, 1, 5));
  std::vector<int64_t> stat = input.sizes().vec();
  for (std::size_t k = stat.size() - normalized.size(); k < stat.size(); ++k) stat[k] = 1;
  torch::jit::drop(*stack, 5);
  torch::jit::push(*stack, at::empty_like(input), at::empty(stat, input.options()),
                   at::empty(stat, input.options()));
}

// native_layer_norm_backward(Tensor grad_out, Tensor input, SymInt[] normalized_shape,
//   Tensor mean, Tensor rstd, Tensor? weight, Tensor? bias, bool[3] output_mask)
void native_layer_norm_backward_meta(const c10::OperatorHandle&, torch::jit::Stack* stack) {
  const at::Tensor input = torch::jit::peek(*stack, 1, 8).toTensor();
  const at::Tensor weight = optional_tensor(torch::jit::peek(*stack, 5, 8));
  const at::Tensor bias = optional_tensor(torch::jit::peek(*stack, 6, 8));
  const auto mask = torch::jit::peek(*stack, 7, 8).toBoolList();
  const auto like = [](bool wanted, const at::Tensor& t) {
    return wanted && t.defined() ? at::empty_like(t) : at::Tensor();
  };
  at::Tensor d_input = like(mask.get(0), input), d_weight = like(mask.get(1), weight),
             d_bias = like(mask.get(2), bias);
  torch::jit::drop(*stack, 8);
  torch::jit::push(*stack, d_input, d_weight, d_bias);
}

// where.self(Tensor condition, Tensor self, Tensor other) -> Tensor
void where_meta(const c10::OperatorHandle&, torch::jit::Stack* stack) {
  const at::Tensor cond = torch::jit::peek(*stack, 0, 3).toTensor();
  const at::Tensor a = torch::jit::peek(*stack, 1, 3).toTensor();
  const at::Tensor b = torch::jit::peek(*stack, 2, 3).toTensor();
  const auto sizes = at::infer_size(at::infer_size(cond.sizes(), a.sizes()), b.sizes());
  const auto dtype = at::result_type(a, b);
  torch::jit::drop(*stack, 3);
  torch::jit::push(*stack, at::empty(sizes, a.options().dtype(dtype).device(at::kMeta)));
}

bool lacks_meta_kernel(const char* name, const char* overload) {
  const auto op = c10::Dispatcher::singleton().findSchema({name, overload});
  return op && !op->hasKernelForDispatchKey(c10::DispatchKey::Meta);
}

}  // namespace

void register_meta_kernels() {
  static std::once_flag once;
  std::call_once(once, [] {
    static torch::Library library(torch::Library::IMPL, "aten", c10::DispatchKey::Meta, __FILE__,
                                  __LINE__);
#define KDW_META_KERNEL(op, overload, name, kernel) \
  if (lacks_meta_kernel("aten::" op, overload))     \
    library.impl(name, torch::CppFunction::makeFromBoxedFunction<&kernel>());
    KDW_META_KERNEL("index_select", "", "index_select", index_select_meta)
    KDW_META_KERNEL("embedding_dense_backward", "", "embedding_dense_backward",
                    embedding_dense_backward_meta)
    KDW_META_KERNEL("native_layer_norm", "", "native_layer_norm", native_layer_norm_meta)
    KDW_META_KERNEL("native_layer_norm_backward", "", "native_layer_norm_backward",
                    native_layer_norm_backward_meta)
    KDW_META_KERNEL("where", "self", "where.self", where_meta)
#undef KDW_META_KERNEL
  });
}

void move_to_meta(torch::nn::Module& module) {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> tensors = module.parameters();
  for (const auto& b : module.buffers()) tensors.push_back(b);
  for (at::Tensor& t : tensors) {
    const at::Tensor meta =
        at::empty_strided(t.sizes(), t.strides(), t.options().device(at::kMeta));
    t.unsafeGetTensorImpl()->shallow_copy_from(meta.getIntrusivePtr());
  }
}

DeviceWatch::DeviceWatch(std::vector<std::string> keep_args_of)
    : keep_args_of_(std::move(keep_args_of)) {
  register_meta_kernels();
  DeviceWatch* expected = nullptr;
  if (!active.compare_exchange_strong(expected, this))
    throw std::logic_error("only one DeviceWatch at a time");
  handle_ = at::addGlobalCallback(at::RecordFunctionCallback(&on_start).needsInputs(true));
}

DeviceWatch::~DeviceWatch() {
  at::removeCallback(handle_);
  active.store(nullptr);
}

void DeviceWatch::observe(const at::RecordFunction& fn) {
  const std::string name = fn.name();
  std::set<std::string> devices;
  // Copies are the deliberate transfers between devices (tensor.to(device)).
  if (name != "aten::copy_" && name != "aten::_to_copy")
    for (const c10::IValue& v : fn.inputs()) collect_devices(v, devices);
  const bool keep =
      std::find(keep_args_of_.begin(), keep_args_of_.end(), name) != keep_args_of_.end();
  if (devices.size() < 2 && !keep) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (devices.size() >= 2) {
    std::string line = name + " on";
    for (const auto& d : devices) line += " " + d;
    mixed_.push_back(line);
  }
  if (keep)
    calls_.emplace_back(name, std::vector<c10::IValue>(fn.inputs().begin(), fn.inputs().end()));
}

std::vector<std::string> DeviceWatch::mixed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return mixed_;
}

std::string DeviceWatch::mixed_text() const {
  std::string text;
  for (const auto& line : mixed()) text += (text.empty() ? "" : "; ") + line;
  return text;
}

std::vector<std::vector<c10::IValue>> DeviceWatch::calls(const std::string& op) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::vector<c10::IValue>> out;
  for (const auto& [name, args] : calls_)
    if (name == op) out.push_back(args);
  return out;
}

}  // namespace kdw::test
