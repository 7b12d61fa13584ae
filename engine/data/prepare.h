// The data stage: a labelled table -> cleaned, split, tokenized workspace files
// (files/data/tokens, files/data/bert_data, labels.json, prepare.json; see docs/formats.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/job.h"
#include "data/clean.h"
#include "data/table.h"

namespace kdw {

struct SplitRatios {
  int train = 60, dev = 20, test = 20;
};
/// "60:20:20" -> ratios; UsageError unless three non-negative integers summing to 100.
SplitRatios parse_split(const std::string& text);

/// The defaults, ranges and help of the fields are in prepare_option_table()
/// (data/prepare_options.cpp).
struct PrepareOptions {
  PrepareOptions();  ///< every field at its table default

  std::filesystem::path input, workspace;
  std::string text_column, label_column;
  TableFormat format;
  TextEncoding encoding;
  CleaningOptions cleaning;
  SplitRatios split;
  uint64_t seed;
  std::filesystem::path bert_vocab;  ///< empty: no bert_data
  bool bert_lower_case;              ///< RuBERT is cased
  int max_seq_len;                   ///< WordPiece length incl. [CLS]/[SEP]
  int64_t min_freq;                  ///< word vocabulary: minimum count in train
  int64_t max_vocab;                 ///< word vocabulary: most frequent N words, 0 = no limit
  std::string student_tokenizer;     ///< "word" or "sentencepiece"
  int sp_vocab_size;
  std::string sp_model_type;  ///< "unigram" or "bpe"
};

struct PrepareResult {
  nlohmann::json summary;  ///< == the content of prepare.json
};

/// Runs the whole stage; outputs replace a previous prepare only once complete.
/// Throws kdw::Error (one line naming the file) on bad input, kdw::Cancelled on cancel.
PrepareResult run_prepare(const PrepareOptions& options, JobContext& job);

struct TableStats {
  std::vector<std::pair<std::string, int64_t>> class_counts;  ///< sorted by label name
  std::vector<int64_t> length_histogram;                      ///< text length in words
  int64_t length_bin_width = 1;  ///< bin i holds lengths [i*w, (i+1)*w); the last bin also longer
};
/// Statistics of the raw table for the GUI's charts.
TableStats table_stats(const Table& table, int text_col, int label_col, int bins = 30);

}  // namespace kdw
