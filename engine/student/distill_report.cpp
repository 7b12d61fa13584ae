#include "student/distill_report.h"

#include "core/log.h"
#include "student/predict.h"

namespace fs = std::filesystem;

namespace kdw {

DistillReport distill_report(const DistillOptions& o, const DistillData& data,
                             const StudentModel& model, const DistillTraining& t,
                             const fs::path& model_file, const at::Device& device,
                             JobContext& job) {
  DistillReport rep;
  rep.model_type = student_type_name(o.model_type);
  rep.arch = model->arch().to_json();
  rep.parameters = model->parameter_count();
  rep.epochs_done = t.epochs_done;
  rep.steps = t.steps;
  rep.stopped = t.stopped;
  rep.failed = t.failure;
  if (t.best_epoch > 0) {
    StudentModel best = load_student(model_file, o.model_type);
    best->to(device);
    rep.best_epoch = t.best_epoch;
    rep.dev = t.best_dev;
    rep.model_file = model_file.filename().string();
    rep.bytes = static_cast<int64_t>(fs::file_size(model_file));
    if (!t.stopped && t.failure.empty()) {
      job.progress("test", 0, 1, "test evaluation");
      const ClassificationMetrics test =
          evaluate_split(*best, data.splits[2], o.batch_size, device);
      rep.test = short_metrics(test);
      rep.test_detail = test.to_json();
      kdw::log::info("best epoch {}: dev accuracy {:.4f}; test accuracy {:.4f}, macro-F1 {:.4f}",
                     t.best_epoch, t.best_dev->accuracy, test.accuracy, test.macro_f1);
    }
  }
  return rep;
}

}  // namespace kdw
