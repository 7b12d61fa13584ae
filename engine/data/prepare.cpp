#include "data/prepare.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "core/atomic_output.h"
#include "core/commit.h"
#include "core/error.h"
#include "core/log.h"
#include "core/workspace.h"
#include "core/workspace_lock.h"
#include "data/file_kind.h"
#include "data/nul_rows.h"
#include "data/prepare_options.h"
#include "data/split.h"
#include "data/vocab.h"
#include "data/words.h"
#include "formats/ragged.h"
#include "tokenize/sentencepiece.h"
#include "tokenize/wordpiece.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace kdw {

namespace {

constexpr int64_t kCheckEvery = 4096;  // rows between cancel checks / progress events
constexpr std::size_t kMaxSkippedInSummary = 1000;

void validate(const PrepareOptions& o) {
  if (o.input.empty()) throw UsageError("no input file given (--input)");
  if (o.workspace.empty()) throw UsageError("no workspace folder given (--workspace)");
  const SplitRatios& r = o.split;
  if (r.train < 0 || r.dev < 0 || r.test < 0 || r.train + r.dev + r.test != 100) {
    throw UsageError("split ratios " + std::to_string(r.train) + ":" + std::to_string(r.dev) + ":" +
                     std::to_string(r.test) + " must be non-negative and sum to 100");
  }
  if (r.train == 0) throw UsageError("the train split needs a non-zero share");
  // Ranges and choices of the other options, with messages naming the field.
  prepare_option_table().check(o);
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// Samples after cleaning: parallel arrays, one entry per kept row.
struct Samples {
  std::vector<std::string> texts;
  std::vector<int32_t> labels;  // index into label_names
  std::vector<int64_t> rows;    // data row in the input file
  std::vector<std::string> label_names;
};

struct Counts {
  int64_t rows_read = 0, rows_skipped = 0, dropped_no_label = 0, dropped_empty = 0,
          dropped_duplicate = 0, duplicate_label_conflicts = 0, dropped_rare_class = 0;
};

// Cleans every row, moving cells out of the table and freeing it as it goes.
Samples clean_rows(Table& table, int text_col, int label_col, const CleaningOptions& cleaning,
                   Counts& counts, JobContext& job) {
  Samples s;
  const int64_t n = static_cast<int64_t>(table.rows.size());
  s.texts.reserve(n);  // no reallocation: `seen` holds views into these strings
  s.labels.reserve(n);
  s.rows.reserve(n);
  std::unordered_map<std::string, int32_t> label_ids;
  std::unordered_map<std::string_view, int32_t> seen;  // text -> its label
  if (cleaning.drop_duplicates) seen.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    if (i % kCheckEvery == 0) {
      job.throw_if_cancelled();
      job.progress("clean", i, n);
    }
    std::vector<std::string> row = std::move(table.rows[i]);
    std::string label = trim(row[label_col]);
    std::string text = clean_text(row[text_col], cleaning);
    row = {};
    if (label.empty()) {
      ++counts.dropped_no_label;
      continue;
    }
    if (text.empty() && cleaning.drop_empty) {
      ++counts.dropped_empty;
      continue;
    }
    auto found = label_ids.find(label);
    if (found == label_ids.end()) {
      found = label_ids.emplace(label, static_cast<int32_t>(s.label_names.size())).first;
      s.label_names.push_back(label);
    }
    if (cleaning.drop_duplicates) {
      const auto dup = seen.find(text);
      if (dup != seen.end()) {
        ++counts.dropped_duplicate;
        counts.duplicate_label_conflicts += dup->second != found->second;
        continue;
      }
    }
    s.texts.push_back(std::move(text));
    s.labels.push_back(found->second);
    s.rows.push_back(table.data_rows[i]);
    if (cleaning.drop_duplicates) seen.emplace(s.texts.back(), found->second);
  }
  job.progress("clean", n, n);
  std::vector<std::vector<std::string>>().swap(table.rows);
  return s;
}

// Drops classes below min_class_samples, sorts the label names and renumbers the samples.
json finish_labels(Samples& s, int64_t min_class_samples, Counts& counts) {
  std::vector<int64_t> per_label(s.label_names.size(), 0);
  for (const int32_t l : s.labels) ++per_label[l];
  json rare = json::array();
  std::vector<std::pair<std::string, int32_t>> kept;  // name, old id
  for (std::size_t l = 0; l < s.label_names.size(); ++l) {
    if (per_label[l] < min_class_samples) {
      log::warn("class '{}' has only {} sample(s) (fewer than {}): dropped", s.label_names[l],
                per_label[l], min_class_samples);
      rare.push_back({{"label", s.label_names[l]}, {"samples", per_label[l]}});
      counts.dropped_rare_class += per_label[l];
    } else {
      kept.emplace_back(s.label_names[l], static_cast<int32_t>(l));
    }
  }
  std::sort(kept.begin(), kept.end());
  std::vector<int32_t> new_id(s.label_names.size(), -1);
  std::vector<std::string> names;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    new_id[kept[k].second] = static_cast<int32_t>(k);
    names.push_back(kept[k].first);
  }
  std::size_t out = 0;
  for (std::size_t i = 0; i < s.labels.size(); ++i) {
    const int32_t id = new_id[s.labels[i]];
    if (id < 0) continue;
    if (out != i) {
      s.texts[out] = std::move(s.texts[i]);
      s.rows[out] = s.rows[i];
    }
    s.labels[out] = id;
    ++out;
  }
  s.texts.resize(out);
  s.labels.resize(out);
  s.rows.resize(out);
  s.label_names = std::move(names);
  return rare;
}

