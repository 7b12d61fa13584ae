// Speed on a GPU at issue 10's shapes, to print beside the Hugging Face / PyTorch rerun on the
// same card (scripts/gpu-bench.sh): BERT-base fine-tuning (batch 16 x 128, AdamW, clip 1.0) in
// float32 and with bf16 products, BERT-base inference (64 x 128) in both, and the stack_biLSTM
// student (h=1000, emb 300, 2 layers, batch 64, lognormal lengths, Adam, CE + MSE).
// Times are taken after torch::cuda::synchronize(). Figures from an H200: docs/speed.md.
// --parity: instead of timing, runs a tiny BERT and student on the CPU and on --device with the
// same weights and inputs and compares outputs, one training step's weights (clip + AdamW as
// fine-tuning runs them) and the fused against the explicit attention; exits 1 past tolerance.
// Usage: bench_gpu [--device cuda|cpu] [--steps N] [--small] [--parity]
//   (--small: tiny shapes, a smoke test)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>

#include "bert/bert_model.h"
#include "bert/finetune.h"
#include "core/adamw_step.h"
#include "core/device.h"
#include "core/error.h"
#include "student/loss.h"
#include "student/student_model.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Timer {
  bool gpu;
  Clock::time_point start;
  explicit Timer(bool on_gpu) : gpu(on_gpu) {
    sync();
    start = Clock::now();
  }
  void sync() const {
    if (gpu) torch::cuda::synchronize();
  }
  double seconds() const {
    sync();
    return std::chrono::duration<double>(Clock::now() - start).count();
  }
};

double max_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kCPU, at::kFloat) - b.to(at::kCPU, at::kFloat)).abs().max().item<double>();
}

// Prints one comparison; false when past `tolerance`.
bool report(const char* what, double diff, double tolerance) {
  const bool ok = diff <= tolerance;
  std::printf("  %-58s max |diff| %.2e (tolerance %.0e) %s\n", what, diff, tolerance,
              ok ? "ok" : "FAIL");
  return ok;
}

// Largest gradient difference between two copies of a model, relative to the largest gradient.
double grad_diff(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  double diff = 0, scale = 1e-12;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!a[k].grad().defined()) continue;
    diff = std::max(diff, max_diff(a[k].grad(), b[k].grad()));
    scale = std::max(scale, a[k].grad().abs().max().item<double>());
  }
  return diff / scale;
}

// Gives the device copy exactly the CPU copy's gradients, so that an optimizer step is compared
// on its own (Adam turns tiny rounding differences of near-zero gradients into whole steps).
void copy_grads(const std::vector<at::Tensor>& from, const std::vector<at::Tensor>& to) {
  for (std::size_t k = 0; k < from.size(); ++k)
    if (from[k].grad().defined()) to[k].mutable_grad() = from[k].grad().to(to[k].device());
}

