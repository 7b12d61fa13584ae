#include "bert/bert_io.h"

#include <map>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/log.h"
#include "core/printable.h"
#include "formats/safetensors.h"
#include "formats/torch_pickle.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Checkpoint names -> this project's (HF) names: DeepPavlov/Google LayerNorm gamma/beta, and
// checkpoints of a bare BertModel whose names lack the "bert." prefix.
std::string canonical_name(std::string name) {
  if (ends_with(name, "LayerNorm.gamma"))
    name = name.substr(0, name.size() - 5) + "weight";
  else if (ends_with(name, "LayerNorm.beta"))
    name = name.substr(0, name.size() - 4) + "bias";
  if (starts_with(name, "embeddings.") || starts_with(name, "encoder.") ||
      starts_with(name, "pooler."))
    name = "bert." + name;
  return name;
}

int64_t count_lines(const fs::path& file) {
  const std::string text = read_file(file);
  int64_t lines = 0;
  for (char ch : text) lines += ch == '\n';
  if (!text.empty() && text.back() != '\n') ++lines;
  return lines;
}

struct Scan {
  BertFolderInfo info;
  std::map<std::string, TensorInfo> known;    // canonical names of the model's tensors
  std::map<std::string, at::Tensor> tensors;  // the same with their values (with_tensors only)
};

// `with_tensors` false reads only the weights' names, dtypes and shapes (never the tensors'
// bytes), so that inspecting a 700 MB checkpoint costs milliseconds; the checks are the same.
Scan scan_folder(const fs::path& folder, bool with_tensors) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw file_error(folder, "not a folder");
  Scan scan;
  BertFolderInfo& info = scan.info;
  if (fs::exists(folder / "config.json"))
    info.config_file = folder / "config.json";
  else if (fs::exists(folder / "bert_config.json"))
    info.config_file = folder / "bert_config.json";
  else
    throw file_error(folder, "no BERT config (config.json or bert_config.json)");
  info.vocab_file = folder / "vocab.txt";
  if (!fs::exists(info.vocab_file)) throw file_error(folder, "no vocabulary (vocab.txt)");
  if (fs::exists(folder / "model.safetensors"))
    info.weights_file = folder / "model.safetensors";
  else if (fs::exists(folder / "pytorch_model.bin"))
    info.weights_file = folder / "pytorch_model.bin";

  info.config = read_bert_config(info.config_file);
  info.labels = info.config.labels;
  info.vocab_lines = count_lines(info.vocab_file);
  if (info.vocab_lines != info.config.vocab_size)
    throw file_error(info.vocab_file, "has " + std::to_string(info.vocab_lines) + " lines but " +
                                          info.config_file.filename().string() +
                                          " says vocab_size " +
                                          std::to_string(info.config.vocab_size));

  if (info.weights_file.empty()) {
    info.layout = "config-only";
    info.has_classifier = !info.labels.empty();
  } else {
    info.layout = info.config_file.filename() == "bert_config.json" ? "deeppavlov" : "huggingface";
    const bool safetensors = info.weights_file.extension() == ".safetensors";
    NamedTensors raw;
    std::vector<TensorInfo> listed;
    if (with_tensors) {
      raw = safetensors ? read_safetensors(info.weights_file).tensors
                        : read_torch_checkpoint(info.weights_file);
      for (const auto& [name, tensor] : raw)
        listed.push_back({name, tensor.scalar_type(), tensor.sizes().vec()});
    } else {
      listed = safetensors ? read_safetensors_info(info.weights_file)
                           : read_torch_checkpoint_info(info.weights_file);
    }
    const auto expected = bert_parameter_shapes(info.config, 1);
    std::map<std::string, std::vector<int64_t>> known(expected.begin(), expected.end());
    for (std::size_t i = 0; i < listed.size(); ++i) {
      const std::string canonical = canonical_name(listed[i].name);
      if (!known.count(canonical)) {
        info.unexpected.push_back(listed[i].name);
        continue;
      }
      if (!scan.known.emplace(canonical, listed[i]).second)
        throw file_error(info.weights_file, "tensor " + printable(canonical) + " appears twice");
      if (with_tensors) scan.tensors.emplace(canonical, raw[i].second);
    }
    info.has_classifier = scan.known.count("classifier.weight") > 0;
    int64_t num_labels = 0;
    if (info.has_classifier) {
      const std::vector<int64_t>& w = scan.known["classifier.weight"].shape;
      if (w.size() != 2 || w[0] < 1)
        throw file_error(info.weights_file, "tensor classifier.weight has shape " + shape_text(w));
      num_labels = w[0];
      if (info.labels.empty())
        for (int64_t i = 0; i < num_labels; ++i)
          info.labels.push_back("LABEL_" + std::to_string(i));
      if (static_cast<int64_t>(info.labels.size()) != num_labels)
        throw file_error(info.config_file, "id2label has " + std::to_string(info.labels.size()) +
                                               " labels but classifier.weight has " +
                                               std::to_string(num_labels) + " rows");
    }
    for (const auto& [name, shape] : bert_parameter_shapes(info.config, num_labels)) {
      auto it = scan.known.find(name);
      if (it == scan.known.end()) {
        info.missing.push_back(name);
        continue;
      }
      if (it->second.shape != shape)
        throw file_error(info.weights_file, "tensor " + name + " has shape " +
                                                shape_text(it->second.shape) + " but " +
                                                info.config_file.filename().string() + " implies " +
                                                shape_text(shape));
      if (!at::isFloatingType(it->second.dtype))
        throw file_error(info.weights_file, "tensor " + name + " is not floating point");
    }
  }
  for (const auto& [name, shape] : bert_parameter_shapes(
           info.config, info.has_classifier ? static_cast<int64_t>(info.labels.size()) : 0)) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    info.parameter_count += n;
  }
  return scan;
}

