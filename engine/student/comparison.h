// What a distillation bought: the teacher's scores on the same dev/test samples (from
// logits.json) and the newest label-only run (alpha 1) of the same model type beside this run,
// recorded in result.json (docs/distillation.md, "Baseline and teacher").
#pragma once

#include <filesystem>

#include "student/distill_options.h"
#include "student/reports.h"

namespace kdw {

/// Fills report.teacher_dev_accuracy / teacher_test_accuracy / baseline where known; never
/// throws for a missing or unreadable file (the comparison is a convenience).
void add_comparison(DistillReport& report, const std::filesystem::path& data_dir,
                    const std::filesystem::path& run_dir, const DistillOptions& options);

}  // namespace kdw
