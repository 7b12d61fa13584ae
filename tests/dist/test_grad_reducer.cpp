// Gradient averaging overlapped with backward (dist::GradReducer) against the flat all-reduce
// after backward (DistContext::average_gradients) and against the mean computed by hand: two
// ranks as two threads of this process over Gloo on localhost, a small three-layer network with
// tiny buckets so that several are all-reduced while backward runs; with gradient accumulation
// (set_sync) only the last backward all-reduces, the sum; and an embedding table's gradient sent
// as its touched rows against the dense one, bit for bit, over three Adam steps.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtTest>

#include <string>
#include <thread>

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "core/error.h"
#include "dist/dist_context.h"
#include "dist/grad_reducer.h"
#include "free_port.h"

namespace {

using kdw::test::free_port;

using kdw::dist::DistContext;
using kdw::dist::GradReducer;

// The same weights on every rank (no random generator: it is shared by the threads). The first
// parameter is not used by the forward pass: it gets no gradient.
std::vector<at::Tensor> make_params() {
  const std::vector<std::vector<int64_t>> shapes{{4}, {5, 7}, {7}, {7, 6}, {6}, {6, 3}, {3}};
  std::vector<at::Tensor> params;
  int k = 0;
  for (const auto& shape : shapes) {
    at::Tensor p = at::arange(0, c10::multiply_integers(shape), at::kFloat)
                       .mul_(0.37 + 0.05 * k++)
                       .sin_()
                       .mul_(0.5)
                       .reshape(shape);
    params.push_back(p.set_requires_grad(true));
  }
  return params;
}

at::Tensor input_of(int rank) {
  return at::arange(0, 4 * 5, at::kFloat).add_(3.0 * rank).cos_().reshape({4, 5});
}

at::Tensor loss_of(const std::vector<at::Tensor>& p, const at::Tensor& x) {
  const at::Tensor h1 = at::tanh(at::matmul(x, p[1]) + p[2]);
  const at::Tensor h2 = at::tanh(at::matmul(h1, p[3]) + p[4]);
  return (at::matmul(h2, p[5]) + p[6]).pow(2).sum();
}

void zero_grads(const std::vector<at::Tensor>& params) {
  for (const at::Tensor& p : params) const_cast<at::Tensor&>(p).mutable_grad() = at::Tensor();
}

std::vector<at::Tensor> grads_of(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> g;
  for (const at::Tensor& p : params)
    g.push_back(p.grad().defined() ? p.grad().clone() : at::Tensor());
  return g;
}

struct RankResult {
  std::string error;
  std::vector<at::Tensor> flat, bucketed, expected;
  // Gradient accumulation (set_sync): the ranks' mean of two backward passes each.
  std::vector<at::Tensor> accumulated, expected_accumulated;
  int buckets = 0, started_in_backward = 0, started_accumulating = 0;
  bool cancel_seen = false, no_cancel_seen = true;
};

void run_rank(int rank, int port, RankResult& out) {
  try {
    kdw::dist::DistEnv env;
    env.rank = rank;
    env.world = 2;
    env.master_port = static_cast<uint16_t>(port);
    const auto ctx = DistContext::connect(env, std::chrono::seconds(60));
    const std::vector<at::Tensor> params = make_params();

    // The mean of both ranks' gradients, computed here alone: of input r on rank r, and of
    // inputs r and r + 2 accumulated.
    std::vector<at::Tensor> sum, sum_accumulated;
    const auto add = [&](std::vector<at::Tensor>& to) {
      const auto g = grads_of(params);
      for (std::size_t i = 0; i < g.size(); ++i) {
        const at::Tensor gi = g[i].defined() ? g[i] : at::zeros_like(params[i]);
        if (to.size() <= i)
          to.push_back(gi);
        else
          to[i] = to[i] + gi;
      }
    };
    for (int r = 0; r < 2; ++r) {
      zero_grads(params);
      loss_of(params, input_of(r)).backward();
      add(sum);
      loss_of(params, input_of(r + 2)).backward();
      add(sum_accumulated);
    }
    for (const at::Tensor& s : sum) out.expected.push_back(s / 2);
    for (const at::Tensor& s : sum_accumulated) out.expected_accumulated.push_back(s / 2);

    zero_grads(params);
    loss_of(params, input_of(rank)).backward();
    out.no_cancel_seen = !ctx->average_gradients(params, false);
    out.flat = grads_of(params);

    // 40-byte buckets: several, started during backward (see the checks below).
    GradReducer reducer(*ctx, params, 40);
    for (int step = 0; step < 2; ++step) {  // the second step reuses the hooks and buffers
      zero_grads(params);
      loss_of(params, input_of(rank)).backward();
      const bool cancel = reducer.finish(step == 1 && rank == 1);
      if (step == 0) out.no_cancel_seen = out.no_cancel_seen && !cancel;
      if (step == 1) out.cancel_seen = cancel;
      if (step == 0) out.bucketed = grads_of(params);
    }
    out.buckets = reducer.buckets();
    out.started_in_backward = reducer.started_in_backward();
    // DDP's no_sync: the first backward only accumulates, the second starts the buckets.
    zero_grads(params);
    reducer.set_sync(false);
    loss_of(params, input_of(rank)).backward();
    reducer.set_sync(true);
    loss_of(params, input_of(rank + 2)).backward();
    reducer.finish();
    out.accumulated = grads_of(params);
    out.started_accumulating = reducer.started_in_backward();
    ctx->barrier();
  } catch (const std::exception& e) {
    out.error = e.what();
  }
}

double max_difference(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  if (a.size() != b.size()) return 1e9;
  double most = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].defined() || !b[i].defined()) return 1e9;
    most = std::max(most, (a[i] - b[i]).abs().max().item<double>());
  }
  return most;
}

