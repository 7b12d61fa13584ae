// Training-step speed of the student (prints figures, never fails): stack_biLSTM, 2 layers,
// emb 300, vocab 30k, batch 64, lognormal lengths (mean ~44), Adam, loss CE + MSE, correct
// padding handling (per-sample reversal), length-bucketed batches as kdw distill makes them.
// One epoch over 16 batches (1,024 samples) after a warm-up step, so that samples/s reflects the
// length distribution rather than whichever few batches came first. Usage:
//   bench_student [threads=2] [batches=16] [hidden sizes, default 1000,256]
// The figures depend on what else runs on the machine: the matmul line gives the context.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include "core/batching.h"
#include "core/memory.h"
#include "core/threads.h"
#include "student/distill_data.h"
#include "student/loss.h"
#include "student/student_model.h"

using namespace kdw;

namespace {

RaggedSplit make_corpus(int64_t samples, int64_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> length(3.6, 0.6);  // mean exp(3.6 + 0.18) ~ 44
  RaggedSplit s;
  for (int64_t i = 0; i < samples; ++i) {
    const int len = std::clamp(int(length(rng)), 1, 400);
    std::vector<int32_t> ids(static_cast<std::size_t>(len));
    for (auto& id : ids) id = 2 + int32_t(rng() % uint32_t(vocab - 2));
    s.add(ids, int64_t(rng() % 3), i);
  }
  return s;
}

void bench(int64_t hidden, int max_batches, bool bucketed) {
  const int64_t vocab = 30000, batch = 64;
  const RaggedSplit corpus = make_corpus(batch * 16, vocab, 1);
  const at::Tensor teacher = at::randn({corpus.size(), 3});
  StudentModel model(
      StudentArch::make(StudentType::kStackBiLSTM, vocab, 300, hidden, 2, {"a", "b", "c"}, 0.1));
  model->train();
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  // Unbucketed: random batches (pool of 1 batch), as a padded run without sorting would see.
  const auto batches = bucketed_batches(corpus.lengths(), batch, true, 7, bucketed ? 50 : 1);
  const int steps = std::min<int>(max_batches, int(batches.size()));
  double seconds = 0;
  int64_t samples = 0, tokens = 0, padded = 0;
  for (int s = 0; s <= steps; ++s) {
    // Step 0 warms up on the epoch's last batch; steps 1..n are the epoch's first n batches.
    const Batch b = make_batch(corpus, batches[std::size_t(s == 0 ? batches.size() - 1 : s - 1)]);
    const auto start = std::chrono::steady_clock::now();
    const auto logits = model->forward(b.ids, b.lengths);
    const auto loss = distill_loss(logits, teacher.index_select(0, at::tensor(b.index, at::kLong)),
                                   b.labels, 0.5, 1.0, "mse");
    opt.zero_grad();
    loss.total.backward();
    opt.step();
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "  h=%lld step %d: %lld samples x %lld steps of time, %.2f s\n",
                 static_cast<long long>(hidden), s, static_cast<long long>(b.ids.size(0)),
                 static_cast<long long>(b.ids.size(1)), t);
    if (s == 0) continue;  // warm-up
    seconds += t;
    samples += b.ids.size(0);
    tokens += b.lengths.sum().item<int64_t>();
    padded += b.ids.numel();
  }
  std::printf(
      "stack_biLSTM h=%-5lld %-10s %6.2f samples/s  %8.0f useful tokens/s  padding %4.1f%%  (%d "
      "steps, %.1f s)\n",
      static_cast<long long>(hidden), bucketed ? "bucketed" : "unbucketed",
      double(samples) / seconds, double(tokens) / seconds,
      100.0 * double(padded - tokens) / double(padded), steps, seconds);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  kdw::keep_freed_memory();  // as kdw and kdw-gui do
  const int threads = apply_thread_count(argc > 1 ? std::stoi(argv[1]) : 2);
  const int batches = argc > 2 ? std::stoi(argv[2]) : 16;
  std::printf(
      "threads %d, matmul %.0f GFLOP/s, batch 64, emb 300, vocab 30k, 2 layers, Adam, CE+MSE\n",
      threads, measure_matmul_gflops());
  std::fflush(stdout);
  std::vector<int64_t> sizes;
  for (int i = 3; i < argc; ++i) sizes.push_back(std::stoll(argv[i]));
  if (sizes.empty()) sizes = {1000, 256};
  for (int64_t h : sizes) {
    bench(h, batches, true);
    if (h <= 256) bench(h, batches, false);
  }
  return 0;
}
