// kdw prepare: a labelled table -> files/data/{tokens,bert_data}, labels.json, prepare.json.
#include <iostream>
#include <string>

#include "cli_args.h"
#include "common_options.h"
#include "core/error.h"
#include "core/workspace.h"
#include "data/prepare.h"
#include "formats/ragged.h"
#include "verbs.h"

namespace kdw::cli {

namespace {

void print_summary(const nlohmann::json& s, const Workspace& ws) {
  const auto& c = s["counts"];
  std::cout << "rows read " << c["rows_read"] << ", skipped " << c["rows_skipped"]
            << ", dropped: empty " << c["dropped_empty"] << ", duplicate " << c["dropped_duplicate"]
            << ", no label " << c["dropped_no_label"] << ", rare class " << c["dropped_rare_class"]
            << "\n";
  std::cout << "samples " << c["samples"] << " in " << s["labels"].size() << " classes\n";
  for (const char* split : kSplitNames) {
    const auto& info = s["splits"][split];
    std::cout << "  " << split << ": " << info["samples"] << " (";
    bool first = true;
    for (const auto& [label, n] : info["per_class"].items()) {
      std::cout << (first ? "" : ", ") << label << " " << n;
      first = false;
    }
    std::cout << ")\n";
  }
  std::cout << "student vocabulary (" << s["student"]["tokenizer"].get<std::string>()
            << "): " << s["vocab_size"] << " entries incl. <pad> and <unk>\n";
  std::cout << "tokens:      " << ws.tokens_dir().string() << "\n";
  if (!s["bert"].is_null()) {
    std::cout << "bert_data:   " << ws.bert_data_dir().string() << " (max_seq_len "
              << s["bert"]["max_seq_len"] << ", " << s["bert"]["truncated_samples"]
              << " samples truncated)\n";
  }
  std::cout << "summary:     " << ws.prepare_file().string() << "\n";
}

}  // namespace

int run_prepare(int argc, char** argv) {
  PrepareOptions o;
  CommonOptions common;
  std::string input, workspace, format = "auto", encoding = "auto", split = "60:20:20";
  std::string bert_vocab;
  long long seed = static_cast<long long>(o.seed);
  long long min_freq = o.min_freq, max_vocab = o.max_vocab;
  long long min_class_samples = o.cleaning.min_class_samples;
  bool keep_duplicates = false, keep_empty = false;

  ArgParser parser(
      "prepare",
      "Reads a labelled table, cleans the texts, splits them (stratified by label) and\n"
      "writes the student's token files and, with --bert_vocab, the teacher's WordPiece\n"
      "ids into <workspace>/files/data (see docs/formats.md).");
  parser.add_path("input", &input, "labelled table (.csv, .tsv or .jsonl)", true);
  parser.add_path("workspace", &workspace, "workspace folder (created when missing)", true);
  parser.add_string("text_column", &o.text_column, "column holding the text");
  parser.add_string("label_column", &o.label_column, "column holding the label");
  parser.add_choice("format", &format, {"auto", "csv", "tsv", "jsonl"},
                    "table format (auto: by extension, then by content)");
  parser.add_choice("encoding", &encoding, {"auto", "utf-8", "cp1251"},
                    "text encoding (auto: UTF-8, else Windows-1251 when it looks like it)");
  parser.add_string("split", &split, "train:dev:test percentages, summing to 100");
  parser.add_int64("seed", &seed, "seed of the stratified split");
  parser.add_path("bert_vocab", &bert_vocab,
                  "BERT vocab.txt: also write bert_data (WordPiece ids)");
  parser.add_flag("bert_lower_case", &o.bert_lower_case, "lower-case for an uncased BERT");
  parser.add_int("max_seq_len", &o.max_seq_len, "WordPiece length incl. [CLS] and [SEP]");
  parser.add_int64("min_freq", &min_freq, "word vocabulary: minimum count in train");
  parser.add_int64("max_vocab", &max_vocab, "word vocabulary: keep the N most frequent (0: all)");
  parser.add_choice("student_tokenizer", &o.student_tokenizer, {"word", "sentencepiece"},
                    "student tokens: words or a sentencepiece model trained on train");
  parser.add_int("sp_vocab_size", &o.sp_vocab_size, "sentencepiece vocabulary size");
  parser.add_choice("sp_model_type", &o.sp_model_type, {"unigram", "bpe"},
                    "sentencepiece model type");
  parser.add_flag("lower", &o.cleaning.lower, "lower-case the texts");
  parser.add_flag("mask_urls", &o.cleaning.mask_urls, "replace URLs by <url>");
  parser.add_flag("mask_emails", &o.cleaning.mask_emails, "replace e-mail addresses by <email>");
  parser.add_flag("mask_numbers", &o.cleaning.mask_numbers, "replace numbers by <num>");
  parser.add_flag("keep_duplicates", &keep_duplicates, "keep repeated texts (default: first only)");
  parser.add_flag("keep_empty", &keep_empty, "keep texts that are empty after cleaning");
  parser.add_int64("min_class_samples", &min_class_samples,
                   "drop classes with fewer samples (0: keep all)");
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);

  o.input = input;
  o.workspace = workspace;
  o.format = parse_table_format(format);
  o.encoding = parse_text_encoding(encoding);
  o.split = parse_split(split);
  if (seed < 0) throw UsageError("--seed must not be negative");
  o.seed = static_cast<uint64_t>(seed);
  o.bert_vocab = bert_vocab;
  o.min_freq = min_freq;
  o.max_vocab = max_vocab;
  o.cleaning.min_class_samples = min_class_samples;
  o.cleaning.drop_duplicates = !keep_duplicates;
  o.cleaning.drop_empty = !keep_empty;

  ConsoleJob console;
  const PrepareResult result = kdw::run_prepare(o, console.context());
  print_summary(result.summary, Workspace{o.workspace});
  return 0;
}

}  // namespace kdw::cli
