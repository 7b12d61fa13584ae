// The optimizer end of a fine-tuning step at BERT-base size (178M parameters, 92M of them the
// word embedding): torch's clip_grad_norm_ + AdamW::step() + zero_grad() against
// kdw::clip_step_and_clear (one fused pass per tensor, gradients dropped instead of zeroed).
// Prints seconds per step for both. Usage: bench_adamw [threads=2]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <ATen/ATen.h>
#include <torch/types.h>  // before clip_grad.h, which relies on it

#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include "bert/bert_model.h"
#include "core/adamw_step.h"
#include "core/memory.h"
#include "core/threads.h"

namespace {

using Clock = std::chrono::steady_clock;

// Every parameter of BERT-base (vocab 119547) with a 4-label head, random values.
std::vector<at::Tensor> bert_base_sized_params() {
  kdw::BertConfig config;
  config.vocab_size = 119547;
  config.hidden_size = 768;
  config.num_hidden_layers = 12;
  config.num_attention_heads = 12;
  config.intermediate_size = 3072;
  std::vector<at::Tensor> p;
  for (const auto& [name, shape] : kdw::bert_parameter_shapes(config, 4))
    p.push_back(at::randn(shape).requires_grad_(true));
  return p;
}

void fill_grads(const std::vector<at::Tensor>& params) {
  at::NoGradGuard no_grad;
  for (const auto& p : params)
    if (!p.grad().defined()) p.mutable_grad() = at::empty_like(p).normal_(0, 1e-3);
}

template <typename Step>
double seconds_per_step(const std::vector<at::Tensor>& params, Step step) {
  double total = 0;
  const int steps = 4;
  for (int s = 0; s <= steps; ++s) {
    fill_grads(params);  // backward's part, not timed
    const auto start = Clock::now();
    step();
    if (s > 0) total += std::chrono::duration<double>(Clock::now() - start).count();
  }
  return total / steps;
}

}  // namespace

int main(int argc, char** argv) {
  kdw::keep_freed_memory();  // as kdw and kdw-gui do
  const int threads = kdw::apply_thread_count(argc > 1 ? std::atoi(argv[1]) : 2);
  auto params = bert_base_sized_params();
  int64_t count = 0;
  for (const auto& p : params) count += p.numel();
  std::printf("%d threads, %.0fM parameters\n", threads, double(count) / 1e6);
  torch::optim::AdamW torch_adamw(params, torch::optim::AdamWOptions(2e-5).weight_decay(0.01));
  const double torch_s = seconds_per_step(params, [&] {
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    torch_adamw.step();
    torch_adamw.zero_grad();
  });
  std::printf("torch clip_grad_norm_ + AdamW::step + zero_grad: %.3f s/step\n", torch_s);
  torch::optim::AdamW fused_adamw(params, torch::optim::AdamWOptions(2e-5).weight_decay(0.01));
  const double fused_s =
      seconds_per_step(params, [&] { kdw::clip_step_and_clear(fused_adamw, params, 1.0); });
  std::printf("kdw::clip_step_and_clear:                        %.3f s/step (%.1fx)\n", fused_s,
              torch_s / fused_s);
  return 0;
}
