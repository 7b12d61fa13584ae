// What fine-tuning and logit extraction share: reading the teacher's inputs from a workspace
// (bert_data, labels.json, prepare.json), checking they fit the model, and turning samples into
// dynamically padded batches.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "bert/bert_model.h"
#include "core/job.h"
#include "core/workspace.h"
#include "formats/ragged.h"

namespace kdw {

struct TeacherData {
  std::vector<std::string> labels;    ///< labels.json, index order
  std::array<RaggedSplit, 3> splits;  ///< train, dev, test (order of kSplitNames)
  nlohmann::json prepare;             ///< prepare.json (empty object when absent)
};

/// Reads labels.json (a JSON array of names, or {"labels": [...]}); throws naming the file.
std::vector<std::string> read_label_names(const std::filesystem::path& file);

/// Reads labels.json, prepare.json and the three bert_data splits; checks every label index
/// lies in [0, labels) and every token id in [0, vocab_size). Errors name the file at fault.
TeacherData read_teacher_data(const Workspace& ws, int64_t vocab_size);

/// Throws when prepare.json says bert_data was made with another vocabulary than `vocab_file`
/// (vocab hash differs) or does not say which vocabulary it used.
void check_bert_data_vocab(const Workspace& ws, const nlohmann::json& prepare,
                           const std::filesystem::path& vocab_file);

/// For a warning before fine-tuning starts: "" when `vocab_file` is the vocabulary the
/// workspace's bert_data was made with, or when nothing was prepared with a BERT vocabulary yet;
/// else the one-line problem check_bert_data_vocab would throw. Never throws.
std::string bert_vocab_problem(const Workspace& ws, const std::filesystem::path& vocab_file);

/// Sample lengths after truncation to `max_seq_len` tokens.
std::vector<int64_t> truncated_lengths(const RaggedSplit& split, int64_t max_seq_len);

struct BertBatch {
  at::Tensor input_ids;       ///< [b, t] int64, right-padded with 0 ([PAD])
  at::Tensor attention_mask;  ///< [b, t] int64
  at::Tensor labels;          ///< [b] int64
  int64_t tokens = 0;         ///< real (unpadded) tokens in the batch
};

/// Pads the samples `indices` of `split` to the longest of them. A sample longer than
/// `max_seq_len` keeps its first max_seq_len-1 tokens and its last one ([SEP]).
BertBatch make_bert_batch(const RaggedSplit& split, const std::vector<int64_t>& indices,
                          int64_t max_seq_len, const at::Device& device);

/// Teacher logits [N, C] (float32, CPU) for every sample of `split`, in sample order; batches
/// are sorted by length so padding stays small. The model is put in eval mode.
at::Tensor predict_split(BertForSequenceClassification& model, const RaggedSplit& split,
                         int64_t max_seq_len, int64_t batch_size, const at::Device& device,
                         JobContext& job, const std::string& stage);

/// Argmax of each row.
std::vector<int64_t> argmax_rows(const at::Tensor& logits);

/// "cpu" or "cuda"; throws when cuda is asked for and LibTorch has no usable GPU.
at::Device parse_device(const std::string& name);

}  // namespace kdw
