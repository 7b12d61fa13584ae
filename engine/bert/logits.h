// Teacher logits: the fine-tuned BERT run over every sample of train/dev/test, stored as
// files/data/logits/<split>.npy (float32, N x C, row i = sample i of that split's bert_data)
// plus logits.json (model, labels, teacher scores and hashes of every input).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/job.h"

namespace kdw {

/// The defaults and help of the fields are in logits_option_table() (bert/finetune_options.cpp).
struct LogitsOptions {
  LogitsOptions();  ///< every field at its table default

  std::filesystem::path workspace;
  std::filesystem::path model;  ///< empty: <workspace>/files/bert/rubert_finetune
  int64_t batch_size;
  std::string device;
  /// float32, or bfloat16: the teacher's weights and matrix products in bf16 (several times
  /// faster on CPUs with AVX-512 BF16; logits differ by a few thousandths, see docs/speed.md).
  std::string precision;
  bool force;  ///< recompute even when the inputs are unchanged
  /// > 0: also K augmented copies of each training sample (data/augment.h), stored as
  /// logits/train_aug*.npy (docs/formats.md). Dev and test are never augmented.
  int64_t augment;
  double augment_mask, augment_replace, augment_ngram;
  uint64_t augment_seed;
};

struct LogitsResult {
  nlohmann::json summary;  ///< the content of logits.json
  bool skipped = false;    ///< inputs unchanged: the existing logits were kept
};

LogitsResult run_logits(const LogitsOptions& options, JobContext& job);

}  // namespace kdw
