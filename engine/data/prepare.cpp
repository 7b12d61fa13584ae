#include "data/prepare.h"

#include "data/column_guess.h"

#include <memory>
#include <optional>
#include <unordered_map>

#include "core/atomic_output.h"
#include "core/commit.h"
#include "core/error.h"
#include "core/log.h"
#include "core/printable.h"
#include "core/workspace.h"
#include "core/workspace_lock.h"
#include "data/file_kind.h"
#include "data/nul_rows.h"
#include "data/prepare_options.h"
#include "data/prepare_rows.h"
#include "data/prepare_summary.h"
#include "data/prepare_tokens.h"
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

// The named column's index; when it is absent, the error names the column that looks right.
int named_column(const Table& table, const std::string& name, int guessed, const char* field,
                 const fs::path& path) {
  try {
    return column_index(table, name, path);
  } catch (const Error& e) {
    if (guessed < 0) throw;
    throw Error(std::string(e.what()) + "; `" + printable(table.columns[guessed]) +
                "` looks like it: set " + field + " to it");
  }
}

void validate(const PrepareOptions& o) {
  if (o.input.empty()) throw UsageError("no input file given (input is empty)");
  if (o.workspace.empty()) throw UsageError("no workspace folder given (workspace is empty)");
  const SplitRatios& r = o.split;
  if (r.train < 0 || r.dev < 0 || r.test < 0 || r.train + r.dev + r.test != 100) {
    throw UsageError("split ratios " + std::to_string(r.train) + ":" + std::to_string(r.dev) + ":" +
                     std::to_string(r.test) + " must be non-negative and sum to 100");
  }
  if (r.train == 0) throw UsageError("the train split needs a non-zero share");
  // Ranges and choices of the other options, with messages naming the field.
  prepare_option_table().check(o);
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
  const ColumnGuess guess = guess_columns(table);
  const int text_col = named_column(table, o.text_column, guess.text, "text_column", o.input);
  const int label_col = named_column(table, o.label_column, guess.label, "label_column", o.input);
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

  json summary = prepare_summary(
      o, table, counts, s,
      {rare, std::move(splits), std::move(student),
       o.student_tokenizer == "word" ? words.size() : static_cast<int64_t>(vocab_entries.size()),
       std::move(bert_info)});

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

}  // namespace kdw
