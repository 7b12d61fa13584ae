// The options of a distillation (kdw distill, the Distill panel, a run's config.json): the
// struct the engine reads and its one table (core/option_table.h), which holds every option's
// default, range, label and help.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/option_table.h"
#include "student/student_model.h"

namespace kdw {

/// Largest hidden_size and emb_dim accepted (a 16384-unit LSTM layer's recurrent matrix alone is
/// 4 GiB); a model that fits these limits must also fit the machine's memory.
constexpr int64_t kMaxStudentWidth = 16384;
/// Largest batch_size accepted for training and evaluation.
constexpr int64_t kMaxBatchSize = 65536;

// A StudentType is an option value by its name ("stack_biLSTM").
OptionValue to_option_value(const StudentType& type);
void from_option_value(const OptionValue& value, StudentType& type);

/// The fields' defaults, ranges and help are in distill_option_table() (distill_options.cpp).
struct DistillOptions {
  DistillOptions();  ///< every field at its table default

  std::filesystem::path data_path;
  StudentType model_type;
  int64_t hidden_size;
  int num_layers;
  int64_t emb_dim;
  double dropout;
  int64_t batch_size;
  int epochs;
  double lr;
  double alpha;
  double temperature;
  std::string distill_loss;  ///< "mse" or "kl"
  double group_lasso;
  /// Epochs trained dense (no group lasso, no ISS threshold) before the lasso starts, then epochs
  /// over which its weight rises linearly to group_lasso (lasso_schedule.h).
  int lasso_warmup;
  int lasso_ramp;
  double iss_threshold;
  /// 0: keep the epoch with the best dev accuracy. > 0: keep the sparsest epoch (fewest non-zero
  /// ISS components) whose dev accuracy is within this much of the best seen, so that training
  /// with group lasso ends on a model the cut can shrink at (almost) no cost.
  double sparse_tolerance;
  double max_grad_norm;
  uint64_t seed;
  std::string device;
  /// Where the run folder goes; empty: the workspace root, or "." for a flat ./data.
  std::filesystem::path output_dir;
  /// Train also on the augmented copies (logits/train_aug*.npy) when the logits hold them.
  bool augmented;
  /// Initialise the word embeddings from the teacher's WordPiece embeddings (teacher_embedding.h).
  bool emb_from_teacher;
  /// Non-empty: start from this saved (full or cut) student and keep its architecture
  /// (hidden_size, num_layers, emb_dim, dropout are then the model's).
  std::filesystem::path restore_model_path;
  /// Non-empty: continue this run folder from its checkpoint (distill_checkpoint.h); the options
  /// must be the run's (config.json) but for epochs, which may grow.
  std::filesystem::path resume;
  /// Steps between "step" metric records.
  int64_t log_every;

  /// config.json's options (distill_option_table().to_json).
  nlohmann::json to_json() const;
};

const OptionTable<DistillOptions>& distill_option_table();

/// The options a run's config.json holds (missing ones at their defaults); throws
/// kdw::UsageError naming the field when one is of the wrong kind or out of range.
DistillOptions distill_options_from_json(const nlohmann::json& config);

}  // namespace kdw
