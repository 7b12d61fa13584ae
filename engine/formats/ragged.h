// One split of tokenized samples as stored on disk (docs/formats.md):
//   <dir>/<split>_ids.npy      int32, every sample's token ids concatenated
//   <dir>/<split>_offsets.npy  int64, N+1: sample i is ids[offsets[i] : offsets[i+1]]
//   <dir>/<split>_labels.npy   int64, N: label index (order of labels.json)
//   <dir>/<split>_rows.npy     int64, N: the sample's 0-based data row in the input file
// Used for both files/data/tokens (student word indices) and files/data/bert_data (WordPiece).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kdw {

inline const char* const kSplitNames[] = {"train", "dev", "test"};

struct RaggedSplit {
  std::vector<int32_t> ids;
  std::vector<int64_t> offsets{0};
  std::vector<int64_t> labels;
  std::vector<int64_t> rows;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int64_t length(int64_t i) const { return offsets[i + 1] - offsets[i]; }
  std::vector<int64_t> lengths() const;
  /// Appends one sample.
  void add(const std::vector<int32_t>& sample_ids, int64_t label, int64_t row);
};

/// Samples [begin, end) of `split` as a split of their own (a rank's shard).
RaggedSplit slice_split(const RaggedSplit& split, int64_t begin, int64_t end);

/// Writes the four arrays of `split` into `dir` (each file atomically).
void write_ragged_split(const std::filesystem::path& dir, const std::string& split,
                        const RaggedSplit& data);
/// Reads and checks them: sizes agree, offsets rise from 0 to ids.size(). Errors name the file.
RaggedSplit read_ragged_split(const std::filesystem::path& dir, const std::string& split);

}  // namespace kdw