std::string join(const std::vector<std::string>& items) {
  std::string s = "[";
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s + "]";
}

// LABEL_0..LABEL_{n-1}: what Hugging Face writes when nobody named the classes, e.g. a
// pretrained checkpoint saved with a throwaway head.
bool placeholder_labels(const std::vector<std::string>& labels) {
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] != "LABEL_" + std::to_string(i)) return false;
  return !labels.empty();
}

}  // namespace

BertFolderInfo inspect_bert_folder(const fs::path& folder) {
  return scan_folder(folder, false).info;
}

LoadedBert load_bert(const fs::path& folder, const std::vector<std::string>& labels) {
  Scan scan = scan_folder(folder, true);
  LoadedBert out;
  out.info = scan.info;
  out.config = scan.info.config;
  const BertFolderInfo& info = out.info;
  if (!info.missing.empty())
    throw file_error(info.weights_file, "tensor " + info.missing.front() + " is missing (" +
                                            std::to_string(info.missing.size()) +
                                            " missing in all)");
  bool head_in_weights = info.has_classifier && info.layout != "config-only";
  if (head_in_weights && !labels.empty() && labels != info.labels) {
    if (!placeholder_labels(info.labels))
      throw file_error(folder, "its classifier was trained for labels " + join(info.labels) +
                                   " but the data has labels " + join(labels) +
                                   "; use the pretrained folder without the classifier or a "
                                   "folder trained for these labels");
    // A head for unnamed classes was never trained for these labels: start a new one, as HF's
    // from_pretrained does for a head that does not fit.
    log::warn(
        "{}: its classifier has only placeholder labels {}; newly initialised a "
        "classifier head for the data's labels {}",
        folder.string(), join(info.labels), join(labels));
    scan.tensors.erase("classifier.weight");
    scan.tensors.erase("classifier.bias");
    head_in_weights = false;
  }
  if (head_in_weights) {
    out.config.labels = info.labels;
  } else {
    out.config.labels =
        labels.empty() ? info.labels : labels;  // config-only folders may name labels
    if (out.config.labels.empty())
      throw file_error(folder, "has no classifier and no labels were given for a new one");
  }
  out.new_head = !head_in_weights;
  out.model =
      BertForSequenceClassification(out.config, static_cast<int64_t>(out.config.labels.size()));
  if (info.layout == "config-only") {
    log::info("{}: no weights, BERT initialised at random ({} parameters)", folder.string(),
              info.parameter_count);
  } else {
    at::NoGradGuard no_grad;
    for (auto& item : out.model->named_parameters()) {
      auto it = scan.tensors.find(item.key());
      if (it == scan.tensors.end()) continue;  // only the new classifier
      item.value().copy_(it->second);
    }
    log::info(
        "{}: loaded {} BERT ({} layers, hidden {}, {} parameters){}", folder.string(), info.layout,
        out.config.num_hidden_layers, out.config.hidden_size, info.parameter_count,
        out.new_head
            ? ", new classifier head for " + std::to_string(out.config.labels.size()) + " labels"
            : "");
    if (!info.unexpected.empty())
      log::info("{}: ignored {} tensors not used by the classifier (e.g. {})",
                info.weights_file.string(), info.unexpected.size(),
                printable(info.unexpected.front()));
  }
  out.model->eval();
  return out;
}

void save_bert_hf(const BertForSequenceClassification& model, const BertConfig& config,
                  const fs::path& vocab_file, const fs::path& folder,
                  const std::vector<std::pair<std::string, std::string>>& extra_files) {
  if (static_cast<int64_t>(config.labels.size()) != model->num_labels())
    throw Error("cannot save BERT: " + std::to_string(config.labels.size()) +
                " labels for a classifier of " + std::to_string(model->num_labels()));
  const std::string vocab = read_file(vocab_file);
  AtomicDirectory dir(folder);
  write_file_atomic(dir.staging() / "config.json", config.to_hf_json().dump(2) + "\n");
  NamedTensors tensors;
  for (const auto& item : model->named_parameters())
    tensors.emplace_back(item.key(), item.value().detach().to(at::kCPU, at::kFloat).contiguous());
  write_safetensors(dir.staging() / "model.safetensors", tensors, {{"format", "pt"}});
  write_file_atomic(dir.staging() / "vocab.txt", vocab);
  for (const auto& [name, content] : extra_files) write_file_atomic(dir.staging() / name, content);
  dir.commit();
}

}  // namespace kdw
