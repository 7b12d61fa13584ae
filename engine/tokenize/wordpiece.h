// BERT WordPiece tokenizer, equivalent to pytorch-pretrained-bert 0.6 BertTokenizer
// (BasicTokenizer + WordpieceTokenizer), checked case by case against tests/fixtures/bert.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kdw {

class WordPieceTokenizer {
 public:
  /// Loads vocab.txt (one piece per line, line i = id i; UTF-8, optional BOM, \n or \r\n).
  /// Throws kdw::Error naming the file (missing, empty, undecodable, no [UNK]/[CLS]/[SEP]).
  WordPieceTokenizer(const std::filesystem::path& vocab_file, bool lower_case);
  ~WordPieceTokenizer();
  WordPieceTokenizer(WordPieceTokenizer&&) noexcept;
  WordPieceTokenizer& operator=(WordPieceTokenizer&&) noexcept;

  std::vector<std::string> tokenize(std::string_view text) const;  // pieces, no [CLS]/[SEP]
  std::vector<int32_t> encode(std::string_view text,
                              int max_seq_len) const;  // [CLS] ids [SEP], total <= max_seq_len
  int32_t id(std::string_view piece) const;            // [UNK]'s id when absent
  int64_t vocab_size() const;
  bool lower_case() const;
  const std::string& vocab_hash() const;  // kdw::file_hash of vocab.txt (core/hash.h)

  /// Ids of the pieces, no [CLS]/[SEP], appended to `out` (no intermediate strings).
  void encode_pieces(std::string_view text, std::vector<int32_t>& out) const;
  /// The piece with this id; throws kdw::Error when out of range.
  const std::string& piece(int32_t id) const;
  int32_t unk_id() const;
  int32_t cls_id() const;
  int32_t sep_id() const;
  int32_t pad_id() const;  // [PAD]'s id, 0 when the vocabulary has none

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdw
