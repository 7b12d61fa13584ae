// Teacher fine-tuning speed at BERT-base shape (12 x 768, vocab 119547, random weights) on the
// CPU: forward + backward + AdamW, as engine/bert/finetune.cpp does it. Prints tokens/s against
// the PyTorch 1.13 reference of this machine (141 tokens/s, batch 16 x 128, 2 threads), the
// "useful" tokens/s on a realistic length distribution with length-bucketed batches, inference
// tokens/s (reference 419) and the peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/optim/adamw.h>

#include "bert/bert_model.h"
#include "bert/finetune.h"
#include "core/adamw_step.h"
#include "core/batching.h"
#include "core/memory.h"
#include "core/threads.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kRefTrainTokensPerS = 141, kRefInferTokensPerS = 419;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

struct Trainer {
  kdw::BertForSequenceClassification model;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  std::vector<at::Tensor> params;
  double forward_s = 0, backward_s = 0, optimizer_s = 0;  // summed over steps

  explicit Trainer(kdw::BertForSequenceClassification m)
      : model(m), optimizer(kdw::make_bert_optimizer(m, 2e-5, 0.01)), params(m->parameters()) {}

  // The step of engine/bert/finetune.cpp with grad_accum 1 and max_grad_norm 1.
  void step(const at::Tensor& ids, const at::Tensor& mask, const at::Tensor& labels) {
    model->train();
    auto start = Clock::now();
    const at::Tensor loss = at::cross_entropy_loss(model->forward(ids, mask, {}).logits, labels);
    forward_s += seconds_since(start);
    start = Clock::now();
    loss.backward();
    backward_s += seconds_since(start);
    start = Clock::now();
    kdw::clip_step_and_clear(*optimizer, params, 1.0);
    optimizer_s += seconds_since(start);
  }
  // Prints where the time of the steps since the last call went, and starts counting afresh.
  void print_phases(int steps) {
    std::printf("  per step: forward %.2f s, backward %.2f s, clip + AdamW %.2f s\n",
                forward_s / steps, backward_s / steps, optimizer_s / steps);
    forward_s = backward_s = optimizer_s = 0;
  }
};

}  // namespace

int main(int argc, char** argv) {
  kdw::keep_freed_memory();                  // as kdw and kdw-gui do
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
  // argv[1]: threads (default 2, as the reference); argv[2]: timed steps (default 3).
  const int threads = kdw::apply_thread_count(argc > 1 ? std::atoi(argv[1]) : 2);
  kdw::BertConfig config;
  config.vocab_size = 119547;
  config.hidden_size = 768;
  config.num_hidden_layers = 12;
  config.num_attention_heads = 12;
  config.intermediate_size = 3072;
  config.max_position_embeddings = 512;
  config.labels = {"a", "b", "c", "d"};
  at::manual_seed(0);
  kdw::BertForSequenceClassification model(config, 4);
  Trainer trainer(model);
  std::printf("BERT-base shape, random weights, %d threads, float32, matmul %.0f GFLOP/s\n",
              threads, kdw::measure_matmul_gflops());

  // 1. Fixed batch 16 x 128, as the reference.
  const int64_t b = 16, t = 128;
  const at::Tensor ids = at::randint(1000, config.vocab_size, {b, t}, at::kLong);
  const at::Tensor mask = at::ones({b, t}, at::kLong);
  const at::Tensor labels = at::randint(0, 4, {b}, at::kLong);
  trainer.step(ids, mask, labels);  // warm-up: allocations, optimizer state
  trainer.print_phases(1);
  const int steps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  auto start = Clock::now();
  for (int i = 0; i < steps; ++i) trainer.step(ids, mask, labels);
  const double train_tps = double(steps * b * t) / seconds_since(start);
  std::printf("fine-tuning 16 x 128: %.0f tokens/s (reference %.0f: ratio %.2f), %.2f s/step\n",
              train_tps, kRefTrainTokensPerS, train_tps / kRefTrainTokensPerS,
              double(b * t) / train_tps);
  trainer.print_phases(steps);

  // Mixed precision (--precision bfloat16): the same step with the matrix products in bf16.
  model->set_matmul_dtype(at::kBFloat16);
  trainer.step(ids, mask, labels);
  trainer.print_phases(1);
  start = Clock::now();
  for (int i = 0; i < steps; ++i) trainer.step(ids, mask, labels);
  const double mixed_tps = double(steps * b * t) / seconds_since(start);
  std::printf(
      "fine-tuning 16 x 128, bfloat16 products: %.0f tokens/s (reference %.0f: ratio %.2f), "
      "%.2f s/step\n",
      mixed_tps, kRefTrainTokensPerS, mixed_tps / kRefTrainTokensPerS, double(b * t) / mixed_tps);
  trainer.print_phases(steps);
  model->set_matmul_dtype(at::kFloat);

  {
    c10::NoGradGuard no_grad;
    model->eval();
    model->forward(ids, mask, {});
    start = Clock::now();
    for (int i = 0; i < 2; ++i) model->forward(ids, mask, {});
    const double infer_tps = double(2 * b * t) / seconds_since(start);
    std::printf("inference 16 x 128: %.0f tokens/s (reference %.0f: ratio %.2f)\n", infer_tps,
                kRefInferTokensPerS, infer_tps / kRefInferTokensPerS);
  }

  // 2. Realistic lengths: lognormal with mean ~40 tokens, bucketed, dynamic padding.
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> lognormal(std::log(40.0) - 0.18, 0.6);
  std::vector<int64_t> lengths(16 * 200);
  for (auto& n : lengths) n = std::clamp<int64_t>(std::llround(lognormal(rng)), 3, 128);
  const auto batches = kdw::bucketed_batches(lengths, b, true, 1);
  const int measured = 8;
  int64_t useful = 0, padded = 0;
  start = Clock::now();
  for (int k = 0; k < measured; ++k) {
    const auto& batch = batches[size_t(k)];
    int64_t longest = 0;
    for (int64_t i : batch) longest = std::max(longest, lengths[size_t(i)]);
    at::Tensor bids = at::zeros({int64_t(batch.size()), longest}, at::kLong);
    at::Tensor bmask = at::zeros_like(bids);
    for (size_t r = 0; r < batch.size(); ++r) {
      const int64_t n = lengths[size_t(batch[r])];
      bids[int64_t(r)].narrow(0, 0, n).random_(1000, config.vocab_size);
      bmask[int64_t(r)].narrow(0, 0, n).fill_(1);
      useful += n;
    }
    padded += int64_t(batch.size()) * longest;
    trainer.step(bids, bmask, at::randint(0, 4, {int64_t(batch.size())}, at::kLong));
  }
  const double secs = seconds_since(start);
  std::printf(
      "fine-tuning, lognormal lengths (mean %.1f), bucketed batches of 16: %.0f useful "
      "tokens/s, %.1f samples/s, padding %.1f%% of computed tokens\n",
      double(useful) / double(measured * b), double(useful) / secs, double(measured * b) / secs,
      100.0 * double(padded - useful) / double(padded));
  std::printf("peak RSS: %.0f MiB\n", peak_rss_mib());
  return 0;
}
