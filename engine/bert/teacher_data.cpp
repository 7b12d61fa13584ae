#include "bert/teacher_data.h"

#include <algorithm>
#include <filesystem>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "core/atomic_output.h"
#include "core/batching.h"
#include "core/device.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_read.h"

namespace kdw {
namespace fs = std::filesystem;

namespace {

nlohmann::json parse_json_file(const fs::path& file) {
  return read_json_file(file);
}

}  // namespace

std::vector<std::string> read_label_names(const fs::path& file) {
  if (!fs::exists(file)) throw file_error(file, "missing; run `kdw prepare` first");
  nlohmann::json json = parse_json_file(file);
  if (json.is_object() && json.contains("labels")) json = json["labels"];
  if (!json.is_array() || json.empty())
    throw file_error(file, "expected a non-empty JSON array of label names");
  std::vector<std::string> labels;
  for (const auto& item : json) {
    if (!item.is_string()) throw file_error(file, "every label name must be a string");
    labels.push_back(item.get<std::string>());
  }
  return labels;
}

TeacherData read_teacher_data(const Workspace& ws, int64_t vocab_size) {
  TeacherData data;
  data.labels = read_label_names(ws.labels_file());
  data.prepare =
      fs::exists(ws.prepare_file()) ? parse_json_file(ws.prepare_file()) : nlohmann::json::object();
  const fs::path dir = ws.bert_data_dir();
  if (!fs::is_directory(dir))
    throw file_error(dir, "missing; prepare the data with a bert_vocab first");
  const auto num_labels = static_cast<int64_t>(data.labels.size());
  for (int s = 0; s < 3; ++s) {
    RaggedSplit& split = data.splits[s];
    split = read_ragged_split(dir, kSplitNames[s]);
    for (int64_t label : split.labels)
      if (label < 0 || label >= num_labels)
        throw file_error(dir / (std::string(kSplitNames[s]) + "_labels.npy"),
                         "label index " + std::to_string(label) + " outside the " +
                             std::to_string(num_labels) + " labels of labels.json");
    for (int32_t id : split.ids)
      if (id < 0 || id >= vocab_size)
        throw file_error(dir / (std::string(kSplitNames[s]) + "_ids.npy"),
                         "token id " + std::to_string(id) + " outside the model's vocabulary of " +
                             std::to_string(vocab_size) + " (made with another vocabulary?)");
  }
  if (data.splits[0].size() == 0)
    throw file_error(dir / "train_labels.npy", "the train split is empty");
  return data;
}

void check_bert_data_vocab(const Workspace& ws, const nlohmann::json& prepare,
                           const fs::path& vocab_file) {
  const fs::path file = ws.prepare_file();
  const nlohmann::json* bert = nullptr;
  if (prepare.is_object() && prepare.contains("bert") && prepare["bert"].is_object())
    bert = &prepare["bert"];
  if (!bert || !bert->contains("vocab_hash") || !(*bert)["vocab_hash"].is_string())
    throw file_error(file,
                     "does not record the BERT vocabulary (bert.vocab_hash); prepare the data "
                     "with a bert_vocab");
  const std::string expected = (*bert)["vocab_hash"].get<std::string>();
  const std::string actual = file_hash(vocab_file);
  if (expected != actual) {
    std::string used = bert->contains("vocab") && (*bert)["vocab"].is_string()
                           ? (*bert)["vocab"].get<std::string>()
                           : std::string("another vocabulary");
    throw file_error(file, "bert_data was made with " + used + " (hash " + expected +
                               "), not with the model's " + vocab_file.string() + " (hash " +
                               actual +
                               "); prepare the data again with this folder's "
                               "vocab.txt as bert_vocab (" +
                               vocab_file.string() + ")");
  }
}

std::string bert_vocab_problem(const Workspace& ws, const fs::path& vocab_file) {
  try {
    if (!fs::exists(ws.prepare_file())) return {};
    const nlohmann::json prepare = parse_json_file(ws.prepare_file());
    if (!prepare.is_object() || !prepare.contains("bert") || !prepare["bert"].is_object())
      return {};  // no bert_data yet: the Data step will use whatever vocabulary it is given
    check_bert_data_vocab(ws, prepare, vocab_file);
  } catch (const std::exception& e) {  // a damaged prepare.json or unreadable vocab.txt too
    return e.what();
  }
  return {};
}

std::vector<int64_t> truncated_lengths(const RaggedSplit& split, int64_t max_seq_len) {
  std::vector<int64_t> lengths = split.lengths();
  for (int64_t& n : lengths) n = std::min(n, max_seq_len);
  return lengths;
}

BertBatch make_bert_batch(const RaggedSplit& split, const std::vector<int64_t>& indices,
                          int64_t max_seq_len, const at::Device& device) {
  const auto b = static_cast<int64_t>(indices.size());
  int64_t t = 1;
  for (int64_t i : indices) t = std::max(t, std::min(split.length(i), max_seq_len));
  at::Tensor ids = at::zeros({b, t}, at::kLong);
  at::Tensor mask = at::zeros({b, t}, at::kLong);
  at::Tensor labels = at::empty({b}, at::kLong);
  int64_t* ip = ids.data_ptr<int64_t>();
  int64_t* mp = mask.data_ptr<int64_t>();
  int64_t* lp = labels.data_ptr<int64_t>();
  int64_t tokens = 0;
  for (int64_t r = 0; r < b; ++r) {
    const int64_t i = indices[r];
    const int64_t begin = split.offsets[i], n = split.length(i);
    const int64_t kept = std::min(n, max_seq_len);
    for (int64_t k = 0; k < kept; ++k) {
      // A truncated sample keeps its final token ([SEP]) as BERT expects.
      const int64_t src = (n > kept && k == kept - 1) ? begin + n - 1 : begin + k;
      ip[r * t + k] = split.ids[src];
      mp[r * t + k] = 1;
    }
    lp[r] = split.labels[i];
    tokens += kept;
  }
  return {to_device(ids, device), to_device(mask, device), to_device(labels, device), tokens};
}

at::Tensor predict_split(BertForSequenceClassification& model, const RaggedSplit& split,
                         int64_t max_seq_len, int64_t batch_size, const at::Device& device,
                         JobContext& job, const std::string& stage) {
  model->eval();
  const int64_t n = split.size();
  const int64_t classes = model->num_labels();
  at::Tensor out = at::zeros({n, classes}, at::kFloat);
  if (n == 0) return out;
  const auto batches =
      bucketed_batches(truncated_lengths(split, max_seq_len), batch_size, false, 0);
  c10::NoGradGuard no_grad;
  // On a GPU the batches' logits stay there and come back in one copy at the end, so that no
  // batch waits for the one before it.
  std::vector<at::Tensor> parts;
  std::vector<int64_t> order;
  order.reserve(static_cast<std::size_t>(n));
  int64_t done = 0;
  for (const auto& batch : batches) {
    job.throw_if_cancelled();
    BertBatch input = make_bert_batch(split, batch, max_seq_len, device);
    parts.push_back(
        model->forward(input.input_ids, input.attention_mask, {}).logits.to(at::kFloat));
    order.insert(order.end(), batch.begin(), batch.end());
    done += static_cast<int64_t>(batch.size());
    job.progress(stage, done, n);
  }
  // Back to sample order: row r of the concatenation is sample order[r].
  out.index_copy_(0, at::tensor(order, at::kLong), at::cat(parts).to(at::kCPU).contiguous());
  return out;
}

std::vector<int64_t> argmax_rows(const at::Tensor& logits) {
  if (logits.size(0) == 0) return {};
  at::Tensor best = logits.argmax(1).to(at::kLong).contiguous();
  const int64_t* p = best.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + best.numel());
}

at::Device parse_device(const std::string& name) {
  return parse_device_name(name);
}

}  // namespace kdw
