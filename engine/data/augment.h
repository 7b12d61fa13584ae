// The augmented transfer set of Tang et al. 2019 ("Distilling Task-Specific Knowledge from BERT
// into Simple Neural Networks", section 3.3), made from the student's word tokens of the train
// split: K copies of each sample, each word masked (p_mask) or replaced by a word of the same
// ending class (p_replace, Russian has no tagger here, so the class stands in for the part of
// speech), then with p_ngram only a random n-gram (n uniform in 1..max_ngram) kept.
// Deterministic per seed: copy k of sample i depends only on (seed, i, k). See docs/formats.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "formats/ragged.h"

namespace kdw {

struct AugmentOptions {
  int64_t copies = 0;  ///< K augmented copies per training sample
  double p_mask = 0.1;
  double p_replace = 0.1;
  double p_ngram = 0.25;
  int max_ngram = 5;
  uint64_t seed = 1;
};

/// The ending class of a word: its last 3 code points when it has at least 5, its last 2 when it
/// has 3 or 4; "" (never replaced) for shorter words and for words holding an ASCII character
/// that is not a letter (digits, punctuation, <unk>-like entries).
std::string ending_class(std::string_view word);

/// The augmented copies. `words.ids` are student vocabulary ids (a masked word is kUnkId, the
/// student vocabulary has no mask entry); `words.labels` and `words.rows` are those of the
/// source sample; `source[j]` is the index in the train split of the sample copy j came from;
/// `masked` runs parallel to `words.ids` (1: this word was masked). Copies are ordered by
/// source sample, then copy number: copy k of sample i is row i * K + k.
struct AugmentedSplit {
  RaggedSplit words;
  std::vector<int64_t> source;
  std::vector<uint8_t> masked;
};

/// The lines of a vocabulary file (tokens/vocab.txt), line i = id i.
std::vector<std::string> read_vocab_lines(const std::filesystem::path& file);

/// `vocab`: tokens/vocab.txt in id order. Word frequencies for the replacement draw are counted
/// on `train` itself (a replacement is drawn by frequency among the other words of its class).
AugmentedSplit augment_split(const RaggedSplit& train, const std::vector<std::string>& vocab,
                             const AugmentOptions& options);

}  // namespace kdw
