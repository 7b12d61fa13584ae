// Differences between the LibTorch lines the project builds against (Debian 12's 1.13, and 2.x
// from Debian 13 or PyTorch), in one place. Code elsewhere uses these helpers instead of testing
// versions itself.
#pragma once

#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include <ATen/core/Tensor.h>
#include <torch/optim/optimizer.h>
#include <torch/version.h>

/// True when building against LibTorch `major`.`minor` or newer.
#define KDW_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||      \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace kdw::compat {

/// The key type of torch::optim::Optimizer::state().
using OptimizerStateKey =
    std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>::key_type;

/// The key under which torch::optim optimizers file the state of parameter `p`, so that state we
/// create is the state their save()/load() see: in 1.x the TensorImpl's address as text (what
/// c10::guts::to_string writes), in 2.x the TensorImpl* itself. Chosen by the key type rather than
/// by version number, so that a line that changes it fails to compile instead of losing state.
template <class Key = OptimizerStateKey>
Key optimizer_state_key(const at::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << static_cast<const void*>(p.unsafeGetTensorImpl());
    return text.str();
  } else {
    static_assert(std::is_pointer_v<Key>, "unknown optimizer state key");
    return p.unsafeGetTensorImpl();
  }
}

}  // namespace kdw::compat