// The same tiny BERT on the CPU and on `device`: eval logits in float32 and bf16, the fused
// attention against the explicit one, and the weights after one clipped AdamW step (dropout off,
// so that both devices compute the same function).
bool bert_parity(const at::Device& device) {
  kdw::BertConfig config;
  config.vocab_size = 300;
  config.hidden_size = 64;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 4;
  config.intermediate_size = 128;
  config.max_position_embeddings = 64;
  config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0;
  at::manual_seed(3);
  kdw::BertForSequenceClassification cpu(config, 3), dev(config, 3);
  {
    at::NoGradGuard no_grad;
    const auto a = cpu->parameters(), b = dev->parameters();
    for (std::size_t k = 0; k < a.size(); ++k) b[k].copy_(a[k]);
  }
  dev->to(device);
  const at::Tensor ids = at::randint(1, 300, {5, 20}, at::kLong);
  at::Tensor mask = at::ones({5, 20}, at::kLong);
  mask.narrow(1, 12, 8).narrow(0, 0, 3).zero_();  // three padded rows
  const at::Tensor labels = at::randint(0, 3, {5}, at::kLong);
  bool ok = true;
  cpu->eval();
  dev->eval();
  {
    at::NoGradGuard no_grad;
    const at::Tensor ref = cpu->forward(ids, mask, {}).logits;
    ok &= report("BERT eval logits, float32",
                 max_diff(ref, dev->forward(ids.to(device), mask.to(device), {}).logits), 1e-4);
    if (kdw::BertForSequenceClassificationImpl::has_fused_attention()) {
      dev->set_attention(kdw::BertForSequenceClassificationImpl::Attention::kExplicit);
      const at::Tensor explicit_out = dev->forward(ids.to(device), mask.to(device), {}).logits;
      dev->set_attention(kdw::BertForSequenceClassificationImpl::Attention::kFused);
      const at::Tensor fused_out = dev->forward(ids.to(device), mask.to(device), {}).logits;
      dev->set_attention(kdw::BertForSequenceClassificationImpl::Attention::kAuto);
      ok &= report("BERT eval logits, fused vs explicit attention",
                   max_diff(explicit_out, fused_out), 1e-4);
    }
    cpu->set_matmul_dtype(at::kBFloat16);
    dev->set_matmul_dtype(at::kBFloat16);
    ok &= report("BERT eval logits, bf16 products",
                 max_diff(cpu->forward(ids, mask, {}).logits,
                          dev->forward(ids.to(device), mask.to(device), {}).logits),
                 5e-2);
    cpu->set_matmul_dtype(at::kFloat);
    dev->set_matmul_dtype(at::kFloat);
  }
  cpu->train();
  dev->train();
  auto cpu_opt = kdw::make_bert_optimizer(cpu, 1e-3, 0.01);
  auto dev_opt = kdw::make_bert_optimizer(dev, 1e-3, 0.01);
  const auto cpu_params = cpu->parameters(), dev_params = dev->parameters();
  double worst_grad = 0;
  for (int step = 0; step < 3; ++step) {
    at::cross_entropy_loss(cpu->forward(ids, mask, {}).logits, labels).backward();
    at::cross_entropy_loss(dev->forward(ids.to(device), mask.to(device), {}).logits,
                           labels.to(device))
        .backward();
    worst_grad = std::max(worst_grad, grad_diff(cpu_params, dev_params));
    copy_grads(cpu_params, dev_params);
    // A small max norm so that the clip is active.
    kdw::clip_step_and_clear(*cpu_opt, cpu_params, 0.5);
    kdw::clip_step_and_clear(*dev_opt, dev_params, 0.5);
  }
  ok &= report("BERT gradients (relative to the largest)", worst_grad, 1e-3);
  double worst = 0;
  for (std::size_t k = 0; k < cpu_params.size(); ++k)
    worst = std::max(worst, max_diff(cpu_params[k], dev_params[k]));
  ok &= report("BERT weights after 3 clipped AdamW steps (same gradients)", worst, 1e-5);
  return ok;
}

// The student (both types) on the CPU and on `device`: eval logits and one clipped Adam step.
bool student_parity(const at::Device& device) {
  bool ok = true;
  for (const auto type : {kdw::StudentType::kStackLSTM, kdw::StudentType::kStackBiLSTM}) {
    at::manual_seed(5);
    const auto arch = kdw::StudentArch::make(type, 200, 16, 24, 2, {"a", "b", "c"}, 0.0);
    kdw::StudentModel cpu(arch), dev(arch);
    {
      at::NoGradGuard no_grad;
      const auto a = cpu->parameters(), b = dev->parameters();
      for (std::size_t k = 0; k < a.size(); ++k) b[k].copy_(a[k]);
    }
    dev->to(device);
    const at::Tensor ids = at::randint(2, 200, {6, 11}, at::kLong);
    const at::Tensor lens = at::tensor(std::vector<int64_t>{11, 9, 7, 5, 2, 1}, at::kLong);
    const at::Tensor labels = at::randint(0, 3, {6}, at::kLong), teacher = at::randn({6, 3});
    const std::string name = kdw::student_type_name(type);
    cpu->eval();
    dev->eval();
    {
      at::NoGradGuard no_grad;
      ok &= report((name + " eval logits").c_str(),
                   max_diff(cpu->forward(ids, lens), dev->forward(ids.to(device), lens.to(device))),
                   1e-4);
    }
    cpu->train();
    dev->train();
    torch::optim::Adam cpu_adam(cpu->parameters(), torch::optim::AdamOptions(1e-2));
    torch::optim::Adam dev_adam(dev->parameters(), torch::optim::AdamOptions(1e-2));
    const auto a = cpu->parameters(), b = dev->parameters();
    double worst_grad = 0;
    for (int step = 0; step < 3; ++step) {
      cpu_adam.zero_grad();
      dev_adam.zero_grad();
      kdw::distill_loss(cpu->forward(ids, lens), teacher, labels, 0.5, 1.0, "mse").total.backward();
      kdw::distill_loss(dev->forward(ids.to(device), lens.to(device)), teacher.to(device),
                        labels.to(device), 0.5, 1.0, "mse")
          .total.backward();
      worst_grad = std::max(worst_grad, grad_diff(a, b));
      copy_grads(a, b);
      kdw::clip_grad_norm(a, 0.5);
      kdw::clip_grad_norm(b, 0.5);
      cpu_adam.step();
      dev_adam.step();
    }
    ok &= report((name + " gradients (relative to the largest)").c_str(), worst_grad, 1e-3);
    double worst = 0;
    for (std::size_t k = 0; k < a.size(); ++k) worst = std::max(worst, max_diff(a[k], b[k]));
    ok &= report((name + " weights after 3 clipped Adam steps (same gradients)").c_str(), worst,
                 1e-5);
  }
  return ok;
}

}  // namespace

