// The inputs of distillation, read and cross-checked (docs/distillation.md, "Input checks"):
// <data>/tokens/{split}_{ids,offsets,labels,rows}.npy, tokens/vocab.txt, labels.json and
// <data>/logits/{split}.npy + logits.json.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "formats/ragged.h"

namespace kdw {

struct DistillData {
  std::filesystem::path data_dir;
  std::vector<std::string> labels;
  int64_t vocab_rows = 0;             ///< lines of tokens/vocab.txt = embedding rows
  std::array<RaggedSplit, 3> splits;  ///< train, dev, test
  std::array<at::Tensor, 3> logits;   ///< float32 [N, C]; undefined when not loaded
  /// The augmented copies of the train split (logits/train_aug*.npy, `kdw logits --augment`),
  /// empty when absent: student word ids, the index in train of each copy's source sample, and
  /// the teacher's logits of each copy.
  RaggedSplit augmented;
  std::vector<int64_t> augmented_source;
  at::Tensor augmented_logits;
};

/// Appends the augmented copies to the train split and its logits (after the originals, so
/// original sample i stays row i); the copies are then cleared. Returns how many were added.
int64_t append_augmented(DistillData& data);

/// Lines of a vocabulary file (line i = index i).
int64_t count_vocab_rows(const std::filesystem::path& vocab_file);
/// labels.json: a JSON array of names or {"labels": [...]}.
std::vector<std::string> read_label_list(const std::filesystem::path& file);

/// Reads and checks everything; `with_logits` false skips the logits (evaluation).
/// `max_vocab_rows` > 0 checks ids against it instead of vocab.txt (a model's embedding).
DistillData read_distill_data(const std::filesystem::path& data_path, bool with_logits,
                              int64_t max_vocab_rows = 0);

/// A batch: ids [B, T] int64 right-padded with 0, lengths [B], labels [B], the sample indices.
struct Batch {
  at::Tensor ids, lengths, labels;
  std::vector<int64_t> index;
};
Batch make_batch(const RaggedSplit& split, const std::vector<int64_t>& index);

}  // namespace kdw
