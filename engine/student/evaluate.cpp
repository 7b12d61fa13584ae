#include <chrono>

#include <torch/utils.h>

#include "core/error.h"
#include "core/option_checks.h"
#include "student/distill.h"
#include "student/distill_data.h"
#include "student/predict.h"

namespace fs = std::filesystem;

namespace kdw {

namespace {

// Mean wall time of single-sample inference over up to 200 samples (after a short warm-up).
double latency_ms_per_sample(StudentModelImpl& model, const RaggedSplit& split,
                             const at::Device& device) {
  torch::NoGradGuard no_grad;
  model.eval();
  const int64_t n = std::min<int64_t>(split.size(), 200);
  if (n == 0) return 0.0;
  for (int64_t i = 0; i < std::min<int64_t>(n, 5); ++i) {
    const Batch b = make_batch(split, {i});
    model.forward(b.ids.to(device), b.lengths.to(device)).to(at::kCPU);
  }
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    const Batch b = make_batch(split, {i});
    model.forward(b.ids.to(device), b.lengths.to(device)).to(at::kCPU);
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
             .count() /
         double(n);
}

}  // namespace

EvaluateResult evaluate_student(const EvaluateOptions& o, JobContext& job) {
  check_integer("batch_size", o.batch_size, 1, kMaxBatchSize);
  const at::Device device = parse_student_device(o.device);
  StudentModel model = load_student(o.model_file, o.model_type);
  const DistillData data = read_distill_data(o.data_path, false, model->arch().vocab_size);
  if (data.labels != model->arch().labels)
    throw file_error(o.model_file, "was trained on other labels than " +
                                       (data.data_dir / "labels.json").string());
  model->to(device);
  EvaluateResult r;
  r.report.model_file = o.model_file.string();
  r.report.model_type = student_type_name(model->arch().type);
  r.report.arch = model->arch().to_json();
  r.report.parameters = model->parameter_count();
  r.report.bytes = static_cast<int64_t>(fs::file_size(o.model_file));
  for (int s = 1; s < 3; ++s) {
    job.throw_if_cancelled();
    job.progress("evaluate", s - 1, 3, kSplitNames[s]);
    const ClassificationMetrics m = evaluate_split(*model, data.splits[s], o.batch_size, device);
    (s == 1 ? r.report.dev : r.report.test) = SplitScores{m.accuracy, m.macro_f1, m.samples};
  }
  job.progress("evaluate", 2, 3, "latency");
  r.report.latency_ms_per_sample = latency_ms_per_sample(
      *model, data.splits[2].size() ? data.splits[2] : data.splits[1], device);
  job.progress("evaluate", 3, 3);
  return r;
}

}  // namespace kdw
