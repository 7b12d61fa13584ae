// The checkpoint of an unfinished distillation (<run folder>/checkpoint): the weights, Adam's
// state, the kept epoch's scores, the CPU random generator and how far metrics.jsonl had got after
// the last completed epoch, so that kdw distill --resume continues the run as if it had not
// stopped. Plain data only (safetensors and JSON), as the fine-tuning checkpoint.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "core/best_epoch.h"
#include "student/reports.h"
#include "student/student_model.h"

namespace torch::optim {
class Adam;
}

namespace kdw {
namespace dist {
class DistContext;
}

/// Where a distillation stands after its last completed epoch.
struct DistillResumePoint {
  int epochs_done = 0;  ///< completed epochs; the lasso schedule goes on from the next
  int64_t steps = 0;
  int best_epoch = 0;  ///< 0: none kept yet
  std::optional<SplitScores> best_dev;
  std::optional<EpochScores> best;  ///< DistillBestEpoch's kept epoch
  double top_accuracy = -1;         ///< DistillBestEpoch's best accuracy seen
  int64_t metrics_bytes = 0;        ///< metrics.jsonl's length after the epoch's record
  at::Tensor rng;                   ///< the CPU generator's state (uint8), dropout's seeds
};

/// The CPU generator's state now / set it.
at::Tensor cpu_rng_state();
void set_cpu_rng_state(const at::Tensor& state);

/// Replaces `dir` with a checkpoint of `model`, `optimizer` and `point` (atomically).
void save_distill_checkpoint(const std::filesystem::path& dir, const StudentModel& model,
                             const torch::optim::Adam& optimizer, const DistillResumePoint& point);

/// Loads the checkpoint in `dir` into `model` and `optimizer` (and the CPU generator); refuses a
/// missing or damaged one with a line naming the file.
DistillResumePoint load_distill_checkpoint(const std::filesystem::path& dir, StudentModel& model,
                                           torch::optim::Adam& optimizer, const at::Device& device);

/// Rank 0's weights, Adam state, position and generator state on every rank of a distributed job
/// (only rank 0's run folder holds the checkpoint). Every rank calls it.
void share_distill_resume_point(dist::DistContext& dist, StudentModel& model,
                                torch::optim::Adam& optimizer, DistillResumePoint& point);

/// Refuses to resume a run whose config.json (`saved`) differs from this one's (`now`) in any
/// field but epochs (which may grow) and the output folder; the line names the field.
void check_resume_config(const std::filesystem::path& config_file, const nlohmann::json& saved,
                         const nlohmann::json& now);

}  // namespace kdw