// A 40-row embedding (row 0 padding) read by a linear layer, the same on every rank.
std::vector<at::Tensor> make_embedding_params() {
  std::vector<at::Tensor> p{at::arange(0, 40 * 3, at::kFloat).mul_(0.61).sin_().reshape({40, 3}),
                            at::arange(0, 3 * 2, at::kFloat).mul_(0.43).cos_().reshape({3, 2}),
                            at::arange(0, 2, at::kFloat).mul_(0.2)};
  for (at::Tensor& t : p) t.set_requires_grad(true);
  return p;
}

// Steps 0 and 1 touch a few rows on each rank (5 and 6 in all, not the padding row 0, whose
// gradient is zero); step 2 on rank 1 touches most of the table, the dense fallback.
at::Tensor ids_of(int rank, int step) {
  if (step == 2 && rank == 1) return at::arange(0, 30, at::kLong);
  const std::vector<std::vector<int64_t>> ids{
      {0, 3, 5, 5, 7}, {0, 5, 9, 12}, {4, 4, 0, 21}, {21, 22, 30, 31, 0, 33}, {2, 8}};
  return at::tensor(ids[static_cast<std::size_t>(2 * step + rank)], at::kLong);
}

at::Tensor embedding_loss(const std::vector<at::Tensor>& p, const at::Tensor& ids) {
  const at::Tensor x = at::embedding(p[0], ids, /*padding_idx=*/0).tanh();
  return (at::matmul(x, p[1]) + p[2]).pow(2).sum();
}

// Bit patterns, so that -0.0 and +0.0 differ and NaN equals itself.
bool same_bits(const at::Tensor& a, const at::Tensor& b) {
  return a.defined() && b.defined() && at::equal(a.view(at::kInt), b.view(at::kInt));
}

struct SparseResult {
  std::string error;
  bool same_grads = true, same_weights = true, cancel_seen = false, no_cancel_seen = true;
  std::vector<int64_t> dense_bytes, sparse_bytes;
  int64_t dense_total = 0;
  int64_t stats_bytes = 0, stats_dense = 0;
};

// Two copies of the parameters trained side by side with Adam: one all-reduces every gradient
// whole, the other the embedding's touched rows.
void run_sparse_rank(int rank, int port, SparseResult& out) {
  try {
    kdw::dist::DistEnv env;
    env.rank = rank;
    env.world = 2;
    env.master_port = static_cast<uint16_t>(port);
    const auto ctx = DistContext::connect(env, std::chrono::seconds(60));
    const std::vector<at::Tensor> dense = make_embedding_params(), sparse = make_embedding_params();
    torch::optim::Adam dense_opt(dense, torch::optim::AdamOptions(0.01));
    torch::optim::Adam sparse_opt(sparse, torch::optim::AdamOptions(0.01));
    GradReducer dense_reducer(*ctx, dense, 40);
    GradReducer sparse_reducer(*ctx, sparse, 40, {sparse[0]});
    out.dense_total = sparse_reducer.dense_bytes();
    for (int step = 0; step < 3; ++step) {
      zero_grads(dense);
      embedding_loss(dense, ids_of(rank, step)).backward();
      out.no_cancel_seen = out.no_cancel_seen && !dense_reducer.finish(false);
      dense_opt.step();
      out.dense_bytes.push_back(dense_reducer.bytes_last_step());

      zero_grads(sparse);
      embedding_loss(sparse, ids_of(rank, step)).backward();
      // Rank 1 asks to cancel at step 1; the row masks carry the flag too.
      const bool cancel = sparse_reducer.finish(step == 1 && rank == 1);
      if (step == 1)
        out.cancel_seen = cancel;
      else
        out.no_cancel_seen = out.no_cancel_seen && !cancel;
      sparse_opt.step();
      out.sparse_bytes.push_back(sparse_reducer.bytes_last_step());

      for (std::size_t i = 0; i < dense.size(); ++i) {
        out.same_grads = out.same_grads && same_bits(dense[i].grad(), sparse[i].grad());
        out.same_weights = out.same_weights && same_bits(dense[i], sparse[i]);
      }
    }
    out.stats_bytes = ctx->reduce_stats().bytes;
    out.stats_dense = ctx->reduce_stats().dense_bytes;
    ctx->barrier();
  } catch (const std::exception& e) {
    out.error = e.what();
  }
}

}  // namespace

