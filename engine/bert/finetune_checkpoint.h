// The checkpoint of an unfinished fine-tuning run (<model_dir>.checkpoint): weights, AdamW
// state and the run's position, so that --resume continues where a cancel or a kill stopped it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bert/bert_model.h"
#include "bert/finetune.h"

namespace torch::optim {
class AdamW;
}

namespace kdw {

// Where a run stands; the checkpoint's state.json.
struct RunState {
  int epoch = 0;           // 0-based epoch in progress
  int64_t next_batch = 0;  // first batch of that epoch not yet applied
  int64_t step = 0;        // optimizer steps done
  int best_epoch = 0;      // 1-based; 0: none yet
  double best_score = -1;
  int stale_epochs = 0;
  nlohmann::json best = nlohmann::json::object();
  std::vector<nlohmann::json> history;  // metrics.jsonl records so far
};

/// What a checkpoint must match to be resumed: the model, the data and the settings that
/// decide the batches.
nlohmann::json run_identity(const FinetuneOptions& o, const std::vector<std::string>& labels,
                            int64_t train_size);

/// Replaces `dir` with a checkpoint of `model`, `optimizer` and `state` (atomically).
void save_checkpoint(const std::filesystem::path& dir, const BertForSequenceClassification& model,
                     const torch::optim::AdamW& optimizer, const RunState& state,
                     const nlohmann::json& identity);

/// Loads the checkpoint in `dir` into `model` and `optimizer`; refuses one of another run
/// (identity), of an earlier kdw, or with damaged bytes.
RunState load_checkpoint(const std::filesystem::path& dir, BertForSequenceClassification& model,
                         torch::optim::AdamW& optimizer, const nlohmann::json& identity,
                         const at::Device& device);

}  // namespace kdw