using Encoder = std::function<void(const std::string&, std::vector<int32_t>&)>;

// Encodes the samples of one split into `dir`; returns its summary (sizes, per class, tokens).
json write_split(const Samples& s, const std::vector<int64_t>& members, const Encoder& encode,
                 int32_t unk_id, const fs::path& dir, const std::string& split,
                 const std::string& stage, JobContext& job) {
  RaggedSplit out;
  out.labels.reserve(members.size());
  out.rows.reserve(members.size());
  out.offsets.reserve(members.size() + 1);
  std::vector<int32_t> ids;
  int64_t unknown = 0;
  for (std::size_t k = 0; k < members.size(); ++k) {
    if (k % kCheckEvery == 0) {
      job.throw_if_cancelled();
      job.progress(stage, static_cast<int64_t>(k), static_cast<int64_t>(members.size()), split);
    }
    const int64_t i = members[k];
    ids.clear();
    encode(s.texts[i], ids);
    if (ids.empty()) ids.push_back(unk_id);  // keeps every sample at least one step long
    for (const int32_t id : ids) unknown += id == unk_id;
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    out.offsets.push_back(static_cast<int64_t>(out.ids.size()));
    out.labels.push_back(s.labels[i]);
    out.rows.push_back(s.rows[i]);
  }
  write_ragged_split(dir, split, out);
  return {{"samples", out.size()},
          {"tokens", static_cast<int64_t>(out.ids.size())},
          {"unknown_tokens", unknown}};
}

json cleaning_json(const CleaningOptions& c) {
  return {{"nfc", c.nfc},
          {"remove_control", c.remove_control},
          {"collapse_whitespace", c.collapse_whitespace},
          {"lower", c.lower},
          {"mask_urls", c.mask_urls},
          {"mask_emails", c.mask_emails},
          {"mask_numbers", c.mask_numbers},
          {"drop_empty", c.drop_empty},
          {"drop_duplicates", c.drop_duplicates},
          {"min_class_samples", c.min_class_samples}};
}

std::string absolute_text(const fs::path& p) {
  std::error_code ec;
  const fs::path a = fs::absolute(p, ec);
  return (ec ? p : a.lexically_normal()).string();
}

}  // namespace

