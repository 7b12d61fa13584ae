#include "data/vocab.h"

#include <algorithm>

#include "core/atomic_output.h"

namespace kdw {

WordVocab WordVocab::build(const std::unordered_map<std::string_view, int64_t>& counts,
                           int64_t min_freq, int64_t max_vocab) {
  std::vector<std::pair<std::string_view, int64_t>> kept;
  kept.reserve(counts.size());
  for (const auto& [word, count] : counts) {
    if (count >= min_freq) kept.emplace_back(word, count);
  }
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (max_vocab > 0 && static_cast<int64_t>(kept.size()) > max_vocab) kept.resize(max_vocab);
  WordVocab vocab;
  vocab.entries_.reserve(kept.size() + 2);
  vocab.entries_.emplace_back("<pad>");
  vocab.entries_.emplace_back("<unk>");
  for (const auto& entry : kept) vocab.entries_.emplace_back(entry.first);
  vocab.index_.reserve(vocab.entries_.size());
  // entries_ is complete, so views into it stay valid.
  for (std::size_t i = 2; i < vocab.entries_.size(); ++i) {
    vocab.index_.emplace(vocab.entries_[i], static_cast<int32_t>(i));
  }
  return vocab;
}

void write_vocab(const std::filesystem::path& path, const std::vector<std::string>& entries) {
  std::string text;
  for (const auto& entry : entries) {
    text += entry;
    text += '\n';
  }
  write_file_atomic(path, text);
}

}  // namespace kdw
