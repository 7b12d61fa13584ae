// A config-only BERT folder (hidden 16, one layer, no dropout, the fixture's WordPiece vocabulary)
// that fine-tuning starts from scratch: shared by the BERT, fault-injection and distributed tests.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"

namespace kdw::test {

inline std::filesystem::path write_tiny_bert_folder(const std::filesystem::path& folder,
                                                    const std::filesystem::path& vocab) {
  const nlohmann::json config = {{"vocab_size", 2384},
                                 {"hidden_size", 16},
                                 {"num_hidden_layers", 1},
                                 {"num_attention_heads", 2},
                                 {"intermediate_size", 32},
                                 {"hidden_act", "gelu"},
                                 {"hidden_dropout_prob", 0.0},  // runs are exactly repeatable
                                 {"attention_probs_dropout_prob", 0.0},
                                 {"max_position_embeddings", 32},
                                 {"type_vocab_size", 2},
                                 {"layer_norm_eps", 1e-12},
                                 {"initializer_range", 0.02}};
  kdw::write_file_atomic(folder / "config.json", config.dump(2));
  std::filesystem::copy_file(vocab, folder / "vocab.txt");
  return folder;
}

}  // namespace kdw::test
