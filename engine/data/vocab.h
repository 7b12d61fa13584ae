// The student's word vocabulary (tokens/vocab.txt): line 0 "<pad>", line 1 "<unk>", then words by
// falling count in train, ties by byte order. Index = line number.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kdw {

inline constexpr int32_t kPadId = 0;
inline constexpr int32_t kUnkId = 1;

class WordVocab {
 public:
  WordVocab() = default;
  // index_ holds views into entries_' strings: a move keeps them in place, a copy would not.
  WordVocab(const WordVocab&) = delete;
  WordVocab& operator=(const WordVocab&) = delete;
  WordVocab(WordVocab&&) = default;
  WordVocab& operator=(WordVocab&&) = default;

  /// From word counts: keeps words seen >= min_freq times, the max_vocab most frequent (0: all).
  static WordVocab build(const std::unordered_map<std::string_view, int64_t>& counts,
                         int64_t min_freq, int64_t max_vocab);

  int32_t id(std::string_view word) const {
    const auto found = index_.find(word);
    return found == index_.end() ? kUnkId : found->second;
  }
  /// Entries incl. <pad> and <unk> (= embedding rows).
  const std::vector<std::string>& entries() const { return entries_; }
  int64_t size() const { return static_cast<int64_t>(entries_.size()); }

 private:
  std::vector<std::string> entries_;
  std::unordered_map<std::string_view, int32_t> index_;  // views into entries_
};

/// Writes entries one per line ("\n"), atomically.
void write_vocab(const std::filesystem::path& path, const std::vector<std::string>& entries);

}  // namespace kdw
