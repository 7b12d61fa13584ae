// Speed of a full student against a cut one: latency per sample (batch 1) and throughput
// (batch 64) of stack_biLSTM, h=1000, 2 layers, random weights, and the same with 75% of the
// units of every layer/direction cut out. Prints figures; never pass/fail.
//   bench_compress [--threads N] [--tokens T] [--hidden H] [--keep K] [--reps R] [--save DIR]
// --save writes the full model as DIR/model_distill_stack_biLSTM.pt (a run folder to try
// kdw compress on) and skips the timings.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "compress/cut.h"
#include "compress/selection.h"
#include "core/memory.h"
#include "core/threads.h"
#include "student/student_model.h"

namespace {

using Clock = std::chrono::steady_clock;

// Seconds per call of model(ids[batch, tokens]), best of `reps` after one warm-up.
double seconds_per_batch(kdw::StudentModel& model, int64_t batch, int64_t tokens, int reps) {
  at::NoGradGuard no_grad;
  const at::Tensor ids = at::randint(2, model->arch().vocab_size, {batch, tokens}, at::kLong);
  const at::Tensor lengths = at::full({batch}, tokens, at::kLong);
  model->forward(ids, lengths);
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    model->forward(ids, lengths);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  kdw::keep_freed_memory();  // as kdw and kdw-gui do
  int threads = 0, reps = 3;
  int64_t tokens = 40, hidden = 1000, keep = 250;
  std::string save_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--save") {
      save_dir = argv[i + 1];
      continue;
    }
    const long long v = std::atoll(argv[i + 1]);
    if (a == "--threads")
      threads = int(v);
    else if (a == "--tokens")
      tokens = v;
    else if (a == "--hidden")
      hidden = v;
    else if (a == "--keep")
      keep = v;
    else if (a == "--reps")
      reps = int(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  const int used = kdw::apply_thread_count(threads);
  at::manual_seed(1);
  kdw::StudentModel full(kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 30000, 300, hidden,
                                                2, {"neg", "neu", "pos"}, 0.0));
  full->eval();
  if (!save_dir.empty()) {
    kdw::save_student(full, std::filesystem::path(save_dir) / "model_distill_stack_biLSTM.pt");
    std::printf("saved %s/model_distill_stack_biLSTM.pt\n", save_dir.c_str());
    return 0;
  }
  // Which units go does not matter for speed: keep the first `keep` of each layer/direction.
  kdw::Selection s = kdw::Selection::none(full->arch());
  for (auto& layer : s.removed)
    for (auto& units : layer)
      for (int64_t u = keep; u < hidden; ++u) units.push_back(u);
  kdw::StudentModel cut = kdw::cut_student(*full, s);
  cut->eval();

  std::printf(
      "stack_biLSTM, 2 layers, emb 300, vocab 30000, %lld tokens/sample, %d threads, "
      "best of %d\n",
      (long long)tokens, used, reps);
  std::printf("%-28s %14s %14s %8s\n", "", "full", "cut", "ratio");
  const std::string full_name = "h=" + std::to_string(hidden);
  const std::string cut_name = "h=" + std::to_string(keep);
  std::printf("%-28s %14s %14s\n", "hidden per direction", full_name.c_str(), cut_name.c_str());
  std::printf("%-28s %14lld %14lld %8.2f\n", "parameters", (long long)full->parameter_count(),
              (long long)cut->parameter_count(),
              double(full->parameter_count()) / double(cut->parameter_count()));
  const double lat_full = seconds_per_batch(full, 1, tokens, reps) * 1e3;
  const double lat_cut = seconds_per_batch(cut, 1, tokens, reps) * 1e3;
  std::printf("%-28s %14.2f %14.2f %8.2f\n", "latency ms/sample (batch 1)", lat_full, lat_cut,
              lat_full / lat_cut);
  const double tp_full = 64.0 / seconds_per_batch(full, 64, tokens, reps);
  const double tp_cut = 64.0 / seconds_per_batch(cut, 64, tokens, reps);
  std::printf("%-28s %14.1f %14.1f %8.2f\n", "samples/s (batch 64)", tp_full, tp_cut,
              tp_cut / tp_full);
  return 0;
}
