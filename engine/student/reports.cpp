#include "student/reports.h"

#include "core/error.h"
#include "core/json_fields.h"
#include "core/json_read.h"

namespace kdw {

void to_json(nlohmann::json& j, const SplitScores& s) {
  j = {{"accuracy", s.accuracy}, {"macro_f1", s.macro_f1}, {"samples", s.samples}};
}

void from_json(const nlohmann::json& j, SplitScores& s) {
  read_optional(j, "accuracy", s.accuracy);
  read_optional(j, "macro_f1", s.macro_f1);
  read_optional(j, "samples", s.samples);
}

void to_json(nlohmann::json& j, const EvaluateReport& r) {
  j = {{"model_file", r.model_file},
       {"model_type", r.model_type},
       {"arch", r.arch},
       {"parameters", r.parameters},
       {"bytes", r.bytes},
       {"dev", r.dev},
       {"test", r.test},
       {"latency_ms_per_sample", r.latency_ms_per_sample}};
}

void from_json(const nlohmann::json& j, EvaluateReport& r) {
  read_optional(j, "model_file", r.model_file);
  read_optional(j, "model_type", r.model_type);
  if (j.contains("arch")) r.arch = j.at("arch");
  read_optional(j, "parameters", r.parameters);
  read_optional(j, "bytes", r.bytes);
  read_optional(j, "dev", r.dev);
  read_optional(j, "test", r.test);
  read_optional(j, "latency_ms_per_sample", r.latency_ms_per_sample);
}

void to_json(nlohmann::json& j, const DistillReport& r) {
  j = {{"model_type", r.model_type},   {"arch", r.arch},   {"parameters", r.parameters},
       {"epochs_done", r.epochs_done}, {"steps", r.steps}, {"stopped", r.stopped}};
  if (!r.failed.empty()) j["failed"] = r.failed;
  if (r.best_epoch > 0) {
    j["best_epoch"] = r.best_epoch;
    j["model_file"] = r.model_file;
    j["bytes"] = r.bytes;
  }
  if (r.dev) j["dev"] = *r.dev;
  if (r.test) j["test"] = *r.test;
  if (!r.test_detail.is_null()) j["test_detail"] = r.test_detail;
  if (r.teacher_dev_accuracy) j["teacher_dev_accuracy"] = *r.teacher_dev_accuracy;
  if (r.teacher_test_accuracy) j["teacher_test_accuracy"] = *r.teacher_test_accuracy;
  if (!r.baseline.is_null()) j["baseline"] = r.baseline;
}

void from_json(const nlohmann::json& j, DistillReport& r) {
  read_optional(j, "model_type", r.model_type);
  if (j.contains("arch")) r.arch = j.at("arch");
  read_optional(j, "parameters", r.parameters);
  read_optional(j, "epochs_done", r.epochs_done);
  read_optional(j, "steps", r.steps);
  read_optional(j, "stopped", r.stopped);
  read_optional(j, "failed", r.failed);
  read_optional(j, "best_epoch", r.best_epoch);
  if (j.contains("dev") && !j.at("dev").is_null()) r.dev = j.at("dev").get<SplitScores>();
  read_optional(j, "model_file", r.model_file);
  read_optional(j, "bytes", r.bytes);
  if (j.contains("test") && !j.at("test").is_null()) r.test = j.at("test").get<SplitScores>();
  if (j.contains("test_detail")) r.test_detail = j.at("test_detail");
  for (auto [key, field] : {std::pair{"teacher_dev_accuracy", &r.teacher_dev_accuracy},
                            std::pair{"teacher_test_accuracy", &r.teacher_test_accuracy}})
    if (j.contains(key) && !j.at(key).is_null()) *field = j.at(key).get<double>();
  if (j.contains("baseline")) r.baseline = j.at("baseline");
}

void to_json(nlohmann::json& j, const DistillResult& r) {
  j = {
      {"run_dir", r.run_dir.string()}, {"model_file", r.model_file.string()}, {"result", r.report}};
}

void from_json(const nlohmann::json& j, DistillResult& r) {
  std::string run_dir, model_file;
  read_optional(j, "run_dir", run_dir);
  read_optional(j, "model_file", model_file);
  r.run_dir = run_dir;
  r.model_file = model_file;
  read_optional(j, "result", r.report);
}

DistillReport read_distill_report(const std::filesystem::path& file) {
  const nlohmann::json j = read_json_file(file);
  if (!j.is_object()) throw file_error(file, "is not a JSON object");
  try {
    return j.get<DistillReport>();
  } catch (const nlohmann::json::exception& e) {
    throw file_error(file, std::string("not a distillation result: ") + e.what());
  }
}

}  // namespace kdw
