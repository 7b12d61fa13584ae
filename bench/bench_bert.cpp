// BERT-base inference speed on the CPU: random weights, batch 16 x 128 tokens, 2 threads, float32
// and bfloat16, next to the reference (PyTorch 1.13 in Python on this machine kind: 419 tokens/s).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>

#include "bert/bert_model.h"
#include "core/memory.h"

namespace {

constexpr double kReferenceTokensPerSecond = 419.0;
constexpr int64_t kBatch = 16, kSeq = 128;

double tokens_per_second(kdw::BertForSequenceClassification& model, const at::Tensor& ids,
                         const at::Tensor& mask, int runs, at::Tensor* logits) {
  at::NoGradGuard no_grad;
  *logits = model->forward(ids, mask, {}).logits;  // warm-up (allocations, oneDNN kernels)
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < runs; ++r) *logits = model->forward(ids, mask, {}).logits;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(runs * kBatch * kSeq) / seconds;
}

// Multiply-adds of one forward pass, times two: the dense layers plus the attention products.
double forward_flops(const kdw::BertConfig& c) {
  const double tokens = kBatch * kSeq, h = c.hidden_size, inter = c.intermediate_size;
  const double dense = 2 * tokens * (4 * h * h + 2 * h * inter);
  const double attention = 2 * 2 * kBatch * kSeq * kSeq * h;
  return c.num_hidden_layers * (dense + attention) + 2 * kBatch * h * h;
}

// Throughput of one plain GEMM of the feed-forward's shape in the same conditions: the
// machine's ceiling for this run (the build machine is shared, so absolute figures vary).
double gemm_gflops(at::ScalarType dtype) {
  const at::Tensor a = at::randn({kBatch * kSeq, 768}).to(dtype),
                   b = at::randn({768, 3072}).to(dtype);
  at::mm(a, b);
  const auto start = std::chrono::steady_clock::now();
  const int runs = 10;
  for (int r = 0; r < runs; ++r) at::mm(a, b);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return runs * 2.0 * kBatch * kSeq * 768 * 3072 / seconds / 1e9;
}

}  // namespace

int main() {
  kdw::keep_freed_memory();  // as kdw and kdw-gui do
  at::set_num_threads(2);
  at::manual_seed(0);
  kdw::BertConfig config;
  config.vocab_size = 119547;
  config.hidden_size = 768;
  config.num_hidden_layers = 12;
  config.num_attention_heads = 12;
  config.intermediate_size = 3072;
  kdw::BertForSequenceClassification model(config, 3);
  model->eval();
  const at::Tensor ids = at::randint(0, config.vocab_size, {kBatch, kSeq}, at::kLong);
  const at::Tensor mask = at::ones({kBatch, kSeq}, at::kLong);
  std::printf("BERT-base inference, batch %lld x %lld, %d threads\n",
              static_cast<long long>(kBatch), static_cast<long long>(kSeq), at::get_num_threads());

  at::Tensor logits32, logits16;
  const double fp32 = tokens_per_second(model, ids, mask, 3, &logits32);
  std::printf("float32:  %7.1f tokens/s   reference %.0f tokens/s   ratio %.2f\n", fp32,
              kReferenceTokensPerSecond, fp32 / kReferenceTokensPerSecond);
  const double flops_per_token = forward_flops(config) / (kBatch * kSeq);
  std::printf("          model %.1f GFLOP/s; a plain GEMM ran at %.1f GFLOP/s in this run\n",
              fp32 * flops_per_token / 1e9, gemm_gflops(at::kFloat));
  model->to(at::kBFloat16);
  const double bf16 = tokens_per_second(model, ids, mask, 4, &logits16);
  std::printf("bfloat16: %7.1f tokens/s   reference %.0f tokens/s   ratio %.2f\n", bf16,
              kReferenceTokensPerSecond, bf16 / kReferenceTokensPerSecond);
  std::printf("          model %.1f GFLOP/s; a plain GEMM ran at %.1f GFLOP/s in this run\n",
              bf16 * flops_per_token / 1e9, gemm_gflops(at::kBFloat16));
  std::printf("bfloat16 vs float32: max |logit diff| %.3g (logits up to %.3g)\n",
              (logits16 - logits32).abs().max().item<double>(),
              logits32.abs().max().item<double>());
  return 0;
}
