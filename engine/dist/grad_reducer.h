// Gradient averaging overlapped with the backward pass, as PyTorch's DistributedDataParallel
// does it: the parameters are grouped into buckets of about 25 MB in reverse order (the order
// backward produces their gradients), a hook on each parameter's gradient accumulator notes when
// its gradient is ready, and a bucket whose gradients are all ready is all-reduced at once, in
// the background, while backward goes on with the earlier layers. finish() waits for them before
// the optimizer step.
//
// An embedding table's gradient is dense but mostly zero rows (a batch touches few tokens), and
// backward produces it last, so no overlap hides it. Parameters named `row_sparse` leave the
// buckets: after backward the ranks agree on the union of their non-zero rows (one all-reduce
// of a byte mask) and all-reduce only those rows, or the whole table when the union is more than
// half of it. The mean is the dense all-reduce's, bit for bit with two ranks (docs/distributed.md).
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
  /// training loop. Those of `params` also in `row_sparse` (the same tensors, first dimension
  /// rows) send only the rows some rank's gradient touched.
  GradReducer(DistContext& ctx, const std::vector<at::Tensor>& params,
              int64_t bucket_bytes = kDefaultBucketBytes,
              const std::vector<at::Tensor>& row_sparse = {});
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
  /// Bytes the last step all-reduced (buckets, row masks, rows), and what all-reducing every
  /// gradient whole sends a step.
  int64_t bytes_last_step() const { return bytes_last_step_; }
  int64_t dense_bytes() const { return dense_bytes_; }

 private:
  struct Bucket {
    std::vector<int> params;  ///< indices into params_, in reverse parameter order
    int64_t numel = 0;
    int pending = 0;  ///< gradients not ready yet in this step
    at::Tensor flat;  ///< on the context's comm device
    std::function<void()> wait;
  };
  /// A row-sparse parameter: `mask` holds a byte per row (the row is non-zero on this rank,
  /// then on any rank) and, for the first one, the cancel flag.
  struct RowSparse {
    at::Tensor param;
    at::Tensor mask;  ///< on the context's comm device
  };
  void ready(int param);
  void launch(Bucket& bucket, bool cancel);
  /// Starts the row masks' union (after backward), then all-reduces the union's rows once the
  /// masks are in; returns whether any rank cancelled.
  std::vector<std::function<void()>> start_row_masks(bool cancel);
  bool reduce_rows(const std::vector<std::function<void()>>& mask_waits);

  DistContext& ctx_;
  std::vector<at::Tensor> params_;
  std::vector<int> bucket_of_;   ///< per parameter
  std::vector<int64_t> offset_;  ///< per parameter: its place in its bucket's flat tensor
  std::vector<Bucket> buckets_;
  std::vector<RowSparse> sparse_;
  int64_t bytes_now_ = 0, bytes_last_step_ = 0, dense_bytes_ = 0;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators_;
  std::vector<uintptr_t> hook_keys_;
  std::vector<char> seen_;
  bool sync_ = true;
  int started_in_backward_ = 0,
      started_now_ = 0;  ///< per parameter: its gradient is ready in this step
};

}  // namespace kdw::dist