PrepareResult run_prepare(const PrepareOptions& o, JobContext& job) {
  validate(o);
  const Workspace ws{o.workspace};
  {
    std::error_code ec;
    if (fs::exists(o.workspace, ec) && !fs::is_directory(o.workspace, ec)) {
      throw file_error(o.workspace, "is a file, not a workspace folder");
    }
  }
  const WorkspaceLock lock(o.workspace, "prepare", WorkspaceLock::Mode::kExclusive, true);
  // Fail on a bad vocabulary or an unwritable workspace before the long part.
  std::optional<WordPieceTokenizer> bert;
  if (!o.bert_vocab.empty()) bert.emplace(o.bert_vocab, o.bert_lower_case);
  // Every output of this stage is replaced in one commit (core/commit.h): a kill leaves either
  // the previous data or the new, never a mix.
  Commit outputs(ws.data_dir());
  const fs::path tokens_dir = outputs.stage_dir(ws.tokens_dir().filename().string());
  const fs::path bert_dir =
      bert ? outputs.stage_dir(ws.bert_data_dir().filename().string()) : fs::path();

  Counts counts;
  Table table = read_table(o.input, o.format, o.encoding, job);
  check_label_column(table, o.input);
  const int text_col = column_index(table, o.text_column, o.input);
  const int label_col = column_index(table, o.label_column, o.input);
  counts.rows_read = static_cast<int64_t>(table.rows.size());
  counts.rows_skipped = static_cast<int64_t>(table.skipped.size());
  if (table.rows.empty()) throw file_error(o.input, "no data rows");

  Samples s = clean_rows(table, text_col, label_col, o.cleaning, counts, job);
  const json rare = finish_labels(s, o.cleaning.min_class_samples, counts);
  if (s.label_names.size() < 2) {
    std::string what = s.label_names.empty()
                           ? std::string("no samples left after cleaning")
                           : "only one class ('" + s.label_names[0] + "') left after cleaning";
    if (counts.dropped_rare_class > 0) {
      what += " (classes with fewer than " + std::to_string(o.cleaning.min_class_samples) +
              " samples were dropped)";
    }
    throw file_error(o.input, what + "; a classifier needs at least two classes");
  }
  job.throw_if_cancelled();

  // Split; each split keeps the input order.
  const auto num_labels = static_cast<int32_t>(s.label_names.size());
  const std::vector<int8_t> split_of = stratified_split(s.labels, num_labels, o.split, o.seed);
  std::vector<int64_t> members[3];
  for (std::size_t i = 0; i < split_of.size(); ++i) members[split_of[i]].push_back(int64_t(i));
  std::vector<std::vector<int64_t>> per_class(3, std::vector<int64_t>(num_labels, 0));
  for (std::size_t i = 0; i < split_of.size(); ++i) ++per_class[split_of[i]][s.labels[i]];

  // Student vocabulary, from train only.
  job.progress("vocabulary", 0, 0);
  json student = {{"tokenizer", o.student_tokenizer}};
  Encoder encode;
  WordVocab words;
  std::unique_ptr<SentencePieceModel> sp;
  std::vector<std::string> vocab_entries;
  if (o.student_tokenizer == "word") {
    std::unordered_map<std::string_view, int64_t> word_counts;
    std::vector<std::string_view> tokens;
    for (std::size_t k = 0; k < members[0].size(); ++k) {
      if (k % kCheckEvery == 0) job.throw_if_cancelled();
      tokens.clear();
      split_words(s.texts[members[0][k]], tokens);
      for (const auto t : tokens) ++word_counts[t];
    }
    words = WordVocab::build(word_counts, o.min_freq, o.max_vocab);
    student["train_distinct_words"] = static_cast<int64_t>(word_counts.size());
    student["min_freq"] = o.min_freq;
    student["max_vocab"] = o.max_vocab;
    encode = [&words](const std::string& text, std::vector<int32_t>& ids) {
      thread_local std::vector<std::string_view> tokens;
      tokens.clear();
      split_words(text, tokens);
      for (const auto t : tokens) ids.push_back(words.id(t));
    };
    write_vocab(tokens_dir / "vocab.txt", words.entries());
    student["vocab_size"] = words.size();
  } else {
    std::vector<std::string> train_texts;
    train_texts.reserve(members[0].size());
    for (const int64_t i : members[0]) train_texts.push_back(s.texts[i]);
    const fs::path prefix = tokens_dir / "sentencepiece";
    SentencePieceModel::train(train_texts, prefix, {o.sp_model_type, o.sp_vocab_size});
    std::vector<std::string>().swap(train_texts);
    job.throw_if_cancelled();
    sp = std::make_unique<SentencePieceModel>(fs::path(prefix.string() + ".model"));
    for (int32_t i = 0; i < sp->vocab_size(); ++i) vocab_entries.push_back(sp->id_to_piece(i));
    write_vocab(tokens_dir / "vocab.txt", vocab_entries);
    encode = [&sp](const std::string& text, std::vector<int32_t>& ids) {
      const auto out = sp->encode(text);
      ids.insert(ids.end(), out.begin(), out.end());
    };
    student["sp_model_type"] = o.sp_model_type;
    student["sp_vocab_size"] = o.sp_vocab_size;
    student["model_file"] = "tokens/sentencepiece.model";
    student["vocab_size"] = static_cast<int64_t>(vocab_entries.size());
  }

  json splits = json::object();
  for (int k = 0; k < 3; ++k) {
    json info =
        write_split(s, members[k], encode, kUnkId, tokens_dir, kSplitNames[k], "tokens", job);
    json classes = json::object();
    for (int32_t l = 0; l < num_labels; ++l) classes[s.label_names[l]] = per_class[k][l];
    info["per_class"] = std::move(classes);
    splits[kSplitNames[k]] = std::move(info);
  }

  json bert_info = nullptr;
  if (bert) {
    int64_t truncated = 0;
    const int max_len = o.max_seq_len;
    const WordPieceTokenizer& wp = *bert;
    Encoder bert_encode = [&](const std::string& text, std::vector<int32_t>& ids) {
      ids.push_back(wp.cls_id());
      wp.encode_pieces(text, ids);
      if (ids.size() + 1 > static_cast<std::size_t>(max_len)) {
        ++truncated;
        ids.resize(max_len - 1);
      }
      ids.push_back(wp.sep_id());
    };
    json per_split = json::object();
    for (int k = 0; k < 3; ++k) {
      per_split[kSplitNames[k]] = write_split(s, members[k], bert_encode, wp.unk_id(), bert_dir,
                                              kSplitNames[k], "bert_data", job);
    }
    bert_info = {{"vocab", absolute_text(o.bert_vocab)}, {"vocab_hash", wp.vocab_hash()},
                 {"vocab_size", wp.vocab_size()},        {"lower_case", o.bert_lower_case},
                 {"max_seq_len", o.max_seq_len},         {"truncated_samples", truncated},
                 {"splits", std::move(per_split)}};
  }

  json skipped = json::array();
  for (std::size_t i = 0; i < table.skipped.size() && i < kMaxSkippedInSummary; ++i) {
    skipped.push_back({{"line", table.skipped[i].line}, {"reason", table.skipped[i].reason}});
  }
  json nul_rows = json::array();  // first lines of rows dropped for stray NUL bytes
  int64_t dropped_nul_rows = 0;
  for (const SkippedRow& row : table.skipped) {
    if (row.reason != kNulRowReason) continue;
    if (++dropped_nul_rows <= int64_t(kMaxSkippedInSummary)) nul_rows.push_back(row.line);
  }
  json summary = {
      {"format_version", 1},
      {"input", absolute_text(o.input)},
      {"format", table_format_name(table.format)},
      {"encoding", text_encoding_name(table.encoding)},
      {"had_bom", table.had_bom},
      {"text_column", o.text_column},
      {"label_column", o.label_column},
      {"cleaning", cleaning_json(o.cleaning)},
      {"split", {{"train", o.split.train}, {"dev", o.split.dev}, {"test", o.split.test}}},
      {"seed", o.seed},
      {"counts",
       {{"rows_read", counts.rows_read},
        {"rows_skipped", counts.rows_skipped},
        {"dropped_no_label", counts.dropped_no_label},
        {"dropped_empty", counts.dropped_empty},
        {"dropped_duplicate", counts.dropped_duplicate},
        {"duplicate_label_conflicts", counts.duplicate_label_conflicts},
        {"dropped_rare_class", counts.dropped_rare_class},
        {"dropped_nul_rows", dropped_nul_rows},
        {"samples", static_cast<int64_t>(s.texts.size())}}},
      {"skipped_rows", std::move(skipped)},
      {"nul_rows", std::move(nul_rows)},
      {"rare_classes", rare},
      {"labels", s.label_names},
      {"splits", std::move(splits)},
      {"student", std::move(student)},
      {"vocab_size",
       o.student_tokenizer == "word" ? words.size() : static_cast<int64_t>(vocab_entries.size())},
      {"bert", std::move(bert_info)}};

  // Everything is staged; one commit swaps it in.
  job.throw_if_cancelled();
  job.progress("write", 0, 0);
  write_file_atomic(outputs.stage_file(ws.labels_file().filename().string()),
                    json(s.label_names).dump(2) + "\n");
  write_file_atomic(outputs.stage_file(ws.prepare_file().filename().string()),
                    summary.dump(2) + "\n");
  // A previous bert_data was split differently: leaving it would pair texts with wrong labels.
  if (!bert) outputs.remove(ws.bert_data_dir().filename().string());
  outputs.commit();
  log::info("prepared {} samples ({} classes) into {}", s.texts.size(), num_labels,
            ws.data_dir().string());
  return {std::move(summary)};
}

