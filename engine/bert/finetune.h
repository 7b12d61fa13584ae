// Fine-tuning the BERT teacher on the workspace's bert_data: AdamW (no decay on biases and
// LayerNorm), linear warm-up then linear decay, gradient clipping and accumulation,
// length-bucketed batches, dev evaluation after each epoch; the best epoch is kept in
// files/bert/rubert_finetune/ (HF layout). A checkpoint next to it lets --resume continue.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/job.h"

namespace torch::optim {
class AdamW;
}

namespace kdw {

/// The defaults, ranges and help of the fields are in finetune_option_table()
/// (bert/finetune_options.cpp).
struct FinetuneOptions {
  FinetuneOptions();  ///< every field at its table default

  std::filesystem::path workspace, bert_path;
  int epochs;
  double lr;
  int64_t batch_size;
  int max_seq_len;
  double warmup;  ///< fraction of all optimizer steps spent warming up
  double weight_decay;
  int grad_accum;
  double max_grad_norm;  ///< 0: no clipping
  uint64_t seed;
  std::string device;
  /// float32, or bfloat16: matrix products in bf16 (about twice as fast on CPUs with AVX-512
  /// BF16), weights, gradients and optimizer state in float32 (mixed precision).
  std::string precision;
  int early_stopping_patience;  ///< stop after this many epochs without dev gain; 0: never
  bool resume;
  int64_t log_every;  ///< optimizer steps between "step" metric records
};

struct FinetuneResult {
  std::filesystem::path model_dir;
  nlohmann::json best;  ///< {"epoch", "dev": metrics} of the kept epoch
  int epochs_run = 0;
  bool early_stopped = false;
};
/// {"model_dir", "best", "epochs_run", "early_stopped"}: `kdw finetune --progress json`'s result.
inline void to_json(nlohmann::json& j, const FinetuneResult& r) {
  j = {{"model_dir", r.model_dir.string()},
       {"best", r.best},
       {"epochs_run", r.epochs_run},
       {"early_stopped", r.early_stopped}};
}
inline void from_json(const nlohmann::json& j, FinetuneResult& r) {
  r.model_dir = j.at("model_dir").get<std::string>();
  r.best = j.value("best", nlohmann::json());
  r.epochs_run = j.at("epochs_run").get<int>();
  r.early_stopped = j.value("early_stopped", false);
}

/// Throws kdw::Error on bad inputs (missing bert_data, vocabulary or labels not fitting the
/// model), kdw::Cancelled when cancelled (the checkpoint then holds the last step, the model
/// folder the previous best).
FinetuneResult run_finetune(const FinetuneOptions& options, JobContext& job);

class BertForSequenceClassification;
/// AdamW with decoupled weight decay on every parameter but biases and LayerNorm weights.
std::unique_ptr<torch::optim::AdamW> make_bert_optimizer(BertForSequenceClassification& model,
                                                         double lr, double weight_decay);

/// <model_dir>.checkpoint: weights, optimizer state and position of an unfinished run.
std::filesystem::path finetune_checkpoint_dir(const std::filesystem::path& model_dir);

}  // namespace kdw
