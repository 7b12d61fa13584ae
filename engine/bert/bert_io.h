// Finding, loading and saving BERT checkpoints: DeepPavlov (bert_config.json + legacy-pickle
// pytorch_model.bin, LayerNorm gamma/beta, cls.* heads) and Hugging Face (config.json +
// model.safetensors or zip pytorch_model.bin). No code from checkpoints is ever executed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bert/bert_config.h"
#include "bert/bert_model.h"

namespace kdw {

struct BertFolderInfo {
  std::string layout;  ///< "deeppavlov" | "huggingface" | "config-only"
  std::filesystem::path config_file, vocab_file, weights_file;  ///< weights_file empty: config-only
  BertConfig config;
  int64_t parameter_count =
      0;  ///< of the model as this project builds it (incl. classifier if any)
  int64_t vocab_lines = 0;
  std::vector<std::string> labels;      ///< from the config's id2label (HF), else empty
  std::vector<std::string> unexpected;  ///< tensors ignored, e.g. cls.*
  std::vector<std::string> missing;     ///< model tensors absent from the weights (load_bert fails)
  bool has_classifier = false;
};

/// Reads config, vocabulary and the weights' names, dtypes and shapes, not the tensors' bytes
/// (the safetensors header, a zip checkpoint's data.pkl, a legacy checkpoint's pickles);
/// throws kdw::Error on a folder that is not a BERT folder or whose files disagree (tensor shape
/// vs config, vocab lines vs vocab_size). load_bert makes the same checks.
BertFolderInfo inspect_bert_folder(const std::filesystem::path& folder);

struct LoadedBert {
  BertForSequenceClassification model{nullptr};
  BertConfig config;  ///< config.labels == the labels of the head
  BertFolderInfo info;
  bool new_head = false;  ///< the classifier was freshly initialised
};

/// Loads a DeepPavlov or HF folder. `labels`: the dataset's labels; a folder without classifier
/// gets a new head of that size (initialised as HF does); a folder WITH a head must match (else
/// Error naming both label sets), unless its labels are HF's placeholders LABEL_0..LABEL_{n-1}:
/// then the head is replaced by a new one for `labels` (logged; new_head is true). A
/// "config-only" folder gives a randomly initialised model.
LoadedBert load_bert(const std::filesystem::path& folder, const std::vector<std::string>& labels);

/// Writes HF layout atomically into `folder`: config.json (with id2label/label2id),
/// model.safetensors (HF names, LayerNorm weight/bias, float32), vocab.txt copied, and
/// `extra_files` (name, content), all replaced in one commit.
void save_bert_hf(const BertForSequenceClassification& model, const BertConfig& config,
                  const std::filesystem::path& vocab_file, const std::filesystem::path& folder,
                  const std::vector<std::pair<std::string, std::string>>& extra_files = {});

}  // namespace kdw