TableStats table_stats(const Table& table, int text_col, int label_col, int bins) {
  TableStats stats;
  std::map<std::string, int64_t> classes;
  std::vector<int64_t> lengths;
  lengths.reserve(table.rows.size());
  for (const auto& row : table.rows) {
    if (label_col >= 0 && label_col < static_cast<int>(row.size())) ++classes[trim(row[label_col])];
    int64_t words = 0;
    if (text_col >= 0 && text_col < static_cast<int>(row.size())) {
      bool in_word = false;
      for (const char c : row[text_col]) {
        const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        words += !space && !in_word;
        in_word = !space;
      }
    }
    lengths.push_back(words);
  }
  stats.class_counts.assign(classes.begin(), classes.end());
  bins = std::max(bins, 1);
  if (lengths.empty()) {
    stats.length_histogram.assign(bins, 0);
    return stats;
  }
  // Bin width from the 99th percentile, so one very long text does not squash the chart.
  std::vector<int64_t> sorted = lengths;
  const std::size_t p99 = std::min(sorted.size() - 1, sorted.size() * 99 / 100);
  std::nth_element(sorted.begin(), sorted.begin() + p99, sorted.end());
  const int64_t top = sorted[p99] + 1;
  stats.length_bin_width = std::max<int64_t>(1, (top + bins - 1) / bins);
  stats.length_histogram.assign(bins, 0);
  for (const int64_t len : lengths) {
    ++stats.length_histogram[std::min<int64_t>(len / stats.length_bin_width, bins - 1)];
  }
  return stats;
}

}  // namespace kdw
