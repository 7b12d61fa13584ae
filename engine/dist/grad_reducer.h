// Gradient averaging overlapped with the backward pass, as PyTorch's DistributedDataParallel
// does it: the parameters are grouped into buckets of about 25 MB in reverse order (the order
// backward produces their gradients), a hook on each parameter's gradient accumulator notes when
// its gradient is ready, and a bucket whose gradients are all ready is all-reduced at once, in
// the background, while backward goes on with the earlier layers. finish() waits for them before
// the optimizer step.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

namespace torch::autograd {
struct Node;
}

namespace kdw::dist {

class DistContext;

/// DDP's default bucket size, and its smaller first bucket (the last layers), which starts early.
constexpr int64_t kDefaultBucketBytes = int64_t(25) << 20;
constexpr int64_t kFirstBucketBytes = int64_t(1) << 20;

class GradReducer {
 public:
  /// Hooks `params` (those that require a gradient) for the job of `ctx`; in a single process
  /// it does nothing. The hooks stay until the reducer is destroyed; keep it alive over the
  /// training loop.
  GradReducer(DistContext& ctx, const std::vector<at::Tensor>& params,
              int64_t bucket_bytes = kDefaultBucketBytes);
  ~GradReducer();
  GradReducer(const GradReducer&) = delete;
  GradReducer& operator=(const GradReducer&) = delete;

  /// After backward: starts the buckets still waiting (parameters without a gradient count as
  /// zero, like DistContext::average_gradients), waits for all, and leaves every gradient the
  /// mean over the ranks. `cancel` is this rank's cancel request; returns true when any rank
  /// asked to cancel, on every rank.
  bool finish(bool cancel = false);
  /// DDP's no_sync: with `sync` false the backward passes only accumulate the gradients here
  /// (gradient accumulation); the backward of the micro-batch that ends the step runs with it
  /// true (the default), and its hooks start the buckets with the accumulated gradients.
  void set_sync(bool sync) { sync_ = sync; }
  /// Number of buckets (for tests and the log).
  int buckets() const { return static_cast<int>(buckets_.size()); }
  /// Buckets the last step started from the hooks, during backward (the others at finish()).
  int started_in_backward() const { return started_in_backward_; }

 private:
  struct Bucket {
    std::vector<int> params;  ///< indices into params_, in reverse parameter order
    int64_t numel = 0;
    int pending = 0;  ///< gradients not ready yet in this step
    at::Tensor flat;  ///< on the context's comm device
    std::function<void()> wait;
  };
  void ready(int param);
  void launch(Bucket& bucket, bool cancel);

  DistContext& ctx_;
  std::vector<at::Tensor> params_;
  std::vector<int> bucket_of_;   ///< per parameter
  std::vector<int64_t> offset_;  ///< per parameter: its place in its bucket's flat tensor
  std::vector<Bucket> buckets_;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators_;
  std::vector<uintptr_t> hook_keys_;
  std::vector<char> seen_;
  bool sync_ = true;
  int started_in_backward_ = 0,
      started_now_ = 0;  ///< per parameter: its gradient is ready in this step
};

}  // namespace kdw::dist
