// Speed on a GPU at issue 10's shapes, to print beside the Hugging Face / PyTorch rerun on the
// same card (scripts/gpu-bench.sh): BERT-base fine-tuning (batch 16 x 128, AdamW, clip 1.0) in
// float32 and with bf16 products, BERT-base inference (64 x 128) in both, and the stack_biLSTM
// student (h=1000, emb 300, 2 layers, batch 64, lognormal lengths, Adam, CE + MSE).
// Times are taken after torch::cuda::synchronize(). Written without a GPU: never run on one yet.
// Usage: bench_gpu [--device cuda|cpu] [--steps N] [--small]   (--small: tiny shapes, a smoke test)
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

}  // namespace

int run(int argc, char** argv) {
  std::string device_name = "cuda";
  int steps = 20;
  bool small = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--device") && i + 1 < argc)
      device_name = argv[++i];
    else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
      steps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--small"))
      small = true;
  }
  const at::Device device = kdw::parse_device_name(device_name);
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
    std::printf("fine-tuning %lld x %lld, %s: %.1f samples/s (issue 10, HF on the H200: %s)\n",
                (long long)b, (long long)t, precision, double(steps * b) / timer.seconds(),
                dtype == at::kFloat ? "444" : "696 with bf16 autocast");

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