int run(int argc, char** argv) {
  std::string device_name = "cuda";
  int steps = 20;
  bool small = false, parity = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--device") && i + 1 < argc)
      device_name = argv[++i];
    else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
      steps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--small"))
      small = true;
    else if (!std::strcmp(argv[i], "--parity"))
      parity = true;
  }
  const at::Device device = kdw::parse_device_name(device_name);
  if (parity) {
    std::printf("parity: %s against the CPU\n", device.str().c_str());
    const bool bert_ok = bert_parity(device);
    const bool student_ok = student_parity(device);
    std::printf("parity %s\n", bert_ok && student_ok ? "passed" : "FAILED");
    return bert_ok && student_ok ? 0 : 1;
  }
  const bool gpu = device.is_cuda();
  const at::TensorOptions on = at::TensorOptions().device(device).dtype(at::kLong);

  kdw::BertConfig config;
  config.vocab_size = small ? 500 : 119547;
  config.hidden_size = small ? 64 : 768;
  config.num_hidden_layers = small ? 2 : 12;
  config.num_attention_heads = small ? 4 : 12;
  config.intermediate_size = small ? 128 : 3072;
  config.max_position_embeddings = 512;
  at::manual_seed(0);
  kdw::BertForSequenceClassification model(config, 4);
  model->to(device);
  auto optimizer = kdw::make_bert_optimizer(model, 2e-5, 0.01);
  const std::vector<at::Tensor> params = model->parameters();
  std::printf("ours on %s, BERT %s shape, random weights\n", device.str().c_str(),
              small ? "tiny" : "base");

  const int64_t t = 128;
  for (const auto dtype : {at::kFloat, at::kBFloat16}) {
    const char* precision = dtype == at::kFloat ? "float32" : "bfloat16";
    model->set_matmul_dtype(dtype);
    const int64_t b = 16;
    const at::Tensor ids = at::randint(1000 % config.vocab_size, config.vocab_size, {b, t}, on);
    const at::Tensor mask = at::ones({b, t}, on);
    const at::Tensor labels = at::randint(0, 4, {b}, on);
    const auto step = [&] {
      model->train();
      at::cross_entropy_loss(model->forward(ids, mask, {}).logits, labels).backward();
      kdw::clip_step_and_clear(*optimizer, params, 1.0);
    };
    for (int i = 0; i < 3; ++i) step();  // warm-up: allocations, optimizer state, kernels
    Timer timer(gpu);
    for (int i = 0; i < steps; ++i) step();
    const double step_s = timer.seconds() / steps;
    std::printf("fine-tuning %lld x %lld, %s: %.1f samples/s (issue 10, HF on the H200: %s)\n",
                (long long)b, (long long)t, precision, double(b) / step_s,
                dtype == at::kFloat ? "444" : "696 with bf16 autocast");
    // Where a step's time goes: forward + backward alone, and how long the host takes to queue a
    // whole step (when that is close to the step time, the GPU waits for the host).
    Timer fb(gpu);
    for (int i = 0; i < steps; ++i) {
      at::cross_entropy_loss(model->forward(ids, mask, {}).logits, labels).backward();
      kdw::clear_grads(params);
    }
    const double fb_s = fb.seconds() / steps;
    double host_s = 0;
    for (int i = 0; i < steps; ++i) {
      timer.sync();
      const auto host_start = Clock::now();
      step();
      host_s += std::chrono::duration<double>(Clock::now() - host_start).count() / steps;
    }
    timer.sync();
    std::printf(
        "  per step: %.2f ms (forward+backward %.2f ms, the rest %.2f ms); host queues a "
        "step in %.2f ms\n",
        step_s * 1e3, fb_s * 1e3, (step_s - fb_s) * 1e3, host_s * 1e3);
    if (gpu && kdw::BertForSequenceClassificationImpl::has_fused_attention()) {
      model->set_attention(kdw::BertForSequenceClassificationImpl::Attention::kExplicit);
      for (int i = 0; i < 2; ++i) step();
      Timer et(gpu);
      for (int i = 0; i < steps; ++i) step();
      std::printf("  with the explicit attention instead of the fused kernel: %.1f samples/s\n",
                  double(steps * b) / et.seconds());
      model->set_attention(kdw::BertForSequenceClassificationImpl::Attention::kAuto);
    }

    const int64_t ib = 64;
    const at::Tensor iids = at::randint(1000 % config.vocab_size, config.vocab_size, {ib, t}, on);
    const at::Tensor imask = at::ones({ib, t}, on);
    c10::NoGradGuard no_grad;
    model->eval();
    for (int i = 0; i < 3; ++i) model->forward(iids, imask, {});
    Timer itimer(gpu);
    for (int i = 0; i < steps; ++i) model->forward(iids, imask, {});
    std::printf("inference %lld x %lld, %s: %.1f samples/s (issue 10, HF on the H200: %s)\n",
                (long long)ib, (long long)t, precision, double(steps * ib) / itimer.seconds(),
                dtype == at::kFloat ? "1,830" : "10,030 with bf16 autocast");
    if (gpu && kdw::BertForSequenceClassificationImpl::has_fused_attention()) {
      model->set_attention(kdw::BertForSequenceClassificationImpl::Attention::kExplicit);
      model->forward(iids, imask, {});
      Timer et(gpu);
      for (int i = 0; i < steps; ++i) model->forward(iids, imask, {});
      std::printf("  with the explicit attention instead of the fused kernel: %.1f samples/s\n",
                  double(steps * ib) / et.seconds());
      model->set_attention(kdw::BertForSequenceClassificationImpl::Attention::kAuto);
    }
  }

  // The student as bench/reference/student.py: lognormal lengths, length-sorted batches of 64.
  const int64_t hidden = small ? 64 : 1000, emb = small ? 32 : 300, vocab = small ? 500 : 30000;
  kdw::StudentModel student(kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, vocab, emb,
                                                   hidden, 2, {"a", "b", "c"}, 0.1));
  student->to(device);
  torch::optim::Adam adam(student->parameters(), torch::optim::AdamOptions(1e-3));
  std::mt19937 rng(1);
  std::lognormal_distribution<double> lognormal(3.6, 0.6);
  std::vector<int64_t> lengths(64 * 16);
  for (auto& n : lengths) n = std::clamp<int64_t>(int64_t(lognormal(rng)), 1, 400);
  std::sort(lengths.begin(), lengths.end());
  struct Batch {
    at::Tensor ids, lens, labels, teacher;
  };
  std::vector<Batch> batches;
  for (std::size_t k = 0; k + 64 <= lengths.size(); k += 64) {
    const int64_t longest = lengths[k + 63];
    at::Tensor ids = at::zeros({64, longest}, at::kLong), lens = at::empty({64}, at::kLong);
    for (int64_t r = 0; r < 64; ++r) {
      const int64_t n = lengths[k + std::size_t(r)];
      ids[r].narrow(0, 0, n).random_(2, vocab);
      lens[r] = n;
    }
    batches.push_back({ids.to(device), lens.to(device), at::randint(0, 3, {64}, on),
                       at::randn({64, 3}).to(device)});
  }
  student->train();
  const auto student_step = [&](const Batch& b) {
    const at::Tensor logits = student->forward(b.ids, b.lens);
    const kdw::DistillLoss loss = kdw::distill_loss(logits, b.teacher, b.labels, 0.5, 1.0, "mse");
    adam.zero_grad();
    loss.total.backward();
    adam.step();
  };
  student_step(batches[0]);  // warm-up
  Timer stimer(gpu);
  int64_t samples = 0;
  for (int i = 0; i < steps; ++i) {
    student_step(batches[std::size_t(i) % batches.size()]);
    samples += 64;
  }
  std::printf(
      "student stack_biLSTM h=%lld emb %lld batch 64: %.1f samples/s (issue 10: PyTorch packed "
      "biLSTM on the H200 2,260; goal at least twice that)\n",
      (long long)hidden, (long long)emb, double(samples) / stimer.seconds());
  return 0;
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    return run(argc, argv);
  } catch (const kdw::Error& e) {
    std::fprintf(stderr, "bench_gpu: %s\n", e.what());
    return 1;
  }
}
