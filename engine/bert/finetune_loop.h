// The epochs of a fine-tuning run: steps with gradient accumulation, warm-up and decay, a dev
// evaluation after each epoch, the kept epoch chosen by FinetuneBestEpoch, a checkpoint
// between epochs and on cancel. run_finetune (finetune.cpp) sets it up and reports on it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "bert/bert_model.h"
#include "bert/finetune.h"
#include "bert/finetune_checkpoint.h"
#include "core/job.h"
#include "formats/ragged.h"

namespace kdw {

/// What the loop trains with.
struct FinetuneLoop {
  const FinetuneOptions& o;
  BertForSequenceClassification& model;
  torch::optim::AdamW& optimizer;
  const RaggedSplit& train;
  const RaggedSplit& dev;
  int64_t num_labels;
  const std::vector<int64_t>& train_lengths;  ///< truncated to o.max_seq_len
  int64_t warmup_steps, total_steps;
  const std::filesystem::path& checkpoint_dir;
  const nlohmann::json& identity;  ///< run_identity(), saved with each checkpoint
  const at::Device& device;
};

struct FinetuneEpochs {
  int epochs_run = 0;
  bool early_stopped = false;
};

/// Runs the epochs from `state` (a fresh or resumed position) to o.epochs or early stopping.
/// After an epoch that becomes the kept one, `save_best` saves the model; after any other,
/// `save_notes` updates the kept model's notes. A cancel saves a checkpoint and rethrows.
FinetuneEpochs finetune_epochs(const FinetuneLoop& run, RunState& state,
                               const std::function<void()>& save_best,
                               const std::function<void()>& save_notes, JobContext& job);

}  // namespace kdw
