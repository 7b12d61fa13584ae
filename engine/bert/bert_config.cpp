#include "bert/bert_config.h"

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/json_read.h"
#include "core/printable.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

// Upper bounds of each size, well above any published BERT (BERT-large: 24 layers, hidden 1024,
// 16 heads, intermediate 4096, 512 positions; multilingual vocabularies ~250k): a config is
// checked against them before any tensor of its shapes is allocated.
constexpr int64_t kMaxVocab = int64_t{1} << 22;
constexpr int64_t kMaxHidden = int64_t{1} << 14;
constexpr int64_t kMaxLayers = 256;
constexpr int64_t kMaxHeads = 1024;
constexpr int64_t kMaxIntermediate = int64_t{1} << 16;
constexpr int64_t kMaxPositions = int64_t{1} << 16;
constexpr int64_t kMaxTypeVocab = 1024;
// A config-only folder builds its model at random: 2^32 parameters (16 GiB of float32) is far
// beyond any BERT and still a size a large machine can hold.
constexpr int64_t kMaxParameters = int64_t{1} << 32;

int64_t get_size(const nlohmann::json& json, const char* field, const fs::path& file, bool required,
                 int64_t fallback, int64_t max) {
  auto it = json.find(field);
  if (it == json.end() || it->is_null()) {
    if (required) throw file_error(file, std::string("missing field \"") + field + "\"");
    return fallback;
  }
  if (!it->is_number_integer())
    throw file_error(file, std::string("field \"") + field + "\" is not an integer");
  const int64_t v = it->get<int64_t>();
  if (v <= 0 || v > max)
    throw file_error(file, std::string("field \"") + field + "\" is out of range: " +
                               std::to_string(v) + " (1 to " + std::to_string(max) + ")");
  return v;
}

double get_real(const nlohmann::json& json, const char* field, const fs::path& file,
                double fallback) {
  auto it = json.find(field);
  if (it == json.end() || it->is_null()) return fallback;
  if (!it->is_number())
    throw file_error(file, std::string("field \"") + field + "\" is not a number");
  return it->get<double>();
}

}  // namespace

BertConfig BertConfig::from_json(const nlohmann::json& json, const fs::path& file) {
  if (!json.is_object()) throw file_error(file, "not a BERT config (expected a JSON object)");
  BertConfig c;
  c.vocab_size = get_size(json, "vocab_size", file, true, 0, kMaxVocab);
  c.hidden_size = get_size(json, "hidden_size", file, true, 0, kMaxHidden);
  c.num_hidden_layers = get_size(json, "num_hidden_layers", file, true, 0, kMaxLayers);
  c.num_attention_heads = get_size(json, "num_attention_heads", file, true, 0, kMaxHeads);
  c.intermediate_size = get_size(json, "intermediate_size", file, true, 0, kMaxIntermediate);
  c.max_position_embeddings =
      get_size(json, "max_position_embeddings", file, false, 512, kMaxPositions);
  c.type_vocab_size = get_size(json, "type_vocab_size", file, false, 2, kMaxTypeVocab);
  if (auto it = json.find("hidden_act"); it != json.end()) {
    if (!it->is_string()) throw file_error(file, "field \"hidden_act\" is not a string");
    c.hidden_act = it->get<std::string>();
  }
  c.hidden_dropout_prob = get_real(json, "hidden_dropout_prob", file, 0.1);
  c.attention_probs_dropout_prob = get_real(json, "attention_probs_dropout_prob", file, 0.1);
  c.layer_norm_eps = get_real(json, "layer_norm_eps", file, 1e-12);
  c.initializer_range = get_real(json, "initializer_range", file, 0.02);
  if (auto it = json.find("id2label"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) throw file_error(file, "field \"id2label\" is not an object");
    c.labels.assign(it->size(), std::string());
    std::vector<bool> seen(it->size(), false);
    for (auto e = it->begin(); e != it->end(); ++e) {
      std::size_t index = 0;
      try {
        std::size_t used = 0;
        index = std::stoul(e.key(), &used);
        if (used != e.key().size()) throw std::invalid_argument("trailing text");
      } catch (const std::exception&) {
        throw file_error(file, "id2label key \"" + printable(e.key()) + "\" is not an index");
      }
      if (index >= c.labels.size() || seen[index])
        throw file_error(file, "id2label indices must be 0.." +
                                   std::to_string(c.labels.size() - 1) + ", each once (got \"" +
                                   printable(e.key()) + "\")");
      if (!e.value().is_string())
        throw file_error(file, "id2label value of \"" + printable(e.key()) + "\" is not a string");
      seen[index] = true;
      c.labels[index] = e.value().get<std::string>();
    }
  }
  c.validate(file);
  return c;
}

void BertConfig::validate(const fs::path& file) const {
  if (hidden_act != "gelu")
    throw file_error(file, "hidden_act \"" + printable(hidden_act) +
                               "\" is not supported (only \"gelu\", erf form)");
  if (num_attention_heads <= 0 || hidden_size % num_attention_heads != 0)
    throw file_error(file, "hidden_size " + std::to_string(hidden_size) +
                               " is not a multiple of num_attention_heads " +
                               std::to_string(num_attention_heads));
  if (parameter_count(1) > kMaxParameters)
    throw file_error(file, "describes a model of " + std::to_string(parameter_count(1)) +
                               " parameters, more than the " + std::to_string(kMaxParameters) +
                               " this program accepts");
  const auto probability = [&](double p, const char* field) {
    if (!(p >= 0.0 && p < 1.0))
      throw file_error(file, std::string("field \"") + field + "\" must lie in [0, 1)");
  };
  probability(hidden_dropout_prob, "hidden_dropout_prob");
  probability(attention_probs_dropout_prob, "attention_probs_dropout_prob");
  if (!(layer_norm_eps > 0.0)) throw file_error(file, "field \"layer_norm_eps\" must be positive");
  if (!(initializer_range > 0.0))
    throw file_error(file, "field \"initializer_range\" must be positive");
}

nlohmann::json BertConfig::to_hf_json() const {
  nlohmann::json j;
  j["architectures"] = {"BertForSequenceClassification"};
  j["model_type"] = "bert";
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["intermediate_size"] = intermediate_size;
  j["hidden_act"] = hidden_act;
  j["hidden_dropout_prob"] = hidden_dropout_prob;
  j["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
  j["max_position_embeddings"] = max_position_embeddings;
  j["type_vocab_size"] = type_vocab_size;
  j["layer_norm_eps"] = layer_norm_eps;
  j["initializer_range"] = initializer_range;
  j["pad_token_id"] = 0;
  j["position_embedding_type"] = "absolute";
  nlohmann::json id2label = nlohmann::json::object(), label2id = nlohmann::json::object();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    id2label[std::to_string(i)] = labels[i];
    label2id[labels[i]] = i;
  }
  j["id2label"] = id2label;
  j["label2id"] = label2id;
  return j;
}

int64_t BertConfig::parameter_count(int64_t num_labels) const {
  // Each factor is bounded (see the limits above), so no product overflows int64.
  const int64_t h = hidden_size, i = intermediate_size;
  const int64_t embeddings = (vocab_size + max_position_embeddings + type_vocab_size) * h + 2 * h;
  const int64_t layer = 4 * (h * h + h) + 2 * (h * i) + i + h + 4 * h;
  return embeddings + num_hidden_layers * layer + (h * h + h) + num_labels * (h + 1);
}

BertConfig read_bert_config(const fs::path& file) {
  return BertConfig::from_json(read_json_file(file), file);
}

}  // namespace kdw