class TestGradReducer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void bucketedEqualsFlatAndTheMean() {
    const int port = free_port();
    RankResult r0, r1;
    std::thread t1([&] { run_rank(1, port, r1); });
    run_rank(0, port, r0);
    t1.join();
    QVERIFY2(r0.error.empty(), r0.error.c_str());
    QVERIFY2(r1.error.empty(), r1.error.c_str());
    for (const RankResult* r : {&r0, &r1}) {
      // In reverse order one bucket per parameter (40 bytes hold at most one); the unused first
      // parameter shares no bucket with a used one, so it holds none back.
      QCOMPARE(r->buckets, 7);
      // Every bucket but the last (the unused parameter and the cancel flag) left during backward.
      QCOMPARE(r->started_in_backward, 6);
      QVERIFY2(max_difference(r->flat, r->expected) < 1e-6,
               qPrintable(QString::number(max_difference(r->flat, r->expected))));
      QVERIFY2(max_difference(r->bucketed, r->flat) == 0,
               qPrintable(QString::number(max_difference(r->bucketed, r->flat))));
      QVERIFY2(
          max_difference(r->accumulated, r->expected_accumulated) < 1e-6,
          qPrintable(QString::number(max_difference(r->accumulated, r->expected_accumulated))));
      QCOMPARE(r->started_accumulating, 6);
      QVERIFY(r->no_cancel_seen);
      QVERIFY(r->cancel_seen);  // rank 1 asked; both ranks learn it at the same step
    }
  }

  void rowSparseEmbeddingEqualsDense() {
    const int port = free_port();
    SparseResult r0, r1;
    std::thread t1([&] { run_sparse_rank(1, port, r1); });
    run_sparse_rank(0, port, r0);
    t1.join();
    QVERIFY2(r0.error.empty(), r0.error.c_str());
    QVERIFY2(r1.error.empty(), r1.error.c_str());
    // Dense: the bias and weight (8 floats) in one bucket, the table and the cancel flag (121)
    // in the other. Row-sparse: the first bucket and the flag (9 floats), a byte per row and the
    // flag (41 bytes), then 3 floats per row of the union: 5 rows (3, 5, 7, 9, 12), 6 rows
    // (4, 21, 22, 30, 31, 33), and at step 2 the whole table (rows 1-29 are more than half).
    const std::vector<int64_t> dense{516, 516, 516},
        sparse{36 + 41 + 5 * 12, 36 + 41 + 6 * 12, 36 + 41 + 40 * 12};
    for (const SparseResult* r : {&r0, &r1}) {
      QVERIFY(r->same_grads);
      QVERIFY(r->same_weights);
      QCOMPARE(r->dense_total, int64_t(516));
      QCOMPARE(r->dense_bytes, dense);
      QCOMPARE(r->sparse_bytes, sparse);
      // The context counts both reducers' steps (the CLI's log line).
      QCOMPARE(r->stats_bytes, 3 * 516 + sparse[0] + sparse[1] + sparse[2]);
      QCOMPARE(r->stats_dense, 6 * int64_t(516));
      QVERIFY(r->no_cancel_seen);
      QVERIFY(r->cancel_seen);
    }
  }

  void singleProcessLeavesGradientsAlone() {
    DistContext single;
    const std::vector<at::Tensor> params = make_params();
    GradReducer reducer(single, params);
    loss_of(params, input_of(0)).backward();
    const auto before = grads_of(params);
    QVERIFY(!reducer.finish(false));
    QVERIFY(reducer.finish(true));
    const auto after = grads_of(params);
    QVERIFY(!after[0].defined());  // the unused parameter's gradient stays undefined
    QCOMPARE(max_difference({before.begin() + 1, before.end()}, {after.begin() + 1, after.end()}),
             0.0);
  }
};

QTEST_GUILESS_MAIN(TestGradReducer)
#include "test_grad_reducer.moc"
