// result.json of a distillation: what the loop did, and the kept model's test scores.
#pragma once

#include <filesystem>

#include "core/job.h"
#include "student/distill_data.h"
#include "student/distill_loop.h"
#include "student/distill_options.h"
#include "student/reports.h"
#include "student/student_model.h"

namespace kdw {

/// The report of a distillation whose loop ended with `t`. The kept model (model_file) is
/// evaluated on the test split only when the run went to its end: a stopped or failed run's
/// test score would describe a model the user did not finish.
DistillReport distill_report(const DistillOptions& o, const DistillData& data,
                             const StudentModel& model, const DistillTraining& t,
                             const std::filesystem::path& model_file, const at::Device& device,
                             JobContext& job);

}  // namespace kdw
