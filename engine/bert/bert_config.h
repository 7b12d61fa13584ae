// BERT hyper-parameters as stored in Google/DeepPavlov bert_config.json and Hugging Face
// config.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kdw {

struct BertConfig {
  int64_t vocab_size = 0, hidden_size = 0, num_hidden_layers = 0, num_attention_heads = 0,
          intermediate_size = 0;
  std::string hidden_act = "gelu";
  double hidden_dropout_prob = 0.1, attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512, type_vocab_size = 2;
  double layer_norm_eps = 1e-12, initializer_range = 0.02;
  std::vector<std::string> labels;  ///< id2label in index order (empty when no head yet)

  /// Parses either layout; throws kdw::Error naming `file` and the bad or missing field.
  static BertConfig from_json(const nlohmann::json& json, const std::filesystem::path& file);
  /// Hugging Face config.json incl. id2label/label2id, architectures and model_type "bert".
  nlohmann::json to_hf_json() const;
  /// Throws kdw::Error naming `file` when sizes are impossible (e.g. hidden % heads != 0) or
  /// describe a model too large to build.
  void validate(const std::filesystem::path& file) const;
  /// Parameters of the classifier model with `num_labels` outputs; fields must be within the
  /// limits from_json enforces (so that nothing overflows).
  int64_t parameter_count(int64_t num_labels) const;
};

/// Reads and parses a config file (bert_config.json or config.json).
BertConfig read_bert_config(const std::filesystem::path& file);

}  // namespace kdw
