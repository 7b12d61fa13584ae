#include "data/prepare_options.h"

#include <limits>

namespace kdw {

OptionValue to_option_value(const TableFormat& format) {
  return std::string(table_format_name(format));
}
void from_option_value(const OptionValue& value, TableFormat& format) {
  format = parse_table_format(std::get<std::string>(value));
}
OptionValue to_option_value(const TextEncoding& encoding) {
  return std::string(text_encoding_name(encoding));
}
void from_option_value(const OptionValue& value, TextEncoding& encoding) {
  encoding = parse_text_encoding(std::get<std::string>(value));
}
OptionValue to_option_value(const SplitRatios& split) {
  return std::to_string(split.train) + ":" + std::to_string(split.dev) + ":" +
         std::to_string(split.test);
}
void from_option_value(const OptionValue& value, SplitRatios& split) {
  split = parse_split(std::get<std::string>(value));
}

namespace {
// The cleaning fields; their defaults are CleaningOptions' own (clean_text uses them alone).
bool& nfc_of(PrepareOptions& o) {
  return o.cleaning.nfc;
}
bool& remove_control_of(PrepareOptions& o) {
  return o.cleaning.remove_control;
}
bool& collapse_whitespace_of(PrepareOptions& o) {
  return o.cleaning.collapse_whitespace;
}
bool& lower_of(PrepareOptions& o) {
  return o.cleaning.lower;
}
bool& mask_urls_of(PrepareOptions& o) {
  return o.cleaning.mask_urls;
}
bool& mask_emails_of(PrepareOptions& o) {
  return o.cleaning.mask_emails;
}
bool& mask_numbers_of(PrepareOptions& o) {
  return o.cleaning.mask_numbers;
}
bool& drop_empty_of(PrepareOptions& o) {
  return o.cleaning.drop_empty;
}
bool& drop_duplicates_of(PrepareOptions& o) {
  return o.cleaning.drop_duplicates;
}
int64_t& min_class_samples_of(PrepareOptions& o) {
  return o.cleaning.min_class_samples;
}
}  // namespace

const OptionTable<PrepareOptions>& prepare_option_table() {
  using O = PrepareOptions;
  constexpr unsigned cli = kOnCli, form = kOnForm, all = kOnCli | kOnForm;
  constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMaxInt = std::numeric_limits<int>::max();
  const CleaningOptions clean;
  // One record per option, in --help order. drop_empty / drop_duplicates are on by default; the
  // CLI turns them off with --keep_empty / --keep_duplicates (verb_prepare.cpp).
  static const OptionTable<O> table =
      OptionTable<O>()
          .path("input", &O::input, "Input file", "labelled table (.csv, .tsv or .jsonl)",
                cli | kRequired)
          .path("workspace", &O::workspace, "Workspace", "workspace folder (created when missing)",
                cli | kRequired)
          .text("text_column", &O::text_column, "text", "Text column", "column holding the text",
                cli)
          .text("label_column", &O::label_column, "label", "Label column",
                "column holding the label", cli)
          .choice("format", &O::format, "auto", {"auto", "csv", "tsv", "jsonl"}, "Format",
                  "table format (auto: by extension, then by content)")
          .choice("encoding", &O::encoding, "auto", {"auto", "utf-8", "cp1251"}, "Encoding",
                  "text encoding (auto: UTF-8, else Windows-1251 when it looks like it)")
          .text("split", &O::split, "60:20:20", "Split",
                "train:dev:test percentages, summing to 100", cli)
          .integer("seed", &O::seed, 42, 0, kMaxI64, "Seed", "seed of the stratified split")
          .path("bert_vocab", &O::bert_vocab, "BERT vocabulary",
                "BERT vocab.txt: also write bert_data (WordPiece ids)")
          .flag("bert_lower_case", &O::bert_lower_case, false, "Lower-case for BERT",
                "lower-case for an uncased BERT", cli)
          .integer("max_seq_len", &O::max_seq_len, 128, 2, 100000, "Max. sequence length",
                   "WordPiece length incl. [CLS] and [SEP]")
          .integer("min_freq", &O::min_freq, 1, 1, kMaxI64, "Min. word count",
                   "word vocabulary: minimum count in train")
          .integer("max_vocab", &O::max_vocab, 0, 0, kMaxI64, "Max. vocabulary",
                   "word vocabulary: keep the N most frequent (0: all)", cli)
          .choice("student_tokenizer", &O::student_tokenizer, "word", {"word", "sentencepiece"},
                  "Student tokens",
                  "student tokens: words or a sentencepiece model trained on train")
          .integer("sp_vocab_size", &O::sp_vocab_size, 8000, 8, kMaxInt, "Sentencepiece vocabulary",
                   "sentencepiece vocabulary size", cli)
          .choice("sp_model_type", &O::sp_model_type, "unigram", {"unigram", "bpe"},
                  "Sentencepiece model", "sentencepiece model type", cli)
          .flag("nfc", nfc_of, clean.nfc, "Unicode NFC", "Unicode NFC normalisation", form)
          .flag("remove_control", remove_control_of, clean.remove_control,
                "Remove control characters", "remove control and zero-width characters", form)
          .flag("collapse_whitespace", collapse_whitespace_of, clean.collapse_whitespace,
                "Collapse whitespace", "runs of whitespace become one space", form)
          .flag("lower", lower_of, clean.lower, "Lower-case", "lower-case the texts", all)
          .flag("mask_urls", mask_urls_of, clean.mask_urls, "Mask URLs", "replace URLs by <url>",
                all)
          .flag("mask_emails", mask_emails_of, clean.mask_emails, "Mask e-mails",
                "replace e-mail addresses by <email>", all)
          .flag("mask_numbers", mask_numbers_of, clean.mask_numbers, "Mask numbers",
                "replace numbers by <num>", all)
          .flag("drop_empty", drop_empty_of, clean.drop_empty, "Drop empty texts",
                "drop texts that are empty after cleaning", form)
          .flag("drop_duplicates", drop_duplicates_of, clean.drop_duplicates, "Drop duplicates",
                "drop repeated texts (the first stays)", form)
          .integer("min_class_samples", min_class_samples_of, clean.min_class_samples, 0, kMaxI64,
                   "Min. class samples", "drop classes with fewer samples (0: keep all)", cli);
  return table;
}

PrepareOptions::PrepareOptions() {
  prepare_option_table().set_defaults(*this);
}

}  // namespace kdw
