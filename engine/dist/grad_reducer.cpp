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
                         int64_t bucket_bytes, const std::vector<at::Tensor>& row_sparse)
    : ctx_(ctx) {
  if (!ctx.distributed()) return;
  for (const at::Tensor& p : params) {
    if (!p.requires_grad()) continue;
    dense_bytes_ += p.numel() * 4;
    const bool sparse = p.dim() >= 1 && p.size(0) > 0 &&
                        std::any_of(row_sparse.begin(), row_sparse.end(),
                                    [&](const at::Tensor& s) { return s.is_same(p); });
    if (!sparse) {
      params_.push_back(p);
      continue;
    }
    // One byte a row; the first table's mask also carries the cancel flags.
    const int64_t flag = sparse_.empty() ? 1 : 0;
    sparse_.push_back(
        {p, at::zeros({p.size(0) + flag}, at::TensorOptions(ctx.comm_device()).dtype(at::kByte))});
  }
  dense_bytes_ += 4;  // the cancel flag
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
  bytes_now_ += b.flat.numel() * 4;
}

namespace {

// The gradient's elements as integers of their width: a row whose bits are all zero is +0.0
// throughout, the dense sum of rows that are +0.0 on every rank. A -0.0 or a NaN is sent.
at::Tensor bits_of(const at::Tensor& t) {
  switch (t.element_size()) {
    case 2:
      return t.view(at::kShort);
    case 8:
      return t.view(at::kLong);
    default:
      return t.view(at::kInt);
  }
}

}  // namespace

std::vector<std::function<void()>> GradReducer::start_row_masks(bool cancel) {
  std::vector<std::function<void()>> waits;
  for (std::size_t k = 0; k < sparse_.size(); ++k) {
    RowSparse& s = sparse_[k];
    at::Tensor& grad = s.param.mutable_grad();
    if (!grad.defined()) grad = at::zeros_like(s.param);
    if (!grad.is_contiguous()) grad = grad.contiguous();  // its rows are written in place below
    const int64_t rows = grad.size(0);
    s.mask.narrow(0, 0, rows).copy_(bits_of(grad.reshape({rows, -1})).ne(0).any(1));
    if (k == 0) s.mask[rows].fill_(cancel ? 1 : 0);
    waits.push_back(ctx_.start_max(s.mask));
    bytes_now_ += s.mask.numel();
  }
  return waits;
}

bool GradReducer::reduce_rows(const std::vector<std::function<void()>>& waits) {
  bool any_cancel = false;
  const auto comm = ctx_.comm_device();
  for (std::size_t k = 0; k < sparse_.size(); ++k) {
    RowSparse& s = sparse_[k];
    waits[k]();
    at::Tensor& grad = s.param.mutable_grad();
    const int64_t rows = grad.size(0);
    if (k == 0) any_cancel = s.mask[rows].item<uint8_t>() != 0;
    // The union of the ranks' rows, in the same (ascending) order on every rank.
    const at::Tensor index = s.mask.narrow(0, 0, rows).nonzero().view({-1});
    const int64_t n = index.numel();
    const at::Tensor table = grad.view({rows, -1});
    const at::Tensor at_grad = index.to(grad.device());
    at::Tensor flat;
    if (2 * n > rows)  // most of the table: the whole of it is as cheap and needs no gather
      flat = table.to(comm, at::kFloat, /*non_blocking=*/false, /*copy=*/true);
    else if (n > 0)
      flat = table.index_select(0, at_grad).to(comm, at::kFloat);
    if (!flat.defined()) continue;  // no rank has a non-zero row: the mean is the zeros it holds
    ctx_.start_sum(flat)();
    bytes_now_ += flat.numel() * 4;
    // The division as the buckets do it, so the rows are the dense path's bits.
    const at::Tensor mean = flat.div(ctx_.world());
    if (2 * n > rows) {
      grad.copy_(mean.view(grad.sizes()));
    } else {
      table.zero_();
      table.index_copy_(0, at_grad, mean.to(grad.device(), grad.scalar_type()));
    }
  }
  return any_cancel;
}

bool GradReducer::finish(bool cancel) {
  if (!ctx_.distributed()) return cancel;
  const auto start = std::chrono::steady_clock::now();
  started_in_backward_ = started_now_;
  started_now_ = 0;
  // The row masks go first: small, they are summed while the last bucket travels, and the
  // rows can follow alongside it. (The buckets started during backward counted their bytes.)
  const auto masks = start_row_masks(cancel);
  for (Bucket& b : buckets_)
    if (!b.wait) launch(b, cancel);
  bool any_cancel = sparse_.empty() ? cancel : reduce_rows(masks);
  const double world = ctx_.world();
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    Bucket& b = buckets_[k];
    b.wait();
    b.wait = nullptr;
    b.pending = static_cast<int>(b.params.size());
    if (k + 1 == buckets_.size()) any_cancel = any_cancel || b.flat[b.numel].item<float>() > 0;
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
  bytes_last_step_ = bytes_now_;
  bytes_now_ = 0;  // the next step's buckets count from the hooks on
  ctx_.record_reduce_bytes(bytes_last_step_, dense_bytes_);
  return any_cancel;
}

}  // namespace kdw::dist
