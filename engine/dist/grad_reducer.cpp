#include "dist/grad_reducer.h"

#include <algorithm>
#include <chrono>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>

#include "dist/dist_context.h"

namespace kdw::dist {

GradReducer::GradReducer(DistContext& ctx, const std::vector<at::Tensor>& params,
                         int64_t bucket_bytes)
    : ctx_(ctx) {
  if (!ctx.distributed()) return;
  for (const at::Tensor& p : params)
    if (p.requires_grad()) params_.push_back(p);
  const int n = static_cast<int>(params_.size());
  bucket_of_.assign(n, 0);
  offset_.assign(n, 0);
  // Reverse order: backward produces the last layers' gradients first. Gradients travel as
  // float32 (4 bytes an element). The first bucket holds at most 1 MB, as DDP's: a student's
  // whole gradient fits in 25 MB, and a single bucket would start only when backward ends.
  for (int i = n - 1; i >= 0; --i) {
    const int64_t numel = params_[i].numel();
    const int64_t limit =
        buckets_.size() <= 1 ? std::min(kFirstBucketBytes, bucket_bytes) : bucket_bytes;
    if (buckets_.empty() ||
        (buckets_.back().numel > 0 && (buckets_.back().numel + numel) * 4 > limit))
      buckets_.emplace_back();
    Bucket& b = buckets_.back();
    bucket_of_[i] = static_cast<int>(buckets_.size()) - 1;
    offset_[i] = b.numel;
    b.params.push_back(i);
    b.numel += numel;
  }
  // The last bucket (the first layers, ready last) also carries the ranks' cancel flags.
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    Bucket& b = buckets_[k];
    b.pending = static_cast<int>(b.params.size());
    b.flat = at::zeros({b.numel + (k + 1 == buckets_.size() ? 1 : 0)},
                       at::TensorOptions(ctx.comm_device()).dtype(at::kFloat));
  }
  seen_.assign(n, 0);
  for (int i = 0; i < n; ++i) {
    // The accumulator is kept alive here: the parameter holds it only weakly, and a new one
    // (without the hook) would be made for the next forward pass.
    auto acc = torch::autograd::impl::grad_accumulator(params_[i]);
    hook_keys_.push_back(
        acc->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
            [this, i](const torch::autograd::variable_list& outputs,
                      const torch::autograd::variable_list&) {
              ready(i);
              return outputs;
            })));
    accumulators_.push_back(std::move(acc));
  }
}

GradReducer::~GradReducer() {
  for (std::size_t i = 0; i < accumulators_.size(); ++i)
    accumulators_[i]->del_post_hook(hook_keys_[i]);
}

// Runs on autograd's thread once the parameter's gradient has been accumulated into .grad.
void GradReducer::ready(int param) {
  // One synchronised backward per step: a second one before finish() is not counted again,
  // and the micro-batches before it (set_sync(false)) only accumulate.
  if (!sync_ || seen_[param]) return;
  seen_[param] = 1;
  const int k = bucket_of_[param];
  Bucket& b = buckets_[k];
  // The last bucket waits for finish(), which knows the cancel flag; it is ready about when
  // backward ends anyway.
  if (--b.pending == 0 && k + 1 < buckets()) {
    launch(b, false);
    ++started_now_;
  }
}

void GradReducer::launch(Bucket& b, bool cancel) {
  for (const int i : b.params) {
    at::Tensor slot = b.flat.narrow(0, offset_[i], params_[i].numel());
    const at::Tensor& grad = params_[i].grad();
    if (grad.defined())
      slot.copy_(grad.reshape({-1}));
    else
      slot.zero_();
  }
  if (b.flat.numel() > b.numel) b.flat[b.numel].fill_(cancel ? 1.0 : 0.0);
  b.wait = ctx_.start_sum(b.flat);
}

bool GradReducer::finish(bool cancel) {
  if (!ctx_.distributed()) return cancel;
  const auto start = std::chrono::steady_clock::now();
  started_in_backward_ = started_now_;
  started_now_ = 0;
  for (Bucket& b : buckets_)
    if (!b.wait) launch(b, cancel);
  bool any_cancel = cancel;
  const double world = ctx_.world();
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    Bucket& b = buckets_[k];
    b.wait();
    b.wait = nullptr;
    b.pending = static_cast<int>(b.params.size());
    if (k + 1 == buckets_.size()) any_cancel = b.flat[b.numel].item<float>() > 0;
    for (const int i : b.params) {
      at::Tensor& grad = params_[i].mutable_grad();
      if (!grad.defined()) grad = at::zeros_like(params_[i]);
      grad.copy_(b.flat.narrow(0, offset_[i], params_[i].numel()).view(grad.sizes()).div(world));
      seen_[i] = 0;
    }
  }
  ctx_.record_reduce_wait(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), buckets(),
      started_in_backward_);
  return any_cancel;
}

}  // namespace kdw::dist
