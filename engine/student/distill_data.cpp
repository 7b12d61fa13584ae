#include "student/distill_data.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_read.h"
#include "core/workspace.h"
#include "formats/npy.h"

namespace fs = std::filesystem;

namespace kdw {

int64_t count_vocab_rows(const fs::path& vocab_file) {
  if (!fs::exists(vocab_file))
    throw file_error(vocab_file, "no such vocabulary file; run `kdw prepare` first");
  const std::string text = read_file(vocab_file);
  int64_t rows = std::count(text.begin(), text.end(), '\n');
  if (!text.empty() && text.back() != '\n') ++rows;
  if (rows < 2) throw file_error(vocab_file, "vocabulary needs at least <pad> and <unk>");
  return rows;
}

std::vector<std::string> read_label_list(const fs::path& file) {
  if (!fs::exists(file)) throw file_error(file, "no such labels file; run `kdw prepare` first");
  try {
    auto j = read_json_file(file, "not a list of label names");
    if (j.is_object()) j = j.at("labels");
    auto labels = j.get<std::vector<std::string>>();
    if (labels.size() < 2) throw file_error(file, "needs at least two labels");
    return labels;
  } catch (const nlohmann::json::exception& e) {
    throw file_error(file, std::string("not a list of label names: ") + e.what());
  }
}

namespace {

void check_split(const fs::path& tokens, const std::string& split, const RaggedSplit& s,
                 int64_t vocab_rows, const std::string& vocab_source, int64_t num_labels) {
  const fs::path ids_file = tokens / (split + "_ids.npy");
  for (int32_t id : s.ids)
    if (id < 0 || id >= vocab_rows)
      throw file_error(ids_file, "token id " + std::to_string(id) + " outside the " +
                                     std::to_string(vocab_rows) + " embedding rows of " +
                                     vocab_source);
  for (int64_t i = 0; i < s.size(); ++i)
    if (s.length(i) < 1)
      throw file_error(tokens / (split + "_offsets.npy"),
                       "sample " + std::to_string(i) + " is empty");
  for (int64_t label : s.labels)
    if (label < 0 || label >= num_labels)
      throw file_error(tokens / (split + "_labels.npy"),
                       "label index " + std::to_string(label) + " outside the " +
                           std::to_string(num_labels) + " labels of labels.json");
}

void check_logits_summary(const DistillData& d, const fs::path& summary_file) {
  nlohmann::json summary;
  summary = read_json_file(summary_file, "corrupt");
  if (summary.contains("labels") && summary["labels"] != nlohmann::json(d.labels))
    throw file_error(summary_file, "teacher labels differ from " +
                                       (d.data_dir / "labels.json").string() +
                                       "; recompute the logits");
  // The teacher saw bert_data; the logits belong to our samples only when bert_data still holds
  // the very rows it held then, and our tokens hold the same rows in the same order.
  const auto hashes = summary.value("inputs", nlohmann::json::object())
                          .value("bert_data", nlohmann::json::object());
  for (int s = 0; s < 3; ++s) {
    const std::string name = std::string(kSplitNames[s]) + "_rows.npy";
    const fs::path bert_rows = d.data_dir / "bert_data" / name;
    if (!hashes.contains(name) || !fs::exists(bert_rows)) continue;
    if (hashes[name] != file_hash(bert_rows))
      throw file_error(d.logits[s].defined()
                           ? d.data_dir / "logits" / (std::string(kSplitNames[s]) + ".npy")
                           : summary_file,
                       "was computed for another split of the data (" + bert_rows.string() +
                           " changed since); recompute the logits");
    const auto rows = read_npy(bert_rows, NpyType::kInt64, 1).values<int64_t>();
    if (rows != d.splits[s].rows)
      throw file_error(
          d.data_dir / "tokens" / name,
          "rows differ from " + bert_rows.string() + " (another split order); rerun `kdw prepare`");
  }
}

// logits/train_aug*.npy: each copy must map back to a train sample (label and input row equal to
// its source's), hold known word ids and one row of finite logits.
void read_augmented(DistillData& d, const fs::path& logits_dir) {
  const fs::path file = logits_dir / "train_aug.npy";
  if (!fs::exists(file)) return;
  // The copies were made from these word ids: another vocabulary would give them other words.
  const fs::path summary_file = logits_dir / "logits.json";
  if (fs::exists(summary_file)) {
    const auto hashes = read_json_file(summary_file)
                            .value("inputs", nlohmann::json::object())
                            .value("augment", nlohmann::json::object());
    if (hashes.contains("vocab") &&
        hashes["vocab"] != file_hash(d.data_dir / "tokens" / "vocab.txt"))
      throw file_error(file, "was made with another tokens/vocab.txt; recompute the logits");
  }
  const RaggedSplit& train = d.splits[0];
  const auto num_labels = static_cast<int64_t>(d.labels.size());
  RaggedSplit aug = read_ragged_split(logits_dir, "train_aug");
  check_split(logits_dir, "train_aug", aug, d.vocab_rows, "tokens/vocab.txt", num_labels);
  const fs::path source_file = logits_dir / "train_aug_source.npy";
  const auto source = read_npy(source_file, NpyType::kInt64, 1).values<int64_t>();
  if (int64_t(source.size()) != aug.size())
    throw file_error(source_file, "holds " + std::to_string(source.size()) + " rows but " +
                                      "train_aug_labels.npy holds " + std::to_string(aug.size()));
  for (std::size_t j = 0; j < source.size(); ++j) {
    const int64_t i = source[j];
    if (i < 0 || i >= train.size() || aug.labels[j] != train.labels[std::size_t(i)] ||
        aug.rows[j] != train.rows[std::size_t(i)])
      throw file_error(source_file, "copy " + std::to_string(j) +
                                        " does not map back to its train sample (the data "
                                        "changed since); recompute the logits");
  }
  const NpyArray a = read_npy(file, NpyType::kFloat32, 2);
  if (a.shape[0] != aug.size() || a.shape[1] != num_labels)
    throw file_error(file, "holds " + std::to_string(a.shape[0]) + " x " +
                               std::to_string(a.shape[1]) + " logits, expected " +
                               std::to_string(aug.size()) + " x " + std::to_string(num_labels));
  d.augmented_logits =
      at::from_blob(const_cast<char*>(a.bytes.data()), a.shape, at::kFloat).clone();
  if (!at::isfinite(d.augmented_logits).all().item<bool>())
    throw file_error(file, "holds NaN or infinite values");
  d.augmented = std::move(aug);
  d.augmented_source = source;
}

}  // namespace

int64_t append_augmented(DistillData& d) {
  const int64_t n = d.augmented.size();
  if (n == 0) return 0;
  RaggedSplit& train = d.splits[0];
  const auto base = static_cast<int64_t>(train.ids.size());
  train.ids.insert(train.ids.end(), d.augmented.ids.begin(), d.augmented.ids.end());
  for (int64_t i = 1; i <= n; ++i) train.offsets.push_back(base + d.augmented.offsets[i]);
  train.labels.insert(train.labels.end(), d.augmented.labels.begin(), d.augmented.labels.end());
  train.rows.insert(train.rows.end(), d.augmented.rows.begin(), d.augmented.rows.end());
  d.logits[0] = at::cat({d.logits[0], d.augmented_logits});
  d.augmented = RaggedSplit();
  d.augmented_source.clear();
  d.augmented_logits = at::Tensor();
  return n;
}

DistillData read_distill_data(const fs::path& data_path, bool with_logits, int64_t max_vocab_rows) {
  DistillData d;
  d.data_dir = resolve_data_dir(data_path);
  const fs::path tokens = d.data_dir / "tokens";
  d.labels = read_label_list(d.data_dir / "labels.json");
  const auto num_labels = static_cast<int64_t>(d.labels.size());
  std::string vocab_source = "the model";
  if (max_vocab_rows > 0) {
    d.vocab_rows = max_vocab_rows;
  } else {
    d.vocab_rows = count_vocab_rows(tokens / "vocab.txt");
    vocab_source = (tokens / "vocab.txt").string();
  }
  for (int s = 0; s < 3; ++s) {
    d.splits[s] = read_ragged_split(tokens, kSplitNames[s]);
    check_split(tokens, kSplitNames[s], d.splits[s], d.vocab_rows, vocab_source, num_labels);
  }
  if (d.splits[0].size() == 0)
    throw file_error(tokens / "train_labels.npy", "the train split is empty");
  if (!with_logits) return d;

  const fs::path logits_dir = d.data_dir / "logits";
  for (int s = 0; s < 3; ++s) {
    const fs::path file = logits_dir / (std::string(kSplitNames[s]) + ".npy");
    if (!fs::exists(file)) throw file_error(file, "no such logits file; run `kdw logits` first");
    const NpyArray a = read_npy(file, NpyType::kFloat32, 2);
    const fs::path ids_file = tokens / (std::string(kSplitNames[s]) + "_labels.npy");
    if (a.shape[0] != d.splits[s].size())
      throw file_error(file, "holds " + std::to_string(a.shape[0]) + " rows but " +
                                 ids_file.string() + " holds " +
                                 std::to_string(d.splits[s].size()) + " samples");
    if (a.shape[1] != num_labels)
      throw file_error(file, "has " + std::to_string(a.shape[1]) + " columns but " +
                                 (d.data_dir / "labels.json").string() + " lists " +
                                 std::to_string(num_labels) + " labels");
    d.logits[s] = at::from_blob(const_cast<char*>(a.bytes.data()), a.shape, at::kFloat).clone();
    if (!at::isfinite(d.logits[s]).all().item<bool>())
      throw file_error(file, "holds NaN or infinite values");
  }
  const fs::path summary_file = logits_dir / "logits.json";
  if (fs::exists(summary_file)) check_logits_summary(d, summary_file);
  read_augmented(d, logits_dir);
  return d;
}

Batch make_batch(const RaggedSplit& split, const std::vector<int64_t>& index) {
  Batch b;
  b.index = index;
  const auto B = static_cast<int64_t>(index.size());
  int64_t T = 1;
  for (int64_t i : index) T = std::max(T, split.length(i));
  b.ids = at::zeros({B, T}, at::kLong);
  b.lengths = at::empty({B}, at::kLong);
  b.labels = at::empty({B}, at::kLong);
  auto ids = b.ids.accessor<int64_t, 2>();
  auto lengths = b.lengths.accessor<int64_t, 1>();
  auto labels = b.labels.accessor<int64_t, 1>();
  for (int64_t r = 0; r < B; ++r) {
    const int64_t i = index[static_cast<std::size_t>(r)];
    const int64_t begin = split.offsets[static_cast<std::size_t>(i)];
    lengths[r] = split.length(i);
    labels[r] = split.labels[static_cast<std::size_t>(i)];
    for (int64_t t = 0; t < lengths[r]; ++t)
      ids[r][t] = split.ids[static_cast<std::size_t>(begin + t)];
  }
  return b;
}

}  // namespace kdw
